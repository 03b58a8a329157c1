"""Build an org chart for a test from an outline: indentation is the reporting line.

    org = build_org('''
        Ada Lovelace (Company)
          Grace Hopper (Platform)
            6 engineers
          Linus Torvalds (Design)
            Margaret Hamilton
    ''')
    org["Grace Hopper"]        # the Person
    org.team("Platform")       # the Team Grace leads
    org.reports_of("Grace Hopper")

A line is one person, optionally with the name of the team they lead in brackets; "6 engineers"
stands for six people called "Engineer 1" ... "Engineer 6" (numbered across the whole outline,
so names stay unique). A single line "Ada > Grace > [Alan, Barbara]" is the same outline
written flat. Emails and employee ids follow from the names.
"""

import re
from dataclasses import dataclass, field

from teams.models import Person, Team
from teams.team_tree import sync_teams

LINE = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<team>[^()]+)\))?$")
HEADCOUNT = re.compile(r"^(?P<count>\d+)\s+(?P<word>\w+?)s?$")


@dataclass
class BuiltOrg:
    people: dict[str, Person] = field(default_factory=dict)
    manager_of: dict[str, str | None] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Person:
        return self.people[name]

    @property
    def everyone(self) -> list[Person]:
        return list(self.people.values())

    def team(self, name: str) -> Team:
        return Team.objects.get(name=name)

    def reports_of(self, name: str) -> list[Person]:
        return [self.people[n] for n, manager in self.manager_of.items() if manager == name]


def flat_outline(description: str) -> list[tuple[int, str]]:
    """'Ada > Grace > [Alan, Barbara]' as (depth, line) pairs."""
    levels = [part.strip() for part in description.split(">")]
    lines: list[tuple[int, str]] = []
    for depth, level in enumerate(levels):
        names = level.strip("[]").split(",") if level.startswith("[") else [level]
        lines.extend((depth, name.strip()) for name in names)
    return lines


def indented_outline(description: str) -> list[tuple[int, str]]:
    rows = [line for line in description.splitlines() if line.strip()]
    margin = min(len(line) - len(line.lstrip()) for line in rows)
    return [((len(line) - len(line.lstrip()) - margin), line.strip()) for line in rows]


def build_org(description: str) -> BuiltOrg:
    outline = (
        flat_outline(description)
        if "\n" not in description.strip()
        else indented_outline(description)
    )
    org = BuiltOrg()
    team_names: dict[str, str] = {}
    chain: list[tuple[int, str]] = []  # (depth, name) of the line's ancestors
    numbered: dict[str, int] = {}
    for depth, text in outline:
        while chain and chain[-1][0] >= depth:
            chain.pop()
        if chain and depth > chain[-1][0] and len(chain) > 1 and depth <= chain[-2][0]:
            raise ValueError(f"inconsistent indentation at {text!r}")
        manager = chain[-1][1] if chain else None
        if manager is None and org.people:
            raise ValueError(f"{text!r}: an organisation has one top person")
        headcount = HEADCOUNT.match(text)
        if headcount:
            word = headcount["word"].capitalize()
            start = numbered.get(word, 0)
            numbered[word] = start + int(headcount["count"])
            names = [f"{word} {n}" for n in range(start + 1, numbered[word] + 1)]
        else:
            line = LINE.match(text)
            if line is None:
                raise ValueError(f"cannot read {text!r}")
            names = [line["name"]]
            if line["team"]:
                team_names[line["name"]] = line["team"]
        for name in names:
            add_person(org, name, manager)
        chain.append((depth, names[-1]))
    sync_teams(team_names={org.people[name].employee_id: team for name, team in team_names.items()})
    return org


def add_person(org: BuiltOrg, name: str, manager: str | None) -> None:
    if name in org.people:
        raise ValueError(f"{name!r} appears twice")
    slug = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".")
    org.people[name] = Person.objects.create(
        employee_id=f"e{len(org.people) + 1}",
        email=f"{slug}@example.com",
        name=name,
        manager=org.people[manager] if manager else None,
    )
    org.manager_of[name] = manager


def grown_outline(departments: int, teams_per_department: int, people_per_team: int = 6) -> str:
    """An organisation of `departments` x `teams_per_department` teams under one company, to
    compare one page or one statement at two sizes: names say where each person sits
    ("Head 2" leads "Department 2", "Lead 2.3" leads "Team 2.3"). Five assistants make the
    company's own team large enough to stand alone, so no department is merged into it."""
    lines = ["Chief (Company)", "  5 assistants"]
    for department in range(1, departments + 1):
        lines.append(f"  Head {department} (Department {department})")
        for team in range(1, teams_per_department + 1):
            lines.append(f"    Lead {department}.{team} (Team {department}.{team})")
            lines.append(f"      {people_per_team} members")
    return "\n".join(lines)
