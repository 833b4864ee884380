"""ECR's layer API through boto3, in both modes: uploads, their checks and errors, availability, download URLs,
PutImage's reference checks, per-action authorization."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.services.ecr import push as ecr_push
from tests.ecr.pushing import blob_digest, image_manifest, put_image, upload_blob

ACCOUNT = "123456789012"
MIB = 1024 * 1024
WEEK = 168 * 3600


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
    assert started["partSize"] == 10 * MIB  # ECR's maximum layer part size, as the AWS CLI's example shows
    data = b"x" * (5 * MIB) + b"tail"
    assert part(ecr, started["uploadId"], 0, data[:5 * MIB])["lastByteReceived"] == 5 * MIB - 1
    assert part(ecr, started["uploadId"], 5 * MIB, data[5 * MIB:])["lastByteReceived"] == len(data) - 1
    done = ecr.complete_layer_upload(repositoryName="app", uploadId=started["uploadId"],
                                     layerDigests=[blob_digest(data)])
    assert done["layerDigest"] == blob_digest(data) and done["registryId"] == ACCOUNT
    checked = ecr.batch_check_layer_availability(repositoryName="app",
                                                 layerDigests=[blob_digest(data), "sha256:" + "0" * 64, "md5:x"])
    # A digest the repository lacks is UNAVAILABLE, not a failure (recorded from AWS, 2026-09-26: radkawar/stackd,
    # testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json, "layer_missing").
    assert checked["layers"] == [{"layerDigest": blob_digest(data), "layerAvailability": "AVAILABLE",
                                  "layerSize": len(data)},
                                 {"layerDigest": "sha256:" + "0" * 64, "layerAvailability": "UNAVAILABLE"}]
    assert [(f["layerDigest"], f["failureCode"]) for f in checked["failures"]] == [("md5:x", "InvalidLayerDigest")]


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
                                     "Message": "All layer parts except the last part should be at least 5MB"}
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
    # The layers, then the config, joined by a bare comma (recorded from AWS, 2026-09-26: radkawar/stackd,
    # testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json, "foreign_repository_layers").
    digests = [document["layers"][0]["digest"], document["config"]["digest"]]
    assert message == (f"Layers with digests '[{','.join(digests)}]' required for pushing image into repository "
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


def test_an_upload_not_completed_within_168_hours_expires_and_its_bytes_are_freed(aws, ecr):
    kept = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    part(ecr, kept, 0, b"x" * 1000)
    idle = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    part(ecr, idle, 0, b"y" * 500)
    assert aws.store.blobs.pending_bytes() == 1500
    aws.store.clock.advance(WEEK - 1)
    assert part(ecr, kept, 1000, b"x")["lastByteReceived"] == 1000  # still valid one second before
    aws.store.clock.advance(1)
    for call in (lambda: part(ecr, kept, 1001, b"x"),
                 lambda: ecr.complete_layer_upload(repositoryName="app", uploadId=kept,
                                                   layerDigests=[blob_digest(b"x" * 1001)])):
        with pytest.raises(ClientError) as exc:
            call()
        assert failure(exc)["Error"] == {
            "Code": "UploadNotFoundException",
            "Message": f"Upload with id '{kept}' does not exist in the repository with name 'app' in the registry "
                       f"with id '{ACCOUNT}'"}
    assert aws.store.blobs.pending_bytes() == 0  # the idle upload went too, never looked up again
    assert aws.store.blobs.upload(idle) is None
    assert upload_blob(ecr, "app", b"fresh") == blob_digest(b"fresh")  # new uploads work as before


def test_a_part_over_10_mib_is_refused_and_an_upload_takes_at_most_4200_parts(aws, ecr):
    upload_id = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    with pytest.raises(ClientError) as exc:
        part(ecr, upload_id, 0, b"z" * (10 * MIB + 1))
    assert failure(exc)["Error"]["Code"] == "LimitExceededException"
    assert "10485760" in failure(exc)["Error"]["Message"]
    assert part(ecr, upload_id, 0, b"z" * (10 * MIB))["lastByteReceived"] == 10 * MIB - 1
    # The 4,198 parts between go straight to the blob store: 4,200 calls would only make the test slow.
    for _ in range(ecr_push.MAX_PARTS - 2):
        aws.store.blobs.append(upload_id, [b"z"])
    size = 10 * MIB + ecr_push.MAX_PARTS - 2
    assert part(ecr, upload_id, size, b"z")["lastByteReceived"] == size  # the 4,200th part
    with pytest.raises(ClientError) as exc:
        part(ecr, upload_id, size + 1, b"z")
    assert failure(exc)["Error"]["Code"] == "LimitExceededException"
    assert "4200" in failure(exc)["Error"]["Message"]
    assert aws.store.blobs.upload(upload_id).size == size + 1  # the refused part was not kept


def test_a_repository_has_at_most_1000_uploads_in_progress(aws, ecr):
    ecr.create_repository(repositoryName="other")
    repo = aws.store.account(ACCOUNT).region("us-east-1").ecr.repositories["app"]
    with aws.store.lock:  # 999 straight into the store: 1,000 calls would only make the test slow
        for _ in range(ecr_push.MAX_UPLOADS - 1):
            ecr_push.start_upload(aws.store, repo)
    last = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    with pytest.raises(ClientError) as exc:
        ecr.initiate_layer_upload(repositoryName="app")
    assert failure(exc)["Error"] == {
        "Code": "LimitExceededException",
        "Message": f"The repository with name 'app' in the registry with id '{ACCOUNT}' already has the maximum "
                   "of 1000 layer uploads in progress"}
    ecr.initiate_layer_upload(repositoryName="other")  # per repository
    part(ecr, last, 0, b"done")
    ecr.complete_layer_upload(repositoryName="app", uploadId=last, layerDigests=[blob_digest(b"done")])
    ecr.initiate_layer_upload(repositoryName="app")  # a completed upload frees its place
    with pytest.raises(ClientError):
        ecr.initiate_layer_upload(repositoryName="app")
    aws.store.clock.advance(WEEK)
    ecr.initiate_layer_upload(repositoryName="app")  # expired uploads free theirs
    assert aws.store.blobs.count_uploads(ecr_push.upload_owner(repo)) == 1
