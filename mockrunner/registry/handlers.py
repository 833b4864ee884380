"""The routes of the registry endpoint and the ECR actions each is authorized as (ECR's own mapping).

======================================  =====================================================================
``GET /v2/``                            authentication only
``GET /v2/_catalog``                    ``ecr:DescribeRepositories``
``GET /v2/<name>/tags/list``            ``ecr:ListImages``
``HEAD|GET /v2/<name>/manifests/<ref>`` ``ecr:BatchGetImage`` (by tag, in a format the client's Accept takes)
``PUT /v2/<name>/manifests/<ref>``      ``ecr:PutImage``
``DELETE /v2/<name>/manifests/<ref>``   ``ecr:BatchDeleteImage`` (by digest the image, by tag the tag)
``GET /v2/<name>/referrers/<digest>``   ``ecr:BatchGetImage`` (OCI 1.1 referrers API, ``?artifactType=``)
``HEAD /v2/<name>/blobs/<digest>``      ``ecr:BatchCheckLayerAvailability``
``GET /v2/<name>/blobs/<digest>``       ``ecr:GetDownloadUrlForLayer`` (or a GetDownloadUrlForLayer URL)
``POST /v2/<name>/blobs/uploads/``      ``ecr:InitiateLayerUpload`` (monolithic ``?digest=``: all three)
``PATCH .../blobs/uploads/<id>``        ``ecr:UploadLayerPart``
``PUT .../blobs/uploads/<id>?digest=``  ``ecr:CompleteLayerUpload`` (and ``ecr:UploadLayerPart`` with a body)
``GET|DELETE .../blobs/uploads/<id>``   ``ecr:UploadLayerPart``
======================================  =====================================================================

Mutations run under the store lock (:meth:`RegistryRequest.locked`: a fault undoes them) and are saved before the
answer; a body is streamed into the blob store
outside the lock (the upload itself serializes its appends).
"""
from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from mockrunner.errors import ServiceError
from mockrunner.model import blobs, manifest_formats
from mockrunner.model.ecr import Image, Repository
from mockrunner.numerals import is_decimal
from mockrunner.persistence import StateNotSavedError
from mockrunner.registry.errors import RegistryError, from_service_error
from mockrunner.registry.request import RegistryRequest
from mockrunner.services.ecr import core as ecr
from mockrunner.services.ecr import images as ecr_images
from mockrunner.services.ecr import push as ecr_push
from mockrunner.services.ecr import storage as ecr_storage

MANIFEST_LIMIT = 4 * 1024 * 1024
"""ECR's largest image manifest (``imageManifest`` is at most 4,194,304 characters in botocore's model)."""
CATALOG_LIMIT = 1000
"""``_catalog?n=`` is DescribeRepositories' maxResults (go-containerregistry#1091: n=10000 is refused)."""
TAGS_LIMIT = 1000
"""``tags/list?n=`` is ListImages' maxResults: ECR refuses n=10000 with the same answer
(google/go-containerregistry#681, renovatebot/renovate#3800, andrey-pohilko/registry-cli#79)."""
TAGS_PAGE = 100
"""Tags in one ``tags/list`` page when the request gives no ``n``: ECR answers 100 and a ``Link`` to the rest
(genuinetools/reg#206, "AWS ECR limits this to 100 results and returns the next url in the response header";
docker-archive/migrator#96; deitch/docker_registry2#34 quotes the answer, its ``Link`` without ``n``)."""
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\Z")
_NAME = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\Z")
_ROUTE = re.compile(r"^/v2/(?P<name>.+?)/(?:blobs/uploads(?:/(?P<upload>[^/]*))?"
                    r"|(?P<kind>manifests|blobs|referrers)/(?P<ref>[^/]+)|(?P<tags>tags/list))\Z")
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
"""The digest algorithms of the OCI image spec and their hex lengths: ECR computes sha256 only, so a well-formed
digest of another algorithm names nothing in it (a read answers "unknown"), and a push under one is refused."""
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Iterable[bytes] = ()


def route(request: RegistryRequest) -> Reply:
    """Answer one authenticated request (or a GetDownloadUrlForLayer URL, which needs no credentials)."""
    path = request.path
    if path in ("/v2", "/v2/"):
        return _json(200, {})
    if path == "/v2/_catalog":
        if request.method not in _READS:
            raise _unsupported()
        return catalog(request)
    match = _ROUTE.match(path)
    if match is None:
        raise RegistryError(404, "NAME_UNKNOWN", "repository name not known to registry")
    name = match.group("name")
    if not _NAME.match(name) or len(name) > 256:
        raise RegistryError(400, "NAME_INVALID", "invalid repository name")
    if match.group("tags"):
        handler: Callable | None = tags_list if request.method in _READS else None
        args: tuple = (name,)
    elif match.group("kind"):
        handler, args = _METHODS[match.group("kind")].get(request.method), (name, match.group("ref"))
    else:
        upload = match.group("upload") or ""
        handler, args = _UPLOAD_METHODS.get((request.method, bool(upload))), (name, upload)
    if handler is None:
        raise _unsupported()
    return handler(request, *args)


_READS = ("GET", "HEAD")
"""The methods ``_catalog`` and ``tags/list`` answer (the distribution spec defines GET; HEAD answers its headers)."""


def _unsupported() -> RegistryError:
    """A method a route does not take (distribution answers it 405 too)."""
    return RegistryError(405, "UNSUPPORTED", "The operation is unsupported.")


def is_download_url(request: RegistryRequest) -> bool:
    return request.method in ("GET", "HEAD") and "signature" in request.query and "/blobs/" in request.path


# ------------------------------------------------------------------------------------------------ listing
def catalog(request: RegistryRequest) -> Reply:
    size = _page_size(request, CATALOG_LIMIT)
    with request.locked():
        request.authorize_checks([ecr.listing_check(request.ctx, request.registry_id)])
        account = request.store.account(request.registry_id)
        state = account.regions.get(request.region) if account is not None else None
        names = sorted(state.ecr.repositories) if state is not None else []
    return _paged(request, "/v2/_catalog", "repositories", names, size, {})


def tags_list(request: RegistryRequest, name: str) -> Reply:
    size = _page_size(request, TAGS_LIMIT)
    stated = size is not None
    with request.locked():
        request.authorize(name, "ecr:ListImages")
        repo = request.repository(name)
        # ListImages' default, ACTIVE images only: an archived (or still restoring) image's tag cannot be pulled
        tags = sorted(tag for image in repo.images.values() if image.pullable for tag in image.tags)
    return _paged(request, f"/v2/{name}/tags/list", "tags", tags, size if stated else TAGS_PAGE, {"name": name},
                  _TAG_LIST_FORM, stated)


def _page_size(request: RegistryRequest, limit: int | None) -> int | None:
    text = request.query.get("n")
    if text is None:
        return None
    if not is_decimal(text) or int(text) < 1:
        raise RegistryError(400, "UNSUPPORTED", "Invalid parameter at 'maxResults' failed to satisfy constraint: "
                            "'Member must have value greater than or equal to 1'")
    if limit is not None and int(text) > limit:
        # go-containerregistry#1091 quotes ECR's answer to n=10000.
        raise RegistryError(400, "UNSUPPORTED", "Invalid parameter at 'maxResults' failed to satisfy constraint: "
                            f"'Member must have value less than or equal to {limit}'")
    return int(text)


_TAG_LIST_FORM = ("text/plain; charset=utf-8", (",", ":"))
"""ECR answers ``tags/list`` as compact JSON labelled ``text/plain; charset=utf-8``: recorded from AWS three times
(radkawar/stackd ``testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-resume-*.json`` "registry_tags",
2026-09-26).  The order of the tags differed between those captures (pushed first, then last); it stays sorted."""
_JSON_FORM = ("application/json; charset=utf-8", None)


def _paged(request: RegistryRequest, path: str, key: str, items: list[str], size: int | None, extra: dict,
           form: tuple[str, tuple[str, str] | None] = _JSON_FORM, stated: bool = True) -> Reply:
    """One page of ``items`` under ``key`` (with ``extra``), in ``form`` (content type, JSON separators); the next
    page's ``Link`` repeats the page size only when the request ``stated`` it."""
    last = request.query.get("last")
    if last:
        items = [item for item in items if item > last]
    headers = {}
    if size is not None and len(items) > size:
        items = items[:size]
        page = f"n={size}&" if stated else ""
        headers["Link"] = f'<{path}?{page}last={quote(items[-1])}>; rel="next"'
    reply = _json(200, {**extra, key: items}, *form)
    reply.headers.update(headers)
    return reply


def _check_digest(digest: str) -> None:
    """A digest a read names must be well formed (400 DIGEST_INVALID otherwise); sha256 or not, it may name nothing."""
    algorithm, _, hex_part = digest.partition(":")
    if len(hex_part) != _DIGEST_LENGTHS.get(algorithm) or not all(c in "0123456789abcdef" for c in hex_part):
        raise RegistryError(400, "DIGEST_INVALID", "provided digest did not match uploaded content", detail=digest)


# ------------------------------------------------------------------------------------------------ manifests
def _image(repo: Repository, reference: str) -> Image:
    if ":" in reference:
        _check_digest(reference)
        image = repo.images.get(reference)
    else:
        image = repo.image_by_tag(reference)
    if image is None or image.manifest is None:
        raise _manifest_unknown()
    return image


def _pullable_image(repo: Repository, reference: str) -> Image:
    """The image a pull names: an archived one is not found ("Requests to pull the archived image will fail with a
    404 error", ECR User Guide, "Archiving an image")."""
    image = _image(repo, reference)
    if not image.pullable:
        raise _manifest_unknown()
    return image


def _manifest_unknown() -> RegistryError:
    return RegistryError(404, "MANIFEST_UNKNOWN", "Requested image not found")


def get_manifest(request: RegistryRequest, name: str, reference: str) -> Reply:
    with request.locked():
        request.authorize(name, "ecr:BatchGetImage")
        repo = request.repository(name)
        image = _pullable_image(repo, reference)
        if request.method == "GET" and ecr_images.record_pull(request.store, repo, image, request.ctx.caller):
            request.save()
        media_type, text, digest = image.media_type, image.manifest, image.digest
    # Converted (up to 4 MiB of JSON read and written again: 150 ms) once the lock is let go, from the text taken
    # under it: a reader pulling one large manifest by tag in the other format held every other request up.
    converted = None if ":" in reference else manifest_formats.for_client(media_type, text,
                                                                         request.headers.get("accept"))
    if converted is not None:
        media_type, text = converted
        digest = ecr.manifest_digest(text)
    body = text.encode("utf-8")
    headers = {"Content-Type": media_type, "Content-Length": str(len(body)), "ETag": f'"{digest}"'}
    if request.method == "HEAD":
        # ECR names the digest on a HEAD only: its GET answer has none (recorded from AWS, radkawar/stackd
        # "current_policy_existing_token_*"; aws/containers-roadmap#1931, distribution/distribution#3792,
        # ChangemakerStudios/Docker.Registry.DotNet#34), so a client reads it from a HEAD or hashes the body.
        headers["Docker-Content-Digest"] = digest
    return Reply(200, headers, [body] if request.method == "GET" else [])


def put_manifest(request: RegistryRequest, name: str, reference: str) -> Reply:
    digest, tag = (reference, None) if ":" in reference else (None, reference)
    if tag is not None and not _TAG.match(tag):
        raise RegistryError(400, "TAG_INVALID", "manifest tag did not match URI")
    if digest is not None and not ecr_push.is_sha256(digest):
        raise RegistryError(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
    with request.locked():
        request.authorize(name, "ecr:PutImage")
        authorized = ecr_push.upload_owner(request.repository(name))
    data = request.body(MANIFEST_LIMIT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise from_service_error(ecr_images.invalid_json()) from None
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip() or None
    reading = ecr_images.read_manifest(text, media_type)  # parsed and hashed before the lock, as it arrived
    with request.locked():
        # The body arrived outside the lock: the image goes only into the repository the push was authorized on,
        # never into a namesake created meanwhile (its policy and tags were never checked).
        repo = request.repository(name, authorized)
        try:
            image = ecr_images.store_image(request.ctx, repo, text, media_type, tag, digest, reading)
        except ServiceError as error:
            if error.code != "ImageAlreadyExistsException":
                raise from_service_error(error) from None
            image = repo.images[reading.digest]  # a re-push of the same image succeeds
        request.save()
    headers = {"Location": f"/v2/{name}/manifests/{image.digest}", "Docker-Content-Digest": image.digest,
               "Content-Length": "0"}
    if ecr_images.is_digest(image.subject_digest):  # not one PutImage would refuse (a state imported with one)
        headers["OCI-Subject"] = image.subject_digest  # this registry serves the referrers API
    return Reply(201, headers)


def delete_manifest(request: RegistryRequest, name: str, reference: str) -> Reply:
    """202: by digest the image and its tags are deleted, by tag the tag (the image going with its last tag); 405
    ``UNSUPPORTED`` when that would delete an image a manifest list of the repository names."""
    with request.locked():
        request.authorize(name, "ecr:BatchDeleteImage")
        repo = request.repository(name)
        image = _image(repo, reference)
        tag = None if ":" in reference else reference
        refusal = ecr_images.deletion_refusal(repo, image, tag)
        if refusal is not None:
            raise RegistryError(405, "UNSUPPORTED", refusal)
        ecr_images.delete_image(request.ctx, repo, image, tag)
        ecr_push.collect_garbage(request.store)
        request.save()
    return Reply(202, {"Content-Length": "0"})


def referrers(request: RegistryRequest, name: str, subject: str) -> Reply:
    """The OCI 1.1 referrers API: an image index of the repository's manifests whose ``subject`` is ``subject``
    (an empty one when there are none), filtered by ``?artifactType=``."""
    _check_digest(subject)
    wanted = request.query.get("artifactType")
    with request.locked():
        request.authorize(name, "ecr:BatchGetImage")
        found = [replace(image) for image in
                 ecr_storage.referrers(request.repository(name), subject, [wanted] if wanted else None)]
    # Each descriptor's annotations are read from its manifest (up to 4 MiB each) outside the lock, from copies
    # taken under it: 30 manifests of 2.7 MB held every other request up 1.4 s.
    manifests = [_descriptor(image) for image in found]
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).encode()
    headers = {"Content-Type": OCI_INDEX, "Content-Length": str(len(body))}
    if wanted:
        headers["OCI-Filters-Applied"] = "artifactType"
    return Reply(200, headers, [body])


def _descriptor(image: Image) -> dict:
    """An image as a descriptor of a referrers index: its manifest's media type, digest and size, artifact type
    and annotations."""
    text = image.manifest or ""
    descriptor: dict = {"mediaType": image.media_type, "digest": image.digest, "size": len(text.encode("utf-8"))}
    if image.artifact_media_type:
        descriptor["artifactType"] = image.artifact_media_type
    annotations = ecr_storage.annotations(image)
    if annotations:
        descriptor["annotations"] = annotations
    return descriptor


# ------------------------------------------------------------------------------------------------ blobs
def head_or_get_blob(request: RegistryRequest, name: str, digest: str) -> Reply:
    """HEAD: 200 with the blob's size and digest.  GET: 307 to a download URL of this server (ECR redirects a layer
    download to a presigned S3 URL; the URL needs no credentials, as that one needs none)."""
    _check_digest(digest)
    action = "ecr:GetDownloadUrlForLayer" if request.method == "GET" else "ecr:BatchCheckLayerAvailability"
    with request.locked():
        request.authorize(name, action)
        repo = request.repository(name)
        layer = ecr_push.available_layer(request.store, repo, digest)
        if layer is None:
            raise RegistryError(404, "BLOB_UNKNOWN", "blob unknown to registry", detail=digest)
        if request.method == "GET":
            return Reply(307, {"Location": ecr_push.download_url(request.ctx, repo, digest), "Content-Length": "0"})
    # ECR's HEAD names the blob's media type as a manifest declared it (argoproj-labs/argocd-image-updater#216:
    # a config blob answered "Content-Type: application/vnd.docker.container.image.v1+json").
    return _blob_reply(request, digest, layer.size, layer.media_type)


def download(request: RegistryRequest) -> Reply:
    """A GetDownloadUrlForLayer URL: its signature and expiry are the credentials."""
    match = _ROUTE.match(request.path)
    query = request.query
    digest = match.group("ref") if match and match.group("kind") == "blobs" else ""
    try:
        key = (query["registryId"], query["region"], match.group("name") if match else "")
        expires = int(query["expires"])
    except (KeyError, ValueError):
        raise RegistryError(403, "DENIED", "Request has expired or its signature is invalid") from None
    expected = ecr_push.download_signature(request.store, key, digest, expires)
    given = query.get("signature", "").encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode(), given) or request.store.clock.now().timestamp() >= expires:
        raise RegistryError(403, "DENIED", "Request has expired or its signature is invalid")
    size = request.store.blobs.size(digest)
    if size is None:
        raise RegistryError(404, "BLOB_UNKNOWN", "blob unknown to registry", detail=digest)
    try:
        return _blob_reply(request, digest, size, ranged=True)
    except _Unsatisfiable:
        return _invalid_range(request, size)


def _blob_reply(request: RegistryRequest, digest: str, size: int, media_type: str | None = None,
                ranged: bool = False) -> Reply:
    """The blob's headers, and for a GET its bytes; a ``Range`` is read only when ``ranged`` (the download URL,
    which stands for S3: its HeadObject takes one too) or for a GET, the one method RFC 9110 section 14.2 defines
    range handling for (a server MUST ignore it on others: a HEAD over ``/v2/`` answers the blob's size, as the
    distribution spec's HEAD does)."""
    # A media type PutImage would refuse (state imported with one) is not named: it may not even be a header value.
    shown = media_type if ecr_images.is_media_type(media_type) else "application/octet-stream"
    headers = {"Content-Type": shown, "Docker-Content-Digest": digest,
               "Accept-Ranges": "bytes", "ETag": f'"{digest}"'}
    start, end, status = 0, size, 200
    wanted = _range(request.headers.get("range"), size) if ranged or request.method == "GET" else None
    if wanted is not None:
        start, end, status = wanted[0], wanted[1], 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Reply(status, headers)
    try:
        return Reply(status, headers, request.store.blobs.read(digest, start, end))
    except KeyError:
        raise RegistryError(404, "BLOB_UNKNOWN", "blob unknown to registry", detail=digest) from None


class _Unsatisfiable(Exception):
    """A range outside the blob (416)."""


def _invalid_range(request: RegistryRequest, size: int) -> Reply:
    """S3's answer to a range outside the object: 416 and its XML error ``InvalidRange`` naming the range and the
    object's size (getmoto/moto ``moto/s3/exceptions.py``, minio/minio ``cmd/api-errors.go``), with the
    ``Content-Range: bytes */<size>`` RFC 9110 section 15.5.17 asks for; a HEAD gets its headers."""
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRange</Code>'
            "<Message>The requested range is not satisfiable</Message>"
            f"<RangeRequested>{xml_escape(request.headers.get('range', ''))}</RangeRequested>"
            f"<ActualObjectSize>{size}</ActualObjectSize><RequestId>{secrets.token_hex(8).upper()}</RequestId>"
            f"<HostId>{base64.b64encode(secrets.token_bytes(56)).decode()}</HostId></Error>").encode()
    headers = {"Content-Type": "application/xml", "Content-Range": f"bytes */{size}",
               "Content-Length": str(len(body))}
    return Reply(416, headers, [] if request.method == "HEAD" else [body])


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` (the last n bytes) as ``[start, end)``; a range outside the
    blob is :class:`_Unsatisfiable` (416); anything else (several ranges, a last byte before the first) the whole
    blob."""
    if not header or not header.startswith("bytes="):
        return None
    first, _, last = header[6:].strip().partition("-")
    if first == "" and is_decimal(last):
        start, end = max(size - int(last), 0), (size if int(last) else 0)
    elif is_decimal(first) and (last == "" or is_decimal(last)):
        start, end = int(first), (int(last) + 1 if last else size)
        if last and end <= start:
            return None  # last < first: an invalid range-spec, ignored (RFC 9110 14.1.1, 14.2; S3 sends it all)
    else:
        return None
    if start >= size or end <= start:
        raise _Unsatisfiable
    return start, min(end, size)


# ------------------------------------------------------------------------------------------------ uploads
def start_upload(request: RegistryRequest, name: str, _upload: str) -> Reply:
    """POST: a new upload (202), a monolithic upload with ``?digest=`` (201), or a mount (201, else a new upload)."""
    digest = request.query.get("digest")
    actions = ["ecr:InitiateLayerUpload"]
    if digest is not None:
        actions += ["ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]
    with request.locked():
        request.authorize(name, *actions)
        created = ecr.find_repository(request.store, request.registry_id, request.region, name) is None
        repo = request.repository_for_push(name)
        mounted = _mount(request, repo)
        if mounted is not None:
            request.save()
            return mounted
        try:
            upload = ecr_push.start_upload(request.store, repo)
        except ServiceError as error:
            raise from_service_error(error) from None
        if created:  # a CREATE_ON_PUSH template made the repository: durable before the push hears of it
            try:
                request.save()
            except StateNotSavedError:
                request.store.blobs.cancel(upload.id)
                raise
    if digest is not None:
        # A monolithic upload refused (a digest not sha256 or not the bytes', a body cut short or too large) leaves
        # no upload behind: its client never learns the id, and each kept one counted towards MAX_UPLOADS for a week.
        try:
            return _finish(request, name, upload.id, digest, request.body_chunks(), started=True)
        except BaseException:
            request.store.blobs.cancel(upload.id)
            raise
    return _upload_reply(202, name, upload.id, 0)


def _mount(request: RegistryRequest, repo: Repository) -> Reply | None:
    """``?mount=<digest>&from=<repository>``: ECR mounts a blob of another repository of the same registry when
    blob mounting is enabled (account setting ``BLOB_MOUNTING``), the caller may ``ecr:GetDownloadUrlForLayer``
    there, an image there refers to it and both repositories use the same encryption; otherwise the client gets
    a new upload, as the OCI spec prescribes (ECR User Guide, "Blob mounting"; aws/containers-roadmap#2860)."""
    digest, source_name = request.query.get("mount"), request.query.get("from")
    if not digest or not source_name or not ecr_push.is_sha256(digest):
        return None
    state = request.store.account(request.registry_id).region(request.region).ecr
    source = state.repositories.get(source_name)
    if state.account_settings.get("BLOB_MOUNTING") != "ENABLED" or source is None:
        return None
    if (source.encryption_type, source.kms_key) != (repo.encryption_type, repo.kms_key):
        return None
    layer = ecr_push.available_layer(request.store, source, digest)
    if layer is None or not ecr_push.referenced_by_an_image(source, digest):
        return None
    try:
        request.authorize(source_name, "ecr:GetDownloadUrlForLayer")
    except RegistryError:
        return None
    ecr_push.add_layer(repo, digest, layer.size, request.store.clock.now(), layer.media_type)
    return Reply(201, {"Location": f"/v2/{repo.name}/blobs/{digest}", "Docker-Content-Digest": digest,
                       "Content-Length": "0"})


def patch_upload(request: RegistryRequest, name: str, upload_id: str) -> Reply:
    with request.locked():
        request.authorize(name, "ecr:UploadLayerPart")
        repo = request.repository(name)
        upload = _upload(request, repo, upload_id)
    announced = _content_range(request, upload.size)
    size = _append(request, repo, upload_id, announced[0] if announced else None, _body(request, announced))
    # ECR answers a chunk 201, not the spec's 202 (dotnet/sdk-container-builds#279, by AWS's .NET SDK team after
    # debugging with the ECR team; openai/tart#273, jdx/mise#11376, aws/containers-roadmap#2831).
    return _upload_reply(201, name, upload_id, size)


def put_upload(request: RegistryRequest, name: str, upload_id: str) -> Reply:
    """The closing PUT, with the last chunk or none; a ``Content-Range`` it sends must start where the upload ends."""
    digest = request.query.get("digest", "")
    announced = None
    if request.headers.get("content-range"):
        with request.locked():
            request.authorize(name, "ecr:UploadLayerPart")
            announced = _content_range(request, _upload(request, request.repository(name), upload_id).size)
    return _finish(request, name, upload_id, digest, _body(request, announced), announced[0] if announced else None)


def _finish(request: RegistryRequest, name: str, upload_id: str, digest: str, chunks: Iterable[bytes],
            offset: int | None = None, started: bool = False) -> Reply:
    """The closing step of an upload (``started``: the one this request began).  All or nothing: when the change
    cannot be saved, the upload holds what it held before this request (the request's upload is dropped), so the
    same request can be sent again."""
    has_body = bool(request.content_length) or (request.content_length is None
                                                and bool(request.environ.get("wsgi.input_terminated")))
    actions = ["ecr:CompleteLayerUpload", *(["ecr:UploadLayerPart"] if has_body else [])]
    with request.locked():
        request.authorize(name, *actions)
        repo = request.repository(name)
        held = _upload(request, repo, upload_id).size
    if not ecr_push.is_sha256(digest):
        raise RegistryError(400, "DIGEST_INVALID", "provided digest did not match uploaded content", detail=digest)
    if has_body:
        _append(request, repo, upload_id, offset, chunks)
    with request.locked():
        repo = request.repository(name)
        try:
            # Chunks but the last of at least 5 MB, as through the API (dotnet/sdk-container-builds#279, #424).
            ecr_push.complete(request.store, repo, upload_id, digest, min_part=ecr_push.MIN_PART_SIZE)
        except ServiceError as error:
            if error.code != "LayerAlreadyExistsException":
                raise from_service_error(error) from None
        try:
            request.save()
        except StateNotSavedError:  # the save gave the upload back: as it was before this request, or gone
            if started:
                request.store.blobs.cancel(upload_id)
            else:
                request.store.blobs.rewind(upload_id, held)
            raise
    return Reply(201, {"Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest,
                       "Content-Length": "0"})


def upload_status(request: RegistryRequest, name: str, upload_id: str) -> Reply:
    with request.locked():
        request.authorize(name, "ecr:UploadLayerPart")
        upload = _upload(request, request.repository(name), upload_id)
    return _upload_reply(204, name, upload_id, upload.size)


def cancel_upload(request: RegistryRequest, name: str, upload_id: str) -> Reply:
    with request.locked():
        request.authorize(name, "ecr:UploadLayerPart")
        _upload(request, request.repository(name), upload_id)
        request.store.blobs.cancel(upload_id)
    return Reply(204)


def _upload(request: RegistryRequest, repo: Repository, upload_id: str) -> blobs.Upload:
    try:
        return ecr_push.upload_of(request.store, repo, upload_id)
    except ServiceError as error:
        raise from_service_error(error) from None


def _content_range(request: RegistryRequest, size: int) -> tuple[int, int] | None:
    """The offset and length a ``Content-Range: <start>-<end>`` announces (the offset must be where the upload
    ends; a ``Content-Length`` must be the length)."""
    header = request.headers.get("content-range")
    if not header:
        return None
    first, _, last = header.removeprefix("bytes ").removeprefix("bytes=").partition("-")
    if not is_decimal(first) or not is_decimal(last) or int(last) < int(first):
        raise RegistryError(416, "BLOB_UPLOAD_INVALID", "invalid content range",
                            headers={"Range": f"0-{max(size - 1, 0)}"})
    length = request.content_length
    if length is not None and int(last) - int(first) + 1 != length:
        raise RegistryError(400, "SIZE_INVALID", "provided length did not match content length")
    return int(first), int(last) - int(first) + 1


def _body(request: RegistryRequest, announced: tuple[int, int] | None) -> Iterable[bytes]:
    """The request's body; with a ``Content-Range`` (``announced``) but no ``Content-Length`` checked against it
    (a chunked body), bytes beyond or short of its length are 400 ``SIZE_INVALID`` (the part is not kept)."""
    if announced is None or request.content_length is not None:
        return request.body_chunks()
    return _exactly(request.body_chunks(), announced[1])


def _exactly(chunks: Iterable[bytes], length: int) -> Iterator[bytes]:
    read = 0
    for chunk in chunks:
        read += len(chunk)
        if read > length:
            break
        yield chunk
    if read != length:
        raise RegistryError(400, "SIZE_INVALID", "provided length did not match content length")


def _append(request: RegistryRequest, repo: Repository, upload_id: str, offset: int | None,
            chunks: Iterable[bytes] | None = None) -> int:
    try:
        return ecr_push.append(request.store, repo, upload_id, chunks or request.body_chunks(), offset,
                               length=request.content_length)
    except blobs.OffsetMismatch as mismatch:
        raise RegistryError(416, "BLOB_UPLOAD_INVALID", "invalid content range",
                            headers={"Range": f"0-{max(mismatch.size - 1, 0)}"}) from None
    except ServiceError as error:
        raise from_service_error(error) from None


def _upload_reply(status: int, name: str, upload_id: str, size: int) -> Reply:
    """Where an upload stands (201 after a chunk, as ECR answers it; 204 for its status)."""
    return Reply(status, {"Location": f"/v2/{name}/blobs/uploads/{upload_id}", "Docker-Upload-UUID": upload_id,
                          "Range": f"0-{max(size - 1, 0)}", "Content-Length": "0"})


def _json(status: int, document: dict, content_type: str = _JSON_FORM[0],
          separators: tuple[str, str] | None = None) -> Reply:
    body = json.dumps(document, separators=separators).encode()
    return Reply(status, {"Content-Type": content_type, "Content-Length": str(len(body))}, [body])


_METHODS: dict[str, dict[str, Callable]] = {
    "manifests": {"GET": get_manifest, "HEAD": get_manifest, "PUT": put_manifest, "DELETE": delete_manifest},
    "blobs": {"GET": head_or_get_blob, "HEAD": head_or_get_blob},
    "referrers": {"GET": referrers},
}
_UPLOAD_METHODS = {("POST", False): start_upload, ("PATCH", True): patch_upload, ("PUT", True): put_upload,
                   ("GET", True): upload_status, ("DELETE", True): cancel_upload}
