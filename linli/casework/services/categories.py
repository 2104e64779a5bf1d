from typing import Any

from django.db import transaction

from linli.casework.category_tree import LEAVES, MAJORS, PRIVATE
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
            },
        )
        created += new
    if created:
        audit_record(actor=actor, action="casework.categories_defaults", data={"created": created})
    return created
