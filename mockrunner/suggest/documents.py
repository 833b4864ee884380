"""The text of a policy named by the id the authorizer gives it (managed policy ARN, ``<owner-arn>#inline/<name>``,
``<role-arn>#trust-policy``, an ECR repository's and registry's policies as
:mod:`mockrunner.model.ecr_applied_policies` names them), read from the store as it is now."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, NamedTuple

from mockrunner.arns import account_of, split_arn
from mockrunner.iam_engine import PolicyKind, PolicyRef
from mockrunner.iam_engine.document import CURRENT_VERSION, TRUST_ACTIONS_LOWER
from mockrunner.iam_engine.joined import joined_text
from mockrunner.model import ecr_applied_policies
from mockrunner.model.ecr_policies import evaluable_policy
from mockrunner.model.managed_policies import aws_managed_policies
from mockrunner.model.store import under_lock

if TYPE_CHECKING:
    from mockrunner.model.store import Store
    from mockrunner.suggest.recorded import Recorded

TRUST_SUFFIX = "#trust-policy"
INLINE_MARK = "#inline/"
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
    if ecr_applied_policies.is_policy_id(policy_id):
        applied = ecr_applied_policies.for_policy_id(store, policy_id)
        return Document(applied.text, PolicyKind.RESOURCE) if applied is not None else None
    if INLINE_MARK in policy_id:
        owner, _, name = policy_id.partition(INLINE_MARK)
        found = entity(store, owner)
        text = found.inline_policies.get(name) if found is not None else None
        return Document(text, PolicyKind.IDENTITY) if text else None
    return managed(store, policy_id)


def reference(store: "Store", policy_id: str | None) -> PolicyRef | None:
    """The policy as the authorizer evaluates it now, or None as :func:`resolve`; an ECR policy is read as ECR
    reads it (statements may share a ``Sid``).  Raises MalformedPolicyError for a stored text the engine cannot
    read."""
    found = resolve(store, policy_id)
    if found is None or not policy_id:
        return None
    if ecr_applied_policies.is_policy_id(policy_id):
        return PolicyRef(policy_id, evaluable_policy(found.text), found.kind)
    return PolicyRef(policy_id, found.text, found.kind)


def met_policy_id(store: "Store", record: "Recorded") -> str | None:
    """The id of the resource or trust policy a logged request meets now: on an ECR repository (or its registry's
    catalog) of the Region the request was sent to, the policies ECR would apply now (the repository's or the
    registry policy may have been set or removed since); else the one the log names; a role always has its trust
    policy.  A request on another Region's repository ARN was checked under no resource policy, and is replayed
    so."""
    resource_policy, resource = record.resource_policy, record.resource
    if ecr_applied_policies.is_policy_id(resource_policy) or (
            not resource_policy and ecr_applied_policies.is_repository_arn(resource)
            and split_arn(resource).region == record.context.get("aws:RequestedRegion")):
        applied = ecr_applied_policies.met_by(store, resource)
        return applied.policy_id if applied is not None else None
    if resource_policy:
        return resource_policy
    if record.action.lower() in TRUST_ACTIONS_LOWER:
        return f"{resource}{TRUST_SUFFIX}"
    return None


def without_statements(store: "Store", ref: PolicyRef | None, removed: dict[str, set[int]]) -> PolicyRef | None:
    """``ref`` with the statements at the ``removed`` positions of its policy left out (the policy's current text,
    its ``Version`` kept); None when none is left, ``ref`` itself when it loses none."""
    if ref is None or ref.policy_id not in removed:
        return ref
    found = resolve(store, ref.policy_id)
    if found is None:
        return ref
    version, kept = kept_part(found.text, ref.policy_id, removed)
    if not kept:
        return None
    text = joined_text([(version, kept)])
    evaluable = evaluable_policy(text) if ecr_applied_policies.is_policy_id(ref.policy_id) else text
    return PolicyRef(ref.policy_id, evaluable, ref.kind)


def kept_part(text: str | None, policy_id: str | None, removed: dict[str, set[int]]
              ) -> tuple[str | None, list[dict]]:
    """The ``Version`` and statements of policy ``policy_id``'s ``text`` without the ones at the ``removed``
    positions, as :func:`mockrunner.iam_engine.joined.joined_text` takes a part (no text: the current version and no
    statement)."""
    if text is None:
        return CURRENT_VERSION, []
    document = json.loads(text)
    gone = removed.get(policy_id or "", set())
    return document.get("Version"), [statement for index, statement in enumerate(_statements(document))
                                     if index not in gone]


def statements_of(text: str) -> list[dict]:
    """The statements of a policy's text (a lone statement object as a list of one)."""
    return _statements(json.loads(text))


def _statements(document: dict) -> list[dict]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


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
