"""Minting web identity tokens (JWTs) as an issuer would, GitHub Actions' included.

``mint(store, request)`` takes what ``POST /_mockrunner/oidc/token`` takes::

    {"issuer": "https://idp.example.com", "claims": {"sub": "...", "aud": "..."}, "expiresIn": 3600,
     "algorithm": "RS256"}
    {"github": {"repository": "org/repo", "ref": "refs/heads/main", "environment": "prod",
                "event": "push", "workflow": "deploy"}, "claims": {...}}

The token carries ``iss``, ``iat``, ``nbf``, ``exp`` (from the store clock, so ``advance()`` ages it) and ``jti``,
then the given claims, which win.  It is signed with the issuer's key (``mockrunner.oidc.keys``), its ``kid``
in the header.  ``github`` builds the claim set GitHub Actions' token has, issuer
``https://token.actions.githubusercontent.com``, audience ``sts.amazonaws.com`` (what
aws-actions/configure-aws-credentials requests), and ``sub`` in GitHub's formats.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jwt

from mockrunner.oidc.keys import OidcError, issuer_url, private_key, signing_key

if TYPE_CHECKING:
    from mockrunner.model.store import Store

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"
MAX_LIFETIME = 10 ** 7
_REQUEST_FIELDS = frozenset({"issuer", "claims", "expiresIn", "algorithm", "github"})
_GITHUB_FIELDS = frozenset({"repository", "ref", "environment", "event", "workflow", "actor", "sha",
                            "enterprise", "audience"})


def github_subject(repository: str, ref: str, environment: str | None, event: str) -> str:
    """``sub`` as GitHub Actions builds it: an environment wins, then a pull_request event, then the ref."""
    if environment:
        return f"repo:{repository}:environment:{environment}"
    if event == "pull_request":
        return f"repo:{repository}:pull_request"
    return f"repo:{repository}:ref:{ref}"


def _numeric_id(text: str) -> str:
    """A stable numeric id (GitHub's ids are numbers sent as strings) derived from a name."""
    return str(int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16))


def github_claims(spec: Mapping[str, Any]) -> dict[str, Any]:
    """GitHub Actions' claims for a job (GitHub Docs, "OpenID Connect reference": the token's claims)."""
    unknown = sorted(set(spec) - _GITHUB_FIELDS)
    if unknown:
        raise OidcError(f"github.{unknown[0]}: unknown field (expected one of {', '.join(sorted(_GITHUB_FIELDS))})")
    for name, value in spec.items():
        if not isinstance(value, str) or not value:
            raise OidcError(f"github.{name}: expected a non-empty string")
    repository = spec.get("repository")
    if repository is None or repository.count("/") != 1 or repository.startswith("/") or repository.endswith("/"):
        raise OidcError('github.repository: required, as "owner/name"')
    owner = repository.split("/", 1)[0]
    event = spec.get("event", "push")
    ref = spec.get("ref", "refs/pull/1/merge" if event == "pull_request" else "refs/heads/main")
    if not ref.startswith("refs/"):
        ref = f"refs/heads/{ref}"
    workflow = spec.get("workflow", "deploy")
    actor = spec.get("actor", "octocat")
    sha = spec.get("sha", hashlib.sha1(f"{repository}@{ref}".encode()).hexdigest())  # noqa: S324 - an id, not security
    environment = spec.get("environment")
    workflow_ref = f"{repository}/.github/workflows/{workflow}.yml@{ref}"
    claims: dict[str, Any] = {
        "sub": github_subject(repository, ref, environment, event),
        "aud": spec.get("audience", GITHUB_AUDIENCE),
        "ref": ref, "sha": sha, "repository": repository, "repository_owner": owner,
        "repository_owner_id": _numeric_id(owner), "repository_id": _numeric_id(repository),
        "repository_visibility": "private", "run_id": _numeric_id(f"{repository}/{workflow}/run"),
        "run_number": "1", "run_attempt": "1", "runner_environment": "github-hosted",
        "actor": actor, "actor_id": _numeric_id(actor), "workflow": workflow,
        "head_ref": "", "base_ref": "", "event_name": event,
        "ref_type": "tag" if ref.startswith("refs/tags/") else "branch", "ref_protected": "false",
        "workflow_ref": workflow_ref, "workflow_sha": sha, "job_workflow_ref": workflow_ref, "job_workflow_sha": sha,
    }
    if environment:
        claims["environment"] = environment
    if event == "pull_request":
        claims.update(head_ref="feature", base_ref="main")
    if "enterprise" in spec:
        claims.update(enterprise=spec["enterprise"], enterprise_id=_numeric_id(spec["enterprise"]))
    return claims


def mint(store: "Store", request: Any) -> tuple[str, bool]:
    """A signed token for ``request`` (see the module doc); and whether a new signing key was generated."""
    if not isinstance(request, dict):
        raise OidcError("the body must be a JSON object")
    unknown = sorted(set(request) - _REQUEST_FIELDS)
    if unknown:
        raise OidcError(f"{unknown[0]}: unknown field (expected one of {', '.join(sorted(_REQUEST_FIELDS))})")
    claims: dict[str, Any] = {}
    github = request.get("github")
    if github is not None:
        if not isinstance(github, dict):
            raise OidcError("github: expected an object")
        claims.update(github_claims(github))
    issuer = issuer_url(request.get("issuer", GITHUB_ISSUER if github is not None else None))
    extra = request.get("claims", {})
    if not isinstance(extra, dict):
        raise OidcError("claims: expected an object")
    lifetime = request.get("expiresIn", 3600)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 0 < lifetime <= MAX_LIFETIME:
        raise OidcError(f"expiresIn: a number of seconds from 1 to {MAX_LIFETIME}")
    key, created = signing_key(store, issuer, request.get("algorithm", "RS256"))
    now = int(store.clock.now().timestamp())
    payload = {"iss": issuer, "iat": now, "nbf": now, "exp": now + lifetime, "jti": str(uuid.uuid4()),
               **claims, **extra}
    try:
        token = jwt.encode(payload, private_key(store, key), algorithm=key.algorithm,
                           headers={"kid": key.kid, "typ": "JWT"})
    except TypeError as error:
        raise OidcError(f"claims: not JSON-serialisable ({error})") from None
    return token, created
