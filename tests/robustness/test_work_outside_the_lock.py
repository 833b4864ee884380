"""Work that depends only on a request's bytes is done before the store lock is taken (session 22).

Every request is served in one hold of the store lock; what it costs there, every other client waits for.  Moved
out of that hold here, each a finding whose test below failed before its change:

- SigV4: the body's SHA-256 (and its check against ``x-amz-content-sha256``) and the string to sign, which need
  no key (``authenticate.read_ahead`` -> ``RequestContext.signature_ahead``, a ``sigv4.Digest``);
- SigV2: the HMAC over every parameter, under the secret the key has when the request arrives (looked up without
  the lock, as a guess): under the lock the key is resolved again and the answer taken only for that very secret
  (``sigv2.Checked``), so a key deleted, deactivated or given another secret meanwhile is answered as before;
- ECR: a pushed manifest's parsing and digest (PutImage's ``prepare``, the registry's manifest PUT);
- the admin state import's decoding and checks;
- reads made an empty per-Region state (ECR's registry settings and creation templates, App Runner, a push's
  create-on-push look-up); a read now leaves the state, and so its export, as it found it;
- the compiled principals' cache counted a use found through a caller's weak reference as no use at all.

How a test sees where work happens, without timing anything: either the request runs on the test's thread and a
profile hook records the functions called while that thread owns the lock, or the test holds the lock and finds
the request's thread waiting for it (its frame in ``gateway.handle``) with the work already done on its context.
Probes that held: every SigV4 and SigV2 refusal (body changed, claimed hash wrong, wrong secret, unknown key) is
answered as before, in both modes, with the work done ahead.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from mockrunner import gateway
from mockrunner.auth import authorizer, sigv2, sigv4
from mockrunner.model import snapshot
from mockrunner.model.derived import WeighedCache
from mockrunner.services.ecr import images as ecr_images
from mockrunner.testing.inprocess import BeforeSendHook, call_app
from mockrunner.testing.oci import OCI_MANIFEST, build_image, digest_of
from tests.harness import UNREACHABLE, Harness
from tests.robustness.lock_watch import called_under_the_lock

ACCOUNT = "123456789012"
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")
INVALID_TOKEN = "The security token included in the request is invalid."
PADDING = "p" * 200_000
"""Enough of a body to be worth doing outside the lock, small enough for a test."""
_WAIT = 20.0


# -- requests, signed by hand (SigV4 by botocore's signer, SigV2 as boto 2 signs) ----------------------------------

def _host(harness: Harness) -> str:
    return harness.endpoint_url.partition("://")[2] if harness.server else "localhost"


def _sigv4(harness: Harness, body: str, key: str = "test", secret: str = "test",
           claimed: str | None = None) -> AWSRequest:
    """A SigV4-signed STS form POST of ``body`` (``claimed``: an ``x-amz-content-sha256`` header sent after
    signing, unsigned, so it is only what the server checks against the body)."""
    url = (harness.endpoint_url if harness.server else "http://localhost") + "/"
    request = AWSRequest(method="POST", url=url, data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret), "sts", "us-east-1").add_auth(request)
    if claimed is not None:
        request.headers["X-Amz-Content-Sha256"] = claimed
    return request


def _sigv2_fields(host: str, key: str = "test", secret: str = "test", **extra: str) -> dict[str, str]:
    fields = {"Action": "GetCallerIdentity", "Version": "2011-06-15", "AWSAccessKeyId": key,
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256",
              "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "Padding": PADDING, **extra}
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(fields.items()))
    mac = hmac.new(secret.encode(), f"POST\n{host}\n/\n{query}".encode(), hashlib.sha256)
    return {**fields, "Signature": base64.b64encode(mac.digest()).decode()}


def _sigv2(harness: Harness, key: str = "test", secret: str = "test", **extra: str) -> AWSRequest:
    url = (harness.endpoint_url if harness.server else "http://localhost") + "/"
    body = urlencode(_sigv2_fields(_host(harness), key, secret, **extra))
    return AWSRequest(method="POST", url=url, data=body.encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


def _send(harness: Harness, request: AWSRequest) -> tuple[int, str, str]:
    """Status, then the error's code and message (``""``, ``""`` for a success)."""
    prepared = request.prepare()
    if harness.server:
        response = requests.post(prepared.url, data=prepared.body, headers=dict(prepared.headers), timeout=60)
        status, text = response.status_code, response.text
    else:
        answer = call_app(harness.app, prepared)
        status, text = answer.status_code, answer.content.decode()
    if status == 200:
        return status, "", ""
    code = text.partition("<Code>")[2].partition("</Code>")[0]
    message = text.partition("<Message>")[2].partition("</Message>")[0].replace("&apos;", "'")
    return status, code, message


def _sigv4_body(**extra: str) -> str:
    return urlencode({"Action": "GetCallerIdentity", "Version": "2011-06-15", "Padding": PADDING, **extra})


# -- the lock held by the test ---------------------------------------------------------------------------------

def _on_this_thread(harness: Harness, service: str, key: str = "test", secret: str = "test") -> Any:
    """A client whose requests run on the calling thread, through the harness's app, in either mode: the thread
    that holds the store lock (re-entrant) can still call the API."""
    client = boto3.session.Session().client(service, region_name="us-east-1", endpoint_url=UNREACHABLE,
                                            aws_access_key_id=key, aws_secret_access_key=secret)
    BeforeSendHook(lambda: harness.app).attach(client)
    return client


def _waiting_at_the_lock(thread: threading.Thread) -> Any:
    """The context of the request ``thread`` serves once it waits for the store lock in ``gateway.handle`` (the
    test holds the lock, so it stays there); fails if it does not get there in time."""
    deadline = time.monotonic() + _WAIT
    line = _lock_line()
    while time.monotonic() < deadline:
        for frame in sys._current_frames().values():  # noqa: SLF001 - observing, not changing, the server
            if frame.f_code is gateway.handle.__code__ and frame.f_lineno == line:
                return frame.f_locals["ctx"]
        assert thread.is_alive(), "the request ended while the test held the store lock"
        time.sleep(0.01)
    raise AssertionError("the request never reached the store lock")


def _lock_line() -> int:
    """The line of ``gateway.handle`` that takes the store lock for the request."""
    import inspect

    lines, first = inspect.getsourcelines(gateway.handle)
    return first + next(index for index, line in enumerate(lines) if "with ctx.store.lock, undoing_faults" in line)


def _held_while(harness: Harness, request: AWSRequest, meanwhile: Callable[[Any], None]) -> tuple[int, str, str]:
    """Send ``request`` while this thread holds the store lock; once it waits for the lock, call
    ``meanwhile(its context)`` (still holding the lock), then let it go and return its answer."""
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(_send(harness, request)), daemon=True)
    with harness.store.lock:
        thread.start()
        meanwhile(_waiting_at_the_lock(thread))
    thread.join(_WAIT)
    assert not thread.is_alive()
    return answers[0]


def _user_with_key(harness: Harness, name: str = "signer") -> tuple[str, str]:
    iam = harness.client("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


# -- SigV4: the payload hash and the string to sign -------------------------------------------------------------

def test_a_sigv4_body_is_hashed_before_the_request_waits_for_the_lock(aws: Harness) -> None:
    body = _sigv4_body()
    seen: list = []
    answer = _held_while(aws, _sigv4(aws, body), seen.append)
    ahead = seen[0].signature_ahead
    assert isinstance(ahead, sigv4.Digest)
    assert ahead.payload == hashlib.sha256(body.encode()).hexdigest()
    assert ahead.string_to_sign is not None and ahead.string_to_sign.startswith("AWS4-HMAC-SHA256\n")
    assert answer == (200, "", "")


def test_a_sigv2_hmac_is_computed_before_the_request_waits_for_the_lock(aws: Harness) -> None:
    seen: list = []
    answer = _held_while(aws, _sigv2(aws), seen.append)
    ahead = seen[0].signature_ahead
    assert isinstance(ahead, sigv2.Checked) and ahead.matches
    assert ahead.fingerprint == hashlib.sha256(b"test").digest()  # the secret's fingerprint, never the secret
    assert "signature_ahead" not in repr(seen[0])  # kept out of the context's repr
    assert answer == (200, "", "")


@pytest.mark.parametrize("version", ["sigv4", "sigv2"])
def test_a_key_deleted_while_the_request_waits_is_refused(aws: Harness, version: str) -> None:
    key, secret = _user_with_key(aws)
    request = (_sigv4(aws, _sigv4_body(), key, secret) if version == "sigv4" else _sigv2(aws, key, secret))

    def delete(ctx: Any) -> None:
        assert ctx.signature_ahead is not None  # checked ahead with the key as it was
        _on_this_thread(aws, "iam").delete_access_key(UserName="signer", AccessKeyId=key)

    assert _held_while(aws, request, delete) == (403, "InvalidClientTokenId", INVALID_TOKEN)


@pytest.mark.parametrize("version", ["sigv4", "sigv2"])
def test_a_key_deactivated_while_the_request_waits_is_refused(aws: Harness, version: str) -> None:
    key, secret = _user_with_key(aws)
    request = (_sigv4(aws, _sigv4_body(), key, secret) if version == "sigv4" else _sigv2(aws, key, secret))

    def deactivate(ctx: Any) -> None:
        _on_this_thread(aws, "iam").update_access_key(UserName="signer", AccessKeyId=key, Status="Inactive")

    assert _held_while(aws, request, deactivate) == (403, "InvalidClientTokenId", INVALID_TOKEN)


def _secret_replaced(harness: Harness, key: str, secret: str) -> None:
    """Import (admin API, on this thread) the state with ``key``'s secret replaced by ``secret``."""
    document = snapshot.export_state(harness.store)
    keys = document["state"]["accounts"][ACCOUNT]["iam"]["access_keys"]
    assert keys[key]["secret_access_key"] != secret
    keys[key]["secret_access_key"] = secret
    answer = harness.app.test_client().put("/_mockrunner/state", json=document)
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_a_sigv2_answer_computed_with_a_secret_since_replaced_is_not_taken(aws: Harness) -> None:
    """The key keeps its id but its secret changes while the request waits: the HMAC computed ahead (a match,
    with the old secret) is not taken; the request is checked with the secret in force, and refused."""
    key, secret = _user_with_key(aws)

    def rotate(ctx: Any) -> None:
        assert ctx.signature_ahead.matches
        _secret_replaced(aws, key, "another-secret")

    assert _held_while(aws, _sigv2(aws, key, secret), rotate) == (403, "SignatureDoesNotMatch", MISMATCH)


def test_a_sigv2_request_signed_with_the_secret_in_force_at_the_lock_is_taken(aws: Harness) -> None:
    """The other way round: computed ahead with the old secret (no match), the signature is the new secret's."""
    key, _ = _user_with_key(aws)

    def rotate(ctx: Any) -> None:
        assert not ctx.signature_ahead.matches
        _secret_replaced(aws, key, "the-new-secret")

    assert _held_while(aws, _sigv2(aws, key, "the-new-secret"), rotate) == (200, "", "")


_REFUSALS = {
    "sigv4 body changed": (lambda h: _changed(_sigv4(h, _sigv4_body())), (403, "SignatureDoesNotMatch", MISMATCH)),
    "sigv4 claimed hash wrong": (lambda h: _sigv4(h, _sigv4_body(), claimed="0" * 64),
                                 (403, "SignatureDoesNotMatch", MISMATCH)),
    "sigv4 claimed unsigned payload": (lambda h: _sigv4(h, _sigv4_body(), claimed="UNSIGNED-PAYLOAD"),
                                       (403, "SignatureDoesNotMatch", MISMATCH)),
    "sigv4 wrong secret": (lambda h: _sigv4(h, _sigv4_body(), secret="wrong"),
                           (403, "SignatureDoesNotMatch", MISMATCH)),
    "sigv4 unknown key": (lambda h: _sigv4(h, _sigv4_body(), key="AKIAIOSFODNN7EXAMPLE"),
                          (403, "InvalidClientTokenId", INVALID_TOKEN)),
    "sigv2 field changed": (lambda h: _changed(_sigv2(h)), (403, "SignatureDoesNotMatch", MISMATCH)),
    "sigv2 wrong secret": (lambda h: _sigv2(h, secret="wrong"), (403, "SignatureDoesNotMatch", MISMATCH)),
    "sigv2 unknown key": (lambda h: _sigv2(h, key="AKIAIOSFODNN7EXAMPLE"),
                          (403, "InvalidClientTokenId", INVALID_TOKEN)),
    "sigv2 sha1, wrong secret": (lambda h: _sigv2(h, secret="wrong", SignatureMethod="HmacSHA1"),
                                 (403, "SignatureDoesNotMatch", MISMATCH)),
}


def _changed(request: AWSRequest) -> AWSRequest:
    """The request with one character of its padding changed after signing."""
    request.data = request.data.replace(b"ppp", b"ppq", 1)
    return request


@pytest.mark.parametrize("name", sorted(_REFUSALS))
def test_every_refusal_is_answered_as_before(aws: Harness, name: str) -> None:
    make, expected = _REFUSALS[name]
    assert _send(aws, make(aws)) == expected
    seen: list = []
    assert _held_while(aws, make(aws), seen.append) == expected  # and so with the work done while it waited
    assert seen[0].signature_ahead is not None or "unknown key" in name


# -- nothing costly under the lock (the request on this thread, a profile hook watching) ---------------------------

def _called_under_the_lock(harness: Harness, watched: dict, send: Callable[[], Any]) -> list[str]:
    """The watched functions called while this thread holds the store lock during ``send()``."""
    return called_under_the_lock(harness.store.lock, watched, send)


def test_no_signature_hashing_under_the_lock() -> None:
    harness = Harness("inprocess")
    try:
        watched = {"sha256 of the body": sigv4._sha256_hex, "sigv2 hmac": sigv2._matches}  # noqa: SLF001
        answers: list = []
        for request in (_sigv4(harness, _sigv4_body()), _sigv2(harness)):
            assert _called_under_the_lock(harness, watched, lambda r=request: answers.append(_send(harness, r))) == []
        assert answers == [(200, "", "")] * 2
    finally:
        harness.close()


def test_a_pushed_manifest_is_read_before_the_lock() -> None:
    """PutImage (API) and the registry's manifest PUT: the manifest's parsing is not under the lock."""
    harness = Harness("inprocess")
    try:
        ecr = harness.client("ecr")
        ecr.create_repository(repositoryName="app")
        image = build_image("outside")
        registry = harness.app.test_client()
        token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        auth = {"Authorization": f"Basic {token}"}
        for data in (image.layer, image.config):
            started = registry.post("/v2/app/blobs/uploads/", headers=auth)
            assert started.status_code == 202
            done = registry.put(started.headers["Location"], query_string={"digest": digest_of(data)}, data=data,
                                headers=auth)
            assert done.status_code == 201
        watched = {"manifest parsing": ecr_images._media_type}  # noqa: SLF001
        answers: list = []

        def push() -> None:
            answers.append(registry.put("/v2/app/manifests/v1", data=image.manifest,
                                        headers={**auth, "Content-Type": OCI_MANIFEST}).status_code)

        def put_image() -> None:
            answers.append(ecr.put_image(repositoryName="app", imageManifest=image.manifest.decode(),
                                         imageTag="v2")["image"]["imageId"]["imageTag"])

        assert _called_under_the_lock(harness, watched, push) == []
        assert _called_under_the_lock(harness, watched, put_image) == []
        assert answers == [201, "v2"]
        with pytest.raises(ClientError) as refused:  # a refusal read ahead is answered where it always was
            ecr.put_image(repositoryName="app", imageManifest="{not json", imageTag="v3")
        assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
        with pytest.raises(ClientError) as missing:  # the repository first, then the manifest
            ecr.put_image(repositoryName="nowhere", imageManifest="{not json", imageTag="v3")
        assert missing.value.response["Error"]["Code"] == "RepositoryNotFoundException"
    finally:
        harness.close()


def test_a_state_import_is_decoded_before_the_lock() -> None:
    harness = Harness("inprocess")
    try:
        harness.client("iam").create_user(UserName="kept")
        document = snapshot.export_state(harness.store)
        watched = {"decoding": snapshot.decode, "reading": snapshot.read_state}
        answers: list = []
        send = lambda: answers.append(harness.admin("PUT", "/state", document)[0])  # noqa: E731
        assert _called_under_the_lock(harness, watched, send) == []
        assert answers == [200]
        assert harness.client("iam").get_user(UserName="kept")["User"]["UserName"] == "kept"
    finally:
        harness.close()


# -- reads make no Region state ---------------------------------------------------------------------------------

def _reads(harness: Harness) -> None:
    ecr = harness.client("ecr", region="eu-west-3")
    ecr.describe_registry()
    ecr.get_registry_scanning_configuration()
    ecr.describe_repository_creation_templates()
    ecr.describe_pull_through_cache_rules()
    with pytest.raises(ClientError):
        ecr.get_registry_policy()
    apprunner = harness.client("apprunner", region="ap-south-1")
    assert apprunner.list_services()["ServiceSummaryList"] == []
    configurations = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert [found["AutoScalingConfigurationName"] for found in configurations] == ["DefaultConfiguration"]
    with pytest.raises(ClientError) as missing:  # a push's create-on-push look-up, no template covering it
        ecr.put_image(repositoryName="nowhere", imageManifest=build_image("x").manifest.decode(), imageTag="v1")
    assert missing.value.response["Error"]["Code"] == "RepositoryNotFoundException"


def test_a_read_of_a_region_never_written_leaves_the_state_as_it_was(aws: Harness) -> None:
    before = snapshot.export_state(aws.store)
    _reads(aws)
    assert snapshot.export_state(aws.store)["state"] == before["state"]
    assert "eu-west-3" not in aws.store.account(ACCOUNT).regions
    assert "ap-south-1" not in aws.store.account(ACCOUNT).regions
    aws.client("ecr", region="eu-west-3").put_registry_scanning_configuration(scanType="BASIC")  # a write makes it
    assert "eu-west-3" in aws.store.account(ACCOUNT).regions


def test_a_registry_push_to_a_missing_repository_makes_no_region_state(served: Harness) -> None:
    ecr = served.client("ecr", region="eu-west-3")
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    before = snapshot.export_state(served.store)
    # the upload's start is where a push creates its repository (when a creation template covers it)
    answer = requests.post(f"{served.endpoint_url}/v2/nowhere/blobs/uploads/", timeout=30,
                           headers={"Authorization": f"Basic {token}",
                                    "Host": f"{ACCOUNT}.dkr.ecr.eu-west-3.amazonaws.com"})
    assert answer.status_code == 404 and answer.json()["errors"][0]["code"] == "NAME_UNKNOWN"
    assert snapshot.export_state(served.store)["state"] == before["state"]
    assert "eu-west-3" not in served.store.account(ACCOUNT).regions


# -- the compiled principals' recency -----------------------------------------------------------------------------

def test_a_principal_found_through_its_callers_reference_stays_the_most_recently_used() -> None:
    """Three users through a principals' cache that keeps two: A, B, A again (found through A's caller, the cache
    not asked), then C: B is the least recently used and goes; A stays."""
    harness = Harness("inprocess")
    try:
        store = harness.store
        principals = store.derived("authorizer", make=lambda: WeighedCache(
            2, authorizer.PRINCIPALS_WEIGHT, authorizer._policies_held))  # noqa: SLF001
        keys = {name: _user_with_key(harness, name) for name in "ABC"}
        iam_state = store.account(ACCOUNT).iam

        def call(name: str) -> None:
            with pytest.raises(ClientError):  # denied (no policy): its principal is compiled all the same
                harness.client("iam", *keys[name]).list_users()

        for name in "ABA":
            call(name)
        version = iam_state.version
        call("C")
        assert iam_state.version == version  # no IAM change between: the kept entries are current
        recompiled: list[str] = []

        def compile_again(name: str) -> None:
            recompiled.append(name)
            raise LookupError(name)  # asked only when the cache no longer keeps the principal

        for name in "AB":
            key = (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/{name}", keys[name][0])
            try:
                principals.get(key, version, lambda n=name: compile_again(n))
            except LookupError:
                pass
        assert recompiled == ["B"]
    finally:
        harness.close()
