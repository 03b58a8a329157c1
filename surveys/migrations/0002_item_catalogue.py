"""Ship the item catalogue: three items per domain, one per rotation group, our own wording.

Four items are negatively worded and reverse-scored; each monthly pulse asks at least one.
"""

from django.db import migrations

ITEMS = [
    # key, domain, rotation group, reverse-scored, text
    ("risk-mistakes-held-against", "risk", 1, True,
     "If I get something wrong on this team, it tends to be held against me."),
    ("risk-try-new-things", "risk", 2, False,
     "On this team I can try a new approach, even when it might not work out."),
    ("risk-learn-not-blame", "risk", 3, False,
     "When something goes wrong here, we look for what to learn rather than who to blame."),
    ("conversation-raise-hard-topics", "conversation", 1, False,
     "I can raise a difficult topic with this team without worrying how it will reflect on me."),
    ("conversation-keep-quiet", "conversation", 2, True,
     "In team discussions I sometimes keep my view to myself because speaking up feels risky."),
    ("conversation-dissent-welcome", "conversation", 3, False,
     "On this team, a view that goes against the majority gets a fair hearing."),
    ("help-someone-makes-time", "help", 1, False,
     "When I am stuck, I know someone on this team will make time to help me."),
    ("help-asking-is-easy", "help", 2, False,
     "Asking a colleague on this team for help feels easy."),
    ("help-everyone-for-themselves", "help", 3, True,
     "People on this team tend to guard their own work rather than pitch in for each other."),
    ("inclusivity-strengths-used", "inclusivity", 1, False,
     "What I bring to this team, in skills and in perspective, is put to good use."),
    ("inclusivity-some-voices-count-less", "inclusivity", 2, True,
     "On this team, some people's voices count for less than others'."),
    ("inclusivity-belong-as-i-am", "inclusivity", 3, False,
     "I feel I belong on this team, just as I am."),
]


def add_items(apps, schema_editor):
    Item = apps.get_model("surveys", "Item")
    for key, domain, group, reverse, text in ITEMS:
        Item.objects.update_or_create(
            key=key,
            defaults={
                "domain": domain,
                "rotation_group": group,
                "reverse_scored": reverse,
                "text": text,
            },
        )


def remove_items(apps, schema_editor):
    apps.get_model("surveys", "Item").objects.filter(key__in=[i[0] for i in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(add_items, remove_items)]
