"""An attacker's thirty-seventh pass: authorization correctness under caching.  Every answer the process keeps
between requests was read for what it is keyed by and what its computation reads, and probed for a way to have it
reused where a fresh evaluation would answer otherwise: a stale or wrong Allow above all, a wrong denial, a wrong
simulator or troubleshooter answer.  Real clients throughout: boto3 in both modes (``aws``), the admin API where the
state is the input.

Findings (each has a test here that failed before its fix):

PROBES_TABLE

Probed and held (a differential oracle unless a test here says so):

PROBES_HELD
"""
from __future__ import annotations

import pytest

from tests.iam.federation import GITHUB, admin, assume, deploy_role, github_provider, mint
from tests.iam.helpers import ACCOUNT, allow, doc, user_with_key
from tests.iam.test_decision_reuse import _allowed

MAIN = "repo:acme/app:ref:refs/heads/main"


# ------------------------------------------------------------------------------------------------ OIDC signing keys
@pytest.mark.parametrize("unusable_first", [True, False], ids=["unusable-first", "usable-first"])
def test_a_key_id_named_for_two_algorithms_is_read_once_for_each(aws, unusable_first):
    """A loaded signing key was kept by its key id and PEM alone, but whether a PEM is usable depends on the
    algorithm it is named for: the same RSA PEM, under the same ``kid``, named for RS256 (usable) and for ES256 (not:
    left out of the JWKS, signs nothing).  Whichever was read first decided for both: the RS256 key left out of the
    JWKS (a token it signed refused, a wrong denial) or the ES256 one put in it (the JWKS, and STS's verification
    reading it, a 500)."""
    github_provider(aws)
    role = deploy_role(aws, "deploy", MAIN)
    token = mint(aws, github={"repository": "acme/app", "ref": "refs/heads/main"})
    status, state = admin(aws, "GET", "/state")
    assert status == 200
    keys = state["state"]["identity_providers"]["signing_keys"][GITHUB]
    (usable,) = keys
    unusable = dict(usable, algorithm="ES256")
    keys[:] = [unusable, usable] if unusable_first else [usable, unusable]
    status, answer = admin(aws, "PUT", "/state", state)
    assert status == 200, answer

    assert assume(aws, role, token)["SubjectFromWebIdentityToken"] == MAIN
    status, jwks = admin(aws, "GET", f"/oidc/jwks?issuer={GITHUB}")
    assert status == 200, jwks
    assert [(key["kid"], key["alg"]) for key in jwks["keys"]] == [(usable["kid"], "RS256")]


# ------------------------------------------------------------------------------------------------ kept decisions
def test_a_loaded_state_forgets_the_decisions_kept_for_the_one_it_replaces(aws):
    """The thirty-fifth pass documented that reset and a loaded state clear the decisions kept; a loaded state did not
    (a state import, or the state file put back after a failed save): each kept decision, decided on policies the
    state no longer holds, stayed until 8,192 newer ones pushed it out.  None could be found again (every IAM state
    is compiled anew under new numbers), but they were the replaced state's, held for nothing."""
    key = user_with_key(aws, "reader", inline={"p": doc(allow("iam:GetUser"))})
    client = aws.client_for(key, "iam")
    assert _allowed(client, "reader") is True
    assert len(aws.store.decisions) > 0
    status, state = admin(aws, "GET", "/state")
    assert status == 200
    state["state"]["accounts"][ACCOUNT]["iam"]["users"]["reader"]["inline_policies"] = {
        "p": doc({"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"})}
    status, answer = admin(aws, "PUT", "/state", state)
    assert status == 200, answer
    assert len(aws.store.decisions) == 0
    assert _allowed(client, "reader") is False
