"""A believable demo organisation: 177 people, 24 teams over three levels, three logins.

Everything is fixed in code and written with update_or_create, so seeding twice leaves the
database as it was. Four teams are smaller than the default minimum group size of 5 on purpose:
they show how small teams are merged into their parent's results. The customer-facing divisions
(Customer Support, Field Sales) have regional teams of 6 to 12, each released on its own, so
the customer metrics have units enough to be compared with.
"""

import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from teams.accounts import ensure_login
from teams.models import Person, Team
from teams.roles import ensure_hr_group
from teams.team_tree import sync_teams

# Public on purpose: these logins exist only in demo data.
DEMO_PASSWORD = "pulse-demo"  # noqa: S105
EMAIL_DOMAIN = "example.com"


@dataclass(frozen=True)
class Seat:
    """A person in the demo chart; `team` names the team they lead, if they have reports."""

    name: str
    team: str | None = None
    reports: tuple["Seat", ...] = ()


def lead(name: str, team: str, *reports: "Seat | str") -> Seat:
    return Seat(
        name=name,
        team=team,
        reports=tuple(report if isinstance(report, Seat) else Seat(report) for report in reports),
    )


ORG_CHART = lead(
    "Amara Okafor",
    "Company",
    lead(
        "Daniel Novak",
        "Engineering",
        lead(
            "Kenji Tanaka",
            "Platform",
            *("Inês Duarte", "Tomasz Kowalski", "Aisha Bello", "Felix Wagner"),
            *("Mei Lin", "Jonas Berg", "Rosa Jiménez", "Samuel Osei"),
        ),
        lead(
            "Lucía Fernández",
            "Mobile",
            *("Hiroshi Yamamoto", "Clara Hoffmann", "David Cohen", "Anya Volkova"),
            *("Mateo Silva", "Zainab Ahmed", "Oliver Grant"),
        ),
        lead("Omar Haddad", "Data", "Elif Aydin", "Lukas Meier", "Nia Thompson"),
        *("Grace Mensah", "Tom Becker", "Yuki Sato"),
    ),
    lead(
        "Priya Raman",
        "Product",
        lead("Chloé Martin", "Design", "Noah Schulz", "Leila Karimi"),
        *("Ben Carter", "Sara Nilsson", "Arjun Mehta", "Emma Dubois"),
    ),
    lead(
        "Marcus Bell",
        "Sales",
        lead(
            "Fatima Zahra",
            "Customer Success",
            *("Liam O'Connor", "Sofia Rossi", "Kwame Asante", "Julia Nowak", "Pedro Alves"),
            "Hana Kim",
        ),
        *("Ethan Brooks", "Isabel Moreno", "Raj Patel", "Chiara Bianchi", "Kofi Boateng"),
        "Laura Schmidt",
    ),
    lead(
        "Sofia Lindqvist",
        "Marketing",
        *("Adam Kowalczyk", "Mariam Nasser", "Jack Turner", "Ingrid Olsen"),
        *("Diego Ramírez", "Ava Mitchell", "Tariq Aziz"),
    ),
    lead("Hannah Weber", "People & Finance", "Nadia Petrova", "Luca Ferrari", "Olga Ivanova"),
    # The customer-facing divisions: regional teams of 6 to 12, large enough to be released on
    # their own, so HR's "Employees and customers" page has units enough to compare. Listed
    # last, so the people above keep their employee ids.
    lead(
        "Rebecca Stone",
        "Customer Support",
        lead(
            "Jan de Vries",
            "Support Europe North",
            *("Freya Lund", "Mikkel Dahl", "Saoirse Byrne", "Pieter Janssen", "Annika Virtanen"),
            *("Rasmus Holm", "Maeve Doyle", "Tobias Engel", "Linnea Ek"),
        ),
        lead(
            "Giulia Conti",
            "Support Europe South",
            *("Marco Greco", "Elena Papadopoulos", "Javier Ortega", "Inés Castillo"),
            *(
                "Nikos Georgiou",
                "Beatriz Lopes",
                "Alessandro Ricci",
                "Carmen Vidal",
                "Luis Serrano",
            ),
        ),
        lead(
            "Marcus Johnson",
            "Support Americas East",
            *("Tanya Brooks", "Kevin O'Brien", "Destiny Howard", "Carlos Mendoza", "Megan Foster"),
            *("Andre Williams", "Paula Reyes", "Brian Walsh", "Jasmine Carter", "Victor Santos"),
            "Hailey Morgan",
        ),
        lead(
            "Camila Torres",
            "Support Americas West",
            *("Diego Herrera", "Natalie Chen", "Gabriel Souza", "Lucas Pereira", "Renata Lima"),
            *("Tyler Scott", "Valentina Cruz", "Miguel Flores"),
        ),
        lead(
            "Ravi Kumar",
            "Support Asia-Pacific",
            *("Ananya Iyer", "Wei Zhang", "Min-jun Park", "Siti Rahman", "Haruto Suzuki"),
            *("Priyanka Das", "Nguyen Van An", "Chloe Tan", "Ji-woo Lee"),
        ),
        lead(
            "Amina Diallo",
            "Support Africa & Middle East",
            *("Chinedu Eze", "Layla Hassan", "Thabo Nkosi", "Yara Khalil", "Kwesi Mensah"),
            *("Fatou Ndiaye", "Youssef Benali"),
        ),
        lead(
            "Stefan Brandt",
            "Support Escalations",
            *("Katarzyna Zielinska", "Henrik Sorensen", "Lucy Evans", "Matteo Galli"),
            *("Irina Popescu", "Oscar Lindberg", "Hamza Qureshi", "Sunita Rao"),
            *("Bogdan Ionescu", "Aoife Walsh"),
        ),
        # Support operations (planning, quality, training, knowledge base) work for the
        # division's head directly: with them her own group holds more than its team leads.
        *("Hugo Lambert", "Esther Adeyemi", "Mia Kovac", "Rahul Verma", "Sienna Clarke"),
        *("Björn Nyberg", "Leilani Kahale", "Omar Farouk", "Greta Schulz"),
    ),
    lead(
        "Victoria Hughes",
        "Field Sales",
        lead(
            "Patrick Murphy",
            "Sales Europe",
            *("Charlotte Dupont", "Maximilian Braun", "Eva Novotna", "Sean Gallagher"),
            *("Lena Fischer", "Antoine Leroy", "Zofia Wisniewska", "Niamh Kelly", "Emil Jensen"),
        ),
        lead(
            "Daniela Ruiz",
            "Sales Americas",
            *("Jordan Reed", "Mariana Costa", "Ryan Cooper", "Alejandra Vega"),
            *("Brandon Hayes", "Sophia Ramirez", "Nathan Price", "Isabella Moreno"),
        ),
        lead(
            "Kenta Watanabe",
            "Sales Asia-Pacific",
            *("Aiko Nakamura", "Arjun Nair", "Mei Wong", "Daniel Lim", "Sakura Ito"),
            *("Vikram Singh", "Hye-jin Choi"),
        ),
        lead(
            "Olumide Adeyemi",
            "Partner Sales",
            *("Grace Otieno", "Samir Haddad", "Ebony Clarke", "Tomas Novak", "Ruth Tesfaye"),
            *("Ali Rezaei", "Martina Horvat", "Ikechukwu Obi"),
        ),
    ),
)


@dataclass(frozen=True)
class DemoLoginSpec:
    role: str
    person_name: str
    hr: bool


DEMO_LOGINS = (
    DemoLoginSpec(role="HR admin", person_name="Nadia Petrova", hr=True),
    DemoLoginSpec(role="Manager", person_name="Daniel Novak", hr=False),
    DemoLoginSpec(role="Manager", person_name="Kenji Tanaka", hr=False),
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    person: Person
    led_team: Team | None


@dataclass
class DemoOrg:
    people: dict[str, Person] = field(default_factory=dict)  # by employee_id
    teams: dict[str, Team] = field(default_factory=dict)  # by name
    logins: list[DemoLogin] = field(default_factory=list)

    def person_named(self, name: str) -> Person:
        return next(person for person in self.people.values() if person.name == name)


def email_for(name: str) -> str:
    """'Lucía Fernández' -> 'lucia.fernandez@example.com'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local_part = ".".join(
        "".join(ch for ch in word if ch.isalnum()) for word in ascii_name.lower().split()
    )
    return f"{local_part}@{EMAIL_DOMAIN}"


def chart_rows() -> list[tuple[str, Seat, str | None]]:
    """(employee_id, seat, manager's employee_id), managers before their reports."""
    rows: list[tuple[str, Seat, str | None]] = []
    stack: list[tuple[Seat, str | None]] = [(ORG_CHART, None)]
    while stack:
        seat, manager_id = stack.pop()
        employee_id = f"DEMO-{len(rows) + 1:03d}"
        rows.append((employee_id, seat, manager_id))
        stack.extend((report, employee_id) for report in reversed(seat.reports))
    return rows


@transaction.atomic
def seed_demo_org() -> DemoOrg:
    """Create or update the demo people, teams and logins; safe to run any number of times."""
    org = DemoOrg()
    team_names: dict[str, str] = {}
    for employee_id, seat, manager_id in chart_rows():
        person, _ = Person.objects.update_or_create(
            employee_id=employee_id,
            defaults={
                "name": seat.name,
                "email": email_for(seat.name),
                "manager": org.people[manager_id] if manager_id else None,
                "active": True,
            },
        )
        org.people[employee_id] = person
        if seat.team:
            team_names[employee_id] = seat.team
    sync_teams(team_names=team_names)
    org.teams = {
        team.name: team
        for team in Team.objects.filter(manager__employee_id__in=team_names).select_related(
            "manager", "parent"
        )
    }

    ensure_hr_group()
    teams_by_leader = {team.manager_id: team for team in org.teams.values()}
    for spec in DEMO_LOGINS:
        person = org.person_named(spec.person_name)
        login = ensure_login(email=person.email, password=DEMO_PASSWORD, hr=spec.hr)
        org.logins.append(
            DemoLogin(
                role=spec.role,
                username=login.user.username,
                password=DEMO_PASSWORD,
                person=person,
                led_team=teams_by_leader.get(person.pk),
            )
        )
    return org


def existing_demo_logins() -> list[DemoLogin]:
    """The demo logins present in this database that still take the demo password."""
    logins = []
    for spec in DEMO_LOGINS:
        person = (
            Person.objects.filter(name=spec.person_name, employee_id__startswith="DEMO-")
            .select_related("user")
            .first()
        )
        if person is None or person.user is None or not person.user.check_password(DEMO_PASSWORD):
            continue
        logins.append(
            DemoLogin(
                role=spec.role,
                username=person.user.get_username(),
                password=DEMO_PASSWORD,
                person=person,
                led_team=Team.objects.filter(manager=person).first(),
            )
        )
    return logins
