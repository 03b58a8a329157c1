"""Unit pages addressed by team, so a link stays good from one survey to the next.

A reporting unit is a per-cycle row (CycleTeam): its id means nothing in another cycle, so a link
or a survey switch that carried it would land on the wrong unit, or on none. Links carry the
team's id instead (`?cycle=…&team=…`), and each cycle finds the unit that team's answers were
counted in, which is the team itself or, where it was too small that time, the unit it merged
into. Links of the old form (`?unit=<unit id>`) keep working: their unit names its team.
"""

from surveys.models import Cycle, CycleTeam


def unit_counting_team(cycle: Cycle, team_id: int) -> int | None:
    """The id of the reporting unit `team_id`'s answers count in for `cycle`, or None when the
    team was not in the cycle's snapshot."""
    found = (
        CycleTeam.objects.filter(cycle=cycle, team_id=team_id)
        .values_list("pk", "reporting_unit_id")
        .first()
    )
    if found is None:
        return None
    unit_id, reporting_unit_id = found
    return reporting_unit_id or unit_id


def team_of_unit(unit_id: int) -> int | None:
    """The team a unit id of an old link stands for; None when its team no longer exists."""
    return CycleTeam.objects.filter(pk=unit_id).values_list("team_id", flat=True).first()


def unit_query(unit: CycleTeam) -> str:
    """The query-string part that addresses `unit`: by its team, or by itself when the team
    is gone (deleted since the cycle ran)."""
    return f"team={unit.team_id}" if unit.team_id is not None else f"unit={unit.pk}"
