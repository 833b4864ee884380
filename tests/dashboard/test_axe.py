"""Every dashboard page and state checked by axe-core, the maintained accessibility engine, in headless Chromium:
WCAG 2.0, 2.1 and 2.2 levels A and AA and Deque's best practices (``tests/dashboard/axe_driver.py``), each at a
desktop window and a 390 px phone width, on a server holding hostile and Unicode names, long ARNs and a few hundred
users (``tests/dashboard/seeded.py``), an empty server and an admin-token server.  Every page must have no
violation; the findings and their fixes are in docs/behaviour.md, "Dashboard checked with axe-core".

The states: the overview, IAM (details closed and open, a later page of users), App Runner, ECR (the list and one
repository), the decision list (filtered, an older page, a filter matching nothing, live rows arriving in a full
list and in an empty one), a decision's explanation (implicit deny, explicit deny, allowed), the least-privilege
list, a suggestion with its proof (and exact names, and its Copy button pressed), the decision list and a
suggestion as they are without JavaScript, each page of an empty server,
the error pages (unknown page, unknown decision, bad filter, unknown principal, missing static file) and the
admin-token login (as first shown and after a wrong token).

Findings (each a test that failed before its fix): the header's navigation and the decision list's pager were two
unnamed ``nav`` landmarks (landmark-unique); an ECR repository's heading was an ``h3`` under the ``h1``
(heading-order); an empty decision list was a table of headers without a cell (th-has-data-cells, "needs review").

One browser and one server of each kind serve the whole module: Chromium starts slowly.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

import pytest

from mockrunner.config import Settings
from mockrunner.model import decision_log
from tests.dashboard.axe_driver import axe_source, findings, pinned_version, run_axe, violations
from tests.dashboard.browser import chromium, waiting
from tests.dashboard.seeded import denied_id, hostile_world, open_all_details, repository_arn, ui
from tests.harness import Harness
from tests.suggest.helpers import ACCOUNT, user_arn, user_keys

TOKEN = "axe-pass-admin-token-0123456789"
WIDTHS = {"desktop": None, "phone": {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}}
DENY_CREATE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
    {"Sid": "NoNewRepositories", "Effect": "Deny", "Action": "ecr:CreateRepository", "Resource": "*"}]}


@dataclass(frozen=True)
class Servers:
    """The three servers the pages come from: seeded, empty and admin-token guarded."""

    seeded: Harness
    empty: Harness
    guarded: Harness


@pytest.fixture(scope="module")
def servers():
    seeded = hostile_world()
    ecr = seeded.client("ecr", **user_keys(seeded, "denier", inline=DENY_CREATE))
    with pytest.raises(seeded.client("ecr").exceptions.ClientError):
        ecr.create_repository(repositoryName="explicitly-denied")
    empty = Harness("server", Settings(log_requests=False, operation_delay=0))
    guarded = Harness("server", Settings(log_requests=False, operation_delay=0, admin_token=TOKEN))
    yield Servers(seeded, empty, guarded)
    for harness in (seeded, empty, guarded):
        harness.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Chromium, once axe is installed (a failed install fails the module's tests once, not each its own time)."""
    axe_source()
    driver = chromium(tmp_path_factory.mktemp("profile"))
    yield driver
    driver.quit()


@pytest.fixture
def fresh(browser):
    """The shared browser, no cookies; back at its desktop size afterwards."""
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.delete_all_cookies()


def _wait(browser, condition: Callable) -> None:

    waiting(browser).until(condition)


def _decision_id(harness: Harness, decision: str) -> int:
    return next(decision_log.field(entry, "id") for entry in reversed(harness.store.decision_log.raw())
                if decision_log.field(entry, "decision") == decision)


def _page(path: Callable[[Harness], str] | str, server: str = "seeded", details: bool = False) -> Callable:
    """A state that is a page of one server, its ``details`` opened or not."""
    def show(browser, servers: Servers) -> None:
        harness = getattr(servers, server)
        browser.get(ui(harness, path(harness) if callable(path) else path))
        if details:
            open_all_details(browser)
    return show


_live_users = count()


def _live_rows(filtered: bool) -> Callable:
    """The decision list, then a new decision arriving as a live row: on top of the full list, or (``filtered``:
    listing one new user's calls) into the empty list's place."""
    def show(browser, servers: Servers) -> None:
        from selenium.webdriver.common.by import By

        harness, name = servers.seeded, f"live-{next(_live_users)}"
        browser.get(ui(harness, f"/decisions?principal=user/{name}" if filtered else "/decisions"))
        keys = user_keys(harness, name)
        with pytest.raises(harness.client("iam").exceptions.ClientError):
            harness.client("iam", **keys).list_users()
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.decision-row.fresh"))
        assert browser.find_elements(By.ID, "no-decisions") == []
    return show


def _without_script(path: str, shown_by_script: str) -> Callable:
    """A page loaded with JavaScript off (script is turned back on for axe alone: the page's own script has missed
    its load and never runs), ``shown_by_script`` still hidden."""
    def show(browser, servers: Servers) -> None:
        from selenium.webdriver.common.by import By

        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        try:
            browser.get(ui(servers.seeded, path))
        finally:
            browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        assert not browser.find_element(By.CSS_SELECTOR, shown_by_script).is_displayed()
    return show


def _copied(browser, servers: Servers) -> None:
    from selenium.webdriver.common.by import By

    browser.get(ui(servers.seeded, f"/suggest?principal={user_arn('dev')}"))
    browser.find_element(By.CSS_SELECTOR, "button.copy").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "button.copy.copied"))


def _login(wrong: bool) -> Callable:
    def show(browser, servers: Servers) -> None:
        from selenium.webdriver.common.by import By

        browser.get(ui(servers.guarded, "/decisions"))
        if wrong:
            field = browser.find_element(By.ID, "admin-token")
            field.send_keys("not-the-token")
            field.submit()
            _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "p.error"))
        assert browser.find_element(By.ID, "admin-token")
    return show


STATES: dict[str, Callable] = {
    "overview": _page("/"),
    "iam": _page("/accounts"),
    "iam-details-open": _page("/accounts", details=True),
    "iam-later-page": _page(f"/accounts?users-{ACCOUNT}=2", details=True),
    "apprunner": _page("/apprunner", details=True),
    "ecr": _page("/ecr", details=True),
    "ecr-repository": _page(lambda harness: f"/ecr?repository={repository_arn(harness)}", details=True),
    "decisions": _page("/decisions"),
    "decisions-filtered": _page("/decisions?principal=dev&decision=denied"),
    "decisions-older-page": _page("/decisions?page=2"),
    "decisions-no-match": _page("/decisions?principal=nobody-at-all"),
    "decisions-live-rows": _live_rows(filtered=False),
    "decisions-live-rows-into-empty": _live_rows(filtered=True),
    "decision-implicit-deny": _page(lambda harness: f"/decisions/{denied_id(harness)}", details=True),
    "decision-explicit-deny": _page(lambda harness: f"/decisions/{_decision_id(harness, 'explicitDeny')}",
                                    details=True),
    "decision-allowed": _page(lambda harness: f"/decisions/{_decision_id(harness, 'allowed')}", details=True),
    "least-privilege": _page("/suggest"),
    "suggestion-and-proof": _page(f"/suggest?principal={user_arn('dev')}"),
    "suggestion-exact-names": _page(f"/suggest?principal={user_arn('denier')}&exact=1"),
    "suggestion-copied": _copied,
    "decisions-without-javascript": _without_script("/decisions", "#live-indicator"),
    "suggestion-without-javascript": _without_script(f"/suggest?principal={user_arn('dev')}", "button.copy"),
    "empty-overview": _page("/", "empty"),
    "empty-iam": _page("/accounts", "empty", details=True),
    "empty-apprunner": _page("/apprunner", "empty"),
    "empty-ecr": _page("/ecr", "empty"),
    "empty-decisions": _page("/decisions", "empty"),
    "empty-least-privilege": _page("/suggest", "empty"),
    "error-unknown-page": _page("/no-such-page"),
    "error-unknown-decision": _page("/decisions/424242"),
    "error-bad-filter": _page("/decisions?decision=maybe&principal=dev"),
    "error-unknown-principal": _page("/suggest?principal=nobody"),
    "error-missing-static-file": _page("/static/no-such-file.css"),
    "login": _login(wrong=False),
    "login-wrong-token": _login(wrong=True),
    "login-page-without-a-token-set": _page("/login"),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_violation(servers, fresh, width: str, state: str) -> None:
    if WIDTHS[width]:
        fresh.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", WIDTHS[width])
    STATES[state](fresh, servers)
    assert findings(fresh) == {"violations": {}, "needsReview": {}}


def test_axe_runs_the_pinned_version_with_the_pages_csp_in_force_and_reports_what_it_finds(servers, fresh) -> None:
    fresh.get(ui(servers.seeded, "/decisions"))
    blocked = fresh.execute_script(
        "const tag = document.createElement('script'); tag.textContent = 'window.inlineRan = true;';"
        "document.head.appendChild(tag); return window.inlineRan === undefined;")
    assert blocked  # the page's CSP refuses inline script: axe is not run by weakening it
    assert run_axe(fresh)["version"] == pinned_version()
    fresh.execute_script(
        "const image = document.createElement('img'); image.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';"
        "const field = document.createElement('input'); field.id = 'unlabelled';"
        "document.querySelector('main').append(image, field);")
    found = violations(fresh)
    assert found.keys() >= {"image-alt", "label"} and ["#unlabelled"] in found["label"]


ZOOMS = {
    "200-percent": {"width": 700, "height": 500, "deviceScaleFactor": 2, "mobile": False},
    "320-css-px": {"width": 320, "height": 256, "deviceScaleFactor": 4, "mobile": False},
}
"""The desktop window (1400 × 1000) at 200% zoom (WCAG 1.4.4), and a 1280 px window at 400% (WCAG 1.4.10's
reflow width, 320 CSS px): the same CSS pixels and device pixel ratio Chromium's page zoom gives."""
LOST_CONTENT_JS = """
const width = document.documentElement.clientWidth, lost = [];
const scrolls = (element) => ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
const inScroller = (element) => {
  for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) if (scrolls(up)) return true;
  return false;
};
const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
  + Array.from(element.classList, (one) => "." + one).join("");
if (document.documentElement.scrollWidth > width) lost.push("the page scrolls sideways");
for (const element of document.querySelectorAll("body *")) {
  const box = element.getBoundingClientRect();
  if (!box.width || !box.height || element.closest(".visually-hidden")) continue;
  if ((box.left < -1 || box.right > width + 1) && !inScroller(element)) lost.push(name(element) + " is outside");
  if (["hidden", "clip"].includes(getComputedStyle(element).overflowX) && !element.matches("input, select, textarea")
      && element.scrollWidth > element.clientWidth + 1)
    lost.push(name(element) + " is cut off");
  if (scrolls(element) && element.scrollWidth > element.clientWidth + 1) lost.push(name(element) + " scrolls");
}
return lost.slice(0, 5);
"""
"""What a zoomed page loses: a page scrolling sideways, an element outside the window (not inside a scrolling
box), text cut off by ``overflow: hidden``, a box that needs scrolling sideways (a visually-hidden label is clipped
on purpose; a text field scrolls its long value as every text field does)."""


@pytest.mark.parametrize("zoom", ZOOMS)
def test_zoomed_pages_reflow_without_losing_content(servers, fresh, zoom: str) -> None:
    fresh.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", ZOOMS[zoom])
    lost = {}
    for state, show in STATES.items():
        show(fresh, servers)
        open_all_details(fresh)
        found = fresh.execute_script(LOST_CONTENT_JS)
        if found:
            lost[state] = found
    assert lost == {}
