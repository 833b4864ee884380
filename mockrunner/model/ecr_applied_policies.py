"""The resource policies ECR evaluates a request on a repository under, and the id a decision names them by.

A repository's own policy, joined by the registry policy while the registry's policy scope is V2 (the default):
"enforces the registry policy in all ECR requests" (ECR User Guide, "Private registry permissions"); the
registry's catalog (DescribeRepositories without names) and a repository that does not exist meet the registry
policy alone.  The policies are evaluated as one resource policy holding their statements in that order, each read
as under its own ``Version`` (:mod:`mockrunner.iam_engine.joined`).

One function for ECR's checks (:mod:`mockrunner.services.ecr.core`) and for what replays a logged request (the
least-privilege proof, the decision page: :mod:`mockrunner.suggest.documents`), so a replay meets the policies ECR
would apply, under the same id.  The id is ``<where> <labels>``: ``where`` the repository's ARN (``repository/*``'s
for the catalog or a missing repository), ``labels`` ``repository policy``, ``registry policy`` or both joined by
`` and ``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from mockrunner.arns import split_arn
from mockrunner.iam_engine import MalformedPolicyError, Policy, strict_json
from mockrunner.iam_engine.joined import joined_text
from mockrunner.model.ecr import repository_arn
from mockrunner.model.ecr_policies import evaluable_policy

if TYPE_CHECKING:
    from mockrunner.model.store import Store

REPOSITORY_POLICY = "repository policy"
REGISTRY_POLICY = "registry policy"
_LABELS = (REPOSITORY_POLICY, REGISTRY_POLICY)


class AppliedPolicies(NamedTuple):
    policy_id: str
    texts: tuple[str, ...]
    """The policies' stored texts, in evaluation order (the repository's first)."""

    @property
    def text(self) -> str:
        """One policy holding every statement of :attr:`texts`, each read as in its own document (a lone text as
        it is); a text whose statements cannot be read is given as it is, so evaluating it refuses (fail
        closed)."""
        if len(self.texts) == 1:
            return self.texts[0]
        parts = []
        for text in self.texts:
            try:
                document = strict_json.loads(text)
            except ValueError:
                return text
            found = document.get("Statement") if isinstance(document, dict) else None
            if not isinstance(found, (list, dict)):
                return text
            parts.append((document.get("Version"), found if isinstance(found, list) else [found]))
        return joined_text(parts)

    def evaluable(self) -> Policy | str:
        """The compiled policy, or its text as it is when the grammar cannot read it (the engine then refuses)."""
        text = self.text
        try:
            return evaluable_policy(text)
        except MalformedPolicyError:
            return text


def applied_policies(store: "Store", region: str, registry_id: str, repository_name: str | None,
                     labels: Sequence[str] = _LABELS) -> AppliedPolicies | None:
    """The policies (of ``labels``) ECR evaluates a request on ``repository_name`` of ``registry_id`` in ``region``
    under now (None: the registry's catalog), or None when there is none."""
    account = store.account(registry_id)
    state = account.regions.get(region) if account is not None else None
    if state is None:
        return None
    repository = state.ecr.repositories.get(repository_name) if repository_name is not None else None
    registry_text = state.ecr.registry_policy
    if state.ecr.account_settings.get("REGISTRY_POLICY_SCOPE", "V2") != "V2":
        registry_text = None
    found = [(label, text) for label, text in ((REPOSITORY_POLICY, repository.policy_text if repository else None),
                                               (REGISTRY_POLICY, registry_text)) if text and label in labels]
    if not found:
        return None
    where = repository.arn if repository is not None else repository_arn(region, registry_id, "*")
    return AppliedPolicies(f"{where} {' and '.join(label for label, _ in found)}", tuple(text for _, text in found))


def for_policy_id(store: "Store", policy_id: str | None) -> AppliedPolicies | None:
    """The policies an id :func:`applied_policies` gave names, as they are now (those of its labels still
    applied), or None (not such an id, or none of them is applied now)."""
    split = _split(policy_id)
    return applied_policies(store, *split) if split is not None else None


def met_by(store: "Store", resource: str) -> AppliedPolicies | None:
    """The policies a request on the ECR repository ARN ``resource`` (``repository/*``: the catalog) meets now, or
    None (none applies, or ``resource`` is no repository's ARN)."""
    where = _repository(resource)
    return applied_policies(store, *where) if where is not None else None


def is_repository_arn(text: str) -> bool:
    """Whether ``text`` is an ECR repository's ARN (``repository/*``, the registry's catalog, included)."""
    return _repository(text) is not None


def is_policy_id(policy_id: str | None) -> bool:
    """Whether ``policy_id`` has the form of an id :func:`applied_policies` gives."""
    return _split(policy_id) is not None


def _split(policy_id: str | None) -> tuple[str, str, str | None, list[str]] | None:
    """``(region, registry id, repository name or None, labels)`` of an id of :func:`applied_policies`'s form."""
    where, _, named = (policy_id or "").partition(" ")
    labels = named.split(" and ")
    repository = _repository(where)
    return (*repository, labels) if repository is not None and set(labels) <= set(_LABELS) else None


def _repository(arn: str) -> tuple[str, str, str | None] | None:
    """``(region, registry id, repository name or None for the catalog)`` of an ECR repository ARN, or None."""
    parsed = split_arn(arn)
    if parsed is None or parsed.service != "ecr" or parsed.resource_type != "repository":
        return None
    return parsed.region, parsed.account, None if parsed.resource_path == "*" else parsed.resource_path
