"""Sections that apps above people add to the resident record page (filled in their
`ready()`): the grid worker's visit history, for one. People shows them on its own audited
record page, so every section is read under the one audit entry of that view, and the
sections shown are named in an entry of their own."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from linli.core.audit.services import audit_record
from linli.core.registry import ExtensionPoint
from linli.people.choices import AuditAction
from linli.people.models import Resident


@dataclass(frozen=True)
class RecordSection:
    """A titled list of rows (each a tuple of plain strings) for the record page."""

    key: str
    title: str
    rows: list[tuple[str, ...]] = field(default_factory=list)
    empty: str = ""


# provider(*, actor, resident) -> RecordSection | None (None: nothing for this actor)
record_sections: ExtensionPoint[Callable[..., RecordSection | None]] = ExtensionPoint(
    "sections of the resident record page"
)


def sections_for(*, actor: Any, resident: Resident) -> list[RecordSection]:
    """The sections the actor may see on this record; one audit entry names them."""
    out = []
    for provider in record_sections:
        section = provider(actor=actor, resident=resident)
        if section is not None:
            out.append(section)
    if out:
        audit_record(
            actor=actor,
            action=AuditAction.VIEWED,
            obj=resident,
            data={"sections": [s.key for s in out], "rows": sum(len(s.rows) for s in out)},
        )
    return out
