"""Characters no text in the platform may hold: NUL (PostgreSQL text cannot store it) and
lone surrogates (not UTF-8, so neither database can store them)."""

import re
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.errors import ValidationFailed

BAD_TEXT_MESSAGE = gettext_lazy("提交的内容含有无法识别的字符,请删除后重试。")

_BAD = re.compile("[\x00\ud800-\udfff]")
# A JSON body spells them as escapes: \u0000 or \ud800-\udfff.
_BAD_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def has_bad_chars(value: str) -> bool:
    return _BAD.search(value) is not None


def body_may_hold_bad_chars(body: bytes) -> bool:
    """A fast scan of raw JSON: False means no string in it can hold a bad character."""
    return b"\x00" in body or _BAD_ESCAPE.search(body) is not None


def first_bad_text(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (key or value) holding a bad character."""
    if isinstance(value, str):
        return (path or "body") if has_bad_chars(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and has_bad_chars(key):
                return path or "body"
            found = first_bad_text(item, here)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = first_bad_text(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def refuse_bad_text_on_save(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any
) -> None:
    """pre_save, for every model: the last line behind the input guard, for text that did not
    come through a request (a command, an import, a task). Raises inside the caller's
    transaction, so nothing of the refused change is kept."""
    if raw:
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField | models.JSONField):
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str | dict | list) and first_bad_text(value) is not None:
            raise ValidationFailed(str(BAD_TEXT_MESSAGE), code="bad_characters", field=field.name)


def optional_text(value: str | None, *, field: str, label: str, max_length: int) -> str:
    """The text trimmed; too long is refused with a field error, never cut (cutting loses what
    the person wrote without telling them)."""
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationFailed(
            _("%(label)s不能超过 %(max)s 字。") % {"label": label, "max": max_length},
            field=field,
        )
    if has_bad_chars(text):
        raise ValidationFailed(str(BAD_TEXT_MESSAGE), code="bad_characters", field=field)
    return text


def require_text(value: str | None, *, field: str, label: str, max_length: int = 500) -> str:
    text = optional_text(value, field=field, label=label, max_length=max_length)
    if not text:
        raise ValidationFailed(_("请填写%(label)s。") % {"label": label}, field=field)
    return text


def refuse_bad_query_params(
    execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A database execute wrapper: a query whose parameters hold a bad character is refused
    before it is sent (PostgreSQL would fail on NUL; neither database can encode a lone
    surrogate), whatever path the text took (a lookup, an update(), a command)."""
    rows = params if many else [params]
    for row in rows or ():
        values = row.values() if isinstance(row, dict) else row or ()
        for value in values:
            if isinstance(value, str) and _BAD.search(value):
                raise ValidationFailed(str(BAD_TEXT_MESSAGE), code="bad_characters")
    return execute(sql, params, many, context)


def guard_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: install the wrapper once per connection object."""
    if refuse_bad_query_params not in connection.execute_wrappers:
        connection.execute_wrappers.append(refuse_bad_query_params)
