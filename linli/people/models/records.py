"""The resident record 一人一档 (PEOPLE-1). Sensitive fields are ciphertext at rest (PEOPLE-2);
exact lookup by ID number goes through a keyed hash column."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from linli.core.base import BaseModel
from linli.core.crypto import EncryptedTextField
from linli.people.choices import Ability, Audience, Sex, Tier
from linli.people.models.visibility import ResidentQuerySet


class Tag(BaseModel):
    """独居老人, 残疾人, 低保 …: configuration data. A tag has a tier, so a 低保 tag is as
    protected as the assistance field itself."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30)
    tier = models.CharField(
        "敏感级别",
        max_length=10,
        choices=[(t.value, t.label) for t in (Tier.BASIC, Tier.HEALTH, Tier.FINANCE)],
        default=Tier.BASIC,
    )
    needs_expiry = models.BooleanField("需要有效期", default=False, help_text="如居住证")

    class Meta:
        ordering = ["code"]
        verbose_name = "居民标签"
        verbose_name_plural = "居民标签"

    def __str__(self) -> str:
        return self.name


class Resident(BaseModel):
    household = models.ForeignKey(
        "geo.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="residents"
    )
    # Where a record without a home was made (at a window): that community's staff reach it
    # again, so the next visit does not make a second record.
    registered_community = models.ForeignKey(
        "geo.Community", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField("出生年份")
    is_head = models.BooleanField("户主", default=False)
    relation_to_head = models.CharField("与户主关系", max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    ability = models.CharField("老人能力等级", max_length=10, choices=Ability.choices, blank=True)
    # Sensitive: ciphertext at rest. The masked phone is derived, kept in clear for lists.
    phone = EncryptedTextField("电话")
    phone_masked = models.CharField("电话(部分隐藏)", max_length=13, blank=True)
    id_number = EncryptedTextField("身份证号")
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    health_conditions = EncryptedTextField("健康状况")
    disability = EncryptedTextField("残疾情况")
    assistance = EncryptedTextField("救助类别")
    finance_note = EncryptedTextField("经济情况")
    # Optional data, held only with consent (PEOPLE-7): withdrawing consent erases it.
    skills = EncryptedTextField("特长与兴趣")
    health_notes = EncryptedTextField("健康备注(自填)")
    optional_consent_at = models.DateTimeField("同意提供自愿信息时间", null=True, blank=True)
    # Privacy choices (PEOPLE-6).
    alerts_audience = models.CharField(
        "预警可见范围", max_length=10, choices=Audience.choices, default=Audience.FAMILY
    )
    optional_audience = models.CharField(
        "自愿信息可见范围", max_length=10, choices=Audience.choices, default=Audience.GRID
    )
    tags = models.ManyToManyField(Tag, through="ResidentTag", related_name="residents")

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="people_resident_unique_id_number",
            )
        ]
        indexes = [models.Index(fields=["household", "full_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def address(self) -> str:
        h = self.household
        if h is None:
            return ""
        return f"{h.building.name}{h.unit}{h.room}"


class ResidentTag(BaseModel):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="links")
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="people_tag_once"),
        ]


class ContactManager(models.Manager["Contact"]):
    """Contacts in force: a family-link request waiting for acceptance is not a contact."""

    def get_queryset(self) -> models.QuerySet["Contact"]:
        return super().get_queryset().filter(requested_user__isnull=True)


class Contact(BaseModel):
    """Emergency contact or family member; `user` links a family account (家属). That link is
    the one family relation: family views (people, care), alert audiences and time-bank gifts
    (代际互助) all read it, through `people.selectors.relatives_of` / `relative_users_of`.

    A user may ask for a link (`people.services.family`): the row then waits as a request,
    `requested_user` holding the account to link and `user` empty, until the other side
    accepts. `Contact.objects` (and `resident.contacts`) leave requests out, so a request
    grants nothing and lists nobody; `Contact.with_requests` sees them."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("关系", max_length=20)
    phone = EncryptedTextField("电话")
    phone_masked = models.CharField(max_length=13, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relatives",
    )
    # Given with the optional-data consent; erased when it is withdrawn.
    optional = models.BooleanField(default=False)
    # A link asked for by an account (the resident, or the relative naming the resident).
    requested_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="family_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField("接受关联时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ContactManager()
    with_requests = models.Manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "紧急联系人"
        verbose_name_plural = "紧急联系人"
        constraints = [
            models.CheckConstraint(
                name="people_contact_link_or_request",
                condition=Q(user__isnull=True) | Q(requested_user__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["resident", "requested_user"],
                condition=Q(requested_user__isnull=False),
                name="people_contact_request_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.relation})"
