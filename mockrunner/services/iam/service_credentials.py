"""Service-specific credentials: Create/List/Reset/Update/DeleteServiceSpecificCredential.

Served for the services IAM issues them for: CodeCommit (HTTPS Git credentials) and Amazon Keyspaces (user name
``<user>-at-<account>`` and a password), and Amazon Bedrock (API keys: an alias ``BedrockAPIKey-<id>-at-<account>``
and a secret).  Another service name is ``NoSuchEntity`` (404) "No such service <name> is supported for Service
Specific Credentials", not the API reference's ``NotSupportedService`` (recorded from AWS: LocalStack snapshot
tests/aws/services/iam/test_iam.snapshot.json, test_create_service_specific_credential_invalid_service, 2025-03-06,
and test_list_service_specific_credential_different_service, 2026-03-05).  A user holds at most two per service;
``CredentialAgeDays`` gives the credential an ``ExpirationDate``.  The password or secret is shown only by Create
and Reset.  Authorized as ``iam:<Operation>`` on the user's ARN (the caller's own when UserName is omitted).
"""
from __future__ import annotations

import base64
import secrets
from datetime import timedelta

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import ServiceSpecificCredential, new_id
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import target
from mockrunner.services.iam.entities import USER, iam_of, own_user_name
from mockrunner.services.registry import op

SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com")
API_KEY_SERVICES = frozenset({"bedrock.amazonaws.com"})
MAX_PER_SERVICE = 2
ID_PREFIX = "ACCA"


def _service(name: str) -> str:
    if name not in SERVICES:
        raise ServiceError("NoSuchEntity", f"No such service {name} is supported for Service Specific Credentials", 404)
    return name



def _own(ctx: RequestContext) -> ServiceSpecificCredential:
    owner = own_user_name(ctx)
    credential_id = ctx.params["ServiceSpecificCredentialId"]
    credential = iam_of(ctx).service_credentials.get(credential_id)
    if credential is None or credential.user_name != owner:
        raise ServiceError("NoSuchEntity", f"No such credential {credential_id} exists", 404)
    return credential


def _password(service: str) -> str:
    if service in API_KEY_SERVICES:
        return "ABSK" + base64.b64encode(secrets.token_bytes(96)).decode("ascii")
    return base64.b64encode(secrets.token_bytes(33)).decode("ascii")


def _out(credential: ServiceSpecificCredential, secret: bool = False) -> dict:
    out = {"UserName": credential.user_name, "Status": credential.status,
           "ServiceSpecificCredentialId": credential.credential_id, "ServiceName": credential.service_name,
           "CreateDate": credential.create_date}
    api_key = credential.service_name in API_KEY_SERVICES
    if api_key:
        out["ServiceCredentialAlias"] = credential.alias
    else:
        out["ServiceUserName"] = credential.service_user_name
    if credential.expiration is not None:
        out["ExpirationDate"] = credential.expiration
    if secret:
        out["ServiceCredentialSecret" if api_key else "ServicePassword"] = credential.password
    return out


@op("iam", "CreateServiceSpecificCredential", authz=target(USER))
def create_service_specific_credential(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    user = USER.get(iam, params["UserName"]).name
    service = _service(params["ServiceName"])
    held = [item for item in iam.service_credentials.values()
            if item.user_name == user and item.service_name == service]
    if len(held) >= MAX_PER_SERVICE:
        raise ServiceError("LimitExceeded",
                           f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {MAX_PER_SERVICE}",
                           409)
    now = ctx.store.clock.now()
    credential_id = new_id(ID_PREFIX)
    days = params.get("CredentialAgeDays")
    alias = f"BedrockAPIKey-{credential_id[-4:].lower()}-at-{ctx.account.id}" if service in API_KEY_SERVICES else ""
    credential = iam.add(ServiceSpecificCredential(
        credential_id, user, service, f"{user}-at-{ctx.account.id}", _password(service), "Active", now, alias,
        now + timedelta(days=days) if days else None))
    return {"ServiceSpecificCredential": _out(credential, secret=True)}


@op("iam", "ListServiceSpecificCredentials", authz=target(USER, self_default=True))
def list_service_specific_credentials(ctx: RequestContext) -> dict:
    params = ctx.params
    service = params.get("ServiceName")
    if service:
        _service(service)
    owner = None if params.get("AllUsers") else own_user_name(ctx)
    held = paging.listing(ctx, ("service-credentials", owner, service), lambda: sorted(
        (item for item in iam_of(ctx).service_credentials.values()
         if (owner is None or item.user_name == owner) and (service is None or item.service_name == service)),
        key=lambda item: item.create_date))
    return paging.page(held, ctx, "ServiceSpecificCredentials", _out)


@op("iam", "ResetServiceSpecificCredential", authz=target(USER, self_default=True))
def reset_service_specific_credential(ctx: RequestContext) -> dict:
    credential = _own(ctx)
    iam_of(ctx).update(credential, password=_password(credential.service_name))
    return {"ServiceSpecificCredential": _out(credential, secret=True)}


@op("iam", "UpdateServiceSpecificCredential", authz=target(USER, self_default=True))
def update_service_specific_credential(ctx: RequestContext) -> dict:
    iam_of(ctx).update(_own(ctx), status=ctx.params["Status"])
    return {}


@op("iam", "DeleteServiceSpecificCredential", authz=target(USER, self_default=True))
def delete_service_specific_credential(ctx: RequestContext) -> dict:
    iam_of(ctx).remove(_own(ctx))
    return {}
