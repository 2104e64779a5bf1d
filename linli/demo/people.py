"""The personal data of the demo residents (PLAT-3, PEOPLE-1): ID numbers, phones, tags,
ability levels, health and assistance, emergency contacts, optional data given with consent.

`residents_details` is pure data from the plan and its seed (its own `random.Random`, so the
plan itself is unchanged); `residents_write` stores it through the encrypted fields, in bulk.
The health words are chosen so that none appears anywhere else in the database: a scan for
them in the database file finds only what failed to be encrypted (PEOPLE-2's proof).
"""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from linli.demo import names as catalog
from linli.demo.plan import DemoPlan, HouseholdPlan, PersonPlan
from linli.people.choices import Ability
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import Contact, Resident, ResidentTag, Tag
from linli.people.services.records import id_number_hash
from linli.people.validation import id_check_digit, phone_mask

AREA = catalog.DISTRICT["code"]  # 330106: 杭州市西湖区
MOBILE_PREFIXES = (
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "177",
    "180",
    "186",
    "187",
    "188",
    "189",
    "199",
)
HEALTH = ("高血压", "糖尿病", "冠心病", "慢阻肺", "阿尔茨海默病")
DISABILITY = ("肢体残疾二级", "视力残疾一级", "听力残疾三级", "肢体残疾四级")
DIBAO = ("最低生活保障", "家庭人均月收入低于当地低保标准")
DIBIAN = ("低保边缘家庭救助", "家庭人均月收入略高于当地低保标准")
TEKUN = ("特困人员救助供养", "无劳动能力、无生活来源、无法定赡养人")
SKILLS = ("书法", "象棋", "太极拳", "剪纸", "修理家电", "越剧", "摄影", "编织")
NOTES = ("每天早上在小区散步", "喜欢参加社区合唱", "需要上门理发服务")
CONSENT_FROM = dt.datetime(catalog.DEMO_YEAR, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ContactPlan:
    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class PersonDetails:
    id_number: str
    phone: str
    relation_to_head: str
    ability: str
    tags: tuple[tuple[str, dt.date | None], ...]
    health_conditions: str = ""
    disability: str = ""
    assistance: str = ""
    finance_note: str = ""
    skills: str = ""
    health_notes: str = ""
    consent_at: dt.datetime | None = None
    contacts: tuple[ContactPlan, ...] = ()


def households_of(plan: DemoPlan) -> list[HouseholdPlan]:
    """Households in the order `linli.demo.services` writes them."""
    return [h for g in plan.grids for b in g.buildings for h in b.households]


def residents_details(plan: DemoPlan) -> list[tuple[PersonDetails, ...]]:
    """Per household (in `households_of` order), the details of each of its people."""
    maker = _Maker(random.Random(f"linli-demo-people-{plan.seed}"))
    return [maker.household(h) for h in households_of(plan)]


def _age(p: PersonPlan) -> int:
    return catalog.DEMO_YEAR - p.birth_year


def _relation(head: PersonPlan, p: PersonPlan, index: int) -> str:
    if index == 0:
        return "户主"
    gap = p.birth_year - head.birth_year
    if index == 1 and p.sex != head.sex and abs(gap) < 12:
        return "配偶"
    if gap >= 16:
        return "子女"
    if gap <= -16:
        return "父母"
    return "其他"


def _family_relation(elder: PersonPlan, younger: PersonPlan) -> str:
    if younger.full_name[0] == elder.full_name[0]:
        return "儿子" if younger.sex == "M" else "女儿"
    return "女婿" if younger.sex == "M" else "儿媳"


class _Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def id_number(self, p: PersonPlan) -> str:
        rng = self.rng
        # Children born in the demo year itself have early birthdays: never in the future.
        last_month = 2 if p.birth_year >= catalog.DEMO_YEAR else 12
        while True:
            born = dt.date(p.birth_year, 1, 1) + dt.timedelta(
                days=rng.randrange(dt.date(p.birth_year, last_month, 28).timetuple().tm_yday)
            )
            odd = rng.randrange(0, 10, 2) + (1 if p.sex == "M" else 0)
            first17 = f"{AREA}{born:%Y%m%d}{rng.randrange(100):02d}{odd}"
            if first17 not in self.ids:
                self.ids.add(first17)
                return first17 + id_check_digit(first17)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def has_phone(self, age: int) -> bool:
        if age < 14:
            return False
        chance = 0.97 if age <= 75 else 0.75 if age <= 85 else 0.4
        return self.rng.random() < chance

    def ability(self, age: int, conditions: Sequence[str]) -> str:
        if age < 60:
            return ""
        semi, disabled = {6: (0.03, 0.01), 7: (0.08, 0.03), 8: (0.2, 0.08)}.get(
            age // 10, (0.35, 0.2)
        )
        roll = self.rng.random()
        if roll < disabled:
            return Ability.DISABLED
        if roll < disabled + semi or "阿尔茨海默病" in conditions:
            return Ability.SEMI
        return Ability.SELF_CARE

    def conditions(self, age: int) -> list[str]:
        chance = 0.45 if age >= 60 else 0.12 if age >= 40 else 0.0
        if self.rng.random() >= chance:
            return []
        pool = HEALTH if age >= 70 else HEALTH[:4]
        return self.rng.sample(pool, self.rng.choice((1, 1, 2)))

    def child_contact(self, elder: PersonPlan) -> ContactPlan:
        """A son or daughter living elsewhere."""
        sex = self.rng.choice("MF")
        given = self.rng.choice(catalog.GIVEN_NAMES[("mid", sex)])
        relation = "儿子" if sex == "M" else "女儿"
        return ContactPlan(elder.full_name[0] + given, relation, self.phone())

    def household(self, h: HouseholdPlan) -> tuple[PersonDetails, ...]:
        rng = self.rng
        people = h.people
        head = people[0]
        ages = [_age(p) for p in people]
        alone = len(people) == 1
        empty_nest = len(people) == 2 and min(ages) >= 60
        young_household = max(ages) < 50
        new_citizens = young_household and rng.random() < 0.15
        permit_until = dt.date(catalog.DEMO_YEAR + rng.randint(0, 2), rng.randint(1, 12), 28)
        support = rng.random()
        finance = DIBAO if support < 0.025 else DIBIAN if support < 0.04 else None
        if alone and ages[0] >= 70 and rng.random() < 0.05:
            finance = TEKUN
        phones = [self.phone() if self.has_phone(a) else "" for a in ages]
        # A younger adult living in the same flat is the elders' first contact.
        eldest = min(p.birth_year for p in people)
        carer = next(
            (
                (p, phones[i])
                for i, p in enumerate(people)
                if 25 <= ages[i] < 60 and phones[i] and p.birth_year - eldest >= 16
            ),
            None,
        )
        shared_child = self.child_contact(head) if carer is None and max(ages) >= 60 else None
        out: list[PersonDetails] = []
        for i, (p, age) in enumerate(zip(people, ages, strict=True)):
            tags: list[tuple[str, dt.date | None]] = []
            if alone and age >= 70:
                tags.append((ALONE_ELDERLY, None))
            if empty_nest:
                tags.append(("empty_nest", None))
            if age < 14:
                tags.append(("child", None))
            if new_citizens and age >= 18:
                tags.append(("new_citizen", permit_until))
            if p.sex == "M" and age >= 45 and rng.random() < 0.03:
                tags.append(("veteran", None))
            conditions = self.conditions(age)
            if conditions:
                tags.append(("chronic", None))
            disability = rng.choice(DISABILITY) if rng.random() < 0.025 else ""
            if disability:
                tags.append(("disabled", None))
            assistance = finance_note = ""
            if finance is not None:
                tags.append(({DIBAO: "dibao", DIBIAN: "dibian", TEKUN: "tekun"}[finance], None))
                assistance, finance_note = finance
            contacts: tuple[ContactPlan, ...] = ()
            if age >= 60:
                if carer is not None:
                    relation = _family_relation(p, carer[0])
                    contacts = (ContactPlan(carer[0].full_name, relation, carer[1]),)
                elif shared_child is not None:
                    contacts = (shared_child,)
            consent = 50 <= age <= 80 and rng.random() < 0.15
            out.append(
                PersonDetails(
                    id_number=self.id_number(p),
                    phone=phones[i],
                    relation_to_head=_relation(head, p, i),
                    ability=self.ability(age, conditions),
                    tags=tuple(tags),
                    health_conditions="、".join(conditions),
                    disability=disability,
                    assistance=assistance,
                    finance_note=finance_note,
                    skills="、".join(rng.sample(SKILLS, 2)) if consent else "",
                    health_notes=rng.choice(NOTES) if consent and rng.random() < 0.4 else "",
                    consent_at=CONSENT_FROM + dt.timedelta(days=rng.randrange(200))
                    if consent
                    else None,
                    contacts=contacts,
                )
            )
        return tuple(out)


def residents_write(household_ids: Sequence[int], plan: DemoPlan, batch: int) -> None:
    """Create the residents of every household (ids in `households_of` order) with their
    details: encrypted fields through the model, tags and contacts in bulk."""
    tags = {t.code: t for t in Tag.objects.all()}
    residents: list[Resident] = []
    extras: list[PersonDetails] = []
    for hid, h, details in zip(
        household_ids, households_of(plan), residents_details(plan), strict=True
    ):
        for p, d in zip(h.people, details, strict=True):
            residents.append(
                Resident(
                    household_id=hid,
                    full_name=p.full_name,
                    sex=p.sex,
                    birth_year=p.birth_year,
                    is_head=p.is_head,
                    relation_to_head=d.relation_to_head,
                    ability=d.ability,
                    phone=d.phone,
                    phone_masked=phone_mask(d.phone),
                    id_number=d.id_number,
                    id_number_hash=id_number_hash(d.id_number),
                    health_conditions=d.health_conditions,
                    disability=d.disability,
                    assistance=d.assistance,
                    finance_note=d.finance_note,
                    skills=d.skills,
                    health_notes=d.health_notes,
                    optional_consent_at=d.consent_at,
                )
            )
            extras.append(d)
    Resident.objects.bulk_create(residents, batch_size=batch)
    ResidentTag.objects.bulk_create(
        (
            ResidentTag(resident_id=r.pk, tag=tags[code], valid_until=until)
            for r, d in zip(residents, extras, strict=True)
            for code, until in d.tags
        ),
        batch_size=batch,
    )
    Contact.objects.bulk_create(
        (
            Contact(
                resident_id=r.pk,
                name=c.name,
                relation=c.relation,
                phone=c.phone,
                phone_masked=phone_mask(c.phone),
            )
            for r, d in zip(residents, extras, strict=True)
            for c in d.contacts
        ),
        batch_size=batch,
    )
