"""Reads of the surveys plane that other apps may use. None of them says who answered."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from surveys.models import CycleReader, CycleTeam, Invitation
from teams.models import Person
from teams.tree_walks import IdTree


@dataclass(frozen=True)
class ReportingUnit:
    """A reporting unit of a cycle's snapshot, and its nearest ancestor unit."""

    id: int
    parent_unit_id: int | None
    team_id: int | None
    name: str
    unit_eligible_count: int
    # Shown a shared focus at launch: its people were asked the follow-through item.
    asks_follow_through: bool = False


def answers_cell_id(team: CycleTeam, teams: Mapping[int, CycleTeam] | None = None) -> int:
    """The reporting unit whose stored answers include this team's: where its answers went.

    Launch maps every team to its reporting unit; a close that moves a unit with 1..k-1
    respondents into its parent unit's cell records the final cell in the unit's
    `answers_counted_in`. `teams` (id → CycleTeam of the cycle) saves a query per team."""
    unit_id = team.reporting_unit_id or team.pk
    if unit_id == team.pk:
        unit = team
    elif teams is not None and unit_id in teams:
        unit = teams[unit_id]
    else:
        unit = CycleTeam.objects.get(pk=unit_id)
    return unit.answers_counted_in_id or unit.pk


def reporting_units(cycle_id: int) -> list[ReportingUnit]:
    """The cycle's reporting units, each with its nearest ancestor unit."""
    teams = {
        team.pk: team
        for team in CycleTeam.objects.filter(cycle_id=cycle_id).only(
            "id",
            "parent_id",
            "reporting_unit_id",
            "name",
            "team_id",
            "unit_eligible_count",
            "focus_domain",
        )
    }
    units = []
    for team in teams.values():
        if team.reporting_unit_id != team.pk:
            continue
        parent = teams.get(team.parent_id) if team.parent_id else None
        units.append(
            ReportingUnit(
                id=team.pk,
                parent_unit_id=parent.reporting_unit_id if parent else None,
                team_id=team.team_id,
                name=team.name,
                unit_eligible_count=team.unit_eligible_count,
                asks_follow_through=team.focus_domain != "",
            )
        )
    return units


def _viewer_person_ids(cycle_id: int) -> set[int]:
    """Everyone who can read any results of the cycle: the snapshot's managers, and the people
    behind the HR logins recorded at close (surveys.closing), found by the login's link or, for
    a login made before the org chart named its person, by the same email address."""
    managers = set(
        CycleTeam.objects.filter(cycle_id=cycle_id, manager__isnull=False).values_list(
            "manager_id", flat=True
        )
    )
    readers = CycleReader.objects.filter(cycle_id=cycle_id)
    emails = [email.lower() for email in readers.values_list("user__email", flat=True) if email]
    hr = set(
        Person.objects.annotate(email_lower=Lower("email"))
        .filter(Q(user__in=readers.values("user")) | Q(email_lower__in=emails))
        .values_list("pk", flat=True)
    )
    return managers | hr


def reads_cycle_as_hr(user_id: int, cycle_id: int) -> bool:
    """Was this login HR when the cycle closed? Only those logins read its results as HR."""
    return CycleReader.objects.filter(cycle_id=cycle_id, user_id=user_id).exists()


def cycles_read_as_hr(user_id: int) -> QuerySet[CycleReader]:
    return CycleReader.objects.filter(user_id=user_id)


def cycles_led_by(user_id: int) -> QuerySet[CycleTeam, int]:
    """The cycles in whose frozen snapshot this login led a team: a manager reads those cycles'
    results for that team's subtree (pulse.access), whoever leads it today."""
    return CycleTeam.objects.filter(manager__user_id=user_id).values_list("cycle_id", flat=True)


def viewers_per_unit(cycle_id: int) -> dict[int, int]:
    """Reporting unit id → how many of the people invited under it can read results.

    Counted in the cell where the unit's answers are stored (answers_cell_id), so the counts
    line up with the stored responses."""
    viewers = _viewer_person_ids(cycle_id)
    teams = CycleTeam.objects.filter(cycle_id=cycle_id).in_bulk()
    cell_of = {team.pk: answers_cell_id(team, teams) for team in teams.values()}
    counts: dict[int, int] = defaultdict(int)
    for unit_id, person_id in Invitation.objects.filter(cycle_id=cycle_id).values_list(
        "reporting_unit_id", "person_id"
    ):
        if person_id in viewers:
            counts[cell_of.get(unit_id, unit_id)] += 1
    return dict(counts)


@dataclass(frozen=True)
class MembershipChange:
    """How many people joined or left a team's subtree between two cycles."""

    team_id: int
    joined: int
    left: int

    @property
    def changed(self) -> int:
        return self.joined + self.left


def subtree_invitees(cycle_id: int) -> dict[int, set[int]]:
    """Team id (of the org chart) → the people invited anywhere in its subtree in the cycle."""
    teams = list(
        CycleTeam.objects.filter(cycle_id=cycle_id).values_list("id", "parent_id", "team_id")
    )
    tree = IdTree({pk: parent for pk, parent, _ in teams})
    team_of = {pk: team for pk, _, team in teams}
    people: dict[int, set[int]] = defaultdict(set)
    for unit_id, person_id in Invitation.objects.filter(cycle_id=cycle_id).values_list(
        "reporting_unit_id", "person_id"
    ):
        for holder in (unit_id, *tree.ancestors(unit_id)):
            if team_of.get(holder) is not None:
                people[team_of[holder]].add(person_id)
    return people


def membership_changes(
    cycle_id: int, earlier_cycle_id: int, team_ids: set[int]
) -> dict[int, MembershipChange]:
    """For each team in both cycles, the joiners and leavers of its subtree between them.
    Counts only: no person ids leave this module."""
    now, then = subtree_invitees(cycle_id), subtree_invitees(earlier_cycle_id)
    return {
        team_id: MembershipChange(
            team_id=team_id,
            joined=len(now.get(team_id, set()) - then.get(team_id, set())),
            left=len(then.get(team_id, set()) - now.get(team_id, set())),
        )
        for team_id in team_ids
        if team_id in now or team_id in then
    }


def answered_counts(cycle_id: int) -> dict[int, int]:
    """While a cycle is open: answered invitations per reporting unit. Counts only, never who;
    callers show them coarsely and only for units of at least 2k people."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in Invitation.objects.filter(cycle_id=cycle_id, answered=True).values_list(
        "reporting_unit_id", flat=True
    ):
        counts[unit_id] += 1
    return counts
