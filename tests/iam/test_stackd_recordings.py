"""IAM answers as radkawar/stackd's recordings of real AWS show them (commit 9dc356f5, captured 2026-09-11/12 with
the AWS CLI v2 and signed Query requests in commercial accounts).

Files: ``internal/services/iam/testdata/*_aws.json`` and ``testdata/aws/iam/*.json`` of that repository (only those
whose own fields say they were captured from AWS).  Each test names the recording file and the observation
(``case``/``name``) it replays.  Every test of a fix failed before it; the parametrized cases that already held
(MaxItems ``1``/``01``/``+1``/``0``/``1001``, booleans ``true``/``false``, list indexes ``1``/``01``) and the
rename/path test pin what held.  What held, what was fixed and what is left:
(docs/behaviour.md, "Parity sweep against stackd's recordings of real IAM").
"""
from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key
from tests.iam.keys_and_codes import current_step, private_pem, rsa_key, self_signed_certificate, totp
from tests.robustness import wire

UNTAGGABLE = ("Input tag parameters does not meet the acceptance criteria. For example, the provided tag keys/values "
              "must be unicode letters, digits, white space, and any of the following symbols: _ . : / = + - @.")
EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
TWO_TAGS = [{"Key": "Team", "Value": "one"}, {"Key": "team", "Value": "two"}]


def _raw(aws: Any, action: str, params: dict[str, str]) -> tuple[int, str | None, str]:
    """(HTTP status, error code or None, error message or "") of a hand-written signed IAM Query request, sent
    in-process or to the harness's server."""
    operation = wire.model("iam").operation_model(action)
    body = urlencode({"Action": action, "Version": "2010-05-08", **params}).encode()
    if aws.server is None:
        reply = wire.send(aws.app, operation, body)
    else:
        prepared = wire.signed_request("iam", body, wire.headers_for(operation), Credentials("test", "test"),
                                       endpoint=aws.endpoint_url + "/")
        request = urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback harness)
                reply = wire.Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as failed:
            reply = wire.Reply(failed.code, dict(failed.headers), failed.read())
    if reply.status < 400:
        return reply.status, None, ""
    code, message = wire.error_fields(reply)
    return reply.status, code, message


def _half_past(aws: Any) -> None:
    """Move the store clock to about half past a second, so an answer with a fraction of a second shows one."""
    fraction = aws.store.clock.now().microsecond / 1_000_000
    aws.store.clock.advance((1.5 - fraction) % 1)


# ------------------------------------------------------------------------------------------------------- tags
def test_tagging_with_no_tags_is_refused_and_untagging_no_keys_is_not(aws):
    """tags_aws.json "user_empty_tag_list" (InvalidInput) and "user_empty_untag_list" (Success); the words are
    tag_inputs.json's "empty_list", recorded since:
    (docs/behaviour.md, "Parity sweep against stackd's recordings of last access, outbound identity and federation")."""
    iam = aws.client("iam")
    iam.create_user(UserName="tagged", Tags=[{"Key": "Team", "Value": "One"}])
    assert error_of(iam.tag_user, UserName="tagged", Tags=[]) == (
        "InvalidInput", "Error occurred while validating input. ", 400)
    iam.untag_user(UserName="tagged", TagKeys=[])
    assert iam.list_user_tags(UserName="tagged")["Tags"] == [{"Key": "Team", "Value": "One"}]


# -------------------------------------------------------------------------------------------- server certificates
def _server_certificate(aws: Any, name: str, **extra: Any) -> dict:
    key = rsa_key()
    body, _ = self_signed_certificate(key)
    return aws.client("iam").upload_server_certificate(ServerCertificateName=name, CertificateBody=body,
                                                       PrivateKey=private_pem(key), **extra)


def test_server_certificate_empty_tag_and_untag_lists_are_refused(aws):
    """certificates_aws.json "server:empty-tags" and "server:empty-untag"."""
    iam = aws.client("iam")
    _server_certificate(aws, "web", Tags=TWO_TAGS)
    assert error_of(iam.tag_server_certificate, ServerCertificateName="web", Tags=[]) == (
        "InvalidInput", "The provided tag map must not be null/empty.", 400)
    assert error_of(iam.untag_server_certificate, ServerCertificateName="web", TagKeys=[]) == (
        "InvalidInput", "The provided tag keys must not be null/empty.", 400)
    assert iam.list_server_certificate_tags(ServerCertificateName="web")["Tags"] == TWO_TAGS


def test_an_empty_server_certificate_update_drops_its_tags_for_good(aws):
    """server_certificate_empty_update_aws.json "empty:before", "empty:immediate", "empty:delayed",
    "empty:retag-delayed"; certificate_edges_aws.json "server:tags-after-empty-update",
    "server:untag-after-empty-update"."""
    iam = aws.client("iam")
    _server_certificate(aws, "empty", Path="/before/", Tags=TWO_TAGS)
    iam.update_server_certificate(ServerCertificateName="empty")
    certificate = iam.get_server_certificate(ServerCertificateName="empty")["ServerCertificate"]
    assert certificate["Tags"] == [] and certificate["ServerCertificateMetadata"]["Path"] == "/before/"
    assert iam.list_server_certificate_tags(ServerCertificateName="empty")["Tags"] == []
    assert error_of(iam.tag_server_certificate, ServerCertificateName="empty",
                    Tags=[{"Key": "Team", "Value": "retagged"}]) == ("InvalidInput", UNTAGGABLE, 400)
    assert error_of(iam.untag_server_certificate, ServerCertificateName="empty", TagKeys=["Team"]) == (
        "InvalidInput", UNTAGGABLE, 400)
    assert iam.list_server_certificate_tags(ServerCertificateName="empty")["Tags"] == []


def test_renaming_or_moving_a_server_certificate_keeps_its_tags(aws):
    """server_certificate_transitions_aws.json "rename:immediate", "path:immediate", "path:retag-delayed",
    "rename-new:after-retag"."""
    iam = aws.client("iam")
    _server_certificate(aws, "rename", Path="/before/", Tags=TWO_TAGS)
    _server_certificate(aws, "path", Path="/before/", Tags=TWO_TAGS)
    iam.update_server_certificate(ServerCertificateName="rename", NewServerCertificateName="rename-new")
    iam.update_server_certificate(ServerCertificateName="path", NewPath="/after/")
    for name in ("rename-new", "path"):
        assert iam.list_server_certificate_tags(ServerCertificateName=name)["Tags"] == TWO_TAGS
        iam.tag_server_certificate(ServerCertificateName=name, Tags=[{"Key": "Team", "Value": "retagged"}])
        assert iam.list_server_certificate_tags(ServerCertificateName=name)["Tags"] == [
            {"Key": "Team", "Value": "retagged"}, {"Key": "team", "Value": "two"}]
    metadata = iam.get_server_certificate(ServerCertificateName="path")["ServerCertificate"][
        "ServerCertificateMetadata"]
    assert metadata["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/after/path"


def test_server_certificate_names_are_unique_whatever_their_case(aws):
    """certificates_aws.json "server:duplicate-name-case": the message names the name asked for."""
    _server_certificate(aws, "stackd-cert-server")
    with pytest.raises(ClientError) as excinfo:
        _server_certificate(aws, "STACKD-CERT-SERVER")
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "EntityAlreadyExists", "The Server Certificate with name STACKD-CERT-SERVER already exists.")


def test_server_certificate_refusals_in_iams_words(aws):
    """certificates_aws.json "server:expired" and "server:mismatch"."""
    iam = aws.client("iam")
    key = rsa_key()
    expired, _ = self_signed_certificate(key, days=-1, start_days=-10)
    assert error_of(iam.upload_server_certificate, ServerCertificateName="old", CertificateBody=expired,
                    PrivateKey=private_pem(key)) == (
        "MalformedCertificate",
        "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.", 400)
    body, _ = self_signed_certificate(key)
    assert error_of(iam.upload_server_certificate, ServerCertificateName="other", CertificateBody=body,
                    PrivateKey=private_pem(rsa_key()))[:2] == (
        "KeyPairMismatch",
        "The private key did not match the public key provided. Please verify the key material and try again.")


# ----------------------------------------------------------------------------------------- signing certificates
def test_signing_certificate_ids_and_uploading_one_again(aws):
    """certificates_aws.json "signing:create" (a 32-character id), "signing:duplicate" (the same user again:
    Success), "signing:duplicate-other-user", "signing:status-Expired", "signing:expired"; certificate_edges_aws.json
    "signing:duplicate-inactive" (same id and upload date, ``Active`` answered, ``Inactive`` listed, the id the
    base32 SHA-1 of the DER)."""
    iam = aws.client("iam")
    iam.create_user(UserName="signer")
    iam.create_user(UserName="other")
    body, _ = self_signed_certificate(rsa_key())
    der = x509.load_pem_x509_certificate(body.encode()).public_bytes(serialization.Encoding.DER)
    expected_id = base64.b32encode(hashlib.sha1(der, usedforsecurity=False).digest()).decode().rstrip("=")
    first = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
    assert first["CertificateId"] == expected_id and len(expected_id) == 32
    iam.update_signing_certificate(UserName="signer", CertificateId=expected_id, Status="Inactive")
    again = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
    assert again == {**first, "Status": "Active"}
    assert [(c["CertificateId"], c["Status"]) for c in
            iam.list_signing_certificates(UserName="signer")["Certificates"]] == [(expected_id, "Inactive")]
    assert error_of(iam.upload_signing_certificate, UserName="other", CertificateBody=body) == (
        "DuplicateCertificate", "Duplicate certificate uploaded.", 409)
    assert error_of(iam.update_signing_certificate, UserName="signer", CertificateId=expected_id,
                    Status="Expired") == ("InvalidInput", "Operation does not support status Expired", 400)
    expired, _ = self_signed_certificate(rsa_key(), days=-1, start_days=-10)
    assert error_of(iam.upload_signing_certificate, UserName="other", CertificateBody=expired)[:2] == (
        "MalformedCertificate", f"Certificate {expired} is malformed.")


# ------------------------------------------------------------------------------------------------ SSH keys
def _openssh(key: Any) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


def test_ssh_key_refusals_in_iams_words(aws):
    """certificates_aws.json "ssh:malformed", "ssh:rsa1024", "ssh:certificate", "ssh:duplicate-pem",
    "ssh:wrong-owner", "ssh:status-Expired", "ssh:get-ssh"."""
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    iam.create_user(UserName="other")
    key = rsa_key()
    certificate, _ = self_signed_certificate(key)
    for body in ("not a key", certificate):
        assert error_of(iam.upload_ssh_public_key, UserName="dev", SSHPublicKeyBody=body)[:2] == (
            "UnrecognizedPublicKeyEncoding", "Invalid public key uploaded.")
    assert error_of(iam.upload_ssh_public_key, UserName="dev", SSHPublicKeyBody=_openssh(rsa_key(1024)))[:2] == (
        "InvalidPublicKey", "Invalid body for public key")
    key_id = iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=_openssh(key))["SSHPublicKey"][
        "SSHPublicKeyId"]
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert error_of(iam.upload_ssh_public_key, UserName="dev", SSHPublicKeyBody=pem)[:2] == (
        "DuplicateSSHPublicKey", "Duplicate SSH public key uploaded.")
    assert error_of(iam.update_ssh_public_key, UserName="other", SSHPublicKeyId=key_id, Status="Inactive") == (
        "NoSuchEntity", f"User has no Public Key with id {key_id}.", 404)
    assert error_of(iam.update_ssh_public_key, UserName="dev", SSHPublicKeyId=key_id, Status="Expired") == (
        "InvalidInput", "Operation does not support status Expired", 400)
    assert error_of(iam.get_ssh_public_key, UserName="dev", SSHPublicKeyId=key_id, Encoding="ssh") == (
        "ValidationError", "1 validation error detected: Value at 'encoding' failed to satisfy constraint: Member "
        "must satisfy enum value set: [SSH, PEM]", 400)


# ---------------------------------------------------------------------------------------- account properties
def test_account_properties_as_iam_checks_them(aws):
    """testdata/aws/iam/account_properties.json: "initial", "empty", "missing_separator", "extra_separator",
    "unknown_namespace", "unknown_property", "mixed_namespaces", "unknown_property_same_namespace",
    "uppercase_false", "spaced_false", "zero", "false", "user_read"."""
    iam = aws.client("iam")
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "false"}
    assert error_of(iam.put_account_properties, Properties={}) == (
        "ValidationError", "1 validation error detected: Value at 'properties' failed to satisfy constraint: "
        "Member must not be null", 400)
    refused = [
        ({"RoleManager": "false"}, "Property key must be in format Namespace/PropertyName: RoleManager"),
        ({"RoleManager/Enabled/x": "false"}, "RoleManager namespace requires Enabled property"),
        ({"StackdProbe/Enabled": "false"}, "Unsupported namespace: StackdProbe"),
        ({"RoleManager/Other": "false"}, "RoleManager namespace requires Enabled property"),
        ({"RoleManager/Enabled": "false", "StackdProbe/Enabled": "false"},
         "All properties must belong to the same namespace"),
        ({"RoleManager/Enabled": "FALSE"}, "Enabled must be 'true' or 'false'"),
        ({"RoleManager/Enabled": " false"}, "Enabled must be 'true' or 'false'"),
        ({"RoleManager/Enabled": "0"}, "Enabled must be 'true' or 'false'"),
    ]
    for properties, message in refused:
        assert error_of(iam.put_account_properties, Properties=properties) == ("InvalidInput", message, 400)
    iam.put_account_properties(Properties={"RoleManager/Enabled": "false", "RoleManager/Other": "x"})
    iam.put_account_properties(Properties={"RoleManager/Enabled": "false"})
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "false"}


def test_turning_role_manager_on_needs_its_service_linked_role(aws):
    """account_properties.json "enable_dependency_denied" (an explicit deny of iam:CreateServiceLinkedRole on the
    role manager's role), "after_denied_enable", "user_disable_without_dependency"; account_properties_toggle.json
    "enable", "enabled", "enabled_role", "restored", "retained_role"."""
    role_arn = (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/role-manager.iam.amazonaws.com/"
                "AWSServiceRoleForIAMRoleManager")
    key = user_with_key(aws, "owned", inline={"p": doc(
        allow(["iam:GetAccountProperties", "iam:PutAccountProperties"]),
        {"Effect": "Deny", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"})})
    owned = aws.client_for(key, "iam")
    code, message, status = error_of(owned.put_account_properties, Properties={"RoleManager/Enabled": "true"})
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/owned is not authorized to perform: "
                              f"iam:CreateServiceLinkedRole on resource: {role_arn} with an explicit deny")
    assert owned.get_account_properties()["Properties"] == {"RoleManager/Enabled": "false"}
    owned.put_account_properties(Properties={"RoleManager/Enabled": "false"})
    iam = aws.client("iam")
    iam.put_account_properties(Properties={"RoleManager/Enabled": "true"})
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "true"}
    role = iam.get_role(RoleName="AWSServiceRoleForIAMRoleManager")["Role"]
    assert role["Arn"] == role_arn and role["MaxSessionDuration"] == 3600
    owned.put_account_properties(Properties={"RoleManager/Enabled": "true"})  # the role exists: nothing more asked
    iam.put_account_properties(Properties={"RoleManager/Enabled": "false"})
    assert iam.get_role(RoleName="AWSServiceRoleForIAMRoleManager")["Role"]["RoleId"] == role["RoleId"]


# ------------------------------------------------------------------------------------ authorization details
def test_authorization_details_refusals_in_iams_words(aws):
    """testdata/aws/iam/account_reporting.json "unknown_filter", "wrong_case_filter", "invalid_marker",
    "too_large_maxitems"."""
    iam = aws.client("iam")
    filters = ("1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must satisfy "
               "constraint: [Member must satisfy enum value set: [LocalManagedPolicy, User, AWSManagedPolicy, Role, "
               "Group]]")
    for value in ("Unknown", "user"):
        assert error_of(iam.get_account_authorization_details, Filter=[value]) == ("ValidationError", filters, 400)
    assert error_of(iam.get_account_authorization_details, Filter=["User"], Marker="not-an-aws-marker") == (
        "ValidationError", "Marker and Filter do not match", 400)
    assert error_of(iam.get_account_authorization_details, Filter=["User"], MaxItems=1001) == (
        "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member "
        "must have value less than or equal to 1000", 400)


# -------------------------------------------------------------------------------------------- create dates
def test_create_answers_have_whole_seconds(aws):
    """testdata/aws/iam/last_access.json "setup" (CreateUser, CreateGroup, CreateRole, CreatePolicy,
    CreateAccessKey); internal/services/iam/testdata/instance_profiles_aws.json "create", "get", "list";
    role_wire_aws.json "create": no fraction of a second, as AWS CLI v2 prints them."""
    iam = aws.client("iam")
    _half_past(aws)
    policy = iam.create_policy(PolicyName="p", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]
    created = [
        iam.create_user(UserName="u")["User"]["CreateDate"],
        iam.create_group(GroupName="g")["Group"]["CreateDate"],
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=EC2_TRUST)["Role"]["CreateDate"],
        policy["CreateDate"], policy["UpdateDate"],
        iam.create_access_key(UserName="u")["AccessKey"]["CreateDate"],
        iam.create_instance_profile(InstanceProfileName="ip")["InstanceProfile"]["CreateDate"],
        iam.get_instance_profile(InstanceProfileName="ip")["InstanceProfile"]["CreateDate"],
        iam.list_instance_profiles()["InstanceProfiles"][0]["CreateDate"],
        iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["CreateDate"],
    ]
    assert [value.microsecond for value in created] == [0] * len(created)


# --------------------------------------------------------------------------------------- the Query wire
@pytest.mark.parametrize("value,code", [
    ("1", None), ("01", None), ("+1", None), (" 1 ", "MalformedInput"), ("1.0", "MalformedInput"),
    ("1e0", "MalformedInput"), ("2147483648", "MalformedInput"), ("0", "ValidationError"),
    ("1001", "ValidationError"),
])
def test_max_items_as_iam_reads_it(aws, value, code):
    """testdata/aws/iam/pagination_inputs.json "users_size_*"; credential_inputs.json "numeric_inputs"."""
    aws.client("iam").create_user(UserName="a")
    status, answered, _message = _raw(aws, "ListUsers", {"MaxItems": value})
    assert (answered, status) == (code, 400 if code else 200)


@pytest.mark.parametrize("value,code", [
    ("1", None), ("0", None), ("true", None), ("false", None), ("True", "MalformedInput"),
    ("TRUE", "MalformedInput"), ("False", "MalformedInput"), (" true", "MalformedInput"),
    ("true ", "MalformedInput"), ("", "MalformedInput"), ("null", "MalformedInput"), ("anything", "MalformedInput"),
])
def test_booleans_as_iam_reads_them(aws, value, code):
    """testdata/aws/iam/credential_inputs.json "boolean_inputs" (ListServiceSpecificCredentials' AllUsers: true
    and 1 alike, false and 0 alike, anything else malformed)."""
    aws.client("iam").create_user(UserName="a")
    status, answered, _message = _raw(aws, "ListServiceSpecificCredentials", {"UserName": "a", "AllUsers": value})
    if value in ("1", "true"):
        # AllUsers with a UserName: IAM's refusal (service_credentials_aws.json), so the value was read as true.
        assert (answered, status) == ("InvalidInput", 400)
    else:
        assert (answered, status) == (code, 400 if code else 200)


DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
                                                              "Resource": "*"}})


@pytest.mark.parametrize("indexes,code,message", [
    ("1", None, ""), ("01", None, ""),
    ("+1", "MalformedInput", "Start of list found where not expected"),
    ("one", "MalformedInput", "Start of list found where not expected"),
    ("0", "MalformedInput", "0 is not a valid index"),
    ("-1", "MalformedInput", "Key -1 may not have a leading '-'"),
    ("12", "MalformedInput", "Excessively sparse input would skip 11 list elements"),
    ("33", "MalformedInput", "Excessively sparse input would skip 32 list elements"),
    ("1_12", "MalformedInput", "Excessively sparse input would skip 11 list elements"),
    ("12_1", "MalformedInput", "Excessively sparse input would skip 11 list elements"),
    ("1_22_43", "MalformedInput", "Excessively sparse input would skip 21 list elements"),
    ("1_2_3_4_5_6_7_8_9_10_21", "MalformedInput", "Excessively sparse input would skip 11 list elements"),
    ("1_2_3_4_5_6_7_8_9_10_22", "MalformedInput", "Excessively sparse input would skip 12 list elements"),
    ("11", "ValidationError", "1 validation error detected: Value at 'policyInputList' failed to satisfy "
     "constraint: Member must satisfy constraint: [Member must have length less than or equal to 131072, Member "
     "must have length greater than or equal to 1, Member must satisfy regular expression pattern: "),
    ("1_8_15", "ValidationError", "1 validation error detected: Value at 'policyInputList' failed to satisfy "
     "constraint: Member must satisfy constraint: [Member must have length less than or equal to 131072, "),
])
def test_list_indexes_as_iam_reads_them(aws, indexes, code, message):
    """testdata/aws/iam/query_collections.json (GetContextKeysForCustomPolicy's PolicyInputList): every case.
    The pattern AWS names after the null elements is its own (``[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-
    \\u00FF]+``, not the model's), so only the words before it are compared."""
    fields = {f"PolicyInputList.member.{index}": DOCUMENT for index in indexes.split("_")}
    status, answered, said = _raw(aws, "GetContextKeysForCustomPolicy", fields)
    assert (answered, status) == (code, 400 if code else 200)
    assert said.startswith(message) and (code != "MalformedInput" or said == message)


# ----------------------------------------------------------------------------------------------- MFA devices
def test_mfa_device_refusals_in_iams_words(aws):
    """testdata/aws/iam/mfa.json "deactivate_unassigned", "resync_unassigned", "enable_duplicate", "enable_other",
    "get_virtual", "delete_assigned_user" (the user also holds an access key), "deactivate_other", "resync_other",
    "deactivate_again"."""
    iam = aws.client("iam")
    iam.create_user(UserName="owner")
    iam.create_user(UserName="other")
    iam.create_access_key(UserName="owner")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path="/devices/")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    invalid_for_user = ("NoSuchEntity", "MFA Device invalid for user.", 404)
    assert error_of(iam.deactivate_mfa_device, UserName="owner", SerialNumber=serial) == invalid_for_user
    step = current_step(aws)
    assert error_of(iam.resync_mfa_device, UserName="owner", SerialNumber=serial,
                    AuthenticationCode1=totp(seed, step - 1), AuthenticationCode2=totp(seed, step)) == \
        invalid_for_user
    iam.enable_mfa_device(UserName="owner", SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                          AuthenticationCode2=totp(seed, step))
    codes = {"AuthenticationCode1": totp(seed, step), "AuthenticationCode2": totp(seed, step + 1)}
    assert error_of(iam.enable_mfa_device, UserName="owner", SerialNumber=serial, **codes) == (
        "EntityAlreadyExists", "MFA Device for user owner already exists.", 409)
    assert error_of(iam.enable_mfa_device, UserName="other", SerialNumber=serial, **codes) == (
        "EntityAlreadyExists", "MFA Device is already in use.", 409)
    assert error_of(iam.get_mfa_device, UserName="owner", SerialNumber=serial) == (
        "ValidationError", "The MFA device serial number sent in the request is invalid or not supported by this "
        "API. Currently, only hardware FIDO security keys are supported. Please use the compatible device or API.",
        400)
    assert error_of(iam.delete_user, UserName="owner") == (
        "DeleteConflict", "Cannot delete entity, must remove tokens from principal first.", 409)
    assert error_of(iam.deactivate_mfa_device, UserName="other", SerialNumber=serial) == invalid_for_user
    assert error_of(iam.resync_mfa_device, UserName="other", SerialNumber=serial, **codes) == invalid_for_user
    iam.deactivate_mfa_device(UserName="owner", SerialNumber=serial)
    assert error_of(iam.deactivate_mfa_device, UserName="owner", SerialNumber=serial) == invalid_for_user


def _pair(seed: bytes, second: int) -> dict:
    return {"AuthenticationCode1": totp(seed, second - 1), "AuthenticationCode2": totp(seed, second)}


@pytest.mark.parametrize("offset,accepted", [(1000, True), (1001, False), (-998, True), (-999, False),
                                             (720, True), (990, True), (1012, False), (1440, False)])
def test_enable_takes_a_pair_within_iams_window(aws, offset, accepted):
    """testdata/aws/iam/mfa_pair_window.json: "eligibility" (second code 1000 steps ahead and 998 behind accepted,
    1001 and 999 refused), "offset_720_3", "offset_990_6", "offset_1012_8", "offset_1440_2"."""
    iam = aws.client("iam")
    iam.create_user(UserName="pair")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="pair")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    _half_past(aws)  # no step boundary between the codes' making and their check
    codes = _pair(seed, current_step(aws) + offset)
    if accepted:
        iam.enable_mfa_device(UserName="pair", SerialNumber=serial, **codes)
        assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="pair")["MFADevices"]] == [serial]
    else:
        assert error_of(iam.enable_mfa_device, UserName="pair", SerialNumber=serial, **codes) == (
            "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)


def test_resync_moves_the_anchor_and_deactivating_keeps_it(aws):
    """testdata/aws/iam/mfa_resync_anchor.json: "enable_anchor" (+600), "resync_anchor_1200", "resync_anchor_1800",
    "resync_anchor_1802", "deactivate_anchor", "reenroll_anchor" (+1804); mfa.json "resync_25" (+10), "resync_28"
    (0, behind the last pair), "resync_31" (+20), "resync_34" (+21: its first code is the last pair's second)."""
    iam = aws.client("iam")
    iam.create_user(UserName="anchor")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="anchor")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    _half_past(aws)
    now = current_step(aws)
    iam.enable_mfa_device(UserName="anchor", SerialNumber=serial, **_pair(seed, now + 600))
    for offset in (1200, 1800, 1802):
        iam.resync_mfa_device(UserName="anchor", SerialNumber=serial, **_pair(seed, now + offset))
    iam.deactivate_mfa_device(UserName="anchor", SerialNumber=serial)
    iam.enable_mfa_device(UserName="anchor", SerialNumber=serial, **_pair(seed, now + 1804))
    iam.resync_mfa_device(UserName="anchor", SerialNumber=serial, **_pair(seed, now + 1814))
    invalid = ("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)
    assert error_of(iam.resync_mfa_device, UserName="anchor", SerialNumber=serial, **_pair(seed, now + 1804)) == \
        invalid
    iam.resync_mfa_device(UserName="anchor", SerialNumber=serial, **_pair(seed, now + 1824))
    assert error_of(iam.resync_mfa_device, UserName="anchor", SerialNumber=serial, **_pair(seed, now + 1825)) == \
        invalid


# --------------------------------------------------------------------------- outbound federation, role templates
def test_outbound_federation_disabled_names_the_account(aws):
    """testdata/aws/iam/outbound_identity.json "info_initial"; outbound_lifecycle.json "initial", "enable",
    "disable", "info_after_disable"."""
    iam = aws.client("iam")
    disabled = ("FeatureDisabled", f"Outbound identity federation is disabled for account {ACCOUNT}", 404)
    assert error_of(iam.get_outbound_web_identity_federation_info) == disabled
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    assert iam.get_outbound_web_identity_federation_info()["IssuerIdentifier"] == issuer
    iam.disable_outbound_web_identity_federation()
    assert error_of(iam.get_outbound_web_identity_federation_info) == disabled


def test_a_role_template_version_iam_does_not_hold(aws):
    """testdata/aws/iam/role_templates.json "unknown_minor" (AcquireRole of a version the repository lacks)."""
    arn = "arn:aws:iam::aws:role-template/iam.amazonaws.com/PowerUserRoleTemplate:1"
    assert error_of(aws.client("iam").acquire_role, TemplateArn=arn, TemplateMinorVersion=99, ReplacementValues={
        "AWSServiceName": {"Values": ["lambda.amazonaws.com"]}}) == (
        "NoSuchEntity", f"Role template not found in repository: {arn}", 404)


# ------------------------------------------------------------------------------------------------ context keys
def _document(statement: dict, version: str | None = "2012-10-17", **extra: Any) -> str:
    return json.dumps({**({"Version": version} if version else {}), "Statement": statement, **extra})


CONTEXT_KEYS = [
    ("default_and_literals", [_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource":
                                         "arn:aws:s3:::bucket/${aws:username, 'default'}/${*}/${?}/${$}"})],
     ["$", "aws:username", "*", "?"]),
    ("duplicates_and_case", [_document({
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/${aws:username}/${AWS:username}",
        "Condition": {"StringEquals": {"aws:username": "${aws:username}", "AWS:username": "a"}}})],
     ["aws:username", "AWS:username"]),
    ("multiple_duplicates", [_document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
        "StringEquals": {"aws:username": "a"}}}, None)] * 2, ["aws:username", "aws:username"]),
    ("resource_policy", [_document({"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*",
                                    "Condition": {"StringEquals": {"aws:username": "a"}}}, None)], ["aws:username"]),
    ("missing_resource", [_document({"Effect": "Allow", "Action": "*", "Condition": {
        "StringEquals": {"aws:username": "a"}}}, None)], ["aws:username"]),
    ("variable_condition_numeric", [_document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
        "NumericEquals": {"aws:MultiFactorAuthAge": "${aws:PrincipalTag/Age}"}}})],
     ["aws:PrincipalTag/Age", "aws:MultiFactorAuthAge"]),
    ("missing_Action", [_document({"Effect": "Allow", "Resource": "*", "Condition": {
        "StringEquals": {"aws:username": "a"}}})], ["aws:username"]),
    ("invalid_action", [_document({"Effect": "Allow", "Action": "abc", "Resource": "*", "Condition": {
        "StringEquals": {"aws:username": "a"}}})], ["aws:username"]),
    ("invalid_resource", [_document({"Effect": "Allow", "Action": "*", "Resource": "bad", "Condition": {
        "StringEquals": {"aws:username": "a"}}})], ["aws:username"]),
    ("empty_statements", [json.dumps({"Statement": []})], []),
    ("action_variable", [_document({"Effect": "Allow", "Action": "${aws:username}", "Resource": "*"})], []),
    ("principal_variable", [_document({"Effect": "Allow", "Principal": {"AWS": "${aws:username}"}, "Action": "*",
                                       "Resource": "*"})], []),
    ("condition_key_variable", [_document({"Effect": "Allow", "Condition": {
        "StringEquals": {"${aws:username}": "a"}}})], ["${aws:username}"]),
    ("empty_condition", [_document({"Effect": "Allow", "Condition": {}}, None)], []),
    ("missing_statement", [json.dumps({"Version": "2012-10-17"})], []),
    ("empty_action_resource", [_document({"Effect": "Allow", "Action": [], "Resource": []}, None)], []),
    ("invalid_operator", [_document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
        "MadeUp": {"aws:username": "a"}}}, None)], "InvalidInput"),
    ("missing_Effect", [_document({"Action": "*", "Resource": "*", "Condition": {
        "StringEquals": {"aws:username": "a"}}})], "InvalidInput"),
    ("unknown_field", [_document({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
        "StringEquals": {"aws:username": "a"}}}, Foo="x")], "InvalidInput"),
]


@pytest.mark.parametrize("name,documents,expected", CONTEXT_KEYS, ids=[case[0] for case in CONTEXT_KEYS])
def test_context_keys_for_custom_policies(aws, name, documents, expected):
    """internal/services/iam/testdata/context_keys_aws.json, "custom": the cases that did not hold (the others,
    such as "case_and_variables" and "old_version", held).  AWS's order is unspecified; multiplicity counts."""
    iam = aws.client("iam")
    if isinstance(expected, str):
        assert error_of(iam.get_context_keys_for_custom_policy, PolicyInputList=documents)[::2] == (expected, 400)
    else:
        listed = iam.get_context_keys_for_custom_policy(PolicyInputList=documents)["ContextKeyNames"]
        assert sorted(listed) == sorted(expected)


def test_context_keys_for_a_principal(aws):
    """context_keys_aws.json, "principal": "user_with_shared_attachment_and_boundary" (a policy attached to the
    user and to its group counted once, the permissions boundary's keys listed), "group", "extra_duplicate" (a
    PolicyInputList document repeating the user's keys)."""
    iam = aws.client("iam")

    def tagged(tag: str) -> str:
        return _document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                          "Condition": {"StringEquals": {f"aws:PrincipalTag/{tag}": "x"}}})

    managed = iam.create_policy(PolicyName="managed", PolicyDocument=tagged("Managed"))["Policy"]["Arn"]
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=tagged("BoundaryOnly"))["Policy"]["Arn"]
    iam.create_group(GroupName="g")
    iam.put_group_policy(GroupName="g", PolicyName="inline", PolicyDocument=tagged("GroupInline"))
    iam.attach_group_policy(GroupName="g", PolicyArn=managed)
    iam.create_user(UserName="u", PermissionsBoundary=boundary)
    iam.put_user_policy(UserName="u", PolicyName="inline", PolicyDocument=tagged("UserInline"))
    iam.attach_user_policy(UserName="u", PolicyArn=managed)
    iam.add_user_to_group(GroupName="g", UserName="u")
    user, group = f"arn:aws:iam::{ACCOUNT}:user/u", f"arn:aws:iam::{ACCOUNT}:group/g"
    keys = ["aws:PrincipalTag/GroupInline", "aws:PrincipalTag/UserInline", "aws:PrincipalTag/Managed",
            "aws:PrincipalTag/BoundaryOnly"]
    assert sorted(iam.get_context_keys_for_principal_policy(PolicySourceArn=user)["ContextKeyNames"]) == \
        sorted(keys)
    assert sorted(iam.get_context_keys_for_principal_policy(PolicySourceArn=group)["ContextKeyNames"]) == \
        sorted(["aws:PrincipalTag/GroupInline", "aws:PrincipalTag/Managed"])
    extra = iam.get_context_keys_for_principal_policy(PolicySourceArn=user, PolicyInputList=[tagged("UserInline")])
    assert sorted(extra["ContextKeyNames"]) == sorted([*keys, "aws:PrincipalTag/UserInline"])


# ------------------------------------------------------------------------------------ identities and policies
def test_names_are_ascii_as_javas_word_class(aws):
    """testdata/aws/iam/identity_inputs.json "creates" (``name_suffix`` ``\\u00e9``: ValidationError on create and
    lookup, for users and groups)."""
    iam = aws.client("iam")
    for create, get, key in ((iam.create_user, iam.get_user, "UserName"),
                             (iam.create_group, iam.get_group, "GroupName")):
        assert error_of(create, **{key: "name\u00e9"})[::2] == ("ValidationError", 400)
        assert error_of(get, **{key: "name\u00e9"})[::2] == ("ValidationError", 400)


def test_list_policies_usage_filter_narrows_only_attached(aws):
    """testdata/aws/iam/policy_management.json "list_policies" (all nine combinations)."""
    iam = aws.client("iam")
    arns = {name: iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
            for name in ("attached", "both", "boundary", "unused")}
    iam.create_user(UserName="u", PermissionsBoundary=arns["boundary"])
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=EC2_TRUST, PermissionsBoundary=arns["both"])
    iam.attach_user_policy(UserName="u", PolicyArn=arns["attached"])
    iam.attach_group_policy(GroupName="g", PolicyArn=arns["attached"])
    iam.attach_role_policy(RoleName="r", PolicyArn=arns["attached"])
    iam.attach_group_policy(GroupName="g", PolicyArn=arns["both"])
    everything = ["attached", "both", "boundary", "unused"]
    expected = {(None, None): everything, (None, "PermissionsPolicy"): everything,
                (None, "PermissionsBoundary"): everything, (False, "PermissionsPolicy"): everything,
                (False, "PermissionsBoundary"): everything, (True, None): ["attached", "both", "boundary"],
                (True, "PermissionsPolicy"): ["attached", "both"], (True, "PermissionsBoundary"): ["both", "boundary"]}
    for (only_attached, usage), names in expected.items():
        request = {"Scope": "Local", **({"OnlyAttached": only_attached} if only_attached is not None else {}),
                   **({"PolicyUsageFilter": usage} if usage else {})}
        listed = sorted(policy["PolicyName"] for policy in iam.list_policies(**request)["Policies"])
        assert listed == names, request


def test_inline_policy_names_compare_case_insensitively(aws):
    """testdata/aws/iam/policy_management.json "inline" (user, group and role: Get and Delete of ``MIXEDNAME``
    find ``MixedName``; Get answers the name asked for; none remain)."""
    iam = aws.client("iam")
    deny = doc({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"})
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=EC2_TRUST)
    for kind, key, name in (("user", "UserName", "u"), ("group", "GroupName", "g"), ("role", "RoleName", "r")):
        getattr(iam, f"put_{kind}_policy")(**{key: name}, PolicyName="MixedName", PolicyDocument=deny)
        got = getattr(iam, f"get_{kind}_policy")(**{key: name}, PolicyName="MIXEDNAME")
        assert got["PolicyName"] == "MIXEDNAME" and got["PolicyDocument"]["Statement"][0]["Effect"] == "Deny"
        getattr(iam, f"delete_{kind}_policy")(**{key: name}, PolicyName="MIXEDNAME")
        assert getattr(iam, f"list_{kind}_policies")(**{key: name})["PolicyNames"] == []


def test_deleting_a_boundary_that_is_not_there(aws):
    """testdata/aws/iam/policy_management.json "delete_boundary_missing" (users and roles: NoSuchEntity)."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=EC2_TRUST)
    assert error_of(iam.delete_user_permissions_boundary, UserName="u")[::2] == ("NoSuchEntity", 404)
    assert error_of(iam.delete_role_permissions_boundary, RoleName="r")[::2] == ("NoSuchEntity", 404)


# ---------------------------------------------------------------------------------------- API keys' secrets
@pytest.mark.parametrize("service,prefix", [("bedrock.amazonaws.com", "ABSK"), ("logs.amazonaws.com", "ACWL"),
                                            ("cloudwatch.amazonaws.com", "APIAACWM"),
                                            ("aws-external-anthropic.amazonaws.com", "AEAA")])
def test_api_key_secrets_carry_their_services_prefix_and_alias(aws, service, prefix):
    """internal/services/iam/testdata/service_credentials_authorization_aws.json "<service>:public-token-envelope":
    the public prefix, the alias found in the envelope, a 60-character payload."""
    iam = aws.client("iam")
    iam.create_user(UserName="keyed")
    created = iam.create_service_specific_credential(UserName="keyed", ServiceName=service)[
        "ServiceSpecificCredential"]
    secret, alias = created["ServiceCredentialSecret"], created["ServiceCredentialAlias"]
    assert secret.startswith(prefix)
    envelope = base64.b64decode(secret[len(prefix):]).decode()
    found_alias, payload = envelope.rsplit(":", 1)
    assert found_alias == alias and len(payload) == 60


# ----------------------------------------------------------------------------------------- credential report
def test_the_credential_report_ends_without_a_newline(aws):
    """testdata/aws/iam/credential_report.json "completed_report" and "cached_report_repeat" (``csv_ends_with_newline``
    false, ``csv_uses_crlf`` false, the header line as recorded)."""
    iam = aws.client("iam")
    iam.create_user(UserName="reported")
    assert iam.generate_credential_report()["State"] == "STARTED"
    content = iam.get_credential_report()["Content"].decode()
    assert not content.endswith("\n") and "\r" not in content
    assert content.split("\n")[0] == (
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
        "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
        "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
        "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
        "cert_1_last_rotated,cert_2_active,cert_2_last_rotated")
    assert content.split("\n")[-1].startswith("reported,")
