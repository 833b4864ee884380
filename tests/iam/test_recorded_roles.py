"""IAM roles, instance profiles and managed policies as AWS answered them.

Evidence: responses recorded from AWS in LocalStack's snapshot tests (repository localstack/localstack,
tests/aws/services/iam/): test_iam_roles.snapshot.json, test_iam_instance_profiles.snapshot.json,
test_iam_policies.snapshot.json and test_iam_managed_policies.snapshot.json.  Each test names the snapshot test
it follows; names, ids and dates are placeholders there, so only shapes, codes, statuses, wording and order are
asserted.
"""
from __future__ import annotations

import json

from tests.iam.helpers import ACCOUNT, error_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
MOCK_POLICY = json.dumps({"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket"}})
SAMPLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Statement1", "Effect": "Allow", "Action": ["iam:ListUsers"], "Resource": "*"}]})
BASE_KEYS = {"Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument"}
TAG_PATTERN = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"


def _invalid(message: str) -> tuple[str, str, int]:
    return "ValidationError", f"1 validation error detected: {message}", 400


# ------------------------------------------------------------------------------------------------------ roles
def test_role_answers_per_operation(aws):
    """test_iam_roles: test_role_permissions_boundary_lifecycle, test_list_roles_pagination, test_update_role.
    CreateRole leaves out the Description it was given (and MaxSessionDuration, RoleLastUsed); GetRole and ListRoles
    have it; UpdateRoleDescription answers the role with its new Description but without MaxSessionDuration or
    RoleLastUsed; a permissions boundary's type is ``Policy``; ListRoles shows neither boundary nor tags."""
    iam = aws.client("iam")
    boundary = iam.create_policy(PolicyName="boundary-policy", PolicyDocument=MOCK_POLICY)["Policy"]["Arn"]
    created = iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=boundary,
                              Description="Role with permissions boundary", Tags=[{"Key": "k", "Value": "v"}])["Role"]
    expected_boundary = {"PermissionsBoundaryArn": boundary, "PermissionsBoundaryType": "Policy"}
    assert set(created) == BASE_KEYS | {"PermissionsBoundary", "Tags"}
    assert created["PermissionsBoundary"] == expected_boundary
    got = iam.get_role(RoleName="r")["Role"]
    assert got["Description"] == "Role with permissions boundary" and got["PermissionsBoundary"] == expected_boundary
    assert set(got) == BASE_KEYS | {"Description", "MaxSessionDuration", "PermissionsBoundary", "RoleLastUsed", "Tags"}
    (listed,) = iam.list_roles()["Roles"]
    assert set(listed) == BASE_KEYS | {"Description", "MaxSessionDuration"}
    described = iam.update_role_description(RoleName="r", Description="via update_role_description")["Role"]
    assert described["Description"] == "via update_role_description"
    assert "MaxSessionDuration" not in described and "RoleLastUsed" not in described


def test_permissions_boundary_errors(aws):
    """test_iam_roles: test_role_permissions_boundary_errors."""
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    valid = iam.create_policy(PolicyName="boundary-policy", PolicyDocument=MOCK_POLICY)["Policy"]["Arn"]
    not_a_policy = f"arn:aws:iam::{ACCOUNT}:not_a_policy/invalid"
    missing = f"arn:aws:iam::{ACCOUNT}:policy/nonexistent-policy"
    invalid = ("InvalidInput", f"ARN {not_a_policy} is not valid.", 400)
    unknown = ("NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.", 404)
    assert error_of(iam.put_role_permissions_boundary, RoleName="r", PermissionsBoundary=not_a_policy) == invalid
    assert error_of(iam.create_role, RoleName="r2", AssumeRolePolicyDocument=TRUST,
                  PermissionsBoundary=not_a_policy) == invalid
    assert error_of(iam.put_role_permissions_boundary, RoleName="r", PermissionsBoundary=missing) == unknown
    assert error_of(iam.create_role, RoleName="r2", AssumeRolePolicyDocument=TRUST,
                  PermissionsBoundary=missing) == unknown
    assert error_of(iam.put_role_permissions_boundary, RoleName="nonexistent-role", PermissionsBoundary=valid) == (
        "NoSuchEntity", "The role with name nonexistent-role cannot be found.", 404)
    assert [role["RoleName"] for role in iam.list_roles()["Roles"]] == ["r"]


def test_attach_role_policy_with_no_arn(aws):
    """test_iam_roles: test_role_managed_policy_errors."""
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    name = "test-policy-0123456789"
    arn = iam.create_policy(PolicyName=name, PolicyDocument=MOCK_POLICY)["Policy"]["Arn"]
    assert error_of(iam.detach_role_policy, RoleName="r", PolicyArn=arn) == (
        "NoSuchEntity", f"Policy {arn} was not found.", 404)
    assert error_of(iam.attach_role_policy, RoleName="r", PolicyArn="longpolicynamebutnoarn") == (
        "ValidationError", "ARN longpolicynamebutnoarn is not valid.", 400)
    assert error_of(iam.attach_role_policy, RoleName="r", PolicyArn=name) == (
        "ValidationError", f"ARN {name} is not valid.", 400)


def test_role_tag_validation_names_no_values(aws):
    """test_iam_roles: test_role_tag_errors.  Tags are checked before the role is looked up."""
    iam = aws.client("iam")
    too_many = [{"Key": str(x), "Value": str(x)} for x in range(51)]
    tags_limit = _invalid("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal "
                          "to 50")
    assert error_of(iam.create_role, RoleName="r", AssumeRolePolicyDocument=TRUST, Tags=too_many) == tags_limit
    assert error_of(iam.tag_role, RoleName="test-nonexistent-role", Tags=too_many) == tags_limit
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    cases = [
        ([{"Key": "k" * 129, "Value": "value"}], "Value at 'tags.1.member.key' failed to satisfy constraint: "
                                                 "Member must have length less than or equal to 128"),
        ([{"Key": "key", "Value": "v" * 257}], "Value at 'tags.1.member.value' failed to satisfy constraint: "
                                               "Member must have length less than or equal to 256"),
        ([{"Key": "invalid!key", "Value": "value"}], "Value at 'tags.1.member.key' failed to satisfy constraint: "
                                                     f"Member must satisfy regular expression pattern: {TAG_PATTERN}"),
    ]
    for tags, message in cases:
        assert error_of(iam.create_role, RoleName="r2", AssumeRolePolicyDocument=TRUST, Tags=tags) == _invalid(message)
        assert error_of(iam.tag_role, RoleName="r", Tags=tags) == _invalid(message)
    untag_keys = _invalid(
        "Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length "
        "less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular "
        f"expression pattern: {TAG_PATTERN}, Member must not be null]")
    assert error_of(iam.untag_role, RoleName="r", TagKeys=[str(x) for x in range(51)]) == _invalid(
        "Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
    assert error_of(iam.untag_role, RoleName="r", TagKeys=["k" * 129]) == untag_keys
    assert error_of(iam.untag_role, RoleName="r", TagKeys=["invalid!key"]) == untag_keys


# ------------------------------------------------------------------------------------------- instance profiles
def test_instance_profile_answers(aws):
    """test_iam_instance_profiles: test_instance_profile_lifecycle, test_add_remove_role_from_instance_profile,
    test_list_instance_profiles, test_role_instance_profile_operations_errors.  GetInstanceProfile always has
    Tags (CreateInstanceProfile and the listings only when there are some); a role inside a profile has no
    MaxSessionDuration; removing a role the profile does not hold names both."""
    iam = aws.client("iam")
    created = iam.create_instance_profile(InstanceProfileName="profile")["InstanceProfile"]
    assert "Tags" not in created and created["Roles"] == []
    assert iam.get_instance_profile(InstanceProfileName="profile")["InstanceProfile"]["Tags"] == []
    iam.create_role(RoleName="role", AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=TRUST)
    iam.add_role_to_instance_profile(InstanceProfileName="profile", RoleName="role")
    (inside,) = iam.get_instance_profile(InstanceProfileName="profile")["InstanceProfile"]["Roles"]
    assert set(inside) == BASE_KEYS
    (listed,) = iam.list_instance_profiles()["InstanceProfiles"]
    assert "Tags" not in listed and set(listed["Roles"][0]) == BASE_KEYS
    (for_role,) = iam.list_instance_profiles_for_role(RoleName="role")["InstanceProfiles"]
    assert set(for_role["Roles"][0]) == BASE_KEYS
    assert error_of(iam.remove_role_from_instance_profile, InstanceProfileName="profile", RoleName="other") == (
        "NoSuchEntity", "Role other in Instance Profile profile cannot be found.", 404)
    iam.tag_instance_profile(InstanceProfileName="profile", Tags=[{"Key": "MyKey", "Value": "myValue"}])
    assert iam.get_instance_profile(InstanceProfileName="profile")["InstanceProfile"]["Tags"] == [
        {"Key": "MyKey", "Value": "myValue"}]


# -------------------------------------------------------------------------------------------- managed policies
def test_policy_version_errors(aws):
    """test_iam_policies: test_policy_version_errors; test_iam_managed_policies: test_get_aws_managed_policy_version.
    A policy that does not exist is answered as a version of it that does not; a malformed version id names no
    value."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="test-policy", PolicyDocument=SAMPLE_POLICY)["Policy"]["Arn"]
    missing = f"arn:aws:iam::{ACCOUNT}:policy/TestNonExistingPolicy"
    no_v1 = ("NoSuchEntity", f"Policy {missing} version v1 does not exist or is not attachable.", 404)
    assert error_of(iam.get_policy_version, PolicyArn=missing, VersionId="v1") == no_v1
    assert error_of(iam.set_default_policy_version, PolicyArn=missing, VersionId="v1") == no_v1
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v9") == (
        "NoSuchEntity", f"Policy {arn} version v9 does not exist or is not attachable.", 404)
    bad_id = _invalid("Value at 'versionId' failed to satisfy constraint: Member must satisfy regular expression "
                      "pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?")
    assert error_of(iam.set_default_policy_version, PolicyArn=arn, VersionId="wrong_version_id") == bad_id
    assert error_of(iam.get_policy_version, VersionId="v2-does-not-exist",
                  PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") == bad_id


def test_policy_tags_are_case_sensitive_and_listed_shortest_first(aws):
    """test_iam_policies: test_policy_tag_lifecycle, test_policy_tag_operations, test_policy_tag_create_errors,
    test_policy_tag_order.  Unlike users' and roles', a managed policy's tag keys ``a`` and ``A`` are two keys;
    ListPolicyTags lists shorter keys first, CreatePolicy the order given."""
    iam = aws.client("iam")
    order = [{"Key": "abc", "Value": "first"}, {"Key": "b", "Value": "second"}, {"Key": "z", "Value": "third"},
             {"Key": "a", "Value": "fourth"}]
    created = iam.create_policy(PolicyName="ordered", PolicyDocument=SAMPLE_POLICY, Tags=order)["Policy"]
    assert created["Tags"] == order
    assert [tag["Key"] for tag in iam.list_policy_tags(PolicyArn=created["Arn"])["Tags"]] == ["a", "b", "z", "abc"]
    cased = [{"Key": "a", "Value": "lowercase"}, {"Key": "A", "Value": "uppercase"}]
    arn = iam.create_policy(PolicyName="cased", PolicyDocument=SAMPLE_POLICY, Tags=cased)["Policy"]["Arn"]
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == cased[::-1]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "A", "Value": "uppercase"}]
    duplicate = ("InvalidInput", "Duplicate tag keys found.", 400)
    twice = [{"Key": "0", "Value": ""}, {"Key": "0", "Value": ""}]
    assert error_of(iam.create_policy, PolicyName="twice", PolicyDocument=SAMPLE_POLICY, Tags=twice) == duplicate
    assert error_of(iam.tag_policy, PolicyArn=arn, Tags=twice) == duplicate


def test_list_entities_for_policy(aws):
    """test_iam_policies: test_list_entities_for_policy, test_list_entities_for_policy_errors."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=SAMPLE_POLICY)["Policy"]["Arn"]
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    found = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="LocalManagedPolicy")
    assert (found["PolicyGroups"], found["PolicyUsers"], found["PolicyRoles"]) == ([], [], [])
    found = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert [role["RoleName"] for role in found["PolicyRoles"]] == ["r"] and found["PolicyUsers"] == []
    missing = f"arn:aws:iam::{ACCOUNT}:policy/NonExistentPolicy"
    assert error_of(iam.list_entities_for_policy, PolicyArn=missing) == (
        "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)


def test_list_aws_managed_policies_oldest_first(aws):
    """test_iam_managed_policies: test_list_policies_scope_aws (the first page of five: default versions v1, v12,
    v1xx, then AWSCloudFormation<the third's name> at v7, all under /)."""
    iam = aws.client("iam")
    page = iam.list_policies(Scope="AWS", MaxItems=5)
    assert page["IsTruncated"] is True and "Marker" in page
    names = [policy["PolicyName"] for policy in page["Policies"]]
    assert names[:4] == ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "AWSCloudFormationReadOnlyAccess"]
    assert [policy["DefaultVersionId"] for policy in page["Policies"]][:2] == ["v1", "v12"]
    assert all(policy["Path"] == "/" for policy in page["Policies"])


# ------------------------------------------------------------------------------------------ policy documents
# The documents of test_iam_policies' TestPolicyDocumentValidity, in its order (invalid-0 .. invalid-77 with the
# message AWS answered, valid-0 .. valid-50 accepted; the longest valid ones are shortened to their distinctive
# statements).
B = "arn:aws:s3:::example_bucket"
V = "2012-10-17"
SYNTAX = "Syntax errors in policy."
VERSION = "Policy document must be version 2012-10-17 or greater."
VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."
RESOURCES = "Policy statement must contain resources."
ACTIONS = "Policy statement must contain actions."
LEGACY = "The policy failed legacy parsing"


def _arn_format(resource):
    return f'Resource {resource} must be in ARN format or "*".'


def _partition(partition, resource):
    return f'Partition "{partition}" is not valid for resource "{resource}".'


def _s(**statement):
    return {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": B, **statement}


def _p(statement, version=V):
    return {"Version": version, "Statement": statement} if version else {"Statement": statement}


def _without(key, **statement):
    out = _s(**statement)
    del out[key]
    return out


_DUP_SIDS = [_s(Sid="sdf"), {"Sid": "sdf", "Effect": "Allow"}]
_BAD_DATE = {"DateGreaterThan": {"a": "sdfdsf"}}
IAM_PATHS = ("IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, "
             "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, "
             "report/, access-report/.")

INVALID = [
    ("This is not a json document", SYNTAX),
    (_p(_s(), None), VERSION),
    (_p(_s(), "2008-10-17"), VERSION),
    (_p(_s(), "2013-10-17"), SYNTAX),
    ({"Version": V}, SYNTAX),
    (_p(["afd"]), SYNTAX),
    ({**_p(_s()), "Extra field": "value"}, SYNTAX),
    (_p(_s(**{"Extra field": "value"})), SYNTAX),
    ({**_p(_s()), "Id": ["cd3a324d2343d942772346-34234234423404-4c2242343242349d1642ee"]}, SYNTAX),
    ({**_p(_s()), "Id": {}}, SYNTAX),
    (_p(_s(Effect="invalid")), SYNTAX),
    (_p(_s(Action="invalid")), VENDOR),
    (_p(_without("Action", NotAction="")), VENDOR),
    (_p(_s(Action="a a:ListBucket")), "Vendor a a is not valid"),
    (_p(_s(Action="s3:List:Bucket")), ONE_COLON),
    (_p([_s(Action="s3s:ListBucket"), _s(Action="s:3s:ListBucket")]), ONE_COLON),
    (_p(_s(Resource="invalid resource")), _arn_format("invalid resource")),
    (_p([{"Sid": "EnableDisableHongKong", "Effect": "Allow", "Action": ["account:EnableRegion",
                                                                      "account:DisableRegion"],
          "Resource": "", "Condition": {"StringEquals": {"account:TargetRegion": "ap-east-1"}}},
         {"Sid": "ViewConsole", "Effect": "Allow", "Action": ["aws-portal:ViewAccount", "account:ListRegions"],
          "Resource": ""}]), _arn_format("")),
    (_p(_s(Action="s:3:ListBucket", Resource="sdfsadf")), _arn_format("sdfsadf")),
    (_p(_s(Resource=["adf"])), _arn_format("adf")),
    (_p(_s(Resource="")), _arn_format("")),
    (_p(_without("Action", NotAction="s3s:ListBucket", Resource="a:bsdfdsafsad")),
     _partition("bsdfdsafsad", "arn:bsdfdsafsad:*:*:*:*")),
    (_p(_without("Action", NotAction="s3s:ListBucket", Resource="a:b:cadfsdf")),
     _partition("b", "arn:b:cadfsdf:*:*:*")),
    (_p(_without("Action", NotAction="s3s:ListBucket", Resource="a:b:c:d:e:f:g:h")),
     _partition("b", "arn:b:c:d:e:f:g:h")),
    (_p(_s(Resource="aws:s3:::example_bucket")), _partition("s3", "arn:s3:::example_bucket:*")),
    (_p(_s(Resource=["arn:error:s3:::example_bucket", "arn:error:s3::example_bucket"])),
     _partition("error", "arn:error:s3:::example_bucket")),
    (_p([]), SYNTAX),
    (_p(_without("Resource")), RESOURCES),
    (_p(_s(Resource=[])), RESOURCES),
    (_p(_without("Resource", Action="invalid")), RESOURCES),
    (_p(_without("Action")), ACTIONS),
    (_p(_without("Effect")), SYNTAX),
    (_p({"Effect": "Allow"}), ACTIONS),
    (_p(_s(Action=[])), ACTIONS),
    (_p([{"Effect": "Deny"}, _s()]), ACTIONS),
    (_p(_s(Resource="arn:aws:iam:::example_bucket")), IAM_PATHS),
    (_p(_s(Resource="arn:aws:s3::example_bucket")), LEGACY),
    (_p({"Effect": "Allow", "Resource": "arn:aws:s3::example_bucket"}), LEGACY),
    (_p(_s(Resource="arn:aws")), "Resource vendor must be fully qualified and cannot contain regexes."),
    (_p(_s(Resource={"a": B})), SYNTAX),
    (_p(_s(Effect="Deny", Resource=["adfdf", {}])), SYNTAX),
    (_p(_without("Action", NotAction="s3:ListBucket", NotResource=[])), SYNTAX),
    (_p(_s(Effect="Deny", Action=[[]])), SYNTAX),
    (_p(_s(NotAction="s3s:ListBucket", Action=[])), SYNTAX),
    (_p(_s(Action={})), SYNTAX),
    (_p(_s(Condition=[])), SYNTAX),
    (_p(_s(Condition="a")), SYNTAX),
    (_p(_s(Condition={"a": "b"})), SYNTAX),
    (_p(_s(Condition={"DateGreaterThan": "b"})), SYNTAX),
    (_p(_s(Condition={"DateGreaterThan": []})), SYNTAX),
    (_p(_s(Condition={"DateGreaterThan": {"a": {}}})), SYNTAX),
    (_p(_without("Action", Condition={"DateGreaterThan": {"a": {}}})), SYNTAX),
    (_p(_s(Condition={"x": {"a": "1"}})), SYNTAX),
    (_p(_s(Condition={"ForAnyValue::StringEqualsIfExists": {"a": "asf"}})), SYNTAX),
    (_p(_s(Condition=[{"ForAllValues:StringEquals": {"aws:TagKeys": "Department"}}])), SYNTAX),
    (_p(_s(Resource="arn:aws:iam:us-east-1::example_bucket")),
     "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."),
    (_p(_s(Resource="arn:aws:s3:us-east-1::example_bucket")),
     "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."),
    (_p(_s(Sid={})), SYNTAX),
    (_p(_s(Sid=[])), SYNTAX),
    (_p(_DUP_SIDS), "Statement IDs (SID) in a single policy must be unique."),
    (_p(_DUP_SIDS, None), VERSION),
    (_p(_s(NotAction="s3:ListBucket", Action="iam:dsf")), SYNTAX),
    (_p(_s(NotResource="*")), SYNTAX),
    (_p(_s(Effect="denY")), LEGACY),
    (_p(_s(Condition=_BAD_DATE)), LEGACY),
    (_p(_s(Condition=_BAD_DATE), None), VERSION),
    (_p(_s(Effect="denY"), None), VERSION),
    (_p({"Effect": "Allow", "Condition": _BAD_DATE}), LEGACY),
    (_p(_without("Action", NotAction="s3:ListBucket", Resource="arn:aws::::example_bucket")), LEGACY),
    (_p({"Effect": "allow", "Resource": "arn:aws:s3:us-east-1::example_bucket"}), LEGACY),
    (_p([_s(Sid="sdf", Effect="aLLow"), {"Sid": "sdf", "Effect": "Allow"}]), LEGACY),
    (_p(_without("Resource", NotResource="arn:aws:s3::example_bucket")), LEGACY),
    (_p(_s(Condition={"DateLessThanEquals": {"a": "234-13"}})), LEGACY),
    (_p(_s(Condition={"DateLessThanEquals": {"a": "2016-12-13t2:00:00.593194+1"}})), LEGACY),
    (_p(_s(Condition={"DateLessThanEquals": {"a": "2016-12-13t2:00:00.1999999999+10:59"}})), LEGACY),
    (_p(_s(Condition={"DateLessThan": {"a": "9223372036854775808"}})), LEGACY),
    (_p(_s(Resource="arn:error:s3:::example_bucket", Condition=_BAD_DATE)), LEGACY),
    (_p(_s(Resource="arn:aws::fdsasf")), LEGACY),
]

_SELF_SERVICE = [
    ("AllowViewAccountInfo", ["iam:GetAccountPasswordPolicy", "iam:GetAccountSummary"], "*"),
    ("AllowManageOwnPasswords", ["iam:ChangePassword", "iam:GetUser"], "arn:aws:iam::*:user/${aws:username}"),
    ("AllowManageOwnAccessKeys", ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
                                  "iam:UpdateAccessKey"], "arn:aws:iam::*:user/${aws:username}"),
    ("AllowManageOwnSSHPublicKeys", ["iam:DeleteSSHPublicKey", "iam:GetSSHPublicKey", "iam:ListSSHPublicKeys",
                                     "iam:UpdateSSHPublicKey", "iam:UploadSSHPublicKey"],
     "arn:aws:iam::*:user/${aws:username}"),
]
_DATES = {"DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
          "DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"}}

VALID = [
    _p(_s(Resource=[B])),
    _p(_s(Action="iam: asdf safdsf af ")),
    _p(_s(Resource=[B, "*"])),
    _p(_s(Action="*")),
    _p([_s()]),
    _p(_s(Action="service-prefix:action-name", Resource="*", Condition=_DATES)),
    _p(_s(Action="fsx:ListBucket")),
    _p(_s(Resource="arn:aws:iam:::user/example_bucket")),
    _p(_s(Resource="arn:aws:s33:::example_bucket")),
    _p(_s(Resource="arn:aws:fdsasf")),
    _p(_s(Condition={})),
    _p(_s(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "Department"}})),
    _p(_s(Resource="arn:aws:cloudwatch:us-east-1::example_bucket")),
    _p(_s(Resource="arn:aws:ec2:us-east-1::example_bucket")),
    _p(_s(Resource="arn:aws:invalid-service:::example_bucket")),
    _p(_s(Resource="arn:aws:invalid-service:us-east-1::example_bucket")),
    _p(_s(Condition=_DATES)),
    _p(_s(Condition={"DateGreaterThan": {}})),
    _p(_s(Condition={"DateGreaterThan": {"a": []}})),
    _p(_s(Condition={"a": {}})),
    _p(_s(Sid="dsfsdfsdfsdfsdfsadfsd")),
    _p([{"Sid": "ConsoleDisplay", "Effect": "Allow", "Action": ["iam:GetRole", "iam:GetUser", "iam:ListRoles",
                                                                "iam:ListRoleTags", "iam:ListUsers",
                                                                "iam:ListUserTags"], "Resource": "*"},
        {"Sid": "AddTag", "Effect": "Allow", "Action": ["iam:TagUser", "iam:TagRole"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/CostCenter": ["A-123", "B-456"]},
                       "ForAllValues:StringEquals": {"aws:TagKeys": "CostCenter"}}}]),
    _p(_without("Action", NotAction="s3:ListBucket")),
    _p({"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::HRBucket/Payroll",
                                                            "arn:aws:s3:::HRBucket/Payroll/*"]}),
    {**_p(_without("Action", NotAction="s3:ListBucket")), "Id": "sdfsdfsdf"},
    _p(_s(Action="aaaaaadsfdsafsadfsadfaaaaa:ListBucket")),
    _p(_s(Action="s3-s:ListBucket")),
    _p(_s(Action="s3.s:ListBucket")),
    _p({"Effect": "Allow", "NotAction": "s3:ListBucket", "NotResource": "*"}),
    _p([_s(Sid="sdf"), _s()]),
    _p(_s(Condition={"DateGreaterThan": {"a": "01T"}})),
    _p(_s(Condition={"x": {}, "y": {}})),
    _p(_s(Condition={"StringEqualsIfExists": {"a": "asf"}})),
    _p(_s(Condition={"ForAnyValue:StringEqualsIfExists": {"a": "asf"}})),
    _p(_s(Condition={"DateLessThanEquals": {"a": "2019-07-01T13:20:15Z"}})),
    _p(_s(Condition={"DateLessThanEquals": {"a": "2016-12-13T21:20:37.593194+00:00"}})),
    _p(_s(Condition={"DateLessThanEquals": {"a": "2016-12-13t2:00:00.593194+23"}})),
    _p(_s(Condition={"DateLessThan": {"a": "-292275054"}})),
    _p([{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
        for sid, actions, resource in _SELF_SERVICE]
       + [{"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
           "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                         "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
           "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]),
    _p([{"Sid": "ListAndDescribe", "Effect": "Allow", "Action": ["dynamodb:List*",
                                                                 "dynamodb:DescribeReservedCapacity*"],
         "Resource": "*"},
        {"Sid": "SpecificTable", "Effect": "Allow", "Action": ["dynamodb:BatchGet*", "dynamodb:Query"],
         "Resource": "arn:aws:dynamodb:*:*:table/MyTable"}]),
    _p([{"Effect": "Allow", "Action": ["ec2:AttachVolume", "ec2:DetachVolume"],
         "Resource": ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:instance/*"],
         "Condition": {"ArnEquals": {"ec2:SourceInstanceARN": "arn:aws:ec2:*:*:instance/instance-id"}}}]),
    _p([{"Effect": "Allow", "Action": ["ec2:AttachVolume", "ec2:DetachVolume"],
         "Resource": "arn:aws:ec2:*:*:volume/*",
         "Condition": {"StringEquals": {"ec2:ResourceTag/VolumeUser": "${aws:username}"}}}]),
    _p([{"Sid": "StartStopIfTags", "Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances"],
         "Resource": "arn:aws:ec2:region:account-id:instance/*",
         "Condition": {"StringEquals": {"ec2:ResourceTag/Project": "DataAnalytics",
                                        "aws:PrincipalTag/Department": "Data"}}}]),
    _p([{"Sid": "ListYourObjects", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": ["arn:aws:s3:::bucket-name"],
         "Condition": {"StringLike": {
             "s3:prefix": ["cognito/application-name/${cognito-identity.amazonaws.com:sub}"]}}},
        {"Sid": "ReadWriteDeleteYourObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": ["arn:aws:s3:::bucket-name/cognito/application-name/${cognito-identity.amazonaws.com:sub}/*"]}]),
    _p([{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket-name",
         "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:userid}/*"]}}},
        {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::bucket-name/home/${aws:userid}/*"]}]),
    _p([{"Sid": "AllObjectActions", "Effect": "Allow", "Action": "s3:*Object",
         "Resource": ["arn:aws:s3:::bucket-name/*"]}]),
    _p([{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
        for sid, actions, resource in _SELF_SERVICE]),
    _p([{"Action": "ec2:*", "Resource": "*", "Effect": "Allow",
         "Condition": {"StringEquals": {"ec2:Region": "region"}}}]),
    _p([{"Effect": "Allow", "Action": "rds:*", "Resource": ["arn:aws:rds:region:*:*"]},
        {"Effect": "Allow", "Action": ["rds:Describe*"], "Resource": ["*"]}]),
    _p([{"Sid": "", "Effect": "Allow", "Action": "rds:*", "Resource": ["arn:aws:rds:region:*:*"]},
        {"Sid": "", "Effect": "Allow", "Action": ["rds:Describe*"], "Resource": ["*"]}]),
    _p([{"Sid": "", "Effect": "Allow", "Action": ["s3:*"],
         "Resource": ["arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point",
                      "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*"]}]),
]


def test_create_policy_document_verdicts(aws):
    """test_iam_policies: test_create_policy_invalid_document[invalid-0..77], test_create_policy_valid_document.
    Text that is not JSON is a plain syntax error in a managed policy (not "This policy contains invalid Json", which
    UpdateAssumeRolePolicy answers: test_iam_roles test_update_assume_role_policy_errors); the IAM resource path
    message names root."""
    iam = aws.client("iam")
    for index, (document, message) in enumerate(INVALID):
        text = document if isinstance(document, str) else json.dumps(document)
        assert error_of(iam.create_policy, PolicyName=f"invalid-{index}", PolicyDocument=text) == (
            "MalformedPolicyDocument", message, 400), index
    for index, document in enumerate(VALID):
        iam.create_policy(PolicyName=f"valid-{index}", PolicyDocument=json.dumps(document))
    assert len(INVALID) == 78 and len(VALID) == 51
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    assert error_of(iam.update_assume_role_policy, RoleName="r", PolicyDocument="not valid json") == (
        "MalformedPolicyDocument", "This policy contains invalid Json", 400)
