"""boto3 sessions for tests: root, a fresh IAM user with given policies, or an assumed role.

Users, roles and keys are made through the IAM and STS APIs as a user's own code would, so whatever a test
sets up this way is exactly what the API would have produced.
"""
from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mockrunner.config import Settings

_NAMES = itertools.count(1)


def _document(policy: Any) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


def _boto3_session(key: str, secret: str, token: str | None, region: str) -> Any:
    return boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                                 region_name=region)


def root_session(settings: "Settings", account: str | None = None, region: str | None = None) -> Any:
    region = region or settings.default_region
    account = account or settings.default_account
    for keys in settings.root_accounts:
        if keys.account_id == account:
            return _boto3_session(keys.access_key_id, keys.secret_access_key, None, region)
    raise ValueError(f"account {account} is not configured (settings.extra_accounts)")


def create_user(iam: Any, name: str, policies: list[Any], managed_policies: list[str]) -> dict:
    """Create ``name`` with inline ``policies`` and attached ``managed_policies``; return its new access key."""
    iam.create_user(UserName=name)
    for index, policy in enumerate(policies):
        iam.put_user_policy(UserName=name, PolicyName=f"policy-{index}", PolicyDocument=_document(policy))
    for arn in managed_policies:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    return iam.create_access_key(UserName=name)["AccessKey"]


def make_session(settings: "Settings", *, user: str | None, role: str | None, policies: list[Any],
                 managed_policies: list[str], trust_policy: Any, account: str | None, session_name: str,
                 region: str | None) -> Any:
    if user and role:
        raise ValueError("a session is for a user or for a role, not both")
    root = root_session(settings, account, region)
    region = root.region_name
    if not user and not role:
        if policies or managed_policies:
            raise ValueError("root needs no policies: name a user or a role to attach them to")
        return root
    iam = root.client("iam")
    if user:
        key = create_user(iam, user, policies, managed_policies)
        return _boto3_session(key["AccessKeyId"], key["SecretAccessKey"], None, region)
    account_id = root.client("sts").get_caller_identity()["Account"]
    role_arn = _ensure_role(iam, account_id, role, policies, managed_policies, trust_policy)
    assumer = f"mockrunner-assumer-{next(_NAMES)}"
    allow = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}
    key = create_user(iam, assumer, [allow], [])
    sts = _boto3_session(key["AccessKeyId"], key["SecretAccessKey"], None, region).client("sts")
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return _boto3_session(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"],
                          region)


def _ensure_role(iam: Any, account_id: str, name: str, policies: list[Any], managed_policies: list[str],
                 trust_policy: Any) -> str:
    """The role ``name``: made with the trust policy and permissions given, or, if it exists already, as it is
    (asked for permissions or a trust policy then, a ``ValueError``: changing them would change what every session of
    it made before may do, and a user named twice is IAM's ``EntityAlreadyExists``)."""
    try:
        existing = iam.get_role(RoleName=name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        pass
    else:
        if policies or managed_policies or trust_policy is not None:
            raise ValueError(f"role {name} exists: session(role={name!r}) assumes it as it is; give policies, "
                             "managed_policies or trust_policy only for a role it creates")
        return existing["Arn"]
    trust = trust_policy or {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"}]}
    existing = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_document(trust))["Role"]
    for index, policy in enumerate(policies):
        iam.put_role_policy(RoleName=name, PolicyName=f"policy-{index}", PolicyDocument=_document(policy))
    for arn in managed_policies:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return existing["Arn"]

