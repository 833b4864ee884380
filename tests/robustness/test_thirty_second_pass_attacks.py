"""An attacker's thirty-second pass, on what the last merges brought: STS MFA attempt limiting, IAM's self-managed MFA
rule, reserved and AWS managed policies, policy variables inside ARN components, ``aws:ResourceAccount`` of AWS
managed policies, the stricter trust-policy actions, the OIDC verifier's new claim rules and ECR's bare KMS key ids
and ``tags/list``.  Real clients throughout: boto3 in both modes (``aws``), the admin API for state import, and, where
the cost of a request is the point, the same request in-process under a line counter (the Python lines mockrunner
runs, a measure of work that does not depend on the machine: no timed assertion).

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a ``Resource`` of thousands of policy variables and         **fixed (medium).** ``split_outside_variables`` checked
colons (``arn:aws:s3:::${a}:${a}:...``) in a policy         each colon against every variable: quadratic.  A
document of up to 131,072 characters (the model's limit;    PutUserPolicy or CreatePolicy of 130,000 characters held
the size quota is checked after the grammar)                the store lock for 25 s (every other request waited)
                                                            before its ``LimitExceeded``; now 0.3 s.  Also fixed: the
                                                            simulator's context-key listing searched the lower-cased
                                                            text again for each variable (2 s per such document, now
                                                            0.3 s).  Fix: ``iam_engine/variables.py``
                                                            ``split_outside_variables`` (one pass) and
                                                            ``variable_names``, used by ``iam_engine/context_keys.py``
                                                            ``_variables``.
a web identity token whose ``exp`` (``iat``, ``nbf``) is a  **fixed (medium).** ``_timestamp`` read every digit
string of 5,000 digits                                      string with ``int``, which refuses more than 4,300 digits:
                                                            500 ``InternalFailure`` to an unsigned, unauthenticated
                                                            request (the claims are read before any key).  Now
                                                            ``InvalidIdentityToken`` "Invalid timestamp in token
                                                            claims.", as any time out of range; leading zeros are read
                                                            past (*unverified*).  Fix: ``oidc/verify.py``
                                                            ``_timestamp``.
state import of a customer managed policy filed under       **fixed (medium).** Imported: GetPolicy of
``arn:aws:iam::aws:policy/AdministratorAccess``, and of a   ``AdministratorAccess`` answered the planted policy, whose
user whose ``arn`` names another account's user             document attachments by that ARN then granted (the API
                                                            never lets an AWS managed policy change).  A user of
                                                            account A carrying ``arn:aws:iam::B:user/admin`` signs as
                                                            B's admin in every policy, B's resource policies
                                                            included.  Import now refuses an IAM entity whose ARN is
                                                            not the one IAM gives its path and name in the account
                                                            holding it (users, groups, roles, managed policies,
                                                            instance profiles, server certificates, MFA devices), an
                                                            identity provider or STS session of another account.
                                                            Fix: ``model/iam_homes.py`` ``misplaced``, called by
                                                            ``model/snapshot.py`` ``import_state``.
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* STS MFA attempts: a user naming another user's serial number with wrong codes 20 times counts nothing (the owner
  signs in at once afterwards; pinned); nine wrong codes lock the serial number for the window, a right code
  included, and the lock is per (account, serial number); a code STS accepted is refused the second time (pinned).
  Every request runs under the store lock, so two concurrent GetSessionToken calls cannot both spend one code nor
  exceed the count.  The counts are machinery, not state (a restart forgets them, as documented).
* IAM's self-managed MFA rule: the user without MFA cannot deactivate its device by naming itself, nor another
  user's device under its own name (pinned); GetSessionToken and federation sessions without MFA cannot call IAM at
  all (``InvalidClientTokenId``); an administrator deactivating another user's device is allowed, as AWS allows it.
* Reserved policies: AWS managed policies are found by their exact ARN only, so ``/aws-service-role//``, other
  cases or another partition name no policy (``NoSuchEntity``/``Invalid ARN partition``).
* A policy variable substituted into a ``Resource`` is literal text (escaped before matching): a whole-ARN
  ``${aws:PrincipalTag/arn}`` names exactly the tag's ARN (pinned); tag values cannot hold ``*`` or ``?`` at all.
  ``aws:ResourceAccount`` is set only for ``arn:aws:iam::aws:policy/`` resources and nothing a request carries
  names it.
* A state holding a role trusting ``sts:*`` is refused whole with the path of the trust policy (400, nothing
  imported; pinned).
* ECR ``tags/list`` paging (``n``, ``last``) is unchanged by the compact form; a bare KMS key id becomes the ARN of
  the repository's own account and Region.
"""
from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import mockrunner
from mockrunner.services.iam.mfa_devices import time_step, totp
from tests.iam.helpers import ACCOUNT, doc

MOCKRUNNER = str(Path(mockrunner.__file__).parent)


def _lines_run(call: Callable[[], object], *roots: str) -> int:
    """The Python lines under ``roots`` (mockrunner's, by default) that ``call`` runs (in this thread: the
    in-process harness answers here)."""
    roots = roots or (MOCKRUNNER,)
    count = [0]

    def local(frame, event, arg):
        if event == "line":
            count[0] += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(roots) else None

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return count[0]


def _code(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


# ------------------------------------------------------------------------------ policy variables in ARN components
def _variable_heavy(units: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "${a}:" * units}]})


def test_a_resource_of_many_variables_and_colons_costs_linear_work(make_harness):
    """(docs/behaviour.md, "Hostile input: thirty-second pass") Each colon was checked against every variable of the
    resource: 25 s under the store lock for a 130,000-character document (measured by hand).  The lines run for
    twice the variables now grow about twice (four times before)."""
    aws = make_harness("inprocess")
    iam = aws.client("iam")
    iam.create_user(UserName="u")

    def put(units: int) -> int:
        def call() -> None:
            code, _ = _code(lambda: iam.put_user_policy(UserName="u", PolicyName="p",
                                                        PolicyDocument=_variable_heavy(units)))
            assert code == "LimitExceeded"  # the grammar takes it; the size quota refuses it
        return _lines_run(call)

    small, large = put(1000), put(2000)
    assert large < 2.6 * small


def test_the_simulator_lists_a_variables_key_as_the_variable_spells_it(make_harness):
    """(docs/behaviour.md, "Hostile input: thirty-second pass") The simulator's context-key listing searched the
    lower-cased text again for each variable: 2 s for one 130,000-character document of variables (measured by hand;
    the search is C code, which a line counter does not see), and the spelling it found could be text outside the
    variable.  Each key is now spelled by its own variable, and many variables still list one key."""
    aws = make_harness("inprocess")
    iam = aws.client("iam")
    answer = iam.simulate_custom_policy(PolicyInputList=[_variable_heavy(2000)], ActionNames=["s3:GetObject"])
    assert answer["EvaluationResults"][0]["MissingContextValues"] == ["a"]
    answer = iam.simulate_custom_policy(PolicyInputList=[doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::aws:username/${AWS:username}"})],
        ActionNames=["s3:GetObject"])
    assert answer["EvaluationResults"][0]["MissingContextValues"] == ["AWS:username"]


def test_variables_inside_arn_components_are_still_read_as_before(aws):
    """The one-pass split keeps the components: a colon inside ``${...}`` (its default too) separates nothing."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    for resource in ("arn:${aws:PrincipalTag/partition, 'aws'}:s3:::bucket/${aws:username}",
                     "${aws:PrincipalTag/arn}", "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"):
        iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                    "Resource": resource}]}))
    code, message = _code(lambda: iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser",
                                                "Resource": "arn:aws:iam:${aws:x, 'us-east-1'}:1:user/u"}]})))
    assert code == "MalformedPolicyDocument" and "IAM resource" in message


def test_a_whole_arn_variable_names_the_one_resource_its_tag_spells(aws):
    """A substituted value is literal text: ``${aws:PrincipalTag/arn}`` names exactly the ARN the tag holds (tag values
    cannot hold ``*`` or ``?``: IAM's and STS's tag patterns refuse them)."""
    iam = aws.client("iam")
    iam.create_user(UserName="u", Tags=[{"Key": "arn", "Value": f"arn:aws:iam::{ACCOUNT}:user/u"}])
    iam.create_user(UserName="uv")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "${aws:PrincipalTag/arn}"}))
    key = iam.create_access_key(UserName="u")["AccessKey"]
    caller = aws.client_for(key, "iam")
    assert caller.get_user(UserName="u")["User"]["UserName"] == "u"
    code, _ = _code(lambda: caller.get_user(UserName="uv"))
    assert code == "AccessDenied"


# ------------------------------------------------------------------------------ OIDC time claims
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(claims: dict) -> str:
    return f'{_b64(json.dumps({"alg": "RS256", "kid": "k"}).encode())}.{_b64(json.dumps(claims).encode())}.c2ln'


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ["1" * 5000, "9" * 20], ids=["5000-digits", "20-digits"])
def test_a_time_claim_of_thousands_of_digits_is_an_invalid_timestamp(aws, claim, value):
    """(docs/behaviour.md, "Hostile input: thirty-second pass") ``int`` refused the 5,000-digit string: a 500 to an
    unsigned request.  Now the answer for any time out of range."""
    claims = {"iss": "https://issuer.example", "sub": "s", "aud": "a", "iat": 1, "exp": 2, claim: value}
    code, message = _code(lambda: aws.client("sts").assume_role_with_web_identity(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="ss", WebIdentityToken=_token(claims)))
    assert (code, message) == ("InvalidIdentityToken", "Invalid timestamp in token claims.")


def test_a_time_claim_with_thousands_of_leading_zeros_is_read_as_its_number(aws):
    """Leading zeros are read past (*unverified*): the token goes on to the issuer's check."""
    claims = {"iss": "https://issuer.example", "sub": "s", "aud": "a", "iat": 1, "exp": "0" * 5000 + "1"}
    code, message = _code(lambda: aws.client("sts").assume_role_with_web_identity(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="ss", WebIdentityToken=_token(claims)))
    assert code == "InvalidIdentityToken" and message.startswith("No OpenIDConnect provider found")


# ------------------------------------------------------------------------------ state import: IAM homes
def _exported(aws) -> dict:
    status, document = aws.admin("GET", "/state")
    assert status == 200
    return document


def _imported(aws, document: dict) -> tuple[int, dict]:
    return aws.admin("PUT", "/state", document)


def test_state_import_cannot_file_a_policy_under_an_aws_managed_policys_arn(aws):
    """(docs/behaviour.md, "Hostile input: thirty-second pass") The planted policy stood in for
    ``AdministratorAccess`` in its account; now the import is refused and nothing changes."""
    iam = aws.client("iam")
    iam.create_policy(PolicyName="mine", PolicyDocument=doc({"Effect": "Allow", "Action": "s3:ListBucket",
                                                             "Resource": "*"}))
    document = _exported(aws)
    policies = document["state"]["accounts"][ACCOUNT]["iam"]["policies"]
    planted = policies.pop(f"arn:aws:iam::{ACCOUNT}:policy/mine")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    policies[admin] = {**planted, "arn": admin, "name": "AdministratorAccess"}
    status, answer = _imported(aws, document)
    assert status == 400 and "AdministratorAccess" in answer["message"]
    assert iam.get_policy(PolicyArn=admin)["Policy"]["PolicyId"] != planted["policy_id"]
    assert iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/mine")["Policy"]["PolicyName"] == "mine"


@pytest.mark.parametrize("collection, name, arn", [
    ("users", "u", "arn:aws:iam::210987654321:user/admin"),
    ("users", "u", f"arn:aws:iam::{ACCOUNT}:user/admin"),
    ("roles", "r", "arn:aws:iam::210987654321:role/r"),
    ("groups", "g", f"arn:aws:iam::{ACCOUNT}:group/other/g"),
])
def test_state_import_cannot_give_an_entity_another_entitys_arn(aws, collection, name, arn):
    """(docs/behaviour.md, "Hostile input: thirty-second pass") A user of this account carrying another account's
    user's ARN signed as that user."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}))
    document = _exported(aws)
    document["state"]["accounts"][ACCOUNT]["iam"][collection][name]["arn"] = arn
    status, answer = _imported(aws, document)
    assert status == 400 and f"iam.{collection}['{name}']" in answer["message"]
    assert iam.get_user(UserName="u")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/u"


def test_state_import_cannot_give_a_session_another_accounts_arn(aws):
    sts = aws.client("sts")
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}))
    iam.create_user(UserName="u")
    iam.attach_user_policy(UserName="u", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="u")["AccessKey"]
    aws.client_for(key, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="ss")
    document = _exported(aws)
    sessions = document["state"]["accounts"][ACCOUNT]["iam"]["sessions"]
    assert sessions
    for session in sessions.values():
        session["arn"] = "arn:aws:sts::210987654321:assumed-role/admin/ss"
    status, answer = _imported(aws, document)
    assert status == 400 and ".iam.sessions[" in answer["message"]
    assert sts.get_caller_identity()["Account"] == ACCOUNT


def test_a_state_whose_role_trusts_sts_star_is_refused_whole(aws):
    """Held: the stricter trust grammar refuses such a state with the trust policy's path, nothing imported."""
    iam = aws.client("iam")
    iam.create_user(UserName="kept")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}))
    document = _exported(aws)
    account = document["state"]["accounts"][ACCOUNT]["iam"]
    account["roles"]["r"]["assume_role_policy"] = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:*"}]})
    account["users"].pop("kept")
    status, answer = _imported(aws, document)
    assert status == 400
    assert answer["message"].endswith("roles.r.assume_role_policy: not a valid policy document for a trust policy: "
                                      "AssumeRole policy may only specify STS AssumeRole actions.")
    assert iam.get_user(UserName="kept")["User"]["UserName"] == "kept"


# ------------------------------------------------------------------------------ MFA (held)
def _user_with_device(aws, name: str) -> tuple[dict, str, str]:
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{name}-device")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    step = time_step(aws.store.clock.now())
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                          AuthenticationCode2=totp(seed, step))
    return key, serial, seed


def test_naming_another_users_device_counts_no_attempt_against_it(aws):
    """Held: STS counts only a request naming the caller's own device, so another user cannot lock one out."""
    alice, alice_serial, alice_seed = _user_with_device(aws, "alice")
    bob, _, _ = _user_with_device(aws, "bob")
    bob_sts = aws.client_for(bob, "sts")
    for _ in range(20):
        code, message = _code(lambda: bob_sts.get_session_token(SerialNumber=alice_serial, TokenCode="000000"))
        assert code == "AccessDenied" and "unable to validate" in message
    alice_sts = aws.client_for(alice, "sts")
    code_now = totp(alice_seed, time_step(aws.store.clock.now()))
    assert alice_sts.get_session_token(SerialNumber=alice_serial, TokenCode=code_now)["Credentials"]
    code, message = _code(lambda: alice_sts.get_session_token(SerialNumber=alice_serial, TokenCode=code_now))
    assert code == "AccessDenied" and "invalid MFA one time pass code" in message


def test_a_user_without_mfa_cannot_deactivate_a_device_by_any_naming(aws):
    """Held: the self-managed MFA rule looks at the user the request names, whichever device it names."""
    alice, alice_serial, _ = _user_with_device(aws, "alice")
    _, bob_serial, _ = _user_with_device(aws, "bob")
    alice_iam = aws.client_for(alice, "iam")
    for call in (lambda: alice_iam.deactivate_mfa_device(SerialNumber=alice_serial),
                 lambda: alice_iam.deactivate_mfa_device(UserName="alice", SerialNumber=alice_serial),
                 lambda: alice_iam.deactivate_mfa_device(UserName="alice", SerialNumber=bob_serial)):
        code, message = _code(call)
        assert code == "AccessDenied" and message.startswith("To complete this action")
    assert [device["SerialNumber"] for device in aws.client("iam").list_mfa_devices(UserName="alice")[
        "MFADevices"]] == [alice_serial]
