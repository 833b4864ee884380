"""The keys a role's trust policy sees for a user an identity provider vouches for (AssumeRoleWithSAML and
AssumeRoleWithWebIdentity), in place of the ones derived for an AWS principal.

Recorded from AWS, 2026-09-11 (radkawar/stackd, internal/services/sts/testdata/saml_trust_aws.json,
saml_userid_aws.json and oidc/aws-trust.json): ``aws:PrincipalType`` is ``User`` (not ``Federated``, ``SAMLUser``,
``WebIdentityUser`` or any other) and ``aws:userid`` is the provider's ARN, for SAML and OIDC providers alike;
``aws:PrincipalAccount`` is the provider's account; and for SAML there is no ``aws:PrincipalArn`` (``Null: true``
holds), which is taken for web identity as well (not recorded there; the absent key never satisfies a condition that
names it, so this can only deny).
"""
from __future__ import annotations

from typing import Any


def federated_principal_keys(provider_arn: str) -> dict[str, Any]:
    """Request-context keys overriding the derived ``aws:Principal*`` ones (None: the key is absent)."""
    return {"aws:PrincipalType": "User", "aws:userid": provider_arn, "aws:PrincipalArn": None}
