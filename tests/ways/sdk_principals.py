"""Principals the SDK tests call as: a user with an access key in a driver's caller form, and a deployer role."""
from __future__ import annotations

from tests.harness import Harness
from tests.iam.helpers import allow as allow_statement
from tests.iam.helpers import doc


def trust(*statements: dict) -> str:
    return doc(*statements)


def allow(*actions: str) -> str:
    """An identity policy allowing ``actions`` on every resource."""
    return doc(allow_statement(list(actions)))


def user(harness: Harness, name: str, policy: str | None) -> dict:
    """An IAM user (with ``policy`` inline) and its access key as a driver's caller."""
    iam = harness.client("iam")
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def deployer(harness: Harness, trusted: str) -> str:
    """A role ``trusted`` may assume (and tag its sessions), reading ECR."""
    iam = harness.client("iam")
    document = trust({"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": ["sts:AssumeRole", "sts:TagSession"]})
    arn = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=document)["Role"]["Arn"]
    iam.attach_role_policy(RoleName="deployer",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
    return arn


