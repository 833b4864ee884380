"""The store's state shaped for the dashboard's pages: plain dicts built under the store lock, rendered after."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mockrunner.arns import split_arn
from mockrunner.dashboard import paging
from mockrunner.dashboard.policy_text import statement_blocks
from mockrunner.services.registry import run_clock_hooks
from mockrunner.suggest import documents

if TYPE_CHECKING:
    from mockrunner.model.store import Store


MEMBERS_SHOWN = 20
_VIEWS = "dashboard-iam"


def accounts(store: "Store", args: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per account, a window of each IAM list (:data:`IAM_LISTS`: users, groups, roles, customer managed
    policies, by name) with every shown entity's policy texts; ``args`` holds each list's page (``users-<account
    id>=2``).  Only the shown entities are shaped: a page costs its rows plus, once per change of the account's
    IAM state, sorting the lists."""
    with store.lock:
        return [_account(store, account, args) for _, account in sorted(store.accounts.items())]


def _account(store: "Store", account: Any, args: Mapping[str, str]) -> dict[str, Any]:
    lists = {}
    for name, (one, noun), entities, shape in IAM_LISTS:
        ordered = _by_name(store, account, name, entities)
        shown = paging.window(args, f"{name}-{account.id}", len(ordered))
        lists[name] = {"one": one, "noun": noun, "window": shown,
                       "rows": [shape(store, account, entity) for entity in shown.of(ordered)]}
    return {"id": account.id, **lists}


def _by_name(store: "Store", account: Any, name: str, entities: Callable[[Any], Mapping[str, Any]]) -> list:
    """The account's entities of one list, by name as IAM's List* calls order them (cached per IAM version)."""
    iam = account.iam
    return store.derived(_VIEWS, 256).get((account.id, name), iam.version, lambda: sorted(
        entities(iam).values(), key=lambda entity: (entity.name.lower(), entity.name)))


def _memberships(store: "Store", account: Any) -> dict[str, list[str]]:
    """Each user's group names (one pass over the groups, cached per IAM version)."""
    def build() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for group in account.iam.groups.values():
            for user in group.users:
                found.setdefault(user, []).append(group.name)
        return found
    return store.derived(_VIEWS, 256).get((account.id, "memberships"), account.iam.version, build)


def _user(store: "Store", account: Any, user: Any) -> dict[str, Any]:
    return {"name": user.name, "arn": user.arn, "groups": _memberships(store, account).get(user.name, []),
            "tags": dict(user.tags), **_policies(store, user)}


def _group(store: "Store", account: Any, group: Any) -> dict[str, Any]:
    return {"name": group.name, "arn": group.arn, "members": group.users[:MEMBERS_SHOWN],
            "moreMembers": max(0, len(group.users) - MEMBERS_SHOWN), **_policies(store, group)}


def _role(store: "Store", account: Any, role: Any) -> dict[str, Any]:
    return {"name": role.name, "arn": role.arn, "serviceLinked": role.service_linked,
            "trust": statement_blocks(role.assume_role_policy), **_policies(store, role)}


def _managed(store: "Store", account: Any, policy: Any) -> dict[str, Any]:
    return {"name": policy.name, "arn": policy.arn, "version": policy.default_version_id,
            **statement_blocks(policy.default_document)}


IamList = tuple[str, tuple[str, str], Callable[[Any], Mapping[str, Any]], Callable[..., dict[str, Any]]]
IAM_LISTS: tuple[IamList, ...] = (  # (query parameter prefix, (noun, plural), the entities, one entity's row)
    ("users", ("user", "users"), lambda iam: iam.users, _user),
    ("groups", ("group", "groups"), lambda iam: iam.groups, _group),
    ("roles", ("role", "roles"), lambda iam: iam.roles, _role),
    ("policies", ("customer managed policy", "customer managed policies"), lambda iam: iam.policies, _managed),
)


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


OPERATIONS_SHOWN = 20
IMAGES_SHOWN = 10


def apprunner(store: "Store", args: Mapping[str, str]) -> dict[str, Any]:
    """A window of the App Runner services (``services=``) of every account and region (in account, region and
    creation order; each with its status, newest :data:`OPERATIONS_SHOWN` operations, failure reason and
    configuration revision) and one of the auto scaling configuration revisions (``configurations=``), once the
    operations already due have completed (as any API call would see them)."""
    with store.lock:
        run_clock_hooks(store)
        states = [(account_id, region, state.apprunner) for account_id, account in sorted(store.accounts.items())
                  for region, state in sorted(account.regions.items())]
        services = paging.window(args, "services", sum(len(state.services) for *_, state in states))
        configurations = paging.window(args, "configurations",
                                       sum(len(state.auto_scaling_configurations) for *_, state in states))
        return {
            "services": {"one": "service", "noun": "services", "window": services, "rows": [
                _service(account_id, region, service) for account_id, region, service in services.among(
                    (account_id, region, service) for account_id, region, state in states
                    for service in state.services.values())]},
            "configurations": {"one": "auto scaling configuration revision",
                               "noun": "auto scaling configuration revisions", "window": configurations, "rows": [
                {"account": account_id, "region": region, "name": c.name, "revision": c.revision,
                 "status": c.status, "latest": c.latest, "arn": c.arn, "maxConcurrency": c.max_concurrency,
                 "minSize": c.min_size, "maxSize": c.max_size}
                for account_id, region, c in configurations.among(
                    (account_id, region, c) for account_id, region, state in states
                    for c in state.auto_scaling_configurations.values())]},
        }


def _service(account_id: str, region: str, service: Any) -> dict[str, Any]:
    source = service.source_configuration or {}
    image = (source.get("ImageRepository") or {}).get("ImageIdentifier")
    code = (source.get("CodeRepository") or {}).get("RepositoryUrl")
    return {
        "account": account_id, "region": region,
        "name": service.name, "arn": service.arn, "status": service.status, "url": service.url,
        "source": image or code or "", "accessRole": (source.get("AuthenticationConfiguration") or {}).get(
            "AccessRoleArn"), "instanceRole": (service.instance_configuration or {}).get("InstanceRoleArn"),
        "createdAt": service.created_at.isoformat(), "updatedAt": service.updated_at.isoformat(),
        "failureReason": service.failure_reason, "autoScaling": service.auto_scaling_configuration_arn,
        "earlierOperations": max(0, len(service.operations) - OPERATIONS_SHOWN),
        "operations": [{"id": op.id, "type": op.type, "status": op.status, "startedAt": op.started_at.isoformat(),
                        "endedAt": op.ended_at.isoformat() if op.ended_at else None,
                        "failureReason": op.failure_reason} for op in service.operations[-OPERATIONS_SHOWN:]],
    }


def ecr(store: "Store", args: Mapping[str, str]) -> dict[str, Any] | None:
    """A window of the ECR repositories (``repositories=``) of every account and region (in account, region and
    creation order), each with its :data:`IMAGES_SHOWN` newest images; or, with ``repository=<ARN>``, that
    repository alone with a window of its images (``images=``), newest first.  None when no repository has the
    ARN."""
    with store.lock:
        chosen = args.get("repository")
        if chosen is not None:
            found = _repository_at(store, chosen)
            if found is None:
                return None
            images = paging.window(args, "images", len(found[2].images))
            return {"only": True, "window": None, "repositories": [_repository(*found, images)]}
        states = [(account_id, region, state.ecr) for account_id, account in sorted(store.accounts.items())
                  for region, state in sorted(account.regions.items())]
        shown = paging.window(args, "repositories", sum(len(state.repositories) for *_, state in states))
        chosen_repositories = shown.among((account_id, region, repository) for account_id, region, state in states
                                          for repository in state.repositories.values())
        return {"only": False, "window": shown, "repositories": [
            _repository(account_id, region, repository, paging.window({}, "images", len(repository.images),
                                                                       IMAGES_SHOWN))
            for account_id, region, repository in chosen_repositories]}


def _repository_at(store: "Store", arn: str) -> tuple[str, str, Any] | None:
    """``(account id, region, repository)`` of the repository whose ARN is ``arn``, character for character."""
    parsed = split_arn(arn)
    if parsed is None:
        return None
    account = store.accounts.get(parsed.account)
    state = account.regions.get(parsed.region) if account is not None else None
    repository = state.ecr.repositories.get(parsed.resource.partition("/")[2]) if state is not None else None
    return (parsed.account, parsed.region, repository) if repository is not None and repository.arn == arn \
        else None


def _repository(account_id: str, region: str, repository: Any, images: paging.Window) -> dict[str, Any]:
    return {
        "account": account_id, "region": region, "name": repository.name, "uri": repository.uri,
        "arn": repository.arn, "createdAt": repository.created_at.isoformat(),
        "mutability": repository.image_tag_mutability,
        "images": {"one": "image", "noun": "images", "window": images, "rows": [
            {"digest": image.digest, "tags": list(image.tags), "size": image.size,
             "pushedAt": image.pushed_at.isoformat(), "mediaType": image.media_type}
            for image in images.among(reversed(repository.images.values()))]},
        "policy": statement_blocks(repository.policy_text) if repository.policy_text else None}
