"""An attacker's thirty-third pass, on what the last merges brought and no attacker had read: IAM's service last
accessed reports (``mockrunner/services/iam/access_grants.py``, ``last_accessed.py``: how a report reads policies,
what it is authorized on), the last-used records and report jobs a state document carries, the unique ids of IAM's
entities in state import, and, around them, the engine's fail-closed paths, the query wire's lists of structures,
the OIDC roles claim and GetWebIdentityToken.  Real clients throughout: boto3 in both modes (``aws``); the admin API
over HTTP for state import; where the cost of one request is the point, a server in its own process under a client
read deadline (a regex holds the interpreter lock: the seventh pass's ``server``), or the same request in-process
under a counter of the Python lines mockrunner runs (no timed assertion).

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a policy whose ``Deny`` action has ten or more wildcards   **fixed (high).** ``access_grants._pattern`` compiled each
(``s3:*a*a*a*a*a*a*a*a*a*a*a*a*b``) beside an ``Allow`` of  ``*`` as ``.*``, which backtracks: 6 wildcards against a
``s3:aaa...`` (60 characters), then                         60-character action took 1 s, 8 took 46 s, 12 hours, all
GenerateServiceLastAccessedDetails or                       under the store lock (every other request waited).  A
ListPoliciesGrantingServiceAccess on that user              user allowed to write its own policy and generate its own
                                                            report could stop the server.  Now compiled as the engine
                                                            compiles a glob (``iam_engine.matching.glob_to_regex``:
                                                            atomic groups, linear).
one user's policies at IAM's size quotas: an ``Allow`` of   **fixed (medium).** Every (action, resource) pair was
``NotAction`` on 90 resources beside nine managed          matched against every pattern of every deny, once per
policies of 5,000 ``Deny`` actions, then a report          namespace (456 for a ``NotAction``): about 90 s under the
                                                            store lock (20 resources and 556 actions: 1.9 s).  Each
                                                            resource is now matched against the denies once, an
                                                            action against all the denies covering it in one regex,
                                                            and a namespace one deny takes back whole is found once:
                                                            under 0.01 s.  The same answers as before on 5,000 random
                                                            policy sets (checked by hand against the old module).
GenerateServiceLastAccessedDetails (and                     **fixed (medium).** The entity is found by its name
ListPoliciesGrantingServiceAccess) on                       whatever the ARN's path (recorded from AWS), but the call
``arn:aws:iam::<account>:user/x/victim`` by a caller whose  was authorized on the ARN given alone, so a deny of the
policies deny it on ``user/victim``                         victim's own ARN, or a condition on its tags, was evaded
                                                            by spelling another path; the report (the victim's
                                                            services, when it last used them, its policies' names)
                                                            was answered.  Now also checked on the entity's own ARN
                                                            with its tags (*unverified*: AWS's check of a path it
                                                            ignores is not recorded; fail closed).
a state document whose last-used record is ``[5,            **fixed (low).** Imported; then every request of that
"us-east-1"]`` or ``[]``, or whose report job lists         user (``ListUsers``), or the report's reads, answered 500
``{}``, ``{"namespace": 5}`` or a use that is no date       ``ServiceFailure``.  Import now refuses them (400
                                                            ``InvalidState`` with the path): a use is a date (no later
                                                            than the document's clock) and a Region, a reported
                                                            service a namespace of IAM's shape and its entities' uses,
                                                            an unused service a namespace.  (A string for a service
                                                            and a number for an unused one were refused already.)
a state document giving user ``mallory`` the unique id of  **fixed (medium).** Imported: mallory then passed every
user ``admin``                                             ``aws:userid`` condition written for admin (assumed a role
                                                            trusting only admin's id).  Import now refuses a user,
                                                            role, group, managed policy or instance profile whose
                                                            unique id is not of its kind's prefix (``AIDA``, ``AROA``,
                                                            ``AGPA``, ``ANPA``, ``AIPA``) or is another entity's (in
                                                            any account), and a stored trust, repository or registry
                                                            policy naming a live user or role by its unique id (IAM
                                                            writes an id there only once the principal is deleted, and
                                                            it then "names nobody else").
a job generated by user ``reporter``, read after the user   **fixed (low).** A job was read by the ARN that generated
was deleted and created again under the same name           it, so the new user read the old user's reports.  It is
                                                            now read by that ARN and its unique id (``aws:userid``:
                                                            the user's id, a role session's ``AROA...:<name>``, the
                                                            root's account); the same user through another key still
                                                            reads it, as recorded (*unverified*: AWS's rule for a
                                                            namesake is not recorded; "the same user", the API
                                                            reference).
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* Service last accessed: an ARN of the ``aws`` account naming a user (``arn:aws:iam::aws:user/victim``) is judged
  another account's resource and denied to a caller allowed ``iam:*`` on ``*`` (pinned); another case of the name
  is ``NoSuchEntity``.  Markers: ``-1``, ``+1``, `` 1``, ``1e3``, ``0x1``, 300 digits, another job's, the entities
  listing's, three slashes are ``Invalid Marker.`` or "The marker passed in the request was invalid."; one past the
  end answers the empty last page.  Service namespaces of 64 and 65 characters, with ``:``, a dot or a trailing
  space are IAM's validation errors.
* Engine, fail closed: a permissions boundary naming a policy that does not exist (in the account, an AWS managed
  name, another account) denies everything (the state was imported with it; DeletePolicy of a boundary in use is
  ``DeleteConflict``).
* The OIDC roles claim's pattern (``oidc/verify.py`` ``ROLE_ARN``) against 50,000-character near misses: linear
  (under a millisecond).  SAML metadata wrapped in ``EntitiesDescriptor``: the parser still refuses a DOCTYPE and
  loads no entities.  GetWebIdentityToken: tags, scope and algorithms as the recordings show; nothing new found.
* The decision log's shared values are bounded (8,192 kept, then cleared); the request context's lower-cased key
  lists are cached per key tuple and keys two spellings carry differently stay ambiguous.

* The query wire's lists of structures: 8,000 spellings of one index (``01``, ``001``, ...; 32 MB) are read in
  0.5 s; gaps of nine between 8,000 indexes are refused in 0.15 s; a form body of more than 20,000 fields is
  ``MalformedQueryString`` before any list is built.

Left: service last accessed jobs are kept without a bound (as before) and each now carries every entity of its
report: a report on a managed policy attached to a thousand roles is about 100 KB of state, rewritten with every
later save.  A report over policies written for the worst case found (a wildcard-namespace ``Allow`` of 225 actions
beside ten 6,144-character managed policies of ``Deny`` actions that do not match them) still holds the store lock
about 1 s (over 40 s before): each of the 456 namespaces' actions is one regex test over every deny action.
"""
from __future__ import annotations

import json
import re

import pytest
import requests
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, doc, error_of, user_with_key
from tests.robustness.test_seventh_pass_attacks import DEADLINE, _answers_others, server  # noqa: F401
from tests.robustness.test_thirty_second_pass_attacks import _lines_run


def _user_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:user{path}{name}"


# ------------------------------------------------------------------------------- service last accessed: cost
def test_a_deny_of_many_wildcards_does_not_hold_the_server(server):  # noqa: F811
    """(docs/behaviour.md, "Hostile input: thirty-third pass") ``.*`` per wildcard backtracked: twelve wildcards
    against a 60-character action ran for hours under the store lock.  Each call answers far within the deadline,
    and the server answers others afterwards.  (A report reads only the actions IAM's catalogue has, so ``s3:*`` is
    allowed too: the deny is matched against each of S3's actions; ListPoliciesGrantingServiceAccess matches it
    against the 60-character one.)"""
    iam = server.client("iam", config=DEADLINE)
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["s3:" + "a" * 60, "s3:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:" + "*a" * 12 + "*b", "Resource": "*"}))
    job = iam.generate_service_last_accessed_details(Arn=_user_arn("u"))["JobId"]
    services = iam.get_service_last_accessed_details(JobId=job)["ServicesLastAccessed"]
    assert [service["ServiceNamespace"] for service in services] == ["s3"]  # the deny does not match the action
    granting = iam.list_policies_granting_service_access(Arn=_user_arn("u"), ServiceNamespaces=["s3"])
    assert [policy["PolicyName"] for policy in granting["PoliciesGrantingServiceAccess"][0]["Policies"]] == ["p"]
    _answers_others(server)


def _fillers(iam, name: str, count: int) -> None:
    """Managed policies ``<name>0``... attached to user ``u``, each one ``Deny`` of as many actions as 6,144
    characters hold (``<name><policy>x<index>:x``, which no report's action meets)."""
    for policy in range(count):
        listed: list[str] = []

        def document(actions: list[str]) -> str:
            return json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Action": actions, "Resource": "*"}]}, separators=(",", ":"))

        while len(document([*listed, f"{name}{policy}x{len(listed)}:x"])) < 6144:
            listed.append(f"{name}{policy}x{len(listed)}:x")
        arn = iam.create_policy(PolicyName=f"{name}{policy}", PolicyDocument=document(listed))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="u", PolicyArn=arn)


def test_a_report_matches_each_resource_against_the_denies_once(make_harness):
    """(docs/behaviour.md, "Hostile input: thirty-third pass") Each (action, resource) pair was matched against
    every deny pattern, for each of 456 namespaces: about 90 s under the store lock for one user's policies at IAM's
    size quotas (measured by hand).  Once the policies are read, the lines a report runs no longer grow with the deny
    patterns a pair meets before the one that takes it back: four policies of them cost about what one does (about
    four times as much before)."""
    aws = make_harness("inprocess")
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="allow", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "q:q", "Resource": [
            f"arn:aws:s3:::{index}*" for index in range(5)]}]}, separators=(",", ":")))
    everything = iam.create_policy(PolicyName="everything", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::*"}))["Policy"]["Arn"]

    def report() -> int:
        iam.attach_user_policy(UserName="u", PolicyArn=everything)  # read last: after the fillers

        def call() -> None:
            job = iam.generate_service_last_accessed_details(Arn=_user_arn("u"))["JobId"]
            # Every service is taken back on every resource allowed: the report lists none.
            assert iam.get_service_last_accessed_details(JobId=job)["ServicesLastAccessed"] == []
        call()  # the policies read once (their parse is linear in their size, and remembered)
        lines = _lines_run(call)
        iam.detach_user_policy(UserName="u", PolicyArn=everything)
        return lines

    _fillers(iam, "a", 1)
    one = report()
    _fillers(iam, "b", 3)
    four = report()
    assert four < 1.5 * one


# ------------------------------------------------------------------------- service last accessed: authorization
@pytest.fixture
def victim_and_mallory(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="victim", Tags=[{"Key": "team", "Value": "vault"}])
    iam.put_user_policy(UserName="victim", PolicyName="secrets", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}))
    key = user_with_key(aws, "mallory", inline={"p": doc(
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": _user_arn("victim")},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "vault"}}})})
    return aws.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def _report_calls(iam, arn: str) -> tuple:
    return ((iam.generate_service_last_accessed_details, {"Arn": arn}),
            (iam.list_policies_granting_service_access, {"Arn": arn, "ServiceNamespaces": ["secretsmanager"]}))


@pytest.mark.parametrize("path", ["/x/", "//", "/team/vault/"])
def test_another_path_does_not_evade_a_deny_of_the_entity(victim_and_mallory, path):
    """(docs/behaviour.md, "Hostile input: thirty-third pass") The entity is named by its name whatever the path;
    the call was authorized on the ARN given alone, and answered the victim's report."""
    mallory = victim_and_mallory
    arn = _user_arn("victim", path)
    for call, kwargs in _report_calls(mallory, arn):
        code, message, status = error_of(call, **kwargs)
        assert (code, status) == ("AccessDenied", 403)
        assert "explicit deny" in message


def test_a_tag_condition_on_the_entity_holds_whatever_the_path(aws, victim_and_mallory):
    """The same through the ``aws:ResourceTag`` deny alone: the victim's own deny of its ARN lifted."""
    iam = aws.client("iam")
    iam.put_user_policy(UserName="mallory", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "vault"}}}))
    for call, kwargs in _report_calls(victim_and_mallory, _user_arn("victim", "/elsewhere/")):
        assert error_of(call, **kwargs)[0] == "AccessDenied"
    iam.untag_user(UserName="victim", TagKeys=["team"])  # without the tag, the same call is allowed
    job = victim_and_mallory.generate_service_last_accessed_details(Arn=_user_arn("victim", "/elsewhere/"))
    assert job["JobId"]


def test_the_aws_account_does_not_name_a_user_of_the_callers(victim_and_mallory):
    mallory = victim_and_mallory
    for call, kwargs in _report_calls(mallory, "arn:aws:iam::aws:user/victim"):
        code, message, status = error_of(call, **kwargs)
        assert (code, status) == ("AccessDenied", 403)


# ------------------------------------------------------------------------------------------------- state import
def _state_url(harness) -> str:
    return harness.endpoint_url + "/_mockrunner/state"


def _refused(harness, document: str) -> str:
    """The ``InvalidState`` message a state import of ``document`` gets (and the state unchanged)."""
    before = requests.get(_state_url(harness), timeout=30).text
    response = requests.put(_state_url(harness), data=document.encode(), timeout=30)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "InvalidState"
    assert requests.get(_state_url(harness), timeout=30).text == before
    return response.json()["message"]


@pytest.fixture
def used(make_harness):
    """A server whose user ``u`` used IAM with its key and generated a report on itself."""
    harness = make_harness("server")
    key = user_with_key(harness, "u", inline={"p": doc({"Effect": "Allow", "Action": ["iam:*", "sqs:*"],
                                                        "Resource": "*"})})
    user = harness.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    user.list_users()
    user_job = user.generate_service_last_accessed_details(Arn=_user_arn("u"))["JobId"]
    return harness, user, user_job, requests.get(_state_url(harness), timeout=30).text


_USE = r'\{"\$tuple": \[\{"\$datetime": "[^"]+"\}, "us-east-1"\]\}'


@pytest.mark.parametrize("planted, where", [
    ('{"$tuple": [5, "us-east-1"]}', "last_used"),
    ('{"$tuple": []}', "last_used"),
    ('{"$tuple": [{"$datetime": "2999-01-01T00:00:00+00:00"}, "us-east-1"]}', "last_used"),
], ids=["a number for the date", "no date nor Region", "a date to come"])
def test_a_last_used_record_the_code_cannot_read_is_refused(used, planted, where):
    """(docs/behaviour.md, "Hostile input: thirty-third pass") Imported before: every later request of the user
    answered 500."""
    harness, user, _job, text = used
    document, count = re.subn(r'("last_used": \{"AKIA\w+": \{"iam": )' + _USE, lambda m: m.group(1) + planted,
                              text, count=1)
    assert count == 1
    assert f".iam.{where}." in _refused(harness, document)
    assert user.list_users()["Users"]  # the user still works: nothing was imported


@pytest.mark.parametrize("services, unused", [
    ('[{}]', None), ('["s3"]', None), ('[{"namespace": 5, "entities": {}}]', None),
    ('[{"namespace": "sqs", "entities": []}]', None),
    ('[{"namespace": "sqs", "entities": {"arn:aws:iam::123456789012:user/u": [1, 2]}}]', None),
    ('[{"entities": {}}]', None), (None, '["' + "x" * 100 + '"]'), (None, "[5]"),
], ids=["empty", "a string", "a number for the namespace", "entities a list", "a use that is no date",
        "no namespace", "an unused namespace too long", "an unused number"])
def test_a_report_job_the_code_cannot_read_is_refused(used, services, unused):
    """(docs/behaviour.md, "Hostile input: thirty-third pass") Imported before: the report's reads answered 500."""
    harness, user, job, text = used
    document = text
    if services is not None:
        document = re.sub(r'"services": \[.*?\], "unused"', lambda _m: f'"services": {services}, "unused"', document,
                          count=1)
    if unused is not None:
        document = re.sub(r'"unused": \[[^\]]*\]', lambda _m: f'"unused": {unused}', document, count=1)
    assert document != text
    assert f"last_accessed_jobs.{job}." in _refused(harness, document)
    assert user.get_service_last_accessed_details(JobId=job)["JobStatus"] == "COMPLETED"


@pytest.fixture
def admin_and_mallory(make_harness):
    harness = make_harness("server")
    iam = harness.client("iam")
    admin = iam.create_user(UserName="admin")["User"]
    key = user_with_key(harness, "mallory", inline={"p": doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})})
    mallory = iam.get_user(UserName="mallory")["User"]
    iam.create_role(RoleName="admins-only", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"aws:userid": admin["UserId"]}}}))
    sts = harness.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    return harness, admin, mallory, sts, requests.get(_state_url(harness), timeout=30).text


def test_a_user_given_anothers_unique_id_is_refused(admin_and_mallory):
    """(docs/behaviour.md, "Hostile input: thirty-third pass") Imported before: mallory assumed the role only the
    admin's ``aws:userid`` may assume."""
    harness, admin, mallory, sts, text = admin_and_mallory
    message = _refused(harness, text.replace(mallory["UserId"], admin["UserId"]))
    assert "users['mallory'].user_id" in message and "is also the id of" in message
    with pytest.raises(ClientError) as denied:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/admins-only", RoleSessionName="mallory")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


def test_a_unique_id_of_another_kind_is_refused(admin_and_mallory):
    harness, _admin, mallory, _sts, text = admin_and_mallory
    message = _refused(harness, text.replace(mallory["UserId"], "AROA" + mallory["UserId"][4:]))
    assert "users['mallory'].user_id" in message and "(AIDA...)" in message


def test_a_stored_policy_naming_a_live_user_by_its_id_is_refused(admin_and_mallory):
    """A deleted principal's id in a trust policy names nobody else; a state giving that id to a live user would
    make the user that principal."""
    harness, _admin, mallory, _sts, text = admin_and_mallory
    trust = json.dumps(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": mallory["UserId"]}, "Action": "sts:AssumeRole"}]},
        separators=(",", ":")))
    document, count = re.subn(r'("assume_role_policy": )"(?:[^"\\]|\\.)*"', lambda m: m.group(1) + trust, text,
                              count=1)
    assert count == 1
    message = _refused(harness, document)
    assert ".assume_role_policy: names" in message and mallory["UserId"] in message


def test_a_state_of_distinct_ids_still_imports(admin_and_mallory):
    harness, _admin, _mallory, sts, text = admin_and_mallory
    response = requests.put(_state_url(harness), data=text.encode(), timeout=30)
    assert response.status_code == 200, response.text
    assert error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/admins-only",
                    RoleSessionName="mallory")[0] == "AccessDenied"


# ------------------------------------------------------------------------------------- service last accessed: jobs
def test_a_user_created_again_under_the_name_does_not_read_the_old_users_jobs(aws):
    """(docs/behaviour.md, "Hostile input: thirty-third pass") A job was read by the ARN that generated it: a new
    user of the deleted user's name read the old user's reports.  The same user through another key still reads
    them (recorded)."""
    iam = aws.client("iam")
    policy = {"p": doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})}
    first = user_with_key(aws, "reporter", inline=policy)
    old = aws.client("iam", access_key=first["AccessKeyId"], secret=first["SecretAccessKey"])
    job = old.generate_service_last_accessed_details(Arn=_user_arn("reporter"))["JobId"]
    second = iam.create_access_key(UserName="reporter")["AccessKey"]
    again = aws.client("iam", access_key=second["AccessKeyId"], secret=second["SecretAccessKey"])
    assert again.get_service_last_accessed_details(JobId=job)["JobStatus"] == "COMPLETED"
    for key in (first, second):
        iam.delete_access_key(UserName="reporter", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="reporter", PolicyName="p")
    iam.delete_user(UserName="reporter")
    namesake = user_with_key(aws, "reporter", inline=policy)
    new = aws.client("iam", access_key=namesake["AccessKeyId"], secret=namesake["SecretAccessKey"])
    for call, kwargs in ((new.get_service_last_accessed_details, {"JobId": job}),
                         (new.get_service_last_accessed_details_with_entities,
                          {"JobId": job, "ServiceNamespace": "iam"})):
        assert error_of(call, **kwargs) == ("NoSuchEntity", f"Job {job} does not exist.", 404)


# ------------------------------------------------------------------------------------- the attempt table's bound
def test_a_full_attempt_table_keeps_its_locked_keys():
    """The MFA code limit's table (``model/attempts.py``) is bounded; when it is full, keys of earlier windows go
    first, then the keys with the fewest attempts in this window.  Before: past the bound it dropped every key, so
    fresh keys (attempts on other devices) lifted the lock of a device that had used up its nine checks."""
    from datetime import UTC, datetime

    from mockrunner.model.attempts import AttemptWindows

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    table = AttemptWindows(width=180, limit=4)
    for _ in range(9):
        table.add("victim", now)
    for key in range(50):  # bounded: far more fresh keys than the table holds
        table.add(("fresh", key), now)
        assert len(table) <= 4
    assert table.count("victim", now) == 9
