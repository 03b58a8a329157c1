from django.db import migrations, models

import surveys.models


def give_each_cycle_its_own_public_id(apps, schema_editor):
    """A column default is computed once for every existing row: draw one per cycle instead."""
    Cycle = apps.get_model("surveys", "Cycle")
    for cycle_id in Cycle.objects.values_list("pk", flat=True):
        Cycle.objects.filter(pk=cycle_id).update(public_id=surveys.models.new_cycle_public_id())


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0011_loop_emails_claims"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="public_id",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(give_each_cycle_its_own_public_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="cycle",
            name="public_id",
            field=models.CharField(
                default=surveys.models.new_cycle_public_id,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
