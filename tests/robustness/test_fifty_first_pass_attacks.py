"""An attacker's fifty-first pass: the query protocol against answers recorded from AWS STS, scoped root sessions.

Findings (each test failed before its fix):

- **High (STS, fail-open).** GetScopedCredentials took the root user's own GetSessionToken session: the scoped
  credentials named one scope-down policy that denied everything and could still create ECR repositories and App
  Runner resources, since the root's evaluation skipped every policy layer.  The STS API reference: "You cannot call
  it with IAM user credentials or root credentials".  Refused now, and a root session's scope-down policies (from
  an imported state) limit it all the same.
- **Medium (IAM, 500).** A query map whose entries parsed to nothing (``Properties.entry.2.key`` with no
  ``entry.1``, a key without its value, an ``01`` index) reached PutAccountProperties as ``{}``: a KeyError, 500.
  Entries past a gap were dropped without a word.
- **Medium (query fidelity, recorded from AWS STS).** A parameter sent twice was read by its last value (AWS reads
  the first: ``RoleArn=<role>&RoleArn=not-an-arn`` succeeds there and failed here, and the reverse); ``Version`` was
  never read (AWS: InvalidAction "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED");
  ``Action=`` was MissingAction (AWS: "Could not find operation  for version 2011-06-15"); a POST body without a
  form ``Content-Type`` was read as one (AWS reads no parameter from it); an empty number's words; a string's
  length counted in UTF-16 units (AWS takes a ``roleArn`` of 2,048 emoji as within its 2,048); ``roleArn``'s
  pattern failure listed after its length failure.

The recordings are a read-only oracle run against a live AWS STS endpoint: justincormack/argmin,
crates/s3-tests/src/bin/sts_oracle.rs (docs/behaviour.md, "Query protocol: which parameters are read").
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlencode

import pytest
import requests
from botocore.credentials import Credentials

from mockrunner.testing.inprocess import call_app
from tests.iam.helpers import ACCOUNT, error_of
from tests.robustness.wire import ROOT, Reply, error_fields, signed_request

FORM = "application/x-www-form-urlencoded"
STS_VERSION = "2011-06-15"
FAULT_NAMESPACE = "{http://webservices.amazon.com/AWSFault/2005-15-09}"
ARN_PATTERN = r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"


def _query(aws, service: str, fields: list[tuple[str, str]], credentials: Credentials = ROOT,
           content_type: str | None = FORM, method: str = "POST") -> Reply:
    """``fields`` sent as they are (repeats and order kept) to ``service``: a POST's form body, a GET's query."""
    encoded = urlencode(fields)
    headers = {"Content-Type": content_type} if content_type else {}
    endpoint = f"{aws.endpoint_url}/" if aws.server else None
    if method == "GET":
        base = endpoint or f"https://{'iam.amazonaws.com' if service == 'iam' else 'sts.us-east-1.amazonaws.com'}/"
        prepared = signed_request(service, b"", {}, credentials, method="GET", endpoint=f"{base}?{encoded}")
    else:
        prepared = signed_request(service, encoded.encode(), headers, credentials, endpoint=endpoint)
    if aws.server:
        response = requests.request(prepared.method, prepared.url, headers=dict(prepared.headers),
                                    data=prepared.body, timeout=30, allow_redirects=False)
        return Reply(response.status_code, dict(response.headers), response.content)
    response = call_app(aws.app, prepared)
    return Reply(response.status_code, dict(response.headers), response.content)


def _assuming_user(aws) -> tuple[Credentials, str]:
    """A user allowed sts:AssumeRole, and a role of at most an hour's sessions that trusts the account."""
    iam = aws.client("iam")
    iam.create_user(UserName="caller")
    iam.put_user_policy(UserName="caller", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    iam.create_role(RoleName="target", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                "Action": "sts:AssumeRole"}]}))
    key = iam.create_access_key(UserName="caller")["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"]), f"arn:aws:iam::{ACCOUNT}:role/target"


def _assume(aws, credentials: Credentials, *fields: tuple[str, str]) -> Reply:
    return _query(aws, "sts", [("Action", "AssumeRole"), ("Version", STS_VERSION), *fields], credentials)


def _lasts(aws, reply: Reply) -> int:
    """How long the session an AssumeRole answer hands out lasts, to the minute (its Expiration less now)."""
    expiration = datetime.fromisoformat(ET.fromstring(reply.body).find(".//{*}Expiration").text.replace("Z", "+00:00"))
    return round((expiration - aws.store.clock.now()).total_seconds() / 60) * 60


def test_a_parameter_sent_twice_is_read_by_its_first_value(aws) -> None:
    caller, role = _assuming_user(aws)
    session = ("RoleSessionName", "sess")
    assert _assume(aws, caller, ("RoleArn", role), ("RoleArn", "not-an-arn"), session).status == 200
    refused = _assume(aws, caller, ("RoleArn", "not-an-arn"), ("RoleArn", role), session)
    assert (refused.status, *error_fields(refused)) == (400, "ValidationError", (
        "1 validation error detected: Value 'not-an-arn' at 'roleArn' failed to satisfy constraint: Member must have "
        "length greater than or equal to 20"))
    first = _assume(aws, caller, ("RoleArn", role), session, ("DurationSeconds", "900"), ("DurationSeconds", "899"))
    assert first.status == 200 and _lasts(aws, first) == 900
    refused = _assume(aws, caller, ("RoleArn", role), session, ("DurationSeconds", "899"), ("DurationSeconds", "900"))
    assert error_fields(refused)[1].startswith("1 validation error detected: Value '899' at 'durationSeconds'")
    twice = [("Action", "GetCallerIdentity"), ("Action", "NoSuchAction"), ("Version", STS_VERSION)]
    assert _query(aws, "sts", twice).status == 200
    assert _query(aws, "sts", twice, method="GET").status == 200
    unknown_first = _query(aws, "sts", [twice[1], twice[0], twice[2]], method="GET")
    assert error_fields(unknown_first) == ("InvalidAction", "Could not find operation NoSuchAction for version "
                                                            "2011-06-15")
    aws.client("iam").create_user(UserName="first")
    named = _query(aws, "iam", [("Action", "GetUser"), ("Version", "2010-05-08"), ("UserName", "first"),
                                ("UserName", "nosuch")])
    assert named.status == 200 and ET.fromstring(named.body).find(".//{*}UserName").text == "first"


@pytest.mark.parametrize("versions, named", [
    ([], "NO_VERSION_SPECIFIED"), ([""], ""), (["2000-01-01"], "2000-01-01"),
    (["2000-01-01", STS_VERSION], "2000-01-01"), ([STS_VERSION, "2000-01-01"], None)])
def test_the_version_is_read_and_an_operation_of_another_is_unknown(aws, versions, named) -> None:
    reply = _query(aws, "sts", [("Action", "GetCallerIdentity"), *(("Version", v) for v in versions)])
    if named is None:
        assert reply.status == 200
        return
    assert (reply.status, *error_fields(reply)) == (
        400, "InvalidAction", f"Could not find operation GetCallerIdentity for version {named}")
    assert ET.fromstring(reply.body).tag == f"{FAULT_NAMESPACE}ErrorResponse"


def test_the_version_of_an_iam_request_is_read_too_and_nothing_is_made(aws) -> None:
    reply = _query(aws, "iam", [("Action", "CreateUser"), ("Version", "2011-06-15"), ("UserName", "versioned")])
    assert error_fields(reply) == ("InvalidAction", "Could not find operation CreateUser for version 2011-06-15")
    assert aws.client("iam").list_users()["Users"] == []


def test_an_empty_action_is_an_operation_not_found(aws) -> None:
    reply = _query(aws, "sts", [("Action", ""), ("Version", STS_VERSION)])
    assert (reply.status, *error_fields(reply)) == (
        400, "InvalidAction", "Could not find operation  for version 2011-06-15")


def test_a_body_not_said_to_be_form_encoding_is_not_read(aws) -> None:
    fields = [("Action", "CreateUser"), ("Version", "2010-05-08"), ("UserName", "unread")]
    for content_type in (None, "text/plain", "application/json"):
        reply = _query(aws, "iam", fields, content_type=content_type)
        assert (reply.status, reply.code) == (400, "MissingAction")
    assert aws.client("iam").list_users()["Users"] == []
    assert _query(aws, "iam", fields, content_type="Application/X-WWW-Form-Urlencoded; charset=UTF-8").status == 200


def test_an_empty_number_is_a_missing_decimal(aws) -> None:
    caller, role = _assuming_user(aws)
    reply = _assume(aws, caller, ("RoleArn", role), ("RoleSessionName", "sess"), ("DurationSeconds", ""))
    assert (reply.status, *error_fields(reply)) == (400, "MalformedInput", "missing value for decimal type")


def test_string_lengths_are_counted_in_code_points(aws) -> None:
    caller, _ = _assuming_user(aws)
    emoji = "\N{GRINNING FACE}"
    within = _assume(aws, caller, ("RoleArn", emoji * 2048), ("RoleSessionName", "sess"))
    assert error_fields(within)[1] == (
        f"1 validation error detected: Value '{emoji * 2048}' at 'roleArn' failed to satisfy constraint: Member must "
        f"satisfy regular expression pattern: {ARN_PATTERN}")
    past = _assume(aws, caller, ("RoleArn", emoji * 2049), ("RoleSessionName", "sess"))
    assert error_fields(past)[1] == (
        f"2 validation errors detected: Value '{emoji * 2049}' at 'roleArn' failed to satisfy constraint: Member must "
        f"satisfy regular expression pattern: {ARN_PATTERN}; Value '{emoji * 2049}' at 'roleArn' failed to satisfy "
        "constraint: Member must have length less than or equal to 2048")
    decomposed = _assume(aws, caller, ("RoleArn", "e\u0301" * 1025), ("RoleSessionName", "sess"))
    assert error_fields(decomposed)[1].endswith("Member must have length less than or equal to 2048")
    iam = aws.client("iam")
    iam.tag_user(UserName="caller", Tags=[{"Key": "k", "Value": "\U00020000" * 256}])
    assert iam.list_user_tags(UserName="caller")["Tags"] == [{"Key": "k", "Value": "\U00020000" * 256}]
    refused = error_of(iam.tag_user, UserName="caller", Tags=[{"Key": "k", "Value": "\U00020000" * 257}])
    assert "Member must have length less than or equal to 256" in refused[1]


def test_an_empty_role_arn_fails_its_pattern_first_as_sts_lists_it(aws) -> None:
    caller, _ = _assuming_user(aws)
    reply = _assume(aws, caller, ("RoleArn", ""), ("RoleSessionName", "sess"))
    assert error_fields(reply)[1] == (
        f"2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy "
        f"regular expression pattern: {ARN_PATTERN}; Value '' at 'roleArn' failed to satisfy constraint: Member must "
        "have length greater than or equal to 20")


@pytest.mark.parametrize("entries", [
    [("Properties.entry.2.key", "RoleManager/Enabled"), ("Properties.entry.2.value", "true")],
    [("Properties.entry.1.key", "RoleManager/Enabled")],
    [("Properties.entry.01.key", "RoleManager/Enabled"), ("Properties.entry.01.value", "true")],
    [("Properties.entry.1.key", "RoleManager/Enabled"), ("Properties.entry.1.value", "false"),
     ("Properties.entry.3.key", "Other/x"), ("Properties.entry.3.value", "1")],
])
def test_query_maps_with_gaps_or_half_entries_are_read_never_a_500(aws, entries) -> None:
    reply = _query(aws, "iam", [("Action", "PutAccountProperties"), ("Version", "2010-05-08"), *entries])
    assert reply.status < 500
    properties = dict((key.split(".")[-1], value) for key, value in entries)
    if "value" not in properties:
        assert error_fields(reply) == ("ValidationError", "1 validation error detected: Value at 'properties' failed "
                                                          "to satisfy constraint: Member must not be null")
    elif len(entries) > 2:  # the entry past the gap is read: two namespaces
        assert error_fields(reply) == ("InvalidInput", "All properties must belong to the same namespace")
    else:
        assert reply.status == 200
        got = aws.client("iam").get_account_properties()["Properties"]
        assert got["RoleManager/Enabled"] == "true"


def test_the_roots_own_session_cannot_be_scoped_down_and_stays_limited_if_it_were(aws) -> None:
    root_session = aws.client("sts").get_session_token()["Credentials"]
    deny_all = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    sts = aws.client_for(root_session, "sts")
    assert error_of(sts.get_scoped_credentials, Policy=deny_all)[0] == "InvalidSubjectCredentials"
    # a scope-down held by a root session (an imported state) limits it: it is never skipped
    status, state = aws.admin("GET", "/state")
    assert status == 200
    sessions = state["state"]["accounts"][ACCOUNT]["iam"]["sessions"]
    sessions[root_session["AccessKeyId"]]["scope_down_policies"] = [deny_all]
    assert aws.admin("PUT", "/state", state)[0] == 200
    ecr = aws.client_for(root_session, "ecr")
    assert error_of(ecr.create_repository, repositoryName="made-by-deny-all")[0] == "AccessDeniedException"
    assert aws.client("ecr").describe_repositories()["repositories"] == []
