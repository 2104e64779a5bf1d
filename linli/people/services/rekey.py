"""Key rotation (PEOPLE-2): re-encrypt every encrypted column under the primary data key, and
recompute the ID-number hashes after the index key changed. Used by `manage.py people_rekey`.

Rows still to do are found from the stored token's key id, in SQL (the first characters of the
column), so nothing is decrypted to find them; each batch commits on its own, so an
interrupted run resumes where it stopped and a repeated run finds nothing to do.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Left

from linli.core.audit.services import audit_record
from linli.core.crypto import PREFIX, DecryptionError, EncryptedTextField, key_ring
from linli.people.choices import AuditAction

Report = Callable[[str], None]


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: EncryptedTextField

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"


class RekeyFailed(Exception):
    """A stored value cannot be decrypted with any key of the ring (no value in the message)."""


def encrypted_columns() -> list[EncryptedColumn]:
    """Every EncryptedTextField of every installed model, found generically."""
    out: list[EncryptedColumn] = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, EncryptedTextField) and f.model is model:
                out.append(EncryptedColumn(model, f))
    return out


def stale(column: EncryptedColumn) -> models.QuerySet[Any]:
    """Rows whose token was not made with the primary key (compared in SQL, case-sensitive)."""
    prefix = f"{PREFIX}:{key_ring().primary}:"
    name = column.field.attname
    head = Left(name, len(prefix), output_field=models.TextField())
    manager = column.model._base_manager
    return manager.exclude(**{name: ""}).annotate(_key_head=head).exclude(_key_head=prefix)


def _batches(column: EncryptedColumn, batch: int) -> Iterator[list[Any]]:
    todo = stale(column).order_by("pk").values_list("pk", flat=True)
    while True:
        pks = list(todo[:batch])
        if not pks:
            return
        yield pks


def column_rekey(column: EncryptedColumn, *, batch: int, report: Report) -> int:
    """Re-encrypt the stale rows of one column, one committed batch at a time."""
    done = 0
    manager = column.model._base_manager
    name = column.field.attname
    for pks in _batches(column, batch):
        with transaction.atomic():
            try:
                rows = list(manager.select_for_update().filter(pk__in=pks).only("pk", name))
            except DecryptionError:
                raise RekeyFailed(_unreadable(column, pks)) from None
            manager.bulk_update(rows, [name])  # saving encrypts under the primary key
        done += len(rows)
        report(f"  {column.label}: 已重新加密 {done} 行")
    return done


def _unreadable(column: EncryptedColumn, pks: list[Any]) -> str:
    manager = column.model._base_manager
    for pk in pks:
        try:
            manager.filter(pk=pk).only("pk", column.field.attname).get()
        except DecryptionError:
            return (
                f"{column.label} 第 id={pk} 行无法解密:它的密钥不在 LINLI_DATA_KEYS 中,"
                "或数据已损坏。请把旧密钥放回密钥环后再运行。"
            )
    return f"{column.label} 有无法解密的行。"


def id_hashes_reindex(*, batch: int, report: Report) -> int:
    """Recompute every resident's ID-number hash under the current index key. Every row is
    read (a hash does not tell its key), only changed rows are written; safe to repeat."""
    from linli.people.models import Resident
    from linli.people.services.records import id_number_hash

    manager = Resident._base_manager
    last, changed = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                manager.select_for_update()
                .filter(pk__gt=last)
                .exclude(id_number="")
                .order_by("pk")
                .only("pk", "id_number", "id_number_hash")[:batch]
            )
            if not rows:
                break
            dirty = []
            for r in rows:
                digest = id_number_hash(r.id_number)
                if digest != r.id_number_hash:
                    r.id_number_hash = digest
                    dirty.append(r)
            manager.bulk_update(dirty, ["id_number_hash"])
        changed += len(dirty)
        last = rows[-1].pk
        report(f"  people.resident.id_number_hash: 已检查到 id={last},更新 {changed} 行")
    return changed


def data_rekey(
    *, batch: int = 1000, reindex: bool = False, dry_run: bool = False, report: Report = print
) -> dict[str, int]:
    """Bring every encrypted column under the primary key (and, with `reindex`, every ID hash
    under the index key). Returns rows changed per column; with `dry_run`, rows to change."""
    if batch < 1:
        raise ValueError("batch must be positive")
    ring = key_ring()
    report(f"主密钥:{ring.primary};密钥环中共 {len(ring.keys)} 个密钥。")
    counts: dict[str, int] = {}
    for column in encrypted_columns():
        todo = stale(column).count()
        report(f"{column.label}: 需要重新加密 {todo} 行")
        counts[column.label] = todo if dry_run or not todo else 0
        if todo and not dry_run:
            counts[column.label] = column_rekey(column, batch=batch, report=report)
    if reindex and not dry_run:
        counts["people.resident.id_number_hash"] = id_hashes_reindex(batch=batch, report=report)
    if not dry_run and any(counts.values()):
        audit_record(
            actor=None,
            action=AuditAction.REKEYED,
            object_type="core.crypto",
            data={"primary": ring.primary, "rows": counts},
        )
    return counts
