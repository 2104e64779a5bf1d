"""PEOPLE-1 "Import" through the API, the page (Django client) and a real browser."""

import io
from importlib import import_module

import pytest
from openpyxl import load_workbook

from linli.people.models import Resident, Tag
from linli.people.services.importing import COLUMNS, residents_import

from .test_import import good_rows, row, xlsx

# ---------------------------------------------------------------- API


def test_api_import_and_row_errors(world, login):
    client = login("community_worker")
    ok = client.post("/api/people/import", {"file": xlsx(good_rows())})
    assert ok.status_code == 200, ok.content
    assert ok.json() == {"imported": 3, "households_created": 2, "ignored_columns": []}
    bad = [row(姓名="钱海", 性别="男", 出生年份=1960, 联系电话="10086")]
    refused = client.post("/api/people/import", {"file": xlsx(bad)})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_rows" and "没有导入任何居民" in error["message"]
    assert error["details"] == [
        {"row": 2, "column": "联系电话", "message": error["details"][0]["message"]}
    ]
    assert "10086" not in refused.content.decode()
    assert Resident.objects.filter(full_name="钱海").count() == 0


@pytest.mark.parametrize("who", ["grid_worker", "resident"])
def test_api_refuses_other_roles(world, login, who):
    response = login(who).post("/api/people/import", {"file": xlsx(good_rows())})
    assert response.status_code == 403
    assert Resident.objects.count() == 1


def test_api_bad_file(world, login):
    f = io.BytesIO(b"not excel")
    f.name = "x.xls"
    response = login("secretary").post("/api/people/import", {"file": f})
    assert response.status_code == 400
    assert "只能导入 .xlsx" in response.json()["error"]["message"]


# ---------------------------------------------------------------- pages


def test_template_download_is_a_valid_sheet_that_imports(world, login):
    client = login("community_worker")
    response = client.get("/people/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == [h + ("*" if req else "") for h, _k, req, _how in COLUMNS]
    assert "填写说明" in book.sheetnames
    # The example row is valid: in the test world it imports as is (building 1幢 exists).
    buf = io.BytesIO(response.content)
    result = residents_import(actor=world["community_worker"], file=buf, filename="模板.xlsx")
    assert result.imported == 1
    assert Resident.objects.get(full_name="张秀兰").contacts.get().relation == "儿子"


def test_import_page_shows_row_errors_then_success(world, login):
    client = login("community_worker")
    page = client.get("/people/import/")
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()
    rows = good_rows()
    rows[2]["标签"] = "新市民、网红"
    bad = client.post("/people/import/", {"file": xlsx(rows)})
    body = bad.content.decode()
    assert bad.status_code == 400
    assert "没有导入任何居民" in body and "第 4 行" in body and "不认识的标签“网红”" in body
    assert Resident.objects.count() == 1
    done = client.post("/people/import/", {"file": xlsx(good_rows())}, follow=True)
    assert "已导入 3 人,新建 2 户。" in done.content.decode()
    assert Resident.objects.count() == 4


def test_import_page_without_a_file(world, login):
    response = login("secretary").post("/people/import/", {})
    assert (
        response.status_code == 400 and "请先选择要导入的 Excel 文件" in response.content.decode()
    )


@pytest.mark.parametrize("who", ["grid_worker", "resident"])
def test_import_page_refuses_other_roles(world, login, who):
    client = login(who)
    assert client.get("/people/import/").status_code == 403
    assert client.get("/people/import/template.xlsx").status_code == 403
    assert client.post("/people/import/", {"file": xlsx(good_rows())}).status_code == 403
    assert Resident.objects.count() == 1


# ---------------------------------------------------------------- in a real browser


@pytest.mark.browser
def test_upload_in_the_browser(live_server, live_world, desktop, tmp_path):
    from conftest import screenshot
    from linli.testing.world import PERSONA_PASSWORD

    # A transactional test starts from a flushed database: the default tags (a data
    # migration) may be gone.
    for code, name, tier, expiry in import_module("linli.people.migrations.0003_default_tags").TAGS:
        Tag.objects.get_or_create(
            code=code, defaults={"name": name, "tier": tier, "needs_expiry": expiry}
        )
    bad_rows = good_rows()
    bad_rows[1]["联系电话"] = "1395710"
    bad_rows[2]["楼栋"] = "8幢"
    bad, good = tmp_path / "台账-有错.xlsx", tmp_path / "台账.xlsx"
    bad.write_bytes(xlsx(bad_rows).getvalue())
    good.write_bytes(xlsx(good_rows()).getvalue())
    page, base = desktop, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("community_worker")
    page.get_by_label("密码").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/people/import/")
    assert page.get_by_test_id("template-link").is_visible()
    page.set_input_files("#id_file", str(bad))
    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()
    assert "没有导入任何居民" in page.get_by_test_id("import-error").inner_text()
    table = page.get_by_test_id("import-errors").inner_text()
    assert "第 3 行" in table and "联系电话" in table and "第 4 行" in table and "8幢" in table
    assert "1395710" not in table
    screenshot(page, "people-import-errors")
    assert Resident.objects.count() == 1
    page.set_input_files("#id_file", str(good))
    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()
    assert "已导入 3 人" in page.get_by_role("status").inner_text()
    screenshot(page, "people-import-done")
    assert Resident.objects.count() == 4
