"""HR logins for tests: one of someone outside the test's org chart (an adviser, the operator),
who reads the results of the surveys that close while it is HR (teams.hr_identity)."""

from django.contrib.auth.models import User

from teams.hr_identity import say_outside_org_chart
from teams.roles import ensure_hr_group


def outside_hr_login(username: str, email: str = "") -> User:
    """Signs in with the password "pw"."""
    login = User.objects.create_user(username, email or username, "pw")
    login.groups.add(ensure_hr_group())
    say_outside_org_chart(user=login, actor=None)
    return login
