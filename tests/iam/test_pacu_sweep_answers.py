"""What the Pacu sweep found (docs/behaviour.md, "Sweep: Pacu"), without Pacu.

Pacu 1.7.0 (Rhino Security Labs' AWS exploitation framework) was run against a seeded server with low-privilege
and administrator keys.  One answer was wrong, and is pinned here; the test failed before its fix.

- **Access key ids did not encode their account.**  AWS access key ids (``AKIA``/``ASIA``) made since 2019 carry
  their account: bits 7-46 of the first six bytes of the base32-decoded id after the prefix, the top bit set
  (public analyses of the format; tools such as Pacu's ``iam__decode_accesskey_id``, LocalStack and trufflehog
  decode it offline, and mockrunner's own ``GetAccessKeyInfo`` already decoded keys of accounts it does not hold
  this way).  The ids mockrunner issued were random, so an offline decode named a made-up account while
  ``GetAccessKeyInfo`` named the right one.  Every issuing path is checked: CreateAccessKey (a user's and the
  root's), AssumeRole, GetSessionToken, GetFederationToken and GetScopedCredentials, in two accounts.
"""
from __future__ import annotations

import base64
import json

from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, allow, doc, trust, user_with_key


def _decoded_account(key_id: str) -> str:
    """The published decoding, written out independently of mockrunner's."""
    raw = base64.b32decode(key_id[4:])
    return f"{(int.from_bytes(raw[:6], 'big') & 0x7FFFFFFFFF80) >> 7:012d}"


def _issued_keys(aws, access_key: str, secret: str, account: str) -> dict[str, str]:
    """Key ids issued in ``account`` through every path, by what issued them."""
    iam = aws.client("iam", access_key=access_key, secret=secret)
    iam.create_user(UserName="holder")
    iam.put_user_policy(UserName="holder", PolicyName="p", PolicyDocument=doc(allow(
        ["sts:AssumeRole", "sts:GetFederationToken"])))
    user_key = iam.create_access_key(UserName="holder")["AccessKey"]
    root_key = iam.create_access_key()["AccessKey"]
    iam.create_role(RoleName="target", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{account}:root"))
    iam.put_role_policy(RoleName="target", PolicyName="p", PolicyDocument=doc(allow("sts:GetScopedCredentials")))
    sts = aws.client_for(user_key, "sts")
    role = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/target", RoleSessionName="sweep")["Credentials"]
    scoped = aws.client_for(role, "sts").get_scoped_credentials(
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [allow("s3:*")]}))["Credentials"]
    return {
        "CreateAccessKey (user)": user_key["AccessKeyId"],
        "CreateAccessKey (root)": root_key["AccessKeyId"],
        "AssumeRole": role["AccessKeyId"],
        "GetSessionToken": sts.get_session_token()["Credentials"]["AccessKeyId"],
        "GetFederationToken": sts.get_federation_token(Name="fed")["Credentials"]["AccessKeyId"],
        "GetScopedCredentials": scoped["AccessKeyId"],
    }


def test_every_issued_key_id_encodes_its_account_as_aws_does(two_account_harness):
    aws = two_account_harness
    for access_key, secret, account in (("test", "test", ACCOUNT), ("other-key", "other-secret", OTHER_ACCOUNT)):
        issued = _issued_keys(aws, access_key, secret, account)
        for source, key_id in issued.items():
            assert len(key_id) == 20, source
            assert key_id[:4] == ("AKIA" if source.startswith("CreateAccessKey") else "ASIA"), source
            assert _decoded_account(key_id) == account, (source, key_id)
            assert key_id[4] in "QRSTUVWXYZ234567", (source, key_id)  # the top bit of the new format
            info = aws.client("sts", access_key=access_key, secret=secret).get_access_key_info(AccessKeyId=key_id)
            assert info["Account"] == account, source
        assert len(set(issued.values())) == len(issued)


def test_key_ids_of_one_account_share_their_account_part_and_differ_after_it(aws):
    first = user_with_key(aws, "first")["AccessKeyId"]
    second = user_with_key(aws, "second")["AccessKeyId"]
    assert first != second
    assert first[:12] == second[:12]  # the 8 characters after AKIA are the account's (with the top bit)
    assert _decoded_account(first) == _decoded_account(second) == ACCOUNT
