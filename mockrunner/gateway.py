"""The request pipeline: route -> authenticate -> parse -> validate -> authorize -> dispatch -> serialize.

Every step reads and writes one :class:`RequestContext`.  An operation that reads costly parameters (the policy
simulator's documents) prepares them between validation and the store lock's hold, once its caller is
authenticated and would be authorized (:func:`_prepare`).  Errors raised anywhere are caught here, once, and
serialized in the protocol of the service being called; an unexpected exception becomes the service's
internal-error shape, never a traceback or an HTML page.  With a state file, a ``commit`` step (its save) runs
in the same hold of the store lock as everything that reads the state for the request (credentials, account,
authorization, handler), so a change is seen by others only once it is durable; a failed commit (the change
undone) is answered with the service's internal error as well, and so is a fault in the middle of a handler,
after the store is put back to the state the file holds.

Work on a request's bytes alone is done before the lock: its parameters (:func:`_read_parameters`), its signature's
key-independent part and, for SigV2, its HMAC under the secret its key has then (:func:`authenticate.read_ahead`),
an operation's ``prepare`` (the simulator's documents, PutImage's manifest).  What stays under the lock, and why: the
key look-up and the HMAC over a SigV4 string to sign (a few hundred bytes; the secret must be the one in force);
SigV2's HMAC again when the key's secret is not the one it was computed with; IAM and ECR policy documents, read by
their handlers (at most 10,240 characters by IAM's quotas, 131,072 by the model's, refused before the lock: about a
millisecond, and what they are checked against is the state); a save (``commit``), which must be of the state the
request leaves (docs/behaviour.md, "Signature work outside the store lock (session 22)").
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote_plus

from mockrunner import regions
from mockrunner.auth import authenticate, authorizer, sigv4
from mockrunner.context import RequestContext, Response
from mockrunner.errors import ServiceError
from mockrunner.model.store import record_regions_made, stop_recording_regions, unmake_blank_regions
from mockrunner.mutations import is_mutation
from mockrunner.persistence import CHANGE_NOT_APPLIED, StateFile, StateNotSavedError, undoing_faults
from mockrunner.protocol import foreign, newer_operations, query_codec, rest_json_codec, specs, validation
from mockrunner.protocol.codecs import codec_for
from mockrunner.services import registry

log = logging.getLogger("mockrunner.gateway")


Commit = Callable[[RequestContext], None]
"""Runs after a handler succeeded, under the store lock; raises :class:`StateNotSavedError` to undo the call."""

_REFUSALS = (ServiceError, StateNotSavedError)
"""What a request raises without having changed anything (a save that failed has undone the change itself)."""


def handle(ctx: RequestContext, state_file: StateFile | None = None) -> Response:
    """Run the pipeline (then, with ``state_file``, save a change in the handler's hold of the store lock); always
    returns a protocol-shaped response."""
    try:
        route(ctx)
        params, refusal = _read_parameters(ctx)
        authenticate.read_ahead(ctx)  # the signature's costly reading, outside the lock as the parameters'
        if refusal is None:
            _prepare(ctx, params)
        # one consistent state from the credentials' lookup to the commit
        with ctx.store.lock, undoing_faults(state_file, _REFUSALS):
            authenticate.authenticate(ctx)
            if refusal is not None:
                raise refusal
            ctx.params = params
            made, recording = record_regions_made()
            try:
                result = _run(ctx, _saving(state_file) if state_file is not None else None)
            except _REFUSALS:
                unmake_blank_regions(made)  # a refused write leaves no Region state behind, as a read
                raise
            finally:
                stop_recording_regions(recording)
        status, headers, body = codec_for(ctx.service_model).serialize_response(
            ctx.operation, result, ctx.request_id
        )
        return Response(status, headers, body)
    except ServiceError as error:
        return error_response(ctx, error)
    except CHANGE_NOT_APPLIED as error:
        log.error("%s.%s undone: %s", ctx.service, ctx.operation_name, error)
        message = f"The change was not applied: {error}."
        return error_response(ctx, ServiceError(_internal_error_code(ctx), message, 500, False))
    except Exception:  # noqa: BLE001 - the one place that turns bugs into an AWS-shaped 500
        log.exception("internal error handling %s %s", ctx.service, ctx.operation_name)
        return error_response(ctx, ServiceError(_internal_error_code(ctx), "An internal error occurred.", 500, False))


def execute(ctx: RequestContext, commit: Commit | None = None) -> dict:
    """The pipeline once the caller and the parameters are known: validate, authorize, run the handler, commit.

    The caller holds the store lock.  :func:`handle` reaches it from a request's bytes; seeds reach it with a
    context that names the caller, the operation and its parameters directly.  Raises :class:`ServiceError`.
    """
    validation.validate(ctx.operation, ctx.params)
    return _run(ctx, commit)


def _read_parameters(ctx: RequestContext) -> tuple[dict, ServiceError | None]:
    """The request's parameters, parsed and validated against the operation's model, or the refusal to answer once
    the caller is authenticated (AWS checks the signature first).  Pure work on the request's bytes, done before
    the store lock is taken: however costly a body is to read, it holds no other request up."""
    try:
        body = ctx.body
        if ctx.service_model.protocol == "query":
            _check_version(ctx)
            body = _form_body(ctx)
        params = codec_for(ctx.service_model).parse_request(ctx.operation, body, ctx.query, ctx.uri_params)
        validation.validate(ctx.operation, params)
    except ServiceError as refusal:
        return {}, refusal
    return params, None


def _prepare(ctx: RequestContext, params: dict) -> None:
    """The operation's ``prepare`` on its valid parameters (into ``ctx.prepared``), outside the store lock but only
    for a caller who will be let through: the caller is authenticated and its authorization looked ahead at first
    (under the lock, as every request is, recording nothing; the request's own hold decides again, and records), so
    a request without valid credentials or permission costs what it did.  The look-ahead evaluates the operation's
    ``checks_ahead``: never the work its own hold does before its checks (ECR's clock), which would be done twice."""
    operation = registry.lookup(ctx.service, ctx.operation.name)
    if operation is None or operation.prepare is None:
        return
    with ctx.store.lock:
        authenticate.authenticate(ctx)
        ctx.params = dict(params)
        try:
            registry.run_parameter_hooks(ctx)
            if not authorizer.permitted(ctx, operation.checks_ahead(ctx)):
                return
        except ServiceError:
            return  # refused by its checks: the request's own hold answers it
    ctx.prepared = operation.prepare(params)


def _run(ctx: RequestContext, commit: Commit | None) -> dict:
    """:func:`execute` once the parameters are valid: authorize, run the handler, commit."""
    operation = registry.lookup(ctx.service, ctx.operation.name)
    if operation is None:
        raise _unsupported_operation(ctx)
    registry.run_parameter_hooks(ctx)
    authorizer.authorize(ctx, operation.checks(ctx))
    registry.run_clock_hooks(ctx.store)
    result = operation.handler(ctx) or {}
    authorizer.note_use(ctx)
    if commit is not None:
        commit(ctx)
    return result


def _saving(state_file: StateFile) -> Commit:
    """The commit step: a change is on disk before anyone hears of it, or it is undone."""

    def commit(ctx: RequestContext) -> None:
        if ctx.state_changed or is_mutation(ctx.service, ctx.operation_name):
            try:
                state_file.save()
            except StateNotSavedError:
                for step in reversed(ctx.undo):  # the state is back; so is what the request did beside it
                    step()
                raise

    return commit


def route(ctx: RequestContext) -> None:
    """Find service and region (SigV4 credential scope first, then the path for services sharing a signing name)
    and the operation (X-Amz-Target, Action, or the method and path of a rest service)."""
    if ctx.query_string:
        ctx.query = query_codec.first_values(parse_qsl(ctx.query_string, keep_blank_values=True))
    signing_name, region = _scope(ctx)
    spec = specs.for_scope(signing_name, ctx.path) if signing_name is not None else None
    service = spec.name if spec is not None else None
    target = ctx.headers.get("x-amz-target")
    if service is None:
        service = _guess_service(ctx, target)
        if service is not None and signing_name is not None:
            raise _wrong_scope(ctx, service)
    if service is None:
        raise ServiceError(
            "UnknownOperationException" if _reads_json_errors(ctx) else "InvalidAction",
            f"The service {signing_name or 'named in this request'} is not provided by mockrunner.",
            400,
        )
    ctx.service = service
    ctx.service_model = specs.service_model(service)
    ctx.region = region or _host_region(ctx) or ctx.store.settings.default_region
    if region is not None and ctx.store.settings.enforce != "off" and not regions.is_valid(region):
        raise _scope_error(ctx, regions.invalid_region_message(region))
    if ctx.service_model.protocol == "json":
        ctx.operation = specs.operation_for_target(ctx.service_model, target or "")
        if ctx.operation is None:
            _refuse_newer_operation(ctx, target or "")
            raise ServiceError("UnknownOperationException", "", 400)
    elif ctx.service_model.protocol == "rest-json":
        ctx.operation, ctx.uri_params = rest_json_codec.route(ctx.service_model, ctx.method, ctx.path, ctx.raw_path)
    else:
        action, ctx.api_version = _form_values(ctx, ("Action", "Version"))
        if action is None:
            raise ServiceError("MissingAction", "Missing Action", 400)
        ctx.operation = specs.operation_for_action(ctx.service_model, action)
        if ctx.operation is None:
            _refuse_newer_operation(ctx, action)
            raise _no_operation(action, ctx.api_version)


def _host_region(ctx: RequestContext) -> str | None:
    """The Region an AWS endpoint host name names (``sts.eu-west-1.amazonaws.com``: ``eu-west-1``), for a request
    without a credential scope (an unsigned STS call reached in-process, as sent to AWS); None for any other host
    (``sts.amazonaws.com``, the server's own address)."""
    host = ctx.headers.get("host", "").split(":", 1)[0].lower().removesuffix(".cn")
    prefix, dot, domain = host.rpartition(".amazonaws.")
    candidate = prefix.rpartition(".")[2]
    return candidate if dot and domain == "com" and regions.is_valid(candidate) else None


def _no_operation(action: str, version: str | None) -> ServiceError:
    """IAM's and STS's answer to an action they do not have under the ``Version`` asked (None: none sent)."""
    version = "NO_VERSION_SPECIFIED" if version is None else version
    return ServiceError("InvalidAction", f"Could not find operation {action} for version {version}", 400)


def _check_version(ctx: RequestContext) -> None:
    """A query-protocol operation exists under its API version alone, told once the caller is authenticated, as
    the parameters' other refusals (docs/behaviour.md, "Query protocol: which parameters are read")."""
    if ctx.api_version != ctx.service_model.api_version:
        raise _no_operation(ctx.operation.name, ctx.api_version)


def addressed_service(ctx: RequestContext) -> str | None:
    """The served service ``ctx`` is addressed to, found as :func:`route` finds it (the credential scope's service,
    then ``X-Amz-Target``, the path, the Host, the ``Action``) from what it holds (a request whose body was not read
    is told by its head alone), or None; raises nothing."""
    if ctx.query_string and not ctx.query:
        ctx.query = query_codec.first_values(parse_qsl(ctx.query_string, keep_blank_values=True))
    signing_name, _ = _scope(ctx)
    spec = specs.for_scope(signing_name, ctx.path) if signing_name is not None else None
    if spec is not None:
        return spec.name
    return _guess_service(ctx, ctx.headers.get("x-amz-target"))


def _wrong_scope(ctx: RequestContext, service: str) -> ServiceError:
    """Signed for another service (``lambda``, say) but addressed to one of ours: AWS refuses the credential scope."""
    ctx.service = service
    ctx.service_model = specs.service_model(service)
    return _scope_error(ctx, f"Credential should be scoped to correct service: '{ctx.service_model.signing_name}'. ")


def _scope_error(ctx: RequestContext, message: str) -> ServiceError:
    """A credential scope the endpoint refuses (wrong service, unknown region).

    Codes as real endpoints answer (aws-sdk-ruby#431, JuliaCloud/AWS.jl#334: json ``InvalidSignatureException``
    400; timkay/aws#111, JuliaCloud/AWS.jl#565: query ``SignatureDoesNotMatch`` 403), trailing space included.
    """
    if ctx.service_model.protocol == "json":
        return ServiceError("InvalidSignatureException", message, 400)
    if ctx.service_model.protocol == "rest-json":
        return ServiceError("InvalidSignatureException", message, 403)  # rest services' status: unverified
    return ServiceError("SignatureDoesNotMatch", message, 403)


def error_response(ctx: RequestContext, error: ServiceError) -> Response:
    service_model = ctx.service_model
    if service_model is None:  # no served service: answer in the format the client reads (a served model's codec)
        service_model = specs.service_model("apprunner" if _reads_json_errors(ctx) else "sts")
    status, headers, body = codec_for(service_model).serialize_error(service_model, error, ctx.request_id)
    return Response(status, headers, body)


def _reads_json_errors(ctx: RequestContext) -> bool:
    try:
        action = _form_value(ctx, "Action")
    except ServiceError:
        action = None  # too many fields to be any service's request
    return foreign.reads_json_errors(ctx.headers.get("x-amz-target"), action, _scope(ctx)[0])


def _refuse_newer_operation(ctx: RequestContext, name: str) -> None:
    """Raise ``NotImplemented`` when ``name`` (a target or an action) is an operation of the installed botocore that
    mockrunner's model of the service does not have (a client newer than the models served)."""
    operation = newer_operations.known_to_installed_botocore(ctx.service, ctx.service_model.protocol, name)
    if operation is not None:
        raise _not_implemented(f"{ctx.service}:{operation}")


def _unsupported_operation(ctx: RequestContext) -> ServiceError:
    """A real AWS operation that mockrunner does not provide: say so plainly instead of pretending.

    501 is outside botocore's retried statuses, so the client fails at once with this message.
    """
    return _not_implemented(f"{ctx.service}:{ctx.operation.name}")


def _not_implemented(action: str) -> ServiceError:
    return ServiceError("NotImplemented", f"mockrunner does not implement {action}.", 501, False)


def _internal_error_code(ctx: RequestContext) -> str:
    spec = specs.SERVICES.get(ctx.service or "")
    return spec.internal_error if spec is not None else "InternalFailure"


def _scope(ctx: RequestContext) -> tuple[str | None, str | None]:
    """The signing name and region of the credential scope, as the signature is verified for them (the Authorization
    header split once, kept in ``ctx.authorization`` for the signature's parse)."""
    ctx.authorization = split = sigv4.split_header(ctx.headers, ctx.authorization)
    return sigv4.scope(ctx.headers, ctx.query, split)


def _guess_service(ctx: RequestContext, target: str | None) -> str | None:
    """Unsigned requests still deserve an answer in the right protocol (MissingAuthenticationToken)."""
    if target:
        spec = specs.by_target_prefix().get(target.split(".", 1)[0])
        return spec.name if spec is not None else None
    spec = specs.for_path(ctx.path)
    if spec is not None:
        return spec.name
    host = ctx.headers.get("host", "").split(":", 1)[0]
    for prefix, spec in specs.by_host_prefix().items():
        if host.startswith(prefix + "."):
            return spec.name
    try:
        action = _form_value(ctx, "Action")
    except ServiceError:
        return None  # too many fields to be any service's request
    if action is None:
        return None
    for spec in specs.SERVICES.values():
        if spec.protocol == "query" and specs.operation_for_action(spec.model, action) is not None:
            return spec.name
    return None


def _form_body(ctx: RequestContext) -> bytes:
    """The body a query-protocol request's parameters are read from: none unless its ``Content-Type`` says form
    encoding (docs/behaviour.md, "Query protocol: which parameters are read")."""
    return ctx.body if query_codec.is_form_encoded(ctx.headers.get("content-type", "")) else b""


def _form_value(ctx: RequestContext, key: str) -> str | None:
    """The first value of the query-protocol parameter ``key`` (see :func:`_form_values`), or None."""
    return _form_values(ctx, (key,))[0]


def _form_values(ctx: RequestContext, keys: tuple[str, ...]) -> list[str | None]:
    """The first value of each query-protocol parameter of ``keys``, from the URL's query string, else from a form
    body (only a POST's, only when it says it is form encoding), else None; the body is read in one pass."""
    values: list[str | None] = [ctx.query.get(key) for key in keys]
    wanted = {key: index for index, key in enumerate(keys) if values[index] is None}
    if wanted and ctx.method == "POST" and _form_body(ctx):
        query_codec.check_field_count(ctx.body)
        # only the fields asked for are decoded (a body that is not UTF-8 is refused by the codec later): decoding
        # every field to route the request, then again to read it, cost about 1.2 s for a 9 MB body
        for field in ctx.body.split(b"&"):
            name, _, value = field.partition(b"=")
            index = wanted.pop(unquote_plus(name.decode("utf-8", "replace")), None)
            if index is not None:
                values[index] = unquote_plus(value.decode("utf-8", "replace"))
                if not wanted:
                    break
    return values
