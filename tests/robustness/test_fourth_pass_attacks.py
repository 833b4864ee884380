"""An attacker's fourth pass, on what changed last: the registry's blob redirect and its download URLs, deleting
images an index names, repository and registry policy validation, GetAccountAuthorizationDetails paging,
ListMFADevices as the root, state import range checks, and AWS managed policy ids.  Real clients throughout:
boto3 in both modes (``aws``), ``requests`` and raw sockets against a real server (``server``).

Findings (each has a test here that failed before its fix):

* Unicode digits ("²", "١", "１") pass ``str.isdigit`` but not ``int`` (or read as numbers AWS never takes): an
  IAM ``Marker`` of "²" (every IAM listing), the registry's ``n=``, a ``Range`` or ``Content-Range`` on a blob or a
  download URL, App Runner ARN revisions, the admin API's ``limit``/``decision`` and the dashboard's ``page``/
  ``after`` were 500s; AssumeRoot took "１２…" as an account id.  Every decimal check is now ASCII-only
  (``mockrunner.numerals.is_decimal``).
* Deleting images: each id of a BatchDeleteImage (up to 100) re-parsed every index manifest of the repository to
  find the indexes naming it; the indexes are now read once per request.

Probes that were sound (pinned below):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
download URL replayed on another repository, region,       403 DENIED (the signature covers registry, region, name,
registry, digest; expiry moved; signature altered          digest and expiry; a field cannot absorb a separator)
duplicate query parameters, ``%2F``/``..`` in the name     403 DENIED; no path leaves the signed name
HEAD and Range on a download URL                           200 / 206 with the blob's headers; 416 outside the blob
GET of a blob with a signature *and* credentials           the download URL's answer: never a redirect loop
Host header with odd characters in the blob redirect       Location is the Host as sent (the client's own); no 500;
                                                           not a URI host: the server's 400 (fifth pass)
index naming a digest many times / huge / the same child   one refusal, naming each index once; deletes stay fast
repository policy ``resource``/``RESOURCE``/``\\u006f``     "Invalid repository policy provided"
duplicate ``Principal`` keys                               the policy is refused (no key twice in a policy)
GetAccountAuthorizationDetails Marker forged/negative/     "Invalid Marker." (400); MaxItems outside 1..1000 refused;
huge/other filter; MaxItems bounds; entities added         pages never repeat or skip an entity that stayed
between pages
ListMFADevices as root, with and without UserName          root's own (none) / the user's; a role session refused
state import: bool for an int, float for an int, dates     refused with the first bad path; the state unchanged
beyond 9999, a 10 MB string, a million-entry list
attach/create/delete/version an AWS managed policy,        refused as AWS refuses; no customer policy takes an
customer policy named like one                             AWS managed policy's id
=========================================================  ==========================================================
"""
from __future__ import annotations

import json
import socket
from unittest import mock
from urllib.parse import urlsplit

import pytest
import requests

from mockrunner.testing.oci import OCI_INDEX, build_image, digest_of
from tests.ecr.pushing import put_image
from tests.ecr.test_ecr import manifest
from tests.harness import Harness
from tests.iam.helpers import allow, doc, error_of, user_with_key
from tests.registry.images import Registry, login_password

SUPERSCRIPT_TWO = "\u00b2"
"""A digit to ``str.isdigit`` that ``int`` refuses; in IAM's Marker pattern ``[\\u0020-\\u00FF]+``."""


def _registry(harness: Harness) -> Registry:
    return Registry(harness.endpoint_url, login_password(harness.client("ecr")))


def _pushed(harness: Harness, repository: str = "app", text: str = "layer") -> tuple[Registry, bytes]:
    harness.client("ecr").create_repository(repositoryName=repository)
    registry = _registry(harness)
    image = build_image(text)
    assert registry.push(repository, image, "v1").status_code == 201
    return registry, image.layer


def _raw(harness: Harness, request: bytes) -> bytes:
    """One request over a raw socket (headers as bytes, latin-1 included); the whole answer."""
    address = urlsplit(harness.endpoint_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


# ------------------------------------------------------------------------------------------------ unicode digits
@pytest.mark.parametrize("marker", [SUPERSCRIPT_TWO, "1" + SUPERSCRIPT_TWO, "\u0661", "\uff11"])
def test_a_marker_of_unicode_digits_is_an_invalid_marker(aws, marker):
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    # GetAccountAuthorizationDetails: "Marker and Filter do not match" (tests/iam/test_stackd_recordings.py); the
    # last words recorded from AWS since:
    # (docs/behaviour.md, "Parity sweep against stackd's recordings of last access, outbound identity and federation")
    for call in (iam.get_account_authorization_details, iam.list_users, iam.list_policies):
        code, message, status = error_of(call, Marker=marker)  # beyond U+00FF the model's pattern refuses it
        assert (code, status) == ("ValidationError", 400) and message in (
            "Invalid Marker.", "Marker and Filter do not match",
            "The specified value for marker is invalid. It must contain only printable ASCII characters.")


@pytest.mark.parametrize("path", ["/v2/_catalog?n=%C2%B2", "/v2/app/tags/list?n=%C2%B2", "/v2/app/tags/list?n=%D9%A1"])
def test_a_page_size_of_unicode_digits_is_refused(server, path):
    registry, _ = _pushed(server)
    response = registry.call("GET", path)
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "UNSUPPORTED"


def test_numbers_of_more_digits_than_int_reads_are_refused_or_ignored_not_500s(server):
    """5,000 ASCII digits (past the 4,300 Python's ``int`` reads from text): a page size is refused as any
    unreadable one, a Range is ignored as any unreadable one."""
    registry, layer = _pushed(server)
    for path in ("/v2/_catalog?n=" + "9" * 5000, "/v2/app/tags/list?n=" + "9" * 5000):
        response = registry.call("GET", path)
        assert response.status_code == 400 and response.json()["errors"][0]["code"] == "UNSUPPORTED"
    location = registry.call("GET", f"/v2/app/blobs/{digest_of(layer)}", allow_redirects=False).headers["Location"]
    target = urlsplit(location)
    for ranged in (b"bytes=" + b"9" * 5000 + b"-", b"bytes=-" + b"9" * 5000):
        answer = _raw(server, b"GET " + f"{target.path}?{target.query}".encode() + b" HTTP/1.1\r\nHost: x\r\n"
                      b"Range: " + ranged + b"\r\nConnection: close\r\n\r\n")
        assert _status(answer) == 200 and answer.endswith(layer)


@pytest.mark.parametrize("ranged", [b"bytes=0-\xb2", b"bytes=\xb2-", b"bytes=-\xb2"])
def test_a_range_of_unicode_digits_is_ignored_on_blobs_and_download_urls(server, ranged):
    registry, layer = _pushed(server)
    location = registry.call("GET", f"/v2/app/blobs/{digest_of(layer)}", allow_redirects=False).headers["Location"]
    target = urlsplit(location)
    answer = _raw(server, b"GET " + f"{target.path}?{target.query}".encode() + b" HTTP/1.1\r\nHost: x\r\n"
                  b"Range: " + ranged + b"\r\nConnection: close\r\n\r\n")
    assert _status(answer) == 200 and answer.endswith(layer)  # a Range it cannot read: the whole blob


def test_a_content_range_of_unicode_digits_is_an_invalid_range(server):
    registry, _ = _pushed(server)
    upload = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    response = registry.call("PATCH", upload, data=b"abc", headers={"Content-Range": "0-\u00b2".encode("latin-1")})
    assert response.status_code == 416 and response.json()["errors"][0]["code"] == "BLOB_UPLOAD_INVALID"


@pytest.mark.parametrize("path", ["decisions?limit=", "policies/suggest?decision=", "ui/decisions?page=",
                                  "ui/decisions/rows?after="])
def test_admin_numbers_of_unicode_digits_are_never_a_500(server, path):
    response = requests.get(f"{server.endpoint_url}/_mockrunner/{path}%C2%B2", timeout=10)
    assert response.status_code in (200, 400)


def test_an_app_runner_revision_of_unicode_digits_names_nothing(aws):
    arn = ("arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration/"
           + SUPERSCRIPT_TWO)
    apprunner = aws.client("apprunner")
    # The ARN's pattern ends in (\w|\/|-), and Java's \w is ASCII: refused before any lookup
    # (mockrunner/protocol/patterns.py; tests/iam/test_stackd_recordings.py, test_names_are_ascii_as_javas_word_class).
    assert error_of(apprunner.describe_auto_scaling_configuration,
                    AutoScalingConfigurationArn=arn)[0] == "InvalidRequestException"


# ------------------------------------------------------------------------------------------------ deleting images
def _index(*children: str, **extra) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, **extra, "manifests": [
        {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": digest_of(child.encode()),
         "size": len(child)} for child in children]})


def test_a_batch_delete_reads_each_index_once_however_many_ids_it_names(aws):
    """Each refused id used to re-parse every index of the repository (20 indexes of 3.4 MB and 100 ids: 18 s
    under the store lock, the whole server waiting); the indexes are read once per request."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    children = [manifest(marker=f"child-{n}") for n in range(30)]
    for child in children:
        put_image(ecr, repositoryName="app", imageManifest=child)
    index = _index(*children)
    ecr.put_image(repositoryName="app", imageManifest=index, imageTag="v1")
    with mock.patch.object(json, "loads", wraps=json.loads) as loads:
        result = ecr.batch_delete_image(repositoryName="app",
                                        imageIds=[{"imageDigest": digest_of(child.encode())} for child in children])
    assert [failure["failureCode"] for failure in result["failures"]] == ["ImageReferencedByManifestList"] * 30
    assert sum(1 for call in loads.call_args_list if call.args and call.args[0] == index) <= 2  # refusals, garbage


def test_an_index_naming_a_child_many_times_or_in_another_repository(aws):
    ecr = aws.client("ecr")
    for name in ("app", "other"):
        ecr.create_repository(repositoryName=name)
    child = manifest(marker="child")
    for name in ("app", "other"):
        put_image(ecr, repositoryName=name, imageManifest=child, imageTag="c")
    index = _index(*[child] * 500, annotations={"pad": "x" * 100_000})
    ecr.put_image(repositoryName="app", imageManifest=index, imageTag="v1")
    child_id = [{"imageDigest": digest_of(child.encode())}]
    refused = ecr.batch_delete_image(repositoryName="app", imageIds=child_id)["failures"]
    assert refused[0]["failureReason"] == f"Requested image referenced by manifest list: [{digest_of(index.encode())}]"
    # Another repository's index never holds an image here; this repository's index, deleted first, frees it.
    assert ecr.batch_delete_image(repositoryName="other", imageIds=child_id)["failures"] == []
    both = [{"imageTag": "v1"}, *child_id]
    assert len(ecr.batch_delete_image(repositoryName="app", imageIds=both)["imageIds"]) == 2
    assert ecr.list_images(repositoryName="app")["imageIds"] == []


# ------------------------------------------------------------------------------------------------ download URLs
def _download_url(server: Harness) -> tuple[Registry, bytes, str]:
    registry, layer = _pushed(server)
    _pushed(server, "other", "other layer")
    redirect = registry.call("GET", f"/v2/app/blobs/{digest_of(layer)}", allow_redirects=False)
    assert redirect.status_code == 307
    return registry, layer, redirect.headers["Location"]


def test_a_download_url_is_good_for_its_own_blob_repository_registry_and_region_only(server):
    _, layer, url = _download_url(server)
    anonymous = Registry(server.endpoint_url, None)
    head = anonymous.call("HEAD", url)
    assert (head.status_code, head.headers["Content-Length"]) == (200, str(len(layer)))
    assert anonymous.call("GET", url, headers={"Range": "bytes=5-2"}).content == layer  # invalid: ignored
    assert anonymous.call("GET", url, headers={"Range": f"bytes={len(layer)}-"}).status_code == 416
    digest = digest_of(layer)
    replays = [url.replace("/v2/app/", "/v2/other/"), url.replace("/v2/app/", "/v2/ap%2Fp/"),
               url.replace("/v2/app/", "/v2/x/../app/"), url.replace("region=us-east-1", "region=us-west-2"),
               url.replace("registryId=123456789012", "registryId=210987654321"),
               url.replace(digest, digest_of(b"something else")), url + "&region=us-west-2",
               url.replace("expires=", "expires=1"), url[:-1] + ("0" if url[-1] != "0" else "1"),
               url.replace("&signature=", "&signature=&x=")]
    for replay in replays:
        answer = _raw(server, b"GET " + replay.split(server.endpoint_url, 1)[1].encode()
                      + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _status(answer) == 403 and b'"DENIED"' in answer, (replay, answer[:200])
    server.store.clock.advance(3601)
    assert anonymous.call("GET", url).status_code == 403


def test_a_blob_redirect_names_the_host_asked_and_never_loops(server):
    registry, layer, url = _download_url(server)
    path = f"/v2/app/blobs/{digest_of(layer)}"
    auth = registry.session.auth
    for host in (b"evil.example", b"a b", b"h\xe9st:1", b""):
        answer = _raw(server, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\nAuthorization: "
                      + requests.auth._basic_auth_str(*auth).encode() + b"\r\nConnection: close\r\n\r\n")
        if host in (b"a b", b"h\xe9st:1"):  # not a URI host: the server's 400 (RFC 9112 section 3.2)
            assert _status(answer) == 400 and b"Location" not in answer
        else:
            assert _status(answer) == 307 and b"\r\nLocation: http://" + host + b"/v2/app/blobs/" in answer
    # Credentials with a signature: the download URL answers, whatever the credentials.
    assert registry.call("GET", url, allow_redirects=False).status_code == 200
    assert registry.call("GET", url.replace("signature=", "signature=0"), allow_redirects=False).status_code == 403


# ------------------------------------------------------------------------------------------------ policies
@pytest.mark.parametrize("text", [
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","RESOURCE":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Res\\u006furce":"*"}]}',
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"ecr:*","Resource":"*"}}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","\\uff32esource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/x"},'
    '"Action":"ecr:*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/x"},'
    '"Action":"ecr:*"}]}',
])
def test_a_repository_policy_cannot_smuggle_a_resource_or_a_missing_principal(aws, text):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    code, message, _ = error_of(ecr.set_repository_policy, repositoryName="app", policyText=text)
    assert code == "InvalidParameterException" and message.endswith(("'Invalid repository policy provided'",
                                                                       "'Principal not found'"))
    assert error_of(ecr.get_repository_policy, repositoryName="app")[0] == "RepositoryPolicyNotFoundException"


def test_duplicate_principal_keys_are_read_alike_by_the_check_and_the_engine(aws):
    """A policy naming ``Principal`` twice is refused whole (seventeenth pass: no key twice in a policy), so no
    check and no evaluation can read a principal the other did not."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    ghost_last = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
                  '"Principal":{"AWS":"arn:aws:iam::123456789012:user/ghost"},"Action":"ecr:*"}]}')
    assert error_of(ecr.set_repository_policy, repositoryName="app", policyText=ghost_last)[1].endswith(
        "'Invalid repository policy provided'")
    assert error_of(ecr.get_repository_policy, repositoryName="app")[0] == "RepositoryPolicyNotFoundException"


# ------------------------------------------------------------------------------------------------ IAM
def test_account_authorization_details_pages_are_bounded_and_markers_are_positions(aws):
    iam = aws.client("iam")
    for name in ("a", "b", "c"):
        iam.create_user(UserName=name)
        iam.create_group(GroupName=name)
    first = iam.get_account_authorization_details(Filter=["User", "Group"], MaxItems=2)
    assert [u["UserName"] for u in first["UserDetailList"]] == ["a", "b"] and first["IsTruncated"]
    rest = iam.get_account_authorization_details(Filter=["User", "Group"], Marker=first["Marker"], MaxItems=1000)
    assert [u["UserName"] for u in rest["UserDetailList"]] == ["c"] and len(rest["GroupDetailList"]) == 3
    iam.create_user(UserName="d")  # a change between pages: the walk goes on, never a 500
    later = iam.get_account_authorization_details(Filter=["User", "Group"], Marker=first["Marker"])
    assert [u["UserName"] for u in later["UserDetailList"]] == ["c", "d"]
    for marker in ("-1", "99999", "1e3", "0x1", " 2"):
        assert error_of(iam.get_account_authorization_details, Marker=marker)[:2] == (
            "ValidationError", "Marker and Filter do not match")
    assert error_of(iam.get_account_authorization_details, MaxItems=1001)[0] == "ValidationError"


def test_list_mfa_devices_without_a_user_name(aws):
    iam = aws.client("iam")
    assert iam.list_mfa_devices()["MFADevices"] == []  # the root's own
    iam.create_user(UserName="u")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="d")["VirtualMFADevice"]["SerialNumber"]
    assert serial and iam.list_mfa_devices(UserName="u")["MFADevices"] == []
    assert error_of(iam.list_mfa_devices, UserName="nobody")[0] == "NoSuchEntity"


def test_aws_managed_policies_cannot_be_changed_and_keep_their_ids(aws):
    iam = aws.client("iam")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    # AWS's answers as recorded (docs/behaviour.md, "Parity sweep against stackd's recordings of AWS managed policies")
    for call, kwargs, code in ((iam.create_policy_version, {"PolicyDocument": document, "SetAsDefault": True},
                                "AccessDenied"),
                               (iam.delete_policy, {}, "AccessDenied"),
                               (iam.delete_policy_version, {"VersionId": "v1"}, "AccessDenied"),
                               (iam.tag_policy, {"Tags": [{"Key": "k", "Value": "v"}]}, "InvalidInput")):
        assert error_of(call, PolicyArn=admin, **kwargs)[0] == code
    assert iam.get_policy(PolicyArn=admin)["Policy"]["DefaultVersionId"] == iam.get_policy_version(
        PolicyArn=admin, VersionId=iam.get_policy(PolicyArn=admin)["Policy"]["DefaultVersionId"])["PolicyVersion"][
        "VersionId"]
    iam.create_user(UserName="u")
    for shadow in ("arn:aws:iam::AWS:policy/AdministratorAccess", "arn:aws:iam::aws:policy//AdministratorAccess",
                   "arn:aws:iam::aws:policy/job-function/../AdministratorAccess",
                   "arn:aws:iam::aws:policy/administratoraccess"):
        assert error_of(iam.attach_user_policy, UserName="u", PolicyArn=shadow)[0] == "NoSuchEntity"
    mine = iam.create_policy(PolicyName="AdministratorAccess", Path="/aws/", PolicyDocument=document)["Policy"]
    managed = iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
    assert mine["Arn"].startswith("arn:aws:iam::123456789012:") and mine["PolicyId"] not in {
        policy["PolicyId"] for policy in managed}
    assert iam.get_policy(PolicyArn=admin)["Policy"]["PolicyId"] == "ANPAIWMBCKSKIEE64ZLYK"


# ------------------------------------------------------------------------------------------------ state import
@pytest.mark.parametrize(("field", "value"), [
    ("max_session_duration", True), ("max_session_duration", 3600.0), ("max_session_duration", 1e300),
    ("max_session_duration", 10 ** 30), ("create_date", {"$datetime": "10000-01-01T00:00:00+00:00"}),
    ("create_date", True), ("description", "x" * 10_000_000), ("attached_policies", ["x"] * 1_000_000),
    ("description", "@@DEEP@@"),
])
def test_a_state_import_of_pathological_values_is_refused_whole(server, field, value):
    iam = server.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "123456789012"}}]}))
    url = server.endpoint_url + "/_mockrunner/state"
    before = requests.get(url, timeout=30).json()
    document = json.loads(json.dumps(before))
    document["state"]["accounts"]["123456789012"]["iam"]["roles"]["r"][field] = value
    body = json.dumps(document).replace('"@@DEEP@@"', "[" * 100_000 + "]" * 100_000)
    response = requests.put(url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 400 and response.json()["error"] in ("InvalidState", "MalformedJSON")
    assert requests.get(url, timeout=30).json()["state"] == before["state"]


def test_assume_root_takes_only_an_ascii_account_id(aws):
    key = user_with_key(aws, "admin", inline={"p": doc(allow("sts:AssumeRoot"))})
    sts = aws.client_for(key, "sts")
    task = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    for target in ("\uff11" * 12, "\u0661" * 12):
        code, message, status = error_of(sts.assume_root, TargetPrincipal=target, TaskPolicyArn=task)
        assert (code, message, status) == ("ValidationError", "Request must contain a valid target principal", 400)
