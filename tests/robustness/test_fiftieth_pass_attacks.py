"""An attacker's fiftieth pass: the simulator, App Runner's authorization, ECR's creation templates.

Findings (each test failed before its fix):

- **Medium-high (App Runner authorization, fail-open).** CreateService and UpdateService were authorized on the
  service alone.  The Service Authorization Reference lists connection, auto scaling configuration, observability
  configuration and VPC connector as optional resource types of both: a request naming one is authorized on it too.
  A Deny on a VPC connector's ARN, or on ``aws:ResourceTag/team`` of an auto scaling configuration, kept no service
  off it.
- **Low (simulator).** An entity's own permissions boundary that denied was reported as an "IAM Policy"; the same
  boundary given in ``PermissionsBoundaryPolicyInputList`` was a "Permissions Boundary Policy", as AWS reports a
  boundary's statements.
- **Medium (ECR, data loss).** A Docker V2 Schema 1 image (buildah pushes them) was taken to refer to no blob: its
  ``fsLayers`` were collected as unreferenced a day after the push, so the image could no longer be pulled;
  GetDownloadUrlForLayer refused its layers, and a Schema 1 manifest naming layers never uploaded was stored.
- **Medium (ECR fidelity).** A manifest with a foreign layer (a Windows base layer, which clients do not push by
  default) was refused for the layer's absence; the ECR User Guide: "when you push Windows images to an Amazon ECR
  repository, the layers that include these artifacts are not pushed as they are considered foreign layers".
- **Low (ECR fidelity).** Create/UpdateRepositoryCreationTemplate refused an ``aws:`` tag key with
  InvalidTagParameterException, an error neither operation declares, naming a member (``tags``) they do not have.
"""
from __future__ import annotations

import json

from tests.apprunner.helpers import PUBLIC_SOURCE, running, user_client
from tests.ecr.pushing import DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST, blob_digest, upload_blob
from tests.iam.helpers import ACCOUNT, error_of
from tests.registry.images import Registry, error_code, login_password

PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:"
EVERYTHING = {"Effect": "Allow", "Action": ["apprunner:*", "iam:CreateServiceLinkedRole"], "Resource": "*"}


def _policy(*denies: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [EVERYTHING, *denies]}


def _deny(resource, condition=None) -> dict:
    statement = {"Effect": "Deny", "Action": ["apprunner:CreateService", "apprunner:UpdateService"],
                 "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


# ------------------------------------------------------------------------------- App Runner referenced resources
def test_a_deny_on_a_vpc_connectors_arn_keeps_services_off_it(aws) -> None:
    root = aws.client("apprunner")
    prod = root.create_vpc_connector(VpcConnectorName="prodvpc", Subnets=["subnet-1"])["VpcConnector"]
    dev = root.create_vpc_connector(VpcConnectorName="devvpc", Subnets=["subnet-1"])["VpcConnector"]
    user = user_client(aws, "builder", _policy(_deny(PREFIX + "vpcconnector/prodvpc/*")))

    def network(connector):
        return {"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": connector["VpcConnectorArn"]}}

    code, message, status = error_of(user.create_service, ServiceName="on-prod", SourceConfiguration=PUBLIC_SOURCE,
                                     NetworkConfiguration=network(prod))
    assert (code, status) == ("AccessDeniedException", 400)
    assert f"apprunner:CreateService on resource: {prod['VpcConnectorArn']}" in message
    assert "explicit deny" in message
    assert root.list_services()["ServiceSummaryList"] == []
    made = user.create_service(ServiceName="on-dev", SourceConfiguration=PUBLIC_SOURCE,
                               NetworkConfiguration=network(dev))["Service"]
    assert made["NetworkConfiguration"]["EgressConfiguration"]["VpcConnectorArn"] == dev["VpcConnectorArn"]
    assert root.describe_service(ServiceArn=made["ServiceArn"])["Service"]["Status"] == "RUNNING"
    code, _message, _status = error_of(user.update_service, ServiceArn=made["ServiceArn"],
                                       NetworkConfiguration=network(prod))
    assert code == "AccessDeniedException"
    assert root.describe_service(ServiceArn=made["ServiceArn"])["Service"]["NetworkConfiguration"][
        "EgressConfiguration"]["VpcConnectorArn"] == dev["VpcConnectorArn"]


def test_a_deny_on_a_referenced_resources_tags_applies_to_it(aws) -> None:
    root = aws.client("apprunner")
    tagged = root.create_auto_scaling_configuration(
        AutoScalingConfigurationName="prodasc", Tags=[{"Key": "team", "Value": "prod"}])["AutoScalingConfiguration"]
    plain = root.create_auto_scaling_configuration(AutoScalingConfigurationName="devasc")["AutoScalingConfiguration"]
    service = running(root, "victim")
    user = user_client(aws, "operator", _policy(_deny("*", {"StringEquals": {"aws:ResourceTag/team": "prod"}})))
    # A partial ARN (name only) resolves to the latest revision, whose tags are the ones judged.
    code, message, _status = error_of(user.update_service, ServiceArn=service,
                                      AutoScalingConfigurationArn=PREFIX + "autoscalingconfiguration/prodasc")
    assert code == "AccessDeniedException"
    assert tagged["AutoScalingConfigurationArn"] in message
    assert root.describe_service(ServiceArn=service)["Service"]["AutoScalingConfigurationSummary"][
        "AutoScalingConfigurationName"] == "DefaultConfiguration"
    code, _message, _status = error_of(user.create_service, ServiceName="fresh", SourceConfiguration=PUBLIC_SOURCE,
                                       AutoScalingConfigurationArn=tagged["AutoScalingConfigurationArn"])
    assert code == "AccessDeniedException"
    user.update_service(ServiceArn=service, AutoScalingConfigurationArn=plain["AutoScalingConfigurationArn"])
    assert root.describe_service(ServiceArn=service)["Service"]["AutoScalingConfigurationSummary"][
        "AutoScalingConfigurationArn"] == plain["AutoScalingConfigurationArn"]


def test_an_allow_on_services_alone_does_not_cover_the_resources_a_request_names(aws) -> None:
    root = aws.client("apprunner")
    observability = root.create_observability_configuration(
        ObservabilityConfigurationName="traces")["ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "apprunner:CreateService", "Resource": PREFIX + "service/*"},
        {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}]}
    user = user_client(aws, "narrow", policy)
    observed = {"ObservabilityEnabled": True, "ObservabilityConfigurationArn": observability}
    code, message, _status = error_of(user.create_service, ServiceName="traced", SourceConfiguration=PUBLIC_SOURCE,
                                      ObservabilityConfiguration=observed)
    assert code == "AccessDeniedException"
    assert f"on resource: {observability}" in message
    assert "no identity-based policy allows" in message
    made = user.create_service(ServiceName="untraced", SourceConfiguration=PUBLIC_SOURCE)["Service"]
    assert made["ServiceName"] == "untraced"


# ------------------------------------------------------------------------------------------------ simulator
def test_an_entitys_own_boundary_that_denies_is_reported_as_a_permissions_boundary(aws) -> None:
    iam = aws.client("iam")
    boundary = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]})
    arn = iam.create_policy(PolicyName="bnd", PolicyDocument=boundary)["Policy"]["Arn"]
    iam.create_user(UserName="bob", PermissionsBoundary=arn)
    iam.put_user_policy(UserName="bob", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    source = f"arn:aws:iam::{ACCOUNT}:user/bob"
    attached = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=["s3:GetObject"])[
        "EvaluationResults"][0]
    given = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=["s3:GetObject"],
                                          PermissionsBoundaryPolicyInputList=[boundary])["EvaluationResults"][0]
    assert attached["EvalDecision"] == given["EvalDecision"] == "explicitDeny"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in attached["MatchedStatements"]] == [
        ("bnd", "Permissions Boundary Policy")]
    assert [m["SourcePolicyType"] for m in given["MatchedStatements"]] == ["Permissions Boundary Policy"]
    allowed = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=["s3:PutObject"])[
        "EvaluationResults"][0]
    assert allowed["EvalDecision"] == "allowed"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in allowed["MatchedStatements"]] == [
        ("user_bob_all", "IAM Policy")]


# ------------------------------------------------------------------------------------------------ ECR templates
def test_a_creation_templates_reserved_tag_key_is_an_error_its_operations_declare(aws) -> None:
    ecr = aws.client("ecr")
    reserved = [{"Key": "aws:team", "Value": "x"}]
    model = ecr.meta.service_model
    expected = ("Invalid parameter at 'resourceTags' failed to satisfy constraint: 'Tag keys with the prefix aws: "
                "are reserved for AWS use'")
    code, message, status = error_of(ecr.create_repository_creation_template, prefix="made",
                                     appliedFor=["REPLICATION"], resourceTags=reserved)
    assert (code, message, status) == ("InvalidParameterException", expected, 400)
    assert code in [shape.name for shape in model.operation_model("CreateRepositoryCreationTemplate").error_shapes]
    assert ecr.describe_repository_creation_templates()["repositoryCreationTemplates"] == []
    ecr.create_repository_creation_template(prefix="kept", appliedFor=["REPLICATION"],
                                            resourceTags=[{"Key": "team", "Value": "x"}])
    code, message, _status = error_of(ecr.update_repository_creation_template, prefix="kept", resourceTags=reserved)
    assert (code, message) == ("InvalidParameterException", expected)
    assert code in [shape.name for shape in model.operation_model("UpdateRepositoryCreationTemplate").error_shapes]
    kept = ecr.describe_repository_creation_templates(prefixes=["kept"])["repositoryCreationTemplates"][0]
    assert kept["resourceTags"] == [{"Key": "team", "Value": "x"}]
    # Repositories keep their own declared error.
    code, _message, _status = error_of(ecr.create_repository, repositoryName="tagged", tags=reserved)
    assert code == "InvalidTagParameterException"


# ------------------------------------------------------------------------------------------------ ECR manifests
SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
DAY_AND_MORE = 25 * 3600


def _schema1(layer_digest: str) -> str:
    return json.dumps({"schemaVersion": 1, "name": "legacy", "tag": "v1", "architecture": "amd64",
                       "fsLayers": [{"blobSum": layer_digest}, {"blobSum": layer_digest}],
                       "history": [{"v1Compatibility": '{"id":"a"}'}, {"v1Compatibility": '{"id":"b"}'}]}, indent=3)


def test_a_schema1_images_layers_are_its_own_and_outlive_the_collector(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="legacy")
    layer = upload_blob(ecr, "legacy", b"schema one layer bytes")
    ecr.put_image(repositoryName="legacy", imageManifest=_schema1(layer), imageManifestMediaType=SCHEMA1,
                  imageTag="v1")
    assert ecr.get_download_url_for_layer(repositoryName="legacy", layerDigest=layer)["layerDigest"] == layer
    aws.store.clock.advance(DAY_AND_MORE)
    ecr.batch_delete_image(repositoryName="legacy", imageIds=[{"imageTag": "absent"}])  # collects garbage
    [availability] = ecr.batch_check_layer_availability(repositoryName="legacy", layerDigests=[layer])["layers"]
    assert availability["layerAvailability"] == "AVAILABLE"
    assert ecr.get_download_url_for_layer(repositoryName="legacy", layerDigest=layer)["layerDigest"] == layer
    # A Schema 1 manifest naming a layer never uploaded is refused, as every other format's is.
    missing = "sha256:" + "5" * 64
    code, message, _status = error_of(ecr.put_image, repositoryName="legacy", imageManifest=_schema1(missing),
                                      imageManifestMediaType=SCHEMA1, imageTag="v2")
    assert code == "LayersNotFoundException"
    assert missing in message
    assert [image["imageTag"] for image in ecr.list_images(repositoryName="legacy")["imageIds"]] == ["v1"]


FOREIGN = "sha256:" + "ab" * 32


def _windows_manifest(foreign_type: str, own_layer: str, config: str) -> str:
    return json.dumps({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG, "digest": config, "size": 40},
        "layers": [{"mediaType": foreign_type, "digest": FOREIGN, "size": 1234567,
                    "urls": [f"https://base-images.example.com/v2/windows/blobs/{FOREIGN}"]},
                   {"mediaType": DOCKER_LAYER, "digest": own_layer, "size": 9}]})


def test_a_manifest_with_a_foreign_layer_is_stored_without_it(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="windows")
    config = upload_blob(ecr, "windows", b'{"architecture":"amd64","os":"windows"}')
    own = upload_blob(ecr, "windows", b"app-layer")
    for number, foreign_type in enumerate(("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                                           "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")):
        stored = ecr.put_image(repositoryName="windows", imageTag=f"ltsc{number}",
                               imageManifest=_windows_manifest(foreign_type, own, config))["image"]
        assert stored["imageId"]["imageTag"] == f"ltsc{number}"
    # A layer of any other type must still be there.
    code, message, _status = error_of(ecr.put_image, repositoryName="windows", imageTag="broken",
                                      imageManifest=_windows_manifest(DOCKER_LAYER, own, config))
    assert code == "LayersNotFoundException"
    assert FOREIGN in message
    assert sorted(image["imageTag"] for image in ecr.list_images(repositoryName="windows")["imageIds"]) == [
        "ltsc0", "ltsc1"]
    [foreign, mine] = ecr.batch_check_layer_availability(repositoryName="windows",
                                                         layerDigests=[FOREIGN, own])["layers"]
    assert (foreign["layerAvailability"], mine["layerAvailability"]) == ("UNAVAILABLE", "AVAILABLE")


def test_a_foreign_layer_need_not_be_pushed_over_the_registry_wire(server) -> None:
    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="windows")
    registry = Registry(server.endpoint_url, login_password(ecr))
    config_bytes, own_bytes = b'{"architecture":"amd64","os":"windows"}', b"app-layer"
    for data in (config_bytes, own_bytes):
        assert registry.push_blob("windows", data).status_code == 201
    manifest = _windows_manifest("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                                 blob_digest(own_bytes), blob_digest(config_bytes))
    pushed = registry.put_manifest("windows", "ltsc2022", manifest.encode(), DOCKER_MANIFEST)
    assert pushed.status_code == 201, pushed.text
    pulled = registry.call("GET", "/v2/windows/manifests/ltsc2022", headers={"Accept": DOCKER_MANIFEST})
    assert pulled.status_code == 200 and pulled.content == manifest.encode()
    # The registry does not serve the foreign layer: the client fetches it from its URLs.
    assert registry.call("HEAD", f"/v2/windows/blobs/{FOREIGN}").status_code == 404
    broken = _windows_manifest(DOCKER_LAYER, blob_digest(own_bytes), blob_digest(config_bytes))
    status, code, _message = error_code(registry.put_manifest("windows", "broken", broken.encode(), DOCKER_MANIFEST))
    assert (status, code) == (400, "BLOB_UPLOAD_UNKNOWN")
