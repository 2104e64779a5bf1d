"""The one password check behind every entrance (the login page, the admin's login, any
future form): Django calls `authenticate()`, which lands here."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.core.notifications.services import notification_send


class LockoutBackend(ModelBackend):
    """Counts every password check against the account before making it, so parallel guesses
    get at most LOGIN_MAX_FAILURES checks; a locked account is refused exactly like a wrong
    password (no account enumeration) and its owner is told by notification."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user, last_try = self._reserve_attempt(username)
        if user is None:
            User().set_password(password)  # spend a hash's time, as for a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            user.failed_logins, user.locked_until = 0, None
            return user
        if last_try:
            _tell_owner_of_lock(user)
        return None

    @staticmethod
    def _reserve_attempt(username: str) -> tuple[User | None, bool]:
        """(the account, whether this is the last check before the lock), with this attempt
        counted; no account if unknown or locked. The last check sets the lock before it is
        made, so a crash in between still leaves the account locked, not open."""
        now = timezone.now()
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            if user is None or (user.locked_until and user.locked_until > now):
                return None, False
            # The row lock (PostgreSQL) or the immediate transaction (SQLite) orders this.
            user.failed_logins += 1
            last_try = user.failed_logins >= settings.LOGIN_MAX_FAILURES
            if last_try:
                user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
        return user, last_try


def _tell_owner_of_lock(user: User) -> None:
    with transaction.atomic():
        audit_record(actor=None, action="account.locked", obj=user)
        notification_send(
            recipient=user,
            title=gettext("您的账号因多次密码错误已暂时锁定"),
            body=gettext(
                "有人连续多次输错了您账号的密码,账号已锁定 {minutes} 分钟。"
                "如果不是您本人,请联系社区工作人员。"
            ).format(minutes=settings.LOGIN_LOCKOUT_MINUTES),
        )
