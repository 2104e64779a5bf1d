"""The agreement (人民调解法 Art. 29): its contents, the PDF the parties sign, the signed
scan (kept with its SHA-256) and the court-confirmation reminder (Art. 33: 30 days; the
parties are reminded on day 20 when they asked for it)."""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import ValidationFailed
from linli.core.text import optional_text, require_text
from linli.mediation.choices import Action, AuditAction, Outcome, Stage
from linli.mediation.models import Agreement, Dispute, FollowUp
from linli.mediation.policy import STAGE_OF, require
from linli.mediation.services.common import lock, record, stamp, tell_parties

FOLLOW_UPS = ((Stage.FOLLOW_UP_30, 30), (Stage.FOLLOW_UP_90, 90))
COURT_WINDOW_DAYS = 30
COURT_REMIND_DAY = 20
PERFORM_WITHIN = dt.timedelta(days=2 * 366)
SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class ObligationInput:
    party_id: int
    duty: str
    how: str = ""
    by: dt.date | None = None


def _obligations(dispute: Dispute, items: Sequence[ObligationInput]) -> list[dict[str, Any]]:
    if not items:
        raise ValidationFailed(
            _("调解协议须写明当事人的义务(做什么、怎样履行、何时履行)。"), field="obligations"
        )
    parties = set(dispute.parties.values_list("pk", flat=True))
    today = timezone.localdate()
    out = []
    for i, item in enumerate(items):
        where = f"obligations.{i}"
        if item.party_id not in parties:
            raise ValidationFailed(_("义务须由本案的当事人承担。"), field=f"{where}.party_id")
        duty = require_text(item.duty, field=f"{where}.duty", label=_("义务内容"), max_length=500)
        how = optional_text(item.how, field=f"{where}.how", label=_("履行方式"), max_length=200)
        if item.by is not None and not today <= item.by <= today + PERFORM_WITHIN:
            raise ValidationFailed(_("履行期限应在今天到两年之内。"), field=f"{where}.by")
        out.append(
            {
                "party": item.party_id,
                "duty": duty,
                "how": how,
                "by": item.by.isoformat() if item.by else "",
            }
        )
    return out


@transaction.atomic
def dispute_agree(
    *,
    actor: Any,
    dispute: Dispute,
    facts: str,
    obligations: Sequence[ObligationInput],
    responsibilities: str = "",
    court_confirmation: bool = False,
) -> Agreement:
    """达成协议: the Art. 29 contents; the 30- and 90-day follow-ups are scheduled."""
    dispute = lock(dispute)
    step = require(actor, dispute, Action.AGREE)
    facts = require_text(facts, field="facts", label=_("纠纷的主要事实"), max_length=5000)
    responsibilities = optional_text(
        responsibilities, field="responsibilities", label=_("各方当事人的责任"), max_length=2000
    )
    duties = _obligations(dispute, obligations)
    now = timezone.now()
    agreement = Agreement.objects.create(
        dispute=dispute,
        facts=facts,
        responsibilities=responsibilities,
        obligations=json.dumps(duties, ensure_ascii=False),
        court_confirmation=bool(court_confirmation),
    )
    FollowUp.objects.bulk_create(
        FollowUp(dispute=dispute, stage=stage, due_at=now + dt.timedelta(days=days))
        for stage, days in FOLLOW_UPS
    )
    before = dispute.status
    assert step.target is not None
    dispute.status, dispute.outcome, dispute.concluded_at = step.target, Outcome.AGREEMENT, now
    dispute.warned_at, dispute.overdue = None, False
    dispute.save(
        update_fields=["status", "outcome", "concluded_at", "warned_at", "overdue", "updated_at"]
    )
    stamp(dispute, STAGE_OF[step.target], actor=actor, at=now)
    record(dispute, actor=actor, action=Action.AGREE, before=before, obligations=len(duties))
    tell_parties(dispute, _("纠纷 %(no)s 已达成调解协议,请到社区签字") % {"no": dispute.number})
    return agreement


def obligations_of(agreement: Agreement) -> list[dict[str, Any]]:
    names = {p.pk: p for p in agreement.dispute.parties.select_related("resident")}
    out = []
    for item in json.loads(agreement.obligations or "[]"):
        party = names.get(item["party"])
        out.append({**item, "name": party.display_name if party else ""})
    return out


def scan_type(data: bytes) -> str:
    for magic, kind in SCAN_TYPES:
        if data.startswith(magic):
            return kind
    return ""


@transaction.atomic
def agreement_sign(*, actor: Any, dispute: Dispute, scan: bytes) -> Agreement:
    """The signed agreement's scan (PDF, JPEG or PNG): stored with its SHA-256, so a copy
    shown later can be checked against what was signed."""
    dispute = lock(dispute)
    require(actor, dispute, Action.SIGN)
    if not scan:
        raise ValidationFailed(_("请上传签字后的协议扫描件。"), field="scan")
    if len(scan) > SCAN_MAX_BYTES:
        raise ValidationFailed(_("扫描件不能超过 10 MB。"), field="scan", code="too_large")
    kind = scan_type(scan)
    if not kind:
        raise ValidationFailed(_("扫描件须为 PDF、JPEG 或 PNG 文件。"), field="scan")
    agreement = Agreement.objects.select_for_update().get(dispute=dispute)
    now = timezone.now()
    agreement.scan, agreement.scan_type = scan, kind
    agreement.scan_sha256 = hashlib.sha256(scan).hexdigest()
    agreement.signed_at = now
    if agreement.court_confirmation:
        agreement.court_remind_at = now + dt.timedelta(days=COURT_REMIND_DAY)
    agreement.save()
    audit_record(
        actor=actor,
        action=AuditAction.SIGNED,
        obj=dispute,
        data={"sha256": agreement.scan_sha256, "bytes": len(scan), "type": kind},
    )
    return agreement
