"""Role templates: GetRoleTemplateVersion and AcquireRole (create a role from a template version).

Role templates are AWS-managed blueprints (``ManagedByType`` ``Service``): AWS publishes them and versions them,
role manager applies them in service consoles, and accounts only read them (GetRoleTemplateVersion) and create roles
from them (AcquireRole); no API creates one (IAM User Guide, "Overview of role templates" and "Create roles
automatically with role manager").  AWS does not publish the templates' contents, so mockrunner holds none: every
syntactically valid template ARN answers ``NoSuchEntity``, after the ARN is checked: GetRoleTemplateVersion "Role
Template <arn> cannot be found." (AWS's words for a template it does not hold: recorded, 2026-09-12, radkawar/stackd
commit 9dc356f5, testdata/aws/iam/role_template_catalogue.json, "template_scheduled_query" and six more), AcquireRole
"Role template not found in repository: <arn>" (its words for a version it does not hold).  An ARN that does
not parse is ``ValidationError`` "Invalid ARN:  Could not be parsed!" (IAM's answer for ARN parameters); one of
another service than IAM is ``InvalidInput``.

Authorization: ``iam:GetRoleTemplateVersion`` / ``iam:AcquireRole`` on the template's ARN (resource unverified),
before the template is looked up, judged as the caller's own account's request with ``aws:ResourceAccount``
639982225848 (recorded: testdata/aws/iam/template_account.json, see :mod:`mockrunner.iam_engine.aws_managed`).
"""
from __future__ import annotations

from collections.abc import Iterable

from mockrunner.arns import split_arn
from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.iam.entities import parse_arn
from mockrunner.services.registry import op


def _on_template(ctx: RequestContext) -> Iterable[Check]:
    """``iam:<Operation>`` on the template; AcquireRole also reads it, ``iam:GetRoleTemplateVersion``, whose denial
    names it "role template <arn>" (recorded from AWS, 2026-09-12: radkawar/stackd commit 9dc356f5,
    testdata/aws/iam/role_acquisition.json, "read_only_reuse", "underlying_permissions_only"; checked after
    ``iam:AcquireRole``, an order not recorded, *unverified*)."""
    # AWS-managed templates (account "aws") are usable from every account: judge them as the caller's own (the
    # request context's aws:ResourceAccount is still AWS's 639982225848: mockrunner.iam_engine.resource_account).
    arn = ctx.params["TemplateArn"]
    own = Check(f"iam:{ctx.operation_name}", arn, resource_account=ctx.account.id)
    if ctx.operation_name != "AcquireRole":
        return (own,)
    return own, Check("iam:GetRoleTemplateVersion", arn, resource_account=ctx.account.id,
                      shown_as=f"role template {arn}")


def _no_template(arn: str, words: str = "Role template not found in repository: {arn}") -> ServiceError:
    parsed = split_arn(parse_arn(arn))
    if parsed is None or parsed.service != "iam":
        return ServiceError("InvalidInput", f"Invalid TemplateArn {arn}: it must be the ARN of an IAM role "
                            "template.", 400)
    # Recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/role_templates.json, "unknown_minor" and
    # "negative_minor" (AcquireRole of a version the repository does not hold).
    return ServiceError("NoSuchEntity", words.format(arn=arn), 404)


@op("iam", "GetRoleTemplateVersion", authz=_on_template)
def get_role_template_version(ctx: RequestContext) -> dict:
    raise _no_template(ctx.params["TemplateArn"], "Role Template {arn} cannot be found.")


@op("iam", "AcquireRole", authz=_on_template)
def acquire_role(ctx: RequestContext) -> dict:
    raise _no_template(ctx.params["TemplateArn"])
