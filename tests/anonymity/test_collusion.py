"""Colluding viewers who also answered (threat A2): everything every manager and HR can read,
over four cycles, audited with the viewers' own ballots known.

Hal heads Operations. Its own cell holds the leads of its four teams and Sam, whose one-person
team merged up into it: the leads and Hal read results, and each knows their own answers.
Nina works in HR and sits in Data, a team of five. Engineering's Mobile team of three counts in
Platform. Some people skip questions, some do not answer; between cycles people join and leave.
After the first release Hal and Pat share a focus, so from then on Operations and Platform,
and the teams below them, are also asked the follow-through item, and its score is audited too.
The auditor gets the ground truth (who answered what, in which cell) and reports every set of
people other than the viewers that sums and differences of what was read can isolate.
"""

import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from pulse.disclosure import UnitCounts, decide_publication
from pulse.models import ReleasedUnit
from pulse.release import ENPS_ORIGIN
from pulse.scheduler import run_pulse_tick
from pulse.templatetags.figures import shown as shown_on_page
from pulse.trends import coarse_step
from surveys.closing import close_cycle
from surveys.instrument import FOLLOW_THROUGH_KEY, Domain
from surveys.launch import launch_now
from surveys.models import Cadence, Cycle, CycleTeam, Focus, Invitation
from surveys.redemption import look_up
from surveys.scheduler import run_tick
from surveys.selectors import answers_cell_id
from teams.models import Person, Team
from teams.roles import ensure_hr_group
from teams.team_tree import sync_teams
from tests.anonymity.conftest import emailed_links
from tests.pulse.auditor import small_derivable_groups
from tests.support.unit_levels import every_level

pytestmark = pytest.mark.django_db
# A heatmap row links to its unit by team (or by the unit itself when its team is gone).
ROW = re.compile(
    r'<tr>\s*<th scope="row" class="depth-\d+"><a href="[^"]*(team|unit)=(\d+)">(.*?)</tr>',
    re.S,
)
SCORE_CELL = re.compile(r'<td class="heat-\d"[^>]*>([^<]+)</td>')


def person(employee_id: str, manager: Person | None = None, login: bool = False) -> Person:
    someone = Person.objects.create(
        employee_id=employee_id,
        email=f"{employee_id}@example.com",
        name=employee_id.title(),
        manager=manager,
    )
    if login:
        someone.user = User.objects.create_user(someone.email, someone.email, "pw")
        someone.save(update_fields=["user"])
    return someone


def build_org() -> dict[str, Person]:
    people: dict[str, Person] = {}

    def add(employee_id: str, manager: str | None = None, login: bool = False) -> None:
        people[employee_id] = person(employee_id, people.get(manager or ""), login)

    add("ada", login=True)
    for head in ("hal", "eve"):
        add(head, "ada", login=True)
    for staff in ("sid", "sue"):
        add(staff, "ada")
    for lead in ("la", "lb", "lc", "ld", "ls"):
        add(lead, "hal", login=True)
    add("sam", "ls")  # Solo: a team of one
    for lead in ("la", "lb", "lc", "ld"):
        for i in range(6):
            add(f"{lead}{i}", lead)
    for lead in ("pat", "dan"):
        add(lead, "eve", login=True)
    for i in range(3):
        add(f"eng{i}", "eve")
    for i in range(7):
        add(f"plat{i}", "pat")
    add("mia", "pat", login=True)  # leads Mobile, three people
    for i in range(3):
        add(f"mob{i}", "mia")
    for i in range(4):
        add(f"data{i}", "dan")
    add("nina", "dan", login=True)  # works in HR, and is a member of Data
    nina_login = people["nina"].user
    assert nina_login is not None
    nina_login.groups.add(ensure_hr_group())
    names = {"ada": "Company", "hal": "Operations", "eve": "Engineering", "ls": "Solo"}
    names |= {"la": "Alpha", "lb": "Bravo", "lc": "Charlie", "ld": "Delta"}
    names |= {"pat": "Platform", "dan": "Data", "mia": "Mobile"}
    sync_teams(team_names=names)
    return people


@dataclass
class CycleTruth:
    """What the auditor knows and no page says: who answered what, in which cell."""

    cycle: Cycle
    # person → the domains (and "follow_through") they answered, and whether they gave eNPS
    ballots: dict[int, tuple[set[str], bool]] = field(default_factory=dict)
    cell_of: dict[int, int] = field(default_factory=dict)


def run_cycle(client: Client, name: str, rng: random.Random) -> CycleTruth:
    mail.outbox.clear()
    cycle = launch_now(
        cadence=Cadence.objects.create(name=name, kind="monthly"), now=timezone.now()
    )
    run_tick()
    links = emailed_links()
    truth = CycleTruth(cycle=cycle)
    domain_of = {item.key: item.domain or item.key for item in cycle.items.all()}
    invitations = Invitation.objects.filter(cycle=cycle).select_related("person")
    for invitation in invitations.order_by("person__employee_id"):
        if rng.random() < 0.15:
            continue  # did not answer
        token = links[invitation.person.email]
        survey = look_up(token).survey
        assert survey is not None
        keys = [question.key for question in survey.questions]  # this person's questions
        answered = [key for key in keys if rng.random() > 0.15] or keys[:1]
        data = {f"item_{key}": str(rng.randint(1, 7)) for key in answered}
        gave_enps = rng.random() > 0.2
        if gave_enps:
            data["enps"] = str(rng.randint(0, 10))
        response = client.post(f"/a/{token}/", data)
        assert response.status_code == 200
        truth.ballots[invitation.person_id] = ({domain_of[key] for key in answered}, gave_enps)
    close_cycle(cycle_id=cycle.pk)
    run_pulse_tick()
    # Where each person's answers are stored is known only after close, which moves a cell
    # with 1..k-1 respondents up into its parent's (and stores none of a top cell's 1..k-1).
    teams = CycleTeam.objects.filter(cycle=cycle).in_bulk()
    for person_id, unit_id in Invitation.objects.filter(cycle=cycle).values_list(
        "person_id", "reporting_unit_id"
    ):
        truth.cell_of[person_id] = answers_cell_id(teams[unit_id], teams)
    stored = {unit.pk for unit in teams.values() if unit.unit_respondent_count}
    truth.ballots = {p: b for p, b in truth.ballots.items() if truth.cell_of[p] in stored}
    return truth


def between_cycles(people: dict[str, Person], step: int, released: Cycle) -> None:
    """Joiners, leavers and a move, so that consecutive cycles differ by a few people; after
    the first release, Hal and Pat share a focus."""
    if step == 0:
        for name in ("Operations", "Platform"):
            Focus.objects.create(
                team=Team.objects.get(name=name),
                cycle=released,
                domain="conversation",
                shared_at=timezone.now(),
            )
        people["plat7"] = person("plat7", people["pat"])  # joins Platform
    elif step == 1:
        Person.objects.filter(pk=people["la0"].pk).update(active=False)  # leaves Alpha
        Person.objects.filter(pk=people["lb1"].pk).update(manager=people["lc"])  # moves
    elif step == 2:
        for i in range(5):
            person(f"new{i}", people["ld"])  # Delta grows by five
    sync_teams()


def everything_viewers_read(viewers: list[Person], cycles: list[Cycle]) -> dict:
    """(cycle, unit) → the API row, from every viewer's own view, checked against the pages."""
    read: dict[tuple[int, int], dict] = {}
    for viewer in viewers:
        client = Client()
        assert viewer.user is not None
        client.force_login(viewer.user)
        for cycle in cycles:
            response = client.get(f"/api/v1/results/?cycle={cycle.pk}")
            if response.status_code == 404:
                continue
            for row in response.json():
                assert read.setdefault((cycle.pk, row["id"]), row) == row  # one truth for all
            if viewer.employee_id == "nina":
                pages = every_level(client, "/hr/heatmap/", cycle.pk)
                rows = [row for page in pages for row in ROW.findall(page)]
                assert rows, "the heatmap lists the units"
                for kind, linked_id, cells in rows:
                    unit_id = (
                        int(linked_id)
                        if kind == "unit"
                        else CycleTeam.objects.get(cycle=cycle, team_id=int(linked_id)).pk
                    )
                    api = read[(cycle.pk, unit_id)]
                    cells_shown = SCORE_CELL.findall(cells)
                    # A coarse release's cell is the range its rounded score stands for.
                    expected = [
                        shown_on_page(api["domains"][d]["score"], api["precision"])
                        for d in Domain.values
                        if d in api["domains"]
                    ]
                    assert cells_shown == expected  # the page shows what the API says, no more
    return read


def audit(truth: CycleTruth, read: dict, viewer_ids: set[int], k: int, measure: str) -> list:
    cycle = truth.cycle
    rows = {unit: row for (cycle_id, unit), row in read.items() if cycle_id == cycle.pk}
    parents = {unit: row["parent"] for unit, row in rows.items()}
    others: defaultdict[int, int] = defaultdict(int)  # cell → respondents who read nothing
    for person_id, (domains, gave_enps) in truth.ballots.items():
        counted = {"overall": True, "enps": gave_enps}.get(measure, measure in domains)
        if counted and person_id not in viewer_ids:
            others[truth.cell_of[person_id]] += 1
    published = {unit for unit, row in rows.items() if shown(row, measure, cycle, unit)}
    return small_derivable_groups(parents, {u: others[u] for u in parents}, published, k)


def shown(row: dict, measure: str, cycle: Cycle, unit: int) -> bool:
    if measure == "overall":
        return row["respondents"] is not None
    if measure == "enps":
        return row["enps"] is not None
    if measure == FOLLOW_THROUGH_KEY:
        return row["follow_through"] is not None
    if measure == "comments":
        return ReleasedUnit.objects.filter(
            cycle=cycle, unit_id=unit, comments_released=True
        ).exists()
    return measure in row["domains"]


def test_colluding_viewers_isolate_nobody_over_four_cycles(client) -> None:
    rng = random.Random(11)
    people = build_org()
    truths = []
    for step, name in enumerate(("January", "February", "March", "April")):
        truths.append(run_cycle(client, name, rng))
        if step < 3:
            between_cycles(people, step, truths[-1].cycle)
    viewers = [p for p in Person.objects.filter(user__isnull=False)]
    cycles = [truth.cycle for truth in truths]
    read = everything_viewers_read(viewers, cycles)
    assert len(read) >= 4 * 8

    for truth in truths:
        viewer_ids = set(
            CycleTeam.objects.filter(cycle=truth.cycle, manager__isnull=False).values_list(
                "manager_id", flat=True
            )
        ) | {people["nina"].pk}
        for measure in ["overall", "enps", *Domain.values, FOLLOW_THROUGH_KEY]:
            assert audit(truth, read, viewer_ids, truth.cycle.k, measure) == [], measure
        assert audit(truth, read, viewer_ids, truth.cycle.k_comment, "comments") == []

    # The follow-through score was asked and shown after the focus, and never before it.
    follow_through = [
        [row["name"] for (c, _), row in read.items() if c == cycle.pk and row["follow_through"]]
        for cycle in cycles
    ]
    assert follow_through[0] == [] and all(follow_through[1:]), follow_through

    # The leads of teams too small to show see where their team's answers went, not nothing.
    for lead, sentence in (
        ("ls", "Solo has fewer than 5 people, so its answers are counted in Operations"),
        ("mia", "Mobile has fewer than 5 people, so its answers are counted in Platform"),
    ):
        viewer = Client()
        login = people[lead].user
        assert login is not None
        viewer.force_login(login)
        assert sentence in viewer.get("/dashboard/").content.decode()

    # Solo's answers are counted in Operations, or in Company when close moved Operations' few
    # answers up: each cycle names exactly one place.
    for cycle in cycles:
        hosts = [
            row["name"]
            for (cycle_id, _), row in read.items()
            if cycle_id == cycle.pk and "Solo" in row["counts_teams"]
        ]
        assert hosts in (["Operations"], ["Company"])

    # Across cycles: a unit a few respondents apart from its last release is shown coarser.
    by_name = [
        {row["name"]: row for (c, _), row in read.items() if c == cycle.pk} for cycle in cycles
    ]
    coarse = 0
    for earlier, later in pairwise(by_name):
        for name, row in later.items():
            before = earlier.get(name)
            if row["respondents"] is None or before is None or before["respondents"] is None:
                continue
            if 1 <= abs(row["respondents"] - before["respondents"]) < 5:
                coarse += 1
                # At least the step for its respondents: a figure over fewer (the
                # follow-through item, a question some skipped) widens it.
                step = row["precision"]
                assert step >= coarse_step(respondents=row["respondents"], k=5) >= 10, name
                assert all(d["score"] % step == 0 for d in row["domains"].values())
                assert row["enps"] is None or (row["enps"] - ENPS_ORIGIN) % (2 * step) == 0, name
    assert coarse, "the joiners and leavers moved some unit by a few respondents"

    # The attack is real: the same cycle released without counting viewers leaks.
    first = truths[0]
    rows = {u: r for (c, u), r in read.items() if c == first.cycle.pk}
    own: defaultdict[int, int] = defaultdict(int)
    for person_id in first.ballots:
        own[first.cell_of[person_id]] += 1
    units = CycleTeam.objects.filter(cycle=first.cycle).in_bulk()
    naive = decide_publication(
        [
            UnitCounts(unit, row["parent"], units[unit].unit_eligible_count, own[unit])
            for unit, row in rows.items()
        ],
        k=5,
    )
    others: defaultdict[int, int] = defaultdict(int)
    for person_id in first.ballots:
        if person_id not in {p.pk for p in viewers} | set(
            CycleTeam.objects.filter(cycle=first.cycle).values_list("manager_id", flat=True)
        ):
            others[first.cell_of[person_id]] += 1
    naive_published = {unit for unit, reason in naive.items() if reason is None}
    parents = {u: r["parent"] for u, r in rows.items()}
    print(
        "DBG",
        {
            u: (rows[u]["name"], parents[u], own[u], others[u], u in naive_published)
            for u in parents
        },
    )
    assert small_derivable_groups(parents, {u: others[u] for u in parents}, naive_published, 5)

    # And for the follow-through score: decided without counting viewers, it leaks in a cycle
    # with a focus (Operations' own cell holds its five leads and Sam).
    assert any(naive_follow_through_leaks(truth, read, viewers) for truth in truths[1:])


def naive_follow_through_leaks(truth: CycleTruth, read: dict, viewers: list[Person]) -> list:
    rows = {u: r for (c, u), r in read.items() if c == truth.cycle.pk}
    units = CycleTeam.objects.filter(cycle=truth.cycle).in_bulk()
    viewer_ids = {p.pk for p in viewers} | set(
        CycleTeam.objects.filter(cycle=truth.cycle).values_list("manager_id", flat=True)
    )
    own: defaultdict[int, int] = defaultdict(int)
    others: defaultdict[int, int] = defaultdict(int)
    for person_id, (domains, _) in truth.ballots.items():
        if FOLLOW_THROUGH_KEY in domains:
            own[truth.cell_of[person_id]] += 1
            if person_id not in viewer_ids:
                others[truth.cell_of[person_id]] += 1
    naive = decide_publication(
        [
            UnitCounts(unit, row["parent"], units[unit].unit_eligible_count, own[unit])
            for unit, row in rows.items()
        ],
        k=5,
    )
    published = {
        unit for unit, reason in naive.items() if reason is None and units[unit].focus_domain
    }
    parents = {u: r["parent"] for u, r in rows.items()}
    return small_derivable_groups(parents, {u: others[u] for u in parents}, published, 5)
