"""The dashboard's pages over both ways in (real HTTP, and the WSGI app in-process): content, filters,
pagination, the live rows endpoint, explanations, escaping, and the admin API's access rules."""
from __future__ import annotations

import json
import re

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.app import create_app
from mockrunner.config import Settings
from tests.harness import MODES
from tests.suggest.helpers import ACCOUNT, user_arn, user_keys

TOKEN = "dashboard-token-0123456789"


@pytest.fixture(params=MODES)
def aws_on(request, make_harness):
    return make_harness(request.param, Settings(log_requests=False, operation_delay=0))


def page(harness, path: str, **params) -> tuple[int, str]:
    if harness.server is not None:
        response = requests.get(f"{harness.endpoint_url}/_mockrunner/ui{path}", params=params, timeout=30)
        return response.status_code, response.text
    response = harness.app.test_client().get(f"/_mockrunner/ui{path}", query_string=params)
    return response.status_code, response.get_data(as_text=True)


def _total(html: str) -> int:
    return int(re.search(r'<span id="decision-total">(\d+)</span> matching', html).group(1))


def _section(html: str, layer: str) -> str:
    start = html.index(f'data-layer="{layer}"')
    end = html.find("<section", start)
    return html[start:end if end >= 0 else len(html)]


def _ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr class="decision-row" data-id="(\d+)"', html)]


def test_state_pages_show_policies_services_and_repositories_escaped(aws_on) -> None:
    iam = aws_on.client("iam")
    iam.create_user(UserName="dev")
    risky = {"Version": "2012-10-17", "Statement": [{"Sid": "Odd", "Effect": "Allow", "Action": "s3:GetObject",
                                                     "Resource": "arn:aws:s3:::a<script>b/*"}]}
    iam.put_user_policy(UserName="dev", PolicyName="reads", PolicyDocument=json.dumps(risky))
    aws_on.client("ecr").create_repository(repositoryName="web")
    status, html = page(aws_on, "/accounts")
    assert status == 200 and "inline: reads" in html and "&#34;Sid&#34;: &#34;Odd&#34;" in html
    assert "a&lt;script&gt;b/*" in html and "<script>b" not in html
    status, html = page(aws_on, "/ecr")
    assert status == 200 and 'data-repository="web"' in html and "No images." in html
    assert page(aws_on, "/apprunner") == (200, page(aws_on, "/apprunner")[1]) and "No App Runner" in \
        page(aws_on, "/apprunner")[1]


def test_decision_list_filters_paginates_and_streams_new_rows(aws_on) -> None:
    ecr = aws_on.client("ecr", **user_keys(aws_on, "dev"))
    for _ in range(55):
        with pytest.raises(ClientError):
            ecr.describe_repositories()
    status, html = page(aws_on, "/decisions", principal="user/dev", decision="denied", service="ecr")
    assert status == 200 and _total(html) == 55 and "page 1 of 2" in html
    newest = _ids(html)
    assert len(newest) == 50 and newest == sorted(newest, reverse=True)
    _, older = page(aws_on, "/decisions", principal="user/dev", decision="denied", service="ecr", page="2")
    assert len(_ids(older)) == 5 and max(_ids(older)) < min(newest)
    _, root_only = page(aws_on, "/decisions", principal=f"arn:aws:iam::{ACCOUNT}:root")
    assert _total(root_only) == 2  # CreateUser, CreateAccessKey: nothing of dev's
    assert _total(page(aws_on, "/decisions", action="iam:Create*")[1]) == 2
    assert _total(page(aws_on, "/decisions", service="iam", decision="denied")[1]) == 0

    status, body = page(aws_on, "/decisions/rows", after=str(newest[0]), principal="dev")
    assert status == 200 and json.loads(body) == {"html": json.loads(body)["html"], "last": newest[0], "count": 0}
    with pytest.raises(ClientError):
        ecr.create_repository(repositoryName="web")
    fresh = json.loads(page(aws_on, "/decisions/rows", after=str(newest[0]), principal="dev")[1])
    assert fresh["count"] == 1 and "ecr:CreateRepository" in fresh["html"] and fresh["last"] == newest[0] + 1
    other = json.loads(page(aws_on, "/decisions/rows", after=str(newest[0]), decision="allowed")[1])
    assert other["count"] == 0 and other["last"] == newest[0] + 1


def test_explanation_marks_the_determining_statement_and_each_layer(aws_on) -> None:
    iam = aws_on.client("iam")
    boundary = iam.create_policy(PolicyName="fence", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Logs", "Effect": "Allow", "Action": "logs:*", "Resource": "*"},
        {"Sid": "Repos", "Effect": "Allow", "Action": "ecr:CreateRepository", "Resource": "*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "ecr:DeleteRepository", "Resource": "*"}]}
    keys = user_keys(aws_on, "dev", boundary=boundary["Policy"]["Arn"], inline=policy)
    ecr = aws_on.client("ecr", **keys)
    ecr.create_repository(repositoryName="web")
    with pytest.raises(ClientError):
        ecr.delete_repository(repositoryName="web")
    _, listing = page(aws_on, "/decisions", principal="user/dev")
    deleted, created = _ids(listing)[:2]

    status, html = page(aws_on, f"/decisions/{created}")
    assert status == 200 and "decision-allowed" in html
    identity = _section(html, "identity")
    assert re.search(r'class="statement hit determining effect-allow"\s+data-index="1"', identity)
    assert re.search(r'class="statement effect-allow"\s+data-index="0"', identity)  # logs:* played no part
    assert re.search(r'data-layer="permissionsBoundary">\s*<h3>Permissions boundary <span class="verdict '
                     r'verdict-allow">Allow', html)

    status, html = page(aws_on, f"/decisions/{deleted}")
    assert re.search(r'data-layer="identity">\s*<h3>Identity-based policies <span class="verdict verdict-deny">Deny',
                     html)
    assert "explicitly denied" in html or "An explicit deny overrides every allow" in html
    assert f"{user_arn('dev')}#inline/inline</code> statement NoDelete" in html


def test_unknown_decision_and_bad_suggest_principal_are_clear_errors(aws_on) -> None:
    status, html = page(aws_on, "/decisions/424242")
    assert status == 404 and "no decision 424242" in html
    status, html = page(aws_on, "/suggest", principal="nobody")
    assert status == 400 and "IAM user, role or role session ARN" in html
    assert page(aws_on, "/decisions", page="x")[0] == 200


def test_dashboard_answers_only_whom_the_admin_api_answers() -> None:
    app = create_app(Settings(log_requests=False, operation_delay=0, admin_token=TOKEN))
    client = app.test_client()
    foreign = client.get("/_mockrunner/ui/", headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and "AdminForbidden" in foreign.get_data(as_text=True)
    remote = app.test_client()
    remote.environ_base["REMOTE_ADDR"] = "10.0.0.5"
    assert remote.get("/_mockrunner/ui/").status_code == 403
    login = client.get("/_mockrunner/ui/decisions")
    assert login.status_code == 401 and 'name="token"' in login.get_data(as_text=True)
    assert login.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/_mockrunner/ui/login", data={"token": "wrong"}).status_code == 401
    crossing = client.post("/_mockrunner/ui/login", data={"token": TOKEN}, headers={"Origin": "http://evil.example"})
    assert crossing.status_code == 403 and "Set-Cookie" not in crossing.headers
    accepted = client.post("/_mockrunner/ui/login", data={"token": TOKEN})
    cookie = accepted.headers["Set-Cookie"]
    assert accepted.status_code == 302 and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/_mockrunner/ui/decisions").status_code == 200  # the cookie now carries the token
    assert app.test_client().get("/_mockrunner/ui/", headers={"X-Mockrunner-Admin-Token": TOKEN}).status_code == 200
