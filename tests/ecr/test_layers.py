"""ECR's layer API through boto3, in both modes: uploads, their checks and errors, availability, download URLs,
PutImage's reference checks, per-action authorization."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import blob_digest, image_manifest, put_image, upload_blob

ACCOUNT = "123456789012"
MIB = 1024 * 1024


@pytest.fixture
def ecr(aws):
    client = aws.client("ecr")
    client.create_repository(repositoryName="app")
    return client


def failure(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.response


def part(ecr, upload_id: str, first: int, data: bytes, repository: str = "app") -> dict:
    return ecr.upload_layer_part(repositoryName=repository, uploadId=upload_id, partFirstByte=first,
                                 partLastByte=first + len(data) - 1, layerPartBlob=data)


def test_upload_in_parts_and_check_availability(ecr):
    started = ecr.initiate_layer_upload(repositoryName="app")
    assert started["partSize"] == 20 * MIB
    data = b"x" * (5 * MIB) + b"tail"
    assert part(ecr, started["uploadId"], 0, data[:5 * MIB])["lastByteReceived"] == 5 * MIB - 1
    assert part(ecr, started["uploadId"], 5 * MIB, data[5 * MIB:])["lastByteReceived"] == len(data) - 1
    done = ecr.complete_layer_upload(repositoryName="app", uploadId=started["uploadId"],
                                     layerDigests=[blob_digest(data)])
    assert done["layerDigest"] == blob_digest(data) and done["registryId"] == ACCOUNT
    checked = ecr.batch_check_layer_availability(repositoryName="app",
                                                 layerDigests=[blob_digest(data), "sha256:" + "0" * 64, "md5:x"])
    assert checked["layers"] == [{"layerDigest": blob_digest(data), "layerAvailability": "AVAILABLE",
                                  "layerSize": len(data)}]
    assert [(f["layerDigest"], f["failureCode"]) for f in checked["failures"]] == [
        ("sha256:" + "0" * 64, "MissingLayerDigest"), ("md5:x", "InvalidLayerDigest")]


def test_part_ranges_are_checked(ecr):
    upload_id = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    part(ecr, upload_id, 0, b"abcd")
    with pytest.raises(ClientError) as exc:
        part(ecr, upload_id, 10, b"efgh")
    response = failure(exc)
    assert response["Error"]["Code"] == "InvalidLayerPartException"
    assert (response["registryId"], response["repositoryName"], response["uploadId"],
            response["lastValidByteReceived"]) == (ACCOUNT, "app", upload_id, 3)
    with pytest.raises(ClientError) as exc:
        ecr.upload_layer_part(repositoryName="app", uploadId=upload_id, partFirstByte=4, partLastByte=9,
                              layerPartBlob=b"ef")
    assert failure(exc)["Error"]["Code"] == "InvalidLayerPartException"
    assert part(ecr, upload_id, 4, b"efgh")["lastByteReceived"] == 7  # nothing of the refused parts was kept


def test_complete_verifies_the_digest_and_the_parts(ecr):
    upload_id = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    with pytest.raises(ClientError) as exc:
        ecr.complete_layer_upload(repositoryName="app", uploadId=upload_id, layerDigests=[blob_digest(b"x")])
    assert failure(exc)["Error"]["Code"] == "EmptyUploadException"
    part(ecr, upload_id, 0, b"small")
    part(ecr, upload_id, 5, b"parts")
    with pytest.raises(ClientError) as exc:
        ecr.complete_layer_upload(repositoryName="app", uploadId=upload_id, layerDigests=[blob_digest(b"smallparts")])
    assert failure(exc)["Error"] == {"Code": "LayerPartTooSmallException",
                                     "Message": "Layer parts must be at least 5 MiB in size."}
    other = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    part(ecr, other, 0, b"content")
    with pytest.raises(ClientError) as exc:
        ecr.complete_layer_upload(repositoryName="app", uploadId=other, layerDigests=[blob_digest(b"different")])
    assert failure(exc)["Error"]["Code"] == "InvalidLayerException"
    with pytest.raises(ClientError) as exc:  # a failed verification discards the upload
        part(ecr, other, 7, b"more")
    assert failure(exc)["Error"]["Code"] == "UploadNotFoundException"
    upload_blob(ecr, "app", b"content")
    again = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    part(ecr, again, 0, b"content")
    with pytest.raises(ClientError) as exc:
        ecr.complete_layer_upload(repositoryName="app", uploadId=again, layerDigests=[blob_digest(b"content")])
    assert failure(exc)["Error"]["Code"] == "LayerAlreadyExistsException"


def test_an_upload_belongs_to_its_repository(ecr):
    ecr.create_repository(repositoryName="other")
    upload_id = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    with pytest.raises(ClientError) as exc:
        part(ecr, upload_id, 0, b"data", repository="other")
    assert failure(exc)["Error"]["Code"] == "UploadNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecr.initiate_layer_upload(repositoryName="ghost")
    assert failure(exc)["Error"]["Code"] == "RepositoryNotFoundException"


def test_put_image_needs_its_layers_and_config_in_the_repository(ecr):
    text = image_manifest("needs", 10)
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="app", imageManifest=text, imageTag="v1")
    code, message = failure(exc)["Error"]["Code"], failure(exc)["Error"]["Message"]
    assert code == "LayersNotFoundException"
    document = json.loads(text)
    digests = [document["config"]["digest"], document["layers"][0]["digest"]]
    assert message == (f"Layers with digests '[{', '.join(digests)}]' required for pushing image into repository "
                       f"with name 'app' in the registry with id '{ACCOUNT}' do not exist")
    ecr.create_repository(repositoryName="elsewhere")
    put_image(ecr, repositoryName="elsewhere", imageManifest=text, imageTag="v1")
    with pytest.raises(ClientError) as exc:  # blobs of another repository do not count
        ecr.put_image(repositoryName="app", imageManifest=text, imageTag="v1")
    assert failure(exc)["Error"]["Code"] == "LayersNotFoundException"
    assert ecr.list_images(repositoryName="app")["imageIds"] == []
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                                       "digest": blob_digest(text.encode()), "size": len(text)}]})
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="app", imageManifest=index, imageTag="multi")
    assert failure(exc)["Error"]["Code"] == "ReferencedImagesNotFoundException"
    put_image(ecr, repositoryName="app", imageManifest=text)
    assert ecr.put_image(repositoryName="app", imageManifest=index, imageTag="multi")["image"]["imageId"][
        "imageTag"] == "multi"


def test_download_url_errors(ecr):
    with pytest.raises(ClientError) as exc:
        ecr.get_download_url_for_layer(repositoryName="app", layerDigest="sha256:" + "0" * 64)
    assert failure(exc)["Error"] == {
        "Code": "LayersNotFoundException",
        "Message": f"The layer with digest 'sha256:{'0' * 64}' does not exist within the repository with name 'app' "
                   f"in the registry with id '{ACCOUNT}'"}
    digest = upload_blob(ecr, "app", b"loose")
    with pytest.raises(ClientError) as exc:
        ecr.get_download_url_for_layer(repositoryName="app", layerDigest=digest)
    assert failure(exc)["Error"]["Code"] == "LayerInaccessibleException"
    text = image_manifest("download", 10)
    put_image(ecr, repositoryName="app", imageManifest=text)
    layer = json.loads(text)["layers"][0]["digest"]
    url = ecr.get_download_url_for_layer(repositoryName="app", layerDigest=layer)
    assert url["layerDigest"] == layer and f"/v2/app/blobs/{layer}?" in url["downloadUrl"]


def test_each_layer_action_is_authorized_on_the_repository(aws, ecr):
    iam = aws.client("iam")
    iam.create_user(UserName="half")
    iam.put_user_policy(UserName="half", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
            "ecr:InitiateLayerUpload", "ecr:BatchCheckLayerAvailability"],
            "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app"}]}))
    key = iam.create_access_key(UserName="half")["AccessKey"]
    half = aws.client_for(key, "ecr")
    upload_id = half.initiate_layer_upload(repositoryName="app")["uploadId"]
    half.batch_check_layer_availability(repositoryName="app", layerDigests=[blob_digest(b"x")])
    for call, action in ((lambda: part(half, upload_id, 0, b"x"), "ecr:UploadLayerPart"),
                         (lambda: half.complete_layer_upload(repositoryName="app", uploadId=upload_id,
                                                             layerDigests=[blob_digest(b"x")]),
                          "ecr:CompleteLayerUpload"),
                         (lambda: half.get_download_url_for_layer(repositoryName="app", layerDigest=blob_digest(b"x")),
                          "ecr:GetDownloadUrlForLayer")):
        with pytest.raises(ClientError) as exc:
            call()
        assert failure(exc)["Error"]["Code"] == "AccessDeniedException"
        assert f"is not authorized to perform: {action} on resource: arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app" \
            in failure(exc)["Error"]["Message"]
    with pytest.raises(ClientError) as exc:
        half.initiate_layer_upload(repositoryName="other")
    assert failure(exc)["Error"]["Code"] == "AccessDeniedException"
