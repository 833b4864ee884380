"""IAM's account quotas (users, groups, roles, customer managed policies, instance profiles, server certificates)
through boto3, in both modes: a create past the configured quota is ``LimitExceeded`` with AWS's wording and
changes nothing; GetAccountSummary reports the configured values; state import holds instance profiles and server
certificates to them."""
from __future__ import annotations

from dataclasses import replace

import pytest

from mockrunner.config import parse_quotas
from mockrunner.model import snapshot
from tests.iam.helpers import allow, doc, error_of
from tests.iam.keys_and_codes import private_pem, rsa_key, self_signed_certificate

ROLE_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
KEY = rsa_key()
CERTIFICATE = self_signed_certificate(KEY)[0]


def _certificate(iam, name: str) -> None:
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=CERTIFICATE, PrivateKey=private_pem(KEY))


#: quota setting -> (AWS's quota name, GetAccountSummary's count and quota keys, create one named, delete one named,
#:                   list the names)
QUOTAS = {
    "iam_max_users": ("UsersPerAccount", "Users", lambda iam, n: iam.create_user(UserName=n),
                      lambda iam, n: iam.delete_user(UserName=n),
                      lambda iam: [user["UserName"] for user in iam.list_users()["Users"]]),
    "iam_max_groups": ("GroupsPerAccount", "Groups", lambda iam, n: iam.create_group(GroupName=n),
                       lambda iam, n: iam.delete_group(GroupName=n),
                       lambda iam: [group["GroupName"] for group in iam.list_groups()["Groups"]]),
    "iam_max_roles": ("RolesPerAccount", "Roles",
                      lambda iam, n: iam.create_role(RoleName=n, AssumeRolePolicyDocument=ROLE_TRUST),
                      lambda iam, n: iam.delete_role(RoleName=n),
                      lambda iam: [role["RoleName"] for role in iam.list_roles()["Roles"]]),
    "iam_max_policies": ("PoliciesPerAccount", "Policies",
                         lambda iam, n: iam.create_policy(PolicyName=n, PolicyDocument=doc(allow("s3:GetObject"))),
                         lambda iam, n: iam.delete_policy(PolicyArn=f"arn:aws:iam::123456789012:policy/{n}"),
                         lambda iam: [policy["PolicyName"] for policy in iam.list_policies(Scope="Local")["Policies"]]),
    "iam_max_instance_profiles": ("InstanceProfilesPerAccount", "InstanceProfiles",
                                  lambda iam, n: iam.create_instance_profile(InstanceProfileName=n),
                                  lambda iam, n: iam.delete_instance_profile(InstanceProfileName=n),
                                  lambda iam: [profile["InstanceProfileName"]
                                               for profile in iam.list_instance_profiles()["InstanceProfiles"]]),
    "iam_max_server_certificates": ("ServerCertificatesPerAccount", "ServerCertificates", _certificate,
                                    lambda iam, n: iam.delete_server_certificate(ServerCertificateName=n),
                                    lambda iam: [certificate["ServerCertificateName"] for certificate in
                                                 iam.list_server_certificates()["ServerCertificateMetadataList"]]),
}


def _set(aws, **values: int) -> None:
    aws.store.settings.quotas = replace(aws.store.settings.quotas, **values)


@pytest.mark.parametrize("setting", sorted(QUOTAS))
def test_a_create_past_the_quota_is_limit_exceeded_and_changes_nothing(aws, setting):
    name, counted, create, delete, names = QUOTAS[setting]
    iam = aws.client("iam")
    _set(aws, **{setting: 2})
    create(iam, "unit-one")
    create(iam, "unit-two")
    assert error_of(lambda: create(iam, "unit-three")) == ("LimitExceeded", f"Cannot exceed quota for {name}: 2", 409)
    assert sorted(names(iam)) == ["unit-one", "unit-two"]
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary[counted], summary[f"{counted}Quota"]) == (2, 2)
    delete(iam, "unit-one")  # room again
    create(iam, "unit-three")
    assert sorted(names(iam)) == ["unit-three", "unit-two"]


def test_the_defaults_are_iams_and_groups_stop_at_300(aws):
    """The defaults of the IAM User Guide's quota table, reported by GetAccountSummary; the groups quota enforced
    at its default value."""
    iam = aws.client("iam")
    summary = iam.get_account_summary()["SummaryMap"]
    assert {key: summary[key] for key in ("UsersQuota", "GroupsQuota", "RolesQuota", "PoliciesQuota",
                                          "InstanceProfilesQuota", "ServerCertificatesQuota")} == {
        "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
        "InstanceProfilesQuota": 1000, "ServerCertificatesQuota": 20}
    for number in range(300):
        iam.create_group(GroupName=f"team-{number:03d}")
    assert error_of(iam.create_group, GroupName="team-300") == (
        "LimitExceeded", "Cannot exceed quota for GroupsPerAccount: 300", 409)


def test_a_raised_quota_is_reported_and_allows_more(aws):
    iam = aws.client("iam")
    aws.store.settings.quotas = parse_quotas("iam_max_roles=5000,iam_max_groups=1", aws.store.settings.quotas)
    assert iam.get_account_summary()["SummaryMap"]["RolesQuota"] == 5000
    iam.create_group(GroupName="only")
    assert error_of(iam.create_group, GroupName="second")[0] == "LimitExceeded"


def test_service_linked_roles_count_toward_the_roles_quota(aws):
    iam = aws.client("iam")
    _set(aws, iam_max_roles=1)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=ROLE_TRUST)
    assert error_of(iam.create_service_linked_role, AWSServiceName="apprunner.amazonaws.com") == (
        "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1", 409)
    assert [role["RoleName"] for role in iam.list_roles()["Roles"]] == ["app"]
    _set(aws, iam_max_roles=2)
    iam.create_service_linked_role(AWSServiceName="apprunner.amazonaws.com")
    assert error_of(iam.create_role, RoleName="more", AssumeRolePolicyDocument=ROLE_TRUST)[0] == "LimitExceeded"


def test_state_import_holds_profiles_and_certificates_to_the_configured_quotas(aws):
    """Instance profiles and server certificates past the configured quota are refused on import; users, groups,
    roles and customer managed policies are not bounded there (an account's raised quotas load, creates past the
    configured quota are refused)."""
    iam = aws.client("iam")
    for name in ("p1", "p2", "p3"):
        iam.create_instance_profile(InstanceProfileName=name)
        iam.create_user(UserName=name)
    document = snapshot.export_state(aws.store)
    _set(aws, iam_max_instance_profiles=2, iam_max_users=2)
    with pytest.raises(snapshot.SnapshotError) as refused:
        snapshot.import_state(aws.store, document)
    assert "instance_profiles" in str(refused.value)
    _set(aws, iam_max_instance_profiles=3)
    snapshot.import_state(aws.store, document)
    assert len(iam.list_users()["Users"]) == 3
    assert error_of(iam.create_user, UserName="p4") == ("LimitExceeded", "Cannot exceed quota for UsersPerAccount: 2",
                                                        409)


def test_a_full_account_still_names_the_services_own_errors_first(aws):
    iam = aws.client("iam")
    _set(aws, iam_max_roles=0)
    assert error_of(iam.create_service_linked_role, AWSServiceName="apprunner.amazonaws.com",
                    CustomSuffix="x") == ("InvalidInput", "Custom suffix is not allowed for apprunner.amazonaws.com",
                                          400)


@pytest.mark.parametrize("kind", ["user", "role"])
def test_attached_policies_per_user_and_role_are_raised_by_configuration(aws, kind):
    """10 by default (AWS raises them to 20 on request); a group's 10 stays fixed."""
    iam = aws.client("iam")
    entity = {"user": lambda: iam.create_user(UserName="e"),
              "role": lambda: iam.create_role(RoleName="e", AssumeRolePolicyDocument=ROLE_TRUST)}[kind]
    attach = {"user": iam.attach_user_policy, "role": iam.attach_role_policy}[kind]
    entity()
    arns = [iam.create_policy(PolicyName=f"p{number}", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
            for number in range(13)]
    for arn in arns[:10]:
        attach(**{f"{kind.title()}Name": "e", "PolicyArn": arn})
    title = kind.title()
    assert error_of(attach, **{f"{title}Name": "e", "PolicyArn": arns[10]}) == (
        "LimitExceeded", f"Cannot exceed quota for PoliciesPer{title}: 10", 409)
    _set(aws, **{f"iam_max_policies_per_{kind}": 12})
    assert iam.get_account_summary()["SummaryMap"][f"AttachedPoliciesPer{title}Quota"] == 12
    attach(**{f"{title}Name": "e", "PolicyArn": arns[10]})
    attach(**{f"{title}Name": "e", "PolicyArn": arns[11]})
    assert error_of(attach, **{f"{title}Name": "e", "PolicyArn": arns[12]}) == (
        "LimitExceeded", f"Cannot exceed quota for PoliciesPer{title}: 12", 409)
    assert iam.get_account_summary()["SummaryMap"]["AttachedPoliciesPerGroupQuota"] == 10


def test_the_trust_policy_size_is_raised_by_configuration(aws):
    """ACLSizePerRole: 2,048 characters without whitespace by default, 4,096 once raised."""
    iam = aws.client("iam")
    long_trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"sts:ExternalId": [f"id-{n:04d}" for n in range(250)]}}})
    assert error_of(iam.create_role, RoleName="wide", AssumeRolePolicyDocument=long_trust) == (
        "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
    _set(aws, iam_max_trust_policy_size=4096)
    assert iam.get_account_summary()["SummaryMap"]["AssumeRolePolicySizeQuota"] == 4096
    iam.create_role(RoleName="wide", AssumeRolePolicyDocument=long_trust)
    assert error_of(iam.update_assume_role_policy, RoleName="wide", PolicyDocument=long_trust.replace(
        "id-0000", "id-0000-" + "x" * 2100))[0] == "LimitExceeded"
