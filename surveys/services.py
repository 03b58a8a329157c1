"""Writes to the item catalogue and cadences, shared by the admin and the API."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from surveys.models import Cadence, Item
from teams.audit import AuditFact, record_event
from teams.models import AuditAction, Team


@transaction.atomic
def save_item(*, item: Item) -> Item:
    """Save an item; a change of wording bumps its version.

    Past cycles keep their own copy of the wording, tagged with the version it had: the version
    tells the copies apart, so it must move whenever the text does, whoever edits it.
    """
    if item.pk is not None:
        stored_text = (
            Item.objects.select_for_update().filter(pk=item.pk).values_list("text", flat=True)
        )
        if stored_text and stored_text[0] != item.text:
            item.version = F("version") + 1
    item.save()
    item.refresh_from_db(fields=["version"])
    return item


# A cadence's thresholds: a change is audited on its own, since it decides what HR and the
# managers may be shown from the next cycle on.
THRESHOLDS = ("k", "k_comment")
AUDITED_SETTINGS = (
    "name",
    "kind",
    "population_team_id",
    "schedule_kind",
    "day_of_month",
    "week_of_month",
    "weekday",
    "send_hour",
    "time_zone",
    "window_days",
    "reminder_offsets",
    "focus_reminder_days",
    "active",
)


@transaction.atomic
def save_cadence(
    *, cadence: Cadence, population_team: Team | None, actor: User | None = None
) -> Cadence:
    """Save a cadence surveying `population_team`'s subtree, or everyone when None.

    `population_is_team` remembers that a team was chosen: if that team later disappears (the
    foreign key is set to null), the cadence refuses to launch instead of quietly surveying the
    whole organisation. The audit log records the creation, or which settings changed (a
    threshold change as an event of its own, with its old and new values), as `actor`'s.
    """
    stored = Cadence.objects.filter(pk=cadence.pk).first() if cadence.pk is not None else None
    cadence.population_team = population_team
    cadence.population_is_team = population_team is not None
    cadence.save()
    if stored is None:
        record_event(
            actor=actor,
            action=AuditAction.CADENCE_CREATED,
            subject=cadence.name,
            details={name: getattr(cadence, name) for name in (*AUDITED_SETTINGS, *THRESHOLDS)},
        )
        return cadence
    thresholds: dict[str, AuditFact] = {
        name: {"from": getattr(stored, name), "to": getattr(cadence, name)}
        for name in THRESHOLDS
        if getattr(stored, name) != getattr(cadence, name)
    }
    if thresholds:
        record_event(
            actor=actor,
            action=AuditAction.THRESHOLD_CHANGED,
            subject=cadence.name,
            details=thresholds,
        )
    changed: dict[str, AuditFact] = {
        name: {"from": getattr(stored, name), "to": getattr(cadence, name)}
        for name in AUDITED_SETTINGS
        if getattr(stored, name) != getattr(cadence, name)
    }
    if changed:
        record_event(
            actor=actor, action=AuditAction.CADENCE_CHANGED, subject=cadence.name, details=changed
        )
    return cadence


@transaction.atomic
def create_cadence(
    *, population_team: Team | None = None, actor: User | None = None, **settings: Any
) -> Cadence:
    return save_cadence(cadence=Cadence(**settings), population_team=population_team, actor=actor)
