"""Writes to the item catalogue and cadences, shared by the admin and the API."""

from typing import Any

from django.db import transaction
from django.db.models import F

from surveys.models import Cadence, Item
from teams.models import Team


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


@transaction.atomic
def save_cadence(*, cadence: Cadence, population_team: Team | None) -> Cadence:
    """Save a cadence surveying `population_team`'s subtree, or everyone when None.

    `population_is_team` remembers that a team was chosen: if that team later disappears (the
    foreign key is set to null), the cadence refuses to launch instead of quietly surveying the
    whole organisation.
    """
    cadence.population_team = population_team
    cadence.population_is_team = population_team is not None
    cadence.save()
    return cadence


@transaction.atomic
def create_cadence(*, population_team: Team | None = None, **settings: Any) -> Cadence:
    return save_cadence(cadence=Cadence(**settings), population_team=population_team)
