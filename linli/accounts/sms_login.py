"""Sign in with a phone number and an SMS code (PLAT-2): for residents who cannot keep a
password. The code goes out by the configured SMS sender after commit; only its keyed hash
is stored; it lives 5 minutes, allows 5 tries, and a number gets one code a minute."""

import datetime as dt
import re
import secrets
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import LoginCode, User
from linli.core.audit.services import audit_record
from linli.core.crypto import blind_index
from linli.core.errors import ValidationFailed
from linli.core.senders import OutboundMessage, get_sender

LIFETIME = dt.timedelta(minutes=5)
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_TRIES = 5
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
BAD_CODE = gettext_lazy("验证码不正确或已过期,请重新获取。")


def _phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if not MOBILE.match(phone):
        raise ValidationFailed(_("请填写 11 位手机号。"), field="phone")
    return phone


def _hash(user_id: int, code: str) -> str:
    return blind_index(f"{user_id}:{code}", context="accounts.login_code")


def _account(phone: str) -> User | None:
    """The one active account with this number; none when unknown or shared (ambiguous)."""
    users = list(User.objects.filter(phone=phone, is_active=True)[:2])
    return users[0] if len(users) == 1 else None


@transaction.atomic
def login_code_send(*, phone: str) -> None:
    """Text a code to the number if it belongs to one account. The answer is the same
    whether or not it does (no finding out who is registered)."""
    phone = _phone(phone)
    user = _account(phone)
    if user is None:
        return
    now = timezone.now()
    recent = LoginCode.objects.select_for_update().filter(
        user=user, created_at__gt=now - RESEND_AFTER
    )
    if recent.exists():
        raise ValidationFailed(_("验证码已发送,请稍等一分钟再重新获取。"), field="phone")
    code = f"{secrets.randbelow(10**6):06d}"
    LoginCode.objects.create(user=user, code_hash=_hash(user.pk, code), expires_at=now + LIFETIME)
    audit_record(actor=None, action="account.login_code", obj=user)
    text = _("邻里登录验证码 %(code)s,5 分钟内有效。请勿告诉他人。") % {"code": code}
    message = OutboundMessage(channel="sms", address=phone, title=text, body="", notification_id=0)
    # robust: a gateway failure is logged, the page still answers (the code can be asked again).
    transaction.on_commit(partial(get_sender("sms").send, message), robust=True)


def login_code_verify(*, phone: str, code: str) -> User:
    """The account whose latest code this is. Each try is counted (and kept when it fails);
    a used code is spent."""
    phone = _phone(phone)
    code = (code or "").strip()
    with transaction.atomic():
        user = _account(phone)
        row = None
        if user is not None:
            row = (
                LoginCode.objects.select_for_update()
                .filter(user=user, used_at=None, expires_at__gt=timezone.now())
                .order_by("-created_at")
                .first()
            )
        ok = False
        if row is not None and row.attempts < MAX_TRIES:
            row.attempts += 1
            ok = secrets.compare_digest(row.code_hash, _hash(row.user_id, code))
            row.used_at = timezone.now() if ok else None
            row.save(update_fields=["attempts", "used_at", "updated_at"])
        if ok and user is not None:
            audit_record(actor=user, action="account.login", obj=user, data={"by": "sms"})
            return user
    raise ValidationFailed(str(BAD_CODE), code="bad_code", field="code")
