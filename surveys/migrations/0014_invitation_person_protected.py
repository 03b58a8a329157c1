import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0013_reader_person'),
        ('teams', '0006_person_erased_at'),
    ]

    operations = [
        migrations.AlterField(
            model_name='invitation',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='teams.person'),
        ),
    ]
