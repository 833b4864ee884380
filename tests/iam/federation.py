"""Builders for federation tests: tokens from the built-in identity provider (over HTTP), providers and roles."""
from __future__ import annotations

import json
from typing import Any

import requests

from tests.iam.helpers import ACCOUNT

GITHUB = "https://token.actions.githubusercontent.com"
GITHUB_HOST = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"
DENIED = ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)


def admin(aws: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """An admin API call through the app's HTTP interface: the real server, or werkzeug's client in-process."""
    if aws.server is not None:
        response = requests.request(method, f"{aws.endpoint_url}/_mockrunner{path}", json=body, timeout=10)
        return response.status_code, response.json()
    response = aws.app.test_client().open(f"/_mockrunner{path}", method=method, json=body)
    return response.status_code, response.json


def mint(aws: Any, **body: Any) -> str:
    status, answer = admin(aws, "POST", "/oidc/token", body)
    assert status == 200, answer
    return answer["token"]


def github_provider(aws: Any, audiences: tuple[str, ...] = ("sts.amazonaws.com",)) -> str:
    return aws.client("iam").create_open_id_connect_provider(
        Url=GITHUB, ClientIDList=list(audiences))["OpenIDConnectProviderArn"]


def web_identity_trust(provider_arn: str, conditions: dict, actions: Any = "sts:AssumeRoleWithWebIdentity") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": actions, "Condition": conditions}]})


def deploy_role(aws: Any, name: str, sub: str, *, operator: str = "StringEquals", policies: dict | None = None,
                actions: Any = "sts:AssumeRoleWithWebIdentity") -> str:
    """A role trusting GitHub's provider for ``sub`` (audience sts.amazonaws.com), as AWS's guide writes it."""
    conditions = {"StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"}}
    conditions.setdefault(operator, {})[f"{GITHUB_HOST}:sub"] = sub
    iam = aws.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=web_identity_trust(
        GITHUB_PROVIDER, conditions, actions))["Role"]["Arn"]
    for policy_name, document in (policies or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=document)
    return arn


def assume(aws: Any, role_arn: str, token: str, **extra: Any) -> dict:
    """AssumeRoleWithWebIdentity from a client without credentials, as CI calls it."""
    from botocore import UNSIGNED
    from botocore.config import Config

    sts = aws.client("sts", config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    return sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName=extra.pop("name", "ci"),
                                             WebIdentityToken=token, **extra)
