"""What other apps may write on a case's timeline (care notes a visit's outcome)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from linli.casework.choices import OPEN_STATUSES, EventKind
from linli.casework.models import Case
from linli.casework.services.common import record_step


@transaction.atomic
def case_internal_note(*, actor: Any, case_ids: Iterable[int], text: str) -> int:
    """An internal (non-public) note, timeline and audit, on each of the cases still open;
    returns how many were noted. Closed or unknown cases are skipped."""
    cases = Case.objects.filter(pk__in=list(case_ids), status__in=OPEN_STATUSES).order_by("pk")
    noted = 0
    for case in cases:
        record_step(case=case, kind=EventKind.NOTE, actor=actor, note=text, public=False)
        noted += 1
    return noted
