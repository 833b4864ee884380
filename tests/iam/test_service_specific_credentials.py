"""Service-specific credentials (CodeCommit, Keyspaces, Bedrock API keys) through boto3, in both modes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key

CODECOMMIT = "codecommit.amazonaws.com"


def test_create_list_reset_update_delete(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="git")
    created = iam.create_service_specific_credential(UserName="git", ServiceName=CODECOMMIT)[
        "ServiceSpecificCredential"]
    credential_id = created["ServiceSpecificCredentialId"]
    assert created["ServiceUserName"] == f"git-at-{ACCOUNT}" and created["Status"] == "Active"
    assert len(created["ServicePassword"]) >= 40 and "ExpirationDate" not in created
    listed = iam.list_service_specific_credentials(UserName="git")["ServiceSpecificCredentials"]
    assert [item["ServiceSpecificCredentialId"] for item in listed] == [credential_id]
    assert "ServicePassword" not in listed[0]
    reset = iam.reset_service_specific_credential(UserName="git", ServiceSpecificCredentialId=credential_id)[
        "ServiceSpecificCredential"]
    assert reset["ServicePassword"] != created["ServicePassword"]
    iam.update_service_specific_credential(UserName="git", ServiceSpecificCredentialId=credential_id,
                                           Status="Inactive")
    assert iam.list_service_specific_credentials(UserName="git", ServiceName=CODECOMMIT)[
        "ServiceSpecificCredentials"][0]["Status"] == "Inactive"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="git")
    assert aws_error(excinfo) == (
        "DeleteConflict", "Cannot delete entity, must remove referenced objects first.", 409)
    iam.delete_service_specific_credential(UserName="git", ServiceSpecificCredentialId=credential_id)
    with pytest.raises(ClientError) as excinfo:
        iam.reset_service_specific_credential(UserName="git", ServiceSpecificCredentialId=credential_id)
    assert aws_error(excinfo) == ("NoSuchEntity", f"No such credential {credential_id} exists", 404)
    iam.delete_user(UserName="git")


def test_services_quota_and_bedrock_api_keys(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_specific_credential(UserName="dev", ServiceName="s3.amazonaws.com")
    assert aws_error(excinfo) == (
        "NoSuchEntity", "No such service s3.amazonaws.com is supported for Service Specific Credentials", 404)
    for _ in range(2):
        iam.create_service_specific_credential(UserName="dev", ServiceName=CODECOMMIT)
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_specific_credential(UserName="dev", ServiceName=CODECOMMIT)
    assert aws_error(excinfo) == (
        "LimitExceeded", "Cannot exceed quota for ContextSpecificCredentialsPerUserPerContext: 2", 409)
    keyspaces = iam.create_service_specific_credential(UserName="dev", ServiceName="cassandra.amazonaws.com")
    assert keyspaces["ServiceSpecificCredential"]["ServiceName"] == "cassandra.amazonaws.com"
    bedrock = iam.create_service_specific_credential(UserName="dev", ServiceName="bedrock.amazonaws.com",
                                                     CredentialAgeDays=30)["ServiceSpecificCredential"]
    assert bedrock["ServiceCredentialAlias"] == f"dev-at-{ACCOUNT}"
    assert bedrock["ServiceCredentialSecret"].startswith("ABSK") and "ServicePassword" not in bedrock
    assert bedrock["ExpirationDate"] - bedrock["CreateDate"] == timedelta(days=30)
    assert len(iam.list_service_specific_credentials(UserName="dev")["ServiceSpecificCredentials"]) == 4
    iam.create_user(UserName="other")
    iam.create_service_specific_credential(UserName="other", ServiceName=CODECOMMIT)
    assert len(iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]) == 5


def test_a_user_manages_its_own_credentials_and_they_survive_export(aws):
    iam = aws.client("iam")
    credentials = user_with_key(aws, "me", inline={"p": doc(allow(
        ["iam:CreateServiceSpecificCredential", "iam:ListServiceSpecificCredentials"],
        f"arn:aws:iam::{ACCOUNT}:user/me"))})
    me = aws.client_for(credentials, "iam")
    me.create_service_specific_credential(UserName="me", ServiceName=CODECOMMIT)
    assert len(me.list_service_specific_credentials()["ServiceSpecificCredentials"]) == 1
    iam.create_user(UserName="you")
    with pytest.raises(ClientError) as excinfo:
        me.create_service_specific_credential(UserName="you", ServiceName=CODECOMMIT)
    assert aws_error(excinfo)[0] == "AccessDenied"
    exported = snapshot.export_state(aws.store)
    aws.store.reset()
    snapshot.import_state(aws.store, exported)
    assert len(iam.list_service_specific_credentials(UserName="me")["ServiceSpecificCredentials"]) == 1
