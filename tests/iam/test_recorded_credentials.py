"""MFA devices, OIDC and SAML providers, server and signing certificates: what real AWS answered where mockrunner
answered otherwise.

Each test replays calls of a LocalStack snapshot test recorded against AWS (repository localstack/localstack,
tests/aws/services/iam/<file>.snapshot.json; the test named in each docstring) and asserts AWS's answer: members
present, error codes, HTTP statuses and messages word for word.  Ids, names and dates the snapshots replace with
placeholders are checked for shape only.  (test_iam_ssh_public_keys' recordings are answered as recorded already.)
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.iam.helpers import ACCOUNT, aws_error
from tests.iam.saml_federation import metadata

PATH_INVALID = ("ValidationError", "The specified value for path is invalid. It must begin and end with / and "
                                   "contain only alphanumeric characters and/or / characters.", 400)
METADATA = {"ResponseMetadata"}


def _refused(call, **params) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return aws_error(excinfo)


def _answer(response: dict) -> dict:
    return {key: value for key, value in response.items() if key not in METADATA}


# ------------------------------------------------------------------------------------------------ MFA devices
def test_virtual_mfa_device_errors(aws):
    """test_iam_mfa: test_virtual_mfa_device_errors — the duplicate, the two invalid paths and the unknown serial
    in AWS's words; a too long path is Coral's length error, without the path."""
    iam = aws.client("iam")
    iam.create_virtual_mfa_device(VirtualMFADeviceName="mfa-1")
    create = iam.create_virtual_mfa_device
    assert _refused(create, VirtualMFADeviceName="mfa-1") == ("EntityAlreadyExists", "MFA device already exists.",
                                                               409)
    assert _refused(create, VirtualMFADeviceName="mfa-2", Path="invalid-path/") == PATH_INVALID
    assert _refused(create, VirtualMFADeviceName="mfa-2", Path="/invalid-path") == PATH_INVALID
    too_long = _refused(create, VirtualMFADeviceName="mfa-2", Path="/" + "a" * 512 + "/")
    assert too_long == ("ValidationError", "1 validation error detected: Value at 'path' failed to satisfy "
                        "constraint: Member must have length less than or equal to 512", 400)  # the path not echoed
    missing = f"arn:aws:iam::{ACCOUNT}:mfa/nonexistent-device"
    assert _refused(iam.delete_virtual_mfa_device, SerialNumber=missing) == (
        "NoSuchEntity", f"MFA Device with serial number {missing} does not exist.", 404)


def test_enable_mfa_device_errors(aws):
    """test_iam_mfa: test_enable_mfa_device_errors — an unknown user first, then the unknown serial in AWS's
    words."""
    iam = aws.client("iam")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="mfa-1")["VirtualMFADevice"]["SerialNumber"]
    no_user = ("NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
    assert _refused(iam.enable_mfa_device, UserName="nonexistent-user", SerialNumber=serial,
                    AuthenticationCode1="123456", AuthenticationCode2="654321") == no_user
    assert _refused(iam.deactivate_mfa_device, UserName="nonexistent-user", SerialNumber=serial) == no_user
    iam.create_user(UserName="user-1")
    missing = f"arn:aws:iam::{ACCOUNT}:mfa/nonexistent-mfa"
    assert _refused(iam.deactivate_mfa_device, UserName="user-1", SerialNumber=missing) == (
        "NoSuchEntity", f"MFA Device with serial number {missing} does not exist.", 404)


# ------------------------------------------------------------------------------------------------ OIDC providers
def test_get_open_id_connect_provider_always_has_client_ids_and_tags(aws):
    """test_iam_oidc: test_get_open_id_connect_provider and test_update_open_id_connect_provider_thumbprint —
    ``Tags`` (and ``ClientIDList``) are empty lists, not missing, when the provider has none."""
    iam = aws.client("iam")
    arn = iam.create_open_id_connect_provider(Url="https://oidc-get.example.com", ThumbprintList=["b" * 40],
                                              ClientIDList=["client-id-1"])["OpenIDConnectProviderArn"]
    got = _answer(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn))
    assert set(got) == {"ClientIDList", "CreateDate", "Tags", "ThumbprintList", "Url"}
    assert (got["ClientIDList"], got["Tags"], got["ThumbprintList"], got["Url"]) == (
        ["client-id-1"], [], ["b" * 40], "oidc-get.example.com")
    arn = iam.create_open_id_connect_provider(Url="https://oidc-update.example.com",
                                              ThumbprintList=["b" * 40])["OpenIDConnectProviderArn"]
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["c" * 40, "d" * 40])
    got = _answer(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn))
    assert set(got) == {"ClientIDList", "CreateDate", "Tags", "ThumbprintList", "Url"}
    assert (got["ClientIDList"], got["Tags"], got["ThumbprintList"]) == ([], [], ["c" * 40, "d" * 40])
    missing = f"arn:aws:iam::{ACCOUNT}:oidc-provider/non-existent.example.com"
    assert _refused(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=missing) == (
        "NoSuchEntity", f"OpenIDConnect Provider not found for arn {missing}", 404)


def test_open_id_connect_provider_tags_limit(aws):
    """test_iam_oidc: test_open_id_connect_provider_tags_limit — a 51st tag."""
    iam = aws.client("iam")
    arn = iam.create_open_id_connect_provider(
        Url="https://oidc-tagslimit.example.com", ThumbprintList=["a" * 40],
        Tags=[{"Key": f"k{index:02d}", "Value": f"v{index}"} for index in range(50)])["OpenIDConnectProviderArn"]
    assert _refused(iam.tag_open_id_connect_provider, OpenIDConnectProviderArn=arn,
                    Tags=[{"Key": "string", "Value": "string"}]) == (
        "LimitExceeded", "The number of tags has reached the maximum limit.", 409)


# ------------------------------------------------------------------------------------------------ SAML providers
def test_get_saml_provider_always_has_encryption_mode_keys_and_tags(aws):
    """test_iam_saml_providers: test_create_saml_provider, test_get_saml_provider, test_update_saml_provider —
    ``AssertionEncryptionMode`` is ``Allowed`` and ``PrivateKeyList``/``Tags`` empty lists when nothing was set."""
    iam = aws.client("iam")
    created = iam.create_saml_provider(Name="TestSAMLProvider", SAMLMetadataDocument=metadata(aws))
    arn = f"arn:aws:iam::{ACCOUNT}:saml-provider/TestSAMLProvider"
    assert _answer(created) == {"SAMLProviderArn": arn}
    members = {"AssertionEncryptionMode", "CreateDate", "PrivateKeyList", "SAMLMetadataDocument", "SAMLProviderUUID",
               "Tags", "ValidUntil"}
    got = _answer(iam.get_saml_provider(SAMLProviderArn=arn))
    assert set(got) == members
    assert (got["AssertionEncryptionMode"], got["PrivateKeyList"], got["Tags"]) == ("Allowed", [], [])
    updated = metadata(aws, "https://updated-idp.example.com/saml")
    assert _answer(iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=updated)) == {
        "SAMLProviderArn": arn}
    after = _answer(iam.get_saml_provider(SAMLProviderArn=arn))
    assert set(after) == members and after["SAMLMetadataDocument"] == updated
    assert after["SAMLProviderUUID"] == got["SAMLProviderUUID"]


# ------------------------------------------------------------------------------------------------ server certificates
def _key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(key, subject: x509.Name, issuer: x509.Name, signer, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(now + timedelta(days=365)))
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(signer, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _traditional(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


@pytest.mark.parametrize("path", [None, "/", "/test-path/"])
def test_server_certificate_lifecycle(aws, path):
    """test_iam_server_certificates: test_server_certificate_lifecycle — GetServerCertificate has ``Tags`` (an
    empty list) and no ``CertificateChain`` without one."""
    iam = aws.client("iam")
    key = _key()
    root = _name("Root CA")
    body = _pem(_certificate(key, root, root, key, ca=True))
    uploaded = iam.upload_server_certificate(ServerCertificateName="cert-1", CertificateBody=body,
                                             PrivateKey=_traditional(key), **({"Path": path} if path else {}))
    metadata_members = {"Arn", "Expiration", "Path", "ServerCertificateId", "ServerCertificateName", "UploadDate"}
    metadata_out = uploaded["ServerCertificateMetadata"]
    assert set(_answer(uploaded)) == {"ServerCertificateMetadata"} and set(metadata_out) == metadata_members
    assert metadata_out["Path"] == (path or "/")
    assert metadata_out["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate{path or '/'}cert-1"
    listed = _answer(iam.list_server_certificates())
    assert listed == {"IsTruncated": False, "ServerCertificateMetadataList": [metadata_out]}
    if path not in (None, "/"):
        assert _answer(iam.list_server_certificates(PathPrefix=path)) == listed
    got = iam.get_server_certificate(ServerCertificateName="cert-1")["ServerCertificate"]
    assert set(got) == {"CertificateBody", "ServerCertificateMetadata", "Tags"}
    assert got["Tags"] == [] and got["ServerCertificateMetadata"] == metadata_out
    assert _answer(iam.delete_server_certificate(ServerCertificateName="cert-1")) == {}
    assert _refused(iam.get_server_certificate, ServerCertificateName="cert-1") == (
        "NoSuchEntity", "The Server Certificate with name cert-1 cannot be found.", 404)


def test_server_certificate_with_chain(aws):
    """test_iam_server_certificates: test_server_certificate_with_chain — a leaf issued by a root, the root as
    chain."""
    iam = aws.client("iam")
    root_key, leaf_key = _key(), _key()
    root = _name("Root CA")
    chain = _pem(_certificate(root_key, root, root, root_key, ca=True))
    body = _pem(_certificate(leaf_key, _name("Leaf"), root, root_key, ca=False))
    iam.upload_server_certificate(ServerCertificateName="cert-chain", CertificateBody=body,
                                  PrivateKey=_traditional(leaf_key), CertificateChain=chain)
    got = iam.get_server_certificate(ServerCertificateName="cert-chain")["ServerCertificate"]
    assert set(got) == {"CertificateBody", "CertificateChain", "ServerCertificateMetadata", "Tags"}
    assert got["Tags"] == []


# ------------------------------------------------------------------------------------------------ signing certificates
def _self_signed() -> str:
    key = _key()
    return _pem(_certificate(key, _name("Test Certificate"), _name("Test Certificate"), key, ca=False))


def test_signing_certificate_errors(aws):
    """test_iam_signing_certificates: test_signing_certificate_errors — an unreadable body is quoted back."""
    iam = aws.client("iam")
    iam.create_user(UserName="user-1")
    body = _self_signed()
    no_user = ("NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404)
    unknown_id = "NONEXISTENTCERTID12345678901"
    assert _refused(iam.upload_signing_certificate, UserName="nonexistent-user", CertificateBody=body) == no_user
    assert _refused(iam.list_signing_certificates, UserName="nonexistent-user") == no_user
    assert _refused(iam.delete_signing_certificate, UserName="nonexistent-user", CertificateId=unknown_id) == no_user
    assert _refused(iam.update_signing_certificate, UserName="nonexistent-user", CertificateId=unknown_id,
                    Status="Inactive") == no_user
    assert _refused(iam.upload_signing_certificate, UserName="user-1", CertificateBody="invalid-certificate-body") == (
        "MalformedCertificate", "Certificate invalid-certificate-body is malformed.", 400)
    not_found = ("NoSuchEntity", f"The Certificate with id {unknown_id} cannot be found.", 404)
    assert _refused(iam.update_signing_certificate, UserName="user-1", CertificateId=unknown_id,
                    Status="Inactive") == not_found
    assert _refused(iam.delete_signing_certificate, UserName="user-1", CertificateId=unknown_id) == not_found
    iam.upload_signing_certificate(UserName="user-1", CertificateBody=body)
    iam.upload_signing_certificate(UserName="user-1", CertificateBody=_self_signed())
    assert _refused(iam.upload_signing_certificate, UserName="user-1", CertificateBody=_self_signed()) == (
        "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2", 409)
