"""Admin endpoints over real traffic: decisions of real denials, settle, failure reasons, instance-role creds."""
from __future__ import annotations

import json

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
    "Service": ["build.apprunner.amazonaws.com", "tasks.apprunner.amazonaws.com"]}}]}
SEED = {
    "roles": [{"name": "access", "trust_policy": TRUST}],  # no ECR pull permission: deployments fail
    "users": [{"name": "bob", "access_keys": [{"access_key_id": "AKIABOB0000000000000",
                                               "secret_access_key": "bob-secret"}]}],
    "ecr": {"repositories": [{"name": "web", "images": [{"tags": ["latest"]}]}]},
}


@pytest.fixture
def server():
    with ThreadedServer(Settings(log_requests=False, operation_delay=3600)) as running:
        assert requests.post(f"{running.endpoint_url}/_mockrunner/seed", json=SEED, timeout=10).status_code == 200
        yield running


def _client(server, service: str, key: str = "test", secret: str = "test"):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def test_decision_log_holds_the_denial_with_its_aws_message(server) -> None:
    with pytest.raises(ClientError) as denied:
        _client(server, "apprunner", "AKIABOB0000000000000", "bob-secret").list_services()
    url = f"{server.endpoint_url}/_mockrunner/decisions"
    entries = requests.get(url, params={"principal": "*:user/bob", "decision": "denied"}, timeout=10).json()
    assert entries["count"] == 1
    entry = entries["decisions"][0]
    assert entry["action"] == "apprunner:ListServices" and entry["decision"] == "implicitDeny"
    assert entry["message"] == denied.value.response["Error"]["Message"]
    assert requests.get(url, params={"principal": "*:user/bob", "decision": "allowed"}, timeout=10).json()["count"] == 0


def test_settle_failures_and_instance_role_credentials(server) -> None:
    apprunner = _client(server, "apprunner")
    arn = apprunner.create_service(ServiceName="web-app", SourceConfiguration={
        "ImageRepository": {"ImageIdentifier": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:latest",
                            "ImageRepositoryType": "ECR"},
        "AuthenticationConfiguration": {"AccessRoleArn": "arn:aws:iam::123456789012:role/access"},
        "AutoDeploymentsEnabled": False},
        InstanceConfiguration={"InstanceRoleArn": "arn:aws:iam::123456789012:role/access"},
    )["Service"]["ServiceArn"]
    base = f"{server.endpoint_url}/_mockrunner"
    assert requests.get(f"{base}/pending", timeout=10).json()["pending"]
    assert requests.post(f"{base}/settle", timeout=10).json()["settled"] >= 1
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "CREATE_FAILED"
    failures = requests.get(f"{base}/apprunner/failures", params={"service_arn": arn}, timeout=10).json()
    assert failures["failures"] and failures["failures"][0]["reason"]
    missing = arn.rsplit("/", 1)[0] + "/00000000000000000000000000000000"
    assert requests.get(f"{base}/apprunner/failures", params={"service_arn": missing}, timeout=10).status_code == 404
    # A service that never ran has no instances, so no instance credentials; one that runs has.
    response = requests.get(f"{base}/apprunner/instance-role-credentials", params={"service_arn": arn}, timeout=10)
    assert (response.status_code, response.json()["error"]) == (400, "InvalidStateException"), response.text
    running = apprunner.create_service(ServiceName="public-app", SourceConfiguration={
        "ImageRepository": {"ImageIdentifier": "public.ecr.aws/nginx/nginx:latest",
                            "ImageRepositoryType": "ECR_PUBLIC"},
        "AutoDeploymentsEnabled": False},
        InstanceConfiguration={"InstanceRoleArn": "arn:aws:iam::123456789012:role/access"},
    )["Service"]["ServiceArn"]
    requests.post(f"{base}/settle", timeout=10)
    assert apprunner.describe_service(ServiceArn=running)["Service"]["Status"] == "RUNNING"
    response = requests.get(f"{base}/apprunner/instance-role-credentials", params={"service_arn": running},
                            timeout=10)
    assert response.status_code == 200, response.text
    credentials = response.json()["credentials"]
    identity = boto3.client("sts", endpoint_url=server.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"]).get_caller_identity()
    assert ":assumed-role/access/" in identity["Arn"]


def test_state_export_import_over_http_keeps_users_working(server) -> None:
    base = f"{server.endpoint_url}/_mockrunner"
    exported = requests.get(f"{base}/state", timeout=10).json()
    assert requests.post(f"{base}/reset", timeout=10).status_code == 200
    with pytest.raises(ClientError):
        _client(server, "sts", "AKIABOB0000000000000", "bob-secret").get_caller_identity()
    imported = requests.put(f"{base}/state", data=json.dumps(exported), timeout=10)
    assert imported.status_code == 200
    arn = _client(server, "sts", "AKIABOB0000000000000", "bob-secret").get_caller_identity()["Arn"]
    assert arn == "arn:aws:iam::123456789012:user/bob"


def test_complete_handshake_makes_a_connection_available(server) -> None:
    apprunner = _client(server, "apprunner")
    arn = apprunner.create_connection(ConnectionName="github", ProviderType="GITHUB")["Connection"]["ConnectionArn"]
    assert apprunner.list_connections()["ConnectionSummaryList"][0]["Status"] == "PENDING_HANDSHAKE"
    url = f"{server.endpoint_url}/_mockrunner/apprunner/connections/complete-handshake"
    answer = requests.post(url, json={"connection_arn": arn}, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"connection_arn": arn, "status": "AVAILABLE"}
    assert apprunner.list_connections()["ConnectionSummaryList"][0]["Status"] == "AVAILABLE"
    missing = arn.rsplit("/", 1)[0] + "/00000000000000000000000000000000"
    assert requests.post(url, params={"connection_arn": missing}, timeout=10).status_code == 404
    bad = requests.post(url, json={"connection_arn": "nope"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "InvalidConnectionArn"


def test_complete_handshake_helper_of_the_mock() -> None:
    from mockrunner import mock_apprunner

    with mock_apprunner() as mock:
        apprunner = boto3.client("apprunner")
        created = apprunner.create_connection(ConnectionName="github-two", ProviderType="GITHUB")
        arn = created["Connection"]["ConnectionArn"]
        mock.complete_handshake(arn)
        assert apprunner.list_connections()["ConnectionSummaryList"][0]["Status"] == "AVAILABLE"
        with pytest.raises(ValueError, match="no App Runner connection"):
            mock.complete_handshake(arn + "x")
