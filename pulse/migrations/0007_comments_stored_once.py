"""Each released comment stored once per cycle instead of once per unit showing it.

Existing releases are rewritten into the new layout (pulse.release_comments): a unit's own
comments are its copies less the copies of the comment-released units nearest below it (as
multisets: two people may write the same words), laid out depth first, each unit's own
shuffled, each unit given its slice and a fresh order key. Reversing makes the copies again.
"""

import random
import uuid
from collections import Counter, defaultdict

import django.db.models.deletion
from django.db import migrations, models

from teams.tree_walks import IdTree


def comments_stored_once(apps, schema_editor) -> None:
    ReleasedUnit = apps.get_model("pulse", "ReleasedUnit")
    ReleasedComment = apps.get_model("pulse", "ReleasedComment")
    shuffler = random.SystemRandom()
    cycle_ids = set(
        ReleasedUnit.objects.filter(comments_released=True).values_list("cycle_id", flat=True)
    )
    for cycle_id in sorted(cycle_ids):
        units = list(ReleasedUnit.objects.filter(cycle_id=cycle_id))
        release_of = {unit.unit_id: unit for unit in units}
        copies: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
        for released_unit_id, text in ReleasedComment.objects.filter(
            released_unit__cycle_id=cycle_id
        ).values_list("released_unit_id", "text"):
            copies[released_unit_id][text] += 1
        tree = IdTree({unit.unit_id: unit.parent_unit_id for unit in units})
        shown_at = {unit.unit_id for unit in units if unit.comments_released}
        nearest_shown: dict[int, int | None] = {}
        own: dict[int, Counter[str]] = {}
        for unit_id in tree.top_down():
            parent = tree.parent_of.get(unit_id)
            above = nearest_shown.get(parent) if parent is not None else None
            nearest_shown[unit_id] = unit_id if unit_id in shown_at else above
            if unit_id in shown_at:
                own[unit_id] = Counter(copies[release_of[unit_id].pk])
                if above is not None:
                    own[above] -= copies[release_of[unit_id].pk]
        ReleasedComment.objects.filter(released_unit__cycle_id=cycle_id).delete()
        placed, rows, first = 0, [], {}
        for unit_id in tree.top_down():
            if unit_id not in shown_at:
                continue
            first[unit_id] = placed
            texts = list(own[unit_id].elements())
            shuffler.shuffle(texts)
            for text in texts:
                rows.append(
                    ReleasedComment(
                        cycle_id=cycle_id,
                        released_unit=release_of[unit_id],
                        position=placed,
                        text=text,
                    )
                )
                placed += 1
        ReleasedComment.objects.bulk_create(rows, batch_size=1000)
        for unit_id in shown_at:
            unit = release_of[unit_id]
            unit.comments_from = first[unit_id]
            unit.comments_count = sum(copies[unit.pk].values())
            unit.comments_shuffle_key = uuid.uuid4()
            unit.save(update_fields=["comments_from", "comments_count", "comments_shuffle_key"])
    if schema_editor.connection.vendor == "postgresql":
        # The rows' foreign-key checks are deferred; the columns cannot be altered until done.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def comments_copied_again(apps, schema_editor) -> None:
    ReleasedUnit = apps.get_model("pulse", "ReleasedUnit")
    ReleasedComment = apps.get_model("pulse", "ReleasedComment")
    shuffler = random.SystemRandom()
    cycle_ids = set(
        ReleasedUnit.objects.filter(comments_released=True).values_list("cycle_id", flat=True)
    )
    for cycle_id in sorted(cycle_ids):
        texts = list(
            ReleasedComment.objects.filter(cycle_id=cycle_id)
            .order_by("position")
            .values_list("text", flat=True)
        )
        ReleasedComment.objects.filter(cycle_id=cycle_id).delete()
        rows = []
        for unit in ReleasedUnit.objects.filter(cycle_id=cycle_id, comments_released=True):
            shown = texts[unit.comments_from : unit.comments_from + unit.comments_count]
            shuffler.shuffle(shown)
            rows.extend(ReleasedComment(released_unit=unit, text=text) for text in shown)
        ReleasedComment.objects.bulk_create(rows, batch_size=1000)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_cadence_messages"),
        ("pulse", "0006_comments_in_page_order"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="releasedcomment",
            name="comments_in_page_order",
        ),
        migrations.AddField(
            model_name="releasedunit",
            name="comments_from",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="releasedunit",
            name="comments_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="releasedunit",
            name="comments_shuffle_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name="releasedcomment",
            name="cycle",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="surveys.cycle",
            ),
        ),
        migrations.AddField(
            model_name="releasedcomment",
            name="position",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.RunPython(comments_stored_once, comments_copied_again),
        migrations.AlterField(
            model_name="releasedcomment",
            name="cycle",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="surveys.cycle",
            ),
        ),
        migrations.AlterField(
            model_name="releasedcomment",
            name="position",
            field=models.PositiveIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="releasedcomment",
            constraint=models.UniqueConstraint(
                fields=("cycle", "position"), name="one_comment_per_position"
            ),
        ),
    ]
