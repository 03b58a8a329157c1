"""`{{ unit|unit_query }}`: the part of a dashboard link addressing a unit (pulse.unit_links)."""

from django import template

from pulse.unit_links import unit_query as unit_query_of
from surveys.models import CycleTeam

register = template.Library()


@register.filter
def unit_query(unit: CycleTeam) -> str:
    return unit_query_of(unit)
