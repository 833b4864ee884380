"""SSL/TLS server certificates stored in IAM: Upload/Get/List/Update/DeleteServerCertificate and their tags.

``UploadServerCertificate`` reads the body, the chain and the private key (:mod:`pem_certificates`): a certificate
that cannot be read or has expired is ``MalformedCertificate``, a key not matching it ``KeyPairMismatch``.  The
metadata's ``Expiration`` is the certificate's ``notAfter``; the ARN is
``arn:aws:iam::<acct>:server-certificate<path><name>``.  At most 20 per account.  Every operation is authorized
as ``iam:<Operation>`` on that ARN (``UpdateServerCertificate``: on the old and on the new one), with the
certificate's tags as ``aws:ResourceTag`` and the request's as ``aws:RequestTag``/``aws:TagKeys``.
The body and the chain are kept as AWS returns them: carriage returns removed and surrounding whitespace trimmed
(:func:`as_stored`).
An UpdateServerCertificate that changes nothing (neither ``NewPath`` nor ``NewServerCertificateName``) drops the
certificate's tags, and from then on Tag/UntagServerCertificate refuse it (``InvalidInput`` :data:`UNTAGGABLE`),
while a rename or a new path keeps the tags and tagging works: recorded from AWS three times, 2026-09-11
(radkawar/stackd, internal/services/iam/testdata/server_certificate_empty_update_aws.json, "empty:immediate",
"empty:delayed", "empty:retag-delayed"; server_certificate_transitions_aws.json, "rename:immediate",
"path:immediate", "path:retag-delayed"; certificate_edges_aws.json, "server:tags-after-empty-update",
"server:untag-after-empty-update"), so mockrunner does the same.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import ServerCertificate, new_id
from mockrunner.services.iam import paging, pem_certificates
from mockrunner.services.iam.authz import listing, request_keys, resource_keys, tagged_on_create
from mockrunner.services.iam.entities import ensure_room, entity_arn, iam_of, tags_in
from mockrunner.services.iam.tags import tag_operations
from mockrunner.services.iam.wire import tagged, tags_out
from mockrunner.services.registry import op

ID_PREFIX = "ASCA"
KIND = "server-certificate"
UNTAGGABLE = ("Input tag parameters does not meet the acceptance criteria. For example, the provided tag keys/values "
              "must be unicode letters, digits, white space, and any of the following symbols: _ . : / = + - @.")


def _missing(name: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"The Server Certificate with name {name} cannot be found.", 404)


def _named(ctx: RequestContext) -> ServerCertificate:
    name = ctx.params["ServerCertificateName"]
    certificate = iam_of(ctx).server_certificates.get(name)
    if certificate is None:
        raise _missing(name)
    return certificate


def _name_free(iam: Any, name: str, renamed: ServerCertificate | None = None) -> None:
    """Refuse ``name`` when another certificate holds it in any case (recorded from AWS, 2026-09-11:
    radkawar/stackd, internal/services/iam/testdata/certificates_aws.json, "server:duplicate-name-case": the
    upper-case name of a held lower-case one is ``EntityAlreadyExists``, naming the name asked for)."""
    lowered = name.lower()
    if any(held.name.lower() == lowered and held is not renamed for held in iam.server_certificates.values()):
        raise ServiceError("EntityAlreadyExists", f"The Server Certificate with name {name} already exists.", 409)


def _target(ctx: RequestContext) -> Iterable[Check]:
    params, account = ctx.params, ctx.account.id
    action = f"iam:{ctx.operation_name}"
    keys = request_keys(ctx)
    certificate = iam_of(ctx).server_certificates.get(params["ServerCertificateName"])
    if certificate is not None:
        resource_keys(certificate, keys)
        arn = certificate.arn
    else:
        arn = entity_arn(account, KIND, params.get("Path") or "/", params["ServerCertificateName"])
    checks = [Check(action, arn, keys)]
    if params.get("NewServerCertificateName") or params.get("NewPath"):
        path = params.get("NewPath") or (certificate.path if certificate else "/")
        name = params.get("NewServerCertificateName") or params["ServerCertificateName"]
        checks.append(Check(action, entity_arn(account, KIND, path, name), keys))
    return checks


def as_stored(pem: str) -> str:
    """A PEM text as IAM keeps and returns it: without carriage returns or surrounding whitespace (users' reports
    of AWS: hashicorp/terraform#2409, #3837; docs/behaviour.md, "IAM: keys, certificates, reports, organizations")."""
    return pem.replace("\r", "").strip()


def metadata_out(certificate: ServerCertificate) -> dict:
    return {"Path": certificate.path, "ServerCertificateName": certificate.name,
            "ServerCertificateId": certificate.certificate_id, "Arn": certificate.arn,
            "UploadDate": certificate.upload_date, "Expiration": certificate.expiration}


@op("iam", "UploadServerCertificate", authz=tagged_on_create(_target, "iam:TagServerCertificate"))
def upload_server_certificate(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    name, path = params["ServerCertificateName"], params.get("Path") or "/"
    now = ctx.store.clock.now()
    parsed = pem_certificates.certificate(params["CertificateBody"], now)
    chain = params.get("CertificateChain")
    if chain:
        pem_certificates.chain(chain, now, parsed)
    pem_certificates.matching_private_key(params["PrivateKey"], parsed)
    tags = tags_in(ctx)
    _name_free(iam, name)
    ensure_room(ctx, "server_certificates")
    certificate = iam.add(ServerCertificate(
        name, new_id(ID_PREFIX), path, entity_arn(ctx.account.id, KIND, path, name),
        as_stored(params["CertificateBody"]), params["PrivateKey"], as_stored(chain) if chain else chain, now,
        parsed.not_valid_after_utc, tags))
    result: dict = {"ServerCertificateMetadata": metadata_out(certificate)}
    return tagged(result, tags)


@op("iam", "GetServerCertificate", authz=_target)
def get_server_certificate(ctx: RequestContext) -> dict:
    """Always with ``Tags``, an empty list when there are none (recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_server_certificates.snapshot.json, test_server_certificate_lifecycle)."""
    certificate = _named(ctx)
    out: dict = {"ServerCertificateMetadata": metadata_out(certificate), "CertificateBody": certificate.body,
                 "Tags": tags_out(certificate.tags)}
    if certificate.chain:
        out["CertificateChain"] = certificate.chain
    return {"ServerCertificate": out}


@op("iam", "ListServerCertificates", authz=listing(KIND))
def list_server_certificates(ctx: RequestContext) -> dict:
    prefix = ctx.params.get("PathPrefix") or "/"
    held = paging.listing(ctx, ("server-certificates", prefix), lambda: sorted(
        (item for item in iam_of(ctx).server_certificates.values() if item.path.startswith(prefix)),
        key=lambda item: item.name.lower()))
    return paging.page(held, ctx, "ServerCertificateMetadataList", metadata_out)


@op("iam", "UpdateServerCertificate", authz=_target)
def update_server_certificate(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    certificate = _named(ctx)
    name = params.get("NewServerCertificateName") or certificate.name
    path = params.get("NewPath") or certificate.path
    if name != certificate.name:
        _name_free(iam, name, certificate)
    if not params.get("NewServerCertificateName") and not params.get("NewPath"):
        iam.update(certificate, tags={}, tags_refused=True)
        return {}
    iam.rename(certificate, name=name, path=path, arn=entity_arn(ctx.account.id, KIND, path, name))
    return {}


@op("iam", "DeleteServerCertificate", authz=_target)
def delete_server_certificate(ctx: RequestContext) -> dict:
    iam_of(ctx).remove(_named(ctx))
    return {}


def _writable(certificate: ServerCertificate) -> None:
    if certificate.tags_refused:
        raise ServiceError("InvalidInput", UNTAGGABLE, 400)


tag_operations(("TagServerCertificate", "UntagServerCertificate", "ListServerCertificateTags"), _named, _target,
               writable=_writable, empty_untag_refused=True)
