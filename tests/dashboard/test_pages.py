"""The dashboard's pages over both ways in (real HTTP, and the WSGI app in-process): content, filters,
pagination, the live rows endpoint, explanations, escaping, and the admin API's access rules."""
from __future__ import annotations

import html as markup
import json
import re
from urllib.parse import unquote

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.app import create_app
from mockrunner.config import Settings
from tests.apprunner.helpers import running
from tests.ecr.pushing import image_manifest, put_image
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
    response = harness.app.test_client().get(f"/_mockrunner/ui{path}", query_string=params or None)
    return response.status_code, response.get_data(as_text=True)


def call(harness, method: str, path: str, under: str = "/_mockrunner/ui") -> tuple[int, dict, str]:
    """Any method on a dashboard path (or one ``under`` another prefix): status, headers, body."""
    if harness.server is not None:
        response = requests.request(method, f"{harness.endpoint_url}{under}{path}", timeout=30)
        return response.status_code, dict(response.headers), response.text
    response = harness.app.test_client().open(f"{under}{path}", method=method)
    return response.status_code, dict(response.headers), response.get_data(as_text=True)


def _counts(html: str) -> list[str]:
    return re.findall(r'<span class="count">([^<]*)</span>', html)


def _link(html: str, rel: str, param: str) -> str | None:
    """The path and query of the first ``rel`` link of the list named ``param``, as a browser would follow it."""
    found = re.search(rf'rel="{rel}" href="/_mockrunner/ui([^"#]*)#{re.escape(param)}"', html)
    return markup.unescape(found.group(1)) if found else None


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
    assert status == 200 and json.loads(body) == {"html": json.loads(body)["html"], "last": newest[0], "count": 0,
                                                  "matching": 0}
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


def test_wrong_methods_and_missing_files_answer_the_dashboards_html_pages(aws_on) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "PROPFIND"):
        status, headers, html = call(aws_on, method, "/accounts")
        assert (status, headers["Allow"]) == (405, "GET, HEAD, OPTIONS") and headers["Content-Type"].startswith(
            "text/html"), (method, status, html[:200])
        assert "<h1>405 MethodNotAllowed</h1>" in html and f"takes GET, HEAD, OPTIONS, not {method}" in html
        assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == \
            "nosniff"
    status, headers, html = call(aws_on, "PUT", "/login")
    assert (status, headers["Allow"]) == (405, "GET, HEAD, OPTIONS, POST")
    assert call(aws_on, "POST", "/")[:2][0] == 405 and call(aws_on, "DELETE", "/decisions/7")[0] == 405
    assert call(aws_on, "POST", "/static/dashboard.css")[0] == 405
    status, headers, html = call(aws_on, "POST", "/no-such-page")
    assert status == 404 and "Allow" not in headers and "the dashboard has no page /no-such-page" in html
    status, headers, html = call(aws_on, "GET", "/static/no-such-file.css")
    assert (status, headers["Content-Type"].split(";")[0]) == (404, "text/html")
    assert "<h1>404 PageNotFound</h1>" in html and "/static/no-such-file.css" in html
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert call(aws_on, "HEAD", "/accounts")[0] == 200 and call(aws_on, "GET", "/static/dashboard.css")[0] == 200
    assert call(aws_on, "OPTIONS", "/accounts")[1]["Allow"] == "GET, HEAD, OPTIONS"  # not the catch-alls' methods
    status, headers, body = call(aws_on, "POST", "/no-such-endpoint", under="/_mockrunner")
    assert status == 404 and json.loads(body)["error"] == "UnknownAdminEndpoint"  # the admin API keeps its JSON


def test_iam_lists_are_paged_by_name_with_counts_and_links_each_list_its_own(aws_on) -> None:
    iam = aws_on.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for number in reversed(range(205)):
        iam.create_role(RoleName=f"Role-{number:03}", AssumeRolePolicyDocument=trust)
    iam.create_user(UserName="b-user")
    iam.create_user(UserName="a-user")
    iam.create_group(GroupName="team")
    for name in ("b-user", "a-user"):
        iam.add_user_to_group(GroupName="team", UserName=name)
    roles, users = f"roles-{ACCOUNT}", f"users-{ACCOUNT}"

    status, html = page(aws_on, "/accounts")
    assert status == 200 and _counts(html)[:3] == ["2 users", "1 group", "1–100 of 205 roles"]
    assert re.findall(r'id="role-([^"]+)"', html) == [f"Role-{number:03}" for number in range(100)]
    assert re.findall(r'id="user-([^"]+)"', html) == ["a-user", "b-user"] and "groups: team" in html
    assert _link(html, "prev", roles) is None and f'<h3 id="{roles}">Roles</h3>' in html
    assert 'aria-label="roles"' in html and "next 100 roles →" in html

    second = _link(html, "next", roles)
    status, html = page(aws_on, second)
    assert second == f"/accounts?{roles}=2" and "101–200 of 205 roles" in _counts(html)
    assert re.findall(r'id="role-([^"]+)"', html)[0] == "Role-100" and _link(html, "prev", roles) == "/accounts"
    status, html = page(aws_on, "/accounts", **{roles: "3", users: "7"})
    assert "201–205 of 205 roles" in _counts(html) and len(re.findall(r'id="role-', html)) == 5
    assert _link(html, "prev", roles) == f"/accounts?{users}=7&{roles}=2"  # the other list's place is kept
    assert "1–100 of 205 roles" in _counts(page(aws_on, "/accounts", **{roles: "x"})[1])
    assert "201–205 of 205 roles" in _counts(page(aws_on, "/accounts", **{roles: "99999"})[1])
    assert "1–100 of 205 roles" in _counts(page(aws_on, "/accounts", **{roles: "-1"})[1])


def test_ecr_pages_repositories_and_shows_the_newest_images_of_each(aws_on) -> None:
    ecr = aws_on.client("ecr")
    for number in range(101):
        ecr.create_repository(repositoryName=f"repo-{number:03}")
    for number in range(12):
        put_image(ecr, "repo-000", image_manifest(f"img{number}"), imageTag=f"v{number}")

    status, html = page(aws_on, "/ecr")
    assert status == 200 and _counts(html) == ["1–100 of 101 repositories", "1–100 of 101 repositories"]
    assert len(re.findall(r'data-repository="', html)) == 100 and 'data-repository="repo-100"' not in html
    first = html[html.index('data-repository="repo-000"'):html.index('data-repository="repo-001"')]
    assert re.findall(r"<td>(v\d+)</td>", first) == [f"v{number}" for number in range(11, 1, -1)]
    assert "The 10 newest of 12 images" in first
    status, html = page(aws_on, _link(html, "next", "repositories"))
    assert re.findall(r'data-repository="([^"]+)"', html) == ["repo-100"]

    arn = ecr.describe_repositories(repositoryNames=["repo-000"])["repositories"][0]["repositoryArn"]
    status, html = page(aws_on, "/ecr", repository=arn)
    assert status == 200 and "<h1>ECR repository repo-000</h1>" in html and _counts(html) == ["12 images"]
    assert re.findall(r"<td>(v\d+)</td>", html) == [f"v{number}" for number in range(11, -1, -1)]
    status, html = page(aws_on, "/ecr", repository=arn.replace("repo-000", "repo-nope"))
    assert status == 404 and "RepositoryNotFound" in html


def test_apprunner_shows_each_services_place_and_its_newest_operations(aws_on) -> None:
    apprunner = aws_on.client("apprunner")
    arn = running(apprunner, "web-app")
    for _ in range(22):
        apprunner.start_deployment(ServiceArn=arn)
        assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    status, html = page(aws_on, "/apprunner")
    assert status == 200 and _counts(html)[0] == "1 service" and f"{ACCOUNT} · us-east-1" in html
    assert html.count('<li class="op-') == 20 and "3 earlier operations not shown" in html


def test_only_principals_a_policy_can_be_suggested_for_get_a_suggestion_link(aws_on) -> None:
    """Newcomer pass (session 17): the overview and the *Least privilege* page linked every ARN in the log to its
    suggestion, root's too, and that link answered 400 "principal must be an IAM user, role or role session ARN"."""
    root = f"arn:aws:iam::{ACCOUNT}:root"
    ecr = aws_on.client("ecr", **user_keys(aws_on, "dev"))  # root's CreateUser and CreateAccessKey are logged
    with pytest.raises(ClientError):
        ecr.describe_repositories()
    for path in ("/", "/suggest"):
        status, html = page(aws_on, path)
        linked = {unquote(markup.unescape(found))
                  for found in re.findall(r'href="/_mockrunner/ui/suggest\?principal=([^"]+)"', html)}
        assert status == 200 and linked == {user_arn("dev")}, (path, linked)
        assert (root in html) == (path == "/")  # the overview still lists root with its decisions
        assert page(aws_on, "/suggest", principal=user_arn("dev"))[0] == 200
