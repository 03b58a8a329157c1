"""Can a respondent make storing fail, so that a log line or HR's stuck note points at them?

A contained failure is logged with its step, the survey and the unit, and HR's cycles page says
which step is stuck and since when (common.failures, Cycle.stuck_reason). Storing runs at the
first pass after an answer arrives, so if some answer could make it fail, the note's time and
the log line's unit would date that answer to the minute and, with the access log or a backup
taken while the survey is open, name whoever answered just before; the error's type and line
would say what kind of text the answer held. The attack sends every awkward answer the two
doors let through, by script, and watches the logs and the stuck note while the answers wait,
are stored while the survey is open, are stored at close, and are released.
"""

import json

import pytest
from django.test import Client

from pulse.models import ReleasedComment
from pulse.scheduler import run_pulse_tick
from surveys.closing import close_cycle
from surveys.models import Cycle
from tests.anonymity.conftest import Survey
from tests.anonymity.insider import everything_logged_at_debug

pytestmark = pytest.mark.django_db

# Raw JSON bodies, as a script can send them: escapes a Python dict could not even hold.
AWKWARD_COMMENTS = [
    '"' + "\\ud835\\udd4f" * 2000 + '"',  # the longest comment, of 4-byte characters
    '"' + "\\\\" * 1999 + '"',  # backslashes: two bytes each, escaped again when sealed
    '"' + '\\"' * 1999 + '"',  # quotes, likewise
    '"\\u0085\\u001b[31m red \\u0007 \\u007f"',  # control characters, dropped
    '"\\ufeff\\u200b\\u202e reversed \\u2028\\u2029 \\uffff \\ufffe \\ufffd"',
    '"' + "\\t" * 1999 + 'x"',  # tabs are kept
    '"\\n\\n\\n  surrounded  \\n\\n"',
    "12345",  # a number where text was expected
    "true",
    '"\\u0000"',  # refused: a NUL character
    '"\\udfff alone"',  # refused: a lone surrogate
    '"' + "x" * 2001 + '"',  # refused: too long
]
AWKWARD_ANSWERS = ['"7"', "7.0", "1e0", "true", "[1]", '{"a": 1}', "10000000000000000000000"]
AWKWARD_ENPS = ['"10"', "10.0", "0", "null", '""', "-0"]


def body(answers: dict[str, str], enps: str, comment: str) -> str:
    pairs = ", ".join(f"{json.dumps(key)}: {value}" for key, value in answers.items())
    return f'{{"answers": {{{pairs}}}, "enps": {enps}, "comment": {comment}}}'


def stuck(survey: Survey) -> tuple[str, object]:
    cycle = Cycle.objects.get(pk=survey.cycle.pk)
    return cycle.stuck_reason, cycle.stuck_since


def test_no_answer_a_script_can_send_makes_storing_or_releasing_fail(survey, company) -> None:
    client = Client()
    people = company["platform"] + company["data"]
    keys = [
        q["key"]
        for q in client.get(f"/api/v1/pulse/{survey.token(people[0].email)}").json()["questions"]
    ]
    sent = [body({keys[0]: "5"}, "7", comment) for comment in AWKWARD_COMMENTS] + [
        body({keys[0]: answer, keys[1]: "3"}, enps, '"ok"')
        for answer in AWKWARD_ANSWERS
        for enps in AWKWARD_ENPS
    ]
    accepted = 0
    with everything_logged_at_debug() as logs:
        tokens = iter(survey.tokens_of(people))
        token = next(tokens)
        for raw in sent:
            response = client.post(f"/api/v1/pulse/{token}", raw, content_type="application/json")
            assert response.status_code in (201, 400), (raw[:80], response.content)
            if response.status_code == 201:
                accepted += 1
                token = next(tokens)
        # Every unit's waiting answers opened and sealed again; Platform's and Data's stored.
        run_pulse_tick()
        assert stuck(survey) == ("", None)
        close_cycle(cycle_id=survey.cycle.pk)
        assert survey.cycle.pk in run_pulse_tick().released
        assert stuck(survey) == ("", None)

    assert accepted >= 20, "the doors let most of these through"
    errors = [record.getMessage() for record in logs.keeper.records if record.levelname == "ERROR"]
    assert errors == []
    assert "tried again at the next pass" not in logs.written.getvalue()
    comments = ReleasedComment.objects.filter(released_unit__cycle=survey.cycle)
    assert comments.exists(), "the comments were released with the rest"
