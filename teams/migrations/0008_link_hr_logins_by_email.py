"""Link each HR login not linked yet to the active person whose email is the address the login
was made under (its username), as every survey now does when it opens
(teams.hr_identity.link_hr_logins_by_email): a survey open during the upgrade then counts, at
close, the person its invitations went to. An address two people share in different cases
links nobody."""

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Lower

HR_GROUP_NAME = "HR admins"


def link_hr_logins(apps, schema_editor) -> None:
    user_model = apps.get_model("auth", "User")
    person_model = apps.get_model("teams", "Person")
    unlinked = {
        login.username.lower(): login
        for login in user_model.objects.filter(is_active=True, person__isnull=True)
        .filter(Q(is_superuser=True) | Q(groups__name=HR_GROUP_NAME))
        .distinct()
    }
    found: dict[str, list] = {}
    for person in (
        person_model.objects.filter(erased_at__isnull=True, active=True, user__isnull=True)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(unlinked))
    ):
        found.setdefault(person.email_lower, []).append(person)
    linked = []
    for address, candidates in found.items():
        if len(candidates) == 1:
            candidates[0].user = unlinked[address]
            linked.append(candidates[0])
    person_model.objects.bulk_update(linked, ["user"])


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0007_login_outside_org_chart"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(link_hr_logins, migrations.RunPython.noop)]
