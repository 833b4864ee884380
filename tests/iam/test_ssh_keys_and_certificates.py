"""SSH public keys, signing certificates and server certificates through boto3, in both modes."""
from __future__ import annotations

import base64
import hashlib

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key
from tests.iam.keys_and_codes import issued_certificate, private_pem, rsa_key, self_signed_certificate


def _openssh(key, comment: str = "me@host") -> str:
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return line.decode() + " " + comment


def _md5_fingerprint(openssh: str) -> str:
    digest = hashlib.md5(base64.b64decode(openssh.split()[1])).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


# ------------------------------------------------------------------------------------------------ SSH keys
def test_ssh_keys_upload_get_list_update_delete(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    key = rsa_key()
    body = _openssh(key)
    uploaded = iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=body)["SSHPublicKey"]
    key_id = uploaded["SSHPublicKeyId"]
    assert key_id.startswith("APKA") and len(key_id) == 20
    assert uploaded["Fingerprint"] == _md5_fingerprint(body) and uploaded["Status"] == "Active"
    ssh = iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]
    assert ssh["SSHPublicKeyBody"].split()[:2] == body.split()[:2]
    pem = iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    assert serialization.load_pem_public_key(pem["SSHPublicKeyBody"].encode()).public_numbers() == \
        key.public_key().public_numbers()
    iam.update_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName="dev")["SSHPublicKeys"]
    assert [(item["SSHPublicKeyId"], item["Status"]) for item in listed] == [(key_id, "Inactive")]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="dev")
    # AWS's wording (rebuy-de/aws-nuke#470).
    assert aws_error(excinfo) == ("DeleteConflict", "Cannot delete entity, must remove referenced objects first.", 409)
    iam.delete_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="SSH")
    # AWS's words for a key that is not there (tests/iam/test_evidence_third_pass.py).
    assert aws_error(excinfo) == ("NoSuchEntity", f"The Public Key with id {key_id} cannot be found.", 404)
    iam.delete_user(UserName="dev")


def test_ssh_keys_accept_pem_and_refuse_what_iam_refuses(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    key = rsa_key()
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    uploaded = iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=pem)["SSHPublicKey"]
    assert uploaded["Fingerprint"] == _md5_fingerprint(_openssh(key))
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=_openssh(key, "same key, other comment"))
    assert aws_error(excinfo)[::2] == ("DuplicateSSHPublicKey", 400)
    small = _openssh(rsa_key(1024))
    ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKzvfE+qS09w+okgrO0gY7jryF0lSCxdEO/O0UaUhuZe me@host"
    for body, code in [(small, "InvalidPublicKey"), ("ssh-rsa AAAA!!!notbase64", "InvalidPublicKey"),
                       (ed25519, "UnrecognizedPublicKeyEncoding"), ("hello", "UnrecognizedPublicKeyEncoding")]:
        with pytest.raises(ClientError) as excinfo:
            iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=body)
        assert aws_error(excinfo)[::2] == (code, 400), body
    for _ in range(4):
        iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=_openssh(rsa_key()))
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=_openssh(rsa_key()))
    assert aws_error(excinfo) == ("LimitExceeded", "Cannot exceed quota for PublicKeysPerUser: 5", 409)
    page = iam.list_ssh_public_keys(UserName="dev", MaxItems=3)
    rest = iam.list_ssh_public_keys(UserName="dev", Marker=page["Marker"])
    assert page["IsTruncated"] and len(page["SSHPublicKeys"]) + len(rest["SSHPublicKeys"]) == 5
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName="ghost", SSHPublicKeyBody=_openssh(key))
    assert aws_error(excinfo) == ("NoSuchEntity", "The user with name ghost cannot be found.", 404)


def test_ssh_keys_follow_a_renamed_user_and_are_authorized_on_the_user(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    key_id = iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=_openssh(rsa_key()))["SSHPublicKey"][
        "SSHPublicKeyId"]
    iam.update_user(UserName="dev", NewUserName="developer")
    assert [k["SSHPublicKeyId"] for k in iam.list_ssh_public_keys(UserName="developer")["SSHPublicKeys"]] == [key_id]
    credentials = user_with_key(aws, "self", inline={"p": doc(allow(
        ["iam:ListSSHPublicKeys", "iam:UploadSSHPublicKey"], f"arn:aws:iam::{ACCOUNT}:user/self"))})
    me = aws.client_for(credentials, "iam")
    me.upload_ssh_public_key(UserName="self", SSHPublicKeyBody=_openssh(rsa_key()))
    assert len(me.list_ssh_public_keys()["SSHPublicKeys"]) == 1  # without UserName: the caller's own
    with pytest.raises(ClientError) as excinfo:
        me.list_ssh_public_keys(UserName="developer")
    code, message, _ = aws_error(excinfo)
    assert code == "AccessDenied" and "iam:ListSSHPublicKeys on resource: user developer" in message


# ------------------------------------------------------------------------------------------------ signing certs
def test_signing_certificates_for_users_and_the_root(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="signer")
    body, _ = self_signed_certificate(rsa_key())
    uploaded = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
    assert uploaded["UserName"] == "signer" and uploaded["Status"] == "Active" and uploaded["CertificateBody"] == body
    # The same user again: the certificate it holds (tests/iam/test_stackd_recordings.py); another user's is a
    # DuplicateCertificate there.
    assert iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"] == uploaded
    iam.upload_signing_certificate(UserName="signer", CertificateBody=self_signed_certificate(rsa_key())[0])
    with pytest.raises(ClientError) as excinfo:
        iam.upload_signing_certificate(UserName="signer", CertificateBody=self_signed_certificate(rsa_key())[0])
    assert aws_error(excinfo) == ("LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.upload_signing_certificate(UserName="signer", CertificateBody="-----BEGIN CERTIFICATE-----\nxx")
    assert aws_error(excinfo)[::2] == ("MalformedCertificate", 400)
    cert_id = uploaded["CertificateId"]
    iam.update_signing_certificate(UserName="signer", CertificateId=cert_id, Status="Inactive")
    statuses = {c["CertificateId"]: c["Status"] for c in iam.list_signing_certificates(UserName="signer")[
        "Certificates"]}
    assert statuses[cert_id] == "Inactive" and len(statuses) == 2
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="signer")
    # AWS's wording (rebuy-de/aws-nuke#671).
    assert aws_error(excinfo)[:2] == ("DeleteConflict", "Cannot delete entity, must delete certificates first.")
    # The root's own certificates (no UserName).
    root_cert = iam.upload_signing_certificate(CertificateBody=self_signed_certificate(rsa_key())[0])["Certificate"]
    assert root_cert["UserName"] == ""
    assert [c["CertificateId"] for c in iam.list_signing_certificates()["Certificates"]] == [root_cert["CertificateId"]]
    iam.delete_signing_certificate(CertificateId=root_cert["CertificateId"])
    with pytest.raises(ClientError) as excinfo:
        iam.delete_signing_certificate(UserName="signer", CertificateId=root_cert["CertificateId"])
    assert aws_error(excinfo) == (
        "NoSuchEntity", f"The Certificate with id {root_cert['CertificateId']} cannot be found.", 404)


# ------------------------------------------------------------------------------------------------ server certs
def test_server_certificates_upload_get_list_rename_delete(aws):
    iam = aws.client("iam")
    key, ca_key = rsa_key(), rsa_key()
    body, not_after = issued_certificate(key, "example.com", ca_key, "ca.example.com")
    chain, _ = self_signed_certificate(ca_key, "ca.example.com", days=300)
    uploaded = iam.upload_server_certificate(
        ServerCertificateName="web", Path="/cloudfront/", CertificateBody=body, PrivateKey=private_pem(key),
        CertificateChain=chain, Tags=[{"Key": "env", "Value": "prod"}])
    meta = uploaded["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/web"
    assert meta["Path"] == "/cloudfront/" and meta["ServerCertificateId"].startswith("ASCA")
    assert meta["Expiration"] == not_after and uploaded["Tags"] == [{"Key": "env", "Value": "prod"}]
    got = iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]
    assert got["CertificateBody"] == body.strip() and got["CertificateChain"] == chain.strip()
    assert "PrivateKey" not in got and got["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert [m["ServerCertificateName"] for m in iam.list_server_certificates(PathPrefix="/cloudfront/")[
        "ServerCertificateMetadataList"]] == ["web"]
    assert iam.list_server_certificates(PathPrefix="/elb/")["ServerCertificateMetadataList"] == []
    iam.tag_server_certificate(ServerCertificateName="web", Tags=[{"Key": "team", "Value": "edge"}])
    iam.untag_server_certificate(ServerCertificateName="web", TagKeys=["env"])
    assert iam.list_server_certificate_tags(ServerCertificateName="web")["Tags"] == [{"Key": "team", "Value": "edge"}]
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=private_pem(key))
    assert aws_error(excinfo) == ("EntityAlreadyExists", "The Server Certificate with name web already exists.", 409)
    iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="www", NewPath="/elb/")
    assert iam.get_server_certificate(ServerCertificateName="www")["ServerCertificate"][
        "ServerCertificateMetadata"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/elb/www"
    with pytest.raises(ClientError) as excinfo:
        iam.get_server_certificate(ServerCertificateName="web")
    assert aws_error(excinfo) == ("NoSuchEntity", "The Server Certificate with name web cannot be found.", 404)
    iam.delete_server_certificate(ServerCertificateName="www")
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []


def test_server_certificates_come_back_without_carriage_returns_or_surrounding_whitespace(aws):
    """AWS returns the body and chain 'dos2unix'-ed and trimmed (hashicorp/terraform#3837, #2409)."""
    iam = aws.client("iam")
    key, ca_key = rsa_key(), rsa_key()
    body, _ = issued_certificate(key, "example.com", ca_key, "ca.example.com")
    chain, _ = self_signed_certificate(ca_key, "ca.example.com", days=300)
    crlf = lambda pem: "\n " + pem.replace("\n", "\r\n") + "\r\n\n"  # noqa: E731
    iam.upload_server_certificate(ServerCertificateName="dos", CertificateBody=crlf(body),
                                  PrivateKey=private_pem(key), CertificateChain=crlf(chain))
    got = iam.get_server_certificate(ServerCertificateName="dos")["ServerCertificate"]
    assert got["CertificateBody"] == body.rstrip("\n") and got["CertificateChain"] == chain.rstrip("\n")
    assert "\r" not in got["CertificateBody"] + got["CertificateChain"]


def test_server_certificates_refuse_malformed_expired_and_mismatched(aws):
    iam = aws.client("iam")
    key = rsa_key()
    body, _ = self_signed_certificate(key)
    expired, _ = self_signed_certificate(key, days=-1, start_days=-10)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    cases = [
        ({"CertificateBody": "not a certificate", "PrivateKey": private_pem(key)}, "MalformedCertificate"),
        ({"CertificateBody": expired, "PrivateKey": private_pem(key)}, "MalformedCertificate"),
        ({"CertificateBody": body, "PrivateKey": "garbage"}, "MalformedCertificate"),
        ({"CertificateBody": body, "PrivateKey": private_pem(key), "CertificateChain": "junk"},
         "MalformedCertificate"),
        ({"CertificateBody": body, "PrivateKey": private_pem(rsa_key())}, "KeyPairMismatch"),
        ({"CertificateBody": body, "PrivateKey": private_pem(ec_key)}, "KeyPairMismatch"),
    ]
    for params, code in cases:
        with pytest.raises(ClientError) as excinfo:
            iam.upload_server_certificate(ServerCertificateName="bad", **params)
        assert aws_error(excinfo)[::2] == (code, 400), params
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName="bad", CertificateBody=body,
                                      PrivateKey=private_pem(rsa_key()))
    assert aws_error(excinfo)[1] == ("The private key did not match the public key provided. Please verify the key "
                                     "material and try again.")
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []


def test_server_certificates_are_authorized_on_their_arn_with_tags(aws):
    iam = aws.client("iam")
    key = rsa_key()
    for name, team in (("mine", "a"), ("theirs", "b")):
        iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=self_signed_certificate(key)[0],
                                      PrivateKey=private_pem(key), Tags=[{"Key": "team", "Value": team}])
    credentials = user_with_key(aws, "reader", inline={"p": doc(allow(
        "iam:GetServerCertificate", f"arn:aws:iam::{ACCOUNT}:server-certificate/*",
        Condition={"StringEquals": {"aws:ResourceTag/team": "a"}}),
        allow("iam:UpdateServerCertificate", f"arn:aws:iam::{ACCOUNT}:server-certificate/mine"))})
    reader = aws.client_for(credentials, "iam")
    assert reader.get_server_certificate(ServerCertificateName="mine")["ServerCertificate"]["CertificateBody"]
    with pytest.raises(ClientError) as excinfo:
        reader.get_server_certificate(ServerCertificateName="theirs")
    assert aws_error(excinfo)[0] == "AccessDenied"
    assert "server-certificate/theirs" in aws_error(excinfo)[1]
    # Renaming needs the permission on the new name as well.
    with pytest.raises(ClientError) as excinfo:
        reader.update_server_certificate(ServerCertificateName="mine", NewServerCertificateName="renamed")
    assert f"arn:aws:iam::{ACCOUNT}:server-certificate/renamed" in aws_error(excinfo)[1]


def test_keys_and_certificates_survive_state_export_and_import(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    key = rsa_key()
    key_id = iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=_openssh(key))["SSHPublicKey"][
        "SSHPublicKeyId"]
    iam.upload_signing_certificate(UserName="dev", CertificateBody=self_signed_certificate(key)[0])
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=self_signed_certificate(key)[0],
                                  PrivateKey=private_pem(key))
    exported = snapshot.export_state(aws.store)
    aws.store.reset()
    snapshot.import_state(aws.store, exported)
    assert iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]["Fingerprint"]
    assert len(iam.list_signing_certificates(UserName="dev")["Certificates"]) == 1
    assert iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]["ServerCertificateMetadata"]
