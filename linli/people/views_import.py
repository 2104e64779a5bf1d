"""The import page (PEOPLE-1 "Import"): download the template, upload the sheet, and see either
"已导入 N 人" or every row error."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.web import actor
from linli.people.policy import IMPORT_ROLES
from linli.people.services.importing import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    XLSX_TYPE,
    SheetInvalid,
    import_template,
    residents_import,
)

TEMPLATE_NAME = "居民导入模板.xlsx"


@page_roles(*IMPORT_ROLES)
def import_page(request: HttpRequest) -> HttpResponse:
    error, row_errors = "", []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请先选择要导入的 Excel 文件。")
        else:
            try:
                result = residents_import(
                    actor=actor(request), file=upload, filename=upload.name or ""
                )
            except SheetInvalid as exc:
                error, row_errors = exc.message, exc.errors
            except ApplicationError as exc:
                error = exc.message
            else:
                note = _("已导入 %(n)s 人") % {"n": result.imported}
                if result.households_created:
                    note += _(",新建 %(n)s 户") % {"n": result.households_created}
                if result.ignored_columns:
                    columns = _("、").join(result.ignored_columns)
                    note += _(";以下列未导入:%(columns)s") % {"columns": columns}
                messages.success(request, note + _("。"))
                return redirect("people:import")
    context = {
        "error": error,
        "row_errors": row_errors,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "xlsx_type": XLSX_TYPE,
    }
    return render(request, "people/import.html", context, status=400 if error else 200)


@page_roles(*IMPORT_ROLES)
def import_template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(import_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)
    return response
