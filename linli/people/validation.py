"""Checks on personal data (PEOPLE-1): the 18-character ID number (GB 11643 check digit),
phone numbers, and the ID number against the sex and birth year on the record.

Messages never repeat the value: it is personal data and error messages reach logs."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" | "F"


def id_check_digit(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_parse(
    value: str, *, field: str = "id_number", today: dt.date | None = None
) -> IdInfo:
    number = (value or "").strip().upper().replace(" ", "")
    if len(number) != 18:
        raise ValidationFailed(_("身份证号应为18位。"), field=field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed(_("身份证号前17位应为数字,最后一位为数字或X。"), field=field)
    if number[0] == "0" or number[:2] in ("00",):
        raise ValidationFailed(_("身份证号的地区码不正确。"), field=field)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(_("身份证号中的出生日期不存在。"), field=field) from None
    today = today or dt.date.today()
    if birth > today or birth.year < today.year - 130:
        raise ValidationFailed(_("身份证号中的出生日期不合理。"), field=field)
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationFailed(_("身份证号校验位不对,请核对后重新填写。"), field=field)
    sex = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex)


def id_number_cross_check(
    info: IdInfo, *, sex: str, birth_year: int, field: str = "id_number"
) -> None:
    if sex and info.sex != sex:
        raise ValidationFailed(_("身份证号与性别不一致。"), field=field)
    if birth_year and info.birth_date.year != birth_year:
        raise ValidationFailed(_("身份证号与出生年份不一致。"), field=field)


def phone_normalise(value: str, *, field: str = "phone") -> str:
    phone = re.sub(r"[\s()()]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise ValidationFailed(_("电话号码格式不正确(手机号11位,座机带区号)。"), field=field)
    return phone


def phone_mask(phone: str) -> str:
    """138****1234 (PEOPLE-3's basic tier); landlines keep the area code and last 4."""
    if not phone:
        return ""
    if MOBILE.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    digits = phone.replace("-", "")
    return f"{digits[:4]}****{digits[-4:]}" if len(digits) > 8 else "****" + digits[-4:]
