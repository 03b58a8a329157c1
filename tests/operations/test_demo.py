"""On first run the dashboards have something to show: two released past cycles."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from pulse.models import Comment, ReleasedComment, ReleasedUnit
from surveys.models import Cycle, Invitation

pytestmark = pytest.mark.django_db


def test_seed_demo_releases_two_past_cycles_with_differences_between_teams() -> None:
    call_command("seed_demo", stdout=StringIO())
    cycles = list(Cycle.objects.filter(release__isnull=False).order_by("closes_at"))
    assert len(cycles) == 2
    latest = ReleasedUnit.objects.filter(cycle=cycles[1], status="released")
    indexes = [unit.figures["index"] for unit in latest if unit.figures.get("index") is not None]
    assert len(latest) >= 5
    assert max(indexes) - min(indexes) > 10, "teams differ visibly"
    assert any(unit.trend_from.exists() for unit in latest)
    # Answers went through the door: nobody can tell who answered, comments are stored apart.
    assert set(Invitation.objects.filter(cycle__in=cycles).values_list("answered", flat=True)) == {
        None
    }
    # Released comments are kept with the results; the answers themselves are not.
    assert ReleasedComment.objects.exists() and not Comment.objects.exists()
    call_command("seed_demo", stdout=StringIO())
    assert Cycle.objects.filter(release__isnull=False).count() == 2


def test_the_demos_past_cycles_say_every_invitation_was_sent_on_hr_s_cycles_page() -> None:
    call_command("seed_demo", stdout=StringIO())
    nadia = User.objects.get(person__name="Nadia Petrova")
    client = Client()
    client.force_login(nadia)

    rows = client.get("/hr/cycles/").context["rows"]
    past = [row.delivery for row in rows if row.cycle.state == "closed"]

    assert len(past) == 2
    assert all(delivery.sent == delivery.invited > 0 for delivery in past)
