"""Checking the rows of an import sheet: every problem becomes a RowError (row, column, a
Chinese message that never repeats the value: ID numbers and phones reach screens and logs).
A valid row becomes an unsaved Resident, cleaned exactly as `resident_create` cleans one."""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from linli.core.errors import ValidationFailed
from linli.geo.models import Building
from linli.geo.scope import Scope
from linli.people.choices import Ability
from linli.people.models import Resident, Tag
from linli.people.services.importing.sheet import HEADER, RowError
from linli.people.services.records import TEXT_LIMIT, _clean, id_number_hash
from linli.people.validation import IdInfo, id_number_parse, phone_normalise

SEX = {"男": "M", "男性": "M", "女": "F", "女性": "F"}
ABILITY = {str(label): value for value, label in Ability.choices}
HEAD_WORDS = ("户主", "本人")
TAG_SPLIT = re.compile(r"[、,,;;\s]+")
CONTACT_RE = re.compile(r"^(?P<name>[^((]+)[((](?P<relation>[^))]+)[))]$")
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?$")
CHUNK = 500  # SQLite allows a limited number of parameters per statement


@dataclass
class Row:
    """One valid row, ready to write."""

    row: int
    household: tuple[int, str, str]  # (building id, unit, room)
    resident: Resident
    tags: list[Tag]
    valid_until: dt.date | None
    contact: tuple[str, str, str] | None  # (name, relation, phone)


@dataclass
class _Context:
    buildings: dict[str, list[int]]
    tags: dict[str, Tag]
    heads: set[tuple[int, str, str]]  # households that already have a head
    errors: list[RowError] = field(default_factory=list)
    seen_ids: dict[str, int] = field(default_factory=dict)  # id hash → first row
    sheet_heads: dict[tuple[int, str, str], int] = field(default_factory=dict)

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(row=row, column=HEADER[key], message=message))


def rows_check(
    actor: Any, rows: list[tuple[int, dict[str, Any]]]
) -> tuple[list[Row], list[RowError]]:
    """All rows checked: the valid ones, and every error of the others."""
    ctx = _context(actor)
    valid = [r for r in (_row(ctx, n, cells) for n, cells in rows) if r is not None]
    _check_registered(ctx)
    return valid, ctx.errors


def _context(actor: Any) -> _Context:
    buildings: dict[str, list[int]] = {}
    mine = Building.objects.filter(Scope.for_actor(actor).q(community="grid__community"))
    for pk, name in mine.values_list("pk", "name"):
        buildings.setdefault(name.strip(), []).append(pk)
    tags: dict[str, Tag] = {}
    for tag in Tag.objects.all():
        tags[tag.name] = tag
        tags[tag.code] = tag
    heads = set(
        Resident.objects.filter(is_head=True, household__building__in=mine).values_list(
            "household__building_id", "household__unit", "household__room"
        )
    )
    return _Context(buildings=buildings, tags=tags, heads=heads)


# ---------------------------------------------------------------- one row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    """A date cell (Excel date) or text like 2027-06-30, 2027/6/30, 2027年6月30日, 20270630."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(*(int(g) for g in match.groups()))


def _row(ctx: _Context, n: int, cells: dict[str, Any]) -> Row | None:
    before = len(ctx.errors)
    name = _text(cells.get("full_name"))
    if not name:
        ctx.error(n, "full_name", "请填写姓名。")
    elif len(name) > 50:
        ctx.error(n, "full_name", "姓名太长(不超过50字)。")
    info = _id_number(ctx, n, cells.get("id_number"))
    # A wrong ID number is the one thing to fix: no "fill in sex" on top of it.
    id_given = bool(_text(cells.get("id_number")))
    sex = _sex(ctx, n, cells.get("sex"), info, id_given)
    year = _birth(ctx, n, cells, info, id_given)
    phone = _phone(ctx, n, "phone", cells.get("phone"))
    household = _household(ctx, n, cells)
    relation = _text(cells.get("relation"))
    if len(relation) > 20:
        ctx.error(n, "relation", "与户主关系太长(不超过20字)。")
    is_head = relation in HEAD_WORDS
    if is_head and household is not None:
        if household in ctx.heads:
            ctx.error(n, "relation", "这一户已经登记了户主。")
        elif household in ctx.sheet_heads:
            ctx.error(
                n, "relation", f"同一户只能有一位户主(第 {ctx.sheet_heads[household]} 行已是户主)。"
            )
        else:
            ctx.sheet_heads[household] = n
    tags, valid_until = _tags(ctx, n, cells)
    ability = _text(cells.get("ability"))
    if ability and ability not in ABILITY:
        ctx.error(n, "ability", "能力等级只能填“自理”“半失能”或“失能”。")
    texts = {}
    for key in ("health_conditions", "disability", "assistance"):
        texts[key] = _text(cells.get(key))
        if len(texts[key]) > TEXT_LIMIT:
            ctx.error(n, key, f"内容太长(不超过{TEXT_LIMIT}字)。")
    contact = _contact(ctx, n, cells)
    if len(ctx.errors) > before or household is None:
        return None
    resident = Resident(household_id=0, is_head=is_head)
    values: dict[str, Any] = {
        "full_name": name,
        "sex": sex,
        "birth_year": year,
        "relation_to_head": relation,
        "ability": ABILITY.get(ability, ""),
        "phone": phone,
        "id_number": info.number if info else "",
        **texts,
    }
    try:  # the same checks and derived columns as resident_create
        _clean(resident, values)
    except ValidationFailed as exc:
        ctx.error(n, exc.field if exc.field in HEADER else "full_name", exc.message)
        return None
    return Row(n, household, resident, tags, valid_until, contact)


def _id_number(ctx: _Context, n: int, raw: Any) -> IdInfo | None:
    if not _text(raw):
        return None
    if isinstance(raw, int | float):
        # Excel keeps 15 significant digits: the number is already damaged.
        ctx.error(
            n,
            "id_number",
            "身份证号被 Excel 当成了数字,末几位会丢失;请把这一列设为文本后重新填写。",
        )
        return None
    try:
        info = id_number_parse(_text(raw))
    except ValidationFailed as exc:
        ctx.error(n, "id_number", exc.message)
        return None
    digest = id_number_hash(info.number)
    if digest in ctx.seen_ids:
        ctx.error(n, "id_number", f"与第 {ctx.seen_ids[digest]} 行的身份证号重复。")
    else:
        ctx.seen_ids[digest] = n
    return info


def _sex(ctx: _Context, n: int, raw: Any, info: IdInfo | None, id_given: bool) -> str:
    text = _text(raw)
    if not text:
        if not id_given:
            ctx.error(n, "sex", "请填写性别(填写了身份证号时可不填)。")
        return info.sex if info else ""
    if text not in SEX:
        ctx.error(n, "sex", "性别请填“男”或“女”。")
        return ""
    if info is not None and info.sex != SEX[text]:
        ctx.error(n, "id_number", "身份证号与性别不一致。")
    return SEX[text]


def _birth(
    ctx: _Context, n: int, cells: dict[str, Any], info: IdInfo | None, id_given: bool
) -> int:
    year, id_checked = 0, False
    raw_year = _text(cells.get("birth_year")).removesuffix("年")
    if raw_year:
        if not raw_year.isdigit():
            ctx.error(n, "birth_year", "出生年份请填四位数字,如 1948。")
        else:
            year = int(raw_year)
    if _text(cells.get("birth_date")):
        try:
            born = _date(cells.get("birth_date"))
        except ValueError:
            ctx.error(n, "birth_date", "出生日期格式不对,请写成 1948-03-15。")
        else:
            if born is not None:
                if year and year != born.year:
                    ctx.error(n, "birth_year", "出生年份与出生日期不一致。")
                if info is not None and info.birth_date != born:
                    ctx.error(n, "id_number", "身份证号与出生日期不一致。")
                    id_checked = True
                year = year or born.year
    month = _month(ctx, n, cells.get("birth_month"))
    if month is not None:
        if year and year != month[0]:
            ctx.error(n, "birth_month", "出生年月与出生年份不一致。")
        if info is not None and (info.birth_date.year, info.birth_date.month) != month:
            ctx.error(n, "id_number", "身份证号与出生年月不一致。")
            id_checked = True
        year = year or month[0]
    if info is not None:
        if year and year != info.birth_date.year and not id_checked:
            ctx.error(n, "id_number", "身份证号与出生年份不一致。")
        year = year or info.birth_date.year
    given = raw_year or _text(cells.get("birth_date")) or _text(cells.get("birth_month"))
    if not year and not given and not id_given:
        ctx.error(n, "birth_year", "请填写出生年份(填写了身份证号时可不填)。")
    elif year and not dt.date.today().year - 130 <= year <= dt.date.today().year:
        ctx.error(n, "birth_year", "出生年份不合理。")
    return year


def _month(ctx: _Context, n: int, raw: Any) -> tuple[int, int] | None:
    """出生年月: a date cell, or text like 1948.03, 1948-3, 1948年3月, 194803."""
    if isinstance(raw, dt.date):
        return (raw.year, raw.month)
    # Typed as a number, 1948.10 arrives as 1948.1.
    text = f"{raw:.2f}" if isinstance(raw, float) else _text(raw)
    if not text:
        return None
    match = MONTH_RE.match(text)
    if match and 1 <= int(match[2]) <= 12:
        return (int(match[1]), int(match[2]))
    ctx.error(n, "birth_month", "出生年月格式不对,请写成 1948.03。")
    return None


def _phone(ctx: _Context, n: int, key: str, raw: Any) -> str:
    text = _text(raw)
    if not text:
        return ""
    try:
        return phone_normalise(text, field=key)
    except ValidationFailed as exc:
        ctx.error(n, key, exc.message)
        return ""


def _household(ctx: _Context, n: int, cells: dict[str, Any]) -> tuple[int, str, str] | None:
    building, unit, room = (_text(cells.get(k)) for k in ("building", "unit", "room"))
    if not building:
        ctx.error(n, "building", "请填写楼栋。")
    if not unit:
        ctx.error(n, "unit", "请填写单元。")
    elif unit.isdigit():
        unit = f"{unit}单元"
    room = room.removesuffix("室")
    if not room:
        ctx.error(n, "room", "请填写房号。")
    for key, value in (("unit", unit), ("room", room)):
        if len(value) > 20:
            ctx.error(n, key, "内容太长(不超过20字)。")
    if not building:
        return None
    found = ctx.buildings.get(building, [])
    if not found:
        ctx.error(n, "building", f"本社区没有名为“{building[:30]}”的楼栋,请核对楼栋名称。")
        return None
    if len(found) > 1:
        ctx.error(n, "building", f"本社区有多个名为“{building[:30]}”的楼栋,请联系管理员区分。")
        return None
    if not unit or not room or len(unit) > 20 or len(room) > 20:
        return None
    return (found[0], unit, room)


def _tags(ctx: _Context, n: int, cells: dict[str, Any]) -> tuple[list[Tag], dt.date | None]:
    tags: list[Tag] = []
    for word in TAG_SPLIT.split(_text(cells.get("tags"))):
        if not word:
            continue
        tag = ctx.tags.get(word)
        if tag is None:
            ctx.error(n, "tags", f"不认识的标签“{word[:20]}”。")
        elif tag not in tags:
            tags.append(tag)
    needs_expiry = any(t.needs_expiry for t in tags)
    valid_until: dt.date | None = None
    if _text(cells.get("permit_until")):
        try:
            valid_until = _date(cells.get("permit_until"))
        except ValueError:
            ctx.error(n, "permit_until", "居住证有效期格式不对,请写成 2027-06-30。")
        else:
            if not needs_expiry:
                ctx.error(n, "permit_until", "只有标签为“新市民”的居民需要填写居住证有效期。")
    elif needs_expiry:
        ctx.error(n, "permit_until", "新市民请填写居住证有效期。")
    return tags, valid_until


def _contact(ctx: _Context, n: int, cells: dict[str, Any]) -> tuple[str, str, str] | None:
    text = _text(cells.get("contact_name"))
    phone = _phone(ctx, n, "contact_phone", cells.get("contact_phone"))
    if not text and not _text(cells.get("contact_phone")):
        return None
    if not text:
        ctx.error(n, "contact_name", "填写了紧急联系人电话,请同时填写联系人姓名。")
        return None
    if not _text(cells.get("contact_phone")):
        ctx.error(n, "contact_phone", "请填写紧急联系人电话。")
        return None
    match = CONTACT_RE.match(text)
    name, relation = (
        (match["name"].strip(), match["relation"].strip()) if match else (text, "紧急联系人")
    )
    if len(name) > 50 or len(relation) > 20:
        ctx.error(n, "contact_name", "紧急联系人姓名或关系太长。")
        return None
    return (name, relation, phone) if phone else None


def _check_registered(ctx: _Context) -> None:
    """ID numbers already on record, anywhere (the keyed hash column is unique)."""
    hashes = list(ctx.seen_ids)
    for i in range(0, len(hashes), CHUNK):
        found = Resident.objects.filter(id_number_hash__in=hashes[i : i + CHUNK])
        for digest in found.values_list("id_number_hash", flat=True):
            ctx.error(
                ctx.seen_ids[digest],
                "id_number",
                "已登记:这个身份证号已有档案,如需修改请在居民档案中更正。",
            )
