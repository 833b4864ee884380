"""What compiled principals and the Access Troubleshooter's records keep is bounded by its weight, not only by its
number (docs/behaviour.md, "Compiled principals and authorization records bounded by weight (session 20)"; the
thirty-sixth pass measured both and left them).

* A compiled principal kept its policies compiled, and 4,096 of them were kept (with 4,096 cached callers pointing
  at theirs, the plans of their policy sets and the decisions kept for them, whose guards hold statements): a role
  session given a distinct 2,000-character session policy of conditions left about 115 KB behind (measured with
  ``tracemalloc``), 470 MB for 4,096 sessions, for a caller allowed only ``sts:AssumeRole`` on one role.
* An authorization record refers to the policy documents in force at its denial: a caller rewriting its own
  policies between denials kept every old text alive (about 80 KB a record at IAM's quotas, 2,000 records).

Real clients (boto3); what is kept is read from the store and the engine's tables, and retained memory is measured
with ``tracemalloc`` after a collection, never timed.
"""
from __future__ import annotations

import gc
import json
import tracemalloc
import weakref

from mockrunner.auth import authorizer
from mockrunner.iam_engine import AuthzRequest, PolicyRef, PolicySet, evaluate, principal_from_arn
from mockrunner.iam_engine import cache as parse_cache
from mockrunner.model import authorization_details
from mockrunner.model.authorization_details import AuthorizationDetails
from tests.harness import authorization_id
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/target"
SESSIONS = 48
KEPT_PRINCIPALS = 8
"""The test's budget of compiled principals, in sessions of :func:`_session_policy`'s weight."""


def _session_policy(number: int, action: str = "iam:GetRole") -> str:
    """A distinct session policy of 1,990 characters: one statement of 56 conditions (one on the time, so each
    decision kept for it is guarded by the statement), every one true, allowing ``action``."""
    condition = {"DateGreaterThan": {"aws:CurrentTime": "2000-01-01T00:00:00Z"},
                 "StringLikeIfExists": {f"aws:PrincipalTag/k{key}": (f"{number}*" if key == 0 else "") + f"a?*b*{key}"
                                        for key in range(55)}}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition}]}, separators=(",", ":"))


def _role_and_assumer(aws):
    """Role ``target`` (allowed ``iam:GetRole``) and an STS client of a user allowed only to assume it."""
    iam = aws.client("iam")
    iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(ACCOUNT))
    iam.put_role_policy(RoleName="target", PolicyName="p", PolicyDocument=doc(allow("iam:GetRole")))
    return aws.client_for(user_with_key(aws, "assumer", inline={"assume": doc(allow("sts:AssumeRole", ROLE_ARN))}),
                          "sts")


def _session(aws, sts, number: int, action: str = "iam:GetRole"):
    credentials = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName=f"s{number}",
                                  Policy=_session_policy(number, action))["Credentials"]
    return aws.client("iam", access_key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                      token=credentials["SessionToken"])


def _gets_role(client) -> bool:
    try:
        return client.get_role(RoleName="target")["Role"]["Arn"] == ROLE_ARN
    except client.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDenied"
        return False


def _weight() -> int:
    """What one session's policy weighs, as the parse cache weighs it (about 23,000: 115 KB compiled)."""
    text = _session_policy(0)
    return parse_cache._weight(text, parse_cache.parse_policy(text))


def _budget(monkeypatch) -> int:
    """A budget of compiled principals holding :data:`KEPT_PRINCIPALS` sessions' policies (set before the store's
    cache of compiled principals is made, at its first request)."""
    budget = KEPT_PRINCIPALS * _weight()
    monkeypatch.setattr(authorizer, "PRINCIPALS_WEIGHT", budget, raising=False)
    return budget


# ------------------------------------------------------------------------------------------------ compiled principals
def test_sessions_with_distinct_policies_leave_their_compiled_policies_behind_only_within_a_budget(aws, monkeypatch):
    """48 sessions of one role, each given a distinct session policy of conditions (every other one allowing
    ``iam:GetRole``, the rest ``iam:ListRoles``), each calling GetRole: the compiled principals kept hold at most
    their budget, and the session policies of the principals dropped are freed once the parse cache drops them
    (before: every one was kept alive by its compiled principal, by its cached caller and by its set's plans).
    Every session is answered the same before and after its principal is dropped."""
    budget = _budget(monkeypatch)
    sts = _role_and_assumer(aws)
    sessions = [_session(aws, sts, number, "iam:GetRole" if number % 2 == 0 else "iam:ListRoles")
                for number in range(SESSIONS)]
    assert [_gets_role(session) for session in sessions] == [number % 2 == 0 for number in range(SESSIONS)]
    first = weakref.ref(parse_cache.parse_policy(_session_policy(0)))
    parse_cache.clear_cache()
    gc.collect()
    assert first() is None
    kept, weight = aws.store.caches["authorizer"].held()
    assert KEPT_PRINCIPALS // 2 <= kept < SESSIONS and weight <= budget
    # Asked again, dropped principals are compiled anew and answer as before.
    assert [_gets_role(session) for session in sessions[:4]] == [True, False, True, False]


def _retained_by_sessions(aws, sts, numbers: range) -> int:
    """Bytes still allocated after a session of each number called GetRole (allowed), once the parse cache is
    emptied and garbage collected."""
    parse_cache.clear_cache()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in numbers:
            assert _gets_role(_session(aws, sts, number))
        parse_cache.clear_cache()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_what_sessions_with_distinct_policies_leave_behind_is_bounded(make_harness, monkeypatch):
    """The memory left behind by 48 such sessions (allowed: their decisions are kept, guarded by the statement of
    56 conditions): before, about 115 KB a session (5.5 MB here, 470 MB for 4,096), compiled policies held by the
    principals, callers, plans and kept decisions.  Now what the budget's eight principals hold, and each session's
    own state (its credentials, its caller, a decision log entry): 1.4 MB, about a quarter (bounded below half)."""
    _budget(monkeypatch)
    aws = make_harness("inprocess")
    sts = _role_and_assumer(aws)
    for number in range(1000, 1004):  # first uses of every path (clients, caches of the gateway) out of the count
        assert _gets_role(_session(aws, sts, number))
    retained = _retained_by_sessions(aws, sts, range(SESSIONS))
    one_session = _weight() * 4  # about 95 KB
    assert retained < SESSIONS * one_session // 2, retained


def test_a_policy_sets_plans_go_with_it():
    """The plans of every policy set were kept together by the set's number (32,768), each holding its set's
    policies and statements: a set dropped (its principal recompiled or evicted) stayed alive through them.  Each
    set now keeps its own plans, counted together: dropped, its policies are freed, and a set's answers hold."""
    principal = principal_from_arn(f"arn:aws:iam::{ACCOUNT}:user/alice")
    document = _session_policy(7)
    policies = PolicySet([PolicyRef("p", json.loads(document))])
    for resource in ("*", f"arn:aws:iam::{ACCOUNT}:role/a", f"arn:aws:iam::{ACCOUNT}:role/b"):
        request = AuthzRequest(principal, "iam:GetRole", resource, {}, policies, all_allows=False)
        assert evaluate(request).allowed
        assert evaluate(request).allowed  # from its plan
    compiled = weakref.ref(policies[0].document)
    del policies, request
    parse_cache.clear_cache()
    gc.collect()
    assert compiled() is None


# ------------------------------------------------------------------------------------------------ authorization records
RECORDS_WEIGHT = 200_000
"""The test's budget of records: 30 records of one user's denial (about 5,700 each: its context, evaluation and
list of policies) and one group policy of 4,800 characters fit; 30 records each with a group policy of its own do
not."""


def _padding(number: int) -> str:
    """A distinct group policy of 4,800 characters (a group's inline quota is 5,120)."""
    return doc(allow("s3:GetObject", [f"arn:aws:s3:::bucket-{number}-{index:03}/*" for index in range(150)]))


def test_records_of_a_caller_rewriting_its_policies_are_kept_within_a_weight(aws, monkeypatch):
    """A user allowed to rewrite its group's policy puts a distinct 4,800-character document before each of 30
    denials of GetRole: each record refers to the text in force at its denial, so the records kept every old text
    alive (before: all 30 kept, within the bound of 2,000 records).  They now weigh at most their budget: the oldest
    records are dropped whole (ResourceNotFoundException, as for an expired one), and the newest answer exactly as
    before, each with the document as it was at its denial."""
    monkeypatch.setattr(authorization_details, "WEIGHT", RECORDS_WEIGHT, raising=False)
    aws.store.authorization_details = AuthorizationDetails()
    root = aws.client("iam")
    root.create_group(GroupName="writers")
    key = user_with_key(aws, "writer", inline={"own": doc(
        allow(["iam:PutGroupPolicy", "iam:ListGroupPolicies"], f"arn:aws:iam::{ACCOUNT}:group/writers"),
        allow(["iam:GetRequestAuthorizationDetails", "iam:GetRequestAuthorizationPolicy"]))})
    root.add_user_to_group(GroupName="writers", UserName="writer")
    writer, toolbox = aws.client_for(key, "iam"), aws.client_for(key, "iam-toolbox")
    ids = []
    for number in range(30):
        writer.put_group_policy(GroupName="writers", PolicyName="pad", PolicyDocument=_padding(number))
        code, message, _status = error_of(writer.get_role, RoleName="anything")
        assert code == "AccessDenied"
        ids.append(authorization_id(message))
    records = aws.store.authorization_details
    assert 10 <= len(records) < 30 and records.weight() <= RECORDS_WEIGHT
    assert error_of(toolbox.get_request_authorization_details, authorizationId=ids[0])[::2] == (
        "ResourceNotFoundException", 404)
    for number in (29, 28, 25):
        details = toolbox.get_request_authorization_details(authorizationId=ids[number])
        assert details["evaluations"][0]["action"] == "iam:GetRole"
        assert details["evaluations"][0]["evaluatedEffect"] == "IMPLICIT_DENY"
        (pad,) = [policy["uri"] for policy in details["policies"]
                  if {"arn": f"arn:aws:iam::{ACCOUNT}:group/writers"} in policy["attachedTo"]]
        document = toolbox.get_request_authorization_policy(authorizationId=ids[number], policyUri=pad)
        assert document["policyDocument"] == json.loads(_padding(number))


def test_records_of_a_caller_whose_policies_do_not_change_share_them(aws, monkeypatch):
    """Held by the weighing: records refer to the store's own texts, so a caller whose policies stay as they are
    makes records that share them, counted once: 30 denials under the same 4,800-character group policy all stay
    within the same budget."""
    monkeypatch.setattr(authorization_details, "WEIGHT", RECORDS_WEIGHT, raising=False)
    aws.store.authorization_details = AuthorizationDetails()
    root = aws.client("iam")
    root.create_group(GroupName="readers")
    root.put_group_policy(GroupName="readers", PolicyName="pad", PolicyDocument=_padding(0))
    key = user_with_key(aws, "reader", inline={"own": doc(allow("iam:GetRequestAuthorizationDetails"))})
    root.add_user_to_group(GroupName="readers", UserName="reader")
    reader, toolbox = aws.client_for(key, "iam"), aws.client_for(key, "iam-toolbox")
    ids = [authorization_id(error_of(reader.get_role, RoleName="anything")[1]) for _ in range(30)]
    assert len(aws.store.authorization_details) == 30
    assert toolbox.get_request_authorization_details(authorizationId=ids[0])["evaluations"][0]["action"] == (
        "iam:GetRole")
