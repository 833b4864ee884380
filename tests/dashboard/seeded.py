"""The server the dashboard's browser checks share: hostile and Unicode names, long unbroken ARNs, an App Runner
service, a few hundred users and denied calls; and the helpers that name its pages."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.model import decision_log
from tests.apprunner.helpers import private_source, service_role
from tests.harness import Harness
from tests.suggest.helpers import user_keys

HOSTILE = "<script>alert(1)</script><img src=x id=injected> \"double\" 'single' \u202eשלום עולם 🚀🦄"
LONG_REPOSITORY = "r" * 200
LONG_USER = "u" * 64
MANY_USERS = 150
HOSTILE_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Odd", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket/{HOSTILE}"},
    {"Sid": "Long", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "b" * 243}]}


def hostile_world() -> Harness:
    """A new server (close it when done) with hostile names, long unbroken ARNs, an App Runner service, many users
    and denied calls."""
    harness = Harness("server", Settings(log_requests=False, operation_delay=0))
    iam = harness.client("iam")
    iam.create_user(UserName=LONG_USER)
    iam.put_user_policy(UserName=LONG_USER, PolicyName="odd", PolicyDocument=json.dumps(HOSTILE_POLICY))
    for number in range(MANY_USERS):
        iam.create_user(UserName=f"bulk-{number:03}")
    role = service_role(harness, "shop-web-ecr-access")
    harness.client("ecr").create_repository(repositoryName=LONG_REPOSITORY)
    apprunner = harness.client("apprunner")
    arn = apprunner.create_service(ServiceName="shop-web", SourceConfiguration=private_source(
        role, f"{LONG_REPOSITORY}:latest"))["Service"]["ServiceArn"]
    apprunner.describe_service(ServiceArn=arn)
    ecr = harness.client("ecr", **user_keys(harness, "dev"))
    with pytest.raises(ClientError):
        ecr.create_repository(repositoryName="a" * 256)
    return harness


def ui(harness: Harness, path: str = "/") -> str:
    return f"{harness.endpoint_url}/_mockrunner/ui{path}"


def denied_id(harness: Harness) -> int:
    entries = harness.store.decision_log.raw()
    return next(decision_log.field(entry, "id") for entry in reversed(entries)
                if decision_log.field(entry, "decision") != "allowed")


def repository_arn(harness: Harness) -> str:
    return harness.client("ecr").describe_repositories()["repositories"][0]["repositoryArn"]


def open_all_details(browser) -> None:
    browser.execute_script("document.querySelectorAll('details').forEach(d => { d.open = true; });")
