"""Attack: read the schema of the anonymous plane looking for anything that points at a person
or orders answers in time."""

import uuid

from django.apps import apps
from django.db import models

FORBIDDEN_TARGETS = {"teams", "auth", "sessions", "admin"}
FORBIDDEN_MODELS = {("surveys", "invitation"), ("surveys", "invitationtoken")}
FORBIDDEN_FIELD_TYPES = (
    models.DateField,  # DateTimeField is a DateField
    models.TimeField,
    models.DurationField,
    models.GenericIPAddressField,
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
)
FORBIDDEN_NAME_PARTS = (
    "person",
    "user",
    "invitation",
    "token",
    "session",
    "ip",
    "email",
    "agent",
    "created",
    "updated",
    "submitted",
    "time",
    "date",
    "order",
    "sequence",
)


def pulse_models() -> list[type[models.Model]]:
    return list(apps.get_app_config("pulse").get_models())


def test_pulse_has_models_to_inspect() -> None:
    names = {model.__name__ for model in pulse_models()}
    assert {"PendingBallot", "Response", "Comment", "ReleasedUnit"} <= names


def test_no_pulse_model_refers_to_a_person_a_login_or_an_invitation() -> None:
    for model in pulse_models():
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if target is None or target is model:
                continue
            label = (target._meta.app_label, target._meta.model_name)
            assert label[0] not in FORBIDDEN_TARGETS, f"{model.__name__}.{field.name} → {label}"
            assert label not in FORBIDDEN_MODELS, f"{model.__name__}.{field.name} → {label}"


def test_no_pulse_field_holds_a_time_an_address_or_an_identity() -> None:
    for model in pulse_models():
        for field in model._meta.concrete_fields:
            assert not isinstance(field, FORBIDDEN_FIELD_TYPES), f"{model.__name__}.{field.name}"
            assert not getattr(field, "auto_now", False)
            assert not getattr(field, "auto_now_add", False)
            words = field.name.lower().split("_")
            assert not any(part in words for part in FORBIDDEN_NAME_PARTS), (
                f"{model.__name__}.{field.name}"
            )


def test_every_pulse_key_is_random_not_ordered() -> None:
    for model in pulse_models():
        if model._meta.auto_created:
            continue  # the M2M table of trend links holds two random keys
        primary_key = model._meta.pk
        assert isinstance(primary_key, models.UUIDField), model.__name__
        assert primary_key.default is uuid.uuid4, model.__name__
        assert uuid.uuid4().version == 4
