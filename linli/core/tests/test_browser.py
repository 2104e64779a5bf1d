"""The pages in a real chromium: login, role home, elder mode, language, phone layout."""

import pytest

from conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_resident_signs_in_on_a_phone_and_switches_on_elder_mode(live_server, live_world, phone):
    base = live_server.url
    phone.goto(f"{base}/")
    assert phone.url == f"{base}/accounts/login/?next=/" or phone.url.startswith(
        f"{base}/accounts/login/"
    )
    assert phone.locator("h1").inner_text() == "登录邻里"
    assert no_horizontal_scroll(phone)
    screenshot(phone, "login-phone")

    sign_in(phone, base, "resident")
    assert phone.get_by_test_id("home-resident").is_visible()
    assert "您好,resident" in phone.locator("h1").inner_text()
    assert no_horizontal_scroll(phone)
    normal = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    screenshot(phone, "home-resident-phone")

    with phone.expect_navigation():
        phone.get_by_test_id("elder-toggle").click()
    large = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= normal * 1.3
    tile = phone.locator(".tile").first.bounding_box()
    assert tile is not None and tile["height"] >= 100 and tile["width"] >= 300
    assert no_horizontal_scroll(phone)
    screenshot(phone, "home-resident-elder")

    # The choice is kept on the account: a new visit is still in elder mode.
    phone.goto(f"{base}/core/inbox/")
    assert "elder" in (phone.locator("body").get_attribute("class") or "")


def test_wrong_password_shows_a_chinese_error(live_server, live_world, phone):
    base = live_server.url
    phone.goto(f"{base}/accounts/login/")
    phone.get_by_label("用户名").fill("resident")
    phone.get_by_label("密码").fill("wrong-password")
    phone.get_by_role("button", name="登录", exact=True).click()
    error = phone.get_by_test_id("login-error")
    assert error.inner_text() == "用户名或密码不正确。"
    assert phone.get_by_label("用户名").input_value() == "resident"
    screenshot(phone, "login-error")


def test_language_switch_to_english_and_back(live_server, live_world, desktop):
    base = live_server.url
    desktop.goto(f"{base}/accounts/login/")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="English").click()
    assert desktop.locator("h1").inner_text() == "Sign in to Linli"
    assert desktop.locator("html").get_attribute("lang") == "en"
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="中文").click()
    assert desktop.locator("h1").inner_text() == "登录邻里"


def test_community_worker_sees_the_grid_map(live_server, live_world, desktop):
    base = live_server.url
    sign_in(desktop, base, "community_worker")
    desktop.get_by_role("link", name="网格地图").click()
    desktop.wait_for_url(f"{base}/geo/map/")
    assert desktop.locator("svg.gridmap path").count() == 3
    box = desktop.locator("svg.gridmap").bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 100
    screenshot(desktop, "grid-map")


def test_resident_cannot_open_the_grid_map(live_server, live_world, phone):
    base = live_server.url
    sign_in(phone, base, "resident")
    response = phone.goto(f"{base}/geo/map/")
    assert response is not None and response.status == 403
    assert "没有使用此功能的权限" in phone.locator("main").inner_text()
