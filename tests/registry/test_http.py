"""The registry endpoint over real HTTP with raw requests: each route, each error, and what ECR's API sees."""
from __future__ import annotations

import json

import pytest

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.testing.oci import OCI_INDEX, build_image, digest_of
from tests.registry.images import Registry, error_code, login_password

ACCOUNT = "123456789012"


def test_v2_without_credentials_is_ecrs_401_challenge(endpoint):
    response = Registry(endpoint.harness.endpoint_url, None).call("GET", "/v2/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        f'Basic realm="http://{endpoint.host}/",service="ecr.amazonaws.com"')
    assert response.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    assert response.text == "Not Authorized\n"
    assert endpoint.registry.call("GET", "/v2/").status_code == 200


def test_the_challenges_realm_is_a_quoted_string_whatever_the_host_holds():
    """``mockrunner serve`` refuses such a ``Host`` (400); a WSGI server that passes it on (or the in-process app)
    must still not let it end the quoted realm early and add parameters of its own."""
    app = create_app(Settings(log_requests=False))
    answer = app.test_client().get("/v2/", headers={"Host": 'evil",service="x\\'})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == (
        'Basic realm="http://evil\\",service=\\"x\\\\/",service="ecr.amazonaws.com"')


def test_a_token_works_only_at_the_registry_of_its_region(endpoint):
    """``get-login-password --region A`` used at ``<account>.dkr.ecr.B.amazonaws.com``: 400 Bad Request (an AWS
    maintainer's reproduction in aws/aws-cli#5317; aws/eks-anywhere#3919)."""
    host = "123456789012.dkr.ecr.{}.amazonaws.com"
    assert endpoint.registry.call("GET", "/v2/", headers={"Host": host.format("us-east-1")}).status_code == 200
    elsewhere = endpoint.registry.call("GET", "/v2/", headers={"Host": host.format("us-west-2")})
    assert elsewhere.status_code == 400 and elsewhere.json()["errors"][0]["code"] == "DENIED"
    west = Registry(endpoint.harness.endpoint_url, login_password(endpoint.harness.client("ecr", region="us-west-2")))
    assert west.call("GET", "/v2/", headers={"Host": host.format("us-west-2")}).status_code == 200


@pytest.mark.parametrize("password", ["garbage", "e30.AAAA", ""])
def test_tokens_not_issued_here_are_refused(endpoint, password):
    response = Registry(endpoint.harness.endpoint_url, password).call("GET", "/v2/app/tags/list")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_an_altered_token_is_refused(endpoint):
    body, _, signature = endpoint.registry.session.auth[1].partition(".")
    forged = Registry(endpoint.harness.endpoint_url, body + "." + signature[::-1])
    assert forged.call("GET", "/v2/").status_code == 401


def test_an_expired_token_is_denied_with_ecrs_message(endpoint):
    endpoint.harness.store.clock.advance(12 * 3600 + 1)
    response = endpoint.registry.call("GET", "/v2/")
    assert error_code(response) == (403, "DENIED",
                                    "Your authorization token has expired. Reauthenticate and try again.")


def test_a_token_dies_with_its_access_key(endpoint):
    iam = endpoint.harness.client("iam")
    iam.create_user(UserName="ci")
    iam.put_user_policy(UserName="ci", PolicyName="ecr", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="ci")["AccessKey"]
    ci = endpoint.registry_as(endpoint.harness.client_for(key, "ecr"))
    assert ci.call("GET", "/v2/").status_code == 200
    iam.update_access_key(UserName="ci", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert ci.call("GET", "/v2/").status_code == 401


def test_push_pull_and_describe(endpoint):
    endpoint.ecr.create_repository(repositoryName="team/app")
    image = build_image("hello")
    pushed = endpoint.registry.push("team/app", image, "v1")
    assert pushed.status_code == 201
    assert pushed.headers["Docker-Content-Digest"] == image.digest
    assert pushed.headers["Location"] == f"/v2/team/app/manifests/{image.digest}"
    detail = endpoint.ecr.describe_images(repositoryName="team/app")["imageDetails"][0]
    assert detail["imageDigest"] == image.digest
    assert detail["imageTags"] == ["v1"]
    assert detail["imageManifestMediaType"] == "application/vnd.oci.image.manifest.v1+json"
    # The layers and the config (recorded from AWS, 2026-09-26: radkawar/stackd, ECR capture,
    # "describe_image").
    assert detail["imageSizeInBytes"] == len(image.layer) + len(image.config)
    assert "lastRecordedPullTime" not in detail
    head = endpoint.registry.call("HEAD", "/v2/team/app/manifests/v1")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Docker-Content-Digest"] == image.digest
    assert "lastRecordedPullTime" not in endpoint.ecr.describe_images(repositoryName="team/app")["imageDetails"][0]
    got = endpoint.registry.call("GET", f"/v2/team/app/manifests/{image.digest}")
    assert got.content == image.manifest
    assert got.headers["Content-Type"] == "application/vnd.oci.image.manifest.v1+json"
    assert "lastRecordedPullTime" in endpoint.ecr.describe_images(repositoryName="team/app")["imageDetails"][0]
    blob = endpoint.registry.call("GET", f"/v2/team/app/blobs/{digest_of(image.layer)}")
    assert blob.status_code == 200 and blob.content == image.layer
    part = endpoint.registry.call("GET", f"/v2/team/app/blobs/{digest_of(image.layer)}",
                                  headers={"Range": "bytes=1-3"})
    assert part.status_code == 206 and part.content == image.layer[1:4]
    assert endpoint.registry.call("HEAD", f"/v2/team/app/blobs/{digest_of(image.config)}").headers[
        "Content-Length"] == str(len(image.config))
    # The API sees the same image the registry stored.
    got = endpoint.ecr.batch_get_image(repositoryName="team/app", imageIds=[{"imageTag": "v1"}])["images"][0]
    assert got["imageManifest"] == image.manifest.decode()


def test_pushing_the_same_image_again_succeeds(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("same")
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    assert len(endpoint.ecr.list_images(repositoryName="app")["imageIds"]) == 1


FIRST = 5 * 1024 * 1024
"""ECR's smallest chunk but the last (dotnet/sdk-container-builds#279)."""


def test_chunked_upload_with_ranges(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    data = bytes(range(256)) * (FIRST // 256 + 40)
    registry = endpoint.registry
    started = registry.call("POST", "/v2/app/blobs/uploads/")
    location, uuid = started.headers["Location"], started.headers["Docker-Upload-UUID"]
    assert location == f"/v2/app/blobs/uploads/{uuid}"
    first = registry.call("PATCH", location, data=data[:FIRST], headers={"Content-Range": f"0-{FIRST - 1}"})
    # ECR answers a chunk 201, not the spec's 202 (dotnet/sdk-container-builds#279, openai/tart#273).
    assert first.status_code == 201 and first.headers["Range"] == f"0-{FIRST - 1}"
    wrong = registry.call("PATCH", location, data=data[FIRST:FIRST + 1000],
                          headers={"Content-Range": f"{FIRST + 1000}-{FIRST + 1999}"})
    assert wrong.status_code == 416 and wrong.headers["Range"] == f"0-{FIRST - 1}"
    mismatch = registry.call("PATCH", location, data=data[FIRST:FIRST + 1000],
                             headers={"Content-Range": f"{FIRST}-{FIRST + 10}"})
    assert error_code(mismatch)[:2] == (400, "SIZE_INVALID")
    status = registry.call("GET", location)
    assert status.status_code == 204 and status.headers["Range"] == f"0-{FIRST - 1}"
    second = registry.call("PATCH", location, data=iter([data[FIRST:FIRST + 3000], data[FIRST + 3000:]]))
    assert second.headers["Range"] == f"0-{len(data) - 1}"
    done = registry.call("PUT", location, params={"digest": digest_of(data)})
    assert done.status_code == 201 and done.headers["Docker-Content-Digest"] == digest_of(data)
    assert registry.call("GET", f"/v2/app/blobs/{digest_of(data)}").content == data
    layers = endpoint.ecr.batch_check_layer_availability(repositoryName="app", layerDigests=[digest_of(data)])
    assert layers["layers"][0]["layerSize"] == len(data)


def test_chunks_but_the_last_are_at_least_5_mb_and_the_bytes_hash_to_the_digest(endpoint):
    """ECR's rules for an upload over /v2/ as for CompleteLayerUpload: parts but the last of 5 MB or more
    (dotnet/sdk-container-builds#279 and #424: "All layer parts except the last part should be at least 5MB"), and
    bytes that hash to the digest (#424, #472: BLOB_UPLOAD_INVALID "None of the provided layer digests match the
    calculated layer digest")."""
    endpoint.ecr.create_repository(repositoryName="app")
    registry = endpoint.registry
    location = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    assert registry.call("PATCH", location, data=b"a" * 1000).status_code == 201
    assert registry.call("PATCH", location, data=b"b" * 1000).status_code == 201
    small = registry.call("PUT", location, params={"digest": digest_of(b"a" * 1000 + b"b" * 1000)})
    assert error_code(small) == (400, "BLOB_UPLOAD_INVALID",
                                 "All layer parts except the last part should be at least 5MB")
    location = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    wrong = registry.call("PUT", location, params={"digest": digest_of(b"other")}, data=b"payload")
    assert error_code(wrong) == (400, "BLOB_UPLOAD_INVALID",
                                 "None of the provided layer digests match the calculated layer digest")
    # Nothing was stored: the layer is UNAVAILABLE (recorded from AWS, 2026-09-26: radkawar/stackd,
    # testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json, "layer_missing").
    assert endpoint.ecr.batch_check_layer_availability(
        repositoryName="app", layerDigests=[digest_of(b"payload")])["layers"] == [
        {"layerDigest": digest_of(b"payload"), "layerAvailability": "UNAVAILABLE"}]


def test_monolithic_post_with_digest(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    response = endpoint.registry.call("POST", "/v2/app/blobs/uploads/", params={"digest": digest_of(b"abc")},
                                      data=b"abc")
    assert response.status_code == 201
    assert endpoint.registry.call("HEAD", f"/v2/app/blobs/{digest_of(b'abc')}").status_code == 200


def test_registry_errors(endpoint):
    registry = endpoint.registry
    assert error_code(registry.call("GET", "/v2/ghost/tags/list")) == (
        404, "NAME_UNKNOWN", f"The repository with name 'ghost' does not exist in the registry with id '{ACCOUNT}'")
    endpoint.ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    assert error_code(registry.call("GET", "/v2/app/manifests/v9")) == (404, "MANIFEST_UNKNOWN",
                                                                          "Requested image not found")
    unknown = "sha256:" + "0" * 64
    assert error_code(registry.call("GET", f"/v2/app/blobs/{unknown}"))[:2] == (404, "BLOB_UNKNOWN")
    assert registry.call("HEAD", f"/v2/app/blobs/{unknown}").status_code == 404
    assert error_code(registry.call("GET", "/v2/app/blobs/sha256:zz"))[:2] == (400, "DIGEST_INVALID")
    wrong = registry.push_blob("app", b"payload")
    assert wrong.status_code == 201
    started = registry.call("POST", "/v2/app/blobs/uploads/")
    bad = registry.call("PUT", started.headers["Location"], params={"digest": digest_of(b"other")}, data=b"payload")
    assert error_code(bad)[:2] == (400, "BLOB_UPLOAD_INVALID")
    assert error_code(registry.call("GET", started.headers["Location"]))[:2] == (404, "BLOB_UPLOAD_UNKNOWN")
    assert error_code(registry.call("PATCH", "/v2/app/blobs/uploads/" + "1" * 8 + "-1111-1111-1111-" + "1" * 12,
                                    data=b"x"))[:2] == (404, "BLOB_UPLOAD_UNKNOWN")
    assert error_code(registry.put_manifest("app", "v1", b"{not json"))[:2] == (405, "UNSUPPORTED")  # ECR's answer
    assert error_code(registry.put_manifest("app", "bad tag!", b"{}"))[:2] == (400, "TAG_INVALID")
    image = build_image("missing layers")
    missing = registry.put_manifest("app", "v1", image.manifest)
    status, code, message = error_code(missing)
    assert (status, code) == (400, "BLOB_UPLOAD_UNKNOWN")  # ECR's code (oras-project/oras-py#54)
    assert message.startswith("Layers with digests '[sha256:") and message.endswith(
        f"required for pushing image into repository with name 'app' in the registry with id '{ACCOUNT}' do not exist")
    assert registry.push("app", image, "v1").status_code == 201
    other = build_image("second")
    assert error_code(registry.push("app", other, "v1")) == (
        400, "TAG_INVALID", "The image tag 'v1' already exists in the 'app' repository and cannot be overwritten "
        "because the tag is immutable.")
    # ECR's answer to a manifest PUT by a digest that is not the manifest's (google/go-containerregistry#1568).
    assert error_code(registry.put_manifest("app", "sha256:" + "1" * 64, image.manifest)) == (
        400, "MANIFEST_INVALID", f"The image with digest 'sha256:{'1' * 64}' in repository 'app' and registry ID "
        f"'{ACCOUNT}' does not match the image digest that Amazon ECR has calculated.")
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": other.digest,
         "size": len(other.manifest), "platform": {"architecture": "arm64", "os": "linux"}}]}).encode()
    status, code, message = error_code(registry.put_manifest("app", "multi", index, OCI_INDEX))
    assert (status, code) == (400, "MANIFEST_BLOB_UNKNOWN")
    assert message.startswith(f"Images with digests '[{other.digest}]' required for pushing image")
    assert error_code(registry.call("PATCH", "/v2/app/manifests/v1"))[:2] == (405, "UNSUPPORTED")


def test_index_of_pushed_images(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("amd64")
    assert endpoint.registry.push("app", image, image.digest).status_code == 201  # untagged, by digest
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": image.digest,
         "size": len(image.manifest), "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
    assert endpoint.registry.put_manifest("app", "latest", index, OCI_INDEX).status_code == 201
    got = endpoint.registry.call("GET", "/v2/app/manifests/latest")
    assert got.headers["Content-Type"] == OCI_INDEX and got.content == index


def test_denied_per_action_as_ecr_maps_them(endpoint):
    iam = endpoint.harness.client("iam")
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("pull me")
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    iam.create_user(UserName="puller")
    iam.put_user_policy(UserName="puller", PolicyName="pull", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                           "ecr:BatchCheckLayerAvailability"],
             "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app"}]}))
    key = iam.create_access_key(UserName="puller")["AccessKey"]
    puller = endpoint.registry_as(endpoint.harness.client_for(key, "ecr"))
    assert puller.call("GET", "/v2/app/manifests/v1").content == image.manifest
    assert puller.call("GET", f"/v2/app/blobs/{digest_of(image.layer)}").content == image.layer
    denied = puller.call("POST", "/v2/app/blobs/uploads/")
    status, code, message = error_code(denied)
    assert (status, code) == (403, "DENIED")
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/puller is not authorized to perform: "
                              f"ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app")
    assert error_code(puller.put_manifest("app", "v2", image.manifest))[:2] == (403, "DENIED")
    assert error_code(puller.call("GET", "/v2/app/tags/list"))[:2] == (403, "DENIED")  # ecr:ListImages
    assert error_code(puller.call("GET", "/v2/_catalog"))[:2] == (403, "DENIED")  # ecr:DescribeRepositories
    assert error_code(puller.call("GET", "/v2/ghost/manifests/v1"))[:2] == (403, "DENIED")


def test_tags_list_and_catalog_pages(endpoint):
    for name in ("bb", "aa", "cc"):
        endpoint.ecr.create_repository(repositoryName=name)
    for tag in ("v3", "v1", "v2"):
        assert endpoint.registry.push("aa", build_image(tag), tag).status_code == 201
    first = endpoint.registry.call("GET", "/v2/aa/tags/list", params={"n": 2})
    assert first.json() == {"name": "aa", "tags": ["v1", "v2"]}
    assert first.headers["Link"] == '</v2/aa/tags/list?n=2&last=v2>; rel="next"'
    assert endpoint.registry.call("GET", "/v2/aa/tags/list", params={"n": 2, "last": "v2"}).json()["tags"] == ["v3"]
    assert endpoint.registry.call("GET", "/v2/_catalog").json() == {"repositories": ["aa", "bb", "cc"]}
    too_many = endpoint.registry.call("GET", "/v2/_catalog", params={"n": 10000})
    assert error_code(too_many) == (400, "UNSUPPORTED", "Invalid parameter at 'maxResults' failed to satisfy "
                                    "constraint: 'Member must have value less than or equal to 1000'")
    for bad in ("0", "-1", "x"):
        assert error_code(endpoint.registry.call("GET", "/v2/_catalog", params={"n": bad}))[:2] == (
            400, "UNSUPPORTED")
        assert error_code(endpoint.registry.call("GET", "/v2/aa/tags/list", params={"n": bad}))[:2] == (
            400, "UNSUPPORTED")
    # A method the route does not take: 405 UNSUPPORTED, as distribution answers it (was a 404 NAME_UNKNOWN).
    assert error_code(endpoint.registry.call("DELETE", "/v2/_catalog"))[:2] == (405, "UNSUPPORTED")


def test_tags_list_without_n_is_pages_of_100_as_ecr_answers(endpoint):
    """Without ``n`` ECR answers 100 tags and a ``Link`` to the rest, without ``n`` (mockrunner answered every tag at
    once). (docs/behaviour.md, "Through go-containerregistry (crane)")"""
    endpoint.ecr.create_repository(repositoryName="many")
    image = build_image("one")
    assert endpoint.registry.push("many", image, "t000").status_code == 201
    for number in range(1, 105):
        assert endpoint.registry.put_manifest("many", f"t{number:03d}", image.manifest).status_code == 201
    first = endpoint.registry.call("GET", "/v2/many/tags/list")
    assert first.json()["tags"] == [f"t{number:03d}" for number in range(100)]
    assert first.headers["Link"] == '</v2/many/tags/list?last=t099>; rel="next"'
    rest = endpoint.registry.call("GET", "/v2/many/tags/list?last=t099")
    assert rest.json()["tags"] == [f"t{number:03d}" for number in range(100, 105)]
    assert "Link" not in rest.headers
    asked = endpoint.registry.call("GET", "/v2/many/tags/list", params={"n": 1000})
    assert len(asked.json()["tags"]) == 105 and "Link" not in asked.headers


def test_mount_needs_blob_mounting_and_an_image_referring_to_the_blob(endpoint):
    for name in ("source", "target"):
        endpoint.ecr.create_repository(repositoryName=name)
    image = build_image("shared")
    assert endpoint.registry.push("source", image, "v1").status_code == 201
    layer = digest_of(image.layer)
    params = {"mount": layer, "from": "source"}
    fallback = endpoint.registry.call("POST", "/v2/target/blobs/uploads/", params=params)
    assert fallback.status_code == 202  # mounting disabled: a new upload instead
    state = endpoint.harness.store.account(ACCOUNT).region("us-east-1").ecr
    state.account_settings["BLOB_MOUNTING"] = "ENABLED"  # PutAccountSetting is not served yet
    mounted = endpoint.registry.call("POST", "/v2/target/blobs/uploads/", params=params)
    assert mounted.status_code == 201 and mounted.headers["Docker-Content-Digest"] == layer
    assert endpoint.registry.call("HEAD", f"/v2/target/blobs/{layer}").status_code == 200
    unreferenced = endpoint.registry.push_blob("source", b"loose")
    assert unreferenced.status_code == 201
    loose = endpoint.registry.call("POST", "/v2/target/blobs/uploads/",
                                   params={"mount": digest_of(b"loose"), "from": "source"})
    assert loose.status_code == 202  # aws/containers-roadmap#2860: only blobs an image refers to


def test_download_url_serves_the_layer_without_credentials(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("download")
    loose = endpoint.registry.push_blob("app", b"loose")
    assert loose.status_code == 201
    with pytest.raises(Exception) as exc:
        endpoint.ecr.get_download_url_for_layer(repositoryName="app", layerDigest=digest_of(b"loose"))
    assert exc.value.response["Error"]["Code"] == "LayerInaccessibleException"
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    url = endpoint.ecr.get_download_url_for_layer(repositoryName="app",
                                                  layerDigest=digest_of(image.layer))["downloadUrl"]
    anonymous = Registry(endpoint.harness.endpoint_url, None)
    assert anonymous.call("GET", url).content == image.layer
    assert anonymous.call("GET", url.replace("signature=", "signature=0")).status_code == 403
    endpoint.harness.store.clock.advance(3601)
    assert anonymous.call("GET", url).status_code == 403


def test_a_blob_get_is_a_redirect_to_its_download_url(endpoint):
    """ECR answers a layer GET with 307 to a presigned S3 URL (enix/kube-image-keeper#142 quotes ECR's "307
    Temporary Redirect"); here to a download URL of this server, which needs no credentials and takes a Range."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("redirected")
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    path = f"/v2/app/blobs/{digest_of(image.layer)}"
    redirect = endpoint.registry.call("GET", path, allow_redirects=False)
    assert redirect.status_code == 307 and redirect.content == b""
    location = redirect.headers["Location"]
    assert location.startswith(f"{endpoint.harness.endpoint_url}{path}?") and "signature=" in location
    anonymous = Registry(endpoint.harness.endpoint_url, None)
    ranged = anonymous.call("GET", location, headers={"Range": "bytes=0-9"})
    assert (ranged.status_code, ranged.content) == (206, image.layer[:10])
    head = endpoint.registry.call("HEAD", path, allow_redirects=False)
    assert (head.status_code, head.headers["Content-Length"]) == (200, str(len(image.layer)))
    assert endpoint.registry.call("GET", path).content == image.layer  # what clients see, following it


def test_a_push_to_a_missing_repository_creates_it_when_a_creation_template_covers_it(endpoint):
    """docker push sends blobs first: the first blob upload creates the repository, as PutImage would."""
    endpoint.ecr.create_repository_creation_template(prefix="team", appliedFor=["CREATE_ON_PUSH"],
                                                     imageTagMutability="IMMUTABLE")
    image = build_image("created on push")
    assert endpoint.registry.push("team/web", image, "v1").status_code == 201
    repo = endpoint.ecr.describe_repositories(repositoryNames=["team/web"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    refused = endpoint.registry.call("POST", "/v2/other/web/blobs/uploads/")
    assert error_code(refused)[:2] == (404, "NAME_UNKNOWN")


DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI = "application/vnd.oci.image.manifest.v1+json"


def _gzip_image(endpoint, repository: str, media_type: str, tag: str) -> tuple[bytes, str]:
    """Push a one-layer image whose manifest is Docker V2 Schema 2 or OCI (gzip layer, so both can say it)."""
    image = build_image(tag)
    docker = media_type == DOCKER_V2
    layer_type = ("application/vnd.docker.image.rootfs.diff.tar.gzip" if docker
                  else "application/vnd.oci.image.layer.v1.tar+gzip")
    config_type = ("application/vnd.docker.container.image.v1+json" if docker
                   else "application/vnd.oci.image.config.v1+json")
    for data in (image.layer, image.config):
        assert endpoint.registry.push_blob(repository, data).status_code == 201
    manifest = json.dumps({"schemaVersion": 2, "mediaType": media_type,
                           "config": {"mediaType": config_type, "digest": digest_of(image.config),
                                      "size": len(image.config)},
                           "layers": [{"mediaType": layer_type, "digest": digest_of(image.layer),
                                       "size": len(image.layer)}]}).encode()
    assert endpoint.registry.put_manifest(repository, tag, manifest, media_type).status_code == 201
    return manifest, digest_of(manifest)


def test_pulls_by_tag_convert_between_docker_v2_and_oci_as_ecr_does(endpoint):
    """ECR User Guide, "Container image manifest format support": a pull by tag whose Accept does not take the
    stored format gets it converted (Docker V2 Schema 2 <-> OCI) with the converted manifest's digest; a pull by
    digest, or one whose Accept takes the stored format (or anything), gets the stored manifest."""
    endpoint.ecr.create_repository(repositoryName="app")
    stored, digest = _gzip_image(endpoint, "app", OCI, "oci")
    as_docker = endpoint.registry.call("GET", "/v2/app/manifests/oci", headers={"Accept": DOCKER_V2})
    converted = json.loads(as_docker.content)
    assert as_docker.headers["Content-Type"] == DOCKER_V2 and converted["mediaType"] == DOCKER_V2
    assert converted["config"]["mediaType"] == "application/vnd.docker.container.image.v1+json"
    assert [layer["mediaType"] for layer in converted["layers"]] == [
        "application/vnd.docker.image.rootfs.diff.tar.gzip"]
    assert converted["config"]["digest"] == json.loads(stored)["config"]["digest"]
    assert "Docker-Content-Digest" not in as_docker.headers  # ECR's GET names none: the HEAD does
    head = endpoint.registry.call("HEAD", "/v2/app/manifests/oci", headers={"Accept": DOCKER_V2})
    assert head.headers["Docker-Content-Digest"] == digest_of(as_docker.content) != digest
    for accept in (f"{DOCKER_V2}, {OCI}", "*/*", OCI):
        got = endpoint.registry.call("GET", "/v2/app/manifests/oci", headers={"Accept": accept})
        assert (got.content, got.headers["Content-Type"]) == (stored, OCI)
    by_digest = endpoint.registry.call("GET", f"/v2/app/manifests/{digest}", headers={"Accept": DOCKER_V2})
    assert (by_digest.content, digest_of(by_digest.content)) == (stored, digest)
    docker_stored, docker_digest = _gzip_image(endpoint, "app", DOCKER_V2, "docker")
    as_oci = endpoint.registry.call("GET", "/v2/app/manifests/docker", headers={"Accept": OCI})
    assert as_oci.headers["Content-Type"] == OCI and json.loads(as_oci.content)["layers"][0]["mediaType"] == (
        "application/vnd.oci.image.layer.v1.tar+gzip")
    assert digest_of(as_oci.content) != docker_digest
    # No conversion gives what the client asks for (Schema 1 is not converted to): the stored manifest.
    schema1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    assert endpoint.registry.call("GET", "/v2/app/manifests/docker", headers={"Accept": schema1}).content == (
        docker_stored)


def test_an_oci_image_with_layers_docker_cannot_name_is_not_converted(endpoint):
    """An uncompressed OCI layer (``...layer.v1.tar``) has no Docker V2 counterpart: the stored manifest."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("plain")
    endpoint.registry.push("app", image, "v1")
    got = endpoint.registry.call("GET", "/v2/app/manifests/v1", headers={"Accept": DOCKER_V2})
    head = endpoint.registry.call("HEAD", "/v2/app/manifests/v1", headers={"Accept": DOCKER_V2})
    assert (got.content, head.headers["Docker-Content-Digest"]) == (image.manifest, image.digest)


def test_a_blob_head_names_the_media_type_a_manifest_gave_it(endpoint):
    """argoproj-labs/argocd-image-updater#216: ECR's HEAD of a config blob answers its media type."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("typed")
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    config = json.loads(image.manifest)["config"]
    head = endpoint.registry.call("HEAD", f"/v2/app/blobs/{config['digest']}")
    assert head.status_code == 200 and head.headers["Content-Type"] == config["mediaType"]
    assert head.headers["Docker-Content-Digest"] == config["digest"]
    assert head.headers["Content-Length"] == str(config["size"])
