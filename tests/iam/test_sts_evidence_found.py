"""STS answers the behaviour reference had marked *unverified*, settled by a public record of AWS's own answer
(cited in each test and in ``docs/behaviour.md``), through boto3 in both modes."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import allow, aws_error, doc, user_with_key


def _refused(call) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return aws_error(excinfo)


def test_a_federated_users_iam_call_is_answered_as_an_unknown_token(aws):
    """GetFederationToken's credentials cannot call IAM, and IAM answers as if it did not know the token:
    jantman/awslimitchecker#139 (federation token credentials against the IAM API "will fail with an invalid token
    error", AWS Support explaining that the temporary key id is not in IAM's records), as for GetSessionToken
    credentials without MFA (cloudyr/aws.iam#15: ``InvalidClientTokenId`` "The security token included in the
    request is invalid")."""
    key = user_with_key(aws, "proxy", inline={"p": doc(allow(["sts:GetFederationToken", "iam:ListUsers"]))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    bob = sts.get_federation_token(Name="bob", Policy=doc(allow("iam:ListUsers")))["Credentials"]
    assert _refused(lambda: aws.client_for(bob, "iam").list_users()) == (
        "InvalidClientTokenId", "The security token included in the request is invalid", 403)
