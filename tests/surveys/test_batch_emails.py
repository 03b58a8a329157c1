"""A batch renders each email variant once; every email must still read exactly as if it had
been rendered and serialised on its own, for whatever name and address it goes to."""

from datetime import UTC, datetime
from email import message_from_bytes

import pytest
from django.test import override_settings

from surveys.email_batch import BatchEmails
from surveys.emails import SurveyFacts, build_email
from surveys.tokens import new_token

FACTS = SurveyFacts(
    question_count=5,
    closes_at=datetime(2026, 11, 8, 9, tzinfo=UTC),
    time_zone="Europe/London",
    k=5,
)


@pytest.fixture(autouse=True)
def host_name(monkeypatch) -> None:
    """The Message-IDs' host: fixed, since the machine's own name may be of any length."""
    monkeypatch.setattr("surveys.email_batch.DNS_NAME", "mail.example.com")


NAMES = ["Ada Lovelace", "O'Neil&<Co> Smith", "Zoë Ørsted", "", "   ", "Grace"]


@pytest.mark.parametrize("is_reminder", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_every_email_of_a_batch_reads_as_if_rendered_on_its_own(name, is_reminder) -> None:
    batch = BatchEmails(FACTS)
    batch.prepare(to="first@example.com", name="Ada Lovelace", token=new_token(), is_reminder=True)
    token = new_token()

    prepared = batch.prepare(to="zoe@example.com", name=name, token=token, is_reminder=is_reminder)
    alone = build_email(
        to="zoe@example.com", name=name, token=token, facts=FACTS, is_reminder=is_reminder
    )

    message = prepared.message()
    assert (message.subject, message.body, message.to) == (alone.subject, alone.body, alone.to)
    assert message.alternatives == alone.alternatives


def test_names_are_escaped_in_the_html_and_left_alone_in_the_text() -> None:
    prepared = BatchEmails(FACTS).prepare(
        to="o.neil@example.com", name="O'Neil&<Co> Smith", token=new_token(), is_reminder=False
    )
    message = prepared.message()
    assert "Hi O'Neil&<Co>," in message.body
    assert "Hi O&#x27;Neil&amp;&lt;Co&gt;," in message.alternatives[0][0]
    assert b"Hi O&#x27;Neil&amp;&lt;Co&gt;," in prepared.wire
    assert b"Hi O'Neil&<Co>," in prepared.wire


def test_the_wire_bytes_are_what_djangos_smtp_backend_would_send() -> None:
    batch = BatchEmails(FACTS)
    for number, name in enumerate(["Ada Lovelace", "O'Neil&<Co> Smith", "Grace"]):
        to = f"person.{number}+pulse@example.com"
        prepared = batch.prepare(to=to, name=name, token=new_token(), is_reminder=number == 1)
        message_id = message_from_bytes(prepared.wire)["Message-ID"]
        message = prepared.message()
        full = batch.serialise(
            to, message.subject, message.body, message.alternatives[0][0], message_id
        )
        assert prepared.wire == full


@pytest.mark.parametrize(
    ("to", "name"),
    [
        ("zoe@example.com", "Zoë Ørsted"),  # an 8-bit body
        ("zoë@example.com", "Zoe"),  # an encoded address
        ('"zoe smith"@example.com', "Zoe"),  # an address Django rewrites
        ("zoe@example.com", "Zoe" * 400),  # a body line that would need quoted-printable
    ],
)
def test_anything_that_could_change_the_message_takes_the_full_path(to, name) -> None:
    prepared = BatchEmails(FACTS).prepare(to=to, name=name, token=new_token(), is_reminder=False)
    assert prepared.wire is None
    assert prepared.message().body.startswith(f"Hi {name.split()[0]},")


def test_with_a_long_host_name_every_email_is_serialised_in_full(monkeypatch) -> None:
    monkeypatch.setattr("surveys.email_batch.DNS_NAME", "host." * 12 + "example.com")
    prepared = BatchEmails(FACTS).prepare(
        to="ada@example.com", name="Ada Lovelace", token=new_token(), is_reminder=False
    )
    assert prepared.wire is None
    assert prepared.message().body.startswith("Hi Ada,")


FILTERING_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "surveys/email/survey.txt": "Hi {{ first_name|upper }}: {{ link }}",
                        "surveys/email/survey.html": "<p>Hi {{ first_name }}: {{ link }}</p>",
                    },
                )
            ]
        },
    }
]


@override_settings(TEMPLATES=FILTERING_TEMPLATES)
def test_a_template_that_filters_the_name_makes_the_batch_render_every_email_in_full() -> None:
    batch = BatchEmails(FACTS)
    for name in ["Ada Lovelace", "Grace Hopper"]:
        prepared = batch.prepare(to="a@example.com", name=name, token="tok", is_reminder=False)
        assert prepared.wire is None
        assert prepared.message().body.startswith(f"Hi {name.split()[0].upper()}: ")
