"""A review of the nineteenth pass's changes: a manifest ``mediaType`` that is no string, and an upload part whose
record cannot be written.  boto3 in both modes, ``requests`` against a real server for the registry.

* A manifest whose ``mediaType`` is a JSON list or object reached ``media_type in MANIFEST_MEDIA_TYPES``, a
  ``TypeError``: PutImage and the registry's manifest ``PUT`` answered 500.  It is now refused as every other
  media type PutImage does not take.
* An upload part whose bytes were written but whose record (``uploads/<id>.json``, the part sizes) could not be
  was kept, though the client was answered 500: the same part sent again was refused as misplaced.  The part is
  now undone with its record.
"""
from __future__ import annotations

import json
import os

import pytest
from botocore.exceptions import ClientError

from mockrunner.testing.oci import digest_of
from tests.ecr.pushing import image_manifest, put_image
from tests.registry.images import Registry, error_code, login_password

INVALID_JSON = "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
NOT_STRINGS = [["application/vnd.oci.image.manifest.v1+json"], {"type": "x"}, 5, True]


@pytest.mark.parametrize("value", NOT_STRINGS)
def test_put_image_refuses_a_manifest_media_type_that_is_no_string(aws, value):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    manifest = json.loads(image_manifest("typed"))
    manifest["mediaType"] = value
    with pytest.raises(ClientError) as refused:
        put_image(ecr, "app", json.dumps(manifest), imageTag="v1")
    assert (refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]) == (
        "InvalidParameterException", INVALID_JSON)
    assert ecr.describe_images(repositoryName="app")["imageDetails"] == []


def test_a_registry_manifest_put_with_a_media_type_that_is_no_string_is_refused(server):
    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    manifest = json.loads(image_manifest("typed"))
    manifest["mediaType"] = ["application/vnd.oci.image.manifest.v1+json"]
    registry = Registry(server.endpoint_url, login_password(ecr))
    sent = registry.call("PUT", "/v2/app/manifests/v1", data=json.dumps(manifest).encode())  # no Content-Type
    assert error_code(sent) == (405, "UNSUPPORTED", INVALID_JSON)


def test_a_part_whose_record_cannot_be_written_is_not_kept(durable, tmp_path):
    """The record's replacement is blocked by a directory at its temporary name (a real failure of the disk
    write, as a full disk would be): the part fails and the upload stays as it was, so the same part is taken
    once the disk is writable again."""
    ecr = durable.client("ecr")
    ecr.create_repository(repositoryName="app")
    upload = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    ecr.upload_layer_part(repositoryName="app", uploadId=upload, partFirstByte=0, partLastByte=9,
                          layerPartBlob=b"0123456789")
    blocker = tmp_path / "state.bin.blobs" / "uploads" / f"{upload}.json.new"
    os.mkdir(blocker)
    with pytest.raises(ClientError):
        ecr.upload_layer_part(repositoryName="app", uploadId=upload, partFirstByte=10, partLastByte=19,
                              layerPartBlob=b"abcdefghij")
    os.rmdir(blocker)
    assert os.path.getsize(tmp_path / "state.bin.blobs" / "uploads" / upload) == 10
    again = ecr.upload_layer_part(repositoryName="app", uploadId=upload, partFirstByte=10, partLastByte=19,
                                  layerPartBlob=b"abcdefghij")
    assert again["lastByteReceived"] == 19
    with pytest.raises(ClientError) as small:  # both parts are recorded: the first is under 5 MB
        ecr.complete_layer_upload(repositoryName="app", uploadId=upload,
                                  layerDigests=[digest_of(b"0123456789abcdefghij")])
    assert small.value.response["Error"]["Code"] == "LayerPartTooSmallException"
