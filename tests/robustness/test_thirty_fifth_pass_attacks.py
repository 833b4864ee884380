"""An attacker's thirty-fifth pass, on the code the hot-path pass and the action catalogue brought, which no attacker
had read: the decisions a compiled principal keeps (``mockrunner/auth/authorizer.py``, ``evaluate_guarded`` and
``guards_hold``), SigV4's canonical header cache and date window (``mockrunner/auth/sigv4.py``), IAM's action catalogue
as the simulator and the service last accessed reports read it (``model/action_catalogue.py``,
``model/arn_templates.py``, ``services/iam/simulator_resources.py``, ``services/iam/access_grants.py``) and
GetContextKeysFor*Policy.  Real clients throughout: boto3 in both modes (``aws``), raw HTTP where the wire matters
(``server``: the harness's threaded server in this process, so the caches it fills can be read); where the cost of
one request is the point, a deterministic count (the lines a call runs, what a cache holds) or a server in its own
process under a client read deadline (the seventh pass's), never a timed assertion.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
``X-Amz-Date`` within 15 minutes of the end of year 9999   **fixed (medium).** The hot-path pass's cached date window
(or of year 1), or a ``Date`` header of                    added 15 minutes to the signature's date: past
``Fri, 31 Dec 9999 23:59:59 GMT``, for any known access    ``datetime.max`` that raised ``OverflowError``, a 500
key id (no secret needed)                                  ``InternalFailure`` with a traceback.  The window is cut at
                                                            the first and last moments a datetime holds: "Signature
                                                            not yet current" / "Signature expired", as any other skew.
``SignedHeaders`` naming one 30 KB header 6,000 times,     **fixed (high).** The canonical request held the header's
with any known access key id (no secret needed)            value once per mention: 180 MB built and hashed per
                                                            request, and the block was kept in the canonical header
                                                            cache (256 of them): three requests took the process past
                                                            1 GB.  A header named twice is refused before anything is
                                                            built (SignatureDoesNotMatch; *unverified*: AWS's answer
                                                            is not published), and blocks (and paths) over 4,096
                                                            characters are built each time, not cached (256 blocks of
                                                            a 64 KB head would still hold 30 MB).
one caller minting sessions (GetSessionToken needs no      **fixed (medium).** Each compiled principal kept up to
permission), each making distinct requests                 1,024 decisions and 4,096 compiled principals are kept:
                                                            four million decisions of about 2 KB each could be held.
                                                            Decisions are now kept in one map of the store, 8,192 for
                                                            all principals together, keyed by a number unique to each
                                                            compiled principal (so an IAM change, which compiles anew,
                                                            still finds none of the old ones).
the same sessions, each asked about distinct resources     **fixed (medium).** Each policy set (one per compiled
                                                            principal and layer) kept 2,048 plans of its own (which
                                                            statements may apply to an action on a resource): the same
                                                            scale.  The plans of every set are kept together, 32,768
                                                            in the process, by a number unique to each set.
GenerateServiceLastAccessedDetails of a user whose 110     **fixed (high).** Each resource pattern was checked against
policies (10 groups of 10, and 10 of its own) allow ``*``  each of the 456 namespaces a wildcard reaches, 11 million
on some 25,000 IAM user ARNs                               checks thrashing an 8,192-entry cache: 6.5 s under the
                                                            store lock.  A statement's patterns are sorted by the
                                                            service they name once; 0.12 s.
the same user's policies each one 3,000-character          **fixed (medium).** Each glob was compiled into a regex
``Deny`` action glob (``s3:*a?*a?...``), ``NotAction``     (about 20 ms each), for the report and again for
glob or namespace glob (``s3*a?*...:x``)                   ListPoliciesGrantingServiceAccess (each policy alone): about
                                                            2 s under the store lock each.  A glob is compiled only to
                                                            test a value it can match by length (none of an action
                                                            name's or namespace's), within 250,000 units a reading
                                                            (about 0.5 s; past it a test answers towards listing); the
                                                            catalogue skips action globs longer than every action name
                                                            of the service (it compiled each, 300 KB kept per regex).
resource patterns of 6,000 characters in the policies a    **fixed (low).** Their tokens were remembered, one tuple per
report reads, changed between reports                      character: 1 MB a pattern, 4,096 of them (4 GB).  Literal
                                                            characters share one token each; only patterns up to 512
                                                            characters are remembered; a report tokenizes each pattern
                                                            once.
GetContextKeysForCustomPolicy of a document whose          **fixed (medium).** Its policy variables were looked for
``Resource`` is ``${`` 40,000 times (no ``}``)             with ``\\$\\{([^}]*)\\}``: each ``${`` scanned to the end,
                                                            12 s of one request thread for an 80 KB document (outside
                                                            the store lock, holding the interpreter).  The search now
                                                            stops at the value's last ``}``: linear.
=========================================================  ==========================================================

Probed and held (checked by hand unless a test here says so):

* Kept decisions: every statement that may read ``aws:CurrentTime`` or ``aws:EpochTime`` is a guard, however the key
  is spelled (``AWS:CURRENTTIME``), with ``IfExists``, ``ForAnyValue:``/``ForAllValues:``, ``Null``, ``Bool``,
  ``BinaryEquals``, ``IpAddress``, ``ArnLike``, as a policy variable in a condition value (with a default, among
  other values) or in a ``Resource``/``NotResource``; no Unicode letter lower-cases into those keys.  Request values
  reach the context with their wire types: ECR's JSON tags given as ``1``, ``true``, ``1.0``, ``NaN``, ``-0.0``,
  ``[1]`` or ``{}`` are SerializationException (null: InvalidParameterException), so no float or sequence reaches a
  key; ``1``/``True`` and equal datetimes of other zones are told apart or mean the same to every condition.  Two
  sessions of one role under one session name with different session policies, a boundary put on a role, and a
  group membership removed between two identical calls are each decided on their own policies (tests here).  A
  reset or a loaded state compiles every principal anew (its IAM versions renewed).
* SigV4: a leap second (``235960``), month 13, other scripts' digits in ``X-Amz-Date`` are IncompleteSignature; a
  region or service of 30,000 characters in the credential scope is refused before any signing key is derived
  (the signing key cache stays empty); the canonical header cache is keyed by the exact values, so no request is
  verified against another's block.
* The action catalogue: never read at import or by enforcement (pinned before: tests/iam/test_action_catalogue_parity
  .py, its concurrent first load too).  SimulateCustomPolicy of five actions over 1,000 resource ARNs of 2,000
  characters (colons, slashes, ``*?`` runs, NUL, astral characters, IAM ARNs of colons): 0.1-0.3 s in the simulator,
  the rest (1-2 s) reading the 9 MB form body, outside the lock.
* GetContextKeysFor*Policy: a ``Statement`` nested 5,000 lists deep or a ``Condition`` 3,000 objects deep is "Syntax
  errors in policy."; 50 documents of 4,000 condition keys answer 200,000 keys (IAM joins documents' lists, as
  recorded) in under 2 s; a principal of ten 6 KB policies and twenty 115 KB input documents 0.7 s.

After the pass: the form body of a query request was URL-decoded twice (once to route, once to read), about 1.2 s
each for a 9 MB body of percent-encoded astral characters; routing now decodes only the field it looks for (the
eighteenth pass's spellings of ``Action`` hold it).  Left: a ``${${...}}`` nest is listed by
GetContextKeysFor*Policy as a key named ``${${...`` (AWS's answer to it is not recorded).
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Iterator

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import mockrunner
from mockrunner.auth import authorizer, sigv4
from mockrunner.auth.check import Check
from mockrunner.iam_engine import AuthzRequest, PolicyRef, PolicySet, evaluate, principal_from_arn
from mockrunner.model import action_catalogue, arn_templates
from mockrunner.model.store import DECISIONS_KEPT
from tests.iam.helpers import ACCOUNT, allow, doc, trust, user_with_key
from tests.iam.test_decision_reuse import _allowed
from tests.robustness.test_seventh_pass_attacks import DEADLINE, _ServerProcess
from tests.robustness.test_thirty_second_pass_attacks import _lines_run

ENGINE = importlib.import_module("mockrunner.iam_engine.evaluate")
MOCKRUNNER = mockrunner.__file__.rsplit("/", 1)[0]
REGEX_PACKAGE = __import__("re").__file__.rsplit("/", 1)[0]
STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}




def _signed(harness, extra: dict | None = None) -> dict:
    """Headers of GetCallerIdentity to ``harness`` signed by the root key now (``extra`` headers signed too)."""
    request = AWSRequest("POST", harness.endpoint_url + "/", headers={**FORM, **(extra or {})}, data=STS_BODY)
    SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(request)
    return dict(request.prepare().headers)


def _post(harness, headers: dict) -> requests.Response:
    return requests.post(harness.endpoint_url + "/", data=STS_BODY, headers=headers, timeout=30)


# ------------------------------------------------------------------------------------------------ SigV4
@pytest.mark.parametrize("header, value, scope, words", [
    ("X-Amz-Date", "99991231T235959Z", "99991231", "Signature not yet current: 99991231T235959Z"),
    ("X-Amz-Date", "99991231T234600Z", "99991231", "Signature not yet current: 99991231T234600Z"),
    ("X-Amz-Date", "00010101T000000Z", "00010101", "Signature expired: 00010101T000000Z"),
    ("Date", "Fri, 31 Dec 9999 23:59:59 GMT", "99991231", "Signature not yet current: 99991231T235959Z"),
])
def test_a_signature_dated_at_the_ends_of_the_calendar_is_a_skew_error_not_a_500(server, header, value, scope, words):
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") The cached window added 15 minutes either side of
    the signature's date, past what a datetime holds: OverflowError, 500 InternalFailure, for anyone knowing an
    access key id."""
    headers = {**FORM, header: value, "Authorization": f"AWS4-HMAC-SHA256 Credential=test/{scope}/us-east-1/sts/"
               f"aws4_request, SignedHeaders=host;{header.lower()}, Signature={'0' * 64}"}
    response = _post(server, headers)
    assert response.status_code == 403, response.text
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text
    assert words in response.text


def test_a_header_signed_twice_is_refused_before_the_canonical_request_is_built(server):
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") A 30 KB header named 6,000 times in SignedHeaders
    made a 180 MB canonical request, kept in the header cache.  Now nothing is built: the cache is not even asked."""
    headers = _signed(server)
    signed = headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    headers["Authorization"] = headers["Authorization"].replace(
        f"SignedHeaders={signed}", f"SignedHeaders={signed};x-filler;x-filler")
    headers["X-Filler"] = "v" * 30_000
    before = sigv4._canonical_headers.cache_info()
    response = _post(server, headers)
    assert response.status_code == 403, response.text
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text
    after = sigv4._canonical_headers.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)


def test_a_large_signed_header_verifies_without_being_kept(server):
    """A header block over 4,096 characters is built for its request and not kept (256 kept blocks of a 64 KB head
    held 30 MB); the signature still verifies."""
    headers = _signed(server, {"X-Filler": "w" * 10_000})
    assert "x-filler" in headers["Authorization"]
    before = sigv4._canonical_headers.cache_info()
    response = _post(server, headers)
    assert response.status_code == 200, response.text
    assert f"<Account>{ACCOUNT}</Account>" in response.text
    after = sigv4._canonical_headers.cache_info()
    assert (after.hits, after.misses, after.currsize) == (before.hits, before.misses, before.currsize)


# ------------------------------------------------------------------------------------------------ kept decisions
def test_the_decisions_kept_are_bounded_for_all_principals_together(aws):
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") Each compiled principal kept 1,024 decisions of its
    own, and 4,096 compiled principals are kept.  Three sessions making 3,000 distinct checks each now leave at most
    ``DECISIONS_KEPT`` decisions in the store, and each session's decisions still answer as decided."""
    iam = aws.client("iam")
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust(ACCOUNT))
    iam.put_role_policy(RoleName="reader", PolicyName="p", PolicyDocument=doc(
        allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/even*")))
    store = aws.store
    sessions = [authorizer.caller_for_role_session(store, ACCOUNT, "reader", f"s{number}") for number in range(3)]
    decided = 0
    for number in range(3000):
        for session in sessions:
            name = f"even{number}" if number % 2 == 0 else f"odd{number}"
            decision = authorizer.decide(store, session, Check("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/{name}"))
            assert decision.allowed is (number % 2 == 0)
            decided += 1
        assert len(store.decisions) <= DECISIONS_KEPT
    assert decided > DECISIONS_KEPT and 0 < len(store.decisions) <= DECISIONS_KEPT == 8192
    # Asked again (kept or decided anew), the same answers.
    for session in sessions:
        for name, allowed in (("even2998", True), ("odd2999", False)):
            check = Check("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/{name}")
            assert authorizer.decide(store, session, check).allowed is allowed


def _assumer(aws):
    """An STS client of user ``assumer``, allowed ``sts:AssumeRole``."""
    return aws.client_for(user_with_key(aws, "assumer", inline={"assume": doc(allow("sts:AssumeRole"))}), "sts")


def test_the_plans_of_policy_sets_are_bounded_for_all_sets_together():
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") Each policy set (one a compiled principal) kept 2,048
    plans of its own (which statements may apply to an action on a resource), and a server keeps thousands of sets.
    Twenty sets asked about 2,000 resources each now leave at most ``PLANS_KEPT`` plans in the process, and answer
    as before."""
    principal = principal_from_arn(f"arn:aws:iam::{ACCOUNT}:user/alice")
    sets = [PolicySet([PolicyRef(f"p{number}", json.loads(doc(allow("s3:GetObject", f"arn:aws:s3:::b{number}/*"))))])
            for number in range(20)]
    for index in range(2000):
        for number, policies in enumerate(sets):
            answer = evaluate(AuthzRequest(principal, "s3:GetObject", f"arn:aws:s3:::b{index % 2}/k{index}", {},
                                           policies, all_allows=False))
            assert answer.allowed is (number == index % 2)
    assert 0 < len(ENGINE._PLANS) <= ENGINE.PLANS_KEPT == 32_768


def _session_client(aws, sts, role: str, name: str, policy: str | None = None):
    """An IAM client of a session of ``role`` named ``name`` assumed through ``sts``, with ``policy`` if given."""
    extra = {"Policy": policy} if policy is not None else {}
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", RoleSessionName=name,
                                  **extra)["Credentials"]
    return aws.client("iam", access_key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                      token=credentials["SessionToken"])


def test_two_sessions_of_one_name_with_other_session_policies_are_decided_on_their_own(aws):
    """Held: the kept decision of one session never answers another's identical request, however alike their
    names; each session's policy cuts the role's permissions on its own."""
    iam = aws.client("iam")
    iam.create_user(UserName="target")
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust(ACCOUNT))
    iam.put_role_policy(RoleName="reader", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))
    sts = _assumer(aws)
    narrow = _session_client(aws, sts, "reader", "same", doc(allow("iam:ListUsers")))
    wide = _session_client(aws, sts, "reader", "same", doc(allow("iam:*")))
    assert [_allowed(client, "target") for client in (wide, narrow, wide, narrow)] == [
        True, False, True, False]


@pytest.mark.parametrize("change", ["boundary", "group"])
def test_a_boundary_or_a_group_changed_between_two_identical_calls_decides_the_second(aws, change):
    """Held: a boundary put on a role (for its session) or a group left by a user compiles the principal anew, so
    the call after it finds none of the decisions kept before."""
    iam = aws.client("iam")
    iam.create_user(UserName="target")
    if change == "boundary":
        iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust(ACCOUNT))
        iam.put_role_policy(RoleName="reader", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))
        client = _session_client(aws, _assumer(aws), "reader", "session")
    else:
        iam.create_group(GroupName="readers")
        iam.put_group_policy(GroupName="readers", PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")))
        key = user_with_key(aws, "member")
        iam.add_user_to_group(GroupName="readers", UserName="member")
        client = aws.client_for(key, "iam")
    assert [_allowed(client, "target") for _ in range(3)] == [True, True, True]
    if change == "boundary":
        bound = iam.create_policy(PolicyName="bound", PolicyDocument=doc(allow("iam:ListUsers")))["Policy"]["Arn"]
        iam.put_role_permissions_boundary(RoleName="reader", PermissionsBoundary=bound)
    else:
        iam.remove_user_from_group(GroupName="readers", UserName="member")
    assert [_allowed(client, "target") for _ in range(2)] == [False, False]


# ------------------------------------------------------------------------------------------------ reports
def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def test_a_report_reads_each_resource_pattern_once_not_once_per_namespace(make_harness):
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") ``Allow *`` on 480 queue ARNs in four policies: each
    pattern was checked against every namespace a wildcard reaches (456), 1.36 million lines a report (a user at
    IAM's quotas, 25,000 patterns: 6.5 s under the store lock).  Now each statement's patterns are sorted by the
    service they name once."""
    aws = make_harness("inprocess")
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    for number in range(4):
        queues = [f"arn:aws:sqs:us-east-1:{ACCOUNT}:q{number}x{index}" for index in range(120)]
        arn = iam.create_policy(PolicyName=f"wide{number}", PolicyDocument=_policy(
            {"Effect": "Allow", "Action": "*", "Resource": queues}))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="u", PolicyArn=arn)
    user = f"arn:aws:iam::{ACCOUNT}:user/u"
    jobs: list[str] = []
    lines = _lines_run(lambda: jobs.append(iam.generate_service_last_accessed_details(Arn=user)["JobId"]), MOCKRUNNER)
    assert lines < 300_000
    reported = iam.get_service_last_accessed_details(JobId=jobs[0])["ServicesLastAccessed"]
    assert [service["ServiceNamespace"] for service in reported] == ["sqs"]


def test_long_deny_globs_are_not_compiled_to_test_action_names(make_harness):
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") Four policies each denying one 2,700-character glob
    (``s3:*a?*a?...``): ListPoliciesGrantingServiceAccess compiled each into a regex (1.45 million lines of ``re``;
    a user of 110 such policies held the store lock 2 s).  No action name is that long: none is compiled, and the
    answer is the same."""
    aws = make_harness("inprocess")
    iam = aws.client("iam")
    iam.create_user(UserName="v")
    for number in range(4):
        arn = iam.create_policy(PolicyName=f"g{number}", PolicyDocument=_policy(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:" + "*a?" * 900 + str(number), "Resource": "*"}))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="v", PolicyArn=arn)
    answers: list[dict] = []
    lines = _lines_run(lambda: answers.append(iam.list_policies_granting_service_access(
        Arn=f"arn:aws:iam::{ACCOUNT}:user/v", ServiceNamespaces=["s3", "iam"])), MOCKRUNNER, REGEX_PACKAGE)
    assert lines < 100_000
    listed = {entry["ServiceNamespace"]: sorted(policy["PolicyName"] for policy in entry["Policies"])
              for entry in answers[0]["PoliciesGrantingServiceAccess"]}
    assert listed == {"s3": ["g0", "g1", "g2", "g3"], "iam": ["g0", "g1", "g2", "g3"]}


def test_the_catalogue_compiles_no_action_glob_longer_than_every_action_name():
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") A 2,700-character glob was compiled (20 ms) and kept
    (300 KB) to match S3's action names; no name is that long, so it matches none without a regex."""
    before = action_catalogue._compiled.cache_info()
    assert action_catalogue.matching_actions("s3", "*a?" * 900) == []
    assert "getobject" in action_catalogue.matching_actions("S3", "*" * 3000 + "get*object")
    after = action_catalogue._compiled.cache_info()
    assert after.currsize <= before.currsize + 1 and after.misses <= before.misses + 1


def test_a_long_resource_patterns_tokens_share_their_characters_and_are_not_kept():
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") Each character of a pattern made a tuple of its own,
    and every pattern was remembered: 1 MB for a 6,000-character pattern, 4,096 of them.  Now a literal character's
    token is one object, and a pattern over ``REMEMBERED_PATTERN`` (512) characters is read again when asked."""
    remembered = getattr(arn_templates, "_remembered_pattern", arn_templates.pattern_tokens)
    before = remembered.cache_info()
    pattern = "arn:aws:s3:::bucket/" + "xy?" * 2000
    tokens = arn_templates.pattern_tokens(pattern)
    assert len(tokens) == len(pattern) > 512
    assert len({id(token) for token in tokens}) <= len(set(pattern))
    assert remembered.cache_info().currsize == before.currsize
    assert arn_templates.pattern_tokens(pattern) == tokens


# ------------------------------------------------------------------------------------------------ context keys
@pytest.fixture
def own_process() -> Iterator[_ServerProcess]:
    running = _ServerProcess()
    yield running
    running.stop()


def test_context_keys_of_unterminated_variables_are_listed_in_linear_time(own_process):
    """(docs/behaviour.md, "Hostile input: thirty-fifth pass") Each ``${`` of a run without ``}`` was scanned to the
    end of its value: five documents of 65,000 took minutes of a request thread (an 80 KB one 12 s).  Under the
    seventh pass's read deadline, they are answered, with no key, and the server answers others."""
    iam = own_process.client("iam", config=DEADLINE)
    documents = [_policy({"Effect": "Allow", "Action": "s3:GetObject",
                          "Resource": f"arn:aws:s3:::{number}" + "${" * 65_000}) for number in range(5)]
    assert all(len(document) <= 131_072 for document in documents)
    assert iam.get_context_keys_for_custom_policy(PolicyInputList=documents)["ContextKeyNames"] == []
    closed = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/" + "${" * 60_000
                      + "${aws:username}"})
    (listed,) = iam.get_context_keys_for_custom_policy(PolicyInputList=[closed])["ContextKeyNames"]
    assert listed.endswith("${aws:username")
    assert own_process.client("sts", config=DEADLINE).get_caller_identity()["Account"] == ACCOUNT

