"""Input and output shapes of the surveys API."""

import copy

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as ModelValidationError
from rest_framework import serializers

from surveys.cadence_rules import defaults_for
from surveys.models import Cadence, Cycle
from surveys.selectors import Delivery
from surveys.services import create_cadence, save_cadence
from teams.audit import acting_login
from teams.models import Team

CADENCE_SETTINGS = [
    "kind",
    "schedule_kind",
    "day_of_month",
    "week_of_month",
    "weekday",
    "send_hour",
    "time_zone",
    "window_days",
    "reminder_offsets",
    "k",
    "k_comment",
]


class CadenceSerializer(serializers.ModelSerializer):
    population_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="Survey this team and everything below it; null for the whole organisation.",
    )
    population_missing = serializers.SerializerMethodField(
        help_text="True when the chosen team no longer exists: the cadence cannot launch."
    )

    class Meta:
        model = Cadence
        fields = [
            "id",
            "name",
            *CADENCE_SETTINGS,
            "focus_reminder_days",
            "population_team",
            "population_missing",
            "active",
        ]
        # One voice for every rule: the messages of surveys.cadence_rules.
        extra_kwargs = {
            "k": {"error_messages": {"min_value": "The minimum group size k must be at least 3."}},
            "k_comment": {
                "error_messages": {"min_value": "The comment threshold must be at least 3."}
            },
            "send_hour": {
                "error_messages": {"max_value": "The send hour must be between 0 and 23."}
            },
        }

    def get_population_missing(self, cadence: Cadence) -> bool:
        return cadence.population_is_team and cadence.population_team_id is None

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        # The settings as they would be saved: what was sent, over what is stored (or, for a
        # new cadence, the defaults), checked by the model's own rules.
        if self.instance is None:
            # A new cadence's window and reminders follow its kind unless given.
            defaults = defaults_for(str(attrs.get("kind", "")))
            attrs.setdefault("window_days", defaults.window_days)
            attrs.setdefault("reminder_offsets", list(defaults.reminder_offsets))
        proposed = copy.copy(self.instance) if self.instance is not None else Cadence()
        for name in CADENCE_SETTINGS:
            if name in attrs:
                setattr(proposed, name, attrs[name])
        try:
            proposed.clean()
        except ModelValidationError as invalid:
            raise serializers.ValidationError(invalid.message_dict) from invalid
        return attrs

    def acting_login(self) -> User | None:
        request = self.context.get("request")
        return acting_login(request.user) if request is not None else None

    def create(self, validated_data: dict) -> Cadence:
        return create_cadence(actor=self.acting_login(), **validated_data)

    def update(self, instance: Cadence, validated_data: dict) -> Cadence:
        team = validated_data.pop("population_team", instance.population_team)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return save_cadence(cadence=instance, population_team=team, actor=self.acting_login())


class CycleSerializer(serializers.ModelSerializer):
    """A cycle as `surveys.selectors.with_delivery` reads it."""

    name = serializers.CharField(source="__str__", read_only=True)
    delivered_count = serializers.SerializerMethodField(
        help_text="Invitations whose first email went out: counted live while the cycle is "
        "open, kept at close. The same figure as HR's cycles page and the admin."
    )
    delivery_failures = serializers.SerializerMethodField(
        help_text="Invitations whose address refused the email."
    )

    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "cadence",
            "period",
            "kind",
            "state",
            "opens_at",
            "closes_at",
            "closed_at",
            "k",
            "k_comment",
            "invited_count",
            "delivered_count",
            "delivery_failures",
            "launch_error",
        ]
        read_only_fields = fields

    def get_delivered_count(self, cycle: Cycle) -> int:
        return Delivery.of(cycle).sent

    def get_delivery_failures(self, cycle: Cycle) -> int:
        return Delivery.of(cycle).failed


class ReadableCycleSerializer(serializers.ModelSerializer):
    """A cycle as a manager's script lists it: which survey, when it closed, its thresholds.
    Delivery counts are the whole organisation's, so only HR's list carries them."""

    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Cycle
        fields = ["id", "name", "cadence", "period", "kind", "state", "closes_at", "k", "k_comment"]
        read_only_fields = fields
