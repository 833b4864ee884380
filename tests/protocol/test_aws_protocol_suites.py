"""mockrunner's request decoders against AWS's own protocol test suites (awsQuery: IAM, STS; awsJson1_1: ECR;
awsJson1_0: App Runner).

Every AWS SDK (Java, .NET, Rust, Kotlin, Swift, Go, JavaScript) is generated against the same Smithy protocol
tests, so a request those suites say an SDK sends must decode to the input the caller gave.  For each input case:
build the operation from the suite's ``metadata``, ``shapes`` and ``given``, hand the case's ``serialized`` body to
the codec mockrunner uses for that protocol, and compare with the case's ``params`` (the suites write timestamps
as epoch numbers, blobs as text and special floats as ``"NaN"``; :func:`expected_input` converts them by shape).

The suites come from botocore's sdist (:mod:`tests.protocol.aws_protocol_suites`); the cases the server never
decodes are listed in :data:`EXCLUDED`, each with its reason."""
from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.model import OperationModel, ServiceModel, Shape

from mockrunner.protocol.codecs import codec_for
from tests.protocol import aws_protocol_suites

INPUT_FILES = ("input/query.json", "legacy/input/query.json", "input/json.json", "input/json_1_0.json",
               "input/json_1_0-query-compatible.json", "legacy/input/json.json")
"""The input suites of the protocols mockrunner serves (``legacy/`` holds botocore's own older cases)."""

_REQUEST_COMPRESSION = ("request compression (gzip) applies only to operations with the requestCompression trait; "
                        "none of IAM's, STS's, ECR's or App Runner's has it, so no SDK compresses a request to them")
_CLIENT_TOKEN = ("the idempotency token is filled in by the client when the caller gives none; the server reads "
                 "the token it is sent, which the other case of the suite checks")
EXCLUDED: dict[str, str] = {
    "SDKAppliedContentEncoding_awsQuery": _REQUEST_COMPRESSION,
    "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery": _REQUEST_COMPRESSION,
    "SDKAppliedContentEncoding_awsJson1_1": _REQUEST_COMPRESSION,
    "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1": _REQUEST_COMPRESSION,
    "SDKAppliedContentEncoding_awsJson1_0": _REQUEST_COMPRESSION,
    "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_0": _REQUEST_COMPRESSION,
    "QueryProtocolIdempotencyTokenAutoFill": _CLIENT_TOKEN,
    "legacy/input/query.json: Idempotency token auto fill #1": _CLIENT_TOKEN,
    "legacy/input/json.json: Idempotency token auto fill #1": _CLIENT_TOKEN,
    "QueryEmptyQueryMaps": "an empty map is not on the wire at all in awsQuery (the case's body has no field for "
                           "it), so no server can tell it from an absent one; mockrunner reads it as absent",
}
"""Case (its ``id``, or ``file: suite #index`` for botocore's unnamed legacy cases) -> why the server does not
decode what the case checks."""


def _case_key(relative: str, suite: dict, index: int, case: dict) -> str:
    return case.get("id") or f"{relative}: {suite['description']} #{index}"


def _input_cases() -> list:
    try:
        files = {relative: aws_protocol_suites.load(relative) for relative in INPUT_FILES}
    except aws_protocol_suites.Unavailable as error:
        return [pytest.param(None, None, str(error), id="suites-unavailable")]
    params = []
    for relative, suites in files.items():
        for suite in suites:
            for index, case in enumerate(suite["cases"]):
                key = _case_key(relative, suite, index, case)
                marks = [pytest.mark.skip(reason=f"excluded: {EXCLUDED[key]}")] if key in EXCLUDED else []
                name = f"{relative}::{key}" if "id" in case else key
                params.append(pytest.param(suite, case, None, id=name, marks=marks))
    return params


def operation_of(suite: dict, case: dict) -> OperationModel:
    """The case's operation in a service built from the suite's metadata and shapes."""
    given = case["given"]
    service = ServiceModel({"metadata": suite["metadata"], "shapes": suite["shapes"],
                            "operations": {given["name"]: given}}, service_name="protocoltest")
    return service.operation_model(given["name"])


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def expected_input(shape: Shape | None, value: Any) -> Any:
    """The case's ``params`` as the Python values a caller passes: epoch numbers become UTC datetimes for
    timestamps, text becomes UTF-8 bytes for blobs, ``"NaN"``/``"Infinity"`` become floats; ``None`` members are
    dropped (a null is not sent).  Documents stay as they are."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and not shape.metadata.get("document"):
        return {name: expected_input(shape.members[name], item) for name, item in value.items() if item is not None}
    if kind == "list":
        return [expected_input(shape.member, item) for item in value]
    if kind == "map":
        return {key: expected_input(shape.value, item) for key, item in value.items() if item is not None}
    if kind == "timestamp":
        return datetime.fromtimestamp(value, UTC)
    if kind == "blob":
        return value.encode("utf-8")
    if kind in ("float", "double") and isinstance(value, str):
        return _SPECIAL_FLOATS[value]
    return value


_NAN = "<NaN>"


def comparable(value: Any) -> Any:
    """``value`` with NaN (never equal to itself) replaced by a marker, so decoded and expected compare with ==."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return _NAN
    return value


def decode(operation: OperationModel, serialized: dict) -> dict:
    """What mockrunner's codec for the operation's protocol reads from the case's request."""
    query = dict(parse_qsl(urlsplit(serialized.get("uri", "/")).query, keep_blank_values=True))
    body = serialized.get("body", "").encode("utf-8")
    return codec_for(operation.service_model).parse_request(operation, body, query)


@pytest.mark.parametrize(("suite", "case", "missing"), _input_cases())
def test_input_case_decodes_to_its_params(suite, case, missing):
    if missing is not None:
        aws_protocol_suites.unavailable(missing)
    operation = operation_of(suite, case)
    assert comparable(decode(operation, case["serialized"])) == \
        comparable(expected_input(operation.input_shape, case["params"]))


def test_every_exclusion_names_a_case_of_the_suites():
    """An exclusion whose case the suites no longer hold (renamed, dropped) would silently exclude nothing."""
    try:
        files = {relative: aws_protocol_suites.load(relative) for relative in INPUT_FILES}
    except aws_protocol_suites.Unavailable as error:
        aws_protocol_suites.unavailable(str(error))
    keys = {_case_key(relative, suite, index, case) for relative, suites in files.items() for suite in suites
            for index, case in enumerate(suite["cases"])}
    assert set(EXCLUDED) <= keys, set(EXCLUDED) - keys
