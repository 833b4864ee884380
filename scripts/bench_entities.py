"""Entities for the benchmarks that grow an account (``bench_listing.py``, ``bench_dashboard.py``): IAM users,
roles, groups and customer managed policies put in the model directly, so that 10,000 of each take seconds, and
the App Runner source their services are created with."""
from __future__ import annotations

import json
from datetime import datetime

from mockrunner.model.iam import (
    GROUP_ID_PREFIX,
    POLICY_ID_PREFIX,
    ROLE_ID_PREFIX,
    USER_ID_PREFIX,
    Group,
    IamState,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
    new_id,
)

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "tasks.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                             "Resource": "arn:aws:s3:::bucket/*"}]})
SOURCE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                              "ImageRepositoryType": "ECR_PUBLIC"}}


def add_iam_entities(iam: IamState, count: int, now: datetime) -> None:
    """``count`` each of users, roles, groups and customer managed policies named ``bench-00000``... in
    ``ACCOUNT``'s IAM state (the caller holds the store lock where others may read it)."""
    for index in range(count):
        name = f"bench-{index:05d}"
        iam.add(User(name, new_id(USER_ID_PREFIX), "/", f"arn:aws:iam::{ACCOUNT}:user/{name}", now))
        iam.add(Role(name, new_id(ROLE_ID_PREFIX), "/", f"arn:aws:iam::{ACCOUNT}:role/{name}", now, TRUST))
        iam.add(Group(name, new_id(GROUP_ID_PREFIX), "/", f"arn:aws:iam::{ACCOUNT}:group/{name}", now))
        iam.add(ManagedPolicy(name, new_id(POLICY_ID_PREFIX), "/", f"arn:aws:iam::{ACCOUNT}:policy/{name}", now, now,
                              "v1", [PolicyVersion("v1", POLICY, now)]))
