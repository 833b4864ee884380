"""An attacker's thirty-seventh pass: authorization correctness under caching.  Every answer the process keeps
between requests was read for what it is keyed by and what its computation reads, and probed for a way to have it
reused where a fresh evaluation would answer otherwise: a stale or wrong Allow above all, a wrong denial, a wrong
simulator or troubleshooter answer.  Real clients throughout: boto3 in both modes (``aws``), the admin API where the
state is the input.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
one PEM under one ``kid`` named for two algorithms in an   **fixed (low).** The built-in IdP's loaded signing keys
imported state (``RS256``: usable; ``ES256``: an RSA key,  were kept by key id, with the PEM as the version; whether a
unusable)                                                  PEM is usable depends on the algorithm it is named for.
                                                           Whichever was read first (before the import too: the
                                                           cache outlives it) decided for both: the RS256 key left
                                                           out of the JWKS (a token it signed refused by STS, a wrong
                                                           denial) or the ES256 one put in (the JWKS endpoint and
                                                           AssumeRoleWithWebIdentity a 500).  Kept by key id and
                                                           algorithm now.
decisions kept, then a state loaded (``PUT /state``, or    **fixed (low).** behaviour.md (thirty-fifth pass) said a
the state file put back after a failed save)               loaded state clears ``store.decisions``; it did not.  No
                                                           kept decision could be found again (every account's IAM
                                                           state is compiled anew, under new numbers), but up to
                                                           8,192 decisions of the replaced state stayed.  Cleared now.
=========================================================  ==========================================================

Probed and held (a differential oracle unless a test here says so):

* Kept decisions against a fresh evaluation (a new store importing the live one's state, its clock set to the
  same offset, the same boto3 request): 2,000 rounds of random IAM changes between requests of users and role
  sessions (inline, group and managed policies with Allows and Denies on ``aws:CurrentTime``, ``aws:EpochTime``,
  ``aws:PrincipalTag``, ``aws:ResourceTag``, ``aws:SourceIp``, ``aws:SecureTransport``, ``aws:userid``,
  ``aws:username`` and ``${aws:username}`` resources; attach/detach, group membership, boundaries put and deleted,
  policy versions created and set default, tags, session policies and ``PolicyArns``, roles and users deleted and
  re-created under the same name, the clock advanced past the policies' dates), each request asked twice: no
  difference.  The same over ECR in two accounts and two Regions (repository and registry policies set and
  deleted, repository tags in two spellings, ``aws:RequestedRegion``, ``aws:ResourceAccount``): 900 rounds, none.
  The same with users' GetSessionToken and GetFederationToken sessions (with and without a session policy), users
  renamed and back and moved to another path: 780 rounds, none (a deleted user's sessions refused in both).
* The guards of a kept decision (engine level): 9,000 random identity/boundary/session policy sets with ``Date*``,
  ``Numeric*``, ``...IfExists``, ``ForAnyValue``, ``Null`` on the time keys in any spelling, ``${aws:EpochTime}``
  and ``${aws:CurrentTime}`` in condition values and resources, ``NotAction``/``NotResource``; a decision reused
  whenever its guards held at a later (or earlier) time was the fresh decision, matched statements included, in
  31,000 reuses.
* Plans and memos (engine level): 36,000 decisions of random policy sets kept as a ``PolicySet`` (plans, statements
  by action and by action and resource, with their bounds cut to 30-50 entries so that they start over all the time,
  and resources past the memo's length) against the same policies as a plain list: the same decision each time.
* Which statements are guards: a time key by condition key in any case, or by a policy variable (with spaces, a
  default, in a resource or a condition value); ``Date*`` operators take no variables (a ``${aws:CurrentTime}``
  there is text and reads nothing); variables in condition *keys* are not substituted (IAM neither).
* The decision key: a context value of another type (``1`` and ``True``), a list (``aws:TagKeys``: never kept), a
  key spelled in two cases (two entries, and ``AMBIGUOUS`` decided afresh), datetimes equal as instants (the same
  text and timestamp to every operator); ``aws:MultiFactorAuthAge`` is in each request (a kept decision at one
  age is never found at another: pinned), ``aws:TokenIssueTime`` is the session's.
* Every IAM change compiles the caller anew (the version is process-wide, read before a cached caller or compiled
  principal is derived, so a value derived while another thread changes the state is stored under the older
  version and never found): group membership, boundary, default version, a policy deleted and re-created under its
  ARN, a namesake user (the old key is refused), a role session's role and ``PolicyArns`` policy (pinned); an
  access key deactivated and reactivated (authentication runs before the caches).
* The ``/v2/`` registry with a token (server, raw HTTP): ``tags/list`` twice, a Deny on ``ecr:ListImages`` put, then
  deleted, then the token's access key deactivated: 200, 200, 403, 200, 401.
* Threads: four signed callers looping (server, 1,200 requests) while root put and deleted a Deny 40 times, each
  change followed by every caller's request: never a stale answer (every request holds the store lock from
  credentials to answer).
* Two stores in one process: ``mock_apprunner`` blocks entered in turn, seeded with the same access key and
  opposite policies; two harnesses importing one state then diverging: each answered from its own state (the
  process-wide tables are keyed by numbers unique in the process: policies, policy sets, compiled principals, IAM
  versions).
* The parse cache (by text, kind and the version rule; texts differing in whitespace or escapes are two entries,
  each correct), the per-policy memos and plans (numbers never reused after a policy leaves the parse cache),
  ``compile_regex`` (by source and case rule), ``_resource_regex`` (by resolved parts, literal and pattern kept
  apart), ``context_keys``/``listing``/``statement_positions`` (by text), SigV4's caches (pure functions of their
  arguments: secret, date, Region, service; header values; path), the SAML key-pair check (both PEMs),
  ``_GRANTING`` (by document and namespaces, kept only when read in full), the IAM listing views (by account,
  listing and filters, at the IAM version), the decision log's shared values (numbers never shared), the ECR tag
  index (checked against the image) and manifest readings (by the manifest string itself).
* The simulator, the Access Troubleshooter's records and the dashboard's explanations evaluate afresh
  (``all_allows``); the simulator copies the context before adding ``aws:ResourceAccount``.

Left (docs/behaviour.md says why): the ``/v2/`` registry authenticates before taking the store lock (a key
deactivated in between lets that one request through, judged by the policies in force when it is authorized);
``aws:UserAgent`` is in no request context (a fidelity gap, no cache involved).
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.federation import GITHUB, admin, assume, deploy_role, github_provider, mint
from tests.iam.helpers import ACCOUNT, allow, doc, user_with_key
from tests.iam.keys_and_codes import current_step, totp
from tests.iam.test_decision_reuse import _allowed
from tests.iam.test_mfa_sessions import user_with_device

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


# ------------------------------------------------------------------------------------------------ probes that held
@pytest.mark.parametrize("change", ["joined group", "boundary put", "default version", "policy re-created",
                                    "namesake user"])
def test_held_an_iam_change_between_two_identical_calls_decides_the_second(aws, change):
    """(Held; pinned.)  Beyond test_decision_reuse's inline Deny, detach and tag changes: every kind of IAM change
    compiles the caller anew, so a kept decision is never found for the next identical call."""
    iam = aws.client("iam")
    deny = doc({"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"})
    arn = iam.create_policy(PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))["Policy"]["Arn"]
    key = user_with_key(aws, "caller", policies=(arn,))
    client = aws.client_for(key, "iam")
    assert [_allowed(client, "caller") for _ in range(2)] == [True, True]
    if change == "joined group":
        iam.create_group(GroupName="g")
        iam.put_group_policy(GroupName="g", PolicyName="no", PolicyDocument=deny)
        iam.add_user_to_group(GroupName="g", UserName="caller")
    elif change == "boundary put":
        boundary = iam.create_policy(PolicyName="b", PolicyDocument=doc(allow("iam:ListUsers")))["Policy"]["Arn"]
        iam.put_user_permissions_boundary(UserName="caller", PermissionsBoundary=boundary)
    elif change == "default version":
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=deny, SetAsDefault=True)
    elif change == "policy re-created":
        iam.detach_user_policy(UserName="caller", PolicyArn=arn)
        iam.delete_policy(PolicyArn=arn)
        again = iam.create_policy(PolicyName="p", PolicyDocument=deny)["Policy"]["Arn"]
        assert again == arn
        iam.attach_user_policy(UserName="caller", PolicyArn=arn)
    else:  # the caller's user deleted and re-created (same ARN, new unique id) by a caller keeping the old key
        iam.delete_access_key(UserName="caller", AccessKeyId=key["AccessKeyId"])
        iam.detach_user_policy(UserName="caller", PolicyArn=arn)
        iam.delete_user(UserName="caller")
        user_with_key(aws, "caller", policies=(arn,))
        with pytest.raises(ClientError) as refused:
            client.get_user(UserName="caller")
        assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
        return
    assert _allowed(client, "caller") is False


def test_held_a_role_session_sees_its_role_and_its_session_policy_change(aws):
    """(Held; pinned.)  A role session's kept decision ends with a change of the role's policies or of a managed
    policy its session names (``PolicyArns``)."""
    iam = aws.client("iam")
    narrowing = iam.create_policy(PolicyName="narrow", PolicyDocument=doc(allow("iam:*")))["Policy"]["Arn"]
    assumer = user_with_key(aws, "assumer", inline={"p": doc(allow("sts:AssumeRole"))})
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))
    credentials = aws.client_for(assumer, "sts").assume_role(
        RoleArn=role["Role"]["Arn"], RoleSessionName="session", PolicyArns=[{"arn": narrowing}])["Credentials"]
    session = aws.client_for(credentials, "iam")
    assert [_allowed(session, "assumer") for _ in range(2)] == [True, True]
    iam.create_policy_version(PolicyArn=narrowing, PolicyDocument=doc(allow("iam:ListUsers")), SetAsDefault=True)
    assert _allowed(session, "assumer") is False
    iam.create_policy_version(PolicyArn=narrowing, PolicyDocument=doc(allow("iam:*")), SetAsDefault=True)
    assert _allowed(session, "assumer") is True
    iam.put_role_policy(RoleName="r", PolicyName="no", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"}))
    assert _allowed(session, "assumer") is False


def test_held_an_mfa_sessions_age_passing_a_bound_decides_the_next_call(aws):
    """(Held; pinned.)  ``aws:MultiFactorAuthAge`` is in each request's context, computed at its time: a decision
    kept at one age is never found at another."""
    key, serial, seed = user_with_device(aws, "ann", inline={"p": doc(
        allow("iam:GetUser", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}}))})
    credentials = aws.client_for(key, "sts").get_session_token(
        SerialNumber=serial, TokenCode=totp(seed, current_step(aws)))["Credentials"]
    session = aws.client_for(credentials, "iam")
    assert [_allowed(session, "ann") for _ in range(2)] == [True, True]
    aws.store.clock.advance(400)
    assert _allowed(session, "ann") is False
