"""Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed."""
from __future__ import annotations

from collections.abc import Iterable

from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import (
    ACCESS_KEY_PREFIX,
    AccessKey,
    User,
    new_secret,
)
from mockrunner.model.key_ids import new_key_id
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import target
from mockrunner.services.iam.entities import MAX_ACCESS_KEYS, USER, iam_of, non_user, self_user
from mockrunner.services.iam.signing_certificates import supported_status
from mockrunner.services.iam.usage import access_key_last_used
from mockrunner.services.iam.wire import read_time
from mockrunner.services.registry import op


def _key_owner(ctx: RequestContext) -> User | None:
    """The user whose keys the call manages; ``None`` for the account root's own keys (root without UserName)."""
    name = self_user(ctx)
    if name is None:
        if ctx.caller.is_root:
            return None
        raise non_user()
    return USER.get(iam_of(ctx), name)


def _owns(key: AccessKey, user: User | None) -> bool:
    return key.root if user is None else (not key.root and key.user_name == user.name)


def _key_out(key: AccessKey) -> dict:
    # Root keys carry no UserName (aws/aws-sdk-ruby#677: "the user will be present unless this is a root key").
    out = {"UserName": key.user_name} if not key.root else {}
    return {**out, "AccessKeyId": key.access_key_id, "Status": key.status, "CreateDate": read_time(key.create_date)}


def _own_key(ctx: RequestContext, full_stop: str = "") -> AccessKey:
    """The caller's (or ``UserName``'s) key ``AccessKeyId``, else ``NoSuchEntity`` "The Access Key with id <id>
    cannot be found" ending in ``full_stop``: UpdateAccessKey's ends in one (recorded from AWS in LocalStack's
    snapshot ``test_iam_users``, ``test_access_key_errors``, 2026), DeleteAccessKey's does not (versity/versitygw
    ``tests/integration/iam_delete_access_key.go``)."""
    user = _key_owner(ctx)
    key_id = ctx.params["AccessKeyId"]
    key = iam_of(ctx).access_keys.get(key_id)
    if key is None or not _owns(key, user):
        raise ServiceError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found{full_stop}", 404)
    return key


@op("iam", "CreateAccessKey", authz=target(USER, self_default=True))
def create_access_key(ctx: RequestContext) -> dict:
    """For a user, or (root without UserName) for the account root: AWS lets the root create its own keys, two
    at most like a user (IAM User Guide, "Managing access keys for the root user").  Keys from configuration
    (``MOCKRUNNER_ACCOUNTS``) are outside IAM and do not count."""
    iam = iam_of(ctx)
    user = _key_owner(ctx)
    if sum(1 for key in iam.access_keys.values() if _owns(key, user)) >= MAX_ACCESS_KEYS:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}", 409)
    key = AccessKey(new_key_id(ACCESS_KEY_PREFIX, ctx.account.id, iam.access_keys), new_secret(),
                    user.name if user else "", "Active", ctx.store.clock.now(), root=user is None)
    iam.add(key)
    return {"AccessKey": {**_key_out(key), "SecretAccessKey": key.secret_access_key}}


@op("iam", "ListAccessKeys", authz=target(USER, self_default=True))
def list_access_keys(ctx: RequestContext) -> dict:
    user = _key_owner(ctx)
    keys = paging.listing(ctx, ("access-keys", user.name if user else None),
                          lambda: [k for k in iam_of(ctx).access_keys.values() if _owns(k, user)])
    return paging.page(keys, ctx, "AccessKeyMetadata", _key_out)


@op("iam", "UpdateAccessKey", authz=target(USER, self_default=True))
def update_access_key(ctx: RequestContext) -> dict:
    """``Active`` or ``Inactive``; ``Expired`` (in the model's enum) is ``InvalidInput`` and changes nothing
    (recorded from AWS, 2026-09-12: radkawar/stackd commit 9dc356f5, testdata/aws/iam/resource_inputs.json
    "key_statuses", code only; the words are those recorded for signing certificates and SSH keys, *unverified*
    for access keys)."""
    key = _own_key(ctx, full_stop=".")
    iam_of(ctx).update(key, status=supported_status(ctx.params["Status"]))
    return {}


@op("iam", "DeleteAccessKey", authz=target(USER, self_default=True))
def delete_access_key(ctx: RequestContext) -> dict:
    key = _own_key(ctx)
    iam_of(ctx).remove(key)
    return {}


def _key_user_target(ctx: RequestContext) -> Iterable[Check]:
    key = iam_of(ctx).access_keys.get(ctx.params["AccessKeyId"])
    user = iam_of(ctx).users.get(key.user_name) if key and not key.root else None
    owner = user.arn if user else (f"arn:aws:iam::{ctx.account.id}:root" if key else "*")
    return (Check("iam:GetAccessKeyLastUsed", owner, resource_tag_keys(user, "user")),)


@op("iam", "GetAccessKeyLastUsed", authz=_key_user_target)
def get_access_key_last_used(ctx: RequestContext) -> dict:
    """A key the account does not have is ``AccessDenied`` (403) whatever the caller may do, worded as AWS words it
    (no colon after "perform"; LocalStack snapshot test_iam_users.py::test_access_key_errors), not NoSuchEntity."""
    key_id = ctx.params["AccessKeyId"]
    key = iam_of(ctx).access_keys.get(key_id)
    if key is None:
        raise ServiceError("AccessDenied", f"User: {ctx.caller.arn} is not authorized to perform "
                           f"iam:GetAccessKeyLastUsed on resource: access key {key_id}", 403)
    return {**({"UserName": key.user_name} if not key.root else {}),
            "AccessKeyLastUsed": access_key_last_used(iam_of(ctx), key_id)}
