import os

import pytest
from django.test import Client

from linli.testing.world import PERSONA_PASSWORD, World, build_world

IN_CI = bool(os.environ.get("CI"))


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
