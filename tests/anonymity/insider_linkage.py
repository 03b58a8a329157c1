"""The insider's linkage: from a series of dumps, who could have written each stored row.

For every pending ballot, response and comment that appears, the attacker works out the set of
invitations it can have come from, using every signal a dump offers:

- the reporting unit (and, for a response stored higher up, the units below it);
- the dump it first appears in: only links used since the previous dump, or ballots that
  vanished since then, can be its source;
- ids that persist: a ballot still there under the same id and bytes is the same ballot, so
  only a ballot that is new since the last dump can hold a newly used link's answers;
- PostgreSQL's xmin: a row written by the transaction that marked an invitation answered is
  that invitation's, and a ballot written a transaction or two away from exactly one such
  invitation is paired with it;
- the sealed ballot's length: a rewritten ballot keeps its length, and a response (with its
  comment) whose ballot, serialised as the code does, has the length of some vanished ballots
  came from one of those, or from a link used since the last dump.

Each rule only narrows a set when the evidence forces it, so the true author is always in the
set (the tests check that too: an attacker that loses the author is wrong, not clever).
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from tests.anonymity.insider import (
    COMMENTS,
    INVITATIONS,
    PENDING_BALLOTS,
    RESPONSES,
    Dump,
    Row,
    json_value,
)

# AES-GCM as sealed today: a 12-byte nonce and a 16-byte tag around the JSON payload.
SEALING_OVERHEAD = 28
# Transactions this close to a link's redemption are taken to be part of the same answer.
XMIN_NEIGHBOURHOOD = 3

Candidates = frozenset[int]


@dataclass
class Linkage:
    """(table, row id) → the invitations that row can have come from."""

    candidates: dict[tuple[str, object], Candidates] = field(default_factory=dict)
    person_of_invitation: dict[int, int] = field(default_factory=dict)

    def people(self, table: str, row_id: object) -> set[int]:
        return {self.person_of_invitation[i] for i in self.candidates[(table, row_id)]}


def is_answered(value: object) -> bool | None:
    if value is None:
        return None
    return bool(value)


def predicted_sealed_length(response: Row, comment: str) -> int:
    payload = {
        "answers": json_value(response.get("answers")),
        "enps": response.get("enps"),
        "comment": comment,
    }
    return len(json.dumps(payload, separators=(",", ":")).encode()) + SEALING_OVERHEAD


class Attacker:
    def __init__(self) -> None:
        self.linkage = Linkage()
        self.known_answered: set[int] = set()
        self.invited: dict[int, dict[int, int]] = defaultdict(dict)  # cycle → invitation → unit
        self.previous = Dump()
        self.lengths_seen: set[int] = set()

    def read(self, dump: Dump) -> None:
        invitations = dump.rows(INVITATIONS)
        for row in invitations:
            self.linkage.person_of_invitation[row["id"]] = row["person_id"]
            self.invited[row["cycle_id"]][row["id"]] = row["reporting_unit_id"]
        answered_now = {row["id"] for row in invitations if is_answered(row.get("answered"))}
        wiped_cycles = {
            row["cycle_id"] for row in invitations if is_answered(row.get("answered")) is None
        }
        xmin_of_invitation = {row["id"]: row.xmin for row in invitations if row.xmin is not None}
        parents = {row["id"]: row.get("parent_id") for row in dump.rows("surveys_cycleteam")}
        respondents = {
            row["id"]: row["unit_respondent_count"]
            for row in dump.rows("surveys_cycleteam")
            if row.get("unit_respondent_count") is not None
        }
        for ballot in dump.rows(PENDING_BALLOTS):
            self.lengths_seen.add(len(ballot.binary()))
        cycles = {
            row["cycle_id"]
            for table in (PENDING_BALLOTS, RESPONSES, COMMENTS)
            for row in dump.rows(table)
        } | set(self.invited)
        for cycle_id in cycles:
            invited = self.invited[cycle_id]
            if cycle_id in wiped_cycles or not any(
                row["cycle_id"] == cycle_id for row in invitations
            ):
                # Closed: anyone not seen answering may have answered since, except in a unit
                # whose respondent count says everyone who answered was seen.
                seen_in: defaultdict[object, int] = defaultdict(int)
                for i in invited:
                    seen_in[invited[i]] += i in self.known_answered
                complete = {u for u, n in respondents.items() if n == seen_in[u]}
                newly = {
                    i
                    for i, u in invited.items()
                    if i not in self.known_answered and u not in complete
                }
            else:
                newly = {i for i in invited if i in answered_now and i not in self.known_answered}
            self.read_cycle(
                dump,
                cycle_id=cycle_id,
                newly_answered=newly,
                xmin_of_invitation=xmin_of_invitation,
                parents=parents,
            )
        self.known_answered |= answered_now
        self.previous = dump

    def read_cycle(
        self,
        dump: Dump,
        *,
        cycle_id: int,
        newly_answered: set[int],
        xmin_of_invitation: dict[int, int],
        parents: dict[object, object],
    ) -> None:
        candidates = self.linkage.candidates
        unit_of = self.invited[cycle_id]

        def of_cycle(d: Dump, table: str) -> dict[object, Row]:
            return {r["id"]: r for r in d.rows(table) if r["cycle_id"] == cycle_id}

        before, now = of_cycle(self.previous, PENDING_BALLOTS), of_cycle(dump, PENDING_BALLOTS)
        same = {i for i in before.keys() & now.keys() if before[i].binary() == now[i].binary()}
        vanished = [before[i] for i in before.keys() - same]
        new_ballots = [now[i] for i in now.keys() - same]
        new_responses = [
            r for i, r in of_cycle(dump, RESPONSES).items() if (RESPONSES, i) not in candidates
        ]
        new_comments = [
            c for i, c in of_cycle(dump, COMMENTS).items() if (COMMENTS, i) not in candidates
        ]

        def unit(row: Row) -> object:
            return row.get("reporting_unit_id")

        def subtree(unit_id: object) -> set[object]:
            """Units whose answers may be stored at `unit_id` (itself and the units below)."""
            below = set()
            for candidate in set(unit_of.values()) | {unit(b) for b in before.values()}:
                walker = candidate
                while walker is not None:
                    if walker == unit_id:
                        below.add(candidate)
                        break
                    walker = parents.get(walker)
            return below or {unit_id}

        answered_in: defaultdict[object, set[int]] = defaultdict(set)
        for invitation in newly_answered:
            answered_in[unit_of[invitation]].add(invitation)
        if any(unit(b) is None for b in [*new_ballots, *vanished]):
            # Ballots carry no unit: every answer of the cycle is a possible source.
            everyone = set(newly_answered)
            answered_in = defaultdict(set, {None: everyone})

        def sources(units: set[object], ballots: list[Row]) -> set[int]:
            """Whoever wrote one of `ballots`, or used a link in `units` since the last dump."""
            found: set[int] = set()
            for ballot in ballots:
                if unit(ballot) in units or unit(ballot) is None:
                    found |= candidates[(PENDING_BALLOTS, ballot["id"])]
            for unit_id in units | {None}:
                found |= answered_in.get(unit_id, set())
            return found

        lengths_vary = len(self.lengths_seen) > 1
        for ballot in new_ballots:
            earlier = vanished
            if lengths_vary:
                # A rewritten ballot of the same length may be the same ballot; new answers may
                # have any length.
                earlier = [b for b in earlier if len(b.binary()) == len(ballot.binary())]
            pool = sources({unit(ballot)}, earlier)
            candidates[(PENDING_BALLOTS, ballot["id"])] = frozenset(
                narrow_by_xmin(ballot, pool, xmin_of_invitation, siblings=new_ballots)
            )

        for response in new_responses:
            units = subtree(unit(response))
            fitting = vanished
            if lengths_vary:
                lengths = {
                    predicted_sealed_length(response, c["text"])
                    for c in new_comments
                    if unit(c) in units
                } | {predicted_sealed_length(response, "")}
                fitting = [b for b in vanished if len(b.binary()) in lengths] or vanished
            pool = sources(units, fitting)
            candidates[(RESPONSES, response["id"])] = frozenset(
                narrow_by_xmin(response, pool, xmin_of_invitation)
            )
        for comment in new_comments:
            units = subtree(unit(comment))
            fitting = vanished
            if lengths_vary:
                lengths = {
                    predicted_sealed_length(r, comment["text"])
                    for r in new_responses
                    if unit(r) in units
                }
                fitting = [b for b in vanished if len(b.binary()) in lengths] or vanished
            pool = sources(units, fitting)
            candidates[(COMMENTS, comment["id"])] = frozenset(
                narrow_by_xmin(comment, pool, xmin_of_invitation)
            )


def narrow_by_xmin(
    row: Row,
    pool: set[int],
    xmin_of_invitation: dict[int, int],
    *,
    siblings: list[Row] | None = None,
) -> set[int]:
    """The invitations of `pool` that `row`'s transaction ties it to.

    A row written by the very transaction that used a link is that link's. With `siblings`
    (rows written one per answer, such as waiting ballots), a row whose transaction is a
    neighbour of exactly one link's, and no sibling's is, is paired with it too."""
    if row.xmin is None:
        return pool
    shared = {i for i in pool if xmin_of_invitation.get(i) == row.xmin}
    if shared:
        return shared
    if siblings is None:
        return pool
    near = {
        i
        for i in pool
        if i in xmin_of_invitation and abs(xmin_of_invitation[i] - row.xmin) <= XMIN_NEIGHBOURHOOD
    }
    others_near = [
        sibling
        for sibling in siblings
        if sibling is not row
        and sibling.xmin is not None
        and any(abs(xmin_of_invitation[i] - sibling.xmin) <= XMIN_NEIGHBOURHOOD for i in near)
    ]
    if len(near) == 1 and not others_near:
        return near
    return pool


def link(dumps: list[Dump]) -> Linkage:
    attacker = Attacker()
    for dump in dumps:
        attacker.read(dump)
    return attacker.linkage
