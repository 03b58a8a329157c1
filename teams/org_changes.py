"""What an org import changes, person by person and team by team, for HR to read before
applying it (the org import page's preview) and after (the API's and the command's summary)."""

from dataclasses import dataclass, field


# One per person created by a first import: slots keep a million of them small.
@dataclass(frozen=True, slots=True)
class PersonChange:
    employee_id: str
    name: str
    # For an update: the fields that change ("email", "name", "manager", "active").
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ManagerChange:
    employee_id: str
    name: str
    old_manager: str  # "" when the person had no manager (the top person)
    new_manager: str


@dataclass(frozen=True)
class TeamRename:
    old_name: str
    new_name: str


@dataclass(frozen=True)
class ImportChanges:
    people_created: list[PersonChange] = field(default_factory=list)
    people_updated: list[PersonChange] = field(default_factory=list)
    people_deactivated: list[PersonChange] = field(default_factory=list)
    managers_changed: list[ManagerChange] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    teams_renamed: list[TeamRename] = field(default_factory=list)
    teams_removed: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


def team_changes(
    before: dict[int, str], after: dict[int, str], changes: ImportChanges
) -> ImportChanges:
    """`before` and `after` map a team's leader (person id) to the team's name."""
    return ImportChanges(
        **{
            **{name: getattr(changes, name) for name in changes.__dataclass_fields__},
            "teams_created": sorted(after[leader] for leader in after.keys() - before.keys()),
            "teams_renamed": sorted(
                (
                    TeamRename(old_name=before[leader], new_name=after[leader])
                    for leader in after.keys() & before.keys()
                    if before[leader] != after[leader]
                ),
                key=lambda rename: rename.old_name,
            ),
            "teams_removed": sorted(before[leader] for leader in before.keys() - after.keys()),
        }
    )
