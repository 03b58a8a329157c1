"""Attacks through the cycle's public id that answer links carry since a late click after close
is told that the survey closed (`/a/<cycle public id>/<token>/`).

Priya clicks her link a day after the survey closed and reads when it closed and when results
come. The insider and the guesser try to make the public id say something about a person, or
use it to get round the unknown-link throttle.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from pulse.models import PendingBallot
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, Invitation
from surveys.scheduler import run_tick
from tests.anonymity.conftest import emailed_links, form_answers

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

LINK = re.compile(r"/a/([A-Za-z0-9_\-]+)/([A-Za-z0-9_\-]+)/")
A_TOKEN_NEVER_SENT = "Zq" * 21 + "x"  # looks like one of ours: 43 URL-safe characters


def emailed_paths() -> dict[str, tuple[str, str]]:
    """Each address's latest link as (cycle public id, token)."""
    found = {}
    for message in mail.outbox:
        match = LINK.search(str(message.body))
        if match:
            found[message.to[0]] = (match.group(1), match.group(2))
    return found


def test_every_link_of_a_survey_carries_the_same_public_id_and_it_is_not_the_token(
    survey,
) -> None:
    paths = emailed_paths()
    assert len(paths) == survey.cycle.invited_count
    public_ids = {public_id for public_id, _ in paths.values()}
    assert public_ids == {survey.cycle.public_id}, "the same for everyone: it names nobody"
    tokens = {token for _, token in paths.values()}
    assert len(tokens) == len(paths)
    assert not any(
        survey.cycle.public_id in token or token in survey.cycle.public_id for token in tokens
    )
    # Another survey's id is drawn afresh, not from its position or its links.
    other = launch_now(
        cadence=Cadence.objects.create(name="Quarterly", kind="quarterly"), now=timezone.now()
    )
    assert other.public_id != survey.cycle.public_id
    assert len(other.public_id) >= 22  # 128 random bits, URL-safe


def test_a_click_after_close_says_when_the_survey_closed_and_when_results_come(
    survey, company
) -> None:
    priya = company["platform"][0].email
    public_id, token = emailed_paths()[priya]
    assert Client().get(f"/a/{public_id}/{token}/").status_code == 200
    close_cycle(cycle_id=survey.cycle.pk)
    closed_at = Cycle.objects.get(pk=survey.cycle.pk).closed_at
    late = Client().get(f"/a/{public_id}/{token}/")
    html = late.content.decode()
    assert late.status_code == 410
    assert "This survey has closed" in html
    assert f"It closed on {timezone.localtime(closed_at).strftime('%A %-d %B %Y')}" in html
    assert "shared with the team's managers as soon as they are ready" in html
    assert "not recognised" not in html
    assert late["Referrer-Policy"] == "no-referrer" and late["Cache-Control"] == "no-store"
    # Sending the form she opened before close is told the same, and stores nothing.
    sent = Client().post(f"/a/{public_id}/{token}/", form_answers(survey, [5, 5]))
    assert sent.status_code == 410 and "This survey has closed" in sent.content.decode()
    assert not PendingBallot.objects.exists()
    # The old form of the link is as it was: its digest is gone, so it is not recognised.
    assert Client().get(f"/a/{token}/").status_code == 404


def test_once_the_results_are_out_a_late_click_says_when_they_were_shared(survey, company) -> None:
    public_id, token = emailed_paths()[company["platform"][0].email]
    close_cycle(cycle_id=survey.cycle.pk)
    run_pulse_tick()  # the release, then "your results are ready" to the managers
    shared_at = Cycle.objects.get(pk=survey.cycle.pk).results_announced_at
    assert shared_at is not None
    html = Client().get(f"/a/{public_id}/{token}/").content.decode()
    assert (
        "Its results were shared with the team's managers on "
        f"{timezone.localtime(shared_at).strftime('%A %-d %B %Y')}"
    ) in html
    assert "as soon as they are ready" not in html


def test_the_closed_page_is_the_same_for_every_link_of_the_survey(survey, company) -> None:
    """The insider clicks Priya's link, Omar's (who answered) and a token never sent, all after
    close: one page for all three, so it tells nobody apart."""
    paths = emailed_paths()
    public_id, omar = paths[company["platform"][1].email]
    Client().post(f"/a/{public_id}/{omar}/", form_answers(survey, [6]))
    close_cycle(cycle_id=survey.cycle.pk)
    pages = {
        Client().get(f"/a/{public_id}/{token}/").content
        for token in (paths[company["platform"][0].email][1], omar, A_TOKEN_NEVER_SENT)
    }
    assert len(pages) == 1


def test_an_unknown_token_with_an_open_surveys_id_is_not_recognised_and_counted(
    survey, redis_client
) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        guesser.get(f"/a/{survey.cycle.public_id}/guess-{n:04d}-abcdefghijklmnopqrstu/").status_code
        for n in range(21)
    ]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429
    page = guesser.get(f"/a/{survey.cycle.public_id}/one-more-guess-abcdefghijklmnop/")
    assert page.status_code == 429


def test_a_closed_surveys_id_opens_no_link_of_an_open_survey(survey, company) -> None:
    """The guesser pairs a closed survey's public id (from an old email) with its guesses, so
    as not to be counted. A guess that is a real link of the open survey must then find nothing:
    no form, no answer taken, the invitation untouched."""
    cadence = Cadence.objects.create(name="Quarterly", kind="quarterly")
    old = survey.cycle
    close_cycle(cycle_id=old.pk)
    mail.outbox.clear()
    current = launch_now(cadence=cadence, now=timezone.now())
    run_tick()
    priya = emailed_links()[company["platform"][0].email]
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    page = guesser.get(f"/a/{old.public_id}/{priya}/")
    assert page.status_code == 410 and "<form" not in page.content.decode()
    posted = guesser.post(f"/a/{old.public_id}/{priya}/", {"enps": "0"})
    assert posted.status_code == 410
    assert not PendingBallot.objects.exists()
    assert not Invitation.objects.filter(cycle=current, answered=True).exists()
    # With its own survey's id, or none, Priya's link works as sent.
    assert Client().get(f"/a/{current.public_id}/{priya}/").status_code == 200
    assert Client().get(f"/a/{priya}/").status_code == 200


def test_a_public_id_nobody_was_sent_is_not_recognised(survey, company) -> None:
    close_cycle(cycle_id=survey.cycle.pk)
    page = Client().get(f"/a/NotAPublicIdOfAnySurvey0/{A_TOKEN_NEVER_SENT}/")
    assert page.status_code == 404 and "not recognised" in page.content.decode()
