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
- **Medium (IAM/STS safety).** A certificate of an X.509 version outside v1-v3, or a key of an algorithm the
  cryptography library does not implement (an SM2 key, an unknown algorithm identifier), raised an exception that is
  no ValueError: UploadServerCertificate, UploadSigningCertificate, UploadSSHPublicKey, CreateSAMLProvider (metadata
  and AddPrivateKey) and AssumeRoleWithWebIdentity (a JWKS key's ``x5c``) answered 500, which SDKs retry.  They are
  the operations' documented refusals now.
- **Low (IAM validation).** ``CredentialAgeDays`` was taken for CodeCommit and Keyspaces credentials, which then had
  an ``ExpirationDate``; the model: the field "is only valid for services that support long-term API keys".
- **High (state import, fail-open).** A state document could hold an access key, login profile or credential of a
  user that does not exist, a group listing an unknown member, an attachment or boundary of a policy that is gone,
  an instance profile of a missing role: state AWS cannot reach (IAM refuses to delete what is still named), which
  handed them to whatever was created under that name later (a new ``alice`` signed in with the old ``alice``'s
  key, a new ``mallory`` was already an admin).  Such an import is refused.
- **Medium (state import).** A tagged value (``{"$tuple": []}``) in place of the accounts was a 500, in place of
  the identity providers it was taken and every federation call then failed; a service's ingress configuration of
  ``null`` made every ListServices a 500.  Duplicate policy version ids and two live services of one name were
  taken.  A seed could create resources in a region the API refuses.  ``OPTIONS`` on the admin API answered an
  empty HTML page offering every method; ``//`` in an admin path was an HTML redirect built from the Host, and a
  path no route takes (``%0a``) skipped the access check.
- **Medium (App Runner, fail-open).** A push redeployed a service whose access role may not call
  ``ecr:DescribeImages``; AWS starts no automatic deployment then (the CDK-made access role's bug, aws/aws-cdk#29285
  and #29426, fixed by adding that action).  ``repo@latest`` (the model's pattern takes it) deployed the image
  tagged ``latest`` instead of failing as a digest that is none.  The admin API handed instance role credentials
  to services that run no code (CREATE_FAILED, PAUSED), and refused them in ``soft`` mode for a trust it let through.
- **Low (ECR fidelity).** Create/UpdateRepositoryCreationTemplate refused an ``aws:`` tag key with
  InvalidTagParameterException, an error neither operation declares, naming a member (``tags``) they do not have.
"""
from __future__ import annotations

import base64
import datetime
import json
import textwrap
import time

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.services.ecr.core import INVALID_DIGEST
from tests.apprunner.helpers import PUBLIC_SOURCE, running, user_client
from tests.ecr.pushing import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_MANIFEST,
    blob_digest,
    image_manifest,
    put_image,
    upload_blob,
)
from tests.iam.helpers import ACCOUNT, error_of
from tests.registry.images import Registry, error_code, login_password
from tests.roles.helpers import World, create_request

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


def test_a_schema1_manifest_names_its_layers_as_the_format_does_and_within_the_limit(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="legacy")
    never = "sha256:" + "9" * 64
    base = json.loads(_schema1(never))
    for number, layers in enumerate(({"blobSum": never}, [never], [{"blobSum": [never]}], [{"blobSum": 5}], [{}])):
        code, message, _status = error_of(ecr.put_image, repositoryName="legacy", imageTag=f"t{number}",
                                          imageManifest=json.dumps({**base, "fsLayers": layers}),
                                          imageManifestMediaType=SCHEMA1)
        assert code == "InvalidParameterException" and "Invalid JSON" in message, layers
    # Schema 1's layers are its fsLayers: an empty "layers" beside them does not hide them from the 500-layer limit.
    many = {**base, "fsLayers": [{"blobSum": never}] * 501, "history": base["history"][:1] * 501, "layers": []}
    code, message, _status = error_of(ecr.put_image, repositoryName="legacy", imageTag="many",
                                      imageManifest=json.dumps(many), imageManifestMediaType=SCHEMA1)
    assert code == "InvalidParameterException" and "number of layers" in message
    assert ecr.list_images(repositoryName="legacy")["imageIds"] == []


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


def test_a_foreign_layer_is_left_out_only_with_a_digest_and_the_urls_it_comes_from(aws) -> None:
    """distribution refuses a foreign layer without ``urls`` and wants a non-distributable one without them pushed;
    a digest that is none is no layer of any type."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="windows")
    config = upload_blob(ecr, "windows", b'{"architecture":"amd64","os":"windows"}')
    own = upload_blob(ecr, "windows", b"app-layer")
    foreign_type = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    for number, change in enumerate(({"urls": []}, {"urls": None}, {"urls": [""]}, {"digest": "not-a-digest"},
                                     {"digest": "sha256:" + "AB" * 32})):
        manifest = json.loads(_windows_manifest(foreign_type, own, config))
        manifest["layers"][0].update(change)
        if manifest["layers"][0]["urls"] is None:
            del manifest["layers"][0]["urls"]
        code, _message, _status = error_of(ecr.put_image, repositoryName="windows", imageTag=f"t{number}",
                                           imageManifest=json.dumps(manifest))
        assert code == "LayersNotFoundException", change
    assert ecr.list_images(repositoryName="windows")["imageIds"] == []


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


# ------------------------------------------------------------------------------------------------ key material
RSA_OID, UNKNOWN_OID = bytes.fromhex("06092a864886f70d010101"), bytes.fromhex("06092a864886f70d010163")
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(der: bytes, label: str = "CERTIFICATE") -> str:
    lines = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _certificate_der() -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "odd.example")])
    now = datetime.datetime.now(datetime.UTC)
    made = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(KEY.public_key())
            .serial_number(7).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(KEY, hashes.SHA256()))
    return made.public_bytes(serialization.Encoding.DER)


GOOD_DER = _certificate_der()
BAD_VERSION_DER = GOOD_DER.replace(bytes.fromhex("a003020102"), bytes.fromhex("a003020105"))  # v3 -> "v6"
UNKNOWN_KEY_DER = GOOD_DER.replace(RSA_OID, UNKNOWN_OID)
KEY_PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
UNKNOWN_PRIVATE_KEY = _pem(KEY.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()).replace(RSA_OID, UNKNOWN_OID), "PRIVATE KEY")
UNKNOWN_PUBLIC_KEY = _pem(KEY.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo).replace(RSA_OID, UNKNOWN_OID),
    "PUBLIC KEY")


def test_certificates_and_keys_the_library_cannot_read_are_refused_not_failed(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="holder")
    good = _pem(GOOD_DER)
    for number, (body, key, chain) in enumerate((
            (_pem(BAD_VERSION_DER), KEY_PEM, None), (good, KEY_PEM, _pem(BAD_VERSION_DER)),
            (_pem(UNKNOWN_KEY_DER), KEY_PEM, None), (good, UNKNOWN_PRIVATE_KEY, None))):
        code, _message, status = error_of(iam.upload_server_certificate, ServerCertificateName=f"odd{number}",
                                          CertificateBody=body, PrivateKey=key,
                                          **({"CertificateChain": chain} if chain else {}))
        assert (code, status) == ("MalformedCertificate", 400), number
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []
    code, _message, status = error_of(iam.upload_signing_certificate, UserName="holder",
                                      CertificateBody=_pem(BAD_VERSION_DER))
    assert (code, status) == ("MalformedCertificate", 400)
    code, _message, status = error_of(iam.upload_ssh_public_key, UserName="holder", SSHPublicKeyBody=UNKNOWN_PUBLIC_KEY)
    assert (code, status) == ("InvalidPublicKey", 400)
    assert iam.list_signing_certificates(UserName="holder")["Certificates"] == []
    assert iam.list_ssh_public_keys(UserName="holder")["SSHPublicKeys"] == []
    # The same certificate, well formed, is taken.
    iam.upload_server_certificate(ServerCertificateName="fine", CertificateBody=good, PrivateKey=KEY_PEM)


def _saml_metadata(certificate_der: bytes, entity: str) -> str:
    return (f'<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'entityID="{entity}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:'
            'protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
            f'<ds:X509Data><ds:X509Certificate>{base64.b64encode(certificate_der).decode()}</ds:X509Certificate>'
            '</ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:'
            'SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/></md:IDPSSODescriptor>'
            '</md:EntityDescriptor>')


def test_saml_metadata_and_private_keys_the_library_cannot_read_are_invalid_input(aws) -> None:
    iam = aws.client("iam")
    for certificate in (BAD_VERSION_DER, UNKNOWN_KEY_DER):
        code, _message, status = error_of(iam.create_saml_provider, Name="odd-idp",
                                          SAMLMetadataDocument=_saml_metadata(certificate, "https://idp.example/1"))
        assert (code, status) == ("InvalidInput", 400)
    code, _message, status = error_of(iam.create_saml_provider, Name="odd-key",
                                      SAMLMetadataDocument=_saml_metadata(GOOD_DER, "https://idp.example/2"),
                                      AddPrivateKey=UNKNOWN_PRIVATE_KEY)
    assert (code, status) == ("InvalidInput", 400)
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def _b64url(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes((number.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


def test_a_jwks_key_whose_certificate_cannot_be_read_is_not_a_500(aws) -> None:
    issuer = "https://odd-idp.example"
    numbers = KEY.public_key().public_numbers()
    status, _body = aws.admin("PUT", "/oidc/jwks", {"issuer": issuer, "jwks": {"keys": [
        {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": _b64url(numbers.n), "e": _b64url(numbers.e),
         "x5c": [base64.b64encode(BAD_VERSION_DER).decode()]}]}})
    assert status == 200
    iam = aws.client("iam")
    iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["aud1"], ThumbprintList=["a" * 40])
    iam.create_role(RoleName="odd-web", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/odd-idp.example"},
        "Action": "sts:AssumeRoleWithWebIdentity"}]}))
    now = int(time.time())
    token = jwt.encode({"iss": issuer, "aud": "aud1", "sub": "s", "iat": now, "exp": now + 600}, KEY,
                       algorithm="RS256", headers={"kid": "k1"})
    code, _message, status = error_of(aws.client("sts").assume_role_with_web_identity,
                                      RoleArn=f"arn:aws:iam::{ACCOUNT}:role/odd-web", RoleSessionName="session",
                                      WebIdentityToken=token)
    assert status == 400 and code == "InvalidIdentityToken"


def test_a_credential_age_is_refused_for_services_without_api_keys(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="git")
    for service in ("codecommit.amazonaws.com", "cassandra.amazonaws.com"):
        code, message, status = error_of(iam.create_service_specific_credential, UserName="git",
                                         ServiceName=service, CredentialAgeDays=7)
        assert (code, status) == ("ValidationError", 400)
        assert "long-term API keys" in message and service in message
    assert iam.list_service_specific_credentials(UserName="git")["ServiceSpecificCredentials"] == []
    key = iam.create_service_specific_credential(UserName="git", ServiceName="bedrock.amazonaws.com",
                                                 CredentialAgeDays=7)["ServiceSpecificCredential"]
    assert key["ExpirationDate"] > key["CreateDate"]
    plain = iam.create_service_specific_credential(UserName="git", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"]
    assert "ExpirationDate" not in plain


# ------------------------------------------------------------------------------------------------ state import
def _exported(aws) -> dict:
    return json.loads(json.dumps(snapshot.export_state(aws.store)))


def _import_refused(aws, document: dict, *words: str) -> str:
    status, answer = aws.admin("PUT", "/state", document)
    assert (status, answer["error"]) == (400, "InvalidState"), answer
    for word in words:
        assert word in answer["message"], answer
    return answer["message"]


def test_a_state_holding_what_names_missing_users_roles_or_policies_is_not_imported(aws) -> None:
    iam = aws.client("iam")
    everything = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Pa55word!Pa55word")
    iam.create_group(GroupName="admins")
    iam.put_group_policy(GroupName="admins", PolicyName="all", PolicyDocument=everything)
    policy = iam.create_policy(PolicyName="p", PolicyDocument=everything)["Policy"]["Arn"]
    iam.create_user(UserName="bob", PermissionsBoundary=policy)
    iam.attach_user_policy(UserName="bob", PolicyArn=policy)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.create_instance_profile(InstanceProfileName="app")
    iam.add_role_to_instance_profile(InstanceProfileName="app", RoleName="app")

    def changed(change) -> dict:
        document = _exported(aws)
        change(document["state"]["accounts"][ACCOUNT]["iam"])
        return document

    _import_refused(aws, changed(lambda state: state["users"].pop("alice")), "user_name", "no user 'alice'")
    _import_refused(aws, changed(lambda state: state["groups"]["admins"]["users"].append("mallory")),
                    "groups['admins'].users", "no user 'mallory'")
    _import_refused(aws, changed(lambda state: state["policies"].pop(policy)), policy)
    _import_refused(aws, changed(lambda state: state["roles"].pop("app")), "instance_profiles['app'].roles")
    gone = policy.replace(":policy/p", ":policy/gone")
    _import_refused(aws, changed(lambda state: state["users"]["bob"].update(permissions_boundary=gone)),
                    "permissions_boundary", gone)
    # Nothing was replaced: the old key's user is still alice, and a new mallory is in no group.
    assert [user["UserName"] for user in iam.list_users()["Users"]] == ["alice", "bob"]
    assert iam.get_group(GroupName="admins")["Users"] == []
    # An AWS managed policy attached and the state as exported are taken.
    iam.attach_user_policy(UserName="bob", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    status, answer = aws.admin("PUT", "/state", _exported(aws))
    assert status == 200, answer


def test_tagged_values_in_place_of_the_states_parts_are_refused(aws) -> None:
    for part in ("accounts", "identity_providers", "seeded_root_keys"):
        for tagged in ({"$tuple": []}, {"$datetime": "2026-01-01T00:00:00+00:00"}):
            document = _exported(aws)
            document["state"][part] = tagged
            _import_refused(aws, document, f"$.state.{part}")
    assert aws.client("sts").get_caller_identity()["Account"] == ACCOUNT
    status, answer = aws.admin("POST", "/oidc/token", {"github": {"repository": "acme/web",
                                                                  "ref": "refs/heads/main"}})
    assert status == 200 and answer["token"].count(".") == 2


def test_twin_identifiers_are_not_imported_and_a_null_ingress_is_read_as_none(aws) -> None:
    iam, apprunner = aws.client("iam"), aws.client("apprunner")
    policy = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}))["Policy"]["Arn"]
    service = running(apprunner, "web1")
    document = _exported(aws)
    versions = document["state"]["accounts"][ACCOUNT]["iam"]["policies"][policy]["versions"]
    versions.append(versions[0])
    _import_refused(aws, document, "versions", "'v1' is there twice")
    document = _exported(aws)
    services = document["state"]["accounts"][ACCOUNT]["regions"]["us-east-1"]["apprunner"]["services"]
    twin = service[:-32] + "0" * 32
    services[twin] = json.loads(json.dumps(services[service]).replace(service[-32:], "0" * 32))
    _import_refused(aws, document, "service_names")
    # A null ingress configuration (no such answer comes from the API) is read as none: the service is public.
    document = _exported(aws)
    services = document["state"]["accounts"][ACCOUNT]["regions"]["us-east-1"]["apprunner"]["services"]
    services[service]["network_configuration"]["IngressConfiguration"] = None
    status, answer = aws.admin("PUT", "/state", document)
    assert status == 200, answer
    [listed] = apprunner.list_services()["ServiceSummaryList"]
    assert listed["ServiceUrl"] == apprunner.describe_service(ServiceArn=service)["Service"]["ServiceUrl"]


def test_a_seed_names_only_regions_the_api_serves(aws) -> None:
    status, answer = aws.admin("POST", "/seed", {"ecr": {"repositories": [{"name": "app", "region": "mars-1"}]}})
    assert (status, answer["error"]) == (400, "InvalidSeed") and "mars-1" in answer["message"]
    status, answer = aws.admin("POST", "/seed", {"apprunner": {"connections": [
        {"region": "mars-1", "ConnectionName": "conn1", "ProviderType": "GITHUB"}]}})
    assert (status, answer["error"]) == (400, "InvalidSeed") and "mars-1" in answer["message"]
    assert "mars-1" not in aws.store.account(ACCOUNT).regions
    status, _answer = aws.admin("POST", "/seed", {"ecr": {"repositories": [{"name": "app", "region": "eu-west-1"}]}})
    assert status == 200
    assert aws.client("ecr", region="eu-west-1").describe_repositories()["repositories"][0]["repositoryName"] == "app"


def test_options_on_the_admin_api_names_the_endpoints_methods(server) -> None:
    import requests

    answer = requests.options(f"{server.endpoint_url}/_mockrunner/state", timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Allow"] == "GET, POST, PUT, HEAD, OPTIONS"
    assert answer.json() == {"methods": ["GET", "POST", "PUT", "HEAD", "OPTIONS"]}
    assert requests.options(f"{server.endpoint_url}/_mockrunner/health", timeout=30).headers["Allow"] == \
        "GET, HEAD, OPTIONS"
    missing = requests.options(f"{server.endpoint_url}/_mockrunner/no/such/endpoint", timeout=30)
    assert missing.status_code == 404 and missing.json()["error"] == "UnknownAdminEndpoint"


def test_what_else_names_a_missing_principal_is_not_imported(aws) -> None:
    """A user's STS session, the record of a role's use, a trust or repository policy naming a user of its own
    account by ARN: a namesake created later was handed each of them (a federated session got the new user's
    permissions, a new user assumed the role the old one was trusted for)."""
    iam = aws.client("iam")
    iam.create_user(UserName="ghost")
    iam.put_user_policy(UserName="ghost", PolicyName="federate", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetFederationToken",
                                               "Resource": "*"}]}))
    key = iam.create_access_key(UserName="ghost")["AccessKey"]
    aws.client_for(key, "sts").get_federation_token(Name="visitor")
    ghost_arn = f"arn:aws:iam::{ACCOUNT}:user/ghost"
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ghost_arn}, "Action": "sts:AssumeRole"}]}))
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="repo")
    ecr.set_repository_policy(repositoryName="repo", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ghost", "Effect": "Allow", "Principal": {"AWS": ghost_arn}, "Action": "ecr:*"}]}))

    def without_ghost(document: dict) -> dict:
        state = document["state"]["accounts"][ACCOUNT]["iam"]
        del state["users"]["ghost"]
        state["access_keys"] = {}
        state["last_used"] = {}
        return document

    # The federated session of the missing user, then (sessions dropped) the trust policy naming it.
    _import_refused(aws, without_ghost(_exported(aws)), "sessions", "no user 'ghost'")
    document = without_ghost(_exported(aws))
    document["state"]["accounts"][ACCOUNT]["iam"]["sessions"] = {}
    _import_refused(aws, document, "roles['admin'].assume_role_policy", ghost_arn)
    role = document["state"]["accounts"][ACCOUNT]["iam"]["roles"]["admin"]
    role["assume_role_policy"] = role["assume_role_policy"].replace(ghost_arn, f"arn:aws:iam::{ACCOUNT}:root")
    _import_refused(aws, document, "repositories['repo'].policy_text", ghost_arn)
    # The record of a missing role's use.
    document = _exported(aws)
    state = document["state"]["accounts"][ACCOUNT]["iam"]
    state["last_used"][f"arn:aws:iam::{ACCOUNT}:role/gone"] = state["last_used"].get(ghost_arn) or {
        "iam": {"$tuple": [{"$datetime": "2026-12-01T00:00:00+00:00"}, "us-east-1"]}}
    message = _import_refused(aws, document, "last_used", "role/gone")
    assert message.endswith("no access key, user or role of that name in this account"), message
    # Deleting the user through the API shows it by its unique id: that state is imported.
    iam.delete_access_key(UserName="ghost", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="ghost", PolicyName="federate")
    iam.delete_user(UserName="ghost")
    status, answer = aws.admin("PUT", "/state", _exported(aws))
    assert status == 200, answer


def test_twin_identifiers_and_indexes_that_disagree_are_not_imported(aws) -> None:
    iam, ecr, apprunner = aws.client("iam"), aws.client("ecr"), aws.client("apprunner")
    policy = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}))
    ecr.create_repository(repositoryName="images")
    put_image(ecr, "images", image_manifest("one"), imageTag="latest")
    put_image(ecr, "images", image_manifest("two"), imageTag="old")
    scale = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale")[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    service = running(apprunner, "web1", AutoScalingConfigurationArn=scale)
    exported = _exported(aws)
    account = exported["state"]["accounts"][ACCOUNT]

    def changed(change) -> dict:
        document = json.loads(json.dumps(exported))
        change(document["state"]["accounts"][ACCOUNT])
        return document

    # A next version id the policy already holds: CreatePolicyVersion would make a second v2.
    _import_refused(aws, changed(lambda state: state["iam"]["policies"][policy].update(next_version=2)),
                    "next_version", "'v2'")
    # One tag on two images.
    digests = list(account["regions"]["us-east-1"]["ecr"]["repositories"]["images"]["images"])
    _import_refused(aws, changed(lambda state: state["regions"]["us-east-1"]["ecr"]["repositories"]["images"][
        "images"][digests[1]]["tags"].append("latest")), "tag 'latest'")
    apprunner_state = ("regions", "us-east-1", "apprunner")

    def in_apprunner(state: dict) -> dict:
        for step in apprunner_state:
            state = state[step]
        return state

    # A live service marked deleted (its name then free for a second RUNNING web1), and an emptied index.
    _import_refused(aws, changed(lambda state: in_apprunner(state)["services"][service].update(
        deleted_at={"$datetime": "2026-12-01T00:00:00+00:00"})), "deleted_at disagree")
    _import_refused(aws, changed(lambda state: in_apprunner(state).update(asc_services={})), "asc_services")
    status, answer = aws.admin("PUT", "/state", exported)
    assert status == 200, answer
    assert apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=scale)[
        "AutoScalingConfiguration"]["HasAssociatedService"] is True


def test_no_page_and_double_slashes_are_not_found_not_redirected(server) -> None:
    import requests

    options = requests.options(f"{server.endpoint_url}/_mockrunner/ui/nope", timeout=30)
    assert options.status_code == 404 and options.headers["Content-Type"].startswith("text/html")
    assert "Allow" not in options.headers
    for method in ("GET", "POST"):
        for path in ("/_mockrunner//reset", "/_mockrunner/state%0a"):
            # No route takes these paths; the refusal of the Host comes first all the same.
            answer = requests.request(method, f"{server.endpoint_url}{path}", timeout=30,
                                      headers={"Host": "evil.example:1"}, allow_redirects=False)
            assert answer.status_code == 403 and "Location" not in answer.headers, (method, path)
            assert answer.json()["error"] == "AdminForbidden"
            answer = requests.request(method, f"{server.endpoint_url}{path}", timeout=30, allow_redirects=False)
            assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/json"


# ------------------------------------------------------------------------------------------------ App Runner and ECR
def _operations(apprunner, arn: str) -> list[tuple[str, str]]:
    return [(item["Type"], item["Status"]) for item in
            apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]]


def test_a_push_deploys_only_when_the_access_role_may_describe_the_images(aws) -> None:
    world = World(aws)
    identifier = world.image(tag="latest")
    pull_only = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                                       "ecr:BatchGetImage"],
         "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app"},
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]})
    blind = world.access_role("PullOnly", managed=(), inline=pull_only)
    seeing = world.access_role("PullAndDescribe")
    services = {}
    for name, role in (("blind", blind), ("seeing", seeing)):
        services[name] = world.apprunner.create_service(**create_request(name + "-svc", identifier, role,
                                                                          auto_deploy=True))["Service"]["ServiceArn"]
        assert world.apprunner.describe_service(ServiceArn=services[name])["Service"]["Status"] == "RUNNING"
    pushed = put_image(world.ecr, repositoryName="app", imageManifest=image_manifest("new", 10),
                       imageTag="latest")["image"]["imageId"]["imageDigest"]
    assert world.apprunner.describe_service(ServiceArn=services["seeing"])["Service"]["Status"] == "RUNNING"
    assert _operations(world.apprunner, services["seeing"])[0] == ("START_DEPLOYMENT", "SUCCEEDED")
    assert world.deployed_image(services["seeing"])["image_digest"] == pushed
    # The role that may pull but not describe: no deployment starts; a manual one still pulls the new image.
    assert _operations(world.apprunner, services["blind"]) == [("CREATE_SERVICE", "SUCCEEDED")]
    assert world.deployed_image(services["blind"])["image_digest"] != pushed
    world.apprunner.start_deployment(ServiceArn=services["blind"])
    assert world.apprunner.describe_service(ServiceArn=services["blind"])["Service"]["Status"] == "RUNNING"
    assert world.deployed_image(services["blind"])["image_digest"] == pushed


def test_an_at_reference_that_is_no_digest_fails_the_deployment(aws) -> None:
    world = World(aws)
    identifier = world.image(tag="latest")
    arn = world.apprunner.create_service(**create_request(
        "at-tag", identifier.replace(":latest", "@latest"), world.access_role()))["Service"]["ServiceArn"]
    assert world.apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "CREATE_FAILED"
    assert [failure["reason"].endswith(INVALID_DIGEST) for failure in world.failures(arn)] == [True]
    assert world.deployed_image(arn)["image_digest"] is None


def _instance_credentials(harness, arn: str) -> tuple[int, dict]:
    return harness.admin("GET", f"/apprunner/instance-role-credentials?service_arn={arn}")


def test_instance_role_credentials_only_for_running_code_and_as_the_mode_decides(aws, make_harness) -> None:
    world = World(aws)
    instance = world.role("app-instance", "tasks.apprunner.amazonaws.com")
    running_arn = world.apprunner.create_service(**create_request(
        "runs", world.image(tag="v1"), world.access_role(), instance_role=instance))["Service"]["ServiceArn"]
    failed_arn = world.apprunner.create_service(**create_request(
        "never-ran", identifier_of_missing_image(), world.access_role("Other"), instance_role=instance))[
        "Service"]["ServiceArn"]
    assert world.apprunner.describe_service(ServiceArn=failed_arn)["Service"]["Status"] == "CREATE_FAILED"
    status, answer = _instance_credentials(aws, running_arn)
    assert status == 200 and answer["credentials"]["AccessKeyId"]
    status, answer = _instance_credentials(aws, failed_arn)
    assert (status, answer["error"]) == (400, "InvalidStateException") and "CREATE_FAILED" in answer["message"]
    world.apprunner.pause_service(ServiceArn=running_arn)
    assert world.apprunner.describe_service(ServiceArn=running_arn)["Service"]["Status"] == "PAUSED"
    status, answer = _instance_credentials(aws, running_arn)
    assert (status, answer["error"]) == (400, "InvalidStateException")
    # soft: the trust of a role App Runner may not assume is decided and logged, and let through.
    soft = make_harness(aws.mode, Settings(log_requests=False, operation_delay=0, enforce="soft"))
    soft_world = World(soft)
    wrong = soft_world.role("wrong-instance", "build.apprunner.amazonaws.com")
    arn = soft_world.apprunner.create_service(**create_request(
        "soft", soft_world.image(tag="v1"), soft_world.access_role(), instance_role=wrong))["Service"]["ServiceArn"]
    assert soft_world.apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    status, answer = _instance_credentials(soft, arn)
    assert status == 200, answer


def identifier_of_missing_image() -> str:
    return f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:not-pushed"
