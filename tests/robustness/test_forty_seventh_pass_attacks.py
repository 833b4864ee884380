"""An attacker's forty-seventh pass.

Findings (each test failed before its fix):

- **Medium (takeover at a restart).** ``serve --state-file S --seed F``: a seed file's ``root_credentials`` are
  registered again at every restart (they are configuration, not state), but were not checked against the loaded
  state's keys.  A seed naming a user's access key id as a root key took that key over (requests signed with it
  acted as the account's root), and the state no longer exported into a server with these settings.  The server now
  refuses to start, naming the key.
- **Low (SigV4 fidelity).** A ``Date`` header (signing without ``X-Amz-Date``) in the asctime form or with zone
  ``-0000`` was read in the server's local time zone: correctly signed requests were "Signature expired" on a
  machine east of UTC (RFC 9110 5.6.7: an HTTP-date is GMT; RFC 5322 3.3: ``-0000`` is UTC).
- **Medium (browser attack, enforcement off).** With ``--enforce off`` any web page could act as root: a cross-site
  form or ``<img>`` created users, a DNS-rebinding page read secret keys.  A request carrying a browser's
  ``Origin``/``Sec-Fetch-*`` headers now passes the admin API's Host/Origin/Sec-Fetch-Site checks first.
- **Medium (ECR fidelity).** A lifecycle rule ``sinceImagePulled`` + ``expire`` was accepted and deleted images (AWS's
  only archives), and archived images could be expired after fewer than the 90 days ECR keeps them.
- **Low (ECR fidelity).** A creation template's 51 ``resourceTags`` were answered with ``TooManyTagsException``,
  which the operation does not declare.
- **High (fail-open).** A session of a deleted role was named by trust and repository policies naming the new role
  of the same name (AWS stores such principals as the new role's unique id).
- **Low.** ``tags/list`` listed archived images' tags; ``AccountSigningCertificatesPresent`` ignored the root's own
  certificate; SetDefaultPolicyVersion moved ``UpdateDate``; ``policy evaluate`` crashed on an integer past any
  float as a date; a state import raced by a seed registering one of its key ids as a root key was not refused.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import time
from email.utils import formatdate
from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.iam_engine.cli import evaluate_batch
from mockrunner.model import snapshot
from mockrunner.model.store import Store
from mockrunner.seed import SeedError, apply_seed
from mockrunner.services.ecr import lifecycle
from tests.ecr.pushing import image_manifest, put_image
from tests.harness import MODES
from tests.iam.keys_and_codes import rsa_key, self_signed_certificate
from tests.registry.images import Registry, login_password

USER_KEY = "AKIAUSERKEY000000001"


def _state_app(tmp_path, **settings):
    return create_app(Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.bin"),
                               **settings))


def test_a_seed_root_key_naming_a_user_key_of_the_state_stops_the_restart(tmp_path) -> None:
    first = _state_app(tmp_path)
    seeded = first.test_client().post("/_mockrunner/seed", json={"accounts": [{"id": "123456789012", "users": [
        {"name": "alice", "access_keys": [{"access_key_id": USER_KEY, "secret_access_key": "alice-secret"}]}]}]})
    assert seeded.status_code == 200, seeded.get_data(as_text=True)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": USER_KEY, "secret_access_key": "attacker"}}]}))
    with pytest.raises(SeedError, match=f"{USER_KEY}.*is also the access key id of a root key of the settings"):
        _state_app(tmp_path, seed_files=(str(seed),))
    seed.write_text(json.dumps({"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": "AKIAOTHERROOT0000001", "secret_access_key": "s"}}]}))
    again = _state_app(tmp_path, seed_files=(str(seed),))  # a root key of its own is fine
    assert "111122223333" in {keys.account_id for keys in again.store.settings.root_accounts}
    users = again.store.accounts["123456789012"].iam.users
    assert "alice" in users


def _send(harness, headers: dict, body: bytes = b"") -> tuple[int, str]:
    """POST ``body`` to ``/`` with exactly ``headers``, over HTTP or into the app."""
    if harness.mode == "server":
        answer = requests.post(harness.endpoint_url + "/", data=body, headers=headers, timeout=10)
        return answer.status_code, answer.text
    answer = harness.app.test_client().post("/", data=body, headers=headers)
    return answer.status_code, answer.get_data(as_text=True)


def _date_signed(host: str, date_header: str, now: datetime.datetime, body: bytes) -> dict:
    """SigV4 headers with the signing time in ``Date`` only (no ``X-Amz-Date``), as the SigV4 docs allow."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    values = {"content-type": "application/x-www-form-urlencoded", "date": date_header, "host": host}
    names = sorted(values)
    canonical = "POST\n/\n\n" + "".join(f"{name}:{values[name]}\n" for name in names) + "\n" + ";".join(names) \
        + "\n" + hashlib.sha256(body).hexdigest()
    scope = f"{day}/us-east-1/sts/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = b"AWS4test"
    for part in (day, "us-east-1", "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": values["content-type"], "Date": date_header, "Host": host,
            "Authorization": f"AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={';'.join(names)}, "
                             f"Signature={signature}"}


@pytest.fixture
def far_east_time_zone():
    """The process's local time 9 hours east of UTC (a developer's laptop in Tokyo), restored afterwards."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("aws", MODES, indirect=True)
@pytest.mark.parametrize("spelling", ["gmt", "minus-zero", "asctime"])
def test_a_date_header_without_a_zone_is_utc_whatever_the_servers_time_zone(aws, far_east_time_zone,
                                                                            spelling) -> None:
    """RFC 9110 5.6.7: an HTTP-date is GMT and recipients accept the asctime form; RFC 5322 3.3: "-0000" is UTC."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    date_header = {"gmt": formatdate(now.timestamp(), usegmt=True), "minus-zero": formatdate(now.timestamp()),
                   "asctime": now.strftime("%a %b %d %H:%M:%S %Y")}[spelling]
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    host = urlsplit(aws.endpoint_url).netloc
    status, text = _send(aws, _date_signed(host, date_header, now, body), body)
    assert status == 200, text
    assert "<Arn>arn:aws:iam::123456789012:root</Arn>" in text


CROSS_SITE_FORM = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
                   "Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("aws", MODES, indirect=True)
@pytest.mark.parametrize("headers", [
    pytest.param(CROSS_SITE_FORM, id="cross-site-form"),
    pytest.param({"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image",
                  "Content-Type": "application/x-www-form-urlencoded"}, id="image"),
    pytest.param({"Host": "rebind.evil.example", "Sec-Fetch-Site": "same-origin", "Origin": "http://rebind.evil.example",
                  "Content-Type": "application/x-www-form-urlencoded"}, id="dns-rebinding"),
])
def test_with_enforcement_off_web_pages_of_other_sites_do_not_act_as_root(aws, headers) -> None:
    """With enforcement off no signature is checked: a page the developer visits (a cross-site form or image, or a
    DNS-rebinding page reading the answers) must not create users or keys as root."""
    assert aws.admin("PUT", "/enforce", {"mode": "off"})[0] == 200
    status, text = _send(aws, headers, b"Action=CreateUser&Version=2010-05-08&UserName=planted")
    assert status == 403 and "<Code>MissingAuthenticationToken</Code>" in text, text
    assert "with enforcement off" in text
    assert "planted" not in aws.store.account("123456789012").iam.users
    # a page served from loopback (a local front end) and any SDK (no browser headers) still act as root
    local_page = {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site",
                  "Content-Type": "application/x-www-form-urlencoded"}
    assert _send(aws, local_page, b"Action=CreateUser&Version=2010-05-08&UserName=local")[0] == 200
    iam = aws.client("iam", access_key="anything", secret="unchecked")
    iam.create_user(UserName="sdk")
    assert {"local", "sdk"} <= set(aws.store.account("123456789012").iam.users)


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_with_enforcement_on_a_web_page_is_answered_as_aws_answers_it(aws) -> None:
    """Signed requests are AWS's to answer: the browser headers decide nothing while enforcement is on."""
    status, text = _send(aws, CROSS_SITE_FORM, b"Action=CreateUser&Version=2010-05-08&UserName=planted")
    assert status == 403 and "Request is missing Authentication Token" in text


def _lifecycle_refusal(ecr, rule: dict) -> str | None:
    try:
        ecr.put_lifecycle_policy(repositoryName="lc", lifecyclePolicyText=json.dumps({"rules": [rule]}))
    except ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidParameterException"
        return error.response["Error"]["Message"]
    return None


PULLED = {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                                           "countNumber": 30}}


def _archived(days: int) -> dict:
    return {"rulePriority": 1, "selection": {"tagStatus": "any", "storageClass": "archive",
                                             "countType": "sinceImageTransitioned", "countUnit": "days",
                                             "countNumber": days}, "action": {"type": "expire"}}


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_lifecycle_rules_that_would_delete_what_ecr_keeps_are_refused(aws) -> None:
    """``sinceImagePulled`` only transitions to archive (it came "paired with our new archival storage class ... to
    prevent accidental image deletion", aws/containers-roadmap#921); archived images are kept 90 days ("You cannot
    configure lifecycle policies that delete images that have been in archive for less than 90 days", ECR User
    Guide, "Archiving an image")."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="lc")
    refused = _lifecycle_refusal(ecr, {**PULLED, "action": {"type": "expire"}})
    assert refused == "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy " \
                      "validation failure: countType sinceImagePulled can only be used with action type transition.'"
    assert _lifecycle_refusal(ecr, {**PULLED, "action": {"type": "transition", "targetStorageClass": "archive"}}) \
        is None
    for days in (1, 89):
        assert _lifecycle_refusal(ecr, _archived(days)).endswith(
            "'Lifecycle policy validation failure: A rule for storageClass archive must have a countNumber of at "
            "least 90 days.'")
    assert _lifecycle_refusal(ecr, _archived(90)) is None
    with pytest.raises(ClientError, match="sinceImagePulled can only be used"):  # a preview's policy too
        ecr.start_lifecycle_policy_preview(repositoryName="lc", lifecyclePolicyText=json.dumps(
            {"rules": [{**PULLED, "action": {"type": "expire"}}]}))
    with pytest.raises(ClientError, match="at least 90 days"):  # and a creation template's
        ecr.create_repository_creation_template(prefix="tpl", appliedFor=["CREATE_ON_PUSH"],
                                                lifecyclePolicy=json.dumps({"rules": [_archived(30)]}))


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_a_creation_templates_tags_over_the_quota_are_an_error_the_operation_declares(aws) -> None:
    ecr = aws.client("ecr")
    declared = {shape.name for shape in
                ecr.meta.service_model.operation_model("CreateRepositoryCreationTemplate").error_shapes}
    tags = [{"Key": f"k{index}", "Value": "v"} for index in range(51)]
    with pytest.raises(ClientError) as refused:
        ecr.create_repository_creation_template(prefix="tpl", appliedFor=["REPLICATION"], resourceTags=tags)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException" in declared
    assert "maximum number of tags that can be applied to a repository is 50" in str(refused.value)
    ecr.create_repository_creation_template(prefix="tpl", appliedFor=["REPLICATION"], resourceTags=tags[:50])
    with pytest.raises(ClientError) as refused:
        ecr.update_repository_creation_template(prefix="tpl", resourceTags=tags)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert len(ecr.describe_repository_creation_templates()["repositoryCreationTemplates"][0]["resourceTags"]) == 50


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_a_state_saved_with_such_a_rule_still_loads_and_applies_it(aws) -> None:
    """A policy the API accepted before these rules stays readable: the state loads (the harness's round trip) and
    the policy is applied when due, not a 500 on every ECR request."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="lc")
    put_image(ecr, "lc", image_manifest(), imageTag="v1")
    repo = aws.store.account("123456789012").region("us-east-1").ecr.repositories["lc"]
    lifecycle.set_policy(repo, json.dumps({"rules": [{**PULLED, "action": {"type": "expire"}}]}),
                         aws.store.clock.now())
    assert aws.admin("POST", "/clock/advance", {"seconds": 40 * 86400})[0] == 200
    assert ecr.list_images(repositoryName="lc")["imageIds"] == []
    assert json.loads(ecr.get_lifecycle_policy(repositoryName="lc")["lifecyclePolicyText"])["rules"][0]["action"] \
        == {"type": "expire"}


def _trusting(principal: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_a_session_of_a_deleted_role_is_not_named_by_policies_naming_its_namesake(aws) -> None:
    """AWS stores a policy's role principal as the role's unique id ("When you save the policy, AWS transforms the
    ARN to a unique principal ID. This helps mitigate the risk of someone escalating their privileges by removing and
    recreating the role or user", IAM User Guide, "AWS JSON policy elements: Principal"): a trust or repository policy
    naming a new role of a deleted role's name does not name the deleted role's sessions."""
    iam, ecr = aws.client("iam"), aws.client("ecr")
    account = "arn:aws:iam::123456789012"
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = aws.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=_trusting(f"{account}:root"))
    old = alice.assume_role(RoleArn=f"{account}:role/app", RoleSessionName="old")["Credentials"]
    iam.delete_role(RoleName="app")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=_trusting(f"{account}:root"))
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=_trusting(f"{account}:role/app"))
    ecr.create_repository(repositoryName="secret")
    ecr.set_repository_policy(repositoryName="secret", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"{account}:role/app"}, "Action": "ecr:*"}]}))
    old_sts, old_ecr = aws.client_for(old, "sts"), aws.client_for(old, "ecr")
    with pytest.raises(ClientError) as refused:
        old_sts.assume_role(RoleArn=f"{account}:role/deployer", RoleSessionName="chained")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    for call in (lambda: old_ecr.describe_images(repositoryName="secret"),
                 lambda: old_ecr.delete_repository(repositoryName="secret", force=True)):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "secret" in aws.store.account("123456789012").region("us-east-1").ecr.repositories
    # a session of the new role is named by both; the old session by its own session ARN still
    new = alice.assume_role(RoleArn=f"{account}:role/app", RoleSessionName="new")["Credentials"]
    assert aws.client_for(new, "sts").assume_role(RoleArn=f"{account}:role/deployer", RoleSessionName="chained")
    assert aws.client_for(new, "ecr").describe_images(repositoryName="secret")["imageDetails"] == []
    ecr.set_repository_policy(repositoryName="secret", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:sts::123456789012:assumed-role/app/old"},
         "Action": "ecr:DescribeImages"}]}))
    assert old_ecr.describe_images(repositoryName="secret")["imageDetails"] == []


def test_tags_list_leaves_out_archived_images_as_list_images_does(served) -> None:
    """ECR answers ``tags/list`` from ListImages, whose default is "only images with ACTIVE status" (botocore's
    ListImagesFilter): a client walking the list must not meet a tag whose pull is 404 (archived)."""
    ecr = served.client("ecr")
    ecr.create_repository(repositoryName="arch")
    put_image(ecr, "arch", image_manifest("old"), imageTag="old")
    put_image(ecr, "arch", image_manifest("new"), imageTag="new")
    ecr.update_image_storage_class(repositoryName="arch", imageId={"imageTag": "old"}, targetStorageClass="ARCHIVE")
    registry = Registry(served.endpoint_url, login_password(ecr))
    assert [i["imageTag"] for i in ecr.list_images(repositoryName="arch")["imageIds"]] == ["new"]
    assert registry.call("GET", "/v2/arch/tags/list").json() == {"name": "arch", "tags": ["new"]}
    assert registry.call("GET", "/v2/arch/manifests/old").status_code == 404


def test_a_date_condition_given_an_integer_past_any_float_is_unknown_not_a_crash() -> None:
    """``policy evaluate``: a context value no date can be is not comparable (it never allows and still denies), and
    the batch completes."""
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}]}
    request = {"principal": "arn:aws:iam::123456789012:user/a", "action": "s3:GetObject", "resource": "*",
               "identityPolicies": [document]}
    results = evaluate_batch([{**request, "id": "big", "context": {"aws:CurrentTime": 10 ** 400}},
                              {**request, "id": "ok"}], datetime.datetime.now(datetime.UTC))
    assert [(result["id"], result["decision"]) for result in results] == [("big", "explicitDeny"),
                                                                           ("ok", "explicitDeny")]


def _certificate(name: str) -> str:
    return self_signed_certificate(rsa_key(), name)[0]


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_the_root_users_signing_certificate_is_present_in_the_account_summary(aws) -> None:
    iam = aws.client("iam")
    assert iam.get_account_summary()["SummaryMap"]["AccountSigningCertificatesPresent"] == 0
    iam.create_user(UserName="u")
    iam.upload_signing_certificate(UserName="u", CertificateBody=_certificate("u"))
    assert iam.get_account_summary()["SummaryMap"]["AccountSigningCertificatesPresent"] == 0  # a user's: recorded 0
    iam.upload_signing_certificate(CertificateBody=_certificate("root"))
    assert iam.get_account_summary()["SummaryMap"]["AccountSigningCertificatesPresent"] == 1


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_set_default_policy_version_leaves_the_policys_update_date(aws) -> None:
    """Policy.UpdateDate: "When a policy has more than one version, this field contains the date and time when the
    most recent policy version was created" (the IAM API Reference)."""
    iam = aws.client("iam")
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                    "Resource": "*"}]})
    arn = iam.create_policy(PolicyName="p", PolicyDocument=document)["Policy"]["Arn"]
    aws.admin("POST", "/clock/advance", {"seconds": 60})
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document)["PolicyVersion"]["CreateDate"]
    aws.admin("POST", "/clock/advance", {"seconds": 60})
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert (policy["DefaultVersionId"], policy["UpdateDate"]) == ("v2", created)


def test_a_state_import_checks_its_key_ids_again_under_the_lock() -> None:
    """PUT /state reads and checks its document before taking the store lock; a seed registering one of its user
    key ids as a root key in between must not end in a state that no longer loads."""
    target = Store(Settings(log_requests=False))
    harness_app = create_app(Settings(log_requests=False, operation_delay=0))
    client = harness_app.test_client()
    assert client.post("/_mockrunner/seed", json={"accounts": [{"id": "123456789012", "users": [
        {"name": "victim", "access_keys": [{"access_key_id": USER_KEY, "secret_access_key": "s"}]}]}]}).status_code \
        == 200
    document = snapshot.export_state(harness_app.store)
    replacement = snapshot.read_state(target, document)
    apply_seed(target, {"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": USER_KEY, "secret_access_key": "other"}}]})
    with pytest.raises(snapshot.SnapshotError, match="is also the access key id of a root key of the settings"):
        snapshot.replace_state(target, replacement)
    assert "victim" not in target.accounts["123456789012"].iam.users
    snapshot.read_state(target, snapshot.export_state(target))  # what is there still loads
