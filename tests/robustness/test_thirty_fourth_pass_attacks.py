"""An attacker's thirty-fourth pass, on what the last merges brought and no attacker had read: IAM's Access
Troubleshooter (the ``iam-toolbox`` service: ``mockrunner/auth/troubleshooter.py``,
``mockrunner/model/authorization_details.py``, ``mockrunner/services/iam_toolbox/``, the rest-json codec), the
policy simulator's newest paths (one result per action over many resources, ContextEntries, pages), and around
them federation, role templates and UpdateAccessKey.  Real clients throughout: boto3 in both modes (``aws``), raw
signed HTTP where the wire matters; where the cost of one request is the point, a structural bound (how much a
page holds, what a record keeps) or a server in its own process under a client read deadline (the seventh pass's
``server``), never a timed assertion.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
2,000 denied IAM calls (the records' bound) of a user      **fixed (medium).** Each authorization record kept every
whose groups and own attachments hold a hundred 6 KB       policy of the caller parsed into JSON objects: about 3.7
managed policies                                           MB per denial, so the 2,000 records the troubleshooter
                                                            keeps came to gigabytes, reached by any signed principal
                                                            with no permission at all (every denial is recorded).  A
                                                            record now keeps the very text the store holds (a
                                                            reference) and GetRequestAuthorizationPolicy parses it
                                                            when asked: about 60 KB per record, the policy list
                                                            and context.
SimulateCustomPolicy of a one-statement policy over 100     **fixed (high).** A page was sized by statement readings
actions and 2,000 resources, ``MaxItems`` 1000              alone (actions x resources x statements), so a policy of
                                                            one statement let a page hold 2 million (action,
                                                            resource) pairs at 20-45 us each: 100 actions x 2,000
                                                            resources held the store lock about 10 s, 1,000 x 2,000
                                                            about 90 s, for a caller allowed only
                                                            ``iam:SimulateCustomPolicy``.  Each pair now costs 250
                                                            readings of its own.
a policy of 1,000 ``Allow *`` statements over 10 actions    **fixed (high).** Every result listed all 1,000 matched
and 20 resources (and 2,500 statements over 800 actions)    statements, deduplicated by scanning a list (quadratic),
                                                            and a page could list 2 million of them: 24 s under the
                                                            lock and a 51 MB answer for 200 pairs, minutes and 500 MB
                                                            for 800 actions.  Matched statements are now
                                                            deduplicated through a set, and each one listed, like each
                                                            missing context key listed, costs 150 readings: a page
                                                            ends once they are spent, and one action is refused as
                                                            soon as what it lists passes the action's bound.
one statement whose ``Condition`` names 3,000 keys the      **fixed (medium).** Every entry of an implicitly denied
request does not supply, over 10 actions x 100 resources    pair listed the 3,000 keys: 77 MB answered for 1,000 pairs,
                                                            and a page could hold 2 million pairs (150 GB).  Counted
                                                            as above.
one statement of 3,000 resource patterns with a policy      **fixed (high).** A statement counted one reading however
variable (``arn:aws:s3:::b/${aws:username}*x<n>*y``), or    large: each pattern with a variable is resolved for every
of 5,000 condition keys that ``ContextEntries`` supply,     pair (about 1-2 us), each condition key tested (0.5 us),
over 10 actions x 300 resources                             so 10 x 300 pairs held the lock 11 s and a page of 2
                                                            million pairs would have held it for hours.  A statement
                                                            now counts its variables (20 readings each), condition
                                                            keys (5) and the context values they test.
5,000 ``ContextEntries`` keys no policy names, a           **fixed (medium).** Each pair looked for
one-statement policy, 10 actions x 500 resources            ``aws:ResourceAccount`` through every key (and copied
                                                            them): a millisecond a pair, thousands of pairs a page.
                                                            The key is looked for once a request (``Simulation.run``'s
                                                            ``names_account``) and each pair counts one reading per
                                                            context key.
2,000 denials of a user of another account (permitted       **fixed (low).** The records' bound dropped the oldest
nothing), then a record of this account                     record whatever its account: one account flushed every
                                                            other account's records.  The account holding the most
                                                            records now gives up its oldest.
GetRequestAuthorizationDetails with a ``nextToken`` made    **fixed (low).** The offset was checked with
for the record but whose offset is ``²`` or 5,000 digits   ``str.isdigit`` and ``int()`` then raised: 500
                                                            InternalServerException with a traceback in the log.
                                                            ASCII digits ``int()`` reads (``numerals.is_decimal``)
                                                            now, else "The nextToken is not valid.".
=========================================================  ==========================================================

Probed and held (checked by hand unless a test here says so):

* The toolbox's wire: ``HEAD``/``OPTIONS``/``PUT``/``DELETE`` on a record are 405 ``UnknownOperationException`` (JSON
  body), ``/authorization-details`` and a trailing slash 404, ``//policy`` and ``%<id>`` the model's
  ValidationException, a 257-character id ValidationException, a 100,000-character one the server's 414 before any
  service; an empty, ``%00``, 100,000-character or non-base64 ``nextToken`` "The nextToken is not valid.", a
  ``policyUri`` of 3,000 characters or empty the model's length errors, ``%00`` ResourceNotFoundException; a body
  (``{`` x 100,000, or a JSON ``authorizationId``) and an ``authorizationId`` in the query are ignored (every
  member is in the URI); signed for ``sts``, ``ecr`` or ``apprunner`` at that path the request is theirs (their
  "Missing Action"/``UnknownOperationException``), for ``iam-toolbox``, ``s3`` or ``execute-api`` "Credential
  should be scoped to correct service: 'iam'."; regions ``aws-global``, ``cn-north-1``, ``us-gov-west-1`` and
  ``us-east-1 `` are refused, ``us-west-2`` finds nothing.  A path with ``..`` is routed on its raw form (404),
  never normalised into another operation.
* Who reads a record: only principals of the denied principal's account, in us-east-1, while fresh (pinned before:
  ``tests/iam/test_access_troubleshooter.py``); a reader needs its own permission; the toolbox's own denials and
  STS's, ECR's and App Runner's carry no id.  Ids are 25 characters of 36 from ``secrets`` (129 bits).
* A record's policies are the caller's own (a user's, its groups', a role's, the boundary, session and scope-down
  policies): no IAM operation evaluates a resource or trust policy, so no other principal's or account's policy
  text reaches a record.  A session of a deleted role, and of it after a namesake is created, is denied with a
  record that lists no policy.  A presigned GET of a record works and binds its path and query (another id or an
  added ``nextToken``: 403 ``InvalidSignatureException``).
* The simulator's ``ContextEntries`` of every type (and its ``...List``) with 5,000-digit numbers, ``1e99999``,
  other scripts' digits, dates past 9999 or at hour 24, IP prefixes of 5,000 digits, bad base64: no 500.
* Federation: a token whose claims nest 960 deep is taken, and the decision log, the state and the admin API still
  answer (985 is refused at minting); SAML metadata without a certificate verifies nothing (pinned before).
* Role templates: TemplateArns of 1,500 characters, of another account, of an empty account, with a wildcard or a
  policy variable are ``NoSuchEntity`` for AcquireRole and GetRoleTemplateVersion.  UpdateAccessKey and
  DeleteAccessKey of another user's key id without ``UserName``, by a user allowed them on its own ARN, are
  ``NoSuchEntity`` and the key stays ``Active``.

Left: one simulated action at the bound still holds the lock about 2 s and may answer some 30 MB (IAM answers an
action with all its resources in one result); each troubleshooter record still carries its own policy list (about
60 KB for a principal of a hundred policies); a stored policy holding ``1e999`` is answered by
GetRequestAuthorizationPolicy with ``Infinity`` in its JSON; GetContextKeysForPrincipalPolicy reads every stored
policy as JSON twice a call (about 10 ms for a hundred 6 KB policies).
"""
from __future__ import annotations

import base64
import json
import tracemalloc

from mockrunner.model.authorization_details import AuthorizationDetails
from mockrunner.services.iam.simulator import LISTED_READINGS, MAX_WORK_PER_ACTION, PAIR_READINGS, WORK_PER_PAGE
from tests.harness import authorization_id
from tests.iam.helpers import ACCOUNT, allow, error_of, user_with_key
from tests.robustness.test_seventh_pass_attacks import DEADLINE, _answers_others, server  # noqa: F401


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def _filler(tag: str) -> str:
    """A managed policy document of about 6 KB: an ``Allow`` of actions no request names (``<tag>x<n>:ab``)."""
    actions: list[str] = []
    while len(_policy(allow([*actions, f"{tag}x{len(actions)}:ab"]))) < 6000:
        actions.append(f"{tag}x{len(actions)}:ab")
    return _policy(allow(actions))


# ------------------------------------------------------------------------------------------ the troubleshooter
def test_an_authorization_record_keeps_the_policies_text_not_a_parsed_copy(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") Every denial's record parsed each of the caller's
    policies into JSON objects of its own: a user holding twenty 6 KB managed policies cost about 600 KB a denial,
    and the troubleshooter keeps 2,000 records.  A record now shares the store's text: what twenty more denials
    keep stays far below one parsed policy set each, and the policy is still answered as JSON."""
    iam = aws.client("iam")
    iam.create_user(UserName="heavy")
    arns = []
    for number in range(20):
        arns.append(iam.create_policy(PolicyName=f"p{number}", PolicyDocument=_filler(f"p{number}"))["Policy"]["Arn"])
        if number < 10:
            iam.attach_user_policy(UserName="heavy", PolicyArn=arns[-1])
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="heavy")
    for arn in arns[10:]:
        iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    key = iam.create_access_key(UserName="heavy")["AccessKey"]
    heavy = aws.client_for(key, "iam")

    def denied() -> str:
        code, message, _status = error_of(heavy.get_user)
        assert code == "AccessDenied"
        return authorization_id(message)

    denied()  # the first denial compiles and caches what every later one shares
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        found = [denied() for _ in range(20)]
        kept = (tracemalloc.get_traced_memory()[0] - before) / len(found)
    finally:
        tracemalloc.stop()
    assert kept < 100_000, f"{kept:.0f} bytes kept per denial"  # about 600,000 before the fix
    toolbox = aws.client("iam-toolbox")
    assert toolbox.get_request_authorization_policy(authorizationId=found[0], policyUri=arns[3])[
        "policyDocument"] == json.loads(_filler("p3"))


# ------------------------------------------------------------------------------------------ the simulator's pages
def _simulate(iam, policies: list[str], actions: int, resources: int, **extra) -> dict:
    return iam.simulate_custom_policy(
        PolicyInputList=policies, ActionNames=[f"s3:Get{number}" for number in range(actions)],
        ResourceArns=[f"arn:aws:s3:::bucket/{number}" for number in range(resources)], MaxItems=1000, **extra)


def test_a_page_counts_each_pair_not_only_its_statements(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") A page was sized by statements read alone, so one
    statement let it hold 2 million (action, resource) pairs at 20-45 us each (100 actions x 2,000 resources: about
    10 s under the store lock).  Each pair now costs :data:`PAIR_READINGS`: a page holds a few actions here, and the
    Marker leads on."""
    iam = aws.client("iam")
    policy = _policy(allow("s3:*"))
    first = _simulate(iam, [policy], 100, 2000)
    per_action = (PAIR_READINGS + 1 + LISTED_READINGS) * 2000
    assert first["IsTruncated"] and len(first["EvaluationResults"]) <= WORK_PER_PAGE // per_action + 1
    shown = len(first["EvaluationResults"])
    following = _simulate(iam, [policy], 100, 2000, Marker=first["Marker"])
    assert following["EvaluationResults"][0]["EvalActionName"] == f"s3:Get{shown}"
    assert {result["EvalDecision"] for result in first["EvaluationResults"]} == {"allowed"}


def test_a_page_counts_the_statements_its_results_list(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") 1,000 matching statements listed for each of 200
    pairs: 24 s under the lock and 51 MB (one page could list 2 million).  Each listed statement now costs
    :data:`LISTED_READINGS`: the page ends after the first action, which lists them all, once each."""
    iam = aws.client("iam")
    policy = _policy(*[allow("*") for _ in range(1000)])
    first = _simulate(iam, [policy], 10, 20)
    [result] = first["EvaluationResults"]
    assert first["IsTruncated"]
    assert len(result["MatchedStatements"]) == 1000
    assert [len(entry["MatchedStatements"]) for entry in result["ResourceSpecificResults"]] == [1000] * 20


def test_a_page_counts_the_missing_keys_its_results_list(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") An implicitly denied entry lists every context key
    no one supplied: 300 keys over 10 actions x 100 resources listed 300,000 (3,000 keys: 77 MB).  A page now ends
    after the first action; 3,000 keys over 100 resources are more than one action may list, refused at once."""
    iam = aws.client("iam")

    def keyed(count: int) -> str:
        return _policy(allow("s3:*", Condition={"StringEquals": {f"aws:k{n}": "v" for n in range(count)}}))

    first = _simulate(iam, [keyed(300)], 10, 100)
    [result] = first["EvaluationResults"]
    assert first["IsTruncated"] and result["EvalDecision"] == "implicitDeny"
    assert len(result["MissingContextValues"]) == 300
    code, message, status = error_of(_simulate, iam=iam, policies=[keyed(3000)], actions=10, resources=100)
    assert (code, status) == ("InvalidInput", 400) and "too large for one request" in message


def test_a_statement_counts_its_variables_and_condition_keys(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") A statement counted one reading however large:
    3,000 resource patterns with a policy variable are resolved for every pair (10 actions x 300 resources held the
    lock 11 s), and so are 5,000 condition keys against 5,000 ``ContextEntries``.  They count now: a page of each
    holds one action; 3,000 variables over 500 resources are refused at once."""
    iam = aws.client("iam")
    caller = {"CallerArn": f"arn:aws:iam::{ACCOUNT}:user/u"}
    variables = _policy(allow("s3:*", [f"arn:aws:s3:::b/${{aws:username}}*x{n}*y" for n in range(3000)]))
    first = _simulate(iam, [variables], 10, 300, **caller)
    assert first["IsTruncated"] and len(first["EvaluationResults"]) == 1
    code, message, status = error_of(_simulate, iam=iam, policies=[variables], actions=10, resources=500, **caller)
    assert (code, status) == ("InvalidInput", 400) and "too large for one request" in message
    keys = _policy(allow("s3:*", Condition={"StringEquals": {f"aws:k{n}": "v" for n in range(5000)}}))
    entries = [{"ContextKeyName": f"aws:k{n}", "ContextKeyValues": ["v"], "ContextKeyType": "string"}
               for n in range(5000)]
    first = _simulate(iam, [keys], 10, 200, ContextEntries=entries)
    assert first["IsTruncated"] and [r["EvalDecision"] for r in first["EvaluationResults"]] == ["allowed"]


def test_thousands_of_matching_statements_are_listed_in_linear_time(server):  # noqa: F811
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") Matched statements were deduplicated by scanning the
    list built so far, per resource and again for the action: 2,500 matching statements over 50 resources were
    about 600 million comparisons under the store lock.  Through a set, the one action (at the bound's edge) answers
    within the deadline, and the server answers others."""
    iam = server.client("iam", config=DEADLINE)
    policy = _policy(*[allow("*") for _ in range(2500)])
    assert len(policy) <= 131_072
    assert 50 * (PAIR_READINGS + 2500 + LISTED_READINGS * 2500) <= MAX_WORK_PER_ACTION
    answer = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"],
                                        ResourceArns=[f"arn:aws:s3:::bucket/{n}" for n in range(50)])
    [result] = answer["EvaluationResults"]
    assert len(result["MatchedStatements"]) == 2500 and len(result["ResourceSpecificResults"]) == 50
    _answers_others(server)


def test_a_page_counts_the_context_each_pair_reads(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") Each pair looked for ``aws:ResourceAccount`` through
    every ContextEntries key and copied them all: 5,000 keys no policy names cost a millisecond a pair, and a page
    of a one-statement policy could hold thousands of pairs.  The key is looked for once a request, and each pair
    counts the context it copies: a page holds one action of 500 resources here."""
    iam = aws.client("iam")
    entries = [{"ContextKeyName": f"aws:k{n}", "ContextKeyValues": ["v"], "ContextKeyType": "string"}
               for n in range(5000)]
    first = _simulate(iam, [_policy(allow("s3:*"))], 10, 500, ContextEntries=entries)
    assert first["IsTruncated"] and len(first["EvaluationResults"]) == 1
    assert first["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_one_accounts_denials_do_not_push_out_anothers_records(two_account_harness):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") The records' bound dropped the oldest record
    whatever its account, so any signed principal of one account, permitted nothing, flushed every other account's
    records with as many denials as the bound.  The account holding the most records now gives up its oldest: the
    other account's record is still read after more denials than the bound (the store's keeper, bound 5, with real
    denials in both accounts)."""
    aws = two_account_harness
    aws.store.authorization_details = AuthorizationDetails(limit=5)
    victim = aws.client_for(user_with_key(aws, "victim"), "iam")
    _code, message, _status = error_of(victim.get_user)
    kept = authorization_id(message)
    other = aws.client("iam", access_key="other-key", secret="other-secret")
    other.create_user(UserName="noisy")
    noisy = aws.client_for(other.create_access_key(UserName="noisy")["AccessKey"], "iam")
    flood = [authorization_id(error_of(noisy.get_user)[1]) for _ in range(8)]
    toolbox = aws.client("iam-toolbox")
    assert toolbox.get_request_authorization_details(authorizationId=kept)["evaluations"][0]["action"] == (
        "iam:GetUser")
    theirs = aws.client("iam-toolbox", access_key="other-key", secret="other-secret")
    assert theirs.get_request_authorization_details(authorizationId=flood[-1])["evaluations"]
    assert error_of(theirs.get_request_authorization_details, authorizationId=flood[0])[::2] == (
        "ResourceNotFoundException", 404)
    assert len(aws.store.authorization_details) == 5


def test_a_next_token_of_odd_digits_is_refused_not_a_500(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fourth pass") The token's offset was checked with ``str.isdigit``,
    which takes ``²`` and 5,000 digits; ``int()`` then raised and the call answered 500 InternalServerException.
    Both are "The nextToken is not valid." now, and an Arabic-Indic one is as well; the token it made still pages."""
    denied = aws.client_for(user_with_key(aws, "bare"), "iam")
    found = authorization_id(error_of(denied.get_user)[1])
    toolbox = aws.client("iam-toolbox")

    def token(offset: str) -> str:
        return base64.urlsafe_b64encode(f"{found}:{offset}".encode()).decode("ascii")

    for offset in ("\u00b2", "9" * 5000, "\u0660", "-0", " 0"):
        code, message, status = error_of(toolbox.get_request_authorization_details, authorizationId=found,
                                         nextToken=token(offset))
        assert (code, message, status) == ("ValidationException", "The nextToken is not valid.", 400), offset
    assert toolbox.get_request_authorization_details(authorizationId=found, nextToken=token("0"))["evaluations"]
