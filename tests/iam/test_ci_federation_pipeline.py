"""The CI deploy pipeline end to end, in both modes: GitHub token → deploy role → ECR push → App Runner service."""
from __future__ import annotations

import importlib.util
import pathlib
import sys

import pytest
from botocore.exceptions import ClientError

from tests.iam.federation import DENIED, admin, assume, mint
from tests.iam.helpers import ACCOUNT, aws_error

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "ci_federation.py"


def _example():
    """The example as a module, with its directory importable as when it runs as a script."""
    if str(EXAMPLE.parent) not in sys.path:
        sys.path.insert(0, str(EXAMPLE.parent))
    spec = importlib.util.spec_from_file_location("ci_federation_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_main_deploys_and_the_session_passes_only_its_access_role(aws):
    example = _example()
    role = example.set_up_account(aws.client("iam"), aws.client("ecr"), ACCOUNT)
    for job in ({"ref": "refs/heads/feature"}, {"ref": "refs/heads/main", "environment": "prod"}):
        with pytest.raises(ClientError) as excinfo:
            assume(aws, role, mint(aws, github={"repository": "acme/web", **job}))
        assert aws_error(excinfo) == DENIED
    credentials = assume(aws, role, mint(aws, github={"repository": "acme/web", "ref": "refs/heads/main"}))[
        "Credentials"]
    ecr = aws.client_for(credentials, "ecr")
    example.ecr_push.push_image(ecr, "web", "v1", example.CONFIG, example.LAYER)
    aws.client("ecr").create_repository(repositoryName="other")
    with pytest.raises(ClientError) as excinfo:
        example.ecr_push.push_image(ecr, "other", "v1", example.CONFIG, example.LAYER)
    assert aws_error(excinfo)[0] == "AccessDeniedException"
    aws.client("iam").create_role(RoleName="OtherAccessRole", AssumeRolePolicyDocument=example._document(
        {"Effect": "Allow", "Principal": {"Service": "build.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    apprunner = aws.client_for(credentials, "apprunner")
    source = {"ImageRepository": {"ImageIdentifier": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:v1",
                                  "ImageRepositoryType": "ECR", "ImageConfiguration": {"Port": "8080"}},
              "AutoDeploymentsEnabled": False}
    other = {**source, "AuthenticationConfiguration": {"AccessRoleArn": f"arn:aws:iam::{ACCOUNT}:role/OtherAccessRole"}}
    with pytest.raises(ClientError) as excinfo:
        apprunner.create_service(ServiceName="web-app", SourceConfiguration=other)
    code, message, _ = aws_error(excinfo)
    assert code == "AccessDeniedException" and "iam:PassRole" in message
    ok = {**source, "AuthenticationConfiguration": {
        "AccessRoleArn": f"arn:aws:iam::{ACCOUNT}:role/AppRunnerECRAccessRole"}}
    service = apprunner.create_service(ServiceName="web-app", SourceConfiguration=ok)["Service"]
    assert service["ServiceArn"].startswith(f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/web-app/")
    assert admin(aws, "POST", "/settle")[0] == 200
    described = aws.client("apprunner").describe_service(ServiceArn=service["ServiceArn"])["Service"]
    assert described["Status"] == "RUNNING"
    passed = [e for e in aws.store.decision_log if e["action"] == "iam:PassRole" and e["decision"] == "allowed"]
    assert passed[-1]["context"]["iam:PassedToService"] == "apprunner.amazonaws.com"


def test_the_example_runs(capsys):
    assert _example().main() == 0
    printed = capsys.readouterr().out
    assert "IAM received sub='repo:acme/web:environment:prod'" in printed and "RUNNING" in printed


def test_the_federated_session_pushes_through_the_registry(make_harness):
    """As a CI job does after federating: `docker login` with the session's ECR token, then push over the registry
    endpoint; the token carries the session, so the deploy role's policy decides each registry action."""
    from mockrunner.testing.oci import build_image
    from tests.registry.images import Registry, error_code, login_password

    aws = make_harness("server")
    example = _example()
    role = example.set_up_account(aws.client("iam"), aws.client("ecr"), ACCOUNT)
    credentials = assume(aws, role, mint(aws, github={"repository": "acme/web", "ref": "refs/heads/main"}))[
        "Credentials"]
    registry = Registry(aws.endpoint_url, login_password(aws.client_for(credentials, "ecr")))
    image = build_image("deployed from main")
    assert registry.push("web", image, "v1").status_code == 201
    pushed = aws.client("ecr").describe_images(repositoryName="web")["imageDetails"]
    assert [detail["imageDigest"] for detail in pushed] == [image.digest]
    aws.client("ecr").create_repository(repositoryName="other")
    refused = registry.call("POST", "/v2/other/blobs/uploads/")
    assert error_code(refused)[:2] == (403, "DENIED")
    denied = [e for e in aws.store.decision_log if e["action"] == "ecr:InitiateLayerUpload"
              and e["decision"] != "allowed"]
    assert denied and denied[-1]["principal"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/")
