"""The AWS SDK for Java 2.x, the AWS SDK for .NET and the AWS SDK for Rust, on the wire: their requests, and their
reading of mockrunner's answers.

None of the three can be installed here (no Maven, NuGet or crates registry), so ``tests/ways/other_sdk_wire.py``
builds each request as the SDK builds it and reads each answer with re-implementations of the SDK's parser rules,
every rule citing the SDK source it follows (aws/aws-sdk-java-v2, aws/aws-sdk-net, smithy-lang/smithy-rs,
awslabs/aws-sdk-rust).  What each request carries that botocore's does not:

- Java 2.x: ``Content-Type: application/x-www-form-urlencoded; charset=utf-8``, ``amz-sdk-invocation-id`` and
  ``amz-sdk-request`` signed, ``User-Agent`` not signed, an explicitly empty list as ``Name=``;
- .NET: parameters in ordinal order of their names (``Tags.member.10`` before ``Tags.member.2``), a signed
  ``X-Amz-Content-SHA256`` on every request, JSON with every non-ASCII character and ``+<>&'`` as ``\\uXXXX``
  escapes (surrogate pairs for emoji), ``amz-sdk-*`` and ``User-Agent`` unsigned;
- Rust: ``Content-Type: application/x-www-form-urlencoded`` with no charset, ``x-amz-user-agent``, ``amz-sdk-*``
  signed, an empty list as ``Name=``.

What is checked of the answers: the query result where each SDK looks for it (Java: the root's first child; Rust:
``{Op}Response`` whose first element is ``{Op}Result``), the request id where each reads it, scalars as the
strictest reads them (RFC 3339 timestamps, ``true``/``false``, integers that are integers, base64 blobs), the three
error-code resolutions of the JSON protocols (header first, ``__type`` first, ``code`` first) agreeing, which answers
each retries, and clock correction: each SDK reads the server's time from the ``Date`` header (.NET can also read it
from the message), corrects its clock and is then accepted.

Found and fixed: mockrunner's HTTP server sent no ``Date`` header, so the Java and Rust SDKs could never correct a
skewed clock (.NET could, from the time in the error message) (test_every_answer_carries_a_date_each_sdk_reads and
the Java and Rust cases of test_a_skewed_clock_is_corrected_the_way_each_sdk_corrects_it failed before the fix).
Everything else held.
"""
from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer
from tests.ways.other_sdk_wire import (
    DOTNET,
    JAVA,
    RUST,
    SDKS,
    Client,
    Wire,
    corrected_offset,
    model,
    read_json,
    read_json_error,
    read_query,
    read_query_error,
    retried,
    server_time,
)

ACCOUNT = "123456789012"
PAGES = 10  # the most pages any listing here may take


def settings() -> Settings:
    return Settings(log_requests=False, operation_delay=0)


@pytest.fixture()
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(settings()) as running:
        yield running


@pytest.fixture(params=["inprocess", "http"])
def wire(request: pytest.FixtureRequest) -> Iterator[Wire]:
    if request.param == "http":
        with ThreadedServer(settings()) as running:
            yield Wire(server=running)
    else:
        yield Wire(app=create_app(settings()))


sdks = pytest.mark.parametrize("sdk", SDKS, ids=lambda sdk: sdk.name)


def members(prefix: str, items: list[dict[str, str]]) -> list[tuple[str, str]]:
    """A list of structures as query fields, ``Prefix.member.N.Key`` (Java's ListQueryMarshaller, .NET's generated
    marshallers, Rust's QueryListWriter alike)."""
    return [(f"{prefix}.member.{index}.{key}", value) for index, item in enumerate(items, 1) for key, value in
            item.items()]


def pages(fetch, token_name: str, request_name: str, key: str) -> list:
    """Every item of a paged listing, following ``token_name`` (at most :data:`PAGES` pages)."""
    items, token = [], None
    for _ in range(PAGES):
        result = fetch(token)
        items.extend(result.get(key, []))
        token = result.get(token_name)
        if not token:
            return items
    raise AssertionError(f"more than {PAGES} pages of {key}")


# ----------------------------------------------------------------------------------------------------------- IAM
@sdks
def test_iam_as_each_sdk_sends_and_reads_it(wire: Wire, sdk) -> None:
    iam = Client(wire, sdk, "iam")
    name = "wire.user+1@x=y,z"
    tags = [{"Key": f"k{index}", "Value": f"v {index} + é =/@:"} for index in range(1, 13)]
    answer = iam.query("CreateUser", [("UserName", name), ("Path", "/team/a/"), *members("Tags", tags)])
    created, request_id = read_query(sdk, "iam", "CreateUser", answer)
    assert created["User"]["UserName"] == name and created["User"]["Path"] == "/team/a/"
    assert isinstance(created["User"]["CreateDate"], datetime)
    assert request_id == answer.headers["x-amzn-requestid"]
    listed, _ = read_query(sdk, "iam", "ListUserTags", iam.query("ListUserTags", [("UserName", name)]))
    assert listed["Tags"] == tags and listed["IsTruncated"] is False

    # an explicitly empty list goes as "Tags=" (all three): no tags
    read_query(sdk, "iam", "CreateUser", iam.query("CreateUser", [("UserName", "bare"), ("Tags", "")]))
    assert read_query(sdk, "iam", "ListUserTags", iam.query("ListUserTags", [("UserName", "bare")]))[0]["Tags"] == []

    # booleans as "true"/"false"; a timestamp back
    iam.query("CreateLoginProfile", [("UserName", name), ("Password", "Str0ng!Pa55+word"),
                                     ("PasswordResetRequired", "true")])
    profile, _ = read_query(sdk, "iam", "GetLoginProfile", iam.query("GetLoginProfile", [("UserName", name)]))
    assert profile["LoginProfile"]["PasswordResetRequired"] is True
    assert isinstance(profile["LoginProfile"]["CreateDate"], datetime)

    # a policy document and a description needing every kind of escape; the document comes back URL-encoded
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*",
                                                        "Condition": {"StringLike": {"aws:UserAgent": "a+b & c"}}}]}
    description = "déploiement: a+b=c & 100% ~ (ok) <x>"
    policy, _ = read_query(sdk, "iam", "CreatePolicy", iam.query(
        "CreatePolicy", [("PolicyName", "wire-policy"), ("PolicyDocument", json.dumps(document, indent=2)),
                         ("Description", description)]))
    arn = policy["Policy"]["Arn"]
    fetched, _ = read_query(sdk, "iam", "GetPolicy", iam.query("GetPolicy", [("PolicyArn", arn)]))
    assert fetched["Policy"]["Description"] == description and fetched["Policy"]["IsAttachable"] is True
    version, _ = read_query(sdk, "iam", "GetPolicyVersion", iam.query(
        "GetPolicyVersion", [("PolicyArn", arn), ("VersionId", "v1")]))
    assert json.loads(unquote(version["PolicyVersion"]["Document"])) == document
    local, _ = read_query(sdk, "iam", "ListPolicies", iam.query(
        "ListPolicies", [("Scope", "Local"), ("OnlyAttached", "false")]))
    assert [item["Arn"] for item in local["Policies"]] == [arn]

    # blobs: a virtual MFA device's seed and QR code are base64
    device, _ = read_query(sdk, "iam", "CreateVirtualMFADevice", iam.query(
        "CreateVirtualMFADevice", [("VirtualMFADeviceName", "wire-mfa")]))
    assert device["VirtualMFADevice"]["QRCodePNG"].startswith(b"\x89PNG")
    assert base64.b32decode(device["VirtualMFADevice"]["Base32StringSeed"])

    # nested lists of structures (URL-encoded documents inside) and a map of integers
    details, _ = read_query(sdk, "iam", "GetAccountAuthorizationDetails", iam.query(
        "GetAccountAuthorizationDetails", [("Filter.member.1", "User"), ("Filter.member.2", "LocalManagedPolicy")]))
    assert {user["UserName"] for user in details["UserDetailList"]} == {name, "bare"}
    assert [version["VersionId"] for policy in details["Policies"] for version in policy["PolicyVersionList"]] == \
        ["v1"]
    summary, _ = read_query(sdk, "iam", "GetAccountSummary", iam.query("GetAccountSummary"))
    assert summary["SummaryMap"]["Users"] == 2 and summary["SummaryMap"]["Policies"] == 1

    # paging by Marker, IsTruncated read as a boolean
    for extra in ("u-a", "u-b"):
        iam.query("CreateUser", [("UserName", extra)])

    def page(marker):
        fields = [("MaxItems", "1")] + ([("Marker", marker)] if marker else [])
        return read_query(sdk, "iam", "ListUsers", iam.query("ListUsers", fields))[0]

    assert sorted(user["UserName"] for user in pages(page, "Marker", "Marker", "Users")) == \
        sorted(["bare", "u-a", "u-b", name])


@sdks
def test_iam_errors_as_each_sdk_reads_them(wire: Wire, sdk) -> None:
    iam = Client(wire, sdk, "iam")
    answer = iam.query("GetUser", [("UserName", "nobody")])
    failure = read_query_error(sdk, answer)
    assert (answer.status, failure.code) == (404, "NoSuchEntity")
    assert "nobody" in failure.message and failure.request_id == answer.headers["x-amzn-requestid"]
    if sdk is DOTNET:
        assert failure.kind == "Sender"
    assert not retried(sdk, failure, answer.status)

    # a quota: IAM's LimitExceeded (409) is no SDK's throttling code (.NET's and Rust's is LimitExceededException)
    iam.query("CreateUser", [("UserName", "keys")])
    for _ in range(2):
        read_query(sdk, "iam", "CreateAccessKey", iam.query("CreateAccessKey", [("UserName", "keys")]))
    answer = iam.query("CreateAccessKey", [("UserName", "keys")])
    failure = read_query_error(sdk, answer)
    assert (answer.status, failure.code) == (409, "LimitExceeded") and not retried(sdk, failure, answer.status)

    # a value the model refuses, read by every SDK with its message
    answer = iam.query("CreateUser", [("UserName", "bad name")])
    failure = read_query_error(sdk, answer)
    assert (answer.status, failure.code) == (400, "ValidationError") and "userName" in failure.message


# ----------------------------------------------------------------------------------------------------------- STS
@sdks
def test_sts_as_each_sdk_sends_and_reads_it(wire: Wire, sdk) -> None:
    iam = Client(wire, sdk, "iam")
    iam.query("CreateUser", [("UserName", "caller")])
    actions = ["sts:AssumeRole", "sts:TagSession"]
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.query("PutUserPolicy", [("UserName", "caller"), ("PolicyName", "assume"),
                                ("PolicyDocument", json.dumps(allow))])
    key = read_query(sdk, "iam", "CreateAccessKey", iam.query("CreateAccessKey", [("UserName", "caller")]))[0]
    sts = Client(wire, sdk, "sts", access_key=key["AccessKey"]["AccessKeyId"],
                 secret=key["AccessKey"]["SecretAccessKey"])
    root = f"arn:aws:iam::{ACCOUNT}:root"
    trust = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Principal": {"AWS": root}, "Action": actions}]}
    description = "first line\r\nsecond <line> & ü"  # a CR comes back as &#xD;, which all three unescape
    role, _ = read_query(sdk, "iam", "CreateRole", iam.query(
        "CreateRole", [("RoleName", "wire-role"), ("AssumeRolePolicyDocument", json.dumps(trust)),
                       ("Description", description), ("MaxSessionDuration", "3600")]))
    role_arn = role["Role"]["Arn"]
    fetched, _ = read_query(sdk, "iam", "GetRole", iam.query("GetRole", [("RoleName", "wire-role")]))
    assert fetched["Role"]["Description"] == description and fetched["Role"]["MaxSessionDuration"] == 3600
    fields = [("RoleArn", role_arn), ("RoleSessionName", "wire@session"), ("DurationSeconds", "900"),
              *members("PolicyArns", [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]),
              *members("Tags", [{"Key": "team", "Value": "a b+c"}, {"Key": "project", "Value": "wire"}]),
              ("TransitiveTagKeys.member.1", "team")]
    answer = sts.query("AssumeRole", fields)
    assumed, request_id = read_query(sdk, "sts", "AssumeRole", answer)
    assert request_id == answer.headers["x-amzn-requestid"]
    credentials = assumed["Credentials"]
    assert timedelta(minutes=14) < credentials["Expiration"] - datetime.now(UTC) <= timedelta(minutes=15)
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/wire-role/wire@session"
    assert isinstance(assumed["PackedPolicySize"], int)

    session = Client(wire, sdk, "sts", access_key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                     token=credentials["SessionToken"])
    identity, _ = read_query(sdk, "sts", "GetCallerIdentity", session.query("GetCallerIdentity"))
    assert identity == {"UserId": identity["UserId"], "Account": ACCOUNT, "Arn": assumed["AssumedRoleUser"]["Arn"]}

    # an explicitly empty PolicyArns ("PolicyArns=") is no list at all for STS
    again, _ = read_query(sdk, "sts", "AssumeRole", sts.query(
        "AssumeRole", [("RoleArn", role_arn), ("RoleSessionName", "plain"), ("PolicyArns", "")]))
    assert again["AssumedRoleUser"]["Arn"].endswith("/plain") and "PackedPolicySize" not in again

    token, _ = read_query(sdk, "sts", "GetSessionToken", sts.query("GetSessionToken", [("DurationSeconds", "900")]))
    assert isinstance(token["Credentials"]["Expiration"], datetime)

    answer = sts.query("AssumeRole", [("RoleArn", f"arn:aws:iam::{ACCOUNT}:role/missing"),
                                      ("RoleSessionName", "ss")])
    failure = read_query_error(sdk, answer)
    assert (answer.status, failure.code) == (403, "AccessDenied") and failure.message
    assert failure.request_id == answer.headers["x-amzn-requestid"]


# ----------------------------------------------------------------------------------------------------------- ECR
@sdks
def test_ecr_as_each_sdk_sends_and_reads_it(wire: Wire, sdk) -> None:
    ecr = Client(wire, sdk, "ecr")
    tag_value = "é 😀 +<>&' \"q\""
    answer = ecr.json("CreateRepository", {"repositoryName": "wire/app", "imageTagMutability": "IMMUTABLE",
                                           "imageScanningConfiguration": {"scanOnPush": True},
                                           "tags": [{"Key": "team", "Value": tag_value}]})
    created, request_id = read_json(sdk, "ecr", "CreateRepository", answer)
    repository = created["repository"]
    assert isinstance(repository["createdAt"], datetime) and request_id
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    tags, _ = read_json(sdk, "ecr", "ListTagsForResource", ecr.json(
        "ListTagsForResource", {"resourceArn": repository["repositoryArn"]}))
    assert tags["tags"] == [{"Key": "team", "Value": tag_value}]

    for name in ("wire/b", "wire/c"):
        read_json(sdk, "ecr", "CreateRepository", ecr.json("CreateRepository", {"repositoryName": name}))

    def page(token):
        return read_json(sdk, "ecr", "DescribeRepositories", ecr.json(
            "DescribeRepositories", {"maxResults": 1, **({"nextToken": token} if token else {})}))[0]

    assert sorted(item["repositoryName"] for item in pages(page, "nextToken", "nextToken", "repositories")) == \
        ["wire/app", "wire/b", "wire/c"]

    # a blob and two longs
    upload, _ = read_json(sdk, "ecr", "InitiateLayerUpload", ecr.json("InitiateLayerUpload",
                                                                      {"repositoryName": "wire/app"}))
    part = bytes(range(256)) * 4
    uploaded, _ = read_json(sdk, "ecr", "UploadLayerPart", ecr.json("UploadLayerPart", {
        "repositoryName": "wire/app", "uploadId": upload["uploadId"], "partFirstByte": 0,
        "partLastByte": len(part) - 1, "layerPartBlob": base64.b64encode(part).decode()}))
    assert uploaded["lastByteReceived"] == len(part) - 1

    token, _ = read_json(sdk, "ecr", "GetAuthorizationToken", ecr.json("GetAuthorizationToken"))
    data = token["authorizationData"][0]
    assert isinstance(data["expiresAt"], datetime)
    assert base64.b64decode(data["authorizationToken"]).startswith(b"AWS:")

    answer = ecr.json("DescribeRepositories", {"repositoryNames": ["missing"]})
    readings = {other.name: read_json_error(other, answer) for other in SDKS}
    assert {failure.code for failure in readings.values()} == {"RepositoryNotFoundException"}, readings
    assert answer.status == 400 and readings[sdk.name].message and "missing" in readings[sdk.name].message
    assert readings[sdk.name].request_id == answer.headers["x-amzn-requestid"]


# ---------------------------------------------------------------------------------------------------- App Runner
@sdks
def test_apprunner_as_each_sdk_sends_and_reads_it(wire: Wire, sdk) -> None:
    apprunner = Client(wire, sdk, "apprunner")
    variables = {"GREETING": "héllo + <world> & 😀", "EMPTY": ""}
    source = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                                  "ImageRepositoryType": "ECR_PUBLIC",
                                  "ImageConfiguration": {"Port": "8080", "RuntimeEnvironmentVariables": variables}},
              "AutoDeploymentsEnabled": False}
    answer = apprunner.json("CreateService", {"ServiceName": "wire-web", "SourceConfiguration": source,
                                              "InstanceConfiguration": {"Cpu": "1 vCPU", "Memory": "2 GB"},
                                              "Tags": [{"Key": "team", "Value": "a+b <c>"}]})
    created, request_id = read_json(sdk, "apprunner", "CreateService", answer)
    service = created["Service"]
    assert isinstance(service["CreatedAt"], datetime) and request_id == answer.headers["x-amzn-requestid"]
    described, _ = read_json(sdk, "apprunner", "DescribeService", apprunner.json(
        "DescribeService", {"ServiceArn": service["ServiceArn"]}))
    configuration = described["Service"]["SourceConfiguration"]
    assert configuration["ImageRepository"]["ImageConfiguration"]["RuntimeEnvironmentVariables"] == variables
    assert configuration["AutoDeploymentsEnabled"] is False

    read_json(sdk, "apprunner", "CreateService", apprunner.json(
        "CreateService", {"ServiceName": "wire-other", "SourceConfiguration": source}))

    def page(token):
        return read_json(sdk, "apprunner", "ListServices", apprunner.json(
            "ListServices", {"MaxResults": 1, **({"NextToken": token} if token else {})}))[0]

    assert sorted(item["ServiceName"] for item in pages(page, "NextToken", "NextToken", "ServiceSummaryList")) == \
        ["wire-other", "wire-web"]

    scaling, _ = read_json(sdk, "apprunner", "CreateAutoScalingConfiguration", apprunner.json(
        "CreateAutoScalingConfiguration", {"AutoScalingConfigurationName": "wire-asc", "MaxConcurrency": 50,
                                           "MinSize": 1, "MaxSize": 3}))
    configuration = scaling["AutoScalingConfiguration"]
    assert (configuration["MaxConcurrency"], configuration["MinSize"], configuration["MaxSize"]) == (50, 1, 3)
    assert configuration["Latest"] is True

    missing = service["ServiceArn"].rsplit("/", 1)[0] + "/" + "0" * 32
    answer = apprunner.json("DescribeService", {"ServiceArn": missing})
    readings = {other.name: read_json_error(other, answer) for other in SDKS}
    assert {failure.code for failure in readings.values()} == {"ResourceNotFoundException"}, readings
    assert {failure.message for failure in readings.values()} == {readings[sdk.name].message} != {None}
    assert not any(retried(other, readings[other.name], answer.status) for other in SDKS)


# -------------------------------------------------------------------------------------- the Date header, clock skew
def test_every_answer_carries_a_date_each_sdk_reads(server: ThreadedServer) -> None:
    """Java's ClockSkew.getServerTime, Rust's ServiceClockSkewInterceptor and .NET's TryParseDateHeader read the
    server's time from ``Date`` (.NET only in exactly ``ddd, dd MMM yyyy HH:mm:ss GMT``); every answer has one, the
    time it was sent: successes and errors of both protocols, and the registry's."""
    wire = Wire(server=server)
    answers = [Client(wire, JAVA, "sts").query("GetCallerIdentity"),
               Client(wire, RUST, "iam").query("GetUser", [("UserName", "nobody")]),
               Client(wire, DOTNET, "ecr").json("DescribeRepositories"),
               Client(wire, JAVA, "apprunner").json("DescribeService", {"ServiceArn": "arn:aws:apprunner:x"})]
    before = datetime.now(UTC).replace(microsecond=0)
    answers.append(Client(wire, RUST, "ecr").json("DescribeRepositories", {"repositoryNames": ["none"]}))
    after = datetime.now(UTC)
    for sdk in SDKS:
        for answer in answers:
            assert server_time(sdk, answer, None) is not None, (sdk.name, answer.headers)
        assert before <= server_time(sdk, answers[-1], None) <= after
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("GET", "/v2/")
        response = connection.getresponse()
        response.read()
        assert response.getheader("Date") and response.status == 401
    finally:
        connection.close()


@pytest.mark.parametrize("service", ["iam", "ecr"])
@pytest.mark.parametrize("skew", [-20, 20], ids=["slow-clock", "fast-clock"])
@sdks
def test_a_skewed_clock_is_corrected_the_way_each_sdk_corrects_it(server: ThreadedServer, sdk, service: str,
                                                                  skew: int) -> None:
    """A client clock 20 minutes off is refused (query: SignatureDoesNotMatch 403; JSON: InvalidSignatureException
    400), each SDK finds the server's time in the answer and the next request, signed with the corrected clock, is
    accepted.  Rust only ever adds a positive skew (``max(server - received, 0)``): a fast clock stays refused there,
    as against AWS."""
    client = Client(Wire(server=server), sdk, service, offset=timedelta(minutes=skew))
    call = (lambda: client.query("ListUsers")) if service == "iam" else (lambda: client.json("DescribeRepositories"))
    sent_at = datetime.now(UTC)
    answer = call()
    received_at = datetime.now(UTC)
    failure = read_query_error(sdk, answer) if service == "iam" else read_json_error(sdk, answer)
    expected = ("SignatureDoesNotMatch", 403) if service == "iam" else ("InvalidSignatureException", 400)
    assert (failure.code, answer.status) == expected
    offset = corrected_offset(sdk, client, answer, failure, sent_at, received_at)
    if sdk is RUST and skew > 0:
        assert offset == client.offset  # nothing to add: Rust leaves a fast clock alone
        return
    assert offset is not None, f"{sdk.name} found no server time in {answer.headers}"
    client.offset = offset
    again = call()
    assert again.status == 200, again.body[:300]


@sdks
def test_a_wrong_secret_is_no_clock_skew_for_any_sdk(server: ThreadedServer, sdk) -> None:
    """SignatureDoesNotMatch and InvalidSignatureException are in Java's and .NET's clock-skew codes, but with the
    server's ``Date`` within minutes of the client's clock neither corrects nor retries (Java: under 4 minutes;
    .NET: under 5); Rust's measured skew stays zero."""
    wire = Wire(server=server)
    for service in ("sts", "ecr"):
        client = Client(wire, sdk, service, secret="not-the-secret")
        sent_at = datetime.now(UTC)
        answer = client.query("GetCallerIdentity") if service == "sts" else client.json("DescribeRepositories")
        received_at = datetime.now(UTC)
        failure = read_query_error(sdk, answer) if service == "sts" else read_json_error(sdk, answer)
        assert failure.code in ("SignatureDoesNotMatch", "InvalidSignatureException")
        assert not retried(sdk, failure, answer.status)
        offset = corrected_offset(sdk, client, answer, failure, sent_at, received_at)
        assert offset is None or offset == timedelta(0)


def test_dotnet_payload_hash_header_must_match_the_body(wire: Wire) -> None:
    """.NET signs ``X-Amz-Content-SHA256`` on every request: a body other than the one it names is refused, whatever
    the signature says of the header."""
    client = Client(wire, DOTNET, "ecr")
    good = client.json("DescribeRepositories")
    assert good.status == 200
    original = wire.send

    def tamper(headers: dict[str, str], body: bytes):
        return original(headers, body.replace(b"{}", b"[]"))

    wire.send = tamper
    try:
        answer = client.json("DescribeRepositories")
    finally:
        wire.send = original
    assert answer.status == 400 and read_json_error(DOTNET, answer).code == "InvalidSignatureException"


def test_every_operation_needing_no_input_is_read_by_each_sdk_on_the_example_seed() -> None:
    """Every operation of the four services whose input has no required member, called with none by each SDK on the
    example seed's state (users, roles, policies, repositories, services): each answer is read without fault by that
    SDK's deserializer rules (types, timestamps, blobs, result location, error envelope), and none is a 5xx."""
    seed = str(Path(__file__).resolve().parents[2] / "examples" / "seed.json")
    app = create_app(Settings(log_requests=False, operation_delay=0, seed_files=(seed,)))
    wire = Wire(app=app)
    called = 0
    for service in ("iam", "sts", "ecr", "apprunner"):
        query = service in ("iam", "sts")
        for operation in model(service).operation_names:
            shape = model(service).operation_model(operation).input_shape
            if shape is not None and shape.required_members:
                continue
            for sdk in SDKS:
                client = Client(wire, sdk, service)
                answer = client.query(operation) if query else client.json(operation)
                assert answer.status < 500, (service, operation, answer.body[:300])
                if answer.status < 300:
                    (read_query if query else read_json)(sdk, service, operation, answer)
                else:
                    assert (read_query_error if query else read_json_error)(sdk, answer).code
                called += 1
    assert called > 150
    listed = read_json(JAVA, "ecr", "DescribeRepositories", Client(wire, JAVA, "ecr").json("DescribeRepositories"))[0]
    assert listed["repositories"], "the seed's repositories"
