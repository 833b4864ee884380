"""One scenario through IAM, STS, ECR and App Runner, federation, then presigned URLs, as a user's boto3 code
would run it, for tests that run it in another Python environment: ``tests/ways/test_boto3_crt.py`` (a path holding
``awscrt``, so botocore signs with the AWS Common Runtime) and ``tests/ways/test_oldest_dependencies.py`` (the
oldest versions of its dependencies ``setup.cfg`` accepts).  Prints one JSON object of what each step answered,
with the botocore version and the signer that signed.

Usage: ``python scenario_driver.py inprocess`` (under ``mock_apprunner``), ``python scenario_driver.py
http://127.0.0.1:PORT`` (against a server) or ``python scenario_driver.py served`` (against a server this process
starts, so the server too runs on this environment's packages); against a server, presigned URLs are fetched with
``requests`` as well."""
from __future__ import annotations

import json
import sys
from datetime import UTC
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
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def _error(call: Any) -> dict:
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return {"code": None}


def _fetch(url: str, **headers: str) -> dict:
    response = requests.get(url, headers=headers, timeout=10)
    return {"status": response.status_code, "body": response.text}


def scenario(endpoint: str | None, mock: Any = None) -> dict:
    """The steps, each answer recorded; ``endpoint`` None means in-process under ``mock`` (its fake root keys)."""
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

    out["federation"] = _federation(root, where, _Minter(endpoint, mock))
    if endpoint:
        out["presigned"] = _presigned(endpoint, user_session, role_session)
    return out


GITHUB = "token.actions.githubusercontent.com"
IDP = "https://idp.example.com/scenario"


class _Minter:
    """Tokens and documents of mockrunner's built-in identity providers: the mock's helpers in-process, the admin
    API against a server."""

    def __init__(self, endpoint: str | None, mock: Any = None) -> None:
        self.endpoint = endpoint
        self.mock = mock

    def _admin(self, path: str, body: dict) -> dict:
        response = requests.post(f"{self.endpoint}/_mockrunner/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def github_token(self, ref: str) -> str:
        github = {"repository": "acme/web", "ref": ref}
        if self.endpoint is None:
            return self.mock.oidc_token(github=github)
        return self._admin("oidc/token", {"github": github})["token"]

    def saml_metadata(self) -> str:
        if self.endpoint is None:
            return self.mock.saml_metadata(IDP)
        return self._admin("saml/metadata", {"issuer": IDP})["metadata"]

    def saml_assertion(self, role_arn: str, provider_arn: str) -> str:
        if self.endpoint is None:
            return self.mock.saml_assertion(IDP, roles=[(role_arn, provider_arn)], session_name="alice")
        return self._admin("saml/assertion", {"issuer": IDP, "roles": [[role_arn, provider_arn]],
                                              "sessionName": "alice", "subject": "alice"})["samlResponse"]


def _federation(root: boto3.Session, where: dict, minter: _Minter) -> dict:
    """GitHub-Actions-style OIDC and SAML federation, a virtual MFA device (its QR code) and a server certificate:
    the parts of mockrunner that run on PyJWT, signxml and lxml, segno and cryptography."""
    iam = root.client("iam", config=NO_RETRIES, **where)
    sts = root.client("sts", config=NO_RETRIES, **where)
    oidc = iam.create_open_id_connect_provider(Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"],
                                               ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": oidc["OpenIDConnectProviderArn"]},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {
            f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": "repo:acme/web:ref:refs/heads/main"}}}]}
    deploy = iam.create_role(RoleName="scenario-deploy", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    out: dict[str, Any] = {"oidc": role_arn_of(sts.assume_role_with_web_identity(
        RoleArn=deploy, RoleSessionName="ci", WebIdentityToken=minter.github_token("refs/heads/main")))}
    out["oidc_other_branch"] = _error(lambda: sts.assume_role_with_web_identity(
        RoleArn=deploy, RoleSessionName="ci", WebIdentityToken=minter.github_token("refs/heads/dev")))

    provider = iam.create_saml_provider(Name="scenario-idp", SAMLMetadataDocument=minter.saml_metadata())
    provider_arn = provider["SAMLProviderArn"]
    saml_trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
    saml_role = iam.create_role(RoleName="scenario-saml", AssumeRolePolicyDocument=json.dumps(saml_trust))["Role"]
    out["saml"] = role_arn_of(sts.assume_role_with_saml(
        RoleArn=saml_role["Arn"], PrincipalArn=provider_arn, SAMLAssertion=minter.saml_assertion(
            saml_role["Arn"], provider_arn)))

    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="scenario-mfa")["VirtualMFADevice"]
    out["mfa_qr_png"] = device["QRCodePNG"][:8] == b"\x89PNG\r\n\x1a\n"
    out["certificate"] = _error(lambda: iam.upload_server_certificate(
        ServerCertificateName="scenario-cert", CertificateBody=_certificate(), PrivateKey=_private_key()))
    out["bad_certificate"] = _error(lambda: iam.upload_server_certificate(
        ServerCertificateName="scenario-bad", CertificateBody="-----BEGIN CERTIFICATE-----\nnot base64\n"
        "-----END CERTIFICATE-----", PrivateKey=_private_key()))
    return out


def role_arn_of(answer: dict) -> str:
    return answer["AssumedRoleUser"]["Arn"]


_KEY = None


def _private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    return _key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()


def _key():
    global _KEY
    if _KEY is None:
        from cryptography.hazmat.primitives.asymmetric import rsa
        _KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEY


def _certificate() -> str:
    """A self-signed certificate of :func:`_key`, valid for a day."""
    from datetime import datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "scenario.example.com")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(_key().public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
                   .not_valid_after(now + timedelta(days=1)).sign(_key(), hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


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
    if mode == "served":  # a server of this environment's mockrunner and dependencies, on a loopback port
        from mockrunner.config import Settings
        from mockrunner.testing.server import ThreadedServer
        with ThreadedServer(Settings(log_requests=False)).start() as server:
            print(json.dumps(scenario(server.endpoint_url)))
        return
    if mode != "inprocess":
        print(json.dumps(scenario(mode)))
        return
    from mockrunner import mock_apprunner
    with mock_apprunner() as mock:
        print(json.dumps(scenario(None, mock)))


if __name__ == "__main__":
    main()
