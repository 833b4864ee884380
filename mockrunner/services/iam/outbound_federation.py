"""IAM's switch for outbound web identity federation (``GetWebIdentityToken``): enable, disable, describe.

Enabling makes the account's issuer URL (``https://<uuid>.tokens.sts.global.api.aws``, the shape the IAM User
Guide shows) once and keeps it across disable/enable.  Enabling twice is ``FeatureEnabled`` (409), disabling or
describing a feature not enabled ``FeatureDisabled`` (404): the errors the IAM model declares, worded as recorded
from AWS (2026-09-11: radkawar/stackd commit 9dc356f5, testdata/aws/iam/outbound_issuance.json, "enable_again",
"disable_again"; a disable of a feature never enabled is taken to answer as a second disable, *unverified*).
Authorized as ``iam:<Operation>`` on ``*``.
"""
from __future__ import annotations

import uuid

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.registry import op

ISSUER_DOMAIN = "tokens.sts.global.api.aws"


def _disabled(account: str) -> ServiceError:
    """Recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/outbound_identity.json, "info_initial";
    outbound_lifecycle.json, "initial" and "info_after_disable"."""
    return ServiceError("FeatureDisabled", f"Outbound identity federation is disabled for account {account}", 404)


@op("iam", "EnableOutboundWebIdentityFederation")
def enable(ctx: RequestContext) -> dict:
    iam = ctx.account.iam
    if iam.outbound_enabled:
        raise ServiceError("FeatureEnabled", f"Outbound identity federation is already enabled for account "
                           f"{ctx.account.id}", 409)
    iam.configure(outbound_issuer=iam.outbound_issuer or f"https://{uuid.uuid4()}.{ISSUER_DOMAIN}",
                  outbound_enabled=True)
    return {"IssuerIdentifier": iam.outbound_issuer}


@op("iam", "DisableOutboundWebIdentityFederation")
def disable(ctx: RequestContext) -> dict:
    iam = ctx.account.iam
    if not iam.outbound_enabled:
        raise ServiceError("FeatureDisabled", f"Outbound identity federation is already disabled for account "
                           f"{ctx.account.id}", 404)
    iam.configure(outbound_enabled=False)
    return {}


@op("iam", "GetOutboundWebIdentityFederationInfo")
def describe(ctx: RequestContext) -> dict:
    """``FeatureDisabled`` once disabled too (outbound_lifecycle.json, "info_after_disable")."""
    iam = ctx.account.iam
    if iam.outbound_issuer is None or not iam.outbound_enabled:
        raise _disabled(ctx.account.id)
    return {"IssuerIdentifier": iam.outbound_issuer, "JwtVendingEnabled": iam.outbound_enabled}
