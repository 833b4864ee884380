"""Organizations and delegation operations answer as for a standalone account; no IAM operation is unserved."""
from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError

from mockrunner.services import load_all, registry
from tests.iam.helpers import ACCOUNT, aws_error

NO_ORGANIZATION = ("OrganizationNotFoundException",
                   "The request was rejected because no organization is associated with your account.", 400)
REQUEST_ID = "d3b07384d113edec49eaa6238ad5ff00"



def test_every_operation_of_the_iam_model_is_served():
    load_all()
    model = botocore.session.get_session().get_service_model("iam")
    served = {name for service, name in registry.OPERATIONS if service == "iam"}
    assert sorted(set(model.operation_names) - served) == []


@pytest.mark.parametrize("operation", ["enable_organizations_root_credentials_management",
                                       "disable_organizations_root_credentials_management",
                                       "enable_organizations_root_sessions", "disable_organizations_root_sessions",
                                       "list_organizations_features"])
def test_organization_features_need_an_organization(aws, operation):
    with pytest.raises(ClientError) as excinfo:
        getattr(aws.client("iam"), operation)()
    assert aws_error(excinfo) == NO_ORGANIZATION


def test_organizations_access_reports_need_an_organization(aws):
    iam = aws.client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.generate_organizations_access_report(EntityPath="o-a1b2c3d4e5/r-f6g7h8i9j0example")
    assert aws_error(excinfo) == NO_ORGANIZATION
    with pytest.raises(ClientError) as excinfo:
        iam.get_organizations_access_report(JobId="00000000-0000-0000-0000-000000000000")
    assert aws_error(excinfo)[::2] == ("NoSuchEntity", 404)


def test_delegation_requests_do_not_exist_for_a_standalone_account(aws):
    iam = aws.client("iam")
    assert iam.list_delegation_requests()["DelegationRequests"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.create_delegation_request(Description="d", RequestorWorkflowId="flow-1", NotificationChannel="arn:x",
                                      Permissions={"PolicyTemplateArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                                      SessionDuration=900)
    assert aws_error(excinfo)[::2] == ("AccessDenied", 403)
    for call in (iam.get_delegation_request, iam.accept_delegation_request, iam.associate_delegation_request,
                 iam.reject_delegation_request, iam.update_delegation_request, iam.send_delegation_token):
        with pytest.raises(ClientError) as excinfo:
            call(DelegationRequestId=REQUEST_ID)
        assert aws_error(excinfo) == (
            "NoSuchEntity", f"The delegation request with id {REQUEST_ID} cannot be found.", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.get_human_readable_summary(EntityArn=f"arn:aws:iam::{ACCOUNT}:role/some-role")
    assert aws_error(excinfo)[::2] == ("InvalidInput", 400)


def test_sts_token_preference_is_recorded(aws):
    aws.client("iam").set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert aws.store.account(ACCOUNT).iam.sts_global_token_version == "v2Token"
