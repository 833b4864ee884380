"""Hostile state documents and seeds through the admin API over real HTTP: each is refused with a 400 naming the
problem, the state stays as it was, and the server keeps answering (a document could name the store's lock or
settings, move its clock past what a date holds, or plant values the code cannot compute with)."""
from __future__ import annotations

import json
import re

import pytest
import requests

from tests.harness import Harness


@pytest.fixture
def server():
    harness = Harness("server")
    iam = harness.client("iam")
    iam.create_user(UserName="alice")
    iam.create_role(RoleName="runner", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "tasks.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    yield harness
    harness.close()


def _exported(harness: Harness) -> str:
    response = requests.get(harness.endpoint_url + "/_mockrunner/state", timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def _in_state(text: str, extra: str) -> str:
    return text.replace('"accounts": {', extra + ', "accounts": {', 1)


HOSTILE = {
    "the store's lock": lambda text: _in_state(text, '"lock": 5'),
    "the store's settings": lambda text: _in_state(text, '"settings": {"$type": "mockrunner.config:Settings"}'),
    "clock offset 1e308": lambda text: re.sub(r'"clock_offset_seconds": [0-9.e+-]+', '"clock_offset_seconds": 1e308',
                                              text),
    "clock offset 10**30": lambda text: re.sub(r'"clock_offset_seconds": [0-9.e+-]+',
                                               '"clock_offset_seconds": 1' + "0" * 30, text),
    "clock offset NaN": lambda text: re.sub(r'"clock_offset_seconds": [0-9.e+-]+', '"clock_offset_seconds": NaN',
                                            text),
    "datetimes without a time zone": lambda text: re.sub(r'("\$datetime": "[^"]+?)\+00:00"', r'\1"', text),
    "a 4000-digit integer": lambda text: re.sub(r'"max_session_duration": \d+',
                                                '"max_session_duration": ' + "9" * 4000, text),
    "a timedelta no date can hold": lambda text: text.replace('"saml_keys": {}',
                                                              '"saml_keys": {"k": {"$timedelta": 1e300}}'),
    "state nested 900 deep": lambda text: text.replace('"saml_keys": {}', '"saml_keys": ' + "[" * 900 + "]" * 900),
    "the state named twice": lambda text: text[:-1] + ', "state": {"accounts": {}}}',
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_state_document_is_refused_and_changes_nothing(server, name):
    before = _exported(server)
    document = HOSTILE[name](before)
    assert document != before
    response = requests.put(server.endpoint_url + "/_mockrunner/state", data=document.encode(),
                            headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] in ("InvalidState", "MalformedJSON")
    assert json.loads(_exported(server))["state"] == json.loads(before)["state"]
    assert server.client("iam").get_user(UserName="alice")["User"]["UserName"] == "alice"


def test_a_state_without_the_configured_accounts_has_them_again_empty(server):
    document = {"format": "mockrunner-state", "version": 1, "clock_offset_seconds": 0, "state": {"accounts": {}}}
    response = requests.put(server.endpoint_url + "/_mockrunner/state", json=document, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["accounts"] == ["123456789012"]
    iam = server.client("iam")
    assert iam.list_users()["Users"] == []
    assert iam.get_user()["User"]["Arn"] == "arn:aws:iam::123456789012:root"


@pytest.mark.parametrize("body", [b'{"users": [], "users": [{"name": "x"}]}', b'{"users": [' + b"[" * 5000 + b"]" * 5000
                                  + b"]}", b'{"clock": NaN}'])
def test_an_ambiguous_or_unparsable_seed_is_malformed_json(server, body):
    response = requests.post(server.endpoint_url + "/_mockrunner/seed", data=body,
                             headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "MalformedJSON"
    assert [user["UserName"] for user in server.client("iam").list_users()["Users"]] == ["alice"]


def test_a_number_longer_than_python_reads_is_malformed_json_in_plain_words(server):
    body = b'{"users": [{"name": "x", "tags": {"n": ' + b"9" * 5000 + b"}}]}"
    for path in ("/_mockrunner/seed", "/_mockrunner/clock/advance"):
        response = requests.post(server.endpoint_url + path, data=body, headers={"Content-Type": "application/json"},
                                 timeout=30)
        assert response.status_code == 400, response.text[:300]
        assert response.json() == {"error": "MalformedJSON",
                                   "message": "the body is not valid JSON: a number has more than 4300 digits"}
    assert [user["UserName"] for user in server.client("iam").list_users()["Users"]] == ["alice"]
