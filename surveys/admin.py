"""HR's admin for the item catalogue, cadences and cycles."""

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from surveys.cadence_outlook import cadence_outlook
from surveys.closing import close_cycle
from surveys.launch import LaunchError, launch_now, schedule_rule
from surveys.models import Cadence, Cycle, CycleItem, CycleState, Item
from surveys.services import save_cadence, save_item


class DeliveryCounts(TypedDict):
    """What CycleAdmin's queryset adds to each cycle, for its list columns."""

    failures: int
    sent_so_far: int


if TYPE_CHECKING:  # django-stubs-ext is a checking aid, not installed to run the site
    from django_stubs_ext import WithAnnotations

    CycleWithDeliveryCounts = WithAnnotations[Cycle, DeliveryCounts]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["key", "domain", "rotation_group", "reverse_scored", "active", "version"]
    list_filter = ["domain", "rotation_group", "reverse_scored", "active"]
    search_fields = ["key", "text"]
    readonly_fields = ["version"]

    def save_model(self, request: HttpRequest, obj: Item, form: ModelForm, change: bool) -> None:
        save_item(item=obj)


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "population", "schedule", "window_days", "k", "active"]
    list_filter = ["kind", "active"]
    actions = ["launch_now"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "population_team", "active"]}),
        (
            "Schedule",
            {
                "fields": [
                    "schedule_kind",
                    "day_of_month",
                    ("week_of_month", "weekday"),
                    "send_hour",
                    "time_zone",
                    "window_days",
                    "reminder_offsets",
                ]
            },
        ),
        ("Minimum group sizes", {"fields": ["k", "k_comment"]}),
        ("After the results", {"fields": ["focus_reminder_days"]}),
    ]

    @admin.display(description="Population")
    def population(self, cadence: Cadence) -> str:
        if cadence.population_is_team and cadence.population_team is None:
            return "The chosen team no longer exists: choose another"
        return str(cadence.population_team) if cadence.population_team else "Whole organisation"

    @admin.display(description="What happens next")
    def schedule(self, cadence: Cadence) -> str:
        # Not the current period's opening date alone: on 1 December that would be October's,
        # with nothing launching.
        outlook = cadence_outlook(rule=schedule_rule(cadence), now=timezone.now(), cadence=cadence)
        return f"{outlook.this_period} (times in {outlook.time_zone})"

    def save_model(self, request: HttpRequest, obj: Cadence, form: ModelForm, change: bool) -> None:
        save_cadence(cadence=obj, population_team=form.cleaned_data.get("population_team"))

    @admin.action(description="Launch this period's cycle now")
    def launch_now(self, request: HttpRequest, queryset: QuerySet[Cadence]) -> None:
        for cadence in queryset:
            try:
                cycle = launch_now(cadence=cadence, now=timezone.now())
            except LaunchError as error:
                self.message_user(request, f"{cadence}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request, f"Launched {cycle} with {cycle.invited_count} invitations."
                )


# A cycle's items are frozen at launch: the inline shows them and edits none of them.
CYCLE_ITEM_COLUMNS = ("position", "domain", "text", "reverse_scored", "item_version")


class CycleItemInline(admin.TabularInline):
    model = CycleItem
    fields = CYCLE_ITEM_COLUMNS
    readonly_fields = CYCLE_ITEM_COLUMNS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Cycle | None = None) -> bool:
        return False


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "state",
        "opens_at",
        "closes_at",
        "invited_count",
        "delivered",
        "delivery_failures",
        "launch_error",
    ]
    list_filter = ["state", "kind", "cadence"]
    actions = ["close_now"]
    inlines = [CycleItemInline]
    exclude = ["reminder_waves_due"]

    def get_readonly_fields(self, request: HttpRequest, obj: Cycle | None = None) -> list[str]:
        return [field.name for field in Cycle._meta.fields if field.name != "id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # cycles come from cadences: the schedule, or "Launch now"

    def get_queryset(self, request: HttpRequest) -> "QuerySet[CycleWithDeliveryCounts]":
        return (
            super()
            .get_queryset(request)
            .select_related("cadence")
            .annotate(
                failures=Count("invitations", filter=Q(invitations__delivery_failed=True)),
                sent_so_far=Count("invitations", filter=Q(invitations__emails_sent__gte=1)),
            )
        )

    @admin.display(description="Emails delivered")
    def delivered(self, cycle: "CycleWithDeliveryCounts") -> int:
        return cycle.delivered_count if cycle.delivered_count is not None else cycle.sent_so_far

    @admin.display(description="Delivery failures", ordering="failures")
    def delivery_failures(self, cycle: "CycleWithDeliveryCounts") -> int:
        return cycle.failures

    @admin.action(description="Close now")
    def close_now(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        for cycle in queryset.exclude(state=CycleState.CLOSED):
            if close_cycle(cycle_id=cycle.pk):
                self.message_user(request, f"Closed {cycle}.")
