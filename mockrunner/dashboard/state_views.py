"""The store's state shaped for the dashboard's pages: plain dicts built under the store lock, rendered after."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockrunner.dashboard.policy_text import statement_blocks
from mockrunner.suggest import documents

if TYPE_CHECKING:
    from mockrunner.model.store import Store


def accounts(store: "Store") -> list[dict[str, Any]]:
    """Per account: its IAM users, groups, roles and customer managed policies, with every policy's text."""
    with store.lock:
        return [_account(store, account) for _, account in sorted(store.accounts.items())]


def _account(store: "Store", account: Any) -> dict[str, Any]:
    iam = account.iam
    users = [{"name": user.name, "arn": user.arn, "groups": [g.name for g in iam.groups_of(user.name)],
              "tags": dict(user.tags), **_policies(store, user)} for user in iam.users.values()]
    groups = [{"name": group.name, "arn": group.arn, "members": list(group.users), **_policies(store, group)}
              for group in iam.groups.values()]
    roles = [{"name": role.name, "arn": role.arn, "serviceLinked": role.service_linked,
              "trust": statement_blocks(role.assume_role_policy), **_policies(store, role)}
             for role in iam.roles.values()]
    managed = [{"name": policy.name, "arn": arn, "version": policy.default_version_id,
                **statement_blocks(policy.default_document)} for arn, policy in iam.policies.items()]
    return {"id": account.id, "users": users, "groups": groups, "roles": roles, "managed": managed}


def _policies(store: "Store", entity: Any) -> dict[str, Any]:
    boundary = getattr(entity, "permissions_boundary", None)
    found = documents.managed(store, boundary) if boundary else None
    return {
        "inline": [{"name": name, **statement_blocks(text)} for name, text in entity.inline_policies.items()],
        "attached": [{"arn": arn, **statement_blocks(_managed_text(store, arn))} for arn in entity.attached_policies],
        "boundary": {"arn": boundary, **statement_blocks(found.text if found else None)} if boundary else None,
    }


def _managed_text(store: "Store", arn: str) -> str | None:
    found = documents.managed(store, arn)
    return found.text if found is not None else None


def apprunner(store: "Store") -> list[dict[str, Any]]:
    """Per account and region: services (status, operations timeline, failure reason, configuration revision) and
    auto scaling configuration revisions."""
    regions = []
    with store.lock:
        for account_id, account in sorted(store.accounts.items()):
            for region, state in sorted(account.regions.items()):
                apprunner_state = state.apprunner
                services = [_service(service) for service in apprunner_state.services.values()]
                configurations = [
                    {"name": c.name, "revision": c.revision, "status": c.status, "latest": c.latest, "arn": c.arn,
                     "maxConcurrency": c.max_concurrency, "minSize": c.min_size, "maxSize": c.max_size}
                    for c in apprunner_state.auto_scaling_configurations.values()]
                if services or configurations:
                    regions.append({"account": account_id, "region": region, "services": services,
                                    "configurations": configurations})
    return regions


def _service(service: Any) -> dict[str, Any]:
    source = service.source_configuration or {}
    image = (source.get("ImageRepository") or {}).get("ImageIdentifier")
    code = (source.get("CodeRepository") or {}).get("RepositoryUrl")
    return {
        "name": service.name, "arn": service.arn, "status": service.status, "url": service.url,
        "source": image or code or "", "accessRole": (source.get("AuthenticationConfiguration") or {}).get(
            "AccessRoleArn"), "instanceRole": (service.instance_configuration or {}).get("InstanceRoleArn"),
        "createdAt": service.created_at.isoformat(), "updatedAt": service.updated_at.isoformat(),
        "failureReason": service.failure_reason, "autoScaling": service.auto_scaling_configuration_arn,
        "operations": [{"id": op.id, "type": op.type, "status": op.status, "startedAt": op.started_at.isoformat(),
                        "endedAt": op.ended_at.isoformat() if op.ended_at else None,
                        "failureReason": op.failure_reason} for op in service.operations],
    }


def ecr(store: "Store") -> list[dict[str, Any]]:
    """Every ECR repository with its images (newest first)."""
    repositories = []
    with store.lock:
        for account_id, account in sorted(store.accounts.items()):
            for region, state in sorted(account.regions.items()):
                for repository in state.ecr.repositories.values():
                    images = [{"digest": image.digest, "tags": list(image.tags), "size": image.size,
                               "pushedAt": image.pushed_at.isoformat(), "mediaType": image.media_type}
                              for image in reversed(list(repository.images.values()))]
                    repositories.append({
                        "account": account_id, "region": region, "name": repository.name, "uri": repository.uri,
                        "arn": repository.arn, "createdAt": repository.created_at.isoformat(),
                        "mutability": repository.image_tag_mutability, "images": images,
                        "policy": statement_blocks(repository.policy_text) if repository.policy_text else None})
    return repositories
