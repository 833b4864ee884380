"""An attacker's forty-ninth pass: what the forty-eighth found last and left.

Findings (each test failed before its fix):

- **High (state safety).** CreateServiceLinkedRole joined a long ``CustomSuffix`` to the role name without a bound:
  ``AWSServiceRoleForAutoScaling_`` and 64 characters made a 93-character role no call could delete, and a state
  holding it no longer loaded (a server with ``--state-file`` refused to start).  A role name is at most 64
  characters however it is made: a longer one is refused as CreateRole refuses it.
- **Medium (ECR fidelity).** ECR's replication and pull through cache service-linked roles could be deleted while
  the registry used them; the ECR User Guide: "You can delete the corresponding service-linked role only after
  disabling either replication or pull through cache on your registry".  The deletion task ends ``FAILED`` with
  the resources in use, as App Runner's roles' do.
- **Low-medium (listings).** ECR's ``nextToken`` and IAM's ``Marker`` were offsets: a client deleting each page
  before asking for the next (CDK's ``autoDeleteImages`` handler, cleanup scripts) skipped a page's worth of items
  every time (100 of 250 images were left), and an item created meanwhile made the next page repeat one.  They
  are cursors now, as App Runner's tokens were; a review of the fix found an image of two tags deleted by its
  first entry (the next entry gone with it) and a policy version renamed by becoming the default still skipped:
  tokens name a few later items too, and versions are named by their ids.
- **Low (ECR fidelity).** CreateRepositoryCreationTemplate never created ``AWSServiceRoleForECRTemplate``; the ECR
  User Guide: "When you create a repository creation template rule ... Amazon ECR creates the service-linked role
  for you".  The first template creates it (the caller needs ``iam:CreateServiceLinkedRole``), and it cannot be
  deleted while a template exists.
- **Low (STS fidelity, slightly fail-open).** GetSessionToken's credentials could call GetAccessKeyInfo,
  DecodeAuthorizationMessage and AssumeRoot, and a federated user was refused GetDelegatedAccessToken; the STS API
  reference lists what each may call.
- **Medium (ECR lifecycle).** A clock moved on by more than a day ran a repository's lifecycle policy once, as of
  the last due run: an image a daily run archives on its second day and expires 90 days later was archived on the
  200th and kept.  Every due run now happens (the runs that would act on nothing are skipped).  A policy also comes
  back with its rules by ``rulePriority``, as the Terraform provider documents ECR doing.
- **Low-medium (IAM validation).** A trust policy condition key with two colons (an IRSA key keeping
  ``https://``) was accepted and the role could never be assumed; IAM refuses it ("Condition can contain only one
  colon.", recorded), and words an unknown trust policy operator "Invalid Condition type : <operator>".
- **Low.** A repository policy holding ``a``, ``a`` and ``a#2`` was refused (the engine's rename of the shared Sid
  collided); custom domains ACM could issue no certificate for (``-bad.example.com``, ``example.c``) waited for DNS
  validation for ever instead of being refused.
- **Low (registry wire).** A registry upload waiting for ``100 Continue`` got it before the 401 that refused its
  credentials, so the client sent its layer for nothing; the interim answer now waits until the body is read.
"""
from __future__ import annotations

import base64
import contextlib
import json
import socket

import pytest

from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.model.store import Store
from tests.apprunner.helpers import running
from tests.ecr.pushing import image_manifest, put_image
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key
from tests.registry.images import Registry, login_password

AUTO_SCALING = "autoscaling.amazonaws.com"
AUTO_SCALING_ROLE = "AWSServiceRoleForAutoScaling"


# ------------------------------------------------------------------------------------------------ role name bound
def test_a_custom_suffix_making_a_role_name_past_64_characters_is_refused(aws) -> None:
    iam = aws.client("iam")
    longest = "s" * (64 - len(AUTO_SCALING_ROLE) - 1)
    made = iam.create_service_linked_role(AWSServiceName=AUTO_SCALING, CustomSuffix=longest)["Role"]
    assert len(made["RoleName"]) == 64
    name = f"{AUTO_SCALING_ROLE}_{longest}x"
    code, message, status = error_of(iam.create_service_linked_role, AWSServiceName=AUTO_SCALING,
                                     CustomSuffix=longest + "x")
    assert (code, status) == ("ValidationError", 400)
    assert message == (f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy constraint: "
                       "Member must have length less than or equal to 64")
    assert [role["RoleName"] for role in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]] == [
        made["RoleName"]]
    # The account's state still loads, and the role that was made can be deleted.
    snapshot.import_state(Store(Settings(log_requests=False)), json.loads(json.dumps(snapshot.export_state(aws.store))))
    task = iam.delete_service_linked_role(RoleName=made["RoleName"])["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"


# ------------------------------------------------------------------------------------------------ ECR roles in use
def _deletion(iam, role: str) -> dict:
    task = iam.delete_service_linked_role(RoleName=role)["DeletionTaskId"]
    return iam.get_service_linked_role_deletion_status(DeletionTaskId=task)


def _refused_while_in_use(iam, role: str, resources: list[str]) -> None:
    status = _deletion(iam, role)
    assert status["Status"] == "FAILED"
    assert status["Reason"] == {"Reason": f"Service-linked role {role} is in use by Amazon ECR resources.",
                                "RoleUsageList": [{"Region": "us-east-1", "Resources": resources}]}
    assert iam.get_role(RoleName=role)["Role"]["RoleName"] == role


def test_ecr_replication_role_is_deleted_only_once_replication_is_off(aws) -> None:
    ecr, iam = aws.client("ecr"), aws.client("iam")
    rules = [{"destinations": [{"region": "us-west-2", "registryId": ACCOUNT}]}]
    ecr.put_replication_configuration(replicationConfiguration={"rules": rules})
    _refused_while_in_use(iam, "AWSServiceRoleForECRReplication", [ACCOUNT])
    ecr.put_replication_configuration(replicationConfiguration={"rules": []})
    assert _deletion(iam, "AWSServiceRoleForECRReplication")["Status"] == "SUCCEEDED"
    assert error_of(iam.get_role, RoleName="AWSServiceRoleForECRReplication")[0] == "NoSuchEntity"


def test_ecr_pull_through_cache_role_is_deleted_only_once_no_rule_is_left(aws) -> None:
    ecr, iam = aws.client("ecr"), aws.client("iam")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    _refused_while_in_use(iam, "AWSServiceRoleForECRPullThroughCache", ["quay"])
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="quay")
    assert _deletion(iam, "AWSServiceRoleForECRPullThroughCache")["Status"] == "SUCCEEDED"


# ------------------------------------------------------------------------------------------------ template role
def test_the_first_creation_template_creates_ecrs_template_role(aws) -> None:
    ecr, iam = aws.client("ecr"), aws.client("iam")
    ecr.create_repository_creation_template(prefix="team", appliedFor=["REPLICATION"])
    role = iam.get_role(RoleName="AWSServiceRoleForECRTemplate")["Role"]
    assert role["Path"] == "/aws-service-role/ecr.amazonaws.com/"
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role["RoleName"])[
        "AttachedPolicies"]] == ["arn:aws:iam::aws:policy/aws-service-role/ECRTemplateServiceRolePolicy"]
    _refused_while_in_use(iam, "AWSServiceRoleForECRTemplate", ["team"])
    ecr.delete_repository_creation_template(prefix="team")
    assert _deletion(iam, "AWSServiceRoleForECRTemplate")["Status"] == "SUCCEEDED"


def test_a_caller_who_may_not_create_the_template_role_creates_no_first_template(aws) -> None:
    key = user_with_key(aws, "templater", inline={"ecr": doc(allow("ecr:*"))})
    ecr = aws.client("ecr", key["AccessKeyId"], key["SecretAccessKey"])
    code, message, _ = error_of(ecr.create_repository_creation_template, prefix="team", appliedFor=["REPLICATION"])
    assert code == "AccessDeniedException" and "iam:CreateServiceLinkedRole" in message
    assert aws.client("ecr").describe_repository_creation_templates()["repositoryCreationTemplates"] == []
    aws.client("iam").create_service_linked_role(AWSServiceName="ecr.amazonaws.com")
    ecr.create_repository_creation_template(prefix="team", appliedFor=["REPLICATION"])


# ------------------------------------------------------------------------------------------------ cursors
IMAGES = 130
PAGE = 50


@pytest.fixture
def images(aws):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    for index in range(IMAGES):
        put_image(ecr, "app", image_manifest(f"m{index}", layer_size=8), imageTag=f"t{index:03}")
    return ecr


def test_deleting_each_page_of_images_before_the_next_deletes_them_all(images) -> None:
    """As CDK's autoDeleteImages handler does: ListImages, BatchDeleteImage the page, ListImages(nextToken)."""
    listed, token = [], None
    for _ in range(IMAGES):  # bounded: one page at least deletes one image
        page = images.list_images(repositoryName="app", maxResults=PAGE, **({"nextToken": token} if token else {}))
        listed += [entry["imageTag"] for entry in page["imageIds"]]
        if page["imageIds"]:
            images.batch_delete_image(repositoryName="app", imageIds=[
                {"imageDigest": entry["imageDigest"]} for entry in page["imageIds"]])
        token = page.get("nextToken")
        if not token:
            break
    assert sorted(listed) == [f"t{index:03}" for index in range(IMAGES)]
    assert images.list_images(repositoryName="app")["imageIds"] == []


def test_describing_images_after_deleting_some_skips_none(images) -> None:
    first = images.describe_images(repositoryName="app", maxResults=PAGE)
    seen = [detail["imageTags"][0] for detail in first["imageDetails"]]
    images.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": tag} for tag in seen[:10]])
    rest = images.get_paginator("describe_images").paginate(
        repositoryName="app", PaginationConfig={"PageSize": PAGE, "StartingToken": first["nextToken"]})
    seen += [detail["imageTags"][0] for page in rest for detail in page["imageDetails"]]
    assert seen == [f"t{index:03}" for index in range(IMAGES)]


def test_deleting_images_of_two_tags_page_by_page_as_cdk_does_deletes_them_all(aws) -> None:
    """CDK's emptyRepository deletes each page's entries by their whole ids; an image whose two tags a page splits
    goes with its first entry, so the entry the token names as the next is gone as well as the page."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="cdk")
    for index in range(10):
        manifest = image_manifest(f"two-tags-{index}", layer_size=8)
        for tag in (f"v{index}", f"latest{index}"):
            put_image(ecr, "cdk", manifest, imageTag=tag)
    params: dict = {"repositoryName": "cdk", "maxResults": 3}
    for _ in range(20):  # bounded: ten images
        listed = ecr.list_images(**params)
        if listed["imageIds"]:
            ecr.batch_delete_image(repositoryName="cdk", imageIds=listed["imageIds"])
        if not listed.get("nextToken"):
            break
        params["nextToken"] = listed["nextToken"]
    assert ecr.list_images(repositoryName="cdk")["imageIds"] == []


def test_a_policy_version_made_default_between_pages_is_not_skipped(aws) -> None:
    """A version is named by its id, not by ``IsDefaultVersion``, which SetDefaultPolicyVersion changes."""
    iam = aws.client("iam")
    document = doc(allow("s3:GetObject"))
    arn = iam.create_policy(PolicyName="pruned", PolicyDocument=document)["Policy"]["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document)
    seen, newest = [], None
    for page in iam.get_paginator("list_policy_versions").paginate(
            PolicyArn=arn, PaginationConfig={"PageSize": 4, "MaxItems": 50}):
        for version in page["Versions"]:
            seen.append(version["VersionId"])
            if newest is None:
                newest = version["VersionId"]
                iam.set_default_policy_version(PolicyArn=arn, VersionId=newest)
            else:
                iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    assert seen == ["v5", "v4", "v3", "v2", "v1"]
    assert [version["VersionId"] for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v5"]


def test_deleting_each_page_of_roles_before_the_next_deletes_them_all(aws) -> None:
    iam = aws.client("iam")
    trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    names = [f"r{index:03}" for index in range(IMAGES)]
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    listed, marker = [], None
    for _ in range(IMAGES):
        page = iam.list_roles(MaxItems=PAGE, **({"Marker": marker} if marker else {}))
        for role in page["Roles"]:
            listed.append(role["RoleName"])
            iam.delete_role(RoleName=role["RoleName"])
        marker = page.get("Marker")
        if not page["IsTruncated"]:
            break
    assert listed == names
    assert iam.list_roles()["Roles"] == []


def test_a_user_created_between_pages_repeats_none(aws) -> None:
    iam = aws.client("iam")
    for name in ("b", "c", "d"):
        iam.create_user(UserName=name)
    first = iam.list_users(MaxItems=2)
    iam.create_user(UserName="a")
    rest = iam.list_users(Marker=first["Marker"])
    assert [user["UserName"] for user in first["Users"] + rest["Users"]] == ["b", "c", "d"]


# ------------------------------------------------------------------------------------------------ lifecycle
ARCHIVE_THEN_EXPIRE = json.dumps({"rules": [
    {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days",
                                      "countNumber": 1},
     "action": {"type": "transition", "targetStorageClass": "archive"}},
    {"rulePriority": 2, "selection": {"tagStatus": "any", "storageClass": "archive",
                                      "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": 90},
     "action": {"type": "expire"}}]})


@pytest.mark.parametrize("days_per_step", [1, 7, 200])
def test_a_lifecycle_policy_does_over_one_jump_of_the_clock_what_it_does_day_by_day(aws, days_per_step) -> None:
    """An image pushed at once is archived by the run two days later and expired by the run 90 days after that,
    whether the clock moves a day, a week or 200 days at a time."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="aging")
    ecr.put_lifecycle_policy(repositoryName="aging", lifecyclePolicyText=ARCHIVE_THEN_EXPIRE)
    put_image(ecr, "aging", image_manifest("aging", layer_size=8), imageTag="v1")
    pushed = ecr.describe_images(repositoryName="aging")["imageDetails"][0]["imagePushedAt"]
    for _ in range(100 // days_per_step):
        aws.store.clock.advance(days_per_step * 86400)
        ecr.list_images(repositoryName="aging")
        images = ecr.describe_images(repositoryName="aging", filter={"imageStatus": "ANY"})["imageDetails"]
        if len(images) == 1 and images[0]["imageStatus"] == "ARCHIVED":
            archived = (images[0]["lastArchivedAt"] - pushed).total_seconds() / 86400
            assert 1 < archived < 2.01, archived  # imagePushedAt is in whole seconds
    aws.store.clock.advance(100 * 86400 - (100 // days_per_step) * days_per_step * 86400)
    assert ecr.describe_images(repositoryName="aging", filter={"imageStatus": "ANY"})["imageDetails"] == []


# ------------------------------------------------------------------------------------------------ STS sessions
def _session_clients(aws):
    everything = doc(allow("*"))
    key = user_with_key(aws, "caller", inline={"all": everything})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    federated = sts.get_federation_token(Name="fed", Policy=everything)["Credentials"]
    session = sts.get_session_token()["Credentials"]
    return key, *(aws.client_for(credentials, "sts") for credentials in (federated, session))


def test_sts_calls_of_federated_users_and_session_token_sessions_are_those_sts_lists(aws) -> None:
    """STS API reference: GetFederationToken's credentials "cannot call any STS operations except
    GetCallerIdentity, GetScopedCredentials, or GetDelegatedAccessToken"; GetSessionToken's "cannot call any STS
    API except AssumeRole, GetCallerIdentity, GetScopedCredentials, GetWebIdentityToken, or
    GetDelegatedAccessToken"."""
    key, federated, session = _session_clients(aws)
    for sts in (federated, session):
        # Past the session refusal: the operation's own answer to a token it never issued.
        code, message, _ = error_of(sts.get_delegated_access_token, TradeInToken="x" * 16)
        assert "with session credentials" not in message, (code, message)
    root_task = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    for call, params in ((session.get_access_key_info, {"AccessKeyId": key["AccessKeyId"]}),
                         (session.decode_authorization_message, {"EncodedMessage": "abc"}),
                         (session.assume_root, {"TargetPrincipal": ACCOUNT, "TaskPolicyArn": root_task})):
        operation = call.__name__.title().replace("_", "")
        assert error_of(call, **params) == ("AccessDenied", f"Cannot call {operation} with session credentials", 403)
    assert session.get_caller_identity()["Arn"].endswith(":user/caller")


# ------------------------------------------------------------------------------------------------ 100 Continue
def _exchange(port: int, head: str, body: bytes | None = None) -> bytes:
    """Send ``head``; read what comes back within a second; send ``body`` if given and read to the end."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1"))
        sock.settimeout(1)
        received = b""
        try:
            received = sock.recv(65536)
        except TimeoutError:
            pass
        if body is not None:
            sock.sendall(body)
        sock.settimeout(10)  # bounded: each read waits at most 10 s; the server closes after its answer
        with contextlib.suppress(TimeoutError, ConnectionResetError), sock.makefile("rb") as answer:
            received += answer.read()
        return received


def test_a_registry_upload_refused_for_its_credentials_is_refused_before_any_100_continue(server) -> None:
    """A client waiting for ``100 Continue`` before sending a layer is told 401 at once and never invited to
    send it (as registries built on Go's net/http answer: the interim answer is sent when the handler first reads
    the body), and the connection is closed; an upload the registry reads is invited as before."""
    port = int(server.endpoint_url.rsplit(":", 1)[1])
    server.client("ecr").create_repository(repositoryName="app")
    head = ("POST /v2/app/blobs/uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
            "Expect: 100-continue\r\n{auth}\r\n")
    refused = _exchange(port, head.format(auth=""), b"hello")
    assert refused.startswith(b"HTTP/1.1 401 "), refused[:80]
    assert b" 100 Continue" not in refused and b"Connection: close" in refused
    password = login_password(server.client("ecr"))
    location = Registry(server.endpoint_url, password).call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    basic = base64.b64encode(f"AWS:{password}".encode()).decode()
    chunk = (f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
             f"Authorization: Basic {basic}\r\nConnection: close\r\n\r\n")
    accepted = _exchange(port, chunk, b"hello")
    assert accepted.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 "), accepted[:80]  # ECR: 201
    assert b"Range: 0-4" in accepted


def test_a_lifecycle_policy_comes_back_with_its_rules_by_priority(aws) -> None:
    """The Terraform AWS provider documents that ECR reorders rules by ``rulePriority`` (and compares them
    sorted)."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="ordered")
    second = {"rulePriority": 2, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                               "countNumber": 5}, "action": {"type": "expire"}}
    first = {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                              "countUnit": "days", "countNumber": 5}, "action": {"type": "expire"}}
    put = ecr.put_lifecycle_policy(repositoryName="ordered", lifecyclePolicyText=json.dumps({"rules": [second, first]}))
    expected = json.dumps({"rules": [first, second]}, separators=(",", ":"))
    assert put["lifecyclePolicyText"] == expected
    assert ecr.get_lifecycle_policy(repositoryName="ordered")["lifecyclePolicyText"] == expected


# ------------------------------------------------------------------------------------------------ policy documents
OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/FF35"


def _web_identity_trust(condition: dict) -> str:
    return doc({"Effect": "Allow", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition})


@pytest.mark.parametrize(("condition", "message"), [
    ({"StringEquals": {"https://oidc.eks.us-east-1.amazonaws.com/id/FF35:sub": "system:serviceaccount:a:b"}},
     "Condition can contain only one colon."),
    ({"stringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/FF35:sub": "x"}},
     "Invalid Condition type : stringEquals"),
])
def test_a_trust_policy_condition_iam_cannot_read_is_refused_in_its_words(aws, condition, message) -> None:
    """Recorded from AWS for CreateRole: terraform-aws-modules/terraform-aws-eks#1084 (an IRSA key keeping the
    provider URL's ``https://``), ministryofjustice/modernisation-platform-environments#8893 (``stringEquals``)."""
    iam = aws.client("iam")
    assert error_of(iam.create_role, RoleName="irsa", AssumeRolePolicyDocument=_web_identity_trust(condition)) == (
        "MalformedPolicyDocument", message, 400)
    iam.create_role(RoleName="irsa", AssumeRolePolicyDocument=_web_identity_trust(
        {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/FF35:sub": "system:serviceaccount:a:b",
                          "aws:RequestTag/team:name": "x", "kms:EncryptionContext:Department": "IT"}}))
    assert error_of(iam.update_assume_role_policy, RoleName="irsa", PolicyDocument=_web_identity_trust(condition)) == (
        "MalformedPolicyDocument", message, 400)
    # An identity policy's unknown operator stays a syntax error (moto's probes of IAM).
    assert error_of(iam.create_policy, PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"x": {"a": "1"}}})) == (
        "MalformedPolicyDocument", "Syntax errors in policy.", 400)


def test_a_repository_policy_may_hold_a_sid_its_shared_sids_would_be_renamed_to(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="sids")

    def statement(sid: str) -> dict:
        return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "ecr:BatchGetImage"}

    for sids in (["a", "a", "a#2"], ["a b", "a b", "a b#2", "a b#3"]):
        text = json.dumps({"Version": "2012-10-17", "Statement": [statement(sid) for sid in sids]})
        ecr.set_repository_policy(repositoryName="sids", policyText=text)
        assert [s["Sid"] for s in json.loads(ecr.get_repository_policy(repositoryName="sids")["policyText"])[
            "Statement"]] == sids


# ------------------------------------------------------------------------------------------------ App Runner domains
@pytest.mark.parametrize("domain", ["-bad.example.com", "bad-.example.com", "example.c", f"{'a' * 64}.example.com"])
def test_a_custom_domain_acm_could_issue_no_certificate_for_is_refused(aws, domain) -> None:
    """ACM's ``DomainNameString``: no label starts or ends with a hyphen or is longer than 63 characters, the last
    has two at least; App Runner's custom domains are ACM certificates."""
    apprunner = aws.client("apprunner")
    service = running(apprunner)
    code, message, status = error_of(apprunner.associate_custom_domain, ServiceArn=service, DomainName=domain)
    assert (code, status) == ("InvalidRequestException", 400) and domain in message
    assert apprunner.describe_custom_domains(ServiceArn=service)["CustomDomains"] == []
    apprunner.associate_custom_domain(ServiceArn=service, DomainName="a-b.example.co")


def test_an_empty_registry_body_announced_with_100_continue_keeps_its_connection(server) -> None:
    """Nothing is uninvited in an empty body: the answer keeps the connection open as before."""
    port = int(server.endpoint_url.rsplit(":", 1)[1])
    server.client("ecr").create_repository(repositoryName="app")
    basic = base64.b64encode(f"AWS:{login_password(server.client('ecr'))}".encode()).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((f"POST /v2/app/blobs/uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                      f"Expect: 100-continue\r\nAuthorization: Basic {basic}\r\n\r\n").encode())
        answer = b""
        for _ in range(50):  # bounded: until the end of the head
            answer += sock.recv(65536)
            if b"HTTP/1.1 202" in answer and answer.endswith(b"\r\n\r\n"):
                break
    assert b"HTTP/1.1 202 " in answer and b"Connection: close" not in answer, answer


def test_rules_that_can_never_act_make_no_runs_of_a_long_jump(aws) -> None:
    """150 rules whose images a higher-priority rule claims cross their ages on 2,400 different days; they can
    never act, so they make no runs (they used to make 2,000 empty ones, 11 s for one request, after which the rest
    of the jump was one run and an image archive-then-expire rules should have expired was left archived)."""
    day = 86400
    expire = {"type": "expire"}
    rules = [{"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPrefixList": ["k"],
                                               "countType": "sinceImagePushed", "countUnit": "days",
                                               "countNumber": 99999}, "action": expire}]
    rules += [{"rulePriority": index + 1, "selection": {"tagStatus": "tagged", "tagPrefixList": ["k"],
                                                        "countType": "sinceImagePushed", "countUnit": "days",
                                                        "countNumber": 2300 + index}, "action": expire}
              for index in range(1, 151)]
    rules += [{"rulePriority": 152, "selection": {"tagStatus": "tagged", "tagPrefixList": ["x"],
                                                  "countType": "sinceImagePushed", "countUnit": "days",
                                                  "countNumber": 2500},
               "action": {"type": "transition", "targetStorageClass": "archive"}},
              {"rulePriority": 153, "selection": {"tagStatus": "tagged", "tagPrefixList": ["x"],
                                                  "storageClass": "archive", "countType": "sinceImageTransitioned",
                                                  "countUnit": "days", "countNumber": 90}, "action": expire}]
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="claimed")
    for group in range(15):
        put_image(ecr, "claimed", image_manifest(f"k{group}", layer_size=8), imageTag=f"k{group}")
        aws.store.clock.advance(150 * day)
    put_image(ecr, "claimed", image_manifest("x1", layer_size=8), imageTag="x1")
    ecr.put_lifecycle_policy(repositoryName="claimed", lifecyclePolicyText=json.dumps({"rules": rules}))
    aws.store.clock.advance(3650 * day)
    tags = [detail["imageTags"][0] for detail in ecr.describe_images(
        repositoryName="claimed", filter={"imageStatus": "ANY"}, maxResults=100)["imageDetails"]]
    assert sorted(tags) == sorted(f"k{group}" for group in range(15))  # x1 archived, then expired
