"""Test harness: one fresh mockrunner per test, reached through real boto3 clients in either mode.

``inprocess``: the client's requests go through botocore's before-send hook into the WSGI app (no socket).
Its endpoint is a loopback discard address, so a request that escaped the hook would fail on this machine
instead of travelling anywhere.  ``server``: a real threaded HTTP server on a free loopback port.

At the end of every test the harness saves the state the test made and loads it into a fresh store, as a state
file would be (``round_trip``): whatever the API accepted must load again.  A test that plants state behind the
API's back (an unreadable policy, a foreign object) says so with ``harness.round_trip = False``.
"""
from __future__ import annotations

import json
import re
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import botocore.client
import botocore.hooks
import botocore.session
import requests
from botocore.config import Config

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.model.store import Store
from mockrunner.testing.inprocess import BeforeSendHook
from mockrunner.testing.server import ThreadedServer

MODES = ("inprocess", "server")
_BOTOCORE = botocore.session.get_session()
_BOTO3 = boto3.session.Session(botocore_session=_BOTOCORE)
"""One boto3 session for every client: each boto3 session registers its handlers on the botocore session it is
given, so one per client would add six to the shared session's events every time."""
_NO_RETRY = Config(retries={"total_max_attempts": 1})
_EMITTER = _BOTOCORE.get_component("event_emitter")
_CLIENT_CLASSES: dict[tuple[str, str], type] = {}
_make_client_class = botocore.client.ClientCreator._create_client_class


def _client_class(creator: botocore.client.ClientCreator, service_name: str, service_model: Any) -> type:
    """The client class of a service, made once for the harness's session (the class is methods named after the
    model's operations, each calling ``_make_api_call``, and holds no state; botocore makes it again for every
    client, a third of the ten milliseconds an IAM client takes to make, which the suite pays thousands of times).
    Clients of any other session are made as botocore makes them."""
    if creator._event_emitter is not _EMITTER:
        return _make_client_class(creator, service_name, service_model)
    key = (service_name, service_model.api_version)
    made = _CLIENT_CLASSES.get(key)
    if made is None:
        made = _CLIENT_CLASSES[key] = _make_client_class(creator, service_name, service_model)
    return made


botocore.client.ClientCreator._create_client_class = _client_class
_ALIASED_EVENT_NAMES: dict[str, str] = {}
"""Event names as botocore's alias table rewrites them, shared by the harness's clients.  Each client's emitter
starts with an empty cache of its own and works out every name it emits by trying each alias in turn (a client
making three in-process IAM calls took 15.3 ms with it, 11.2 ms with the shared cache); the rewrite is a function of
the name and the table alone."""


def _share_aliased_event_names(client: Any) -> None:
    """Give ``client``'s event aliaser the shared cache when it rewrites with botocore's own alias table."""
    events = client.meta.events
    if type(events) is botocore.hooks.EventAliaser and events._event_aliases == botocore.hooks.EVENT_ALIASES:
        events._alias_name_cache = _ALIASED_EVENT_NAMES


UNREACHABLE = "http://127.0.0.1:9"


OTHER_ACCOUNT = "210987654321"
"""The second account of the ``two_account_harness`` fixture (keys ``other-key`` / ``other-secret``)."""
AWS_CLI_V1 = str(Path(sys.executable).with_name("aws"))
"""The pip AWS CLI v1 of the test environment (a test dependency); ``aws`` on PATH may be another CLI."""


AUTHORIZATION_SENTENCE = re.compile(
    r"\. Go to https://us-east-1\.console\.aws\.amazon\.com/iam/home\?region=us-east-1#/authorization-details/"
    r"(?P<id>[0-9a-z]{25}) for complete details, or call the GetRequestAuthorizationDetails API with the following "
    r"authorization id: (?P=id)\Z")
"""The sentence IAM's Access Troubleshooter (Preview) ends a supported IAM denial with (the id twice, the same)."""


def without_authorization_id(message: str) -> str:
    """An IAM denial's message before its Access Troubleshooter sentence, which it must end with (asserted)."""
    found = AUTHORIZATION_SENTENCE.search(message)
    assert found is not None, f"no authorization id sentence at the end of {message!r}"
    return message[:found.start()]


def authorization_id(message: str) -> str:
    """The authorization id an IAM denial's message names (asserted to end with the sentence)."""
    found = AUTHORIZATION_SENTENCE.search(message)
    assert found is not None, f"no authorization id sentence at the end of {message!r}"
    return found.group("id")


class Harness:
    def __init__(self, mode: str, settings: Settings | None = None) -> None:
        self.mode = mode
        self.settings = settings or Settings(log_requests=False, operation_delay=0)
        self.app = create_app(self.settings)
        self.store = self.app.store
        self.server: ThreadedServer | None = None
        self.round_trip = True
        self._reused_clients: dict[tuple, Any] = {}
        self._handler = BeforeSendHook(lambda: self.app)
        if mode == "server":
            self.server = ThreadedServer(app=self.app).start()

    @property
    def endpoint_url(self) -> str:
        return self.server.endpoint_url if self.server else UNREACHABLE

    def client(self, service: str, access_key: str = "test", secret: str = "test", token: str | None = None,
               region: str = "us-east-1", **kwargs: Any) -> Any:
        client = _BOTO3.client(
            service, region_name=region, endpoint_url=self.endpoint_url, aws_access_key_id=access_key,
            aws_secret_access_key=secret, aws_session_token=token, config=kwargs.pop("config", _NO_RETRY),
            **kwargs,
        )
        _share_aliased_event_names(client)
        if self.server is None:
            self._handler.attach(client)
        return client

    def reused_client(self, service: str, **kwargs: Any) -> Any:
        """:meth:`client` made once per harness for the same arguments (a ``config`` counts as itself, not its
        values), for sweeps that make thousands of calls and only call the client: making one takes longer than
        most calls.  A test that changes a client (registers a handler on it) makes its own."""
        key = (service, frozenset(kwargs.items()))  # a Config hashes as itself
        made = self._reused_clients.get(key)
        if made is None:
            made = self._reused_clients[key] = self.client(service, **kwargs)
        return made

    def client_for(self, credentials: dict, service: str, **kwargs: Any) -> Any:
        """A client from a ``Credentials`` dict as STS or IAM CreateAccessKey return it."""
        return self.client(
            service, access_key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
            token=credentials.get("SessionToken"), **kwargs,
        )

    def admin(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        """``(status, JSON answer)`` of an admin API call (``path`` below ``/_mockrunner``), ``body`` sent as JSON
        text: over HTTP to the server, or through the app's Flask test client in-process."""
        data = None if body is None else json.dumps(body)
        if self.server is not None:
            response = requests.request(method, f"{self.endpoint_url}/_mockrunner{path}", data=data, timeout=30)
            return response.status_code, response.json()
        response = self.app.test_client().open(f"/_mockrunner{path}", method=method, data=data)
        return response.status_code, response.get_json()

    def close(self) -> None:
        """Stop the server; then (``round_trip``) check that the state the test made saves and loads again."""
        if self.server is not None:
            self.server.stop()
        if self.round_trip:
            document = json.loads(json.dumps(snapshot.export_state(self.store)))
            snapshot.import_state(Store(self.settings), document)


def saving_harness(mode: str, path: str) -> Harness:
    """A harness in ``mode`` saving to the state file ``path`` (not round-tripped at close: the file is the test's)."""
    harness = Harness(mode, Settings(log_requests=False, operation_delay=0, state_file=path))
    harness.round_trip = False
    return harness


def user_names(harness: Harness) -> list[str]:
    """The IAM user names of the harness's default account, sorted."""
    return sorted(user["UserName"] for user in harness.client("iam").list_users()["Users"])


def first_uses_at_once(load: Any, threads: int = 8) -> list[int]:
    """The identities of what ``load()`` returns to ``threads`` threads calling it at the same moment (a barrier
    starts them), each given 30 s: a lazily loaded table must be read once and shared."""
    start = threading.Barrier(threads)
    seen: list[int] = []

    def first_use() -> None:
        start.wait()
        seen.append(id(load()))

    running = [threading.Thread(target=first_use) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(30)
    return seen
