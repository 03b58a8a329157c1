"""The attacker's linkage, checked on simulated dumps, so that its verdicts can be trusted.

A store that keeps the promises (one ballot length, every waiting ballot rewritten under fresh
ids at each tick in one transaction, a pool that moves at least k only when 2k wait and leaves
k, move-up by respondents at close) must leave everyone among at least k candidates; a store
that behaves as a threshold flush with persistent ids and unpadded ballots must not. In both,
the true author must always stay among the candidates.
"""

import os
import random
import uuid
from dataclasses import dataclass, field

import pytest

from tests.anonymity.insider import (
    COMMENTS,
    INVITATIONS,
    PENDING_BALLOTS,
    RESPONSES,
    Dump,
    Row,
)
from tests.anonymity.insider_linkage import link, predicted_sealed_length

K = 5
COMPANY, PLATFORM, DATA = 1, 2, 3
PARENT = {COMPANY: None, PLATFORM: COMPANY, DATA: COMPANY}


@dataclass
class SimulatedStore:
    rng: random.Random
    pads: bool = True
    rewrites: bool = True
    mixes: bool = True
    moves_up: bool = True
    transaction: int = 100
    invitations: dict[int, dict] = field(default_factory=dict)
    invitation_xmin: dict[int, int] = field(default_factory=dict)
    pending: list[Row] = field(default_factory=list)
    responses: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)
    author: dict[tuple[str, object], int] = field(default_factory=dict)
    respondents: dict[int, int] | None = None

    def next_transaction(self) -> int:
        self.transaction += 1
        return self.transaction

    def invite(self, unit: int, count: int) -> list[int]:
        start = len(self.invitations) + 1
        for invitation in range(start, start + count):
            self.invitations[invitation] = {
                "id": invitation,
                "cycle_id": 1,
                "person_id": 1000 + invitation,
                "reporting_unit_id": unit,
                "answered": False,
            }
            self.invitation_xmin[invitation] = 1
        return list(range(start, start + count))

    def answer(self, invitation: int) -> None:
        xid = self.next_transaction()
        self.invitations[invitation]["answered"] = True
        self.invitation_xmin[invitation] = xid
        content = {
            "answers": {"q1": self.rng.randint(1, 7), "q2": self.rng.randint(1, 7)},
            "enps": self.rng.randint(0, 10),
            "comment": "x" * self.rng.randint(3, 40) if self.rng.random() < 0.6 else "",
        }
        row = self.ballot(content, self.invitations[invitation]["reporting_unit_id"], xid)
        self.author[("ballot", row["id"])] = invitation
        self.pending.append(row)

    def ballot(self, content: dict, unit: int, xid: int) -> Row:
        fake = Row({"answers": content["answers"], "enps": content["enps"]}, (0,), None)
        length = 2100 if self.pads else predicted_sealed_length(fake, content["comment"])
        row = Row(
            {
                "id": uuid.uuid4(),
                "cycle_id": 1,
                "reporting_unit_id": unit,
                "sealed": os.urandom(length),
            },
            (0,),
            xid,
        )
        row.content = content  # type: ignore[attr-defined]
        return row

    def rewrite(self, xid: int) -> None:
        rewritten = []
        for old in self.rng.sample(self.pending, len(self.pending)):
            new = self.ballot(old.content, old["reporting_unit_id"], xid)  # type: ignore[attr-defined]
            self.author[("ballot", new["id"])] = self.author[("ballot", old["id"])]
            rewritten.append(new)
        self.pending = rewritten

    def move(self, ballots: list[Row], unit: int, xid: int) -> None:
        for ballot in ballots:
            self.pending.remove(ballot)
            who = self.author[("ballot", ballot["id"])]
            content = ballot.content  # type: ignore[attr-defined]
            response = Row(
                {"id": uuid.uuid4(), "cycle_id": 1, "reporting_unit_id": unit, **content}, (0,), xid
            )
            del response.values["comment"]
            self.responses.append(response)
            self.author[(RESPONSES, response["id"])] = who
            if content["comment"]:
                comment = Row(
                    {
                        "id": uuid.uuid4(),
                        "cycle_id": 1,
                        "reporting_unit_id": unit,
                        "text": content["comment"],
                    },
                    (0,),
                    xid,
                )
                self.comments.append(comment)
                self.author[(COMMENTS, comment["id"])] = who

    def tick(self) -> None:
        xid = self.next_transaction()
        if self.rewrites:
            self.rewrite(xid)
        for unit in PARENT:
            waiting = [b for b in self.pending if b["reporting_unit_id"] == unit]
            if self.mixes and len(waiting) >= 2 * K:
                self.move(
                    self.rng.sample(waiting, self.rng.randint(K, len(waiting) - K)), unit, xid
                )
            elif not self.mixes and len(waiting) >= K:
                self.move(waiting, unit, xid)

    def close(self) -> None:
        xid = self.next_transaction()
        answered = {u: 0 for u in PARENT}
        for invitation in self.invitations.values():
            answered[invitation["reporting_unit_id"]] += bool(invitation["answered"])
            invitation["answered"] = None
            self.invitation_xmin[invitation["id"]] = xid
        self.respondents = answered
        # Bottom-up: a unit whose respondents (with those carried up into it) number fewer
        # than k is stored at its parent.
        stored_at = {unit: unit for unit in PARENT}
        carried = dict(answered)
        for unit in (DATA, PLATFORM):
            parent = PARENT[unit]
            if self.moves_up and parent is not None and carried[unit] < K:
                stored_at[unit] = parent
                carried[parent] += carried[unit]
        for unit in PARENT:
            waiting = [b for b in self.pending if b["reporting_unit_id"] == unit]
            self.move(waiting, stored_at[unit], xid)

    def dump(self) -> Dump:
        units = [
            {
                "id": u,
                "cycle_id": 1,
                "parent_id": PARENT[u],
                "name": str(u),
                "unit_respondent_count": (self.respondents or {}).get(u),
            }
            for u in PARENT
        ]
        return Dump(
            tables={
                INVITATIONS: [
                    Row(dict(v), (i,), self.invitation_xmin[i]) for i, v in self.invitations.items()
                ],
                PENDING_BALLOTS: list(self.pending),
                RESPONSES: list(self.responses),
                COMMENTS: list(self.comments),
                "surveys_cycleteam": [Row(u, (0,), 1) for u in units],
            }
        )


def simulate(*, seed: int, **defences: bool) -> tuple[SimulatedStore, list[Dump]]:
    rng = random.Random(seed)
    store = SimulatedStore(
        rng=rng,
        pads=defences.get("pads", True),
        rewrites=defences.get("rewrites", True),
        mixes=defences.get("mixes", True),
        moves_up=defences.get("moves_up", True),
    )
    platform, data, company = (
        store.invite(PLATFORM, 14),
        store.invite(DATA, 12),
        store.invite(COMPANY, 10),
    )
    answering = rng.sample(platform, 12) + rng.sample(data, 3) + rng.sample(company, 6)
    rng.shuffle(answering)
    dumps = [store.dump()]
    while answering:
        for _ in range(rng.randint(1, 2)):
            if answering:
                store.answer(answering.pop())
        if rng.random() < 0.5:
            dumps.append(store.dump())  # a dump between an answer and the tick
        store.tick()
        dumps.append(store.dump())
    store.close()
    dumps.append(store.dump())
    return store, dumps


def smallest_candidate_sets(store: SimulatedStore, dumps: list[Dump]) -> int:
    linkage = link(dumps)
    sizes = []
    for table, rows in ((RESPONSES, store.responses), (COMMENTS, store.comments)):
        for row in rows:
            candidates = linkage.candidates[(table, row["id"])]
            assert store.author[(table, row["id"])] in candidates, "the true author was lost"
            sizes.append(len(candidates))
    assert len(store.responses) == 21
    return min(sizes)


@pytest.mark.parametrize("seed", range(8))
def test_a_store_that_keeps_the_promises_leaves_everyone_among_k_candidates(seed: int) -> None:
    store, dumps = simulate(seed=seed)
    assert smallest_candidate_sets(store, dumps) >= K


@pytest.mark.parametrize("seed", range(8))
def test_a_threshold_flush_with_unpadded_ballots_and_lasting_ids_is_caught(seed: int) -> None:
    store, dumps = simulate(seed=seed, pads=False, rewrites=False, mixes=False, moves_up=False)
    assert smallest_candidate_sets(store, dumps) < K


@pytest.mark.parametrize("missing", ["pads", "mixes", "moves_up"])
def test_a_store_missing_one_defence_is_caught(missing: str) -> None:
    caught = 0
    for seed in range(8):
        store, dumps = simulate(seed=seed, **{missing: False})
        caught += smallest_candidate_sets(store, dumps) < K
    assert caught >= 6, f"without {missing}: caught in {caught} of 8 runs"
