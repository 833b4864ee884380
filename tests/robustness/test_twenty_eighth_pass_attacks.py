"""An attacker's twenty-eighth pass: what changed on main today (IAM's account quotas made configurable,
``aws:FederatedProvider`` and GetWebIdentityToken's claims), then the HTTP server, the request protocols and the
admin API from the network.  boto3 in both modes (``aws``); a real server (``server``) where the wire or racing
clients matter; raw signed bodies through the whole pipeline (:mod:`tests.robustness.wire`) where botocore would
refuse to send them.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a role tagged ``Department=Marketing`` assumed with the    **fixed (low).** Both keys stayed in the session's
session tag ``department=engineering``;                    principal tags, so the token's ``principal_tags`` carried
GetWebIdentityToken from the session                       the role's overridden ``Department: Marketing`` beside the
                                                           session's ``department: engineering`` (a relying party
                                                           matching the key case-sensitively read the role's value).
                                                           Policy evaluation already read the session's value (the
                                                           later of two keys wins).  A session tag now replaces the
                                                           user's or role's tag of the same key in any case, as
                                                           AssumeRole's reference states with this very example.
a trust policy, an inline user policy and a managed        **fixed (low).** Policy sizes were counted with Python's
policy padded with U+00A0 (no-break space) or U+0085       ``str.split``, for which U+0085 and U+00A0 (both in a
(NEL) inside a condition value: 5,000 of them against     policy's allowed character range) are whitespace: every
the 2,048-character ``ACLSizePerRole`` quota               size quota (``ACLSizePerRole``, the inline and managed
                                                           policy sizes, STS's session policy) let a padded document
                                                           through.  Only JSON's whitespace (space, tab, LF, CR) is
                                                           left uncounted now.
GetWebIdentityToken with ``Tags`` ``env`` and ``ENV``      **fixed (low).** Taken: the token's ``request_tags`` held
(or ``env`` twice)                                         both keys (a relying party reads whichever it reads),
                                                           while ``aws:RequestTag/env`` was ambiguous.  Refused as
                                                           AssumeRole and GetFederationToken refuse the same STS
                                                           ``Tag`` list: ``InvalidParameterValue`` "Duplicate tag
                                                           keys found. ..." (*unverified* for this operation).
``POST /_mockrunner/seed`` (and every admin JSON body)     **fixed (medium).** JSON bodies are read in UTF-8, UTF-16
in UTF-16 or UTF-32, holding a ``\\ud800`` escape          or UTF-32, but the twenty-fifth pass's check for half a
                                                           surrogate pair looked for its UTF-8 byte spellings only:
                                                           a UTF-16 seed naming user ``a\\ud800`` answered 500 with a
                                                           traceback (the model's length check could not encode
                                                           it).  The bytes are decoded first, as ``json.loads``
                                                           decodes them, and the text checked: ``MalformedJSON``.
=========================================================  ==========================================================

Probes that held (pinned here where a test says so; the rest checked by hand, in-process unless said):

* ``aws:PrincipalTag`` with a user's tag ``Team=red`` and a GetFederationToken session tag ``team=blue``: the
  session's value is read (a Deny on ``red`` does not apply), before and after the fix (pinned).
* Quotas: six threads creating five users each over a real server against a quota of 12: exactly 12 created, the
  rest ``LimitExceeded``, no 5xx, GetAccountSummary's ``Users`` 12 (pinned).  A name in another case answers
  ``EntityAlreadyExists`` before the quota; a rename (UpdateUser) leaves the count alone; CreateServiceLinkedRole
  counts against ``RolesPerAccount`` (an existing service-linked role's name too: the quota comes first, as
  documented); a deleted service-linked role frees its place once its deletion task ends; re-attaching a policy
  already attached is not counted again; a seed that would pass a quota is refused whole (seeds are
  all-or-nothing).
* ``aws:FederatedProvider`` cannot be forged: a session tag or request tag named ``aws:FederatedProvider`` is
  ``aws:PrincipalTag/...`` / ``aws:RequestTag/...``, never the key itself, and the token carries no
  ``federated_provider`` (pinned); chained sessions, GetSessionToken, GetFederationToken and SAML sessions never
  carry it; GetScopedCredentials keeps it (the same session); an OIDC provider's condition keys are
  ``<url>:<claim>`` for fixed claim names, so no provider URL spells a global key.
* GetWebIdentityToken's claims: tags with ``:``, ``/``, ``=``, ``+``, ``@`` and non-ASCII letters encode as JSON
  strings; a root caller's token has no ``original_session_exp`` or ``principal_tags``.
* The HTTP server (h11): ``Content-Length`` with ``Transfer-Encoding`` (400), ``Transfer-Encoding`` other than
  chunked (501), a space before a header's colon, a chunk size of 100 hex digits, a 400-digit
  ``Content-Length``, HTTP/0.9 and the HTTP/2 preface are refused and the connection closed; a repeated identical
  ``Content-Length`` (or ``5, 5``) and chunk extensions are read as one body; a HEAD answer carries no body, so the
  next pipelined answer is read whole (pinned); an absolute-form target names the ``Host``, so
  ``GET http://evil.example/_mockrunner/state`` is the admin API's 403; ``Host: localhost, evil`` is 400.
* Deep nesting: 200,000 levels of JSON in an ECR (JSON 1.1) or App Runner (JSON 1.0) body is
  ``SerializationException`` (pinned), in an admin body (``/state``, ``/seed``, ``/oidc/token``, ``/oidc/jwks``,
  ``/saml/assertion``) ``MalformedJSON``; as deep as each field's length allows (5,000 to 60,000 levels) in a
  repository, registry or lifecycle policy, a manifest, an IAM or STS policy document, each answers its own 400
  within 0.15 s.
* The admin API over a real server: ``Host`` ``localhost.``, ``LOCALHOST``, ``[::1]``, ``[::ffff:127.0.0.1]:1``
  answer; ``evil.example``, ``127.0.0.1.nip.io``, ``2130706433``, an ``Origin`` with user-info
  (``http://localhost@evil.example``), another host, ``null``, and ``Sec-Fetch-Site: cross-site`` are 403.
* Query bodies: a list index far past the others (``Tags.member.100000000.Key``) ends the list where the indices
  stop, and more fields than the query reader takes is ``MalformedQueryString`` before parsing.

Left as they are (docs/behaviour.md, "Hostile input: twenty-eighth pass"): JWTPayloadSizeExceededException is never
answered (STS's bound on a token's payload is not public); a state saved under a raised quota of instance profiles,
server certificates or managed policies per user or role does not load under a lower one.
"""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import replace

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.iam.helpers import ACCOUNT, allow, aws_error, error_of, user_with_key
from tests.robustness import wire

AWS_CLAIMS = "https://sts.amazonaws.com/"
TOKEN_REQUEST = {"Audience": ["https://api.example.com"], "SigningAlgorithm": "RS256"}


def _doc(*statements: dict) -> str:
    """A policy document with non-ASCII characters written as themselves (not ``\\u`` escapes)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, ensure_ascii=False)


def _claims(sts, **extra) -> dict:
    return jwt.decode(sts.get_web_identity_token(**TOKEN_REQUEST, **extra)["WebIdentityToken"],
                      options={"verify_signature": False})


def _assumable(aws, name: str, tags: dict[str, str], policy: str) -> None:
    """Role ``name`` with ``tags`` and an inline ``policy``, trusting the account to assume and tag sessions."""
    iam = aws.client("iam")
    trust = _doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                  "Action": ["sts:AssumeRole", "sts:TagSession"]})
    iam.create_role(RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
                    AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy)


def _assumer(aws) -> object:
    """An STS client of a user allowed to assume and tag any role."""
    key = user_with_key(aws, "assumer")
    aws.client("iam").put_user_policy(UserName="assumer", PolicyName="p",
                                      PolicyDocument=_doc(allow(["sts:AssumeRole", "sts:TagSession"])))
    return aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])


# ------------------------------------------------------------------------------------ principal tags, any case
def test_a_session_tag_replaces_the_role_tag_of_the_same_key_in_any_case(aws):
    """AssumeRole's reference: a role tagged Department=Marketing, the session tag department=engineering: "the
    session tag passed in the request takes precedence over the role tag".  Both were kept: the Allow below matched
    (the later key wins in evaluation), but the token named the role's overridden value beside the session's."""
    aws.client("iam").enable_outbound_web_identity_federation()
    _assumable(aws, "abac", {"Department": "Marketing"}, _doc(
        allow("ecr:DescribeRepositories", Condition={"StringEquals": {"aws:PrincipalTag/department": "engineering"}}),
        allow("sts:GetWebIdentityToken")))
    session = _assumer(aws).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/abac", RoleSessionName="job",
                                        Tags=[{"Key": "department", "Value": "engineering"}])["Credentials"]
    assert aws.client_for(session, "ecr").describe_repositories()["repositories"] == []
    assert _claims(aws.client_for(session, "sts"))[AWS_CLAIMS]["principal_tags"] == {"department": "engineering"}


def test_a_federation_token_tag_replaces_the_users_tag_of_the_same_key_in_any_case(aws):
    """GetFederationToken's session tags over the user's tags, the same rule: a Deny on the user's overridden value
    does not apply, an Allow on the session's value does (held before the fix too)."""
    iam = aws.client("iam")
    key = user_with_key(aws, "broker", tags={"Team": "red"})
    iam.put_user_policy(UserName="broker", PolicyName="p", PolicyDocument=_doc(
        allow(["sts:GetFederationToken", "sts:TagSession", "ecr:DescribeRepositories"]),
        {"Effect": "Deny", "Action": "ecr:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}))
    federated = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_federation_token(
        Name="visitor", Policy=_doc(allow("ecr:DescribeRepositories")),
        Tags=[{"Key": "team", "Value": "blue"}])["Credentials"]
    assert aws.client_for(federated, "ecr").describe_repositories()["repositories"] == []


# ------------------------------------------------------------------------------------ policy sizes
@pytest.mark.parametrize("padding", ["\xa0", "\x85"])
def test_policy_sizes_leave_only_json_whitespace_uncounted(aws, padding):
    """5,000 no-break spaces (or NELs) in a condition value passed every size quota as if they were whitespace."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    padded = "x" + padding * 5000
    condition = {"StringEquals": {"aws:username": padded}}
    trust = _doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
                  "Condition": condition})
    assert error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument=trust) == (
        "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
    assert error_of(iam.put_user_policy, UserName="u", PolicyName="p",
                    PolicyDocument=_doc(allow("s3:GetObject", Condition=condition)))[0] == "LimitExceeded"
    assert error_of(iam.create_policy, PolicyName="p", PolicyDocument=_doc(allow(
        "s3:GetObject", Condition={"StringEquals": {"aws:username": "x" + padding * 7000}}))) == (
        "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
    assert iam.get_account_summary()["SummaryMap"]["Roles"] == 0
    # JSON's own whitespace is still not counted: 5,000 spaces and newlines between the tokens pass
    spaced = _doc(allow("s3:GetObject")).replace(", ", "," + " \n\t\r" * 1250)
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=spaced)


# ------------------------------------------------------------------------------------ GetWebIdentityToken
@pytest.mark.parametrize("keys", [("env", "ENV"), ("env", "env")])
def test_web_identity_token_tags_naming_one_key_twice_are_refused(aws, keys):
    iam = aws.client("iam")
    iam.enable_outbound_web_identity_federation()
    key = user_with_key(aws, "ci")
    iam.put_user_policy(UserName="ci", PolicyName="p", PolicyDocument=_doc(allow(["sts:GetWebIdentityToken",
                                                                                 "sts:TagGetWebIdentityToken"])))
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    tags = [{"Key": keys[0], "Value": "prod"}, {"Key": keys[1], "Value": "dev"}]
    with pytest.raises(ClientError) as excinfo:
        sts.get_web_identity_token(**TOKEN_REQUEST, Tags=tags)
    assert aws_error(excinfo) == ("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys "
                                  "are case insensitive.", 400)
    assert _claims(sts, Tags=tags[:1])[AWS_CLAIMS]["request_tags"] == {keys[0]: "prod"}


def test_no_tag_spells_the_federated_provider_key(aws):
    """A session tag and a request tag named ``aws:FederatedProvider`` are principal and request tags: a policy
    wanting the key present still refuses, and the token names no provider."""
    aws.client("iam").enable_outbound_web_identity_federation()
    _assumable(aws, "plain", {}, _doc(
        allow("ecr:DescribeRepositories", Condition={"Null": {"aws:FederatedProvider": "false"}}),
        allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"])))
    forged = [{"Key": "aws:FederatedProvider", "Value": "token.actions.githubusercontent.com"}]
    session = _assumer(aws).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/plain", RoleSessionName="job",
                                        Tags=forged)["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(session, "ecr").describe_repositories()
    assert aws_error(excinfo)[0] == "AccessDeniedException"
    claims = _claims(aws.client_for(session, "sts"), Tags=forged)[AWS_CLAIMS]
    assert "federated_provider" not in claims
    assert claims["principal_tags"] == claims["request_tags"] == {"aws:FederatedProvider":
                                                                  "token.actions.githubusercontent.com"}


# ------------------------------------------------------------------------------------ quotas against racing clients
def test_racing_creates_over_http_stop_at_the_quota(server):
    server.store.settings.quotas = replace(server.store.settings.quotas, iam_max_users=12)
    outcomes: list[str] = []
    lock = threading.Lock()

    def create(worker: int) -> None:
        iam = server.client("iam")
        for number in range(5):
            try:
                iam.create_user(UserName=f"w{worker}-{number}")
                outcome = "created"
            except ClientError as error:
                outcome = f"{error.response['Error']['Code']} {error.response['ResponseMetadata']['HTTPStatusCode']}"
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=create, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(set(outcomes)) == ["LimitExceeded 409", "created"]
    assert outcomes.count("created") == 12 and len(outcomes) == 30
    iam = server.client("iam")
    assert iam.get_account_summary()["SummaryMap"]["Users"] == len(iam.list_users()["Users"]) == 12


# ------------------------------------------------------------------------------------ the wire
def test_a_head_answer_carries_no_body_so_the_next_pipelined_answer_is_whole(server):
    host, port = server.endpoint_url.removeprefix("http://").split(":")
    request = b"HEAD /_mockrunner/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
    follow = b"GET /_mockrunner/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request + follow)
        received = b""
        for _ in range(100):  # bounded: the server closes after the second answer
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
    head, second = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200")
    assert json.loads(second.split(b"\r\n\r\n", 1)[1])["status"] == "ok"


@pytest.mark.parametrize("service, operation", [("ecr", "DescribeRepositories"), ("apprunner", "ListServices")])
def test_deeply_nested_json_bodies_are_serialization_errors(service, operation):
    harness = Harness("inprocess")
    try:
        depth = 200_000
        body = ('{"a":' * depth + "1" + "}" * depth).encode()
        reply = wire.send(harness.app, wire.model(service).operation_model(operation), body)
        assert reply.status == 400 and reply.code == "SerializationException"
    finally:
        harness.close()


# ------------------------------------------------------------------------------------ admin bodies in UTF-16
def _admin_raw(aws, method: str, path: str, body: bytes) -> tuple[int, dict]:
    """An admin call with a body sent as given: the real server, or werkzeug's client in-process."""
    headers = {"Content-Type": "application/json"}
    if aws.server is not None:
        response = requests.request(method, f"{aws.endpoint_url}/_mockrunner{path}", data=body, headers=headers,
                                    timeout=30)
        return response.status_code, response.json()
    response = aws.app.test_client().open(f"/_mockrunner{path}", method=method, data=body, headers=headers)
    return response.status_code, response.json


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32-le"])
def test_admin_bodies_in_utf16_or_utf32_are_held_to_unicode_text_too(aws, encoding):
    """JSON bodies are read in UTF-8, UTF-16 or UTF-32 (json.loads tells them by their first bytes), but the check
    for half a surrogate pair looked for its UTF-8 spellings only: a UTF-16 seed holding a ``\\ud800`` escape in a
    user name reached the seed's validation, which answered 500 with a traceback."""
    for path, text in (("/seed", '{"users": [{"name": "a\\ud800"}]}'),
                       ("/saml/assertion", '{"issuer": "https://idp.example", "subject": "a\\ud800b"}')):
        status, answer = _admin_raw(aws, "POST", path, text.encode(encoding))
        assert (status, answer["error"]) == (400, "MalformedJSON"), (path, answer)
        assert "half a UTF-16 surrogate pair" in answer["message"]
    status, answer = _admin_raw(aws, "POST", "/seed", '{"users": [{"name": "ana"}]}'.encode(encoding))
    assert status == 200, answer
    assert [user["UserName"] for user in aws.client("iam").list_users()["Users"]] == ["ana"]
