"""The loop's emails to managers on the demo company: "your results are ready" once per
release to the managers who have released results, and one reminder to choose a focus."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.utils import timezone

from pulse.loop_emails import announce_results, remind_about_focus
from pulse.scheduler import run_pulse_tick
from surveys.models import Cycle, CycleTeam, Focus
from teams.models import Person, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def released() -> Cycle:
    """The demo's latest release, with the emails its release sent kept in the outbox."""
    call_command("seed_demo", stdout=StringIO())
    cycle = Cycle.objects.filter(release__isnull=False).order_by("-closes_at").first()
    assert cycle is not None
    return cycle


def recipients(subject_part: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if subject_part in m.subject)


def test_results_ready_goes_once_to_every_manager_with_released_results_and_no_one_else(
    released,
) -> None:
    ready = recipients(f"results are ready: Monthly pulse {released.period}")
    assert ready == sorted(
        [
            "amara.okafor@example.com",  # Company
            "fatima.zahra@example.com",  # Customer Success
            "rebecca.stone@example.com",  # Customer Support
            "daniel.novak@example.com",  # Engineering
            "lucia.fernandez@example.com",  # Mobile
            "olumide.adeyemi@example.com",  # Partner Sales
            "kenji.tanaka@example.com",  # Platform
            "marcus.bell@example.com",  # Sales
            "daniela.ruiz@example.com",  # Sales Americas
            "kenta.watanabe@example.com",  # Sales Asia-Pacific
            "patrick.murphy@example.com",  # Sales Europe
            "amina.diallo@example.com",  # Support Africa & Middle East
            "marcus.johnson@example.com",  # Support Americas East
            "camila.torres@example.com",  # Support Americas West
            "ravi.kumar@example.com",  # Support Asia-Pacific
            "stefan.brandt@example.com",  # Support Escalations
            "jan.de.vries@example.com",  # Support Europe North
            "giulia.conti@example.com",  # Support Europe South
            # Field Sales is counted in Company, but the sales teams under it are released.
            "victoria.hughes@example.com",
        ]
    ), "Marketing and Product (suppressed) and Data (counted in Engineering) have nothing to read"
    message = next(
        m
        for m in mail.outbox
        if m.to == ["kenji.tanaka@example.com"]
        and f"ready: Monthly pulse {released.period}" in m.subject
    )
    assert f"/dashboard/?cycle={released.pk}" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert "Open your dashboard" in html and "<img" not in html
    # No figure in the email: neither the index nor any domain score of Kenji's release.
    platform = released.released_units.get(unit__name="Platform")
    for domain in platform.figures["domains"].values():
        assert f" {domain['score']} " not in message.body

    mail.outbox.clear()
    run_pulse_tick()
    assert announce_results() == 0 and mail.outbox == []


def test_an_email_names_three_teams_and_counts_the_rest_however_many_are_below(released) -> None:
    """The top manager's email would otherwise list every released team of the company."""
    names = sorted(
        released.released_units.filter(status="released").values_list("unit__name", flat=True)
    )
    assert len(names) > 3
    (message,) = [
        m
        for m in mail.outbox
        if m.to == ["amara.okafor@example.com"] and released.period in m.subject
    ]
    rest = len(names) - 3
    expected = f"are ready for {', '.join(names[:3])} and {rest} other teams."
    assert expected in " ".join(message.body.split())
    assert names[3] not in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert f"and {rest} other teams" in html

    (kenji,) = [
        m
        for m in mail.outbox
        if m.to == ["kenji.tanaka@example.com"] and released.period in m.subject
    ]
    assert "are ready for Platform." in " ".join(kenji.body.split()), "one team: no count"


def test_names_are_escaped_in_the_html_part_and_kept_as_they_are_in_the_text(released) -> None:
    CycleTeam.objects.filter(cycle=released, name="Platform").update(name="R&D <Ops>")
    Person.objects.filter(email="kenji.tanaka@example.com").update(name="<b>Kenji</b> Tanaka")
    Cycle.objects.filter(pk=released.pk).update(results_announced_at=None)
    mail.outbox.clear()
    announce_results()
    (kenji,) = [m for m in mail.outbox if m.to == ["kenji.tanaka@example.com"]]
    assert "Hi <b>Kenji</b>," in kenji.body and "ready for R&D <Ops>." in kenji.body
    assert isinstance(kenji, EmailMultiAlternatives)
    html = str(kenji.alternatives[0][0])
    assert "Hi &lt;b&gt;Kenji&lt;/b&gt;," in html and "ready for R&amp;D &lt;Ops&gt;." in html
    assert "<b>" not in html and "\x00" not in html + kenji.body


def test_an_earlier_release_overtaken_by_a_later_one_is_not_announced(released) -> None:
    # As when a scheduler that was down for a month releases two cycles in one pass.
    Cycle.objects.update(results_announced_at=None)
    mail.outbox.clear()
    assert announce_results() == 19
    earlier = Cycle.objects.filter(release__isnull=False).exclude(pk=released.pk).get()
    assert all(released.period in m.subject for m in mail.outbox)
    assert all(earlier.period not in m.subject for m in mail.outbox)


def test_the_focus_reminder_goes_once_a_week_after_to_managers_without_a_focus(released) -> None:
    Focus.objects.create(team=Team.objects.get(name="Platform"), cycle=released, domain="risk")
    mail.outbox.clear()
    announced = released.results_announced_at
    assert announced is not None
    assert remind_about_focus(now=announced + datetime.timedelta(days=6)) == 0

    week_later = announced + datetime.timedelta(days=7)
    # The 18 leaders of a released unit but Kenji, who chose one (Victoria leads none).
    assert remind_about_focus(now=week_later) == 17
    reminded = recipients("Choose a focus")
    assert "kenji.tanaka@example.com" not in reminded
    assert "daniel.novak@example.com" in reminded and "victoria.hughes@example.com" not in reminded
    assert "chloe.martin@example.com" not in reminded  # Design is counted in Product, hidden

    mail.outbox.clear()
    assert remind_about_focus(now=week_later + datetime.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_no_focus_reminder_when_hr_turned_it_off(released) -> None:
    released.cadence.focus_reminder_days = None
    released.cadence.save()
    mail.outbox.clear()
    assert remind_about_focus(now=timezone.now() + datetime.timedelta(days=60)) == 0
    assert mail.outbox == []


def test_hr_sets_the_delay_on_the_cadence(released) -> None:
    released.cadence.focus_reminder_days = 3
    released.cadence.save()
    mail.outbox.clear()
    announced = released.results_announced_at
    assert announced is not None
    assert remind_about_focus(now=announced + datetime.timedelta(days=3)) > 0
    assert "3 days ago" in mail.outbox[0].body
