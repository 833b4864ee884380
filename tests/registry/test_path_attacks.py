"""An attacker's names against the registry with blobs on disk (``--state-file``): dot segments, encoded slashes
and NUL bytes in repository names, digests, upload ids and tags never reach the file system, and manifests
nested too deeply for the parser are the refusal PutImage gives for any unparsable JSON, never a 500."""
from __future__ import annotations

import base64
import os
import socket

import pytest
from botocore.exceptions import ClientError

from tests.registry.images import error_code
from tests.registry.test_persistence import start

DIGEST = "sha256:" + "a" * 64
ESCAPES = ["../../state.json", "..%2f..%2fstate.json", "%2e%2e/%2e%2e/state.json", "/etc/passwd", "a%00b",
           "..", "%2e%2e", "sha256:..%2f..%2fstate.json", "sha256:" + "a" * 63 + "%00"]


def _raw(endpoint_url: str, password: str, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
    """One request with the target sent byte for byte (an HTTP library would resolve the dot segments first)."""
    host = endpoint_url.removeprefix("http://")
    authorization = base64.b64encode(f"AWS:{password}".encode()).decode()
    head = (f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {authorization}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", int(host.rsplit(":", 1)[1])), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def _tree(path) -> dict[str, bytes]:
    files = {}
    for folder, _, names in os.walk(path):
        for name in names:
            full = os.path.join(folder, name)
            with open(full, "rb") as handle:
                files[os.path.relpath(full, path)] = handle.read()
    return files


def test_names_digests_upload_ids_and_tags_never_reach_the_file_system(tmp_path):
    state = tmp_path / "data" / "state.json"
    state.parent.mkdir()
    (tmp_path / "state.json").write_bytes(b"outside")
    server, ecr, registry = start(state)
    try:
        ecr.create_repository(repositoryName="app")
        upload = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"].rsplit("/", 1)[1]
        before = _tree(tmp_path)
        password = registry.session.auth[1]
        targets = []
        for escape in ESCAPES:
            targets += [f"/v2/{escape}/manifests/latest", f"/v2/app/manifests/{escape}", f"/v2/app/blobs/{escape}",
                        f"/v2/app/blobs/uploads/{escape}?digest={DIGEST}", f"/v2/app/blobs/uploads/{upload}/{escape}",
                        f"/v2/app/referrers/{escape}", f"/v2/app/blobs/uploads/{escape}{upload}"]
        for target in targets:
            for method in ("GET", "PUT", "PATCH", "DELETE"):
                status, answer = _raw(server.endpoint_url, password, method, target, b"{}")
                assert 400 <= status < 500, (method, target, answer[:300])
        assert _tree(tmp_path) == before
        assert registry.call("DELETE", f"/v2/app/blobs/uploads/{upload}").status_code == 204
    finally:
        server.stop()


@pytest.mark.parametrize("manifest", [b"[" * 100_000 + b"]" * 100_000,
                                      b'{"schemaVersion": 2, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"])
def test_a_manifest_nested_deeper_than_the_parser_goes_is_invalid_json_not_a_500(endpoint, manifest):
    endpoint.ecr.create_repository(repositoryName="app")
    response = endpoint.registry.put_manifest("app", "deep", manifest)
    assert error_code(response) == (405, "UNSUPPORTED", "Invalid parameter at 'ImageManifest' failed to satisfy "
                                                        "constraint: 'Invalid JSON syntax'")
    with pytest.raises(ClientError) as refused:
        endpoint.ecr.put_image(repositoryName="app", imageManifest=manifest.decode(),
                               imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
