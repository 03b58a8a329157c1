"""Customer metrics over the API: HR and CX admins define metrics, import values (CSV or JSON,
the command's rules) and read them back; nobody else can."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from customers.models import Metric, MetricValue
from customers.roles import is_cx_admin
from teams.models import Person
from tests.customers.test_import import GOOD

pytestmark = pytest.mark.django_db


def client_of(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_only_hr_and_cx_admins_may_import_values(org, csat, tickets, hr, cx_admin) -> None:
    sam = User.objects.create_user("sam", "sam@example.com", "pw")
    Person.objects.filter(pk=org["Sam"].pk).update(user=sam)
    for outsider, status in ((client_of(None), 401), (client_of(sam), 403)):
        response = outsider.generic(
            "POST", "/api/v1/cx/values/import", GOOD, content_type="text/csv"
        )
        assert response.status_code == status
        assert outsider.get("/api/v1/cx/values/").status_code == status
        assert outsider.post("/api/v1/cx/metrics/", {"key": "x"}).status_code == status
    assert not MetricValue.objects.exists()
    response = cx_admin.generic("POST", "/api/v1/cx/values/import", GOOD, content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 4, "updated": 0, "unchanged": 0, "dry_run": False}
    upload = SimpleUploadedFile("cx.csv", GOOD.encode(), content_type="text/csv")
    response = hr.post("/api/v1/cx/values/import", {"file": upload}, format="multipart")
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 4, "dry_run": False}


def test_a_bad_json_import_answers_every_problem_by_position_and_stores_nothing(
    org, csat, cx_admin
) -> None:
    values = [
        {"team": "S2", "period": "2026-11", "metric": "csat", "value": 88, "volume": 40},
        {"team": "Nowhere", "period": "2026-11", "metric": "csat", "value": True},
        {"team": "S4", "period": "2026-11", "metric": "csat", "value": 120},
    ]
    response = cx_admin.post("/api/v1/cx/values/import", {"values": values}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_cx_file"
    assert body["problems"] == 3
    assert body["rows"] == [
        {
            "line": 2,
            "column": "team",
            "message": '"Nowhere" is not a team in the org chart (neither a team\'s name nor '
            "the employee_id of a team's leader)",
        },
        {"line": 2, "column": "value", "message": "must be a string or a number"},
        {
            "line": 3,
            "column": "value",
            "message": "120 is not a percentage between 0 and 100 (csat is in percent)",
        },
    ]
    assert not MetricValue.objects.exists()
    response = cx_admin.post("/api/v1/cx/values/import", values[:1], format="json")
    assert response.json()["created"] == 1


def test_a_dry_run_over_the_api_counts_and_changes_nothing(org, csat, tickets, hr) -> None:
    response = hr.generic(
        "POST", "/api/v1/cx/values/import?dry_run=true", GOOD, content_type="text/csv"
    )
    assert response.json() == {"created": 4, "updated": 0, "unchanged": 0, "dry_run": True}
    assert not MetricValue.objects.exists()


def test_values_are_read_back_by_metric_and_period(org, csat, tickets, cx_admin) -> None:
    cx_admin.generic("POST", "/api/v1/cx/values/import", GOOD, content_type="text/csv")
    response = cx_admin.get("/api/v1/cx/values/?metric=csat&period=2026-11")
    assert response.status_code == 200
    assert [
        (row["team"], row["team_leader"], row["value"], row["volume"]) for row in response.json()
    ] == [("Support", "S2", 84.5, 120), ("Support North", "N3", 91, 300)]
    quarter = cx_admin.get("/api/v1/cx/values/?period=2026-Q4").json()
    assert len(quarter) == 4
    bad = cx_admin.get("/api/v1/cx/values/?period=2026-13")
    assert bad.status_code == 400 and "period" in bad.json()["fields"]
    assert cx_admin.get("/api/v1/cx/values/?metric=nps").status_code == 400
    assert cx_admin.get("/api/v1/cx/values/?metric=cs%00at").status_code == 400
    assert cx_admin.get("/api/v1/cx/metrics/cs%00at").status_code == 404


def test_cx_admins_define_metrics_whose_key_then_stays(cx_admin) -> None:
    response = cx_admin.post(
        "/api/v1/cx/metrics/",
        {"key": "aht", "name": "Handling time", "unit": "minutes", "better": "lower"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "key": "aht",
        "name": "Handling time",
        "unit": "minutes",
        "better": "lower",
        "roll_up": "weighted_mean",
    }
    renamed = cx_admin.patch("/api/v1/cx/metrics/aht", {"name": "AHT"}, format="json")
    assert renamed.json()["name"] == "AHT"
    rekeyed = cx_admin.patch("/api/v1/cx/metrics/aht", {"key": "handling"}, format="json")
    assert rekeyed.status_code == 400
    assert "cannot change" in rekeyed.json()["fields"]["key"][0]
    wrong = cx_admin.post(
        "/api/v1/cx/metrics/", {"key": "x", "name": "X", "unit": "stars"}, format="json"
    )
    assert wrong.status_code == 400 and "unit" in wrong.json()["fields"]
    assert [metric["key"] for metric in cx_admin.get("/api/v1/cx/metrics/").json()] == ["aht"]
    assert Metric.objects.get().name == "AHT"


def test_hr_grants_the_cx_admin_role_with_a_command(db) -> None:
    carla = User.objects.create_user("carla@example.com", "carla@example.com", "pw")
    assert not is_cx_admin(carla)
    call_command("make_cx_admin", "Carla@Example.com", stdout=StringIO())
    carla.refresh_from_db()
    assert is_cx_admin(carla) and carla.is_staff
    call_command("make_cx_admin", "carla@example.com", "--remove", stdout=StringIO())
    assert not is_cx_admin(carla)


def test_the_schema_describes_metrics_values_their_import_and_the_linked_view(db) -> None:
    schema = client_of(None).get("/api/schema/", {"format": "json"}).json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    assert {"get", "post"} <= set(paths["/api/v1/cx/metrics/"])
    assert "get" in paths["/api/v1/cx/values/"] and "post" in paths["/api/v1/cx/values/import/"]
    linked = paths["/api/v1/cx/linked/"]["get"]
    assert {p["name"] for p in linked["parameters"]} >= {"cycle", "x", "metric", "lag"}
    ok = linked["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/LinkedView"}
    assert "text/csv" in ok
    assert {"key", "name", "unit", "better", "roll_up"} <= set(components["Metric"]["properties"])
    assert {"team", "period", "value", "volume"} <= set(components["MetricValue"]["properties"])
    view = set(components["LinkedView"]["properties"])
    assert {"points", "correlation", "hidden_by_anonymity_rules", "containing_other_units"} <= view
    assert {"n", "pearson", "spearman", "low", "high", "sentence"} <= set(
        components["Correlation"]["properties"]
    )
