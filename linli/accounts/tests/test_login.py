import pytest
from django.conf import settings
from django.utils import translation

from linli.accounts.models import User
from linli.core.audit.models import AuditEntry


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录邻里" in html and "用户名" in html


def test_login_page_in_english(client, db):
    client.cookies["django_language"] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to Linli" in html


def test_passwords_are_argon2(world):
    assert world["resident"].password.startswith("argon2")


def test_good_login_goes_to_role_home(world, client, persona_password):
    response = _login(client, "grid_worker", persona_password)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert 'data-testid="home-grid_worker"' in home.content.decode()
    assert AuditEntry.objects.filter(
        action="account.login", actor_id=world["grid_worker"].pk
    ).exists()


def test_bad_password_shows_chinese_error(world, client):
    response = _login(client, "grid_worker", "wrong")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_form_is_refused(client, db):
    response = _login(client, "", "")
    assert response.status_code == 400
    assert "请输入用户名和密码" in response.content.decode()


def test_lockout_after_repeated_failures(world, client, persona_password):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _login(client, "secretary", "wrong").status_code == 400
    # Now even the right password is refused, as a wrong one would be (no enumeration).
    locked = _login(client, "secretary", persona_password)
    assert locked.status_code == 400
    assert "用户名或密码不正确" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="account.locked").count() == 1
    user = User.objects.get(username="secretary")
    assert user.locked_until is not None


def test_lock_expires(world, client, persona_password):
    import datetime as dt

    from django.utils import timezone

    User.objects.filter(username="secretary").update(
        locked_until=timezone.now() - dt.timedelta(seconds=1), failed_logins=3
    )
    assert _login(client, "secretary", persona_password).status_code == 302
    user = User.objects.get(username="secretary")
    assert user.failed_logins == 0 and user.locked_until is None


def test_success_resets_the_failure_count(world, client, persona_password):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _login(client, "secretary", "wrong")
    assert _login(client, "secretary", persona_password).status_code == 302
    assert User.objects.get(username="secretary").failed_logins == 0


def test_unknown_user_gets_the_same_message(client, db):
    response = _login(client, "nobody", "x")
    assert "用户名或密码不正确" in response.content.decode()


def test_open_redirect_is_refused(world, client, persona_password):
    response = client.post(
        "/accounts/login/",
        {"username": "resident", "password": persona_password, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_logout_requires_post_and_ends_session(world, login):
    client = login("resident")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role", ["resident", "grid_worker", "street_admin", "sysadmin"])
def test_each_role_has_its_home(world, login, role):
    html = login(role).get("/").content.decode()
    assert f'data-testid="home-{role}"' in html
    assert "我的消息" in html
    assert ("网格地图" in html) == (role in {"grid_worker", "street_admin", "sysadmin"})


def test_elder_mode_follows_the_account(world, login):
    client = login("resident")
    assert 'class="elder"' not in client.get("/").content.decode()
    client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/"})
    assert User.objects.get(username="resident").elder_mode is True
    assert '<body class="elder">' in client.get("/").content.decode()


def test_elder_mode_before_login_uses_a_cookie(client, db):
    response = client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert '<body class="elder">' in client.get("/accounts/login/").content.decode()


def test_resident_home_names_their_grid_worker(world, login):
    html = login("resident").get("/").content.decode()
    assert "我的网格员" in html and "grid_worker" in html
    assert "甲社区1号网格" in html and "1幢1单元101" in html


def test_staff_home_counts_their_scope(world, login):
    html = login("grid_worker").get("/").content.decode()
    assert 'data-testid="scope-stats"' in html
    street = login("street_admin").get("/").content.decode()
    assert "<dd>3</dd>" in street  # the street's three grids


def test_browser_language_does_not_override_chinese(client, db):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "登录邻里" in html


def test_staff_home_counts_read_as_plurals_in_english(world, login):
    client = login("street_admin")
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    for label in ("Grids", "Buildings", "Households", "Residents"):
        assert f"<dt>{label}</dt>" in html
    assert "<dt>网格</dt>" in login("street_admin").get("/").content.decode()


def test_the_chosen_language_lasts_one_request(client, db):
    # The thread's language is restored after the request: code that runs next in the same
    # thread (a task, the next test) does not speak the last visitor's language.
    client.cookies["django_language"] = "en"
    assert client.get("/accounts/login/").headers["Content-Language"] == "en"
    assert translation.get_language() == "zh-hans"
