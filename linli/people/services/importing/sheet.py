"""Reading the uploaded .xlsx, and the template offered for download."""

import io
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed
from linli.people.validation import id_check_digit

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10  # a 台账 often has a title row or two above its header
TEXT_KEYS = ("id_number", "phone", "contact_phone", "unit", "room")
# A made-up but valid number (female, born 1948-03-15).
EXAMPLE_ID = "33010619480315004" + id_check_digit("33010619480315004")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (header, key, required, how to fill it) in template order.
COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("姓名", "full_name", True, "必填。"),
    ("性别", "sex", False, "男或女。填写了身份证号时可不填。"),
    ("出生年份", "birth_year", False, "四位数字,如 1948。填写了身份证号时可不填。"),
    ("出生日期", "birth_date", False, "可代替出生年份,如 1948-03-15。"),
    ("身份证号", "id_number", False, "18位。请把这一列设为“文本”,否则 Excel 会改掉末几位。"),
    ("联系电话", "phone", False, "手机11位,座机带区号。"),
    ("楼栋", "building", True, "必填。与系统中的楼栋名称一致,如“翠苑一区1幢”。"),
    ("单元", "unit", True, "必填。如 1单元(只写 1 也可以)。"),
    ("房号", "room", True, "必填。如 101。没有这一户时会自动新建。"),
    ("与户主关系", "relation", False, "户主本人填“户主”,其他人填“配偶”“子女”等。"),
    ("标签", "tags", False, "如“独居老人、低保”,多个用顿号、逗号或空格隔开。"),
    ("能力等级", "ability", False, "老人填:自理、半失能或失能。"),
    ("健康状况", "health_conditions", False, "加密保存,只有经批准的人员可以查看。"),
    ("残疾情况", "disability", False, "加密保存,只有经批准的人员可以查看。"),
    ("救助类别", "assistance", False, "加密保存,只有经批准的人员可以查看。"),
    ("紧急联系人", "contact_name", False, "姓名,可在括号里写关系,如“李建国(儿子)”。"),
    ("紧急联系人电话", "contact_phone", False, "填写了紧急联系人时必填。"),
    ("居住证有效期", "permit_until", False, "标签为“新市民”时必填,如 2027-06-30。"),
)
# Accepted but not in the template: many 台账 only have the month of birth.
EXTRA = {"birth_month": "出生年月"}
HEADER = {key: header for header, key, _req, _help in COLUMNS} | EXTRA
KEYS = {header: key for key, header in HEADER.items()}
REQUIRED = [key for _h, key, req, _help in COLUMNS if req]
# Other names the same columns go by in communities' own sheets.
ALIASES = {
    "公民身份号码": "id_number",
    "身份证号码": "id_number",
    "身份证": "id_number",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "联系方式": "phone",
    "楼号": "building",
    "楼幢": "building",
    "幢": "building",
    "门牌号": "room",
    "室": "room",
    "户主关系": "relation",
    "人员类别": "tags",
    "老人能力等级": "ability",
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class SheetInvalid(ValidationFailed):
    """The sheet has row errors; nothing was imported. `errors` lists all of them."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        super().__init__(
            f"表格中有 {len(errors)} 处问题(涉及 {rows} 行),没有导入任何居民。"
            "请按下面的提示改正后重新上传。",
            code="invalid_rows",
        )
        self.errors = sorted(errors, key=lambda e: e.row)


@dataclass
class Sheet:
    header_row: int
    columns_at: dict[int, str]  # cell index → key of a recognised column
    ignored: list[str]  # headers of columns that are not imported
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return list(self.columns_at.values())


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def _header_key(value: Any) -> str:
    text = str(value or "").strip().replace(" ", "").replace("\u3000", "")
    text = text.rstrip("*＊").removesuffix("(必填)").removesuffix("(必填)")
    return KEYS.get(text) or ALIASES.get(text, "")


def sheet_read(*, file: IO[bytes], filename: str) -> Sheet:
    """The first worksheet: its header row (found by 姓名) and its non-empty rows by key.
    File-level problems raise ValidationFailed; header problems raise SheetInvalid."""
    from openpyxl import load_workbook

    if not filename.lower().endswith(".xlsx"):
        raise _refuse(
            "只能导入 .xlsx 格式的 Excel 文件。旧的 .xls 文件请先在 Excel 中“另存为” .xlsx。"
        )
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("文件太大(不能超过 %(mb)s MB)。请分成几个文件导入。")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise _refuse(_("文件是空的。"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(_("这不是有效的 .xlsx 文件(如果文件设了密码,请先取消密码)。"))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds; the message is what matters
        raise _refuse(_("无法读取这个文件。请用 Excel 打开后“另存为” .xlsx 再上传。")) from None
    try:
        ws = book.worksheets[0]
        ws.reset_dimensions()  # some programs write wrong dimensions
        lines = ws.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        sheet = _header(lines)
        if sheet is None:
            raise _refuse(_("没有找到表头:前10行中应有一行写着“姓名”“楼栋”“单元”“房号”等列名。"))
        missing = [k for k in REQUIRED if k not in sheet.columns]
        if missing:
            raise SheetInvalid(
                [RowError(sheet.header_row, HEADER[k], "缺少这一列。") for k in missing]
            )
        for n, values in enumerate(lines, start=sheet.header_row + 1):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise _refuse(_("一次最多导入 %(rows)s 行,请分成几个文件。") % {"rows": MAX_ROWS})
            sheet.rows.append(
                (n, {k: values[i] for i, k in sheet.columns_at.items() if i < len(values)})
            )
    finally:
        book.close()
    if not sheet.rows:
        raise _refuse(_("表格里除了表头没有数据。"))
    return sheet


def _header(lines: Any) -> Sheet | None:
    for n, values in enumerate(lines, start=1):
        if n > HEADER_SEARCH_ROWS:
            return None
        keys = [_header_key(v) for v in values]
        if "full_name" not in keys:
            continue
        at: dict[int, str] = {}
        ignored: list[str] = []
        errors: list[RowError] = []
        for i, (value, key) in enumerate(zip(values, keys, strict=True)):
            if not key:
                if value is not None and str(value).strip():
                    ignored.append(str(value).strip()[:20])
                continue
            if key in at.values():
                errors.append(RowError(n, HEADER[key], "这一列出现了两次。"))
            at[i] = key
        if errors:
            raise SheetInvalid(errors)
        return Sheet(header_row=n, columns_at=at, ignored=ignored)
    return None


def import_template() -> bytes:
    """The template offered on the import page: the header, one example row, and a sheet of
    instructions. ID number and phone columns are text, so Excel leaves them alone."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "居民"
    ws.append([h + ("*" if req else "") for h, _k, req, _help in COLUMNS])
    example = {
        "full_name": "张秀兰",
        "sex": "女",
        "birth_year": 1948,
        "id_number": EXAMPLE_ID,
        "phone": "13900001111",
        "building": "1幢",
        "unit": "1单元",
        "room": "101",
        "relation": "户主",
        "tags": "独居老人",
        "ability": "自理",
        "health_conditions": "",
        "contact_name": "李建国(儿子)",
        "contact_phone": "13900002222",
    }
    ws.append([example.get(k, "") for _h, k, _req, _help in COLUMNS])
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="EEF0F4")
    for i, (header, key, _req, _help) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(10, len(header) * 2 + 4)
        ws[f"{letter}1"].font, ws[f"{letter}1"].fill = bold, fill
        ws[f"{letter}2"].font = grey
        if key in TEXT_KEYS:  # typed-in values stay text
            ws.column_dimensions[letter].number_format = "@"
            ws[f"{letter}2"].number_format = "@"
    ws.column_dimensions[get_column_letter(list(KEYS).index("身份证号") + 1)].width = 22
    for key, choices in (("sex", "男,女"), ("ability", "自理,半失能,失能")):
        letter = get_column_letter(list(HEADER).index(key) + 1)
        rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        ws.add_data_validation(rule)
    ws.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "说明"])
    notes["A1"].font = notes["B1"].font = bold
    for header, _key, req, how in COLUMNS:
        notes.append([header + ("(必填)" if req else ""), how])
    notes.append([])
    for line in (
        "第2行是示例,请删除后再填写。列的顺序可以调整,多余的列不会导入。",
        "整张表全部正确才会导入;有任何错误时一行也不导入,页面会列出每一处问题。",
        "已登记的居民(身份证号相同)不会重复导入;修改已有档案请在居民档案中操作。",
        f"一次最多 {MAX_ROWS} 行,文件不超过 {MAX_BYTES // (1024 * 1024)} MB。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
