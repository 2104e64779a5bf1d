"""The catalogue a city starts from (SERVE-1): six services and the 80th-birthday bundle.
`catalogue_seed` loads them (the demo, tests); afterwards a city edits them in the admin.
Field keys are shared across services, so a bundle asks each thing once."""

from typing import Any

from django.db import transaction

from linli.geo.choices import DepartmentKind, HandlingLevel
from linli.geo.models import Department

# Short name → the deciding department's full name (created when missing).
DEPARTMENTS = {
    "民政": "西湖区民政局",
    "卫健": "西湖区卫生健康局",
    "公安": "杭州市公安局西湖区分局",
    "残联": "西湖区残疾人联合会",
}


def _f(
    key: str,
    label: str,
    kind: str = "text",
    *,
    source: str = "",
    document: str = "",
    tier: str = "",
    required: bool = True,
) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "kind": kind,
        "required": required,
        "source": source,
        "document": document,
        "tier": tier,
    }


NAME = _f("full_name", "姓名", source="full_name")
ID = _f("id_number", "身份证号", "id_number", source="id_number")
ADDRESS = _f("address", "户籍/居住地址", "household", source="address")
PHONE = _f("phone", "联系电话", "phone", source="phone")
PHOTO = _f("photo", "二寸免冠照片", "photo", document="photo", tier="identity")
HUKOU = _f("hukou", "户口簿本人页", "document", document="hukou", tier="identity")
INCOME = _f("income", "家庭收入证明", "income", document="income", tier="finance")
BANK = _f("bank_card", "社保卡或银行卡(发放账户)", "document", document="bank_card", tier="finance")
CARD_NO = _f("elder_card_no", "现有老年证号", source="credential:elder_card")
GRADE = _f("disability_grade", "残疾类别和等级", "disability_grade", source="disability")
ASSESSMENT = _f(
    "assessment", "残疾评定表(医院出具)", "document", document="assessment", tier="health"
)
HEALTH = _f("health", "健康状况(慢性病等)", source="health_conditions", required=False)

GUIDE_COMMON = "带上身份证。在手机上申请时,档案里已有的信息会自动填好,您只需核对。"

SERVICES: list[dict[str, Any]] = [
    {
        "code": "elder_card",
        "name": "老年证办理",
        "summary": "60周岁以上本市户籍或居住的老人办理老年证,乘车、游园优惠。",
        "dept": "民政",
        "deadline_days": 5,
        "fields": [NAME, ID, ADDRESS, PHONE, PHOTO],
        "eligibility": {"min_age": 60, "household": True, "not_holding": ["elder_card"]},
        "effect": "credential",
        "effect_kind": "elder_card",
        "guide": "谁能办:年满60周岁的老人。\n要准备:身份证、二寸照片一张。\n"
        "多久办好:5个工作日。\n" + GUIDE_COMMON,
        "order": 10,
    },
    {
        "code": "elder_card_update",
        "name": "老年证换证(满80周岁)",
        "summary": "满80周岁换发新老年证,享受高龄优待。",
        "dept": "民政",
        "deadline_days": 5,
        "fields": [NAME, ID, CARD_NO, PHOTO],
        "eligibility": {"min_age": 80, "holding": ["elder_card"]},
        "effect": "credential",
        "effect_kind": "elder_card",
        "guide": "谁能办:满80周岁、已有老年证的老人。\n要准备:旧老年证、二寸照片。\n"
        "多久办好:5个工作日。\n" + GUIDE_COMMON,
        "order": 20,
    },
    {
        "code": "longevity_allowance",
        "name": "高龄津贴申领",
        "summary": "满80周岁老人每月领取高龄津贴。",
        "dept": "民政",
        "deadline_days": 10,
        "fields": [NAME, ID, ADDRESS, PHONE, BANK],
        "eligibility": {"min_age": 80, "household": True, "not_holding": ["longevity_allowance"]},
        "effect": "credential",
        "effect_kind": "longevity_allowance",
        "guide": "谁能办:满80周岁的老人。\n要准备:身份证、社保卡或银行卡。\n"
        "多久办好:10个工作日,批准后按月发放。\n" + GUIDE_COMMON,
        "order": 30,
    },
    {
        "code": "dibao",
        "name": "低保申请协助",
        "summary": "家庭收入低于当地低保标准的,社区协助提交低保申请。",
        "dept": "民政",
        "deadline_days": 20,
        "fields": [NAME, ID, ADDRESS, PHONE, HUKOU, INCOME],
        "eligibility": {"household": True, "not_holding": ["dibao", "tekun"]},
        "effect": "assistance",
        "effect_kind": "dibao",
        "valid_years": 1,
        "guide": "谁能办:家庭人均收入低于低保标准的居民。\n要准备:身份证、户口簿、"
        "家庭收入证明。\n多久办好:20个工作日。\n" + GUIDE_COMMON,
        "order": 40,
    },
    {
        "code": "health_check",
        "name": "老年人免费体检预约",
        "summary": "65周岁以上老人每年一次免费体检。",
        "dept": "卫健",
        "deadline_days": 3,
        "fields": [NAME, ID, ADDRESS, PHONE, HUKOU, HEALTH],
        "eligibility": {"min_age": 65},
        "guide": "谁能办:年满65周岁的老人,每年一次。\n要准备:身份证、户口簿。\n"
        "办好了会通知您体检的日期和地点。\n" + GUIDE_COMMON,
        "order": 50,
    },
    {
        "code": "residence_proof",
        "name": "居住证明",
        "summary": "开具在本社区居住的证明。",
        "dept": "公安",
        "deadline_days": 3,
        "fields": [
            NAME,
            ID,
            ADDRESS,
            PHONE,
            _f("tenancy", "房产证或租房合同", "document", document="tenancy", tier="identity"),
            _f("reason", "证明用途", required=True),
        ],
        "eligibility": {"household": True},
        "guide": "谁能办:住在本社区的居民。\n要准备:身份证、房产证或租房合同。\n"
        "多久办好:3个工作日。\n" + GUIDE_COMMON,
        "order": 60,
    },
    {
        "code": "disability_card_renewal",
        "name": "残疾人证换领",
        "summary": "残疾人证到期换领。",
        "dept": "残联",
        "deadline_days": 15,
        "fields": [NAME, ID, ADDRESS, PHONE, GRADE, PHOTO, ASSESSMENT],
        "eligibility": {"holding": ["disabled"]},
        "effect": "credential",
        "effect_kind": "disability_card",
        "valid_years": 10,
        "guide": "谁能办:持有残疾人证、需要换领的居民。\n要准备:身份证、旧证、"
        "二寸照片、医院评定表。\n多久办好:15个工作日。\n" + GUIDE_COMMON,
        "order": 70,
    },
]

BUNDLES: list[dict[str, Any]] = [
    {
        "code": "turning_80",
        "name": "80岁生日一件事",
        "summary": "满80周岁:高龄津贴、老年体检、老年证换证,一次办好。",
        "services": ["longevity_allowance", "health_check", "elder_card_update"],
    }
]


def _department(short: str) -> Department:
    name = DEPARTMENTS[short]
    dept, _made = Department.objects.get_or_create(
        name=name,
        defaults={
            "short_name": short,
            "kind": DepartmentKind.GOVERNMENT,
            "level": HandlingLevel.STREET,
        },
    )
    return dept


@transaction.atomic
def catalogue_seed() -> int:
    """Create the services and bundles that are missing (existing rows are left as a city
    edited them). Returns how many services were created."""
    from linli.station.models import Bundle, Service

    created = 0
    for spec in SERVICES:
        data = dict(spec)
        code = data.pop("code")
        data["department"] = _department(data.pop("dept"))
        _obj, made = Service.objects.get_or_create(code=code, defaults=data)
        created += made
    for spec in BUNDLES:
        bundle, made = Bundle.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "summary": spec["summary"]}
        )
        if made:
            bundle.services.set(Service.objects.filter(code__in=spec["services"]))
    return created
