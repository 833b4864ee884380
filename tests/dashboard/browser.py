"""Headless Chromium from the distribution's packages, driven by Selenium through the packaged chromedriver.

Outside CI a machine without them skips the browser tests; in CI (``CI`` set) their absence fails the tests, and
``tests/conftest.py`` fails the run if no browser test passed.  Screenshots go to ``MOCKRUNNER_SCREENSHOT_DIR``
(``docs/screenshots`` refreshes the README's) or else the test's temporary directory.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000")
BROWSER_NAMES = ("chromium", "chromium-browser")
DRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 15
POLL_SECONDS = 0.05
"""How often a wait looks again (selenium's default, half a second, made every wait at least that long)."""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason} (.ci/run installs chromium and chromium-driver)")
    pytest.skip(reason)


def chromium(profile: Path):
    """A new headless Chromium with a fresh profile directory, its console kept for ``get_log`` (quit it when
    done)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed")
    binary = next(filter(None, (shutil.which(name) for name in BROWSER_NAMES)), None)
    driver = DRIVER if os.path.exists(DRIVER) else shutil.which("chromedriver")
    if binary is None or driver is None:
        _unavailable("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # driver.get_log("browser"): console, CSP
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def screenshot_dir(tmp_path: Path) -> Path:
    chosen = os.environ.get("MOCKRUNNER_SCREENSHOT_DIR")
    folder = Path(chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def waiting(driver: object):
    """A wait of at most :data:`WAIT_SECONDS` on ``driver``, looking again every :data:`POLL_SECONDS`."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS, poll_frequency=POLL_SECONDS)
