"""Tags of any App Runner resource: upsert, remove by key, list in insertion order
(docs/behaviour.md, "App Runner: tags")."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockrunner.model.apprunner import PROVIDED_ID
from mockrunner.services.apprunner import arns, authz, validation
from mockrunner.services.apprunner.errors import invalid, not_found
from mockrunner.services.apprunner.lifecycle import apprunner_op, state_of
from mockrunner.services.apprunner.lookup import find

if TYPE_CHECKING:
    from mockrunner.context import RequestContext

_GONE = {"DELETED", "INACTIVE"}


def _target(ctx: "RequestContext") -> Any:
    """The tagged resource; a non-App Runner ARN is invalid, an unknown (or deleted) one is not found, and the
    ``DefaultConfiguration`` revisions App Runner provides (id :data:`PROVIDED_ID`) cannot be tagged: AWS answers an
    error for ListTagsForResource on them, not a not-found one (cloudquery/cloudquery#11785 and its fix, which skips
    them as "untaggable"); the code and wording here are unverified."""
    arn = ctx.params["ResourceArn"]
    if arns.parse(arn) is None:
        raise invalid(f"The resource ARN {arn} isn't valid. It must be the ARN of an App Runner "
                      "resource.")  # unverified wording
    entity = find(state_of(ctx), ctx, arn)
    if entity is None or getattr(entity, "status", None) in _GONE:
        raise not_found(f"The resource with ARN {arn} doesn't exist.")  # unverified wording
    if getattr(entity, "id", None) == PROVIDED_ID:
        raise invalid(f"The resource with ARN {arn} is provided by App Runner and doesn't support "
                      "tagging.")  # unverified wording
    return entity


@apprunner_op("TagResource", authz.tagging)
def tag_resource(ctx: "RequestContext") -> dict:
    entity = _target(ctx)
    entity.tags = validation.tags(ctx, ctx.params["Tags"], entity.tags)
    return {}


@apprunner_op("UntagResource", authz.tagging)
def untag_resource(ctx: "RequestContext") -> dict:
    entity = _target(ctx)
    for key in ctx.params["TagKeys"]:
        entity.tags.pop(key, None)
    return {}


@apprunner_op("ListTagsForResource", authz.tagging)
def list_tags(ctx: "RequestContext") -> dict:
    entity = _target(ctx)
    return {"Tags": [{"Key": key, "Value": value} for key, value in entity.tags.items()]}
