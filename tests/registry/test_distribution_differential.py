"""The registry endpoint where a differential check against distribution 2.8.2 (the CNCF reference registry) found it
wrong, over real HTTP with raw requests; each test failed before its fix.

The same raw requests were sent to both servers: blob uploads (monolithic, POST+PUT, chunked with and without
``Content-Range``, out-of-order and overlapping ranges, wrong digests, empty blobs, cancels, status), mounts, blob
ranges, manifests (Docker schema 2, OCI manifests and indexes, manifest lists naming missing children, unknown and
wrong media types, ``Accept`` negotiation, DELETE), tags/list and ``_catalog`` pages, referrers and malformed names,
references and digests.  The differences kept (ECR's documented answers, or distribution's own faults) are listed
in ``docs/behaviour.md`` ("Registry compared with distribution 2.8.2").
"""
from __future__ import annotations

import json

import pytest

from mockrunner.services.ecr import core as ecr_core
from mockrunner.testing.oci import OCI_INDEX, OCI_MANIFEST, build_image, digest_of
from tests.registry.images import error_code

ACCOUNT = "123456789012"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_tags_list_and_catalog_take_reads_only(endpoint, method):
    """distribution answers 405 to any method but GET on ``tags/list`` and ``_catalog``; mockrunner listed the tags
    (200) for a POST, PUT, DELETE or PATCH of ``tags/list`` and answered ``_catalog`` 404 ``NAME_UNKNOWN``."""
    endpoint.ecr.create_repository(repositoryName="app")
    assert endpoint.registry.push("app", build_image("tags"), "v1").status_code == 201
    for path in ("/v2/app/tags/list", "/v2/_catalog"):
        assert error_code(endpoint.registry.call(method, path))[:2] == (405, "UNSUPPORTED"), path
    assert endpoint.registry.call("GET", "/v2/app/tags/list").json() == {"name": "app", "tags": ["v1"]}
    assert endpoint.registry.call("HEAD", "/v2/app/tags/list").status_code == 200
    assert endpoint.registry.call("GET", "/v2/_catalog").json() == {"repositories": ["app"]}


def test_a_204_carries_no_content_length(endpoint):
    """RFC 9110 section 8.6: a server MUST NOT send ``Content-Length`` in a 204.  An upload's status and its cancel
    are 204s (distribution sends none); mockrunner sent ``Content-Length: 0`` with both."""
    endpoint.ecr.create_repository(repositoryName="app")
    started = endpoint.registry.call("POST", "/v2/app/blobs/uploads/")
    assert started.status_code == 202
    location = started.headers["Location"]
    status = endpoint.registry.call("GET", location)
    assert status.status_code == 204
    assert status.headers["Range"] == "0-0" and status.headers["Docker-Upload-UUID"]
    assert "Content-Length" not in status.headers
    cancelled = endpoint.registry.call("DELETE", location)
    assert cancelled.status_code == 204
    assert "Content-Length" not in cancelled.headers
    assert error_code(endpoint.registry.call("GET", location))[:2] == (404, "BLOB_UPLOAD_UNKNOWN")


def _manifests(image) -> dict[str, tuple[bytes, str]]:
    """Manifests whose format requires what they lack (name -> (bytes, Content-Type))."""
    document = json.loads(image.manifest)
    config, layers = document["config"], document["layers"]
    docker = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "config": config, "layers": layers}
    return {
        "empty object": (b"{}", OCI_MANIFEST),
        "schemaVersion 3": (json.dumps({**document, "schemaVersion": 3}).encode(), OCI_MANIFEST),
        "schemaVersion as text": (json.dumps({**document, "schemaVersion": "2"}).encode(), OCI_MANIFEST),
        "no config": (json.dumps({k: v for k, v in docker.items() if k != "config"}).encode(), DOCKER_MANIFEST),
        "no layers": (json.dumps({k: v for k, v in document.items() if k != "layers"}).encode(), OCI_MANIFEST),
        "config without a digest": (json.dumps({**document, "config": {"mediaType": config["mediaType"],
                                                                         "size": config["size"]}}).encode(),
                                    OCI_MANIFEST),
        "layer without a size": (json.dumps({**document, "layers": [{"mediaType": layers[0]["mediaType"],
                                                                      "digest": layers[0]["digest"]}]}).encode(),
                                 OCI_MANIFEST),
        "index without manifests": (json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX}).encode(), OCI_INDEX),
    }


def test_a_manifest_missing_what_its_format_requires_is_refused(endpoint):
    """distribution refuses each (``MANIFEST_INVALID``, or a 500 where its schema check errs); mockrunner stored them
    as images, ``{}`` included.  ECR's answer to a manifest it will not take: PutImage's InvalidParameterException
    "... 'Invalid JSON syntax'", its catch-all for manifests that parse but fail its checks (aws/aws-cli#8620: a
    manifest without ``mediaType``), over ``/v2/`` 405 ``UNSUPPORTED`` (opcr-io/policy#149).  Nothing is stored."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("well formed")
    for data in (image.layer, image.config):
        assert endpoint.registry.push_blob("app", data).status_code == 201
    for name, (manifest, media_type) in _manifests(image).items():
        status, code, message = error_code(endpoint.registry.put_manifest("app", "bad", manifest, media_type))
        assert (status, code) == (405, "UNSUPPORTED"), name
        assert message == "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
        by_api = endpoint.ecr.exceptions.InvalidParameterException
        with pytest.raises(by_api):
            endpoint.ecr.put_image(repositoryName="app", imageManifest=manifest.decode(), imageTag="bad",
                                   imageManifestMediaType=media_type)
    assert endpoint.ecr.describe_images(repositoryName="app")["imageDetails"] == []
    # The well-formed manifest, and an image manifest with an empty layer list (an OCI artifact), still go in.
    assert endpoint.registry.put_manifest("app", "v1", image.manifest).status_code == 201
    artifact = json.loads(image.manifest) | {"layers": []}
    assert endpoint.registry.put_manifest("app", "v2", json.dumps(artifact).encode()).status_code == 201
    assert digest_of(image.manifest) in {d["imageDigest"] for d in
                                         endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]}


def test_a_stored_manifest_may_be_tagged_again_whatever_it_lacks(endpoint):
    """The check above is for new manifests: an image a seed file declared with its synthetic manifest (whose
    ``config`` is ``{}``) is tagged again through PutImage with the manifest BatchGetImage returns (the AWS CLI's
    retagging recipe) and over ``/v2/``, as before."""
    seeded = ecr_core.put_image_record(endpoint.harness.store, ACCOUNT, "us-east-1", "seeded", tags=["v1"])
    manifest = endpoint.ecr.batch_get_image(repositoryName="seeded", imageIds=[{"imageTag": "v1"}])["images"][0][
        "imageManifest"]
    assert json.loads(manifest)["config"] == {}
    again = endpoint.ecr.put_image(repositoryName="seeded", imageManifest=manifest, imageTag="v2")
    assert again["image"]["imageId"]["imageDigest"] == seeded.digest
    assert endpoint.registry.put_manifest("seeded", "v3", manifest.encode(), DOCKER_MANIFEST).status_code == 201
    assert endpoint.registry.call("GET", "/v2/seeded/tags/list").json()["tags"] == ["v1", "v2", "v3"]
