"""IAM answers quoted from AWS in public issues, where mockrunner answered otherwise.

Evidence: each test names the issue that quotes AWS's answer.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, aws_error
from tests.iam.keys_and_codes import private_pem, rsa_key, self_signed_certificate


def test_the_root_user_has_no_user_name(aws):
    """GetUser without UserName called by the root: the answer has no UserName member (grycap/scar#181 "the User
    object does not return a UserName field" with root credentials; 99designs/aws-vault#114, a nil UserName, fixed
    by #152 falling back to the Arn)."""
    user = aws.client("iam").get_user()["User"]
    assert "UserName" not in user
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and user["UserId"] == ACCOUNT


def test_a_certificate_chain_with_text_around_its_certificates_is_refused_as_iam_words_it(aws):
    """UploadServerCertificate with a chain holding a certificate's text dump before its PEM blocks (aws/aws-cli#715,
    AWS's answer quoted); a body that is no PEM certificate (openshift/openshift-ansible#11214, AWS's XML quoted)."""
    iam = aws.client("iam")
    key = rsa_key()
    body, _ = self_signed_certificate(key)
    issuer, _ = self_signed_certificate(rsa_key(), name="ca.example.com")
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=private_pem(key),
                                      CertificateChain="Certificate:\n    Data: ...\n" + issuer)
    assert aws_error(excinfo) == (
        "MalformedCertificate", "Unable to validate certificate chain. The certificate chain must start with the "
        "immediate signing certificate, followed by any intermediaries in order.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(ServerCertificateName="web", CertificateBody="certbody",
                                      PrivateKey=private_pem(key))
    assert aws_error(excinfo) == (
        "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.", 400)
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []
