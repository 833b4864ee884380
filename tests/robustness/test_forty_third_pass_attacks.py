"""An attacker's forty-third pass, aimed at session 22's work outside the store lock: SigV4's payload hash and
string to sign and SigV2's HMAC computed before the lock (the SigV2 secret looked up without it), PutImage's and the
registry's manifest read before it, the admin state import decoded before it, reads making no Region state, the
principal cache's recency
(docs/behaviour.md, "Signature work outside the store lock (session 22)").

Findings (each test failed before its fix):

- **Low (cost under the lock).** ECR's per-Region clock wrapper now keeps an operation's ``prepare``, so PutImage
  got a look-ahead hold (``gateway._prepare``: authentication and authorization ahead, deciding whether the manifest
  is worth reading outside the lock).  That look-ahead evaluated ECR's *wrapped* checks, which first complete
  whatever the store clock made due: every repository of the Region across accounts, every replication backfill of
  every account and Region.  The request's own hold does it again, so every permitted PutImage walked the whole
  ECR state twice under the lock (3,000 repositories: 1.46 ms of holds against 0.99 ms before the change).  The
  look-ahead now evaluates the checks without the clock's work (``Operation.look_ahead``): a guess, as it always
  was; the request's own hold advances the clock and decides, as before.
- **Low (state import integrity).** An import could bring one access key id twice: in two accounts, or as an IAM
  key with the id of a root key of the settings.  The SigV2 secret looked up ahead and the key resolved under the
  lock agree (the first found: the root, then accounts in order), so nothing stale was accepted, but the other key
  was listed Active and never usable; AWS's key ids are global.  Refused now (``iam_homes.shared_key_ids``).

- **Low (all-or-nothing; older than session 22).** A *refused* write in a Region the account never wrote in made
  that Region's state (empty ECR state, App Runner's provided configurations seeded), shown by the export at once
  and saved with the next change.  The gateway now drops, on a refusal, the Regions the request made that are still
  blank (``store.unmake_blank_regions``); one filled meanwhile by the clock's work (a replication into it) is kept.

Probes that held (each pinned below, or checked by a differential run against the parent commit 0ce0b9f):

- Every authentication answer, over the wire, against the parent (55 cases: body changed after signing, claimed
  hash wrong or ``UNSIGNED-PAYLOAD``/streaming, two ``Authorization`` headers in either order or the same twice, a
  header and a query signature together, two ``Host`` or ``X-Amz-Date`` headers, unknown / inactive / deleted keys,
  a session with a wrong or no token, GetSessionToken credentials on IAM, presigned URLs tampered or with a body,
  SigV2 with the wrong secret, SHA-1, version 1, both Timestamp and Expires, a stale timestamp, ``Signature`` or
  ``AWSAccessKeyId`` in both query and body, a garbage Authorization header, a non-form body; ECR and App Runner
  JSON): status, code and message identical.
- A session expiring while the request waits for the lock, its work done ahead: ``ExpiredToken`` (SigV4, SigV2).
- A key moved to another account by a state import while the request waits, secret unchanged: the SigV2 answer
  computed ahead is taken (same secret: same HMAC) and the caller is the key's new account, resolved under the lock.
- A secret that is not Unicode (a lone surrogate) is refused by the import; the codecs refuse lone surrogates in
  JSON parameters, so no manifest or tag reaching ``read_manifest`` has one.
- A ``signature_ahead`` cannot serve another signature: a SigV4 ``Digest`` is taken only for an equal parsed
  signature (the context's method, path, query, headers and body are never changed after routing), a SigV2 answer
  only for the same reading and the same secret's fingerprint; neither is in a context's repr, nothing logs it.
- PutImage whose manifest was read ahead, the state changed between the reading and the request's hold: the tag
  made immutable (``ImageTagAlreadyExistsException``), the repository deleted (``RepositoryNotFoundException``),
  the same manifest pushed with the same tag meanwhile (``ImageAlreadyExistsException``), the repository deleted
  and created again (the image lands in the new one, authorized there): as if the change had come first.
- The registry's manifest PUT with the repository deleted between its authorization and its second hold: 404
  ``NAME_UNKNOWN``; deleted and created again: ``NAME_UNKNOWN`` as well (never into a namesake).
- An admin state import decoded before the lock while another import lands first: the last to take the lock wins,
  whole (nothing of the other import is mixed in); a failed decode changes nothing.
- Reads in a Region the account never wrote in (ECR DescribeRegistry, GetRegistryPolicy, GetAccountSetting,
  GetRegistryScanningConfiguration, DescribeRepositories, ListReplicationBackfills, App Runner List* and Describe*
  of the provided DefaultConfiguration, DescribeService of a missing ARN; 42 calls, and 13 ``/v2/`` reads): answers
  identical to the parent's, the export unchanged; a first write then makes the Region, with the same provided
  configuration the reads showed.
- The principal cache's ``touch`` moves only the entry that keeps that very value (a stale weak reference to a
  principal compiled for another IAM version refreshes nothing).
"""
from __future__ import annotations

import http.client
import json
import linecache
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from mockrunner import admin
from mockrunner.config import AccountKeys, Settings
from mockrunner.model import snapshot
from mockrunner.model.derived import WeighedCache
from mockrunner.registry import handlers
from mockrunner.services.ecr import core as ecr_core
from mockrunner.services.ecr import images as ecr_images
from mockrunner.services.ecr import lifecycle as ecr_lifecycle
from mockrunner.testing.inprocess import call_app
from mockrunner.testing.oci import OCI_MANIFEST, build_image
from tests.harness import Harness
from tests.robustness.test_work_outside_the_lock import (
    _called_under_the_lock,
    _held_while,
    _sigv2,
    _sigv4_body,
    _user_with_key,
    _waiting_at_the_lock,
)

ACCOUNT = "123456789012"
MOVED_TO = "345678901234"
EXPIRED = "The security token included in the request is expired"
_WAIT = 20.0


# -- finding: PutImage's look-ahead walked the ECR clock's work a second time under the lock ------------------------

def _pushable(harness: Harness, repository: str = "app", tags: tuple[str, ...] = ("v0",)) -> str:
    """A repository holding one image (so PutImage may tag its manifest again without layers): its manifest."""
    manifest = build_image("forty-third").manifest.decode()
    ecr_core.put_image_record(harness.store, ACCOUNT, "us-east-1", repository, list(tags), manifest=manifest,
                              media_type=OCI_MANIFEST)
    return manifest


def test_put_image_completes_the_ecr_clock_once_under_the_lock() -> None:
    """What the store clock made due in ECR (every repository of the Region, every backfill of every Region) is
    completed under the lock as often as before the manifest was read ahead (by the authorization and by the
    handler, in the request's own hold), not once more in the look-ahead hold; the manifest is still read outside
    the lock."""
    harness = Harness("inprocess")
    try:
        manifest = _pushable(harness)
        ecr = harness.client("ecr")
        watched = {"the region's clock": ecr_lifecycle.advance_region, "manifest parsing": ecr_images._media_type}  # noqa: SLF001
        answers: list = []

        def push() -> None:
            answers.append(ecr.put_image(repositoryName="app", imageManifest=manifest, imageTag="v1")["image"])

        assert _called_under_the_lock(harness, watched, push) == ["the region's clock"] * 2
        assert answers[0]["imageId"]["imageTag"] == "v1"
    finally:
        harness.close()


# -- authentication: the state changing between the work ahead and the lock ---------------------------------------

def _session(harness: Harness, key: str, secret: str) -> dict:
    return harness.client("sts", key, secret).get_session_token(DurationSeconds=900)["Credentials"]


@pytest.mark.parametrize("version", ["sigv4", "sigv2"])
def test_a_session_expiring_while_the_request_waits_is_refused(aws: Harness, version: str) -> None:
    session = _session(aws, *_user_with_key(aws))
    key, secret, token = session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"]
    request = (_sigv4_with_token(aws, key, secret, token) if version == "sigv4"
               else _sigv2(aws, key, secret, SecurityToken=token))

    def expire(ctx: Any) -> None:
        assert ctx.signature_ahead is not None  # checked ahead while the session was valid
        answer = aws.app.test_client().post("/_mockrunner/clock/advance", json={"seconds": 3600})
        assert answer.status_code == 200

    assert _held_while(aws, request, expire) == (403, "ExpiredToken", EXPIRED)


def _sigv4_with_token(harness: Harness, key: str, secret: str, token: str) -> AWSRequest:
    url = (harness.endpoint_url if harness.server else "http://localhost") + "/"
    request = AWSRequest(method="POST", url=url, data=_sigv4_body().encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret, token), "sts", "us-east-1").add_auth(request)
    return request


def _answer(harness: Harness, request: Any) -> tuple[int, str]:
    prepared = request.prepare()
    if harness.server:
        response = requests.post(prepared.url, data=prepared.body, headers=dict(prepared.headers), timeout=60)
        return response.status_code, response.text
    answer = call_app(harness.app, prepared)
    return answer.status_code, answer.content.decode()


def test_a_key_moved_to_another_account_while_the_request_waits_answers_as_its_new_account(aws: Harness) -> None:
    """The SigV2 HMAC is computed ahead with the key's secret; a state import then moves the key (same secret) to
    another account: the answer computed ahead is the one computing it again gives, and the caller is resolved
    under the lock, in the account the key is in then."""
    key, secret = _user_with_key(aws)
    document = json.loads(json.dumps(snapshot.export_state(aws.store)).replace(ACCOUNT, MOVED_TO))
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(_answer(aws, _sigv2(aws, key, secret))), daemon=True)
    with aws.store.lock:
        thread.start()
        ctx = _waiting_at_the_lock(thread)
        assert ctx.signature_ahead.matches
        moved = aws.app.test_client().put("/_mockrunner/state", json=document)
        assert moved.status_code == 200, moved.get_data(as_text=True)
    thread.join(_WAIT)
    status, text = answers[0]
    assert status == 200, text
    assert f"<Account>{MOVED_TO}</Account>" in text
    assert f"<Arn>arn:aws:iam::{MOVED_TO}:user/signer</Arn>" in text


def _imported(harness: Harness, document: dict) -> tuple[int, Any]:
    return harness.admin("PUT", "/state", json.loads(json.dumps(document)))


def test_an_iam_key_with_a_root_keys_id_is_not_imported(make_harness) -> None:
    """A root key of the settings and an IAM access key of the same id: one id, two secrets.  Both look-ups (ahead,
    without the lock, and under it) take the root's, so the IAM key was imported Active and never usable; AWS's key
    ids are unique.  The import is refused."""
    settings = Settings(log_requests=False, operation_delay=0,
                        extra_accounts=(AccountKeys(MOVED_TO, "AKIAROOTOFTHEOTHER01", "root-secret"),))
    harness = make_harness("inprocess", settings)
    key, _ = _user_with_key(harness)
    document = json.loads(json.dumps(snapshot.export_state(harness.store)).replace(key, "AKIAROOTOFTHEOTHER01"))
    status, answer = _imported(harness, document)
    assert (status, answer["error"]) == (400, "InvalidState"), answer
    assert "AKIAROOTOFTHEOTHER01" in answer["message"] and "root key" in answer["message"]
    assert harness.store.account(ACCOUNT).iam.access_keys.get(key) is not None  # nothing changed


def test_one_access_key_id_in_two_accounts_is_not_imported(aws: Harness) -> None:
    """The same access key id in two accounts (other secrets): a request signed with it was resolved to the first
    account, the other's key listed Active and never usable.  The import is refused."""
    key, _ = _user_with_key(aws)
    document = json.loads(json.dumps(snapshot.export_state(aws.store)))
    other = json.loads(json.dumps(document["state"]["accounts"][ACCOUNT]).replace(ACCOUNT, MOVED_TO))
    other["iam"]["access_keys"][key]["secret_access_key"] = "another-secret"
    for user in other["iam"]["users"].values():
        user["user_id"] = user["user_id"][:-3] + "ZZZ"  # its own unique id: only the key id is shared
    document["state"]["accounts"][MOVED_TO] = other
    status, answer = _imported(aws, document)
    assert (status, answer["error"]) == (400, "InvalidState"), answer
    assert key in answer["message"] and MOVED_TO in answer["message"]
    assert MOVED_TO not in aws.store.accounts  # nothing changed


# -- PutImage: the manifest read ahead, the state changed before the request's hold ---------------------------------

def _after_the_reading(harness: Harness, change: Callable[[], None], send: Callable[[], Any]) -> Any:
    """``send()`` (a request run on this thread, in process) with ``change()`` made right after PutImage's
    manifest was read ahead, before the request's own hold of the store lock; fails unless the reading was made."""
    code = ecr_images._prepare_put_image.__code__  # noqa: SLF001
    made: list[bool] = []

    def profile(frame, event, arg):  # noqa: ARG001 - the profiler's signature
        if event == "return" and frame.f_code is code and not made:
            assert not harness.store.lock._is_owned()  # noqa: SLF001 - read ahead, outside the lock
            made.append(True)
            change()  # a call in the profiler runs unprofiled, to its end

    sys.setprofile(profile)
    try:
        result = send()
    finally:
        sys.setprofile(None)
    assert made == [True], "the manifest was not read ahead"
    return result


def _put_image_outcome(harness: Harness, change: Callable[[Any], None], manifest: str, tag: str) -> Any:
    ecr = harness.client("ecr")

    def send() -> Any:
        try:
            return ecr.put_image(repositoryName="app", imageManifest=manifest, imageTag=tag)["image"]["imageId"]
        except ClientError as error:
            return error.response["Error"]["Code"]

    return _after_the_reading(harness, lambda: change(harness.client("ecr")), send)


def test_put_image_refused_by_a_tag_made_immutable_after_its_reading() -> None:
    harness = Harness("inprocess")
    try:
        _pushable(harness, tags=("v0", "live"))
        other = build_image("another").manifest.decode()
        ecr_core.put_image_record(harness.store, ACCOUNT, "us-east-1", "app", ["spare"], manifest=other,
                                  media_type=OCI_MANIFEST)
        outcome = _put_image_outcome(harness, lambda ecr: ecr.put_image_tag_mutability(
            repositoryName="app", imageTagMutability="IMMUTABLE"), other, "live")
        assert outcome == "ImageTagAlreadyExistsException"
    finally:
        harness.close()


def test_put_image_after_its_repository_was_deleted_or_created_again() -> None:
    harness = Harness("inprocess")
    try:
        manifest = _pushable(harness)
        gone = _put_image_outcome(harness, lambda ecr: ecr.delete_repository(repositoryName="app", force=True),
                                  manifest, "v1")
        assert gone == "RepositoryNotFoundException"
        _pushable(harness)

        def again(ecr: Any) -> None:
            ecr.delete_repository(repositoryName="app", force=True)
            ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
            _pushable(harness, tags=("v0",))

        landed = _put_image_outcome(harness, again, manifest, "v1")
        assert landed["imageTag"] == "v1"
        repo = harness.store.account(ACCOUNT).region("us-east-1").ecr.repositories["app"]
        assert repo.image_tag_mutability == "IMMUTABLE" and repo.image_by_tag("v1") is not None
    finally:
        harness.close()


def test_put_image_of_a_manifest_pushed_with_the_same_tag_meanwhile() -> None:
    harness = Harness("inprocess")
    try:
        manifest = _pushable(harness)
        outcome = _put_image_outcome(harness, lambda ecr: ecr.put_image(
            repositoryName="app", imageManifest=manifest, imageTag="v1"), manifest, "v1")
        assert outcome == "ImageAlreadyExistsException"
    finally:
        harness.close()


# -- the registry's manifest PUT racing a DELETE -------------------------------------------------------------------

def _registry_put_after(served: Harness, change: Callable[[], None]) -> tuple[int, dict]:
    """Status and JSON answer of a manifest PUT whose body is sent only once the server waits for it (its
    authorization done in its first hold), ``change()`` made meanwhile."""
    ecr = served.client("ecr")
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    body = build_image("forty-third").manifest
    host = served.endpoint_url.partition("://")[2]
    connection = http.client.HTTPConnection(host, timeout=_WAIT)
    try:
        connection.putrequest("PUT", "/v2/app/manifests/v1")
        for name, value in (("Authorization", f"Basic {token}"), ("Content-Type", OCI_MANIFEST),
                            ("Content-Length", str(len(body)))):
            connection.putheader(name, value)
        connection.endheaders()
        _wait_for_the_body_read()
        change()
        connection.send(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def _wait_for_the_body_read() -> None:
    """Until a server thread reads a manifest PUT's body (past the first hold), bounded."""
    deadline = time.monotonic() + _WAIT
    while time.monotonic() < deadline:
        for frame in list(sys._current_frames().values()):  # noqa: SLF001 - observing the server
            while frame is not None:
                if frame.f_code is handlers.put_manifest.__code__ and "request.body" in _line(frame):
                    return
                frame = frame.f_back
        time.sleep(0.01)
    raise AssertionError("the manifest PUT never got to reading its body")


def _line(frame: Any) -> str:
    return linecache.getline(frame.f_code.co_filename, frame.f_lineno)


@pytest.mark.parametrize("recreated", [False, True])
def test_a_registry_manifest_put_racing_a_repository_deletion(served: Harness, recreated: bool) -> None:
    ecr = served.client("ecr")
    ecr.create_repository(repositoryName="app")

    def delete() -> None:
        ecr.delete_repository(repositoryName="app", force=True)
        if recreated:
            ecr.create_repository(repositoryName="app")

    status, answer = _registry_put_after(served, delete)
    assert status == 404 and answer["errors"][0]["code"] == "NAME_UNKNOWN"
    if recreated:
        assert ecr.list_images(repositoryName="app")["imageIds"] == []


# -- the admin state import racing another ------------------------------------------------------------------------

def _waiting_for_the_import_hold(thread: threading.Thread) -> None:
    deadline = time.monotonic() + _WAIT
    while time.monotonic() < deadline:
        for frame in list(sys._current_frames().values()):  # noqa: SLF001 - observing the server
            while frame is not None:
                if frame.f_code is admin._mutation.__wrapped__.__code__:  # noqa: SLF001
                    return
                frame = frame.f_back
        assert thread.is_alive(), "the import ended while the test held the store lock"
        time.sleep(0.01)
    raise AssertionError("the import never reached the store lock")


def test_an_import_decoded_before_another_lands_replaces_the_state_whole(aws: Harness) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="first")
    first = snapshot.export_state(aws.store)
    iam.delete_user(UserName="first")
    iam.create_user(UserName="second")
    iam.create_role(RoleName="second-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    second = snapshot.export_state(aws.store)
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(aws.admin("PUT", "/state", first)[0]), daemon=True)
    with aws.store.lock:
        thread.start()
        _waiting_for_the_import_hold(thread)  # decoded; waiting for the lock
        assert _import_here(aws, second)[0] == 200
    thread.join(_WAIT)
    assert answers == [200]
    users = {user["UserName"] for user in iam.list_users()["Users"]}
    assert users == {"first"}
    assert [role["RoleName"] for role in iam.list_roles()["Roles"]] == []


def _import_here(harness: Harness, document: dict) -> tuple[int, Any]:
    """An import on this thread (which holds the store lock: re-entrant), through the app in process."""
    answer = harness.app.test_client().put("/_mockrunner/state", json=document)
    return answer.status_code, answer.get_json()


# -- reads of a Region never written ------------------------------------------------------------------------------

_PROVIDED = "arn:aws:apprunner:{region}:123456789012:autoscalingconfiguration/DefaultConfiguration/1/" + "0" * 31 + "1"


def test_reads_of_a_region_never_written_answer_as_before_and_keep_nothing(aws: Harness) -> None:
    before = snapshot.export_state(aws.store)["state"]
    ecr = aws.client("ecr", region="eu-south-2")
    assert ecr.describe_registry()["replicationConfiguration"] == {"rules": []}
    with pytest.raises(ClientError) as missing:
        ecr.get_registry_policy()
    assert missing.value.response["Error"] == {
        "Code": "RegistryPolicyNotFoundException",
        "Message": f"Registry policy does not exist in the registry with id '{ACCOUNT}'"}
    assert ecr.get_account_setting(name="REGISTRY_POLICY_SCOPE")["value"] == "V2"
    assert ecr.list_replication_backfills()["backfills"] == []
    apprunner = aws.client("apprunner", region="eu-south-2")
    assert apprunner.list_services()["ServiceSummaryList"] == []
    assert apprunner.list_connections()["ConnectionSummaryList"] == []
    listed = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    provided = _PROVIDED.format(region="eu-south-2")
    assert [summary["AutoScalingConfigurationArn"] for summary in listed] == [provided]
    described = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=provided)
    assert described["AutoScalingConfiguration"]["IsDefault"] is True
    assert snapshot.export_state(aws.store)["state"] == before
    # the first write makes the Region, with the provided configuration the reads showed
    made = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="mine")
    listed = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert sorted(summary["AutoScalingConfigurationArn"] for summary in listed) == sorted(
        [provided, made["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]])
    assert list(aws.store.account(ACCOUNT).regions) == ["eu-south-2"]


# -- the principal cache's touch ------------------------------------------------------------------------------------

def test_a_touch_refreshes_only_the_value_kept() -> None:
    cache = WeighedCache(2, 1_000, lambda value: ())
    first, stale = object(), object()
    cache.get("a", 1, lambda: first)
    cache.get("b", 1, object)
    cache.touch("a", stale)  # another value for that key: no use of what is kept
    cache.get("c", 1, object)  # one too many: the least recently used goes
    rebuilt: list[str] = []
    cache.get("a", 1, lambda: rebuilt.append("a") or object())
    assert rebuilt == ["a"]


# -- a refused write in a Region never written -----------------------------------------------------------------------

_SERVICE = "arn:aws:apprunner:{region}:123456789012:service/gone/0123456789abcdef0123456789abcdef"
_REFUSED_WRITES = {
    "apprunner DeleteService": ("apprunner", "delete_service", {"ServiceArn": _SERVICE},
                                "ResourceNotFoundException"),
    "apprunner TagResource": ("apprunner", "tag_resource", {
        "ResourceArn": _SERVICE, "Tags": [{"Key": "a", "Value": "b"}]}, "ResourceNotFoundException"),
    "apprunner CreateAutoScalingConfiguration": ("apprunner", "create_auto_scaling_configuration", {
        "AutoScalingConfigurationName": "upside-down", "MinSize": 5, "MaxSize": 2}, "InvalidRequestException"),
    "ecr DeleteRegistryPolicy": ("ecr", "delete_registry_policy", {}, "RegistryPolicyNotFoundException"),
    "ecr DeleteSigningConfiguration": ("ecr", "delete_signing_configuration", {},
                                       "SigningConfigurationNotFoundException"),
    "ecr DeletePullThroughCacheRule": ("ecr", "delete_pull_through_cache_rule", {"ecrRepositoryPrefix": "abc"},
                                       "PullThroughCacheRuleNotFoundException"),
    "ecr DeleteRepositoryCreationTemplate": ("ecr", "delete_repository_creation_template", {"prefix": "abc"},
                                             "TemplateNotFoundException"),
    "ecr StopReplicationBackfill": ("ecr", "stop_replication_backfill", {
        "replicationBackfillId": "12345678-1234-1234-1234-123456789012"}, "ReplicationBackfillNotFoundException"),
}


@pytest.mark.parametrize("name", sorted(_REFUSED_WRITES))
def test_a_refused_write_in_a_region_never_written_keeps_nothing(aws: Harness, name: str) -> None:
    """A write refused changes nothing: no Region state is left behind (empty, or App Runner's provided
    configurations seeded into it), as a read leaves none; the export is as it was."""
    service, method, params, code = _REFUSED_WRITES[name]
    before = snapshot.export_state(aws.store)["state"]
    params = json.loads(json.dumps(params).replace("{region}", "eu-south-2"))
    with pytest.raises(ClientError) as refused:
        getattr(aws.client(service, region="eu-south-2"), method)(**params)
    assert refused.value.response["Error"]["Code"] == code
    assert snapshot.export_state(aws.store)["state"] == before
    assert "eu-south-2" not in aws.store.account(ACCOUNT).regions


def test_a_refused_write_keeps_a_region_made_for_it_by_what_was_due(aws: Harness) -> None:
    """A Region a request made and filled with what the store clock made due (here: a replication into a Region the
    account had no state in, completed by the clock before a refused ECR write) is kept; and a Region a successful
    write made is kept."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    ecr.put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [
        {"region": "eu-south-2", "registryId": ACCOUNT}]}]})
    _pushable(aws)
    started = ecr.start_replication_backfill(destination={"region": "eu-south-2", "registryId": ACCOUNT})
    assert started["status"] in ("PREPARING", "IN_PROGRESS")
    aws.admin("POST", "/clock/advance", {"seconds": 24 * 3600})
    with pytest.raises(ClientError):
        ecr.delete_registry_policy()  # refused; the clock's work before its checks copies the image
    assert "app" in aws.store.account(ACCOUNT).regions["eu-south-2"].ecr.repositories
    aws.client("ecr", region="eu-west-3").put_registry_scanning_configuration(scanType="BASIC")
    assert "eu-west-3" in aws.store.account(ACCOUNT).regions
