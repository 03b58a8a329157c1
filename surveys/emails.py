"""The invitation and reminder emails: HTML and plain text, warm and short, no tracking."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


@dataclass(frozen=True)
class SurveyFacts:
    """What every email of one cycle says; computed once per batch."""

    question_count: int
    closes_at: datetime
    time_zone: str
    k: int

    @property
    def closes_on(self) -> str:
        local = self.closes_at.astimezone(ZoneInfo(self.time_zone))
        return local.strftime("%A %-d %B at %H:%M ") + local.tzname()


def answer_url(token: str) -> str:
    return settings.PULSE_BASE_URL + reverse("answer", kwargs={"token": token})


def build_email(
    *, to: str, name: str, token: str, facts: SurveyFacts, is_reminder: bool
) -> EmailMultiAlternatives:
    context = {
        "first_name": name.split()[0] if name.strip() else "there",
        "link": answer_url(token),
        "facts": facts,
        "is_reminder": is_reminder,
        # Items plus the eNPS question; the comment is optional and not counted.
        "minutes": 1 if facts.question_count <= 8 else 3,
    }
    subject = (
        f"Reminder: the team pulse closes {facts.closes_on}"
        if is_reminder
        else "Your team pulse: a minute, and anonymous"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("surveys/email/survey.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string("surveys/email/survey.html", context), "text/html")
    return message
