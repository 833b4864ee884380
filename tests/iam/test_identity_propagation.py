"""Trusted identity propagation on OIDC and SAML providers through boto3, in both modes: ContextProvider and
Identity Center association on create/update, their rules, list flags, condition keys, export/import."""
from __future__ import annotations

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key
from tests.iam.saml_federation import PROVIDER, metadata

URL = "https://issuer.example.com"
ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/issuer.example.com"
INSTANCE = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
CONTEXT = {"SubjectSourceKey": "sub", "SubjectTypeValue": "user",
           "KeyDefinitionList": [{"SourceKey": "email", "TargetKey": "user email"}]}


def test_an_oidc_provider_with_a_context_provider_and_an_instance(aws):
    iam = aws.client("iam")
    iam.create_open_id_connect_provider(Url=URL, ContextProvider=CONTEXT, IdentityCenterInstanceArn=INSTANCE)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert got["ContextProvider"] == CONTEXT and got["IdentityCenterInstanceArn"] == INSTANCE
    assert got["IdentityStoreArn"].startswith(f"arn:aws:identitystore::{ACCOUNT}:identitystore/d-")
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert listed == [{"Arn": ARN, "IsTrustedIdentityPropagationEnabled": True}]
    exported = snapshot.export_state(aws.store)
    code, message, _ = error_of(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=ARN,
                                RemoveContextProvider=True)
    assert code == "InvalidInput" and "association" in message
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=ARN, RemoveIdentityCenterInstance=True)
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=ARN, RemoveContextProvider=True)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert not {"ContextProvider", "IdentityCenterInstanceArn", "IdentityStoreArn"} & set(got)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"][0][
        "IsTrustedIdentityPropagationEnabled"] is False
    snapshot.import_state(aws.store, exported)
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)["IdentityCenterInstanceArn"] == INSTANCE


def test_update_rules_for_oidc_providers(aws):
    iam = aws.client("iam")
    iam.create_open_id_connect_provider(Url=URL)
    update = iam.update_open_id_connect_provider
    refused = [
        {"IdentityCenterInstanceArn": INSTANCE},  # needs a context provider first
        {"ContextProvider": CONTEXT, "RemoveContextProvider": True},
        {"IdentityCenterInstanceArn": INSTANCE, "RemoveIdentityCenterInstance": True},
        {"ContextProvider": CONTEXT, "IdentityCenterInstanceArn": INSTANCE},
        {},
        {"ContextProvider": {"SubjectSourceKey": " sub"}},
        {"ContextProvider": {"SubjectSourceKey": "a  b"}},
        {"ContextProvider": {"SubjectSourceKey": "sub", "SubjectTypeValue": "u", "SubjectTypeSourceKey": "t"}},
        {"ContextProvider": {"SubjectSourceKey": "sub"}, "IdentityCenterInstanceArn": "arn:aws:sso:::nope"},
    ]
    for params in refused:
        assert error_of(update, OpenIDConnectProviderArn=ARN, **params)[0] == "InvalidInput", params
    assert "ContextProvider" not in iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    update(OpenIDConnectProviderArn=ARN, ContextProvider={"SubjectSourceKey": "sub"})
    update(OpenIDConnectProviderArn=ARN, IdentityCenterInstanceArn=INSTANCE)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert got["ContextProvider"] == {"SubjectSourceKey": "sub", "KeyDefinitionList": []}
    assert got["IdentityCenterInstanceArn"] == INSTANCE
    missing = f"arn:aws:iam::{ACCOUNT}:oidc-provider/missing.example.com"
    assert error_of(update, OpenIDConnectProviderArn=missing, RemoveContextProvider=True)[0] == "NoSuchEntity"
    assert error_of(iam.create_open_id_connect_provider, Url="https://x.example.com",
                    IdentityCenterInstanceArn=INSTANCE)[0] == "InvalidInput"


def test_identity_center_association_is_governed_by_its_condition_keys(aws):
    iam = aws.client("iam")
    iam.create_open_id_connect_provider(Url=URL, ContextProvider=CONTEXT)
    key = user_with_key(aws, "admin", inline={"p": doc(
        allow("iam:UpdateOpenIDConnectProvider",
              Condition={"StringEquals": {"iam:RequestIdentityCenterInstanceArn": INSTANCE}}))})
    admin = aws.client_for(key, "iam")
    other = "arn:aws:sso:::instance/ssoins-fedcba9876543210"
    assert error_of(admin.update_open_id_connect_provider, OpenIDConnectProviderArn=ARN,
                    IdentityCenterInstanceArn=other)[0] == "AccessDenied"
    admin.update_open_id_connect_provider(OpenIDConnectProviderArn=ARN, IdentityCenterInstanceArn=INSTANCE)
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)["IdentityCenterInstanceArn"] == INSTANCE


def test_a_saml_provider_with_a_context_provider_and_an_instance(aws):
    iam = aws.client("iam")
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata(aws), ContextProvider=CONTEXT)
    got = iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    assert got["ContextProvider"] == CONTEXT and "IdentityCenterInstanceArn" not in got
    assert iam.list_saml_providers()["SAMLProviderList"][0]["IsTrustedIdentityPropagationEnabled"] is False
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, IdentityCenterInstanceArn=INSTANCE)
    got = iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    assert got["IdentityCenterInstanceArn"] == INSTANCE and got["IdentityStoreArn"]
    assert iam.list_saml_providers()["SAMLProviderList"][0]["IsTrustedIdentityPropagationEnabled"] is True
    assert error_of(iam.update_saml_provider, SAMLProviderArn=PROVIDER, RemoveContextProvider=True)[0] == \
        "InvalidInput"
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, RemoveIdentityCenterInstance=True)
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, RemoveContextProvider=True)
    assert "ContextProvider" not in iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    assert error_of(iam.create_saml_provider, Name="Other", SAMLMetadataDocument=metadata(aws),
                    IdentityCenterInstanceArn=INSTANCE)[0] == "InvalidInput"
