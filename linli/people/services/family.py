"""Family links asked for by the people themselves (代际互助 in the time bank): one account
names another; once the other accepts, the link is a `Contact` with `user` on the resident's
record — the one family relation (family views, alert audiences, time-bank gifts).

The link lives on a resident record: the requester's own, else the named relative's (the
relative accepting is then the resident consenting). Two accounts neither of whom has a
record cannot be linked. A request waits with `requested_user` set and `user` empty, so it
grants nothing and is listed as nobody's contact until accepted.
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.people.choices import AuditAction
from linli.people.models import Contact, Resident

MAX_RELATION = 20
# The relation as the resident's record reads it when the relative named the resident
# ("she is my mother" becomes "I am her child" on her record); anything else reads "家人".
INVERSE_RELATION = {
    **dict.fromkeys(("父亲", "母亲", "父母", "爸爸", "妈妈"), "子女"),
    **dict.fromkeys(("儿子", "女儿", "子女", "孩子"), "父母"),
    **dict.fromkeys(("丈夫", "妻子", "配偶", "老伴", "爱人"), "配偶"),
    **dict.fromkeys(("爷爷", "奶奶", "外公", "外婆", "祖父", "祖母", "祖父母"), "孙辈"),
    **dict.fromkeys(("孙子", "孙女", "外孙", "外孙女", "孙辈"), "祖辈"),
    **dict.fromkeys(("哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "姐妹", "兄弟姐妹"), "兄弟姐妹"),
}
FALLBACK_RELATION = "家人"


@dataclass(frozen=True)
class FamilyRequest:
    """A request waiting for acceptance, as the page of one of its two accounts shows it."""

    id: int
    other_name: str  # the other account's name
    relation: str  # as the resident's record reads it
    incoming: bool  # True: the other asked, this account accepts


def _pair(a: Any, b: Any) -> Q:
    """Rows linking (or asking to link) the two accounts, either way round."""
    return Q(resident__user=a) & (Q(user=b) | Q(requested_user=b)) | Q(resident__user=b) & (
        Q(user=a) | Q(requested_user=a)
    )


def _acceptor_q(actor: Any) -> Q:
    """Requests the actor is the one to accept: the other side of the requester."""
    mine = Q(requested_user=actor) | Q(resident__user=actor)
    return mine & ~Q(requested_by=actor) & Q(requested_user__isnull=False)


@transaction.atomic
def family_link_request(*, actor: Any, username: str, relation: str, url: str = "") -> Contact:
    """`actor` names `username` as family ("关系": what the relative is to the actor)."""
    relation = (relation or "").strip()
    if not relation:
        raise ValidationFailed(_("请填写关系。"), field="relation")
    if len(relation) > MAX_RELATION:
        raise ValidationFailed(
            _("关系不能超过 %(max)s 字。") % {"max": MAX_RELATION}, field="relation"
        )
    name = (username or "").strip()
    relative = User.objects.filter(username=name, is_active=True).first() if name else None
    if relative is None:
        raise NotFound(_("找不到这个账号,请核对家人的登录账号。"), field="username")
    if relative.pk == actor.pk:
        raise ValidationFailed(_("不能关联自己。"), field="username")
    rows = Contact.with_requests.filter(_pair(actor, relative))
    if rows.filter(requested_by=relative, requested_user__isnull=False).exists():
        raise Conflict(_("对方已向您发出关联,请在下方接受。"), field="username")
    existing = rows.filter(requested_user__isnull=True).first() or rows.order_by("pk").first()
    if existing is not None:
        return existing
    # The link goes on a resident record: the requester's, else the relative's.
    record = Resident.objects.select_for_update().filter(user=actor).first()
    account, stored_relation = relative, relation
    if record is None:
        record = Resident.objects.select_for_update().filter(user=relative).first()
        account = actor
        stored_relation = INVERSE_RELATION.get(relation, FALLBACK_RELATION)
    if record is None:
        raise ValidationFailed(
            _("关联家人需要你们中的一位已在社区登记居民档案,请先到社区登记。"),
            field="username",
        )
    try:
        with transaction.atomic():
            link = Contact.with_requests.create(
                resident=record,
                name=account.display_name[:50],
                relation=stored_relation,
                phone="",
                requested_user=account,
                requested_by=actor,
            )
    except IntegrityError:  # the same request, made twice at once
        return Contact.with_requests.get(resident=record, requested_user=account)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=record,
        data={"fields": ["contacts"], "contact": link.pk, "family_link": "requested"},
    )
    notification_send(
        recipient=relative,
        title=f"{actor.display_name}请求与您关联为家人",
        body="接受后你们可以互相赠送时间币;关联的家人按居民的隐私设置查看档案和看护提醒。",
        url=url,
    )
    return link


@transaction.atomic
def family_link_accept(*, actor: Any, link_id: int) -> Contact:
    """The other side accepts: the request becomes the resident's linked family contact.
    Accepting again changes nothing."""
    link = (
        Contact.with_requests.select_for_update()
        .filter(Q(pk=link_id) & (_acceptor_q(actor) | Q(accepted_by=actor)))
        .first()
    )
    if link is None:
        raise NotFound(_("找不到该家人关联。"))
    if link.requested_user_id is None:
        return link  # accepted already
    account_id = link.requested_user_id
    linked = Contact.objects.filter(resident_id=link.resident_id, user_id=account_id).first()
    if linked is not None:  # staff had registered this family account already
        link.delete()
        return linked
    link.user_id, link.requested_user = account_id, None
    link.accepted_at, link.accepted_by = timezone.now(), actor
    link.save(update_fields=["user", "requested_user", "accepted_at", "accepted_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=link.resident,
        data={"fields": ["contacts"], "contact": link.pk, "family_link": "accepted"},
    )
    return link


def family_requests(*, user: Any) -> list[FamilyRequest]:
    """The requests waiting on either side of this account (its own page's list)."""
    rows = (
        Contact.with_requests.filter(requested_user__isnull=False)
        .filter(Q(requested_user=user) | Q(resident__user=user))
        .select_related("requested_user", "requested_by", "resident__user")
        .order_by("pk")
    )
    out = []
    for row in rows:
        incoming = row.requested_by_id != user.pk
        other = row.requested_user if row.resident.user_id == user.pk else row.resident.user
        out.append(
            FamilyRequest(
                id=row.pk,
                other_name=other.display_name if other is not None else "",
                relation=row.relation,
                incoming=incoming,
            )
        )
    return out
