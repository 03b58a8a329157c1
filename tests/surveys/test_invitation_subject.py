"""The survey invitation's subject says how long this survey takes, so a quarterly one with
thirteen questions does not promise "a minute"."""

from datetime import UTC, datetime

from surveys.emails import SurveyFacts, subject_of

CLOSES = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)


def facts(question_count: int) -> SurveyFacts:
    return SurveyFacts(
        question_count=question_count, closes_at=CLOSES, time_zone="UTC", k=5, cycle_public_id="x"
    )


def test_a_quarterly_survey_says_thirteen_questions_about_three_minutes() -> None:
    subject = subject_of(facts(13), is_reminder=False, asks_follow_through=False)
    assert subject == "Your team pulse: 13 questions, about 3 minutes, anonymous"


def test_a_monthly_pulse_says_five_questions_about_a_minute() -> None:
    subject = subject_of(facts(5), is_reminder=False, asks_follow_through=False)
    assert subject == "Your team pulse: 5 questions, about a minute, anonymous"


def test_the_follow_through_question_is_counted_where_it_is_asked() -> None:
    subject = subject_of(facts(5), is_reminder=False, asks_follow_through=True)
    assert subject == "Your team pulse: 6 questions, about a minute, anonymous"


def test_a_reminder_says_when_the_survey_closes() -> None:
    subject = subject_of(facts(13), is_reminder=True, asks_follow_through=False)
    assert subject == "Reminder: the team pulse closes Tuesday 8 December at 17:00 UTC"
