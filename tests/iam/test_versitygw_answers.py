"""IAM answers versity/versitygw's IAM integration tests expect, where mockrunner answered otherwise.

Evidence: the files under tests/integration/ of the public repository versity/versitygw (run against versitygw's own
AWS-compatible IAM service, its authors' rendering of AWS's answers); each test names its files and any further
evidence.
"""
from __future__ import annotations

from botocore.config import Config

from tests.harness import without_authorization_id
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key

THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"


def test_a_missing_oidc_provider_is_worded_as_each_operation_words_it(aws):
    """Tag, Untag and ListTags of a provider that does not exist answer as DeleteOpenIDConnectProvider does, "OpenId
    connect Provider <arn> cannot be found." (iam_tag_oidc_provider.go, iam_untag_oidc_provider.go,
    iam_list_oidc_provider_tags.go); Get, UpdateThumbprint and the client id operations "OpenIDConnect Provider not
    found for arn <arn>" (iam_get_oidc_provider.go, iam_add_client_id_to_oidc_provider.go,
    iam_remove_client_id_from_oidc_provider.go)."""
    iam = aws.client("iam")
    kept = iam.create_open_id_connect_provider(Url="https://kept.example.com", ThumbprintList=[THUMBPRINT],
                                               Tags=[{"Key": "env", "Value": "prod"}])["OpenIDConnectProviderArn"]
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/missing.example.com"
    cannot_be_found = ("NoSuchEntity", f"OpenId connect Provider {arn} cannot be found.", 404)
    not_found_for_arn = ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)
    answers = [
        (iam.tag_open_id_connect_provider, {"Tags": [{"Key": "env", "Value": "prod"}]}, cannot_be_found),
        (iam.untag_open_id_connect_provider, {"TagKeys": ["env"]}, cannot_be_found),
        (iam.list_open_id_connect_provider_tags, {}, cannot_be_found),
        (iam.delete_open_id_connect_provider, {}, cannot_be_found),
        (iam.get_open_id_connect_provider, {}, not_found_for_arn),
        (iam.add_client_id_to_open_id_connect_provider, {"ClientID": "sts.amazonaws.com"}, not_found_for_arn),
        (iam.remove_client_id_from_open_id_connect_provider, {"ClientID": "sts.amazonaws.com"}, not_found_for_arn),
        (iam.update_open_id_connect_provider_thumbprint, {"ThumbprintList": [THUMBPRINT]}, not_found_for_arn),
    ]
    for call, params, answer in answers:
        assert error_of(call, OpenIDConnectProviderArn=arn, **params) == answer, call.__name__
    assert [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]] == [kept]
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=kept)["Tags"] == [
        {"Key": "env", "Value": "prod"}]


def test_the_client_id_of_add_and_remove_is_not_echoed(aws):
    """A 256-character ``ClientID`` is "Value at 'clientID' failed to satisfy constraint: Member must have length less
    than or equal to 255", a missing one "Value at 'clientID' failed to satisfy constraint: Member must not be null",
    neither with the value (iam_add_client_id_to_oidc_provider.go, iam_remove_client_id_from_oidc_provider.go)."""
    iam = aws.client("iam", config=Config(parameter_validation=False))
    arn = iam.create_open_id_connect_provider(Url="https://idp.example.com", ClientIDList=["kept"],
                                              ThumbprintList=[THUMBPRINT])["OpenIDConnectProviderArn"]
    prefix = "1 validation error detected: Value at 'clientID' failed to satisfy constraint: "
    for call in (iam.add_client_id_to_open_id_connect_provider, iam.remove_client_id_from_open_id_connect_provider):
        assert error_of(call, OpenIDConnectProviderArn=arn, ClientID="c" * 256) == (
            "ValidationError", prefix + "Member must have length less than or equal to 255", 400)
        assert error_of(call, OpenIDConnectProviderArn=arn) == (
            "ValidationError", prefix + "Member must not be null", 400)
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["kept"]


def test_renaming_or_moving_a_user_needs_permission_on_the_user_it_becomes(aws):
    """``UpdateUser`` is authorized on the user as it is and, when ``NewUserName`` or ``NewPath`` changes its ARN, on
    the user it becomes, as the UpdateUser API reference requires ("the requester must have appropriate permissions
    on both the source object and the target object"); versitygw's iam_access_control.go and the authorizer it
    tests (iamapi/internal/iammiddleware/policy.go, updateUserTargetResource) check both as well."""
    iam = aws.client("iam")
    iam.create_user(UserName="bob")
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    only_bob = aws.client_for(user_with_key(aws, "alice", inline={"p": doc(allow("iam:UpdateUser", bob))}), "iam")
    denied = ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: iam:UpdateUser "
              "on resource: user robert because no identity-based policy allows the iam:UpdateUser action", 403)
    code, message, status = error_of(only_bob.update_user, UserName="bob", NewUserName="robert")
    assert (code, without_authorization_id(message), status) == denied
    assert error_of(only_bob.update_user, UserName="bob", NewPath="/moved/")[0] == "AccessDenied"
    assert iam.get_user(UserName="bob")["User"]["Arn"] == bob
    only_bob.update_user(UserName="bob", NewPath="/")
    both = aws.client_for(user_with_key(aws, "carol", inline={"p": doc(allow(
        "iam:UpdateUser", [bob, f"arn:aws:iam::{ACCOUNT}:user/robert"]))}), "iam")
    both.update_user(UserName="bob", NewUserName="robert")
    assert iam.get_user(UserName="robert")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/robert"
