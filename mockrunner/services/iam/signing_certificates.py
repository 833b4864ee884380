"""X.509 signing certificates of IAM users (and of the account root, without UserName):
Upload/List/Update/DeleteSigningCertificate.

The body must be a PEM certificate that has not expired (``MalformedCertificate`` otherwise); a user holds at most
two, and a certificate already held by anyone in the account is ``DuplicateCertificate``.  Authorized as
``iam:<Operation>`` on the user's ARN (the root's own certificates: on the caller).
"""
from __future__ import annotations

from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import SigningCertificate, new_id
from mockrunner.services.iam import paging, pem_certificates
from mockrunner.services.iam.authz import target
from mockrunner.services.iam.entities import USER, iam_of, non_user, self_user
from mockrunner.services.registry import op

MAX_PER_USER = 2
ID_LENGTH = 24  # the model's minimum length for a CertificateId
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Held certificates are compared whatever their age (one may have expired since it was uploaded)."""


def malformed(body: str) -> str:
    """IAM's message for a body that is no PEM certificate, the body quoted (recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_signing_certificates.snapshot.json, test_signing_certificate_errors)."""
    return f"Certificate {body} is malformed."


def _owner(ctx: RequestContext) -> str:
    """The user whose certificates the call manages; ``""`` for the account root's own."""
    name = self_user(ctx)
    if name is None:
        if ctx.caller.is_root:
            return ""
        raise non_user()
    return USER.get(iam_of(ctx), name).name


def _own(ctx: RequestContext) -> SigningCertificate:
    owner = _owner(ctx)
    certificate_id = ctx.params["CertificateId"]
    certificate = iam_of(ctx).signing_certificates.get(certificate_id)
    if certificate is None or certificate.user_name != owner:
        raise ServiceError("NoSuchEntity", f"The Certificate with id {certificate_id} cannot be found.", 404)
    return certificate


def _out(certificate: SigningCertificate) -> dict:
    return {"UserName": certificate.user_name, "CertificateId": certificate.certificate_id,
            "CertificateBody": certificate.body, "Status": certificate.status, "UploadDate": certificate.upload_date}


def _der(body: str) -> bytes:
    return pem_certificates.certificate(body, _EPOCH).public_bytes(serialization.Encoding.DER)


@op("iam", "UploadSigningCertificate", authz=target(USER, self_default=True))
def upload_signing_certificate(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    owner = _owner(ctx)
    body = ctx.params["CertificateBody"]
    now = ctx.store.clock.now()
    der = pem_certificates.certificate(body, now, unreadable=malformed(body)).public_bytes(serialization.Encoding.DER)
    if any(_der(held.body) == der for held in iam.signing_certificates.values()):
        raise ServiceError("DuplicateCertificate",
                           "The same certificate is associated with an IAM user in the account.", 409)
    if sum(1 for held in iam.signing_certificates.values() if held.user_name == owner) >= MAX_PER_USER:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for CertificatesPerUser: {MAX_PER_USER}",
                           409)
    certificate = iam.add(SigningCertificate(new_id("", ID_LENGTH), owner, body, "Active", now))
    return {"Certificate": _out(certificate)}


@op("iam", "ListSigningCertificates", authz=target(USER, self_default=True))
def list_signing_certificates(ctx: RequestContext) -> dict:
    owner = _owner(ctx)
    held = paging.listing(ctx, ("signing-certificates", owner), lambda: sorted(
        (item for item in iam_of(ctx).signing_certificates.values() if item.user_name == owner),
        key=lambda item: item.upload_date))
    return paging.page(held, ctx, "Certificates", _out)


@op("iam", "UpdateSigningCertificate", authz=target(USER, self_default=True))
def update_signing_certificate(ctx: RequestContext) -> dict:
    iam_of(ctx).update(_own(ctx), status=ctx.params["Status"])
    return {}


@op("iam", "DeleteSigningCertificate", authz=target(USER, self_default=True))
def delete_signing_certificate(ctx: RequestContext) -> dict:
    iam_of(ctx).remove(_own(ctx))
    return {}
