"""Deleting people: for real, or, for anyone ever invited to a survey, by erasing them.

A survey's figures are judged against its invitations long after it closed: whether a released
group was answered by everyone is its respondent count against the people its survey invited
(docs/anonymity.md, "Across surveys"). Deleting a person's invitations would leave their answers
in the released figures and make a group where someone did not answer look answered by
everyone. So a person with an invitation keeps their row, as a tombstone: no name, no email, no
employee id of theirs, no login, no manager, inactive, and `erased_at` set, so that no page,
import, search, count or email finds them again. Their invitations stay as they were, linked to
nobody anyone can name. People never invited are deleted.

In the tree an erased person is what a deleted one was: their team goes, and their reports
have no manager until the next import or edit gives them one (what deleting did, by SET_NULL).

Teams does not import surveys: the invitations are reached through the reverse relation
surveys declares on Person ("invitations"), as deleting reached them before.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from teams.models import AuditEvent, OrgImportJob, Person

ERASED_NAME = "Erased person"
# The reserved .invalid top-level domain (RFC 2606): no mail server takes it, and no login or
# org file names an address in it (teams.org_csv refuses one).
ERASED_DOMAIN = "pulse.invalid"


def erased_employee_id(person_id: int) -> str:
    # A colon and the row's own id: unique, and an org file cannot list it (teams.org_csv).
    return f"erased:{person_id}"


def erased_email(person_id: int) -> str:
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def is_erased_employee_id(employee_id: str) -> bool:
    return employee_id.startswith("erased:")


@transaction.atomic
def delete_or_erase(*, people: QuerySet[Person]) -> int:
    """Erase the people who have an invitation and delete the others; returns how many went
    either way. Their logins go with them. The caller syncs the tree."""
    chosen = list(people.filter(erased_at__isnull=True).values_list("pk", flat=True))
    invited = set(
        Person.objects.filter(pk__in=chosen, invitations__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    forget_in_admin_history(Person, chosen)
    forget_logins(chosen)
    erase(sorted(invited))
    Person.objects.filter(pk__in=set(chosen) - invited).delete()
    return len(chosen)


def forget_logins(person_ids: list[int]) -> None:
    """Delete the logins of these people (named after their email), and say in the audit log
    that a login of an erased person acted, not who.

    A login is theirs by its link or, made before the org chart named them, by their email as
    its address or the address it was made under (teams.hr_identity): kept, an HR login would
    name whoever is added later with that email, a person never invited, while the erased
    row keeps the invitations and answers it knows."""
    emails = [
        email.lower()
        for email in Person.objects.filter(pk__in=person_ids).values_list("email", flat=True)
        if email
    ]
    logins = list(
        get_user_model()
        .objects.annotate(email_lower=Lower("email"), username_lower=Lower("username"))
        .filter(
            Q(person__pk__in=person_ids) | Q(email_lower__in=emails) | Q(username_lower__in=emails)
        )
        .values_list("pk", flat=True)
    )
    forget_in_admin_history(get_user_model(), logins)
    AuditEvent.objects.filter(actor_id__in=logins).update(actor_name=ERASED_NAME)
    # The people's own audit lines ("Invited X (E-1) to log in") name them in the subject.
    for person in Person.objects.filter(pk__in=person_ids).only("name", "employee_id"):
        AuditEvent.objects.filter(subject=str(person)[:300]).update(
            subject=f"{ERASED_NAME} ({erased_employee_id(person.pk)})"
        )
    get_user_model().objects.filter(pk__in=logins).delete()


def forget_in_admin_history(model: type[Model], ids: list[int]) -> None:
    """The admin's history names each object it added, changed or deleted (its deletion of
    these people included, written just before): those lines keep what was done, not to whom."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in ids],
    ).update(object_repr=ERASED_NAME)


def erase(person_ids: list[int]) -> None:
    if not person_ids:
        return
    forget_in_import_summaries(person_ids)
    Person.objects.filter(manager_id__in=person_ids).update(manager=None)
    now = timezone.now()
    people = list(Person.objects.filter(pk__in=person_ids))
    for person in people:
        person.name = ERASED_NAME
        person.email = erased_email(person.pk)
        person.employee_id = erased_employee_id(person.pk)
        person.active = False
        person.manager = None
        person.user = None
        person.erased_at = now
    Person.objects.bulk_update(
        people,
        ["name", "email", "employee_id", "active", "manager", "user", "erased_at"],
        batch_size=2000,
    )


def forget_in_import_summaries(person_ids: list[int]) -> None:
    """A finished import's summary lists the first people it changed, by employee id and name,
    for a week (teams.org_jobs): those entries of erased people say only that someone was."""
    people = dict(Person.objects.filter(pk__in=person_ids).values_list("employee_id", "pk"))
    names = set(Person.objects.filter(pk__in=person_ids).values_list("name", flat=True))
    for job in OrgImportJob.objects.filter(summary__isnull=False).only("summary"):
        changes = (job.summary or {}).get("changes", {})
        touched = False
        for kind in changes.values():
            for item in kind.get("first", []):
                if isinstance(item, dict) and item.get("employee_id") in people:
                    item["employee_id"] = erased_employee_id(people[item["employee_id"]])
                    item["name"] = ERASED_NAME
                    touched = True
                if isinstance(item, dict):
                    for side in ("old_manager", "new_manager"):
                        if item.get(side) in names:
                            item[side] = ERASED_NAME
                            touched = True
        if touched:
            job.save(update_fields=["summary"])
