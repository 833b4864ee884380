"""Automatic deployments of ECR images: a push that moves the tag a service tracks starts a deployment.

App Runner learns of a push to the repository and tag a service with ``AutoDeploymentsEnabled`` tracks (same
account and region only: validation refuses the rest) and starts a ``START_DEPLOYMENT`` operation, exactly as
StartDeployment would: the service is ``OPERATION_IN_PROGRESS``, and when the operation completes the access
role is assumed and the pull authorized again (:func:`roles.deployment_failure`); a failure rolls the
operation back and the service keeps ``RUNNING`` the image it ran before.

Only a ``RUNNING`` service is redeployed; a push while another operation is in progress, or while the service
is paused, starts nothing (unverified: App Runner's behaviour then is not documented).  An identifier naming a
digest tracks no tag and is never redeployed.  App Runner sees a push through the access role: one that may not
call ``ecr:DescribeImages`` on the repository starts nothing (:func:`roles.push_seen`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.services.apprunner import lifecycle, roles
from mockrunner.services.ecr import core as ecr
from mockrunner.services.ecr import push as ecr_push

if TYPE_CHECKING:
    from mockrunner.model.apprunner import Service
    from mockrunner.model.ecr import Image, Repository
    from mockrunner.model.store import Store


def tracks(service: "Service", repo: "Repository", tag: str) -> bool:
    """Whether ``service`` deploys automatically from ``tag`` of ``repo``."""
    source = service.source_configuration or {}
    image = source.get("ImageRepository") or {}
    if not source.get("AutoDeploymentsEnabled") or image.get("ImageRepositoryType") != "ECR":
        return False
    ref = ecr.parse_image_identifier(image.get("ImageIdentifier", ""))
    return (ref is not None and ref.digest is None and ref.reference == tag
            and (ref.registry_id, ref.region, ref.repository) == (repo.registry_id, repo.region, repo.name))


def on_tag_moved(store: "Store", repo: "Repository", tag: str, image: "Image") -> None:
    account = store.account(repo.registry_id)
    if account is None:
        return
    state = lifecycle.ready_state(store, account, repo.region)
    now = store.clock.now()
    for service in list(state.services.values()):
        if service.status == "RUNNING" and service.image_digest != image.digest and tracks(service, repo, tag) \
                and roles.push_seen(store, service, repo):
            lifecycle.start_service_operation(store, state, service, "START_DEPLOYMENT", now,
                                              lifecycle.snapshot_configuration(service))


ecr_push.TAG_LISTENERS.append(on_tag_moved)
