"""Attacks by an insider holding the nightly dumps taken while a survey is open.

Grace's 30 engineers (Platform) and Linus's 30 analysts (Data) answer a little at a time; a tick
runs between the nights; the insider dumps every table after each tick, as pg_dump would, with
PostgreSQL's xmin and ctid and SQLite's rowid, and compares the nights. k is 5.
"""

import io
import itertools
import math
import re

import pytest
from django.core.management import call_command
from django.db import connection

from tests.anonymity.insider import (
    ANSWER_TABLES,
    IDENTITY_TABLES,
    INVITATIONS,
    PENDING_BALLOTS,
    RESPONSES,
    Answer,
    Dump,
    Row,
    author_of,
    close_by_command,
    needs_postgres,
    open_with_private_key,
    question_keys,
    take_dump,
    tick,
)
from tests.anonymity.insider_linkage import XMIN_NEIGHBOURHOOD, is_answered, link, narrow_by_xmin

K = 5


def answered_invitations(dump: Dump) -> dict[int, Row]:
    """Invitation id → the row, for the links used by the time of `dump`."""
    return {row["id"]: row for row in dump.rows(INVITATIONS) if is_answered(row.get("answered"))}


def unit_named(dump: Dump, name: str) -> int:
    return next(row["id"] for row in dump.rows("surveys_cycleteam") if row["name"] == name)


def pairs_one_to_one(row_xmins: list[int], invitation_xmins: list[int]) -> bool:
    """Rows written one transaction each, next to one link's transaction each."""
    if len(row_xmins) != len(invitation_xmins) or len(row_xmins) < 2:
        return False
    if len(set(row_xmins)) != len(row_xmins):
        return False
    return all(
        abs(row - invitation) <= XMIN_NEIGHBOURHOOD
        for row, invitation in zip(sorted(row_xmins), sorted(invitation_xmins), strict=True)
    )


def answer_all(answers: list[Answer], links: dict[str, str]) -> None:
    for answer in answers:
        answer.send(links)


def crowd(people: list, start: int, comment_every: int = 2) -> list[Answer]:
    return [
        Answer(
            person.email,
            start + offset,
            by_json=offset % 3 == 0,
            comment=f"note {start + offset}: " + "more " * offset if offset % comment_every else "",
            enps=offset % 11,
        )
        for offset, person in enumerate(people)
    ]


# --- 1. xmin pairing -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_tick_after_the_answers_no_answer_row_shares_a_transaction_with_a_used_link(
    item_catalogue, survey, company
) -> None:
    needs_postgres()
    answer_all(crowd(company["platform"][:12], 0), survey.links)
    answer_all(crowd(company["data"][:3], 100), survey.links)
    tick()
    dump = take_dump()

    identity = {row.xmin for table in IDENTITY_TABLES for row in dump.rows(table)}
    problems = []
    for table in ANSWER_TABLES:
        shared = [row for row in dump.rows(table) if row.xmin in identity]
        if shared:
            problems.append(
                f"{len(shared)} rows of {table} were written by a transaction that also wrote "
                "an invitation or a link"
            )
    answered = answered_invitations(dump)
    xmin_of_invitation = {i: row.xmin for i, row in answered.items() if row.xmin is not None}
    for unit_id in {row["reporting_unit_id"] for row in answered.values()}:
        links_used = [
            row.xmin
            for row in answered.values()
            if row["reporting_unit_id"] == unit_id and row.xmin is not None
        ]
        pool = {i for i, row in answered.items() if row["reporting_unit_id"] == unit_id}
        for table in ANSWER_TABLES:
            rows = [r for r in dump.rows(table) if r.get("reporting_unit_id") == unit_id]
            if pairs_one_to_one([r.xmin for r in rows if r.xmin is not None], links_used):
                problems.append(f"{table} rows of unit {unit_id} pair one-to-one by xmin")
            pinned = [
                r
                for r in rows
                if len(narrow_by_xmin(r, pool, xmin_of_invitation, siblings=rows)) == 1
            ]
            if pinned and len(pool) > 1:
                problems.append(
                    f"{len(pinned)} {table} rows of unit {unit_id} are tied by xmin to one "
                    f"of its {len(pool)} used links"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ballot_seen_between_an_answer_and_the_next_tick_is_tied_to_its_author_for_one_tick_at_most(
    item_catalogue, survey, company
) -> None:
    needs_postgres()
    bob = company["platform"][10]
    keys = question_keys_of(survey, company)
    dumps = [take_dump()]
    answer_all(crowd(company["platform"][:10], 0), survey.links)
    tick()
    dumps.append(take_dump())
    Answer(bob.email, 10, comment="Bob's note").send(survey.links)

    # The window, an accepted limit: the dump taken now shows Bob's used link and a sealed
    # ballot written by the same transaction. Without the private key it cannot be opened.
    window = take_dump()
    dumps.append(window)
    bobs_link = next(row for row in window.rows(INVITATIONS) if row["person_id"] == bob.pk)
    tied = [row for row in window.rows(PENDING_BALLOTS) if row.xmin == bobs_link.xmin]
    assert len(tied) <= 1, "one answer writes one sealed ballot"

    tick()
    after = take_dump()
    dumps.append(after)
    for table in ANSWER_TABLES:
        assert not [row for row in after.rows(table) if row.xmin == bobs_link.xmin], (
            f"one tick later, a row of {table} still carries the transaction of Bob's answer"
        )
    tied_ids = {row["id"] for row in tied}
    tied_bytes = {row.binary() for row in tied}
    assert not tied_ids & set(after.by_id(PENDING_BALLOTS)), "Bob's ballot kept its id"
    assert not tied_bytes & {row.binary() for row in after.rows(PENDING_BALLOTS)}, (
        "Bob's ballot kept its bytes"
    )

    answer_all(crowd(company["platform"][11:15], 11), survey.links)
    tick()
    dumps.append(take_dump())
    close_by_command(survey.cycle.pk)
    final = take_dump()
    dumps.append(final)

    bobs_response = next(r for r in final.rows(RESPONSES) if author_of(r, keys) == 10)
    candidates = link(dumps).people(RESPONSES, bobs_response["id"])
    assert bob.pk in candidates, "the attacker's reasoning lost the true author"
    assert len(candidates) >= K, (
        f"the dumps narrow Bob's stored answers down to {len(candidates)} people"
    )


def question_keys_of(survey, company) -> list[str]:
    """The question order, read through a link nobody in these tests uses."""
    return question_keys(survey.token(company["data"][-1].email))


@pytest.mark.django_db(transaction=True)
def test_with_the_private_key_a_dump_one_tick_after_the_answers_ties_no_ballot_to_its_author(
    item_catalogue, survey, company
) -> None:
    """The threat model grants the sweeping worker's private key here. With it and two dumps,
    the answers that arrived between them can be read off by difference, whatever the design:
    that is the stated limit. With one dump, taken one tick after the answers, each opened
    ballot must point at every person whose link was used in its unit, not at its author."""
    analysts = company["data"][:4]
    keys = question_keys_of(survey, company)
    answer_all(crowd(analysts, 200), survey.links)
    window = take_dump()
    assert window.rows(PENDING_BALLOTS), "answers wait sealed until the sweep"
    tick()
    after = take_dump()

    answered = answered_invitations(after)
    invitation_of = {row["person_id"]: i for i, row in answered.items()}
    xmin_of_invitation = {i: row.xmin for i, row in answered.items() if row.xmin is not None}
    ballots = after.rows(PENDING_BALLOTS)
    problems = []
    for ballot in ballots:
        opened = open_with_private_key(ballot.binary(), cycle_id=ballot["cycle_id"])
        author = analysts[decode_opened(opened, keys) - 200]
        pool = {
            i
            for i, row in answered.items()
            if row["reporting_unit_id"] == ballot["reporting_unit_id"]
        }
        pinned = narrow_by_xmin(ballot, pool, xmin_of_invitation, siblings=ballots)
        if pinned != pool:
            problems.append(
                f"{author.name}'s opened ballot is tied by xmin to {len(pinned)} of {len(pool)} links"
                + (" (their own)" if pinned == {invitation_of[author.pk]} else "")
            )
        if ballot["id"] in window.by_id(PENDING_BALLOTS):
            problems.append(f"{author.name}'s ballot kept the id it had when it was cast")
        if ballot.binary() in {row.binary() for row in window.rows(PENDING_BALLOTS)}:
            problems.append(f"{author.name}'s ballot kept the bytes it had when it was cast")
    assert not problems, "\n".join(problems)


def decode_opened(opened: dict, keys: list[str]) -> int:
    answers = opened["answers"]
    return sum((answers[key] - 1) * 7**power for power, key in enumerate(keys[:4]))


# --- 2. Dump differences ---------------------------------------------------------------------

ONE_OR_TWO_A_NIGHT = [1, 2, 1, 1, 2, 1, 2, 1, 1, 2, 1, 1, 2, 1, 2, 1]


@pytest.mark.django_db(transaction=True)
def test_comparing_nightly_dumps_pairs_no_new_ballot_or_response_with_a_newly_used_link(
    item_catalogue, survey, company
) -> None:
    keys = question_keys_of(survey, company)
    engineers = iter(company["platform"])
    dumps = [take_dump()]
    index = 0
    for count in ONE_OR_TWO_A_NIGHT:
        tonight = [next(engineers) for _ in range(count)]
        answer_all(crowd(tonight, index, comment_every=1), survey.links)
        index += count
        tick()
        dumps.append(take_dump())
    close_by_command(survey.cycle.pk)
    dumps.append(take_dump())

    problems = []
    newest_ranks = []
    index = 0
    for night, (before, now) in enumerate(itertools.pairwise(dumps[:-1]), start=1):
        index += ONE_OR_TWO_A_NIGHT[night - 1]
        newest_ranks += rank_of_newest_ballot(now, newest=index - 1, keys=keys)
        waiting_before = before.by_id(PENDING_BALLOTS)
        kept = set(waiting_before) & set(now.by_id(PENDING_BALLOTS))
        if kept:
            problems.append(f"night {night}: {len(kept)} waiting ballots kept their ids")
        same_bytes = {r.binary() for r in before.rows(PENDING_BALLOTS)} & {
            r.binary() for r in now.rows(PENDING_BALLOTS)
        }
        if same_bytes:
            problems.append(f"night {night}: {len(same_bytes)} waiting ballots kept their bytes")
        new_responses = set(now.by_id(RESPONSES)) - set(before.by_id(RESPONSES))
        newly_used = len(answered_invitations(now)) - len(answered_invitations(before))
        if 0 < len(new_responses) < K:
            problems.append(f"night {night}: {len(new_responses)} responses appeared")
        if new_responses and len(waiting_before) + newly_used < 2 * K:
            problems.append(
                f"night {night}: {len(new_responses)} responses were drawn from only "
                f"{len(waiting_before) + newly_used} waiting ballots"
            )

    # Storage order: is the newest answer's ballot always where the newest row goes? Only
    # concluded when a shuffled store would do that by chance with probability under 1e-3 (a
    # pool that keeps k waiting makes that chance far smaller still).
    chance = math.prod(1 / size for _, size in newest_ranks)
    for end, name in ((lambda n: n - 1, "last"), (lambda n: 0, "first")):
        if chance < 1e-3 and all(rank == end(size) for rank, size in newest_ranks):
            problems.append(
                f"on all {len(newest_ranks)} nights the newest answer's ballot sits {name} "
                f"in storage order (by chance: {chance:.1e})"
            )
    linkage = link(dumps)
    people = {person.pk: person for person in company["platform"]}
    smallest = {}
    for response in dumps[-1].rows(RESPONSES):
        author = company["platform"][author_of(response, keys)]
        candidates = linkage.people(RESPONSES, response["id"])
        assert author.pk in candidates, "the attacker's reasoning lost the true author"
        smallest[author.name] = len(candidates)
    narrowed = {name: size for name, size in smallest.items() if size < K}
    if narrowed:
        problems.append(f"responses narrowed below k: {narrowed}")
    assert len(smallest) == sum(ONE_OR_TWO_A_NIGHT) and people
    assert not problems, "\n".join(problems)


def rank_of_newest_ballot(dump: Dump, *, newest: int, keys: list[str]) -> list[tuple[int, int]]:
    """(rank in storage order, pool size) of the newest answer's waiting ballot, if it waits
    with at least one other. The private key serves the test's own ground truth here, not
    the attacker."""
    waiting = sorted(dump.rows(PENDING_BALLOTS), key=lambda row: row.position)
    if len(waiting) < 2:
        return []
    authors = [
        decode_opened(open_with_private_key(row.binary(), cycle_id=row["cycle_id"]), keys)
        for row in waiting
    ]
    return [(authors.index(newest), len(waiting))] if newest in authors else []


# --- 3. Ciphertext length --------------------------------------------------------------------


@pytest.mark.django_db
def test_every_sealed_ballot_has_the_same_length_whatever_was_answered(survey, company) -> None:
    engineers = company["platform"]
    keys = question_keys_of(survey, company)
    links = survey.links
    Answer(engineers[0].email, 0).send(links)  # some answers, no comment
    assert_answered_least(links[engineers[1].email])
    Answer(engineers[2].email, 2, enps=10, comment="ok").send(links)
    Answer(engineers[3].email, 3, enps=0, comment="x" * 2000).send(links)
    Answer(engineers[4].email, 4, by_json=True, comment="Zoë: ça va, 日本語 😀").send(links)
    Answer(engineers[5].email, 5, by_json=True, comment="😀" * 2000).send(links)
    Answer(engineers[6].email, 6, by_json=True, enps=7, comment="\u00e9" * 1999 + "\n").send(links)
    every_item = {key: 7 for key in keys}
    from tests.anonymity.insider import answer_by_json

    assert answer_by_json(links[engineers[7].email], every_item, 9, "all of them") == 201

    waiting = take_dump().rows(PENDING_BALLOTS)
    assert len(waiting) == 8
    lengths = sorted(len(row.binary()) for row in waiting)
    assert len(set(lengths)) == 1, f"sealed ballots of {len(set(lengths))} lengths: {lengths}"
    tick()
    lengths_after = {len(row.binary()) for row in take_dump().rows(PENDING_BALLOTS)}
    assert lengths_after <= set(lengths), "rewritten ballots keep the one length"


def assert_answered_least(token: str) -> None:
    """The smallest answer there is: one eNPS of 0 (an empty one is not stored at all)."""
    from django.test import Client

    page = Client().post(f"/a/{token}/", {"enps": "0"})
    assert page.status_code == 200 and b"Thank you" in page.content


# --- 4. Batch sizes, including close ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_no_group_of_stored_answers_is_smaller_than_k_and_a_small_unit_is_stored_at_its_parent(
    item_catalogue, survey, company
) -> None:
    from tests.anonymity.insider import everything_logged_at_debug

    engineers = iter(company["platform"])
    dumps = [take_dump()]
    printed = []
    with everything_logged_at_debug() as logs:
        index = 0
        for count in [1, 2, 1, 2, 1, 1, 2, 1, 2]:
            answer_all(crowd([next(engineers) for _ in range(count)], index), survey.links)
            index += count
            printed.append(tick())
            dumps.append(take_dump())
        # Two of Data's 30 answer, and three people of the Company unit.
        answer_all(crowd(company["data"][:2], 300), survey.links)
        answer_all(crowd(company["leads"][4:7], 400), survey.links)
        printed.append(tick())
        dumps.append(take_dump())
        printed.append(close_by_command(survey.cycle.pk))
        dumps.append(take_dump())

    problems = []
    for night, (before, now) in enumerate(itertools.pairwise(dumps), start=1):
        # Comments are not counted: a batch of k ballots may carry fewer comments, which
        # still hide among the batch's k authors.
        for table in (RESPONSES,):
            new = [r for r in now.rows(table) if r["id"] not in before.by_id(table)]
            per_unit: dict[object, int] = {}
            for row in new:
                per_unit[row["reporting_unit_id"]] = per_unit.get(row["reporting_unit_id"], 0) + 1
            small = {unit: n for unit, n in per_unit.items() if n < K}
            if small:
                problems.append(f"dump {night}: {table} appeared in groups of {small}")
    final = dumps[-1]
    data, company_unit = unit_named(final, "Data"), unit_named(final, "Company")
    stored_at = [r["reporting_unit_id"] for r in final.rows(RESPONSES)]
    if data in stored_at:
        problems.append(f"Data, where 2 answered, has {stored_at.count(data)} stored responses")
    if stored_at.count(company_unit) != 5:
        problems.append(
            f"Company holds {stored_at.count(company_unit)} responses, not its 3 and Data's 2"
        )
    for line in [*logs.messages(sql=False), *printed]:
        if SAYS_A_COUNT_OF_ANSWERS.search(line):
            problems.append(f"a log line gives a count of moved answers: {line.strip()!r}")
    assert not problems, "\n".join(problems)


# A number of one or more next to words for ballots, answers or their moving, on one line
# (a batch of emails is not a batch of answers).
SAYS_A_COUNT_OF_ANSWERS = re.compile(
    r"(ballot|answer|moved|response)[^\d\n]{0,30}\b[1-9]\d*\b"
    r"|\b[1-9]\d*\b[^\d\n]{0,30}(ballot|answer|response)",
    re.IGNORECASE,
)


# --- 7. JSON key order -----------------------------------------------------------------------


@pytest.mark.django_db
def test_answers_sent_with_their_keys_in_any_order_are_stored_exactly_alike(
    survey, company
) -> None:
    from tests.anonymity.insider import answer_by_form, answer_by_json

    links = survey.links
    engineers = company["platform"][:5]
    keys = question_keys_of(survey, company)
    values = {key: 1 + position % 7 for position, key in enumerate(keys)}
    assert answer_by_form(links[engineers[0].email], keys, list(values.values()), 8, "") == 200
    assert answer_by_json(links[engineers[1].email], values, 8, "") == 201
    reverse = dict(reversed(list(values.items())))
    assert answer_by_json(links[engineers[2].email], reverse, 8, "") == 201
    scrambled = {key: values[key] for key in sorted(keys, key=lambda key: key[::-1])}
    assert list(scrambled) != keys
    assert answer_by_json(links[engineers[3].email], scrambled, 8, "") == 201
    assert answer_by_json(links[engineers[4].email], reverse, 8, "") == 201
    # The dump taken after close and before the release, the only time answers are stored.
    call_command("close_cycle", survey.cycle.pk, stdout=io.StringIO())

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CAST(answers AS TEXT) FROM {RESPONSES}")  # noqa: S608
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 5
    assert len(set(stored)) == 1, "the stored text tells who sent which key order:\n" + "\n".join(
        stored
    )
    if connection.vendor == "sqlite":
        in_storage = re.findall(r'"([^"]+)"\s*:', stored[0])
        assert in_storage == keys, "answers are stored in the survey's question order"
