from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorOut(Schema):
    error: ErrorBody
