"""Creating and launching cycles: freeze items, thresholds and the org snapshot; invite people.

The snapshot also freezes the focus each reporting unit is shown, and with it the follow-through
item (surveys.follow_through).

A cycle row is created once per cadence and period (a unique constraint makes a second tick or a
second beat harmless), in state `scheduled`. Launching claims it with a conditional update and
does everything else in the same transaction: if anything fails, the cycle stays `scheduled`
and the next tick tries again.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from common.bulk_rows import insert_rows, reserve_ids
from surveys.follow_through import freeze_shown_focus
from surveys.instrument import ItemSpec, coverage_problems, select_items
from surveys.models import Cadence, Cycle, CycleItem, CycleState, CycleTeam, Invitation, Item
from surveys.reporting_units import PopulationTooSmall, SnapshotTeam, assign_reporting_units
from surveys.schedule import Period, ScheduleRule, period_containing
from teams.audit import record_event
from teams.hr_identity import link_hr_logins_by_email
from teams.models import AuditAction, Team
from teams.selectors import member_team_ids, subtree_team_ids
from teams.tree_walks import IdTree

logger = logging.getLogger(__name__)


class LaunchError(Exception):
    """The cycle cannot launch; the message says why in words HR can act on."""


def schedule_rule(cadence: Cadence) -> ScheduleRule:
    return ScheduleRule(
        kind=cadence.kind,
        schedule_kind=cadence.schedule_kind,
        day_of_month=cadence.day_of_month,
        week_of_month=cadence.week_of_month,
        weekday=cadence.weekday,
        send_hour=cadence.send_hour,
        time_zone=cadence.time_zone,
        window_days=cadence.window_days,
    )


def create_cycle(*, cadence: Cadence, period: Period) -> Cycle | None:
    """The cycle for `period`, created in state scheduled; None if one already exists."""
    try:
        with transaction.atomic():
            return Cycle.objects.create(
                cadence=cadence,
                period=period.label,
                kind=cadence.kind,
                opens_at=period.opens_at,
                closes_at=period.closes_at,
                k=cadence.k,
                k_comment=cadence.k_comment,
                reminder_offsets=list(cadence.reminder_offsets),
            )
    except IntegrityError:
        return None


def launch_now(*, cadence: Cadence, now: datetime, actor: User | None = None) -> Cycle:
    """HR's "launch now": this period's cycle, opening immediately for the usual window; the
    audit log records that `actor` (None: the command line) launched it."""
    period = period_containing(schedule_rule(cadence), now)
    if Cycle.objects.filter(cadence=cadence, period=period.label).exists():
        raise LaunchError(f"{cadence.name} already has a cycle for {period.label}.")
    immediate = Period(
        label=period.label, opens_at=now, closes_at=now + timedelta(days=cadence.window_days)
    )
    cycle = create_cycle(cadence=cadence, period=immediate)
    if cycle is None:
        raise LaunchError(f"{cadence.name} already has a cycle for {period.label}.")
    launch_cycle(cycle_id=cycle.pk)
    cycle.refresh_from_db()
    if cycle.state != CycleState.OPEN:
        raise LaunchError(cycle.launch_error or "The cycle could not launch.")
    record_event(
        actor=actor,
        action=AuditAction.CYCLE_LAUNCHED,
        subject=str(cycle),
        details={"cycle": cycle.pk, "invited": cycle.invited_count, "k": cycle.k},
        at=now,
    )
    return cycle


@dataclass(frozen=True)
class LaunchPreview:
    """What "launch now" would do, for HR's confirmation page: the period, how many people get
    an email, when it closes; or why it cannot launch (`problem`)."""

    period: str
    people: int
    closes_at: datetime
    problem: str = ""


def launch_preview(*, cadence: Cadence, now: datetime) -> LaunchPreview:
    period = period_containing(schedule_rule(cadence), now)
    closes_at = now + timedelta(days=cadence.window_days)
    try:
        people = sum(len(members) for members in population_of(cadence).members_by_team.values())
    except LaunchError as error:
        return LaunchPreview(period.label, 0, closes_at, problem=str(error))
    if Cycle.objects.filter(cadence=cadence, period=period.label).exists():
        problem = f"{cadence.name} already has a cycle for {period.label}."
    elif people < cadence.k:
        problem = str(PopulationTooSmall(people, cadence.k))
    else:
        problem = ""
    return LaunchPreview(period.label, people, closes_at, problem=problem)


def launch_cycle(*, cycle_id: int) -> bool:
    """Launch a scheduled cycle. True if this call launched it."""
    try:
        with transaction.atomic():
            claimed = Cycle.objects.filter(pk=cycle_id, state=CycleState.SCHEDULED).update(
                state=CycleState.OPEN, launch_error=""
            )
            if not claimed:
                return False
            cycle = Cycle.objects.select_related("cadence").get(pk=cycle_id)
            # Who is behind each HR login is settled as the invitations go out.
            link_hr_logins_by_email()
            freeze_items(cycle)
            invited = freeze_snapshot_and_invite(cycle)
            freeze_shown_focus(cycle)
            Cycle.objects.filter(pk=cycle_id).update(invited_count=invited)
    except LaunchError as error:
        Cycle.objects.filter(pk=cycle_id, state=CycleState.SCHEDULED).update(
            launch_error=str(error)[:300]
        )
        logger.warning("Cycle %s could not launch: %s", cycle_id, error)
        return False
    logger.info("Cycle %s launched with %s invitations", cycle_id, invited)
    return True


def freeze_items(cycle: Cycle) -> None:
    catalogue = {item.key: item for item in Item.objects.filter(active=True)}
    specs = [ItemSpec(item.key, item.domain, item.rotation_group) for item in catalogue.values()]
    problems = coverage_problems(specs)
    if problems:
        raise LaunchError("The item catalogue cannot make a valid survey: " + " ".join(problems))
    month = cycle.opens_at.astimezone(ZoneInfo(cycle.cadence.time_zone)).month
    chosen = select_items(specs, kind=cycle.kind, month=month)
    CycleItem.objects.bulk_create(
        CycleItem(
            cycle=cycle,
            position=position,
            item=catalogue[spec.key],
            key=spec.key,
            item_version=catalogue[spec.key].version,
            domain=spec.domain,
            text=catalogue[spec.key].text,
            reverse_scored=catalogue[spec.key].reverse_scored,
        )
        for position, spec in enumerate(chosen, start=1)
    )


@dataclass(frozen=True)
class Population:
    team_ids: list[int]
    members_by_team: dict[int, list[int]]


def population_of(cadence: Cadence) -> Population:
    if cadence.population_is_team:
        if cadence.population_team_id is None:
            raise LaunchError(
                f"The team that {cadence.name} surveys no longer exists; choose another "
                "population for the cadence."
            )
        team_ids = subtree_team_ids(cadence.population_team_id)
    else:
        team_ids = list(Team.objects.values_list("id", flat=True))
    wanted = set(team_ids)
    members_by_team: dict[int, list[int]] = defaultdict(list)
    for person_id, team_id in member_team_ids().items():
        if team_id in wanted:
            members_by_team[team_id].append(person_id)
    return Population(team_ids=team_ids, members_by_team=members_by_team)


@dataclass(frozen=True)
class TeamAtLaunch:
    name: str
    manager_id: int
    manager_name: str


def freeze_snapshot_and_invite(cycle: Cycle) -> int:
    """Copy the population's teams into the cycle, map reporting units, create invitations."""
    population = population_of(cycle.cadence)
    wanted = set(population.team_ids)
    # Every team, filtered here rather than by an IN list of all their ids: SQLite limits the
    # number of parameters one statement may carry.
    parent_of: dict[int, int | None] = {}
    teams: dict[int, TeamAtLaunch] = {}
    for team_id, parent_id, name, manager_id, manager_name in Team.objects.order_by().values_list(
        "id", "parent_id", "name", "manager_id", "manager__name"
    ):
        if team_id in wanted:
            parent_of[team_id] = parent_id
            teams[team_id] = TeamAtLaunch(name, manager_id, manager_name)
    snapshot = [
        SnapshotTeam(
            id=team_id,
            parent_id=parent_id if parent_id in teams else None,
            eligible=len(population.members_by_team.get(team_id, [])),
        )
        for team_id, parent_id in parent_of.items()
    ]
    try:
        units = assign_reporting_units(snapshot, k=cycle.k)
    except PopulationTooSmall as error:
        raise LaunchError(str(error)) from error

    unit_rows = insert_snapshot(cycle, teams, snapshot, units)
    # Plain tuples streamed to the database (COPY on PostgreSQL), not a model instance per
    # person: at a million people the instances were most of the launch's time and memory.
    # Rows go in team by team, in the order of the population, as they did before; at launch
    # nobody has answered, so the order says nothing about answers.
    return insert_rows(
        Invitation,
        ["cycle", "person", "reporting_unit"],
        (
            (cycle.pk, person_id, unit_rows[team_id])
            for team_id, people in population.members_by_team.items()
            for person_id in people
        ),
    )


def insert_snapshot(
    cycle: Cycle,
    teams: dict[int, TeamAtLaunch],
    snapshot: list[SnapshotTeam],
    units: dict[int, int],
) -> dict[int, int]:
    """Insert the cycle's teams level by level, parents first, each row complete; return, per
    team id, the id of the row of its reporting unit.

    The rows' ids are taken first, so a row goes in with its parent and its reporting unit
    (itself, or the ancestor it merged into) already set: one stream of plain rows, no
    model instances, no second pass of updates.
    """
    unit_sizes: Counter[int] = Counter()
    for team in snapshot:
        unit_sizes[units[team.id]] += team.eligible
    parents_first = [team for level in levels_of(snapshot) for team in level]
    row_ids = dict(
        zip(
            (team.id for team in parents_first),
            reserve_ids(CycleTeam, len(parents_first)),
            strict=True,
        )
    )
    insert_rows(
        CycleTeam,
        [
            "cycle",
            "team",
            "parent",
            "name",
            "manager",
            "manager_name",
            "eligible_count",
            "reporting_unit",
            "unit_eligible_count",
            "id",
        ],
        (
            (
                cycle.pk,
                team.id,
                row_ids[team.parent_id] if team.parent_id else None,
                teams[team.id].name,
                teams[team.id].manager_id,
                teams[team.id].manager_name,
                team.eligible,
                row_ids[units[team.id]],
                unit_sizes.get(team.id, 0),
                row_ids[team.id],
            )
            for team in parents_first
        ),
    )
    return {team.id: row_ids[units[team.id]] for team in snapshot}


def levels_of(snapshot: list[SnapshotTeam]) -> list[list[SnapshotTeam]]:
    """The snapshot's roots, then their children, then theirs, and so on."""
    by_id = {team.id: team for team in snapshot}
    tree = IdTree({team.id: team.parent_id for team in snapshot})
    return [[by_id[team_id] for team_id in level] for level in tree.levels()]
