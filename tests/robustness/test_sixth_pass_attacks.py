"""An attacker's sixth pass: what a session carries from one call to the next, and what one request may cost.
Real clients throughout: boto3 in both modes (``aws``) and ``requests`` against a real server (``server``).

Findings (each has a test here that failed before its fix):

* Source identity: AssumeRole set a ``SourceIdentity`` without ``sts:SetSourceIdentity`` (trust policy and the
  caller's policies), a chained AssumeRole dropped the calling session's source identity or replaced it with any
  value, and ``aws:SourceIdentity`` was never in a request's context, so a Deny on it matched nothing.  The value
  now persists across chaining, cannot be changed, needs ``sts:SetSourceIdentity`` whenever it is set (chaining
  too), and is every request's ``aws:SourceIdentity``.
* SimulateCustomPolicy and SimulatePrincipalPolicy evaluated every pair of ``ActionNames`` x ``ResourceArns``
  before cutting one page out of them, under the store lock: one request naming a thousand of each (well inside the
  20,000 fields a form body may have) held every other client for half a minute, ten thousand of each for hours.
  Only the page's pairs are evaluated now.
* The query protocol's parser (IAM, STS) collected every dotted prefix of every field name, quadratic in a name's
  length: one field named ``a.a.a...`` (50,000 segments, a 100 KB body) took 18 s and gigabytes under the store
  lock, after authentication but before authorization, so a key with no permissions at all could hold the server
  (bodies may be 64 MB).  Only prefixes as deep as the operation's input shape reads are collected now.

Probes that held (not pinned here: each answer is one an existing test already asserts):

* IAM names spelled in another case (``ALICE`` for ``alice``, roles, groups, ``policy/POL``) name no entity:
  NoSuchEntity for every mutation, so a Deny on the real ARN is never sidestepped.
* Permissions boundaries bind role sessions, GetSessionToken, GetFederationToken and scoped sessions; removing a
  role's boundary reaches its live sessions; a deleted managed session policy leaves its sessions nothing.
* Megabyte documents through every entry point (inline, managed, trust, ECR repository/registry/lifecycle,
  federation session policy, the simulator): the parameter's length refusal, each well under a second.
* Forged, truncated, huge or other listings' pagination tokens (ECR, App Runner, IAM markers): each service's
  invalid-token 400 (ECR's tokens are plain offsets: another listing's token pages this one, harmlessly).
* JSON bodies with 2 million array items, 100,000-digit or out-of-range numbers, duplicate keys; a SAML
  assertion nested 200,000 deep; a URL of 30,000 query parameters (414): AWS-shaped 4xx, no 500, fast.
"""
from __future__ import annotations

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from mockrunner.listing_cursors import place_after, short_name
from mockrunner.services.iam import paging
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key

DENIED = {"AccessDenied", "AccessDeniedException"}


def _trust(*actions: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": list(actions)})


def _role(aws, name: str, *trusted: str) -> str:
    """Role ``name`` trusting the account for ``trusted``; it may do anything but IAM for source identity mallory."""
    iam = aws.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(*trusted))
    deny_mallory = {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceIdentity": "mallory"}}}
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(allow("*"), deny_mallory))
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


# ------------------------------------------------------------------------------------------------ source identity
def test_setting_a_source_identity_needs_set_source_identity_in_the_trust_policy(aws):
    plain = _role(aws, "plain", "sts:AssumeRole")
    key = user_with_key(aws, "u", inline={"p": doc(allow(["sts:AssumeRole", "sts:SetSourceIdentity"]))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    code, message, status = error_of(sts.assume_role, RoleArn=plain, RoleSessionName="run-1",
                                     SourceIdentity="alice")
    assert (code, status) == ("AccessDenied", 403) and "sts:SetSourceIdentity" in message
    assert "SourceIdentity" not in sts.assume_role(RoleArn=plain, RoleSessionName="run-1")


def test_a_source_identity_is_in_every_request_and_survives_chaining_unchanged(aws):
    first = _role(aws, "first", "sts:AssumeRole", "sts:SetSourceIdentity")
    chained = _role(aws, "chained", "sts:AssumeRole", "sts:SetSourceIdentity")
    plain = _role(aws, "plain", "sts:AssumeRole")
    key = user_with_key(aws, "u", inline={"p": doc(allow(["sts:AssumeRole", "sts:SetSourceIdentity"]))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    answer = sts.assume_role(RoleArn=first, RoleSessionName="run-1", SourceIdentity="mallory")
    assert answer["SourceIdentity"] == "mallory"
    session = answer["Credentials"]
    # The role's Deny on aws:SourceIdentity reaches the session's requests.
    assert error_of(aws.client_for(session, "iam").list_users)[0] in DENIED
    assert aws.client_for(session, "ecr").describe_repositories()["repositories"] == []
    session_sts = aws.client_for(session, "sts")
    # Chaining passes it on (no SourceIdentity in the request), so the next trust policy must allow setting it.
    code, message, _ = error_of(session_sts.assume_role, RoleArn=plain, RoleSessionName="run-2")
    assert code == "AccessDenied" and "sts:SetSourceIdentity" in message
    next_hop = session_sts.assume_role(RoleArn=chained, RoleSessionName="run-2")
    assert next_hop["SourceIdentity"] == "mallory"
    assert error_of(aws.client_for(next_hop["Credentials"], "iam").list_users)[0] in DENIED
    # It cannot be changed along the chain, nor dropped by scoping the session down.
    code, message, _ = error_of(session_sts.assume_role, RoleArn=chained, RoleSessionName="run-3",
                                SourceIdentity="alice")
    assert code == "AccessDenied" and "sts:SetSourceIdentity" in message
    assert session_sts.assume_role(RoleArn=chained, RoleSessionName="run-3",
                                   SourceIdentity="mallory")["SourceIdentity"] == "mallory"
    scoped = session_sts.get_scoped_credentials(Policy=doc(allow("*")))
    assert scoped["SourceIdentity"] == "mallory"
    assert error_of(aws.client_for(scoped["Credentials"], "iam").list_users)[0] in DENIED


# ------------------------------------------------------------------------------------------------ one request's cost
def test_a_simulation_of_thousands_of_actions_and_resources_costs_one_page(server):
    """The answer must come within the client's read deadline (the unfixed server evaluated 1.4 million pairs
    first); a page holds whole actions, the last page the last ones."""
    deadline = Config(read_timeout=15, connect_timeout=5, retries={"max_attempts": 0})
    iam = server.client("iam", config=deadline)
    count = 1200
    actions, resources = [f"s3:Get{i}" for i in range(count)], [f"arn:aws:s3:::b/{i}" for i in range(count)]
    policy = doc(allow("s3:*", "arn:aws:s3:::b/7"))
    # One result per action over every resource (as IAM answers: radkawar/stackd, testdata/aws/iam/simulation.json,
    # "pagination_first"); a page holds actions.
    first = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=actions, ResourceArns=resources,
                                       MaxItems=2)
    assert [(r["EvalActionName"], len(r["ResourceSpecificResults"])) for r in first["EvaluationResults"]] == [
        ("s3:Get0", count), ("s3:Get1", count)]
    assert first["IsTruncated"] and first["Marker"] == paging.marker(
        2, paging.listing_fingerprint("SimulateCustomPolicy"), place_after(2, range(2, 6), 1, short_name))
    last = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=actions, ResourceArns=resources,
                                      Marker=_simulation_marker(count - 2), MaxItems=5)
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in last["EvaluationResults"]] == [
        (f"s3:Get{count - 2}", "implicitDeny"), (f"s3:Get{count - 1}", "implicitDeny")]
    assert not last["IsTruncated"]
    seventh = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=actions, ResourceArns=resources,
                                         Marker=_simulation_marker(1), MaxItems=1)["EvaluationResults"]
    assert [(entry["EvalResourceName"], entry["EvalResourceDecision"]) for entry in seventh[0][
        "ResourceSpecificResults"] if entry["EvalResourceDecision"] != "implicitDeny"] == [
        ("arn:aws:s3:::b/7", "allowed")]


def _simulation_marker(position: int) -> str:
    """The marker SimulateCustomPolicy gives to resume at action ``position`` (minted: paging there would cost what
    the test bounds)."""
    return paging.marker(position, paging.listing_fingerprint("SimulateCustomPolicy"))


def _signed_post(harness, service: str, body: bytes, access_key: str, secret: str) -> requests.Response:
    host = harness.endpoint_url.removeprefix("http://")
    request = AWSRequest("POST", harness.endpoint_url + "/", data=body,
                         headers={"Host": host, "Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(access_key, secret), service, "us-east-1").add_auth(request)
    return requests.post(harness.endpoint_url + "/", data=body, headers=dict(request.headers), timeout=(5, 10))


@pytest.mark.parametrize("service, body, status", [
    ("iam", b"Action=GetUser&Version=2010-05-08&UserName=nobody&UserName" + b".member.1" * 25_000 + b"=1", 403),
    ("sts", b"Action=GetCallerIdentity&Version=2011-06-15&" + b"Tags.member.1" * 20_000 + b"=1", 200),
], ids=["iam", "sts"])
def test_a_field_name_of_thousands_of_segments_is_read_in_one_pass(server, service, body, status):
    """A user without any permission sends it: the answer (GetUser refused, GetCallerIdentity answered) comes
    within the client's read deadline and the server answers the next caller at once."""
    key = user_with_key(server, "nobody")
    response = _signed_post(server, service, body, key["AccessKeyId"], key["SecretAccessKey"])
    assert response.status_code == status, response.text[:300]
    assert server.client("sts").get_caller_identity()["Account"] == ACCOUNT
