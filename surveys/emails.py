"""The invitation and reminder emails: HTML and plain text, warm and short, no tracking."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from surveys.follow_through import SharedFocus
from surveys.instrument import FOLLOW_THROUGH_KEY, how_long, minutes_for
from surveys.models import Cycle

TEXT_TEMPLATE = "surveys/email/survey.txt"
HTML_TEMPLATE = "surveys/email/survey.html"


@dataclass(frozen=True)
class SurveyFacts:
    """What every email of one cycle says; computed once per batch."""

    # The domain items and eNPS; the follow-through item is counted only where it is asked.
    question_count: int
    closes_at: datetime
    time_zone: str
    k: int
    cycle_public_id: str

    @classmethod
    def of(cls, cycle: Cycle) -> "SurveyFacts":
        return cls(
            question_count=cycle.items.exclude(key=FOLLOW_THROUGH_KEY).count() + 1,
            closes_at=cycle.closes_at,
            time_zone=cycle.cadence.time_zone,
            k=cycle.k,
            cycle_public_id=cycle.public_id,
        )

    @property
    def closes_on(self) -> str:
        local = self.closes_at.astimezone(ZoneInfo(self.time_zone))
        return local.strftime("%A %-d %B at %H:%M ") + (local.tzname() or self.time_zone)


def answer_url(token: str, cycle_public_id: str) -> str:
    """The link carries the cycle's public id beside the token, so a click after close can be
    told that the survey closed (surveys.redemption); the id is the same for everyone invited."""
    path = reverse("answer-in-cycle", kwargs={"cycle": cycle_public_id, "token": token})
    return settings.PULSE_BASE_URL + path


def first_name_of(name: str) -> str:
    return name.split()[0] if name.strip() else "there"


def email_context(
    *,
    first_name: str,
    link: str,
    facts: SurveyFacts,
    is_reminder: bool,
    focus: SharedFocus | None = None,
) -> dict[str, object]:
    # Items plus the eNPS question; the comment is optional and not counted.
    question_count = facts.question_count + (1 if focus else 0)
    return {
        "first_name": first_name,
        "link": link,
        "facts": facts,
        "is_reminder": is_reminder,
        "question_count": question_count,
        "minutes": minutes_for(question_count),
        # The invitation tells the team what its manager committed to; reminders stay short.
        "focus": None if is_reminder else focus,
    }


def subject_of(facts: SurveyFacts, *, is_reminder: bool, asks_follow_through: bool) -> str:
    if is_reminder:
        return f"Reminder: the team pulse closes {facts.closes_on}"
    # The same count as the email's body: the follow-through item is asked where a focus was shared.
    question_count = facts.question_count + (1 if asks_follow_through else 0)
    return f"Your team pulse: {how_long(question_count)}, anonymous"


def build_email(
    *,
    to: str,
    name: str,
    token: str,
    facts: SurveyFacts,
    is_reminder: bool,
    focus: SharedFocus | None = None,
) -> EmailMultiAlternatives:
    """One email, rendered from the templates for this person: plain text and HTML, no
    tracking pixel, no tracked link. `focus`: what the person's reporting unit was shown."""
    context = email_context(
        first_name=first_name_of(name),
        link=answer_url(token, facts.cycle_public_id),
        facts=facts,
        is_reminder=is_reminder,
        focus=focus,
    )
    message = EmailMultiAlternatives(
        subject=subject_of(facts, is_reminder=is_reminder, asks_follow_through=focus is not None),
        body=render_to_string(TEXT_TEMPLATE, context),
        to=[to],
    )
    message.attach_alternative(render_to_string(HTML_TEMPLATE, context), "text/html")
    return message
