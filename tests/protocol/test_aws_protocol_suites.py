"""mockrunner's request decoders against AWS's own protocol test suites (awsQuery: IAM, STS; awsJson1_1: ECR;
awsJson1_0: App Runner).

Every AWS SDK (Java, .NET, Rust, Kotlin, Swift, Go, JavaScript) is generated against the same Smithy protocol
tests, so a request those suites say an SDK sends must decode to the input the caller gave.  For each input case:
build the operation from the suite's ``metadata``, ``shapes`` and ``given``, hand the case's ``serialized`` body to
the codec mockrunner uses for that protocol, and compare with the case's ``params`` (the suites write timestamps
as epoch numbers, blobs as text and special floats as ``"NaN"``; :func:`expected_input` converts them by shape).

Each output case's ``result`` is serialized by mockrunner and read back by botocore's parser.  The suites come from
botocore's sdist (:mod:`tests.protocol.aws_protocol_suites`); the cases that do not apply to a server are listed in
:data:`EXCLUDED_INPUT` and :data:`EXCLUDED_OUTPUT`, each with its reason."""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.parsers import create_parser

from mockrunner.protocol.codecs import codec_for
from tests.protocol import aws_protocol_suites

INPUT_FILES = ("input/query.json", "legacy/input/query.json", "input/json.json", "input/json_1_0.json",
               "input/json_1_0-query-compatible.json", "legacy/input/json.json")
"""The input suites of the protocols mockrunner serves (``legacy/`` holds botocore's own older cases)."""
OUTPUT_FILES = ("output/query.json", "legacy/output/query.json", "output/json.json", "output/json_1_0.json",
                "legacy/output/json.json")

_REQUEST_COMPRESSION = ("request compression (gzip) applies only to operations with the requestCompression trait; "
                        "none of IAM's, STS's, ECR's or App Runner's has it, so no SDK compresses a request to them")
_CLIENT_TOKEN = ("the idempotency token is filled in by the client when the caller gives none; the server reads "
                 "the token it is sent, which the other case of the suite checks")
EXCLUDED_INPUT: dict[str, str] = {
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
"""Input case (its ``id``, or ``file: suite #index`` for botocore's unnamed legacy cases) -> why the server does
not decode what the case checks."""
EXCLUDED_OUTPUT: dict[str, str] = {
    "QueryXmlLists": "a flattened list whose member has a locationName: Smithy's SDKs read elements named after the "
                     "structure member, botocore's parser reads the locationName (botocore excludes this case too); "
                     "IAM and STS have no flattened lists, and mockrunner answers in the form botocore reads",
    "legacy/output/json.json: Lists #1": "null elements inside lists: a client's tolerance of what a server may "
                                         "send; mockrunner never answers with a null element",
    "legacy/output/json.json: RPC JSON Event Stream #0": "event streams: no operation mockrunner serves has one",
}
"""Output case -> why mockrunner's serializer is not held to it."""
EXCLUDED_ERROR_CASES = ("error answers are built from the served service's own error shapes (code aliases, status, "
                        "message casing), which the suites' synthetic services do not have; the error cases test how "
                        "clients read error codes, which tests/protocol/test_codecs.py and the services' tests cover")
"""Why no output case with an ``error`` is run."""


def _exclusion(case: dict, key: str, excluded: dict[str, str]) -> str | None:
    """Why the case is not run (:data:`EXCLUDED_ERROR_CASES` for every error case), or ``None``."""
    return EXCLUDED_ERROR_CASES if "error" in case else excluded.get(key)


def _case_key(relative: str, suite: dict, index: int, case: dict) -> str:
    return case.get("id") or f"{relative}: {suite['description']} #{index}"


def _load(files: tuple[str, ...]) -> dict[str, list[dict]]:
    return {relative: aws_protocol_suites.load(relative) for relative in files}


def _cases(files: tuple[str, ...], excluded: dict[str, str]) -> list:
    """One param per case of ``files`` but the excluded ones (which are not run: their reasons are the tables
    above, checked by :func:`test_every_exclusion_names_a_case_of_the_suites`), or one that reports the suites
    missing."""
    try:
        loaded = _load(files)
    except aws_protocol_suites.Unavailable as error:
        return [pytest.param(None, None, str(error), id="suites-unavailable")]
    params = []
    for relative, suites in loaded.items():
        for suite in suites:
            for index, case in enumerate(suite["cases"]):
                key = _case_key(relative, suite, index, case)
                if _exclusion(case, key, excluded):
                    continue
                name = f"{relative}::{key}" if "id" in case else key
                params.append(pytest.param(suite, case, None, id=name))
    return params


def operation_of(suite: dict, case: dict) -> OperationModel:
    """The case's operation in a service built from the suite's metadata and shapes.  A query output gets the
    ``{Op}Result`` wrapper every real query model declares (the suites leave it out, as botocore's runner adds it)."""
    given = case["given"]
    name = given.get("name", "OperationName")
    if suite["metadata"]["protocol"] == "query" and "output" in given:
        given = {**given, "output": {"resultWrapper": f"{name}Result", **given["output"]}}
    metadata = {"endpointPrefix": "protocoltest", "apiVersion": "2014-01-01", **suite["metadata"]}
    service = ServiceModel({"metadata": metadata, "shapes": suite["shapes"], "operations": {name: given}},
                           service_name="protocoltest")
    return service.operation_model(name)


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


def comparable(value: Any) -> Any:
    """``value`` with NaN and the infinities as their names (NaN is never equal to itself; botocore's json parser
    leaves them as the strings it read), so two results compare with ==."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    return value


def decode(operation: OperationModel, serialized: dict) -> dict:
    """What mockrunner's codec for the operation's protocol reads from the case's request."""
    query = dict(parse_qsl(urlsplit(serialized.get("uri", "/")).query, keep_blank_values=True))
    body = serialized.get("body", "").encode("utf-8")
    return codec_for(operation.service_model).parse_request(operation, body, query)


@pytest.mark.parametrize(("suite", "case", "missing"), _cases(INPUT_FILES, EXCLUDED_INPUT))
def test_input_case_decodes_to_its_params(suite, case, missing):
    if missing is not None:
        aws_protocol_suites.unavailable(missing)
    operation = operation_of(suite, case)
    assert comparable(decode(operation, case["serialized"])) == \
        comparable(expected_input(operation.input_shape, case["params"]))


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


@pytest.mark.parametrize(("suite", "case", "missing"), _cases(OUTPUT_FILES, EXCLUDED_OUTPUT))
def test_output_case_result_reads_back_through_botocore(suite, case, missing):
    """mockrunner serializes the case's ``result``; botocore's parser reads the same result back, and a json
    answer is strict JSON (any SDK's parser reads it: no ``NaN`` literal)."""
    if missing is not None:
        aws_protocol_suites.unavailable(missing)
    operation = operation_of(suite, case)
    result = expected_input(operation.output_shape, case["result"])
    status, headers, body = codec_for(operation.service_model).serialize_response(operation, result, "request-1")
    if operation.service_model.protocol == "json":
        json.loads(body, parse_constant=_not_json)
    parser = create_parser(operation.service_model.protocol)
    parsed = parser.parse({"status_code": status, "headers": headers, "body": body}, operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    assert comparable(parsed) == comparable(result)


@pytest.mark.parametrize(("files", "excluded"), [(INPUT_FILES, EXCLUDED_INPUT), (OUTPUT_FILES, EXCLUDED_OUTPUT)])
def test_every_exclusion_names_a_case_of_the_suites(files, excluded):
    """An exclusion whose case the suites no longer hold (renamed, dropped) would silently exclude nothing."""
    try:
        loaded = _load(files)
    except aws_protocol_suites.Unavailable as error:
        aws_protocol_suites.unavailable(str(error))
    keys = {_case_key(relative, suite, index, case) for relative, suites in loaded.items() for suite in suites
            for index, case in enumerate(suite["cases"])}
    assert set(excluded) <= keys, set(excluded) - keys
