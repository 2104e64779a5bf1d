"""PEOPLE-1 "Import": residents from an Excel sheet. Every row validated, errors per row (never
echoing an ID number or phone), nothing imported unless the whole sheet is valid."""

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from openpyxl import Workbook

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.audit.models import AuditEntry
from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.geo.models import Building, Household
from linli.people.models import Contact, Resident, ResidentTag
from linli.people.selectors import resident_by_id_number
from linli.people.services.importing import (
    MAX_BYTES,
    MAX_ROWS,
    SheetInvalid,
    residents_import,
)
from linli.people.validation import id_check_digit
from linli.testing.world import make_user

HEADERS = ["姓名", "性别", "出生年份", "身份证号", "联系电话", "楼栋", "单元", "房号", "与户主关系"]
HEADERS += ["标签", "能力等级", "健康状况", "残疾情况", "救助类别", "紧急联系人", "紧急联系人电话"]
HEADERS += ["居住证有效期"]


def make_id(birth: str, seq: str) -> str:
    first17 = "330106" + birth + seq
    return first17 + id_check_digit(first17)


ID_ELDER = make_id("19420517", "013")  # male (odd)
ID_WIFE = make_id("19450203", "024")  # female (even)
ID_NEW = make_id("19960811", "036")  # female


def row(**cells: Any) -> dict[str, Any]:
    return {"楼栋": "1幢", "单元": "1单元", "房号": "201", **cells}


def good_rows() -> list[dict[str, Any]]:
    return [
        row(
            姓名="周德明",
            身份证号=ID_ELDER,
            联系电话="13957100001",
            与户主关系="户主",
            标签="独居老人、低保",
            能力等级="半失能",
            健康状况="冠心病",
            救助类别="最低生活保障金",
            紧急联系人="周晓雯(女儿)",
            紧急联系人电话="13957100002",
        ),
        row(姓名="沈桂芬", 性别="女", 出生年份=1945, 身份证号=ID_WIFE, 残疾情况="视力残疾二级"),
        row(
            姓名="吴佳",
            性别="女",
            身份证号=ID_NEW,
            房号="302",
            标签="新市民",
            居住证有效期="2027-06-30",
        ),
    ]


def xlsx(rows: list[dict[str, Any]], headers: list[str] | None = None, name: str = "t.xlsx"):
    """An in-memory .xlsx with a header row, like a community's own sheet."""
    headers = headers or HEADERS
    book = Workbook()
    ws = book.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = name
    return buf


def run(world, rows, who="community_worker", **kw):
    f = xlsx(rows, **kw)
    return residents_import(actor=world[who], file=f, filename=f.name)


def errors_of(world, rows, **kw) -> list[tuple[int, str, str]]:
    with pytest.raises(SheetInvalid) as exc:
        run(world, rows, **kw)
    return [(e.row, e.column, e.message) for e in exc.value.errors]


@pytest.fixture
def places(world):
    """A second building in 甲 (grid a2) and one in 乙 (grid b1)."""
    return {
        "a2": Building.objects.create(grid=world.grid_a2, name="2幢", lat=30.27, lon=120.127),
        "b1": Building.objects.create(grid=world.grid_b1, name="3幢", lat=30.27, lon=120.132),
    }


# ---------------------------------------------------------------- a good sheet


def test_good_sheet_imports_encrypted_records(world, places):
    before = Household.objects.count()
    result = run(world, good_rows())
    assert result.imported == 3 and result.households_created == 2
    assert Household.objects.count() == before + 2
    elder = Resident.objects.get(full_name="周德明")
    # Sex and birth year come from the ID number when the sheet leaves them out.
    assert (elder.sex, elder.birth_year, elder.is_head) == ("M", 1942, True)
    assert elder.address == "1幢1单元201"
    assert elder.id_number == ID_ELDER and elder.phone == "13957100001"
    assert elder.phone_masked == "139****0001" and elder.ability == "semi"
    assert elder.health_conditions == "冠心病" and elder.assistance == "最低生活保障金"
    assert sorted(elder.tags.values_list("code", flat=True)) == ["alone_elderly", "dibao"]
    contact = Contact.objects.get(resident=elder)
    assert (contact.name, contact.relation, contact.phone) == ("周晓雯", "女儿", "13957100002")
    assert contact.phone_masked == "139****0002"
    newcomer = Resident.objects.get(full_name="吴佳")
    link = ResidentTag.objects.get(resident=newcomer)
    assert link.tag.code == "new_citizen" and link.valid_until == dt.date(2027, 6, 30)
    # At rest: ciphertext only.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, health_conditions FROM people_resident WHERE id = %s",
            [elder.pk],
        )
        raw = cursor.fetchone()
        cursor.execute("SELECT phone FROM people_contact WHERE id = %s", [contact.pk])
        raw += cursor.fetchone()
    assert all(v.startswith("v1:") for v in raw)
    assert not {ID_ELDER, "13957100001", "冠心病", "13957100002"} & set(raw)
    # The keyed hash finds them, like a record created through the service.
    assert resident_by_id_number(actor=world["community_worker"], id_number=ID_WIFE).pk == (
        Resident.objects.get(full_name="沈桂芬").pk
    )
    entry = AuditEntry.objects.get(action="resident.imported")
    assert entry.actor_id == world["community_worker"].pk
    assert entry.data["count"] == 3 and len(entry.data["ids"]) == 3
    assert sorted(entry.data["ids"]) == sorted(result.resident_ids)
    text = str(entry.data)
    assert "周德明" not in text and ID_ELDER not in text and "13957100001" not in text


def test_existing_household_is_reused(world):
    household = Household.objects.get(room="101")
    result = run(world, [row(姓名="王建华", 性别="男", 出生年份=1970, 房号=101)])
    assert result.households_created == 0
    assert Resident.objects.get(full_name="王建华").household == household


def test_community_sheet_layout_title_row_aliases_other_columns(world):
    """A real 台账: a title row, columns in another order and under other names, extras."""
    book = Workbook()
    ws = book.active
    ws.append(["甲社区人口台账(2026年)"])
    ws.append(
        ["序号", "房号", "楼栋", "单元", "姓名*", "公民身份号码", "手机号码", "出生年月", "备注"]
    )
    ws.append([1, 302, "1幢", 1, "钱海", make_id("19601009", "051"), 13957100009, 1960.1, "无"])
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    result = residents_import(actor=world["secretary"], file=buf, filename="台账.xlsx")
    assert result.imported == 1 and result.ignored_columns == ["序号", "备注"]
    r = Resident.objects.get(full_name="钱海")
    assert (r.sex, r.birth_year, r.phone) == ("M", 1960, "13957100009")
    assert r.household.unit == "1单元" and r.household.room == "302"


# ---------------------------------------------------------------- all or nothing


def test_one_bad_row_imports_nothing_and_names_that_row(world):
    rows = good_rows()
    bad_id = ID_WIFE[:-1] + ("0" if ID_WIFE[-1] != "0" else "1")
    rows[1]["身份证号"] = bad_id
    residents, households = Resident.objects.count(), Household.objects.count()
    errors = errors_of(world, rows)
    assert errors == [(3, "身份证号", "身份证号校验位不对,请核对后重新填写。")]
    assert Resident.objects.count() == residents and Household.objects.count() == households
    assert not AuditEntry.objects.filter(action="resident.imported").exists()
    assert not Contact.objects.exists()


def test_all_errors_are_reported_not_just_the_first(world):
    rows = [row(姓名="", 性别="男", 出生年份=1950), row(姓名="甲", 性别="x", 出生年份=1950)]
    rows.append(row(姓名="乙", 性别="女", 出生年份=1950, 楼栋="9幢", 联系电话="12345"))
    errors = errors_of(world, rows)
    assert [(r, c) for r, c, _m in errors] == [
        (2, "姓名"),
        (3, "性别"),
        (4, "联系电话"),
        (4, "楼栋"),
    ]


# ---------------------------------------------------------------- every rule


RULES = [
    ({"姓名": ""}, "姓名", "请填写姓名"),
    ({"姓名": "名" * 51}, "姓名", "姓名太长"),
    ({"性别": "男的"}, "性别", "性别请填“男”或“女”"),
    ({"身份证号": None, "性别": None}, "性别", "请填写性别"),
    ({"身份证号": None, "出生年份": None}, "出生年份", "请填写出生年份"),
    ({"出生年份": "一九四二"}, "出生年份", "四位数字"),
    ({"出生年份": 1890, "身份证号": None}, "出生年份", "不合理"),
    ({"身份证号": ID_ELDER[:-1] + "X" if ID_ELDER[-1] != "X" else "0"}, "身份证号", "校验位"),
    ({"身份证号": "33010619420517013"}, "身份证号", "18位"),
    ({"身份证号": 330106194205170130}, "身份证号", "设为文本"),
    ({"性别": "女"}, "身份证号", "身份证号与性别不一致"),
    ({"出生年份": 1943}, "身份证号", "身份证号与出生年份不一致"),
    ({"联系电话": "0571-123"}, "联系电话", "电话号码格式不正确"),
    ({"楼栋": ""}, "楼栋", "请填写楼栋"),
    ({"楼栋": "99幢"}, "楼栋", "本社区没有名为“99幢”的楼栋"),
    ({"楼栋": "3幢"}, "楼栋", "本社区没有名为“3幢”的楼栋"),  # 乙's building
    ({"单元": ""}, "单元", "请填写单元"),
    ({"房号": ""}, "房号", "请填写房号"),
    ({"房号": "1" * 21}, "房号", "太长"),
    ({"与户主关系": "关" * 21}, "与户主关系", "太长"),
    ({"标签": "独居老人、五保户"}, "标签", "不认识的标签“五保户”"),
    ({"标签": "新市民"}, "居住证有效期", "新市民请填写居住证有效期"),
    ({"居住证有效期": "2027-06-30"}, "居住证有效期", "只有标签为“新市民”"),
    ({"标签": "新市民", "居住证有效期": "明年"}, "居住证有效期", "格式不对"),
    ({"能力等级": "良好"}, "能力等级", "自理"),
    ({"健康状况": "高" * 501}, "健康状况", "内容太长"),
    ({"紧急联系人电话": "13957100002"}, "紧急联系人", "请同时填写联系人姓名"),
    ({"紧急联系人": "周晓雯"}, "紧急联系人电话", "请填写紧急联系人电话"),
    ({"紧急联系人": "周晓雯", "紧急联系人电话": "1395710"}, "紧急联系人电话", "格式不正确"),
]


@pytest.mark.parametrize(("cells", "column", "message"), RULES, ids=[r[2] for r in RULES])
def test_each_rule_names_row_column_and_never_the_value(world, places, cells, column, message):
    base = row(姓名="周德明", 性别="男", 出生年份=1942, 身份证号=ID_ELDER, 联系电话="13957100001")
    errors = errors_of(world, [base | cells])
    assert [(r, c) for r, c, _m in errors] == [(2, column)], errors
    text = errors[0][2]
    assert message in text
    for value in (ID_ELDER, "13957100001", "13957100002", "330106194205170130"):
        assert value not in text
    assert not Resident.objects.filter(full_name="周德明").exists()


def test_bad_date_in_birth_date_column(world):
    headers = ["姓名", "性别", "出生日期", "楼栋", "单元", "房号"]
    ok = run(world, [row(姓名="孙立", 性别="男", 出生日期="1950年3月8日")], headers=headers)
    assert ok.imported == 1 and Resident.objects.get(full_name="孙立").birth_year == 1950
    errors = errors_of(world, [row(姓名="孙丽", 性别="女", 出生日期="1950-02-30")], headers=headers)
    assert errors == [(2, "出生日期", "出生日期格式不对,请写成 1948-03-15。")]


def test_birth_date_must_match_the_id_number(world):
    headers = [*HEADERS, "出生日期"]
    errors = errors_of(
        world, [row(姓名="周德明", 身份证号=ID_ELDER, 出生日期="1942-05-18")], headers=headers
    )
    assert errors == [(2, "身份证号", "身份证号与出生日期不一致。")]


def test_duplicate_id_in_sheet_points_to_the_first_row(world):
    rows = [
        row(姓名="周德明", 身份证号=ID_ELDER),
        row(姓名="周德民", 身份证号=ID_ELDER, 房号="301"),
    ]
    assert errors_of(world, rows) == [(3, "身份证号", "与第 2 行的身份证号重复。")]


def test_already_registered_is_refused(world):
    run(world, good_rows()[:1])
    again = [row(姓名="周德明", 身份证号=ID_ELDER, 房号="501")]
    errors = errors_of(world, again)
    assert errors[0][:2] == (2, "身份证号") and errors[0][2].startswith("已登记")
    assert Resident.objects.filter(full_name="周德明").count() == 1


def test_two_heads_in_one_household(world):
    rows = [
        row(姓名="周德明", 身份证号=ID_ELDER, 与户主关系="户主"),
        row(姓名="沈桂芬", 身份证号=ID_WIFE, 与户主关系="户主"),
    ]
    assert errors_of(world, rows) == [(3, "与户主关系", "同一户只能有一位户主(第 2 行已是户主)。")]
    run(world, rows[:1])
    later = [row(姓名="沈桂芬", 身份证号=ID_WIFE, 与户主关系="户主")]
    assert errors_of(world, later) == [(2, "与户主关系", "这一户已经登记了户主。")]


# ---------------------------------------------------------------- the file itself


def test_missing_required_column_is_named(world):
    headers = [h for h in HEADERS if h not in ("楼栋", "房号")]
    errors = errors_of(world, good_rows(), headers=headers)
    assert errors == [(1, "楼栋", "缺少这一列。"), (1, "房号", "缺少这一列。")]


def test_repeated_column(world):
    errors = errors_of(world, good_rows(), headers=[*HEADERS, "手机号"])
    assert errors == [(1, "联系电话", "这一列出现了两次。")]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"ID,name\n1,x", "list.csv", "只能导入 .xlsx"),
        (b"\xd0\xcf\x11\xe0 old binary excel", "old.xlsx", "不是有效的 .xlsx"),
        (b"", "empty.xlsx", "文件是空的"),
        (b"PK\x03\x04 broken zip", "broken.xlsx", "不是有效的 .xlsx"),
        (b"\x00" * (MAX_BYTES + 1), "big.xlsx", "文件太大(不能超过 5 MB)"),
    ],
)
def test_bad_files_are_refused_clearly(world, content, filename, message):
    with pytest.raises(ValidationFailed) as exc:
        residents_import(
            actor=world["community_worker"], file=io.BytesIO(content), filename=filename
        )
    assert message in exc.value.message and not isinstance(exc.value, SheetInvalid)


def test_sheet_without_header_or_rows(world):
    book = Workbook()
    book.active.append(["名字", "地址"])
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    with pytest.raises(ValidationFailed, match="没有找到表头"):
        residents_import(actor=world["community_worker"], file=buf, filename="a.xlsx")
    with pytest.raises(ValidationFailed, match="除了表头没有数据"):
        run(world, [])


def test_row_limit(world):
    rows = [
        row(姓名=f"居民{i}", 性别="女", 出生年份=1980, 房号=str(i)) for i in range(MAX_ROWS + 1)
    ]
    with pytest.raises(ValidationFailed, match=f"一次最多导入 {MAX_ROWS} 行"):
        run(world, rows)
    assert Resident.objects.count() == 1


# ---------------------------------------------------------------- who may import


@pytest.mark.parametrize("who", ["grid_worker", "resident", "street_admin", "dept_officer"])
def test_other_roles_may_not_import(world, who):
    with pytest.raises(PermissionDenied):
        run(world, good_rows(), who=who)
    assert Resident.objects.count() == 1


def test_worker_of_another_community_cannot_import_into_its_buildings(world):
    other = make_user("cw_b", Role.COMMUNITY_WORKER)
    Membership.objects.create(
        user=other, kind=MembershipKind.COMMUNITY_WORKER, community=world.community_b
    )
    world.users["cw_b"] = other
    errors = errors_of(world, good_rows(), who="cw_b")
    assert {(c, m) for _r, c, m in errors} == {
        ("楼栋", "本社区没有名为“1幢”的楼栋,请核对楼栋名称。")
    }
    assert len(errors) == 3 and Resident.objects.count() == 1
