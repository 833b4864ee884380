"""An attacker's fifteenth pass: state integrity rather than the edge of the protocol — changes of several things
that fail half-way, requests racing on one entity, entities deleted while others still name them, the clock moved
by the admin API, and ``--state-file`` (what the file holds after each of these must be what the API shows).  Real
clients throughout: boto3 in both modes, ``requests`` and the in-process WSGI client for the registry API.

Findings (each has a test here that failed before its fix):

* The registry's ``POST /v2/<name>/blobs/uploads/`` (the first request of ``docker push``), when a
  ``CREATE_ON_PUSH`` creation template covers the name, created the repository and answered 202 without saving:
  with ``--state-file`` the repository was visible to every API call at once but not on disk (a restart lost it,
  and the upload it had started then belonged to nothing), and a save that could not be written was not refused.
  ECR's own ``InitiateLayerUpload``, the mount and the monolithic upload were saved; the plain upload now is too.
"""
from __future__ import annotations

import errno
import os
from collections.abc import Iterator

import pytest
import requests

from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.persistence import decode_file
from tests.harness import MODES, Harness

NO_SPACE = os.strerror(errno.ENOSPC)


@pytest.fixture(params=MODES)
def durable(request, tmp_path) -> Iterator[Harness]:
    """A harness (both modes) saving to a state file in ``tmp_path``."""
    harness = Harness(request.param, Settings(log_requests=False, operation_delay=0,
                                              state_file=str(tmp_path / "state.bin")))
    yield harness
    harness.close()


def _on_disk(harness: Harness) -> dict:
    path = harness.app.state_file.path
    with open(path, "rb") as handle:
        return decode_file(handle.read(), path)["state"]


def _repositories(state: dict) -> list[str]:
    return sorted(name for account in state["accounts"].values() for region in account["regions"].values()
                  for name in region["ecr"]["repositories"])


def _registry_post(harness: Harness, path: str) -> int:
    """The status of an authenticated registry ``POST`` (a real socket in server mode, the WSGI app in-process)."""
    token = harness.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    headers = {"Authorization": f"Basic {token}"}
    if harness.server is not None:
        return requests.post(f"{harness.endpoint_url}{path}", headers=headers, timeout=30).status_code
    return harness.app.test_client().post(path, headers=headers).status_code


def _full_disk(fd: int, data: memoryview) -> int:
    raise OSError(errno.ENOSPC, NO_SPACE)


# ------------------------------------------------------------------------------------------------ create on push
def test_a_repository_the_registry_creates_on_push_is_on_disk_before_the_push_is_answered(durable):
    ecr = durable.client("ecr")
    ecr.create_repository_creation_template(prefix="auto", appliedFor=["CREATE_ON_PUSH"])
    assert _registry_post(durable, "/v2/auto/app/blobs/uploads/") == 202
    shown = [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
    assert shown == ["auto/app"]
    assert _repositories(_on_disk(durable)) == ["auto/app"], "acknowledged and shown, but not on disk"


def test_a_repository_created_on_push_that_cannot_be_saved_is_refused_and_undone(durable):
    ecr = durable.client("ecr")
    ecr.create_repository_creation_template(prefix="auto", appliedFor=["CREATE_ON_PUSH"])
    durable.app.state_file.write = _full_disk
    assert _registry_post(durable, "/v2/auto/app/blobs/uploads/") == 500
    durable.app.state_file.write = os.write
    assert ecr.describe_repositories()["repositories"] == []
    assert _repositories(_on_disk(durable)) == []
    assert snapshot.export_state(durable.store)["state"]["accounts"].keys() == _on_disk(durable)["accounts"].keys()
