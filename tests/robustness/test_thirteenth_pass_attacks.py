"""An attacker's thirteenth pass: state and memory that grow with an attacker's requests.  For each store the server
keeps, what adds to it, what removes it, and whether a principal with valid credentials (or none, where none are
needed) can grow it, or make every later request or save slower, beyond what AWS's own quotas allow an account.
Real clients throughout: boto3 in both modes (``aws``), ``requests`` against a real server (``server``).

Findings (each has a test here that failed before its fix):

* The last-used records (``IamState.last_used``: GetAccessKeyLastUsed, RoleLastUsed, service last accessed
  reports) were never forgotten: a user's access key created, used once and deleted left its record for good
  (200 create/use/delete cycles: 201 records, about 110 bytes of state file each), and so did a deleted user or
  role.  Worse, a role created under a deleted role's name (and path) reported the deleted role's
  ``RoleLastUsed``, and a live session of a deleted role went on writing the old role's record.  A record now goes
  with its user, role or access key (a renamed user's moves with it); a session of a deleted role, or of a user's
  predecessor, records nothing.
* Each InitiateLayerUpload (and each upload started through the registry API) walked every upload in progress of
  every repository of every account twice, under the store lock: once to expire old ones, once to count the
  repository's.  Each repository may hold 1,000 uploads for 168 hours, so an attacker allowed
  ``ecr:InitiateLayerUpload`` on a few repositories slowed every later push: 0.3 ms each with 1,000 uploads in
  progress, 0.9 ms with 10,000, 2.2 ms with 30,000 (in-process).  Uploads are now counted per repository and
  expired from a heap by start time: 0.3 ms at every size.
* ECR enforced neither of its quotas on what a repository holds: one image took any number of tags (each PutImage
  of the same manifest with a new tag adds one) and a repository any number of images.  "Images per repository"
  (100,000) and tags per image (1,000) are enforced now, with ECR's LimitExceededException and ECR's texts, and
  403 ``DENIED`` over the registry API, as ``docker push`` reports them.

Probed and held, or measured (in-process unless said; not pinned here beyond the tests below):

* STS sessions (AssumeRole*, GetSessionToken, GetFederationToken, GetScopedCredentials): expired ones are purged
  when the sessions double (amortised), their tombstones stop at 10,000 (32-byte digests).  Live ones are kept
  until they expire (GetSessionToken: 36 hours), as AWS documents no limit on outstanding sessions: about 925
  bytes of state file each; 1,000 sessions make a 0.9 MB state (export and dump 16 ms), 10,000 a 9.3 MB one
  (230 ms), so a user who may call GetSessionToken (no permission needed) makes each later save slower linearly in
  its requests of the last 36 hours.  Reported, not bounded.
* Service last accessed jobs (GenerateServiceLastAccessedDetails): kept for good, about 300 bytes of state file
  each (500 jobs: 150 KB); AWS documents no retention and every ``JobId`` stays retrievable (by the identity that
  generated it), so none is dropped.
  GenerateOrganizationsAccessReport stores nothing (no organization: its refusal).  Credential reports: one per
  account, replaced by each generation.
* Service-linked role deletion tasks: each DeleteServiceLinkedRole of a role in use adds a FAILED task (with the
  resources in use) and is kept for good, as GetServiceLinkedRoleDeletionStatus answers every task id; AWS
  documents no retention.  Reported, not bounded.
* App Runner operation histories: still unbounded (twelfth pass: about 540 bytes each); AWS states no retention.
  Deleted services' tombstones expire after the configured retention; pending operations end with their service.
* The decision log keeps at most 10,000 entries: a denied DescribeRepositories naming a 200-character repository
  holds about 2.2 KB, a denied CreateRole with 50 tags of the longest keys and values, a 1,000-character
  description and a 10 KB trust policy about 3.2 KB (the request's values are not all kept), so some 32 MB at
  most.  Compiled-policy, caller, key and listing caches (``Store.derived``) stop at their limits (4,096 by default).
* Replication backfills keep at most their retention's count (ended ones forgotten first); lifecycle previews and
  image scans are one per repository or image (a new one replaces the old); ECR uploads stop at 1,000 per
  repository and 168 hours; unreferenced layers are collected 24 hours after upload, at the next deletion or
  restart.
* No store grows with anonymous requests: ECR authorization tokens and download URLs are HMACs (nothing stored);
  presigned URLs, OIDC and SAML federation calls and the registry's ``/v2/`` and token endpoints keep no replay
  cache or token table (a SAML assertion is refused after its ``NotOnOrAfter``, not remembered); the built-in
  identity provider keeps one key per issuer and algorithm, made only through the admin API or
  GetWebIdentityToken's one issuer per account.  MFA devices keep one drift and one last step each.
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.services.ecr import image_quotas
from mockrunner.testing.oci import OCI_MANIFEST, build_image
from tests.ecr.pushing import image_manifest, put_image
from tests.iam.helpers import ACCOUNT
from tests.registry.images import Registry, error_code, login_password

_ADMIN = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})


def _user_client(aws, name: str, service: str):
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=_ADMIN)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return aws.client_for(key, service)


def _records(aws) -> set[str]:
    return set(aws.store.accounts[ACCOUNT].iam.last_used)


# ------------------------------------------------------------------------------------------------ last used
def test_a_role_recreated_under_a_deleted_roles_name_reports_no_use_of_it(aws):
    iam, sts = aws.client("iam"), _user_client(aws, "operator", "sts")
    role_arn = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=_TRUST)["Role"]["Arn"]
    session = sts.assume_role(RoleArn=role_arn, RoleSessionName="first")["Credentials"]
    aws.client_for(session, "sts").get_caller_identity()
    assert iam.get_role(RoleName="deployer")["Role"]["RoleLastUsed"]["Region"] == "us-east-1"

    iam.delete_role(RoleName="deployer")
    assert role_arn not in _records(aws)
    aws.client_for(session, "sts").get_caller_identity()  # the old session still authenticates
    assert role_arn not in _records(aws)
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=_TRUST)
    assert iam.get_role(RoleName="deployer")["Role"]["RoleLastUsed"] == {}


def test_access_key_use_records_go_with_their_keys_and_follow_a_renamed_user(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="rotating")
    iam.put_user_policy(UserName="rotating", PolicyName="all", PolicyDocument=_ADMIN)
    for _ in range(30):
        key = iam.create_access_key(UserName="rotating")["AccessKey"]
        aws.client_for(key, "sts").get_caller_identity()
        iam.delete_access_key(UserName="rotating", AccessKeyId=key["AccessKeyId"])
    user_arn = iam.get_user(UserName="rotating")["User"]["Arn"]
    assert _records(aws) == {user_arn}

    key = iam.create_access_key(UserName="rotating")["AccessKey"]
    aws.client_for(key, "sts").get_caller_identity()
    iam.update_user(UserName="rotating", NewUserName="rotated")
    renamed_arn = iam.get_user(UserName="rotated")["User"]["Arn"]
    assert _records(aws) == {renamed_arn, key["AccessKeyId"]}
    assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]["ServiceName"] == "sts"

    iam.delete_access_key(UserName="rotated", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="rotated", PolicyName="all")
    iam.delete_user(UserName="rotated")
    assert _records(aws) == set()


# ------------------------------------------------------------------------------------------------ uploads
class _WalkCounting(dict):
    """The blob store's table of uploads, counting the walks over every upload in progress."""

    walks = 0

    def values(self):
        type(self).walks += 1
        return super().values()


def test_starting_an_upload_does_not_walk_every_upload_in_progress(aws):
    ecr, blobs = aws.client("ecr"), aws.store.blobs
    for index in range(3):
        ecr.create_repository(repositoryName=f"app{index}")
    blobs._uploads = _WalkCounting(blobs._uploads)
    _WalkCounting.walks = 0
    started = [ecr.initiate_layer_upload(repositoryName=f"app{index % 3}")["uploadId"] for index in range(60)]
    assert _WalkCounting.walks == 0
    assert blobs.count_uploads(next(iter(blobs._uploads.values())).owner) == 20

    ecr.upload_layer_part(repositoryName="app0", uploadId=started[0], partFirstByte=0, partLastByte=3,
                          layerPartBlob=b"data")
    aws.store.clock.advance(168 * 3600)
    fresh = ecr.initiate_layer_upload(repositoryName="app1")["uploadId"]
    assert set(blobs._uploads) == {fresh}  # the week-old ones expired, their bytes with them
    assert blobs.pending_bytes() == 0
    with pytest.raises(ClientError) as refused:
        ecr.upload_layer_part(repositoryName="app0", uploadId=started[0], partFirstByte=4, partLastByte=7,
                              layerPartBlob=b"more")
    assert refused.value.response["Error"]["Code"] == "UploadNotFoundException"


# ------------------------------------------------------------------------------------------------ ECR quotas
def test_an_image_carries_at_most_the_tags_per_image_quota(aws, monkeypatch):
    monkeypatch.setattr(image_quotas, "MAX_TAGS_PER_IMAGE", 3)
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    manifest = image_manifest("tags")
    for tag in ("a", "b", "c"):
        put_image(ecr, repositoryName="app", imageManifest=manifest, imageTag=tag)
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName="app", imageManifest=manifest, imageTag="d")
    assert refused.value.response["Error"] == {
        "Code": "LimitExceededException",
        "Message": f"Adding tag 'd' to an image in the repository with name 'app' in registry with id '{ACCOUNT}' "
                   "exceeds the maximum allowed number of tags per image which is '3'"}
    other = image_manifest("other")
    put_image(ecr, repositoryName="app", imageManifest=other, imageTag="e")
    with pytest.raises(ClientError) as moved:  # moving a tag onto the full image is adding one to it
        ecr.put_image(repositoryName="app", imageManifest=manifest, imageTag="e")
    assert moved.value.response["Error"]["Code"] == "LimitExceededException"
    tags = {detail["imageDigest"]: sorted(detail.get("imageTags", []))
            for detail in ecr.describe_images(repositoryName="app")["imageDetails"]}
    assert sorted(tags.values()) == [["a", "b", "c"], ["e"]]


def test_a_repository_holds_at_most_the_images_per_repository_quota(aws, monkeypatch):
    monkeypatch.setattr(image_quotas, "MAX_IMAGES_PER_REPOSITORY", 2)
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("one"), imageTag="one")
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("two"), imageTag="two")
    with pytest.raises(ClientError) as refused:
        put_image(ecr, repositoryName="app", imageManifest=image_manifest("three"), imageTag="three")
    assert refused.value.response["Error"] == {
        "Code": "LimitExceededException",
        "Message": f"The repository with name 'app' in registry with id '{ACCOUNT}' already has the maximum allowed "
                   "number of images which is '2'"}
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("one"), imageTag="again")  # a held image
    assert len(ecr.list_images(repositoryName="app")["imageIds"]) == 3  # two images, "two" and "one"/"again"
    ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "two"}])
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("three"), imageTag="three")
    assert len(ecr.describe_images(repositoryName="app")["imageDetails"]) == 2


def test_the_registry_api_answers_the_image_quotas_with_denied(server, monkeypatch):
    monkeypatch.setattr(image_quotas, "MAX_IMAGES_PER_REPOSITORY", 1)
    monkeypatch.setattr(image_quotas, "MAX_TAGS_PER_IMAGE", 2)
    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    registry = Registry(server.endpoint_url, login_password(ecr))
    image = build_image("quota")
    assert registry.push("app", image, "v1").status_code == 201
    assert registry.put_manifest("app", "v2", image.manifest, OCI_MANIFEST).status_code == 201
    status, code, message = error_code(registry.put_manifest("app", "v3", image.manifest, OCI_MANIFEST))
    assert (status, code) == (403, "DENIED")
    assert message.endswith("exceeds the maximum allowed number of tags per image which is '2'")
    other = build_image("another")
    status, code, message = error_code(registry.push("app", other, "next"))
    assert (status, code) == (403, "DENIED")
    assert message.endswith("already has the maximum allowed number of images which is '1'")
    assert [detail["imageTags"] for detail in ecr.describe_images(repositoryName="app")["imageDetails"]] == \
        [["v1", "v2"]]
