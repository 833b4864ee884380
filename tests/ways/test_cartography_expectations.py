"""What Cartography reads from IAM, STS and ECR, replayed with boto3 (docs/behaviour.md, "Sweep: Cartography").

Cartography 0.143.0 (Lyft's infrastructure graph; its ``cartography.intel.aws`` modules ``iam``,
``iam_instance_profiles``, ``organizations``, ``ecr``, ``ecr_image_layers``, ``ecr_pull_through_cache_rules`` and
``permission_relationships``) ran outside the repository against ``mockrunner serve``; every getter and transform
returned data and none raised on mockrunner's answers.  It is too heavy to be a dependency, so these tests make the
calls its code makes, in its order and with its arguments, and assert what its code then reads (the key it indexes,
the shape it iterates, the page it stops at).  No test failed before: the sweep found no defect in these answers.

- The account snapshot: GetAccountAuthorizationDetails paged by ``Marker`` until ``IsTruncated`` is false, every
  attached managed policy (AWS managed too) among ``Policies`` with one default version, documents decoded.
- The per-principal fallback (no ``iam:GetAccountAuthorizationDetails``): the same documents through the resource
  API's calls; GetGroup answers 100 members without ``MaxItems``, as AWS does, and Cartography reads that page only.
- Access keys (``ServiceName`` and ``Region`` present, "N/A" before any use), MFA devices, SAML providers (no name:
  Cartography derives it from the ARN), server certificates, instance profiles, the account summary's counts.
- Trust policies as written (a single statement object stays an object; Cartography iterates it and fails, as it
  would on AWS), a deleted principal as its unique id, service-last-accessed jobs and their pages.
- ECR: ListImages pages of at most 100 ids, which DescribeImages takes whole; one detail per image whatever the
  number of tags; indexes and their images through BatchGetImage with Cartography's ``acceptedMediaTypes``; config
  and in-toto blobs through GetDownloadUrlForLayer's URL without credentials; pull through cache rules.
"""
from __future__ import annotations

import json
from typing import Any

import requests

from tests.ecr.pushing import DOCKER_MANIFEST, blob_digest, image_manifest, put_image, upload_blob
from tests.ecr.test_ecr import digest_of
from tests.iam.helpers import ACCOUNT, allow, doc, error_of
from tests.iam.keys_and_codes import enabled_mfa_device, private_pem, rsa_key, self_signed_certificate
from tests.iam.saml_federation import metadata

ARN = f"arn:aws:iam::{ACCOUNT}"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
LIST_TYPES = [MANIFEST_LIST, OCI_INDEX]
"""``ecr.MANIFEST_LIST_MEDIA_TYPES``: what ``_get_platform_specific_digests`` accepts for an index."""
ALL_ACCEPTED = [OCI_INDEX, MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST]
"""``ecr_image_layers.ALL_ACCEPTED``."""
SUMMARY_KEYS = ("AccountAccessKeysPresent", "AccountMFAEnabled", "AccountSigningCertificatesPresent", "Groups",
                "InstanceProfiles", "MFADevices", "MFADevicesInUse", "Policies", "PolicyVersionsInUse", "Providers",
                "Roles", "ServerCertificates", "Users")
"""What ``AWSAccountSummarySchema`` reads from GetAccountSummary's ``SummaryMap``."""


# --------------------------------------------------------------------------------------------------- IAM world
def _iam_world(iam: Any) -> dict[str, str]:
    """Users in groups, inline and managed policies on users, groups and roles (a customer policy whose second
    version is the default, two AWS managed ones), an instance profile; the ARNs the tests read back."""
    policy = iam.create_policy(PolicyName="app-read", Path="/eng/", PolicyDocument=doc(allow("s3:GetObject")))
    arn = policy["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc({"Sid": "Read", **allow(["s3:GetObject",
                                                                                            "s3:ListBucket"])}),
                              SetAsDefault=True)
    iam.create_group(GroupName="devs", Path="/eng/")
    iam.put_group_policy(GroupName="devs", PolicyName="devs-inline", PolicyDocument=doc(allow("ecr:*")))
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_group(GroupName="empty")
    for user, groups in (("alice", ("devs", "admins")), ("bob", ("devs",))):
        iam.create_user(UserName=user, Path="/eng/" if user == "alice" else "/")
        for group in groups:
            iam.add_user_to_group(UserName=user, GroupName=group)
    iam.put_user_policy(UserName="alice", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole",
                                                                                       f"{ARN}:role/*")))
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="app", PolicyName="pull", PolicyDocument=doc(allow("ecr:BatchGetImage")))
    iam.attach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_instance_profile(InstanceProfileName="app", Path="/ip/")
    iam.add_role_to_instance_profile(InstanceProfileName="app", RoleName="app")
    iam.create_instance_profile(InstanceProfileName="unused")
    return {"policy": arn, "alice": f"{ARN}:user/eng/alice", "bob": f"{ARN}:user/bob",
            "devs": f"{ARN}:group/eng/devs", "admins": f"{ARN}:group/admins", "role": f"{ARN}:role/app"}


def _snapshot(iam: Any, max_items: int) -> tuple[list, list, list, dict]:
    """``iam.get_account_authorization_details``' loop: pages until ``IsTruncated`` is false, no ``Marker`` or
    the same one again (bounded here too); users, groups, roles and the default statements by policy ARN."""
    users: list = []
    groups: list = []
    roles: list = []
    statements: dict[str, Any] = {}
    marker = None
    for _ in range(200):
        page = iam.get_account_authorization_details(MaxItems=max_items, **({"Marker": marker} if marker else {}))
        users += page.get("UserDetailList", [])
        groups += page.get("GroupDetailList", [])
        roles += page.get("RoleDetailList", [])
        for policy in page.get("Policies", []):
            defaults = [v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")]
            assert len(defaults) == 1, policy["Arn"]
            statements.setdefault(policy["Arn"], defaults[0]["Document"]["Statement"])
        next_marker = page.get("Marker")
        if not page.get("IsTruncated") or not next_marker or next_marker == marker:
            return users, groups, roles, statements
        marker = next_marker
    raise AssertionError("GetAccountAuthorizationDetails did not stop paging")


def test_the_account_snapshot_pages_to_the_end_with_every_attached_policy_and_decoded_documents(aws):
    iam = aws.client("iam")
    arns = _iam_world(iam)
    users, groups, roles, statements = _snapshot(iam, 3)
    whole = _snapshot(iam, 1000)  # Cartography's MaxItems
    assert (users, groups, roles, statements) == whole
    assert {u["Arn"] for u in users} == {arns["alice"], arns["bob"]}
    assert len(roles) == len({r["Arn"] for r in roles}) and arns["role"] in {r["Arn"] for r in roles}
    by_arn = {entry["Arn"]: entry for entry in users + groups + roles}
    attached = {p["PolicyArn"] for entry in by_arn.values() for p in entry.get("AttachedManagedPolicies", [])}
    # Every attached policy, AWS managed ones too, is in the snapshot: no GetPolicy/GetPolicyVersion is needed.
    assert attached >= {arns["policy"], "arn:aws:iam::aws:policy/AdministratorAccess",
                        "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    assert attached <= set(statements)
    assert statements[arns["policy"]] == [{"Sid": "Read", **allow(["s3:GetObject", "s3:ListBucket"])}]
    inline = {p["PolicyName"]: p["PolicyDocument"]["Statement"]
              for p in by_arn[arns["alice"]]["UserPolicyList"]}
    assert inline == {"assume": [allow("sts:AssumeRole", f"{ARN}:role/*")]}
    assert [p["PolicyName"] for p in by_arn[arns["devs"]]["GroupPolicyList"]] == ["devs-inline"]
    assert by_arn[arns["role"]]["RolePolicyList"][0]["PolicyDocument"]["Statement"] == [allow("ecr:BatchGetImage")]
    # Memberships from each user's GroupList (names) agree with GetGroup's members.
    arn_of_group = {g["GroupName"]: g["Arn"] for g in groups}
    members: dict[str, set] = {g["Arn"]: set() for g in groups}
    for user in users:
        for name in user.get("GroupList", []):
            members[arn_of_group[name]].add(user["Arn"])
    for group in groups:
        assert members[group["Arn"]] == {u["Arn"] for u in iam.get_group(GroupName=group["GroupName"])["Users"]}
    assert members[arns["devs"]] == {arns["alice"], arns["bob"]}


def test_the_per_principal_calls_give_the_documents_of_the_snapshot(aws):
    """Without ``iam:GetAccountAuthorizationDetails`` Cartography asks principal by principal through boto3's
    resource API (List*Policies and Get*Policy; ListAttached*Policies, then GetPolicy for ``DefaultVersionId`` and
    GetPolicyVersion)."""
    iam = aws.client("iam")
    arns = _iam_world(iam)
    users, groups, roles, statements = _snapshot(iam, 1000)
    kinds = (("User", "UserName", users), ("Group", "GroupName", groups), ("Role", "RoleName", roles))
    for kind, key, entries in kinds:
        for entry in entries:
            name = entry[key]
            listed = getattr(iam, f"list_{kind.lower()}_policies")(**{key: name})["PolicyNames"]
            documents = {policy: getattr(iam, f"get_{kind.lower()}_policy")(**{key: name, "PolicyName": policy})
                         ["PolicyDocument"]["Statement"] for policy in listed}
            assert documents == {p["PolicyName"]: p["PolicyDocument"]["Statement"]
                                 for p in entry.get(f"{kind}PolicyList", [])}
            managed = {}
            for attached in getattr(iam, f"list_attached_{kind.lower()}_policies")(**{key: name})[
                    "AttachedPolicies"]:
                version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
                managed[attached["PolicyArn"]] = iam.get_policy_version(
                    PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]["Statement"]
            assert managed == {p["PolicyArn"]: statements[p["PolicyArn"]]
                               for p in entry.get("AttachedManagedPolicies", [])}
    assert iam.get_policy(PolicyArn=arns["policy"])["Policy"]["DefaultVersionId"] == "v2"


def test_get_group_answers_one_hundred_members_without_max_items(aws):
    """Cartography's fallback reads one GetGroup page: AWS's default of 100 items, ``IsTruncated`` and a
    ``Marker`` for the rest (the snapshot lists every member)."""
    iam = aws.client("iam")
    iam.create_group(GroupName="crowd")
    for index in range(101):
        iam.create_user(UserName=f"member-{index:03d}")
        iam.add_user_to_group(UserName=f"member-{index:03d}", GroupName="crowd")
    page = iam.get_group(GroupName="crowd")
    assert (len(page["Users"]), page["IsTruncated"], bool(page.get("Marker"))) == (100, True, True)
    rest = iam.get_group(GroupName="crowd", Marker=page["Marker"])
    assert len(rest["Users"]) == 1 and not rest["IsTruncated"]
    users = _snapshot(iam, 1000)[0]
    assert sum("crowd" in user.get("GroupList", []) for user in users) == 101


# --------------------------------------------------------------------------- keys, devices, providers, summary
def test_access_keys_last_used_carries_service_and_region_before_and_after_use(aws):
    """``get_account_access_key_data`` indexes ``ServiceName`` and ``Region`` (only ``LastUsedDate`` may be
    absent: AWS answers "N/A" for a key never used)."""
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    iam.put_user_policy(UserName="dev", PolicyName="read", PolicyDocument=doc(allow("iam:ListUsers")))
    used = iam.create_access_key(UserName="dev")["AccessKey"]
    unused = iam.create_access_key(UserName="dev")["AccessKey"]
    aws.client_for(used, "iam").list_users()
    keys = iam.list_access_keys(UserName="dev")["AccessKeyMetadata"]
    assert {k["AccessKeyId"] for k in keys} == {used["AccessKeyId"], unused["AccessKeyId"]}
    assert all({"CreateDate", "Status", "UserName"} <= set(k) for k in keys)
    never = iam.get_access_key_last_used(AccessKeyId=unused["AccessKeyId"])["AccessKeyLastUsed"]
    assert never == {"ServiceName": "N/A", "Region": "N/A"}
    last = iam.get_access_key_last_used(AccessKeyId=used["AccessKeyId"])["AccessKeyLastUsed"]
    assert (last["ServiceName"], last["Region"]) == ("iam", "us-east-1") and "LastUsedDate" in last
    assert error_of(iam.list_access_keys, UserName="nobody")[0] == "NoSuchEntity"


def test_mfa_devices_providers_certificates_profiles_and_the_summary_cartography_reads(aws):
    iam = aws.client("iam")
    arns = _iam_world(iam)
    serial, _seed = enabled_mfa_device(aws, iam, "alice")
    devices = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [("alice", serial)] == \
        [("alice", f"{ARN}:mfa/alice")]
    assert "EnableDate" in devices[0]
    iam.create_saml_provider(Name="corp", SAMLMetadataDocument=metadata(aws))
    iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                        ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])
    providers = iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in providers] == [f"{ARN}:saml-provider/corp"]
    assert {"ValidUntil", "CreateDate"} <= set(providers[0]) and "Name" not in providers[0]
    key = rsa_key()
    body, _ = self_signed_certificate(key)
    iam.upload_server_certificate(ServerCertificateName="web", Path="/cloudfront/", CertificateBody=body,
                                  PrivateKey=private_pem(key))
    certificate, = iam.list_server_certificates()["ServerCertificateMetadataList"]
    assert {"ServerCertificateName", "ServerCertificateId", "Arn", "Path", "Expiration", "UploadDate"} <= \
        set(certificate)
    profiles = {p["InstanceProfileName"]: p for p in iam.list_instance_profiles()["InstanceProfiles"]}
    assert [role["Arn"] for role in profiles["app"]["Roles"]] == [arns["role"]]
    assert profiles["unused"]["Roles"] == [] and profiles["app"]["Path"] == "/ip/"
    summary = iam.get_account_summary()["SummaryMap"]
    assert set(SUMMARY_KEYS) <= set(summary)
    assert {key: summary[key] for key in ("Users", "Groups", "Roles", "Policies", "InstanceProfiles", "MFADevices",
                                          "MFADevicesInUse", "Providers", "ServerCertificates")} == \
        {"Users": 2, "Groups": 3, "Roles": 1, "Policies": 1, "InstanceProfiles": 2, "MFADevices": 1,
         "MFADevicesInUse": 1, "Providers": 2, "ServerCertificates": 1}


# ------------------------------------------------------------------------------ trust policies, last accessed
def test_trust_policies_come_back_as_written_and_deleted_principals_as_their_ids(aws):
    iam = aws.client("iam")
    written = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},' \
              '"Action":"sts:AssumeRole"}}'
    iam.create_role(RoleName="one-statement", AssumeRolePolicyDocument=written)
    user_id = iam.create_user(UserName="gone")["User"]["UserId"]
    iam.create_role(RoleName="trusting", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": [f"{ARN}:user/gone", "arn:aws:iam::210987654321:root"],
                                          "Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]},
         "Action": "sts:AssumeRole"}))
    iam.delete_user(UserName="gone")
    roles = {r["RoleName"]: r["AssumeRolePolicyDocument"] for r in iam.list_roles()["Roles"]}
    # A single statement stays an object: Cartography's ``for statement in ...["Statement"]`` then iterates its
    # keys and fails, against AWS as here.
    assert roles["one-statement"] == json.loads(written)
    statement, = roles["trusting"]["Statement"]
    assert statement["Principal"] == {"AWS": [user_id, "arn:aws:iam::210987654321:root"],
                                      "Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}


def _last_accessed(iam: Any, arn: str) -> dict:
    """``iam.get_service_last_accessed_details``: the job polled (bounded) until it is done, then its pages."""
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    for _ in range(30):
        answer = iam.get_service_last_accessed_details(JobId=job)
        if answer["JobStatus"] != "IN_PROGRESS":
            break
    assert answer["JobStatus"] == "COMPLETED"
    services = list(answer["ServicesLastAccessed"])
    for _ in range(100):
        if not answer.get("IsTruncated"):
            return {**answer, "ServicesLastAccessed": services}
        answer = iam.get_service_last_accessed_details(JobId=job, Marker=answer["Marker"])
        services += answer["ServicesLastAccessed"]
    raise AssertionError("GetServiceLastAccessedDetails did not stop paging")


def test_service_last_accessed_jobs_complete_page_and_name_who_used_a_service(aws):
    iam = aws.client("iam")
    arns = _iam_world(iam)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    aws.client_for(key, "iam").list_users()
    mine = _last_accessed(iam, arns["alice"])["ServicesLastAccessed"]  # AdministratorAccess: every service
    assert len(mine) > 100 and len({s["ServiceNamespace"] for s in mine}) == len(mine)
    used = [s for s in mine if s.get("LastAuthenticated")]
    assert [s["ServiceNamespace"] for s in used] == ["iam"]
    group = [s for s in _last_accessed(iam, arns["admins"])["ServicesLastAccessed"] if s.get("LastAuthenticated")]
    assert [(s["ServiceName"], s["LastAuthenticatedEntity"], s["LastAuthenticatedRegion"]) for s in group] == \
        [("AWS Identity and Access Management", arns["alice"], "us-east-1")]
    code = error_of(iam.generate_service_last_accessed_details, Arn=f"{ARN}:user/nobody")[0]
    assert code == "NoSuchEntity"  # boto3's NoSuchEntityException, which Cartography catches


# ----------------------------------------------------------------------------------------------------- ECR
def _child(ecr: Any, repository: str, marker: str, architecture: str) -> dict:
    text = image_manifest(marker)
    put_image(ecr, repositoryName=repository, imageManifest=text)
    return {"mediaType": DOCKER_MANIFEST, "digest": digest_of(text), "size": len(text),
            "platform": {"architecture": architecture, "os": "linux"}}


def _attestation(ecr: Any, repository: str, subject: str) -> dict:
    """A BuildKit provenance attestation of ``subject``: an OCI manifest whose one layer is an in-toto statement."""
    statement = json.dumps({"_type": "https://in-toto.io/Statement/v0.1",
                            "predicateType": "https://slsa.dev/provenance/v0.2",
                            "predicate": {"materials": [{"uri": "pkg:docker/library/alpine@3.19",
                                                         "digest": {"sha256": "1" * 64}}]}}).encode()
    config = b'{"architecture":"unknown","os":"unknown","config":{}}'
    for blob in (statement, config):
        upload_blob(ecr, repository, blob)
    text = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": blob_digest(config), "size": len(config)},
                       "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": blob_digest(statement),
                                   "size": len(statement)}]})
    ecr.put_image(repositoryName=repository, imageManifest=text)
    return {"mediaType": OCI_MANIFEST, "digest": digest_of(text), "size": len(text),
            "platform": {"architecture": "unknown", "os": "unknown"},
            "annotations": {"vnd.docker.reference.digest": subject,
                            "vnd.docker.reference.type": "attestation-manifest"}}


def _download(aws: Any, url: str) -> bytes:
    """A GetDownloadUrlForLayer URL fetched without credentials (httpx in Cartography)."""
    if aws.server is not None:
        response = requests.get(url, timeout=30)
        return response.content if response.status_code == 200 else b""
    response = aws.app.test_client().get("/" + url.split("//", 1)[1].split("/", 1)[1])
    return response.data if response.status_code == 200 else b""


def test_ecr_images_as_cartography_lists_describes_and_pulls_them(aws):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="web")
    tagged = image_manifest("tagged")
    put_image(ecr, repositoryName="web", imageManifest=tagged, imageTag="v1")
    put_image(ecr, repositoryName="web", imageManifest=tagged, imageTag="latest")
    put_image(ecr, repositoryName="web", imageManifest=image_manifest("untagged"))
    amd = _child(ecr, "web", "amd", "amd64")
    arm = _child(ecr, "web", "arm", "arm64")
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                        "manifests": [amd, arm, _attestation(ecr, "web", amd["digest"])]})
    ecr.put_image(repositoryName="web", imageManifest=index, imageTag="multi")
    repository, = ecr.describe_repositories()["repositories"]
    assert {"repositoryArn", "repositoryName", "repositoryUri", "createdAt"} <= set(repository)
    assert repository["repositoryUri"].split("/", 1)[1] == "web"  # ecr_image_layers' repository name
    ids = ecr.list_images(repositoryName="web")["imageIds"]
    assert len(ids) == 7  # a tagged image once per tag, the index's three manifests untagged
    details = ecr.describe_images(repositoryName="web", imageIds=ids)["imageDetails"]
    assert len(details) == 6 and len({d["imageDigest"] for d in details}) == 6
    by_digest = {d["imageDigest"]: d for d in details}
    assert sorted(by_digest[digest_of(tagged)]["imageTags"]) == ["latest", "v1"]
    listed = by_digest[digest_of(index)]
    assert listed["imageManifestMediaType"] == OCI_INDEX and "artifactMediaType" not in listed
    assert {"imagePushedAt", "imageSizeInBytes"} <= set(listed)
    # The index, asked by digest with the list media types only, and what it names, asked as images.
    answer = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageDigest": digest_of(index)}],
                                 acceptedMediaTypes=LIST_TYPES)
    assert answer["failures"] == [] and json.loads(answer["images"][0]["imageManifest"]) == json.loads(index)
    for entry in json.loads(index)["manifests"]:
        image, = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageDigest": entry["digest"]}],
                                     acceptedMediaTypes=[OCI_MANIFEST, DOCKER_MANIFEST])["images"]
        manifest = json.loads(image["imageManifest"])
        blob = manifest["layers"][0]["digest"] if entry.get("annotations") else manifest["config"]["digest"]
        url = ecr.get_download_url_for_layer(repositoryName="web", layerDigest=blob)["downloadUrl"]
        assert json.loads(_download(aws, url))  # the config, or the in-toto statement, as JSON
    pulled = ecr.describe_images(repositoryName="web", imageIds=[{"imageTag": "multi"}])["imageDetails"][0]
    assert "lastRecordedPullTime" in pulled
    # By tag with every type Cartography accepts: the index as stored.
    image, = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageTag": "multi"}],
                                 acceptedMediaTypes=ALL_ACCEPTED)["images"]
    assert image["imageManifestMediaType"] == OCI_INDEX and image["imageId"]["imageDigest"] == digest_of(index)


def test_list_images_pages_fit_describe_images(aws):
    """Cartography hands each ListImages page's ids to DescribeImages, which takes at most 100: ListImages' pages
    without ``maxResults`` hold 100 ids, as AWS documents."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="many")
    for index in range(101):
        put_image(ecr, repositoryName="many", imageManifest=image_manifest(f"m{index}", layer_size=8),
                  imageTag=f"t{index}")
    described = 0
    pages = 0
    token = None
    for _ in range(10):
        page = ecr.list_images(repositoryName="many", **({"nextToken": token} if token else {}))
        pages += 1
        assert len(page["imageIds"]) <= 100
        described += len(ecr.describe_images(repositoryName="many", imageIds=page["imageIds"])["imageDetails"])
        token = page.get("nextToken")
        if not token:
            break
    assert (pages, described) == (2, 101)
    error = error_of(ecr.describe_images, repositoryName="many",
                     imageIds=[{"imageTag": f"t{index}"} for index in range(101)])
    assert error[0] == "InvalidParameterException"


def test_pull_through_cache_rules_carry_what_cartography_keys_them_by(aws):
    ecr = aws.client("ecr")
    upstream = "public.ecr.aws"
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl=upstream)
    rule, = ecr.describe_pull_through_cache_rules(registryId=ACCOUNT)["pullThroughCacheRules"]
    assert (rule["registryId"], rule["ecrRepositoryPrefix"], rule["upstreamRegistryUrl"]) == \
        (ACCOUNT, "ecr-public", upstream)
    assert rule["upstreamRegistry"] == "ecr-public" and "createdAt" in rule
