"""An attacker's forty-sixth pass: federation (SAML, OIDC, role chains), the registry as registry clients use it,
the in-process ways in beside moto, authorization across App Runner, IAM and ECR, the request edge (HTTP framing
and SigV4), the dashboard in a browser, and the ECR and App Runner APIs operation by operation.  Real clients: boto3
in both modes.

Findings (each test failed before its fix):

- **Medium (ECR fidelity).** A registry scanning rule's filter without ``*`` selected only the repository of exactly
  that name, and the first rule selecting a repository decided its frequency.  AWS: "a filter with no wildcard will
  match all repository names that contain the filter" (a filter ``prod`` scans ``repo-prod`` on push), and "if you
  are using enhanced scanning and specify separate filters for scan on push and continuous scanning where multiple
  filters match the same repository, then Amazon ECR enforces the continuous scanning filter over the scan on push
  filter for that repository" (ECR User Guide, "Filters to choose which repositories are scanned").
- **Low (ECR wording).** DescribeRepositories with ``repositoryNames`` and ``nextToken`` named ``maxResults``, which
  the request did not carry, as the offending parameter.
"""
from __future__ import annotations

import base64
import hashlib
import html as markup
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner import mock_apprunner
from mockrunner.app import create_app
from mockrunner.config import AccountKeys, Settings
from mockrunner.services.apprunner.autoscaling import IN_USE
from tests.apprunner.helpers import ACCOUNT, PUBLIC_SOURCE, code, error_of, message, private_source, service_role
from tests.dashboard.test_pages import _total, page
from tests.ecr.pushing import BLOBS, DOCKER_LAYER, DOCKER_MANIFEST, image_manifest, put_image, upload_blob
from tests.harness import MODES, OTHER_ACCOUNT, Harness
from tests.iam.federation import assume as assume_web_identity
from tests.iam.federation import mint, web_identity_trust
from tests.iam.saml_federation import assume, saml_provider, saml_response, saml_role
from tests.registry.images import Registry, error_code, login_password
from tests.suggest.helpers import admin, user_keys
from tests.ways.test_mock_decorator import ROOT_DIR, clean_shell_lines


def _scanning(ecr, names: list[str]) -> dict[str, tuple[str, list[str]]]:
    answer = ecr.batch_get_repository_scanning_configuration(repositoryNames=names)["scanningConfigurations"]
    return {c["repositoryName"]: (c["scanFrequency"], [f["filter"] for f in c["appliedScanFilters"]])
            for c in answer}


def _rule(frequency: str, *filters: str) -> dict:
    return {"scanFrequency": frequency, "repositoryFilters": [{"filter": f, "filterType": "WILDCARD"}
                                                              for f in filters]}


# The ECR User Guide's table ("Filters to choose which repositories are scanned"): names across, filters down.
_GUIDE_NAMES = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"]
_GUIDE_TABLE = {"prod": "YYYYY", "*prod": "YYNNN", "prod*": "YNYNY", "*prod*": "YYYYY", "prod*repo": "NNYNY"}


@pytest.mark.parametrize("pattern", list(_GUIDE_TABLE))
def test_a_scanning_filter_selects_repositories_as_the_user_guide_tabulates(aws, pattern) -> None:
    ecr = aws.client("ecr")
    for name in _GUIDE_NAMES:
        ecr.create_repository(repositoryName=name)
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[_rule("SCAN_ON_PUSH", pattern)])
    got = _scanning(ecr, _GUIDE_NAMES)
    expected = {name: (("SCAN_ON_PUSH", [pattern]) if mark == "Y" else ("MANUAL", []))
                for name, mark in zip(_GUIDE_NAMES, _GUIDE_TABLE[pattern], strict=True)}
    assert got == expected


def test_a_push_to_a_repository_whose_name_contains_the_filter_is_scanned(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="svc-prod-api")
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[_rule("SCAN_ON_PUSH", "prod")])
    put_image(ecr, repositoryName="svc-prod-api", imageManifest=image_manifest("scan46"), imageTag="v1")
    image = ecr.describe_images(repositoryName="svc-prod-api", imageIds=[{"imageTag": "v1"}])["imageDetails"][0]
    assert "imageScanStatus" in image


@pytest.mark.parametrize("order", ["push-rule-first", "continuous-rule-first"])
def test_continuous_scanning_wins_over_scan_on_push_whatever_the_order(aws, order) -> None:
    ecr = aws.client("ecr")
    for name in ("prod-repo", "dev-repo"):
        ecr.create_repository(repositoryName=name)
    rules = [_rule("SCAN_ON_PUSH", "*"), _rule("CONTINUOUS_SCAN", "prod*")]
    if order == "continuous-rule-first":
        rules.reverse()
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=rules)
    assert _scanning(ecr, ["prod-repo", "dev-repo"]) == {"prod-repo": ("CONTINUOUS_SCAN", ["prod*"]),
                                                         "dev-repo": ("SCAN_ON_PUSH", ["*"])}


@pytest.mark.parametrize("paging", [{"nextToken": "x"}, {"maxResults": 5}])
def test_describe_repositories_names_the_paging_parameter_it_was_given(aws, paging) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="pg/r1")
    with pytest.raises(ecr.exceptions.InvalidParameterException) as refused:
        ecr.describe_repositories(repositoryNames=["pg/r1"], **paging)
    member = next(iter(paging))
    assert f"Invalid parameter at '{member}'" in str(refused.value)


# ------------------------------------------------------------------------------------------------ App Runner
_PROVIDED_ASC = ("arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration/1/"
                 "00000000000000000000000000000001")


def _image_source(variables: dict | None = None, secrets: dict | None = None) -> dict:
    configuration = {"RuntimeEnvironmentVariables": variables or {}, "RuntimeEnvironmentSecrets": secrets or {}}
    return {"ImageRepository": {**PUBLIC_SOURCE["ImageRepository"], "ImageConfiguration": configuration},
            "AutoDeploymentsEnabled": False}


@pytest.mark.parametrize("environment", [
    {"variables": {"AWSAPPRUNNER_FOO": "x"}}, {"variables": {"PORT": "9000"}},
    {"secrets": {"AWSAPPRUNNER_TOKEN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf"}},
    {"secrets": {"PORT": "arn:aws:ssm:us-east-1:123456789012:parameter/port"}},
], ids=["variable-prefix", "variable-port", "secret-prefix", "secret-port"])
def test_reserved_environment_names_are_refused_on_create_and_update(aws, environment) -> None:
    apprunner = aws.client("apprunner")
    error = error_of(apprunner.create_service, ServiceName="reserved-env", SourceConfiguration=_image_source(
        **environment))
    assert code(error) == "InvalidRequestException"
    assert not apprunner.list_services()["ServiceSummaryList"]
    arn = apprunner.create_service(ServiceName="plain-env", SourceConfiguration=_image_source(
        {"APP_PORT": "9000", "awsapprunner_lower": "x"}))["Service"]["ServiceArn"]
    aws.store.clock.advance(aws.store.settings.operation_delay + 1)
    error = error_of(apprunner.update_service, ServiceArn=arn, SourceConfiguration=_image_source(**environment))
    assert code(error) == "InvalidRequestException"
    image = apprunner.describe_service(ServiceArn=arn)["Service"]["SourceConfiguration"]["ImageRepository"]
    assert image["ImageConfiguration"]["RuntimeEnvironmentVariables"] == {"APP_PORT": "9000",
                                                                          "awsapprunner_lower": "x"}


def test_app_runners_own_default_configuration_is_deletable_once_another_is_the_default(aws) -> None:
    apprunner = aws.client("apprunner")
    error = error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=_PROVIDED_ASC)
    assert message(error) == "You can't delete a reserved auto scaling configuration: '%s'."
    mine = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="my-default")
    apprunner.update_default_auto_scaling_configuration(
        AutoScalingConfigurationArn=mine["AutoScalingConfiguration"]["AutoScalingConfigurationArn"])
    deleted = apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=_PROVIDED_ASC)
    assert deleted["AutoScalingConfiguration"]["Status"] == "inactive"
    listed = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert [item["AutoScalingConfigurationName"] for item in listed] == ["my-default"]


def test_held_app_runners_own_default_configuration_is_not_deleted_while_a_service_uses_it(aws) -> None:
    apprunner = aws.client("apprunner")
    apprunner.create_service(ServiceName="uses-provided", SourceConfiguration=PUBLIC_SOURCE)
    mine = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="my-default")
    apprunner.update_default_auto_scaling_configuration(
        AutoScalingConfigurationArn=mine["AutoScalingConfiguration"]["AutoScalingConfigurationArn"])
    error = error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=_PROVIDED_ASC)
    assert (code(error), message(error)) == ("InvalidRequestException", IN_USE)


def test_a_deleted_connection_is_gone_within_terraforms_five_minute_delete_wait(aws) -> None:
    apprunner = aws.client("apprunner")
    arn = apprunner.create_connection(ConnectionName="tf-conn", ProviderType="GITHUB")["Connection"]["ConnectionArn"]
    apprunner.delete_connection(ConnectionArn=arn)
    listed = apprunner.list_connections(ConnectionName="tf-conn")["ConnectionSummaryList"]
    assert [item["Status"] for item in listed] == ["DELETED"]
    aws.store.clock.advance(5 * 60)
    assert apprunner.list_connections(ConnectionName="tf-conn")["ConnectionSummaryList"] == []


@pytest.mark.parametrize("trust", ["principal-is-aws-service", "perimeter-guard"])
def test_app_runner_assumes_roles_as_an_aws_service_principal(aws, trust) -> None:
    apprunner, iam = aws.client("apprunner"), aws.client("iam")
    allow = {"Effect": "Allow", "Principal": {"Service": "tasks.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}
    statements = {
        "principal-is-aws-service": [{**allow, "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}],
        "perimeter-guard": [allow, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                                    "Condition": {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}],
    }[trust]
    role = iam.create_role(RoleName="instance", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))["Role"]["Arn"]
    created = apprunner.create_service(ServiceName="guarded", SourceConfiguration=PUBLIC_SOURCE,
                                       InstanceConfiguration={"InstanceRoleArn": role})
    assert created["Service"]["InstanceConfiguration"]["InstanceRoleArn"] == role


def test_held_a_trust_requiring_a_non_service_caller_still_refuses_app_runner(aws) -> None:
    apprunner, iam = aws.client("apprunner"), aws.client("iam")
    role = iam.create_role(RoleName="instance", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "tasks.apprunner.amazonaws.com"},
                       "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:PrincipalIsAWSService": "false"}}}]}
    ))["Role"]["Arn"]
    error = error_of(apprunner.create_service, ServiceName="guarded", SourceConfiguration=PUBLIC_SOURCE,
                     InstanceConfiguration={"InstanceRoleArn": role})
    assert message(error) == f"Error in assuming instance role {role}"


# ------------------------------------------------------------------------------------------------ federation
_DS, _DSIG11 = "http://www.w3.org/2000/09/xmldsig#", "http://www.w3.org/2009/xmldsig11#"


def _with_key_info(assertion: str, add: Callable[[Any], None]) -> str:
    """The signed response with ``add`` applied to its signature's KeyInfo, which the signature does not cover."""
    from lxml import etree

    root = etree.fromstring(base64.b64decode(assertion))
    key_info = root.find(f".//{{{_DS}}}Signature/{{{_DS}}}KeyInfo")
    add(key_info)
    return base64.b64encode(etree.tostring(root)).decode()


def _empty_modulus(key_info: Any) -> None:
    from lxml import etree

    value = etree.SubElement(etree.SubElement(key_info, f"{{{_DS}}}KeyValue"), f"{{{_DS}}}RSAKeyValue")
    etree.SubElement(value, f"{{{_DS}}}Modulus")
    etree.SubElement(value, f"{{{_DS}}}Exponent").text = "AQAB"


def _empty_der_key(key_info: Any) -> None:
    from lxml import etree

    etree.SubElement(key_info, f"{{{_DSIG11}}}DEREncodedKeyValue")


@pytest.mark.parametrize("tamper", [_empty_modulus, _empty_der_key], ids=["empty-modulus", "empty-der-key"])
def test_key_info_the_signature_does_not_cover_is_not_read(aws, tamper) -> None:
    saml_provider(aws)
    role = saml_role(aws)
    answer = assume(aws, role, _with_key_info(saml_response(aws, role), tamper))
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/federated/alice")


# ------------------------------------------------------------------------------------------------ ECR and registry
_LAYERS_EXCEEDED = ("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Limit on number of layers "
                    "per image exceeded'")


def _many_layers(count: int) -> str:
    layers = [{"mediaType": DOCKER_LAYER, "size": 2, "digest": "sha256:" + hashlib.sha256(b"%d" % i).hexdigest()}
              for i in range(count)]
    config = {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
              "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest()}
    return json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "config": config, "layers": layers})


def test_an_image_of_more_than_500_layers_is_refused(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="deep")
    with pytest.raises(ecr.exceptions.InvalidParameterException) as refused:
        ecr.put_image(repositoryName="deep", imageManifest=_many_layers(501), imageTag="v1")
    assert refused.value.response["Error"]["Message"] == _LAYERS_EXCEEDED
    # 500 is within the limit: refused only for the layers it names that were never pushed
    with pytest.raises(ecr.exceptions.LayersNotFoundException):
        ecr.put_image(repositoryName="deep", imageManifest=_many_layers(500), imageTag="v1")


def test_a_registry_push_of_more_than_500_layers_is_unsupported(served) -> None:
    registry = Registry(served.endpoint_url, login_password(served.client("ecr")))
    served.client("ecr").create_repository(repositoryName="deep")
    answer = registry.put_manifest("deep", "v1", _many_layers(501).encode(), media_type=DOCKER_MANIFEST)
    assert error_code(answer) == (405, "UNSUPPORTED", _LAYERS_EXCEEDED)


@pytest.mark.parametrize("spelling", ['{"n": NaN}', '{"i": Infinity}', '{"big": 1e999}', '{"k": 7}', '["a"]'],
                         ids=["nan", "infinity", "past-a-double", "not-a-string", "not-a-map"])
def test_a_manifest_that_is_no_json_or_has_non_string_annotations_is_refused(aws, spelling) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="notes")
    text = image_manifest("notes46")
    for digest in (item["digest"] for item in (json.loads(text)["config"], *json.loads(text)["layers"])):
        upload_blob(ecr, "notes", BLOBS[digest])
    annotated = text[:-1] + f', "annotations": {spelling}}}'
    with pytest.raises(ecr.exceptions.InvalidParameterException) as refused:
        ecr.put_image(repositoryName="notes", imageManifest=annotated, imageTag="v1")
    assert "Invalid JSON syntax" in str(refused.value)
    assert ecr.list_images(repositoryName="notes")["imageIds"] == []
    held = text[:-1] + ', "annotations": {"org.example": "7"}}'
    assert ecr.put_image(repositoryName="notes", imageManifest=held, imageTag="v1")["image"]["imageId"]["imageTag"] \
        == "v1"


# ------------------------------------------------------------------------------------------------ SigV4
def _with_credential(served, rewrite: Callable[[list[str]], list[str]]) -> requests.Response:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest("POST", served.endpoint_url + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(request)
    header = request.headers["Authorization"]
    credential = header.split("Credential=", 1)[1].split(",", 1)[0]
    headers = dict(request.headers)
    headers["Authorization"] = header.replace(credential, "/".join(rewrite(credential.split("/"))))
    return requests.post(served.endpoint_url + "/", data=request.body, headers=headers, timeout=10)


@pytest.mark.parametrize("rewrite", [lambda parts: parts[:4], lambda parts: [*parts, "x"],
                                     lambda parts: ["AKIA/SLASH", *parts[1:]]],
                         ids=["four", "six", "slash-in-key"])
def test_a_credential_of_other_than_five_elements_is_named_as_aws_names_it(served, rewrite) -> None:
    answer = _with_credential(served, rewrite)
    sent = "/".join(rewrite(["test", *"x" * 4]))  # the shape only: the date is the signer's
    assert answer.status_code == 400
    assert "<Code>IncompleteSignature</Code>" in answer.text
    assert "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" \
        in answer.text
    assert sent.count("/") == answer.text.split("got '", 1)[1].split("'", 1)[0].count("/")


def test_a_credential_with_another_terminator_is_named_as_aws_names_it(served) -> None:
    answer = _with_credential(served, lambda parts: [*parts[:4], "aws5_request"])
    assert answer.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in answer.text
    assert ("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
            in answer.text)


# ------------------------------------------------------------------------------------------------ in process
_MOTO_FIRST = """
import boto3
from moto import mock_aws
from mockrunner import mock_apprunner
early_session = boto3.Session(region_name="us-east-1")          # application code: made at import, before any mock
early_client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing")
with mock_aws(), mock_apprunner():
    early_session.client("iam").create_user(UserName="alice")
    print([user["UserName"] for user in boto3.client("iam").list_users()["Users"]])
    print(early_session.client("sts").get_caller_identity()["Arn"])
    try:
        early_client.create_user(UserName="bob")
        print("accepted")
    except Exception as error:
        print(error.response["Error"]["Code"])
    print(boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"])
"""


def test_clients_made_before_the_mock_beside_moto_are_answered_by_mockrunner(tmp_path) -> None:
    # alice is in mockrunner (not moto), the caller is mockrunner's root (moto's is user/moto), moto's keys for a
    # client made outside are refused as mockrunner refuses unknown keys, and S3 is still moto's
    assert clean_shell_lines(_MOTO_FIRST, tmp_path)[:4] == ["['alice']", "arn:aws:iam::123456789012:root",
                                                            "InvalidClientTokenId", "[]"]


def test_the_server_fixture_clears_what_would_send_its_clients_elsewhere(monkeypatch, request) -> None:
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "stale-token-from-the-shell")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    server = request.getfixturevalue("mockrunner_server")
    sts = boto3.Session().client("sts")
    assert sts.meta.endpoint_url == server.endpoint_url
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"


def test_a_region_only_in_aws_region_is_no_region_to_botocore_so_the_mock_sets_one(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_apprunner():
        client = boto3.Session().client("apprunner")
        assert client.list_services()["ServiceSummaryList"] == []
        assert client.meta.region_name == "us-east-1"
    assert "AWS_DEFAULT_REGION" not in os.environ and os.environ["AWS_REGION"] == "eu-west-1"


@pytest.mark.parametrize("make", [lambda doc: (d for d in [doc]), lambda doc: [doc], lambda doc: doc],
                         ids=["generator", "list", "one-document"])
def test_seeds_may_be_any_iterable(make) -> None:
    document = {"ecr": {"repositories": [{"name": "seeded"}]}}
    with mock_apprunner(seed=make(document)):
        names = [r["repositoryName"] for r in boto3.client("ecr").describe_repositories()["repositories"]]
    assert names == ["seeded"]


# ------------------------------------------------------------------------------------------------ the dashboard
@pytest.fixture(params=MODES)
def dashboard(request, make_harness) -> Harness:
    return make_harness(request.param, Settings(log_requests=False, operation_delay=0))


def _denied_describes(harness: Harness, keys: dict, times: int) -> None:
    ecr = harness.client("ecr", **keys)
    for _ in range(times):
        with pytest.raises(ClientError):
            ecr.describe_repositories()


def test_a_decision_id_of_more_digits_than_python_reads_is_not_found(dashboard) -> None:
    for digits in (5000, 4300, 1):
        status, html = page(dashboard, "/decisions/" + "9" * digits)
        assert status == 404 and "DecisionNotFound" in html


def test_the_overviews_link_lists_that_principals_decisions_only(dashboard) -> None:
    iam = dashboard.client("iam")
    made = {}
    for name, path, times in (("dev", "/", 1), ("dev2", "/", 3), ("ops", "/[x]*/", 2)):
        iam.create_user(UserName=name, Path=path)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        made[name] = f"arn:aws:iam::{ACCOUNT}:user{path}{name}"
        _denied_describes(dashboard, {"access_key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}, times)
    overview = page(dashboard, "/")[1]
    for name, times in (("dev", 1), ("dev2", 3), ("ops", 2)):
        link = markup.unescape(re.search(rf'<a href="/_mockrunner/ui(/decisions\?[^"]*)">{re.escape(made[name])}</a>',
                                         overview).group(1))
        path, _, query = link.partition("?")
        assert _total(page(dashboard, path, **dict(parse_qsl(query)))[1]) == times
    # a pattern's [ and ? are themselves: "*[x]*" names the principal whose path holds "[x]"
    assert _total(page(dashboard, "/decisions", principal="*[x]*")[1]) == 2


def test_the_live_count_counts_a_burst_of_more_than_a_page(dashboard) -> None:
    keys = user_keys(dashboard, "burst")
    newest = json.loads(page(dashboard, "/decisions/rows", after="0")[1])["last"]
    _denied_describes(dashboard, keys, 60)
    fresh = json.loads(page(dashboard, "/decisions/rows", after=str(newest), principal="burst")[1])
    assert (fresh["count"], fresh["matching"]) == (50, 60)


def test_the_login_page_is_styled_without_the_token_and_nothing_else_is_open() -> None:
    client = create_app(Settings(log_requests=False, operation_delay=0, admin_token="t" * 24)).test_client()
    for asset, kind in (("dashboard.css", "text/css"), ("dashboard.js", "javascript"), ("favicon.svg", "svg")):
        answer = client.get(f"/_mockrunner/ui/static/{asset}")
        assert answer.status_code == 200 and kind in answer.headers["Content-Type"]
    assert client.get("/_mockrunner/ui/decisions").status_code == 401
    assert client.get("/_mockrunner/ui/static/dashboard.css", headers={"Origin": "http://evil.example"}
                      ).status_code == 403


def test_the_fix_for_a_refused_create_names_the_services_id_as_any(dashboard) -> None:
    keys = user_keys(dashboard, "dev")
    apprunner = dashboard.client("apprunner", **keys)
    with pytest.raises(ClientError):
        apprunner.create_service(ServiceName="shop-web", SourceConfiguration=PUBLIC_SOURCE)
    status, logged = admin(dashboard, "GET", "/decisions", params={"decision": "denied"})
    refused = [entry for entry in logged["decisions"] if entry["action"] == "apprunner:CreateService"][-1]
    status, fix = admin(dashboard, "GET", "/policies/suggest", params={"decision": str(refused["id"])})
    assert status == 200
    assert fix["statement"]["Resource"] == f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/shop-web/*"


# ------------------------------------------------------------------------------------------------ built-in providers
_POOL = "us-east-1:12345678-abcd-abcd-abcd-123456789012"


def _cognito_role(aws: Harness) -> str:
    """The trust policy of the Amazon Cognito Developer Guide, "Role trust and permissions"."""
    return aws.client("iam").create_role(RoleName="Cognito_Auth", AssumeRolePolicyDocument=web_identity_trust(
        "cognito-identity.amazonaws.com", {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": _POOL},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}))["Role"]["Arn"]


def _cognito_token(aws: Harness, pool: str = _POOL, amr: tuple[str, ...] = ("authenticated",)) -> str:
    return mint(aws, issuer="https://cognito-identity.amazonaws.com",
                claims={"sub": "us-east-1:aaaaaaaa-0000-0000-0000-000000000000", "aud": pool, "amr": list(amr)})


def test_a_cognito_identity_pool_role_is_assumed_without_an_iam_oidc_provider(aws) -> None:
    role = _cognito_role(aws)
    token = _cognito_token(aws, amr=("authenticated", "cognito-identity.amazonaws.com"))
    answer = assume_web_identity(aws, role, token)
    assert (answer["Provider"], answer["Audience"]) == ("cognito-identity.amazonaws.com", _POOL)
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Cognito_Auth/ci"


@pytest.mark.parametrize("token", [{"pool": "us-east-1:00000000-0000-0000-0000-000000000000"},
                                   {"amr": ("unauthenticated",)}], ids=["another-pool", "unauthenticated"])
def test_held_the_cognito_trust_policys_conditions_still_decide(aws, token) -> None:
    role = _cognito_role(aws)
    with pytest.raises(ClientError) as refused:
        assume_web_identity(aws, role, _cognito_token(aws, **token))
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_a_google_role_is_assumed_without_an_iam_oidc_provider(aws) -> None:
    role = aws.client("iam").create_role(RoleName="google", AssumeRolePolicyDocument=web_identity_trust(
        "accounts.google.com", {"StringEquals": {"accounts.google.com:aud": "client-1.apps.example"}}))["Role"]["Arn"]
    token = mint(aws, issuer="https://accounts.google.com",
                 claims={"sub": "1234567890", "aud": "client-1.apps.example"})
    assert assume_web_identity(aws, role, token)["Provider"] == "accounts.google.com"


def test_held_another_issuer_still_needs_an_iam_oidc_provider(aws) -> None:
    role = aws.client("iam").create_role(RoleName="gitlab", AssumeRolePolicyDocument=web_identity_trust(
        "gitlab.com", {"StringEquals": {"gitlab.com:aud": "sts"}}))["Role"]["Arn"]
    with pytest.raises(ClientError) as refused:
        assume_web_identity(aws, role, mint(aws, issuer="https://gitlab.com", claims={"sub": "project", "aud": "sts"}))
    assert refused.value.response["Error"]["Message"] == \
        "No OpenIDConnect provider found in your account for https://gitlab.com"


# ------------------------------------------------------------------------------------------------ numbers
_PAST_A_DECIMAL = "1e99999999999999999999"


def _numeric_condition_policy(value: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                       "Resource": "*", "Condition": {"NumericLessThan": {"aws:n": value}}}]})


def test_a_number_past_what_a_decimal_holds_is_answered_as_abc_is(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="n")
    answers = []
    for value in ("abc", _PAST_A_DECIMAL, "-" + _PAST_A_DECIMAL, "1e-99999999999999999999"):
        try:
            iam.put_user_policy(UserName="n", PolicyName="p", PolicyDocument=_numeric_condition_policy(value))
            answers.append("stored")
        except ClientError as error:
            answers.append(error.response["Error"]["Code"])
    assert set(answers) == {answers[0]} and answers[0] in ("stored", "MalformedPolicyDocument")


def test_a_context_entry_past_what_a_decimal_holds_is_invalid_input(aws) -> None:
    iam = aws.client("iam")
    with pytest.raises(ClientError) as refused:
        iam.simulate_custom_policy(
            PolicyInputList=[_numeric_condition_policy("5")], ActionNames=["s3:GetObject"],
            ContextEntries=[{"ContextKeyName": "aws:n", "ContextKeyType": "numeric",
                             "ContextKeyValues": [_PAST_A_DECIMAL]}])
    assert refused.value.response["Error"]["Code"] == "InvalidInput"


def test_a_request_value_past_what_a_decimal_holds_never_allows_and_still_denies(aws) -> None:
    iam = aws.client("iam")
    keys = user_keys(aws, "tagger", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:TagUser", "Resource": "*",
         "Condition": {"NumericGreaterThan": {"aws:RequestTag/n": "5"}}}]})
    tagger = aws.client("iam", **keys)
    for value in ("abc", _PAST_A_DECIMAL):
        with pytest.raises(ClientError) as refused:
            tagger.tag_user(UserName="tagger", Tags=[{"Key": "n", "Value": value}])
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert iam.list_user_tags(UserName="tagger")["Tags"] == []


# ------------------------------------------------------------------------------------------------ enforcement switched
def _set_mode(harness: Harness, mode: str) -> None:
    assert admin(harness, "PUT", "/enforce", body={"mode": mode})[0] == 200


def _unpullable_service(harness: Harness) -> str:
    """A service whose access role App Runner may assume but that may not pull: created RUNNING only without
    enforcement.  The deployment comes due one second after it is made."""
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("switch46"), imageTag="v1")
    role = service_role(harness, "access")  # trusts App Runner; no permission to pull
    source = {**private_source(role, "app:v1"), "AutoDeploymentsEnabled": False}
    return harness.client("apprunner").create_service(ServiceName="switched",
                                                      SourceConfiguration=source)["Service"]["ServiceArn"]


def _advance(harness: Harness, seconds: float) -> None:
    """The admin API's clock advance (saved, as a restart needs it)."""
    assert admin(harness, "POST", "/clock/advance", body={"seconds": seconds})[0] == 200


def _status(harness: Harness, arn: str) -> str:
    return harness.client("apprunner").describe_service(ServiceArn=arn)["Service"]["Status"]


@pytest.mark.parametrize("mode", MODES)
def test_an_operation_due_before_enforcement_is_switched_off_is_judged_enforced(mode, make_harness) -> None:
    harness = make_harness(mode, Settings(log_requests=False, operation_delay=1))
    arn = _unpullable_service(harness)
    _advance(harness, 2)  # due, and ended, while enforcement was on; nothing has looked since
    _set_mode(harness, "off")
    assert _status(harness, arn) == "CREATE_FAILED"


@pytest.mark.parametrize("mode", MODES)
def test_an_operation_due_after_enforcement_is_switched_off_is_judged_unenforced(mode, make_harness) -> None:
    harness = make_harness(mode, Settings(log_requests=False, operation_delay=1))
    arn = _unpullable_service(harness)
    _set_mode(harness, "off")
    _advance(harness, 2)
    assert _status(harness, arn) == "RUNNING"


@pytest.mark.parametrize("mode", MODES)
def test_a_restart_judges_what_was_shown_as_it_was_shown(mode, tmp_path) -> None:
    settings = Settings(log_requests=False, operation_delay=1, state_file=str(tmp_path / "state.bin"))
    harness = Harness(mode, settings)
    try:
        arn = _unpullable_service(harness)
        _set_mode(harness, "off")
        _advance(harness, 2)
        assert _status(harness, arn) == "RUNNING"  # shown; the read that completed it saved nothing
        harness = _restarted(harness, settings)  # enforcement "on" again, as configured
        assert _status(harness, arn) == "RUNNING"
        # an operation still pending at the restart comes due under the restarted server's mode
        apprunner = harness.client("apprunner")
        apprunner.start_deployment(ServiceArn=arn)
        _advance(harness, 2)
        operations = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
        assert (operations[0]["Type"], operations[0]["Status"]) == ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED")
    finally:
        harness.close()


def _restarted(harness: Harness, settings: Settings) -> Harness:
    harness.close()
    return Harness(harness.mode, settings)


# ------------------------------------------------------------------------------------------------ registry hosts
def _two_registries(make_harness) -> tuple[Harness, Registry]:
    """A server holding this account and another, each with its own ``app:v1``; a registry client of this one."""
    harness = make_harness("server", Settings(log_requests=False, operation_delay=0, extra_accounts=(
        AccountKeys(OTHER_ACCOUNT, "other-key", "other-secret"),)))
    for marker, client in (("mine", harness.client("ecr")),
                           ("other", harness.client("ecr", access_key="other-key", secret="other-secret"))):
        client.create_repository(repositoryName="app")
        put_image(client, repositoryName="app", imageManifest=image_manifest(marker), imageTag="v1")
    return harness, Registry(harness.endpoint_url, login_password(harness.client("ecr")))


def _head(registry: Registry, host: str) -> int:
    return registry.call("HEAD", "/v2/app/manifests/v1", headers={"Host": host}).status_code


@pytest.mark.parametrize("spelling", [str.upper, lambda host: host + ".",
                                      lambda host: host.replace("dkr.ecr.", "dkr.ecr-fips."),
                                      lambda host: host.replace("dkr.ecr.", "dkr-ecr.").replace(".amazonaws.com",
                                                                                                ".on.aws")],
                         ids=["upper-case", "trailing-dot", "fips", "dual-stack"])
def test_every_spelling_of_a_registry_host_names_that_registry(make_harness, spelling) -> None:
    harness, registry = _two_registries(make_harness)
    other = f"{OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert _head(registry, other) == 403  # the other account's repository does not grant this one
    assert _head(registry, spelling(other)) == 403
    elsewhere = f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com"
    assert _head(registry, elsewhere) == 400  # a token of us-east-1 at us-west-2's registry
    assert _head(registry, spelling(elsewhere)) == 400
    assert _head(registry, spelling(f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com")) == 200


# ------------------------------------------------------------------------------------------------ registry policy
def _registry_policy_denying_listings(aws: Harness) -> None:
    aws.client("ecr").put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "NoListing", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "ecr:DescribeRepositories", "Resource": "*"}]}))


def test_a_v2_registry_policy_applies_to_listing_repositories(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="secret")
    keys = user_keys(aws, "lister", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:DescribeRepositories", "Resource": "*"}]})
    lister = aws.client("ecr", **keys)
    assert [r["repositoryName"] for r in lister.describe_repositories()["repositories"]] == ["secret"]
    _registry_policy_denying_listings(aws)
    for call in (lister.describe_repositories, lambda: lister.describe_repositories(repositoryNames=["secret"])):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"


def test_a_v2_registry_policy_applies_to_the_catalog(served) -> None:
    served.client("ecr").create_repository(repositoryName="secret")
    keys = user_keys(served, "lister", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ecr:DescribeRepositories", "ecr:GetAuthorizationToken"], "Resource": "*"}]})
    registry = Registry(served.endpoint_url, login_password(served.client("ecr", **keys)))
    assert registry.call("GET", "/v2/_catalog").json() == {"repositories": ["secret"]}
    _registry_policy_denying_listings(served)
    assert error_code(registry.call("GET", "/v2/_catalog"))[:2] == (403, "DENIED")


# ------------------------------------------------------------------------------------------------ pull through cache
def test_a_chainguard_rule_needs_a_credential(aws) -> None:
    ecr = aws.client("ecr")
    with pytest.raises(ecr.exceptions.InvalidParameterException):
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="cg", upstreamRegistryUrl="cgr.dev",
                                           upstreamRegistry="chainguard")


def test_an_ecr_upstream_in_no_region_does_not_validate(aws) -> None:
    ecr = aws.client("ecr")
    for prefix, region in (("mars", "mars-1"), ("west", "us-west-2")):
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix=prefix,
                                           upstreamRegistryUrl=f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com")
    assert ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="mars")["isValid"] is False
    assert ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="west")["isValid"] is True


# ------------------------------------------------------------------------------------------------ newcomer pass
def test_the_clock_runs_no_further_ahead_than_a_state_file_loads(aws) -> None:
    from mockrunner.model.clock import MAX_CLOCK_OFFSET

    for _ in range(MAX_CLOCK_OFFSET // 10 ** 9):
        assert admin(aws, "POST", "/clock/advance", body={"seconds": 10 ** 9})[0] == 200
    status, refused = admin(aws, "POST", "/clock/advance", body={"seconds": 1})
    assert (status, refused["error"]) == (400, "InvalidSeconds")
    status, exported = admin(aws, "GET", "/state")
    assert exported["clock_offset_seconds"] <= MAX_CLOCK_OFFSET
    assert admin(aws, "PUT", "/state", body=exported)[0] == 200  # what it exports, it imports
    assert aws.client("sts").get_caller_identity()["Account"] == ACCOUNT


def test_an_in_process_advance_past_the_bound_changes_nothing() -> None:
    with mock_apprunner() as mock:
        before = mock.store.clock.now()
        with pytest.raises(ValueError, match="at most"):
            mock.advance(1e12)
        assert (mock.store.clock.now() - before).total_seconds() < 60
        assert boto3.client("sts").get_caller_identity()["Account"] == ACCOUNT


def _serve(*arguments: str, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet", *arguments],
                          capture_output=True, text=True, timeout=60, cwd=cwd, env={**os.environ,
                                                                                    "PYTHONPATH": ROOT_DIR})


def test_a_bad_accounts_value_is_named_in_the_usage_error(tmp_path) -> None:
    run = _serve("--accounts", "444455556666:AKIAB", cwd=str(tmp_path))
    assert run.returncode == 2
    assert "account entry '444455556666:AKIAB' is not ACCOUNT_ID:ACCESS_KEY_ID:SECRET_ACCESS_KEY" in run.stderr
    assert "parse_accounts" not in run.stderr


def test_a_tls_name_without_a_certificate_is_refused(tmp_path) -> None:
    run = _serve("--tls-name", "mockrunner.test", cwd=str(tmp_path))
    assert run.returncode == 2 and "--tls-name" in run.stderr


def test_a_certificate_made_before_without_a_name_asked_for_now_is_flagged(tmp_path) -> None:
    from mockrunner.tls import names_not_covered, write_self_signed

    write_self_signed(tmp_path / "cert.pem", tmp_path / "key.pem", ["a.example"])
    assert names_not_covered(str(tmp_path / "cert.pem"), ["a.example", "127.0.0.1", "b.example"]) == ["b.example"]


def test_a_quota_that_must_be_whole_says_so() -> None:
    from mockrunner.config import parse_quotas

    with pytest.raises(ValueError, match="needs a whole number"):
        parse_quotas("iam_max_users=1.5")


def test_an_unknown_resource_policy_kind_is_an_error_not_a_resource_policy() -> None:
    from datetime import UTC, datetime

    from mockrunner.iam_engine.cli import evaluate_batch

    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                                      "Resource": "*"}]}
    (result,) = evaluate_batch([{"id": "x", "principal": f"arn:aws:iam::{ACCOUNT}:user/u", "action": "s3:GetObject",
                                 "resource": "arn:aws:s3:::b/k", "resourcePolicy": policy,
                                 "resourcePolicyKind": "bogus"}], datetime.now(UTC))
    assert result["decision"] == "error" and "resourcePolicyKind" in result["message"]


def test_a_second_session_of_an_existing_role_does_not_change_the_first(mockrunner) -> None:
    lists_users = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
    first = mockrunner.session(role="deployer", policies=[lists_users])
    with pytest.raises(ValueError, match="exists"):
        mockrunner.session(role="deployer", policies=[{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}])
    assert isinstance(first.client("iam").list_users()["Users"], list)  # the first session kept its permission
    again = mockrunner.session(role="deployer")  # the role as it is
    assert isinstance(again.client("iam").list_users()["Users"], list)


# ------------------------------------------------------------------------------------------------ STS
def _assumable_role(aws: Harness, statements: list[dict] | None = None) -> str:
    return aws.client("iam").create_role(RoleName="target", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": statements or [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetContext"]}]}))["Role"]["Arn"]


_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
_CONTEXT = [{"ProviderArn": "arn:aws:iam::aws:contextProvider/IdentityCenter", "ContextAssertion": "x" * 8}]


@pytest.mark.parametrize("deny_in", ["identity", "trust"])
def test_provided_contexts_need_sts_set_context(aws, deny_in) -> None:
    identity = {"Version": "2012-10-17", "Statement": [
        *_ALL["Statement"], *([{"Effect": "Deny", "Action": "sts:SetContext", "Resource": "*"}]
                              if deny_in == "identity" else [])]}
    sts = aws.client("sts", **user_keys(aws, "caller", inline=identity))
    trust = [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]
    if deny_in == "trust":
        trust.append({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                      "Action": "sts:SetContext", "Condition": {"StringEquals": {
                          "sts:RequestContextProviders": "arn:aws:iam::aws:contextProvider/Other"}}})
    role = _assumable_role(aws, trust)
    assert sts.assume_role(RoleArn=role, RoleSessionName="plain")["AssumedRoleUser"]  # no context: no SetContext
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=role, RoleSessionName="ctx", ProvidedContexts=_CONTEXT)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert "sts:SetContext" in refused.value.response["Error"]["Message"]


def test_held_provided_contexts_pass_when_the_trust_allows_set_context(aws) -> None:
    sts = aws.client("sts", **user_keys(aws, "caller", inline=_ALL))
    role = _assumable_role(aws)
    assert sts.assume_role(RoleArn=role, RoleSessionName="ctx", ProvidedContexts=_CONTEXT)["AssumedRoleUser"]


def test_a_trust_naming_a_user_is_still_limited_by_the_users_boundary(aws) -> None:
    iam = aws.client("iam")
    boundary = iam.create_policy(PolicyName="s3-only", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))["Policy"]["Arn"]
    keys = user_keys(aws, "bounded", boundary=boundary)
    role = _assumable_role(aws, [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bounded"},
                                  "Action": "sts:AssumeRole"}])
    sts = aws.client("sts", **keys)
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=role, RoleSessionName="escalate")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    iam.put_user_permissions_boundary(UserName="bounded",
                                      PermissionsBoundary="arn:aws:iam::aws:policy/AdministratorAccess")
    assert sts.assume_role(RoleArn=role, RoleSessionName="allowed")["AssumedRoleUser"]


def test_session_tags_past_the_packed_size_are_refused_in_stss_words(aws) -> None:
    sts = aws.client("sts", **user_keys(aws, "tagger", inline=_ALL))
    role = _assumable_role(aws)
    tags = [{"Key": f"{index:02d}" + "k" * 126, "Value": "v" * 256} for index in range(50)]
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=role, RoleSessionName="tagged", Tags=tags)
    error = refused.value.response["Error"]
    assert error["Code"] == "PackedPolicyTooLarge"
    assert re.fullmatch(r"Packed size of session tags consumes \d+% of allotted space\.", error["Message"])
    assert sts.assume_role(RoleArn=role, RoleSessionName="few", Tags=tags[:5])["PackedPolicySize"] <= 100


def test_a_session_policy_past_the_limit_is_refused_in_stss_words(aws) -> None:
    sts = aws.client("sts", **user_keys(aws, "caller", inline=_ALL))
    role = _assumable_role(aws)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:" + "x" * 2100,
                                                                 "Resource": "*"}]})
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=role, RoleSessionName="big", Policy=policy)
    assert re.fullmatch(r"Packed policy consumes \d+% of allotted space, please use smaller policy\.",
                        refused.value.response["Error"]["Message"])


# ------------------------------------------------------------------------------------------------ seeds and imports
def test_a_seed_reusing_a_sessions_key_id_is_refused_and_the_state_still_loads(aws) -> None:
    sts = aws.client("sts", **user_keys(aws, "bob", inline=_ALL))
    credentials = sts.assume_role(RoleArn=_assumable_role(aws), RoleSessionName="ss")["Credentials"]
    status, answer = admin(aws, "POST", "/seed", body={"users": [{"name": "eve", "access_keys": [
        {"access_key_id": credentials["AccessKeyId"], "secret_access_key": "evesecret"}]}]})
    assert status == 400 and "would not load again" in json.dumps(answer)
    session = aws.client("sts", access_key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                         token=credentials["SessionToken"])
    assert session.get_caller_identity()["Arn"].endswith(":assumed-role/target/ss")
    assert "eve" not in [user["UserName"] for user in aws.client("iam").list_users()["Users"]]
    status, exported = admin(aws, "GET", "/state")
    assert admin(aws, "PUT", "/state", body=exported)[0] == 200


@pytest.mark.parametrize("key_id", ["ÄKIAEXAMPLE000000000", "ＡＫＩＡEXAMPLE0000000"])
def test_a_seed_key_id_of_other_than_ascii_letters_is_refused(aws, key_id) -> None:
    status, answer = admin(aws, "POST", "/seed", body={"users": [{"name": "u1", "access_keys": [
        {"access_key_id": key_id, "secret_access_key": "s"}]}]})
    assert status == 400
    assert aws.client("iam").list_users()["Users"] == []


def test_a_seed_root_key_id_a_users_key_has_is_refused(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    status, _ = admin(aws, "POST", "/seed", body={"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": key["AccessKeyId"], "secret_access_key": "rootsecret"}}]})
    assert status == 400
    alice = aws.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert alice.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"


@pytest.mark.parametrize("collection", ["users", "roles", "groups"])
def test_a_state_holding_iam_names_that_differ_only_in_case_is_refused(aws, collection) -> None:
    iam = aws.client("iam")
    make = {"users": lambda name: iam.create_user(UserName=name),
            "roles": lambda name: iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service":
                 "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
            "groups": lambda name: iam.create_group(GroupName=name)}[collection]
    make("alice")
    make("bobby")
    _, exported = admin(aws, "GET", "/state")
    text = json.dumps(exported).replace('"bobby"', '"ALICE"').replace("/bobby", "/ALICE")
    status, answer = admin(aws, "PUT", "/state", body=json.loads(text))
    assert status == 400 and "another case" in json.dumps(answer)


def test_a_state_holding_a_managed_policy_without_its_default_version_is_refused(aws) -> None:
    aws.client("iam").create_policy(PolicyName="p", PolicyDocument=json.dumps(_ALL))
    _, exported = admin(aws, "GET", "/state")
    text = json.dumps(exported)
    elsewhere = text.replace('"default_version_id": "v1"', '"default_version_id": "v9"')
    assert elsewhere != text
    status, answer = admin(aws, "PUT", "/state", body=json.loads(elsewhere))
    assert status == 400 and "default version" in json.dumps(answer)


# ------------------------------------------------------------------------------------------------ the blob store
def _stored_layer(make_harness, tmp_path) -> tuple[Harness, Registry, str, Any]:
    """A server keeping its state (and blobs) in ``tmp_path``, with ``app:v1`` pushed; its layer's digest and file."""
    harness = make_harness("server", Settings(log_requests=False, operation_delay=0,
                                              state_file=str(tmp_path / "state.bin")))
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="app")
    text = image_manifest("blob46")
    put_image(ecr, repositoryName="app", imageManifest=text, imageTag="v1")
    digest = json.loads(text)["layers"][0]["digest"]
    return harness, Registry(harness.endpoint_url, login_password(ecr)), digest, \
        tmp_path / "state.bin.blobs" / "sha256" / digest.partition(":")[2]


def test_a_blob_file_replaced_by_a_directory_is_unknown_not_a_500(make_harness, tmp_path) -> None:
    _, registry, digest, path = _stored_layer(make_harness, tmp_path)
    assert registry.call("GET", f"/v2/app/blobs/{digest}").status_code == 200
    path.unlink()
    path.mkdir()
    answer = registry.call("GET", f"/v2/app/blobs/{digest}")
    assert answer.status_code < 500 and error_code(answer)[1] == "BLOB_UNKNOWN"
    assert registry.call("HEAD", f"/v2/app/blobs/{digest}").status_code == 404


def test_a_stray_file_among_the_blobs_neither_breaks_reset_nor_a_restart(make_harness, tmp_path) -> None:
    harness, _, digest, path = _stored_layer(make_harness, tmp_path)
    stray = path.with_name(path.name.upper())
    stray.write_bytes(path.read_bytes())
    assert admin(harness, "POST", "/reset")[0] == 200
    harness.client("iam").create_user(UserName="after-reset")
    restarted = _restarted(harness, Settings(log_requests=False, operation_delay=0,
                                             state_file=str(tmp_path / "state.bin")))
    try:
        assert [u["UserName"] for u in restarted.client("iam").list_users()["Users"]] == ["after-reset"]
    finally:
        restarted.close()


def test_an_upload_record_with_an_unhashable_owner_is_dropped_at_start(tmp_path) -> None:
    from mockrunner.model.blobs import BlobStore

    uploads = tmp_path / "blobs" / "uploads"
    uploads.mkdir(parents=True, mode=0o700)
    (tmp_path / "blobs").chmod(0o700)
    upload_id = "12345678-1234-5678-1234-567812345678"
    (uploads / upload_id).write_bytes(b"data")
    (uploads / f"{upload_id}.json").write_text(json.dumps({"owner": [["x"], "y"],
                                                          "started": "2026-01-01T00:00:00+00:00"}))
    store = BlobStore(str(tmp_path / "blobs"))  # a traceback before
    assert store.digests() == [] and not (uploads / upload_id).exists()


# ------------------------------------------------------------------------------------------------ IAM guide examples
def _password_user(aws: Harness, statements: list[dict]) -> Any:
    iam = aws.client("iam")
    iam.update_account_password_policy(AllowUsersToChangePassword=True, MinimumPasswordLength=8)
    keys = user_keys(aws, "pat", inline={"Version": "2012-10-17", "Statement": statements} if statements else None)
    iam.create_login_profile(UserName="pat", Password="Initial#Pass1")
    return aws.client("iam", **keys)


def test_an_explicit_deny_takes_away_what_allow_users_to_change_password_grants(aws) -> None:
    user = _password_user(aws, [{"Effect": "Deny", "Action": ["iam:ChangePassword", "iam:GetAccountPasswordPolicy"],
                                 "Resource": "*"}])
    for call in (lambda: user.change_password(OldPassword="Initial#Pass1", NewPassword="Changed#Pass2"),
                 user.get_account_password_policy):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_held_allow_users_to_change_password_needs_no_policy(aws) -> None:
    user = _password_user(aws, [])
    user.change_password(OldPassword="Initial#Pass1", NewPassword="Changed#Pass2")
    assert user.get_account_password_policy()["PasswordPolicy"]["AllowUsersToChangePassword"] is True
    status, logged = admin(aws, "GET", "/decisions", params={"action": "iam:ChangePassword"})
    assert [entry["decision"] for entry in logged["decisions"]] == ["allowed"]


@pytest.mark.parametrize("operation", ["create_access_key", "create_login_profile",
                                       "create_service_specific_credential"])
def test_a_user_named_in_another_case_is_that_user_for_every_create_of_its_credentials(aws, operation) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="Dana")
    extra = {"create_login_profile": {"Password": "Aa1!aaaaaaaaaaaa"},
             "create_service_specific_credential": {"ServiceName": "codecommit.amazonaws.com"}}.get(operation, {})
    answer = getattr(iam, operation)(UserName="dana", **extra)
    made = next(value for key, value in answer.items() if key != "ResponseMetadata")
    assert made["UserName"] == "Dana"


# ------------------------------------------------------------------------------------------------ second review
def test_a_service_linked_role_is_not_made_beside_a_role_of_its_name_in_another_case(aws) -> None:
    iam = aws.client("iam")
    iam.create_role(RoleName="awsserviceroleforapprunner", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service":
                                                "apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    with pytest.raises(ClientError) as refused:
        iam.create_service_linked_role(AWSServiceName="apprunner.amazonaws.com")
    assert "has been taken in this account" in refused.value.response["Error"]["Message"]
    _, exported = admin(aws, "GET", "/state")
    assert admin(aws, "PUT", "/state", body=exported)[0] == 200


def test_a_failing_seed_is_undone_whatever_the_state_it_undoes_to(aws) -> None:
    import dataclasses

    aws.client("iam").create_user(UserName="alice")
    users = aws.store.accounts[ACCOUNT].iam.users  # a twin no API call makes: the state no longer imports
    users["ALICE"] = dataclasses.replace(users["alice"], name="ALICE", arn=f"arn:aws:iam::{ACCOUNT}:user/ALICE")
    status, _ = admin(aws, "POST", "/seed", body={"users": [{"name": "x"}]})
    assert status == 400  # refused and undone (its undo is no import: a 500 with x left behind before)
    assert sorted(user["UserName"] for user in aws.client("iam").list_users()["Users"]) == ["ALICE", "alice"]
    aws.round_trip = False  # the planted twin does not import: the harness's closing round trip would refuse it


def test_federation_token_tags_past_the_packed_size_are_refused(aws) -> None:
    sts = aws.client("sts", **user_keys(aws, "fed", inline=_ALL))
    tags = [{"Key": f"k{index:02d}" + "a" * 125, "Value": "v" * 256} for index in range(50)]
    with pytest.raises(ClientError) as refused:
        sts.get_federation_token(Name="fed", Tags=tags)
    assert refused.value.response["Error"]["Code"] == "PackedPolicyTooLarge"


def test_an_imported_pending_operation_comes_due_under_the_servers_mode(make_harness) -> None:
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=1))
    _set_mode(harness, "off")
    arn = _unpullable_service(harness)
    _, exported = admin(harness, "GET", "/state")  # the deployment pending, held to "off"
    _set_mode(harness, "on")
    assert admin(harness, "PUT", "/state", body=exported)[0] == 200
    _advance(harness, 2)
    assert _status(harness, arn) == "CREATE_FAILED"


# ------------------------------------------------------------------------------------------------ renames
@pytest.mark.parametrize("move", [{"NewUserName": "alice2"}, {"NewPath": "/moved/"}], ids=["rename", "new-path"])
def test_a_moved_users_session_is_the_user_not_a_namesake(aws, move) -> None:
    iam = aws.client("iam")
    keys = user_keys(aws, "alice", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]})
    credentials = aws.client("sts", **keys).get_session_token()["Credentials"]
    session = aws.client("sts", access_key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                         token=credentials["SessionToken"])
    iam.update_user(UserName="alice", **move)
    moved = iam.get_user(UserName=move.get("NewUserName", "alice"))["User"]["Arn"]
    assert session.get_caller_identity()["Arn"] == moved
    if "NewUserName" not in move:
        return
    iam.create_user(UserName="alice")  # a namesake, whom alone the role below trusts
    role = _assumable_role(aws, [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
                                  "Action": "sts:AssumeRole"}])
    with pytest.raises(ClientError) as refused:
        session.assume_role(RoleArn=role, RoleSessionName="steal")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_a_directory_named_like_a_blob_is_no_blob(tmp_path) -> None:
    from mockrunner.model.blobs import BlobStore

    (tmp_path / "blobs" / "sha256" / ("a" * 64)).mkdir(parents=True, mode=0o700)
    (tmp_path / "blobs").chmod(0o700)
    (tmp_path / "blobs" / "sha256").chmod(0o700)
    store = BlobStore(str(tmp_path / "blobs"))
    assert store.digests() == []
    store.clear()
    store.purge()  # an IsADirectoryError before: reset answered 500 and a restart stopped
