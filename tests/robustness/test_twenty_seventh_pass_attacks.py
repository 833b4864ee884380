"""An attacker's twenty-seventh pass: IAM and STS outside federation, the policy simulator, and the gateway's
authentication and authorization path.  boto3 in both modes (``aws``, ``two_account_harness``, ``durable``); boto3
against a real server in its own process (``server``, from the seventh pass) where what matters is how long the store
lock is held, under client read deadlines well above what each request costs now (``requests`` imports the large
states some of them need through the admin API).

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
``GetContextKeysForCustomPolicy`` (or any simulator        **fixed (medium).** Every document was parsed under the
operation) with 80 policies of 2,000 statements, 9 MB;     store lock: about a second per megabyte (64 MB bodies: a
a second client asks GetCallerIdentity meanwhile           minute), every other client waiting.  The documents are
                                                           parsed before the lock now, once the caller is
                                                           authenticated and its authorization looked ahead at
                                                           (``prepare`` in the registry; a caller without the
                                                           permission has nothing parsed: its 9 MB are refused in
                                                           about two seconds, not ten); refusals are answered where
                                                           they were, after authorization.
``SimulateCustomPolicy`` with 40 policies of 2,000         **fixed (medium).** The page of 1,000 pairs read every
statements and 1,000 actions, ``MaxItems`` 1,000           statement for each pair: about 6 s of evaluation under the
                                                           lock (10.4 s with the parse).  A page now stops at
                                                           2,000,000 statement readings (0.19 s here, 25 pairs),
                                                           ``IsTruncated`` and ``Marker`` leading on, as IAM documents
                                                           ("might return fewer than the MaxItems number of results").
a trust policy naming ``arn:aws:s3::<other>:root``,        **fixed (medium).** Any ARN ending in ``:root`` named the
``arn:aws:iam:us-east-1:<other>:root``,                    account in its account field: the other account's users
``arn:aws-cn:iam::<other>:root`` (also an ECR              assumed the role and read the repository; ``*`` and
repository policy), ``arn:aws:iam::*:root``                ``abc`` as the account were accepted.  Only
                                                           ``arn:aws:iam::<12 digits>:root`` names an account now;
                                                           another partition's root names nobody; the rest are
                                                           "Invalid principal in policy".
``ListPoliciesGrantingServiceAccess`` with 200             **fixed (medium).** Each namespace re-read every policy and
``ServiceNamespaces`` for a user whose 10 policies (in     tested each wildcard action against the ~440 namespaces
10 groups too: 110, within IAM's quotas) allow 400         mockrunner knows: 4 s per namespace, 200 s for 50 (about
``a*:G0``-style actions each                               13 minutes for 200), under the store lock, for a caller
                                                           able to write its own policies.  A policy's namespaces are
                                                           read once and its wildcard ones are one expression: 2 ms
                                                           for 50; GenerateServiceLastAccessedDetails 4 s to 10 ms.
GenerateCredentialReport for 5,000 users (AWS's default    **fixed (low).** Each user's keys and certificates were
quota; mockrunner caps none) with two access keys each     looked up among all of the account's: quadratic, 3.6 s
                                                           under the lock for 5,000 users (60 ms for 1,000), about
                                                           14 s for 10,000.  Gathered per user in one pass: 50 ms.
GetCallerIdentity (no permission needed) signed for        **fixed (low).** A use from another region changed the
``us-west-2``, ``eu-west-1``, ``ap-south-1``, ...  in      key's and the user's last-used records even within their
turn, with a state file                                    one-minute resolution, and a changed record is saved with
                                                           its request: every request saved the whole state (7 MB
                                                           state: 114 ms of lock per request instead of 4).  A use
                                                           within the minute is not recorded again, whatever its
                                                           region (that of the minute's first use is shown).
GetAccountAuthorizationDetails (``User``, ``MaxItems``     **fixed (low).** Each user's groups were found by reading
1,000) with 20,000 or 50,000 users, each in 10 of 300      every group's members: 0.44 s for 5,000 users, 2.7 s for
groups                                                     20,000, about 7 s for 50,000 (users are not capped).  The
                                                           members are read once per request: 87 ms for 20,000.
=========================================================  ==========================================================

Probes that held (pinned here where a test says so; the rest checked by hand, in-process unless said):

* STS sessions: GetSessionToken's credentials calling GetFederationToken or GetSessionToken: ``AccessDenied``
  "Cannot call ... with session credentials"; GetFederationToken's credentials calling IAM: InvalidClientTokenId,
  calling GetAccessKeyInfo or GetWebIdentityToken: ``AccessDenied`` (GetCallerIdentity answers).
* SigV4 against a real server: a date 14.9 minutes either side of now is taken, 15.05 minutes is
  SignatureDoesNotMatch; ``X-Amz-Date`` given twice (or once more as ``X_Amz_Date``, which the WSGI environ merges
  with it) is IncompleteSignature, never a second reading; an ``X-Amz-Security-Token`` added to a long-term key's
  request is InvalidClientTokenId; a dropped ``Content-Type`` (botocore signs it), ``UNSIGNED-PAYLOAD`` or
  ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD`` as ``X-Amz-Content-Sha256``: SignatureDoesNotMatch; the same
  Authorization header sent twice is read once.  Under the lock before authorization, a request with a known access
  key id (not its secret) costs the SHA-256 of its body before the signature is refused: 55 ms for 64 MB, linear.
* IAM names in another case: CreateUser ``bob`` beside ``Bob``, UpdateUser to ``BOB`` or to its own name in
  another case, CreateGroup ``dev`` beside ``Dev``, CreatePolicy of a taken name at another path:
  EntityAlreadyExists.  Paths ``/a//b/``, ``/./``, ``/../``, ``/%2F/`` are taken (the model's
  printable-ASCII pattern) and name their entity literally; a space, ``é`` or ``//`` is refused.  Markers ``-1`` and
  fifty nines: "Invalid Marker."; ``0``: the first page.
* Tag keys beginning with ``aws:`` on TagUser, CreateRole and CreatePolicy: "Tag keys beginning with aws: are
  reserved for system use."  Service-linked roles: boundaries and trust policy refused (UnmodifiableEntity), tags
  and description changed.  A trust policy naming a role ARN with a wildcard: "Invalid principal in policy".
* The simulator: a caller without ``iam:SimulateCustomPolicy`` (or without credentials) hears AccessDenied (or
  InvalidClientTokenId) before any document's refusal (pinned); SimulatePrincipalPolicy reads its
  ``PolicyInputList`` together with the entity's stored policies (pinned); a policy set of 200 statements still
  gets its full page of 100 pairs (pinned).
* IAM with 5,000 users with two keys each: GetAccountSummary 2 ms, ListUsers (1,000) 3 ms,
  GetAccountAuthorizationDetails (1,000) 73 ms.
* Not changed (docs/behaviour.md): IAM's per-account entity quotas (5,000 users, 1,000 roles, 300 groups, 1,500
  policies) are reported by GetAccountSummary but not enforced; an oversized ``PutUserPolicy``/``CreatePolicy``
  document (116,730 characters) is parsed before ``LimitExceeded``, 0.07-0.13 s under the lock; session tag keys
  beginning with ``aws:`` are taken by AssumeRole and GetFederationToken; GetSessionToken's credentials may call
  GetAccessKeyInfo and DecodeAuthorizationMessage.
"""
from __future__ import annotations

import json
import threading

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner.model.service_names import service_names
from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key
from tests.robustness.test_seventh_pass_attacks import server  # noqa: F401


def _statements(count: int, first: int = 0, *, keyed: bool = False) -> str:
    """A policy of ``count`` statements, each allowing an action of its own (``s3:Get<n>``); ``keyed``: the first
    one tests ``aws:PrincipalTag/k<first>``, so the policy names one context key."""
    statements = [allow(f"s3:Get{number}") for number in range(first, first + count)]
    if keyed:
        statements[0]["Condition"] = {"StringEquals": {f"aws:PrincipalTag/k{first}": "v"}}
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


# ------------------------------------------------------------------------------------------------ the simulator
def test_a_simulation_page_stops_where_its_statement_readings_would_run_past_the_bound(aws):
    """Two policies of 1,250 statements each: a page of 1,000 pairs read 2.5 million statements (in the test's
    server, 80,000 statements x 1,000 pairs held the store lock for 10 s); a page now holds at most 2,000,000
    readings, 689 pairs here (each 2,500 statements, 250 for the pair itself and 150 for the statement it lists:
    the thirty-fourth pass), and the Marker leads on to the rest, which answer as they did."""
    iam = aws.client("iam")
    policies = [_statements(1250), _statements(1250, 1250)]
    assert all(len(policy) <= 131_072 for policy in policies)
    actions = [f"s3:Get{number}" for number in range(0, 2000, 2)]  # 1,000 actions, every one allowed
    first = iam.simulate_custom_policy(PolicyInputList=policies, ActionNames=actions, MaxItems=1000)
    assert len(first["EvaluationResults"]) == 689
    assert first["IsTruncated"]
    rest = iam.simulate_custom_policy(PolicyInputList=policies, ActionNames=actions, MaxItems=1000,
                                      Marker=first["Marker"])
    assert not rest["IsTruncated"]
    results = first["EvaluationResults"] + rest["EvaluationResults"]
    assert [result["EvalActionName"] for result in results] == actions
    assert {result["EvalDecision"] for result in results} == {"allowed"}
    assert results[-1]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.2"


def test_a_small_simulation_still_fills_its_page(aws):
    """The bound leaves ordinary simulations alone: 100 pairs against 20 small policies answer in one page."""
    iam = aws.client("iam")
    policies = [_statements(10, 10 * number) for number in range(20)]
    answer = iam.simulate_custom_policy(PolicyInputList=policies, ActionNames=[f"s3:Get{n}" for n in range(100)],
                                        ResourceArns=["arn:aws:s3:::b/1"])
    assert len(answer["EvaluationResults"]) == 100 and not answer["IsTruncated"]


def test_policy_documents_are_read_while_other_requests_are_answered(server):  # noqa: F811
    """80 policies of 2,000 statements (9 MB, each under 131,072 characters): parsing them took about ten seconds,
    all of it under the store lock, so every other client waited (a 3-second read deadline ran out).  They are read
    before the lock is taken now; other clients are answered throughout, and the answer is the same."""
    policies = [_statements(2000, 2000 * number, keyed=True) for number in range(80)]
    assert all(len(policy) <= 131_072 for policy in policies)
    attacker = server.client("iam", config=Config(read_timeout=300, connect_timeout=5, retries={"max_attempts": 0}))
    answers: dict = {}

    def ask() -> None:
        answers["keys"] = attacker.get_context_keys_for_custom_policy(PolicyInputList=policies)["ContextKeyNames"]

    asking = threading.Thread(target=ask)
    asking.start()
    bystander = server.client("sts", config=Config(read_timeout=3, connect_timeout=5, retries={"max_attempts": 0}))
    answered = 0
    try:
        for _ in range(1000):
            if not asking.is_alive():
                break
            assert bystander.get_caller_identity()["Account"] == ACCOUNT
            answered += 1
    finally:
        asking.join(timeout=300)
    assert answered >= 1
    assert answers["keys"] == [f"aws:PrincipalTag/k{2000 * number}" for number in range(80)]


def test_a_caller_without_the_permission_does_not_have_the_documents_read(server):  # noqa: F811
    """The same 9 MB from a user without ``iam:GetContextKeysForCustomPolicy``: its documents were parsed (about ten
    seconds of the server's CPU, outside the lock) before the AccessDenied; its authorization is looked at first
    now, so the refusal comes as soon as the body is read.  The read timeout only keeps a hung server from holding
    the test: it is generous, as a loaded machine takes seconds to send and hash 9 MB (the order itself is pinned by
    the next test, deterministically)."""
    policies = [_statements(2000, 2000 * number) for number in range(80)]
    key = user_with_key(server, "nobody")
    nobody = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"],
                           config=Config(read_timeout=60, connect_timeout=10, retries={"max_attempts": 0}))
    assert error_of(nobody.get_context_keys_for_custom_policy, PolicyInputList=policies)[0] == "AccessDenied"


@pytest.mark.parametrize("operation,refusal", [("simulate_custom_policy", "InvalidInput"),
                                               ("get_context_keys_for_custom_policy", "InvalidInput")])
def test_a_document_read_early_is_still_refused_after_authentication_and_authorization(aws, operation, refusal):
    """The documents are read before the store lock, but a refusal of one is answered where it was: a caller
    without valid credentials hears InvalidClientTokenId, one without the permission AccessDenied, and only a
    permitted caller the refusal (GetContextKeysForCustomPolicy's is InvalidInput:
    tests/iam/test_stackd_recordings.py)."""
    extra = {"ActionNames": ["s3:GetObject"]} if operation == "simulate_custom_policy" else {}
    broken = '{"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}'
    stranger = aws.client("iam", access_key="AKIAIOSFODNN7EXAMPLE", secret="nope")
    assert error_of(getattr(stranger, operation), PolicyInputList=[broken], **extra)[0] == "InvalidClientTokenId"
    nobody = aws.client_for(user_with_key(aws, "nobody"), "iam")
    assert error_of(getattr(nobody, operation), PolicyInputList=[broken], **extra)[0] == "AccessDenied"
    with pytest.raises(ClientError) as caught:
        getattr(aws.client("iam"), operation)(PolicyInputList=[_statements(1), broken], **extra)
    assert caught.value.response["Error"]["Code"] == refusal


def test_a_principal_simulation_reads_its_input_policies_as_before(aws):
    """SimulatePrincipalPolicy's ``PolicyInputList`` goes the same way: the stored policies and the given ones
    decide together, and the given ones' context keys are listed."""
    iam = aws.client("iam")
    user_with_key(aws, "alice", inline={"own": doc(allow("s3:GetObject"))})
    arn = f"arn:aws:iam::{ACCOUNT}:user/alice"
    answer = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:Get7"],
                                           PolicyInputList=[_statements(10, keyed=True)])
    assert [result["EvalDecision"] for result in answer["EvaluationResults"]] == ["allowed", "allowed"]
    assert answer["EvaluationResults"][1]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert iam.get_context_keys_for_principal_policy(PolicySourceArn=arn, PolicyInputList=[
        _statements(3, keyed=True)])["ContextKeyNames"] == ["aws:PrincipalTag/k0"]


# ------------------------------------------------------------------------------------------------ account roots
def _other_account_user(aws, name: str, document: str) -> dict:
    """A user of the ``two_account_harness``'s second account with ``document`` as its policy: its access key."""
    iam = aws.client("iam", access_key="other-key", secret="other-secret")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document)
    return iam.create_access_key(UserName=name)["AccessKey"]


@pytest.mark.parametrize("principal", [
    f"arn:aws:iam::{OTHER_ACCOUNT[:6]}*:root", "arn:aws:iam::*:root", f"arn:aws:s3::{OTHER_ACCOUNT}:root",
    f"arn:aws:sts::{OTHER_ACCOUNT}:root", f"arn:aws:iam:us-east-1:{OTHER_ACCOUNT}:root", "arn:aws:iam::other:root",
])
def test_a_root_arn_that_names_no_account_is_not_a_principal(two_account_harness, principal):
    """Every ARN ending in ``:root`` was read as the root of the account field, whatever its service, Region or
    account: a trust policy naming ``arn:aws:s3::<other>:root`` let the other account's users assume the role.
    IAM refuses a wildcard in part of a principal ARN ("You cannot use a wildcard to match part of a principal name
    or ARN", User Guide), and these name no principal: "Invalid principal in policy"."""
    aws = two_account_harness
    trust = doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})
    code, message, _ = error_of(aws.client("iam").create_role, RoleName="shared", AssumeRolePolicyDocument=trust)
    assert (code, message) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{principal}"')
    key = _other_account_user(aws, "dave", doc(allow("sts:AssumeRole")))
    assert error_of(aws.client_for(key, "sts").assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/shared",
                    RoleSessionName="dave")[0] == "AccessDenied"


def test_the_root_of_another_partitions_account_names_nobody_here(two_account_harness):
    """``arn:aws-cn:iam::<other>:root`` is the root of an account in AWS China: mockrunner serves the ``aws``
    partition only, so it names none of its callers (it named the other account of ``aws``: its users assumed the
    role and read the repository)."""
    aws = two_account_harness
    principal = f"arn:aws-cn:iam::{OTHER_ACCOUNT}:root"
    aws.client("iam").create_role(RoleName="shared", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}))
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="shared")
    ecr.set_repository_policy(repositoryName="shared", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "ecr:DescribeImages"}]}))
    key = _other_account_user(aws, "dave", doc(allow(["sts:AssumeRole", "ecr:DescribeImages"])))
    assert error_of(aws.client_for(key, "sts").assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/shared",
                    RoleSessionName="dave")[0] == "AccessDenied"
    assert error_of(aws.client_for(key, "ecr").describe_images, repositoryName="shared",
                    registryId=ACCOUNT)[0] == "AccessDeniedException"
    # the account's own root ARN still names the other account
    aws.client("iam").update_assume_role_policy(RoleName="shared", PolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    assert aws.client_for(key, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/shared",
                                                  RoleSessionName="dave")["AssumedRoleUser"]


# ------------------------------------------------------------------------------------------------ last accessed
def _wildcard_namespaces_policy() -> str:
    """6,144 characters of ``Allow`` on 400 actions whose namespaces are wildcards (``a*:G0``, ``b*:G1``, ...)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": [f"{chr(97 + number % 26)}*:G{number}" for number in range(400)],
        "Resource": "*"}]})


def test_policies_granting_service_access_are_found_at_once(server):  # noqa: F811
    """A user with 10 such policies, in 10 groups that attach them too (110 policies, within IAM's quotas): each of
    the 200 ``ServiceNamespaces`` (the model's maximum) tested every wildcard action against each of the ~440
    namespaces mockrunner knows, per policy: 4 s for one namespace, 200 s for 50, all under the store lock.  A
    policy's wildcard namespaces are now one expression, read once: milliseconds, the same answer."""
    iam = server.client("iam")
    document = _wildcard_namespaces_policy()
    assert len("".join(document.split())) <= 6144
    arns = [iam.create_policy(PolicyName=f"wide{number}", PolicyDocument=document)["Policy"]["Arn"]
            for number in range(10)]
    iam.create_user(UserName="alice")
    for arn in arns:
        iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    for group in range(10):
        iam.create_group(GroupName=f"g{group}")
        iam.add_user_to_group(GroupName=f"g{group}", UserName="alice")
        for arn in arns:
            iam.attach_group_policy(GroupName=f"g{group}", PolicyArn=arn)
    alice = f"arn:aws:iam::{ACCOUNT}:user/alice"
    namespaces = [name for name in service_names() if name != "s3"][:199] + ["s3"]
    granting = iam.list_policies_granting_service_access(Arn=alice, ServiceNamespaces=namespaces)[
        "PoliciesGrantingServiceAccess"]
    # each policy once, however many groups attach it too (recorded from AWS since: "Parity sweep against stackd's
    # recordings of last access, outbound identity and federation")
    assert [len(entry["Policies"]) for entry in granting] == [10] * 200
    assert {policy["PolicyName"] for policy in granting[0]["Policies"]} == {f"wide{n}" for n in range(10)}
    assert iam.generate_service_last_accessed_details(Arn=alice)["JobId"]


@pytest.mark.parametrize("actions, namespace, granted", [
    (["s3:GetObject"], "s3", True), (["S3:GetObject"], "s3", True), (["s3:GetObject"], "ec2", False),
    (["s?:Get*"], "s3", True), (["s?:Get*"], "sts", False), (["e*2:*"], "ec2", True), (["e*2:*"], "ecr", False),
    (["*"], "bedrock", True), (["ec2-*:x"], "ec2-instance-connect", True), (["ec2-*:x"], "ec2messages", False),
])
def test_which_policies_grant_a_namespace_is_answered_as_before(aws, actions, namespace, granted):
    """Literal namespaces in any case, ``*`` and ``?`` in a namespace (read as ``fnmatchcase`` reads them, a ``-``
    literally), ``"*"``; a ``NotAction`` statement grants every namespace its patterns do not cover whole.  The
    namespaces asked are services IAM knows, others being refused since
    (docs/behaviour.md, "Parity sweep against stackd's recordings of last access, outbound identity and federation")."""
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=doc(allow(actions)))
    iam.put_user_policy(UserName="alice", PolicyName="not", PolicyDocument=doc(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    (entry,) = iam.list_policies_granting_service_access(Arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
                                                         ServiceNamespaces=[namespace])["PoliciesGrantingServiceAccess"]
    assert sorted(policy["PolicyName"] for policy in entry["Policies"]) == (["not", "p"] if granted else ["not"])


# ------------------------------------------------------------------------------------------------ credential report
CREATED = {"$datetime": "2026-01-01T00:00:00+00:00"}


def exported_iam_state(served) -> tuple[dict, dict]:
    """The server's state document (``GET /_mockrunner/state``) and the default account's IAM part of it."""
    exported = requests.get(served.endpoint_url + "/_mockrunner/state", timeout=30)
    assert exported.status_code == 200, exported.text[:300]
    document = exported.json()
    return document, document["state"]["accounts"][ACCOUNT]["iam"]


def planted_user(iam_state: dict, name: str, number: int) -> None:
    """A user with nothing attached, written into a state document (thousands of them, faster than the API)."""
    iam_state["users"][name] = {
        "$type": "mockrunner.model.iam:User", "name": name, "user_id": f"AIDA{number:017d}", "path": "/",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "create_date": CREATED, "tags": {}, "inline_policies": {},
        "attached_policies": [], "permissions_boundary": None}


def test_a_credential_report_of_ten_thousand_users_is_built_at_once(server):  # noqa: F811
    """10,000 users with two access keys each (mockrunner does not cap users; AWS's default quota is 5,000): the
    report looked each user's keys up among all keys, so building it was quadratic, 3.6 s for 5,000 users and
    about 14 s for these, under the store lock.  Keys are gathered per user in one pass now."""
    document, iam_state = exported_iam_state(server)
    for number in range(10_000):
        name = f"user{number}"
        planted_user(iam_state, name, number)
        for second in (0, 1):
            key_id = f"AKIA{2 * number + second:016d}"
            iam_state["access_keys"][key_id] = {
                "$type": "mockrunner.model.iam:AccessKey", "access_key_id": key_id, "secret_access_key": "s" * 40,
                "user_name": name, "status": "Active", "create_date": CREATED, "root": False}
    imported = requests.put(server.endpoint_url + "/_mockrunner/state", json=document, timeout=120)
    assert imported.status_code == 200, imported.text[:300]
    iam = server.client("iam", config=Config(read_timeout=5, connect_timeout=5, retries={"max_attempts": 0}))
    assert iam.generate_credential_report()["State"] == "STARTED"
    rows = iam.get_credential_report()["Content"].decode().splitlines()
    assert len(rows) == 10_002 and rows[1].startswith("<root_account>,")
    assert rows[2].split(",")[:1] + rows[2].split(",")[8:9] + rows[2].split(",")[13:14] == ["user0", "true", "true"]


# ------------------------------------------------------------------------------------------------ last used
def test_requests_from_region_after_region_do_not_save_the_state_each_time(durable, tmp_path):
    """GetCallerIdentity needs no permission, and a use from another region changed the key's last-used record,
    which is saved with the request: a caller alternating four regions made every request save the whole state
    (a 7 MB state: 114 ms of store lock per request instead of 4).  Within a minute of the recorded use a use is
    not recorded again, whatever its region: the first request of the minute saves, the rest do not."""
    iam = durable.client("iam")
    key = user_with_key(durable, "alice")
    regions = ["us-west-2", "eu-west-1", "ap-south-1", "sa-east-1"]
    clients = [durable.client_for(key, "sts", region=region) for region in regions]
    clients[0].get_caller_identity()  # the first use: recorded, and saved with it
    state = tmp_path / "state.bin"
    saved = state.stat().st_mtime_ns, state.stat().st_ino
    for _ in range(3):
        for client in clients:
            assert client.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (state.stat().st_mtime_ns, state.stat().st_ino) == saved
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert used["Region"] == "us-west-2" and used["ServiceName"] == "sts"


def test_authorization_details_of_many_users_in_many_groups_are_paged_at_once(server):  # noqa: F811
    """50,000 users, each in 10 of 300 groups: a page of 1,000 users looked each one's groups up by reading every
    group's members (2.7 s for 20,000 users, about 7 s for these, under the store lock); the members are read once
    per request now."""
    document, iam_state = exported_iam_state(server)
    for number in range(300):
        name = f"group{number}"
        iam_state["groups"][name] = {
            "$type": "mockrunner.model.iam:Group", "name": name, "group_id": f"AGPA{number:017d}", "path": "/",
            "arn": f"arn:aws:iam::{ACCOUNT}:group/{name}", "create_date": CREATED, "users": [],
            "inline_policies": {}, "attached_policies": []}
    for number in range(50_000):
        name = f"user{number:05d}"
        planted_user(iam_state, name, number)
        for step in range(10):
            iam_state["groups"][f"group{(number + 31 * step) % 300}"]["users"].append(name)
    imported = requests.put(server.endpoint_url + "/_mockrunner/state", json=document, timeout=120)
    assert imported.status_code == 200, imported.text[:300]
    iam = server.client("iam", config=Config(read_timeout=3, connect_timeout=5, retries={"max_attempts": 0}))
    page = iam.get_account_authorization_details(Filter=["User"], MaxItems=1000)
    assert len(page["UserDetailList"]) == 1000 and page["IsTruncated"]
    first = page["UserDetailList"][0]
    assert first["UserName"] == "user00000"
    assert sorted(first["GroupList"]) == sorted(f"group{31 * step}" for step in range(10))
