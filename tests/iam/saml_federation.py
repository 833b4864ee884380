"""Builders for SAML federation tests: the built-in IdP over the admin API, SAML providers and roles."""
from __future__ import annotations

import json
from typing import Any

from tests.iam.federation import admin
from tests.iam.helpers import ACCOUNT

IDP = "https://idp.example.com/saml"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
SAML_DENIED = ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)


def metadata(aws: Any, issuer: str = IDP) -> str:
    status, answer = admin(aws, "POST", "/saml/metadata", {"issuer": issuer})
    assert status == 200, answer
    return answer["metadata"]


def saml_response(aws: Any, role_arn: str | None = None, provider_arn: str = PROVIDER, **body: Any) -> str:
    """A response from the built-in IdP (a field given as ``None`` is left out)."""
    request = {"issuer": IDP, "sessionName": "alice", "subject": "alice@example.com", **body}
    request = {name: value for name, value in request.items() if value is not None}
    if role_arn is not None:
        request.setdefault("roles", [[role_arn, provider_arn]])
    status, answer = admin(aws, "POST", "/saml/assertion", request)
    assert status == 200, answer
    return answer["samlResponse"]


def saml_provider(aws: Any, name: str = "Okta", issuer: str = IDP, **extra: Any) -> str:
    return aws.client("iam").create_saml_provider(Name=name, SAMLMetadataDocument=metadata(aws, issuer),
                                                  **extra)["SAMLProviderArn"]


def saml_role(aws: Any, name: str = "federated", conditions: dict | None = None, provider_arn: str = PROVIDER,
              actions: Any = "sts:AssumeRoleWithSAML") -> str:
    statement = {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": actions,
                 "Condition": conditions or {"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}}}
    return aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [statement]}))["Role"]["Arn"]


def assume(aws: Any, role_arn: str, assertion: str, provider_arn: str = PROVIDER, **extra: Any) -> dict:
    """AssumeRoleWithSAML from a client without credentials, as a sign-in tool calls it."""
    from botocore import UNSIGNED
    from botocore.config import Config

    sts = aws.client("sts", config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    return sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion, **extra)


def rsa_key_pems() -> tuple[str, str]:
    """A new 2048-bit RSA key: its private key (PKCS#8 PEM, what IAM's AddPrivateKey takes) and its public key (the
    PEM an IdP encrypts assertions for)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public
