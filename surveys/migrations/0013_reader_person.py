import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def record_each_readers_person(apps, schema_editor):
    """The person behind each recorded HR login, by the login's link or the same email."""
    CycleReader = apps.get_model("surveys", "CycleReader")
    Person = apps.get_model("teams", "Person")
    for reader in CycleReader.objects.select_related("user").iterator():
        person = Person.objects.filter(user_id=reader.user_id).first() or (
            Person.objects.filter(email__iexact=reader.user.email).first()
            if reader.user.email
            else None
        )
        if person is not None:
            CycleReader.objects.filter(pk=reader.pk).update(person=person)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0012_cycle_public_id"),
        ("teams", "0005_org_import_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="cyclereader",
            name="person",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="teams.person",
            ),
        ),
        migrations.AlterField(
            model_name="cyclereader",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(record_each_readers_person, migrations.RunPython.noop),
    ]
