"""Thresholds as data (VOTE-4): the presets, and the exact (integer) arithmetic that says
whether a quorum and a majority are reached. No floats: "exactly 2/3" must pass a ≥ 2/3 rule.

A rule is `num/den` of a base compared with ≥ or >, over head count, floor area or both.
Participation for the quorum counts abstentions when `abstain_in_quorum`; the majority's
base counts them when `abstain_in_majority` (the Civil Code's "participating owners"
includes those who abstain)."""

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from linli.deliberation.choices import Base, Measure, Op

PRESETS: list[dict[str, Any]] = [
    {
        "code": "committee-major",
        "name": _("治理委员会重大事项(全体成员三分之二以上同意)"),
        "note": "§4.3",
        "majority_num": 2,
        "majority_den": 3,
        "majority_base": Base.ELECTORATE,
    },
    {
        "code": "renovation-cost",
        "name": _("改造费用分摊(四分之三以上住户同意)"),
        "note": "§7.2",
        "majority_num": 3,
        "majority_den": 4,
        "majority_base": Base.ELECTORATE,
    },
    {
        "code": "art278-special",
        "name": _("民法典第278条重大事项(筹集使用维修资金、改建重建、改变共有部分)"),
        "note": "民法典第二百七十八条",
        "quorum_num": 2,
        "quorum_den": 3,
        "majority_num": 3,
        "majority_den": 4,
        "majority_base": Base.PARTICIPANTS,
        "measure": Measure.BOTH,
        "abstain_in_majority": True,
    },
    {
        "code": "art278-ordinary",
        "name": _("民法典第278条其他事项(参与表决者过半数同意)"),
        "note": "民法典第二百七十八条",
        "quorum_num": 2,
        "quorum_den": 3,
        "majority_num": 1,
        "majority_den": 2,
        "majority_op": Op.GT,
        "majority_base": Base.PARTICIPANTS,
        "measure": Measure.BOTH,
        "abstain_in_majority": True,
    },
    {
        "code": "simple-majority",
        "name": _("过半数参与、赞成票多于反对票"),
        "note": "",
        "quorum_num": 1,
        "quorum_den": 2,
        "quorum_op": Op.GT,
        "majority_num": 1,
        "majority_den": 2,
        "majority_op": Op.GT,
        "majority_base": Base.CAST,
    },
    {
        "code": "menu",
        "name": _("服务菜单(得票最多者入选)"),
        "note": "§7.1",
        "majority_num": 1,
        "majority_den": 1,
        "majority_base": Base.CAST,
    },
]


@dataclass(frozen=True)
class Rule:
    quorum_num: int = 0
    quorum_den: int = 1
    quorum_op: str = Op.GE
    majority_num: int = 1
    majority_den: int = 2
    majority_op: str = Op.GE  # the model's defaults
    majority_base: str = Base.CAST
    measure: str = Measure.COUNT
    abstain_in_quorum: bool = True
    abstain_in_majority: bool = False

    @classmethod
    def of(cls, row: Any) -> "Rule":
        return cls(**{f: getattr(row, f) for f in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Counts:
    """Units (and their area, in hundredths of ㎡) by choice; `present` are units counted as
    taking part without a ballot (signed in at the meeting the vote is taken at)."""

    electorate: int
    yes: int = 0
    no: int = 0
    abstain: int = 0
    present: int = 0
    electorate_area: int = 0
    yes_area: int = 0
    no_area: int = 0
    abstain_area: int = 0
    present_area: int = 0


def _holds(part: int, whole: int, num: int, den: int, op: str) -> bool:
    """part/whole (op) num/den, exactly. Nothing of nothing never holds (an empty base)."""
    if whole <= 0:
        return False
    left, right = part * den, num * whole
    return left >= right if op == Op.GE else left > right


def _measures(rule: Rule) -> tuple[str, ...]:
    if rule.measure == Measure.BOTH:
        return ("count", "area")
    return ("area",) if rule.measure == Measure.AREA else ("count",)


def _get(c: Counts, name: str, measure: str) -> int:
    return int(getattr(c, name if measure == "count" else f"{name}_area"))


def participants(rule: Rule, c: Counts, measure: str = "count") -> int:
    g = _get
    took_part = g(c, "yes", measure) + g(c, "no", measure) + g(c, "present", measure)
    return took_part + (g(c, "abstain", measure) if rule.abstain_in_quorum else 0)


def quorum_met(rule: Rule, c: Counts) -> bool:
    if rule.quorum_num == 0:
        return True
    return all(
        _holds(
            participants(rule, c, m),
            _get(c, "electorate", m),
            rule.quorum_num,
            rule.quorum_den,
            rule.quorum_op,
        )
        for m in _measures(rule)
    )


def majority_base(rule: Rule, c: Counts, measure: str = "count") -> int:
    if rule.majority_base == Base.ELECTORATE:
        return _get(c, "electorate", measure)
    cast = _get(c, "yes", measure) + _get(c, "no", measure)
    if rule.majority_base == Base.CAST:
        return cast
    return cast + (_get(c, "abstain", measure) if rule.abstain_in_majority else 0)


def majority_met(rule: Rule, c: Counts) -> bool:
    return all(
        _holds(
            _get(c, "yes", m),
            majority_base(rule, c, m),
            rule.majority_num,
            rule.majority_den,
            rule.majority_op,
        )
        for m in _measures(rule)
    )


def passed(rule: Rule, c: Counts) -> bool:
    return quorum_met(rule, c) and majority_met(rule, c)


def _least(whole: int, num: int, den: int, op: str) -> int:
    """The smallest part with part/whole (op) num/den."""
    exact, rest = divmod(num * whole, den)
    if op == Op.GE:
        return exact + (1 if rest else 0)
    return exact + 1


def quorum_short(rule: Rule, c: Counts) -> int:
    """How many more units must take part for the head-count quorum ("N more votes
    needed"); 0 when reached or when the rule has no quorum."""
    if rule.quorum_num == 0:
        return 0
    need = _least(c.electorate, rule.quorum_num, rule.quorum_den, rule.quorum_op)
    return max(0, need - participants(rule, c))


def impossible(rule: Rule) -> str:
    """Why a rule can never be met (a fraction over 1, or '> all of them'), or ''."""
    for num, den, op in (
        (rule.quorum_num, rule.quorum_den, rule.quorum_op),
        (rule.majority_num, rule.majority_den, rule.majority_op),
    ):
        if den <= 0 or num > den or (op == Op.GT and num == den and num > 0):
            return str(_("比例不可能达到(超过全部)。"))
    return ""


def preset_label(code: str, name: str) -> str:
    for preset in PRESETS:
        if preset["code"] == code:
            with translation.override("zh-hans"):
                same = str(preset["name"]) == name
            return str(preset["name"]) if same else name
    return name
