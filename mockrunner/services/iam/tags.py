"""TagUser/UntagUser/ListUserTags, and the same for roles and customer managed policies."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockrunner.context import RequestContext
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import policy_target, target
from mockrunner.services.iam.entities import ROLE, USER, customer_policy, iam_of, tags_in
from mockrunner.services.iam.wire import tags_out
from mockrunner.services.registry import op


def tag_operations(names: tuple[str, str, str], getter: Callable[[RequestContext], Any], authz: Callable) -> None:
    """Register ``names``, the TagX / UntagX / ListXTags operations of one taggable kind, for the entity ``getter``
    finds (tag keys compared case-insensitively)."""

    def tag(ctx: RequestContext) -> dict:
        entity = getter(ctx)
        iam_of(ctx).update(entity, tags=tags_in(ctx, entity.tags))
        return {}

    def untag(ctx: RequestContext) -> dict:
        entity = getter(ctx)
        removed = {key.lower() for key in ctx.params["TagKeys"]}
        iam_of(ctx).update(entity, tags={k: v for k, v in entity.tags.items() if k.lower() not in removed})
        return {}

    def list_tags(ctx: RequestContext) -> dict:
        return paging.page(tags_out(getter(ctx).tags), ctx, "Tags")

    for name, handler in zip(names, (tag, untag, list_tags), strict=True):
        op("iam", name, authz=authz)(handler)


tag_operations(("TagUser", "UntagUser", "ListUserTags"),
               lambda ctx: USER.get(iam_of(ctx), ctx.params["UserName"]), target(USER))
tag_operations(("TagRole", "UntagRole", "ListRoleTags"),
               lambda ctx: ROLE.get(iam_of(ctx), ctx.params["RoleName"]), target(ROLE))
tag_operations(("TagPolicy", "UntagPolicy", "ListPolicyTags"), customer_policy, policy_target)
