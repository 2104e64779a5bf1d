"""Import residents from an Excel sheet, the 人口台账 a community already keeps (PEOPLE-1).

Every row is validated and every problem is reported per row (sheet.RowError); nothing is
written unless the whole sheet is valid: a dry run over all rows first, then one transaction
that writes what `resident_create` would (ciphertext, masked phone, ID hash, tags, contacts),
in bulk, with one audit entry "resident.imported" naming the ids (never values).

A resident already on record (same ID number, found through the keyed hash) is a row error
"已登记": an import only adds people; changes go through the record page, so a sheet can never
silently overwrite what someone corrected there.
"""

from dataclasses import dataclass
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, PermissionDenied
from linli.geo.models import Household
from linli.people.choices import AuditAction
from linli.people.models import Contact, Resident, ResidentTag
from linli.people.policy import can_import
from linli.people.services.importing.rows import CHUNK, Row, rows_check
from linli.people.services.importing.sheet import (
    COLUMNS,
    HEADER,
    MAX_BYTES,
    MAX_ROWS,
    XLSX_TYPE,
    RowError,
    Sheet,
    SheetInvalid,
    import_template,
    sheet_read,
)
from linli.people.validation import phone_mask


@dataclass
class ImportResult:
    imported: int
    households_created: int
    resident_ids: list[int]
    ignored_columns: list[str]


def residents_import(*, actor: Any, file: IO[bytes], filename: str) -> ImportResult:
    """Check the whole sheet, then write it in one transaction, or raise SheetInvalid (all
    row errors) / ValidationFailed (the file itself) having written nothing."""
    if not can_import(actor):
        raise PermissionDenied(_("只有社区工作者和社区书记可以导入居民。"))
    sheet = sheet_read(file=file, filename=filename)
    rows, errors = rows_check(actor, sheet.rows)
    if errors:
        raise SheetInvalid(errors)
    return _write(actor, sheet, rows)


@transaction.atomic
def _write(actor: Any, sheet: Sheet, rows: list[Row]) -> ImportResult:
    households = {
        (h.building_id, h.unit, h.room): h.pk
        for h in Household.objects.filter(building_id__in={r.household[0] for r in rows}).only(
            "pk", "building_id", "unit", "room"
        )
    }
    missing = sorted({r.household for r in rows} - set(households))
    new = [Household(building_id=b, unit=u, room=room) for b, u, room in missing]
    Household.objects.bulk_create(new, batch_size=CHUNK)
    households.update({(h.building_id, h.unit, h.room): h.pk for h in new})
    for r in rows:
        r.resident.household_id = households[r.household]
    try:
        with transaction.atomic():
            Resident.objects.bulk_create([r.resident for r in rows], batch_size=CHUNK)
    except IntegrityError:
        # Someone registered one of these ID numbers since the dry run.
        raise Conflict(_("导入时发现有身份证号刚被登记,没有导入任何居民,请重新上传。")) from None
    ResidentTag.objects.bulk_create(
        [
            ResidentTag(
                resident=r.resident, tag=t, valid_until=r.valid_until if t.needs_expiry else None
            )
            for r in rows
            for t in r.tags
        ],
        batch_size=CHUNK,
    )
    Contact.objects.bulk_create(
        [
            Contact(
                resident=r.resident,
                name=r.contact[0],
                relation=r.contact[1],
                phone=r.contact[2],
                phone_masked=phone_mask(r.contact[2]),
            )
            for r in rows
            if r.contact is not None
        ],
        batch_size=CHUNK,
    )
    ids = [r.resident.pk for r in rows]
    audit_record(
        actor=actor,
        action=AuditAction.IMPORTED,
        object_type="people.resident",
        data={
            "count": len(ids),
            "ids": ids,
            "households_created": len(new),
            "columns": sorted(sheet.columns),
        },
    )
    return ImportResult(len(ids), len(new), ids, sheet.ignored)


__all__ = [
    "COLUMNS",
    "HEADER",
    "MAX_BYTES",
    "MAX_ROWS",
    "XLSX_TYPE",
    "ImportResult",
    "RowError",
    "SheetInvalid",
    "import_template",
    "residents_import",
]
