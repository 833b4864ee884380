"""Shared request bodies and small helpers for the App Runner tests."""
from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import image_manifest, put_image

ACCOUNT = "123456789012"
PUBLIC_IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"
PUBLIC_SOURCE = {"ImageRepository": {"ImageIdentifier": PUBLIC_IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}}
SERVICE_ARN = re.compile(r"^arn:aws:apprunner:us-east-1:123456789012:service/([A-Za-z0-9_-]+)/([0-9a-f]{32})$")
OPERATION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SERVICE_URL = re.compile(r"^[a-z0-9]{10}\.us-east-1\.awsapprunner\.com$")
DEFAULT_ASC = ("arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration/1/"
               "00000000000000000000000000000001")


def create(client, name: str = "web-app", **extra) -> dict:
    params = {"ServiceName": name, "SourceConfiguration": PUBLIC_SOURCE, **extra}
    return client.create_service(**params)


def running(client, name: str = "web-app", **extra) -> str:
    """Create a service and return its ARN once RUNNING (operation_delay=0: the next read completes it)."""
    arn = create(client, name, **extra)["Service"]["ServiceArn"]
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    return arn


def service_role(aws, name: str, service: str = "build.apprunner.amazonaws.com") -> str:
    """The ARN of a new IAM role that ``service`` may assume (by default App Runner's ECR access role)."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": service}}]}
    return aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def pullable_image(aws, role_name: str = "access") -> str:
    """Repository ``app`` holding image ``v1``, and the ARN of a new access role allowed to pull it by AWS's managed
    ECR access policy."""
    role = service_role(aws, role_name)
    aws.client("iam").attach_role_policy(
        RoleName=role_name, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("a", 10), imageTag="v1")
    return role


def private_source(role: str, image: str = "missing:v1", account: str = ACCOUNT) -> dict:
    """A private ECR image pulled with the access role ``role``; by default an image that does not exist."""
    return {"ImageRepository": {"ImageIdentifier": f"{account}.dkr.ecr.us-east-1.amazonaws.com/{image}",
                                "ImageRepositoryType": "ECR"},
            "AuthenticationConfiguration": {"AccessRoleArn": role}}


def create_failed(aws, client, name: str, role_name: str) -> str:
    """A service whose private ECR image does not exist: the deployment fails, the service ends CREATE_FAILED."""
    source = private_source(service_role(aws, role_name))
    arn = client.create_service(ServiceName=name, SourceConfiguration=source)["Service"]["ServiceArn"]
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "CREATE_FAILED"
    return arn


def error_of(call, *args, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value


def code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def message(error: ClientError) -> str:
    return error.response["Error"]["Message"]


def user_client(aws, name: str, policy: dict, tags: dict[str, str] | None = None, service: str = "apprunner"):
    """An IAM user with one inline policy, and a client signed with its new access key."""
    iam = aws.client("iam")
    iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return aws.client(service, access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def allow(actions, resource="*", condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}
