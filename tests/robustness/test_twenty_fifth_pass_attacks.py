"""An attacker's twenty-fifth pass: federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) and the admin surface
(``/_mockrunner/...`` and the dashboard).  boto3 in both modes for STS, the app's HTTP interface (a real server or
werkzeug's client) for the admin API and the dashboard.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
an EncryptedAssertion whose AES-GCM cipher text is         **fixed (high).** Unauthenticated 500 InternalFailure:
tampered or cut short (the key wrapped for the             cryptography's InvalidTag is not a ValueError.  Now
provider's public key, which the IdP is given)             "Failed to decrypt the SAML assertion ..." (400).
a ``ds:Signature`` without ``SignedInfo`` (assertion or    **fixed (high).** Unauthenticated 500: signxml's schema
response level)                                            check raised lxml's DocumentInvalid, which nobody caught.
                                                           Now "Response signature invalid".
a web identity token whose claims hold half a UTF-16       **fixed (medium).** Taken: the answer showed U+FFFD, but
surrogate pair (``"sub": "a\\ud800"``, signed with a     the decision log kept the raw string and the dashboard's
key registered for the issuer)                             page of that decision answered 500.  Such a header or
                                                           claims set is not UTF-8 JSON: "not a valid JWT".
``https://aws.amazon.com/source_identity`` of ``aws:x``,   **fixed (medium).** Taken as the session's source
``a b``, 65 characters, a control character, ``""``; or    identity; a number was silently dropped.  Held to
a number or a list                                         AssumeRole's ``SourceIdentity`` rules as the SAML
                                                           attribute already was: ``IDPRejectedClaim``.
admin bodies (``/seed``, ``/state``, ``/saml/metadata``,   **fixed (medium).** ``/seed``, ``/state`` and the SAML IdP
``/saml/assertion``, ``/oidc/token``) holding ``\\ud800``    answered 500; ``/oidc/token`` kept a key under an issuer
                                                           no export could be imported back with.  Now 400
                                                           ``MalformedJSON``; a state *file* holding one is refused
                                                           at load with its path and field (was a traceback).
session tags from a token (``principal_tags``) or an       **fixed (low).** Taken as session tags.  Now held to the
assertion (``PrincipalTag:<key>``): an empty, 129-         ``Tag`` rules: ``ValidationError`` "Unable to validate
character or ``a*`` key, a control character, a 257-       tags" (web identity, as recorded from AWS) and
character value                                            ``InvalidIdentityToken`` (SAML).
signed assertions: a second ``AudienceRestriction``        **fixed (low).** Each was taken (the first NameID read as
naming only another SP; a ``Condition`` not understood;    the subject).  SAML core: every restriction must hold, an
a second ``Conditions`` (its NotOnOrAfter passed); two     unknown condition makes the assertion indeterminate; one
``NameID``                                                 Subject, one identifier.  Now ``InvalidIdentityToken``.
a registered JWK with ``"alg": "RS256"`` and a token       **held (revised).** Verified with that key, as AWS does
signed with that key as ``RS512``                          (a JWK's ``alg`` was once made binding here; a recording
                                                           of AWS showed it is not, so that fix was withdrawn).
``/saml/assertion`` and ``/saml/metadata`` with a NUL or   **fixed (low).** 500 (lxml refuses the text, IndexError on
other control character, a non-string ``subjectType``,     ``[]``); now 400 ``InvalidSamlRequest`` naming the field.
``[]`` for a one-string field                              An OIDC issuer with a control character is refused too.
an imported state whose SAML provider private key or       **fixed (medium).** Every AssumeRoleWithSAML with an
OIDC signing key is garbage or not a key of its            encrypted assertion (unsigned calls), every
algorithm (an EC key for RS256 or for decryption)          AssumeRoleWithWebIdentity for that issuer, its JWKS and
                                                           minting answered 500.  Such a key decrypts, signs and
                                                           verifies nothing (fail closed, as unreadable metadata
                                                           already was); a fresh key signs for its algorithm.
``PUT /oidc/jwks`` with ``{"keys": ["x"]}``; a state       **fixed (medium).** The admin call answered 500; the
import whose ``registered_jwks`` holds such a list (or     import was taken and every AssumeRoleWithWebIdentity for
``{}``, an ``oct`` key)                                    that issuer answered 500.  ``InvalidJwks`` / the import
                                                           checks each issuer's JWKS as ``PUT /oidc/jwks`` does.
a state import whose SAML IdP key or certificate is        **fixed (low).** Taken; every ``POST /saml/assertion`` for
garbage or not the key's                                   that IdP answered 500.  Checked as ``PUT /saml/keys``.
=========================================================  ==========================================================

Probed and held (checked by hand unless a test here or elsewhere pins it):

* JWT algorithms: ``none``/``None``, ``HS256`` signed with the issuer's RSA public key (PEM), ``PS256``, ``alg`` as
  a list: "Unsupported token signing algorithm".  An embedded ``jwk`` header is ignored (the issuer's keys only).
  ``kid`` absent (every key of the issuer is tried), of another issuer, a list or a number: refused.  ``crit``
  naming any extension (``exp``, ``b64``): not a valid JWT.  Padded or whitespace-wrapped segments, a fourth
  segment, invalid base64url, non-UTF-8 payload bytes, an array header or payload, 5,000-deep nesting, a
  5,000-digit number: not a valid JWT.
* Claims: ``exp``/``nbf``/``iat`` as strings, booleans, NaN, Infinity, 1e308, 1e400, 10^30: ``IDPRejectedClaim``;
  2^63-1 taken; a float taken; ``-(2^63-1)`` expired.  ``iss`` as a number or list: rejected.  ``aud`` as an object:
  rejected; as a list, any member may match; an empty list with ``azp``: ``azp`` matches.  An empty ``sub``:
  rejected.  Tokens over 20,000 characters: the model's bound.  Duplicate claim names: the last wins, for the
  claims and the signature check alike (one parse).  Control characters in ``sub`` reach ``<provider>:sub`` as
  sent and the XML answer as U+FFFD.  ``iss`` with a trailing slash or in upper case: another provider.  A
  provider deleted "mid-flight": every call runs in one hold of the store lock.
* SAML: comment truncation, wrapping, entities and dates (``test_saml_attacks.py``); a processing instruction or
  CDATA inside a signed ``NameID`` is read whole; two direct assertions refused, one nested in ``Extensions`` never
  read; unknown or HMAC signature/digest/c14n algorithms, ``#xpointer(/)``, ``file:`` and ``http:`` references, XSLT
  and XPath transforms, two references, a duplicated ``ID``, missing ``Reference``/``DigestValue``/
  ``SignatureValue``/``SignatureMethod``, an emptied signature: "Response signature invalid".  A garbage KeyInfo
  certificate is ignored (the metadata's certificates verify).
* Admin surface: cross-origin, rebinding and token checks as pinned by ``test_admin_browser_attacks.py`` and the
  nineteenth/twentieth passes; no CORS headers at all; markup in token claims, tag keys and values shows escaped
  on the decision list, the decision page and ``/decisions``; a state import naming ``<script>`` is refused by the
  name pattern; the OIDC and SAML admin routes fuzzed with 17 value types per field: no 5xx after the fixes.

Found and left alone: AssumeRoleWithSAML against a provider whose metadata holds 7,000 signing certificates (8.7 MB,
within IAM's 10 MB bound) costs 1.9 s under the store lock (one signxml verification per certificate); it takes an
account principal allowed ``iam:CreateSAMLProvider`` to upload such metadata; ~70 ``EncryptedKey`` elements against
two 4,096-bit provider keys cost about 1 s the same way.  A decrypted-but-unsigned CBC
assertion answers "Response signature invalid" where garbage answers "Failed to decrypt" (the XML Encryption
format oracle; AWS's answers are not public).  ``aws:`` session tag keys from a token or an assertion are taken
(the ``Tag`` pattern allows ``:``).  ``ProviderId`` is ignored; ``aws:FederatedProvider`` is not in the context of
web identity sessions' later calls (a policy naming it never allows).  The admin discovery document echoes any
``<host/path>`` (JSON, guarded like every admin route).
"""
from __future__ import annotations

import base64
import json

import jwt
import pytest
import requests
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.persistence import CorruptStateError, encode_file
from mockrunner.saml.xml import NAMESPACES, SAML, tag
from tests.harness import Harness
from tests.iam.federation import GITHUB_HOST, admin, assume, deploy_role, github_provider, mint, web_identity_trust
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc
from tests.iam.saml_federation import assume as assume_with_saml
from tests.iam.saml_federation import rsa_key_pems, saml_provider, saml_response, saml_role
from tests.robustness.test_saml_attacks import _encoded, _resigned

NOT_A_JWT = ("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent "
             "an Access Token)", 400)
TAGS = "https://aws.amazon.com/tags"
SOURCE_IDENTITY = "https://aws.amazon.com/source_identity"
ISSUER = "https://auth.example.org/realms/ci"


def _refused(call, *args, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return aws_error(excinfo)


def _tagging_role(aws) -> str:
    return deploy_role(aws, "tagging", "repo:*", operator="StringLike",
                       actions=["sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"],
                       policies={"all": doc(allow("*"))})


def _own_issuer(aws, alg: str | None = None) -> tuple[object, str]:
    """An OIDC provider for :data:`ISSUER` whose JWKS (one RSA key, ``kid`` k1) the test holds the private half of,
    and a role trusting it for any subject."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())), "kid": "k1"}
    # PyJWT writes key_ops; STS verifies with no key that has it, recorded from AWS since:
    # (docs/behaviour.md, "Parity sweep against stackd's recordings of last access, outbound identity and federation")
    jwk.pop("key_ops")
    if alg is not None:
        jwk["alg"] = alg
    assert admin(aws, "PUT", "/oidc/jwks", {"issuer": ISSUER, "jwks": {"keys": [jwk]}})[0] == 200
    provider = aws.client("iam").create_open_id_connect_provider(Url=ISSUER, ClientIDList=["ci"])[
        "OpenIDConnectProviderArn"]
    role_arn = aws.client("iam").create_role(RoleName="keycloak", AssumeRolePolicyDocument=web_identity_trust(
        provider, {"StringLike": {"auth.example.org/realms/ci:sub": "*"}}))["Role"]["Arn"]
    return private, role_arn


def _signed(aws, private, claims: dict, alg: str = "RS256") -> str:
    now = int(aws.store.clock.now().timestamp())
    return jwt.encode({"iss": ISSUER, "sub": "builder", "aud": "ci", "iat": now, "exp": now + 600, **claims},
                      private, algorithm=alg, headers={"kid": "k1"})


def _dashboard(aws, path: str) -> int:
    if aws.server is not None:
        return requests.get(f"{aws.endpoint_url}/_mockrunner/ui{path}", timeout=10).status_code
    return aws.app.test_client().get(f"/_mockrunner/ui{path}").status_code


# ------------------------------------------------------------------------------------------- web identity
def test_claims_holding_half_a_surrogate_pair_are_not_a_jwt_and_every_decision_page_answers(aws):
    """Before: taken, and the dashboard page of the decision answered 500 (its context held ``a\\ud800``)."""
    private, role_arn = _own_issuer(aws)
    for claims in ({"sub": "a\ud800"}, {"x\udfff": "y"}, {TAGS: {"principal_tags": {"t": ["\ud800"]},
                                                                  "transitive_tag_keys": []}}):
        assert _refused(assume, aws, role_arn, _signed(aws, private, claims)) == NOT_A_JWT
    assert assume(aws, role_arn, _signed(aws, private, {"sub": "b\U0001f600"}))["SubjectFromWebIdentityToken"] == \
        "b\U0001f600"
    entries = list(aws.store.decision_log)
    assert entries and all(_dashboard(aws, f"/decisions/{entry['id']}") == 200 for entry in entries)


@pytest.mark.parametrize("value", ["aws:admin", "a b", "x" * 65, "a\x01b", "", 5, ["ci"]])
def test_a_source_identity_claim_meets_source_identity_rules(aws, value):
    """Before: any string became the session's source identity and a number was dropped without a word."""
    github_provider(aws)
    role_arn = _tagging_role(aws)
    token = mint(aws, github={"repository": "acme/app"}, claims={SOURCE_IDENTITY: value})
    code, message, status = _refused(assume, aws, role_arn, token)
    assert (code, status) == ("IDPRejectedClaim", 403) and SOURCE_IDENTITY in message
    good = mint(aws, github={"repository": "acme/app"}, claims={SOURCE_IDENTITY: "ci-bot@example.com"})
    assert assume(aws, role_arn, good)["SourceIdentity"] == "ci-bot@example.com"


@pytest.mark.parametrize("tags", [{"": ["v"]}, {"k" * 129: ["v"]}, {"a*": ["v"]}, {"a\x01": ["v"]},
                                  {"team": ["v" * 257]}, {"team": ["a\nb"]}])
def test_session_tags_from_a_token_meet_the_tag_rules(aws, tags):
    github_provider(aws)
    role_arn = _tagging_role(aws)
    token = mint(aws, github={"repository": "acme/app"}, claims={TAGS: {"principal_tags": tags,
                                                                        "transitive_tag_keys": []}})
    assert _refused(assume, aws, role_arn, token) == ("ValidationError", "Unable to validate tags", 400)
    edge = {"k" * 128: ["v" * 256], "a b:c/d=e+f-g@h_i.j": [""], "équipe": ["données"]}
    token = mint(aws, github={"repository": "acme/app"}, claims={TAGS: {"principal_tags": edge,
                                                                        "transitive_tag_keys": []}})
    answer = assume(aws, role_arn, token)
    assert answer["PackedPolicySize"] >= 0 and answer["SubjectFromWebIdentityToken"].startswith("repo:acme/app")


def test_a_key_naming_its_algorithm_verifies_other_algorithms_of_its_type(aws):
    """A JWK's ``alg`` does not restrict what it verifies (recorded from AWS, 2026-09-11: radkawar/stackd commit
    9dc356f5, internal/services/sts/testdata/oidc/aws-keys.json "key-wrong-alg", an RS256 token and the issuer's
    RSA key labelled ``RS512``); a token needs the key's private half all the same, and HMAC never verifies."""
    private, role_arn = _own_issuer(aws, alg="RS256")
    assert assume(aws, role_arn, _signed(aws, private, {}, alg="RS512"))["SubjectFromWebIdentityToken"] == "builder"
    assert assume(aws, role_arn, _signed(aws, private, {}))["SubjectFromWebIdentityToken"] == "builder"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    code, _, status = _refused(assume, aws, role_arn, _signed(aws, other, {}, alg="RS512"))
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_an_rs256_token_verifies_with_a_key_labelled_rs512(aws):
    """The recorded case itself ("key-wrong-alg", as above): the JWK says ``RS512``, the token is RS256."""
    private, role_arn = _own_issuer(aws, alg="RS512")
    assert assume(aws, role_arn, _signed(aws, private, {}))["SubjectFromWebIdentityToken"] == "builder"


# --------------------------------------------------------------------------------------------------- SAML
@pytest.mark.parametrize("tags", [{"": "v"}, {"k" * 129: "v"}, {"a*": "v"}, {"team": "v" * 257},
                                  {"team": "<b>"}])
def test_session_tags_from_an_assertion_meet_the_tag_rules(aws, tags):
    saml_provider(aws)
    role_arn = saml_role(aws, actions=["sts:AssumeRoleWithSAML", "sts:TagSession"])
    code, message, status = _refused(assume_with_saml, aws, role_arn, saml_response(aws, role_arn, tags=tags))
    assert (code, status) == ("InvalidIdentityToken", 400) and "session tag" in message
    answer = assume_with_saml(aws, role_arn, saml_response(aws, role_arn, tags={"k" * 128: "v" * 256}))
    assert answer["PackedPolicySize"] >= 0


def _extra_audience_restriction(assertion):
    restriction = etree.SubElement(assertion.find("saml:Conditions", NAMESPACES), tag(SAML, "AudienceRestriction"))
    etree.SubElement(restriction, tag(SAML, "Audience")).text = "https://other-sp.example.com"


def _condition_not_understood(assertion):
    etree.SubElement(assertion.find("saml:Conditions", NAMESPACES), tag(SAML, "Condition"))


def _second_conditions(assertion):
    assertion.insert(list(assertion).index(assertion.find("saml:Conditions", NAMESPACES)) + 1,
                     etree.Element(tag(SAML, "Conditions"), NotOnOrAfter="2000-01-01T00:00:00Z"))


def _second_name_id(assertion):
    etree.SubElement(assertion.find("saml:Subject", NAMESPACES), tag(SAML, "NameID")).text = "admin"
    subject = assertion.find("saml:Subject", NAMESPACES)
    subject.insert(0, subject[-1])


# An AudienceRestriction naming only another service provider is read and not held against AWS's endpoints: AWS
# accepts it (recorded from AWS, 2026-09-11: radkawar/stackd, internal/services/sts/testdata/saml_aws.json,
# "wrong_audience"); see tests/iam/test_stackd_authz_recordings.py.
@pytest.mark.parametrize("change, words", [
    (_condition_not_understood, "cannot be evaluated"),
    (_second_conditions, "cannot be evaluated"),
    (_second_name_id, "more than one Subject or NameID"),
])
def test_signed_conditions_and_subjects_are_read_whole_or_refused(aws, change, words):
    """Signed by the provider's IdP, before: a second ``AudienceRestriction`` naming only another service provider
    was ignored (SAML core: all restrictions hold), a condition not understood was ignored (the assertion is then
    indeterminate), a second ``Conditions`` went unread (its ``NotOnOrAfter`` too), and of two ``NameID`` the first
    was the subject."""
    saml_provider(aws)
    role_arn = saml_role(aws)
    code, message, status = _refused(assume_with_saml, aws, role_arn, _encoded(_resigned(aws, role_arn, change)))
    assert (code, status) == ("InvalidIdentityToken", 400) and words in message
    understood = _resigned(aws, role_arn, lambda assertion: etree.SubElement(
        assertion.find("saml:Conditions", NAMESPACES), tag(SAML, "OneTimeUse")))
    assert assume_with_saml(aws, role_arn, _encoded(understood))["Subject"] == "alice@example.com"


def _without_signed_info(response):
    signature = response.find("saml:Assertion/ds:Signature", NAMESPACES)
    signature.remove(signature.find("ds:SignedInfo", NAMESPACES))


def _signature_emptied(response):
    signature = response.find("ds:Signature", NAMESPACES)
    for child in list(signature):
        signature.remove(child)


@pytest.mark.parametrize("sign, change", [("assertion", _without_signed_info), ("both", _signature_emptied)])
def test_a_signature_breaking_the_signature_schema_is_invalid_never_a_500(aws, sign, change):
    """Before: an unsigned caller's ``ds:Signature`` without ``SignedInfo`` failed signxml's schema check with
    lxml's DocumentInvalid, which nobody caught: 500 InternalFailure."""
    saml_provider(aws)
    role_arn = saml_role(aws)
    response = etree.fromstring(base64.b64decode(saml_response(aws, role_arn, sign=sign)))
    change(response)
    assert _refused(assume_with_saml, aws, role_arn, _encoded(response)) == (
        "InvalidIdentityToken", "Response signature invalid", 400)


def test_a_tampered_encrypted_assertion_is_not_decrypted_never_a_500(aws):
    """Before: one flipped bit of an AES-GCM ``EncryptedAssertion`` (whose key is wrapped for the provider's public
    key, which the IdP is given) raised cryptography's InvalidTag, not a ValueError: 500 InternalFailure."""
    pem, public = rsa_key_pems()
    saml_provider(aws, AddPrivateKey=pem, AssertionEncryptionMode="Required")
    role_arn = saml_role(aws)
    for cut in (lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]), lambda raw: raw[:20]):
        response = etree.fromstring(base64.b64decode(saml_response(aws, role_arn, encryptWith=public)))
        value = response.find("saml:EncryptedAssertion/xenc:EncryptedData/xenc:CipherData/xenc:CipherValue",
                              NAMESPACES)
        value.text = base64.b64encode(cut(base64.b64decode(value.text))).decode()
        assert _refused(assume_with_saml, aws, role_arn, _encoded(response)) == (
            "InvalidIdentityToken", "Failed to decrypt the SAML assertion with the SAML provider's private keys", 400)
    assert assume_with_saml(aws, role_arn, saml_response(aws, role_arn, encryptWith=public))["Subject"]


# ------------------------------------------------------------------------------------------ admin surface
@pytest.mark.parametrize("path, body", [
    ("/seed", {"users": [{"name": "al\ud800ice"}]}),
    ("/saml/metadata", {"issuer": "https://idp.example.com/\ud800"}),
    ("/saml/assertion", {"issuer": "https://idp.example.com/saml", "subject": "a\udfff"}),
    ("/oidc/token", {"issuer": "https://idp.example.com/\ud800", "claims": {"sub": "x"}}),
    ("/oidc/token", {"issuer": "https://idp.example.com", "claims": {"sub": "x\ud800"}}),
])
def test_admin_bodies_holding_half_a_surrogate_pair_are_malformed_json(aws, path, body):
    """Before: ``/seed`` and the SAML IdP answered 500; ``/oidc/token`` kept a key for an issuer the export then
    carried and a state import could not take back."""
    before = admin(aws, "GET", "/state")[1]["state"]
    status, answer = admin(aws, "POST", path, body)
    assert (status, answer["error"]) == (400, "MalformedJSON") and "surrogate" in answer["message"]
    assert admin(aws, "GET", "/state")[1]["state"] == before


def test_a_state_import_holding_half_a_surrogate_pair_is_refused_and_changes_nothing(aws):
    aws.client("iam").create_user(UserName="alice", Tags=[{"Key": "team", "Value": "blue"}])
    exported = admin(aws, "GET", "/state")[1]
    hostile = json.loads(json.dumps(exported).replace('"blue"', '"bl\\udfffue"'))
    status, answer = admin(aws, "PUT", "/state", hostile)
    assert (status, answer["error"]) == (400, "MalformedJSON")
    assert admin(aws, "GET", "/state")[1]["state"] == exported["state"]
    assert aws.client("iam").list_user_tags(UserName="alice")["Tags"] == [{"Key": "team", "Value": "blue"}]


def test_a_state_file_holding_half_a_surrogate_pair_is_refused_at_load(tmp_path):
    """Before: loading it raised UnicodeEncodeError (a traceback) from the range checks."""
    harness = Harness("inprocess")
    try:
        harness.client("iam").create_user(UserName="alice", Tags=[{"Key": "team", "Value": "blue"}])
        text = json.dumps(admin(harness, "GET", "/state")[1]).replace('"blue"', '"bl\\ud800ue"')
    finally:
        harness.close()
    path = tmp_path / "state.bin"
    path.write_bytes(encode_file(text.encode("ascii")))
    with pytest.raises(CorruptStateError) as excinfo:
        create_app(Settings(log_requests=False, operation_delay=0, state_file=str(path)))
    message = str(excinfo.value)
    assert str(path) in message and "does not hold a valid state" in message and ".tags.team" in message


@pytest.mark.parametrize("body, field", [
    ({"subject": "ad\x00min"}, "subject"),
    ({"attributes": {"group": ["ops\x01"]}}, "attributes.group"),
    ({"attributes": {"gr\x1foup": ["ops"]}}, "a name"),
    ({"tags": {"team": "pay\x0bments"}}, "tags.team"),
    ({"subjectType": 5}, "subjectType"),
])
def test_the_saml_idp_refuses_text_xml_cannot_carry(aws, body, field):
    """Before: 500 (lxml refuses control characters; a number as ``subjectType`` was a TypeError)."""
    status, answer = admin(aws, "POST", "/saml/assertion", {"issuer": "https://idp.example.com/saml", **body})
    assert (status, answer["error"]) == (400, "InvalidSamlRequest") and answer["message"].startswith(field)
    status, answer = admin(aws, "POST", "/saml/metadata", {"issuer": "https://idp.example.com/\x01"})
    assert (status, answer["error"]) == (400, "InvalidSamlRequest")
    assert "https://idp.example.com/\x01" not in aws.store.identity_providers.saml_keys


def test_an_issuer_with_a_control_character_is_refused(aws):
    status, answer = admin(aws, "POST", "/oidc/token", {"issuer": "https://idp.example.com/\x00", "claims": {}})
    assert (status, answer["error"]) == (400, "InvalidTokenRequest")
    assert admin(aws, "GET", f"/oidc/{GITHUB_HOST}/.well-known/openid-configuration")[0] == 200
    assert "https://idp.example.com/\x00" not in aws.store.identity_providers.signing_keys
    assert ACCOUNT in aws.store.accounts


@pytest.mark.parametrize("field", ["subject", "subjectType", "sessionName", "sessionDuration", "sourceIdentity",
                                   "recipient", "audience", "encryptWith"])
def test_the_saml_idp_refuses_an_empty_list_for_a_one_string_field(aws, field):
    """Before: ``[]`` where one string (or a one-string list) is read was an IndexError: 500."""
    status, answer = admin(aws, "POST", "/saml/assertion", {"issuer": "https://idp.example.com/saml", field: []})
    assert (status, answer["error"]) == (400, "InvalidSamlRequest") and answer["message"].startswith(field)
    status, answer = admin(aws, "POST", "/saml/assertion", {"issuer": "https://idp.example.com/saml",
                                                            "subject": ["bob"]})
    assert status == 200 and answer["samlResponse"]


# ------------------------------------------------------------------------------- keys an imported state holds
def _with_pem_replaced(aws, old: str, new: str) -> dict:
    text = json.dumps(admin(aws, "GET", "/state")[1])
    replaced = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    assert replaced != text
    return json.loads(replaced)


def _ec_pem() -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


GARBAGE_PEM = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize("pem", [GARBAGE_PEM, "ec"])
def test_an_imported_saml_provider_key_that_is_no_rsa_key_decrypts_nothing(aws, pem):
    """Before: every AssumeRoleWithSAML with an encrypted assertion for that provider answered 500 (the PEM did not
    load, or an EC key has no ``decrypt``); IAM's AddPrivateKey refuses both, only a state import can plant them."""
    good, public = rsa_key_pems()
    saml_provider(aws, AddPrivateKey=good, AssertionEncryptionMode="Required")
    role_arn = saml_role(aws)
    encrypted = saml_response(aws, role_arn, encryptWith=public)
    assert admin(aws, "PUT", "/state", _with_pem_replaced(aws, good, _ec_pem() if pem == "ec" else pem))[0] == 200
    assert _refused(assume_with_saml, aws, role_arn, encrypted) == (
        "InvalidIdentityToken", "Failed to decrypt the SAML assertion with the SAML provider's private keys", 400)


@pytest.mark.parametrize("pem", [GARBAGE_PEM, "ec"])
def test_an_imported_oidc_signing_key_that_is_no_key_of_its_algorithm_signs_and_verifies_nothing(aws, pem):
    """Before: AssumeRoleWithWebIdentity for that issuer (an unsigned call), its JWKS and minting for it answered
    500.  The key is now left out of the JWKS (the token is refused as no key verifies it) and a fresh key signs."""
    github_provider(aws)
    role_arn = deploy_role(aws, "deploy", "repo:*", operator="StringLike")
    token = mint(aws, github={"repository": "acme/app"})
    stored = aws.store.identity_providers.signing_keys["https://token.actions.githubusercontent.com"][0].private_pem
    assert admin(aws, "PUT", "/state", _with_pem_replaced(aws, stored, _ec_pem() if pem == "ec" else pem))[0] == 200
    code, message, status = _refused(assume, aws, role_arn, token)
    assert (code, status) == ("InvalidIdentityToken", 400) and message.startswith("Couldn't retrieve verification key")
    assert admin(aws, "GET", f"/oidc/{GITHUB_HOST}/.well-known/jwks.json")[0] == 404
    assert assume(aws, role_arn, mint(aws, github={"repository": "acme/app"}))["Provider"].endswith(GITHUB_HOST)
    assert len(admin(aws, "GET", f"/oidc/{GITHUB_HOST}/.well-known/jwks.json")[1]["keys"]) == 1


@pytest.mark.parametrize("keys", [["x"], [5], [None], [[1]]])
def test_a_registered_jwks_whose_key_is_no_object_is_invalid(aws, keys):
    """Before: ``PUT /oidc/jwks`` with ``{"keys": ["x"]}`` answered 500 (PyJWK read the string as a mapping)."""
    status, answer = admin(aws, "PUT", "/oidc/jwks", {"issuer": ISSUER, "jwks": {"keys": keys}})
    assert (status, answer["error"]) == (400, "InvalidJwks") and answer["message"].startswith("keys[0]: ")
    assert ISSUER not in aws.store.identity_providers.registered_jwks


@pytest.mark.parametrize("jwks", [{"keys": ["x", 5]}, {"keys": {"k": 1}}, {},
                                  {"keys": [{"kty": "oct", "k": "AAAA"}]}])
def test_a_state_import_with_an_unusable_registered_jwks_is_refused(aws, jwks):
    """Before: taken, and every AssumeRoleWithWebIdentity for that issuer (an unsigned call) answered 500 when the
    key list held no objects; the import now checks each issuer's JWKS as ``PUT /oidc/jwks`` does."""
    private, role_arn = _own_issuer(aws)
    exported = admin(aws, "GET", "/state")[1]
    hostile = json.loads(json.dumps(exported))
    hostile["state"]["identity_providers"]["registered_jwks"][ISSUER] = jwks
    status, answer = admin(aws, "PUT", "/state", hostile)
    assert (status, answer["error"]) == (400, "InvalidState")
    assert answer["message"].startswith(f"$.state.identity_providers.registered_jwks.{ISSUER}: ")
    assert admin(aws, "GET", "/state")[1]["state"] == exported["state"]
    assert assume(aws, role_arn, _signed(aws, private, {}))["SubjectFromWebIdentityToken"] == "builder"


@pytest.mark.parametrize("field, value", [("private_pem", "garbage"), ("certificate_pem", "garbage"),
                                          ("certificate_pem", "other")])
def test_a_state_import_with_an_unusable_saml_idp_key_is_refused(aws, field, value):
    """Before: taken, and every ``POST /saml/assertion`` for that IdP answered 500 (signxml could not sign with it)."""
    issuer = "https://idp.example.com/saml"
    assert admin(aws, "POST", "/saml/metadata", {"issuer": issuer})[0] == 200
    exported = admin(aws, "GET", "/state")[1]
    hostile = json.loads(json.dumps(exported))
    if value == "other":
        assert admin(aws, "POST", "/saml/metadata", {"issuer": "https://other.example.com"})[0] == 200
        value = aws.store.identity_providers.saml_keys["https://other.example.com"].certificate_pem
    hostile["state"]["identity_providers"]["saml_keys"][issuer][field] = value
    status, answer = admin(aws, "PUT", "/state", hostile)
    assert (status, answer["error"]) == (400, "InvalidState")
    assert answer["message"].startswith(f"$.state.identity_providers.saml_keys.{issuer}: ")
    assert admin(aws, "POST", "/saml/assertion", {"issuer": issuer})[0] == 200
