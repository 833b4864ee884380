"""An attacker's forty-seventh pass.

Findings (each test failed before its fix):

- **Medium (takeover at a restart).** ``serve --state-file S --seed F``: a seed file's ``root_credentials`` are
  registered again at every restart (they are configuration, not state), but were not checked against the loaded
  state's keys.  A seed naming a user's access key id as a root key took that key over (requests signed with it
  acted as the account's root), and the state no longer exported into a server with these settings.  The server now
  refuses to start, naming the key.
- **Low (SigV4 fidelity).** A ``Date`` header (signing without ``X-Amz-Date``) in the asctime form or with zone
  ``-0000`` was read in the server's local time zone: correctly signed requests were "Signature expired" on a
  machine east of UTC (RFC 9110 5.6.7: an HTTP-date is GMT; RFC 5322 3.3: ``-0000`` is UTC).
- **Medium (browser attack, enforcement off).** With ``--enforce off`` any web page could act as root: a cross-site
  form or ``<img>`` created users, a DNS-rebinding page read secret keys.  A request carrying a browser's
  ``Origin``/``Sec-Fetch-*`` headers now passes the admin API's Host/Origin/Sec-Fetch-Site checks first.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import time
from email.utils import formatdate
from urllib.parse import urlsplit

import pytest
import requests

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.seed import SeedError
from tests.harness import MODES

USER_KEY = "AKIAUSERKEY000000001"


def _state_app(tmp_path, **settings):
    return create_app(Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.bin"),
                               **settings))


def test_a_seed_root_key_naming_a_user_key_of_the_state_stops_the_restart(tmp_path) -> None:
    first = _state_app(tmp_path)
    seeded = first.test_client().post("/_mockrunner/seed", json={"accounts": [{"id": "123456789012", "users": [
        {"name": "alice", "access_keys": [{"access_key_id": USER_KEY, "secret_access_key": "alice-secret"}]}]}]})
    assert seeded.status_code == 200, seeded.get_data(as_text=True)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": USER_KEY, "secret_access_key": "attacker"}}]}))
    with pytest.raises(SeedError, match=f"{USER_KEY}.*is also the access key id of a root key of the settings"):
        _state_app(tmp_path, seed_files=(str(seed),))
    seed.write_text(json.dumps({"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": "AKIAOTHERROOT0000001", "secret_access_key": "s"}}]}))
    again = _state_app(tmp_path, seed_files=(str(seed),))  # a root key of its own is fine
    assert "111122223333" in {keys.account_id for keys in again.store.settings.root_accounts}
    users = again.store.accounts["123456789012"].iam.users
    assert "alice" in users


def _send(harness, headers: dict, body: bytes = b"") -> tuple[int, str]:
    """POST ``body`` to ``/`` with exactly ``headers``, over HTTP or into the app."""
    if harness.mode == "server":
        answer = requests.post(harness.endpoint_url + "/", data=body, headers=headers, timeout=10)
        return answer.status_code, answer.text
    answer = harness.app.test_client().post("/", data=body, headers=headers)
    return answer.status_code, answer.get_data(as_text=True)


def _date_signed(host: str, date_header: str, now: datetime.datetime, body: bytes) -> dict:
    """SigV4 headers with the signing time in ``Date`` only (no ``X-Amz-Date``), as the SigV4 docs allow."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    values = {"content-type": "application/x-www-form-urlencoded", "date": date_header, "host": host}
    names = sorted(values)
    canonical = "POST\n/\n\n" + "".join(f"{name}:{values[name]}\n" for name in names) + "\n" + ";".join(names) \
        + "\n" + hashlib.sha256(body).hexdigest()
    scope = f"{day}/us-east-1/sts/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = b"AWS4test"
    for part in (day, "us-east-1", "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": values["content-type"], "Date": date_header, "Host": host,
            "Authorization": f"AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={';'.join(names)}, "
                             f"Signature={signature}"}


@pytest.fixture
def far_east_time_zone():
    """The process's local time 9 hours east of UTC (a developer's laptop in Tokyo), restored afterwards."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("aws", MODES, indirect=True)
@pytest.mark.parametrize("spelling", ["gmt", "minus-zero", "asctime"])
def test_a_date_header_without_a_zone_is_utc_whatever_the_servers_time_zone(aws, far_east_time_zone,
                                                                            spelling) -> None:
    """RFC 9110 5.6.7: an HTTP-date is GMT and recipients accept the asctime form; RFC 5322 3.3: "-0000" is UTC."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    date_header = {"gmt": formatdate(now.timestamp(), usegmt=True), "minus-zero": formatdate(now.timestamp()),
                   "asctime": now.strftime("%a %b %d %H:%M:%S %Y")}[spelling]
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    host = urlsplit(aws.endpoint_url).netloc
    status, text = _send(aws, _date_signed(host, date_header, now, body), body)
    assert status == 200, text
    assert "<Arn>arn:aws:iam::123456789012:root</Arn>" in text


CROSS_SITE_FORM = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
                   "Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("aws", MODES, indirect=True)
@pytest.mark.parametrize("headers", [
    pytest.param(CROSS_SITE_FORM, id="cross-site-form"),
    pytest.param({"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image",
                  "Content-Type": "application/x-www-form-urlencoded"}, id="image"),
    pytest.param({"Host": "rebind.evil.example", "Sec-Fetch-Site": "same-origin", "Origin": "http://rebind.evil.example",
                  "Content-Type": "application/x-www-form-urlencoded"}, id="dns-rebinding"),
])
def test_with_enforcement_off_web_pages_of_other_sites_do_not_act_as_root(aws, headers) -> None:
    """With enforcement off no signature is checked: a page the developer visits (a cross-site form or image, or a
    DNS-rebinding page reading the answers) must not create users or keys as root."""
    assert aws.admin("PUT", "/enforce", {"mode": "off"})[0] == 200
    status, text = _send(aws, headers, b"Action=CreateUser&Version=2010-05-08&UserName=planted")
    assert status == 403 and "<Code>MissingAuthenticationToken</Code>" in text, text
    assert "with enforcement off" in text
    assert "planted" not in aws.store.account("123456789012").iam.users
    # a page served from loopback (a local front end) and any SDK (no browser headers) still act as root
    local_page = {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site",
                  "Content-Type": "application/x-www-form-urlencoded"}
    assert _send(aws, local_page, b"Action=CreateUser&Version=2010-05-08&UserName=local")[0] == 200
    iam = aws.client("iam", access_key="anything", secret="unchecked")
    iam.create_user(UserName="sdk")
    assert {"local", "sdk"} <= set(aws.store.account("123456789012").iam.users)


@pytest.mark.parametrize("aws", MODES, indirect=True)
def test_with_enforcement_on_a_web_page_is_answered_as_aws_answers_it(aws) -> None:
    """Signed requests are AWS's to answer: the browser headers decide nothing while enforcement is on."""
    status, text = _send(aws, CROSS_SITE_FORM, b"Action=CreateUser&Version=2010-05-08&UserName=planted")
    assert status == 403 and "Request is missing Authentication Token" in text
