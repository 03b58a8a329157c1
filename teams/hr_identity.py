"""Who is behind an HR login.

HR reads every result, and knows its own answers: a release takes the people behind the HR
logins out of every group before it decides what may be shown (docs/anonymity.md, "Results:
what the readers can work out"). So each HR login must say which person it is: by its link to
a person (`make_hr --person`, the admin's person page, or, when a survey opens, the person
whose email is the address the login was made under, linked then for good), or by a
statement that it is nobody in the org chart (`make_hr --outside-org-chart`, in the audit log
with who made it). A login that does none of these reads no result of a survey that closes
meanwhile (surveys.selectors.hr_readings): four officers under logins of their own could
otherwise take their answers out of their team's figures, and read what is left.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, AnonymousUser, User
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from teams.audit import record_event
from teams.models import AuditAction, LoginOutsideOrgChart, Person
from teams.roles import hr_logins


class CannotSayOutsideOrgChart(Exception):
    """The login names a person: it is in the org chart, and is counted as that person."""


def person_of_login(user: AbstractUser) -> Person | None:
    """The person the login is: the one linked to it or, for a login not linked yet, the one
    whose email is the address the login was made under (its username, which no page
    changes); active, since a survey invites only the active. A login linked to an inactive
    row names nobody (its address does not lead elsewhere): after a migration to new employee
    ids and addresses, the officers' logins still lead to their old rows while they answer as
    the new ones, and counting the old rows would count nobody who answered."""
    linked = Person.objects.on_chart().filter(user_id=user.pk).first()
    if linked is not None:
        return linked if linked.active else None
    found = unlinked_people_at(user.get_username())
    return found[0] if len(found) == 1 else None


def unlinked_people_at(address: str) -> list[Person]:
    """The active people without a login whose email is `address`, whatever its case: two
    of them (the same address in two cases) are too many to say which one a login is."""
    return list(
        Person.objects.on_chart().filter(active=True, user__isnull=True, email__iexact=address)[:2]
    )


def link_hr_logins_by_email() -> None:
    """Link each HR login not linked yet, for good, to the person whose email is the address
    the login was made under (its username). Run when a survey opens and when it closes: the
    person behind a login is then the one it was when the invitations went out, so an officer
    who moves to a new record mid-survey is still counted as the person who was invited, and
    her login names nobody once that record is inactive. An address two people share in
    different cases links nobody."""
    unlinked = {
        login.get_username().lower(): login for login in hr_logins().filter(person__isnull=True)
    }
    if not unlinked:
        return
    found: dict[str, list[Person]] = {}
    for person in (
        Person.objects.on_chart()
        .filter(active=True, user__isnull=True)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(unlinked))
    ):
        found.setdefault(person.email_lower, []).append(person)
    people = []
    for address, candidates in found.items():
        if len(candidates) == 1:
            candidates[0].user = unlinked[address]
            people.append(candidates[0])
    Person.objects.bulk_update(people, ["user"])


def is_outside_org_chart(user: AbstractUser) -> bool:
    """Said to be nobody in the org chart, and linked to nobody: once a login is linked to a
    person (by make_hr, a superuser or a survey opening), the statement is no longer true,
    and does not come back when that person's row turns inactive (a migration to new rows)."""
    return LoginOutsideOrgChart.objects.filter(user_id=user.pk, user__person__isnull=True).exists()


def names_nobody(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True when no release could count the person behind this login: it names no person and
    nobody said it is outside the org chart. Such a login reads no result of a survey that
    closes while this is so. A visitor who is not signed in is no login at all."""
    if not isinstance(user, AbstractUser):
        return False
    return person_of_login(user) is None and not is_outside_org_chart(user)


@transaction.atomic
def say_outside_org_chart(*, user: AbstractUser, actor: User | None) -> None:
    """Record that `user` belongs to nobody in the org chart: the release counts no person of
    it. Refused for a login that names a person or is linked to one, active or not."""
    person = Person.objects.filter(user_id=user.pk).first() or person_of_login(user)
    if person is not None:
        raise CannotSayOutsideOrgChart(
            f"{user.get_username()} is {person.name} ({person.employee_id}) in the org chart."
        )
    _, created = LoginOutsideOrgChart.objects.get_or_create(
        user_id=user.pk, defaults={"stated_at": timezone.now()}
    )
    if created:
        record_event(
            actor=actor,
            action=AuditAction.LOGIN_OUTSIDE_ORG_CHART,
            subject=user.get_username(),
        )
