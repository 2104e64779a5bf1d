"""POST /api/people/import: residents from an .xlsx sheet (PEOPLE-1 "Import"), multipart with
one `file`. Answers {"imported": n} or 400 with every row error in error.details."""

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from linli.core.access import api_roles
from linli.core.web import API_ERRORS, actor
from linli.people.policy import IMPORT_ROLES
from linli.people.services.importing import SheetInvalid, residents_import

router = Router(tags=["people"])


class ImportOut(Schema):
    imported: int
    households_created: int
    ignored_columns: list[str]


@router.post(
    "/import",
    response={200: ImportOut, **API_ERRORS},
    auth=api_roles(*IMPORT_ROLES),
    summary="从 Excel 导入居民(整表无误才导入)",
)
def import_residents(request: HttpRequest, file: File[UploadedFile]) -> HttpStatus:
    try:
        result = residents_import(actor=actor(request), file=file, filename=file.name or "")
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
