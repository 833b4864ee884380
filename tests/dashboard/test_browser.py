"""The dashboard in a real browser: a denied call appears live, its explanation, the suggested policy, copied."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from tests.dashboard.browser import chromium, screenshot_dir, waiting
from tests.suggest.helpers import ACCOUNT, user_arn, user_keys


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "profile")
    yield driver
    driver.quit()


def test_denied_call_appears_live_is_explained_and_gets_a_policy(make_harness, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    shots = screenshot_dir(tmp_path)
    harness = make_harness("server", Settings(log_requests=False, operation_delay=0))
    ecr = harness.client("ecr", **user_keys(harness, "dev"))
    ui = f"{harness.endpoint_url}/_mockrunner/ui"
    wait = waiting(browser)

    browser.get(f"{ui}/decisions")
    wait.until(lambda d: d.find_element(By.ID, "decisions"))
    browser.execute_script("window.notReloaded = true;")
    with pytest.raises(ClientError) as denied:
        ecr.create_repository(repositoryName="shop-web")
    message = denied.value.response["Error"]["Message"]

    row = wait.until(lambda d: next((r for r in d.find_elements(By.CSS_SELECTOR, "tr.decision-row")
                                     if "ecr:CreateRepository" in r.text), None))
    assert browser.execute_script("return window.notReloaded === true;")  # it came in live, not by a reload
    assert "implicitDeny" in row.text and user_arn("dev") in row.text
    browser.save_screenshot(str(shots / "decisions-live.png"))

    row.find_element(By.CSS_SELECTOR, "td.action").click()
    wait.until(lambda d: d.find_elements(By.ID, "aws-message"))
    assert browser.find_element(By.ID, "aws-message").text == message
    identity = browser.find_element(By.CSS_SELECTOR, "section.layer[data-layer=identity]")
    assert "No statement applies" in identity.text and "decided this request" in identity.text
    fix = json.loads(browser.find_element(By.ID, "fix-statement").text)
    assert fix == {"Effect": "Allow", "Action": "ecr:CreateRepository",
                   "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shop-web"}
    browser.save_screenshot(str(shots / "decision-explained.png"))

    browser.find_element(By.ID, "suggest-link").click()
    policy = wait.until(lambda d: d.find_element(By.ID, "policy-1"))
    document = json.loads(policy.text)
    assert document["Statement"][0]["Action"] == "ecr:CreateRepository"
    assert "all 1 distinct recorded requests" in browser.find_element(By.ID, "proof").text
    button = browser.find_element(By.CSS_SELECTOR, "button.copy[data-copy-target=policy-1]")
    button.click()
    wait.until(lambda d: button.text == "Copied")
    browser.save_screenshot(str(shots / "suggested-policy.png"))
    pasted = _paste(browser)
    assert json.loads(pasted) == document


def _paste(browser) -> str:
    """What the clipboard holds, pasted into a new text area with the keyboard as a user would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.execute_script("const a = document.createElement('textarea'); a.id = 'paste'; "
                           "document.body.appendChild(a); a.focus();")
    area = browser.find_element(By.ID, "paste")
    area.send_keys(Keys.CONTROL, "v")
    return area.get_attribute("value")


def test_state_pages_show_iam_app_runner_and_ecr(make_harness, browser, tmp_path) -> None:
    from selenium.webdriver.common.by import By

    from tests.apprunner.helpers import private_source, service_role

    shots = screenshot_dir(tmp_path)
    harness = make_harness("server", Settings(log_requests=False, operation_delay=0))
    role = service_role(harness, "shop-web-ecr-access")
    harness.client("ecr").create_repository(repositoryName="shop-web")
    arn = harness.client("apprunner").create_service(
        ServiceName="shop-web", SourceConfiguration=private_source(role, "shop-web:latest"))["Service"]["ServiceArn"]
    harness.client("apprunner").describe_service(ServiceArn=arn)  # the (failing) deployment completes
    ui = f"{harness.endpoint_url}/_mockrunner/ui"

    browser.get(f"{ui}/apprunner")
    service = browser.find_element(By.CSS_SELECTOR, ".service[data-service=shop-web]")
    assert "CREATE_FAILED" in service.text and "Failed to pull your application image" in service.text
    assert "CREATE_SERVICE" in service.text
    browser.save_screenshot(str(shots / "apprunner.png"))

    browser.get(f"{ui}/accounts")
    browser.find_element(By.CSS_SELECTOR, "#role-shop-web-ecr-access summary").click()
    trust = browser.find_element(By.CSS_SELECTOR, "#role-shop-web-ecr-access pre.statement")
    assert json.loads(trust.text)["Principal"] == {"Service": "build.apprunner.amazonaws.com"}
    browser.save_screenshot(str(shots / "iam.png"))

    browser.get(f"{ui}/ecr")
    assert "No images." in browser.find_element(By.CSS_SELECTOR, ".repository[data-repository=shop-web]").text
