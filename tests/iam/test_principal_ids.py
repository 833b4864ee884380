"""IAM users and roles named in stored policies are bound to the principal itself, not to its name.

IAM User Guide, "AWS JSON policy elements: Principal" ("IAM role principals"): a user or role ARN in a trust
policy or another resource-based policy is saved as the principal's unique id and shown as its ARN again; once
the principal is deleted, the policy shows the unique id and no longer applies, even to a new user or role of
the same name.  AWS Knowledge Center, "Why is there an unknown principal format in my IAM resource-based
policy?": the ids look like ``AIDA...`` and ``AROA...``, and an edited policy must remove or replace them.
"""
from __future__ import annotations

import json

import pytest

from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key


def _assume(aws, key: dict, role: str) -> dict:
    sts = aws.client_for(key, "sts")
    return sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", RoleSessionName="ss")["Credentials"]


def _trusted(iam, role: str) -> object:
    return iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]


def test_a_deleted_user_is_shown_by_its_unique_id_and_a_namesake_is_not_trusted(aws):
    iam = aws.client("iam")
    may_assume = {"assume": doc(allow("sts:AssumeRole"))}
    ann_key = user_with_key(aws, "ann", inline=may_assume)
    bob_key = user_with_key(aws, "bob", inline=may_assume)
    ann_id = iam.get_user(UserName="ann")["User"]["UserId"]
    ann_arn, bob_arn = f"arn:aws:iam::{ACCOUNT}:user/ann", f"arn:aws:iam::{ACCOUNT}:user/bob"
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust([ann_arn, bob_arn]))
    assert _assume(aws, ann_key, "deploy")["AccessKeyId"]

    iam.delete_user_policy(UserName="ann", PolicyName="assume")
    iam.delete_access_key(UserName="ann", AccessKeyId=ann_key["AccessKeyId"])
    iam.delete_user(UserName="ann")
    assert _trusted(iam, "deploy") == [ann_id, bob_arn]
    listed = next(role for role in iam.list_roles()["Roles"] if role["RoleName"] == "deploy")
    assert listed["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] == [ann_id, bob_arn]

    # The rest of the policy still applies; a new "ann" is another principal.
    assert _assume(aws, bob_key, "deploy")["AccessKeyId"]
    new_ann_key = user_with_key(aws, "ann", inline=may_assume)
    assert error_of(_assume, aws=aws, key=new_ann_key, role="deploy")[0] == "AccessDenied"
    assert _trusted(iam, "deploy") == [ann_id, bob_arn], "the namesake does not take the deleted user's place"


def test_a_deleted_role_is_shown_by_its_unique_id_and_a_recreated_role_cannot_assume(aws):
    iam = aws.client("iam")
    root_trust = trust(f"arn:aws:iam::{ACCOUNT}:root")
    ci_arn = f"arn:aws:iam::{ACCOUNT}:role/ci"
    ci_id = iam.create_role(RoleName="ci", AssumeRolePolicyDocument=root_trust)["Role"]["RoleId"]
    iam.put_role_policy(RoleName="ci", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": ci_arn}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    operator = user_with_key(aws, "operator", inline={"assume": doc(allow("sts:AssumeRole"))})
    ci_session = _assume(aws, operator, "ci")
    assert _assume(aws, ci_session, "deploy")["AccessKeyId"], "role chaining through the trusted role"

    iam.delete_role_policy(RoleName="ci", PolicyName="assume")
    iam.delete_role(RoleName="ci")
    assert _trusted(iam, "deploy") == ci_id
    assert ci_id.startswith("AROA") and len(ci_id) == 21

    iam.create_role(RoleName="ci", AssumeRolePolicyDocument=root_trust)
    iam.put_role_policy(RoleName="ci", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    new_session = _assume(aws, operator, "ci")
    assert error_of(_assume, aws=aws, key=new_session, role="deploy")[0] == "AccessDenied"
    statements = iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"]["Statement"]
    assert statements[1]["Principal"] == {"Service": "apprunner.amazonaws.com"}, "other statements are kept"

    # Saving the policy as shown is refused: the id must be removed or replaced by an ARN.
    shown = json.dumps(iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"])
    assert error_of(iam.update_assume_role_policy, RoleName="deploy", PolicyDocument=shown) == (
        "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ci_id}"', 400)
    assert error_of(iam.create_role, RoleName="other", AssumeRolePolicyDocument=trust(ci_id))[0] == (
        "MalformedPolicyDocument")
    iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=trust(ci_arn))
    assert _assume(aws, new_session, "deploy")["AccessKeyId"], "naming the new role by ARN trusts it"


def test_a_renamed_user_is_shown_by_its_new_arn_and_stays_trusted(aws):
    iam = aws.client("iam")
    key = user_with_key(aws, "ann", inline={"assume": doc(allow("sts:AssumeRole"))})
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/ann"))
    iam.update_user(UserName="ann", NewUserName="anna", NewPath="/team/")
    assert _trusted(iam, "deploy") == f"arn:aws:iam::{ACCOUNT}:user/team/anna"
    assert _assume(aws, key, "deploy")["AccessKeyId"]
    # A new "ann" is not the user the policy named.
    other_key = user_with_key(aws, "ann", inline={"assume": doc(allow("sts:AssumeRole"))})
    assert error_of(_assume, aws=aws, key=other_key, role="deploy")[0] == "AccessDenied"


ECR_POLICIES = {
    "repository": (lambda ecr, text: ecr.set_repository_policy(repositoryName="shared", policyText=text),
                   lambda ecr: ecr.get_repository_policy(repositoryName="shared")["policyText"], {}),
    "registry": (lambda ecr, text: ecr.put_registry_policy(policyText=text),
                 lambda ecr: ecr.get_registry_policy()["policyText"],
                 {"Sid": "pull", "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"}),
}
"""How a policy granting another account's role is set and read: a repository policy, or the registry policy."""


@pytest.mark.parametrize("kind", sorted(ECR_POLICIES))
def test_an_ecr_policy_shows_a_deleted_principal_by_its_unique_id(two_account_harness, kind):
    put_policy, get_policy, extra = ECR_POLICIES[kind]
    harness = two_account_harness
    owner = harness.client("ecr")
    other_iam = harness.client("iam", access_key="other-key", secret="other-secret")
    puller_arn = f"arn:aws:iam::{OTHER_ACCOUNT}:role/puller"
    role_trust = trust(f"arn:aws:iam::{OTHER_ACCOUNT}:root")
    puller_id = other_iam.create_role(RoleName="puller", AssumeRolePolicyDocument=role_trust)["Role"]["RoleId"]
    other_iam.put_role_policy(RoleName="puller", PolicyName="pull", PolicyDocument=doc(allow("ecr:ListImages")))
    other_iam.create_user(UserName="operator")
    other_iam.put_user_policy(UserName="operator", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    operator = other_iam.create_access_key(UserName="operator")["AccessKey"]
    owner.create_repository(repositoryName="shared")
    put_policy(owner, json.dumps({"Version": "2012-10-17", "Statement": [
        {**extra, "Effect": "Allow", "Principal": {"AWS": puller_arn}, "Action": "ecr:ListImages"}]}))

    def puller_lists() -> dict:
        sts = harness.client_for(operator, "sts")
        session = sts.assume_role(RoleArn=puller_arn, RoleSessionName="ss")["Credentials"]
        return harness.client_for(session, "ecr").list_images(registryId=ACCOUNT, repositoryName="shared")

    assert puller_lists()["imageIds"] == []
    other_iam.delete_role_policy(RoleName="puller", PolicyName="pull")
    other_iam.delete_role(RoleName="puller")
    shown = json.loads(get_policy(owner))
    assert shown["Statement"][0]["Principal"] == {"AWS": puller_id}
    if kind == "repository":
        assert error_of(owner.set_repository_policy, repositoryName="shared", policyText=json.dumps(shown)) == (
            "InvalidParameterException",
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'", 400)

    other_iam.create_role(RoleName="puller", AssumeRolePolicyDocument=role_trust)
    other_iam.put_role_policy(RoleName="puller", PolicyName="pull", PolicyDocument=doc(allow("ecr:ListImages")))
    assert error_of(puller_lists)[0] == "AccessDeniedException"


@pytest.mark.parametrize("spelling", ["role/deployer", "role/ci/deployer", "role/teams/ci/extra/deployer"])
def test_a_role_arn_with_another_path_names_no_role_and_is_refused(aws, spelling):
    """A user or role ARN names the entity with its path: ``role/deployer`` for a role at ``/teams/ci/`` is a
    role that does not exist, so a trust or repository policy naming it is refused as IAM refuses a role ARN
    missing a segment of its path (serverless/serverless#13652: "Invalid principal in policy").  Before, the
    name alone was looked up: such a policy was stored although it could never name the role."""
    iam, ecr = aws.client("iam"), aws.client("ecr")
    iam.create_role(RoleName="deployer", Path="/teams/ci/", AssumeRolePolicyDocument=trust(ACCOUNT))
    arn = f"arn:aws:iam::{ACCOUNT}:{spelling}"
    assert error_of(iam.create_role, RoleName="guarded", AssumeRolePolicyDocument=trust(arn)) == (
        "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{arn}"', 400)
    ecr.create_repository(repositoryName="shared")
    policy = doc({"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "ecr:ListImages"})
    assert error_of(ecr.set_repository_policy, repositoryName="shared", policyText=policy) == (
        "InvalidParameterException",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'", 400)
    exact = f"arn:aws:iam::{ACCOUNT}:role/teams/ci/deployer"
    iam.create_role(RoleName="guarded", AssumeRolePolicyDocument=trust(exact))
    assert exact in json.dumps(iam.get_role(RoleName="guarded")["Role"]["AssumeRolePolicyDocument"])
    ecr.set_repository_policy(repositoryName="shared", policyText=doc(
        {"Effect": "Allow", "Principal": {"AWS": exact}, "Action": "ecr:ListImages"}))
    assert exact in ecr.get_repository_policy(repositoryName="shared")["policyText"]
