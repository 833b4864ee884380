"""A hostile web page against the admin API and the dashboard over real HTTP: cross-origin "simple" requests and
DNS-rebinding Host headers are refused before anything changes, stored markup comes back escaped everywhere, and
every answer carries headers that keep browsers from sniffing, framing or running anything but the dashboard's own
script."""
from __future__ import annotations

import json
import socket

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.admin_access import BROWSER_HEADERS
from tests.harness import Harness

MARKUP = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def _raw(harness: Harness, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """One request with exactly these headers (requests would add its own Host)."""
    port = int(harness.endpoint_url.rsplit(":", 1)[1])
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\n{lines}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                     .encode("latin-1") + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example", "Content-Type": "text/plain"},
    {"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
    {"Origin": "null", "Content-Type": "text/plain"},
    {"Origin": "http://localhost:1@evil.example", "Content-Type": "text/plain"},
    {"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"},
    {"Host": "evil.example", "Content-Type": "text/plain"},
    {"Host": "127.0.0.1.nip.io", "Content-Type": "text/plain"},
    {"Host": "localhost.evil.example", "Content-Type": "text/plain"},
])
def test_cross_origin_and_rebinding_requests_change_nothing(server, headers):
    server.client("iam").create_user(UserName="kept")
    host = server.endpoint_url.removeprefix("http://")
    for path, body in (("/_mockrunner/reset", b""), ("/_mockrunner/clock/advance", b'{"seconds": 86400}'),
                       ("/_mockrunner/state", json.dumps({"accounts": {}}).encode())):
        status, answer = _raw(server, "POST", path, {"Host": host, **headers}, body)
        assert status == 403, answer
        assert b'"AdminForbidden"' in answer
    assert server.client("iam").get_user(UserName="kept")["User"]["UserName"] == "kept"


def test_stored_markup_is_escaped_on_every_dashboard_page(server):
    iam = server.client("iam")
    document = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + MARKUP,
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": MARKUP}}}]})
    iam.create_user(UserName="mallory")
    iam.put_user_policy(UserName="mallory", PolicyName="inline", PolicyDocument=document)
    iam.create_policy(PolicyName="managed", PolicyDocument=document, Description=MARKUP)
    trust = {"Effect": "Allow", "Principal": {"Service": "tasks.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceAccount": MARKUP}}}
    iam.create_role(RoleName="runner", Description=MARKUP, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [trust]}))
    key = iam.create_access_key(UserName="mallory")["AccessKey"]
    with pytest.raises(ClientError):
        server.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"]).list_users()
    server.client("ecr").create_repository(repositoryName="repo")
    server.client("ecr").set_repository_policy(repositoryName="repo", policyText=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
                                                "Condition": {"StringEquals": {"aws:UserAgent": MARKUP}}}]}))
    server.client("apprunner").create_service(ServiceName="web-app", SourceConfiguration={
        "AutoDeploymentsEnabled": False, "ImageRepository": {
            "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC",
            "ImageConfiguration": {"RuntimeEnvironmentVariables": {"GREETING": MARKUP}, "StartCommand": MARKUP}}})
    base = server.endpoint_url + "/_mockrunner/ui"
    decision_ids = [entry["id"] for entry in server.store.decision_log][-5:]
    paths = ["/", "/accounts", "/apprunner", "/ecr", "/decisions", "/decisions/rows?after=0",
             "/suggest?principal=arn:aws:iam::123456789012:user/mallory", "/decisions?principal=" + MARKUP,
             "/suggest?principal=" + MARKUP, *(f"/decisions/{number}" for number in decision_ids)]
    for path in paths:
        response = requests.get(base + path, timeout=10)
        assert response.status_code in (200, 400), (path, response.status_code)
        assert "<script>alert" not in response.text and "<img src=x" not in response.text, path
    assert "&lt;script&gt;alert(1)" in requests.get(base + "/accounts", timeout=10).text


def test_every_admin_and_dashboard_answer_carries_the_browser_headers(server):
    answers = [requests.get(server.endpoint_url + "/_mockrunner/health", timeout=10),
               requests.get(server.endpoint_url + "/_mockrunner/ui/", timeout=10),
               requests.get(server.endpoint_url + "/_mockrunner/nope", timeout=10),
               requests.post(server.endpoint_url + "/_mockrunner/reset", headers={"Origin": "http://evil.example"},
                             timeout=10)]
    assert [answer.status_code for answer in answers] == [200, 200, 404, 403]
    for answer in answers:
        for name, value in BROWSER_HEADERS.items():
            assert answer.headers.get(name) == value, (answer.url, name)
    assert "frame-ancestors 'none'" in answers[1].headers["Content-Security-Policy"]
    assert answers[0].headers["Content-Type"] == "application/json"
