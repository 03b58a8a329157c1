"""An item's version moves whenever its wording does, whoever edits it, and only then."""

import pytest

from surveys.models import Item
from surveys.services import save_item

pytestmark = pytest.mark.django_db


def item_form(item: Item, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "key": item.key,
        "domain": item.domain,
        "text": item.text,
        "rotation_group": item.rotation_group,
        "active": "on" if item.active else "",
        "reverse_scored": "on" if item.reverse_scored else "",
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value != ""}


def test_rewording_an_item_in_the_admin_bumps_its_version_once(admin_client) -> None:
    item = Item.objects.order_by("pk").first()
    assert item is not None
    before = item.version
    reworded = item_form(item, text="Mistakes here are talked about openly, without blame.")
    response = admin_client.post(f"/admin/surveys/item/{item.pk}/change/", reworded)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.text, item.version) == (reworded["text"], before + 1)


def test_saving_an_item_in_the_admin_without_changing_its_words_keeps_the_version(
    admin_client,
) -> None:
    item = Item.objects.order_by("pk").first()
    assert item is not None
    before = item.version
    response = admin_client.post(
        f"/admin/surveys/item/{item.pk}/change/", item_form(item, active="")
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.active, item.version) == (False, before)


def test_a_script_rewording_an_item_through_the_service_bumps_the_version_too() -> None:
    item = Item.objects.order_by("pk").first()
    assert item is not None
    before = item.version
    item.text = "People here would help me even when it costs them time."
    assert save_item(item=item).version == before + 1
    item.rotation_group = 3 if item.rotation_group != 3 else 2
    assert save_item(item=item).version == before + 1


def test_a_new_item_starts_at_version_one() -> None:
    item = save_item(
        item=Item(key="new-item", domain="help", text="A new statement.", rotation_group=1)
    )
    assert Item.objects.get(pk=item.pk).version == 1
