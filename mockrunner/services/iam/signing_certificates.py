"""X.509 signing certificates of IAM users (and of the account root, without UserName):
Upload/List/Update/DeleteSigningCertificate.

The body must be a PEM certificate that has not expired (``MalformedCertificate`` "Certificate <body> is
malformed." otherwise); a user holds at most two.  A certificate's id is the unpadded base32 of the SHA-1 of its DER
form (32 characters).  Uploading a certificate the same user already holds answers that certificate again (same
id and upload date; the answer says ``Active`` whatever its status, which stays as it was); one another user holds
is ``DuplicateCertificate`` "Duplicate certificate uploaded.".  UpdateSigningCertificate refuses ``Expired``
(``InvalidInput`` "Operation does not support status Expired").  All recorded from AWS, 2026-09-11:
radkawar/stackd, internal/services/iam/testdata/certificates_aws.json ("signing:expired", "signing:duplicate",
"signing:duplicate-other-user", "signing:status-Expired") and certificate_edges_aws.json
("signing:duplicate-inactive").  Authorized as ``iam:<Operation>`` on the user's ARN (the root's own
certificates: on the caller).
"""
from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import SigningCertificate
from mockrunner.services.iam import paging, pem_certificates
from mockrunner.services.iam.authz import target
from mockrunner.services.iam.entities import USER, iam_of, non_user, self_user
from mockrunner.services.registry import op

MAX_PER_USER = 2


def malformed(body: str) -> str:
    """IAM's message for a body that is no PEM certificate, the body quoted (recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_signing_certificates.snapshot.json, test_signing_certificate_errors)."""
    return f"Certificate {body} is malformed."


def certificate_id(der: bytes) -> str:
    """The id IAM gives a certificate: base32 of its DER's SHA-1, unpadded (recorded from AWS, 2026-09-11:
    radkawar/stackd, internal/services/iam/testdata/certificate_edges_aws.json, "signing:duplicate-inactive")."""
    return base64.b32encode(hashlib.sha1(der, usedforsecurity=False).digest()).decode("ascii").rstrip("=")


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


def supported_status(status: str) -> str:
    """``status`` unless it is ``Expired``, which the Update operations of keys and certificates refuse (recorded
    from AWS, 2026-09-11: radkawar/stackd, internal/services/iam/testdata/certificates_aws.json,
    "signing:status-Expired" and "ssh:status-Expired")."""
    if status == "Expired":
        raise ServiceError("InvalidInput", "Operation does not support status Expired", 400)
    return status


def _der(body: str) -> bytes:
    """A held certificate's DER, whatever its validity period (one may have expired since it was uploaded)."""
    return pem_certificates.readable(body, malformed(body)).public_bytes(serialization.Encoding.DER)


@op("iam", "UploadSigningCertificate", authz=target(USER, self_default=True))
def upload_signing_certificate(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    owner = _owner(ctx)
    body = ctx.params["CertificateBody"]
    now = ctx.store.clock.now()
    der = pem_certificates.certificate(body, now, unreadable=malformed(body),
                                       expired=malformed(body)).public_bytes(serialization.Encoding.DER)
    held = next((item for item in iam.signing_certificates.values() if _der(item.body) == der), None)
    if held is not None and held.user_name == owner:
        return {"Certificate": {**_out(held), "Status": "Active"}}
    if held is not None:
        raise ServiceError("DuplicateCertificate", "Duplicate certificate uploaded.", 409)
    if sum(1 for held in iam.signing_certificates.values() if held.user_name == owner) >= MAX_PER_USER:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for CertificatesPerUser: {MAX_PER_USER}",
                           409)
    certificate = iam.add(SigningCertificate(certificate_id(der), owner, body, "Active", now))
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
    certificate = _own(ctx)
    iam_of(ctx).update(certificate, status=supported_status(ctx.params["Status"]))
    return {}


@op("iam", "DeleteSigningCertificate", authz=target(USER, self_default=True))
def delete_signing_certificate(ctx: RequestContext) -> dict:
    iam_of(ctx).remove(_own(ctx))
    return {}
