"""The engine's caches keyed by policy text are bounded by the characters they keep, not only by their number
(docs/behaviour.md, "Caches bounded by what they hold (session 19)").

A simulation's documents are read once, outside the store lock, for a caller allowed to simulate, and the
engine's caches keep what was read.  With ``lru_cache``'s bound of 4,096 entries, documents of 125,000 characters
each (a simulation accepts 131,072) made the parse cache hold about 3 GB of compiled policies, and the context-key
caches another half gigabyte of text, for as long as the process ran: any principal allowed
``iam:SimulateCustomPolicy`` (AWS's read-only policies grant it) could exhaust the server's memory.
"""

from __future__ import annotations

import json

from mockrunner.iam_engine import cache, context_keys, matching, positions
from mockrunner.iam_engine.text_cache import TEXT_BUDGET
from tests.iam.helpers import ACCOUNT, allow, doc, trust, user_with_key

DOCUMENT_CHARACTERS = 125_000
SIMULATED_BATCHES = 13
LISTED_BATCHES = 2
PER_BATCH = 8  # 1,000,000 characters a simulation: within its budget (thirty-sixth pass)


def _large_policy(number: int) -> str:
    """A distinct valid policy of about :data:`DOCUMENT_CHARACTERS` characters naming one condition key."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{number}/*",
        "Condition": {"StringEquals": {f"aws:PrincipalTag/k{number}": ""}}}]}
    filler = DOCUMENT_CHARACTERS - len(json.dumps(policy))
    policy["Statement"][0]["Condition"]["StringEquals"][f"aws:PrincipalTag/k{number}"] = "v" * filler
    return json.dumps(policy)


def _batch(batch: int) -> list[str]:
    return [_large_policy(batch * PER_BATCH + number) for number in range(PER_BATCH)]


def _simulate_many(iam) -> None:
    for batch in range(SIMULATED_BATCHES):
        results = iam.simulate_custom_policy(PolicyInputList=_batch(batch), ActionNames=["s3:GetObject"])
        assert results["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"  # no aws:PrincipalTag/k<n>
    for batch in range(LISTED_BATCHES):
        listed = iam.get_context_keys_for_custom_policy(PolicyInputList=_batch(batch))["ContextKeyNames"]
        assert len(listed) == PER_BATCH


def test_what_a_simulating_caller_sends_stays_within_the_caches_budget(make_harness):
    """104 distinct 125,000-character documents (13 million characters) simulated, sixteen listed, by a user
    allowed only that: answered, and afterwards the parse cache, the positions and the context-key caches keep at
    most their budget of text (before: every document, compiled).  In process only: the caches are the test
    process's (the server mode's server runs in it too, but one mode shows the bound)."""
    aws = make_harness("inprocess")
    simulator = aws.client_for(user_with_key(aws, "simulator", inline={"sim": doc(allow(
        ["iam:SimulateCustomPolicy", "iam:GetContextKeysForCustomPolicy"]))}), "iam")
    cache.clear_cache()
    context_keys.context_keys.cache_clear()
    context_keys.listing.cache_clear()
    positions.statement_positions.cache_clear()
    _simulate_many(simulator)
    assert cache.KEPT_TEXT - DOCUMENT_CHARACTERS < cache.kept()[1] <= cache.KEPT_TEXT
    for kept in (context_keys.context_keys, context_keys.listing, positions.statement_positions):
        assert TEXT_BUDGET - DOCUMENT_CHARACTERS < kept.held()[1] <= TEXT_BUDGET


def test_documents_in_use_are_still_read_once(aws):
    """The bound does not cost the common case: a document simulated again is answered from what the caches kept
    (the same compiled policy, the same keys, nothing more kept)."""
    iam = aws.client("iam")
    document = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}]})
    first = iam.get_context_keys_for_custom_policy(PolicyInputList=[document])["ContextKeyNames"]
    held = context_keys.listing.held()
    again = iam.get_context_keys_for_custom_policy(PolicyInputList=[document])["ContextKeyNames"]
    assert first == again == ["aws:PrincipalTag/team"]
    assert context_keys.listing.held() == held
    assert cache.parse_policy(document) is cache.parse_policy(document)


def test_patterns_resolved_for_each_session_stay_within_the_regex_budget(make_harness):
    """A role's policy whose resource pattern holds a variable and 9,000 more characters is compiled again for each
    distinct ``aws:userid`` (each session name its caller picks): 240 sessions (2.2 million characters of resolved
    patterns) leave the compiled patterns within their budget (before: 4,096 kept, about 700 MB), and every session
    is still decided (the Deny, resolved for it, names another resource)."""
    aws = make_harness("inprocess")
    iam = aws.client("iam")
    long_tail = "x" * 9_000
    iam.create_role(RoleName="sessions", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.put_role_policy(RoleName="sessions", PolicyName="own", PolicyDocument=doc(
        allow("iam:GetRole", "arn:aws:iam::*:role/sessions"),
        {"Effect": "Deny", "Action": "iam:GetRole",
         "Resource": f"arn:aws:iam::{ACCOUNT}:role/${{aws:userid}}{long_tail}"}))
    sts = aws.client_for(user_with_key(aws, "assumer", inline={"assume": doc(allow("sts:AssumeRole"))}), "sts")
    matching.compile_regex.cache_clear()
    matching._resource_regex.cache_clear()
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/sessions"
    for number in range(240):
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=f"s{number}")["Credentials"]
        session = aws.client_for(credentials, "iam")
        assert session.get_role(RoleName="sessions")["Role"]["Arn"] == role_arn
    resolved = matching._resource_regex.held()[1]
    assert 2_000_000 - 10_000 < resolved <= 2_000_000
    assert matching.compile_regex.held()[1] <= 4_000_000
