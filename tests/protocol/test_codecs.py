"""Codec edge cases: empty and flattened collections, locationName, escaping, blobs, malformed input."""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from botocore.model import ServiceModel

from mockrunner.errors import ServiceError
from mockrunner.protocol import json_codec, query_codec, specs
from tests.protocol.test_roundtrip import roundtrip_request, roundtrip_response

# IAM and STS have no flattened shapes and no locationName traits, so a synthetic query model exercises them.
_MEMBERS = {
    "Flat": {"shape": "FlatList"},
    "FlatNamed": {"shape": "FlatNamedList"},
    "Renamed": {"shape": "Text", "locationName": "Other"},
    "NamedItems": {"shape": "NamedItemList"},
    "Dict": {"shape": "NamedMap"},
    "FlatDict": {"shape": "FlatMap"},
    "Structs": {"shape": "StructList"},
    "When": {"shape": "Time"},
    "Data": {"shape": "Data"},
    "Count": {"shape": "Int"},
    "On": {"shape": "Bool"},
    "Ratio": {"shape": "Double"},
}
SYNTHETIC = ServiceModel({
    "metadata": {"protocol": "query", "apiVersion": "2020-01-01", "endpointPrefix": "example",
                 "xmlNamespace": "https://example.amazonaws.com/doc/2020-01-01/", "serviceId": "Example",
                 "signatureVersion": "v4"},
    "operations": {"Echo": {"name": "Echo", "http": {"method": "POST", "requestUri": "/"},
                            "input": {"shape": "EchoInput"},
                            "output": {"shape": "EchoOutput", "resultWrapper": "EchoResult"}}},
    "shapes": {
        "EchoInput": {"type": "structure", "members": _MEMBERS},
        "EchoOutput": {"type": "structure", "members": _MEMBERS},
        "Text": {"type": "string"}, "Int": {"type": "integer"}, "Bool": {"type": "boolean"},
        "Double": {"type": "double"}, "Time": {"type": "timestamp"}, "Data": {"type": "blob"},
        "FlatList": {"type": "list", "member": {"shape": "Text"}, "flattened": True},
        "FlatNamedList": {"type": "list", "member": {"shape": "Text", "locationName": "Item"}, "flattened": True},
        "NamedItemList": {"type": "list", "member": {"shape": "Text", "locationName": "item"}},
        "NamedMap": {"type": "map", "key": {"shape": "Text", "locationName": "Name"},
                     "value": {"shape": "Text", "locationName": "Val"}},
        "FlatMap": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Pair"}, "flattened": True},
        "Pair": {"type": "structure", "members": {"A": {"shape": "Text"}, "B": {"shape": "Int"}}},
        "StructList": {"type": "list", "member": {"shape": "Pair"}},
    },
}, service_name="example")
ECHO = SYNTHETIC.operation_model("Echo")
RICH = {
    "Flat": ["a", "b & c", "<d>"],
    "FlatNamed": ["x", "y"],
    "Renamed": "ünï 中文 🙂 \"quoted\" 'single' \r\n line",
    "NamedItems": ["one", "two"],
    "Dict": {"k1": "v1", "k<2>": "v&2"},
    "FlatDict": {"p": {"A": "a", "B": 1}, "q": {"A": "b", "B": 2}},
    "Structs": [{"A": "first", "B": 1}, {"A": "second", "B": 2}],
    "When": datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=UTC),
    "Data": b"\x00\xff binary \n",
    "Count": -7,
    "On": False,
    "Ratio": 0.125,
}


def test_synthetic_flattened_and_renamed_shapes_round_trip_both_ways():
    assert roundtrip_request(ECHO, RICH) == RICH
    assert roundtrip_response(ECHO, RICH) == RICH


def test_flattened_xml_has_no_member_wrappers_and_honours_location_names():
    _status, _headers, body = query_codec.serialize_response(ECHO, RICH, "r")
    text = body.decode("utf-8")
    assert "<Flat>a</Flat><Flat>b &amp; c</Flat><Flat>&lt;d&gt;</Flat>" in text
    assert "<Item>x</Item><Item>y</Item>" in text
    assert "<NamedItems><item>one</item><item>two</item></NamedItems>" in text
    assert "<Dict><entry><Name>k1</Name><Val>v1</Val></entry>" in text
    assert "<FlatDict><key>p</key><value><A>a</A><B>1</B></value></FlatDict>" in text
    assert "<Other>" in text and "&#xD;" in text
    assert "<When>2024-02-29T23:59:58.123Z</When>" in text


def test_flattened_list_named_after_its_structure_member_as_smithy_sdks_send_it():
    """AWS's protocol tests (QueryFlattenedListArgWithXmlName): ``FlatNamed.1``, not botocore's ``Item.1``."""
    assert query_codec.parse_request(ECHO, b"Action=Echo&FlatNamed.1=x&FlatNamed.2=y") == {"FlatNamed": ["x", "y"]}
    assert query_codec.parse_request(ECHO, b"Action=Echo&Item.1=x") == {"FlatNamed": ["x"]}


def test_json_special_floats_and_documents_both_ways():
    """awsJson carries NaN and the infinities as strings (AWS's protocol tests); a document is any JSON value."""
    service = ServiceModel({
        "metadata": {"protocol": "json", "jsonVersion": "1.0", "targetPrefix": "Example", "apiVersion": "2020-01-01"},
        "operations": {"Put": {"name": "Put", "input": {"shape": "PutInput"}, "output": {"shape": "PutInput"}}},
        "shapes": {"PutInput": {"type": "structure", "members": {"Ratio": {"shape": "Double"},
                                                                  "Doc": {"shape": "Document"}}},
                   "Double": {"type": "double"}, "Document": {"type": "structure", "document": True}},
    }, service_name="example")
    put = service.operation_model("Put")
    decoded = json_codec.parse_request(put, b'{"Ratio": "-Infinity", "Doc": [1, {"a": null}, "x"]}')
    assert decoded == {"Ratio": float("-inf"), "Doc": [1, {"a": None}, "x"]}
    assert math.isnan(json_codec.parse_request(put, b'{"Ratio": "NaN"}')["Ratio"])
    with pytest.raises(ServiceError, match="STRING_VALUE can not be converted to a Double"):
        json_codec.parse_request(put, b'{"Ratio": "nan"}')
    _status, _headers, body = json_codec.serialize_response(put, {"Ratio": math.inf, "Doc": {"a": [1]}}, "r")
    assert body == b'{"Ratio":"Infinity","Doc":{"a":[1]}}'


def test_query_empty_list_round_trips_and_empty_map_is_omitted():
    operation = specs.service_model("iam").operation_model("CreateRole")
    params = {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": []}
    assert roundtrip_request(operation, params) == params
    assert roundtrip_request(ECHO, {"NamedItems": [], "Dict": {}}) == {"NamedItems": []}
    assert roundtrip_response(ECHO, {"NamedItems": [], "Dict": {}, "Structs": []}) == \
        {"NamedItems": [], "Dict": {}, "Structs": []}


def test_json_empty_collections_and_nested_structures_round_trip():
    operation = specs.service_model("apprunner").operation_model("CreateService")
    params = {"ServiceName": "svc1", "Tags": [], "SourceConfiguration": {"ImageRepository": {
        "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC",
        "ImageConfiguration": {"RuntimeEnvironmentVariables": {}, "Port": "8080"}}}}
    assert roundtrip_request(operation, params) == params
    output = specs.service_model("apprunner").operation_model("ListServices")
    assert roundtrip_response(output, {"ServiceSummaryList": []}) == {"ServiceSummaryList": []}


def test_json_response_wire_form():
    operation = specs.service_model("apprunner").operation_model("ListOperations")
    started = datetime(2020, 11, 23, 16, 26, 54, tzinfo=UTC)
    status, headers, body = json_codec.serialize_response(operation, {
        "OperationSummaryList": [{"Id": "x", "Type": "CREATE_SERVICE", "StartedAt": started, "EndedAt": None,
                                  "Internal": "dropped"}], "NextToken": None}, "rid")
    assert status == 200
    assert headers == {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "rid"}
    assert json.loads(body) == {"OperationSummaryList": [{"Id": "x", "Type": "CREATE_SERVICE",
                                                          "StartedAt": 1606148814}]}
    ecr = specs.service_model("ecr").operation_model("GetAuthorizationToken")
    assert json_codec.serialize_response(ecr, {}, "r")[1]["Content-Type"] == "application/x-amz-json-1.1"


def test_query_response_wire_form_and_operations_without_output():
    iam = specs.service_model("iam")
    status, headers, body = query_codec.serialize_response(iam.operation_model("DeleteRole"), {}, "rid")
    assert (status, headers["Content-Type"]) == (200, "text/xml")
    assert body == (b'<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata>'
                    b"<RequestId>rid</RequestId></ResponseMetadata></DeleteRoleResponse>")
    sts = specs.service_model("sts").operation_model("GetCallerIdentity")
    body = query_codec.serialize_response(sts, {"UserId": "123456789012", "Account": "123456789012",
                                                "Arn": "arn:aws:iam::123456789012:root"}, "rid")[2]
    assert body.startswith(b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                           b"<GetCallerIdentityResult><UserId>123456789012</UserId>")


def test_blobs_round_trip_in_json():
    operation = specs.service_model("ecr").operation_model("UploadLayerPart")
    params = {"repositoryName": "repo", "uploadId": "u", "partFirstByte": 0, "partLastByte": 3,
              "layerPartBlob": bytes(range(256))}
    assert roundtrip_request(operation, params) == params


def test_query_params_from_the_url_are_merged():
    operation = specs.service_model("iam").operation_model("GetRole")
    assert query_codec.parse_request(operation, b"", {"Action": "GetRole", "RoleName": "from-url"}) == \
        {"RoleName": "from-url"}
    body = urlencode({"Action": "GetRole", "RoleName": "from-body"}).encode()
    assert query_codec.parse_request(operation, body, {"RoleName": "from-url"}) == {"RoleName": "from-body"}


@pytest.mark.parametrize("body,fragment", [
    (b"{not json", "Unable to parse"),
    (b"[1, 2]", "Start of structure"),
    (b'"text"', "Start of structure"),
    (b"\xff\xfe", "Unable to parse"),
    (b'{"ServiceName": 5}', "NUMBER_VALUE can not be converted to an String"),
    (b'{"SourceConfiguration": "x"}', "Start of structure"),
    (b'{"Tags": {"Key": "k"}}', "START_OBJECT can not be converted to a List"),
    (b'{"HealthCheckConfiguration": {"Interval": "5"}}', "STRING_VALUE can not be converted to an Integer"),
    (b'{"HealthCheckConfiguration": {"Interval": 1.5}}', "NUMBER_VALUE can not be converted to an Integer"),
    (b'{"SourceConfiguration": {"AutoDeploymentsEnabled": "true"}}', "can not be converted to a Boolean"),
])
def test_malformed_json_is_a_serialization_exception(body, fragment):
    operation = specs.service_model("apprunner").operation_model("CreateService")
    with pytest.raises(ServiceError) as caught:
        json_codec.parse_request(operation, body)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)
    assert fragment in caught.value.message


def test_json_lenient_where_aws_is():
    operation = specs.service_model("apprunner").operation_model("CreateService")
    assert json_codec.parse_request(operation, b"") == {}
    assert json_codec.parse_request(operation, b'{"HealthCheckConfiguration": {"Interval": 5.0}, "Zzz": 1, '
                                               b'"Tags": null}') == {"HealthCheckConfiguration": {"Interval": 5}}
    ecr = specs.service_model("ecr").operation_model("UploadLayerPart")
    with pytest.raises(ServiceError) as caught:
        json_codec.parse_request(ecr, b'{"layerPartBlob": "***"}')
    assert caught.value.code == "SerializationException"
    listing = specs.service_model("ecr").operation_model("DescribeImageScanFindings")
    assert listing.input_shape is not None


# An integer the query protocol cannot read is MalformedInput (recorded from AWS, 2026-09-12: radkawar/stackd,
# testdata/aws/sts/query_inputs.json and testdata/aws/iam/pagination_inputs.json).
@pytest.mark.parametrize("body,code", [
    (b"Action=ListRoles&MaxItems=ten", "MalformedInput"),
    (b"Action=ListRoles&MaxItems=", "MalformedInput"),
    (b"Action=ListRoles&MaxItems=1_0", "MalformedInput"),  # Python's int() reads these; no SDK writes them
    (b"Action=ListRoles&MaxItems=%2010", "MalformedInput"),
    (b"Action=ListRoles&MaxItems=0x10", "MalformedInput"),
    (b"Action=ListRoles&MaxItems=2147483648", "MalformedInput"),
    (b"Action=ListRoles&PathPrefix=%FF", "MalformedQueryString"),
    (b"Action=ListRoles&Marker=\xff", "MalformedQueryString"),
])
def test_malformed_query_input(body, code):
    operation = specs.service_model("iam").operation_model("ListRoles")
    with pytest.raises(ServiceError) as caught:
        query_codec.parse_request(operation, body)
    assert (caught.value.code, caught.value.status) == (code, 400)


def test_query_scalar_conversions():
    operation = specs.service_model("iam").operation_model("UpdateAccountPasswordPolicy")
    body = b"Action=UpdateAccountPasswordPolicy&MinimumPasswordLength=12&RequireSymbols=true&HardExpiry=0"
    assert query_codec.parse_request(operation, body) == {"MinimumPasswordLength": 12, "RequireSymbols": True,
                                                          "HardExpiry": False}
    for text in (b"yes", b"FALSE", b"True"):  # true, false, 1 and 0 exactly (tests/iam/test_stackd_recordings.py)
        with pytest.raises(ServiceError) as caught:
            query_codec.parse_request(operation, b"RequireSymbols=" + text)
        assert (caught.value.code, caught.value.status) == ("MalformedInput", 400), text


def test_query_numbers_are_read_as_sdks_write_them():
    operation = specs.service_model("sts").operation_model("AssumeRole")
    base = b"Action=AssumeRole&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s&DurationSeconds="
    assert query_codec.parse_request(operation, base + b"%2B900")["DurationSeconds"] == 900
    assert query_codec.parse_request(operation, base + b"0900")["DurationSeconds"] == 900
    for text in (b"9_00", b"900.0", b"%20900", b"9e2"):
        with pytest.raises(ServiceError) as caught:
            query_codec.parse_request(operation, base + text)
        assert (caught.value.code, caught.value.status) == ("MalformedInput", 400), text


def test_errors_carry_status_overrides_and_extra_members():
    ecr = specs.service_model("ecr")
    error = ServiceError("InvalidLayerPartException", "bad part", extra={"uploadId": "u1", "lastValidByteReceived": 9})
    status, headers, body = json_codec.serialize_error(ecr, error, "rid")
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidLayerPartException"
    assert json.loads(body) == {"__type": "InvalidLayerPartException", "message": "bad part", "uploadId": "u1",
                                "lastValidByteReceived": 9}
    apprunner = specs.service_model("apprunner")
    status, _headers, body = json_codec.serialize_error(apprunner, ServiceError("AccessDeniedException", "no", 403),
                                                        "rid")
    assert status == 403 and json.loads(body) == {"__type": "AccessDeniedException", "Message": "no"}
    sts = specs.service_model("sts")
    status, _headers, body = query_codec.serialize_error(sts, ServiceError("AccessDenied", "User: x", 403), "rid")
    assert status == 403
    assert body == (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                    b"<Code>AccessDenied</Code><Message>User: x</Message></Error><RequestId>rid</RequestId>"
                    b"</ErrorResponse>")
    iam = specs.service_model("iam")
    status, _headers, body = query_codec.serialize_error(iam, ServiceError("InternalFailure", "oops", 500, False), "r")
    assert status == 500 and b"<Type>Receiver</Type>" in body
