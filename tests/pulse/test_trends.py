"""Grace follows Platform across cycles. A trend is drawn only between releases of the same
team; when its invited people, its number of respondents or who answered may have changed by
1 to k - 1 = 4, the later release shows its scores in steps wide enough to cover those few (50
points for Platform's 10 respondents: 100 x 4 / 10 = 40, rounded up), and the trend runs
through that coarse figure."""

import pytest
from django.core import mail
from django.utils import timezone

from pulse.models import ReleasedUnit
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence
from surveys.scheduler import run_tick
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.conftest import Survey, emailed_links, form_answers

pytestmark = pytest.mark.django_db


def run_cycle(
    client, name: str, people: list[Person], values: tuple[int, ...] = (5, 5, 5, 5)
) -> ReleasedUnit:
    mail.outbox.clear()
    cycle = launch_now(
        cadence=Cadence.objects.create(name=name, kind="monthly"), now=timezone.now()
    )
    run_tick()
    survey = Survey(cycle=cycle, links=emailed_links())
    for person in people:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, list(values), enps=8))
    close_cycle(cycle_id=cycle.pk)
    run_pulse_tick()
    return ReleasedUnit.objects.get(cycle=cycle, unit__name="Platform")


def test_the_same_team_links_to_its_earlier_release(client, company) -> None:
    first = run_cycle(client, "October", company["platform"][:10])
    second = run_cycle(client, "November", company["platform"][:10])
    assert list(second.trend_from.all()) == [first]


def test_one_leaver_coarsens_the_later_figures(client, company) -> None:
    first = run_cycle(client, "October", company["platform"][:10])
    assert first.figures["precision"] == 1
    Person.objects.filter(pk=company["platform"][-1].pk).update(active=False)
    sync_teams()
    after_one = run_cycle(client, "November", company["platform"][:10])
    assert list(after_one.trend_from.all()) == [first]
    assert after_one.figures["precision"] == 50
    assert all(d["score"] % 50 == 0 for d in after_one.figures["domains"].values())
    assert after_one.figures["enps"] is None or after_one.figures["enps"] % 100 == 0
    assert all(q["distribution"] is None for q in after_one.figures["questions"].values())
    Person.objects.filter(pk__in=[p.pk for p in company["platform"][-5:]]).update(active=False)
    sync_teams()
    after_five = run_cycle(client, "December", company["platform"][:10])
    # Against October five left in all, but against November only four more: coarse again.
    assert set(after_five.trend_from.all()) == {first, after_one}
    assert after_five.figures["precision"] == 50


def everyone(company) -> list[Person]:
    return [*company["leads"], *company["platform"], *company["data"], *company["design"]]


def test_five_leavers_keep_whole_points_when_everyone_else_answers_both_times(
    client, company
) -> None:
    first = run_cycle(client, "October", everyone(company))
    leavers = company["platform"][-5:]
    Person.objects.filter(pk__in=[p.pk for p in leavers]).update(active=False)
    sync_teams()
    later = run_cycle(client, "November", [p for p in everyone(company) if p not in leavers])
    assert later.figures["precision"] == 1
    assert list(later.trend_from.all()) == [first]


def test_the_same_number_answering_out_of_more_coarsens_the_later_figures(client, company) -> None:
    # Ten of the thirty answer both times, but nothing kept says they are the same ten: one of
    # them may have answered in place of another, and the two releases would give both.
    run_cycle(client, "October", company["platform"][:10])
    later = run_cycle(client, "November", company["platform"][:10])
    assert later.figures["precision"] == 50
    # Everyone answers twice, so nobody stands in for anybody between December and January;
    # but October's figures in whole points are over ten of the thirty, and who those ten were
    # is known to whoever took a backup then, not to the checks, which count people as
    # invited. Against October, Platform stays coarser.
    run_cycle(client, "December", everyone(company))
    assert run_cycle(client, "January", everyone(company)).figures["precision"] > 1


def test_two_more_respondents_from_the_same_people_coarsen_the_later_figures(
    client, company
) -> None:
    run_cycle(client, "October", company["platform"][:10])
    # The same thirty people invited; two more of them answer, 12 against 10. Assuming the
    # ten answered as before, the difference of the two averages would describe the two.
    later = run_cycle(client, "November", company["platform"][:12], values=(6, 6, 6, 3))
    assert later.figures["precision"] == 50  # 100 x 4 / 12 = 33, rounded up
    # The same twelve again: like November, but still two apart from October.
    steady = run_cycle(client, "December", company["platform"][:12])
    assert steady.figures["precision"] == 50


@pytest.mark.parametrize(
    ("respondents", "step"),
    [(5, 100), (8, 50), (10, 50), (16, 25), (20, 20), (40, 10), (79, 10), (80, 5), (799, 5)],
)
def test_a_coarse_step_covers_what_k_minus_one_people_could_move(respondents, step) -> None:
    from pulse.trends import coarse_step

    assert coarse_step(respondents=respondents, k=5) == step
    assert step >= 100 * 4 / respondents


def test_from_eight_hundred_respondents_whole_points_are_coarse_enough() -> None:
    from pulse.trends import coarse_step

    # Four people move eNPS over 800 by at most 200 x 4 / 800 = 1 point, its shown step.
    assert coarse_step(respondents=800, k=5) == 1
