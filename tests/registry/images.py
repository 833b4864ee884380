"""Images a test builds itself, and the registry calls a client makes, for the registry endpoint's tests.

Images come from :mod:`mockrunner.testing.oci` (``build_image``, ``oci_layout``); :class:`Registry` speaks the
Docker Registry V2 API over real HTTP with ``requests``, authenticated with a token from ``GetAuthorizationToken``.
"""
from __future__ import annotations

import base64
import json
from typing import Any

import requests

from mockrunner.testing.oci import OCI_MANIFEST, Image, digest_of


def login_password(ecr: Any, **kwargs: Any) -> str:
    """What ``aws ecr get-login-password`` prints."""
    token = ecr.get_authorization_token(**kwargs)["authorizationData"][0]["authorizationToken"]
    user, _, password = base64.b64decode(token).decode().partition(":")
    assert user == "AWS"
    return password


def user_password(harness: Any, name: str, actions: list[str]) -> str:
    """The login password of a new IAM user ``name`` whose one policy allows ``actions`` on every resource."""
    iam = harness.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="registry", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return login_password(harness.client_for(key, "ecr"))


class Registry:
    """Raw registry calls against ``base`` (``http://127.0.0.1:PORT``) as ``AWS:<password>``."""

    def __init__(self, base: str, password: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if password is not None:
            self.session.auth = ("AWS", password)

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Redirects are followed (a blob GET is a 307 to its download URL), as clients follow them."""
        url = path if path.startswith("http") else self.base + path
        return self.session.request(method, url, timeout=30, **kwargs)

    def push_blob(self, repository: str, data: bytes) -> requests.Response:
        """Monolithic upload: POST then PUT with the digest."""
        started = self.call("POST", f"/v2/{repository}/blobs/uploads/")
        assert started.status_code == 202, started.text
        return self.call("PUT", started.headers["Location"], params={"digest": digest_of(data)}, data=data)

    def push(self, repository: str, image: Image, reference: str) -> requests.Response:
        for data in (image.layer, image.config):
            assert self.push_blob(repository, data).status_code == 201
        return self.put_manifest(repository, reference, image.manifest)

    def put_manifest(self, repository: str, reference: str, manifest: bytes,
                     media_type: str = OCI_MANIFEST) -> requests.Response:
        return self.call("PUT", f"/v2/{repository}/manifests/{reference}", data=manifest,
                         headers={"Content-Type": media_type})


def error_code(response: requests.Response) -> tuple[int, str, str]:
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error["message"]


EMPTY_CONFIG = b"{}"
"""The OCI empty descriptor's content (``application/vnd.oci.empty.v1+json``), an artifact's usual config."""


def artifact_of(subject: Image, artifact_type: str, layer: bytes, layer_type: str) -> bytes:
    """An OCI artifact manifest with one layer, the empty config and ``subject`` as its subject (a signature, an
    SBOM): the client pushes :data:`EMPTY_CONFIG` and ``layer`` first."""
    return json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest_of(EMPTY_CONFIG),
                   "size": len(EMPTY_CONFIG)},
        "layers": [{"mediaType": layer_type, "digest": digest_of(layer), "size": len(layer)}],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject.digest, "size": len(subject.manifest)}}).encode()
