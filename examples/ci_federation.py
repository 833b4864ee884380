"""A CI deploy pipeline federated like GitHub Actions, end to end, with nothing but boto3 and mockrunner.

What a workflow using aws-actions/configure-aws-credentials does, step by step:

1. (once, by an admin) an IAM OIDC provider for ``https://token.actions.githubusercontent.com`` with audience
   ``sts.amazonaws.com``, and a deploy role whose trust policy admits only ``repo:acme/web:ref:refs/heads/main``;
   the role may push to ECR, create App Runner services and pass the image-access role to App Runner only
   (``iam:PassedToService``);
2. (each run) the job's OIDC token is exchanged with ``AssumeRoleWithWebIdentity`` — no AWS credentials in CI;
3. the session pushes the image (its blobs through the layer API, then ``PutImage``: ``ecr_push.py``; against a
   running server a job would ``docker login`` with the session's ``GetAuthorizationToken`` and push to the
   registry endpoint, which authorizes the same actions for the same session) and deploys it (``CreateService``).

A token for another branch, or for a job with ``environment: prod`` (its ``sub`` becomes
``repo:acme/web:environment:prod``), is refused with STS's "Not authorized to perform
sts:AssumeRoleWithWebIdentity" — the classic surprise, shown here before it happens in CI.

Run: ``python examples/ci_federation.py`` (in-process; no server).  Against a running mockrunner, mint the token
with ``POST /_mockrunner/oidc/token`` ``{"github": {"repository": "acme/web", "ref": "refs/heads/main"}}`` instead.
"""
from __future__ import annotations

import json
import sys

import boto3
import ecr_push
from botocore.exceptions import ClientError

from mockrunner import mock_apprunner

REPOSITORY = "acme/web"
GITHUB = "token.actions.githubusercontent.com"
REGION = "us-east-1"
CONFIG = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/web"]}}).encode()
"""The image's config blob (what ``docker build`` writes); ``LAYER`` stands for its one filesystem layer."""
LAYER = b"web build output"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def set_up_account(iam, ecr, account: str) -> str:
    """The admin's one-time setup; returns the deploy role's ARN."""
    provider = iam.create_open_id_connect_provider(  # thumbprint: optional on AWS, required by boto3 1.34
        Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])["OpenIDConnectProviderArn"]
    trust = _document({"Effect": "Allow", "Principal": {"Federated": provider},
                       "Action": "sts:AssumeRoleWithWebIdentity",
                       "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com",
                                                      f"{GITHUB}:sub": f"repo:{REPOSITORY}:ref:refs/heads/main"}}})
    role = iam.create_role(RoleName="github-deploy", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    access_role = iam.create_role(RoleName="AppRunnerECRAccessRole", AssumeRolePolicyDocument=_document(
        {"Effect": "Allow", "Principal": {"Service": "build.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="AppRunnerECRAccessRole",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
    iam.put_role_policy(RoleName="github-deploy", PolicyName="deploy", PolicyDocument=_document(
        {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                       "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                                       "ecr:DescribeImages"],
         "Resource": f"arn:aws:ecr:{REGION}:{account}:repository/web"},
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},  # docker login
        {"Effect": "Allow", "Action": ["apprunner:CreateService", "apprunner:DescribeService"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": access_role,
         "Condition": {"StringEquals": {"iam:PassedToService": "apprunner.amazonaws.com"}}},
        {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
         "Condition": {"StringEquals": {"iam:AWSServiceName": "apprunner.amazonaws.com"}}},
    ))
    ecr.create_repository(repositoryName="web")
    return role


def federate(sts, role_arn: str, token: str) -> dict:
    """What configure-aws-credentials does with the job's token (the call is unsigned)."""
    return sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="github-actions",
                                             WebIdentityToken=token)["Credentials"]


def deploy(credentials: dict, account: str) -> str:
    """The job's deploy step, as the federated session: push the image, create the service."""
    session = boto3.session.Session(aws_access_key_id=credentials["AccessKeyId"],
                                    aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"], region_name=REGION)
    ecr_push.push_image(session.client("ecr"), "web", "v1", CONFIG, LAYER)
    service = session.client("apprunner").create_service(ServiceName="web-app", SourceConfiguration={
        "ImageRepository": {"ImageIdentifier": f"{account}.dkr.ecr.{REGION}.amazonaws.com/web:v1",
                            "ImageRepositoryType": "ECR", "ImageConfiguration": {"Port": "8080"}},
        "AuthenticationConfiguration": {"AccessRoleArn": f"arn:aws:iam::{account}:role/AppRunnerECRAccessRole"},
        "AutoDeploymentsEnabled": False,
    })["Service"]
    return service["ServiceArn"]


def main() -> int:
    with mock_apprunner() as mock:
        account = boto3.client("sts").get_caller_identity()["Account"]
        role = set_up_account(boto3.client("iam"), boto3.client("ecr", region_name=REGION), account)
        sts = boto3.client("sts")
        refused = 0
        for job in ({"ref": "refs/heads/feature"}, {"ref": "refs/heads/main", "environment": "prod"}):
            token = mock.oidc_token(github={"repository": REPOSITORY, **job})
            try:
                federate(sts, role, token)
            except ClientError as error:
                refused += 1
                print(f"{job}: {error.response['Error']['Code']}: {error.response['Error']['Message']}")
                entry = mock.decisions(action="sts:AssumeRoleWithWebIdentity")[-1]
                print(f"  IAM received sub={entry['context'][f'{GITHUB}:sub']!r}")
        token = mock.oidc_token(github={"repository": REPOSITORY, "ref": "refs/heads/main"})
        service_arn = deploy(federate(sts, role, token), account)
        mock.settle()
        status = boto3.client("apprunner", region_name=REGION).describe_service(
            ServiceArn=service_arn)["Service"]["Status"]
        print(f"main: deployed {service_arn}: {status}")
        return 0 if refused == 2 and status == "RUNNING" else 1


if __name__ == "__main__":
    sys.exit(main())
