"""The org chart in the Django admin, for HR.

People are edited here; teams follow from reporting lines, so every save or delete of a person
goes through teams.services, which syncs the tree again (called explicitly: no signals). Teams are
read-mostly: only their name is HR's to choose.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from teams.accounts import LoginOfSomeoneElse
from teams.audit import acting_login
from teams.invitations import invite_to_log_in
from teams.models import Person, Team
from teams.selectors import eligible_counts, team_members
from teams.services import ReportingLineInvalid, check_manager, delete_people, save_person
from teams.tree_outline import TeamPlace, team_outline

# The admin is where HR works; every app's pages appear under this one title.
admin.site.site_header = "Pulse administration"
admin.site.site_title = "Pulse administration"

# --- People ------------------------------------------------------------------------------


class HasManagerFilter(admin.SimpleListFilter):
    title = "has a manager"
    parameter_name = "has_manager"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(manager__isnull=False)
        if self.value() == "no":
            return queryset.filter(manager__isnull=True)
        return queryset


class IsManagerFilter(admin.SimpleListFilter):
    title = "is a manager"
    parameter_name = "is_manager"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        # A manager is whoever leads a team, i.e. has active reports once the tree is synced.
        if self.value() == "yes":
            return queryset.filter(led_team__isnull=False)
        if self.value() == "no":
            return queryset.filter(led_team__isnull=True)
        return queryset


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ("name", "email", "employee_id", "active", "manager", "user")
        help_texts = {
            "manager": "Teams follow reporting lines: saving updates the team tree.",
            "active": "Inactive people are not surveyed and count in no team.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "manager" in self.fields:
            # Nobody reports to an erased person (teams.erasure).
            manager = cast(forms.ModelChoiceField, self.fields["manager"])
            manager.queryset = Person.objects.on_chart()

    def clean_manager(self) -> Person | None:
        manager = self.cleaned_data.get("manager")
        try:
            check_manager(person=self.instance, manager=manager)
        except ReportingLineInvalid as invalid:
            raise ValidationError(str(invalid)) from invalid
        return manager


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = (
        "name",
        "email",
        "employee_id",
        "manager",
        "member_of_team",
        "leads_team",
        "active",
    )
    list_filter = ("active", HasManagerFilter, IsManagerFilter)
    search_fields = ("name", "email", "employee_id")
    autocomplete_fields = ("manager", "user")
    list_select_related = ("manager",)
    list_per_page = 100
    actions = ["invite_to_log_in"]

    @admin.action(description="Invite to log in (managers and HR; employees never need to)")
    def invite_to_log_in(self, request: HttpRequest, queryset: QuerySet) -> None:
        sent = 0
        for person in queryset.filter(active=True):
            try:
                invite_to_log_in(request=request, person=person, actor=acting_login(request.user))
            except LoginOfSomeoneElse as refusal:
                self.message_user(request, str(refusal), level=messages.ERROR)
            else:
                sent += 1
        self.message_user(request, f"Sent {sent} invitation(s) to set a password and log in.")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Team names come in the same query as the people: no query per row.
        # The erased (teams.erasure) are nobody HR can list, search, pick as a manager or edit.
        return (
            super()
            .get_queryset(request)
            .filter(erased_at__isnull=True)
            .annotate(
                member_of_team_name=Case(
                    When(active=False, then=Value(None)),
                    When(manager__isnull=True, then=F("led_team__name")),
                    default=F("manager__led_team__name"),
                    output_field=CharField(),
                ),
                led_team_name=F("led_team__name"),
            )
        )

    # Choosing a login means searching users, which HR is not given: HR sees the login as text
    # (make_hr and seed_demo link logins), admins who may view users can pick one.
    def get_exclude(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        return [] if request.user.has_perm("auth.view_user") else ["user"]

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        readonly = ["member_of_team", "leads_team"]
        if not request.user.has_perm("auth.view_user"):
            readonly.append("login")
        return readonly

    @admin.display(description="login")
    def login(self, person: Person) -> str | None:
        return person.user.get_username() if person.user is not None else None

    @admin.display(description="team", ordering="member_of_team_name")
    def member_of_team(self, person: Person) -> str | None:
        return getattr(person, "member_of_team_name", None)

    @admin.display(description="leads", ordering="led_team_name")
    def leads_team(self, person: Person) -> str | None:
        return getattr(person, "led_team_name", None)

    def save_model(self, request: HttpRequest, obj: Person, form: forms.Form, change: bool) -> None:
        save_person(person=obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A leader's team goes with them (and sync_teams re-derives the rest). Teams are never
        # deleted by hand, but that must not stop HR from deleting the person who leads one.
        perms_needed.discard(Team._meta.verbose_name)
        # Invitations are protected from deletion: a person who has any is erased instead
        # (teams.erasure), and their invitations stay, counted in the surveys, linked to nobody.
        kept = [item for item in protected if not is_invitation(item)]
        return deleted, model_count, perms_needed, kept

    def delete_model(self, request: HttpRequest, obj: Person) -> None:
        delete_people(people=Person.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        delete_people(people=queryset)


def is_invitation(item: str) -> bool:
    # The admin lists an object it has no page for as "<Verbose name>: <str>"; invitations
    # (surveys, which teams does not import) have none.
    return str(item).startswith("Invitation: ")


# --- Teams -------------------------------------------------------------------------------

DEEPEST_INDENT = 12  # teams/static/teams/team_tree.css has a class for each depth up to this


class TeamChangeList(ChangeList):
    """Lists teams top-down, each with its place in the tree and its eligible member count.

    The tree and the counts are computed once per page view (a few queries in all) and attached
    to the rows shown, instead of being looked up row by row.
    """

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.outline = team_outline()
        self.eligible = eligible_counts()
        super().__init__(request, *args, **kwargs)

    def get_ordering(self, request: HttpRequest, queryset: QuerySet) -> list:
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        tree_order = Case(
            *(
                When(pk=team_id, then=Value(place.position))
                for team_id, place in self.outline.items()
            ),
            default=Value(len(self.outline)),
            output_field=IntegerField(),
        )
        return [tree_order.asc(), "pk"]

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        for team in self.result_list:
            team.place = self.outline.get(team.pk)
            team.eligible_members = self.eligible.get(team.pk, 0)


def place_of(team: Team) -> TeamPlace | None:
    if hasattr(team, "place"):
        return team.place
    return team_outline().get(team.pk)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "path", "parent", "manager", "eligible_member_count")
    list_display_links = ("indented_name",)
    search_fields = ("name", "manager__name")
    list_select_related = ("parent", "manager")
    list_per_page = 200
    fields = ("name", "path", "parent", "manager", "member_list")
    readonly_fields = ("path", "parent", "manager", "member_list")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TeamChangeList

    # Teams come and go with reporting lines (edit people instead); only names are edited here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Team | None = None) -> bool:
        return False

    class Media:
        css = {"all": ["teams/team_tree.css"]}

    @admin.display(description="team")
    def indented_name(self, team: Team) -> str:
        place = place_of(team)
        depth = place.depth if place else 0
        return format_html(
            '<span class="team-depth-{}">{}{}</span>',
            min(depth, DEEPEST_INDENT),
            "↳ " if depth else "",
            team.name,
        )

    @admin.display(description="path")
    def path(self, team: Team) -> str:
        place = place_of(team)
        return place.path_label if place else team.name

    @admin.display(description="eligible members")
    def eligible_member_count(self, team: Team) -> int:
        if hasattr(team, "eligible_members"):
            return team.eligible_members
        return len(team_members(team))

    @admin.display(description="members")
    def member_list(self, team: Team) -> str:
        members = sorted(team_members(team), key=lambda person: person.name.casefold())
        if not members:
            return "No active members."
        return format_html(
            "{} active: {}",
            len(members),
            format_html_join(", ", "{}", ((person.name,) for person in members)),
        )
