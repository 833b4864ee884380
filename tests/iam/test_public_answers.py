"""IAM answers quoted from AWS in public issues, where mockrunner answered otherwise.

Evidence: each test names the issue that quotes AWS's answer.
"""
from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key
from tests.iam.keys_and_codes import private_pem, rsa_key, self_signed_certificate
from tests.iam.saml_federation import metadata


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
    tests, of AWS-compatible implementations, expect the same for these listings)."""
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


EC2_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


def test_an_arn_of_the_wrong_length_is_refused_without_its_value(aws):
    """ListEntitiesForPolicy with an 18- and a 2049-character PolicyArn: Coral's length messages without the value
    (mulgadc/spinifex gateway/iam/pathprefix_test.go, tests of an AWS-compatible IAM, expects both)."""
    iam = aws.client("iam", config=Config(parameter_validation=False))
    for arn, constraint in (("arn:aws:iam::aws:x", "greater than or equal to 20"),
                            ("arn:aws:iam::aws:policy/" + "p" * 2025, "less than or equal to 2048")):
        with pytest.raises(ClientError) as excinfo:
            iam.list_entities_for_policy(PolicyArn=arn)
        assert aws_error(excinfo) == ("ValidationError", "1 validation error detected: Value at 'policyArn' failed to "
                                      f"satisfy constraint: Member must have length {constraint}", 400)


def test_a_tag_without_key_or_value_is_refused_without_null(aws):
    """TagUser with a tag missing its Value, or its Key: "Value at 'tags.N.member.value' ... Member must not be
    null", no ``null`` in it (mulgadc/spinifex handlers/iam/tags_test.go, tests of an AWS-compatible IAM,
    expects them)."""
    iam = aws.client("iam", config=Config(parameter_validation=False))
    iam.create_user(UserName="u")
    for tags, path in (([{"Key": "novalue"}], "tags.1.member.value"), ([{"Key": "a", "Value": "1"}, {"Value": "v"}],
                                                                        "tags.2.member.key")):
        with pytest.raises(ClientError) as excinfo:
            iam.tag_user(UserName="u", Tags=tags)
        assert aws_error(excinfo) == ("ValidationError", f"1 validation error detected: Value at '{path}' failed to "
                                      "satisfy constraint: Member must not be null", 400)
    assert iam.list_user_tags(UserName="u")["Tags"] == []


def test_tag_keys_beginning_with_aws_are_reserved(aws):
    """A tag key beginning with ``aws:`` (any case) is InvalidInput "Tag keys beginning with aws: are reserved for
    system use." (mulgadc/spinifex handlers/iam/tags_test.go expects it for TagUser); ``awsthing`` is fine."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    for key in ("aws:thing", "AWS:thing"):
        with pytest.raises(ClientError) as excinfo:
            iam.tag_user(UserName="u", Tags=[{"Key": key, "Value": "v"}])
        assert aws_error(excinfo) == ("InvalidInput", "Tag keys beginning with aws: are reserved for system use.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=EC2_TRUST, Tags=[{"Key": "aws:x", "Value": "v"}])
    assert aws_error(excinfo)[:2] == ("InvalidInput", "Tag keys beginning with aws: are reserved for system use.")
    assert iam.list_roles()["Roles"] == []
    iam.tag_user(UserName="u", Tags=[{"Key": "awsthing", "Value": "v"}])
    assert iam.list_user_tags(UserName="u")["Tags"] == [{"Key": "awsthing", "Value": "v"}]


def test_tag_keys_keep_their_case_but_on_users_and_roles(aws):
    """AWS compares tag keys ignoring case on users and roles only: an instance profile or OIDC provider keeps
    ``Dup`` and ``dup`` as two tags, and untagging ``CASE`` removes neither ``Case`` nor ``case``
    (mulgadc/spinifex handlers/iam/tags_test.go, TestResourceTagging_KeyCase); SAML providers, server certificates
    and MFA devices are taken to do the same (tagged since the same release as policies, which keep case)."""
    iam = aws.client("iam")
    iam.create_instance_profile(InstanceProfileName="p")
    arn = iam.create_open_id_connect_provider(Url="https://oidc.example.com", ThumbprintList=["a" * 40])[
        "OpenIDConnectProviderArn"]
    saml = iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata(aws))["SAMLProviderArn"]
    key = rsa_key()
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=self_signed_certificate(key)[0],
                                  PrivateKey=private_pem(key))
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="m")["VirtualMFADevice"]["SerialNumber"]
    kinds = [(getattr(iam, f"tag_{kind}"), getattr(iam, f"untag_{kind}"), getattr(iam, f"list_{kind}_tags"), names)
             for kind, names in (("instance_profile", {"InstanceProfileName": "p"}),
                                 ("open_id_connect_provider", {"OpenIDConnectProviderArn": arn}),
                                 ("saml_provider", {"SAMLProviderArn": saml}),
                                 ("server_certificate", {"ServerCertificateName": "web"}),
                                 ("mfa_device", {"SerialNumber": serial}))]
    for tag, untag, listed, names in kinds:
        tag(**names, Tags=[{"Key": "Dup", "Value": "1"}, {"Key": "dup", "Value": "2"}])
        tag(**names, Tags=[{"Key": "Case", "Value": "upper"}])
        tag(**names, Tags=[{"Key": "case", "Value": "lower"}])
        untag(**names, TagKeys=["CASE"])
        assert {t["Key"]: t["Value"] for t in listed(**names)["Tags"]} == {
            "Dup": "1", "dup": "2", "Case": "upper", "case": "lower"}, names


def test_instance_profile_listings_carry_no_tags(aws):
    """ListInstanceProfiles and ListInstanceProfilesForRole leave a profile's Tags out; GetInstanceProfile has them
    (IAM API reference for ListInstanceProfiles: "this operation does not return tags"; mulgadc/spinifex
    handlers/iam/response_shapes_test.go asserts the same for both)."""
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="p", Tags=[{"Key": "env", "Value": "prod"}])
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="r")
    assert iam.get_instance_profile(InstanceProfileName="p")["InstanceProfile"]["Tags"] == [
        {"Key": "env", "Value": "prod"}]
    for profiles in (iam.list_instance_profiles()["InstanceProfiles"],
                     iam.list_instance_profiles_for_role(RoleName="r")["InstanceProfiles"]):
        assert [profile["InstanceProfileName"] for profile in profiles] == ["p"]
        assert "Tags" not in profiles[0]


USER_NAME_WORDS = "It must contain only alphanumeric characters and/or the following: +=,.@_-"


def test_user_and_policy_names_breaking_their_pattern_are_refused_in_iams_words(aws):
    """A user name or policy name breaking its pattern (and an empty user name) is IAM's own sentence; a long one is
    Coral's length message with the value (versity/versitygw tests/integration/iam_create_user.go,
    iam_create_access_key.go, iam_delete_access_key.go, iam_put_user_policy.go expect the sentences;
    ministryofjustice/cloud-platform-environments#5737 quotes AWS's length answer to CreateUser, with the value)."""
    iam = aws.client("iam", config=Config(parameter_validation=False))
    iam.create_user(UserName="u")
    for call, params in ((iam.create_user, {"UserName": "invalid/user"}),
                         (iam.create_access_key, {"UserName": "invalid/user"}),
                         (iam.create_access_key, {"UserName": ""}),
                         (iam.delete_access_key, {"UserName": "invalid/user", "AccessKeyId": "A" * 20})):
        with pytest.raises(ClientError) as excinfo:
            call(**params)
        assert aws_error(excinfo) == ("ValidationError", f"The specified value for userName is invalid. "
                                      f"{USER_NAME_WORDS}", 400), params
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="u", PolicyName="bad/name", PolicyDocument=doc(allow("s3:GetObject")))
    assert aws_error(excinfo) == ("ValidationError", f"The specified value for policyName is invalid. "
                                  f"{USER_NAME_WORDS}", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="a" * 65)
    assert aws_error(excinfo) == ("ValidationError", f"1 validation error detected: Value '{'a' * 65}' at 'userName' "
                                  "failed to satisfy constraint: Member must have length less than or equal to 64",
                                  400)
    assert [user["UserName"] for user in iam.list_users()["Users"]] == ["u"]


def test_paths_access_key_ids_and_policy_documents_breaking_their_pattern_are_refused_in_iams_words(aws):
    """CreateUser with ``Path="invalid"``, DeleteAccessKey with an id that is not alphanumeric (its length stays
    Coral's message, without the id) and PutUserPolicy with a document outside the model's characters: IAM's own
    sentences (versity/versitygw tests/integration/iam_create_user.go, iam_delete_access_key.go,
    iam_put_user_policy.go expect them)."""
    iam = aws.client("iam", config=Config(parameter_validation=False))
    iam.create_user(UserName="u")
    answers = [
        (iam.create_user, {"UserName": "v", "Path": "invalid"}, "The specified value for path is invalid. It must "
         "begin and end with / and contain only alphanumeric characters and/or / characters."),
        (iam.delete_access_key, {"UserName": "u", "AccessKeyId": "invalid-key-id-1234"}, "The specified value for "
         "accessKeyId is invalid. It must contain only alphanumeric characters."),
        (iam.delete_access_key, {"UserName": "u", "AccessKeyId": "A" * 15}, "1 validation error detected: Value at "
         "'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16"),
        (iam.put_user_policy, {"UserName": "u", "PolicyName": "p", "PolicyDocument": "emoji\U0001F600test"},
         "The specified value for policyDocument is invalid. It must contain only printable ASCII characters."),
    ]
    for call, params, message in answers:
        with pytest.raises(ClientError) as excinfo:
            call(**params)
        assert aws_error(excinfo) == ("ValidationError", message, 400), params
    assert [user["UserName"] for user in iam.list_users()["Users"]] == ["u"]
    assert iam.list_user_policies(UserName="u")["PolicyNames"] == []


def test_a_missing_access_key_is_named_without_a_full_stop(aws):
    """DeleteAccessKey of a key the user does not have: "The Access Key with id <id> cannot be found", no full stop
    (versity/versitygw tests/integration/iam_delete_access_key.go, tests of an AWS-compatible IAM, expects it)."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(UserName="u", AccessKeyId="ABCDEFGHIJKLMNOPQRST")
    assert aws_error(excinfo) == ("NoSuchEntity", "The Access Key with id ABCDEFGHIJKLMNOPQRST cannot be found", 404)


def test_an_arn_the_legacy_parser_cannot_split_fails_legacy_parsing(aws):
    """A Resource ``arn:awss3::example-bucket/*`` (too few fields) is "The policy failed legacy parsing", while
    ``s3::example-bucket/*`` names its empty partition (versity/versitygw tests/integration/iam_put_user_policy.go
    expects both)."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    for resource, message in (("arn:awss3::example-bucket/*", "The policy failed legacy parsing"),
                              ("s3::example-bucket/*", 'Partition "" is not valid for resource '
                                                       '"arn::example-bucket/*:*:*:*".')):
        with pytest.raises(ClientError) as excinfo:
            iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=doc(allow("s3:GetObject", resource)))
        assert aws_error(excinfo) == ("MalformedPolicyDocument", message, 400), resource
    assert iam.list_user_policies(UserName="u")["PolicyNames"] == []


def test_oidc_provider_urls_arns_and_thumbprints_are_answered_as_iam_does(aws):
    """CreateOpenIDConnectProvider refuses an ``http://`` URL, user info, a query, a fragment, a port and a host name
    with ``_`` as ``InvalidInput``, a URL without scheme or host as ``ValidationError``; it stores thumbprints in lower
    case; GetOpenIDConnectProvider of another resource type's ARN is "Invalid resource type in ARN"
    (versity/versitygw tests/integration/iam_create_oidc_provider.go and iam_get_oidc_provider.go, tests of an
    AWS-compatible IAM, expect these answers; unverified against AWS)."""
    iam = aws.client("iam")
    thumbprint = "6938fd4d98bab03faadb97b34396831e3780aea1"
    answers = {"example.com": ("ValidationError", "Invalid Open ID Connect Provider URL"),
               "https://": ("ValidationError", "Invalid Open ID Connect Provider URL"),
               "http://example.com": ("InvalidInput",
                                      "Invalid Open ID Connect Provider URL. The URL must begin with https://.")}
    for url in ("https://user:pass@example.com", "https://example.com:8443", "https://exa_mple.com"):
        answers[url] = ("InvalidInput", "Invalid Open ID Connect Provider URL.")
    for url in ("https://example.com?foo=1", "https://example.com#frag"):  # recorded from AWS since: docs/
        answers[url] = ("InvalidInput", "Unknown")  # behaviour.md, the stackd parity sweep of last access
    for url, (code, message) in answers.items():
        with pytest.raises(ClientError) as excinfo:
            iam.create_open_id_connect_provider(Url=url, ThumbprintList=[thumbprint])
        assert aws_error(excinfo) == (code, message, 400), url
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    arn = iam.create_open_id_connect_provider(Url="https://198.51.100.7", ThumbprintList=[thumbprint.upper()])[
        "OpenIDConnectProviderArn"]
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == [thumbprint]
    with pytest.raises(ClientError) as excinfo:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=f"arn:aws:iam::{ACCOUNT}:role/some-role")
    assert aws_error(excinfo) == ("ValidationError", "Invalid resource type in ARN", 400)


def test_creating_with_tags_needs_the_tagging_action_too(aws):
    """A Create* with ``Tags`` is also authorized as the kind's TagX on the new entity: a caller allowed
    ``iam:CreateRole`` but not ``iam:TagRole`` gets "is not authorized to perform: iam:TagRole on resource:
    arn:aws:iam::...:role/<name>" (AWS's answer to Terraform's CreateRole with tags, openshift/installer#1073; the
    same for CloudFormation's handler, aws-cloudformation/cloudformation-coverage-roadmap#1859).  Nothing is
    created; without tags the create needs no tagging action; a TagX allowed on the request's tags lets it through."""
    iam = aws.client("iam")
    creates = ["iam:CreateUser", "iam:CreateRole", "iam:CreatePolicy", "iam:CreateInstanceProfile",
               "iam:CreateOpenIDConnectProvider", "iam:CreateVirtualMFADevice"]
    key = user_with_key(aws, "maker", inline={"create": doc(allow(creates))})
    maker = aws.client_for(key, "iam")
    tags = [{"Key": "team", "Value": "red"}]
    oidc = {"Url": "https://issuer.example.com", "ThumbprintList": ["a" * 40]}
    calls = [
        ("iam:TagUser", "user/u", lambda **t: maker.create_user(UserName="u", **t)),
        ("iam:TagRole", "role/r", lambda **t: maker.create_role(
            RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"), **t)),
        ("iam:TagPolicy", "policy/p", lambda **t: maker.create_policy(
            PolicyName="p", PolicyDocument=doc(allow("iam:GetUser")), **t)),
        ("iam:TagInstanceProfile", "instance-profile/ip", lambda **t: maker.create_instance_profile(
            InstanceProfileName="ip", **t)),
        ("iam:TagOpenIDConnectProvider", "oidc-provider/issuer.example.com",
         lambda **t: maker.create_open_id_connect_provider(**oidc, **t)),
        ("iam:TagMFADevice", "mfa/m", lambda **t: maker.create_virtual_mfa_device(VirtualMFADeviceName="m", **t)),
    ]
    for action, resource, create in calls:
        with pytest.raises(ClientError) as excinfo:
            create(Tags=tags)
        code, message, status = aws_error(excinfo)
        assert (code, status) == ("AccessDenied", 403)
        assert f"is not authorized to perform: {action} on resource: arn:aws:iam::{ACCOUNT}:{resource} " in message
    assert iam.list_users()["Users"][-1]["UserName"] == "maker" and iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    maker.create_user(UserName="plain")
    iam.put_user_policy(UserName="maker", PolicyName="tag", PolicyDocument=doc(allow(
        [action for action, _, _ in calls], Condition={"StringEquals": {"aws:RequestTag/team": "red"}})))
    for _, _, create in calls:
        create(Tags=tags)
    assert iam.list_role_tags(RoleName="r")["Tags"] == tags
    with pytest.raises(ClientError) as excinfo:
        maker.create_user(UserName="blue", Tags=[{"Key": "team", "Value": "blue"}])
    assert "iam:TagUser" in aws_error(excinfo)[1]
