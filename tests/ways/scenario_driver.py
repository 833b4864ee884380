"""One scenario through IAM, STS, ECR and App Runner, then presigned URLs, as a user's boto3 code would run it, for
tests that run it in another Python environment: ``tests/ways/test_boto3_crt.py`` (a path holding ``awscrt``, so
botocore signs with the AWS Common Runtime) and ``tests/ways/test_oldest_botocore.py`` (the oldest boto3 and botocore
``setup.cfg`` accepts).  Prints one JSON object of what each step answered, with the botocore version and the
signer that signed.

Usage: ``python scenario_driver.py inprocess`` (under ``mock_apprunner``) or ``python scenario_driver.py
http://127.0.0.1:PORT`` (against a server; that mode also fetches presigned URLs with ``requests``)."""
from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from typing import Any

import boto3
import botocore
import botocore.auth
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.ecr.pushing import image_manifest, put_image

ALLOW_ALL_BUT_DELETE_USER = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}]})
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


def _error(call: Any) -> dict:
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return {"code": None}


def _fetch(url: str, **headers: str) -> dict:
    response = requests.get(url, headers=headers, timeout=10)
    return {"status": response.status_code, "body": response.text}


def scenario(endpoint: str | None) -> dict:
    """The steps, each answer recorded; ``endpoint`` None means in-process (the mock's fake root keys)."""
    where = {"endpoint_url": endpoint} if endpoint else {}
    root_keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"} if endpoint else {}
    root = boto3.Session(region_name="us-east-1", **root_keys)
    out: dict[str, Any] = {"botocore": botocore.__version__, "signer": botocore.auth.AUTH_TYPE_MAPS["v4"].__module__
                           + "." + botocore.auth.AUTH_TYPE_MAPS["v4"].__name__}
    iam = root.client("iam", config=NO_RETRIES, **where)
    account = root.client("sts", **where).get_caller_identity()["Account"]
    user = iam.create_user(UserName="scenario-user", Path="/team+ops/", Tags=[
        {"Key": "team name", "Value": "ops dev / é ü = + @ :"}])["User"]
    out["user_path"] = user["Path"]
    out["user_tags"] = iam.list_user_tags(UserName="scenario-user")["Tags"]
    iam.put_user_policy(UserName="scenario-user", PolicyName="most", PolicyDocument=ALLOW_ALL_BUT_DELETE_USER)
    key = iam.create_access_key(UserName="scenario-user")["AccessKey"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": f"arn:aws:iam::{account}:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
    iam.create_role(RoleName="scenario-role", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="scenario-role", PolicyName="all", PolicyDocument=ALLOW_ALL_BUT_DELETE_USER)

    user_session = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                                 region_name="us-east-1")
    user_sts = user_session.client("sts", config=NO_RETRIES, **where)
    out["user_arn"] = user_sts.get_caller_identity()["Arn"]
    out["user_denied"] = _error(lambda: user_session.client("iam", config=NO_RETRIES, **where).delete_user(
        UserName="scenario-user"))
    forged = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="0" * 40,
                           region_name="us-east-1")
    out["wrong_secret"] = _error(lambda: forged.client("sts", config=NO_RETRIES, **where).get_caller_identity())

    credentials = user_sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/scenario-role",
                                       RoleSessionName="scenario-session",
                                       Tags=[{"Key": "project", "Value": "a b+c"}])["Credentials"]
    role_session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                                 aws_secret_access_key=credentials["SecretAccessKey"],
                                 aws_session_token=credentials["SessionToken"], region_name="us-east-1")
    role_sts = role_session.client("sts", config=NO_RETRIES, **where)
    out["role_arn"] = role_sts.get_caller_identity()["Arn"]

    ecr = role_session.client("ecr", config=NO_RETRIES, **where)
    ecr.create_repository(repositoryName="scenario/repo", tags=[{"Key": "k", "Value": "v w"}])
    pushed = put_image(ecr, repositoryName="scenario/repo", imageManifest=image_manifest("scenario"), imageTag="v1")
    out["image_digest_matches"] = pushed["image"]["imageId"]["imageDigest"] == ecr.batch_get_image(
        repositoryName="scenario/repo", imageIds=[{"imageTag": "v1"}])["images"][0]["imageId"]["imageDigest"]

    apprunner = role_session.client("apprunner", config=NO_RETRIES, **where)
    configuration = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="scenario-asc", MaxConcurrency=50,
        Tags=[{"Key": "owner", "Value": "é/ü"}])["AutoScalingConfiguration"]
    out["asc_tags"] = apprunner.list_tags_for_resource(ResourceArn=configuration["AutoScalingConfigurationArn"])["Tags"]

    if endpoint:
        out["presigned"] = _presigned(endpoint, user_session, role_session)
    return out


def _presigned(endpoint: str, user_session: boto3.Session, role_session: boto3.Session) -> dict:
    """URLs presigned by the runtime's query signer, fetched with ``requests`` as a browser or a cluster would."""
    user_sts = user_session.client("sts", endpoint_url=endpoint)
    plain = user_sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")

    cluster_sts = user_session.client("sts", endpoint_url=endpoint)  # an EKS token: one more signed header

    def add_cluster_id(request: Any, **_: Any) -> None:
        request.headers["x-k8s-aws-id"] = "scenario-cluster"

    cluster_sts.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster_id)
    token = cluster_sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    listing = user_session.client("iam", endpoint_url=endpoint).generate_presigned_url(
        "list_users", Params={"PathPrefix": "/team+ops/"}, ExpiresIn=60, HttpMethod="GET")
    session = role_session.client("sts", endpoint_url=endpoint).generate_presigned_url(
        "get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    return {"plain": _fetch(plain), "token": _fetch(token, **{"x-k8s-aws-id": "scenario-cluster"}),
            "token_without_header": _fetch(token), "token_other_cluster": _fetch(token, **{"x-k8s-aws-id": "other"}),
            "listing": _fetch(listing), "session": _fetch(session), "tampered": _fetch(plain + "&Extra=1")}


def main() -> None:
    mode = sys.argv[1]
    if mode == "inprocess":
        from mockrunner import mock_apprunner
        block = mock_apprunner()
    else:
        block = nullcontext()
    with block:
        print(json.dumps(scenario(None if mode == "inprocess" else mode)))


if __name__ == "__main__":
    main()
