"""The HTTP server's own refusals (:class:`mockrunner.wsgi.Refusal`) in the error shape of whoever the request
addresses, so that an SDK reads a code rather than a bare status.

The server refuses some requests before or while reading them (a malformed head, a head or body too large or too
slow, the in-memory body budget spent); :meth:`mockrunner.app.MockrunnerApp.refusal_answer` picks the part of
mockrunner the head addresses and one of the functions here shapes the answer:

- :func:`aws`: the AWS API.  The service is told from the head as the gateway routes it (the credential scope's
  service, ``X-Amz-Target``, the path, the Host, an ``Action`` in the query); when none names a served service, the
  ``Content-Type`` or ``X-Amz-Target`` still says which protocol the client reads errors in
  (:data:`FORMAT_BY_CONTENT_TYPE`); with no such sign the answer is plain text.  The code is the AWS common error
  for the cause (:data:`AWS_CODES`); the status is the server's.
- :func:`registry`: ``/v2/``, the distribution spec's ``{"errors": [{"code", "message"}]}`` (:data:`REGISTRY_CODES`).
- :func:`admin`: ``/_mockrunner/``, the admin API's ``{"error", "message"}`` with werkzeug's name of the status (as
  the admin API's own 404 and 405 are named).

A refusal whose head was never read whole (``environ`` None) is plain text: nothing says which protocol the client
speaks, and text is read as it is by every client (an SDK shows it as the message of a bare-status error).
"""
from __future__ import annotations

import json

from werkzeug.exceptions import default_exceptions

from mockrunner import gateway
from mockrunner.admin_access import BROWSER_HEADERS
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.protocol import specs
from mockrunner.protocol.codecs import codec_for
from mockrunner.registry.errors import API_VERSION_HEADER, RegistryError
from mockrunner.wsgi import Answer, Cause, Refusal, plain_answer

AWS_CODES: dict[Cause, str | None] = {
    # AWS's list of errors common to all services ("Common Errors" of the API references) names these for
    # "problems with the request at the HTTP level"; whether IAM's, STS's, ECR's and App Runner's front ends send
    # them at these points is not public (unverified)
    Cause.MALFORMED: "MalformedHttpRequestException",
    Cause.TARGET_TOO_LONG: "MalformedHttpRequestException",
    Cause.HEAD_TOO_LARGE: "MalformedHttpRequestException",
    Cause.ABORTED: "RequestAbortedException",
    Cause.BODY_TOO_LARGE: "RequestEntityTooLargeException",
    # botocore's standard retry mode retries RequestTimeoutException as transient (its legacy mode: no 408 rule)
    Cause.LATE: "RequestTimeoutException",
    # the common list's 503; both of botocore's retry modes retry a 503 whatever its code
    Cause.BUSY: "ServiceUnavailable",
    # S3's code for "a header you provided implies functionality that is not implemented" (501)
    Cause.UNSUPPORTED: "NotImplemented",
    Cause.UNFRAMABLE: None,  # the service's own internal-error code (its model's server fault)
    Cause.FAILED: None,
}
"""The AWS error code of each cause, in every protocol."""

REGISTRY_CODES: dict[Cause, str] = {
    Cause.ABORTED: "SIZE_INVALID",  # the spec's code for a body shorter than its length, as the registry answers it
    Cause.BUSY: "UNAVAILABLE",  # the distribution project's 503 code
}
"""The registry error code of each cause; ``UNKNOWN`` for the others (no code of the spec fits them)."""

FORMAT_BY_CONTENT_TYPE: dict[str, str] = {
    "application/x-www-form-urlencoded": "sts",  # query: IAM's and STS's ErrorResponse share one shape
    "application/x-amz-json-1.1": "ecr",
    "application/x-amz-json-1.0": "apprunner",
}
"""A served model whose codec writes the error format a client of an unrecognised service reads, by the request's
media type (its parameters dropped)."""

JSON_DEFAULT = "apprunner"
"""The model writing the error of a request with an ``X-Amz-Target`` and no telling ``Content-Type`` (awsJson)."""


def aws(ctx: RequestContext, refusal: Refusal) -> Answer:
    """``refusal`` in the error protocol of the service ``ctx`` (a request's head, no body) addresses; plain text
    when neither the service nor the protocol can be told."""
    service = gateway.addressed_service(ctx)
    name = service or _format_of(ctx)
    if name is None:
        return plain_answer({}, refusal)
    model = specs.service_model(name)
    code = AWS_CODES.get(refusal.cause) or (specs.SERVICES[service].internal_error if service else "InternalFailure")
    error = ServiceError(code, refusal.message, refusal.status, refusal.status < 500)
    status, headers, body = codec_for(model).serialize_error(model, error, ctx.request_id)
    return status, list(headers.items()), body


def registry(refusal: Refusal) -> Answer:
    """``refusal`` as the registry endpoint answers its errors."""
    error = RegistryError(refusal.status, REGISTRY_CODES.get(refusal.cause, "UNKNOWN"), refusal.message)
    return refusal.status, [API_VERSION_HEADER, ("Content-Type", error.content_type)], error.body()


def admin(refusal: Refusal) -> Answer:
    """``refusal`` as the admin API answers its errors, with the headers every answer under its prefix carries."""
    named = default_exceptions.get(refusal.status)
    body = json.dumps({"error": named.__name__ if named else "Error", "message": refusal.message}).encode()
    return refusal.status, [("Content-Type", "application/json"), *BROWSER_HEADERS.items()], body


def _format_of(ctx: RequestContext) -> str | None:
    """The served model whose error format the client reads, from its ``Content-Type`` or ``X-Amz-Target``."""
    media_type = ctx.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type in FORMAT_BY_CONTENT_TYPE:
        return FORMAT_BY_CONTENT_TYPE[media_type]
    if ctx.headers.get("x-amz-target"):
        return JSON_DEFAULT
    if "Action" in ctx.query:
        return FORMAT_BY_CONTENT_TYPE["application/x-www-form-urlencoded"]
    return None
