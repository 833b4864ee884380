"""Provider-specific web identity condition keys (AWS's list per issuer), through boto3 in both modes.

A trust policy conditioned on a documented key allows a token whose claim matches and refuses one whose claim
does not; a condition on any other claim of the same token finds no value and refuses.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.federation import DENIED, assume, mint, web_identity_trust
from tests.iam.helpers import ACCOUNT, aws_error

ORG = "6b376885-8f20-45b2-ba2f-c27c0919bc6d"
PROJECT = "23e45670-e89b-12d3-a456-426614174000"

# (issuer, documented key, its operator and value, claims that match, claims that do not, a claim that is no key)
CASES = {
    "circleci": (f"https://oidc.circleci.com/org/{ORG}", "oidc.circleci.com/project-id", "StringEquals", PROJECT,
                 {"oidc.circleci.com/project-id": PROJECT}, {"oidc.circleci.com/project-id": "other-project"},
                 ("oidc.circleci.com/vcs-ref", "refs/heads/main")),
    "oci": ("https://idcs-4f2a9c.identity.oraclecloud.com", "rpst_id", "StringEquals", "rpst-1",
            {"rpst_id": "rpst-1"}, {"rpst_id": "rpst-2"}, ("client_id", "app-1")),
    "google": ("https://accounts.google.com", "google/organization_number", "NumericEquals", "123456789",
               {"google": {"organization_number": 123456789}}, {"google": {"organization_number": 987}},
               ("hd", "example.com")),
    "github-owner-id": ("https://token.actions.githubusercontent.com", "repository_owner_id", "StringEquals", "42",
                        {"repository_owner_id": "42"}, {"repository_owner_id": "43"}, ("run_id", "7")),
    "github-enterprise-cloud": ("https://token.actions.acme.ghe.com", "repository", "StringEquals", "acme/app",
                                {"repository": "acme/app"}, {"repository": "acme/other"}, ("sha", "abc")),
    "gitlab": ("https://gitlab.com", "project_id", "StringEquals", "1234", {"project_id": "1234"},
               {"project_id": "9"}, ("job_id", "5")),
    "buildkite": ("https://agent.buildkite.com", "pipeline_slug", "StringEquals", "deploy",
                  {"pipeline_slug": "deploy"}, {"pipeline_slug": "test"}, ("build_number", "3")),
}


def _refused(call) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return aws_error(excinfo)


@pytest.mark.parametrize("case", list(CASES))
def test_documented_provider_claims_allow_and_deny_others_find_no_value(aws, case):
    issuer, key, operator, value, matching, mismatching, (other, other_value) = CASES[case]
    url = issuer.removeprefix("https://")
    iam = aws.client("iam")
    provider = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["client-1"])["OpenIDConnectProviderArn"]
    assert provider == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url}"
    # Every role names its subjects too: IAM refuses a trust policy for GitHub's or GitLab's provider without a
    # :sub condition (recorded from AWS, 2026-09-11: radkawar/stackd, iam/policy/testdata/oidc_trust_controls*).
    subjects = {"StringLike": {f"{url}:sub": "workload-*"}}
    iam.create_role(RoleName="by-key", AssumeRolePolicyDocument=web_identity_trust(
        provider, {operator: {f"{url}:{key}": value}, **subjects}))
    iam.create_role(RoleName="by-other-claim", AssumeRolePolicyDocument=web_identity_trust(
        provider, {"StringEquals": {f"{url}:{other}": other_value}, **subjects}))

    def token(claims: dict) -> str:
        return mint(aws, issuer=issuer, claims={"sub": "workload-1", "aud": "client-1", other: other_value,
                                                **claims})

    by_key, by_other = (f"arn:aws:iam::{ACCOUNT}:role/{name}" for name in ("by-key", "by-other-claim"))
    assert assume(aws, by_key, token(matching))["SubjectFromWebIdentityToken"] == "workload-1"
    assert _refused(lambda: assume(aws, by_key, token(mismatching))) == DENIED
    # The claim is in the token, but it is not a key STS provides for this issuer: the condition finds no value.
    assert _refused(lambda: assume(aws, by_other, token(matching))) == DENIED
    entry = [e for e in aws.store.decision_log if e["action"] == "sts:AssumeRoleWithWebIdentity"][-1]
    assert entry["details"]["tokenClaims"][other] == other_value
    assert f"{url}:{other}" not in entry["context"]
    assert f"{url}:{key}" in entry["context"]


def test_keys_of_one_issuer_are_not_keys_of_another(aws):
    """A claim named like another provider's key (GitHub's ``repository``) is no key for a generic issuer."""
    issuer = "https://idp.example.com"
    iam = aws.client("iam")
    provider = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["client-1"])["OpenIDConnectProviderArn"]
    iam.create_role(RoleName="by-repository", AssumeRolePolicyDocument=web_identity_trust(
        provider, {"StringEquals": {"idp.example.com:repository": "acme/app"}}))
    token = mint(aws, issuer=issuer, claims={"sub": "s", "aud": "client-1", "repository": "acme/app"})
    assert _refused(lambda: assume(aws, f"arn:aws:iam::{ACCOUNT}:role/by-repository", token)) == DENIED
