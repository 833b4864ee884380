"""An attacker's eighteenth pass: session tags through role chains, the query protocol's odd shapes, odd sequences
with ``--state-file`` restarts, and names spelled in another case.  Real clients throughout: boto3 in both modes
(``aws``), raw signed requests against a real server (``server``).

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
AssumeRole with ``Tags`` ``team=blue`` and                 **fixed (medium).** STS accepted the key (session tag
``TransitiveTagKeys`` ``["TEAM"]``, then a chained         keys are case-insensitive) but a chained AssumeRole looked
AssumeRole                                                 the tag up case-sensitively and dropped it: the next
                                                           session had no ``team`` tag, so a Deny on
                                                           ``aws:PrincipalTag/team`` stopped applying after one hop.
                                                           The transitive key now names its tag in any case.
a session carrying transitive tags chains into a role      **fixed (medium).** The new session was given the
whose trust policy does not allow ``sts:TagSession``       inherited tags without any ``sts:TagSession`` check, so a
                                                           role whose trust refuses tagged sessions got them anyway.
                                                           Inherited tags now need ``sts:TagSession`` (AWS's refusal
                                                           of chaining with EKS Pod Identity's transitive tags names
                                                           it: mattrobinsonsre/terrapod#1546,
                                                           aws/eks-pod-identity-agent#80).
a web identity token's ``principal_tags`` holding ``team``  **fixed (low).** Both were taken (the context then kept
and ``Team``; ``transitive_tag_keys`` ``["TEAM"]``         whichever came last) and the transitive key was refused;
                                                           AssumeRole and AssumeRoleWithSAML refuse the pair and
                                                           take the key.  The token's pair is IDPRejectedClaim now,
                                                           its transitive key is read in any case.
GetMFADevice by a role session without ``UserName``,       **fixed (low).** Authorized on the session's own ARN, it
naming another user's serial number                        then answered any user's device (user name, enable date).
                                                           A caller that is neither a user nor the root is refused
                                                           as ListMFADevices refuses it ("Must specify userName when
                                                           calling with non-User credentials").
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* The query protocol: ``Action`` in the query string and the form body, ``Action`` twice, a parameter twice, list
  members with gaps, ``01`` beside ``1``, huge, negative or non-ASCII indexes: the operation that runs is the one
  authorized (a user allowed only ``iam:ListUsers`` cannot delete through any of these spellings; pinned), members
  after a gap are ignored, no 5xx.  ``1e2``, ``3600.0``, ``0x10``, `` 5`` and fullwidth digits as integers and
  ``yes`` as a boolean are ``ValidationError``.
* JSON bodies (ECR, App Runner) with a UTF-8 BOM or in UTF-16 are read (as Jackson reads them); a gzip body
  without the service supporting request compression, non-UTF-8 bytes, lone surrogates, ``null`` list items,
  arrays or strings as the body, 5,000-digit numbers are ``SerializationException`` (400).
* Durability: user renames with a new path, tags and untags on the renamed user (keys in another case), group
  renames, login profiles, MFA devices, policy versions set and deleted, OIDC provider tags and client ids,
  service-linked roles, every ECR repository setting, App Runner configurations, a refused DeleteUser: after each
  step a server restarted from the state file exports the same state (only the IAM state's version counter
  moves).
* Session tags: case-insensitive duplicates (``a``/``A``) are refused, a transitive key that is not a tag is
  refused, a chained call setting a transitive key in another case is refused, a session tag overrides a role tag
  of the same key in another case, DurationSeconds over one hour when chaining and over the role's maximum are
  ValidationError, the root's GetFederationToken is held to an hour.
* IAM names spelled in another case: CreatePolicy, CreateInstanceProfile, CreateGroup, CreateRole (also at another
  path), CreateUser, UpdateUser and UpdateGroup onto a case variant of another name, CreateVirtualMFADevice are
  EntityAlreadyExists; inline policy names stay case-sensitive (``p`` and ``P`` are two policies).

Left as is (reported):

* ECR tag keys are case-sensitive, so a repository (or a TagResource request) may hold ``env`` and ``Env``; the
  condition keys ``aws:ResourceTag/env`` and ``aws:RequestTag/env`` are case-insensitive and the engine then reads
  the value of whichever came last.  AWS's global condition keys reference says such a key "matches a resource
  tag key named either TagKey1 or tagkey1, but not both", without saying what a policy sees when both exist; a
  policy that also constrains ``aws:TagKeys`` (as AWS's examples do) is not affected.

Since made consistent: UpdateUser refused renaming a user to its own name in another case (``u`` to ``U``) while
UpdateGroup allowed it; AWS refuses it for users (noobaa/noobaa-core#9323), and UpdateGroup now does too
(tests/iam/test_account_settings.py).
"""
from __future__ import annotations

import json

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.iam.federation import assume, deploy_role, github_provider, mint
from tests.iam.helpers import ACCOUNT
from tests.iam.keys_and_codes import enabled_mfa_device

_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
_DENY_BLUE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]})


def _error(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]


def _trust(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": list(actions)}]})


def _role(aws, name: str, *actions: str, policies: dict[str, str] | None = None) -> str:
    iam = aws.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(*actions))["Role"]["Arn"]
    for policy_name, document in (policies or {"all": _ALL}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=document)
    return arn


def _admin_sts(aws):
    """STS for an IAM user allowed everything (the account root may not assume roles)."""
    iam = aws.client("iam")
    iam.create_user(UserName="admin")
    iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=_ALL)
    return aws.client_for(iam.create_access_key(UserName="admin")["AccessKey"], "sts")


# ------------------------------------------------------------------------------------ transitive session tags
def test_a_transitive_key_in_another_case_passes_its_tag_on(aws):
    """``TransitiveTagKeys`` ``["TEAM"]`` names the tag ``team`` (STS accepts it): the chained session still
    carries ``team=blue``, so the next role's Deny on it applies, and the chain cannot set ``team`` again."""
    sts = _admin_sts(aws)
    first = _role(aws, "first", "sts:AssumeRole", "sts:TagSession")
    second = _role(aws, "second", "sts:AssumeRole", "sts:TagSession", policies={"all": _ALL, "deny": _DENY_BLUE})
    tagged = sts.assume_role(RoleArn=first, RoleSessionName="one", Tags=[{"Key": "team", "Value": "blue"}],
                             TransitiveTagKeys=["TEAM"])["Credentials"]
    chained_sts = aws.client_for(tagged, "sts")
    assert _error(chained_sts.assume_role, RoleArn=second, RoleSessionName="two",
                  Tags=[{"Key": "Team", "Value": "red"}])["Code"] == "InvalidParameterValue"
    chained = chained_sts.assume_role(RoleArn=second, RoleSessionName="two")["Credentials"]
    denied = _error(aws.client_for(chained, "iam").list_users)
    assert denied["Code"] == "AccessDenied" and "explicit deny" in denied["Message"]
    third = aws.client_for(chained, "sts").assume_role(RoleArn=second, RoleSessionName="three")["Credentials"]
    assert _error(aws.client_for(third, "iam").list_users)["Code"] == "AccessDenied"


def test_inherited_transitive_tags_need_sts_tag_session(aws):
    """A chained AssumeRole gives the new session the calling session's transitive tags: a role whose trust policy
    does not allow ``sts:TagSession`` refuses it, naming that action; without transitive tags the chain goes on."""
    sts = _admin_sts(aws)
    first = _role(aws, "first", "sts:AssumeRole", "sts:TagSession")
    untagging = _role(aws, "untagging", "sts:AssumeRole")
    tagged = sts.assume_role(RoleArn=first, RoleSessionName="one", Tags=[{"Key": "team", "Value": "blue"}],
                             TransitiveTagKeys=["team"])["Credentials"]
    refused = _error(aws.client_for(tagged, "sts").assume_role, RoleArn=untagging, RoleSessionName="two")
    assert refused["Code"] == "AccessDenied"
    assert f"sts:TagSession on resource: {untagging}" in refused["Message"]

    plain = sts.assume_role(RoleArn=first, RoleSessionName="one", Tags=[{"Key": "team", "Value": "blue"}])
    chained = aws.client_for(plain["Credentials"], "sts").assume_role(RoleArn=untagging, RoleSessionName="two")
    assert chained["AssumedRoleUser"]["Arn"].endswith(":assumed-role/untagging/two")


def test_web_identity_session_tag_keys_are_case_insensitive(aws):
    """A token's ``principal_tags`` may not hold two keys differing only in case (IDPRejectedClaim, as
    AssumeRole and AssumeRoleWithSAML refuse such a pair), and its ``transitive_tag_keys`` name tags in any case."""
    github_provider(aws)
    role = deploy_role(aws, "tagging", "repo:acme/app:ref:refs/heads/main",
                       actions=["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], policies={"all": _ALL})

    def token(principal_tags: dict, transitive: list) -> str:
        return mint(aws, github={"repository": "acme/app"}, claims={"https://aws.amazon.com/tags": {
            "principal_tags": principal_tags, "transitive_tag_keys": transitive}})

    twice = token({"team": ["blue"], "Team": ["red"]}, [])
    assert _error(assume, aws, role, twice)["Code"] == "IDPRejectedClaim"
    session = assume(aws, role, token({"team": ["blue"]}, ["TEAM"]))["Credentials"]
    second = _role(aws, "second", "sts:AssumeRole", "sts:TagSession", policies={"all": _ALL, "deny": _DENY_BLUE})
    chained = aws.client_for(session, "sts").assume_role(RoleArn=second, RoleSessionName="two")["Credentials"]
    assert _error(aws.client_for(chained, "iam").list_users)["Code"] == "AccessDenied"


# ------------------------------------------------------------------------------------------ the query protocol
_FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _signed_post(server, credentials, body: bytes, query: str = "") -> requests.Response:
    url = f"{server.endpoint_url}/{query}"
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(_FORM))
    SigV4Auth(credentials, "iam", "us-east-1").add_auth(request)
    return requests.post(url, data=body, headers=dict(request.headers.items()), timeout=10)


@pytest.mark.parametrize(("body", "query"), [
    (b"Action=ListUsers&Version=2010-05-08", "?Action=DeleteUser&UserName=victim"),
    (b"Action=DeleteUser&UserName=victim&Version=2010-05-08", "?Action=ListUsers"),
    (b"Action=ListUsers&Action=DeleteUser&UserName=victim&Version=2010-05-08", ""),
    (b"Action=DeleteUser&Action=ListUsers&UserName=victim&Version=2010-05-08", ""),
    (b"Action=ListUsers&Version=2010-05-08&UserName=victim&UserName=victim", "?Action=DeleteUser"),
    # field names and values percent-encoded or '+'-spaced are routed as the codec reads them (routing decodes
    # only the field it looks for since the thirty-fifth pass)
    (b"%41ction=DeleteUser&UserName=victim&Action=ListUsers&Version=2010-05-08", ""),
    (b"Act%69on=Delete%55ser&UserName=victim&Version=2010-05-08", ""),
    (b"Action=List%55sers&Version=2010-05-08&Action+=DeleteUser&UserName=victim", ""),
    (b"UserName=victim&&Action=DeleteUser&Version=2010-05-08&", ""),
])
def test_the_operation_run_is_the_one_authorized_however_action_is_spelled(server, body, query):
    """``Action`` in the query string and the body, or twice: whichever runs is what was authorized, so a user
    allowed only ``iam:ListUsers`` lists (200) or is refused ``iam:DeleteUser`` (403), and the victim stays."""
    iam = server.client("iam")
    iam.create_user(UserName="victim")
    iam.create_user(UserName="lister")
    iam.put_user_policy(UserName="lister", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="lister")["AccessKey"]
    answer = _signed_post(server, Credentials(key["AccessKeyId"], key["SecretAccessKey"]), body, query)
    assert answer.status_code in (200, 403), answer.text
    if answer.status_code == 403:
        assert "iam:DeleteUser" in answer.text and "<Code>AccessDenied</Code>" in answer.text
    else:
        assert "<ListUsersResponse" in answer.text
    assert "victim" in {user["UserName"] for user in iam.list_users()["Users"]}


# ------------------------------------------------------------------------------------------------- MFA devices
def test_a_role_session_without_user_name_reads_no_users_mfa_device(aws):
    """GetMFADevice without ``UserName`` is authorized on the caller's own ARN; a role session (no user of its
    own) is refused as ListMFADevices refuses it, instead of reading any user's device by its serial number."""
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    serial, _ = enabled_mfa_device(aws, iam, "ann")
    own_arn_only = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:GetMFADevice",
         "Resource": f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/*"}]})
    reader = _role(aws, "reader", "sts:AssumeRole", policies={"own": own_arn_only})
    session = _admin_sts(aws).assume_role(RoleArn=reader, RoleSessionName="probe")["Credentials"]
    refused = _error(aws.client_for(session, "iam").get_mfa_device, SerialNumber=serial)
    assert (refused["Code"], refused["Message"]) == (
        "ValidationError", "Must specify userName when calling with non-User credentials")
    # The root is answered as AWS answers any caller for a virtual device (tests/iam/test_stackd_recordings.py).
    assert _error(iam.get_mfa_device, SerialNumber=serial)["Code"] == "ValidationError"
