"""Open311 API keys. Imported by linli.casework.models so the app registers it."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from linli.core.base import BaseModel


class Open311Key(BaseModel):
    """An Open311 client's api_key; only its SHA-256 is stored. The key's user is the
    account its cases are filed under."""

    name = models.CharField("名称", max_length=100, db_index=True)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="open311_keys"
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        app_label = "casework"
        ordering = ["name", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(revoked_at=None), name="one_active_open311_key"
            )
        ]
        verbose_name = "Open311 密钥"
        verbose_name_plural = "Open311 密钥"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
