"""An attacker's requests, over real HTTP: forged or malformed credentials get the protocol's own refusal (never a
500), a signature covers what decides the operation, and policies cannot be made to stall the engine."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path

import botocore.exceptions
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.harness import Harness

ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921."
DIGEST = "sha256:" + "a" * 64


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()


def _signed(harness: Harness, service: str, headers: dict, body: bytes, unsigned: tuple[str, ...] = ()) -> dict:
    """Headers of a request signed by the root key, leaving the ``unsigned`` headers out of the signature."""
    host = harness.endpoint_url.removeprefix("http://")
    request = AWSRequest("POST", harness.endpoint_url + "/", headers={"Host": host, **headers}, data=body)
    signer = SigV4Auth(Credentials("test", "test"), service, "us-east-1")
    chosen = signer.headers_to_sign

    def headers_to_sign(req):
        names = chosen(req)
        for name in unsigned:
            del names[name]
        return names

    signer.headers_to_sign = headers_to_sign
    signer.add_auth(request)
    return dict(request.headers)


# ------------------------------------------------------------------------------------------------ SigV4
def test_a_signature_with_non_ascii_characters_is_a_signature_mismatch_not_a_500(server):
    """hmac.compare_digest refuses str with non-ASCII characters (TypeError): it was a 500 InternalFailure."""
    headers = _signed(server, "sts", {"Content-Type": "application/x-www-form-urlencoded"},
                      b"Action=GetCallerIdentity&Version=2011-06-15")
    headers["Authorization"] = headers["Authorization"].rsplit("Signature=", 1)[0] + "Signature=\u00e9\u00e9"
    response = requests.post(server.endpoint_url + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                             headers={k: v.encode("latin-1") for k, v in headers.items()}, timeout=10)
    assert response.status_code == 403, response.text
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text


@pytest.mark.parametrize("extra, status", [(19_000, 200), (30_000, 400)])
def test_a_form_body_of_too_many_fields_is_refused_before_it_is_parsed(server, extra, status):
    """Millions of tiny fields (``a=&a=&...``) took gigabytes to parse, before authentication; more than 20,000
    fields are refused as MalformedQueryString, whatever they are."""
    body = b"Action=ListUsers&Version=2010-05-08" + b"&a=" * extra
    headers = _signed(server, "iam", {"Content-Type": "application/x-www-form-urlencoded"}, body)
    response = requests.post(server.endpoint_url + "/", data=body, headers=headers, timeout=30)
    assert response.status_code == status, response.text[:300]
    if status == 400:
        assert "<Code>MalformedQueryString</Code>" in response.text
        assert "more than 20000 parameters" in response.text
    else:
        assert "<ListUsersResult>" in response.text


def test_an_unsigned_x_amz_target_cannot_turn_a_signed_request_into_another_operation(server):
    """The target names the operation (and so the action authorized): leaving it out of SignedHeaders would let
    anyone who saw the request replay it as any other operation with the same body."""
    body = b"{}"
    headers = _signed(server, "ecr", {"X-Amz-Target": ECR_TARGET + "DescribeRepositories",
                                      "Content-Type": "application/x-amz-json-1.1"}, body, unsigned=("x-amz-target",))
    headers["X-Amz-Target"] = ECR_TARGET + "GetAuthorizationToken"
    response = requests.post(server.endpoint_url + "/", data=body, headers=headers, timeout=10)
    assert response.status_code == 400, response.text
    assert response.json()["__type"] == "InvalidSignatureException"
    assert "authorizationData" not in response.text
    signed = _signed(server, "ecr", {"X-Amz-Target": ECR_TARGET + "DescribeRepositories",
                                     "Content-Type": "application/x-amz-json-1.1"}, body)
    assert requests.post(server.endpoint_url + "/", data=body, headers=signed, timeout=10).status_code == 200


# ------------------------------------------------------------------------------------------------ registry
@pytest.mark.parametrize("password", [
    _b64(b"[" * 5000 + b"]" * 5000) + ".x",
    _b64(json.dumps({"k": "test", "t": None, "a": "123456789012", "r": "us-east-1", "e": 4102444800}).encode())
    + ".\u00e9",
])
def test_forged_registry_passwords_are_refused_with_401_not_a_500(server, password):
    """A password whose payload is JSON nested too deeply (RecursionError), or whose signature has non-ASCII
    characters (compare_digest's TypeError), was a registry 500."""
    response = requests.get(server.endpoint_url + "/v2/", headers={"Authorization": _basic(password)}, timeout=10)
    assert response.status_code == 401, response.text
    assert "Basic" in response.headers["WWW-Authenticate"]


def test_a_registry_password_with_an_unrepresentable_expiry_is_refused_not_a_500(server):
    """Signed with the key's own secret but with an expiry no date can hold: 401, not a 500 from fromtimestamp."""
    import hashlib
    import hmac

    body = _b64(json.dumps({"k": "test", "t": None, "a": "123456789012", "r": "us-east-1", "e": 10 ** 20}).encode())
    signature = _b64(hmac.new(b"test", body.encode(), hashlib.sha256).digest())
    response = requests.get(server.endpoint_url + "/v2/", headers={"Authorization": _basic(f"{body}.{signature}")},
                            timeout=10)
    assert response.status_code in (401, 403), response.text
    assert response.status_code < 500


def test_a_download_url_with_a_non_ascii_signature_is_denied_not_a_500(server):
    server.client("ecr").create_repository(repositoryName="app")
    url = (f"{server.endpoint_url}/v2/app/blobs/{DIGEST}?registryId=123456789012&region=us-east-1"
           f"&expires=4102444800&signature=%C3%A9")
    response = requests.get(url, timeout=10)
    assert response.status_code == 403, response.text
    assert response.json()["errors"][0]["code"] == "DENIED"


# ------------------------------------------------------------------------------------------------ OIDC
def _issuer_signed(harness: Harness, issuer: str, payload: str) -> str:
    """A JWT of the raw JSON ``payload`` signed RS256 by the built-in IdP's key for ``issuer``."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from mockrunner.oidc.keys import private_key, signing_key

    key = signing_key(harness.store, issuer)[0]
    signing_input = f"{_b64(json.dumps({'alg': 'RS256', 'typ': 'JWT', 'kid': key.kid}).encode())}." \
                    f"{_b64(payload.encode())}"
    signature = private_key(harness.store, key).sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


@pytest.mark.parametrize("claim,value", [("exp", "1e999"), ("exp", "NaN"), ("exp", "-1e999"), ("nbf", "1e999"),
                                         ("iat", "NaN"), pytest.param("exp", "1" + "0" * 400, id="exp-400-digits"),
                                         pytest.param("iat", "-" + "9" * 400, id="iat-minus-400-digits")])
def test_a_web_identity_token_with_a_non_finite_time_claim_is_rejected_not_a_500(server, claim, value):
    """json reads 1e999 as infinity and NaN as nan; int() of either raised (500) after the signature checked, as
    math.isfinite did for a 400-digit integer."""
    issuer = "https://token.actions.githubusercontent.com"
    iam = server.client("iam")
    provider = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["sts.amazonaws.com"],
                                                   ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    iam.create_role(RoleName="ci", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}}]}))
    claims = {"iss": json.dumps(issuer), "sub": '"repo:a/b:ref:refs/heads/main"', "aud": '"sts.amazonaws.com"',
              "exp": "4102444800", "iat": "1700000000", claim: value}  # JSON texts: NaN cannot pass the admin API
    payload = "{" + ", ".join(f'"{name}": {text}' for name, text in claims.items()) + "}"
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        server.client("sts").assume_role_with_web_identity(
            RoleArn="arn:aws:iam::123456789012:role/ci", RoleSessionName="ci",
            WebIdentityToken=_issuer_signed(server, issuer, payload))
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] < 500, error
    assert error["Error"]["Code"] == "IDPRejectedClaim"


def test_a_web_identity_token_signed_with_the_wrong_key_kind_or_another_issuers_key_is_invalid(server):
    """HS256 keyed with the issuer's own public key (key confusion), and a token naming another issuer's key id or
    signed by another issuer's key without one: InvalidIdentityToken, never accepted."""
    import hashlib
    import hmac

    import jwt
    from cryptography.hazmat.primitives import serialization

    from mockrunner.oidc.keys import private_key, signing_key
    from tests.iam.federation import GITHUB, deploy_role, github_provider, mint

    github_provider(server)
    role = deploy_role(server, "ci", "repo:a/b:ref:refs/heads/main")
    good = mint(server, github={"repository": "a/b", "ref": "refs/heads/main"})
    claims = jwt.decode(good, options={"verify_signature": False})
    own = private_key(server.store, signing_key(server.store, GITHUB)[0])
    public_pem = own.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    head = _b64(json.dumps({"alg": "HS256", "kid": jwt.get_unverified_header(good)["kid"]}).encode())
    signing_input = f"{head}.{_b64(json.dumps(claims).encode())}"
    confused = f"{signing_input}.{_b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())}"
    mint(server, issuer="https://evil.example.com", claims={"sub": "x", "aud": "x"})
    other_key = signing_key(server.store, "https://evil.example.com")[0]
    foreign_kid = jwt.encode(claims, private_key(server.store, other_key), "RS256", headers={"kid": other_key.kid})
    no_kid = jwt.encode(claims, private_key(server.store, other_key), "RS256")
    for token in (confused, foreign_kid, no_kid):
        response = requests.post(server.endpoint_url + "/", data={
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role,
            "RoleSessionName": "ci", "WebIdentityToken": token}, timeout=10)
        assert response.status_code == 400, response.text
        assert "<Code>InvalidIdentityToken</Code>" in response.text
    assert requests.post(server.endpoint_url + "/", data={
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role, "RoleSessionName": "ci",
        "WebIdentityToken": good}, timeout=10).status_code == 200


# ------------------------------------------------------------------------------------------------ sessions
def test_a_session_of_a_deleted_role_gets_nothing_from_a_new_role_of_the_same_name(aws):
    """A role session belongs to the role it assumed (its unique id, the AROA... in its user id); a new role
    that reuses the name is another role, as for policies that name a deleted principal."""
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.put_user_policy(UserName="alice", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "sts:AssumeRole"}]})
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="deployer", PolicyArn=admin)
    alice = aws.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    for _ in range(50):  # a new access key takes effect at once here, but keep the test honest if it ever lags
        try:
            credentials = alice.assume_role(RoleArn="arn:aws:iam::123456789012:role/deployer",
                                            RoleSessionName="old")["Credentials"]
            break
        except botocore.exceptions.ClientError:
            time.sleep(0.01)
    session = aws.client_for(credentials, "iam")
    assert session.list_users()["Users"]
    iam.detach_role_policy(RoleName="deployer", PolicyArn=admin)
    iam.delete_role(RoleName="deployer")
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="deployer", PolicyArn=admin)
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        session.list_users()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    fresh = alice.assume_role(RoleArn="arn:aws:iam::123456789012:role/deployer", RoleSessionName="new")
    assert aws.client_for(fresh["Credentials"], "iam").list_users()["Users"]


# ------------------------------------------------------------------------------------------------ matching
WILD = "*a" * 12 + "*b"
STATEMENTS = {
    "resource": {"Effect": "Allow", "Action": "ecr:DescribeRepositories",
                 "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/" + WILD},
    "StringLike": {"Effect": "Allow", "Action": "ecr:DescribeRepositories", "Resource": "*",
                   "Condition": {"StringLike": {"ecr:ResourceTag/team": WILD}}},
    "ArnLike": {"Effect": "Allow", "Action": "ecr:DescribeRepositories", "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/" + WILD}}},
}
SCENARIO = """
import json, sys
import botocore.exceptions
from tests.harness import Harness

statement = json.loads(sys.argv[1])
harness = Harness("inprocess")
name = "a" * 200
iam = harness.client("iam")
iam.create_user(UserName=name[:64])
key = iam.create_access_key(UserName=name[:64])["AccessKey"]
iam.put_user_policy(UserName=name[:64], PolicyName="wild",
                    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
harness.client("ecr").create_repository(repositoryName=name, tags=[{"Key": "team", "Value": "a" * 200}])
ecr = harness.client("ecr", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
try:
    ecr.describe_repositories(repositoryNames=[name])
    print("allowed")
except botocore.exceptions.ClientError as error:
    print(error.response["Error"]["Code"])
"""


@pytest.mark.parametrize("kind", sorted(STATEMENTS))
def test_many_wildcards_against_a_long_value_do_not_stall_the_engine(kind):
    """Globs were regexes with one backtracking ``.*`` per ``*``: 12 wildcards against a 200-character name ran
    for hours, holding the store lock.  Matching is now linear and the call is denied like any other.  In a
    child process with a generous deadline: a hang detector, not a speed measurement (the regex engine holds the
    interpreter while it backtracks, so nothing in the same process could stop it)."""
    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run([sys.executable, "-c", SCENARIO, json.dumps(STATEMENTS[kind])], cwd=root,
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"matching {WILD!r} against a 200-character value did not finish in 120 s")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "AccessDeniedException"
