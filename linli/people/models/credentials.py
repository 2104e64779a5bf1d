"""Certificates and grants a department decided (a 老年证 number and its date, a 残疾人证
renewal), written on the record by `people.services.decisions` when a one-stop application
is granted (SERVE-2). The number is ciphertext at rest (PEOPLE-2)."""

from django.db import models

from linli.core.base import BaseModel
from linli.core.crypto import EncryptedTextField


class Credential(BaseModel):
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="credentials"
    )
    kind = models.SlugField("种类", max_length=30)
    name = models.CharField("名称", max_length=50)
    number = EncryptedTextField("证号")
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    source = models.CharField("来源", max_length=60, blank=True, help_text="如:综合服务申请编号")

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "证件与待遇"
        verbose_name_plural = "证件与待遇"

    def __str__(self) -> str:
        return self.name
