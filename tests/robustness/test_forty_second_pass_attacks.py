"""An attacker's forty-second pass: the surfaces probed least recently and their combinations (the admin API, the
dashboard, the least-privilege suggestion and its CLI, ``mockrunner policy`` on hostile files, ``mock_apprunner``,
the state file, IAM's late operations, the policy simulator).  Real clients: boto3 in both modes, the CLI as a user
runs it.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
two mockrunner servers given the same ``--state-file``     **fixed (medium).** Each saved its whole state over the
(or the file edited by hand while one runs)                other's: a user the first created and acknowledged (saved,
                                                           fsynced) was gone from the file after the second's next
                                                           change, and a restart did not have it.  A save now checks
                                                           that the file is still the one this process last loaded
                                                           or wrote (inode, size, modification time; else the same
                                                           bytes) and refuses otherwise: 500 "The change was not
                                                           applied: state file ... was changed by another process",
                                                           the change undone.
``--state-file`` naming a symbolic link                    **fixed (low).** The first save renamed a regular file
                                                           over the link: the file the link named kept the state of
                                                           the first load for ever (a restart through its real path
                                                           lost everything since).  Saves now replace the link's
                                                           target, and the link stays.
``GET /_mockrunner/policies/suggest`` (and the            **fixed (medium).** The suggestion read the store with no
dashboard's suggestion and explanation pages) while       lock: the 91st request was a 500 (``RuntimeError:
another client creates and deletes IAM groups             dictionary changed size during iteration`` in
                                                           ``groups_of``), and the compiled-principal cache and the
                                                           authorization records were changed from two threads.
                                                           Its store readers now run under the store lock
                                                           (``model.store.under_lock``); evaluation stays outside.
a mock nested in an active one, given two seeds of        **fixed (low).** Its start failed (SeedError) but the
which the second is refused                                first seed stayed in the world it shares with the outer
                                                           mock: half a mutation.  A mock's seeds are now applied
                                                           all-or-nothing (``MockAppRunner._seed_all``), on
                                                           ``reset()`` too.
``POST /_mockrunner/ecr/scan-findings`` with             **fixed (low).** Answered 200, the findings seeded for
``account_id`` or ``region`` ``0``, ``""``, ``false`` or   the default account or Region, which the body did not
``null``                                                   name.  Now 400 ``InvalidFindings``: when given, each is a
                                                           non-empty string.
``mockrunner policy evaluate`` / ``validate`` given a      **fixed (low).** A ``UnicodeDecodeError`` traceback
file that is not UTF-8; ``evaluate`` given JSON nested     (both), a ``RecursionError`` traceback (``evaluate``): now
100,000 deep                                               exit status 2 and one line on stderr, as for a missing
                                                           file or text that is not JSON.
``mockrunner policy suggest --state --decisions`` given    **fixed (low).** Tracebacks: ``TypeError``
a decision log export whose entries were edited (a         (``context``, ``matchedStatements``, ``time`` with
``context`` list, a ``time`` number, ``resourcePolicy``    ``--since``), ``AttributeError`` (``time``,
5, matched statements that are no objects, an action       ``resourcePolicy``), ``AssertionError`` "suggested policy
``*`` or ``s3``, a resource ``""``, ``arn:zz:...``),       is not valid IAM" (an action or resource no policy can
or nested 100,000 deep                                     hold), ``RecursionError``.  Each entry is now checked
                                                           against the export's shape first (exit status 2 naming
                                                           the field).
=========================================================  ==========================================================

Probed and held:

* The admin API: ``/decisions`` with ``limit`` of 4,300 nines, ``-1``, ``1e3``, fnmatch patterns ``[``, ``[!`` and
  2,000 ``*a`` (no backtracking blow-up: 100 matches in under a millisecond); ``/policies/suggest`` with ``since``
  year 1, 9999, ``+99:00``, month 13, principals with an empty name, three session parts, a 13-digit account, NUL,
  100,000 characters, ``decision`` ``-1``, 5,000 digits, a full-width digit; ``/clock/advance`` with ``1e308``,
  ``-0.0``, ``1e-320``, a list, a string, ``null``; ``/ecr/scan-findings`` with an account that is an object, a list
  or unknown, a Region that is a list, a 100,000-character digest, ``{}`` and ``null`` findings, a ``null`` or list
  status; ``/enforce`` with a list or object mode; the App Runner admin routes with an unknown Region, a one-digit
  account and a connection ARN of three parts: each a 4xx with a JSON body.
* The dashboard: every page and the rows endpoint with each of 19 query parameters (``page``, ``after``,
  ``principal``, ``endpoint``, ``_method``, ``_anchor``, ``_external``...) set to empty, ``-1``, 5,000 nines, a
  full-width digit, NUL, 100,000 characters, ``[``, ``**``, ``${aws:username}``, ``<script>``, ``nan``; the ECR page
  with unknown, empty and ``..`` repositories, accounts and Regions; a user whose path holds ``$``, ``*`` and ``?``:
  no 5xx.
* The policy simulator: ``SimulateCustomPolicy`` with context entries of all twelve types, each with 26 malformed
  values (empty, ``1e400``, ``NaN``, ``-1e309``, ``300.1.1.1/99``, ``fe80::1%eth0``, ``9999-99-99``, ``+25:00``,
  5,000 digits, NUL, ``TRUE``, `` true``, ``=====``, no value) on seven keys (``aws:CurrentTime``,
  ``aws:SourceIp``, ``aws:MultiFactorAuthPresent``, ``aws:EpochTime``, a principal tag, a key holding a policy
  variable); both simulators with every combination of twelve ``CallerArn`` (none, a user that is not there, another
  account's, a role, a role session, root, a group, ``*``, a wildcard, no account, another partition), eight
  ``ResourceOwner`` (an account, another, root ARNs, a user ARN, ``x``, ``*``), four resource policies and four
  resource lists, for a user, a group and a role: no 5xx.
* The built-in identity providers' admin routes (OIDC token, JWKS read and registration, discovery; SAML metadata,
  assertion, keys) with each field ``null``, empty, a number, a list, an object, ``true``, NUL, a URL with a space,
  a fragment, a query, port 99999, ``..`` or 5,000 characters, claims holding ``1e400`` or a 30-digit number, a
  discovery path of 3,000 segments: each a 4xx with a JSON body.
* App Runner's state machine (a spot check beside the fuzzers): an image service switched to a code repository,
  ``MinSize`` over ``MaxSize``, ``MaxConcurrency`` 200 and 201, a sixth revision, a deleted revision made the
  default, pausing twice, updating, deploying and adding a domain while paused, a domain again in upper case,
  operations on a deleted service's ARN, a service created again under a deleted one's name.
* Condition operators: 17,280 policies through ``SimulateCustomPolicy`` (twelve operators, bare, with
  ``ForAnyValue:``/``ForAllValues:`` and ``IfExists``; fifteen odd keys; sixteen odd values): no 5xx.
* ``mockrunner serve`` at start with hostile ``--operation-delay``, seeds, state files, ``--accounts``, ``--quota``
  and account ids: one line and exit status 1 or 2 each.
* ``mockrunner policy evaluate`` with principal tags given as a list, a context value that is an object, ``NaN``
  and ``Infinity`` in conditions and context, an unhashable ``resourcePolicyKind``, a principal ``x``: each an
  ``error`` result or a decision (a ``NaN`` or ``1e400`` in a policy is "Syntax errors in policy.").
* The state file: renamed aside and back (the same file) and copied back byte for byte while a server runs: saves
  go on.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

from mockrunner.cli import main
from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.model.store import Store
from mockrunner.seed import SeedError
from mockrunner.testing.mock import MockAppRunner
from tests.harness import MODES, UNREACHABLE, Harness, saving_harness, user_names
from tests.robustness.lock_watch import watched_calls

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/a"


@pytest.fixture(params=MODES)
def mode(request) -> str:
    return request.param


@pytest.fixture
def two_servers(mode: str, tmp_path) -> Iterator[tuple[Harness, Harness, str]]:
    """Two servers started on one state file (as two processes would be), the second started after the first."""
    path = str(tmp_path / "state.bin")
    first = saving_harness(mode, path)
    second = saving_harness(mode, path)
    try:
        yield first, second, path
    finally:
        first.close()
        second.close()


# -- fixed: two writers of one state file ------------------------------------------------------------------------

def test_a_second_server_on_the_same_state_file_cannot_drop_what_the_first_acknowledged(two_servers) -> None:
    first, second, path = two_servers
    first.client("iam").create_user(UserName="acknowledged-by-the-first")
    with pytest.raises(ClientError) as refused:  # was acknowledged, and saved over the first's user
        second.client("iam").create_user(UserName="made-by-the-second")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    message = refused.value.response["Error"]["Message"]
    assert message.startswith(f"The change was not applied: state file {path}"), message
    assert "changed by another process" in message
    assert user_names(second) == []  # the refused change is undone
    first.client("iam").create_user(UserName="and-another")  # the file is still the first's
    restarted = saving_harness("inprocess", path)
    try:
        assert user_names(restarted) == ["acknowledged-by-the-first", "and-another"]
    finally:
        restarted.close()


def test_a_state_file_replaced_by_hand_while_the_server_runs_is_not_overwritten(mode, tmp_path) -> None:
    path = str(tmp_path / "state.bin")
    harness = saving_harness(mode, path)
    try:
        harness.client("iam").create_user(UserName="before")
        edited = saving_harness("inprocess", str(tmp_path / "edited.bin"))
        edited.client("iam").create_user(UserName="written-by-hand")
        edited.close()
        os.replace(tmp_path / "edited.bin", path)
        with pytest.raises(ClientError) as refused:
            harness.client("iam").create_user(UserName="after")
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        status, answer = harness.admin("POST", "/reset")
        assert (status, answer["error"]) == (500, "StateNotSaved")
        assert user_names(harness) == ["before"]
    finally:
        harness.close()
    restarted = saving_harness("inprocess", path)
    try:
        assert user_names(restarted) == ["written-by-hand"]
    finally:
        restarted.close()


def test_held_a_state_file_copied_back_byte_for_byte_is_still_the_servers(mode, tmp_path) -> None:
    path = str(tmp_path / "state.bin")
    harness = saving_harness(mode, path)
    try:
        harness.client("iam").create_user(UserName="one")
        shutil.copyfile(path, tmp_path / "backup.bin")
        os.remove(path)
        shutil.copyfile(tmp_path / "backup.bin", path)  # another inode, the same bytes
        harness.client("iam").create_user(UserName="two")
        os.remove(path)  # gone: written again, nothing acknowledged is lost
        harness.client("iam").create_user(UserName="three")
    finally:
        harness.close()
    restarted = saving_harness("inprocess", path)
    try:
        assert user_names(restarted) == ["one", "three", "two"]
    finally:
        restarted.close()


# -- fixed: a state file given as a symbolic link ------------------------------------------------------------------

def test_a_state_file_given_as_a_symbolic_link_is_saved_through_the_link(mode, tmp_path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "state.bin"
    link = tmp_path / "state.bin"
    link.symlink_to(target)
    harness = saving_harness(mode, str(link))
    try:
        harness.client("iam").create_user(UserName="first")
        harness.client("iam").create_user(UserName="second")
        assert link.is_symlink(), "the link was replaced by a regular file"
        assert sorted(os.listdir(tmp_path / "real")) == ["state.bin"]  # no temporary file left beside it
    finally:
        harness.close()
    for path in (link, target):
        restarted = saving_harness("inprocess", str(path))
        try:
            assert user_names(restarted) == ["first", "second"]
        finally:
            restarted.close()


# -- fixed: mockrunner policy evaluate / validate on hostile files ------------------------------------------------

def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_policy_commands_refuse_a_file_that_is_not_utf8_without_a_traceback(capsys, tmp_path) -> None:
    path = tmp_path / "utf16.json"
    path.write_bytes('{"Version": "2012-10-17", "Statement": []}'.encode("utf-16"))  # a BOM, then 0x00 bytes
    status, out, err = _run(capsys, "policy", "evaluate", "--input", str(path))
    assert (status, out) == (2, "")
    assert err.startswith("cannot read requests: not UTF-8 text")
    status, out, err = _run(capsys, "policy", "validate", str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"cannot read {path}: not UTF-8 text")


def test_policy_evaluate_refuses_json_nested_too_deeply_without_a_traceback(capsys, tmp_path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    status, out, err = _run(capsys, "policy", "evaluate", "--input", str(path))
    assert (status, out) == (2, "")
    assert err == "cannot read requests: the JSON nests arrays and objects deeper than 512 levels\n"


# -- fixed: mockrunner policy suggest on a hand-edited export ------------------------------------------------------

ENTRY = {"id": 1, "time": "2024-01-01T00:00:00+00:00", "principal": USER, "action": "s3:GetObject",
         "resource": "arn:aws:s3:::b/k", "decision": "implicitDeny", "message": "denied", "context": {},
         "matchedStatements": [], "decidedBy": "identity", "boundary": None, "resourcePolicy": None}


@pytest.fixture
def exported_state(tmp_path) -> str:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(snapshot.export_state(Store())))
    return str(path)


@pytest.mark.parametrize(("edit", "named"), [
    ({"context": [1]}, "context is list"),
    ({"context": 5}, "context is int"),
    ({"time": 5}, "time is int"),
    ({"matchedStatements": 5}, "matchedStatements is int"),
    ({"matchedStatements": [5]}, "matchedStatements are not JSON objects"),
    ({"resourcePolicy": 5}, "resourcePolicy is int"),
    ({"resourcePolicy": ["x"]}, "resourcePolicy is list"),
    ({"action": "*"}, "action '*' is not service:Operation"),
    ({"action": "s3"}, "action 's3' is not service:Operation"),
    ({"action": 5}, "action is int"),
    ({"resource": ""}, "resource '' is neither * nor an ARN"),
    ({"resource": None}, "resource is NoneType"),
    ({"resource": "arn:zz:s3:::b/k"}, "resource 'arn:zz:s3:::b/k' is neither * nor an ARN"),
    ({"resource": "arn:aws::::"}, "resource 'arn:aws::::' is neither * nor an ARN"),
])
@pytest.mark.parametrize("wanted", [["--principal", USER], ["--decision", "1"], ["--principal", USER,
                                                                                  "--since", "2023-01-01"]])
def test_policy_suggest_refuses_an_edited_decision_log_export_without_a_traceback(
        capsys, tmp_path, exported_state, edit, named, wanted) -> None:
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps({"decisions": [{**ENTRY, **edit}]}))
    status, out, err = _run(capsys, "policy", "suggest", "--state", exported_state, "--decisions", str(decisions),
                            *wanted)
    assert (status, out) == (2, "")
    assert err.startswith(f"mockrunner policy suggest: {decisions} is not a decision log export: an entry's {named}")


def test_policy_suggest_refuses_an_export_nested_too_deeply_without_a_traceback(capsys, tmp_path,
                                                                                exported_state) -> None:
    decisions = tmp_path / "decisions.json"
    decisions.write_text("[" * 100_000 + "]" * 100_000)
    status, out, err = _run(capsys, "policy", "suggest", "--state", exported_state, "--decisions", str(decisions),
                            "--principal", USER)
    assert (status, out) == (2, "")
    assert "nests arrays and objects deeper than 512 levels" in err


def test_held_policy_suggest_answers_an_untouched_export(capsys, tmp_path, exported_state) -> None:
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps({"decisions": [ENTRY]}))
    status, out, err = _run(capsys, "policy", "suggest", "--state", exported_state, "--decisions", str(decisions),
                            "--principal", USER)
    assert (status, err) == (0, "")
    answer = json.loads(out)
    assert answer["policies"][0]["document"]["Statement"][0]["Action"] == "s3:GetObject"
    assert answer["proof"]["allAllowed"] is True


# -- fixed: the suggestion and the explanation read the store under its lock ----------------------------------------

def _world_with_denials(harness: Harness) -> dict[str, int]:
    """A user in a group, denied ListUsers (its identity policy) and AssumeRole (a role trusting its account):
    decision ids by action."""
    iam = harness.client("iam")
    iam.create_user(UserName="a")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="a")
    iam.put_user_policy(UserName="a", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}))
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}))
    key = iam.create_access_key(UserName="a")["AccessKey"]
    as_user = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    harness.client_for(as_user, "iam").get_user(UserName="a")
    for call in (lambda: harness.client_for(as_user, "iam").list_users(),
                 lambda: harness.client_for(as_user, "sts").assume_role(
                     RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="sess")):
        with pytest.raises(ClientError):
            call()
    return {entry["action"]: entry["id"] for entry in harness.store.decision_log
            if entry["decision"] != "allowed"}


def _reads_outside_the_lock(harness: Harness, read) -> tuple[list[str], int]:
    """The store readers called while this thread does not hold the store lock during ``read()`` (in process: the
    request runs on this thread), and how many calls of them were seen in all."""
    from mockrunner.auth import authorizer
    from mockrunner.model.authorization_details import AuthorizationDetails
    from mockrunner.model.iam import IamState

    watched = {"IamState.groups_of": IamState.groups_of, "_compile": authorizer._compile,
               "compiled_principal": authorizer.compiled_principal,
               "caller_for_role_session": authorizer.caller_for_role_session,
               "AuthorizationDetails.get": AuthorizationDetails.get}
    calls = watched_calls(harness.store.lock, watched, read)
    return [name for name, held in calls if not held], len(calls)


def test_the_suggestion_and_the_explanation_read_the_store_under_its_lock() -> None:
    """A concurrent CreateGroup/DeleteGroup made ``GET /_mockrunner/policies/suggest`` a 500 (``RuntimeError:
    dictionary changed size during iteration`` in ``groups_of``; 91 requests into a loop with 290 groups)."""
    harness = Harness("inprocess", Settings(log_requests=False))
    try:
        denied = _world_with_denials(harness)
        client = harness.app.test_client()
        pages = {
            "suggest": f"/_mockrunner/policies/suggest?principal={USER}",
            "fix of ListUsers": f"/_mockrunner/policies/suggest?decision={denied['iam:ListUsers']}",
            "fix of AssumeRole": f"/_mockrunner/policies/suggest?decision={denied['sts:AssumeRole']}",
            "dashboard explanation": f"/_mockrunner/ui/decisions/{denied['sts:AssumeRole']}",
            "dashboard suggestion": f"/_mockrunner/ui/suggest?principal={USER}",
        }
        for name, url in pages.items():
            answers: list = []
            outside, seen = _reads_outside_the_lock(harness, lambda url=url, answers=answers:
                                                     answers.append(client.get(url).status_code))
            assert answers == [200], name
            assert seen, f"{name}: no store reader was called (the probe watches nothing)"
            assert outside == [], name
    finally:
        harness.close()


# -- fixed: a nested mock's seeds, all or nothing -------------------------------------------------------------------

def test_a_nested_mock_whose_second_seed_fails_leaves_none_of_its_seeds_in_the_shared_world() -> None:
    good = {"users": [{"name": "from-the-good-seed"}]}
    bad = {"users": [{"name": "refused", "bogus": 1}]}
    with MockAppRunner(seed={"users": [{"name": "outer"}]}) as outer:
        iam = boto3.client("iam", endpoint_url=UNREACHABLE)
        with pytest.raises(SeedError, match="bogus"):
            with MockAppRunner(seed=[good, bad]):
                pytest.fail("the nested block ran")
        assert [user["UserName"] for user in iam.list_users()["Users"]] == ["outer"]  # was also the good seed's
        assert outer.active
        with pytest.raises(SeedError):
            outer.seeds.append(bad)
            outer.reset()  # a reset whose seed fails: the world empty, not half seeded
        assert iam.list_users()["Users"] == []


# -- fixed: scan findings seeded for an account or Region that is no string ------------------------------------------

@pytest.mark.parametrize("named", [{"account_id": 0}, {"account_id": ""}, {"account_id": False},
                                   {"account_id": None}, {"region": 0}, {"region": ""}, {"region": None}])
def test_scan_findings_for_an_account_or_region_that_is_no_string_are_refused(mode, named) -> None:
    harness = Harness(mode, Settings(log_requests=False))
    try:
        digest = "sha256:" + "a" * 64
        status, answer = harness.admin("POST", "/ecr/scan-findings", {"digest": digest, "findings": [], **named})
        name = next(iter(named))
        assert (status, answer) == (400, {"error": "InvalidFindings",
                                          "message": f"{name}, when given, is a non-empty string"})
        assert not harness.store.account(ACCOUNT).region("us-east-1").ecr.seeded_findings  # was the default's
        status, _ = harness.admin("POST", "/ecr/scan-findings", {"digest": digest, "findings": [],
                                                                 "account_id": ACCOUNT, "region": "us-east-1"})
        assert status == 200
    finally:
        harness.close()
