"""The text of a policy named by the id the authorizer gives it (managed policy ARN, ``<owner-arn>#inline/<name>``,
``<role-arn>#trust-policy``, ``<repository-arn> repository policy``), read from the store as it is now."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from mockrunner.arns import account_of, split_arn
from mockrunner.iam_engine import PolicyKind, PolicyRef
from mockrunner.model.ecr_policies import evaluable_policy
from mockrunner.model.managed_policies import aws_managed_policies
from mockrunner.model.store import under_lock

if TYPE_CHECKING:
    from mockrunner.model.store import Store

TRUST_SUFFIX = "#trust-policy"
INLINE_MARK = "#inline/"
REPOSITORY_SUFFIX = " repository policy"
_ENTITY_TABLES = {"user": "users", "group": "groups", "role": "roles"}


class Document(NamedTuple):
    text: str
    kind: PolicyKind


@under_lock
def resolve(store: "Store", policy_id: str | None) -> Document | None:
    """The policy's current text and grammar, or None (gone, a session policy, or not a known id form)."""
    if not policy_id:
        return None
    if policy_id.endswith(TRUST_SUFFIX):
        role = entity(store, policy_id[:-len(TRUST_SUFFIX)])
        return Document(role.assume_role_policy, PolicyKind.TRUST) if role is not None else None
    if policy_id.endswith(REPOSITORY_SUFFIX):
        return _repository_policy(store, policy_id[:-len(REPOSITORY_SUFFIX)])
    if INLINE_MARK in policy_id:
        owner, _, name = policy_id.partition(INLINE_MARK)
        found = entity(store, owner)
        text = found.inline_policies.get(name) if found is not None else None
        return Document(text, PolicyKind.IDENTITY) if text else None
    return managed(store, policy_id)


def reference(store: "Store", policy_id: str | None) -> PolicyRef | None:
    """The policy as the authorizer evaluates it now, or None as :func:`resolve`; a repository policy is read as
    ECR reads it (statements may share a ``Sid``).  Raises MalformedPolicyError for a stored text the engine cannot
    read."""
    found = resolve(store, policy_id)
    if found is None or not policy_id:
        return None
    if policy_id.endswith(REPOSITORY_SUFFIX):
        return PolicyRef(policy_id, evaluable_policy(found.text), found.kind)
    return PolicyRef(policy_id, found.text, found.kind)


@under_lock
def managed(store: "Store", arn: str) -> Document | None:
    """A customer or AWS managed policy's default version."""
    account_id = account_of(arn)
    account = store.account(account_id) if account_id is not None else None
    policy = (account.iam.policies.get(arn) if account is not None else None) or aws_managed_policies().get(arn)
    return Document(policy.default_document, PolicyKind.IDENTITY) if policy is not None else None


@under_lock
def entity(store: "Store", arn: str):
    """The IAM user, group or role an ARN names (path included), or None."""
    parsed = split_arn(arn)
    if parsed is None or parsed.service != "iam":
        return None
    account = store.account(parsed.account)
    if account is None or parsed.resource_type not in _ENTITY_TABLES:
        return None
    found = getattr(account.iam, _ENTITY_TABLES[parsed.resource_type]).get(parsed.name)
    return found if found is not None and found.arn == arn else None


def _repository_policy(store: "Store", repository_arn: str) -> Document | None:
    parsed = split_arn(repository_arn)
    if parsed is None or parsed.resource_type != "repository":
        return None
    account = store.account(parsed.account)
    state = account.regions.get(parsed.region) if account is not None else None
    repository = state.ecr.repositories.get(parsed.resource_path) if state is not None else None
    text = repository.policy_text if repository is not None else None
    return Document(text, PolicyKind.RESOURCE) if text else None
