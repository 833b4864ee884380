"""An attacker's SAML responses, through boto3 in both modes: only what a valid signature covers is read, and read
whole; signature wrapping, XML entities and impossible dates are refusals, never a 500."""
from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import CanonicalizationMethod

from mockrunner.saml.xml import DS, NAMESPACES, SAMLP, tag
from tests.iam.helpers import aws_error
from tests.iam.saml_federation import IDP, assume, saml_provider, saml_response, saml_role

SIGNATURE_INVALID = ("InvalidIdentityToken", "Response signature invalid", 400)
WITH_COMMENTS = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0_WITH_COMMENTS
EXCLUSIVE = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0


@pytest.fixture
def federated(aws):
    saml_provider(aws)
    return aws, saml_role(aws)


def _response(aws: Any, role_arn: str, **body: Any) -> Any:
    return etree.fromstring(base64.b64decode(saml_response(aws, role_arn, **body)))


def _encoded(response: Any) -> str:
    return base64.b64encode(etree.tostring(response)).decode("ascii")


def _refused(aws: Any, role_arn: str, response: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        assume(aws, role_arn, _encoded(response) if not isinstance(response, str) else response)
    return aws_error(excinfo)


def _resigned(aws: Any, role_arn: str, change: Callable[[Any], None], c14n: str = EXCLUSIVE) -> Any:
    """A response of the built-in IdP whose assertion was changed by ``change`` and then signed again with the IdP's
    own key (what a real IdP could issue)."""
    response = _response(aws, role_arn)
    assertion = response.find("saml:Assertion", NAMESPACES)
    assertion.remove(assertion.find("ds:Signature", NAMESPACES))
    change(assertion)
    assertion.insert(1, etree.Element(tag(DS, "Signature"), nsmap={"ds": DS}, Id="placeholder"))
    key = aws.store.identity_providers.saml_keys[IDP]
    signed = XMLSigner(c14n_algorithm=c14n).sign(assertion, key=key.private_pem.encode("ascii"),
                                                 cert=key.certificate_pem, reference_uri=assertion.get("ID"),
                                                 id_attribute="ID")
    response.replace(assertion, signed)
    return response


def _split_by_comment(element: Any, head: str, tail: str) -> None:
    element.text = head
    comment = etree.Comment("x")
    element.append(comment)
    comment.tail = tail


def _session_name_value(assertion: Any) -> Any:
    return next(value for value in assertion.iterfind("saml:AttributeStatement/saml:Attribute/saml:AttributeValue",
                                                      NAMESPACES)
                if value.getparent().get("Name").endswith("/RoleSessionName"))


@pytest.mark.parametrize("c14n", [EXCLUSIVE, WITH_COMMENTS])
def test_a_comment_inside_a_signed_value_does_not_cut_the_value_short(federated, c14n):
    """``admin<!---->.evil@example.com``: ``.text`` stopped at the comment, so a signed NameID read as ``admin`` (the
    2018 comment-truncation class) and a session name as its first half."""
    aws, role_arn = federated

    def change(assertion):
        _split_by_comment(assertion.find("saml:Subject/saml:NameID", NAMESPACES), "admin", ".evil@example.com")
        _split_by_comment(_session_name_value(assertion), "ad", "min")

    answer = assume(aws, role_arn, _encoded(_resigned(aws, role_arn, change, c14n)))
    assert answer["Subject"] == "admin.evil@example.com"
    assert answer["AssumedRoleUser"]["Arn"].endswith("/federated/admin")


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59Z", "2100-01-01T00:00:00Z"])
def test_an_assertion_issued_in_the_future_is_not_yet_valid_never_a_500(federated, instant):
    """Year 9999 overflowed ``issued + 5 minutes`` (a 500); any IssueInstant past the clock skew would have made
    the assertion redeemable for ever."""
    aws, role_arn = federated
    response = _resigned(aws, role_arn, lambda assertion: assertion.set("IssueInstant", instant))
    code, message, status = _refused(aws, role_arn, response)
    assert (code, status) == ("InvalidIdentityToken", 400) and "not yet valid" in message


def test_the_unsigned_response_issue_instant_never_stands_in_for_the_assertion_one(federated):
    aws, role_arn = federated

    def change(assertion):
        del assertion.attrib["IssueInstant"]

    response = _resigned(aws, role_arn, change)
    response.set("IssueInstant", aws.store.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert _refused(aws, role_arn, response) == (
        "InvalidIdentityToken", "Invalid SAML response: the assertion has no IssueInstant", 400)


def _forged(assertion: Any, new_id: str | None = None) -> Any:
    evil = copy.deepcopy(assertion)
    signature = evil.find("ds:Signature", NAMESPACES)
    if signature is not None and new_id is None:
        evil.remove(signature)
    if new_id is not None:
        evil.set("ID", new_id)
    evil.find("saml:Subject/saml:NameID", NAMESPACES).text = "mallory"
    return evil


def _signed_then_unsigned(response: Any) -> None:
    response.append(_forged(response.find("saml:Assertion", NAMESPACES)))


def _unsigned_wrapping_signed(response: Any) -> None:
    signed = response.find("saml:Assertion", NAMESPACES)
    response.remove(signed)
    evil = _forged(signed, "_evil")
    evil.append(signed)
    response.append(evil)


def _signed_moved_to_extensions(response: Any) -> None:
    signed = response.find("saml:Assertion", NAMESPACES)
    response.remove(signed)
    evil = _forged(signed, "_evil")
    etree.SubElement(response, tag(SAMLP, "Extensions")).append(signed)
    response.append(evil)


def _same_id_twice(response: Any) -> None:
    signed = response.find("saml:Assertion", NAMESPACES)
    etree.SubElement(response, tag(SAMLP, "Extensions")).append(_forged(signed))


@pytest.mark.parametrize("wrap", [_signed_then_unsigned, _unsigned_wrapping_signed, _signed_moved_to_extensions,
                                  _same_id_twice])
def test_signature_wrapping_is_refused(federated, wrap):
    aws, role_arn = federated
    response = _response(aws, role_arn)
    wrap(response)
    code, _, status = _refused(aws, role_arn, response)
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_a_signed_response_covers_its_assertion(federated):
    aws, role_arn = federated
    response = _response(aws, role_arn, sign="both")
    response.find("saml:Assertion/saml:Subject/saml:NameID", NAMESPACES).text = "mallory"
    assert _refused(aws, role_arn, response) == SIGNATURE_INVALID


ENTITIES = {
    "billion laughs": '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    "external entity": '<!DOCTYPE r [<!ENTITY d SYSTEM "file:///etc/passwd">]>',
}


@pytest.mark.parametrize("doctype", ENTITIES.values(), ids=ENTITIES.keys())
def test_xml_entities_are_refused(federated, doctype):
    aws, role_arn = federated
    document = f'<?xml version="1.0"?>{doctype}<samlp:Response xmlns:samlp="{SAMLP}">&d;</samlp:Response>'
    code, message, status = _refused(aws, role_arn, base64.b64encode(document.encode()).decode())
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert "root:" not in message


def test_an_assertion_may_be_redeemed_more_than_once_within_its_five_minutes(federated):
    """As tools that assume several roles from one sign-in rely on (AWS keeps no used-assertion list)."""
    aws, role_arn = federated
    assertion = saml_response(aws, role_arn)
    first, second = assume(aws, role_arn, assertion), assume(aws, role_arn, assertion)
    assert first["Credentials"]["AccessKeyId"] != second["Credentials"]["AccessKeyId"]
