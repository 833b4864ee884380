"""An attacker's forty-fifth pass, with fresh eyes on the oldest surfaces: IAM, STS and the engine's enforcement
(session rules, revocation, trust conditions, resource policies against boundaries and session policies, the
simulator against enforcement, renames, tags, the query wire, source addresses, condition operators, durability of
sessions), then ECR, the registry endpoint, App Runner and the HTTP server.  Real clients: boto3 in both modes.

Findings (each test failed before its fix):

- **Medium (authorization).** A resource policy naming an IAM user did not name the federated sessions that user
  made with ``GetFederationToken``: the session's principal carried no link to its user, so the user's ARN matched
  it only as an account.  A ``Deny`` naming the user therefore did not apply to its sessions (a user denied
  ``ecr:*`` on a repository deleted it with ``force`` through a session it made itself, with no permission beyond
  what it already had), and an ``Allow`` naming the user was not joined to the identity side as AWS joins it (the
  session was denied what the session policy and the grant together allow).  The IAM User Guide ("Session
  policies"): "A resource-based policy can specify the ARN of the user or role as a principal. In that case, the
  permissions from the resource-based policy are added to the role or user's identity-based policy before the
  session is created. The session policy limits the total permissions"; ("Permissions boundaries") an implicit deny
  in a boundary "does limit the permissions granted to the ARN of the underlying IAM role or IAM user by the
  resource-based policy".  The user's ARN now names its federated sessions as a role's ARN names the role's.
- **High (state file).** A manifest's declared sizes were summed into the image's ``imageSizeInBytes`` unbounded:
  one push with two layers declared 2**62 bytes each (or a registry push with one layer of ``10**25``) was accepted
  and saved, and the state then held a number no 64-bit field holds: the server's own export no longer imported and
  a restart on the state file refused to start.  A descriptor's ``size`` is an int64 (the OCI image spec) and so is
  ECR's ``imageSizeInBytes``: a larger one, or declared sizes adding up past it, is refused as a manifest ECR does
  not take (``InvalidParameterException`` "Invalid JSON syntax"; the registry's 405 ``UNSUPPORTED``).
- **Medium (fidelity).** Archived images could be pulled (registry GET by tag or digest, BatchGetImage, an App
  Runner deployment) and a re-push did not restore them.  ECR User Guide, "Archiving an image": "Archived images
  cannot be pulled. Requests to pull the archived image will fail with a 404 error", and "The image can be restored
  as an active image by manually selecting it to be restored or by re-pushing the image to the repository".
- **Low (registry tokens).** Switching enforcement off at run time (``PUT /_mockrunner/enforce``) refused every
  registry token issued while it was on (401), though with enforcement off "any credentials act as the default
  root": a ``docker login`` made before the switch stopped working.  Such tokens are now accepted while it is off;
  a token issued while it was off is still refused once it is on again (nothing authenticated it).
- **Low (fidelity).** UploadServerCertificate and UploadSigningCertificate took a certificate whose validity begins
  in the future; IAM refuses it as ``MalformedCertificate`` (the IAM team, relayed in aws/aws-sdk-go#2586: "a
  certificate whose validity period begins in the future will fail standard X509 certificate validation").
- **Low (fidelity).** UploadServerCertificate took a chain whose certificates had not signed the body (or each
  other): IAM answers "Unable to validate certificate chain. The certificate chain must start with the immediate
  signing certificate, followed by any intermediaries in order. The index within the chain of the invalid
  certificate is: -1" (quoted in mprahl/ansible-role-lets-encrypt-route-53#52, for an intermediate that had not
  signed the body).
- **Low–medium (App Runner paging).** A ``NextToken`` was an offset into a collection that changes: deleted items
  are forgotten when their retention ends (at once with none), and a newer operation heads ``ListOperations``.  A
  service present throughout a listing was skipped (a script deleting each service as it paged left half of them
  behind), and an operation was listed twice.  A token now also names the next item and the last one returned, and
  the next page starts where they are now.
- **Low (patterns).** Python's ``$`` matches before a trailing newline: an App Runner configuration ARN with one
  after it was taken by CreateService, and a registry push tagged ``v1%0A`` stored the tag ``"v1\\n"``.  Every
  pattern is anchored with ``\\Z`` (tests/architecture/test_regex_anchors.py keeps it so).
- **Low (App Runner errors).** A role of the account already named ``AWSServiceRoleForAppRunner`` made CreateService
  answer IAM's ``InvalidInput``, a code App Runner's model does not have; it is ``InvalidRequestException`` now.
- **Medium (the fix for a denial).** The fix for an explicit deny named the deny statements and nothing else, though
  a Deny rarely stands alone: with it removed, the request was still refused ("no identity-based policy allows").
  It now replays the request without the deny and adds what the other layers need (``alsoNeeded``).
- **Medium (the proof, the fix).** The replay read the resource policy the request met when it was recorded: a
  repository with no policy then was replayed with none, so a repository policy set since was ignored both ways (a
  Deny naming the user: the proof said "all allowed" and the fix "complete"; an Allow for another account's user: the
  proof said "not covered").  It now reads the resource's policy as it is.
- **Medium (least privilege).** The suggestion allowed ``iam:AttachRolePolicy`` on a role for any policy: the deploy
  walkthrough's user could attach ``AdministratorAccess`` to the role it creates, assume it and be administrator.
  Actions that act on something else are now pinned to what was recorded: ``iam:PolicyARN`` for Attach/Detach*Policy,
  ``iam:PermissionsBoundary``, ``sts:SourceIdentity``, the session tags of ``sts:TagSession`` (beside
  ``iam:PassedToService`` and ``iam:AWSServiceName``).
- **Low (the fix for a denial).** A boundary that is an AWS managed policy was to be replaced by a customer managed copy
  holding the statement, even when the copy (``ReadOnlyAccess``: 91,383 characters) is far over IAM's 6,144: the fix
  now says so (``newBoundaryTooLarge``) and is not complete.
- **High (the request context).** ``iam:ServiceSpecificCredentialServiceName`` and
  ``iam:ServiceSpecificCredentialAgeDays`` were never in the context, so the documented way to restrict Bedrock API
  keys (AWS's own example SCP "Deny-Bedrock-api-keys-longer-than-30-days") denied nothing.
- **Medium (authorization).** PutReplicationConfiguration and CreatePullThroughCacheRule neither checked the caller's
  ``iam:CreateServiceLinkedRole`` nor created ECR's service-linked roles, which AWS does on first use ("The first
  time the PutReplicationConfiguration API is called, a service-linked IAM role is created in your account").
- **Low (fidelity).** SetRepositoryPolicy stored a policy granting ``ecr:GetAuthorizationToken``, which ECR refuses:
  "today AWS is rejecting it in the Repository Policy, saying 'Invalid repository policy provided'"
  (cloudposse/terraform-aws-ecr#67).
- **Low (fidelity).** AssumeRole (and the other STS calls taking ``PolicyArns``) took more than 10 managed session
  policies: "You can provide up to 10 managed policy ARNs" (STS API reference); the model states no maximum.

Probes that held: the root cannot AssumeRole; role chaining is held to an hour; GetFederationToken and
GetSessionToken refuse session credentials; federated and MFA-less GetSessionToken credentials are unknown to IAM;
revocation by ``aws:TokenIssueTime`` cuts old sessions and their chains only; ``sts:RoleSessionName`` and
``sts:SourceIdentity`` against ``${aws:username}``; resource policies naming a user, role, session, account or
``*`` against boundaries and session policies, in one account and across accounts; the simulator's
``ResourcePolicy`` against enforcement; renamed users in trust and repository policies; calls on another user's
credentials without ``UserName``; the service-linked role's protections; ``iam:Tag*`` on creation with tags; the query
wire's duplicated ``Action``; forwarding headers never change ``aws:SourceIp``; about 30 condition-operator and
grammar cases; federated users' context keys; scoped credentials at the registry; sessions after a restart with
``--state-file``.  HTTP framing on raw sockets (``OPTIONS *``, ``CONNECT``, both lengths, chunk extensions and
trailers, bare LF, obs-fold, NUL, HTTP/0.9 and HTTP/2's preface, ``..`` and ``%00``), HEAD then GET pipelined on
every registry route; uploads at a wrong offset, empty, with a wrong digest or another repository's id; cross-account
registry reads and mounts; download URLs bound to registry, Region, name and digest; ``kill -9`` and a restart;
about 1,400 random and malformed ECR and App Runner calls: no 5xx.  An empty string in the request context stays a
value to ``Null`` and the set operators, as AWS's recorded simulator answers have it (the User Guide calls it a
null dataset; docs/behaviour.md, "Hostile input: forty-fifth pass (fresh eyes on the oldest surfaces)").
"""
from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.config import Quotas, Settings
from mockrunner.testing.oci import build_image
from tests.apprunner.helpers import ACCOUNT, PUBLIC_SOURCE, private_source, service_role
from tests.ecr.pushing import BLOBS, image_manifest, put_image, upload_blob
from tests.harness import Harness
from tests.iam.keys_and_codes import issued_certificate, private_pem, rsa_key, self_signed_certificate
from tests.registry.images import Registry, error_code, login_password
from tests.suggest.helpers import admin, soft_settings, user_arn, user_keys


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _federated_ecr(aws: Harness, user: str, identity: dict, session: dict, boundary: dict | None = None):
    """An ECR client of a GetFederationToken session of a new user ``user`` whose inline policy is ``identity``
    (and permissions boundary ``boundary``), made with the session policy ``session``."""
    iam = aws.client("iam")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=_document(identity))
    if boundary is not None:
        arn = iam.create_policy(PolicyName=f"{user}-boundary", PolicyDocument=_document(boundary))["Policy"]["Arn"]
        iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=arn)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    sts = aws.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    credentials = sts.get_federation_token(Name=f"{user}-fed", Policy=_document(session))["Credentials"]
    return aws.client_for(credentials, "ecr")


FEDERATE = {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "*"}
EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
CAROL_MAY_DESCRIBE = {"Effect": "Allow", "Action": "ecr:DescribeImages",
                      "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/carol"}}


def _repository_policy(aws: Harness, *statements: dict) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    ecr.set_repository_policy(repositoryName="app", policyText=_document(*statements))


def test_a_deny_naming_a_user_applies_to_the_federated_sessions_it_makes(aws) -> None:
    session = _federated_ecr(aws, "dave", EVERYTHING, {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})
    _repository_policy(aws, {"Sid": "NoDave", "Effect": "Deny", "Action": "ecr:*",
                             "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/dave"}})
    with pytest.raises(ClientError) as denied:
        session.delete_repository(repositoryName="app", force=True)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "federated-user/dave-fed" in denied.value.response["Error"]["Message"]
    assert "explicit deny in a resource-based policy" in denied.value.response["Error"]["Message"]
    assert aws.client("ecr").describe_repositories()["repositories"][0]["repositoryName"] == "app"


def test_held_a_deny_naming_another_user_leaves_a_federated_session_alone(aws) -> None:
    session = _federated_ecr(aws, "dave", EVERYTHING, {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})
    aws.client("iam").create_user(UserName="someone-else")
    _repository_policy(aws, {"Effect": "Deny", "Action": "ecr:*",
                             "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone-else"}})
    assert session.describe_images(repositoryName="app")["imageDetails"] == []


def test_an_allow_naming_a_user_joins_its_identity_side_in_a_federated_session(aws) -> None:
    """The grant counts as the user's own, so the session policy alone need not be met by the identity policies."""
    session = _federated_ecr(aws, "carol", FEDERATE, {"Effect": "Allow", "Action": "ecr:DescribeImages",
                                                       "Resource": "*"})
    _repository_policy(aws, CAROL_MAY_DESCRIBE)
    assert session.describe_images(repositoryName="app")["imageDetails"] == []


@pytest.mark.parametrize("limit", ["session", "boundary"])
def test_an_allow_naming_a_user_is_still_cut_down_in_its_federated_session(aws, limit) -> None:
    """Unlike a grant naming the session itself, a grant naming the user passes the session policies and the
    user's boundary ("Permissions boundaries": an implicit deny there limits what is granted to the underlying
    IAM user's ARN)."""
    other = {"Effect": "Allow", "Action": "ecr:ListImages", "Resource": "*"}
    both = {"Effect": "Allow", "Action": ["ecr:DescribeImages", "sts:GetFederationToken"], "Resource": "*"}
    if limit == "session":
        session = _federated_ecr(aws, "carol", FEDERATE, other)
    else:
        session = _federated_ecr(aws, "carol", FEDERATE, both, boundary={**other, "Action": [
            "ecr:ListImages", "sts:GetFederationToken"]})
    _repository_policy(aws, CAROL_MAY_DESCRIBE)
    with pytest.raises(ClientError) as denied:
        session.describe_images(repositoryName="app")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert ("session policy" if limit == "session" else "permissions boundary") \
        in denied.value.response["Error"]["Message"]


# ------------------------------------------------------------------------------------------ declared sizes


def _manifest_declaring(sizes: list[int]) -> str:
    """A manifest whose layers (real blobs of this module's pushes) declare ``sizes``."""
    config = json.loads(image_manifest("sizes"))["config"]
    layers = [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": size,
               "digest": json.loads(image_manifest(f"sizes-{index}"))["layers"][0]["digest"]}
              for index, size in enumerate(sizes)]
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": config, "layers": layers})


@pytest.mark.parametrize("sizes", [[2 ** 62, 2 ** 62], [10 ** 25]], ids=["sum-past-int64", "one-past-int64"])
def test_declared_sizes_past_int64_are_refused_and_the_state_still_loads(aws, sizes) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    manifest = _manifest_declaring(sizes)
    for descriptor in [json.loads(manifest)["config"], *json.loads(manifest)["layers"]]:
        upload_blob(ecr, "app", BLOBS[descriptor["digest"]])
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName="app", imageTag="v1", imageManifest=manifest)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "'Invalid JSON syntax'" in refused.value.response["Error"]["Message"]
    assert ecr.describe_images(repositoryName="app", filter={"tagStatus": "ANY"})["imageDetails"] == []
    status, exported = aws.admin("GET", "/state")
    assert status == 200
    assert aws.admin("PUT", "/state", exported)[0] == 200


def test_held_declared_sizes_up_to_int64_are_taken(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    manifest = _manifest_declaring([2 ** 63 - 1 - len(BLOBS[json.loads(image_manifest("sizes"))["config"]["digest"]])])
    for descriptor in [json.loads(manifest)["config"], *json.loads(manifest)["layers"]]:
        upload_blob(ecr, "app", BLOBS[descriptor["digest"]])
    ecr.put_image(repositoryName="app", imageTag="v1", imageManifest=manifest)
    assert ecr.describe_images(repositoryName="app")["imageDetails"][0]["imageSizeInBytes"] == 2 ** 63 - 1


def test_a_registry_push_declaring_a_size_past_int64_is_refused(served) -> None:
    registry = Registry(served.endpoint_url, login_password(served.client("ecr")))
    served.client("ecr").create_repository(repositoryName="app")
    image = build_image("huge")
    for data in (image.layer, image.config):
        assert registry.push_blob("app", data).status_code == 201
    manifest = json.loads(image.manifest)
    manifest["layers"][0]["size"] = 10 ** 25
    answer = registry.put_manifest("app", "huge", json.dumps(manifest).encode())
    assert error_code(answer)[:2] == (405, "UNSUPPORTED")  # the registry's answer to PutImage's "Invalid JSON"
    assert registry.call("GET", "/v2/app/tags/list").json()["tags"] in (None, [])


# ------------------------------------------------------------------------------------------ archived images


def _archived(aws: Harness) -> tuple[object, str]:
    """An ECR client and the digest of ``app:v1``, pushed then archived."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    digest = put_image(ecr, repositoryName="app", imageManifest=image_manifest("arch"), imageTag="v1")[
        "image"]["imageId"]["imageDigest"]
    answer = ecr.update_image_storage_class(repositoryName="app", imageId={"imageTag": "v1"},
                                            targetStorageClass="ARCHIVE")
    assert answer["imageStatus"] == "ARCHIVED"
    return ecr, digest


def test_an_archived_image_is_not_pulled_by_batch_get_image(aws) -> None:
    ecr, digest = _archived(aws)
    for image_id in ({"imageTag": "v1"}, {"imageDigest": digest}):
        answer = ecr.batch_get_image(repositoryName="app", imageIds=[image_id])
        assert answer["images"] == []
        assert [(failure["imageId"], failure["failureCode"]) for failure in answer["failures"]] == \
            [(image_id, "ImageInaccessible")]
    shown = ecr.describe_images(repositoryName="app", filter={"imageStatus": "ARCHIVED"})["imageDetails"][0]
    assert "lastRecordedPullTime" not in shown


def test_a_push_of_an_archived_image_restores_it(aws) -> None:
    ecr, digest = _archived(aws)
    again = ecr.put_image(repositoryName="app", imageTag="v1", imageManifest=image_manifest("arch"))
    assert again["image"]["imageId"] == {"imageDigest": digest, "imageTag": "v1"}
    shown = ecr.describe_images(repositoryName="app", imageIds=[{"imageTag": "v1"}])["imageDetails"][0]
    assert shown["imageStatus"] == "ACTIVE"
    assert "lastActivatedAt" in shown
    assert ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])["failures"] == []


def test_held_a_push_of_an_active_image_with_its_tag_is_still_refused(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("arch"), imageTag="v1")
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName="app", imageTag="v1", imageManifest=image_manifest("arch"))
    assert refused.value.response["Error"]["Code"] == "ImageAlreadyExistsException"


def test_an_archived_image_is_not_found_by_the_registry_until_pushed_again(served) -> None:
    ecr, digest = _archived(served)
    registry = Registry(served.endpoint_url, login_password(ecr))
    for reference in ("v1", digest):
        for method in ("GET", "HEAD"):
            assert registry.call(method, f"/v2/app/manifests/{reference}").status_code == 404
    assert error_code(registry.call("GET", "/v2/app/manifests/v1"))[:2] == (404, "MANIFEST_UNKNOWN")
    assert registry.put_manifest("app", "v1", image_manifest("arch").encode(),
                                 "application/vnd.docker.distribution.manifest.v2+json").status_code == 201
    assert registry.call("GET", "/v2/app/manifests/v1").status_code == 200
    assert ecr.describe_images(repositoryName="app")["imageDetails"][0]["imageStatus"] == "ACTIVE"


def test_app_runner_cannot_deploy_an_archived_image(aws) -> None:
    _archived(aws)
    role = service_role(aws, "access")
    aws.client("iam").attach_role_policy(
        RoleName="access", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
    apprunner = aws.client("apprunner")
    source = {**private_source(role, "app:v1"), "AutoDeploymentsEnabled": False}
    arn = apprunner.create_service(ServiceName="archived", SourceConfiguration=source)["Service"]["ServiceArn"]
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "CREATE_FAILED"


# ------------------------------------------------------------------------------------------ enforcement switched


def test_a_registry_token_outlives_switching_enforcement_off_but_not_one_issued_while_off(served) -> None:
    ecr = served.client("ecr")
    ecr.create_repository(repositoryName="app")
    issued_on = login_password(ecr)
    assert Registry(served.endpoint_url, issued_on).call("GET", "/v2/").status_code == 200
    assert served.admin("PUT", "/enforce", {"mode": "off"})[0] == 200
    assert Registry(served.endpoint_url, issued_on).call("GET", "/v2/").status_code == 200
    issued_off = login_password(ecr)
    assert Registry(served.endpoint_url, issued_off).call("GET", "/v2/").status_code == 200
    assert served.admin("PUT", "/enforce", {"mode": "on"})[0] == 200
    assert Registry(served.endpoint_url, issued_on).call("GET", "/v2/").status_code == 200
    refused = Registry(served.endpoint_url, issued_off).call("GET", "/v2/")
    assert refused.status_code == 401
    assert requests.get(f"{served.endpoint_url}/v2/", timeout=30).status_code == 401


# ------------------------------------------------------------------------------------------ IAM certificates, STS


def _malformed(call, **params) -> str:
    with pytest.raises(ClientError) as refused:
        call(**params)
    assert refused.value.response["Error"]["Code"] == "MalformedCertificate"
    return refused.value.response["Error"]["Message"]


def test_a_certificate_not_valid_yet_is_malformed(aws) -> None:
    iam = aws.client("iam")
    key = rsa_key()
    body, _ = self_signed_certificate(key, start_days=5)
    _malformed(iam.upload_server_certificate, ServerCertificateName="future", CertificateBody=body,
               PrivateKey=private_pem(key))
    _malformed(iam.upload_signing_certificate, CertificateBody=body)
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []
    assert iam.list_signing_certificates()["Certificates"] == []


CHAIN_REFUSED = ("Unable to validate certificate chain. The certificate chain must start with the immediate signing "
                 "certificate, followed by any intermediaries in order. The index within the chain of the invalid "
                 "certificate is: {}")


def test_a_certificate_chain_must_be_the_chain_that_signed_the_body(aws) -> None:
    iam = aws.client("iam")
    leaf_key, intermediate_key, root_key = rsa_key(), rsa_key(), rsa_key()
    root, _ = self_signed_certificate(root_key, "root.example.com", days=300)
    intermediate, _ = issued_certificate(intermediate_key, "intermediate.example.com", root_key, "root.example.com")
    body, _ = issued_certificate(leaf_key, "www.example.com", intermediate_key, "intermediate.example.com")
    unrelated, _ = self_signed_certificate(rsa_key(), "intermediate.example.com")
    upload = {"CertificateBody": body, "PrivateKey": private_pem(leaf_key)}
    for chain, index in ((unrelated, -1), (root, -1), (body, -1), (root + intermediate, -1),
                         (intermediate + unrelated, 0)):
        assert _malformed(iam.upload_server_certificate, ServerCertificateName="www", CertificateChain=chain,
                          **upload) == CHAIN_REFUSED.format(index)
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []
    for name, chain in (("whole", intermediate + root), ("first", intermediate)):
        iam.upload_server_certificate(ServerCertificateName=name, CertificateChain=chain, **upload)
    assert len(iam.list_server_certificates()["ServerCertificateMetadataList"]) == 2


def test_at_most_ten_managed_session_policies(aws) -> None:
    iam = aws.client("iam")
    trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=_document(trust))["Role"]["Arn"]
    user = _federated_user_keys(aws)
    arns = [{"arn": policy["Arn"]} for policy in iam.list_policies(Scope="AWS", MaxItems=11)["Policies"]]
    sts = aws.client("sts", access_key=user["AccessKeyId"], secret=user["SecretAccessKey"])
    for call, params in ((sts.assume_role, {"RoleArn": role, "RoleSessionName": "ten"}),
                         (sts.get_federation_token, {"Name": "fed"})):
        with pytest.raises(ClientError) as refused:
            call(PolicyArns=arns, **params)
        assert refused.value.response["Error"]["Code"] == "ValidationError"
        assert refused.value.response["Error"]["Message"].endswith(
            "at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
        assert call(PolicyArns=arns[:10], **params)["Credentials"]["AccessKeyId"]


def _federated_user_keys(aws: Harness) -> dict:
    """The access key of a new user allowed everything."""
    iam = aws.client("iam")
    iam.create_user(UserName="caller")
    iam.put_user_policy(UserName="caller", PolicyName="p", PolicyDocument=_document(EVERYTHING))
    return iam.create_access_key(UserName="caller")["AccessKey"]


# ------------------------------------------------------------------------------------------ App Runner


def _services(apprunner, count: int) -> list[str]:
    return [apprunner.create_service(ServiceName=f"svc-{index}", SourceConfiguration=PUBLIC_SOURCE)["Service"][
        "ServiceArn"] for index in range(count)]


def test_a_service_forgotten_between_pages_does_not_make_the_next_page_skip_one(aws) -> None:
    apprunner = aws.client("apprunner")
    old = apprunner.create_service(ServiceName="old-svc", SourceConfiguration=PUBLIC_SOURCE)["Service"]["ServiceArn"]
    _services(apprunner, 4)
    apprunner.list_services()  # the operations complete
    apprunner.delete_service(ServiceArn=old)
    apprunner.list_services()
    first = apprunner.list_services(MaxResults=2)
    aws.store.clock.advance(aws.store.settings.quotas.apprunner_deleted_retention + 1)
    second = apprunner.list_services(MaxResults=2, NextToken=first["NextToken"])
    listed = [item["ServiceName"] for page in (first, second) for item in page["ServiceSummaryList"]]
    assert listed == ["svc-0", "svc-1", "svc-2", "svc-3"]


def test_a_script_deleting_each_service_it_pages_through_deletes_them_all(make_harness) -> None:
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=0,
                                                 quotas=Quotas(apprunner_deleted_retention=0)))
    apprunner = harness.client("apprunner")
    _services(apprunner, 6)
    seen, token = [], None
    for _ in range(10):
        page = apprunner.list_services(MaxResults=2, **({"NextToken": token} if token else {}))
        for item in page["ServiceSummaryList"]:
            seen.append(item["ServiceName"])
            apprunner.delete_service(ServiceArn=item["ServiceArn"])
        token = page.get("NextToken")
        if token is None:
            break
    assert seen == [f"svc-{index}" for index in range(6)]
    assert apprunner.list_services()["ServiceSummaryList"] == []


def test_an_operation_started_between_pages_is_not_listed_twice(aws) -> None:
    apprunner = aws.client("apprunner")
    arn = _services(apprunner, 1)[0]
    for _ in range(3):
        apprunner.describe_service(ServiceArn=arn)
        apprunner.start_deployment(ServiceArn=arn)
    apprunner.describe_service(ServiceArn=arn)
    first = apprunner.list_operations(ServiceArn=arn, MaxResults=2)
    apprunner.start_deployment(ServiceArn=arn)
    second = apprunner.list_operations(ServiceArn=arn, MaxResults=2, NextToken=first["NextToken"])
    ids = [item["Id"] for page in (first, second) for item in page["OperationSummaryList"]]
    assert len(ids) == len(set(ids)) == 4


def test_held_a_token_minted_with_an_offset_alone_still_pages(aws) -> None:
    """The token's names are optional: the earlier form (an offset and the fingerprint) pages from its offset."""
    import base64
    import hashlib
    apprunner = aws.client("apprunner")
    _services(apprunner, 3)
    fingerprint = hashlib.sha256(json.dumps(["ListServices", {}], sort_keys=True).encode()).hexdigest()[:16]
    token = base64.urlsafe_b64encode(json.dumps({"o": 1, "f": fingerprint}).encode()).decode()
    assert [item["ServiceName"] for item in apprunner.list_services(NextToken=token)["ServiceSummaryList"]] == \
        ["svc-1", "svc-2"]


def test_a_configuration_arn_with_a_newline_after_it_is_not_taken(aws) -> None:
    apprunner = aws.client("apprunner")
    arn = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="asc1")[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    name_only = arn.rsplit("/", 2)[0]
    with pytest.raises(ClientError) as refused:
        apprunner.create_service(ServiceName="web-app", SourceConfiguration=PUBLIC_SOURCE,
                                 AutoScalingConfigurationArn=name_only + "\n")
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
    assert apprunner.list_services()["ServiceSummaryList"] == []


def test_a_registry_tag_with_a_newline_is_refused(served) -> None:
    ecr = served.client("ecr")
    ecr.create_repository(repositoryName="app")
    registry = Registry(served.endpoint_url, login_password(ecr))
    image = build_image("newline")
    for data in (image.layer, image.config):
        assert registry.push_blob("app", data).status_code == 201
    assert error_code(registry.put_manifest("app", "v1%0A", image.manifest))[:2] == (400, "TAG_INVALID")
    assert ecr.list_images(repositoryName="app")["imageIds"] == []


def test_app_runner_answers_a_taken_service_linked_role_name_in_its_own_error_code(aws) -> None:
    trust = {"Effect": "Allow", "Principal": {"Service": "apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}
    aws.client("iam").create_role(RoleName="AWSServiceRoleForAppRunner", AssumeRolePolicyDocument=_document(trust))
    apprunner = aws.client("apprunner")
    with pytest.raises(ClientError) as refused:
        apprunner.create_service(ServiceName="web-app", SourceConfiguration=PUBLIC_SOURCE)
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "AWSServiceRoleForAppRunner has been taken" in refused.value.response["Error"]["Message"]
    assert apprunner.list_services()["ServiceSummaryList"] == []


# ------------------------------------------------------------------------------------------ the fix and the suggestion


def _fix_of_last_denial(harness: Harness, principal: str) -> dict:
    status, log = admin(harness, "get", "/decisions", {"principal": principal, "decision": "denied"})
    assert status == 200 and log["decisions"]
    newest = max(entry["id"] for entry in log["decisions"])
    status, fix = admin(harness, "get", "/policies/suggest", {"decision": str(newest)})
    assert status == 200
    return fix


def test_the_fix_for_an_explicit_deny_also_gives_the_allow_the_request_lacks(aws) -> None:
    keys = user_keys(aws, "bob", inline={"Version": "2012-10-17", "Statement": [
        {"Sid": "NoDescribe", "Effect": "Deny", "Action": "ecr:DescribeRepositories", "Resource": "*"}]})
    aws.client("ecr").create_repository(repositoryName="web")
    bob = aws.client("ecr", access_key=keys["access_key"], secret=keys["secret"])
    with pytest.raises(ClientError):
        bob.describe_repositories(repositoryNames=["web"])
    fix = _fix_of_last_denial(aws, user_arn("bob"))
    assert [deny["sid"] for deny in fix["denyStatements"]] == ["NoDescribe"]
    assert fix["alsoNeededComplete"] is True
    (needed,) = fix["alsoNeeded"]
    assert (needed["where"], needed["attachTo"]) == ("identity policy", user_arn("bob"))
    iam = aws.client("iam")
    iam.put_user_policy(UserName="bob", PolicyName="inline", PolicyDocument=_document(needed["statement"]))
    assert bob.describe_repositories(repositoryNames=["web"])["repositories"][0]["repositoryName"] == "web"


def test_the_proof_reads_a_repository_policy_set_after_the_request(make_harness) -> None:
    harness = make_harness("inprocess", soft_settings())
    keys = user_keys(harness, "erin")
    harness.client("ecr").create_repository(repositoryName="web")
    harness.client("ecr", access_key=keys["access_key"], secret=keys["secret"]).list_images(repositoryName="web")
    harness.client("ecr").set_repository_policy(repositoryName="web", policyText=_document(
        {"Sid": "DenyErin", "Effect": "Deny", "Principal": {"AWS": user_arn("erin")}, "Action": "ecr:*"}))
    status, answer = admin(harness, "get", "/policies/suggest", {"principal": user_arn("erin")})
    assert status == 200 and answer["proof"]["allAllowed"] is False
    (uncovered,) = answer["proof"]["uncovered"]
    assert "DenyErin" in uncovered["why"]
    fix = _fix_of_last_denial(harness, user_arn("erin"))
    assert [further.get("denyStatements", [{}])[0].get("sid") for further in fix["alsoNeeded"]] == ["DenyErin"]


def test_a_boundary_copy_over_the_managed_policy_limit_is_said_to_be_one(aws) -> None:
    keys = user_keys(aws, "mb", boundary="arn:aws:iam::aws:policy/ReadOnlyAccess", inline={
        "Version": "2012-10-17", "Statement": [EVERYTHING]})
    with pytest.raises(ClientError):
        aws.client("ecr", access_key=keys["access_key"], secret=keys["secret"]).create_repository(
            repositoryName="mbrepo")
    fix = _fix_of_last_denial(aws, user_arn("mb"))
    assert fix["newBoundaryFrom"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert fix["newBoundaryTooLarge"] > 6144 and fix["alsoNeededComplete"] is False
    assert "over IAM's 6,144" in fix["explanation"]


def test_session_tags_and_source_identity_are_allowed_only_as_recorded(aws) -> None:
    iam = aws.client("iam")
    trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}
    role = iam.create_role(RoleName="target", AssumeRolePolicyDocument=_document(trust))["Role"]["Arn"]
    keys = user_keys(aws, "tagger", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role}]})
    sts = aws.client("sts", access_key=keys["access_key"], secret=keys["secret"])
    fixes = []
    for _ in range(3):
        try:
            sts.assume_role(RoleArn=role, RoleSessionName="tagged", SourceIdentity="me",
                            Tags=[{"Key": "team", "Value": "a"}])
            break
        except ClientError:
            fix = _fix_of_last_denial(aws, user_arn("tagger"))
            fixes.append(fix["statement"])
            iam.put_user_policy(UserName="tagger", PolicyName=f"fix{len(fixes)}",
                                PolicyDocument=_document(fix["statement"]))
    conditions = {statement["Action"]: statement.get("Condition") for statement in fixes}
    assert conditions == {
        "sts:TagSession": {"StringEquals": {"aws:RequestTag/team": "a"},
                           "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
        "sts:SetSourceIdentity": {"StringEquals": {"sts:SourceIdentity": "me"}}}
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=role, RoleSessionName="tagged", SourceIdentity="me",
                        Tags=[{"Key": "team", "Value": "admin"}])


def test_a_repository_policy_granting_get_authorization_token_is_refused(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="web")
    reader = {"Sid": "ReadOnly", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
              "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}
    with pytest.raises(ClientError) as refused:
        ecr.set_repository_policy(repositoryName="web", policyText=_document(
            {**reader, "Action": [*reader["Action"], "ECR:GetAuthorizationToken"]}))
    assert refused.value.response["Error"]["Message"] == (
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
    with pytest.raises(ClientError):
        ecr.get_repository_policy(repositoryName="web")
    ecr.set_repository_policy(repositoryName="web", policyText=_document({**reader, "Action": "ecr:*"}))



def test_the_bedrock_api_key_conditions_are_in_the_request_context(aws) -> None:
    """AWS's example SCP (aws-samples/service-control-policy-examples, "Deny-Bedrock-api-keys-longer-than-30-days")
    and the Bedrock guide's ``iam:ServiceSpecificCredentialServiceName``."""
    iam = aws.client("iam")
    keys = user_keys(aws, "keymaker", inline={"Version": "2012-10-17", "Statement": [
        EVERYTHING,
        {"Effect": "Deny", "Action": "iam:CreateServiceSpecificCredential", "Resource": "*", "Condition": {
            "StringEquals": {"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"},
            "NumericGreaterThan": {"iam:ServiceSpecificCredentialAgeDays": "30"}}},
        {"Effect": "Deny", "Action": ["iam:CreateServiceSpecificCredential", "iam:DeleteServiceSpecificCredential"],
         "Resource": "*", "Condition": {"StringEquals": {
             "iam:ServiceSpecificCredentialServiceName": "codecommit.amazonaws.com"}}}]})
    keymaker = aws.client("iam", access_key=keys["access_key"], secret=keys["secret"])
    for service, days in (("bedrock.amazonaws.com", 365), ("codecommit.amazonaws.com", None)):
        with pytest.raises(ClientError) as refused:
            keymaker.create_service_specific_credential(
                UserName="keymaker", ServiceName=service, **({"CredentialAgeDays": days} if days else {}))
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    short = keymaker.create_service_specific_credential(UserName="keymaker", ServiceName="bedrock.amazonaws.com",
                                                        CredentialAgeDays=30)["ServiceSpecificCredential"]
    keymaker.delete_service_specific_credential(
        UserName="keymaker", ServiceSpecificCredentialId=short["ServiceSpecificCredentialId"])
    held = iam.create_service_specific_credential(UserName="keymaker", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"]
    with pytest.raises(ClientError):  # the credential's own service, read from it
        keymaker.delete_service_specific_credential(
            UserName="keymaker", ServiceSpecificCredentialId=held["ServiceSpecificCredentialId"])


@pytest.mark.parametrize("call", ["replication", "pull_through_cache"])
def test_ecr_creates_its_service_linked_roles_with_the_callers_permission(aws, call) -> None:
    role_name = {"replication": "AWSServiceRoleForECRReplication",
                 "pull_through_cache": "AWSServiceRoleForECRPullThroughCache"}[call]
    deny = {"Effect": "Deny", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}
    keys = user_keys(aws, "admin", inline={"Version": "2012-10-17", "Statement": [EVERYTHING, deny]})
    ecr = aws.client("ecr", access_key=keys["access_key"], secret=keys["secret"])

    def configure(client) -> None:
        if call == "replication":
            client.put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [
                {"region": "us-west-2", "registryId": ACCOUNT}]}]})
        else:
            client.create_pull_through_cache_rule(ecrRepositoryPrefix="pub", upstreamRegistryUrl="public.ecr.aws")

    with pytest.raises(ClientError) as refused:
        configure(ecr)
    assert "iam:CreateServiceLinkedRole" in refused.value.response["Error"]["Message"]
    iam = aws.client("iam")
    assert not [role for role in iam.list_roles()["Roles"] if role["RoleName"] == role_name]
    configure(aws.client("ecr"))  # the root creates it
    (role,) = [role for role in iam.list_roles()["Roles"] if role["RoleName"] == role_name]
    assert role["Path"].startswith("/aws-service-role/")
    if call == "replication":  # now that the role exists, the denied user may configure replication
        configure(ecr)
