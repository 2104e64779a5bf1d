import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from linli.accounts.models import ApiToken, User
from linli.core.audit.services import audit_record
from linli.core.errors import PermissionDenied, ValidationFailed

LOCKED_MESSAGE = gettext_lazy(
    "登录失败次数过多,账号已暂时锁定,请 {minutes} 分钟后再试或联系社区工作人员。"
)
BAD_LOGIN_MESSAGE = gettext_lazy("用户名或密码不正确。")


def user_login_attempt(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Check a password, counting failures; lock the account after too many (per account)."""
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None and user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise PermissionDenied(str(LOCKED_MESSAGE).format(minutes=minutes), code="locked")
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        if user is not None:
            _count_failure(user_id=user.pk, now=now)
        raise ValidationFailed(str(BAD_LOGIN_MESSAGE), code="bad_credentials")
    assert isinstance(authed, User)
    with transaction.atomic():
        if authed.failed_logins or authed.locked_until:
            authed.failed_logins = 0
            authed.locked_until = None
            authed.save(update_fields=["failed_logins", "locked_until"])
        audit_record(actor=authed, action="account.login", obj=authed)
    return authed


@transaction.atomic
def _count_failure(*, user_id: int, now: dt.datetime) -> None:
    user = User.objects.select_for_update().get(pk=user_id)
    user.failed_logins += 1
    if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
        user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.failed_logins = 0
        audit_record(actor=None, action="account.locked", obj=user)
    user.save(update_fields=["failed_logins", "locked_until"])


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the key, which is shown once and never stored."""
    key = "linli_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[6:14], key_hash=ApiToken.hash_key(key)
    )
    audit_record(actor=actor, action="api_token.create", obj=token, data={"user": user.pk})
    return token, key


def api_token_authenticate(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_set_elder_mode(*, user: User, enabled: bool) -> None:
    User.objects.filter(pk=user.pk).update(elder_mode=enabled)
