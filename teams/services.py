"""Writes to the org chart."""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from common.bulk_rows import insert_rows, reserve_ids, update_rows
from teams.audit import record_event
from teams.erasure import delete_or_erase
from teams.import_progress import REPORT_EVERY, Progress, no_progress
from teams.models import AuditAction, Person, Team
from teams.org_changes import ImportChanges, ManagerChange, PersonChange, team_changes
from teams.org_csv import OrgRow
from teams.org_problems import OrgFileInvalid, RowError
from teams.team_tree import sync_teams

BATCH = 2000


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    teams: int
    dry_run: bool = False
    # Who and what changes, for the org import page's preview; counted above as well.
    changes: ImportChanges = dataclasses.field(default_factory=ImportChanges, compare=False)

    def __str__(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deactivated} deactivated; {self.teams} teams."
        )


@dataclass(slots=True)
class OnChart:
    """A person the org chart holds, as an import compares them with their row: at a million
    people, a model instance each would take more memory than the rest of the import."""

    pk: int
    email: str
    name: str
    manager_id: int | None
    active: bool


class ReportingLineInvalid(Exception):
    """A manager choice that would break the tree; the message says why, for HR."""


def check_manager(*, person: Person, manager: Person | None) -> None:
    """Refuse a manager that would make a team its own ancestor."""
    if manager is None or person.pk is None:
        return
    if manager.pk == person.pk:
        raise ReportingLineInvalid("A person cannot be their own manager.")
    # Walk up from the new manager (one query for the whole chart); meeting `person` is a loop.
    manager_of = dict(Person.objects.values_list("id", "manager_id"))
    current, seen = manager_of.get(manager.pk), {manager.pk}
    while current is not None and current not in seen:
        if current == person.pk:
            raise ReportingLineInvalid(
                f"{manager.name} already reports to {person.name}, directly or through "
                "others; a reporting line cannot go round in a circle."
            )
        seen.add(current)
        current = manager_of.get(current)


@transaction.atomic
def save_person(*, person: Person) -> Person:
    """Save one person; teams follow reporting lines, so the tree is synced in the same
    transaction (a failed sync leaves the person unchanged too)."""
    check_manager(person=person, manager=person.manager)
    person.save()
    sync_teams()
    return person


@transaction.atomic
def delete_people(*, people: QuerySet[Person]) -> int:
    """Delete people, erasing instead anyone ever invited to a survey (teams.erasure), and
    re-derive the tree: a leader's team goes, their reports have no manager. Returns how many
    people went."""
    gone = delete_or_erase(people=people)
    sync_teams()
    return gone


class DryRunRollback(Exception):
    pass


def import_org(
    *,
    rows: list[OrgRow],
    deactivate_missing: bool = False,
    dry_run: bool = False,
    actor: User | None = None,
    progress: Progress = no_progress,
) -> ImportSummary:
    """Sync people to `rows` (already validated by teams.org_csv), all or nothing.

    Creates people, updates them by employee_id, reactivates anyone listed, and deactivates
    people missing from the file only when asked. Teams then follow the reporting lines. An
    import that changed something is in the audit log, with its counts, as `actor`'s (None:
    the command line); a dry run changed nothing and is not. `progress` hears how many rows
    are applied (in a dry run too: it applies them, then rolls back).
    """
    try:
        with transaction.atomic():
            summary = apply_rows(rows, deactivate_missing=deactivate_missing, progress=progress)
            if dry_run:
                raise DryRunRollback
            record_event(
                actor=actor,
                action=AuditAction.ORG_IMPORTED,
                subject=f"{len(rows)} people listed",
                details={
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "deactivated": summary.deactivated,
                    "teams": summary.teams,
                    "deactivate_missing": deactivate_missing,
                },
            )
    except DryRunRollback:
        return ImportSummary(**{**summary.__dict__, "dry_run": True})
    return summary


def apply_rows(
    rows: list[OrgRow], *, deactivate_missing: bool, progress: Progress = no_progress
) -> ImportSummary:
    teams_before = dict(Team.objects.values_list("manager_id", "name"))
    # What the chart held is dropped once the people are in place: at a million people, some
    # 200 MB that the team sync would otherwise hold beside its own.
    applied = apply_people(rows, progress)
    # Everyone listed is now in place; the teams follow from their reporting lines.
    progress("applied", len(rows), len(rows))

    deactivated: list[PersonChange] = []
    if deactivate_missing:
        deactivated = deactivate_outside({row.employee_id for row in rows})
    sync_teams(team_names={row.employee_id: row.team for row in rows if row.team})
    changes = ImportChanges(
        people_created=applied.created,
        people_updated=[
            PersonChange(
                employee_id=employee_id,
                name=applied.updates[employee_id].name,
                fields=tuple(sorted(fields)),
            )
            for employee_id, fields in applied.changed.items()
        ],
        people_deactivated=deactivated,
        managers_changed=applied.managers_changed,
    )
    return ImportSummary(
        created=len(applied.created),
        updated=applied.updated,
        unchanged=len(rows) - len(applied.created) - applied.updated,
        deactivated=len(deactivated),
        teams=Team.objects.count(),
        changes=team_changes(
            teams_before, dict(Team.objects.values_list("manager_id", "name")), changes
        ),
    )


@dataclass(frozen=True)
class PeopleApplied:
    """What apply_people did: the people created, and for each existing person who changed,
    the fields and their new values."""

    created: list[PersonChange]
    changed: dict[str, set[str]]
    updates: dict[str, Person]
    managers_changed: list[ManagerChange]
    updated: int


def apply_people(rows: list[OrgRow], progress: Progress) -> PeopleApplied:
    """Create, update and reactivate the people of `rows`, teams left as they were."""
    existing = on_chart_beside(rows)
    check_emails_free(rows, existing)

    ids = {employee_id: person.pk for employee_id, person in existing.items()}
    new_people = create_top_down(
        [row for row in rows if row.employee_id not in existing], rows, ids, progress
    )

    changed: dict[str, set[str]] = defaultdict(set)
    # Only the people who change become model instances, holding their new values.
    updates: dict[str, Person] = {}
    email_moves: list[Person] = []
    # (row, their manager's id before): named once the rows are through, so that no map of
    # everyone's name is built for the few who changed managers.
    moved: list[tuple[OrgRow, int | None]] = []
    for row in rows:
        person = existing.get(row.employee_id)
        if person is None:
            continue  # created with everything in place
        manager_id = ids[row.manager_id] if row.manager_id else None
        wanted = {"email": row.email, "name": row.name, "manager_id": manager_id, "active": True}
        fields = {field for field, value in wanted.items() if getattr(person, field) != value}
        if not fields:
            continue
        if "manager_id" in fields:
            moved.append((row, person.manager_id))
        update = Person(pk=person.pk, employee_id=row.employee_id, **wanted)
        if "email" in fields:
            email_moves.append(update)
        updates[row.employee_id] = update
        changed[row.employee_id] |= {"manager" if f == "manager_id" else f for f in fields}

    managers_changed = manager_changes(moved, existing, rows)
    move_emails(email_moves)
    for field, attribute in (("name", "name"), ("manager", "manager_id"), ("active", "active")):
        update_rows(
            Person,
            [field],
            (
                (updates[e].pk, getattr(updates[e], attribute))
                for e, fields in changed.items()
                if field in fields
            ),
        )
    return PeopleApplied(
        created=new_people,
        changed=dict(changed),
        updates=updates,
        managers_changed=managers_changed,
        updated=sum(1 for employee in changed if employee in existing),
    )


def on_chart_beside(rows: list[OrgRow]) -> dict[str, OnChart]:
    """Employee id → the person the org chart holds under it. Where their employee id, email
    or name is the same as in their row, the row's own string is kept rather than a second
    copy read from the database: re-importing a million people, the copies took the import's
    peak from 751 MiB to 951. The erased are nobody an org file can name (teams.erasure):
    never matched, never revived."""
    row_of = {row.employee_id: row for row in rows}
    existing: dict[str, OnChart] = {}
    people = (
        Person.objects.on_chart()
        .values_list("id", "employee_id", "email", "name", "manager_id", "active")
        .iterator(chunk_size=BATCH)
    )
    for pk, employee_id, email, name, manager_id, active in people:
        row = row_of.get(employee_id)
        if row is not None:
            employee_id = row.employee_id
            email = row.email if email == row.email else email
            name = row.name if name == row.name else name
        existing[employee_id] = OnChart(pk, email, name, manager_id, active)
    return existing


def manager_changes(
    moved: list[tuple[OrgRow, int | None]], existing: dict[str, OnChart], rows: list[OrgRow]
) -> list[ManagerChange]:
    """Who moved from which manager (by name, as before the import) to which (as listed)."""
    old_ids = {old for _, old in moved if old is not None}
    old_names = {person.pk: person.name for person in existing.values() if person.pk in old_ids}
    new_ids = {row.manager_id for row, _ in moved}
    new_names = {row.employee_id: row.name for row in rows if row.employee_id in new_ids}
    return [
        ManagerChange(
            employee_id=row.employee_id,
            name=row.name,
            old_manager=old_names.get(old or 0, ""),
            new_manager=new_names.get(row.manager_id, ""),
        )
        for row, old in moved
    ]


def create_top_down(
    new_rows: list[OrgRow],
    rows: list[OrgRow],
    ids: dict[str, int],
    progress: Progress = no_progress,
) -> list[PersonChange]:
    """Create people level by level from the top, each inserted with their manager's id: ids
    are taken first, so each row goes in complete and no second pass of updates follows. Rows
    are written as plain tuples (COPY on PostgreSQL), not a model instance each. `progress`
    hears how many are created, out of everyone listed."""
    manager_of = {row.employee_id: row.manager_id for row in rows}
    depth: dict[str, int] = {}

    def depth_of(employee_id: str) -> int:
        chain = []
        while employee_id not in depth and manager_of.get(employee_id):
            chain.append(employee_id)
            employee_id = manager_of[employee_id]
        base = depth.setdefault(employee_id, 0)
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
        return depth[chain[0]] if chain else base

    levels: dict[int, list[OrgRow]] = defaultdict(list)
    for row in new_rows:
        levels[depth_of(row.employee_id)].append(row)
    top_down = [row for level in sorted(levels) for row in levels[level]]
    ids.update(
        zip((row.employee_id for row in top_down), reserve_ids(Person, len(top_down)), strict=True)
    )
    written = 0
    for level in sorted(levels):
        level_rows = levels[level]
        # A level can hold most of the file: written in slices, so progress moves within it.
        for start in range(0, len(level_rows), REPORT_EVERY):
            written_before = written
            written += insert_rows(
                Person,
                ["id", "employee_id", "email", "name", "manager"],
                (
                    (
                        ids[row.employee_id],
                        row.employee_id,
                        row.email,
                        row.name,
                        ids[row.manager_id] if row.manager_id else None,
                    )
                    for row in level_rows[start : start + REPORT_EVERY]
                ),
            )
            if written // REPORT_EVERY > written_before // REPORT_EVERY:
                progress("applied", written, len(rows))  # another REPORT_EVERY done
    return [PersonChange(employee_id=row.employee_id, name=row.name) for row in top_down]


def deactivate_outside(listed: set[str]) -> list[PersonChange]:
    """Deactivate everyone not listed, the ids sent as one JSON array per batch."""
    missing = [
        (person_id, PersonChange(employee_id=employee_id, name=name, fields=("active",)))
        for person_id, employee_id, name in Person.objects.filter(active=True).values_list(
            "id", "employee_id", "name"
        )
        if employee_id not in listed
    ]
    update_rows(Person, ["active"], ((person_id, False) for person_id, _ in missing))
    return [change for _, change in missing]


def check_emails_free(rows: list[OrgRow], existing: dict[str, OnChart]) -> None:
    """An email may not belong to someone else who stays in the database outside this file."""
    listed = {row.employee_id for row in rows}
    owner_outside = {
        person.email.lower(): employee_id
        for employee_id, person in existing.items()
        if employee_id not in listed
    }
    errors = [
        RowError(
            row.line,
            "email",
            f'"{row.email}" belongs to employee "{owner_outside[row.email.lower()]}", '
            "who is not in this file",
        )
        for row in rows
        if row.email.lower() in owner_outside
    ]
    if errors:
        raise OrgFileInvalid(errors)


def move_emails(people: list[Person]) -> None:
    """Change emails in two steps, so two people swapping addresses never collide on the
    unique constraint halfway through."""
    if not people:
        return
    update_rows(
        Person, ["email"], ((person.pk, f"moving-{person.pk}@pulse.invalid") for person in people)
    )
    update_rows(Person, ["email"], ((person.pk, person.email) for person in people))
