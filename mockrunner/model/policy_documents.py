"""Every policy document a state holds, each with its path in a state export and the grammar the API applies.

State import (``PUT /_mockrunner/state``, ``--state-file`` at start) checks each one with the validator the API
uses (:func:`check_policy_documents`), so a state can hold no policy the API would have refused.  Paths read
like the snapshot's own (``$.state.accounts.<id>.iam.roles.<name>.assume_role_policy``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from mockrunner.iam_engine import MalformedPolicyError, PolicyKind, validate_policy
from mockrunner.model import ecr_policies

if TYPE_CHECKING:
    from mockrunner.model.store import Account

IDENTITY, RESOURCE, TRUST = PolicyKind.IDENTITY, PolicyKind.RESOURCE, PolicyKind.TRUST


class StoredDocument(NamedTuple):
    """One stored policy document: where it is, what it holds, the grammar that applies and whether it is a
    managed policy version (CreatePolicy/CreatePolicyVersion also require Version 2012-10-17)."""

    path: str
    document: Any
    kind: PolicyKind
    managed: bool = False
    grammar: Callable[[Any], str | None] | None = None
    """A service's own grammar (ECR's), returning why it refuses the document; ``None``: IAM's for ``kind``."""
    grammar_name: str | None = None


_INLINE_OWNERS = ("users", "groups", "roles")
"""IamState collections whose entities hold ``inline_policies`` (name -> identity policy document)."""
_GRAMMAR_NAMES = {IDENTITY: "an identity-based policy", RESOURCE: "a resource-based policy", TRUST: "a trust policy"}


def stored_documents(accounts: Mapping[str, "Account"]) -> Iterator[StoredDocument]:
    """Every policy document of ``accounts``: inline policies of users, groups and roles, role trust policies,
    every version of every customer managed policy (permissions boundaries are managed policies), the inline
    session policies of STS sessions and ECR repository policies."""
    for account_id, account in accounts.items():
        base = f"$.state.accounts.{account_id}"
        iam = account.iam
        for collection in _INLINE_OWNERS:
            for name, owner in getattr(iam, collection).items():
                for policy_name, document in owner.inline_policies.items():
                    yield StoredDocument(f"{base}.iam.{collection}.{name}.inline_policies.{policy_name}", document,
                                         IDENTITY)
        for name, role in iam.roles.items():
            yield StoredDocument(f"{base}.iam.roles.{name}.assume_role_policy", role.assume_role_policy, TRUST)
        for arn, policy in iam.policies.items():
            for index, version in enumerate(policy.versions):
                yield StoredDocument(f"{base}.iam.policies.{arn}.versions[{index}].document", version.document,
                                     IDENTITY, managed=True)
        for key, session in iam.sessions.items():
            for index, document in enumerate(session.session_policies):
                yield StoredDocument(f"{base}.iam.sessions.{key}.session_policies[{index}]", document, IDENTITY)
            for index, document in enumerate(session.scope_down_policies):
                yield StoredDocument(f"{base}.iam.sessions.{key}.scope_down_policies[{index}]", document, IDENTITY)
        for region_name, region in account.regions.items():
            yield from _ecr_documents(f"{base}.regions.{region_name}.ecr", region.ecr)


def _ecr_documents(base: str, ecr: Any) -> Iterator[StoredDocument]:
    """ECR's documents: repository and template policies, lifecycle policies, the registry policy.

    The registry policy is held to the V2 scope's grammar whatever the scope is now: PutRegistryPolicy under V2
    accepts every ECR action and switching the scope to V1 afterwards keeps the policy, so a state the API made
    may hold one that V1 would not have accepted."""
    if ecr.registry_policy is not None:
        yield StoredDocument(f"{base}.registry_policy", ecr.registry_policy, RESOURCE,
                             grammar=lambda text: ecr_policies.registry_policy_problem(text, "V2"),
                             grammar_name="an ECR registry policy")
    owners = [(f"{base}.repositories.{name}", "policy_text", repo.policy_text, repo.lifecycle_policy)
              for name, repo in ecr.repositories.items()]
    owners += [(f"{base}.creation_templates.{prefix}", "repository_policy", t.repository_policy, t.lifecycle_policy)
               for prefix, t in ecr.creation_templates.items()]
    for path, attribute, policy, lifecycle in owners:
        if policy:
            yield StoredDocument(f"{path}.{attribute}", policy, RESOURCE,
                                 grammar=ecr_policies.repository_policy_detail, grammar_name=_GRAMMAR_NAMES[RESOURCE])
        if lifecycle:
            yield StoredDocument(f"{path}.lifecycle_policy", lifecycle, RESOURCE,
                                 grammar=ecr_policies.lifecycle_policy_problem, grammar_name="an ECR lifecycle policy")


def document_problem(stored: StoredDocument) -> str | None:
    """Why the API would refuse ``stored`` (``None`` if it would accept it)."""
    if not isinstance(stored.document, str):
        return f"expected a policy document as JSON text, got {type(stored.document).__name__}"
    if stored.grammar is not None:
        problem = stored.grammar(stored.document)
        return None if problem is None else f"not a valid policy document for {stored.grammar_name}: {problem}"
    try:
        validate_policy(stored.document, stored.kind, require_current_version=stored.managed)
    except MalformedPolicyError as error:
        return f"not a valid policy document for {_GRAMMAR_NAMES[stored.kind]}: {error.message}"
    return None


def check_policy_documents(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first stored document the API would refuse, or ``None`` if all are valid."""
    for stored in stored_documents(accounts):
        problem = document_problem(stored)
        if problem is not None:
            return f"{stored.path}: {problem}"
    return None
