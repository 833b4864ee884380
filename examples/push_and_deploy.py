"""The dev stack's push-to-deploy loop: push an image with a registry client, App Runner deploys it; push again,
it redeploys.

1. ``GetAuthorizationToken`` gives the registry password (what ``aws ecr get-login-password`` prints).
2. ``skopeo copy`` pushes a one-layer OCI image (built here) to ``REGISTRY/shop-web:latest``.
3. An App Runner service with ``AutoDeploymentsEnabled`` runs it (created on the first run).
4. A second image pushed to the same tag starts a deployment, and the service runs the new digest.

Configured like any AWS program (``AWS_ENDPOINT_URL``, credentials); the registry is the same host and port.
Needs ``skopeo`` on the PATH (the dev stack's image has it).
"""
from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

import boto3

from mockrunner.testing.oci import build_image, oci_layout

REPOSITORY = os.environ.get("EXAMPLE_REPOSITORY", "shop-web")
SERVICE_NAME = os.environ.get("EXAMPLE_SERVICE_NAME", "shop-web")
REGION = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
TIMEOUT_SECONDS = float(os.environ.get("EXAMPLE_TIMEOUT", "120"))


def push(registry: str, password: str, text: str) -> str:
    """Push a one-layer image whose file holds ``text`` to ``REPOSITORY:latest``; returns the digest the registry
    stored (skopeo compresses the layer on the way, so it is not the local image's)."""
    image = build_image(text)
    with tempfile.TemporaryDirectory() as directory:
        digest_file = os.path.join(directory, "pushed.digest")
        subprocess.run(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--dest-creds", f"AWS:{password}",
                        "--digestfile", digest_file, oci_layout(os.path.join(directory, "layout"), image, "latest"),
                        f"docker://{registry}/{REPOSITORY}:latest"], check=True, timeout=120)
        with open(digest_file, encoding="utf-8") as handle:
            return handle.read().strip()


def wait_until_settled(apprunner, arn: str) -> dict:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        service = apprunner.describe_service(ServiceArn=arn)["Service"]
        if not service["Status"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return service
        time.sleep(0.5)


def main() -> int:
    session = boto3.session.Session(region_name=REGION)
    account = session.client("sts").get_caller_identity()["Account"]
    ecr, apprunner = session.client("ecr"), session.client("apprunner")
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().partition(":")[2]
    registry = urlsplit(os.environ["AWS_ENDPOINT_URL"]).netloc
    first = push(registry, password, "hello from the first push")
    print(f"pushed: {REPOSITORY}:latest {first}")
    services = apprunner.list_services()["ServiceSummaryList"]
    existing = next((s for s in services if s["ServiceName"] == SERVICE_NAME), None)
    if existing is None:
        arn = apprunner.create_service(ServiceName=SERVICE_NAME, SourceConfiguration={
            "ImageRepository": {"ImageIdentifier": f"{account}.dkr.ecr.{REGION}.amazonaws.com/{REPOSITORY}:latest",
                                "ImageRepositoryType": "ECR", "ImageConfiguration": {"Port": "8080"}},
            "AuthenticationConfiguration": {"AccessRoleArn": f"arn:aws:iam::{account}:role/AppRunnerECRAccessRole"},
            "AutoDeploymentsEnabled": True,
        })["Service"]["ServiceArn"]
        print(f"created: {arn}")
    else:
        arn = existing["ServiceArn"]
    print(f"status: {wait_until_settled(apprunner, arn)['Status']}")
    before = len(deployments(apprunner, arn))
    second = push(registry, password, f"hello from the push at {time.time()}")
    print(f"pushed: {REPOSITORY}:latest {second}")
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while len(deployments(apprunner, arn)) == before:
        if time.monotonic() > deadline:
            print("no deployment followed the push")
            return 1
        time.sleep(0.5)
    service = wait_until_settled(apprunner, arn)
    latest = deployments(apprunner, arn)[0]
    print(f"redeployed: {latest['Status']}, status: {service['Status']}")
    return 0 if service["Status"] == "RUNNING" and latest["Status"] == "SUCCEEDED" else 1


def deployments(apprunner, arn: str) -> list[dict]:
    """The service's START_DEPLOYMENT operations, newest first."""
    return [operation for operation in apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
            if operation["Type"] == "START_DEPLOYMENT"]


if __name__ == "__main__":
    sys.exit(main())
