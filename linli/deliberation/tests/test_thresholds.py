"""Thresholds on hand-computed cases (VOTE-4): exact at the threshold passes a ≥ rule, one
short fails; 2/3 of members, 75% of households, Civil Code Art. 278's double majority over
heads and floor area, quorum with abstentions."""

from linli.deliberation.choices import Base, Measure, Op
from linli.deliberation.thresholds import (
    PRESETS,
    Counts,
    Rule,
    impossible,
    majority_met,
    passed,
    quorum_met,
    quorum_short,
)


def preset(code: str) -> Rule:
    data = next(p for p in PRESETS if p["code"] == code)
    return Rule(**{k: v for k, v in data.items() if k in Rule.__dataclass_fields__})


def test_committee_two_thirds_of_members_exactly_and_one_short():
    rule = preset("committee-major")
    # 9 members: 6 is exactly 2/3 and passes; 5 does not, however few vote no.
    assert passed(rule, Counts(electorate=9, yes=6, no=3))
    assert not passed(rule, Counts(electorate=9, yes=5, no=0, abstain=0))
    # 10 members: 2/3 is 6.67, so 7 are needed.
    assert not passed(rule, Counts(electorate=10, yes=6))
    assert passed(rule, Counts(electorate=10, yes=7, no=3))


def test_renovation_needs_75_percent_of_all_households_not_of_voters():
    rule = preset("renovation-cost")
    assert passed(rule, Counts(electorate=120, yes=90))  # exactly 75%
    assert not passed(rule, Counts(electorate=120, yes=89, no=0))
    # Everyone who voted said yes, but only 80 of 120 households voted.
    assert not passed(rule, Counts(electorate=120, yes=80))


def test_art_278_special_matters_double_majority_over_heads_and_area():
    rule = preset("art278-special")
    # 30 owners, 3000.00 ㎡ (in hundredths). 20 take part (exactly 2/3) with 2000 ㎡.
    base = {"electorate": 30, "electorate_area": 300000}
    ok = Counts(**base, yes=15, yes_area=150000, no=5, no_area=50000)
    assert quorum_met(rule, ok) and majority_met(rule, ok) and passed(rule, ok)
    # 15 of 20 heads is exactly 3/4, but their area is 1499 of 2000 ㎡: fails on area.
    short_area = Counts(**base, yes=15, yes_area=149900, no=5, no_area=50100)
    assert not passed(rule, short_area)
    # Enough area, one head short (14 of 20).
    short_heads = Counts(**base, yes=14, yes_area=160000, no=6, no_area=40000)
    assert not passed(rule, short_heads)
    # 19 take part: quorum missed (19/30 < 2/3) though all say yes.
    assert not quorum_met(rule, Counts(**base, yes=19, yes_area=250000))
    # Abstainers take part (quorum) and count among the participants (majority base).
    abst = Counts(**base, yes=15, yes_area=150000, abstain=5, abstain_area=50000)
    assert quorum_met(rule, abst) and majority_met(rule, abst)
    abst2 = Counts(**base, yes=14, yes_area=150000, abstain=6, abstain_area=50000)
    assert not passed(rule, abst2)


def test_art_278_ordinary_matters_need_more_than_half():
    rule = preset("art278-ordinary")
    base = {"electorate": 30, "electorate_area": 300000}
    half = Counts(**base, yes=10, yes_area=100000, no=10, no_area=100000)
    assert quorum_met(rule, half) and not passed(rule, half)  # exactly half is not > 1/2
    more = Counts(**base, yes=11, yes_area=100100, no=9, no_area=99900)
    assert passed(rule, more)


def test_quorum_counts_abstentions_and_majority_does_not_by_default():
    rule = Rule(
        quorum_num=1,
        quorum_den=2,
        quorum_op=Op.GT,
        majority_num=1,
        majority_den=2,
        majority_op=Op.GT,
        majority_base=Base.PARTICIPANTS,
    )
    # 11 of 20 take part (quorum > 1/2 reached only thanks to 5 abstentions); 4 yes, 2 no.
    c = Counts(electorate=20, yes=4, no=2, abstain=5)
    assert quorum_met(rule, c)
    assert majority_met(rule, c)  # 4 of 6 who chose (abstentions left out of the base)
    counted = Rule(**{**rule.__dict__, "abstain_in_majority": True})
    assert not majority_met(counted, c)  # 4 of 11
    no_abst = Rule(**{**rule.__dict__, "abstain_in_quorum": False})
    assert not quorum_met(no_abst, c)  # 6 of 20


def test_n_more_needed_for_quorum():
    rule = preset("art278-special")
    assert quorum_short(rule, Counts(electorate=30, yes=12, abstain=3)) == 5
    assert quorum_short(rule, Counts(electorate=30, yes=20)) == 0
    gt_half = preset("simple-majority")
    assert quorum_short(gt_half, Counts(electorate=10, yes=4)) == 2  # 6 > 5


def test_an_empty_base_never_passes_and_impossible_rules_are_named():
    assert not passed(preset("committee-major"), Counts(electorate=0))
    assert not majority_met(preset("simple-majority"), Counts(electorate=5, abstain=5))
    assert impossible(Rule(majority_num=1, majority_den=1, majority_op=Op.GT))
    assert impossible(Rule(quorum_num=4, quorum_den=3))
    assert not impossible(preset("art278-special"))
    assert preset("art278-special").measure == Measure.BOTH
