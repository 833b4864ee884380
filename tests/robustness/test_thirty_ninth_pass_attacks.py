"""An attacker's thirty-ninth pass: this session's changes (``aws:UserAgent`` and ``aws:referer`` in every request
context, memos bounded by weight, registry tokens signed with the server's key, the registry upload-lock
refusals, ``+`` in a signed query, seed images' digests and media types).  Real clients: boto3 in both modes
(``aws``), raw HTTP where the wire matters, the admin API and the dashboard where records are the output.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a request denied by a Deny on ``aws:UserAgent`` matching   **fixed (medium).** The decision log keeps 1,024
past the first 1,024 characters, then its least-privilege  characters of the header (then ``... (<n> characters)``);
suggestion, and its decision page                          the suggestion's proof, the page's "Decision now" and the
                                                           fix's "also needed" replay the record, so they evaluated
                                                           the cut value: the proof counted the request as allowed
                                                           by the suggestion (it is still explicitly denied) and the
                                                           page said "Decision now: allowed".  A record holding a
                                                           cut header is now listed uncovered (why: its header was
                                                           cut), its "Decision now" and layer verdicts are
                                                           ``unknown (...)`` and its "also needed" not complete.
``<state file>.blobs/signing-key`` a directory (cannot be  **fixed (low).** Registry tokens are signed with it now:
read nor replaced), then GetAuthorizationToken and         every GetAuthorizationToken and ``/v2/`` request was a
``/v2/`` with a token issued before                        500.  The process takes a key of its own: its tokens
                                                           work, earlier ones are refused (401).
a seed image with ``size`` -5 or 2**63, or a ``manifest``  **fixed (low).** Applied, then every saved state failed
of 0 or over 4,194,304 characters                          to load (the range checks of a state file).  Refused now
                                                           (400, nothing applied), as session 20 did for the digest
                                                           and media type.
=========================================================  ==========================================================

Probed and held:

* ``User-Agent``/``Referer`` over the real HTTP server (raw ``http.client``): latin-1 bytes (``caf\\xe9``), UTF-8
  bytes (read as latin-1, as WSGI says), empty (present, matches nothing), sent twice (joined with ``,``: a Deny on
  either value applies; the order does not let one hide the other), an obs-fold continuation line, control
  characters, 64 KiB, exactly 1,024 (recorded whole) and 1,025 (recorded cut), ``${aws:username}`` (a value, never
  a policy variable), HTML (escaped on the dashboard's list, rows and decision pages): no 500, the decisions as a
  fresh evaluation's; the decision pages and the suggestion render.  A NUL in a header is refused by the HTTP
  server itself (400) before the app.
* The registry's ``/v2/`` requests carry both keys (a Deny on the user agent refuses a manifest pull, one on the
  referer a blob's redirect); the download URL a blob redirects to is signed, not authorized by IAM.  The simulator
  and GetContextKeysForCustomPolicy read them from the caller's input only (``MissingContextValues`` lists them).
* ``WeighedCache`` under 8 threads for at most 3 s (shared parts, a value heavier than the budget, versions racing):
  every answer is its own key's and version's, the held weight equals the kept values' distinct parts, both bounds
  hold.  ``SharedMemos`` and the Caller's weak reference to its compiled principal were read: an answer is only
  ever found under the IAM version it was compiled at.
* ``+`` in a signed query: botocore's presigned GET URLs for IAM ListUsers with ``PathPrefix`` ``/x+y/``, ``/x y/``
  (also re-sent with ``+`` for ``%20``) and ``/x%2By/`` verify; the AWS CLI creates and lists user ``c+d`` under
  path ``/p+q/``.
* Registry tokens across a restart with the state file: taken (200); the key file missing or short: refused (401).
* No ``User-Agent`` header at all (raw ``http.client``): the key is absent, and a ``StringNotLike`` Deny on it
  (every client but the approved one) still refuses the request (a negated operator matches a missing key).
* The least-privilege suggestion never pins ``aws:UserAgent``/``aws:referer`` into a generated statement (the
  only context keys it pins are the calling service's and a federated user's claims).
"""
from __future__ import annotations

import re

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner.auth.authorizer import RECORDED_HEADER_CHARACTERS
from tests.dashboard.test_pages import page
from tests.iam.helpers import allow, doc, user_with_key
from tests.iam.test_user_agent_and_referer_keys import _allowed

DENY_TOOL = doc(allow("iam:ListUsers"), {
    "Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*",
    "Condition": {"StringLike": {"aws:UserAgent": "*blocked-tool/*"}}})
LONG_BLOCKED = "x" * (2 * RECORDED_HEADER_CHARACTERS) + " blocked-tool/1"


def _client(aws, key: dict, agent: str):
    return aws.client_for(key, "iam", config=Config(user_agent_extra=agent, retries={"total_max_attempts": 1}))


def _page(aws, path: str) -> tuple[int, str]:
    """``(status, text)`` of a dashboard page, its tags removed and its white space collapsed."""
    status, html = page(aws, path)
    return status, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _denied_long(aws) -> tuple[dict, int]:
    """A user whose Deny on its user agent matches past what records keep; its denied request's decision id."""
    key = user_with_key(aws, "long", inline={"p": DENY_TOOL})
    with pytest.raises(ClientError) as denied:
        _client(aws, key, LONG_BLOCKED).list_users()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    [entry] = [entry for entry in aws.store.decision_log if entry["action"] == "iam:ListUsers"]
    assert entry["decision"] == "explicitDeny" and "blocked-tool" not in entry["context"]["aws:UserAgent"]
    return key, entry["id"]


def test_the_proof_never_counts_a_request_recorded_with_a_cut_user_agent_as_covered(aws):
    _, decision_id = _denied_long(aws)
    status, answer = aws.admin("GET", "/policies/suggest?principal=arn:aws:iam::123456789012:user/long")
    assert status == 200, answer
    [uncovered] = [u for u in answer["proof"]["uncovered"] if u["id"] == decision_id]
    assert "aws:UserAgent" in uncovered["why"] and "1,024" in uncovered["why"]
    assert answer["proof"]["allAllowed"] is False
    for policy in answer["policies"]:
        assert "aws:UserAgent" not in str(policy["document"]).replace("aws:useragent", "aws:UserAgent")


def test_the_decision_page_does_not_say_a_request_recorded_with_a_cut_user_agent_is_allowed_now(aws):
    _, decision_id = _denied_long(aws)
    status, text = _page(aws, f"/decisions/{decision_id}")
    assert status == 200
    now = text.split("Decision now", 1)[1].split("(the same request", 1)[0].strip()
    assert now.startswith("unknown"), now
    identity = text.split("Identity-based policies", 2)[-1].strip()
    assert identity.startswith("Unknown (Allow with the recorded, cut,"), identity[:80]


def test_a_signing_key_file_that_cannot_be_read_refuses_old_registry_tokens_and_serves_new_ones(tmp_path) -> None:
    """Registry tokens are signed with the blob store's key now; its ``signing-key`` file unreadable (here a
    directory) made every GetAuthorizationToken and every ``/v2/`` request a 500 (it only broke download URLs
    before).  The process takes a key of its own: its tokens work, the earlier ones are refused (401)."""
    from mockrunner.config import Settings
    from tests.harness import Harness
    from tests.registry.images import Registry, login_password

    settings = Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.json"))
    first = Harness("server", settings)
    first.client("ecr").create_repository(repositoryName="app")
    earlier = login_password(first.client("ecr"))
    assert Registry(first.endpoint_url, earlier).call("GET", "/v2/app/tags/list").status_code == 200
    first.round_trip = False
    first.close()
    key = tmp_path / "state.json.blobs" / "signing-key"
    key.unlink()
    key.mkdir()
    second = Harness("server", settings)
    second.round_trip = False
    try:
        refused = Registry(second.endpoint_url, earlier).call("GET", "/v2/app/tags/list")
        assert refused.status_code == 401, refused.text
        fresh = login_password(second.client("ecr"))
        assert Registry(second.endpoint_url, fresh).call("GET", "/v2/app/tags/list").status_code == 200
    finally:
        second.close()
    assert key.is_dir() and not (tmp_path / "state.json.blobs" / "signing-key.new").exists()


@pytest.mark.parametrize("image, field", [
    ({"digest": "sha256:" + "b" * 64, "size": -5}, "size"),
    ({"digest": "sha256:" + "b" * 64, "size": 2 ** 63}, "size"),
    ({"manifest": ""}, "manifest"),
    ({"manifest": {"schemaVersion": 2, "padding": "a" * (4 * 1024 * 1024)}}, "manifest"),
])
def test_a_seed_image_the_state_file_could_not_take_back_is_refused(aws, image: dict, field: str) -> None:
    """The seed checked an image's digest and media type against what a state file takes back (session 20), not
    its size (0 to 2**63-1) nor its manifest (1 to 4,194,304 characters): such a seed was applied, then every save
    of the state wrote a file that no longer loaded.  Refused now, nothing applied."""
    status, answer = aws.admin("POST", "/seed", {"ecr": {"repositories": [{"name": "app", "images": [image]}]}})
    assert status == 400, answer
    assert f"images[0].{field}:" in answer["message"], answer
    assert aws.client("ecr").describe_repositories()["repositories"] == []


def test_the_fix_for_a_request_recorded_with_a_cut_user_agent_does_not_claim_to_be_complete(aws):
    """The fix's further layers come from a replay of the record; with the user agent cut, a boundary or a Deny on
    it may decide otherwise than it did, so "also needed" is not said complete."""
    key = user_with_key(aws, "bare", inline={"p": doc(allow("iam:GetUser"))})
    with pytest.raises(ClientError):
        _client(aws, key, LONG_BLOCKED).list_users()
    [entry] = [entry for entry in aws.store.decision_log if entry["action"] == "iam:ListUsers"]
    status, fix = aws.admin("GET", f"/policies/suggest?decision={entry['id']}")
    assert status == 200, fix
    assert fix["where"] and fix["statement"]["Action"] == "iam:ListUsers"
    assert fix["alsoNeededComplete"] is False


def test_leaving_the_user_agent_out_does_not_escape_a_deny_on_it(server) -> None:
    """Held: a request sent without a ``User-Agent`` header has no ``aws:UserAgent`` (behaviour.md), and a
    ``StringNotLike`` Deny (every client but the approved one) still applies to it: a negated operator matches a
    key the request lacks, as in AWS."""
    import http.client

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = user_with_key(server, "approved-only", inline={"p": doc(allow("iam:ListUsers"), {
        "Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"StringNotLike": {"aws:UserAgent": "*approved-ci/*"}}})})
    assert _allowed(_client(server, key, "approved-ci/1")) is True
    assert _allowed(_client(server, key, "other/1")) is False
    body = "Action=ListUsers&Version=2010-05-08"
    request = AWSRequest("POST", server.endpoint_url + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "iam", "us-east-1").add_auth(request)
    host = server.endpoint_url.split("//", 1)[1]
    connection = http.client.HTTPConnection(host, timeout=30)  # sends no User-Agent of its own
    try:
        connection.request("POST", "/", body=body, headers=dict(request.headers))
        reply = connection.getresponse()
        status, text = reply.status, reply.read().decode()
    finally:
        connection.close()
    assert status == 403 and "<Code>AccessDenied</Code>" in text, text
    [logged] = [entry["context"] for entry in server.store.decision_log
                if entry["action"] == "iam:ListUsers"][-1:]
    assert "aws:UserAgent" not in logged


