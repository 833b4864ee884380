"""An attacker's thirty-first pass: the code that changed last and had no attacker yet — the trust-policy controls
IAM holds identity providers' trust to (``mockrunner/services/iam/trust_controls.py``), the condition operators the
stackd pass changed, the fix for a denial (``mockrunner/suggest``), the blob store's undo of a failed save and the
query wire's list indexes.  Real clients throughout: boto3 in both modes (``aws``), raw signed forms for the wire.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a trust policy for GitHub's provider written with          **fixed (high).** The control read only ``Action``: a
``NotAction: sts:AssumeRole`` (or ``sts:TagSession``) and  ``NotAction`` statement was never held to it, CreateRole
no condition                                               took it, and a token of any repository of any GitHub
                                                           owner assumed the role.  A ``NotAction`` that does not
                                                           take out ``sts:AssumeRoleWithWebIdentity`` is now held
                                                           to the provider's rule (AWS's answer is not recorded:
                                                           *unverified*, fail closed).
providers and values AWS's recordings refuse               **fixed (medium).** Taken, against
(``oidc_trust_controls_details_aws.json``,                 ``oidc_trust_controls_details_aws.json`` and
``oidc_trust_controls_edges_aws.json``)                    ``_edges_aws.json``, which an earlier pass had not read
                                                           whole: a GitHub ``:sub`` of ``*owned``, ``*?owned`` or
                                                           ``" "`` (AWS: a value beginning with ``*``, or blank, is
                                                           scoped to all); a provider whose host merely begins with
                                                           ``token.actions.githubusercontent.com`` (``/private``,
                                                           ``.example.test``, ``other``: AWS holds them to GitHub's
                                                           rule on their own keys); GitHub's other issuer
                                                           ``vstoken.actions.githubusercontent.com`` and Facebook's
                                                           ``graph.facebook.com`` with no condition at all.
a good ``StringEquals`` ``:sub`` beside a ``StringLike``   **fixed (low): refused, AWS accepts.** The earlier
``:sub`` of ``*``; a GitHub ``:sub`` of ``?*`` or ``??*``  reading (any scoped-to-all value refuses, *unverified*)
                                                           is contradicted by the recordings (GitHub, GitLab,
                                                           vstoken and Cognito all accepted): one operator block
                                                           of good values is enough.  ``?*`` and ``??*`` were read
                                                           as "wildcards only"; AWS accepts them.
``Tags.member.<5,000 digits>.Key`` (and 5,000 leading      **fixed (medium).** 500 ``ServiceFailure``: Python's
zeros before ``1``)                                        ``int`` refuses more than 4,300 digits.  An index past
                                                           a 32-bit integer is ``MalformedInput`` 'For input
                                                           string: "<index>"' (Java's words, *unverified*);
                                                           leading zeros of any length are read (``0...01`` is 1),
                                                           for integer members too.
the fix for a web identity (or SAML user) the trust        **fixed (low).** It said "resource policy" and offered
policy refused (``GET /_mockrunner/policies/suggest``)     ``{"AWS": <provider ARN>}``, which names no identity
                                                           provider's user: applied, the request was still refused
                                                           (``alsoNeededComplete`` false).  It is now the trust
                                                           policy's ``{"Federated": <provider ARN>}`` statement
                                                           pinned to the request's ``:aud`` and ``:sub``, which
                                                           IAM's controls accept and which lets in that workload
                                                           and no other.
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* Trust controls: the principal's ``Federated`` value in another case, with ``https://``, as a bare host or with
  another account or partition in the ARN never matches the web identity of the provider (only the provider's own
  ARN does), so a trust policy written so lets no one in; ``Principal`` keys other than ``Federated``
  (``federated``) are refused as invalid principals; operators in lower case are syntax errors; ``Effect: allow`` is
  legacy parsing; a list of ``Federated`` principals is held provider by provider; a ``Deny`` statement and a
  ``sts:TagSession``-only statement are not held; a list mixing ``sts:TagSession`` and
  ``sts:AssumeRoleWithWebIdentity`` is; ``sts:AssumeRoleWith*`` and ``sts:Assume*`` are refused as trust actions
  ("AssumeRole policy may only specify STS AssumeRole actions.") before any control.
* ``?`` in a ``Federated`` ARN is no wildcard: the role lets no one in.
* Condition operators: every operator of the seven families (plain, ``...IfExists``, ``ForAnyValue:``,
  ``ForAllValues:``) against 37 hostile request values, 17,316 conditions: none allowed in an ``Allow`` statement
  without denying in a ``Deny`` one, none raised, none took 50 ms.  Dates far outside any ``datetime``
  (``0001-01-01T00:00:00+23:59``, ``9999-12-31T23:59:59-23:59``), epoch seconds of 400 digits, numbers of 1,000
  digits in a policy (taken) and of 5,000 (a syntax error, never a 500); 5,000-digit numbers in JSON bodies to ECR,
  App Runner and the admin API are refused as unreadable JSON.
* The query wire: ``member.1000000`` (sparse input), ``-1``, ``+1``, Arabic-Indic digits, an empty index and ``" 1"``
  are ``MalformedInput``; ``MaxItems`` of 5,000 digits is ``MalformedInput``.
* The suggestion's pages: IAM paths cannot carry markup (alphanumerics and ``/``), and condition values holding
  ``</pre><script>`` are escaped on the decision page and every dashboard page its home page links to.
* The blob store: a layer completion whose save fails, then the same digest completed through another upload into
  another repository, then the first retried: both layers AVAILABLE, the blob's bytes hash to its digest, and a
  restart from the state file shows the same; the store lock serializes every finish, purge and spare, so a failed
  save never takes back another request's blob.

Left: ``1`` and ``01`` naming one list element in one request are read as one index, and which of the two spellings'
fields are used depends on the process's string hashing (what AWS reads is not public).  ``sts:*``, ``*`` and
``STS:assumerolewithwebidentity`` in a trust policy are taken by mockrunner; AWS answered "AssumeRole policy may only
specify STS AssumeRole actions." for ``sts:*`` and the mixed-case spelling with Federated principals (recorded); the
rule for every trust policy is not recorded, so it was not changed in this pass.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.testing.inprocess import call_app
from tests.iam.federation import GITHUB, GITHUB_HOST, GITHUB_PROVIDER, admin, assume, deploy_role, github_provider, mint
from tests.iam.helpers import ACCOUNT
from tests.iam.saml_federation import PROVIDER as SAML_PROVIDER
from tests.iam.saml_federation import assume as saml_assume
from tests.iam.saml_federation import saml_provider, saml_response, saml_role
from tests.robustness import wire

_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/"
_GITHUB_KEYS = "{host}:sub or {host}:job_workflow_ref"


def _scoped(principal: str, keys: str) -> str:
    return (f"Trust policy with trusted principal {principal} must evaluate, using StringEquals, StringLike or "
            f"StringEqualsIgnoreCase, {keys} which is not scoped to all.")


def _github_refusal(host: str = GITHUB_HOST) -> str:
    return _scoped(_ARN + host, _GITHUB_KEYS.format(host=host))


_VSTOKEN = "vstoken.actions.githubusercontent.com"
_VSTOKEN_REFUSAL = _scoped(_VSTOKEN, f"{_VSTOKEN}:sub")
_FACEBOOK_REFUSAL = "Policy trusting graph.facebook.com requires a StringEquals condition on an application id"


def _statement(federated: str, condition: dict | None = None, **written) -> dict:
    statement = {"Effect": "Allow", "Principal": {"Federated": federated}, "Action": "sts:AssumeRoleWithWebIdentity",
                 **written}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _refusal(aws, statement: dict) -> str | None:
    """CreateRole's MalformedPolicyDocument message for a trust policy of ``statement``, None when it is taken."""
    try:
        aws.client("iam").create_role(RoleName="controlled", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statement}))
    except ClientError as error:
        assert error.response["Error"]["Code"] == "MalformedPolicyDocument"
        return error.response["Error"]["Message"]
    return None


def _sub(operator: str, value, host: str = GITHUB_HOST) -> dict:
    return {operator: {f"{host}:sub": value}}


# ------------------------------------------------------------------------------------------------ findings
def test_a_notaction_trust_statement_does_not_let_every_github_workflow_in(aws):
    github_provider(aws)
    for excluded in ("sts:AssumeRole", "sts:TagSession"):
        statement = {"Effect": "Allow", "Principal": {"Federated": GITHUB_PROVIDER}, "NotAction": excluded}
        assert _refusal(aws, statement) == _github_refusal()
    # Before the fix CreateRole took it, and a workflow of any repository assumed the role.
    role = deploy_role(aws, "open", "repo:acme/app:ref:refs/heads/main")
    iam = aws.client("iam")
    everyone = {"Effect": "Allow", "Principal": {"Federated": GITHUB_PROVIDER}, "NotAction": "sts:AssumeRole"}
    with pytest.raises(ClientError) as refused:
        iam.update_assume_role_policy(RoleName="open", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [everyone]}))
    assert refused.value.response["Error"]["Message"] == _github_refusal()
    token = mint(aws, issuer=GITHUB, claims={"sub": "repo:attacker/evil:ref:refs/heads/main",
                                             "aud": "sts.amazonaws.com"})
    with pytest.raises(ClientError) as denied:
        assume(aws, role, token)
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    # A NotAction that takes web identity out lets no provider's user in: nothing to hold.
    assert _refusal(aws, {"Effect": "Allow", "Principal": {"Federated": GITHUB_PROVIDER},
                          "NotAction": "sts:AssumeRoleWith*"}) is None


@pytest.mark.parametrize("statement, message", [
    # oidc_trust_controls_details_aws.json: values beginning with * or blank are scoped to all; ? is not.
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "*owned")), _github_refusal(), id="pattern:*owned"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "*?owned")), _github_refusal(), id="pattern:*?owned"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", " ")), _github_refusal(), id="pattern:space"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "*??")), _github_refusal(), id="pattern:*??"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "?owned")), None, id="pattern:?owned"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "owned*")), None, id="pattern:owned*"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "?*")), None, id="pattern:?*"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "??")), None, id="pattern:??"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "??*")), None, id="pattern:??*"),
    pytest.param(_statement(GITHUB_PROVIDER, _sub("StringLike", "${aws:username}")), None, id="pattern:variable"),
    pytest.param(_statement(GITHUB_PROVIDER, {"StringEquals": {f"{GITHUB_HOST}:job_workflow_ref": ""}}),
                 _github_refusal(), id="job_workflow_ref:empty"),
    # ...: a provider whose host begins with GitHub's is held to GitHub's rule, on its own keys.
    *[pytest.param(_statement(_ARN + GITHUB_HOST + suffix, _sub("StringEquals", "owned-value")),
                   _github_refusal(GITHUB_HOST + suffix), id=f"issuer-suffix:{suffix}")
      for suffix in ("/private", ".example.test", "other")],
    pytest.param(_statement(_ARN + GITHUB_HOST + "/private", _sub("StringEquals", "owned-value",
                                                                  GITHUB_HOST + "/private")),
                 None, id="issuer-suffix:/private-own-key"),
    # oidc_trust_controls_edges_aws.json: GitHub's vstoken issuer, Facebook, one good block is enough.
    pytest.param(_statement(_ARN + _VSTOKEN), _VSTOKEN_REFUSAL, id="vstoken-missing"),
    pytest.param(_statement(_ARN + _VSTOKEN, _sub("StringLike", ["*", "owned-value"], _VSTOKEN)), _VSTOKEN_REFUSAL,
                 id="vstoken-star-and-owned"),
    pytest.param(_statement(_ARN + _VSTOKEN, _sub("StringLike", "**", _VSTOKEN)), None, id="vstoken-two-stars"),
    pytest.param(_statement(_ARN + _VSTOKEN + "/private"), None, id="vstoken-nested-path"),
    pytest.param(_statement(_ARN + "gitlab.com/private"), None, id="gitlab-nested-path"),
    pytest.param(_statement("graph.facebook.com"), _FACEBOOK_REFUSAL, id="facebook-missing"),
    pytest.param(_statement("graph.facebook.com", {"StringEquals": {"graph.facebook.com:aud": "x"}}),
                 _FACEBOOK_REFUSAL, id="facebook-aud"),
    pytest.param(_statement("graph.facebook.com", {"StringLike": {"graph.facebook.com:app_id": "x"}}),
                 _FACEBOOK_REFUSAL, id="facebook-StringLike"),
    pytest.param(_statement("graph.facebook.com", {"StringEquals": {"GRAPH.FACEBOOK.COM:APP_ID": "x"}}),
                 _FACEBOOK_REFUSAL, id="facebook-upper-key"),
    pytest.param(_statement("graph.facebook.com", {"StringEquals": {"graph.facebook.com:app_id": "*"}}), None,
                 id="facebook-app-id"),
    pytest.param(_statement("graph.facebook.com", {"ForAllValues:StringEquals": {"graph.facebook.com:sub": "x"}}),
                 None, id="facebook-sub"),
    *[pytest.param(_statement(federated, {"StringEquals": {key: "owned-value"}, "StringLike": {key: "*"}}), None,
                   id=f"valid-and-invalid-operator:{key.split(':')[0]}")
      for federated, key in ((GITHUB_PROVIDER, f"{GITHUB_HOST}:sub"), (_ARN + "gitlab.com", "gitlab.com:sub"),
                             (_ARN + _VSTOKEN, f"{_VSTOKEN}:sub"),
                             ("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud"))],
    pytest.param(_statement(GITHUB_PROVIDER, {"StringEquals": {f"{GITHUB_HOST}:sub": "*",
                                                               f"{GITHUB_HOST}:job_workflow_ref": "owned-value"}}),
                 _github_refusal(), id="invalid-sub-valid-job"),
])
def test_trust_controls_answer_as_aws_recorded(aws, statement, message):
    """radkawar/stackd, iam/policy/testdata/oidc_trust_controls_details_aws.json and
    oidc_trust_controls_edges_aws.json (recorded from AWS, 2026-09-11): CreateRole's answer to each document."""
    assert _refusal(aws, statement) == message


def _raw_iam(aws, form: dict) -> tuple[int, str]:
    """A signed IAM query request with the form as given (no SDK to renumber it): (status, body)."""
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if aws.server is not None:
        prepared = wire.signed_request("iam", body, headers, endpoint=aws.endpoint_url + "/")
        reply = requests.post(aws.endpoint_url + "/", data=prepared.body, headers=dict(prepared.headers), timeout=30)
        return reply.status_code, reply.text
    reply = call_app(aws.app, wire.signed_request("iam", body, headers))
    return reply.status_code, reply.content.decode()


def test_a_list_index_of_thousands_of_digits_is_malformed_input(aws):
    aws.client("iam").create_user(UserName="u")
    tag = {"Action": "TagUser", "Version": "2010-05-08", "UserName": "u"}
    huge = "9" * 5000
    status, body = _raw_iam(aws, {**tag, f"Tags.member.{huge}.Key": "k", f"Tags.member.{huge}.Value": "v"})
    assert status == 400, body[:300]
    assert "<Code>MalformedInput</Code>" in body and f'For input string: "{huge}"' in body
    status, body = _raw_iam(aws, {**tag, "Tags.member.2147483648.Key": "k", "Tags.member.2147483648.Value": "v"})
    assert (status, "<Code>MalformedInput</Code>" in body) == (400, True), body[:300]
    one = "0" * 5000 + "1"  # Java reads leading zeros of any length: this is index 1
    status, body = _raw_iam(aws, {**tag, f"Tags.member.{one}.Key": "k", f"Tags.member.{one}.Value": "v"})
    assert status == 200, body[:300]
    assert aws.client("iam").list_user_tags(UserName="u")["Tags"] == [{"Key": "k", "Value": "v"}]
    status, body = _raw_iam(aws, {"Action": "ListUsers", "Version": "2010-05-08", "MaxItems": "0" * 5000 + "1"})
    assert status == 200 and "<IsTruncated>false</IsTruncated>" in body, body[:300]


def test_the_fix_for_a_refused_web_identity_is_a_pinned_federated_trust_statement(aws):
    github_provider(aws)
    role = deploy_role(aws, "deploy", "repo:acme/app:ref:refs/heads/main")

    def token(sub: str) -> str:
        return mint(aws, issuer=GITHUB, claims={"sub": sub, "aud": "sts.amazonaws.com"})

    fork = "repo:acme/app:ref:refs/heads/release"
    with pytest.raises(ClientError):
        assume(aws, role, token(fork))
    entry = [e for e in aws.store.decision_log if e["action"] == "sts:AssumeRoleWithWebIdentity"][-1]
    status, fix = admin(aws, "GET", f"/policies/suggest?decision={entry['id']}")
    assert status == 200, fix
    assert (fix["where"], fix["attachTo"], fix["alsoNeeded"], fix["alsoNeededComplete"]) == (
        "trust policy", role, [], True)
    assert fix["statement"] == {
        "Effect": "Allow", "Principal": {"Federated": GITHUB_PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com", f"{GITHUB_HOST}:sub": fork}}}
    iam = aws.client("iam")
    trust = json.loads(json.dumps(iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"]))
    trust["Statement"].append(fix["statement"])
    iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=json.dumps(trust))  # IAM's controls take it
    assert assume(aws, role, token(fork))["AssumedRoleUser"]["Arn"].endswith(":assumed-role/deploy/ci")
    with pytest.raises(ClientError) as other:
        assume(aws, role, token("repo:attacker/evil:ref:refs/heads/main"))
    assert other.value.response["Error"]["Code"] == "AccessDenied"


def test_the_fix_for_a_refused_saml_user_is_a_pinned_federated_trust_statement(aws):
    saml_provider(aws)
    role = saml_role(aws, conditions={"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml",
                                                       "saml:sub": "alice@example.com"}})

    def signed_in(subject: str) -> dict:
        name = subject.split("@")[0]
        return saml_assume(aws, role, saml_response(aws, role, subject=subject, sessionName=name))

    with pytest.raises(ClientError):
        signed_in("bob@example.com")
    entry = [e for e in aws.store.decision_log if e["action"] == "sts:AssumeRoleWithSAML"][-1]
    status, fix = admin(aws, "GET", f"/policies/suggest?decision={entry['id']}")
    assert status == 200, fix
    assert (fix["where"], fix["alsoNeededComplete"]) == ("trust policy", True)
    assert fix["statement"] == {
        "Effect": "Allow", "Principal": {"Federated": SAML_PROVIDER}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml",
                                       "saml:sub": "bob@example.com"}}}
    iam = aws.client("iam")
    trust = iam.get_role(RoleName="federated")["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"].append(fix["statement"])
    iam.update_assume_role_policy(RoleName="federated", PolicyDocument=json.dumps(trust))
    assert signed_in("bob@example.com")["AssumedRoleUser"]["Arn"].endswith(":assumed-role/federated/bob")
    with pytest.raises(ClientError) as other:
        signed_in("eve@example.com")
    assert other.value.response["Error"]["Code"] == "AccessDenied"
