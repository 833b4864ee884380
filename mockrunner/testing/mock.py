"""``mock_apprunner``: plain ``boto3.client("apprunner" | "iam" | "sts" | "ecr")`` calls reach mockrunner.

Usable like moto's ``mock_aws``: as a function decorator, a class decorator and a context manager.  While one
is active, every botocore client in the process (any thread) sends those four services' requests through the
in-process path (botocore ``before-send`` → the same request pipeline the server runs), and fake root
credentials are in the environment.  Requests for other services are left alone, so moto (or the real
AWS) answers them: ``with mock_aws(), mock_apprunner():`` mocks S3 with moto and App Runner with mockrunner.

How: when the first mock is entered (importing mockrunner, or loading its pytest plugin, changes nothing), one
process-wide ``before-send`` handler (:class:`mockrunner.testing.inprocess.BeforeSendHook`, the same hook the
test harness attaches per client) is registered once — appended to botocore's ``BUILTIN_HANDLERS`` (so every
session created later has it, ahead of moto's) and added to boto3's default session if that predates it.  It
answers from the innermost active mock, and returns ``None`` when no mock is active or the service is not one of
ours.  Each request runs once: the default session never gets a second copy of the handler, a request one
copy has answered is not run again by another, and no ``before-send`` handler after the one that answered is
called for our services (moto's, with ``mock_aws`` active too, ran every request again in moto's backends).
Entering therefore costs a few environment writes: boto3's default session is *not* rebuilt; only its cached
credentials are set aside so the fake ones take effect.
When the last active mock stops (whatever order the mocks stop in, e.g. on threads), the environment and the
default session's credentials are what they were before the first was entered; a default session created inside
resolves its credentials again (from the restored environment) instead of keeping the fake ones.
A mock that stops while others are active puts back the environment it found when it stops as the innermost
(in order, as moto's nested mocks do), and leaves it alone when it stops out of order.

Each ``mock_apprunner`` owns one store, emptied (and seeded) when it is entered.  Nested mocks behave like
moto's nested ``mock_aws``: a mock entered while another is active *shares* the outer one's state (no reset;
its own seeds are added), so ``@mock_apprunner`` on a test that also uses the ``mockrunner`` fixture sees the
fixture's data.

Interception cannot fall through to the network: besides the ``before-send`` handler, ``Endpoint._send`` (the
single place botocore hands a request to HTTP) is guarded, so a client the handler does not reach — one made
from a botocore session that predates the first mock — is still answered by the active mock rather than
sent to AWS.

moto's fake credentials (``FOOBARKEY`` / ``FOOBARSECRET``, which ``mock_aws`` puts in the environment) are an
extra root key of the default account, so ``mock_aws`` may be entered inside or outside ``mock_apprunner``.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import threading
import unittest
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from botocore.endpoint import Endpoint
from botocore.handlers import BUILTIN_HANDLERS, REGISTER_FIRST

from mockrunner.config import AccountKeys, Settings
from mockrunner.protocol import specs
from mockrunner.services import apprunner
from mockrunner.testing.first_answer import answered_by
from mockrunner.testing.inprocess import BeforeSendHook, call_app

_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
_REGION_VARIABLES = ("AWS_DEFAULT_REGION", "AWS_REGION")
_ACTIVE: list["MockAppRunner"] = []
_LOCK = threading.RLock()
_HANDLER_ID = "mockrunner-before-send"
MOTO_CREDENTIALS = ("FOOBARKEY", "FOOBARSECRET")
"""What moto's ``mock_aws`` puts in the environment (moto/core/models.py ``MockAWS._fake_creds``)."""
T = TypeVar("T")


def _innermost() -> "MockAppRunner | None":
    """The mock that answers now; one read of the list, so a concurrent stop cannot make it vanish midway."""
    active = _ACTIVE[-1:]
    return active[0] if active else None


def _innermost_app() -> Any:
    """The WSGI app of the mock that answers now, if any."""
    mock = _innermost() if _ACTIVE else None
    return mock.wsgi_app if mock is not None else None


_dispatch = BeforeSendHook(_innermost_app)
"""The process-wide before-send handler: the innermost active mock answers its services' requests."""


_ORIGINAL_SEND = Endpoint._send
_ORIGINAL_GET_RESPONSE = Endpoint._do_get_response


def _guarded_send(endpoint: Endpoint, request: Any) -> Any:
    """botocore's last step before HTTP: while a mock is active, our services are answered, never sent.

    botocore emits ``before-send`` to every handler and sends over HTTP only when none answered.  A client
    whose event emitter lacks our handler (its botocore session was created before the first mock was entered)
    would therefore reach the real AWS endpoint with fake keys; this guard answers it from the mock instead.
    """
    app = _innermost_app()
    if app is not None and endpoint._endpoint_prefix in specs.endpoint_prefixes():
        return call_app(app, request)
    return _ORIGINAL_SEND(endpoint, request)


def _answered_once(endpoint: Endpoint, request: Any, operation_model: Any, context: Any) -> Any:
    """botocore's ``_do_get_response``, whose ``before-send`` mockrunner answers, once, while a mock is active and
    the endpoint is one of ours (:mod:`mockrunner.testing.first_answer`).

    botocore calls *every* ``before-send`` handler and keeps the first answer: with moto's ``mock_aws`` active too,
    its handler (registered after ours) ran each request again in moto's backends, so a CreateUser was made twice
    and an operation moto lacks raised moto's own not-implemented error after mockrunner had answered; and a client
    made before the first mock was entered, which has moto's handler but not ours, was answered by moto.
    """
    if _innermost_app() is None or endpoint._endpoint_prefix not in specs.endpoint_prefixes():
        return _ORIGINAL_GET_RESPONSE(endpoint, request, operation_model, context)
    return _ORIGINAL_GET_RESPONSE(answered_by(endpoint, _dispatch), request, operation_model, context)


def _install() -> None:
    """Hook botocore once, when the first mock is entered (importing mockrunner changes nothing in botocore)."""
    if Endpoint._send is _guarded_send:
        return
    BUILTIN_HANDLERS.append(("before-send", _dispatch, REGISTER_FIRST))
    Endpoint._send = _guarded_send
    Endpoint._do_get_response = _answered_once


def _with_moto_credentials(settings: Settings) -> Settings:
    """Add moto's fake keys as a root key of the default account (unless some account already has them)."""
    if any(keys.access_key_id == MOTO_CREDENTIALS[0] for keys in settings.root_accounts):
        return settings
    moto = AccountKeys(settings.default_account, *MOTO_CREDENTIALS)
    return dataclasses.replace(settings, extra_accounts=(*settings.extra_accounts, moto))


def _register_on_default_session() -> None:
    """Make boto3's default session carry the handler exactly once.

    A session created after the first mock was entered already has it, from BUILTIN_HANDLERS (registered without an
    id); one created before has not.  Either way the handler ends up registered once, under ``_HANDLER_ID``.
    """
    import boto3

    session = boto3.DEFAULT_SESSION
    if session is None:
        return
    core = session._session
    if getattr(core, "_mockrunner_registered", False):
        return
    emitter = core.get_component("event_emitter")
    emitter.unregister("before-send", _dispatch)  # the BUILTIN_HANDLERS copy, if the session has one
    emitter.register_first("before-send", _dispatch, unique_id=_HANDLER_ID)
    core._mockrunner_registered = True



@dataclasses.dataclass(frozen=True)
class _Outside:
    """What the process had before the first of the active mocks was entered: put back when the last one stops,
    whichever order they stop in (threads may stop theirs out of order)."""

    environment: dict[str, str | None]
    session: Any
    """botocore session of boto3's default session then (or ``None``)."""
    credentials: Any

    @classmethod
    def take(cls) -> "_Outside":
        import boto3

        core = boto3.DEFAULT_SESSION._session if boto3.DEFAULT_SESSION is not None else None
        return cls({name: os.environ.get(name) for name in (*_CREDENTIAL_VARIABLES, *_REGION_VARIABLES)},
                   core, getattr(core, "_credentials", None))

    def restore(self) -> None:
        """The environment as it was; the default session's credentials as they were, and a default session made
        inside the mocks resolves its credentials again (they were the fake ones)."""
        import boto3

        for name, value in self.environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if self.session is not None:
            self.session._credentials = self.credentials
        current = boto3.DEFAULT_SESSION._session if boto3.DEFAULT_SESSION is not None else None
        if current is not None and current is not self.session:
            current._credentials = None


_SERVER_ONLY = {
    "state_file": "a state file is the server's (mockrunner serve --state-file, or create_app with the setting)",
    "seed_files": "give seed files or documents as seed=",
}
"""Settings only the server reads: a mock given one refuses it (taken, it was silently ignored)."""

_OUTSIDE: list[_Outside] = []
"""At most one entry, while any mock is active."""


class MockAppRunner:
    """One mocked world (store + settings); a decorator, class decorator and context manager.

    ``seed``: seed documents (dicts) or seed file paths applied each time the mock is entered.  Settings (or
    keyword overrides of :class:`Settings` fields) apply to a mock entered while no other is active; a nested
    mock shares the outer one's world and refuses settings that differ from it.
    """

    def __init__(self, settings: Settings | None = None, seed: Iterable[Any] | Any = (),
                 **overrides: Any) -> None:
        if settings is not None and overrides:
            raise TypeError("give either settings or keyword overrides, not both")
        self._explicit_settings = settings is not None or bool(overrides)
        own = settings or Settings(**{"log_requests": False, "operation_delay": 0, **overrides})
        for name, instead in _SERVER_ONLY.items():
            if getattr(own, name):
                raise ValueError(f"mock_apprunner keeps its world in memory and does not use {name}: {instead}")
        self._own_settings = _with_moto_credentials(own)
        self.seeds = _seed_list(seed)
        self._store = None
        self._wsgi = None
        self._outer: MockAppRunner | None = None
        self._depth = 0
        self._before: _Outside | None = None
        """The environment when this mock was entered: put back when it stops as the innermost of several."""

    # -- the world -----------------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._outer.settings if self._outer is not None else self._own_settings

    @property
    def store(self):
        if self._outer is not None:
            return self._outer.store
        if self._store is None:
            from mockrunner.model.store import Store

            self._store = Store(self._own_settings)
        return self._store

    @property
    def wsgi_app(self):
        if self._outer is not None:
            return self._outer.wsgi_app
        if self._wsgi is None:
            from mockrunner.app import MockrunnerApp

            self._wsgi = MockrunnerApp(self.store)
        return self._wsgi

    def reset(self) -> None:
        """Empty the store and apply the seeds again."""
        self.store.reset()
        self._seed_all()

    def _seed_all(self) -> None:
        """Apply this mock's seeds all-or-nothing: when one fails, the world holds none of them (a nested mock whose
        second seed failed left its first in the world it shares, though its start had failed)."""
        if not self.seeds:
            return
        from mockrunner.seed import all_or_nothing

        with all_or_nothing(self.store):
            for seed in self.seeds:
                self.seed(seed)

    def seed(self, seed: Any) -> dict[str, int]:
        """Apply a seed document (dict) or seed file (path) now."""
        from mockrunner.seed import apply_seed, apply_seed_file

        if isinstance(seed, dict):
            return apply_seed(self.store, seed)
        return apply_seed_file(self.store, os.fspath(seed))

    # -- activation ----------------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._depth > 0

    def start(self) -> "MockAppRunner":
        with _LOCK:
            self._depth += 1
            if self._depth == 1:
                try:
                    self._activate()
                except BaseException:  # a bad seed or settings: leave nothing half-started
                    self._depth, self._outer, self._before = 0, None, None
                    if not _ACTIVE and _OUTSIDE:
                        _OUTSIDE.pop().restore()  # taken by this start, the first of the active mocks
                    raise
        return self

    def _activate(self) -> None:
        """Join the active world or make a fresh one, hook botocore, then take the environment over."""
        outer = _innermost()
        if outer is not None:
            self._join(outer)
        else:
            self.wsgi_app  # noqa: B018 - build outside the request path
            self.reset()
        _install()
        _register_on_default_session()
        if not _ACTIVE:
            _OUTSIDE.append(_Outside.take())
        self._before = _Outside.take()
        self._patch_environment()
        _ACTIVE.append(self)

    def stop(self) -> None:
        with _LOCK:
            if self._depth == 0:
                raise RuntimeError("mock_apprunner stopped more often than started")
            self._depth -= 1
            if self._depth == 0:
                innermost = _ACTIVE[-1] is self
                _ACTIVE.remove(self)
                if not _ACTIVE:
                    _OUTSIDE.pop().restore()
                elif innermost and self._before is not None:
                    self._before.restore()  # stopped in order: what the enclosing block had (moto's nesting)
                self._outer, self._before = None, None

    def _join(self, outer: "MockAppRunner") -> None:
        """Nested like moto's ``mock_aws``: share the outer world (no reset), add this mock's seeds to it.

        The world is its owner's (the mock that made it), never a chain of mocks: a mock that stopped while one
        nested in it is still active, then started again, is back in its own world, which the nested one still
        shares (it joined this mock, and pointing this mock at it made each one's world the other's: a
        RecursionError on the first read of its settings, the mock left active and in no list)."""
        owner = outer._owner()
        if self._explicit_settings and self._own_settings != owner.settings:
            raise ValueError("a nested mock_apprunner shares the state and settings of the one already active; "
                             "give settings to the outermost mock only")
        self._outer = owner if owner is not self else None
        self._seed_all()

    def _owner(self) -> "MockAppRunner":
        """The mock whose store this one uses (itself when it made its own)."""
        return self._outer if self._outer is not None else self

    def __enter__(self) -> "MockAppRunner":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __call__(self, target: T) -> T:
        if inspect.isclass(target):
            return self._decorate_class(target)
        if not callable(target):
            raise TypeError("mock_apprunner decorates functions and classes")
        return self._decorate_function(target)

    def _decorate_function(self, function: Callable) -> Callable:
        """The function run inside the mock: a generator's or an async generator's body too (a pytest ``yield``
        fixture's), active from its first step to its end (a plain wrapper returned the generator at once and the
        body ran with no mock active, its requests sent to AWS)."""
        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return (yield from function(*args, **kwargs))

            return generator_wrapper
        if inspect.isasyncgenfunction(function):
            return self._decorate_async_generator(function)
        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await function(*args, **kwargs)

            return async_wrapper

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return wrapper

    def _decorate_async_generator(self, function: Callable) -> Callable:
        """An async generator function whose every step runs inside the mock (values sent and exceptions thrown in
        reach the body, as ``yield from`` does for a generator)."""

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                body = function(*args, **kwargs)
                try:
                    value = await body.__anext__()
                    while True:
                        try:
                            sent = yield value
                        except GeneratorExit:
                            raise
                        except BaseException as error:  # noqa: BLE001 - thrown in: the body decides
                            value = await body.athrow(error)
                        else:
                            value = await body.asend(sent)
                except StopAsyncIteration:
                    return
                finally:
                    await body.aclose()

        return wrapper

    def _decorate_class(self, cls: type) -> type:
        """Each test runs inside the mock together with its set-up and tear-down (state flows from set-up).

        unittest classes: ``setUp`` starts and ``tearDown`` stops.  pytest classes: ``setup_method`` and
        ``teardown_method`` likewise (added when the class has none).  Test methods are wrapped too, which
        only nests (no reset) inside an already started mock.
        """
        setup, teardown = (("setUp", "tearDown") if issubclass(cls, unittest.TestCase)
                           else ("setup_method", "teardown_method"))
        for name, value in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(value):
                setattr(cls, name, self._decorate_function(value))
        original_setup = getattr(cls, setup, None)
        original_teardown = getattr(cls, teardown, None)
        mock = self

        def set_up(instance: Any, method: Any = None) -> None:
            mock.start()
            try:
                if original_setup is not None:
                    original_setup(instance, *_optional_argument(original_setup, method))
            except BaseException:
                mock.stop()
                raise

        def tear_down(instance: Any, method: Any = None) -> None:
            try:
                if original_teardown is not None:
                    original_teardown(instance, *_optional_argument(original_teardown, method))
            finally:
                mock.stop()

        setattr(cls, setup, functools.wraps(original_setup)(set_up) if original_setup else set_up)
        setattr(cls, teardown, functools.wraps(original_teardown)(tear_down) if original_teardown else tear_down)
        return cls

    def _patch_environment(self) -> None:
        """Fake root credentials (and a default region if none is set) for code that relies on the chain."""
        import boto3

        for name in _CREDENTIAL_VARIABLES[2:]:
            os.environ.pop(name, None)
        os.environ["AWS_ACCESS_KEY_ID"] = self.settings.root_access_key_id
        os.environ["AWS_SECRET_ACCESS_KEY"] = self.settings.root_secret_access_key
        if not os.environ.get("AWS_DEFAULT_REGION"):  # botocore reads no AWS_REGION: a region there is none to it
            os.environ["AWS_DEFAULT_REGION"] = self.settings.default_region
        session = boto3.DEFAULT_SESSION
        if session is not None:
            session._session._credentials = None  # resolved again, from the fake environment, by the next client

    # -- helpers for tests ---------------------------------------------------------------------------------
    @property
    def decision_log(self) -> list[dict]:
        """The authorizer's decisions so far (oldest first)."""
        return list(self.store.decision_log)

    def decisions(self, principal: str | None = None, action: str | None = None,
                  decision: str | None = None) -> list[dict]:
        """Decision log entries filtered like ``GET /_mockrunner/decisions``."""
        from mockrunner.admin import filter_decisions

        return filter_decisions(self.store.decision_log.raw(), principal=principal, action=action,
                                decision=decision)

    def settle(self) -> int:
        """Complete every pending App Runner operation now; returns how many there were."""
        with self.store.lock:
            return apprunner.settle(self.store)

    def complete_handshake(self, connection_arn: str) -> None:
        """Make a PENDING_HANDSHAKE App Runner connection AVAILABLE (the console step a test cannot do)."""
        if not apprunner.complete_handshake(self.store, connection_arn):
            raise ValueError(f"no App Runner connection {connection_arn}")

    def oidc_token(self, issuer: str | None = None, claims: dict | None = None, expires_in: int = 3600,
                   algorithm: str = "RS256", github: dict | None = None) -> str:
        """A web identity token (JWT) signed by the built-in identity provider's key for ``issuer``, as
        ``POST /_mockrunner/oidc/token`` mints it: ``github={"repository": "org/repo", "ref": ..., "environment":
        ..., "event": ..., "workflow": ...}`` builds GitHub Actions' claims (issuer and audience included);
        ``claims`` are added last and win."""
        from mockrunner.oidc.tokens import mint

        request: dict[str, Any] = {"claims": claims or {}, "expiresIn": expires_in, "algorithm": algorithm}
        if issuer is not None:
            request["issuer"] = issuer
        if github is not None:
            request["github"] = github
        return mint(self.store, request)[0]

    def register_jwks(self, issuer: str, jwks: dict) -> None:
        """Trust ``jwks`` (public keys) for tokens whose ``iss`` is ``issuer`` (your own test identity provider)."""
        from mockrunner.oidc.keys import register_jwks

        register_jwks(self.store, issuer, jwks)

    def saml_metadata(self, issuer: str) -> str:
        """The metadata document (for ``CreateSAMLProvider``) of the built-in SAML IdP ``issuer`` (an entity id),
        its signing key and certificate generated on first use, as ``POST /_mockrunner/saml/metadata`` makes it."""
        from mockrunner.saml.idp import metadata

        return metadata(self.store, issuer)

    def saml_assertion(self, issuer: str, roles: list | None = None, session_name: str | None = "mockrunner",
                       subject: str = "mockrunner-user", **fields: Any) -> str:
        """A base64 SAML response signed by the built-in IdP ``issuer``, as ``POST /_mockrunner/saml/assertion``
        mints it: ``roles=[(role_arn, provider_arn)]``; other fields (``subjectType``, ``sessionDuration``,
        ``attributes``, ``tags``, ``transitiveTagKeys``, ``sourceIdentity``, ``expiresIn``, ``recipient``,
        ``audience``, ``sign``, ``encryptWith``) as that endpoint takes them."""
        from mockrunner.saml.idp import mint

        request: dict[str, Any] = {"issuer": issuer, "subject": subject,
                                   "roles": [list(pair) if isinstance(pair, tuple) else pair for pair in roles or []],
                                   **fields}
        if session_name is not None:
            request["sessionName"] = session_name
        return mint(self.store, request)

    def advance(self, seconds: float) -> Any:
        """Move the store clock forward (operations and sessions age without sleeping)."""
        return self.store.clock.advance(seconds)

    def client(self, service: str, **kwargs: Any) -> Any:
        """A client of the root session (``region_name`` defaults to the configured region)."""
        return self.session().client(service, **kwargs)

    def session(self, *, user: str | None = None, role: str | None = None, policies: Iterable[Any] = (),
                managed_policies: Iterable[str] = (), trust_policy: Any = None, account: str | None = None,
                session_name: str = "mockrunner", region: str | None = None) -> Any:
        """A boto3 session: root (no arguments), a new IAM user with ``policies``, or an assumed role.

        ``user="alice", policies=[doc, ...]`` creates the user, its inline policies (and attached
        ``managed_policies``) and an access key.  ``role="deployer", policies=[...]`` creates the role (trusting
        its account unless ``trust_policy`` says otherwise) and assumes it through STS from a helper user allowed
        ``sts:AssumeRole`` (AWS refuses role assumption by root); ``role="deployer"`` alone assumes an existing role
        as it is (policies or a trust policy for an existing role: ``ValueError``, as a second user of one name is
        IAM's ``EntityAlreadyExists``).
        """
        from mockrunner.testing import sessions

        return sessions.make_session(self.settings, user=user, role=role, policies=list(policies),
                                     managed_policies=list(managed_policies), trust_policy=trust_policy,
                                     account=account, session_name=session_name, region=region)


def _seed_list(seed: Iterable[Any] | Any) -> list:
    """``seed`` as a list of seeds: one document (a dict) or file (a path, as text or ``os.PathLike``), or any
    iterable of them (a list, a tuple, a set, a generator)."""
    if not seed:
        return []
    if isinstance(seed, (dict, str, bytes, os.PathLike)):
        return [seed]
    return list(seed)


def _optional_argument(function: Callable, method: Any) -> tuple:
    """pytest passes ``setup_method`` the test method only if it takes one; do the same for the original."""
    code = getattr(function, "__code__", None)
    return (method,) if code is not None and code.co_argcount > 1 else ()


def mock_apprunner(target: Any = None, /, **options: Any) -> Any:
    """``@mock_apprunner``, ``@mock_apprunner(seed=...)``, ``with mock_apprunner():`` (see module doc)."""
    if target is None:
        return MockAppRunner(**options)
    return MockAppRunner(**options)(target)
