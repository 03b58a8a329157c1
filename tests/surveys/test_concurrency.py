"""Two scheduler passes at the same moment (two beats, or beat plus a manual tick) create one
cycle, one invitation per person, and one email per person."""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from surveys.models import Cycle, Invitation
from surveys.scheduler import run_tick
from tests.surveys.conftest import NOV_1_2026_0900_LONDON


def run_concurrently(function, copies: int) -> list[BaseException]:
    barrier = threading.Barrier(copies)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            function()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_make_one_cycle_one_invitation_and_one_email_each(
    item_catalogue, org, monthly
) -> None:
    errors = run_concurrently(lambda: run_tick(now=NOV_1_2026_0900_LONDON), copies=2)
    assert errors == []
    assert Cycle.objects.count() == 1
    invited = Counter(Invitation.objects.values_list("person_id", flat=True))
    assert invited == Counter({person.pk: 1 for person in org.everyone})
    emailed = Counter(message.to[0] for message in mail.outbox)
    assert emailed == Counter({person.email: 1 for person in org.everyone})
