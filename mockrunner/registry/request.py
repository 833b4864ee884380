"""One registry request: its parts, its body as a stream, who sent it, and the authorization of its actions.

Authentication is HTTP Basic with user ``AWS`` and a password ``GetAuthorizationToken`` issued
(:mod:`mockrunner.auth.registry_tokens`): no or unusable credentials get ECR's 401 with its ``Basic`` challenge,
an expired token ECR's 403.  The registry (account) and region are those the token was issued for, unless the
Host header names an ECR registry (``<account>.dkr.ecr.<region>.amazonaws.com``), as it does against AWS.

Each route names the ECR actions it needs; they are authorized exactly as the JSON API's repository operations
are (:func:`mockrunner.services.ecr.core._repository_check`: the repository ARN, its tags, its repository policy).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from mockrunner.auth import authorizer, registry_tokens
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import Repository
from mockrunner.numerals import is_decimal
from mockrunner.persistence import undoing_faults
from mockrunner.protocol import specs
from mockrunner.registry.errors import RegistryError, from_service_error, not_authorized, token_expired, wrong_region
from mockrunner.services.ecr import core as ecr
from mockrunner.services.ecr import images as ecr_images
from mockrunner.services.ecr import push as ecr_push
from mockrunner.services.registry import run_clock_hooks
from mockrunner.wsgi import BodyUnreadable

if TYPE_CHECKING:
    from mockrunner.auth.check import Check
    from mockrunner.model.store import Store
    from mockrunner.persistence import StateFile

READ_CHUNK = 1 << 20
_UNREADABLE = {400: "SIZE_INVALID"}
"""The registry code of a body the server could not deliver, by status: cut short, distribution's code for a body
shorter than its length; late (408), no code of the spec fits (``UNKNOWN``; ECR's answer is not public)."""
_ECR_HOST = re.compile(r"^(?P<registry>\d{12})\.(?:dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
                       r"|dkr-ecr(?:-fips)?\.(?P<dual_stack_region>[a-z0-9-]+)\.on\.aws)\.?(?::\d+)?\Z")
"""A ``Host`` naming an ECR registry, lower-cased: ``<account>.dkr.ecr.<region>.amazonaws.com``, its FIPS form
(``dkr.ecr-fips``) and its dual-stack forms (``<account>.dkr-ecr[-fips].<region>.on.aws``), each with or without
the root's trailing dot (ECR User Guide, "Making requests to Amazon ECR registries")."""


def _named_registry(host: str) -> tuple[str, str] | None:
    """The registry id and Region a ``Host`` header names, or ``None`` (then the token's registry is meant)."""
    named = _ECR_HOST.match(host.lower())
    if named is None:
        return None
    return named["registry"], named["region"] or named["dual_stack_region"]


@dataclass
class RegistryRequest:
    store: "Store"
    state_file: "StateFile | None"
    environ: dict[str, Any]
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    ctx: RequestContext | None = None
    registry_id: str = ""
    region: str = ""

    @classmethod
    def from_environ(cls, store: "Store", state_file: "StateFile | None", environ: dict[str, Any]) -> "RegistryRequest":
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        return cls(store, state_file, environ, environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
                   dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)), headers)

    # ------------------------------------------------------------------------------------------- body
    @property
    def content_length(self) -> int | None:
        text = self.headers.get("content-length")
        return int(text) if text and is_decimal(text) else None

    def body_chunks(self) -> Iterator[bytes]:
        """The request body in chunks, never whole: up to Content-Length, or to the end of a chunked body."""
        stream = self.environ["wsgi.input"]
        remaining = self.content_length
        if remaining is None and not self.environ.get("wsgi.input_terminated"):
            return
        while remaining is None or remaining > 0:
            try:
                data = stream.read(READ_CHUNK if remaining is None else min(READ_CHUNK, remaining))
            except BodyUnreadable as error:  # late (408) or cut short (400): nothing of the part is kept
                raise RegistryError(error.status, _UNREADABLE.get(error.status, "UNKNOWN"), error.message) from None
            if not data:
                if remaining:
                    raise RegistryError(400, "SIZE_INVALID", "provided length did not match content length")
                return
            if remaining is not None:
                remaining -= len(data)
            yield data

    def body(self, limit: int) -> bytes:
        """The whole body, for manifests; over ``limit`` bytes is a 400 (ECR's manifest size limit)."""
        data = bytearray()
        for chunk in self.body_chunks():
            data += chunk
            if len(data) > limit:
                raise RegistryError(400, "MANIFEST_INVALID", f"manifest is larger than {limit} bytes")
        return bytes(data)

    # ------------------------------------------------------------------------------------------- who
    def authenticate(self) -> None:
        """Set ``ctx`` (the caller as the authorizer sees it), ``registry_id`` and ``region``."""
        host = self.headers.get("host", "")
        credentials = registry_tokens.basic_credentials(self.headers.get("authorization", ""))
        if credentials is None or credentials[0] != registry_tokens.USER:
            raise not_authorized(self.realm())
        try:
            identity = registry_tokens.verify(self.store, credentials[1])
        except registry_tokens.TokenRefused as refused:
            raise (token_expired() if refused.expired else not_authorized(self.realm())) from None
        named = _named_registry(host)
        if named and named[1] != identity.region:
            raise wrong_region(identity.region, named[1])
        self.registry_id, self.region = named or (identity.registry_id, identity.region)
        self.ctx = RequestContext(
            store=self.store, method=self.method, path=self.path, query_string=self.environ.get("QUERY_STRING", ""),
            headers=self.headers, body=b"", remote_addr=self.environ.get("REMOTE_ADDR", "127.0.0.1"),
            secure=self.environ.get("wsgi.url_scheme") == "https", service="ecr",
            service_model=specs.service_model("ecr"), region=self.region, caller=identity.caller,
            account=self.store.account(identity.caller.account_id))

    def realm(self) -> str:
        scheme = self.environ.get("wsgi.url_scheme", "http")
        return f"{scheme}://{self.headers.get('host', 'localhost')}/"

    # ------------------------------------------------------------------------------------------- may it
    def authorize(self, name: str, *actions: str) -> None:
        """Every action on the repository ``name`` of this registry (call with the store lock held)."""
        self.authorize_checks([ecr._repository_check(self.ctx, action, self.registry_id, name) for action in actions])

    def authorize_checks(self, checks: list["Check"]) -> None:
        try:
            authorizer.authorize(self.ctx, checks)
        except ServiceError as error:
            raise from_service_error(error) from None

    def repository_for_push(self, name: str) -> Repository:
        """The repository a push names, created on push when a creation template covers it (as for PutImage)."""
        self.ctx.params = {"repositoryName": name, "registryId": self.registry_id}
        try:
            return ecr_images.repository_for_push(self.ctx)
        except ServiceError as error:
            raise from_service_error(error) from None

    def repository(self, name: str, owner: tuple[str, ...] | None = None) -> Repository:
        """The repository ``name`` of this registry, or NAME_UNKNOWN; with ``owner`` (``ecr_push.upload_owner`` of
        a repository seen earlier in the request), NAME_UNKNOWN too unless it is that very repository."""
        repo = ecr.find_repository(self.store, self.registry_id, self.region, name)
        if repo is None or (owner is not None and ecr_push.upload_owner(repo) != owner):
            raise from_service_error(ecr.repository_not_found(name, self.registry_id))
        return repo

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One step of the request in one hold of the store lock; a fault inside it (anything but a refusal)
        puts the store back to the state file's state, so no half-done change is seen or saved later."""
        with self.store.lock, undoing_faults(self.state_file, (RegistryError, ServiceError)):
            run_clock_hooks(self.store)
            yield

    def save(self) -> None:
        """Make an acknowledged change durable before answering (``--state-file``)."""
        if self.state_file is not None:
            self.state_file.save()
