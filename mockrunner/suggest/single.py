"""For one logged decision: the smallest statement that would have allowed it, and the policy it must go in.

Where it goes follows the layer that refused (the log's ``decidedBy``):

==================  ===========================================================================================
``identity``        an identity-based policy of the user or role (for a service principal: the role's trust
                    policy, as a service has no identity policies; for a federated user: the user that called
                    GetFederationToken, which its ARN does not name)
``permissionsBoundary``  the permissions boundary the principal had (an AWS managed one cannot be changed: a
                    customer managed copy of it with the statement, set as the boundary instead)
``session``         the session policy passed when the role was assumed (or the federated user made): no IAM
                    entity holds it, so ``attachTo`` is None
``resource``        the trust policy (``sts:AssumeRole`` and friends), else the resource's policy (an ECR
                    repository policy), naming the principal; ``attachTo`` is the role's or the resource's ARN
==================  ===========================================================================================

An explicit deny cannot be outweighed by any allow: the answer then names the deny statements to remove or narrow.

A role session's policies are its role's, and a policy names the role by the role's ARN, path included, which the
session's ARN does not hold: the caller passes the entity's ARN as the store spells it (``entity``).
"""
from __future__ import annotations

from typing import Any

from mockrunner.arns import split_arn
from mockrunner.iam_engine.document import TRUST_ACTIONS_LOWER
from mockrunner.suggest.build import pinned_condition
from mockrunner.suggest.recorded import Recorded, SuggestError, identity_of
from mockrunner.suggest.resources import literal, reusable

_PINNED_CLAIMS = ("aud", "sub")
"""The claims a federated caller's trust statement is pinned to: the audience and the subject the request carried
(``<provider host>:aud``/``:sub`` for an OpenID Connect provider, ``saml:aud``/``saml:sub`` for a SAML one), so
the statement lets in the one workload refused and no other user of the provider (IAM also refuses a trust policy
letting in any GitHub, GitLab or Cognito user: :mod:`mockrunner.services.iam.trust_controls`)."""
_PLACES = {
    "identity": ("identity policy", "an identity-based policy (inline or attached) of {entity}"),
    "permissionsBoundary": ("permissions boundary", "the permissions boundary {boundary} of {entity}"),
    "session": ("session policy", "the session policy given to {issuer} for this session"),
}
_FEDERATED_PARENT = "the IAM user whose credentials called GetFederationToken for {principal}"
"""A federated user has no policies of its own: its identity layer is the policies of the user that made it (STS
API reference, GetFederationToken: the permissions are the intersection of that user's policies and the session
policies), which its ARN does not name."""


def fix(record: Recorded, entity: str | None = None) -> dict[str, Any]:
    """``{"decision", "needed", "where", "placement", "attachTo", "statement" | "denyStatements", "explanation"}``;
    ``entity``: the ARN of the user or role the principal acts as (default: read from the principal's ARN, which
    for a role session lacks the role's path)."""
    if record.decision == "allowed":
        return {"decision": "allowed", "needed": False, "explanation": "This request was allowed."}
    if record.decision == "explicitDeny":
        denies = [m for m in record.matched if m.get("effect") == "Deny"]
        return {"decision": "explicitDeny", "needed": True, "where": "remove or narrow the deny", "placement": None,
                "denyStatements": denies,
                "explanation": "An explicit deny overrides every allow: no added statement can allow this request. "
                               "Remove or narrow the statement(s) listed."}
    is_service = not record.principal.startswith("arn:")
    layer = record.decided_by or "identity"
    entity = entity or _entity(record.principal)
    if layer == "resource" or is_service:
        return _resource_side(record, is_service, entity)
    where, template = _PLACES.get(layer, _PLACES["identity"])
    statement: dict[str, Any] = {"Effect": "Allow", "Action": record.action, "Resource": reusable(record.resource)}
    condition = pinned_condition(record.action, record.context)
    if condition is not None:
        statement["Condition"] = condition
    federated = ":federated-user/" in record.principal
    entity = _FEDERATED_PARENT.format(principal=record.principal) if federated else entity
    issuer = "GetFederationToken" if federated else "AssumeRole"
    attach_to = {"permissionsBoundary": record.boundary, "session": None}.get(layer, None if federated else entity)
    answer = {"decision": record.decision, "needed": True, "where": where,
              "placement": template.format(entity=entity, boundary=record.boundary or "(none)", issuer=issuer),
              "attachTo": attach_to, "statement": statement,
              "explanation": f"The {where} did not allow {record.action} on {record.resource}."}
    if layer == "permissionsBoundary" and _aws_managed(record.boundary):
        answer.update(attachTo=None if federated else entity, newBoundaryFrom=record.boundary,
                      placement=_NEW_BOUNDARY.format(boundary=record.boundary, entity=entity))
    return answer


_NEW_BOUNDARY = ("a new permissions boundary of {entity}: {boundary} is an AWS managed policy, which cannot be "
                 "changed; make a customer managed policy holding its statements and this one, and set it as the "
                 "permissions boundary")
"""A boundary that is an AWS managed policy cannot take a statement (CreatePolicyVersion refuses AWS's policies):
the fix names the entity (``attachTo``) whose boundary it replaces with a copy (``newBoundaryFrom``) plus the
statement."""


def _aws_managed(policy_arn: str | None) -> bool:
    parsed = split_arn(policy_arn or "")
    return parsed is not None and parsed.account == "aws"


def _resource_side(record: Recorded, is_service: bool, entity: str) -> dict[str, Any]:
    trust = record.action.lower() in TRUST_ACTIONS_LOWER
    federated = federated_prefix(record.principal)
    principal = ({"Service": record.principal} if is_service else {"Federated": record.principal}
                 if federated is not None else {"AWS": entity})
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": record.action}
    pinned = {f"{federated}{claim}": record.context[f"{federated}{claim}"] for claim in _PINNED_CLAIMS
              if federated is not None and isinstance(record.context.get(f"{federated}{claim}"), str)}
    if pinned:
        statement["Condition"] = {"StringEquals": {key: literal(value) for key, value in pinned.items()}}
    where = "trust policy" if trust else "resource policy"
    target = record.resource
    if not trust and ":ecr:" in record.resource:
        where = "repository policy"
    place = (f"the trust policy of {record.resource}" if trust else f"the {where} of {record.resource}")
    return {"decision": record.decision, "needed": True, "where": where, "placement": place, "attachTo": target,
            "statement": statement,
            "explanation": f"The {where} of {record.resource} did not allow {record.principal} to "
                           f"{record.action}."}


def federated_prefix(principal: str) -> str | None:
    """For an identity provider's ARN (a web identity's or a SAML user's principal), the prefix of its condition
    keys: ``<host>:`` of an OpenID Connect provider, ``saml:`` of a SAML provider; None for any other principal."""
    parsed = split_arn(principal)
    if parsed is None or parsed.service != "iam":
        return None
    if parsed.resource_type == "oidc-provider":
        return f"{parsed.resource_path}:"
    return "saml:" if parsed.resource_type == "saml-provider" else None


def _entity(principal: str) -> str:
    """The user or role a principal's policies belong to (a role session's role); the ARN itself otherwise."""
    try:
        return identity_of(principal).arn
    except SuggestError:
        return principal
