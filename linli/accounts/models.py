import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from linli.accounts.choices import MembershipKind
from linli.core.base import BaseModel
from linli.core.roles import Role


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.RESIDENT)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    elder_mode = models.BooleanField("长者模式", default=False)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Membership(BaseModel):
    """Attaches a person to the place or unit they work for (GEO-3)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    kind = models.CharField(max_length=20, choices=MembershipKind.choices)
    grid = models.ForeignKey(
        "geo.Grid", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    community = models.ForeignKey(
        "geo.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    street = models.ForeignKey(
        "geo.Street", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        "geo.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )

    class Meta:
        constraints = [
            # The plan's "1 + 2": one grid worker per grid.
            models.UniqueConstraint(
                fields=["grid"], condition=Q(kind="grid_worker"), name="one_grid_worker_per_grid"
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(kind="secretary"),
                name="one_secretary_per_community",
            ),
            models.CheckConstraint(
                name="membership_scope_matches_kind",
                condition=(
                    Q(kind__in=["grid_worker", "grid_volunteer"], grid__isnull=False)
                    | Q(kind__in=["community_worker", "secretary"], community__isnull=False)
                    | Q(kind="street_admin", street__isnull=False)
                    | Q(kind="dept_officer", department__isnull=False)
                ),
            ),
        ]
        verbose_name = "岗位"
        verbose_name_plural = "岗位"

    def __str__(self) -> str:
        place = self.grid or self.community or self.street or self.department
        return f"{self.user} · {self.get_kind_display()} · {place}"


class ApiToken(BaseModel):
    """Bearer token for machine clients; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginCode(BaseModel):
    """A one-time SMS code to sign in by phone number (PLAT-2: no password to remember).
    Only its keyed hash is stored; it expires in minutes and allows a few tries."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_codes")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"

    def __str__(self) -> str:
        return f"{self.user_id}:{self.expires_at:%H:%M}"
