"""ECR (API and the ``/v2/`` registry) and STS GetWebIdentityToken as radkawar/stackd's other captures recorded them.

Evidence: the repository radkawar/stackd (commit 9dc356f5), ``testdata/aws/ecr/``: ``capture_summary.json`` names
``...-resume-61a808.json`` authoritative (compared in tests/ecr/test_stackd_recordings.py) and keeps the others as
"retained failed or partial captures": ``stackd-buildowner-ecr-2b69d1cf0ec0.json`` (repositories created and
deleted, then a dropped connection), ``...-resume-b913ab.json`` (complete, but its repository-policy deny was
refused, so its authorization cases show no denial), ``...-resume-865a3a.json`` (stopped at that refusal) and
``stackd-buildowner-ecr-3626cb8cd3e9.json`` (no observations). Their calls are native answers all the same; where
they differ from one another (tag order) nothing is concluded. STS: ``testdata/aws/iam/outbound_identity.json``
(2026-09-11), GetWebIdentityToken in an account without outbound federation. See
(docs/behaviour.md, "Parity sweep against stackd's other ECR and STS captures").

Fixed (each test failed before its fix):

* a bare KMS key ID in ``encryptionConfiguration.kmsKey`` is kept and answered as the key's ARN
  (``mockrunner/services/ecr/core.py:kms_key_arn``);
* a lifecycle policy ECR's schema validator refuses is answered with the report's closing newline
  (``mockrunner/model/ecr_policies.py:SchemaViolation``);
* ``tags/list`` is compact JSON labelled ``text/plain; charset=utf-8`` (``mockrunner/registry/handlers.py:tags_list``);
* GetWebIdentityToken (``mockrunner/services/sts/outbound_tokens.py``): the disabled feature's words, the unsupported
  algorithm's words and its place before the disabled answer, the session-expiry refusal's words and place, the
  ``arn:aws:sts::<account>:self`` resource, ``sts:TagGetWebIdentityToken`` for ``Tags``, the federated user's words;
* STS input: an empty list is no value (``mockrunner/protocol/query_codec.py:parse_request``), the audience's element
  constraints and ``Tag(key=..., value=...)`` in messages (``mockrunner/protocol/validation.py``);
* AssumeRoleWithWebIdentity's token checks (``mockrunner/oidc/verify.py``, ``internal/services/sts/testdata/oidc/
  aws.json``): ``iat`` required, empty and numeric subjects, ``azp`` and several audiences, time claims as digit
  strings and the refusal of others, the time messages, malformed session tags, a token without ``kid``;
* the ``https://aws.amazon.com/roles`` claim and ``sts:RoleAuthorizedByIdp``
  (``mockrunner/oidc/verify.py:role_authorized_by_idp``, ``internal/services/sts/testdata/oidc/aws-roles.json``);
* GetSessionToken's MFA codes (``mockrunner/services/sts/mfa.py``, ``testdata/aws/iam/mfa_reuse.json``,
  ``mfa_time.json``): two steps either side, each once by STS, an older unused one too, IAM's uses apart.

Held (tests below say which): the not-found, already-exists and policy-not-found messages, repository policies
with ``"Principal": "*"`` and a ``Resource`` refused and not kept, an empty-rules policy's length refusal, the
lifecycle answers' ``lastEvaluatedAt`` of 0, DeleteRepositoryPolicy without a policy, scanning configurations,
a manifest list protecting its child, a batch delete of a tag and a missing tag, and the registry's 401, manifest
GET and manifest PUT answers; STS's validation messages, duplicate tag keys, denials by identity policy, explicit
deny, boundary and session policy, the token conditions, and sessions as callers.
"""
from __future__ import annotations

import json

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.ecr.pushing import upload_blob
from tests.ecr.test_stackd_recordings import CHANGED, CONFIG, IMAGE_DIGEST, LAYER, MANIFEST
from tests.harness import Harness
from tests.registry.images import Registry, login_password

ACCOUNT = "123456789012"
KEY_ID = "68ab2c9a-47f0-41e9-b9e5-b715582c7aec"
CHANGED_DIGEST = "sha256:d25b89789727b335cddf9a7a9fa68e379fd9e855e2e2aabeae5381acdb3cbb4c"
INDEX = ('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":'
         f'"application/vnd.oci.image.manifest.v1+json","size":474,"digest":"{CHANGED_DIGEST}","platform":'
         '{"architecture":"amd64","os":"linux"}}]}')
INDEX_DIGEST = "sha256:171e145493d7608e25a3e856e84e09206a821b7d7ee9a80b340ae053e4dbf7d9"
LIFECYCLE = ('{"rules": [{"rulePriority": 1, "description": "Protect newest original-tag image", "selection": '
             '{"tagStatus": "tagged", "tagPrefixList": ["original"], "countType": "imageCountMoreThan", '
             '"countNumber": 1}, "action": {"type": "expire"}}, {"rulePriority": 2, "description": "Keep newest '
             'owned image", "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1}, '
             '"action": {"type": "expire"}}]}')


def _error(call, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def _push(ecr, repository: str = "images") -> None:
    for blob in (LAYER, CONFIG):
        upload_blob(ecr, repository, blob)
    assert ecr.put_image(repositoryName=repository, imageManifest=MANIFEST,
                         imageTag="original")["image"]["imageId"]["imageDigest"] == IMAGE_DIGEST


def test_a_bare_kms_key_id_is_answered_as_its_arn(ecr):
    """865a3a/b913ab/2b69d1cf0ec0 "create_images", "describe_owned": ``kmsKey`` sent as the key ID comes back as
    ``arn:aws:kms:us-east-1:<account>:key/<id>`` (was the ID as sent); "create_isolated" (AES256, no key) held."""
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
    created = ecr.create_repository(repositoryName="images", imageTagMutability="MUTABLE",
                                    imageScanningConfiguration={"scanOnPush": False},
                                    encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KEY_ID})["repository"]
    assert created["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": arn}
    isolated = ecr.create_repository(repositoryName="isolated", encryptionConfiguration={"encryptionType": "AES256"})
    assert isolated["repository"]["encryptionConfiguration"] == {"encryptionType": "AES256"}
    described = ecr.describe_repositories(repositoryNames=["images", "isolated"])["repositories"]
    assert [(repo["repositoryName"], repo["encryptionConfiguration"]) for repo in described] == [
        ("images", {"encryptionType": "KMS", "kmsKey": arn}), ("isolated", {"encryptionType": "AES256"})]
    given_as_arn = ecr.create_repository(repositoryName="by-arn", encryptionConfiguration={
        "encryptionType": "KMS", "kmsKey": arn})["repository"]["encryptionConfiguration"]
    assert given_as_arn["kmsKey"] == arn


def test_a_schema_refusal_ends_with_the_reports_newline(aws):
    """b913ab "lifecycle_invalid_zero_count": "... (minimum: 1, found: 0)\\n'" (the newline was missing);
    "lifecycle_invalid" (``{"rules": []}``, below the 100-character minimum) held, as did "lifecycle_get" and
    "lifecycle_delete" (the compact text and ``lastEvaluatedAt`` 0)."""
    ecr = aws.client("ecr", config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    ecr.create_repository(repositoryName="images")
    assert _error(ecr.put_lifecycle_policy, repositoryName="images",
                  lifecyclePolicyText=LIFECYCLE.replace('"countNumber": 1', '"countNumber": 0')) == (
        400, "InvalidParameterException", "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
        "'Lifecycle policy validation failure: numeric instance is lower than the required minimum (minimum: 1, "
        "found: 0)\n'")
    assert _error(ecr.put_lifecycle_policy, repositoryName="images", lifecyclePolicyText='{"rules": []}') == (
        400, "InvalidParameterException", "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: "
        "'Member must have length greater than or equal to 100'")
    kept = ecr.put_lifecycle_policy(repositoryName="images", lifecyclePolicyText=LIFECYCLE)["lifecyclePolicyText"]
    assert kept == LIFECYCLE.replace(": ", ":").replace(", ", ",")
    for answer in (ecr.get_lifecycle_policy(repositoryName="images"),
                   ecr.delete_lifecycle_policy(repositoryName="images")):
        assert answer["lifecyclePolicyText"] == kept and answer["lastEvaluatedAt"].timestamp() == 0


@pytest.fixture
def served():
    """A real server (the registry is HTTP) with an ECR client, and a registry client logged in as the root."""
    harness = Harness("server")
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="images")
    yield harness, ecr, Registry(harness.endpoint_url, login_password(ecr))
    harness.close()


def test_the_tag_list_is_compact_text(served):
    """865a3a/b913ab (and 61a808) "registry_tags": 200, ``Content-Type: text/plain; charset=utf-8``, the body
    ``{"name":...,"tags":[...]}`` without spaces (was ``application/json`` with spaces). The captures list the two
    tags in both orders; sorted is kept. "registry_anonymous" (401 ``Not Authorized\\n`` as text/plain),
    "registry_authenticated_manifest" (200, the manifest's media type) and "registry_manifest_push" (201, the
    digest, no body) held."""
    harness, ecr, registry = served
    _push(ecr)
    anonymous = Registry(harness.endpoint_url, None).call("GET", "/v2/images/manifests/original")
    assert (anonymous.status_code, anonymous.headers["Content-Type"], anonymous.content) == (
        401, "text/plain; charset=utf-8", b"Not Authorized\n")
    got = registry.call("GET", "/v2/images/manifests/original")
    assert (got.status_code, got.headers["Content-Type"], got.content) == (
        200, "application/vnd.oci.image.manifest.v1+json", MANIFEST.encode())
    assert got.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    put = registry.put_manifest("images", "http-tag", MANIFEST.encode(),
                                         "application/vnd.oci.image.manifest.v1+json")
    assert (put.status_code, put.headers["Docker-Content-Digest"], put.content) == (201, IMAGE_DIGEST, b"")
    tags = registry.call("GET", "/v2/images/tags/list")
    assert (tags.status_code, tags.headers["Content-Type"], tags.content) == (
        200, "text/plain; charset=utf-8", b'{"name":"images","tags":["http-tag","original"]}')
    assert tags.headers["Docker-Distribution-Api-Version"] == "registry/2.0"


@pytest.mark.parametrize("resource", ['"*"', f'"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/images"'])
def test_a_policy_naming_a_resource_is_refused_and_not_kept(ecr, resource):
    """Held: 865a3a and b913ab "deny_policy_set" (``"Principal": "*"`` with ``"Resource": "*"`` / the repository
    ARN, no ``force``), then "deny_policy_get" and "deny_policy_delete" (no policy) and reads still allowed
    ("current_policy_api_*")."""
    ecr.create_repository(repositoryName="images")
    _push(ecr)
    text = ('{"Version": "2012-10-17", "Statement": [{"Sid": "OwnedCurrentDeny", "Effect": "Deny", "Principal": "*", '
            f'"Action": ["ecr:BatchGetImage"], "Resource": {resource}}}]}}')
    assert _error(ecr.set_repository_policy, repositoryName="images", policyText=text) == (
        400, "InvalidParameterException",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
    missing = ("Repository policy does not exist for the repository with name 'images' in the registry with id "
               f"'{ACCOUNT}'")
    assert _error(ecr.get_repository_policy, repositoryName="images") == (
        400, "RepositoryPolicyNotFoundException", missing)
    assert _error(ecr.delete_repository_policy, repositoryName="images") == (
        400, "RepositoryPolicyNotFoundException", missing)
    assert ecr.batch_get_image(repositoryName="images", imageIds=[{"imageTag": "original"}])["failures"] == []


def test_repository_answers_held(ecr):
    """Held: "precreate_absence"/"missing_repository"/"verify_absent", "create_duplicate", "tag_merge"/"tag_remove",
    "policy_missing", "lifecycle_missing", "manifest_invalid", "batch_scanning_configuration", "delete_nonempty"."""
    assert _error(ecr.describe_repositories, repositoryNames=["absent"]) == (
        400, "RepositoryNotFoundException",
        f"The repository with name 'absent' does not exist in the registry with id '{ACCOUNT}'")
    ecr.create_repository(repositoryName="images", tags=[{"Key": "stackd-owner", "Value": "owner"}])
    ecr.create_repository(repositoryName="isolated")
    assert _error(ecr.create_repository, repositoryName="images") == (
        400, "RepositoryAlreadyExistsException",
        f"The repository with name 'images' already exists in the registry with id '{ACCOUNT}'")
    arn = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/images"
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "purpose", "Value": "native-evidence"}])
    ecr.untag_resource(resourceArn=arn, tagKeys=["purpose"])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "stackd-owner", "Value": "owner"}]
    assert _error(ecr.get_lifecycle_policy, repositoryName="images") == (
        400, "LifecyclePolicyNotFoundException",
        f"Lifecycle policy does not exist for the repository with name 'images' in the registry with id '{ACCOUNT}'")
    assert _error(ecr.put_image, repositoryName="images", imageManifest="{}", imageTag="bad") == (
        400, "InvalidParameterException",
        "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
    configurations = ecr.batch_get_repository_scanning_configuration(repositoryNames=["images", "isolated"])
    assert configurations["failures"] == []
    assert [{key: item[key] for key in ("appliedScanFilters", "repositoryArn", "repositoryName", "scanFrequency",
                                        "scanOnPush")} for item in configurations["scanningConfigurations"]] == [
        {"appliedScanFilters": [], "repositoryArn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{name}",
         "repositoryName": name, "scanFrequency": "MANUAL", "scanOnPush": False} for name in ("images", "isolated")]
    _push(ecr)
    assert _error(ecr.delete_repository, repositoryName="images", force=False) == (
        400, "RepositoryNotEmptyException", f"The repository with name 'images' in registry with id '{ACCOUNT}' "
        "cannot be deleted because it still contains images")


def test_image_answers_held(ecr):
    """Held: b913ab "mutable_replace", "manifest_index_put", "delete_referenced_image" (200, the failure naming the
    list), "batch_delete_tag_and_missing" (the tag deleted, ``absent`` an ImageNotFound failure), and
    "batch_existing_and_missing" (members but ``imageManifestSize``, which botocore's model lacks)."""
    ecr.create_repository(repositoryName="images")
    _push(ecr)
    ecr.put_image(repositoryName="images", imageManifest=MANIFEST, imageTag="http-tag")
    got = ecr.batch_get_image(repositoryName="images", imageIds=[{"imageTag": "original"}, {"imageTag": "absent"}])
    assert got["failures"] == [{"failureCode": "ImageNotFound", "failureReason": "Requested image not found",
                                "imageId": {"imageTag": "absent"}}]
    assert got["images"][0]["imageId"] == {"imageDigest": IMAGE_DIGEST, "imageTag": "original"}
    replaced = ecr.put_image(repositoryName="images", imageManifest=CHANGED, imageTag="original")["image"]
    assert replaced["imageId"] == {"imageDigest": CHANGED_DIGEST, "imageTag": "original"}
    index = ecr.put_image(repositoryName="images", imageManifest=INDEX, imageTag="index")["image"]
    assert (index["imageId"]["imageDigest"], index["imageManifestMediaType"]) == (
        INDEX_DIGEST, "application/vnd.oci.image.index.v1+json")
    referenced = ecr.batch_delete_image(repositoryName="images", imageIds=[{"imageDigest": CHANGED_DIGEST}])
    assert (referenced["imageIds"], referenced["failures"]) == ([], [{
        "failureCode": "ImageReferencedByManifestList", "imageId": {"imageDigest": CHANGED_DIGEST},
        "failureReason": f"Requested image referenced by manifest list: [{INDEX_DIGEST}]"}])
    deleted = ecr.batch_delete_image(repositoryName="images", imageIds=[{"imageTag": "http-tag"},
                                                                         {"imageTag": "absent"}])
    assert deleted["imageIds"] == [{"imageDigest": IMAGE_DIGEST, "imageTag": "http-tag"}]
    assert deleted["failures"] == [{"failureCode": "ImageNotFound", "failureReason": "Requested image not found",
                                    "imageId": {"imageTag": "absent"}}]
    assert sorted(image["imageTag"] for image in ecr.list_images(repositoryName="images")["imageIds"]) == [
        "index", "original"]


# ------------------------------------------------------------------------------------------- STS: GetWebIdentityToken
# testdata/aws/iam/outbound_identity.json (2026-09-11): an account without outbound web identity federation, so every
# request that passes its checks ends in the disabled answer; the cases show which checks come first.
AUDIENCE = ["https://stackd-outbound.example.invalid"]
DISABLED = (403, "OutboundWebIdentityFederationDisabledException", "OutboundWebIdentityFederation is disabled.")
NOT_SUPPORTED = (400, "ValidationError", "Requested SigningAlgorithm is not supported. See the GetWebIdentityToken "
                 "documentation for supported algorithms")
SELF = f"arn:aws:sts::{ACCOUNT}:self"


def _allow(actions, resource="*", **extra) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}]})


def _sts_user(aws, name: str, policy: str | None = None, regions: tuple[str, ...] = ("us-east-1",)):
    """STS clients (one per region, a single client for one) of a new user under ``/org-access/``."""
    iam = aws.client("iam")
    iam.create_user(UserName=name, Path="/org-access/")
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="ReportPermissions", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    clients = [aws.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"], region=region,
                          config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
               for region in regions]
    return clients[0] if len(clients) == 1 else clients


def _token(sts, **extra):
    return _error(sts.get_web_identity_token, **{"Audience": AUDIENCE, "SigningAlgorithm": "RS256", **extra})


def _denied(name: str, action: str, why: str = "because no identity-based policy allows the {action} action") -> tuple:
    return (403, "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/org-access/{name} is not authorized to perform: "
            f"{action} on resource: {SELF} " + why.format(action=action))


def test_web_identity_token_checks_before_the_disabled_feature(aws):
    """"original_default", "original_es384", "original_duration_60"/"_3600", "original_tags_plain", "_empty",
    "_reserved", "original_audience_space"/"_plain"/"_duplicate"/"_unicode": the disabled answer is "OutboundWeb
    IdentityFederation is disabled." (was a longer text of mockrunner's); "original_algorithm_RS384"/"_ES256"/
    "_HS256"/"_rs256": "Requested SigningAlgorithm is not supported. ..." (was the disabled answer: checked after it,
    and worded as an enum violation)."""
    sts, other_region = _sts_user(aws, "original", _allow(["sts:*"]), ("us-east-1", "eu-west-2"))
    for algorithm in ("RS256", "ES384"):
        assert _token(sts, SigningAlgorithm=algorithm) == DISABLED
    for extra in ({"DurationSeconds": 60}, {"DurationSeconds": 3600}, {"Tags": [{"Key": "team", "Value": "test"}]},
                  {"Tags": []}, {"Tags": [{"Key": "aws:team", "Value": "test"}]}, {"Audience": [" "]},
                  {"Audience": ["not-a-url"]}, {"Audience": AUDIENCE * 2}, {"Audience": ["https://\u4f8b.example.invalid"]}):
        assert _token(sts, **extra) == DISABLED, extra
    for algorithm in ("RS384", "ES256", "HS256", "rs256"):
        assert _token(sts, SigningAlgorithm=algorithm) == NOT_SUPPORTED
    assert _token(other_region) == DISABLED  # "original_other_region"


def test_web_identity_token_input_validation(aws):
    """"original_audience_empty_list" (``Audience=[]``: "Value null", was "Value '[]' ... greater than or equal to
    1"), "original_audience_empty" (no "Member must not be null" in the element constraints), "original_tags_fifty_one"
    (tags printed ``Tag(key=0, value=test)``, were ``{Key=0, Value=test}``); held: "original_algorithm_" / "_none" /
    "_RS256x", "original_missing_*", "original_audience_eleven", "original_duration_0"/"_59"/"_3601",
    "original_tags_duplicate"/"_case_duplicate" (before the disabled answer), "_empty_key", "_invalid_key"."""
    sts = _sts_user(aws, "original", _allow(["sts:*"]))
    invalid = "1 validation error detected: Value {} at '{}' failed to satisfy constraint: Member must {}"
    assert _token(sts, Audience=[]) == (400, "ValidationError", invalid.format("null", "audience", "not be null"))
    assert _token(sts, Audience=[""]) == (400, "ValidationError", invalid.format(
        "'[]'", "audience", "satisfy constraint: [Member must have length less than or equal to 1000, Member must "
        "have length greater than or equal to 1]"))
    tags = [{"Key": str(index), "Value": "test"} for index in range(51)]
    listed = ", ".join(f"Tag(key={index}, value=test)" for index in range(51))
    assert _token(sts, Tags=tags) == (400, "ValidationError", invalid.format(
        f"'[{listed}]'", "tags", "have length less than or equal to 50"))
    assert _token(sts, Audience=[str(index) for index in range(11)]) == (400, "ValidationError", invalid.format(
        "'[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'", "audience", "have length less than or equal to 10"))
    for algorithm, bound in (("", "greater than or equal to 5"), ("none", "greater than or equal to 5"),
                             ("RS256x", "less than or equal to 5")):
        assert _token(sts, SigningAlgorithm=algorithm) == (400, "ValidationError", invalid.format(
            f"'{algorithm}'", "signingAlgorithm", f"have length {bound}"))
    assert _error(sts.get_web_identity_token, Audience=AUDIENCE) == (400, "ValidationError", invalid.format(
        "null", "signingAlgorithm", "not be null"))
    for seconds, bound in ((0, "greater than or equal to 60"), (59, "greater than or equal to 60"),
                           (3601, "less than or equal to 3600")):
        assert _token(sts, DurationSeconds=seconds) == (400, "ValidationError", invalid.format(
            f"'{seconds}'", "durationSeconds", f"have value {bound}"))
    for second in ("team", "Team"):
        assert _token(sts, Tags=[{"Key": "team", "Value": "one"}, {"Key": second, "Value": "two"}]) == (
            400, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    pattern = "satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    assert _token(sts, Tags=[{"Key": "", "Value": "test"}]) == (400, "ValidationError", (
        "2 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have "
        f"length greater than or equal to 1; Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must "
        f"{pattern}"))
    assert _token(sts, Tags=[{"Key": "<team>", "Value": "test"}]) == (400, "ValidationError", invalid.format(
        "'<team>'", "tags.1.member.key", pattern))
    assert _token(sts, Tags=[{"Key": "k" * 129, "Value": "test"}]) == (400, "ValidationError", invalid.format(
        f"'{'k' * 129}'", "tags.1.member.key", "have length less than or equal to 128"))
    assert _token(sts, Tags=[{"Key": "team", "Value": "v" * 257}]) == (400, "ValidationError", invalid.format(
        f"'{'v' * 257}'", "tags.1.member.value", "have length less than or equal to 256"))
    assert _token(sts, Audience=["a" * 1001]) == (400, "ValidationError", invalid.format(
        f"'[{'a' * 1001}]'", "audience", "satisfy constraint: [Member must have length less than or equal to 1000, "
        "Member must have length greater than or equal to 1]"))


def test_web_identity_token_is_authorized_on_self_and_tags_on_their_own_action(aws):
    """"no_grants_token", "denied_token", "scoped_user_token", "boundary_token": denials name ``on resource:
    arn:aws:sts::<account>:self`` (was ``*``); "scoped_self_token" / "scoped_self_with_tags": a policy on that ARN
    allows (was denied); "plain_with_tags", "tag_condition_wrong_value"/"_wrong_key": Tags need
    ``sts:TagGetWebIdentityToken`` (was not checked), whose conditions decide ("tag_condition_with_tags"); held:
    "plain_token", "tagged_token", "tagged_with_tags", "condition_token" (``sts:DurationSeconds`` 300 by default),
    "condition_audience_denied"/"_algorithm_denied"/"_duration_denied"."""
    iam = aws.client("iam")
    assert _token(_sts_user(aws, "no_grants")) == _denied("no_grants", "sts:GetWebIdentityToken")
    denied = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:GetWebIdentityToken", "Resource": "*"}]})
    assert _token(_sts_user(aws, "denied", denied)) == _denied(
        "denied", "sts:GetWebIdentityToken", "with an explicit deny in an identity-based policy")
    scoped_user = _sts_user(aws, "scoped_user", _allow(["sts:GetWebIdentityToken"],
                                                       f"arn:aws:iam::{ACCOUNT}:user/org-access/scoped_user"))
    assert _token(scoped_user) == _denied("scoped_user", "sts:GetWebIdentityToken")
    scoped_self = _sts_user(aws, "scoped_self", _allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"],
                                                       SELF))
    assert _token(scoped_self) == DISABLED
    assert _token(scoped_self, Tags=[{"Key": "team", "Value": "test"}]) == DISABLED
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=_allow("iam:GetUser"))["Policy"]["Arn"]
    bounded = _sts_user(aws, "boundary", _allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"]))
    iam.put_user_permissions_boundary(UserName="boundary", PermissionsBoundary=boundary)
    assert _token(bounded) == _denied("boundary", "sts:GetWebIdentityToken",
                                      "because no permissions boundary allows the {action} action")
    plain = _sts_user(aws, "plain", _allow(["sts:GetWebIdentityToken"]))
    assert _token(plain) == DISABLED
    assert _token(plain, Tags=[{"Key": "team", "Value": "test"}]) == _denied("plain", "sts:TagGetWebIdentityToken")
    tagged = _sts_user(aws, "tagged", _allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"]))
    assert _token(tagged, Tags=[{"Key": "team", "Value": "test"}]) == DISABLED
    tag_condition = _sts_user(aws, "tag_condition", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:TagGetWebIdentityToken", "Resource": "*", "Condition": {
            "StringEquals": {"aws:RequestTag/team": "test"},
            "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}]}))
    assert _token(tag_condition, Tags=[{"Key": "team", "Value": "test"}]) == DISABLED
    for tag in ({"Key": "team", "Value": "other"}, {"Key": "extra", "Value": "test"}):
        assert _token(tag_condition, Tags=[tag]) == _denied("tag_condition", "sts:TagGetWebIdentityToken")
    condition = _sts_user(aws, "condition", _allow("sts:GetWebIdentityToken", Condition={
        "ForAllValues:StringEquals": {"sts:IdentityTokenAudience": AUDIENCE},
        "StringEquals": {"sts:SigningAlgorithm": "RS256"}, "NumericEquals": {"sts:DurationSeconds": "300"}}))
    assert _token(condition) == _token(condition, DurationSeconds=300) == DISABLED
    for extra in ({"Audience": ["other"]}, {"SigningAlgorithm": "ES384"}, {"DurationSeconds": 301}):
        assert _token(condition, **extra) == _denied("condition", "sts:GetWebIdentityToken"), extra


def test_web_identity_token_from_sessions(aws):
    """"federation_token_caller": "GetWebIdentityToken does not support federated user sessions" (was "Cannot call
    GetWebIdentityToken with session credentials"); "role_exceeds_remaining_duration": checked before the disabled
    answer and worded "Requested token expiry time must be before the original session's expiry time." (was the
    disabled answer); held: "get_session_token_caller", "role_default", "role_session_denied_default"."""
    iam = aws.client("iam")
    tagged = _sts_user(aws, "tagged", _allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken",
                                              "sts:GetFederationToken", "sts:GetSessionToken", "sts:AssumeRole",
                                              "sts:SetSourceIdentity"]))
    no_validation = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    session = aws.client_for(tagged.get_session_token(DurationSeconds=900)["Credentials"], "sts", config=no_validation)
    assert _token(session) == DISABLED
    federated = tagged.get_federation_token(Name="outbound-probe", DurationSeconds=900,
                                            Policy=_allow("sts:GetWebIdentityToken"))["Credentials"]
    assert _token(aws.client_for(federated, "sts", config=no_validation)) == (
        403, "AccessDenied", "GetWebIdentityToken does not support federated user sessions")
    me = tagged.get_caller_identity()["Arn"]
    iam.create_role(RoleName="observer", Path="/outbound/", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": me},
                                                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}))
    iam.put_role_policy(RoleName="observer", PolicyName="Outbound",
                        PolicyDocument=_allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"]))
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/outbound/observer"
    role = aws.client_for(tagged.assume_role(RoleArn=role_arn, RoleSessionName="role", DurationSeconds=900,
                                             SourceIdentity="outbound-observer")["Credentials"], "sts",
                          config=no_validation)
    assert _token(role) == DISABLED
    assert _token(role, DurationSeconds=3600) == (
        403, "SessionDurationEscalationException",
        "Requested token expiry time must be before the original session's expiry time.")
    limited = tagged.assume_role(RoleArn=role_arn, RoleSessionName="role_session_denied", DurationSeconds=900,
                                 SourceIdentity="outbound-observer", Policy=json.dumps({
                                     "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Resource": "*",
                                                                             "Action": "sts:GetWebIdentityToken"}]}))
    assert _token(aws.client_for(limited["Credentials"], "sts", config=no_validation)) == (
        403, "AccessDenied", f"User: arn:aws:sts::{ACCOUNT}:assumed-role/observer/role_session_denied is not "
        f"authorized to perform: sts:GetWebIdentityToken on resource: {SELF} with an explicit deny in a session policy")


# ------------------------------------------------------------------------- STS: AssumeRoleWithWebIdentity's claims
# internal/services/sts/testdata/oidc/aws.json (2026-09-11): signed synthetic tokens for an issuer whose provider
# lists client-a and client-b; the role trusts the provider without conditions.
ISSUER = "https://stackd-oidc.example.com"
_ABSENT = object()
NOT_VALIDATED = ("InvalidIdentityToken", "The web identity token provided could not be validated. See the "
                 "AssumeRoleWithWebIdentity documentation for requirements.", 400)
INVALID_TIME = ("InvalidIdentityToken", "Invalid timestamp in token claims.", 400)


@pytest.fixture
def web_identity(aws):
    """``(assume(claims, algorithm="RS256") -> answer or (code, message, status), now)``."""
    import jwt

    from mockrunner.oidc.keys import private_key, signing_key

    iam = aws.client("iam")
    provider = iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["client-a", "client-b"])
    iam.create_role(RoleName="oidc-probe", MaxSessionDuration=7200, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider["OpenIDConnectProviderArn"]},
            "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"]}]}))
    sts = aws.client("sts", config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    now = int(aws.store.clock.now().timestamp())

    def assume(claims: dict, algorithm: str = "RS256", kid: str | None | object = _ABSENT, **extra):
        key, _ = signing_key(aws.store, ISSUER, algorithm)
        header = {"kid": key.kid if kid is _ABSENT else kid}
        token = jwt.encode(claims, private_key(aws.store, key), algorithm=algorithm,
                           headers={name: value for name, value in header.items() if value is not None})
        try:
            return sts.assume_role_with_web_identity(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/oidc-probe",
                                                     RoleSessionName="oidc-probe", WebIdentityToken=token, **extra)
        except ClientError as error:
            response = error.response
            return (response["Error"]["Code"], response["Error"]["Message"],
                    response["ResponseMetadata"]["HTTPStatusCode"])

    return assume, now


def _claims(now: int, **changes) -> dict:
    claims = {"iss": ISSUER, "aud": "client-a", "sub": "subject-probe", "iat": now, "exp": now + 910}
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not _ABSENT}



def _at_now(answer: tuple, now: int) -> tuple:
    """``answer`` with the "current date/time <n>" STS names (the store's wall clock, at or after ``now``: the clock
    runs) written ``<now>``, once ``n`` is checked to lie within a minute of ``now``."""
    code, message, status = answer
    current = int(message.split("current date/time ")[1].split(" ")[0])
    assert now <= current <= now + 60
    return code, message.replace(f"current date/time {current} ", "current date/time <now> "), status


def test_web_identity_required_claims_and_subjects(web_identity):
    """"missing-iat": "Missing a required claim: iat" (was taken); "subject-empty" (was IDPRejectedClaim) and
    "sub-number" (``123`` answered as "123"; was IDPRejectedClaim) are taken; held: "missing-iss"/"-sub"/"-aud"/
    "-exp", "subject-short", "sub-long", "algorithm-RS384"/"-RS512"/"-ES256"/"-ES384"/"-ES512"."""
    assume, now = web_identity
    for name in ("iss", "sub", "aud", "iat", "exp"):
        assert assume(_claims(now, **{name: _ABSENT})) == (
            "InvalidIdentityToken", f"Missing a required claim: {name}", 400), name
    for subject, answered in (("", ""), (123, "123"), ("a", "a"), ("a" * 600, "a" * 600)):
        answer = assume(_claims(now, sub=subject))
        assert answer["SubjectFromWebIdentityToken"] == answered and answer["Audience"] == "client-a"
    for algorithm in ("RS384", "RS512", "ES256", "ES384", "ES512"):
        assert assume(_claims(now), algorithm)["SubjectFromWebIdentityToken"] == "subject-probe"
    no_key = ("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please "
              "reference AssumeRoleWithWebIdentity documentation for requirements", 400)
    for kid in (None, "", "unknown"):  # "missing-key-id" (was taken: every key was tried), "empty-key-id" and
        assert assume(_claims(now), kid=kid) == no_key, kid  # "unknown-key-id" held; the issuer has six keys


def test_web_identity_audience_and_authorized_party(web_identity):
    """"aud-array-first-match"/"-second-match"/"-two-matches": more than one audience without ``azp`` is refused
    (was taken when one matched); "azp-mismatch", "azp-empty": an ``azp`` that is no client id is refused even when
    ``aud`` is one (was taken); "aud-empty": "could not be validated" (was "Incorrect token audience");
    "aud-empty-array": "Claim is not allowed to be empty: aud" (was "Incorrect token audience"); held:
    "azp-overrides", "aud-multi-with-azp" (Audience the ``azp``), "aud-single-array"."""
    assume, now = web_identity
    several = ("InvalidIdentityToken", "Token audience contains more than one audience while authorized party is not "
               "present", 400)
    for audiences in (["client-a", "other"], ["other", "client-a"], ["client-b", "client-a"]):
        assert assume(_claims(now, aud=audiences)) == several
    assert assume(_claims(now, aud="client-a", azp="other")) == NOT_VALIDATED
    assert assume(_claims(now, aud="client-a", azp="")) == NOT_VALIDATED
    assert assume(_claims(now, aud="")) == NOT_VALIDATED
    assert assume(_claims(now, aud=[])) == ("InvalidIdentityToken", "Claim is not allowed to be empty: aud", 400)
    assert assume(_claims(now, aud="other", azp="client-b"))["Audience"] == "client-b"
    assert assume(_claims(now, aud=["other", "client-a"], azp="client-b"))["Audience"] == "client-b"
    assert assume(_claims(now, aud=["client-a"]))["Audience"] == "client-a"


def test_web_identity_times(web_identity):
    """"iat-future-hour": "Token issued in the future: <iat>" and "nbf-future-hour": "Token not yet valid: current
    date/time <now> must be after or equal to the not-before date/time <nbf>" (were mockrunner's words);
    "nbf-string", "exp-string", "iat-string" (digits as text) taken (were IDPRejectedClaim); "nbf-invalid",
    "iat-null", "iat-fraction", "exp-fraction": "Invalid timestamp in token claims." (were IDPRejectedClaim, and a
    fraction taken); held: "expired-1" (within the five minutes), "expired-301" (ExpiredTokenException),
    "iat-future-1", "nbf-future-1", "token-expiry-does-not-cap-session"; "expired-301" names now less the skew (as
    the last-access pass found in aws-initial.json)."""
    assume, now = web_identity
    hour = now + 3600
    assert assume(_claims(now, iat=hour, exp=hour + 600)) == (
        "InvalidIdentityToken", f"Token issued in the future: {hour}", 400)
    assert _at_now(assume(_claims(now, nbf=hour)), now) == (
        "InvalidIdentityToken", f"Token not yet valid: current date/time <now> must be after or equal to the "
        f"not-before date/time {hour}", 400)
    for changes in ({"nbf": str(now + 10)}, {"exp": str(now + 600)}, {"iat": str(now + 10)}, {"iat": now + 11},
                    {"nbf": now + 11}, {"exp": now - 9}):
        assert assume(_claims(now, **changes))["Audience"] == "client-a", changes
    for changes in ({"nbf": "invalid"}, {"iat": None}, {"iat": now + 9.5}, {"exp": now + 110.5}):
        assert assume(_claims(now, **changes)) == INVALID_TIME, changes
    # The time named is now less the five minutes of skew (aws-initial.json "expired-301": observed at 1789123636,
    # "current date/time 1789123337").
    code, message, status = assume(_claims(now, exp=now - 301))
    named = int(message.split("current date/time ")[1].split(" ")[0])
    assert (code, status) == ("ExpiredTokenException", 400) and now - 300 <= named <= now - 240, message
    assert message == f"Token expired: current date/time {named} must be before the expiration date/time {now - 301}"
    session = assume(_claims(now, exp=now + 114), DurationSeconds=7200)  # two hours from a token of two minutes
    assert 7200 <= session["Credentials"]["Expiration"].timestamp() - now <= 7260


def test_web_identity_session_tags_and_source_identity(web_identity):
    """"nested-string-tags": a tag value that is no one-string list is InvalidIdentityToken "principal_tags passed in
    claim is not in correct format." (was IDPRejectedClaim); held: "nested-tags", "source-identity"."""
    assume, now = web_identity
    tags = "https://aws.amazon.com/tags"
    assert assume(_claims(now, **{tags: {"principal_tags": {"Team": "engineering"}}})) == (
        "InvalidIdentityToken", "principal_tags passed in claim is not in correct format.", 400)
    assert "PackedPolicySize" in assume(_claims(now, **{tags: {"principal_tags": {"Team": ["engineering"]},
                                                               "transitive_tag_keys": ["Team"]}}))
    answer = assume(_claims(now, **{"https://aws.amazon.com/source_identity": "source-probe"}))
    assert answer["SourceIdentity"] == "source-probe"


# ----------------------------------------------------------------------------------------- STS: GetSessionToken MFA
# testdata/aws/iam/mfa_reuse.json and mfa_time.json (2026-09-11); the IAM sweep left them to an STS pass.
def test_session_token_codes_two_steps_either_side_each_once_apart_from_iams(aws):
    """"reuse_3": a code two steps ahead is taken (was refused: one step); "initial_window_14": one two steps back
    is taken after a newer one was used, three back is not (was refused: only newer codes); the codes IAM took to
    enable the device are still STS's to take once (the recording's enable codes were then accepted by STS; were
    refused), and "resync_after_use_1": ResyncMFADevice takes codes STS used (was refused); held: "reuse_2",
    "reuse_4", "reuse_5" (a code STS took is refused again: "MultiFactorAuthentication failed with invalid MFA one
    time pass code. ")."""
    from mockrunner.services.iam.mfa_devices import totp

    iam = aws.client("iam")
    iam.create_user(UserName="reuse", Path="/org-access/")
    iam.put_user_policy(UserName="reuse", PolicyName="p", PolicyDocument=_allow(["sts:GetSessionToken"]))
    key = iam.create_access_key(UserName="reuse")["AccessKey"]
    sts = aws.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="reuse")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    seconds = aws.store.clock.now().timestamp()
    aws.store.clock.advance(30 - seconds % 30 + 1)  # the start of a time step: the test ends well inside it
    now = int(aws.store.clock.now().timestamp()) // 30
    iam.enable_mfa_device(UserName="reuse", SerialNumber=serial, AuthenticationCode1=totp(seed, now - 1),
                          AuthenticationCode2=totp(seed, now))
    refused = ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ")

    def session(step: int):
        try:
            return sts.get_session_token(DurationSeconds=900, SerialNumber=serial, TokenCode=totp(seed, step))
        except ClientError as error:
            return error.response["Error"]["Code"], error.response["Error"]["Message"]

    for step in (now, now + 1):  # "reuse_0", "reuse_1"; both codes IAM took at enabling
        assert "Credentials" in session(step), step
    assert session(now) == refused  # "reuse_2"
    assert "Credentials" in session(now + 2)  # "reuse_3"
    assert session(now + 1) == session(now + 2) == refused  # "reuse_4", "reuse_5"
    assert "Credentials" in session(now - 2)  # older, unused
    assert session(now - 3) == session(now + 3) == refused  # outside the window
    assert session(now - 1) != refused  # an IAM code STS had not taken
    iam.resync_mfa_device(UserName="reuse", SerialNumber=serial, AuthenticationCode1=totp(seed, now + 1),
                          AuthenticationCode2=totp(seed, now + 2))  # "resync_after_use_1": codes STS took


def test_web_identity_roles_claim(web_identity, aws):
    """internal/services/sts/testdata/oidc/aws-roles.json: the ``https://aws.amazon.com/roles`` claim (was ignored)
    as a string, a ``;`` list (spaces, empty pieces), an array (non-strings skipped, duplicates) naming the role is
    taken; naming other roles only is "The target role ARN is not present in the roles claim of the identity token";
    ``[]``, ``""``, a nested array, ``role/*``, upper case or a comma list is "The roles claim contains no valid role
    ARNs"; an object "The roles claim is not in a supported format"; ``null`` is no claim.  ``sts:RoleAuthorizedByIdp``
    is true on a match and false without the claim ("roles-bool-*": a trust requiring it true)."""
    assume, now = web_identity
    role = f"arn:aws:iam::{ACCOUNT}:role/oidc-probe"
    other = f"arn:aws:iam::{ACCOUNT}:role/another-role"
    roles = "https://aws.amazon.com/roles"
    for value in (role, f"{other};{role}", f"{other}; {role}", f"{role};", f";{role}", [other, role], [123, role],
                  [role, role], None):
        assert assume(_claims(now, **{roles: value}))["Audience"] == "client-a", value
    assert assume(_claims(now, **{roles: [other]})) == (
        "InvalidIdentityToken", "The target role ARN is not present in the roles claim of the identity token", 400)
    for value in ([], "", [[role]], f"arn:aws:iam::{ACCOUNT}:role/*", role.upper(), f"{other},{role}"):
        assert assume(_claims(now, **{roles: value})) == (
            "InvalidIdentityToken", "The roles claim contains no valid role ARNs", 400), value
    assert assume(_claims(now, **{roles: {"role": role}})) == (
        "InvalidIdentityToken", "The roles claim is not in a supported format", 400)
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/stackd-oidc.example.com"
    aws.client("iam").update_assume_role_policy(RoleName="oidc-probe", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"Bool": {"sts:RoleAuthorizedByIdp": "true"}}}]}))
    denied = ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    assert assume(_claims(now, **{roles: role}))["Audience"] == "client-a"  # "roles-bool-true-matching"
    assert assume(_claims(now)) == denied  # "roles-bool-true-absent"
    aws.client("iam").update_assume_role_policy(RoleName="oidc-probe", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"Bool": {"sts:RoleAuthorizedByIdp": "false"}}}]}))
    assert assume(_claims(now, **{roles: role})) == denied  # "roles-bool-false-matching"
    assert assume(_claims(now, **{roles: [other]}))[0] == "InvalidIdentityToken"  # "roles-bool-false-mismatch"
