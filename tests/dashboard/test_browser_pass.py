"""The dashboard as a demanding user meets it in headless Chromium: a quiet console, hostile and Unicode names as
text, a phone-width window, labelled controls, contrast, the keyboard, filters kept across links and history,
clear HTML errors, status codes and content types, the page without JavaScript, and the admin-token login.

One browser and one server (holding hostile names, long ARNs and a few hundred users) serve the whole module:
Chromium starts slowly.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from mockrunner.config import Settings
from tests.dashboard.browser import chromium, waiting
from tests.dashboard.seeded import (
    HOSTILE,
    LONG_USER,
    MANY_USERS,
    denied_id,
    hostile_world,
    open_all_details,
    repository_arn,
    ui,
)
from tests.harness import Harness
from tests.suggest.helpers import ACCOUNT, user_arn

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
CONTRAST_JS = Path(__file__).with_name("contrast.js").read_text()


@pytest.fixture(scope="module")
def world():
    """The shared server of :func:`tests.dashboard.seeded.hostile_world`."""
    harness = hostile_world()
    yield harness
    harness.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("profile"))
    yield driver
    driver.quit()


@pytest.fixture
def fresh(browser):
    """The shared browser at its desktop size, JavaScript on, no cookies, its console emptied."""
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    browser.delete_all_cookies()
    browser.get_log("browser")


def pages(harness: Harness) -> list[str]:
    """Every page a user reaches, error pages included."""
    return ["/", "/accounts", "/apprunner", "/ecr", "/decisions", "/decisions?principal=dev&decision=denied",
            f"/decisions/{denied_id(harness)}", "/suggest", f"/suggest?principal={user_arn('dev')}",
            "/suggest?principal=nobody", "/decisions?decision=bogus", "/decisions/424242", "/no-such-page",
            "/login", f"/accounts?users-{ACCOUNT}=2", f"/ecr?repository={repository_arn(harness)}",
            "/static/no-such-file.css"]


def test_every_page_has_a_quiet_console_one_h1_and_a_language(world, fresh) -> None:
    problems = {}
    for path in pages(world):
        fresh.get(ui(world, path))
        own = ui(world, path).split("?")[0]
        logged = [entry["message"] for entry in fresh.get_log("browser")
                  if entry["level"] in ("SEVERE", "WARNING") and not entry["message"].startswith(own)]
        shape = fresh.execute_script("return [document.documentElement.lang, "
                                     "document.querySelectorAll('h1').length]")
        if logged or shape != ["en", 1]:
            problems[path] = (logged, shape)
    assert problems == {}  # the favicon request answered 400 on every page; unknown pages were JSON


def test_hostile_and_unicode_names_are_shown_as_text_a_page_of_users_at_a_time(world, fresh) -> None:
    from selenium.webdriver.common.by import By

    fresh.get(ui(world, "/accounts"))
    users = f"users-{ACCOUNT}"
    assert len(fresh.find_elements(By.CSS_SELECTOR, "details.entity[id^=user-bulk-]")) == 100
    assert fresh.find_element(By.CSS_SELECTOR, "nav[aria-label=users] .count").text == \
        f"1–100 of {MANY_USERS + 2} users"  # bulk-000…149, dev, uuu…: by name
    fresh.find_element(By.CSS_SELECTOR, "nav[aria-label=users] a[rel=next]").click()
    waiting(fresh).until(lambda d: f"{users}=2#{users}" in d.current_url)
    assert fresh.find_elements(By.CSS_SELECTOR, "nav[aria-label=users] a[rel=next]") == []  # the last page
    assert fresh.execute_script(f"return document.getElementById('{users}').getBoundingClientRect().top") < 50
    open_all_details(fresh)
    statement = fresh.find_element(By.CSS_SELECTOR, f"#user-{LONG_USER} pre.statement[data-index='0']")
    assert json.loads(statement.text)["Resource"] == f"arn:aws:s3:::bucket/{HOSTILE}"
    assert fresh.find_elements(By.ID, "injected") == []
    assert len(fresh.find_elements(By.CSS_SELECTOR, "details.entity[id^=user-bulk-]")) == MANY_USERS - 100
    fresh.get(ui(world, "/decisions?principal=dev"))
    assert "repository/" + "a" * 256 in fresh.find_element(By.CSS_SELECTOR, "tr.decision-row td.arn + td + td").text


def test_a_phone_width_window_never_scrolls_sideways(world, fresh) -> None:
    fresh.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    wide = {}
    for path in pages(world):
        fresh.get(ui(world, path))
        open_all_details(fresh)
        widths = fresh.execute_script("const root = document.documentElement; "
                                      "return [root.clientWidth, root.scrollWidth];")
        if widths != [PHONE["width"], PHONE["width"]]:
            wide[path] = widths
    assert wide == {}  # long repository/user names and tables overflowed; error and login pages had no viewport


def test_form_controls_are_labelled_and_table_headers_are_named(world, fresh) -> None:
    unnamed = {}
    for path in ("/", "/decisions", f"/decisions/{denied_id(world)}", f"/suggest?principal={user_arn('dev')}",
                 "/login", "/ecr", "/apprunner"):
        fresh.get(ui(world, path))
        found = fresh.execute_script(
            "const bad = [];"
            "for (const c of document.querySelectorAll('input:not([type=hidden]), select, textarea'))"
            "  if (!c.labels || !c.labels.length || !c.labels[0].textContent.trim()) bad.push(c.name);"
            "for (const t of document.querySelectorAll('table')) {"
            "  if (!t.tHead) bad.push('table without a header row');"
            "  for (const th of t.querySelectorAll('th')) if (!th.textContent.trim()) bad.push('empty th'); }"
            "return bad;")
        if found:
            unnamed[path] = found
    assert unnamed == {}  # filters and the token had placeholders only; an empty <th>; context had no header


def test_text_contrast_meets_wcag_aa(world, fresh) -> None:
    faint = {}
    for path in ("/", "/decisions", f"/decisions/{denied_id(world)}", "/apprunner", "/accounts",
                 f"/suggest?principal={user_arn('dev')}", "/decisions?decision=bogus"):
        fresh.get(ui(world, path))
        open_all_details(fresh)
        found = fresh.execute_script(CONTRAST_JS)
        if found:
            faint[path] = found[:3]
    assert faint == {}  # green on the "allowed" badges was 4.40:1


BOUNDARY_JS = CONTRAST_JS.split("if (arguments[0])")[0] + """
const faint = [];
for (const field of document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]), select, textarea")) {
  const style = getComputedStyle(field), around = background(field.parentElement);
  const edge = parseFloat(style.borderTopWidth) >= 1 ? ratio(style.borderTopColor, around) : 0;
  const fill = ratio(background(field), around);
  if (Math.max(edge, fill) < 3) faint.push(`${field.name} ${edge.toFixed(2)}`);
}
return faint;
"""


def test_text_fields_have_a_boundary_of_3_to_1(world, fresh) -> None:
    faint = {}
    for path in ("/decisions", f"/suggest?principal={user_arn('dev')}", "/login"):
        fresh.get(ui(world, path))
        found = fresh.execute_script(BOUNDARY_JS)
        if found:
            faint[path] = found
    assert faint == {}  # WCAG 1.4.11 (axe does not check it): the filters' #c9ced8 border was 1.49:1 on the page


def test_the_keyboard_reaches_every_control_with_a_visible_focus_ring(world, fresh) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    fresh.get(ui(world, "/decisions"))
    reached, faint = [], []
    for _ in range(20):
        fresh.switch_to.active_element.send_keys(Keys.TAB)
        focused = fresh.switch_to.active_element
        reached.append(focused.get_attribute("name") or focused.text)
        ring = fresh.execute_script(CONTRAST_JS, focused)
        if ring < 3:
            faint.append((reached[-1], ring))
        if focused.tag_name == "a" and "/decisions/" in (focused.get_attribute("href") or ""):
            break
    assert {"IAM", "Decisions", "Least privilege", "principal", "action", "service", "decision", "Filter",
            "clear"} <= set(reached)
    assert faint == []  # Chromium's default ring is near-black: invisible on the dark header
    target = fresh.switch_to.active_element.get_attribute("href")
    fresh.switch_to.active_element.send_keys(Keys.ENTER)
    assert fresh.current_url == target and fresh.find_element(By.ID, "aws-message")


def test_filters_survive_links_and_back_and_forward(world, fresh) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    fresh.get(ui(world, "/decisions"))
    fresh.find_element(By.NAME, "principal").send_keys("dev")
    Select(fresh.find_element(By.NAME, "decision")).select_by_value("denied")
    fresh.find_element(By.NAME, "principal").send_keys(Keys.ENTER)
    waiting(fresh).until(lambda d: "decision=denied" in d.current_url)
    filtered = fresh.current_url
    assert parse_qs(urlsplit(filtered).query)["principal"] == ["dev"]
    rows = fresh.find_elements(By.CSS_SELECTOR, "tr.decision-row")
    assert rows and all("dev" in row.text and "Deny" in row.text for row in rows)
    rows[0].find_element(By.CSS_SELECTOR, "td.action").click()
    waiting(fresh).until(lambda d: d.find_elements(By.ID, "aws-message"))
    fresh.back()
    waiting(fresh).until(lambda d: d.current_url == filtered)
    assert fresh.find_element(By.NAME, "principal").get_attribute("value") == "dev"
    assert Select(fresh.find_element(By.NAME, "decision")).first_selected_option.text == "denied"
    fresh.forward()
    waiting(fresh).until(lambda d: d.find_elements(By.ID, "aws-message"))


def test_a_bad_filter_and_an_unknown_page_are_clear_html_pages(world, fresh) -> None:
    from selenium.webdriver.common.by import By

    fresh.get(ui(world, "/decisions?decision=maybe&principal=dev"))
    error = fresh.find_element(By.ID, "filter-error").text
    assert "decision must be one of allowed, denied, explicitDeny, implicitDeny" in error and "maybe" in error
    assert fresh.find_element(By.NAME, "principal").get_attribute("value") == "dev"
    assert fresh.find_elements(By.ID, "decisions") == []  # no unfiltered list posing as the filtered one
    fresh.get(ui(world, "/decisions/not-a-number"))
    assert fresh.find_element(By.TAG_NAME, "h1").text == "404 PageNotFound"
    fresh.find_element(By.LINK_TEXT, "Back to the dashboard").click()
    assert fresh.find_element(By.TAG_NAME, "h1").text == "Overview"


RESPONSES = (
    ("/", 200, "text/html"), ("/accounts", 200, "text/html"), ("/apprunner", 200, "text/html"),
    ("/ecr", 200, "text/html"), ("/decisions", 200, "text/html"), ("/decisions?page=x", 200, "text/html"),
    ("/decisions?decision=bogus", 400, "text/html"), ("/decisions/rows?after=0", 200, "application/json"),
    ("/decisions/rows?decision=bogus", 400, "application/json"), ("/decisions/424242", 404, "text/html"),
    ("/decisions/abc", 404, "text/html"), ("/no-such-page", 404, "text/html"), ("/suggest", 200, "text/html"),
    ("/suggest?principal=nobody", 400, "text/html"), ("/login", 200, "text/html"),
    ("/static/dashboard.css", 200, "text/css"), ("/static/dashboard.js", 200, "text/javascript"),
    ("/static/favicon.svg", 200, "image/svg+xml"), ("/static/no-such-file.css", 404, "text/html"),
    ("/accounts?users-123456789012=x", 200, "text/html"),
)


def test_every_dashboard_response_has_its_status_content_type_and_browser_headers(world) -> None:
    wrong = {}
    for method, path, status, content_type in [("GET", *response) for response in RESPONSES] + [
            ("POST", "/accounts", 405, "text/html"), ("DELETE", "/decisions", 405, "text/html")]:
        response = requests.request(method, ui(world, path), timeout=30)
        headers = response.headers
        if (response.status_code, headers["Content-Type"].split(";")[0]) != (status, content_type) or \
                "script-src 'self'" not in headers["Content-Security-Policy"] or \
                headers["X-Content-Type-Options"] != "nosniff":
            wrong[method, path] = (response.status_code, headers["Content-Type"])
    assert wrong == {}
    rows = requests.get(ui(world, "/decisions/rows?decision=bogus"), timeout=30).json()
    assert rows["error"] == "InvalidFilter"


def test_without_javascript_nothing_dead_is_shown(world, fresh) -> None:
    from selenium.webdriver.common.by import By

    suggestion = ui(world, f"/suggest?principal={user_arn('dev')}")
    fresh.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    fresh.get(ui(world, "/decisions"))
    assert not fresh.find_element(By.ID, "live-indicator").is_displayed()  # it said "live" and was not
    assert "reload the page for new decisions" in fresh.find_element(By.CSS_SELECTOR, "p.summary").text
    fresh.find_element(By.CSS_SELECTOR, "tr.decision-row a").click()  # the row's link works without script
    assert fresh.find_element(By.ID, "aws-message").text
    fresh.get(suggestion)
    assert [button.is_displayed() for button in fresh.find_elements(By.CSS_SELECTOR, "button.copy")] == [False]
    fresh.get(ui(world, f"/accounts?users-{ACCOUNT}=2"))
    fresh.find_element(By.CSS_SELECTOR, "nav[aria-label=users] a[rel=prev]").click()  # a plain link: no script
    assert fresh.find_element(By.CSS_SELECTOR, "nav[aria-label=users] .count").text.startswith("1–100 of")
    fresh.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    fresh.get(ui(world, "/decisions"))
    assert fresh.find_element(By.ID, "live-indicator").is_displayed()
    assert not fresh.find_element(By.ID, "reload-note").is_displayed()
    fresh.get(suggestion)
    assert fresh.find_element(By.CSS_SELECTOR, "button.copy").is_displayed()


def test_with_an_admin_token_the_browser_logs_in_once_and_sees_live_decisions(fresh) -> None:
    from selenium.webdriver.common.by import By

    token = "browser-pass-token-0123456789"
    guarded = Harness("server", Settings(log_requests=False, operation_delay=0, admin_token=token))
    try:
        fresh.get(ui(guarded, "/decisions"))
        field = fresh.find_element(By.ID, "admin-token")
        assert field.accessible_name == "Admin token"
        field.send_keys("wrong")
        field.submit()
        # submit() may return before the next page is loaded: wait for it rather than read the old one
        waiting(fresh).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.error"))
        assert "not this server's" in fresh.find_element(By.CSS_SELECTOR, "p.error").text
        fresh.find_element(By.ID, "admin-token").send_keys(token)
        fresh.find_element(By.ID, "admin-token").submit()
        waiting(fresh).until(lambda d: not d.find_elements(By.ID, "admin-token"))
        assert fresh.find_element(By.TAG_NAME, "h1").text == "Overview"
        fresh.get(ui(guarded, "/decisions"))
        fresh.execute_script("window.notReloaded = true;")
        guarded.client("iam").create_user(UserName="after-login")
        waiting(fresh).until(lambda d: "user/after-login" in d.find_element(By.ID,
                                                                                                "decisions").text)
        assert fresh.execute_script("return window.notReloaded === true;")
        assert f"arn:aws:iam::{ACCOUNT}:root" in fresh.find_element(By.CSS_SELECTOR, "tr.decision-row").text
    finally:
        guarded.close()
