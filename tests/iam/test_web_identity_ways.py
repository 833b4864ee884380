"""Federation from the Python ways in: the pytest fixture, ``mock_apprunner`` and seed files."""
from __future__ import annotations

import json

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mockrunner import mock_apprunner
from mockrunner.seed import SeedError, apply_seed
from tests.iam.federation import GITHUB, GITHUB_HOST, GITHUB_PROVIDER, web_identity_trust
from tests.iam.helpers import ACCOUNT

SEED = {
    "oidc_providers": [{"url": GITHUB, "client_ids": ["sts.amazonaws.com"], "tags": {"team": "ci"}}],
    "roles": [{"name": "deploy", "trust_policy": json.loads(web_identity_trust(
        GITHUB_PROVIDER, {"StringEquals": {f"{GITHUB_HOST}:sub": "repo:acme/app:ref:refs/heads/main"}}))}],
}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy"


@pytest.mark.mockrunner(seed=SEED)
def test_the_fixture_mints_github_tokens_that_seeded_roles_trust(mockrunner):
    sts = boto3.client("sts")
    token = mockrunner.oidc_token(github={"repository": "acme/app", "ref": "refs/heads/main"})
    answer = sts.assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="ci", WebIdentityToken=token)
    assert answer["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    refused = mockrunner.oidc_token(github={"repository": "acme/app", "environment": "prod"})
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="ci", WebIdentityToken=refused)
    assert excinfo.value.response["Error"]["Message"] == "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    denied = mockrunner.decisions(action="sts:AssumeRoleWithWebIdentity", decision="denied")
    assert denied[-1]["details"]["tokenClaims"]["environment"] == "prod"


def test_mock_apprunner_mints_tokens_for_any_issuer_and_registered_keys_verify():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())), "kid": "mine"}
    # PyJWT writes key_ops; STS verifies with no key that has it, recorded from AWS since:
    # (docs/behaviour.md, "Parity sweep against stackd's recordings of last access, outbound identity and federation")
    jwk.pop("key_ops")
    issuer = "https://login.example.net"
    seed = {"identity_providers": [{"issuer": issuer, "jwks": {"keys": [jwk]}}],
            "oidc_providers": [{"url": issuer, "client_ids": ["app"]}],
            "roles": [{"name": "web", "trust_policy": json.loads(web_identity_trust(
                f"arn:aws:iam::{ACCOUNT}:oidc-provider/login.example.net",
                {"StringEquals": {"login.example.net:aud": "app"}}))}]}
    with mock_apprunner(seed=seed) as mock:
        sts = boto3.client("sts")
        role = f"arn:aws:iam::{ACCOUNT}:role/web"
        minted = mock.oidc_token(issuer=issuer, claims={"sub": "u1", "aud": "app"}, algorithm="ES256")
        assert sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="u1", WebIdentityToken=minted)
        now = int(mock.store.clock.now().timestamp())
        own = jwt.encode({"iss": issuer, "sub": "u2", "aud": "app", "iat": now, "exp": now + 60}, private,
                         algorithm="RS256", headers={"kid": "mine"})
        assert sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="u2",
                                                 WebIdentityToken=own)["SubjectFromWebIdentityToken"] == "u2"


def test_a_bad_identity_provider_in_a_seed_names_its_path_and_changes_nothing():
    from mockrunner.config import Settings
    from mockrunner.model.store import Store

    store = Store(Settings())
    good = {"issuer": "https://a.example.com", "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8"
                                                                  "vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36"
                                                                  "HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}}
    with pytest.raises(SeedError, match=r"identity_providers\[1\]: issuer must be an https:// URL"):
        apply_seed(store, {"identity_providers": [good, {"issuer": "http://b", "jwks": good["jwks"]}],
                           "oidc_providers": [{"url": GITHUB}]})
    assert store.identity_providers.registered_jwks == {}
    assert store.accounts[ACCOUNT].iam.oidc_providers == {}
    assert apply_seed(store, {"identity_providers": [good]}) == {"identity_providers": 1}
