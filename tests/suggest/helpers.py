"""A soft-mode mockrunner reached over both ways in, with its admin API, for the suggestion tests."""
from __future__ import annotations

import json

import requests

from mockrunner.config import Settings

ACCOUNT = "123456789012"


def soft_settings(**extra) -> Settings:
    return Settings(log_requests=False, operation_delay=0, enforce="soft", **extra)


def admin(harness, method: str, path: str, params: dict | None = None, body: dict | None = None):
    """``(status, JSON)`` of an admin call: over HTTP in server mode, through the Flask test client in-process."""
    if harness.server is not None:
        response = requests.request(method, f"{harness.endpoint_url}/_mockrunner{path}", params=params,
                                    json=body, timeout=30)
        return response.status_code, response.json()
    client = harness.app.test_client()
    response = client.open(f"/_mockrunner{path}", method=method.upper(), query_string=params,
                           data=json.dumps(body) if body is not None else None, content_type="application/json")
    return response.status_code, response.get_json()


def user_keys(harness, name: str, boundary: str | None = None, inline: dict | None = None) -> dict:
    """An IAM user (made by the root) and its access key, as client keyword arguments."""
    iam = harness.client("iam")
    params = {"UserName": name}
    if boundary:
        params["PermissionsBoundary"] = boundary
    iam.create_user(**params)
    if inline:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(inline))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"access_key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"
