"""The provider-specific claims STS turns into condition keys ``<provider url>:<key>``, per issuer.

Data from AWS's Service Authorization Reference for STS (the condition keys of ``sts:AssumeRoleWithWebIdentity``,
where AWS writes the issuer with placeholders such as ``${Domain}``, ``${SubPath}``, ``${OrgId}``) and the IAM User
Guide ("Available keys for AWS OIDC federation"). Each row: a pattern the provider URL (host and path, without
``https://``) must match entirely, and the keys it gets as ``(condition key name, claim path)``; a claim path with
``/`` names a nested claim (``google/organization_number`` is ``{"google": {"organization_number": ...}}``).
A claim that no row names is not a key.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_GITHUB = ("actor", "actor_id", "enterprise_id", "environment", "job_workflow_ref", "ref", "repository",
           "repository_id", "repository_owner_id", "workflow")
_BUILDKITE = ("build_branch", "cluster_id", "cluster_name", "organization_id", "organization_slug", "pipeline_id",
              "pipeline_slug")
_GITLAB = ("namespace_id", "pipeline_source", "project_id", "ref_protected", "runner_environment",
           "user_access_level", "user_email", "user_id", "user_login")
_LABEL = r"[A-Za-z0-9-]+"

PROVIDER_CLAIMS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    # GitHub Actions: github.com, its enterprise-specific issuers and GitHub Enterprise Cloud with data residency.
    (r"token\.actions\.githubusercontent\.com(/.+)?", tuple((name, name) for name in _GITHUB)),
    (rf"token\.actions\.{_LABEL}\.ghe\.com", tuple((name, name) for name in _GITHUB)),
    (r"github\.com/enterprises/[^/]+", tuple((name, name) for name in _GITHUB)),
    # Google: the IAM User Guide's email and azp, and the Service Authorization Reference's organization number.
    (r"accounts\.google\.com", (("azp", "azp"), ("email", "email"),
                                ("google/organization_number", "google/organization_number"))),
    # CircleCI: the issuer carries the organization id; the claim name itself has a host prefix.
    (r"oidc\.circleci\.com/org/[^/]+", (("oidc.circleci.com/project-id", "oidc.circleci.com/project-id"),)),
    # Oracle Cloud Infrastructure identity domains.
    (rf"idcs-{_LABEL}\.identity\.oraclecloud\.com", (("rpst_id", "rpst_id"),)),
    (r"agent\.buildkite\.com", tuple((name, name) for name in _BUILDKITE)),
    (rf"agent\.{_LABEL}\.buildkite\.(dev|site)", tuple((name, name) for name in _BUILDKITE)),
    (r"gitlab\.com", tuple((name, name) for name in _GITLAB)),
    (r"cognito-identity\.amazonaws\.com", (("amr", "amr"),)),
)
_COMPILED = tuple((re.compile(pattern), keys) for pattern, keys in PROVIDER_CLAIMS)


def keys_for(url: str) -> tuple[tuple[str, str], ...]:
    """The ``(key name, claim path)`` pairs of the first row whose pattern matches the whole provider ``url``."""
    for pattern, keys in _COMPILED:
        if pattern.fullmatch(url):
            return keys
    return ()


def claim_value(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at ``path`` (a literal top-level name first, else ``/``-separated nesting), or None."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("/"):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value
