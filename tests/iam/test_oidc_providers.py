"""IAM OpenID Connect providers through boto3, in both modes: names, validation, idempotence, tags, authz."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key

GITHUB = "https://token.actions.githubusercontent.com"
GITHUB_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"


def test_create_get_list_delete_with_iam_names(aws):
    iam = aws.client("iam")
    created = iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"],
                                                  ThumbprintList=[THUMB], Tags=[{"Key": "team", "Value": "ci"}])
    assert created["OpenIDConnectProviderArn"] == GITHUB_ARN
    assert created["Tags"] == [{"Key": "team", "Value": "ci"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    # IAM reports the URL without its scheme.
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == [THUMB]
    assert got["Tags"] == [{"Key": "team", "Value": "ci"}] and got["CreateDate"]
    path_arn = iam.create_open_id_connect_provider(Url="https://oidc.example.com/id/ABC")["OpenIDConnectProviderArn"]
    assert path_arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.example.com/id/ABC"
    listed = [item["Arn"] for item in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    assert listed == sorted([GITHUB_ARN, path_arn])
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    with pytest.raises(ClientError) as excinfo:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert aws_error(excinfo) == ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {GITHUB_ARN}", 404)


BAD_URL = ("ValidationError", "Invalid Open ID Connect Provider URL")
BAD_URL_PART = ("InvalidInput", "Invalid Open ID Connect Provider URL.")


@pytest.mark.parametrize("url, answer", [
    ("http://token.example.com", ("InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with "
                                  "https://.")),
    ("token.example.com", BAD_URL), ("https://", BAD_URL), ("https://x.com/?a=1", ("InvalidInput", "Unknown")),
    ("https://x.com/#frag", ("InvalidInput", "Unknown")), ("https://x.com:8443", BAD_URL_PART)])
def test_a_url_that_is_not_https_with_a_host_and_no_query_is_refused(aws, url, answer):
    with pytest.raises(ClientError) as excinfo:
        aws.client("iam").create_open_id_connect_provider(Url=url, ClientIDList=["a"])
    assert aws_error(excinfo) == (*answer, 400)
    assert aws.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_duplicates_quotas_and_bad_arns(aws):
    iam = aws.client("iam")
    iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"])
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["other"])
    assert aws_error(excinfo) == ("EntityAlreadyExists", f"Provider with url {GITHUB} already exists.", 409)
    # Not normalised: a trailing slash is another provider.
    assert iam.create_open_id_connect_provider(Url=GITHUB + "/")["OpenIDConnectProviderArn"] == GITHUB_ARN + "/"
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(Url="https://six.example.com", ThumbprintList=[THUMB] * 6)
    assert aws_error(excinfo) == ("InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(Url="https://many.example.com", ClientIDList=[str(i) for i in range(101)])
    assert aws_error(excinfo)[:2] == ("LimitExceeded",
                                      "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
    with pytest.raises(ClientError) as excinfo:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn="not-an-arn-at-all-really")
    assert aws_error(excinfo) == ("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    assert len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 2


def test_client_ids_thumbprints_and_tags_change_idempotently(aws):
    iam = aws.client("iam")
    arn = iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["a"])["OpenIDConnectProviderArn"]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="a")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="nope")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[THUMB, "a" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["ClientIDList"] == ["b"] and got["ThumbprintList"] == [THUMB, "a" * 40]
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "k", "Value": "v"},
                                                                        {"Key": "x", "Value": "y"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["x"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [{"Key": "k",
                                                                                              "Value": "v"}]
    missing = arn + "x"
    for call in (lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=missing,
                                                                       ClientID="c"),
                 lambda: iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=missing, Tags=[])):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert aws_error(excinfo)[0] == "NoSuchEntity"


def test_authorized_on_the_provider_arn_with_its_tags(aws):
    iam = aws.client("iam")
    arn = iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["a"],
                                              Tags=[{"Key": "owner", "Value": "ci"}])["OpenIDConnectProviderArn"]
    other = iam.create_open_id_connect_provider(Url="https://other.example.com")["OpenIDConnectProviderArn"]
    key = user_with_key(aws, "reader", inline={"p": doc(
        allow("iam:GetOpenIDConnectProvider", f"arn:aws:iam::{ACCOUNT}:oidc-provider/*",
              Condition={"StringEquals": {"aws:ResourceTag/owner": "ci"}}),
        allow("iam:ListOpenIDConnectProviders"))})
    reader = aws.client_for(key, "iam")
    assert reader.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["Url"]
    assert len(reader.list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 2
    with pytest.raises(ClientError) as excinfo:
        reader.get_open_id_connect_provider(OpenIDConnectProviderArn=other)
    code, message, status = aws_error(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    assert f"iam:GetOpenIDConnectProvider on resource: {other}" in message
    with pytest.raises(ClientError) as excinfo:
        reader.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert aws_error(excinfo)[0] == "AccessDenied"


def test_providers_survive_state_export_and_import(aws):
    iam = aws.client("iam")
    iam.create_open_id_connect_provider(Url=GITHUB, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB],
                                        Tags=[{"Key": "k", "Value": "v"}])
    exported = snapshot.export_state(aws.store)
    aws.store.reset()
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    snapshot.import_state(aws.store, exported)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["Tags"] == [{"Key": "k", "Value": "v"}]
