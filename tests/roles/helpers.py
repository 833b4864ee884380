"""Helpers for App Runner's role checks: images in ECR, roles with trust policies, IAM users' clients."""
from __future__ import annotations

import json
from typing import Any

from tests.ecr.pushing import image_manifest, put_image

ACCOUNT = "123456789012"
REGION = "us-east-1"
ECR_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"
FULL_ACCESS = "arn:aws:iam::aws:policy/AWSAppRunnerFullAccess"
READ_ONLY = "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess"
MANIFEST = image_manifest("a", 10)


def trust(principal: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]})


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


class World:
    """Root clients of one account plus builders for the pieces each scenario needs."""

    def __init__(self, harness, account: str = ACCOUNT, access_key: str = "test", secret: str = "test") -> None:
        self.harness = harness
        self.account = account
        self.iam = harness.client("iam", access_key=access_key, secret=secret)
        self.ecr = harness.client("ecr", access_key=access_key, secret=secret)
        self.apprunner = harness.client("apprunner", access_key=access_key, secret=secret)

    def image(self, repository: str = "app", tag: str = "v1") -> str:
        self.ecr.create_repository(repositoryName=repository)
        put_image(self.ecr, repositoryName=repository, imageManifest=MANIFEST, imageTag=tag)
        return f"{self.account}.dkr.ecr.{REGION}.amazonaws.com/{repository}:{tag}"

    def role(self, name: str, principal: str, managed: tuple[str, ...] = (), inline: str | None = None) -> str:
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal))["Role"]["Arn"]
        for policy_arn in managed:
            self.iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        if inline is not None:
            self.iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=inline)
        return arn

    def access_role(self, name: str = "AppRunnerECRAccessRole", **kwargs: Any) -> str:
        kwargs.setdefault("managed", (ECR_ACCESS,))
        return self.role(name, "build.apprunner.amazonaws.com", **kwargs)

    def user(self, name: str, managed: tuple[str, ...] = (), inline: str | None = None,
             service: str = "apprunner") -> Any:
        self.iam.create_user(UserName=name)
        for policy_arn in managed:
            self.iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
        if inline is not None:
            self.iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=inline)
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        return self.harness.client_for(key, service)

    def slr_exists(self) -> bool:
        try:
            self.iam.get_role(RoleName="AWSServiceRoleForAppRunner")
        except self.iam.exceptions.NoSuchEntityException:
            return False
        return True

    def failures(self, service_arn: str) -> list:
        response = self.harness.app.test_client().get(
            "/_mockrunner/apprunner/failures", query_string={"service_arn": service_arn})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["failures"]


    def deployed_image(self, service_arn: str) -> dict:
        response = self.harness.app.test_client().get(
            "/_mockrunner/apprunner/deployed-image", query_string={"service_arn": service_arn})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()


def create_request(name: str, identifier: str, access_role: str | None = None, instance_role: str | None = None,
                   image_type: str = "ECR", auto_deploy: bool = False) -> dict:
    source: dict[str, Any] = {
        "ImageRepository": {"ImageIdentifier": identifier, "ImageRepositoryType": image_type,
                            "ImageConfiguration": {"Port": "8080"}},
        "AutoDeploymentsEnabled": auto_deploy,
    }
    if access_role:
        source["AuthenticationConfiguration"] = {"AccessRoleArn": access_role}
    request: dict[str, Any] = {"ServiceName": name, "SourceConfiguration": source}
    if instance_role:
        request["InstanceConfiguration"] = {"InstanceRoleArn": instance_role}
    return request

