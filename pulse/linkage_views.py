"""HR's page "Employees and customers" and its CSV export; the same choices drive the API."""

import csv
import io
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict

from customers.selectors import MetricInfo, metrics
from pulse.charts import scatter_chart
from pulse.dashboard_views import chosen_cycle, hr_only, page
from pulse.linkage import (
    ENPS,
    LinkedPoint,
    LinkedView,
    domain_tracking,
    linked_view,
    survey_measures,
)


@dataclass(frozen=True)
class LinkedChoice:
    measure: str
    metric: MetricInfo | None  # None when no metric is defined yet
    lag: int


def linked_choice(query: QueryDict, defined: list[MetricInfo]) -> LinkedChoice | dict[str, str]:
    """The x measure, metric and lag a query asks for, or field -> why it cannot be read."""
    errors = {}
    measures = [key for key, _ in survey_measures()]
    measure = query.get("x", "index")
    if measure not in measures:
        errors["x"] = f"Choose one of {', '.join(measures)}; {measure!r} is not a survey figure."
    by_key = {metric.key: metric for metric in defined}
    wanted = query.get("metric")
    metric = by_key.get(wanted) if wanted is not None else (defined[0] if defined else None)
    if wanted is not None and metric is None:
        known = ", ".join(by_key) or "none is defined yet"
        errors["metric"] = f"No customer metric has the key {wanted!r} (known: {known})."
    lag = query.get("lag", "0")
    if lag not in ("0", "1"):
        errors["lag"] = "Give lag=0 (the survey's own period) or lag=1 (the period after)."
    if errors:
        return errors
    return LinkedChoice(measure=measure, metric=metric, lag=int(lag))


def x_span(measure: str) -> tuple[float, float]:
    return (-100.0, 100.0) if measure == ENPS else (0.0, 100.0)


@login_required
def employees_and_customers(request: HttpRequest) -> HttpResponse:
    hr_only(request)
    cycle, cycles = chosen_cycle(request)
    defined = metrics()
    choice = linked_choice(request.GET, defined)
    context: dict = {
        "cycle": cycle,
        "cycles": cycles,
        "measures": survey_measures(),
        "metrics": defined,
    }
    if isinstance(choice, dict):
        return page(request, "pulse/linked.html", {**context, "errors": choice}, status=400)
    context["choice"] = choice
    if cycle is not None and choice.metric is not None:
        view = linked_view(
            request.user, cycle, measure=choice.measure, metric=choice.metric, lag=choice.lag
        )
        context["view"] = view
        context["chart"] = scatter_chart(
            [(p.name, p.survey, p.customer) for p in view.points], x_span=x_span(choice.measure)
        )
        context["tracking"] = domain_tracking(request.user, cycle, lag=choice.lag, chart=view)
    return page(request, "pulse/linked.html", context)


@login_required
def employees_and_customers_csv(request: HttpRequest) -> HttpResponse:
    hr_only(request)
    cycle, _ = chosen_cycle(request)
    choice = linked_choice(request.GET, metrics())
    if isinstance(choice, dict):
        lines = "\n".join(f"{field}: {why}" for field, why in choice.items())
        return HttpResponse(lines + "\n", status=400, content_type="text/plain; charset=utf-8")
    if cycle is None or choice.metric is None:
        raise Http404("No released results or no customer metric yet.")
    view = linked_view(
        request.user, cycle, measure=choice.measure, metric=choice.metric, lag=choice.lag
    )
    return linked_csv(view)


CSV_HEADER = ["unit", "survey_period", "measure", "survey_value", "metric", "customer_period"]


def linked_csv_name(view: LinkedView) -> str:
    return f"employees-and-customers-{view.cycle.period}-{view.measure}-{view.metric.key}.csv"


def linked_csv_text(view: LinkedView, points: list[LinkedPoint] | None = None) -> str:
    """One row per paired unit: exactly the points of the scatter, nothing that it leaves out;
    or only `points`, one page of them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_HEADER, "customer_value", "volume", "teams"])
    for point in view.points if points is None else points:
        writer.writerow(
            [
                point.name,
                view.cycle.period,
                view.measure,
                f"{point.survey:g}",
                view.metric.key,
                view.period,
                f"{point.customer:g}",
                "" if point.volume is None else f"{point.volume:g}",
                point.teams,
            ]
        )
    return out.getvalue()


def linked_csv(view: LinkedView) -> HttpResponse:
    response = HttpResponse(linked_csv_text(view), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{linked_csv_name(view)}"'
    return response
