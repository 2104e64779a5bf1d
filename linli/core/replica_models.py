from django.db import models


class ReplicaPin(models.Model):
    """Until when an API-token user reads from the primary (read-your-writes across web
    processes and machines, which a per-process cache could not give). One row per user."""

    user_id = models.BigIntegerField(primary_key=True)
    until = models.DateTimeField()

    class Meta:
        verbose_name = "主库读取期"
        verbose_name_plural = "主库读取期"

    def __str__(self) -> str:
        return f"{self.user_id} → {self.until:%H:%M:%S}"
