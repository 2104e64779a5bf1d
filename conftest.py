import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from linli.testing import clock as clocks
from linli.testing.world import PERSONA_PASSWORD, World, build_world, rolled_back

IN_CI = bool(os.environ.get("CI"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", clocks.MARKER_HELP)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    with clocks.collection_travel():
        return (yield)


@pytest.fixture(scope="module", autouse=True)
def _module_clock(request: pytest.FixtureRequest) -> Iterator[clocks.Clock | None]:
    """A module marked `clock` (or every module, under LINLI_TEST_NOW) runs at that
    instant, its module-scoped fixtures included. See linli/testing/clock.py."""
    marker = request.node.get_closest_marker(clocks.MARKER)
    if marker is not None:
        value, tick = clocks.marker_args(marker)
    else:
        value, tick = clocks.env_instant(), True
    if value is None:
        yield None
        return
    with clocks.travel(value, tick=tick) as clock:
        yield clock


@pytest.fixture(autouse=True)
def _fresh_intake_lookups() -> None:
    """Intake's per-process cache is stamped by row counts and times; a test's rolled-back
    data under a frozen clock can repeat a stamp, so every test starts without it."""
    from linli.casework.lookups import lookups_clear

    lookups_clear()


@pytest.fixture(autouse=True)
def _test_clock(
    request: pytest.FixtureRequest, _module_clock: clocks.Clock | None
) -> Iterator[clocks.Clock | None]:
    """A test (or class) marked `clock` runs at that instant; set up before its fixtures."""
    marker = request.node.get_closest_marker(clocks.MARKER)
    module = request.node.getparent(pytest.Module)
    module_marker = module and module.get_closest_marker(clocks.MARKER)
    if marker is None and module_marker is None and clocks.env_each_test():
        value, tick = clocks.env_instant(), True
    elif marker is None or marker is module_marker:
        value = None
    else:
        value, tick = clocks.marker_args(marker)
    if value is None:
        yield _module_clock
        return
    with clocks.travel(value, tick=tick) as clock:
        yield clock


@pytest.fixture
def clock(_test_clock: clocks.Clock | None) -> Iterator[clocks.Clock]:
    """The test's clock, to read or move (`clock.shift(...)`); pinned to now if unmarked."""
    if _test_clock is not None:
        yield _test_clock
        return
    with clocks.travel(clocks.now()) as pinned:
        yield pinned


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _client_for(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world[role])
    return client


@pytest.fixture
def login(world: World):  # type: ignore[no-untyped-def]
    """login("grid_worker") → a test client with that persona's session."""
    return lambda role: _client_for(world, role)


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for all the tests of a module, built once and rolled back after the module
    (`world` builds one per test). A module opts in by overriding two fixtures:

        @pytest.fixture
        def world(shared_world): return shared_world

        @pytest.fixture
        def login(shared_login): return shared_login

    Each test still runs in its own savepoint, so its writes are undone; it must not change
    the world's Python objects in place (they are shared), nor be transactional."""
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            world = build_world()
        yield world


@pytest.fixture(scope="module")
def module_sessions(module_world: World, django_db_blocker: Any) -> dict[str, str]:
    """A session key per persona of the module's world, made once (force_login is costly)."""
    with django_db_blocker.unblock():
        return {
            role: _client_for(module_world, role).cookies[settings.SESSION_COOKIE_NAME].value
            for role in module_world.users
        }


@pytest.fixture
def shared_world(module_world: World, db: None) -> World:
    return module_world


@pytest.fixture
def shared_login(module_sessions: dict[str, str], db: None):  # type: ignore[no-untyped-def]
    """login(role) on the module's world: a fresh client carrying that persona's session."""

    def _login(role: str) -> Client:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = module_sessions[role]
        return client

    return _login


@pytest.fixture
def persona_password() -> str:
    return PERSONA_PASSWORD


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "var", "screenshots")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium driven by Playwright. Missing chromium fails in CI, skips elsewhere."""
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"chromium not found at {CHROMIUM}: CI must install it")
        pytest.skip("chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in tests are
    # still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    """A phone-sized page (390×844, touch)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live_world(transactional_db: None) -> World:
    return build_world()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Sign a persona of the test world in through the login page."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base}/")


def click_and_wait(page, name: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
