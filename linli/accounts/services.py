import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from linli.accounts.models import ApiToken, User
from linli.core.audit.services import audit_record
from linli.core.errors import ValidationFailed

BAD_LOGIN_MESSAGE = gettext_lazy("用户名或密码不正确。")


def user_login_attempt(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Check a password through the lockout backend (accounts/backends.py), the same check the
    admin's login makes. A locked account gets the same answer as a wrong password; its owner
    was told by notification when it locked."""
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        raise ValidationFailed(str(BAD_LOGIN_MESSAGE), code="bad_credentials")
    assert isinstance(authed, User)
    audit_record(actor=authed, action="account.login", obj=authed)
    return authed


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
