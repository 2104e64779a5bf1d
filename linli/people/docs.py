"""The README's role × field table (PEOPLE-5), generated from the rules in selectors.py so the
documentation cannot drift from the code (a test compares them)."""

from linli.people.choices import FIELDS, GRANT_TIERS, Tier
from linli.people.policy import CASE_FIELDS, ROLE_TIERS

COLUMNS = [
    ("本人 resident", "own"),
    ("家属 family", "family"),
    ("网格员 grid worker", "grid_worker"),
    ("社区工作者/书记 community", "community_worker"),
    ("街道办 street", "street_admin"),
    ("职能部门 department", "dept_officer"),
]


def _cell(column: str, name: str) -> str:
    tier = FIELDS[name][0]
    if column == "own":
        return "✓"
    if column == "family":
        if tier == Tier.BASIC:
            return "✓"
        return "if shared" if tier == Tier.OPTIONAL else "—"
    if column == "dept_officer":
        if name in CASE_FIELDS:
            return "case"
        return "grant" if tier in GRANT_TIERS else "—"
    if tier in ROLE_TIERS[column]:
        return "✓"
    return "grant" if tier in GRANT_TIERS else "—"


def access_table_markdown() -> str:
    head = "| field | tier | " + " | ".join(c for c, _ in COLUMNS) + " |"
    rule = "|" + "---|" * (len(COLUMNS) + 2)
    rows = [
        f"| {name} {label} | {tier} | " + " | ".join(_cell(key, name) for _, key in COLUMNS) + " |"
        for name, (tier, label) in FIELDS.items()
    ]
    return "\n".join([head, rule, *rows])
