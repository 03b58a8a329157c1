"""Customer metrics in the admin, for HR and CX admins (customers.roles)."""

from django.contrib import admin

from customers.models import Metric, MetricValue


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "unit", "better", "roll_up"]
    search_fields = ["name", "key"]


@admin.register(MetricValue)
class MetricValueAdmin(admin.ModelAdmin):
    list_display = ["metric", "team", "period", "value", "volume"]
    list_filter = ["metric", "period"]
    search_fields = ["team__name", "team__manager__employee_id"]
    list_select_related = ["metric", "team"]
    autocomplete_fields = ["team"]
