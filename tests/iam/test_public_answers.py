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


BAD_PATH_PREFIX = ("The specified value for pathPrefix is invalid. It must begin with the / character and contain only "
                   "alphanumeric characters and/or / characters.")
LISTINGS = {
    "list_users": {}, "list_roles": {}, "list_groups": {}, "list_instance_profiles": {}, "list_server_certificates": {},
    "list_policies": {}, "list_entities_for_policy": {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    "list_attached_user_policies": {"UserName": "u"}, "list_attached_role_policies": {"RoleName": "r"},
    "list_attached_group_policies": {"GroupName": "g"},
}


@pytest.mark.parametrize("listing", sorted(LISTINGS))
def test_a_path_prefix_breaking_its_pattern_is_refused_in_iams_words(aws, listing):
    """A listing's ``PathPrefix`` that breaks its pattern is IAM's own sentence, checked before its length; one that
    fits the pattern but is too long is Coral's length message without the value (aws/aws-cli#5860 quotes AWS's
    answer to ``list-policies --path-prefix /foo``; mulgadc/spinifex's gateway tests and versity/versitygw's IAM
    tests record the same answers from AWS for these listings)."""
    call = getattr(aws.client("iam"), listing)
    for prefix in ("awsdiff", "/bad path/", "/invalid\n"):
        with pytest.raises(ClientError) as excinfo:
            call(PathPrefix=prefix, **LISTINGS[listing])
        assert aws_error(excinfo) == ("ValidationError", BAD_PATH_PREFIX, 400), prefix
    with pytest.raises(ClientError) as excinfo:
        call(PathPrefix="/" + "a" * 511 + "/", **LISTINGS[listing])
    assert aws_error(excinfo) == ("ValidationError", "1 validation error detected: Value at 'pathPrefix' failed to "
                                  "satisfy constraint: Member must have length less than or equal to 512", 400)


def test_a_policy_path_prefix_must_end_with_a_slash(aws):
    """Policy paths end with ``/``: a 513-character prefix without one breaks the pattern before its length."""
    iam = aws.client("iam")
    for prefix in ("/foo", "/" + "a" * 512):
        with pytest.raises(ClientError) as excinfo:
            iam.list_policies(PathPrefix=prefix)
        assert aws_error(excinfo) == ("ValidationError", BAD_PATH_PREFIX, 400)
    assert iam.list_users(PathPrefix="/team")["Users"] == [] and iam.list_users(PathPrefix="/~/")["Users"] == []
    assert iam.list_policies(PathPrefix="/service-role/", Scope="AWS")["Policies"]
