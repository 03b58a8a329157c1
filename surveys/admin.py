"""HR's admin for the item catalogue, cadences and cycles."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from surveys.cadence_outlook import cadence_outlook
from surveys.launch import schedule_rule
from surveys.models import Cadence, Cycle, CycleItem, CycleState, Item
from surveys.selectors import Delivery, with_delivery
from surveys.services import save_cadence, save_item
from teams.audit import acting_login


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
        save_cadence(
            cadence=obj,
            population_team=form.cleaned_data.get("population_team"),
            actor=acting_login(request.user),
        )

    @admin.action(description="Launch this period's cycle now…")
    def launch_now(
        self, request: HttpRequest, queryset: QuerySet[Cadence]
    ) -> HttpResponseRedirect | None:
        """To HR's confirmation page, which says how many people will be emailed: nothing
        launches from the list itself."""
        if queryset.count() != 1:
            self.message_user(request, "Choose one cadence to launch.", messages.WARNING)
            return None
        cadence = queryset.get()
        return HttpResponseRedirect(reverse("hr-cycle-launch", args=[cadence.pk]))


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

    def has_delete_permission(self, request: HttpRequest, obj: Cycle | None = None) -> bool:
        """Only a cycle that never launched can go: a launched one has invitations, answers
        waiting or stored, a release and the comments, which nobody may take away."""
        if obj is not None and obj.state != CycleState.SCHEDULED:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # "Delete selected" asks for the permission without the cycles, so it would delete
        # closed ones too: a scheduled cycle is deleted from its own page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cycle]:
        return with_delivery(super().get_queryset(request).select_related("cadence"))

    @admin.display(description="Emails sent")
    def delivered(self, cycle: Cycle) -> int:
        return Delivery.of(cycle).sent

    @admin.display(description="Delivery failures")
    def delivery_failures(self, cycle: Cycle) -> int:
        return Delivery.of(cycle).failed

    @admin.action(description="Close now…")
    def close_now(
        self, request: HttpRequest, queryset: QuerySet[Cycle]
    ) -> HttpResponseRedirect | None:
        """To HR's confirmation page, which says what closing ends."""
        if queryset.count() != 1:
            self.message_user(request, "Choose one cycle to close.", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("hr-cycle-close", args=[queryset.get().pk]))
