"""Deque's ``axe-core`` (the maintained accessibility engine), pinned in ``axe_core/package.json`` and installed with
npm once per machine into a cache directory (:func:`tests.ways.js_sdk_clients.installed_clients`, as the
iam-simulate check installs its packages), and ``violations``: axe run on the page a Selenium browser shows.

axe's source is handed to ``execute_script``: chromedriver evaluates it through the DevTools protocol, outside the
page's Content-Security-Policy (``script-src 'self'``), so the dashboard is checked with its CSP in force.

Outside CI the caller skips when Node.js 20+ or npm is not available; in CI (``CI`` set) it fails instead, and the
suite fails if no axe test passed (``REAL_CLIENT_TESTS`` in ``tests/conftest.py``)."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from tests.ways.js_sdk_clients import installed_clients

SOURCES = Path(__file__).resolve().parent / "axe_core"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice")
"""The rules of WCAG 2.0, 2.1 and 2.2 levels A and AA, and Deque's best practices (axe's experimental and AAA
rules are not among them)."""
RUN_SECONDS = 60

RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations", "incomplete"]})
  .then((result) => {
    const rules = (found) => found.map((rule) => ({id: rule.id, impact: rule.impact, help: rule.help,
      nodes: rule.nodes.map((node) => ({target: node.target, summary: node.failureSummary}))}));
    done(JSON.stringify({version: axe.version, violations: rules(result.violations),
                         needsReview: rules(result.incomplete)}));
  }, (error) => done(JSON.stringify({error: String(error)})));
"""


@functools.cache
def axe_source() -> str:
    """axe's browser bundle, from the pinned install."""
    return (installed_clients(SOURCES) / "node_modules" / "axe-core" / "axe.min.js").read_text()


def pinned_version() -> str:
    return json.loads((SOURCES / "package.json").read_text())["dependencies"]["axe-core"]


def run_axe(driver) -> dict:
    """axe's answer on the page ``driver`` shows: ``{"version": ..., "violations": [{"id", "impact", "help",
    "nodes": [{"target", "summary"}]}], "needsReview": [...]}`` (axe's "incomplete": the rules it could neither pass
    nor fail, in the same shape; passes and inapplicable rules are left out)."""
    if not driver.execute_script("return typeof window.axe === 'object' && typeof window.axe.run === 'function';"):
        driver.execute_script(axe_source() + "\n;window.axe = axe;")
    driver.set_script_timeout(RUN_SECONDS)
    answer = json.loads(driver.execute_async_script(RUN, list(TAGS)))
    if "error" in answer:
        raise RuntimeError(f"axe failed on {driver.current_url}: {answer['error']}")
    return answer


def findings(driver) -> dict[str, dict[str, list]]:
    """``{"violations": ..., "needsReview": ...}``: the rules the page breaks, and those axe left to a person, each
    with the CSS selectors of its elements (empty: none)."""
    answer = run_axe(driver)
    return {kind: {rule["id"]: [node["target"] for node in rule["nodes"]] for rule in answer[kind]}
            for kind in ("violations", "needsReview")}


def violations(driver) -> dict[str, list]:
    """The rules the page breaks, each with the CSS selectors of the elements that break it (empty: none)."""
    return findings(driver)["violations"]
