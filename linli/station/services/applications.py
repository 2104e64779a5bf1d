"""Apply once (SERVE-1): the form a resident (on the phone) or window staff (代办, the
resident present) fill, prefilled from the record and from documents another application
already had accepted; one submission for one service or a bundle, one receipt.

Bad input changes nothing: consent missing, not eligible, a duplicate open application,
a required field or document missing, a value of the wrong shape — each a clear error."""

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.choices import MembershipKind
from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.core.calendar.selectors import WorkingCalendar
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.people.selectors import resident_get, resident_of_user
from linli.people.selectors_prefill import eligibility_facts, service_prefill
from linli.people.services.decisions import correction_request_at_window
from linli.people.services.rights import correction_request
from linli.station.catalogue import (
    FieldSpec,
    fields_of,
    ineligible_reason,
    tier_label,
    tiers_needed,
    value_clean,
)
from linli.station.choices import OPEN_STATUSES, AuditAction, Channel, Source, Status
from linli.station.models import (
    Application,
    Bundle,
    Document,
    Receipt,
    Service,
    Step,
    Value,
)
from linli.station.policy import SELF_ROLES, WINDOW_ROLES

PURPOSE = "综合服务申请"
# Record fields a correction may be filed for (people's correction flow).
CORRECTABLE_SOURCES = ("full_name", "sex", "birth_year", "phone", "id_number", "disability")


@dataclass
class Prefilled:
    value: str
    source: str  # Source.RECORD or Source.DOCUMENT


@dataclass
class Form:
    """What the apply page shows: the services, their fields once each, what is prefilled,
    and the tiers the consent must cover."""

    resident_id: int
    services: list[Service]
    fields: list[FieldSpec]
    prefill: dict[str, Prefilled]
    tiers: list[str]
    channel: str
    bundle: Bundle | None = None
    typed: list[str] = field(default_factory=list)  # keys left for the resident to type

    @property
    def tier_labels(self) -> list[tuple[str, str]]:
        return [(t, tier_label(t)) for t in self.tiers]


def _resident_for(actor: Any, resident_id: int | None) -> tuple[int, str]:
    """(resident id, channel): the actor's own record, or one window staff may reach."""
    role = getattr(actor, "role", "")
    if role in SELF_ROLES:
        own = resident_of_user(actor)
        if own is None:
            raise ValidationFailed(_("还没有您的居民档案,请到社区居委会登记后再申请。"))
        if resident_id not in (None, own.id):
            raise PermissionDenied(_("只能为自己申请;请到社区窗口代办。"))
        return own.id, Channel.PHONE
    if role in WINDOW_ROLES:
        if not resident_id:
            raise ValidationFailed(_("请先选择办事的居民。"), field="resident_id")
        return resident_get(actor=actor, resident_id=resident_id).pk, Channel.WINDOW
    raise PermissionDenied(_("您的账号不能提交服务申请。"))


def services_for(
    *, codes: list[str] | None = None, bundle_code: str = ""
) -> tuple[list[Service], Bundle | None]:
    if bundle_code:
        bundle = Bundle.objects.filter(code=bundle_code, active=True).first()
        if bundle is None:
            raise ValidationFailed(_("没有这个一件事套餐。"), field="bundle")
        return list(bundle.services.filter(active=True).order_by("order", "code")), bundle
    wanted = sorted(set(codes or []))
    services = list(Service.objects.filter(code__in=wanted, active=True).order_by("order"))
    if not wanted or len(services) != len(wanted):
        raise ValidationFailed(_("请选择要办理的服务事项。"), field="service")
    return services, None


def _accepted_documents(resident_id: int, kinds: set[str]) -> dict[str, str]:
    """kind → reference of the newest accepted document of that kind (reused, SERVE-1)."""
    out: dict[str, str] = {}
    rows = Document.objects.filter(
        resident_id=resident_id, kind__in=kinds, accepted_at__isnull=False
    ).order_by("-accepted_at", "-pk")
    for doc in rows:
        out.setdefault(doc.kind, doc.reference)
    return out


def form_prepare(
    *,
    actor: Any,
    resident_id: int | None,
    services: list[Service],
    bundle: Bundle | None = None,
    consent_tiers: list[str] | None = None,
    present: bool = False,
) -> Form:
    """Prefill from the record (one audit entry naming the fields read) and from accepted
    documents. Window staff read protected tiers only as far as the resident, present,
    consented."""
    rid, channel = _resident_for(actor, resident_id)
    fields = fields_of(services)
    consent = list(consent_tiers or []) if channel == Channel.PHONE or present else []
    sources = sorted({f.source for f in fields if f.source})
    names = "、".join(s.name for s in services)
    record = service_prefill(
        actor=actor,
        resident_id=rid,
        fields=sources,
        consent_tiers=consent,
        purpose=f"{PURPOSE}预填:{names}",
    )
    own = channel == Channel.PHONE
    docs = _accepted_documents(
        rid, {f.document for f in fields if f.document and (own or f.tier in consent)}
    )
    prefill: dict[str, Prefilled] = {}
    for f in fields:
        if f.source and record.get(f.source):
            prefill[f.key] = Prefilled(record[f.source], Source.RECORD)
        elif f.document and docs.get(f.document):
            prefill[f.key] = Prefilled(docs[f.document], Source.DOCUMENT)
    typed = [f.key for f in fields if f.key not in prefill]
    return Form(rid, services, fields, prefill, tiers_needed(services), channel, bundle, typed)


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def _department_officers(application: Application) -> list[Any]:
    if application.department_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__kind=MembershipKind.DEPT_OFFICER,
            memberships__department_id=application.department_id,
        ).distinct()
    )


def application_url(application: Application) -> str:
    return reverse("station:application", args=[application.pk])


def _correct(actor: Any, channel: str, resident_id: int, spec: FieldSpec, value: str) -> None:
    """A corrected record field goes to the record through people's correction flow."""
    if spec.source not in CORRECTABLE_SOURCES:
        return
    message = _("综合服务申请中更正为:%(value)s") % {"value": value}
    try:
        if channel == Channel.PHONE:
            correction_request(actor=actor, field=spec.source, message=message)
        else:
            correction_request_at_window(
                actor=actor, resident_id=resident_id, field=spec.source, message=message
            )
    except Conflict:
        pass  # one is already waiting for the community workers


@transaction.atomic
def apply(
    *,
    actor: Any,
    resident_id: int | None = None,
    service_codes: list[str] | None = None,
    bundle_code: str = "",
    values: dict[str, str] | None = None,
    corrections: dict[str, str] | None = None,
    consent_tiers: list[str] | None = None,
    present: bool = False,
) -> Receipt:
    """Submit one service or a bundle; returns the receipt (its applications, one per
    service, each routed to its department with a working-day deadline)."""
    services, bundle = services_for(codes=service_codes, bundle_code=bundle_code)
    rid, channel = _resident_for(actor, resident_id)
    consent = sorted(set(consent_tiers or []))
    if channel == Channel.WINDOW and not present:
        raise ValidationFailed(
            _("代办须居民本人在场并当面同意,请确认后再提交。"),
            code="consent_missing",
            field="present",
        )
    missing_tiers = [t for t in tiers_needed(services) if t not in consent]
    if missing_tiers:
        raise ValidationFailed(
            _("请确认同意向审批部门提供以下信息:%(tiers)s。")
            % {"tiers": "、".join(tier_label(t) for t in missing_tiers)},
            code="consent_missing",
            field="consent",
            extra={"tiers": missing_tiers},
        )
    facts = eligibility_facts(resident_id=rid)
    for service in services:
        reason = ineligible_reason(service, facts)
        if reason:
            raise ValidationFailed(reason, code="not_eligible", field="service")
    open_ = Application.objects.filter(
        resident_id=rid, service__in=services, status__in=OPEN_STATUSES
    ).select_related("service")
    if (dup := open_.first()) is not None:
        raise Conflict(
            _("%(service)s已有一份办理中的申请(%(number)s),请不要重复申请。")
            % {"service": dup.service.name, "number": dup.number},
            code="duplicate",
        )
    form = form_prepare(
        actor=actor,
        resident_id=rid,
        services=services,
        bundle=bundle,
        consent_tiers=consent,
        present=present,
    )
    typed_in = values or {}
    corrected_in = corrections or {}
    final: dict[str, tuple[str, str]] = {}
    for spec in form.fields:
        pre = form.prefill.get(spec.key)
        if spec.key in corrected_in and pre is not None and corrected_in[spec.key].strip():
            final[spec.key] = (value_clean(spec, corrected_in[spec.key]), Source.CORRECTED)
        elif pre is not None:
            final[spec.key] = (pre.value, pre.source)
        else:
            value = value_clean(spec, typed_in.get(spec.key, ""))
            if value:
                final[spec.key] = (value, Source.TYPED)
        if spec.required and spec.key not in final:
            message = (
                _("缺少材料:%(label)s。请上传或填写材料说明。")
                if spec.is_document
                else _("请填写%(label)s。")
            )
            raise ValidationFailed(
                message % {"label": spec.label},
                code="missing_document" if spec.is_document else "missing_field",
                field=spec.key,
            )
    now = timezone.now()
    receipt = Receipt.objects.create(
        number=_number("HZ"), resident_id=rid, bundle=bundle, entered_by=actor, channel=channel
    )
    calendar = WorkingCalendar()
    made: list[Application] = []
    for service in services:
        deadline = calendar.add_working_days(start=now, days=service.deadline_days)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    number=_number("FW"),
                    service=service,
                    department=service.department,
                    resident_id=rid,
                    receipt=receipt,
                    entered_by=actor,
                    channel=channel,
                    consent={"tiers": consent, "present": channel == Channel.WINDOW},
                    consent_at=now,
                    submitted_at=now,
                    due_at=deadline.due,
                    due_provisional=deadline.provisional,
                )
        except IntegrityError:  # a parallel submission won the race
            raise Conflict(
                _("%(service)s已有一份办理中的申请,请不要重复申请。") % {"service": service.name},
                code="duplicate",
            ) from None
        keys = {spec_key for spec_key in (str(r["key"]) for r in service.fields)}
        specs = {f.key: f for f in form.fields if f.key in keys}
        Value.objects.bulk_create(
            [
                Value(application=application, key=k, value=final[k][0], source=final[k][1])
                for k in specs
                if k in final
            ]
        )
        Document.objects.bulk_create(
            [
                Document(
                    resident_id=rid, kind=f.document, reference=final[k][0], application=application
                )
                for k, f in specs.items()
                if f.document and k in final and final[k][1] != Source.DOCUMENT
            ]
        )
        Step.objects.create(
            application=application, action="submit", to_status=Status.SUBMITTED, actor=actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.SUBMITTED,
            obj=application,
            data={
                "service": service.code,
                "resident": rid,
                "channel": channel,
                "consent": consent,
                "sources": {k: final[k][1] for k in specs if k in final},
            },
        )
        made.append(application)
    for spec in form.fields:
        if spec.key in final and final[spec.key][1] == Source.CORRECTED:
            _correct(actor, channel, rid, spec, final[spec.key][0])
    for application in made:
        title = _("新的服务申请待受理:%(service)s(%(number)s)") % {
            "service": application.service.name,
            "number": application.number,
        }
        for officer in _department_officers(application):
            notification_send(recipient=officer, title=title, url=application_url(application))
    owner = resident_of_user_id(rid)
    if owner is not None:
        notification_send(
            recipient=owner,
            title=_("您的服务申请已提交(回执 %(number)s)") % {"number": receipt.number},
            url=reverse("station:receipt", args=[receipt.pk]),
        )
    return receipt


def resident_of_user_id(resident_id: int) -> Any:
    """The resident's own account (to notify), or None for someone without a phone."""
    return User.objects.filter(resident__pk=resident_id, is_active=True).first()


def typed_counts(form: Form) -> tuple[int, int, int]:
    """(asked service by service at separate windows, asked once without prefill, typed
    with prefill): how many fields the resident fills in."""
    separate = sum(len(s.fields) for s in form.services)
    return separate, len(form.fields), len(form.typed)


__all__ = ["Form", "apply", "form_prepare", "services_for", "typed_counts"]
