"""The registry endpoint's answers to failures: Docker Registry HTTP API V2 / OCI Distribution JSON errors.

``{"errors": [{"code": ..., "message": ..., "detail": ...}]}``; ECR's own errors (raised by the code shared
with the JSON API) are translated by :data:`FROM_ECR`, keeping ECR's message, which is what ``docker push``
prints after the code (``tag invalid: The image tag 'v1' already exists in the 'app' repository ...``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from mockrunner.errors import ServiceError

API_VERSION_HEADER = ("Docker-Distribution-Api-Version", "registry/2.0")


@dataclass
class RegistryError(Exception):
    """One failure, as the registry answers it."""

    status: int
    code: str
    message: str
    detail: object = None
    headers: dict[str, str] = field(default_factory=dict)
    plain: bool = False
    """Answer ``message`` as text rather than JSON (ECR's 401 body is the text ``Not Authorized``)."""

    def body(self) -> bytes:
        if self.plain:
            return (self.message + "\n").encode()
        error: dict = {"code": self.code, "message": self.message}
        if self.detail is not None:
            error["detail"] = self.detail
        return json.dumps({"errors": [error]}).encode()

    @property
    def content_type(self) -> str:
        return "text/plain; charset=utf-8" if self.plain else "application/json; charset=utf-8"


FROM_ECR: dict[str, tuple[int, str]] = {
    "AccessDeniedException": (403, "DENIED"),
    "RepositoryNotFoundException": (404, "NAME_UNKNOWN"),
    "ImageNotFoundException": (404, "MANIFEST_UNKNOWN"),
    # A manifest naming layers the repository lacks: ECR's code is BLOB_UPLOAD_UNKNOWN (oras-project/oras-py#54);
    # an index naming images it lacks, MANIFEST_BLOB_UNKNOWN (int128/docker-manifest-create-action#63).
    "LayersNotFoundException": (400, "BLOB_UPLOAD_UNKNOWN"),
    "ReferencedImagesNotFoundException": (400, "MANIFEST_BLOB_UNKNOWN"),
    "ImageTagAlreadyExistsException": (400, "TAG_INVALID"),
    # A manifest PUT by a digest that is not the manifest's (google/go-containerregistry#1568: MANIFEST_INVALID).
    "ImageDigestDoesNotMatchException": (400, "MANIFEST_INVALID"),
    # Bytes that do not hash to the digest: BLOB_UPLOAD_INVALID (dotnet/sdk-container-builds#424, #472).
    "InvalidLayerException": (400, "BLOB_UPLOAD_INVALID"),
    "LayerPartTooSmallException": (400, "BLOB_UPLOAD_INVALID"),  # the registry's code for it: unverified
    # A manifest PutImage refuses: ECR's own 405 UNSUPPORTED (opcr-io/policy#149, oras#690, kaniko#2815).
    "InvalidParameterException": (405, "UNSUPPORTED"),
    "UploadNotFoundException": (404, "BLOB_UPLOAD_UNKNOWN"),
    "EmptyUploadException": (400, "BLOB_UPLOAD_INVALID"),
    "LimitExceededException": (429, "TOOMANYREQUESTS"),
}
"""ECR error code -> (HTTP status, registry error code)."""


def from_service_error(error: ServiceError) -> RegistryError:
    status, code = getattr(error, "registry_answer", None) or FROM_ECR.get(error.code, (500, "UNKNOWN"))
    return RegistryError(status, code, error.message)


def not_authorized(realm: str) -> RegistryError:
    """No or unusable credentials: 401 with the Basic challenge and ECR's plain-text body; the realm is written as
    an HTTP quoted-string (RFC 9110 section 5.6.4), whatever the ``Host`` it repeats holds."""
    quoted = realm.replace("\\", "\\\\").replace('"', '\\"')
    return RegistryError(401, "UNAUTHORIZED", "Not Authorized", plain=True,
                         headers={"WWW-Authenticate": f'Basic realm="{quoted}",service="ecr.amazonaws.com"'})


def token_expired() -> RegistryError:
    # What docker prints for an expired ECR token (aws/aws-cli#6580, pulumi/pulumi-docker-build#424: a 403).
    return RegistryError(403, "DENIED", "Your authorization token has expired. Reauthenticate and try again.")


def wrong_region(issued: str, named: str) -> RegistryError:
    """A token used at the registry of another region: ECR answers 400 Bad Request (reproduced by an AWS maintainer in
    aws/aws-cli#5317; aws/eks-anywhere#3919); the body is not public (the code and message here are unverified)."""
    return RegistryError(400, "DENIED", f"Your authorization token was issued for region {issued}, not {named}.")
