"""Importing customer metric values with `import_cx`: the org import's guarantees (all or
nothing, every problem by line and column, idempotent, a dry run)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from customers.models import MetricValue

pytestmark = pytest.mark.django_db

# Teams by their leader's employee_id (Sam, S2, leads Support) or by name.
GOOD = """team,period,metric,value,volume
S2,2026-11,csat,84.5,120
Support North,2026-11,csat,91,300
Sales,2026-11,tickets,7,
S4,2026-12,csat,70,
"""


def import_cx(tmp_path: Path, text: str, *flags: str) -> tuple[str, str]:
    path = tmp_path / "cx.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_cx", str(path), *flags, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "cx.csv"
    path.write_text(text, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_cx", str(path), stdout=StringIO(), stderr=err)
    return [line.removeprefix(f"{path}: ") for line in err.getvalue().splitlines()]


def stored() -> set[tuple[str, str, str, float, float | None]]:
    return set(
        MetricValue.objects.values_list("team__name", "period", "metric__key", "value", "volume")
    )


def test_a_good_file_stores_a_value_per_team_metric_and_month(tmp_path, org, csat, tickets) -> None:
    out, _ = import_cx(tmp_path, GOOD)
    assert "Imported: 4 values created, 0 updated, 0 unchanged." in out
    assert stored() == {
        ("Support", "2026-11", "csat", 84.5, 120),
        ("Support North", "2026-11", "csat", 91, 300),
        ("Sales", "2026-11", "tickets", 7, None),
        ("Support South", "2026-12", "csat", 70, None),
    }


def test_a_bad_file_is_rejected_whole_with_every_problem_by_line_and_column(
    tmp_path, org, csat, tickets
) -> None:
    bad = GOOD + (
        "Marketing,2026-11,csat,80,\n"
        "S2,2026-13,csat,101,-5\n"
        "N3,2026-11,nps,nan,\n"
        'N3,2026-11,csat,"85,5",\n'
        "Sales,2026-11,tickets,8,\n"
        "S5,2026-11\n"
    )
    problems = refused(tmp_path, bad)
    assert problems == [
        'line 6, column team: "Marketing" is not a team in the org chart (neither a team\'s '
        "name nor the employee_id of a team's leader)",
        'line 7, column period: "2026-13" is not a month; write YYYY-MM',
        "line 7, column value: 101 is not a percentage between 0 and 100 (csat is in percent)",
        "line 7, column volume: -5 is negative; a volume is a count of at least 0",
        'line 8, column metric: "nps" is not a metric\'s key (the keys: csat, tickets)',
        'line 8, column value: "nan" is not a finite number',
        'line 9, column value: "85,5" is not a number; write the decimal point as a dot',
        "line 10: the same team, metric and month as line 4; a team has one value per metric "
        "and month",
        "line 11: has 2 fields, but the header has 5 (team, period, metric, value, volume)",
    ]
    # All or nothing: the good lines were not stored either.
    assert not MetricValue.objects.exists()


def test_importing_the_same_file_again_changes_nothing_and_a_change_updates_in_place(
    tmp_path, org, csat, tickets
) -> None:
    import_cx(tmp_path, GOOD)
    ids = set(MetricValue.objects.values_list("id", flat=True))
    out, _ = import_cx(tmp_path, GOOD)
    assert "Imported: 0 values created, 0 updated, 4 unchanged." in out
    out, _ = import_cx(tmp_path, GOOD.replace("S2,2026-11,csat,84.5,120", "S2,2026-11,csat,86,130"))
    assert "Imported: 0 values created, 1 updated, 3 unchanged." in out
    assert set(MetricValue.objects.values_list("id", flat=True)) == ids
    assert ("Support", "2026-11", "csat", 86, 130) in stored()


def test_a_dry_run_says_what_would_change_and_changes_nothing(tmp_path, org, csat, tickets) -> None:
    import_cx(tmp_path, GOOD)
    before = stored()
    changed = GOOD.replace("Sales,2026-11,tickets,7,", "Sales,2026-11,tickets,9,") + (
        "Legal,2026-11,csat,99,1\n"
    )
    out, _ = import_cx(tmp_path, changed, "--dry-run")
    assert "Would import: 1 values created, 1 updated, 3 unchanged." in out
    assert stored() == before


def test_a_team_name_two_teams_share_is_refused_in_favour_of_the_leaders_id(
    tmp_path, org, csat
) -> None:
    legal = org.team("Legal")
    legal.name = "Sales"
    legal.save()
    problems = refused(tmp_path, "team,period,metric,value\nSales,2026-11,csat,80\n")
    assert problems == [
        'line 2, column team: 2 teams are named "Sales"; name the team by the employee_id of '
        "the person who leads it"
    ]
    import_cx(tmp_path, "team,period,metric,value\nL6,2026-11,csat,80\n")
    assert MetricValue.objects.get().team == legal


def test_a_wrong_header_names_the_missing_and_unknown_columns(tmp_path, org, csat) -> None:
    assert refused(tmp_path, "team,month,metric,value\nS2,2026-11,csat,80\n") == [
        "line 1, column month: unknown column; expected team,period,metric,value[,volume]",
        "line 1, column period: required column is missing; expected "
        "team,period,metric,value[,volume]",
    ]
