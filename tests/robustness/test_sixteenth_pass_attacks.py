"""An attacker's sixteenth pass: the registry endpoint (chunked uploads, mounts, manifests naming what another
repository holds, ranges, restarts with ``--state-file``) and App Runner's lifecycle (operations on the store clock,
interleavings of pause, resume, update, delete, deployments, custom domains, VPC ingress connections, auto scaling
revisions).  Real clients throughout: boto3 in both modes, ``requests`` and the in-process WSGI client for the
registry API.

Findings (each has a test here that failed before its fix):

* Deleting images or a repository deleted the blobs no repository held any more before the change was saved.
  With ``--state-file``, when that save failed (``ENOSPC``) the change was undone and answered 500, but the
  bytes were gone: the repository and its images were back, every API call showed them, and their layers answered
  ``BLOB_UNKNOWN`` / were not AVAILABLE (a state no sequential order gives; a restart did not bring them back).
  Blob files are now deleted only once the state that dropped them is saved, and kept when it is undone
  (``BlobStore.delete`` / ``purge`` / ``spare``); without a state file nothing is undone and they go at once.
* The admin API's ``POST /_mockrunner/reset`` forgot the blobs the same way before its save; undone by a failed
  save, it left every image without its layers.  Fixed by the same change.
* A ``GetDownloadUrlForLayer`` URL (and the registry's blob redirect) was signed with a key made per process: with
  ``--state-file`` a URL answered a moment before a restart was refused after it, though shown valid for an hour.
  The key is now kept beside the blobs (``<state file>.blobs/signing-key``, mode 0600).
* An App Runner operation, a custom domain or a VPC ingress connection completed at the moment a request first
  looked after its due time, and that moment was its ``EndedAt`` / ``UpdatedAt`` / ``DeletedAt``.  Completions
  seen by reads are not saved (they are recomputed from the saved state and clock), so after a restart the same
  operation showed another ``EndedAt`` and the service another ``UpdatedAt`` than before it.  A task now ends at
  its due time (or at once, when ``/settle`` forces it), the same before and after a restart.

Probed and held (checked by hand or by a scripted random walk, not all pinned here):

* Chunked uploads: a ``Content-Range`` overlapping what the upload holds or leaving a gap is 416 with
  ``Range: 0-<last byte>`` and the upload kept; an upload survives a restart (same id, same size, its next chunk
  and its closing ``PUT`` accepted); ``PATCH`` or ``PUT`` after the closing ``PUT`` is 404 ``BLOB_UPLOAD_UNKNOWN``;
  a ``PUT`` whose digest matches only the whole upload completes it.
* Mounts with blob mounting off, from a repository the caller may not pull from, or of a blob no image there
  refers to: 202 and a new upload.  A manifest naming another repository's blobs is ``MANIFEST_BLOB_UNKNOWN``; an
  index naming another repository's image likewise.  ``HEAD`` and ``GET`` of a blob agree (200 with the size /
  307 to the download URL; both 404 for a blob only another repository holds); a ``Range`` on ``HEAD`` is 206
  with ``Content-Range``.
* App Runner, a random walk of 200 steps (create, update, pause, resume, delete, deployments, custom domains, VPC
  ingress connections, auto scaling revisions, defaults and deletions, clock advances of 1 s to an hour,
  ``/settle``), 9 seeds, with a restart every 10 steps: no 5xx; at most one operation in progress per service,
  and the service ``OPERATION_IN_PROGRESS`` exactly while one is; a live service's auto scaling configuration is
  always ``active`` and has an associated service; everything Describe/List answer is the same after a restart.
"""
from __future__ import annotations

import errno
import json
import os

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.testing.oci import build_image, digest_of
from tests.harness import Harness
from tests.robustness.world import PUBLIC_SOURCE


def _full_disk(fd: int, data: memoryview) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _admin(harness: Harness, path: str, body: object) -> int:
    if harness.server is not None:
        return requests.post(f"{harness.endpoint_url}/_mockrunner{path}", data=json.dumps(body), timeout=30).status_code
    return harness.app.test_client().post(f"/_mockrunner{path}", data=json.dumps(body)).status_code


def _push(ecr, repository: str, text: str) -> tuple[str, list[str]]:
    """Push a one-layer image through ECR's layer API; its digest and its blobs' digests."""
    image = build_image(text)
    for data in (image.layer, image.config):
        upload = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
        ecr.upload_layer_part(repositoryName=repository, uploadId=upload, partFirstByte=0,
                              partLastByte=len(data) - 1, layerPartBlob=data)
        ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[digest_of(data)])
    ecr.put_image(repositoryName=repository, imageManifest=image.manifest.decode(), imageTag="v1")
    return image.digest, [digest_of(image.layer), digest_of(image.config)]


def _available(ecr, repository: str, digests: list[str]) -> list[str]:
    answer = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=digests)
    return sorted(layer["layerDigest"] for layer in answer["layers"] if layer["layerAvailability"] == "AVAILABLE")


# ------------------------------------------------------------------------------------------------ blobs
def test_a_deletion_that_cannot_be_saved_leaves_the_layers_of_what_it_brings_back(durable):
    """DeleteRepository (force) frees the repository's blobs; when its save fails, the repository comes back and
    so must its bytes: every layer AVAILABLE, the download URL serving them, also after a restart."""
    ecr = durable.client("ecr")
    ecr.create_repository(repositoryName="app")
    image_digest, blobs = _push(ecr, "app", "kept")
    durable.app.state_file.write = _full_disk
    with pytest.raises(ClientError) as refused:
        ecr.delete_repository(repositoryName="app", force=True)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    durable.app.state_file.write = os.write
    assert [image["imageDigest"] for image in ecr.describe_images(repositoryName="app")["imageDetails"]] == \
        [image_digest]
    assert _available(ecr, "app", blobs) == sorted(blobs), "the image is back, its layers are gone"
    url = ecr.get_download_url_for_layer(repositoryName="app", layerDigest=blobs[0])["downloadUrl"]
    path = url.split("//", 1)[1].split("/", 1)[1]
    assert durable.app.test_client().get("/" + path).status_code == 200

    restarted = Harness("inprocess", durable.settings)
    try:
        assert _available(restarted.client("ecr"), "app", blobs) == sorted(blobs)
    finally:
        restarted.round_trip = False
        restarted.close()


def test_a_reset_that_cannot_be_saved_keeps_the_blobs(durable):
    """The admin reset forgets every blob; undone by a failed save, the images it brings back keep their bytes."""
    ecr = durable.client("ecr")
    ecr.create_repository(repositoryName="app")
    _image, blobs = _push(ecr, "app", "reset")
    durable.app.state_file.write = _full_disk
    assert _admin(durable, "/reset", {}) == 500
    durable.app.state_file.write = os.write
    assert _available(ecr, "app", blobs) == sorted(blobs)


def test_a_saved_deletion_removes_the_blob_files(durable):
    """The other half: once the deletion is saved, the bytes nothing holds are gone from the blob directory."""
    ecr = durable.client("ecr")
    ecr.create_repository(repositoryName="app")
    _image, blobs = _push(ecr, "app", "dropped")
    folder = durable.app.state_file.path + ".blobs/sha256"
    assert {digest.removeprefix("sha256:") for digest in blobs} <= set(os.listdir(folder))
    ecr.delete_repository(repositoryName="app", force=True)
    assert not {digest.removeprefix("sha256:") for digest in blobs} & set(os.listdir(folder))


# ------------------------------------------------------------------------------------------------ App Runner
def test_an_operation_seen_late_ends_at_its_due_time_before_and_after_a_restart(durable):
    """The creation is due at once (operation_delay 0) but first looked at a minute later: it ended when it was
    due, and a restarted server (which recomputes it from the saved state) shows the same times."""
    apprunner = durable.client("apprunner")
    created = apprunner.create_service(ServiceName="web-app", SourceConfiguration=PUBLIC_SOURCE)["Service"]
    assert _admin(durable, "/clock/advance", {"seconds": 60}) == 200
    shown = apprunner.describe_service(ServiceArn=created["ServiceArn"])["Service"]
    operation = apprunner.list_operations(ServiceArn=created["ServiceArn"])["OperationSummaryList"][0]
    assert shown["Status"] == "RUNNING"
    assert operation["EndedAt"] == operation["StartedAt"] == shown["UpdatedAt"] == created["CreatedAt"]

    restarted = Harness(durable.mode, durable.settings)
    try:
        again = restarted.client("apprunner")
        assert again.describe_service(ServiceArn=created["ServiceArn"])["Service"]["UpdatedAt"] == shown["UpdatedAt"]
        assert again.list_operations(ServiceArn=created["ServiceArn"])["OperationSummaryList"][0] == operation
    finally:
        restarted.round_trip = False
        restarted.close()



def test_a_download_url_works_after_a_restart_until_it_expires(durable):
    """GetDownloadUrlForLayer answers a URL valid an hour; with a state file it is still good after a restart (its
    key is kept beside the blobs), and still refused once expired or altered."""
    ecr = durable.client("ecr")
    ecr.create_repository(repositoryName="app")
    _image, blobs = _push(ecr, "app", "url")
    url = ecr.get_download_url_for_layer(repositoryName="app", layerDigest=blobs[0])["downloadUrl"]
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    restarted = Harness("inprocess", durable.settings)
    try:
        client = restarted.app.test_client()
        answer = client.get(path)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert digest_of(answer.get_data()) == blobs[0]
        assert client.get(path.replace("signature=", "signature=0")).status_code == 403
        assert _admin(restarted, "/clock/advance", {"seconds": 3601}) == 200
        assert client.get(path).status_code == 403
    finally:
        restarted.round_trip = False
        restarted.close()
    key = os.path.join(durable.app.state_file.path + ".blobs", "signing-key")
    assert os.stat(key).st_mode & 0o777 == 0o600
