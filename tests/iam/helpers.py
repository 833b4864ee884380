"""Shared builders for IAM scenario tests: users with keys, roles with trust policies."""
from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"


def aws_error(excinfo: Any) -> tuple[str, str, int]:
    """``(code, message, HTTP status)`` of the ClientError a ``pytest.raises`` block caught."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def error_of(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    """``(code, message, HTTP status)`` of the ClientError ``call(**kwargs)`` must raise."""
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return aws_error(excinfo)


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def user_with_key(aws: Any, name: str, *, policies: tuple[str, ...] = (), inline: dict[str, str] | None = None,
                  tags: dict[str, str] | None = None) -> dict:
    """Create a user (as root), attach managed policies / put inline ones, return its access key dict."""
    iam = aws.client("iam")
    iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    for arn in policies:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    for policy_name, document in (inline or {}).items():
        iam.put_user_policy(UserName=name, PolicyName=policy_name, PolicyDocument=document)
    return iam.create_access_key(UserName=name)["AccessKey"]


def ecr_user_of_the_other_account(aws: Any, name: str) -> dict:
    """A user of the ``two_account_harness``'s second account allowed ``ecr:*`` by its own policy: its access key."""
    iam = aws.client("iam", access_key="other-key", secret="other-secret")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}))
    return iam.create_access_key(UserName=name)["AccessKey"]


def trust(principal: Any) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})
