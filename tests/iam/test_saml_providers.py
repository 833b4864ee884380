"""IAM SAML providers through boto3, in both modes: metadata, names, private keys, tags, errors, state."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key
from tests.iam.saml_federation import PROVIDER, metadata


def _pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _rsa_pem() -> str:
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _refused(call) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return aws_error(excinfo)


def test_create_get_list_update_delete(aws):
    iam = aws.client("iam")
    document = metadata(aws)
    created = iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=document,
                                       Tags=[{"Key": "team", "Value": "sso"}])
    assert created["SAMLProviderArn"] == PROVIDER and created["Tags"] == [{"Key": "team", "Value": "sso"}]
    got = iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    assert got["SAMLMetadataDocument"] == document and got["Tags"] == [{"Key": "team", "Value": "sso"}]
    assert got["SAMLProviderUUID"].isalnum() and got["SAMLProviderUUID"].isupper()
    # No validUntil in the metadata: valid for a hundred years.
    assert got["ValidUntil"].year == got["CreateDate"].year + 100
    assert got["AssertionEncryptionMode"] == "Allowed" and got["PrivateKeyList"] == []
    # Names compare without case, as IAM's do.
    assert iam.get_saml_provider(SAMLProviderArn=PROVIDER.replace("Okta", "OKTA"))["SAMLProviderUUID"] == \
        got["SAMLProviderUUID"]
    # ... but the rest of the ARN is its own: a shortened or altered prefix names nothing.
    for arn in ("arn:aws:iam::saml-provider/Okta", "arn:awssaml-provider/Okta",
                PROVIDER.replace("iam::", "iam:us-east-1:"), PROVIDER.replace(":saml-provider/", ":saml-provider/x/")):
        assert _refused(lambda arn=arn: iam.get_saml_provider(SAMLProviderArn=arn)) == (
            "NoSuchEntity", f"Manifest not found for arn {arn}", 404)
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert [(item["Arn"], item["ValidUntil"]) for item in listed] == [(PROVIDER, got["ValidUntil"])]
    other = metadata(aws, "https://other.example.com/saml")
    assert iam.update_saml_provider(SAMLProviderArn=PROVIDER, SAMLMetadataDocument=other)["SAMLProviderArn"] == \
        PROVIDER
    assert iam.get_saml_provider(SAMLProviderArn=PROVIDER)["SAMLMetadataDocument"] == other
    iam.tag_saml_provider(SAMLProviderArn=PROVIDER, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_saml_provider(SAMLProviderArn=PROVIDER, TagKeys=["team"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=PROVIDER)["Tags"] == [{"Key": "env", "Value": "prod"}]
    iam.delete_saml_provider(SAMLProviderArn=PROVIDER)
    for call in (iam.get_saml_provider, iam.delete_saml_provider, iam.list_saml_provider_tags):
        assert _refused(lambda call=call: call(SAMLProviderArn=PROVIDER)) == (
            "NoSuchEntity", f"Manifest not found for arn {PROVIDER}", 404)


def test_metadata_is_validated_and_names_are_unique(aws):
    iam = aws.client("iam")
    # metadata without a certificate is taken, as recorded from AWS since; tests/iam/test_recorded_parity_17.py
    # (docs/behaviour.md, "Federation against recordings (second pass)")
    entity = '<!DOCTYPE x [<!ENTITY e "boom">]>' + metadata(aws).split("?>", 1)[1]
    for document in (f"<a>{'x' * 1000}</a>", "<not xml" + "x" * 1000, entity,
                     metadata(aws).replace("<ds:X509Certificate>", "<ds:X509Certificate>!!")):
        assert _refused(lambda document=document: iam.create_saml_provider(Name="p", SAMLMetadataDocument=document)) \
            == ("InvalidInput", "Could not parse metadata", 400)
    assert iam.list_saml_providers()["SAMLProviderList"] == []
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata(aws))
    code, _, status = _refused(lambda: iam.create_saml_provider(Name="okta", SAMLMetadataDocument=metadata(aws)))
    assert (code, status) == ("EntityAlreadyExists", 409)
    code, _, status = _refused(lambda: iam.create_saml_provider(Name="has space", SAMLMetadataDocument=metadata(aws)))
    assert (code, status) == ("ValidationError", 400)


def test_private_keys_and_assertion_encryption_mode(aws):
    iam = aws.client("iam")
    document = metadata(aws)
    assert _refused(lambda: iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=document,
                                                     AssertionEncryptionMode="Required"))[:2] == (
        "ValidationError", "Unable to set assertion encryption mode to Required because no private key is provided.")
    # words recorded from AWS since:
    # (docs/behaviour.md, "Parity sweep against stackd's recordings of last access, outbound identity and federation")
    assert _refused(lambda: iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=document,
                                                     AddPrivateKey="not a key"))[:2] == (
        "InvalidInput", "Invalid private key: Key format is not recognized.")
    # IAM takes an EC key too (it decrypts nothing), recorded from AWS since (same section)
    ec_key = _pem(ec.generate_private_key(ec.SECP256R1()))
    ec_arn = iam.create_saml_provider(Name="Ec", SAMLMetadataDocument=document, AddPrivateKey=ec_key)["SAMLProviderArn"]
    assert len(iam.get_saml_provider(SAMLProviderArn=ec_arn)["PrivateKeyList"]) == 1
    iam.delete_saml_provider(SAMLProviderArn=ec_arn)
    first = _rsa_pem()
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=document, AddPrivateKey=first,
                             AssertionEncryptionMode="Required")
    got = iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    assert got["AssertionEncryptionMode"] == "Required" and len(got["PrivateKeyList"]) == 1
    assert "PRIVATE KEY" not in str(got)
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, AddPrivateKey=_rsa_pem())
    assert _refused(lambda: iam.update_saml_provider(SAMLProviderArn=PROVIDER, AddPrivateKey=_rsa_pem())) == (
        "LimitExceeded", "Private key limit of 2 is reached.", 409)
    ids = [key["KeyId"] for key in iam.get_saml_provider(SAMLProviderArn=PROVIDER)["PrivateKeyList"]]
    assert _refused(lambda: iam.update_saml_provider(SAMLProviderArn=PROVIDER))[:2] == (
        "ValidationError", "Unable to update identity provider. No updates are defined for metadata or encryption "
                           "assertion.")
    assert _refused(lambda: iam.update_saml_provider(SAMLProviderArn=PROVIDER, AddPrivateKey=first,
                                                     RemovePrivateKey=ids[0]))[:2] == (
        "ValidationError", "Unable to add and remove private keys in the same request. Set a value for only one of "
                           "the two parameters.")
    assert _refused(lambda: iam.update_saml_provider(SAMLProviderArn=PROVIDER,
                                                     RemovePrivateKey="SAML" + "A" * 22))[0] == "InvalidInput"
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, RemovePrivateKey=ids[0])
    # The last key of a provider that requires encryption stays; the request changes nothing.
    assert _refused(lambda: iam.update_saml_provider(SAMLProviderArn=PROVIDER, RemovePrivateKey=ids[1],
                                                     SAMLMetadataDocument=metadata(aws, "https://x.example")))[0] \
        == "InvalidInput"
    assert iam.get_saml_provider(SAMLProviderArn=PROVIDER)["SAMLMetadataDocument"] == document
    iam.update_saml_provider(SAMLProviderArn=PROVIDER, AssertionEncryptionMode="Allowed", RemovePrivateKey=ids[1])
    got = iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    assert got["AssertionEncryptionMode"] == "Allowed" and got["PrivateKeyList"] == []


def test_authorized_on_the_provider_arn_with_its_tags(aws):
    iam = aws.client("iam")
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata(aws), Tags=[{"Key": "owner", "Value": "me"}])
    iam.create_saml_provider(Name="Other", SAMLMetadataDocument=metadata(aws))
    key = user_with_key(aws, "alice", inline={"p": doc(
        allow("iam:GetSAMLProvider", "*", Condition={"StringEquals": {"aws:ResourceTag/owner": "me"}}),
        allow("iam:ListSAMLProviders"))})
    alice = aws.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert len(alice.list_saml_providers()["SAMLProviderList"]) == 2
    alice.get_saml_provider(SAMLProviderArn=PROVIDER)
    other = f"arn:aws:iam::{ACCOUNT}:saml-provider/Other"
    code, message, _ = _refused(lambda: alice.get_saml_provider(SAMLProviderArn=other))
    assert code == "AccessDenied" and "iam:GetSAMLProvider" in message
    assert _refused(lambda: alice.delete_saml_provider(SAMLProviderArn=PROVIDER))[0] == "AccessDenied"


def test_providers_and_idp_keys_survive_export_and_import(aws):
    iam = aws.client("iam")
    iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata(aws), AddPrivateKey=_rsa_pem())
    exported = snapshot.export_state(aws.store)
    before = iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    iam.delete_saml_provider(SAMLProviderArn=PROVIDER)
    aws.store.identity_providers.saml_keys.clear()
    snapshot.import_state(aws.store, exported)
    after = iam.get_saml_provider(SAMLProviderArn=PROVIDER)
    assert after["SAMLProviderUUID"] == before["SAMLProviderUUID"] and after["PrivateKeyList"] == before[
        "PrivateKeyList"]
    # The IdP kept its key: the metadata it serves is the one the provider holds.
    assert metadata(aws) == after["SAMLMetadataDocument"]
