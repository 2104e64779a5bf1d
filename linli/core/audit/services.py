import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from linli.core.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64
Scalar = str | int | bool | None


def _clean(value: Any) -> Any:
    """Reduce data to JSON types whose text form survives every database unchanged."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            seq,
            created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            data,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call inside the service's transaction so it commits with the change.

    `data` names what was touched (field names, purpose, ids), never personal values.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_label = getattr(actor, "username", "") if actor is not None else "system"
    clean = _clean(data or {})
    # No savepoint inside the caller's transaction: an entry that fails fails the change.
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        seq = head.seq + 1
        created_at = timezone.now()
        digest = entry_hash(
            prev_hash=head.hash,
            seq=seq,
            created_at=created_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=clean,
        )
        entry = AuditEntry.objects.create(
            seq=seq,
            created_at=created_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=clean,
            prev_hash=head.hash,
            hash=digest,
        )
        AuditHead.objects.filter(id=1).update(seq=seq, hash=digest)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain in order; report the first entry that was changed, removed or moved."""
    prev = GENESIS
    expected = 1
    checked = 0
    fields = (
        "seq",
        "created_at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "data",
        "prev_hash",
        "hash",
    )
    for row in AuditEntry.objects.order_by("seq").values_list(*fields).iterator(chunk_size=5000):
        seq, created_at, actor_id, actor_label, action, otype, oid, data, prev_hash, digest = row
        if seq != expected:
            return VerifyResult(False, checked, expected, f"entry {expected} is missing")
        if prev_hash != prev:
            return VerifyResult(False, checked, seq, "previous-hash link broken")
        recomputed = entry_hash(
            prev_hash=prev_hash,
            seq=seq,
            created_at=created_at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=otype,
            object_id=oid,
            data=data,
        )
        if recomputed != digest:
            return VerifyResult(False, checked, seq, "content does not match its hash")
        prev = digest
        expected += 1
        checked += 1
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, checked + 1, "entries after the last one were removed")
    return VerifyResult(True, checked)
