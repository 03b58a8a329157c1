"""The identity plane's org chart: people, the teams that follow their reporting lines.

A person with direct reports leads a team made of those reports. A team's parent is the team its
manager belongs to. A manager is therefore a member of their own manager's team, not of the team
they lead; the top person, who has no manager, counts in the root team they lead.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper


class PersonQuerySet(models.QuerySet["Person"]):
    def on_chart(self) -> "PersonQuerySet":
        """Everyone but the erased (teams.erasure): the people HR lists, imports and invites."""
        return self.filter(erased_at__isnull=True)


class Person(models.Model):
    employee_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    # Set when HR deleted a person who had been invited to a survey: the row stays, with no
    # personal data, so that their invitations keep counting in the surveys' figures
    # (teams.erasure). An erased person is inactive, in no team and on no page.
    # Indexed: every scheduler pass looks for the erased (surveys.erased_people).
    erased_at = models.DateTimeField(null=True, blank=True, db_index=True)
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    # Managers and HR log in as Django users; employees never need one (they answer by link).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        # Addresses are compared case-insensitively (`email__iexact`, UPPER on PostgreSQL):
        # finding the person behind an HR login on every HR page must not read everyone.
        indexes = [models.Index(Upper("email"), name="person_email_any_case")]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_id})"


class Team(models.Model):
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    manager = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="led_team")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token of a manager or HR admin, for scripts (teams.api_tokens).

    Only the SHA-256 digest of the token is stored: the token itself (256 random bits) is shown
    once, when it is created, so a copy of the database cannot be used to call the API.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    # Updated at most once a minute (teams.api_tokens.LAST_USED_PRECISION), not on every call.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class AuditAction(models.TextChoices):
    CYCLE_LAUNCHED = "cycle_launched", "Launched a cycle"
    CYCLE_CLOSED = "cycle_closed", "Closed a cycle"
    CADENCE_CREATED = "cadence_created", "Created a cadence"
    CADENCE_CHANGED = "cadence_changed", "Changed a cadence"
    THRESHOLD_CHANGED = "threshold_changed", "Changed a threshold"
    ORG_IMPORTED = "org_imported", "Imported the org chart"
    LOGIN_INVITED = "login_invited", "Invited someone to log in"
    LOGIN_OUTSIDE_ORG_CHART = "login_outside_org_chart", "Said a login is nobody in the org chart"


class AuditEvent(models.Model):
    """One thing HR (or the command line) did: who, what, to which object, when (teams.audit).

    Identity side, and about HR's actions only: `details` holds counts and settings HR chose,
    never anything about an invitation or an answer, so the table says nothing about who
    answered, or when, however many copies of it anyone keeps."""

    # None: the command line (or a login deleted since; `actor_name` then still says who).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    subject = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.get_action_display()} {self.subject}"


class LoginOutsideOrgChart(models.Model):
    """Someone said that this login belongs to nobody in the org chart (an outside adviser, the
    operator's own login), so it reads results as HR though the release counts no person of it
    as a reader (teams.hr_identity). Made by `make_hr --outside-org-chart`, which refuses it
    for a login that names a person, and kept in the audit log with who said it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outside_org_chart"
    )
    stated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "logins outside the org chart"

    def __str__(self) -> str:
        return f"Login {self.user_id} outside the org chart"


class HeldOrgFile(models.Model):
    """An org file HR uploaded on the org import page and has previewed but not yet applied or
    cancelled (teams.org_uploads). Kept so that applying does not need the file again; one per
    login, deleted on apply or cancel, and forgotten after ORG_FILE_HELD_FOR."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_org_file"
    )
    file_name = models.CharField(max_length=200)
    data = models.BinaryField()
    deactivate_missing = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField()
    # The latest check or apply of this file; the page shows its progress, then its outcome.
    job = models.ForeignKey(
        "OrgImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.file_name


class OrgImportJobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    INVALID = "invalid", "Invalid"
    FAILED = "failed", "Failed"


class OrgImportJob(models.Model):
    """One org import (or dry run) run by a worker, for the org import page and the API
    (teams.org_jobs). The file's bytes are kept until the job has finished; its outcome (the
    summary, every problem, or why it failed) is kept here. Progress while it runs is in the
    cache, where other connections can read it while the import's transaction is open."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_import_jobs"
    )
    file_name = models.CharField(max_length=200)
    data = models.BinaryField()
    # The file is a JSON list of people rather than CSV (the API accepts both).
    is_json = models.BooleanField(default=False)
    deactivate_missing = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    state = models.CharField(
        max_length=10, choices=OrgImportJobState.choices, default=OrgImportJobState.QUEUED
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # done: counts and the first changes of each kind (teams.org_jobs.summary_record).
    summary = models.JSONField(null=True, blank=True)
    # invalid: the first problems by line ({"line", "column", "message"}) and how many in all.
    problems = models.JSONField(null=True, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    # failed: a sentence for HR, never an exception's message (it could quote the file).
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"
