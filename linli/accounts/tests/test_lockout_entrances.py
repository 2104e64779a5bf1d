"""One lockout for every entrance (issue 12, items 1 and 9): the admin's login counts and
honours it, parallel guesses get no more checks than the limit, and a locked account answers
like a wrong password."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from linli.accounts.models import User
from linli.core.audit.models import AuditEntry
from linli.core.notifications.models import Notification


def _page_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _admin_login(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


def test_admin_login_refuses_a_locked_account(world, client, persona_password):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _page_login(client, "sysadmin", "wrong")
    response = _admin_login(client, "sysadmin", persona_password)
    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session
    assert client.get("/api/accounts/me").status_code == 401


def test_wrong_passwords_at_the_admin_are_counted(world, client, persona_password):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _admin_login(client, "sysadmin", "wrong").status_code == 200
    assert User.objects.get(username="sysadmin").locked_until is not None
    assert _page_login(client, "sysadmin", persona_password).status_code == 400
    assert AuditEntry.objects.filter(action="account.locked").count() == 1


def test_admin_login_still_works_and_is_audited(world, client, persona_password):
    response = _admin_login(client, "sysadmin", persona_password)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert AuditEntry.objects.filter(action="account.login", actor_id=world["sysadmin"].pk).exists()
    # A resident with the right password is still not let into the admin.
    assert _admin_login(Client(), "resident", persona_password).status_code == 200


def test_locked_and_unknown_accounts_answer_alike(world, client, persona_password):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _page_login(client, "secretary", "wrong")
    locked = _page_login(client, "secretary", persona_password)
    unknown = _page_login(client, "nobody-at-all", "whatever")
    assert locked.status_code == unknown.status_code == 400
    assert "用户名或密码不正确" in locked.content.decode()
    assert "锁定" not in locked.content.decode()


def test_the_owner_is_told_of_the_lock(world, client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _page_login(client, "secretary", "wrong")
    notes = Notification.objects.filter(recipient=world["secretary"])
    assert [n.title for n in notes] == ["您的账号因多次密码错误已暂时锁定"]


def test_a_right_password_on_the_last_try_does_not_lock(world, client, persona_password):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _page_login(client, "secretary", "wrong")
    assert _page_login(client, "secretary", persona_password).status_code == 302
    user = User.objects.get(username="secretary")
    assert user.locked_until is None and user.failed_logins == 0
    assert not Notification.objects.filter(recipient=user).exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_more_checks_than_the_limit(monkeypatch, persona_password):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; parallel requests need PostgreSQL")
    from linli.testing.world import build_world

    build_world()
    checks = 0
    guard = threading.Lock()
    real_check = User.check_password

    def counting_check(self, raw_password):
        nonlocal checks
        with guard:
            checks += 1
        return real_check(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting_check)
    start = threading.Barrier(20)

    def guess(i: int) -> int:
        try:
            start.wait()
            return _page_login(Client(), "secretary", f"wrong-{i}").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(guess, range(20)))
    assert statuses == [400] * 20
    assert checks == settings.LOGIN_MAX_FAILURES, f"{checks} password checks for 20 guesses"
    assert User.objects.get(username="secretary").locked_until is not None
    assert _page_login(Client(), "secretary", persona_password).status_code == 400
