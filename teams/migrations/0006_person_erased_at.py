from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('teams', '0005_org_import_jobs'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='erased_at',
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
    ]
