"""Every page and API operation declares who may call it, and refuses everyone else."""

import pytest

from linli.core.access import PUBLIC
from linli.testing.routes import api_routes, page_routes

PAGES = page_routes()
APIS = api_routes()


# Some 180 routes × every role: one world and one session per persona for the module.
@pytest.fixture
def world(shared_world):
    return shared_world


@pytest.fixture
def login(shared_login):
    return shared_login


def test_routes_were_found():
    assert len(PAGES) >= 6 and len(APIS) >= 5


@pytest.mark.parametrize("route", PAGES + APIS, ids=lambda r: f"{r.method} {r.url}")
def test_every_route_declares_its_callers(route):
    assert route.access is not None, f"{route.method} {route.url} declares no access"


def _call(client, route, **extra):
    method = getattr(client, route.method.lower())
    response = method(route.url, **extra)
    if route.kind == "page" and response.status_code == 405:
        response = client.post(route.url, **extra)
    return response


@pytest.mark.parametrize(
    "route", [r for r in PAGES + APIS if r.access != PUBLIC], ids=lambda r: f"{r.method} {r.url}"
)
def test_anonymous_is_refused(route, client, db):
    response = _call(client, route)
    if route.kind == "api":
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "route", [r for r in PAGES + APIS if r.wrong_roles], ids=lambda r: f"{r.method} {r.url}"
)
def test_wrong_roles_are_refused_and_right_role_is_let_in(route, login):
    for role in route.wrong_roles:
        response = _call(login(role), route)
        assert response.status_code == 403, (role, response.status_code)
        if route.kind == "api":
            assert response.json()["error"]["code"] == "forbidden"
        else:
            assert "没有使用此功能的权限" in response.content.decode()
    response = _call(login(route.right_role), route)
    assert response.status_code not in (401, 403)


def test_bearer_token_authenticates_machine_clients(world, client):
    from linli.accounts.services import api_token_create

    _, key = api_token_create(actor=world["sysadmin"], user=world["grid_worker"], name="gateway")
    ok = client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200 and ok.json()["role"] == "grid_worker"
    bad = client.get("/api/accounts/me", HTTP_AUTHORIZATION="Bearer linli_wrong")
    assert bad.status_code == 401
    # A valid token of the wrong role gets 403, not data.
    forbidden = client.get("/api/core/audit/verify", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert forbidden.status_code == 403


def test_revoked_token_is_refused(world, client):
    from django.utils import timezone

    from linli.accounts.services import api_token_create

    token, key = api_token_create(actor=None, user=world["resident"], name="app")
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_token_key_is_not_stored(world):
    from linli.accounts.models import ApiToken
    from linli.accounts.services import api_token_create

    token, key = api_token_create(actor=None, user=world["resident"], name="app")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in str(stored)


def test_session_api_post_needs_csrf(world):
    from django.test import Client

    from linli.core.notifications.services import notification_send

    note = notification_send(recipient=world["resident"], title="t")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["resident"])
    response = strict.post(f"/api/core/notifications/{note.pk}/read")
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.read_at is None
