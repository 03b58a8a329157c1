"""Plain-row inserts (common.bulk_rows): the rows get the model's defaults, and ids taken for
them never collide with ids handed out before or after."""

import pytest
from django.db import transaction

from common.bulk_rows import insert_rows, reserve_ids
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
