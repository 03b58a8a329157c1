"""Plain-row inserts and updates (common.bulk_rows): the rows get the model's defaults, ids
taken for them never collide with ids handed out before or after, and an update changes the
fields named, of the rows named, and nothing else."""

import pytest
from django.db import DataError, connection, transaction

from common import bulk_rows
from common.bulk_rows import insert_rows, reserve_ids, update_rows
from teams.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_people_written_as_plain_rows_get_the_defaults_a_created_person_gets() -> None:
    with transaction.atomic():
        (ada_id,) = reserve_ids(Person, 1)
        insert_rows(
            Person, ["id", "employee_id", "email", "name"], [(ada_id, "E1", "a@x.io", "Ada")]
        )
    ada = Person.objects.get(pk=ada_id)
    assert (ada.active, ada.manager_id, ada.user_id) == (True, None, None)


def test_ids_taken_for_plain_rows_are_not_handed_out_again_even_after_the_rows_are_deleted() -> (
    None
):
    grace = Person.objects.create(employee_id="E0", email="g@x.io", name="Grace")
    with transaction.atomic():
        taken = reserve_ids(Person, 3)
        insert_rows(
            Person,
            ["id", "employee_id", "email", "name"],
            [(pk, f"E{pk}", f"p{pk}@x.io", "Plain") for pk in taken],
        )
    assert min(taken) > grace.pk
    Person.objects.filter(pk__in=taken).delete()
    with transaction.atomic():
        again = reserve_ids(Person, 3)
    assert not set(again) & {grace.pk, *taken}
    linus = Person.objects.create(employee_id="E9", email="l@x.io", name="Linus")
    assert linus.pk not in taken


def test_an_update_sets_the_fields_named_of_the_rows_named_and_leaves_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Batches of two, so that the five rows take three statements.
    monkeypatch.setattr(bulk_rows, "UPDATE_BATCH", 2)
    boss = Person.objects.create(employee_id="B", email="b@x.io", name="Boss")
    people = [
        Person.objects.create(employee_id=f"E{n}", email=f"p{n}@x.io", name=f"P{n}", manager=boss)
        for n in range(5)
    ]
    untouched = Person.objects.create(employee_id="U", email="u@x.io", name="Same", manager=boss)
    given = update_rows(
        Person,
        ["name", "manager", "active"],
        [
            (person.pk, f"Renamed {n}", None if n % 2 else person.pk, n == 3)
            for n, person in enumerate(people)
        ],
    )
    assert given == 5
    after = {p.pk: (p.name, p.manager_id, p.active, p.email) for p in Person.objects.all()}
    for n, person in enumerate(people):
        assert after[person.pk] == (
            f"Renamed {n}",
            None if n % 2 else person.pk,
            n == 3,
            f"p{n}@x.io",
        )
    assert after[untouched.pk] == ("Same", boss.pk, True, "u@x.io")
    assert after[boss.pk] == ("Boss", None, True, "b@x.io")


def test_an_update_refuses_columns_whose_values_need_converting() -> None:
    # A time would go through JSON as text, and each database reads text as a time its own way.
    with pytest.raises(ValueError, match="plain columns only, not erased_at"):
        update_rows(Person, ["name", "erased_at"], [])


def test_an_update_refuses_text_with_a_nul_character_rather_than_cutting_it_short() -> None:
    ada = Person.objects.create(employee_id="E1", email="a@x.io", name="Ada")
    with pytest.raises(ValueError, match="NUL"):
        update_rows(Person, ["name"], [(ada.pk, "Ada\x00Lovelace")])
    assert Person.objects.get(pk=ada.pk).name == "Ada"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite does not hold text to its column's length"
)
def test_an_update_refuses_text_too_long_for_its_column_rather_than_cutting_it_short() -> None:
    ada = Person.objects.create(employee_id="E1", email="a@x.io", name="Ada")
    with pytest.raises(DataError), transaction.atomic():
        update_rows(Person, ["name"], [(ada.pk, "x" * 201)])
    assert Person.objects.get(pk=ada.pk).name == "Ada"
