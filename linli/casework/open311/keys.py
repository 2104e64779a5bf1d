"""Issue, list, revoke and check Open311 api_keys. The key is shown once, never stored."""

import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.casework.choices import AuditAction
from linli.casework.open311.models import Open311Key
from linli.core.audit.services import audit_record
from linli.core.errors import NotFound, ValidationFailed
from linli.core.roles import Role

KEY_START = "o311_"
USERNAME_START = "open311:"
NAME_MAX = 100


def _username(name: str) -> str:
    return USERNAME_START + name


@transaction.atomic
def open311_key_create(*, actor: Any, name: str) -> tuple[Open311Key, str]:
    """A new key for client NAME. Cases it files belong to the partner account
    "open311:NAME", which is created on the first key and kept across key rotations."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写接入方名称。"), field="name")
    if len(name) > NAME_MAX or any(c.isspace() for c in name):
        raise ValidationFailed(
            _("接入方名称不能含空白,且不超过 %(max)s 字。") % {"max": NAME_MAX}, field="name"
        )
    if Open311Key.objects.filter(name=name, revoked_at=None).exists():
        raise ValidationFailed(
            _("接入方「%(name)s」已有有效密钥;如需更换,请先吊销旧密钥。") % {"name": name},
            code="key_exists",
        )
    user, created = User.objects.get_or_create(
        username=_username(name),
        defaults={"role": Role.PARTNER, "full_name": f"Open311 接入:{name}"[:50]},
    )
    if created:
        user.set_unusable_password()  # an API account: nobody signs in as it
        user.save(update_fields=["password"])
    elif user.role != Role.PARTNER:
        raise ValidationFailed(
            _("账号 %(username)s 已存在且不是合作单位账号。") % {"username": user.username}
        )
    body = secrets.token_urlsafe(32)
    while body.startswith("-"):  # a prefix starting with "-" reads as an option on a command line
        body = secrets.token_urlsafe(32)
    key = KEY_START + body
    row = Open311Key.objects.create(
        name=name,
        prefix=key[len(KEY_START) : len(KEY_START) + 8],
        key_hash=Open311Key.hash_key(key),
        user=user,
    )
    audit_record(
        actor=actor,
        action=AuditAction.OPEN311_KEY_CREATE,
        obj=row,
        data={"user": user.pk, "prefix": row.prefix, "user_created": created},
    )
    return row, key


@transaction.atomic
def open311_key_revoke(*, actor: Any, prefix: str) -> Open311Key:
    prefix = (prefix or "").strip()
    rows = list(Open311Key.objects.select_for_update().filter(prefix=prefix, revoked_at=None))
    if not rows:
        raise NotFound(_("没有前缀为「%(prefix)s」的有效密钥。") % {"prefix": prefix})
    if len(rows) > 1:  # 48 random bits: practically never
        raise ValidationFailed(
            _("前缀「%(prefix)s」对应多个密钥,请在后台吊销。") % {"prefix": prefix}
        )
    row = rows[0]
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.OPEN311_KEY_REVOKE, obj=row, data={"prefix": row.prefix}
    )
    return row


def open311_keys() -> QuerySet[Open311Key]:
    return Open311Key.objects.select_related("user").order_by("name", "created_at")


def open311_key_user(*, key: str) -> User | None:
    """The account of a valid, unrevoked key; None otherwise."""
    if not key or not key.startswith(KEY_START):
        return None
    row = (
        Open311Key.objects.select_related("user")
        .filter(key_hash=Open311Key.hash_key(key), revoked_at=None, user__is_active=True)
        .first()
    )
    return row.user if row is not None else None
