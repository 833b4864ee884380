"""Odd requests to the registry endpoint get a registry answer, never a 500, and change nothing."""
from __future__ import annotations

import itertools

PATHS = ["/v2", "/v2/_catalog", "/v2/app", "/v2/app/", "/v2/app/manifests/", "/v2/app/manifests/x:y",
         "/v2/app/manifests/sha256:", "/v2/app/blobs/", "/v2/app/blobs/uploads", "/v2/app/blobs/uploads/not-a-uuid",
         "/v2/APP/tags/list", "/v2/app/tags/list?n=abc", "/v2/_catalog?n=0", "/v2/%ff/tags/list",
         "/v2/app/blobs/sha256:" + "a" * 64 + "?signature=x&registryId=1&region=r&expires=zz",
         "/v2/app/manifests/" + "a" * 300]
METHODS = ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"]
BODIES = [(b"", {}), (b"\xff\xfe", {"Content-Range": "zz"}),
          (b"{}", {"Content-Type": "application/vnd.oci.image.index.v1+json", "Range": "bytes=9-1"})]


def test_no_request_is_a_500_or_a_change(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    statuses = set()
    for path, method, (body, headers) in itertools.product(PATHS, METHODS, BODIES):
        response = endpoint.registry.call(method, path, data=body, headers=headers)
        assert response.status_code < 500, (method, path, response.text)
        statuses.add(response.status_code)
    assert {400, 404, 405} <= statuses
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
    assert endpoint.harness.store.blobs.digests() == []
