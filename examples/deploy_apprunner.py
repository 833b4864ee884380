"""A deploy script as a team would write it: an ECR repository and image, an access role, an App Runner service.

It creates what is missing and leaves what exists, so it can run again.  Nothing here knows about mockrunner:
point it at mockrunner with ``AWS_ENDPOINT_URL`` and a user's access key (the README's least-privilege walkthrough
does), or at AWS.  Exits 0 when the service is RUNNING, 1 (with AWS's message) when a call is refused.
"""
from __future__ import annotations

import json
import os
import sys
import time

import boto3
import ecr_push
from botocore.exceptions import ClientError

APP = os.environ.get("DEPLOY_APP", "shop-web")
REGION = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
TIMEOUT_SECONDS = float(os.environ.get("DEPLOY_TIMEOUT", "60"))
ACCESS_ROLE = f"{APP}-ecr-access"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "build.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
PULL_POLICY = "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"
CONFIG = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/shop-web"]}}).encode()
"""The image's config blob (what ``docker build`` writes); ``LAYER`` stands for its one filesystem layer."""
LAYER = b"shop-web build output"


def ensure_repository(ecr) -> str:
    try:
        return ecr.describe_repositories(repositoryNames=[APP])["repositories"][0]["repositoryUri"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "RepositoryNotFoundException":
            raise
    return ecr.create_repository(repositoryName=APP)["repository"]["repositoryUri"]


def push_image(ecr) -> None:
    try:
        ecr_push.push_image(ecr, APP, "latest", CONFIG, LAYER)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ImageAlreadyExistsException":
            raise


def ensure_access_role(iam) -> str:
    try:
        return iam.get_role(RoleName=ACCESS_ROLE)["Role"]["Arn"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchEntity":
            raise
    arn = iam.create_role(RoleName=ACCESS_ROLE, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=ACCESS_ROLE, PolicyArn=PULL_POLICY)
    return arn


def ensure_service(apprunner, image_uri: str, role_arn: str) -> str:
    for summary in apprunner.list_services()["ServiceSummaryList"]:
        if summary["ServiceName"] == APP:
            return summary["ServiceArn"]
    source = {"ImageRepository": {"ImageIdentifier": f"{image_uri}:latest", "ImageRepositoryType": "ECR",
                                  "ImageConfiguration": {"Port": "8080"}},
              "AuthenticationConfiguration": {"AccessRoleArn": role_arn}, "AutoDeploymentsEnabled": False}
    return apprunner.create_service(ServiceName=APP, SourceConfiguration=source)["Service"]["ServiceArn"]


def wait_running(apprunner, arn: str) -> str:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        status = apprunner.describe_service(ServiceArn=arn)["Service"]["Status"]
        if status != "OPERATION_IN_PROGRESS" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def main() -> int:
    session = boto3.session.Session(region_name=REGION)
    try:
        image_uri = ensure_repository(session.client("ecr"))
        push_image(session.client("ecr"))
        role_arn = ensure_access_role(session.client("iam"))
        apprunner = session.client("apprunner")
        arn = ensure_service(apprunner, image_uri, role_arn)
        status = wait_running(apprunner, arn)
    except ClientError as error:
        print(f"deploy failed: {error}", file=sys.stderr)
        return 1
    print(f"{arn} {status}")
    return 0 if status == "RUNNING" else 1


if __name__ == "__main__":
    sys.exit(main())
