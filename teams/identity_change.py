"""A change of identity on a person's row: the person who had it leaves, another person joins.

Every check across surveys knows people by their row: an invitation points at it, and who was
invited where is read from the invitations (docs/anonymity.md, "Across surveys"). HR can give a
leaver's row to the joiner who takes her seat by typing his name, email and employee id over
hers, and an HR system that keys seats rather than people does the same through the org file
(the seat keeps its employee id, the name and email change). Kept as one row, the joiner would
be the leaver to every check: her team would look unchanged, and the difference of two surveys'
figures would be the leaver's answers less the joiner's. So a row whose identity changes is
split: the person who had it leaves as a deleted person does (teams.erasure: erased and keeping
her invitations, or deleted if she was never invited), and a new row joins with the new
identity.

Identity is the employee id, the work email and the name, each on its own: a lone change is
another person too, since two lone changes one after the other (the name one day, the email
the next) would otherwise hand a row over. Only spellings that cannot name anyone else are the
same: the letter case of the email (addresses are compared without it everywhere) and the
letter case and spacing of the name.

What belongs to the seat moves to the new row: the team the old row led (the same Team, with
its name, focus and customer figures), the people who reported to it, and the manager it
reports to (as the edit or the file says). What belongs to the human stays with the old row and
goes with her: her invitations, and with them her place in past surveys' figures; the HR reader
records that count her as a reader; past surveys' snapshots naming her as a team's manager; and
her login, which is deleted (it is named after her address and led to her record).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from common.bulk_rows import insert_rows, reserve_ids
from teams.erasure import delete_or_erase, erased_email, erased_employee_id
from teams.models import Person, Team
from teams.org_changes import PersonReplaced
from teams.org_csv import OrgRow
from teams.team_tree import default_team_name

BATCH = 2000
# Replacements an import's summary names one by one; the rest are counted.
REPLACEMENTS_NAMED = 20


def identity_key(*, employee_id: str, email: str, name: str) -> tuple[str, str, str]:
    """What must stay the same for a row to stay the same person."""
    return (employee_id.strip(), email.strip().lower(), " ".join(name.split()).casefold())


def is_another_person(before: Person, *, employee_id: str, email: str, name: str) -> bool:
    """Would giving `before`'s row this employee id, email and name make it someone else?"""
    return identity_key(
        employee_id=before.employee_id, email=before.email, name=before.name
    ) != identity_key(employee_id=employee_id, email=email, name=name)


@dataclass(frozen=True)
class Joiner:
    """The person who takes a leaver's seat, as the new row starts out."""

    leaver_id: int
    employee_id: str
    email: str
    name: str
    manager_id: int | None
    active: bool
    user_id: int | None = None


@dataclass(frozen=True)
class Replacement:
    leaver_id: int
    leaver_name: str
    joiner_id: int


def replace_people(joiners: list[Joiner]) -> list[Replacement]:
    """Each leaver leaves (erased, or deleted if never invited) and a new row joins in her
    seat. The caller's transaction holds it all, and the caller syncs the tree afterwards.

    The new rows are written first under values no row or file can hold, so that the leavers
    go with everything that names them still in place (teams.erasure finds their lines in the
    audit log and the import summaries by it); then they take the employee ids and emails the
    leavers held."""
    if not joiners:
        return []
    leaver_names = dict(
        Person.objects.filter(pk__in=[joiner.leaver_id for joiner in joiners]).values_list(
            "pk", "name"
        )
    )
    new_ids = reserve_ids(Person, len(joiners))
    insert_rows(
        Person,
        ["id", "employee_id", "email", "name", "manager", "active", "user"],
        (
            (
                new_id,
                erased_employee_id(new_id),
                erased_email(new_id),
                joiner.name,
                joiner.manager_id,
                joiner.active,
                joiner.user_id,
            )
            for new_id, joiner in zip(new_ids, joiners, strict=True)
        ),
    )
    new_of = {joiner.leaver_id: new_id for joiner, new_id in zip(joiners, new_ids, strict=True)}
    hand_over_seats(
        new_of,
        names={new_of[joiner.leaver_id]: joiner.name for joiner in joiners},
        leaver_names=leaver_names,
    )
    delete_or_erase(people=Person.objects.filter(pk__in=list(new_of)))
    joined = list(Person.objects.filter(pk__in=new_ids).only("id", "employee_id", "email"))
    wanted = {new_of[joiner.leaver_id]: joiner for joiner in joiners}
    for person in joined:
        person.employee_id = wanted[person.pk].employee_id
        person.email = wanted[person.pk].email
    Person.objects.bulk_update(joined, ["employee_id", "email"], batch_size=BATCH)
    return [
        Replacement(
            leaver_id=joiner.leaver_id,
            leaver_name=leaver_names[joiner.leaver_id],
            joiner_id=new_id,
        )
        for joiner, new_id in zip(joiners, new_ids, strict=True)
    ]


def hand_over_seats(
    new_of: dict[int, int], *, names: dict[int, str], leaver_names: dict[int, str]
) -> None:
    """The leavers' reports now report to the joiners, and the leavers' teams are led by
    them. A team still called after its leaver by default ("Alice Officer's team") is called
    after its new leader: nothing on the org chart keeps the leaver's name."""
    leavers = list(new_of)
    reports = list(Person.objects.filter(manager_id__in=leavers).only("id", "manager_id"))
    for report in reports:
        report.manager_id = new_of[report.manager_id or 0]
    Person.objects.bulk_update(reports, ["manager"], batch_size=BATCH)
    teams = list(Team.objects.filter(manager_id__in=leavers).only("id", "manager_id", "name"))
    for team in teams:
        leaver = team.manager_id
        team.manager_id = new_of[leaver]
        if team.name == default_team_name(leaver_names[leaver]):
            team.name = default_team_name(names[team.manager_id])
    Team.objects.bulk_update(teams, ["manager", "name"], batch_size=BATCH)


def joined_team_names(person_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Person id → (the team they are a member of, the team they lead), "" for none: what a
    sentence about a joiner names. Read after the tree is synced."""
    ids = list(person_ids)
    team_by_leader = dict(Team.objects.values_list("manager_id", "name"))
    return {
        person_id: (
            "" if not active else team_by_leader.get(manager_id or person_id, ""),
            team_by_leader.get(person_id, ""),
        )
        for person_id, manager_id, active in Person.objects.filter(pk__in=ids).values_list(
            "id", "manager_id", "active"
        )
    }


def replacement_sentence(
    *, leaver: str, joiner: str, member_of: str, leads: str, applied: bool = True
) -> str:
    """'Alice Officer left; Bob Joiner joined East in their place.' (`applied=False`: what a
    dry run would do, 'Alice Officer would leave; ...')."""
    left, join, take = (
        ("left", "joined", "took") if applied else ("would leave", "would join", "would take")
    )
    joined = f"{join} {member_of} in their place" if member_of else f"{take} their place"
    leading = f" and leads {leads}" if leads and leads != member_of else ""
    return f"{leaver} {left}; {joiner} {joined}{leading}."


def replacement_notice(*, leaver: str, joiner: Person) -> str:
    """What HR is told when an edit made a row another person."""
    member_of, leads = joined_team_names([joiner.pk]).get(joiner.pk, ("", ""))
    return (
        replacement_sentence(leaver=leaver, joiner=joiner.name, member_of=member_of, leads=leads)
        + f" A new name, email or employee id is another person: {leaver}'s invitations to"
        f" surveys stay, linked to no name, and {leaver}'s login, if any, was deleted (invite"
        f" {joiner.name} to log in if needed)."
    )


def replaced_people(
    rows: list[OrgRow], existing: dict[str, Person], joiners: dict[int, Replacement]
) -> list[PersonReplaced]:
    """Who left and who joined in their seat, in the file's order, with the teams the joiners
    are in once the tree is synced."""
    if not joiners:
        return []
    teams = joined_team_names(joiners)
    return [
        PersonReplaced(
            employee_id=row.employee_id,
            name=row.name,
            left=joiners[joiner_id].leaver_name,
            member_of=teams.get(joiner_id, ("", ""))[0],
            leads=teams.get(joiner_id, ("", ""))[1],
        )
        for row in rows
        if (joiner_id := existing[row.employee_id].pk if row.employee_id in existing else 0)
        in joiners
    ]


def replacements_said(replaced: list[PersonReplaced], *, applied: bool) -> str:
    """The import summary's sentences on who left and who joined in their seat."""
    named = [
        replacement_sentence(
            leaver=change.left,
            joiner=change.name,
            member_of=change.member_of,
            leads=change.leads,
            applied=applied,
        )
        for change in replaced[:REPLACEMENTS_NAMED]
    ]
    more = len(replaced) - len(named)
    return " ".join(
        [
            f"{len(replaced)} replaced (a new name or email is another person):",
            *named,
            *([f"And {more} more."] if more > 0 else []),
        ]
    )
