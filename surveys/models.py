"""Surveys: the item catalogue, cadences, cycles with their frozen snapshot, and invitations.

This is the identity plane: an Invitation knows the person. It never learns what they answered;
the answers go to the `pulse` app through `surveys.redemption`, the one door between the planes.
"""

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from surveys.cadence_rules import cadence_problems
from surveys.instrument import FOLLOW_THROUGH_KEY, MIN_K, Domain, SurveyKind
from surveys.schedule import LAST_WEEK, ScheduleKind
from teams.models import Person, Team


def default_reminder_offsets() -> list[int]:
    return [3, 5]


def not_the_follow_through_key(key: str) -> None:
    """A catalogue item may not take the key a cycle gives its follow-through item."""
    if key == FOLLOW_THROUGH_KEY:
        raise ValidationError(
            f"The key {FOLLOW_THROUGH_KEY!r} is kept for the follow-through item; choose another."
        )


class Item(models.Model):
    """One statement of the catalogue. Editing its text bumps `version`; cycles keep a copy."""

    key = models.SlugField(max_length=40, unique=True, validators=[not_the_follow_through_key])
    domain = models.CharField(max_length=20, choices=Domain.choices)
    text = models.CharField(max_length=300)
    reverse_scored = models.BooleanField(
        default=False, help_text="Negatively worded: scored as 8 minus the answer."
    )
    rotation_group = models.PositiveSmallIntegerField(
        choices=[(1, "Month 1 of the quarter"), (2, "Month 2"), (3, "Month 3")],
        help_text="The month of each quarter in which the monthly pulse asks this item.",
    )
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["domain", "rotation_group", "key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


class Cadence(models.Model):
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    population_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Survey this team and everything below it. Empty: the whole organisation.",
    )
    # Distinguishes "whole organisation" from "the chosen team has since disappeared", which
    # must stop launches rather than silently widen the population.
    population_is_team = models.BooleanField(default=False, editable=False)
    schedule_kind = models.CharField(
        max_length=20, choices=ScheduleKind.choices, default=ScheduleKind.DAY_OF_MONTH
    )
    day_of_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    week_of_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(LAST_WEEK)],
        help_text="1 to 4, or 5 for the last such weekday of the month.",
    )
    weekday = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(6)],
        help_text="0 = Monday … 6 = Sunday.",
    )
    send_hour = models.PositiveSmallIntegerField(
        default=9,
        validators=[MaxValueValidator(23, "The send hour must be between 0 and 23.")],
        help_text="Local hour, 0-23, in the time zone below.",
    )
    time_zone = models.CharField(max_length=64, default="Europe/London")
    window_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)])
    reminder_offsets = models.JSONField(
        default=default_reminder_offsets,
        blank=True,
        help_text="Days after opening on which non-respondents get a reminder (at most 3).",
    )
    k = models.PositiveSmallIntegerField(
        default=5,
        validators=[
            MinValueValidator(MIN_K, f"The minimum group size k must be at least {MIN_K}.")
        ],
        help_text="No score is shown for fewer respondents than this.",
    )
    k_comment = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(MIN_K, f"The comment threshold must be at least {MIN_K}.")],
        help_text="No comment is shown for a group with fewer respondents than this.",
    )
    # Days after a release before a manager who has chosen no focus is reminded once; None: off.
    focus_reminder_days = models.PositiveSmallIntegerField(
        "remind managers without a focus after (days)",
        null=True,
        blank=True,
        default=7,
        validators=[MinValueValidator(1)],
        help_text="Leave empty to send no reminder.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = cadence_problems(
            kind=self.kind,
            schedule_kind=self.schedule_kind,
            day_of_month=self.day_of_month,
            week_of_month=self.week_of_month,
            weekday=self.weekday,
            send_hour=self.send_hour,
            time_zone=self.time_zone,
            window_days=self.window_days,
            reminder_offsets=self.reminder_offsets,
            k=self.k,
            k_comment=self.k_comment,
        )
        if problems:
            raise ValidationError(problems)


class CycleState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class StuckReason(models.TextChoices):
    """Which stage of a cycle keeps failing. Only these words are kept about a failure: never an
    exception's message, which could quote an answer or an address."""

    CLOSING = "closing", "closing the cycle"
    SENDING = "sending", "sending invitations"
    STORING = "storing", "storing answers"
    RELEASING = "releasing", "releasing results"


class CycleQuerySet(models.QuerySet["Cycle"]):
    def mark_stuck(self, cycle_id: int, *, reason: StuckReason, now: datetime) -> None:
        """Record that `reason`'s stage failed for the cycle; `stuck_since` keeps the first
        failure of a run of them."""
        self.filter(pk=cycle_id).exclude(stuck_reason=reason).update(
            stuck_reason=reason, stuck_since=now
        )

    def clear_stuck(self, cycle_id: int, *, reasons: Iterable[StuckReason]) -> None:
        """The stage went through: forget a failure recorded for it."""
        self.filter(pk=cycle_id, stuck_reason__in=list(reasons)).update(
            stuck_reason="", stuck_since=None
        )


def new_cycle_public_id() -> str:
    """128 random bits, drawn apart from every link's token: neither can be derived from the
    other."""
    return secrets.token_urlsafe(16)


class Cycle(models.Model):
    """One survey of a cadence for one period. Everything a result depends on is frozen here."""

    cadence = models.ForeignKey(Cadence, on_delete=models.PROTECT, related_name="cycles")
    period = models.CharField(max_length=10)
    # Carried in every answer link of the cycle beside the token (/a/<public_id>/<token>/), the
    # same for everyone invited, so it says nothing about a person. It outlives the link
    # digests, so a click after close can say that the survey closed, and when.
    public_id = models.CharField(
        max_length=32, unique=True, default=new_cycle_public_id, editable=False
    )
    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    state = models.CharField(
        max_length=10, choices=CycleState.choices, default=CycleState.SCHEDULED
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    k = models.PositiveSmallIntegerField()
    k_comment = models.PositiveSmallIntegerField()
    reminder_offsets = models.JSONField(default=list)
    # How many reminder waves have come due; each invitation is owed 1 + this many emails.
    reminder_waves_due = models.PositiveSmallIntegerField(default=0)
    invited_count = models.PositiveIntegerField(default=0)
    # Kept at close, when the per-invitation send counters are wiped.
    delivered_count = models.PositiveIntegerField(null=True, blank=True)
    launch_error = models.CharField(max_length=300, blank=True)
    # A stage that failed at its last try and is tried again every minute, shown to HR on the
    # cycles page; cleared when it goes through. The ids and the exception's type are in the
    # worker's log (common.failures).
    stuck_reason = models.CharField(max_length=10, choices=StuckReason.choices, blank=True)
    stuck_since = models.DateTimeField(null=True, blank=True)

    # Claims of the loop's two emails to managers (pulse.loop_emails), each taken once by a
    # conditional update: "your results are ready" after the release, and the one reminder to
    # those who chose no focus. The first also dates the release for the reminder's delay.
    results_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    focus_reminders_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["cadence", "period"], name="one_cycle_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.cadence.name} {self.period}"


class CycleItem(models.Model):
    """An item exactly as a cycle asked it, whatever happens to the catalogue later."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    item = models.ForeignKey(Item, null=True, on_delete=models.SET_NULL, related_name="+")
    key = models.SlugField(max_length=40)
    item_version = models.PositiveIntegerField()
    # Empty for the follow-through item (key FOLLOW_THROUGH_KEY), which is of no domain: it is
    # asked only of the reporting units shown a focus, and its text names the focus domain
    # where "{focus}" stands (surveys.follow_through).
    domain = models.CharField(max_length=20, choices=Domain.choices, blank=True)
    text = models.CharField(max_length=300)
    reverse_scored = models.BooleanField()

    class Meta:
        ordering = ["cycle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "position"], name="one_item_per_position"),
            models.UniqueConstraint(fields=["cycle", "key"], name="one_copy_of_item_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class CycleTeam(models.Model):
    """A team as it was when the cycle launched, and the reporting unit its answers count in."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="teams")
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=200)
    manager = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    manager_name = models.CharField(max_length=200)
    eligible_count = models.PositiveIntegerField()
    # Itself when its pool reaches k, else the ancestor it merged into.
    reporting_unit = models.ForeignKey(
        "self", null=True, on_delete=models.CASCADE, related_name="merged_teams"
    )
    # Participation, kept per reporting unit only, written when the cycle closes: the
    # respondents whose answers are stored in this unit's cell (0 for a unit counted upward).
    unit_eligible_count = models.PositiveIntegerField(default=0)
    unit_respondent_count = models.PositiveIntegerField(null=True, blank=True)
    # Set at close for a reporting unit with 1..k-1 respondents: the ancestor unit whose cell
    # its answers are stored and counted in (move-up by respondents, surveys.closing).
    answers_counted_in = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The shared focus this team's people were shown when the cycle launched: the focus of the
    # team itself or of its nearest ancestor whose manager shared one. Where set, the cycle asks
    # these people the follow-through item (docs/anonymity.md covers it like any other item).
    focus = models.ForeignKey(
        "Focus", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # That focus's domain, frozen with it: it alone decides that the unit's people are asked the
    # follow-through item, for the whole cycle, and the domain the item names, even if the focus
    # is deleted meanwhile (with its team, say): a question set that changed mid-cycle would
    # split the unit's ballots. Empty: no focus, not asked.
    focus_domain = models.CharField(max_length=20, choices=Domain.choices, blank=True)

    class Meta:
        ordering = ["cycle", "name"]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One person's invitation to one cycle. Wiped of everything answer-related at close."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="invitations")
    # PROTECT: a survey's figures count its invitations, so deleting a person erases them
    # instead (teams.erasure) and nothing may take their invitations with them.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="invitations")
    reporting_unit = models.ForeignKey(CycleTeam, on_delete=models.CASCADE, related_name="+")
    # None once the cycle closes: from then on nobody can tell who answered.
    answered = models.BooleanField(null=True, default=False)
    # Emails delivered so far: 1 for the invitation, +1 per reminder wave. Wiped at close too,
    # since "got fewer reminders" would otherwise mean "answered early".
    emails_sent = models.PositiveSmallIntegerField(null=True, default=0)
    # Sending claims: a batch owns its rows until it finishes or its claim goes stale.
    send_batch = models.UUIDField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivery_failed = models.BooleanField(default=False)
    delivery_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="one_invitation_per_person"),
        ]
        indexes = [models.Index(fields=["cycle", "emails_sent"])]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.cycle_id}"


class CycleReader(models.Model):
    """A login that held HR when the cycle closed: the HR admins its results were protected
    against (they count as readers in its cells). Only they see its results as HR; a login made
    HR later does not, since nobody counted its own answers when the figures were chosen.

    The person behind the login is kept with it, and outlives it: someone who was HR then knows
    their own answers for good, so a later release still counts them as a reader of this one
    after their login is deleted (employees need none)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="readers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="one_reader_row_per_login"),
        ]

    def __str__(self) -> str:
        return f"Reader of cycle {self.cycle_id}"


class InvitationToken(models.Model):
    """The keyed digest of one emailed link. Deleted when the cycle closes.

    Each email carries a fresh token (the raw token is never stored, so a reminder cannot
    resend the first one); any of an invitation's tokens works, once for the invitation.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    digest = models.BinaryField(max_length=32, unique=True)

    def __str__(self) -> str:
        return "Answer-link digest"


class CommitmentStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DOING = "doing", "Doing"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


MAX_COMMITMENTS = 3


class Focus(models.Model):
    """What a team's manager chose to work on after a release: one domain, one to three
    commitments, and once shared, shown to the team on its next pulse. Identity side: it names
    the team and who chose it, and says nothing about any answer."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="focuses")
    # The released cycle whose results the focus answers.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="focuses")
    domain = models.CharField(max_length=20, choices=Domain.choices)
    # An optional "you said, we did" note shown to the team with the commitments.
    note = models.TextField(max_length=1000, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "cycle"], name="one_focus_per_team_and_cycle"),
        ]

    def __str__(self) -> str:
        return f"Focus of team {self.team_id} after cycle {self.cycle_id}: {self.domain}"


class Commitment(models.Model):
    """One thing the manager and team said they would do on the focus."""

    focus = models.ForeignKey(Focus, on_delete=models.CASCADE, related_name="commitments")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.PLANNED
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["focus", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["focus", "position"], name="one_commitment_per_position"
            ),
        ]

    def __str__(self) -> str:
        return self.text
