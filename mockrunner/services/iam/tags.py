"""TagUser/UntagUser/ListUserTags, and the same for roles and managed policies (AWS managed ones: listed only)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import ManagedPolicy
from mockrunner.model.managed_policies import AwsManagedPolicy
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import policy_target, target
from mockrunner.services.iam.entities import ROLE, USER, any_policy, iam_of, tag_key, tags_in
from mockrunner.services.iam.wire import tags_out
from mockrunner.services.registry import op

EMPTY_TAGS = "The provided tag map must not be null/empty."
EMPTY_USER_TAGS = "Error occurred while validating input. "
"""TagUser's words for no tags, trailing space and all (recorded from AWS, 2026-09-12: radkawar/stackd commit
9dc356f5, testdata/aws/iam/tag_inputs.json, "empty_list"); TagRole is taken to answer alike (*unverified*)."""
EMPTY_TAG_KEYS = "The provided tag keys must not be null/empty."


def tag_operations(names: tuple[str, str, str], getter: Callable[[RequestContext], Any], authz: Callable, *,
                   folds_case: bool = False, listed: Callable[[dict[str, str]], list[str]] = list,
                   writable: Callable[[Any], None] = lambda entity: None, empty_untag_refused: bool = False,
                   empty_tags: str = EMPTY_TAGS) -> None:
    """Register ``names``, the TagX / UntagX / ListXTags operations of one taggable kind, for the entity ``getter``
    finds: tag keys compared as given, case-insensitively with ``folds_case`` (users and roles); ``listed`` orders
    the keys ListXTags answers (by default the order tags were first added); ``writable`` raises the refusal of an
    entity whose tags cannot be changed.  TagX with no tags is ``InvalidInput`` ``empty_tags``: :data:`EMPTY_TAGS`
    (recorded from AWS, 2026-09-11: radkawar/stackd, internal/services/iam/testdata/certificates_aws.json,
    "server:empty-tags"; other kinds *unverified*) or users' :data:`EMPTY_USER_TAGS`.  UntagX with no
    keys is accepted ("user_empty_untag_list") unless ``empty_untag_refused`` (:data:`EMPTY_TAG_KEYS`,
    "server:empty-untag"; OIDC and SAML providers refuse it too, recorded with its code only: testdata/aws/iam/
    resource_inputs.json "tags", 2026-09-12, the words taken from server certificates, *unverified*)."""

    def tag(ctx: RequestContext) -> dict:
        entity = getter(ctx)
        if not ctx.params.get("Tags"):
            raise ServiceError("InvalidInput", empty_tags, 400)
        writable(entity)
        iam_of(ctx).update(entity, tags=tags_in(ctx, entity.tags, folds_case=folds_case))
        return {}

    def untag(ctx: RequestContext) -> dict:
        entity = getter(ctx)
        if empty_untag_refused and not ctx.params.get("TagKeys"):
            raise ServiceError("InvalidInput", EMPTY_TAG_KEYS, 400)
        writable(entity)
        removed = {tag_key(key, folds_case) for key in ctx.params["TagKeys"]}
        iam_of(ctx).update(entity, tags={k: v for k, v in entity.tags.items()
                                         if tag_key(k, folds_case) not in removed})
        return {}

    def list_tags(ctx: RequestContext) -> dict:
        tags = getter(ctx).tags
        return paging.page(tags_out({key: tags[key] for key in listed(tags)}), ctx, "Tags")

    for name, handler in zip(names, (tag, untag, list_tags), strict=True):
        op("iam", name, authz=authz)(handler)


tag_operations(("TagUser", "UntagUser", "ListUserTags"),
               lambda ctx: USER.get(iam_of(ctx), ctx.params["UserName"]), target(USER), folds_case=True,
               empty_tags=EMPTY_USER_TAGS)
tag_operations(("TagRole", "UntagRole", "ListRoleTags"),
               lambda ctx: ROLE.get(iam_of(ctx), ctx.params["RoleName"]), target(ROLE), folds_case=True,
               empty_tags=EMPTY_USER_TAGS)


def _policy_tag_order(tags: dict[str, str]) -> list[str]:
    """ListPolicyTags lists shorter keys first, then by code point: tags added as abc, b, z, a are listed a, b, z,
    abc; A before a (recorded from AWS: LocalStack snapshot tests/aws/services/iam/test_iam_policies.snapshot.json,
    test_policy_tag_order and test_policy_tag_lifecycle).  CreatePolicy answers the order given (recorded the same
    way); GetPolicy keeps it too (unverified)."""
    return sorted(tags, key=lambda key: (len(key), key))


def _customer_managed(policy: ManagedPolicy | AwsManagedPolicy) -> None:
    """An AWS managed policy's tags cannot change: TagPolicy and UntagPolicy are ``InvalidInput`` "Tags not
    supported for policies in this domain" (no full stop), while ListPolicyTags answers its empty list (all
    recorded from AWS for ``AdministratorAccess``, 2026-09-11: radkawar/stackd,
    internal/iam/managed/testdata/immutability.json)."""
    if isinstance(policy, AwsManagedPolicy):
        raise ServiceError("InvalidInput", "Tags not supported for policies in this domain", 400)


tag_operations(("TagPolicy", "UntagPolicy", "ListPolicyTags"), any_policy, policy_target,
               listed=_policy_tag_order, writable=_customer_managed)
