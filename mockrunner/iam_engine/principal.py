"""Who is calling, and whether a policy's ``Principal`` / ``NotPrincipal`` element names them.

Matching follows the IAM User Guide, "AWS JSON policy elements: Principal": an account id or account
root ARN names every principal of that account; a role ARN names every session of that role; a session
ARN names one session; ``"*"`` and ``{"AWS": "*"}`` name everyone. Wildcards inside ARNs are not
supported by IAM in this element, so values compare exactly.

A unique id (``AIDA...`` for a user, ``AROA...`` for a role) names the one user or role that had it: IAM stores
user and role ARNs as their unique ids and shows the id instead of the ARN once that user or role is deleted
("IAM role principals" in the same page), so such a policy stays readable and never names a namesake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .messages import INVALID_PRINCIPAL, MalformedPolicyError

_ACCOUNT = re.compile(r"^[0-9]{12}\Z")
_ROOT = re.compile(r"^arn:(aws(?:-[a-z]+)*):iam::([0-9]{12}):root\Z")
UNIQUE_ID = re.compile(r"^A(?:ID|RO)A[A-Z0-9]{17}\Z")
"""The unique id of an IAM user (``AIDA``) or role (``AROA``) as it stands for a deleted one in a stored policy."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller; see the project brief for each field's meaning."""

    arn: str
    account: str | None
    type: str  # Account | User | AssumedRole | FederatedUser | Service | Federated (an IdP) | Anonymous
    user_id: str | None = None
    username: str | None = None
    role_arn: str | None = None
    user_arn: str | None = None
    """For a GetFederationToken session, the ARN of the IAM user that made it: a resource policy naming that user
    names the session as a role's ARN names the role's sessions (IAM User Guide, "Session policies": "A
    resource-based policy can specify the ARN of the user or role as a principal"; its grant joins the user's
    identity policies, still cut down by the session policies, and its Deny applies)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    role_gone: bool = False
    """For a role session, its role was deleted (a role of the same name may exist now): a policy naming the role's
    ARN names another role, whose unique id AWS stores in the policy ("When you save the policy, AWS transforms the
    ARN to a unique principal ID", IAM User Guide, "AWS JSON policy elements: Principal"), so it does not name this
    session; ``role_arn`` still says which ARN the session was issued for (``aws:PrincipalArn``)."""

    def __hash__(self) -> int:
        return hash((self.arn, self.type))


def principal_from_arn(arn: str, tags: Mapping[str, str] | None = None) -> Principal:
    """Build a :class:`Principal` from a caller ARN alone (what the CLI receives).

    A role session's role ARN is rebuilt without a path, because the session ARN does not carry it.
    """
    tags = dict(tags or {})
    if arn in ("*", "anonymous"):
        return Principal(arn="anonymous", account=None, type="Anonymous", tags=tags)
    if not arn.startswith("arn:"):
        return Principal(arn=arn, account=None, type="Service", tags=tags)
    parts = arn.split(":", 5)
    if len(parts) != 6:
        raise ValueError(f"not an ARN: {arn}")
    _, partition, service, _, account, resource = parts
    if service == "iam" and resource == "root":
        return Principal(arn=arn, account=account, type="Account", user_id=account, tags=tags)
    if service == "iam" and resource.startswith("user/"):
        name = resource.rsplit("/", 1)[1]
        return Principal(arn=arn, account=account, type="User", username=name, tags=tags)
    if service == "sts" and resource.startswith("assumed-role/"):
        _, role, session = resource.split("/", 2)
        role_arn = f"arn:{partition}:iam::{account}:role/{role}"
        return Principal(
            arn=arn, account=account, type="AssumedRole", user_id=f"{role}:{session}", role_arn=role_arn, tags=tags
        )
    if service == "sts" and resource.startswith("federated-user/"):
        name = resource.split("/", 1)[1]
        return Principal(arn=arn, account=account, type="FederatedUser", user_id=f"{account}:{name}", tags=tags)
    if service == "iam" and resource.startswith(("saml-provider/", "oidc-provider/")):
        # An identity provider calling AssumeRoleWithSAML / AssumeRoleWithWebIdentity: only trust decides.
        return Principal(arn=arn, account=account, type="Federated", tags=tags)
    if service == "iam" and resource.startswith("role/"):
        # A role ARN as caller: treat it as the role acting (used for "may this role pull?" checks).
        return Principal(arn=arn, account=account, type="AssumedRole", user_id=resource, role_arn=arn, tags=tags)
    raise ValueError(f"unsupported principal ARN: {arn}")


# How a resource-policy statement named the caller; evaluate() treats them differently.
MATCH_WILDCARD = "wildcard"
MATCH_ACCOUNT = "account"
MATCH_ROLE = "role"  # the role ARN, for one of its sessions; the IAM user's ARN, for a federated session it made
MATCH_SPECIFIC = "specific"  # the user ARN, the session ARN, or the federated-user ARN
MATCH_SERVICE = "service"
MATCH_FEDERATED = "federated"


@dataclass(frozen=True, slots=True)
class PrincipalMatcher:
    """A compiled ``Principal`` element: sets for O(1) membership tests."""

    everyone: bool
    accounts: frozenset[str]
    arns: frozenset[str]
    services: frozenset[str]
    federated: frozenset[str]
    unique_ids: frozenset[str] = frozenset()
    anyone: bool = False
    """A bare ``"*"``: names identity providers too, which ``{"AWS": "*"}`` does not (recorded from AWS,
    2026-09-11: radkawar/stackd, internal/services/sts/testdata/saml_trust_aws.json, "principal_aws_star": a trust
    policy naming ``{"AWS": "*"}`` does not let a SAML provider's user assume the role)."""

    def match(self, who: Principal) -> str | None:
        """How this element names ``who``, most specific first; None when it does not."""
        if who.type in ("Service", "Federated"):
            if who.arn.lower() in self.services:
                return MATCH_SERVICE
            if who.arn in self.federated:
                return MATCH_FEDERATED
            return MATCH_WILDCARD if (self.anyone if who.type == "Federated" else self.everyone) else None
        if who.arn in self.arns and who.arn != who.role_arn:
            return MATCH_SPECIFIC
        if who.role_arn is not None and not who.role_gone and who.role_arn in self.arns:
            return MATCH_ROLE
        if who.user_arn is not None and who.user_arn in self.arns:
            return MATCH_ROLE
        if self.unique_ids and who.user_id is not None:
            unique_id = who.user_id.partition(":")[0]
            if unique_id in self.unique_ids:
                return MATCH_ROLE if who.role_arn is not None else MATCH_SPECIFIC
        if who.account is not None and who.account in self.accounts:
            return MATCH_ACCOUNT
        return MATCH_WILDCARD if self.everyone else None

    def names_every_identity(self, who: Principal) -> bool:
        """Whether a ``NotPrincipal`` with ``Deny`` spares ``who``: only when it names every identity AWS may check.

        The User Guide ("NotPrincipal") warns that AWS "might validate the account first and then the user", and for
        a role session "the account first, then the role, and then the assumed-role user", and that a NotPrincipal
        without the account ARN "might deny access to the entire account". Each identity that is not named is denied,
        so a caller is spared only when its account and, as they apply, its user, role and session are all named.
        """
        if self.everyone:
            return True
        if who.type in ("Service", "Federated", "Anonymous"):
            return who.type != "Anonymous" and self.match(who) is not None
        if who.account is None or who.account not in self.accounts:
            return False
        if who.type == "Account":
            return True
        unique_id = who.user_id.partition(":")[0] if who.user_id else None
        named_id = unique_id is not None and unique_id in self.unique_ids
        if who.role_arn is None:
            return who.arn in self.arns or named_id
        role_named = (who.role_arn in self.arns and not who.role_gone) or named_id
        return role_named and (who.arn == who.role_arn or who.arn in self.arns)


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def compile_principal(element: object) -> PrincipalMatcher:
    """Validate and compile a ``Principal``/``NotPrincipal`` value; raise MalformedPolicyError when IAM would."""
    if element == "*":
        return PrincipalMatcher(True, frozenset(), frozenset(), frozenset(), frozenset(), anyone=True)
    if not isinstance(element, dict) or not element:
        raise MalformedPolicyError(INVALID_PRINCIPAL.format(principal=_show(element)))
    everyone = False
    accounts: set[str] = set()
    arns: set[str] = set()
    services: set[str] = set()
    federated: set[str] = set()
    unique_ids: set[str] = set()
    for kind, raw in element.items():
        values = _as_list(raw)
        if not values or not all(isinstance(v, str) and v for v in values):
            raise MalformedPolicyError(INVALID_PRINCIPAL.format(principal=f'"{kind}":{_show(raw)}'))
        for value in values:
            bad = MalformedPolicyError(INVALID_PRINCIPAL.format(principal=f'"{kind}":"{value}"'))
            if kind == "AWS":
                if value == "*":
                    everyone = True
                elif _ACCOUNT.match(value):
                    accounts.add(value)
                elif UNIQUE_ID.match(value):
                    unique_ids.add(value)
                elif value.startswith("arn:") and value.count(":") >= 5:
                    resource = value.split(":", 5)[5]
                    if resource == "root":
                        _account_root(value, accounts, arns, bad)
                    elif "*" in value:
                        raise bad
                    else:
                        arns.add(value)
                else:
                    raise bad
            elif kind == "Service":
                services.add(value.lower())
            elif kind == "Federated":
                federated.add(value)
            elif kind == "CanonicalUser":
                # Valid grammar, but no caller of this mock has a canonical user id: never matches.
                continue
            else:
                raise MalformedPolicyError(INVALID_PRINCIPAL.format(principal=f'"{kind}":{_show(raw)}'))
    return PrincipalMatcher(everyone, frozenset(accounts), frozenset(arns), frozenset(services), frozenset(federated),
                            frozenset(unique_ids))


def _account_root(value: str, accounts: set[str], arns: set[str], bad: MalformedPolicyError) -> None:
    """An account's root ARN: ``arn:aws:iam::<account>:root`` names every principal of the account; the root ARN
    of another partition's account names an account mockrunner does not serve (nobody here).  Any other ARN
    ending in ``:root`` (another service, a Region, an account that is no 12-digit id or a wildcard: "You cannot
    use a wildcard to match part of a principal name or ARN", User Guide, "Principal") is not a principal."""
    root = _ROOT.match(value)
    if root is None:
        raise bad
    if root.group(1) == "aws":
        accounts.add(root.group(2))
    else:
        arns.add(value)


def _show(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
