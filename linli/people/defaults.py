"""Default resident tags. The migration loads them; tests that flush the database (browser
tests) and the demo call `tags_ensure_defaults` to put them back."""

# The tag other apps ask about by name (care's alerts and home services).
ALONE_ELDERLY = "alone_elderly"

# The tags every community uses; more can be added in the admin.
TAGS = [
    (ALONE_ELDERLY, "独居老人", "basic", False),
    ("empty_nest", "空巢老人", "basic", False),
    ("child", "儿童", "basic", False),
    ("left_behind_child", "留守儿童", "basic", False),
    ("new_citizen", "新市民", "basic", True),
    ("veteran", "退役军人", "basic", False),
    ("disabled", "残疾人", "health", False),
    ("chronic", "慢性病", "health", False),
    ("dibao", "低保", "finance", False),
    ("dibian", "低边", "finance", False),
    ("tekun", "特困", "finance", False),
]


def tags_ensure_defaults() -> int:
    """Create missing default tags; returns how many were created."""
    from linli.people.models import Tag

    created = 0
    for code, name, tier, expiry in TAGS:
        _, made = Tag.objects.get_or_create(
            code=code, defaults={"name": name, "tier": tier, "needs_expiry": expiry}
        )
        created += made
    return created
