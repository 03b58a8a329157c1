"""The combined insider: every nightly dump of a real-looking week, then the dump after close.

Ada runs a company of 36: three staff; Grace's Platform (14 engineers), Linus's Data (12
analysts) and Margaret's Design (3 designers, fewer than k = 5, so stored with the Company).
A monthly pulse and the quarterly survey are open at once. Over six days 32 answers arrive by
the form and the JSON API, a tick runs every couple of answers (reminders go out on days 3 and
5), and the insider dumps every table after every tick. Both surveys then close.

The attacker links with every signal a dump offers (see insider_linkage). For every person who
answered, the rows holding their answers and their comment must leave at least k candidates.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from surveys.launch import launch_now
from surveys.models import Cadence, Cycle
from teams.models import Person
from teams.team_tree import sync_teams
from tests.anonymity.conftest import person
from tests.anonymity.insider import (
    COMMENTS,
    RESPONSES,
    TOKEN_IN_LINK,
    Answer,
    author_of,
    question_keys,
    take_dump,
    tick,
)
from tests.anonymity.insider_linkage import link

K = 5


@dataclass
class Org:
    platform: list[Person]
    data: list[Person]
    company: list[Person]  # everyone stored in the Company unit: Ada, staff, leads, designers


def build_org() -> Org:
    ada = person("ada", "Ada Lovelace")
    staff = [person(f"staff{i}", f"Staff {i}", ada) for i in range(3)]
    grace = person("grace", "Grace Hopper", ada)
    linus = person("linus", "Linus Torvalds", ada)
    margaret = person("margaret", "Margaret Hamilton", ada)
    platform = [person(f"eng{i}", f"Engineer {i}", grace) for i in range(14)]
    data = [person(f"ana{i}", f"Analyst {i}", linus) for i in range(12)]
    design = [person(f"des{i}", f"Designer {i}", margaret) for i in range(3)]
    sync_teams(
        team_names={"ada": "Company", "grace": "Platform", "linus": "Data", "margaret": "Design"}
    )
    return Org(platform, data, [ada, *staff, grace, linus, margaret, *design])


def who_answers(org: Org) -> dict[str, list[Person]]:
    """Monthly: 9 engineers, 6 analysts, 5 of the Company unit (a designer among them).
    Quarterly: 6 engineers, 4 analysts (fewer than k: stored at the Company), 2 of the Company."""
    return {
        "monthly": [
            *org.platform[:9],
            *org.data[:6],
            *org.company[:3],
            org.company[6],
            org.company[7],
        ],
        "quarterly": [*org.platform[5:11], *org.data[6:10], org.company[1], org.company[8]],
    }


def interleave(by_cycle: dict[str, list[Person]]) -> list[tuple[str, int, Person]]:
    """(cycle, index within the cycle, person), the two surveys' answers interleaved."""
    order = []
    queues = {name: list(enumerate(people)) for name, people in by_cycle.items()}
    while any(queues.values()):
        for name, queue in queues.items():
            if queue:
                index, who = queue.pop(0)
                order.append((name, index, who))
    return order


@pytest.mark.django_db(transaction=True)
def test_a_week_of_nightly_dumps_and_the_dump_after_close_leave_everyone_among_k(
    item_catalogue,
) -> None:
    CLASSIFIED.clear()
    org = build_org()
    start = timezone.now()
    with time_machine.travel(start, tick=True) as clock:
        cycles = {
            name: launch_now(
                cadence=Cadence.objects.create(name=f"{name.title()} survey", kind=name),
                now=timezone.now(),
            )
            for name in ("monthly", "quarterly")
        }
        tick()  # the invitations go out
        links: dict[str, dict[str, str]] = {name: {} for name in cycles}
        refresh_links(links, cycles)
        keys = {name: question_keys(links[name][org.platform[-1].email]) for name in cycles}
        dumps = [take_dump()]
        answers = interleave(who_answers(org))
        per_day = -(-len(answers) // 6)
        for day in range(6):
            for position, (name, index, who) in enumerate(
                answers[day * per_day : (day + 1) * per_day]
            ):
                Answer(
                    who.email,
                    index,
                    by_json=(index + day) % 3 == 0,
                    comment=f"{name} {index}: " + "so " * (index % 4) if index % 2 else "",
                    enps=(index * 3) % 11,
                ).send(links[name])
                if position % 2 == 1:
                    tick()
                    dumps.append(take_dump())
            tick()
            dumps.append(take_dump())
            clock.shift(timedelta(days=1))
            tick()  # the morning's tick: reminders when due
            refresh_links(links, cycles)
            dumps.append(take_dump())
        clock.shift(timedelta(days=2))
        # Both windows have ended. The answers are stored at close and deleted once released,
        # so the insider's best dump is the one taken between the two.
        for cycle in cycles.values():
            close_cycle_by_command(cycle.pk)
        dumps.append(take_dump())
        tick()  # release
        dumps.append(take_dump())

    final = max(dumps, key=lambda dump: len(dump.rows(RESPONSES)))
    assert not dumps[-1].rows(RESPONSES), "released answers are not kept"
    assert all(state == "closed" for state in Cycle.objects.values_list("state", flat=True)), (
        "both surveys closed"
    )
    linkage = link(dumps)
    answered = who_answers(org)
    narrowed = []
    seen = 0
    for name, cycle in cycles.items():
        for response in [r for r in final.rows(RESPONSES) if r["cycle_id"] == cycle.pk]:
            author = answered[name][author_of(response, keys[name])]
            candidates = linkage.people(RESPONSES, response["id"])
            assert author.pk in candidates, "the attacker's reasoning lost the true author"
            seen += 1
            if len(candidates) < K:
                narrowed.append(f"{author.name}'s {name} answers: {len(candidates)} candidates")
        for comment in [c for c in final.rows(COMMENTS) if c["cycle_id"] == cycle.pk]:
            index = int(str(comment["text"]).split(":")[0].split()[1])
            author = answered[name][index]
            candidates = linkage.people(COMMENTS, comment["id"])
            assert author.pk in candidates, "the attacker's reasoning lost the true author"
            if len(candidates) < K:
                narrowed.append(f"{author.name}'s {name} comment: {len(candidates)} candidates")
    assert seen == sum(len(people) for people in answered.values()), "every answer was stored"
    assert not narrowed, f"{len(narrowed)} rows narrowed below k = {K}:\n" + "\n".join(narrowed)


CLASSIFIED: dict[str, int] = {}


def close_cycle_by_command(cycle_id: int) -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("close_cycle", cycle_id, stdout=StringIO())


def refresh_links(links: dict[str, dict[str, str]], cycles: dict[str, Cycle]) -> None:
    """The mail log: the latest link each person got for each survey (reminders bring new
    ones). A link's survey is told by the questions its page asks."""
    from django.core import mail

    question_counts = {cycle.items.count(): name for name, cycle in cycles.items()}
    for message in mail.outbox:
        found = TOKEN_IN_LINK.search(str(message.body))
        if not found:
            continue
        token = found.group(1)
        if token not in CLASSIFIED:
            response = Client().get(f"/api/v1/pulse/{token}")
            CLASSIFIED[token] = (
                len(response.json()["questions"]) if response.status_code == 200 else -1
            )
        if CLASSIFIED[token] in question_counts:
            links[question_counts[CLASSIFIED[token]]][message.to[0]] = token
