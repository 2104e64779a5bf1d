"""POST /api/people/import: residents from an .xlsx sheet (PEOPLE-1 "Import"), multipart with
one `file`. Answers {"imported": n} or 400 with every row error in error.details."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from linli.core.access import api_roles
from linli.core.schemas import ErrorOut
from linli.people.services.importing import IMPORT_ROLES, SheetInvalid, residents_import

router = Router(tags=["people"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ImportOut(Schema):
    imported: int
    households_created: int
    ignored_columns: list[str]


@router.post(
    "/import",
    response={200: ImportOut, **ERRORS},
    auth=api_roles(*IMPORT_ROLES),
    summary="从 Excel 导入居民(整表无误才导入)",
)
def import_residents(request: HttpRequest, file: File[UploadedFile]) -> HttpStatus:
    try:
        actor = request.auth  # type: ignore[attr-defined]
        result = residents_import(actor=actor, file=file, filename=file.name or "")
    except SheetInvalid as exc:
        body = exc.as_dict()
        body["details"] = [e.as_dict() for e in exc.errors]
        return HttpStatus(400, {"error": body})
    out = ImportOut(
        imported=result.imported,
        households_created=result.households_created,
        ignored_columns=result.ignored_columns,
    )
    return HttpStatus(200, out)
