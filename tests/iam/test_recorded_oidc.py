"""OIDC provider answers recorded from AWS: LocalStack's recording of real AWS,
tests/aws/services/iam/test_iam_oidc.py (its ``.snapshot.json`` is AWS's answer, recorded in February 2026)."""
from __future__ import annotations

from tests.iam.helpers import ACCOUNT, error_of

URL = "https://oidc-delete.example.com"
ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc-delete.example.com"


def test_deleting_a_provider_twice_is_no_such_entity(aws):
    """LocalStack's recording of real AWS, tests/aws/services/iam/test_iam_oidc.py::test_delete_open_id_connect_provider
    ("get-not-found-error", "deletion-not-found-error"): the second delete fails although the API reference calls
    the operation idempotent."""
    iam = aws.client("iam")
    arn = iam.create_open_id_connect_provider(Url=URL, ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    assert arn == ARN
    deleted = iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert error_of(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn) == (
        "NoSuchEntity", f"OpenIDConnect Provider not found for arn {ARN}", 404)
    assert error_of(iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=arn) == (
        "NoSuchEntity", f"OpenId connect Provider {ARN} cannot be found.", 404)


def test_create_validation_errors_name_no_values_and_come_in_coral_order(aws):
    """LocalStack's recording of real AWS,
    tests/aws/services/iam/test_iam_oidc.py::test_create_open_id_connect_provider_validation_errors: the URL,
    thumbprints and client ids are not echoed, the list constraints have no "Member must not be null", and the three
    members come as clientIDList, thumbprintList, url (not in the model's order)."""
    iam = aws.client("iam")
    assert error_of(iam.create_open_id_connect_provider, Url="b" * 256, ThumbprintList=["b" * 41],
                    ClientIDList=["b" * 256]) == (
        "ValidationError",
        "3 validation errors detected: Value at 'clientIDList' failed to satisfy constraint: Member must satisfy "
        "constraint: [Member must have length less than or equal to 255, Member must have length greater than or "
        "equal to 1]; Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must have length less than or equal to 40, Member must have length greater than or equal to 40]; "
        "Value at 'url' failed to satisfy constraint: Member must have length less than or equal to 255",
        400)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
