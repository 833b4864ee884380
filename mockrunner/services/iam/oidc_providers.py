"""IAM OpenID Connect identity providers: the entities ``AssumeRoleWithWebIdentity`` trusts.

A provider is named by its issuer URL: ``CreateOpenIDConnectProvider(Url="https://host/path")`` makes
``arn:aws:iam::<account>:oidc-provider/host/path``, and ``GetOpenIDConnectProvider`` reports the URL without its
scheme.  The URL is not otherwise normalised (a trailing slash or a different case is another provider), as IAM
does.  Every operation is authorized as ``iam:<Operation>`` on the provider's ARN (``ListOpenIDConnectProviders``:
``*``), with ``aws:ResourceTag`` of an existing provider and ``aws:RequestTag``/``aws:TagKeys`` of the request.

Thumbprints are stored and reported but never consulted: mockrunner verifies tokens against the issuer's keys it
holds (``mockrunner.oidc``), as AWS does for the well-known issuers whose certificates it trusts itself.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from mockrunner.arns import split_arn
from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState, OidcProvider
from mockrunner.services.iam.authz import request_keys, resource_keys, tagged_on_create
from mockrunner.services.iam.entities import parse_arn, tags_in
from mockrunner.services.iam.identity_propagation import created, propagation_keys, propagation_out, updated
from mockrunner.services.iam.tags import tag_operations
from mockrunner.services.iam.wire import tagged, tags_out
from mockrunner.services.registry import op

MAX_PROVIDERS = 100
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
ARN_RESOURCE = "oidc-provider/"


#: IAM's answers to a bad provider URL, by what is wrong with it (as versity/versitygw's tests of its
#: AWS-compatible IAM expect, tests/integration/iam_create_oidc_provider.go, unverified against AWS; the
#: scheme-less one also recorded from AWS in LocalStack's snapshot test_iam_oidc).
BAD_URL = ("ValidationError", "Invalid Open ID Connect Provider URL")
NOT_HTTPS = ("InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
BAD_URL_PART = ("InvalidInput", "Invalid Open ID Connect Provider URL.")
QUERY_OR_FRAGMENT = ("InvalidInput", "Unknown")
"""IAM's answer to a URL with a query or a fragment (recorded from AWS, 2026-09-11: radkawar/stackd commit 9dc356f5,
internal/services/iam/testdata/federation/oidc.json, ``/?q=value`` and ``/#fragment``)."""
HOST_NAME = re.compile(r"[A-Za-z0-9.-]+")
DEFAULT_PORT = ":443"
"""A host's ``:443`` is dropped from the provider's name (recorded there: ``https://<host>:443`` made
``oidc-provider/<host>``); any other port is refused (*unverified*)."""


def _url_refusal(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not url.lower().startswith(parts.scheme + "://"):
        return BAD_URL
    if parts.scheme != "https":
        return NOT_HTTPS
    if not parts.netloc:
        return BAD_URL
    host = parts.netloc.removesuffix(DEFAULT_PORT)
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return QUERY_OR_FRAGMENT
    if "@" in host or ":" in host:
        return BAD_URL_PART
    if HOST_NAME.fullmatch(host) is None:
        return BAD_URL_PART
    return None


def provider_url(url: str) -> str:
    """The provider's name in IAM: the issuer URL without ``https://`` (raises IAM's error for a bad URL).

    The URL must be https, with a host name or IP address and nothing else in its authority (no user info, no
    port but ``:443``, which is dropped), and no query or fragment (CreateOpenIDConnectProvider's ``Url``
    reference: "path components are allowed but query parameters are not"); the answers are :data:`BAD_URL`,
    :data:`NOT_HTTPS`, :data:`QUERY_OR_FRAGMENT` and :data:`BAD_URL_PART`.
    """
    refusal = _url_refusal(url)
    if refusal is not None:
        raise ServiceError(*refusal, 400)
    name = url[len("https://"):]
    host, slash, path = name.partition("/")
    return host.removesuffix(DEFAULT_PORT) + slash + path


def provider_arn(account_id: str, url: str) -> str:
    return f"arn:aws:iam::{account_id}:{ARN_RESOURCE}{url}"


def _provider_arn(ctx: RequestContext) -> str:
    """The request's provider ARN: one that does not parse is "Invalid ARN", one of another resource type "Invalid
    resource type in ARN" (for GetOpenIDConnectProvider as versity/versitygw's tests of its
    AWS-compatible IAM expect, tests/integration/iam_get_oidc_provider.go; unverified against AWS)."""
    arn = ctx.params["OpenIDConnectProviderArn"]
    parsed = split_arn(parse_arn(arn))
    if parsed is None or not parsed.resource.startswith(ARN_RESOURCE):
        raise ServiceError("ValidationError", "Invalid resource type in ARN", 400)
    return arn


#: How IAM names a provider that does not exist, by operation: Get, UpdateThumbprint and the client id operations
#: "OpenIDConnect Provider not found for arn <arn>" (GetOpenIDConnectProvider recorded from AWS in LocalStack's
#: snapshot test_iam_oidc, test_get_open_id_connect_provider_not_found; the others as versity/versitygw's
#: tests/integration/iam_add_client_id_to_oidc_provider.go, iam_remove_client_id_from_oidc_provider.go);
#: DeleteOpenIDConnectProvider and the three tag operations "OpenId connect Provider <arn> cannot be found."
#: (Delete: the LocalStack snapshot test_delete_open_id_connect_provider; Tag, Untag, ListTags as versitygw's
#: iam_tag_oidc_provider.go, iam_untag_oidc_provider.go, iam_list_oidc_provider_tags.go expect, unverified).
NOT_FOUND_FOR_ARN = "OpenIDConnect Provider not found for arn {arn}"
CANNOT_BE_FOUND = "OpenId connect Provider {arn} cannot be found."


def _provider(ctx: RequestContext, missing: str = NOT_FOUND_FOR_ARN) -> OidcProvider:
    """The request's provider; one that does not exist is ``NoSuchEntity`` worded as ``missing``."""
    arn = _provider_arn(ctx)
    provider = ctx.account.iam.oidc_providers.get(arn)
    if provider is None:
        raise ServiceError("NoSuchEntity", missing.format(arn=arn), 404)
    return provider


def _provider_cannot_be_found(ctx: RequestContext) -> OidcProvider:
    return _provider(ctx, CANNOT_BE_FOUND)


def _thumbprints(ctx: RequestContext) -> list[str]:
    """The thumbprints as IAM stores them: lower case (as versity/versitygw's tests of its AWS-compatible IAM
    expect, tests/integration/iam_create_oidc_provider.go; unverified against AWS)."""
    thumbprints = [thumbprint.lower() for thumbprint in ctx.params.get("ThumbprintList") or []]
    if len(thumbprints) > MAX_THUMBPRINTS:
        raise ServiceError("InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400)
    return thumbprints


def _client_ids(client_ids: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(client_ids))
    if len(unique) > MAX_CLIENT_IDS:
        raise ServiceError("LimitExceeded",
                           f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}", 409)
    return unique



# ------------------------------------------------------------------------------------------------ authorization
def _target(ctx: RequestContext) -> Iterable[Check]:
    """``iam:<Operation>`` on the provider's ARN (for Create: the ARN it will have)."""
    keys = request_keys(ctx)
    params = ctx.params
    arn = params.get("OpenIDConnectProviderArn")
    if arn is None:
        url = params.get("Url", "")
        name = url[len("https://"):] if url.startswith("https://") else url
        if _url_refusal(url) is None:
            name = provider_url(url)
        arn = provider_arn(ctx.account.id, name)
    provider = ctx.account.iam.oidc_providers.get(arn)
    if provider is not None:
        resource_keys(provider, keys)
    propagation_keys(params, provider, keys)
    return (Check(f"iam:{ctx.operation_name}", arn, keys),)


def _anywhere(ctx: RequestContext) -> Iterable[Check]:
    return (Check(f"iam:{ctx.operation_name}", "*"),)


# ------------------------------------------------------------------------------------------------ operations
@op("iam", "CreateOpenIDConnectProvider", authz=tagged_on_create(_target, "iam:TagOpenIDConnectProvider"))
def create_provider(ctx: RequestContext) -> dict:
    iam, params = ctx.account.iam, ctx.params
    url = provider_url(params["Url"])
    thumbprints = _thumbprints(ctx)
    client_ids = _client_ids(params.get("ClientIDList") or [])
    arn = provider_arn(ctx.account.id, url)
    if arn in iam.oidc_providers:
        raise ServiceError("EntityAlreadyExists", f"Provider with url {params['Url']} already exists.", 409)
    if len(iam.oidc_providers) >= MAX_PROVIDERS:
        raise ServiceError("LimitExceeded",
                           f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_PROVIDERS}", 409)
    tags = tags_in(ctx)
    iam.add(OidcProvider(url, arn, ctx.store.clock.now(), client_ids, thumbprints, tags, **created(params)))
    result: dict = {"OpenIDConnectProviderArn": arn}
    return tagged(result, tags)


@op("iam", "GetOpenIDConnectProvider", authz=_target)
def get_provider(ctx: RequestContext) -> dict:
    """Always with ``ClientIDList`` and ``Tags``, empty lists when there are none (recorded from AWS: LocalStack
    snapshot tests/aws/services/iam/test_iam_oidc.snapshot.json, test_update_open_id_connect_provider_thumbprint)."""
    provider = _provider(ctx)
    return {"Url": provider.url, "ClientIDList": list(provider.client_ids),
            "ThumbprintList": list(provider.thumbprints), "CreateDate": provider.create_date,
            "Tags": tags_out(provider.tags), **propagation_out(ctx.account.id, provider)}


@op("iam", "ListOpenIDConnectProviders", authz=_anywhere)
def list_providers(ctx: RequestContext) -> dict:
    """Each entry with ``IsTrustedIdentityPropagationEnabled``: whether an Identity Center instance is associated
    (reported for every provider, false included: unverified)."""
    providers = ctx.account.iam.oidc_providers
    return {"OpenIDConnectProviderList": [
        {"Arn": arn, "IsTrustedIdentityPropagationEnabled": providers[arn].identity_center_instance_arn is not None}
        for arn in sorted(providers)]}


@op("iam", "UpdateOpenIDConnectProvider", authz=_target)
def update_provider(ctx: RequestContext) -> dict:
    """Sets or removes the context provider or the Identity Center association (not the thumbprints); a request
    that changes nothing is ``InvalidInput`` (unverified)."""
    provider = _provider(ctx)
    ctx.account.iam.update(provider, **updated(provider, ctx.params, required=True))
    return {}


@op("iam", "DeleteOpenIDConnectProvider", authz=_target)
def delete_provider(ctx: RequestContext) -> dict:
    """A provider that does not exist is ``NoSuchEntity`` (:data:`CANNOT_BE_FOUND`; the API reference calls the
    operation idempotent, the service is not)."""
    ctx.account.iam.remove(_provider_cannot_be_found(ctx))
    return {}


@op("iam", "AddClientIDToOpenIDConnectProvider", authz=_target)
def add_client_id(ctx: RequestContext) -> dict:
    """Idempotent: adding a client id the provider has already is not an error."""
    provider = _provider(ctx)
    client_ids = _client_ids([*provider.client_ids, ctx.params["ClientID"]])
    if client_ids != provider.client_ids:
        ctx.account.iam.update(provider, client_ids=client_ids)
    return {}


@op("iam", "RemoveClientIDFromOpenIDConnectProvider", authz=_target)
def remove_client_id(ctx: RequestContext) -> dict:
    """Idempotent: removing a client id the provider does not have is not an error."""
    provider = _provider(ctx)
    client_id = ctx.params["ClientID"]
    if client_id in provider.client_ids:
        ctx.account.iam.update(provider, client_ids=[item for item in provider.client_ids if item != client_id])
    return {}


@op("iam", "UpdateOpenIDConnectProviderThumbprint", authz=_target)
def update_thumbprint(ctx: RequestContext) -> dict:
    """An empty list is refused (recorded from AWS, 2026-09-11: radkawar/stackd, internal/services/iam/testdata/
    federation/oidc.json)."""
    provider = _provider(ctx)
    if not ctx.params.get("ThumbprintList"):
        raise ServiceError("InvalidInput", "Thumbprint list must contain at least one entry.", 400)
    ctx.account.iam.update(provider, thumbprints=_thumbprints(ctx))
    return {}


tag_operations(("TagOpenIDConnectProvider", "UntagOpenIDConnectProvider", "ListOpenIDConnectProviderTags"),
               _provider_cannot_be_found, _target, empty_untag_refused=True)


def provider_for_issuer(iam: IamState, issuer: str) -> OidcProvider | None:
    """The provider whose URL is the token's ``iss`` (compared as IAM names it, without ``https://``)."""
    if not issuer.startswith("https://"):
        return None
    url = issuer[len("https://"):]
    return next((provider for provider in iam.oidc_providers.values() if provider.url == url), None)
