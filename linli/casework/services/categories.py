from typing import Any

from django.db import transaction

from linli.casework.category_tree import EMERGENCY, LEAVES, MAJORS, NORMAL, PRIVATE, SHORTCUTS
from linli.casework.choices import AuditAction
from linli.casework.models import Category
from linli.core.audit.services import audit_record


@transaction.atomic
def categories_ensure_defaults(*, actor: Any) -> int:
    """Create the default tree where missing; admins' edits to existing rows are kept."""
    created = 0
    majors: dict[str, Category] = {}
    for code, name in MAJORS:
        majors[code], new = Category.objects.get_or_create(code=code, defaults={"name": name})
        created += new
    for code, name, (urgency, (r_amount, r_unit), (c_amount, c_unit)) in LEAVES:
        _, new = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": majors[code.split("-")[0]],
                "urgency": urgency,
                "respond_amount": r_amount,
                "respond_unit": r_unit,
                "close_amount": c_amount,
                "close_unit": c_unit,
                "public": code not in PRIVATE,
                "shortcut": SHORTCUTS.index(code) + 1 if code in SHORTCUTS else 0,
            },
        )
        created += new
    if created:
        audit_record(actor=actor, action=AuditAction.CATEGORIES_DEFAULTS, data={"created": created})
    return created


@transaction.atomic
def category_ensure(
    *,
    code: str,
    name: str,
    parent_code: str,
    parent_name: str,
    emergency: bool = False,
    public: bool = True,
) -> str:
    """The category `code`, created (with its parent) when no active one exists; an existing
    row is left as admins edited it. Returns the code (care files its calls under it)."""
    if not Category.objects.filter(code=code, active=True).exists():
        parent, _ = Category.objects.get_or_create(code=parent_code, defaults={"name": parent_name})
        urgency, (r_amount, r_unit), (c_amount, c_unit) = EMERGENCY if emergency else NORMAL
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": parent,
                "urgency": urgency,
                "respond_amount": r_amount,
                "respond_unit": r_unit,
                "close_amount": c_amount,
                "close_unit": c_unit,
                "public": public,
            },
        )
    return code
