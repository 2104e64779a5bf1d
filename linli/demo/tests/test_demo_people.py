"""PLAT-3 / PEOPLE-1: the demo residents' personal data is realistic, consistent and fixed by
the seed. Pure data (no database); that it is stored encrypted is shown in
linli/people/tests/test_encryption.py."""

from collections import Counter

import pytest

from linli.demo import names as catalog
from linli.demo.people import HEALTH, households_of, residents_details
from linli.demo.plan import demo_plan
from linli.people.validation import MOBILE, id_number_cross_check, id_number_parse


@pytest.fixture(scope="module")
def people():  # type: ignore[no-untyped-def]
    plan = demo_plan(seed=catalog.DEFAULT_SEED)
    out = []
    for h, details in zip(households_of(plan), residents_details(plan), strict=True):
        for p, d in zip(h.people, details, strict=True):
            out.append((h, p, d))
    return out


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = residents_details(demo_plan(seed=2026))
    assert first == residents_details(demo_plan(seed=2026))
    other = residents_details(demo_plan(seed=7))
    assert [d.id_number for h in other for d in h] != [d.id_number for h in first for d in h]


def test_id_numbers_are_valid_unique_and_match_sex_and_birth_year(people) -> None:
    numbers = [d.id_number for _h, _p, d in people]
    assert len(numbers) == len(set(numbers)) > 4000
    for _h, p, d in people:
        info = id_number_parse(d.id_number)
        id_number_cross_check(info, sex=p.sex, birth_year=p.birth_year)
        assert d.id_number.startswith("330106")


def test_phones_are_mobiles_unique_and_not_for_children(people) -> None:
    phones = [d.phone for _h, _p, d in people if d.phone]
    assert len(phones) == len(set(phones)) > 3000
    assert all(MOBILE.match(x) for x in phones)
    assert not any(d.phone for _h, p, d in people if catalog.DEMO_YEAR - p.birth_year < 14)


def test_tags_follow_age_and_household(people) -> None:
    for h, p, d in people:
        age = catalog.DEMO_YEAR - p.birth_year
        codes = dict(d.tags)
        assert ("alone_elderly" in codes) == (len(h.people) == 1 and age >= 70)
        assert ("child" in codes) == (age < 14)
        if "new_citizen" in codes:
            assert codes["new_citizen"] is not None and age >= 18
        assert ("chronic" in codes) == bool(d.health_conditions)
        assert ("disabled" in codes) == bool(d.disability)
        assert bool({"dibao", "dibian", "tekun"} & set(codes)) == bool(d.assistance)
    counts = Counter(code for _h, _p, d in people for code, _until in d.tags)
    for code in ("alone_elderly", "child", "new_citizen", "dibao", "disabled", "chronic"):
        assert counts[code] >= 10, code


def test_elderly_have_ability_levels_and_family_contacts(people) -> None:
    for _h, p, d in people:
        age = catalog.DEMO_YEAR - p.birth_year
        assert bool(d.ability) == (age >= 60)
        if age >= 60:
            assert d.contacts, p
            assert all(c.name and c.relation and MOBILE.match(c.phone) for c in d.contacts)
    conditions = {w for _h, _p, d in people for w in d.health_conditions.split("、") if w}
    assert conditions == set(HEALTH)


def test_optional_data_only_with_consent(people) -> None:
    with_consent = [d for _h, _p, d in people if d.consent_at is not None]
    assert len(with_consent) > 50
    assert all(d.skills for d in with_consent)
    assert not any(d.skills or d.health_notes for _h, _p, d in people if d.consent_at is None)
