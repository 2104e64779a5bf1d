"""Services (active leaf categories), their definitions and the attributes a client sends."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.casework.choices import DeadlineUnit, Urgency
from linli.casework.models import Category
from linli.core.errors import NotFound, ValidationFailed

SERVICE_TYPE = "realtime"  # the tracking number is returned at once; tokens are not needed
UNKNOWN_SERVICE = gettext_lazy("找不到该服务类型(service_code)。")


@dataclass(frozen=True)
class Value:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    required: bool
    description: str
    label: str  # how the answer is written into the case description
    values: tuple[Value, ...] = ()
    max_length: int = 100


FLOOR = Attribute(
    code="floor",
    datatype="string",
    required=False,
    description="楼层/位置补充,如「3幢2单元5楼楼道」。",
    label="位置补充",
)
HAZARD = Attribute(
    code="hazard",
    datatype="singlevaluelist",
    required=False,
    description="现场是否有安全隐患(人员受伤、车辆或行人有危险)?",
    label="安全隐患",
    values=(Value("yes", "是"), Value("no", "否")),
)


def service_attributes(category: Category) -> list[Attribute]:
    """Every service asks where exactly; urgent ones also ask about danger on site."""
    if category.urgency == Urgency.URGENT:
        return [FLOOR, HAZARD]
    return [FLOOR]


def active_services() -> QuerySet[Category]:
    return (
        Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
        .select_related("parent")
        .order_by("code")
    )


def service_get(code: str) -> Category:
    category = active_services().filter(code=code).first()
    if category is None:
        raise NotFound(str(UNKNOWN_SERVICE))
    return category


def _span(amount: int, unit: str) -> str:
    return f"{amount} 个工作日" if unit == DeadlineUnit.WORKING_DAYS else f"{amount} 小时"


def deadlines_text(category: Category) -> str:
    return (
        f"响应时限 {_span(category.respond_amount, category.respond_unit)},"
        f"办结时限 {_span(category.close_amount, category.close_unit)}。"
    )


def service_entry(category: Category) -> dict[str, Any]:
    major = category.parent
    group = major.name if major is not None else ""
    description = category.description or f"{group} · {category.name}。{deadlines_text(category)}"
    keywords = [category.name, group, str(category.get_urgency_display())]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": description,
        "metadata": bool(service_attributes(category)),
        "type": SERVICE_TYPE,
        "keywords": ", ".join(k for k in keywords if k),
        "group": group,
    }


def service_definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": None,
                "order": order,
                "description": a.description,
                "values": [{"key": v.key, "name": v.name} for v in a.values],
            }
            for order, a in enumerate(service_attributes(category), start=1)
        ],
    }


def _submitted_attributes(form: QueryDict) -> dict[str, list[str]]:
    """attribute[code]=value and attribute[code][]=value (multivaluelist) → {code: values}."""
    found: dict[str, list[str]] = {}
    for key in form:
        inner = key.removeprefix("attribute[")
        if inner == key:
            continue
        if inner.endswith("][]"):
            code = inner[:-3]
        elif inner.endswith("]"):
            code = inner[:-1]
        else:
            continue
        found.setdefault(code, []).extend(v.strip() for v in form.getlist(key) if v.strip())
    return found


def attribute_lines(category: Category, form: QueryDict) -> list[str]:
    """Checks the submitted attributes against the service definition; returns the lines
    appended to the case description ("位置补充:3楼")."""
    defined = {a.code: a for a in service_attributes(category)}
    submitted = _submitted_attributes(form)
    unknown = sorted(set(submitted) - set(defined))
    if unknown:
        raise ValidationFailed(
            _("该服务没有属性 %(codes)s。") % {"codes": ", ".join(unknown)},
            field="attribute",
            code="unknown_attribute",
        )
    lines = []
    for attribute in defined.values():
        values = submitted.get(attribute.code, [])
        if not values:
            if attribute.required:
                raise ValidationFailed(
                    _("请填写「%(what)s」。") % {"what": attribute.description}, field="attribute"
                )
            continue
        if attribute.values:
            names = {v.key: v.name for v in attribute.values}
            if attribute.datatype == "singlevaluelist" and len(values) > 1:
                raise ValidationFailed(
                    _("属性 %(code)s 只能选一个值。") % {"code": attribute.code}, field="attribute"
                )
            bad = [v for v in values if v not in names]
            if bad:
                raise ValidationFailed(
                    _("属性 %(code)s 的取值无效,可选:%(values)s。")
                    % {"code": attribute.code, "values": ", ".join(names)},
                    field="attribute",
                )
            values = [names[v] for v in values]
        text = "、".join(values)
        if len(text) > attribute.max_length:
            raise ValidationFailed(
                _("属性 %(code)s 不能超过 %(max)s 字。")
                % {"code": attribute.code, "max": attribute.max_length},
                field="attribute",
            )
        lines.append(f"{attribute.label}:{text}")
    return lines
