"""PLAT-3: build the demo city (西湖区 · 西溪街道) from one seed, all or nothing."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from linli.accounts.models import User
from linli.casework.models import Case
from linli.casework.services.categories import categories_ensure_defaults
from linli.core.audit.services import audit_record
from linli.demo import names as catalog
from linli.demo.accounts import Login, accounts_ensure, sysadmin_ensure
from linli.demo.care import care_demo_top_up, seed_care
from linli.demo.cases import demo_calendar, demo_cases
from linli.demo.deliberation import seed_deliberation
from linli.demo.evaluation import seed_history
from linli.demo.evaluation_projects import seed_project_evaluations
from linli.demo.fieldwork import seed_fieldwork
from linli.demo.ledger import seed_ledger
from linli.demo.matching import seed_matching
from linli.demo.mediation import seed_mediation
from linli.demo.people import residents_write
from linli.demo.plan import DemoPlan, demo_plan, feature_collection
from linli.demo.station import seed_station
from linli.geo.choices import DepartmentKind, HandlingLevel
from linli.geo.models import (
    Building,
    Community,
    Department,
    District,
    Grid,
    Household,
    ResponsibilityRule,
    Street,
)
from linli.geo.services import grids_import
from linli.mediation.models import Dispute
from linli.people.models import Resident

BATCH = 1000


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False: the demo street was already there, only the accounts were ensured
    seed: int
    counts: dict[str, int]
    logins: tuple[Login, ...]


def demo_street() -> Street | None:
    return Street.objects.filter(
        district__code=catalog.DISTRICT["code"], code=catalog.STREET["code"]
    ).first()


def demo_build(
    *, seed: int = catalog.DEFAULT_SEED, password: str = catalog.DEFAULT_PASSWORD
) -> DemoSummary:
    """Build the demo city, or, when it is already there, only make sure its logins exist.

    Every demo account gets `password` (hashed once and shared: argon2 is slow on purpose).
    """
    password_hash = make_password(password)
    plan = demo_plan(seed=seed)
    with transaction.atomic():
        street = demo_street()
        if street is not None:
            accounts = accounts_ensure(plan=plan, street=street, password_hash=password_hash)
            audit_record(
                actor=None,
                action="demo.accounts",
                obj=street,
                data={"created": accounts.created, "passwords_set": accounts.total},
            )
            demo_calendar()
            categories_ensure_defaults(actor=None)
            care_demo_top_up()  # the sensors' readings since the demo was last run
            return DemoSummary(False, seed, demo_counts(street), accounts.logins)
        admin = sysadmin_ensure(plan=plan, password_hash=password_hash)
        street = _places()
        _grids(admin, plan)
        departments = _departments(street)
        _rules(street, departments)
        _people(plan, street)
        accounts = accounts_ensure(plan=plan, street=street, password_hash=password_hash)
        demo_calendar()
        demo_cases(seed=seed, street=street)
        seed_ledger(street=street)
        seed_care(street=street)
        seed_mediation(street=street, seed=seed)
        seed_matching(street=street, seed=seed)
        seed_deliberation(street=street, seed=seed)  # books the menu's venues from matching
        seed_station(street=street, password_hash=password_hash)
        seed_history(street=street, seed=seed)
        seed_project_evaluations(street=street)  # EVAL-2: needs the ledger's fund projects
        seed_fieldwork(street=street, seed=seed)
        counts = demo_counts(street)
        audit_record(actor=admin, action="demo.build", obj=street, data={"seed": seed, **counts})
    return DemoSummary(True, seed, counts, accounts.logins)


def demo_counts(street: Street) -> dict[str, int]:
    return {
        "communities": Community.objects.filter(street=street).count(),
        "grids": Grid.objects.filter(community__street=street).count(),
        "buildings": Building.objects.filter(grid__community__street=street).count(),
        "households": Household.objects.filter(building__grid__community__street=street).count(),
        "residents": Resident.objects.filter(
            household__building__grid__community__street=street
        ).count(),
        "departments": Department.objects.count(),
        "rules": ResponsibilityRule.objects.count(),
        "users": User.objects.count(),
        "cases": Case.objects.filter(community__street=street).count(),
        "disputes": Dispute.objects.filter(community__street=street).count(),
    }


# ---------------------------------------------------------------- places


def _places() -> Street:
    district, _ = District.objects.get_or_create(
        code=catalog.DISTRICT["code"],
        defaults={"name": catalog.DISTRICT["name"], "city": catalog.DISTRICT["city"]},
    )
    street = Street.objects.create(
        district=district, code=catalog.STREET["code"], name=catalog.STREET["name"]
    )
    Community.objects.bulk_create(
        Community(street=street, code=code, name=name, is_pilot=pilot)
        for code, name, pilot in catalog.COMMUNITIES
    )
    return street


def _grids(admin: User, plan: DemoPlan) -> None:
    """Grids go through the GeoJSON import, like a city's own boundary file would."""
    grids_import(actor=admin, data=feature_collection(plan))


# ---------------------------------------------------------------- departments and 责任清单


def _department(name: str, short: str, kind: str, level: str, **extra: object) -> Department:
    dept, _ = Department.objects.get_or_create(
        name=name, defaults={"short_name": short, "kind": kind, "level": level, **extra}
    )
    return dept


def _departments(street: Street) -> dict[str, Department]:
    """Departments by short name; committees as "居委会:<community code>" and property
    companies as "物业:<community code>" for each community they serve."""
    out: dict[str, Department] = {}
    for name, short in catalog.GOVERNMENT:
        out[short] = _department(name, short, DepartmentKind.GOVERNMENT, HandlingLevel.STREET)
    for name, short in catalog.UTILITIES:
        out[short] = _department(name, short, DepartmentKind.UTILITY, HandlingLevel.STREET)
    name, short = catalog.STREET_OFFICE
    office = _department(
        name, short, DepartmentKind.STREET_OFFICE, HandlingLevel.STREET, street=street
    )
    out[short] = office
    communities = {c.code: c for c in Community.objects.filter(street=street)}
    for code, community in sorted(communities.items()):
        out[f"居委会:{code}"] = _department(
            f"{community.name}居民委员会",
            f"{community.name.removesuffix('社区')}居委会",
            DepartmentKind.COMMUNITY,
            HandlingLevel.COMMUNITY,
            street=street,
            community=community,
            parent=office,
        )
    for name, short, served in catalog.PROPERTY:
        company = _department(
            name,
            short,
            DepartmentKind.PROPERTY,
            HandlingLevel.GRID,
            street=street,
            community=communities[served[0]] if len(served) == 1 else None,
            parent=out["住建"],
        )
        for code in served:
            out[f"物业:{code}"] = company
    return out


def _rules(street: Street, departments: dict[str, Department]) -> None:
    community_ids = dict(Community.objects.filter(street=street).values_list("code", "id"))
    rules: list[ResponsibilityRule] = []
    for code, name, unit in catalog.RESPONSIBILITY:
        if unit in ("居委会", "物业"):
            for ccode, cid in sorted(community_ids.items()):
                dept = departments.get(f"{unit}:{ccode}") or departments[f"居委会:{ccode}"]
                rules.append(
                    ResponsibilityRule(
                        category_code=code, unit=dept, community_id=cid, note=f"{name}(社区范围)"
                    )
                )
        elif unit == catalog.STREET_OFFICE[1]:
            rules.append(
                ResponsibilityRule(
                    category_code=code, unit=departments[unit], street=street, note=name
                )
            )
        else:
            rules.append(ResponsibilityRule(category_code=code, unit=departments[unit], note=name))
    ResponsibilityRule.objects.bulk_create(rules)


# ---------------------------------------------------------------- buildings, households, people


def _people(plan: DemoPlan, street: Street) -> None:
    grids = dict(Grid.objects.filter(community__street=street).values_list("unit_code", "id"))
    buildings = [
        Building(grid_id=grids[g.unit_code], name=b.name, address=b.address, lat=b.lat, lon=b.lon)
        for g in plan.grids
        for b in g.buildings
    ]
    Building.objects.bulk_create(buildings, batch_size=BATCH)
    plans = [b for g in plan.grids for b in g.buildings]
    households = [
        Household(building_id=row.pk, unit=h.unit, room=h.room)
        for row, b in zip(buildings, plans, strict=True)
        for h in b.households
    ]
    Household.objects.bulk_create(households, batch_size=BATCH)
    # Residents with their personal data (encrypted at rest), tags and contacts.
    residents_write([h.pk for h in households], plan, batch=BATCH)
