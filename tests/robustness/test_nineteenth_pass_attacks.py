"""An attacker's nineteenth pass: the dashboard's paged lists (their query parameters, the links built from them,
methods and access on every path), the registry's ECR-like chunked uploads and the media types a manifest gives
its blobs, and App Runner's refusals of UpdateService, StartDeployment and DeleteVpcConnector with and without a
state file.  Real clients throughout: boto3 in both modes (``aws``, ``durable``), ``requests`` against a real
server for the registry and the dashboard, the in-process WSGI client where the point is one request.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a manifest whose config or layer ``mediaType`` holds       **fixed (medium).** PutImage (API and ``/v2/``) took any
CR/LF or NUL, then ``HEAD /v2/<name>/blobs/<digest>``      string; the blob HEAD, which since today names the media
                                                           type a manifest gave the blob, then answered 500 ("the
                                                           application's response is not valid HTTP") for good: a
                                                           pusher could break every later HEAD of that blob (``docker
                                                           push`` checks blobs with HEAD).  Descriptor media types
                                                           must be RFC 6838 ``type/subtype`` names without
                                                           parameters (ECR refuses ``;``: sigstore/sigstore-js#1058,
                                                           aws/containers-roadmap#2306), else PutImage's
                                                           InvalidParameterException "Invalid JSON syntax" (405
                                                           ``UNSUPPORTED`` over ``/v2/``, as falcoctl#302 relays it);
                                                           a media type that is none (state imported) is not named.
PutImage with the manifest's ``mediaType`` (or             **fixed (medium).** Any string was stored and answered as
``imageManifestMediaType``) ``text/html``, or one with     the manifest GET's ``Content-Type``: a manifest was served
parameters or CR/LF                                        as an HTML page from the dashboard's origin, and a CR/LF
                                                           one made every GET of the image a 500.  Only the six
                                                           manifest formats ECR stores are taken (ECR User Guide,
                                                           "Container image manifest formats").
``/ui/accounts?endpoint=x`` (or ``_method=POST``,           **fixed (low).** The paged lists' links passed every query
``_scheme=x``) on a page with a paged list                 parameter to ``url_for`` as a keyword: ``endpoint``
                                                           collided with its own argument, ``_method``/``_scheme``
                                                           were read as options (500 for each), ``_anchor`` and
                                                           ``_external`` changed the link.  The query is now encoded
                                                           as given.
chunks, a ``--state-file`` restart, then the closing       **fixed (low).** The upload's part sizes were not kept:
``PUT`` (or CompleteLayerUpload)                           after a restart its bytes were one part, so chunks under
                                                           5 MB passed the rule and the 4,200-part quota started
                                                           again.  The upload's record on disk now holds them.
a chunked ``PATCH`` (no ``Content-Length``) with           **fixed (low).** The range's length was checked only
``Content-Range: 0-4`` and 10 bytes of body                against ``Content-Length``: a chunked body of another
                                                           length was appended.  It is now 400 ``SIZE_INVALID``
                                                           and the part is not kept, as with ``Content-Length``.
``HEAD /_mockrunner/ui/login``                             **fixed (low).** Taken as a login attempt with no token:
                                                           401 where its GET answers 200.  HEAD answers as GET.
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* The dashboard's page parameters (``roles-<account>``, ``repositories``, ``services``, ``images``): huge (5,000
  digits), negative, fullwidth and superscript digits, repeated (the first counts), empty: a page, never a 5xx
  (pinned).  Parameters are reflected only URL-encoded and HTML-escaped; the fragment is the list's own name.
  ``?repository=`` with another partition, Region, a case variant or markup: the HTML 404.
* Access on every new path and method: ``POST``, ``PROPFIND``, ``TRACE``, ``HEAD``, ``OPTIONS`` on pages, on
  paths with no page and on the bare prefix: 401 without the token, 403 with a foreign ``Origin`` (pinned); the
  login form's ``POST`` from another origin is 403 with no cookie (an existing test).
* Cost: the IAM lists sort once per IAM change (cached); the ECR and App Runner lists read their iterables up to
  the window's end only (the last page of 10,000 repositories reads them all, about a millisecond; no sorting).
* Chunked uploads: a zero-length ``PATCH`` adds no part; a closing ``PUT`` with a body is the last part; a
  ``Content-Range`` that does not start at the upload's end is 416 and the upload is kept; ranges with
  non-ASCII digits are 416; ``Content-Length`` and range disagreeing is 400.
* App Runner: UpdateService naming no configuration member, changing ``ImageRepositoryType``, StartDeployment of a
  paused service and DeleteVpcConnector of a connector in use leave the exported state exactly as it was, and a
  server restarted from the state file answers DescribeService, ListOperations and DescribeVpcConnector as before
  (pinned, both modes).
"""
from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.testing.oci import build_image, digest_of
from tests.apprunner.helpers import PUBLIC_SOURCE, running
from tests.ecr.pushing import image_manifest, put_image
from tests.harness import MODES, Harness
from tests.registry.images import Registry, error_code, login_password
from tests.robustness.world import replaced

ACCOUNT = "123456789012"
TOKEN = "dashboard-token-0123456789"
INVALID_JSON = "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"


def _registry(harness: Harness) -> Registry:
    return Registry(harness.endpoint_url, login_password(harness.client("ecr")))


def _ui(harness: Harness, method: str, path: str, **kwargs) -> tuple[int, dict, str]:
    if harness.server is not None:
        response = requests.request(method, f"{harness.endpoint_url}/_mockrunner/ui{path}", timeout=30, **kwargs)
        return response.status_code, dict(response.headers), response.text
    response = harness.app.test_client().open(f"/_mockrunner/ui{path}", method=method,
                                               query_string=kwargs.get("params"), headers=kwargs.get("headers"))
    return response.status_code, dict(response.headers), response.get_data(as_text=True)


# ------------------------------------------------------------------------------------ ECR media types
def _with(manifest: str, path: tuple, value: str) -> str:
    return json.dumps(replaced(json.loads(manifest), path, value))


@pytest.mark.parametrize(("path", "value"), [
    (("mediaType",), "text/html"),
    (("mediaType",), "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8"),
    (("config", "mediaType"), "application/vnd.docker.container.image.v1+json\r\nX-Injected: 1"),
    (("layers", 0, "mediaType"), "application/vnd.dev.sigstore.bundle+json;version=0.2"),
    (("layers", 0, "mediaType"), "text/pl\u00e4in"),
    (("artifactType",), "a\x00b/c"),
])
def test_put_image_refuses_media_types_ecr_does_not_take(aws, path, value):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    manifest = _with(image_manifest("typed"), path, value)
    with pytest.raises(ClientError) as refused:
        put_image(ecr, "app", manifest, imageTag="v1")
    assert (refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]) == (
        "InvalidParameterException", INVALID_JSON)
    assert ecr.describe_images(repositoryName="app")["imageDetails"] == []
    helm = _with(image_manifest("helm"), ("layers", 0, "mediaType"),
                 "application/vnd.cncf.helm.chart.content.v1.tar+gzip")
    assert put_image(ecr, "app", helm, imageTag="chart")["image"]["imageId"]["imageTag"] == "chart"


def test_a_blob_head_never_names_a_media_type_that_is_no_header_value(server):
    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    registry = _registry(server)
    image = build_image("typed")
    for data in (image.layer, image.config):
        assert registry.push_blob("app", data).status_code == 201
    config = json.loads(image.manifest)["config"]
    injected = _with(image.manifest.decode(), ("config", "mediaType"), "text/plain\r\nX-Injected: 1")
    refused = registry.put_manifest("app", "v1", injected.encode())
    assert error_code(refused) == (405, "UNSUPPORTED", INVALID_JSON)
    head = registry.call("HEAD", f"/v2/app/blobs/{config['digest']}")
    assert head.status_code == 200 and head.headers["Content-Type"] == "application/octet-stream"
    assert "X-Injected" not in head.headers
    # A media type no PutImage takes, planted as state import could: the HEAD names none instead of failing.
    layers = server.store.accounts[ACCOUNT].regions["us-east-1"].ecr.repositories["app"].layers
    layers[config["digest"]].media_type = "text/plain\r\nX-Injected: 1"
    head = registry.call("HEAD", f"/v2/app/blobs/{config['digest']}")
    assert head.status_code == 200 and head.headers["Content-Type"] == "application/octet-stream"
    server.round_trip = False


# ------------------------------------------------------------------------------------ chunked uploads
def _restarted(harness: Harness, settings: Settings) -> Harness:
    harness.close()
    return Harness(harness.mode, settings)


@pytest.mark.parametrize("mode", MODES)
def test_small_parts_stay_parts_across_a_restart(mode, tmp_path):
    """CompleteLayerUpload after a restart still sees each part: two 10-byte parts are refused."""
    settings = Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.bin"))
    harness = Harness(mode, settings)
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="app")
    upload = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    for first in (0, 10):
        ecr.upload_layer_part(repositoryName="app", uploadId=upload, partFirstByte=first, partLastByte=first + 9,
                              layerPartBlob=b"0123456789")
    harness = _restarted(harness, settings)
    ecr = harness.client("ecr")
    with pytest.raises(ClientError) as refused:
        ecr.complete_layer_upload(repositoryName="app", uploadId=upload, layerDigests=[digest_of(b"0123456789" * 2)])
    assert refused.value.response["Error"]["Code"] == "LayerPartTooSmallException"
    harness.close()


def test_small_chunks_stay_chunks_across_a_restart(tmp_path):
    settings = Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.bin"))
    harness = Harness("server", settings)
    harness.client("ecr").create_repository(repositoryName="app")
    registry = _registry(harness)
    location = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    for data in (b"a" * 1000, b"b" * 1000):
        assert registry.call("PATCH", location, data=data).status_code == 201
    password = registry.session.auth[1]
    harness = _restarted(harness, settings)
    registry = Registry(harness.endpoint_url, password)
    closed = registry.call("PUT", location, params={"digest": digest_of(b"a" * 1000 + b"b" * 1000)})
    assert error_code(closed) == (400, "BLOB_UPLOAD_INVALID",
                                  "All layer parts except the last part should be at least 5MB")
    harness.close()


@pytest.mark.parametrize("body", [b"0123456789", b"012"])
def test_a_chunked_patch_must_be_as_long_as_its_content_range(server, body):
    server.client("ecr").create_repository(repositoryName="app")
    registry = _registry(server)
    location = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    sent = registry.call("PATCH", location, data=iter([body]), headers={"Content-Range": "0-4"})  # chunked
    assert error_code(sent) == (400, "SIZE_INVALID", "provided length did not match content length")
    assert registry.call("GET", location).headers["Range"] == "0-0"  # nothing of it was kept
    assert registry.call("PATCH", location, data=iter([b"01234"]), headers={"Content-Range": "0-4"}).headers[
        "Range"] == "0-4"


# ------------------------------------------------------------------------------------ the dashboard
@pytest.mark.parametrize(("name", "value"), [
    ("endpoint", "x"), ("_method", "POST"), ("_scheme", "javascript"), ("_external", "1"), ("_anchor", "top"),
])
def test_page_links_keep_url_for_keyword_names_as_plain_query_parameters(aws, name, value):
    iam = aws.client("iam")
    for number in range(101):
        iam.create_user(UserName=f"u{number:03}")
    status, _, html = _ui(aws, "GET", "/accounts", params={name: value})
    assert status == 200, html[:300]
    users = f"users-{ACCOUNT}"
    assert f'rel="next" href="/_mockrunner/ui/accounts?{name}={value}&amp;{users}=2#{users}"' in html


LAST_PAGE = ("9" * 4000, "2&repositories=1")
"""Page numbers that show the last page: past the end, and the first of two."""


@pytest.mark.parametrize("value", [*LAST_PAGE, "9" * 5000, "-3", "\uff12", "\u00b2", "", "1e3"],
                         ids=lambda value: f"{value[:12]}({len(value)})")
def test_page_numbers_of_every_spelling_show_a_page(aws, value):
    ecr = aws.client("ecr")
    for number in range(101):
        ecr.create_repository(repositoryName=f"repo-{number:03}")
    query = f"repositories={value}"
    if aws.server is not None:
        response = requests.get(f"{aws.endpoint_url}/_mockrunner/ui/ecr?{query}", timeout=30)
        status, html = response.status_code, response.text
    else:
        response = aws.app.test_client().get(f"/_mockrunner/ui/ecr?{query}")
        status, html = response.status_code, response.get_data(as_text=True)
    shown = "101–101 of 101 repositories" if value in LAST_PAGE else "1–100 of 101 repositories"
    assert status == 200 and shown in html


@pytest.mark.parametrize("mode", MODES)
def test_every_method_on_every_dashboard_path_needs_the_token_and_a_local_origin(make_harness, mode):
    harness = make_harness(mode, Settings(log_requests=False, operation_delay=0, admin_token=TOKEN))
    for method in ("GET", "HEAD", "POST", "PUT", "PROPFIND", "TRACE", "OPTIONS"):
        for path in ("/accounts", "/ecr", "/no-such-page", ""):
            assert _ui(harness, method, path)[0] == 401, (method, path)
            assert _ui(harness, method, path, headers={"Origin": "http://evil.example"})[0] == 403, (method, path)


def test_head_of_the_login_form_answers_as_its_get(make_harness):
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=0, admin_token=TOKEN))
    got, head = _ui(harness, "GET", "/login"), _ui(harness, "HEAD", "/login")
    assert got[0] == head[0] == 200 and "Set-Cookie" not in head[1]


# ------------------------------------------------------------------------------------ App Runner refusals
def test_app_runner_refusals_leave_the_state_and_its_file_as_they_were(durable):
    client = durable.client("apprunner")
    connector = client.create_vpc_connector(VpcConnectorName="egress", Subnets=["subnet-1"])["VpcConnector"][
        "VpcConnectorArn"]
    service = running(client, "web-svc", NetworkConfiguration={
        "EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": connector}})
    paused = running(client, "idle-svc")
    client.pause_service(ServiceArn=paused)
    client.list_services()  # complete the pause
    private = {"ImageRepository": {"ImageIdentifier": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:v1",
                                   "ImageRepositoryType": "ECR"}}
    refusals = [
        (client.update_service, {"ServiceArn": service}),
        (client.update_service, {"ServiceArn": service, "SourceConfiguration": private}),
        (client.update_service, {"ServiceArn": service, "SourceConfiguration": PUBLIC_SOURCE,
                                 "InstanceConfiguration": {"Memory": "12 GB"}}),
        (client.start_deployment, {"ServiceArn": paused}),
        (client.delete_vpc_connector, {"VpcConnectorArn": connector}),
    ]
    for call, params in refusals:
        before = snapshot.export_state(durable.store)["state"]
        with pytest.raises(ClientError) as refused:
            call(**params)
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert snapshot.export_state(durable.store)["state"] == before, params
    shown = _app_runner_views(client, service, paused, connector)
    restarted = Harness(durable.mode, durable.settings)
    try:  # reads complete operations from the saved state and clock: a restart shows the same answers
        assert _app_runner_views(restarted.client("apprunner"), service, paused, connector) == shown
        assert shown[0]["Status"] == "RUNNING" and shown[1]["Status"] == "PAUSED"
    finally:
        restarted.close()


def _app_runner_views(client, service: str, paused: str, connector: str) -> list:
    return [client.describe_service(ServiceArn=service)["Service"],
            client.describe_service(ServiceArn=paused)["Service"],
            client.list_operations(ServiceArn=service)["OperationSummaryList"],
            client.list_operations(ServiceArn=paused)["OperationSummaryList"],
            client.describe_vpc_connector(VpcConnectorArn=connector)["VpcConnector"]]
