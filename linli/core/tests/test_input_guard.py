"""The input guard and the headers every page carries (issue 12, items 4, 8 and 10)."""

import pytest
from django.db import connection, transaction

from linli.accounts.models import User
from linli.core.errors import ValidationFailed
from linli.core.text import body_may_hold_bad_chars, first_bad_text, has_bad_chars


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfff"])
def test_bad_characters_are_found(text):
    assert has_bad_chars(text)
    assert first_bad_text({"a": ["ok", {"b": text}]}) == "a.1.b"


@pytest.mark.parametrize(
    ("body", "may"),
    [
        (b'{"a": "\\u0000"}', True),
        (b'{"a": "\\uD83D"}', True),
        (b'{"a": "\\ud83d\\ude00"}', True),  # a pair: scanned, then parsed and found fine
        (b'{"a": "\\\\u0000"}', True),  # an escaped backslash: parsed and found fine
        (b'{"a": "\\u4e2d\\u6587"}', False),
        ('{"a": "中文 <b>"}'.encode(), False),
    ],
)
def test_the_fast_body_scan(body, may):
    assert body_may_hold_bad_chars(body) is may


def test_a_surrogate_pair_is_fine():
    assert first_bad_text({"a": "😀"}) is None


def test_no_query_can_carry_nul_whatever_path_it_took(world):
    # update() skips every model hook; the connection's guard still refuses it.
    with pytest.raises(ValidationFailed), transaction.atomic():
        User.objects.filter(pk=world["resident"].pk).update(full_name="a\x00b")
    with pytest.raises(ValidationFailed), transaction.atomic():
        User.objects.filter(full_name="\ud800").exists()
    assert User.objects.get(pk=world["resident"].pk).full_name != "a\x00b"
    assert connection.vendor in ("sqlite", "postgresql")


def test_a_model_save_names_the_field(world):
    user = world["resident"]
    user.full_name = "王\x00"
    with pytest.raises(ValidationFailed) as exc:
        user.save()
    assert exc.value.field == "full_name"


def test_pages_carry_a_content_security_policy(world, login, client):
    for response in (client.get("/accounts/login/"), login("resident").get("/")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp
        scripts = csp.split("script-src")[1].split(";")[0]
        assert "'self'" in scripts and "'unsafe-inline'" not in scripts


def test_the_report_page_script_carries_the_nonce(cats_world, login):
    response = login("resident").get("/cases/new/")
    csp = response.headers["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()


@pytest.fixture
def cats_world(world):
    from linli.casework.services.categories import categories_ensure_defaults

    categories_ensure_defaults(actor=None)
    return world


def test_nul_in_a_login_form_is_a_chinese_400(client, db):
    response = client.post("/accounts/login/", {"username": "a\x00", "password": "x"})
    assert response.status_code == 400
    assert "无法识别的字符" in response.content.decode()
