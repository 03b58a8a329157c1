"""Readers who were not counted: a login made HR after a survey closed, and an HR login that was
made before the org chart named its person. Both know their own answers; neither may read a
figure that was chosen without counting them."""

from django.contrib.auth.models import User
from django.test import Client

from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.models import CycleTeam
from surveys.selectors import viewers_per_unit
from teams.roles import ensure_hr_group
from tests.anonymity.conftest import form_answers
from tests.support.hr_logins import outside_hr_login


def answer_and_release(client: Client, survey, people) -> None:
    for person in people:
        client.post(f"/a/{survey.token(person.email)}/", form_answers(survey, [4, 5, 6, 2]))
    close_cycle(cycle_id=survey.cycle.pk)
    assert run_pulse_tick().released == [survey.cycle.pk]


def test_a_login_made_hr_after_a_survey_closed_cannot_read_that_survey(
    client, survey, company, db
) -> None:
    """Platform's figure was released with 6 respondents and no reader among them. Two of the
    six, made HR afterwards, would subtract their own answers and read the other four's."""
    engineers = company["platform"][:6]
    answer_and_release(client, survey, engineers)
    for engineer in engineers[:2]:
        login = User.objects.create_user(engineer.email, engineer.email, "pw")
        login.groups.add(ensure_hr_group())
        engineer.user = login
        engineer.save(update_fields=["user"])
        reader = Client()
        reader.force_login(login)
        assert reader.get(f"/api/v1/results/?cycle={survey.cycle.pk}").status_code == 404
        assert "Monthly pulse" not in reader.get("/hr/heatmap/").content.decode()
        platform = CycleTeam.objects.get(cycle=survey.cycle, name="Platform")
        assert reader.get(f"/api/v1/results/{platform.pk}/trend").status_code == 404


def test_an_hr_login_made_before_the_org_chart_named_its_person_counts_as_a_reader(
    client, survey, company, db
) -> None:
    """make_hr before import_org leaves the login unlinked; it is still that person's."""
    hr_engineer = company["platform"][0]
    # As make_hr makes it: the username is the address, here in another case.
    login = User.objects.create_user(hr_engineer.email.upper(), hr_engineer.email.upper(), "pw")
    login.groups.add(ensure_hr_group())
    assert hr_engineer.user is None
    answer_and_release(client, survey, company["platform"][:6])
    platform = CycleTeam.objects.get(cycle=survey.cycle, name="Platform")
    assert viewers_per_unit(survey.cycle.pk).get(platform.pk) == 1
    # Counted, so Platform's own cell has 6 - 1 = 5 non-readers and is still released; and
    # this login, HR when the survey closed, reads it.
    reader = Client()
    reader.force_login(login)
    rows = reader.get(f"/api/v1/results/?cycle={survey.cycle.pk}").json()
    released = {row["name"]: row for row in rows}
    assert released["Platform"]["status"] == "released"
    assert released["Platform"]["respondents"] == 6


def test_a_later_surveys_trend_shows_a_late_hr_login_no_earlier_figure(
    client, survey, company, db
) -> None:
    """Made HR while the second survey ran, a login reads that survey; the trend beside it must
    not carry the first survey's figures, which were chosen without counting it."""
    from django.core import mail
    from django.utils import timezone

    from surveys.launch import launch_now
    from surveys.models import Cadence
    from surveys.scheduler import run_tick
    from tests.anonymity.conftest import Survey, emailed_links

    answer_and_release(client, survey, company["platform"][:10])
    login = outside_hr_login("late-hr", "late-hr@example.com")
    mail.outbox.clear()
    cycle = launch_now(
        cadence=Cadence.objects.create(name="Next", kind="monthly"), now=timezone.now()
    )
    run_tick()
    answer_and_release(client, Survey(cycle=cycle, links=emailed_links()), company["platform"][:10])
    reader = Client()
    reader.force_login(login)
    platform = CycleTeam.objects.get(cycle=cycle, name="Platform")
    points = reader.get(f"/api/v1/results/{platform.pk}/trend").json()["points"]
    assert len(points) == 1, "only the survey this login reads"
    page = reader.get(f"/dashboard/?cycle={cycle.pk}&unit={platform.pk}").content.decode()
    assert "within the noise" not in page and "likely a real change" not in page
