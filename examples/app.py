"""An ordinary boto3 program: list the App Runner services, deploy ``hello-web`` if it is missing, wait for it.

Nothing here knows about mockrunner: point it at mockrunner with ``AWS_ENDPOINT_URL`` and the developer's
credentials from ``examples/seed.json`` (docker-compose.yml does exactly that), or at AWS with real ones.
"""
from __future__ import annotations

import os
import sys
import time

import boto3

SERVICE_NAME = os.environ.get("EXAMPLE_SERVICE_NAME", "hello-web")
REGION = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
TIMEOUT_SECONDS = float(os.environ.get("EXAMPLE_TIMEOUT", "120"))


def main() -> int:
    session = boto3.session.Session(region_name=REGION)
    identity = session.client("sts").get_caller_identity()
    account = identity["Account"]
    print(f"caller: {identity['Arn']}")
    apprunner = session.client("apprunner")
    services = apprunner.list_services()["ServiceSummaryList"]
    print(f"services: {[s['ServiceName'] for s in services] or 'none'}")
    existing = next((s for s in services if s["ServiceName"] == SERVICE_NAME), None)
    if existing is None:
        image = f"{account}.dkr.ecr.{REGION}.amazonaws.com/hello-web:latest"
        created = apprunner.create_service(
            ServiceName=SERVICE_NAME,
            SourceConfiguration={
                "ImageRepository": {"ImageIdentifier": image, "ImageRepositoryType": "ECR",
                                    "ImageConfiguration": {"Port": "8080"}},
                "AuthenticationConfiguration": {
                    "AccessRoleArn": f"arn:aws:iam::{account}:role/AppRunnerECRAccessRole"},
                "AutoDeploymentsEnabled": False,
            },
        )
        arn = created["Service"]["ServiceArn"]
        print(f"created: {arn}")
    else:
        arn = existing["ServiceArn"]
        print(f"exists: {arn}")
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        service = apprunner.describe_service(ServiceArn=arn)["Service"]
        if not service["Status"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(f"status: {service['Status']} url: https://{service.get('ServiceUrl', '-')}")
    return 0 if service["Status"] == "RUNNING" else 1


if __name__ == "__main__":
    sys.exit(main())
