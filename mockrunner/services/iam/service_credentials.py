"""Service-specific credentials: Create/List/Reset/Update/DeleteServiceSpecificCredential.

Served for the services IAM issues them for: CodeCommit (HTTPS Git credentials) and Amazon Keyspaces (a user name and a
password), and the API-key services (an alias and a secret): Amazon Bedrock, CloudWatch, CloudWatch Logs and
``aws-external-anthropic``.  A user's credential for a service is named ``<user>-at-<account>``, its second one
``<user>+1-at-<account>`` (the user name of a password credential, the alias of an API key); a password is 60
characters, an API key's secret starts with its service's prefix (``ABSK`` for Bedrock: :data:`KEY_PREFIXES`) (recorded
from AWS, 2026-09: radkawar/stackd, internal/services/iam/testdata/service_credentials_aws.json,
service_credentials_authorization_aws.json).  Another service name is ``NoSuchEntity`` (404) "No such service <name> is
supported for Service Specific Credentials", not the API reference's ``NotSupportedService`` (recorded from AWS:
LocalStack snapshot tests/aws/services/iam/test_iam.snapshot.json,
test_create_service_specific_credential_invalid_service, 2025-03-06, and
test_list_service_specific_credential_different_service, 2026-03-05; and the stackd recording).  A user holds at most
two per service ("Cannot exceed quota for ContextSpecificCredentialsPerUserPerContext: 2", recorded);
``CredentialAgeDays`` gives an API key an ``ExpirationDate`` and is refused for the other services.  Naming another
user's credential is ``ValidationError`` "User <user> does not have a service specific credential with id <id>"
(recorded; one case per service, for which of Reset/Update/Delete the recording does not say: all three answer it here);
UpdateServiceSpecificCredential does not set ``Expired`` ("Operation does not support status Expired", recorded).  The
password or secret is shown only by Create and Reset.  Authorized as ``iam:<Operation>`` on the user's ARN (the caller's
own when UserName is omitted).
"""
from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import timedelta

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import ServiceSpecificCredential, new_id
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import request_keys, target
from mockrunner.services.iam.entities import USER, iam_of, own_user_name
from mockrunner.services.registry import op

API_KEY_SERVICES = frozenset({"bedrock.amazonaws.com", "cloudwatch.amazonaws.com", "logs.amazonaws.com",
                              "aws-external-anthropic.amazonaws.com"})
SERVICES = frozenset({"codecommit.amazonaws.com", "cassandra.amazonaws.com"}) | API_KEY_SERVICES
CREDENTIAL_AGE_REFUSAL = "CredentialAgeDays is only valid for services that support long-term API keys, not {service}."
"""``CredentialAgeDays`` for CodeCommit or Keyspaces: the model says the field "is only valid for services that
support long-term API keys", and ``ExpirationDate`` is "only present for Bedrock API keys and CloudWatch Logs API
keys" (the API reference's ServiceSpecificCredential); a ValidationError (code and wording *unverified*)."""
KEY_PREFIXES = {"bedrock.amazonaws.com": "ABSK", "logs.amazonaws.com": "ACWL",
                "cloudwatch.amazonaws.com": "APIAACWM", "aws-external-anthropic.amazonaws.com": "AEAA"}
"""The public prefix of each API-key service's secret (recorded from AWS, 2026-09-11: radkawar/stackd,
internal/services/iam/testdata/service_credentials_authorization_aws.json, "<service>:public-token-envelope")."""
PASSWORD_BYTES = 45
"""Random bytes of a password: 60 characters in base64 (the recorded length)."""
API_KEY_PAYLOAD = 44
"""Random bytes of an API key's payload: 60 characters in base64 (the recorded ``secret_payload_length``) ending in
one ``=``, as the Bedrock keys published in public repositories decode (taken for the other API-key services)."""
MAX_PER_SERVICE = 2
ID_PREFIX = "ACCA"


def _service(name: str) -> str:
    """The service a request names, in lower case (IAM takes ``CODECOMMIT.AMAZONAWS.COM`` and answers
    ``codecommit.amazonaws.com``: stackd's "uppercase-service"), or ``NoSuchEntity``."""
    service = name.lower()
    if service not in SERVICES:
        raise ServiceError("NoSuchEntity", f"No such service {name} is supported for Service Specific Credentials", 404)
    return service



def _own(ctx: RequestContext) -> ServiceSpecificCredential:
    owner = own_user_name(ctx)
    credential_id = ctx.params["ServiceSpecificCredentialId"]
    credential = iam_of(ctx).service_credentials.get(credential_id)
    if credential is None:
        raise ServiceError("NoSuchEntity", f"No such credential {credential_id} exists", 404)
    if credential.user_name != owner:
        raise ServiceError("ValidationError",
                           f"User {owner} does not have a service specific credential with id {credential_id}", 400)
    return credential


def _password(service: str, alias: str = "") -> str:
    """A new password (60 characters, as recorded) or API-key secret: the service's public prefix, then base64 of
    ``<alias>:<60-character payload>`` (the recording found the alias and a 60-character payload in the envelope;
    the ``:`` and standard base64 are how Bedrock keys published in public repositories decode:
    ``BedrockAPIKey-<4>-at-<account>:<60 characters>``)."""
    if service in API_KEY_SERVICES:
        payload = base64.b64encode(secrets.token_bytes(API_KEY_PAYLOAD)).decode("ascii")
        return KEY_PREFIXES[service] + base64.b64encode(f"{alias}:{payload}".encode()).decode("ascii")
    return base64.b64encode(secrets.token_bytes(PASSWORD_BYTES)).decode("ascii")


def _name(ctx: RequestContext, service: str, user: str) -> str:
    """``<user>-at-<account>``, or ``<user>+1-at-<account>`` while that one is taken by any credential of the
    service in the account, another user's included (a user renamed away left its name on its credential: stackd's
    "recreated-username-public-alias-collision" is ``+1``); ``+2`` and on past that (*unverified*)."""
    taken = {item.alias or item.service_user_name for item in iam_of(ctx).service_credentials.values()
             if item.service_name == service}
    names = (f"{user}{f'+{number}' if number else ''}-at-{ctx.account.id}" for number in range(len(taken) + 1))
    return next(name for name in names if name not in taken)


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
    days = params.get("CredentialAgeDays")
    if days is not None and service not in API_KEY_SERVICES:
        raise ServiceError("ValidationError", CREDENTIAL_AGE_REFUSAL.format(service=service), 400)
    held = [item for item in iam.service_credentials.values()
            if item.user_name == user and item.service_name == service]
    if len(held) >= MAX_PER_SERVICE:
        raise ServiceError("LimitExceeded",
                           f"Cannot exceed quota for ContextSpecificCredentialsPerUserPerContext: {MAX_PER_SERVICE}",
                           409)
    now = ctx.store.clock.now()
    name = _name(ctx, service, user)
    api_key = service in API_KEY_SERVICES
    credential = iam.add(ServiceSpecificCredential(
        new_id(ID_PREFIX), user, service, "" if api_key else name, _password(service, name), "Active", now,
        name if api_key else "", now + timedelta(days=days) if days else None))
    return {"ServiceSpecificCredential": _out(credential, secret=True)}


def _list_authz(ctx: RequestContext) -> Iterable[Check]:
    """``AllUsers`` lists every user's credentials, so it is authorized on the account's users, ``user/*``: a policy
    naming the caller's own ARN or one user's allows that user's listing but not this one, one naming ``user/*``
    allows both (recorded from AWS: stackd's "self:all-users" and "target:all-users" AccessDenied,
    "account-users:all-users" Success)."""
    if ctx.params.get("AllUsers"):
        return (Check("iam:ListServiceSpecificCredentials", f"arn:aws:iam::{ctx.account.id}:user/*",
                      request_keys(ctx)),)
    return _own_listing(ctx)


_own_listing = target(USER, self_default=True)


@op("iam", "ListServiceSpecificCredentials", authz=_list_authz)
def list_service_specific_credentials(ctx: RequestContext) -> dict:
    params = ctx.params
    service = params.get("ServiceName")
    if service:
        service = _service(service)
    if params.get("AllUsers") and params.get("UserName"):
        # Recorded from AWS (stackd service_credentials_aws.json, "list-all-users-and-user").
        raise ServiceError("InvalidInput", "Cannot list credentials for all users if a username is given", 400)
    owner = None if params.get("AllUsers") else own_user_name(ctx)
    held = paging.listing(ctx, ("service-credentials", owner, service), lambda: sorted(
        (item for item in iam_of(ctx).service_credentials.values()
         if (owner is None or item.user_name == owner) and (service is None or item.service_name == service)),
        key=lambda item: item.create_date))
    return paging.page(held, ctx, "ServiceSpecificCredentials", _out)


@op("iam", "ResetServiceSpecificCredential", authz=target(USER, self_default=True))
def reset_service_specific_credential(ctx: RequestContext) -> dict:
    credential = _own(ctx)
    iam_of(ctx).update(credential, password=_password(credential.service_name, credential.alias))
    return {"ServiceSpecificCredential": _out(credential, secret=True)}


@op("iam", "UpdateServiceSpecificCredential", authz=target(USER, self_default=True))
def update_service_specific_credential(ctx: RequestContext) -> dict:
    credential = _own(ctx)
    status = ctx.params["Status"]
    if status not in ("Active", "Inactive"):
        raise ServiceError("InvalidInput", f"Operation does not support status {status}", 400)
    iam_of(ctx).update(credential, status=status)
    return {}


@op("iam", "DeleteServiceSpecificCredential", authz=target(USER, self_default=True))
def delete_service_specific_credential(ctx: RequestContext) -> dict:
    iam_of(ctx).remove(_own(ctx))
    return {}
