"""Customer metrics per team and month: the customer experience a team delivers.

Imported figures (CSAT, customer NPS, first-contact resolution, response times) are data about
teams, never about people, and sit beside the survey's released figures for the same reporting
units (docs/cx-metrics.md). Nothing here refers to a person, an invitation or an answer.
"""

from django.core.validators import RegexValidator
from django.db import models

from teams.models import Team

MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "Write the month as YYYY-MM, e.g. 2026-11.")


class MetricUnit(models.TextChoices):
    PERCENT = "percent", "Percent"
    POINTS = "points", "Points"
    MINUTES = "minutes", "Minutes"
    COUNT = "count", "Count"


class Better(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class RollUp(models.TextChoices):
    """How a unit's figure is made from its teams' figures (and a quarter's from its months)."""

    WEIGHTED_MEAN = "weighted_mean", "Mean weighted by volume"
    SUM = "sum", "Sum"


class Metric(models.Model):
    key = models.SlugField(
        max_length=40, unique=True, help_text="How import files name the metric, e.g. csat."
    )
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=10, choices=MetricUnit.choices)
    better = models.CharField(max_length=10, choices=Better.choices, default=Better.HIGHER)
    roll_up = models.CharField(max_length=20, choices=RollUp.choices, default=RollUp.WEIGHTED_MEAN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MetricValue(models.Model):
    """One team's figure for one month. `volume` (answers to a CSAT survey, tickets, calls)
    weights the mean when teams or months are rolled up; without it each counts once."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="values")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7, validators=[MONTH])
    value = models.FloatField()
    volume = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["metric", "team", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "team", "period"], name="one_value_per_metric_team_and_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} of team {self.team_id} in {self.period}: {self.value}"
