"""SSH public keys of IAM users (CodeCommit): Upload/Get/List/Update/DeleteSSHPublicKey.

A key is accepted in OpenSSH (``ssh-rsa AAAA... comment``) or PEM (``-----BEGIN PUBLIC KEY-----`` or ``-----BEGIN RSA
PUBLIC KEY-----``) form, RSA only and at least 2048 bits (the UploadSSHPublicKey reference).  Anything in neither
encoding is ``UnrecognizedPublicKeyEncoding``; a key in one of them that cannot be read, is not RSA or is too short
is ``InvalidPublicKey``.  The fingerprint is the MD5 of the key's OpenSSH blob in colon-separated hex, as IAM shows
it; a user cannot hold the same key twice (``DuplicateSSHPublicKey``) nor more than five keys.  Every operation is
authorized as ``iam:<Operation>`` on the user's ARN.
IAM's words, recorded from AWS, 2026-09-11 (radkawar/stackd, internal/services/iam/testdata/certificates_aws.json):
"Invalid public key uploaded." ("ssh:malformed", "ssh:certificate"), "Invalid body for public key" ("ssh:rsa1024"),
"Duplicate SSH public key uploaded." ("ssh:duplicate-pem"), "User has no Public Key with id <id>." for another
user's key ("ssh:wrong-owner"), and ``Expired`` refused by UpdateSSHPublicKey ("ssh:status-Expired").  A key id no
key has is "The Public Key with id <id> cannot be found." (recorded from AWS, 2026-02-13: localstack/localstack
tests/aws/services/iam/test_iam_ssh_public_keys.snapshot.json, Get, Update and Delete).
"""
from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.key_material import UNREADABLE
from mockrunner.model.iam import KEY_ID_LENGTH, SshPublicKey, new_id
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import target
from mockrunner.services.iam.entities import USER, iam_of, own_user_name
from mockrunner.services.iam.signing_certificates import supported_status
from mockrunner.services.registry import op

MAX_KEYS_PER_USER = 5
MIN_BITS = 2048
KEY_ID_PREFIX = "APKA"
_PEM_HEADERS = ("-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----")


def _invalid() -> ServiceError:
    return ServiceError("InvalidPublicKey", "Invalid body for public key", 400)


def _unrecognized() -> ServiceError:
    return ServiceError("UnrecognizedPublicKeyEncoding", "Invalid public key uploaded.", 400)


def parse_public_key(body: str) -> rsa.RSAPublicKey:
    """The RSA key ``body`` holds (OpenSSH or PEM), or IAM's error for it."""
    text = body.strip()
    try:
        if text.startswith("ssh-rsa "):
            key = serialization.load_ssh_public_key(text.encode("latin-1"))
        elif text.startswith(_PEM_HEADERS):
            key = serialization.load_pem_public_key(text.encode("latin-1"))
        else:
            raise _unrecognized()
    except UNREADABLE:
        raise _invalid() from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_BITS:
        raise _invalid()
    return key


def openssh_blob(key: rsa.RSAPublicKey) -> bytes:
    """The key's OpenSSH wire blob (what the ``ssh-rsa`` line base64-encodes)."""
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return base64.b64decode(line.split()[1])


def fingerprint(key: rsa.RSAPublicKey) -> str:
    digest = hashlib.md5(openssh_blob(key), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _encoded(body: str, encoding: str) -> str:
    key = parse_public_key(body)
    if encoding == "PEM":
        return key.public_bytes(serialization.Encoding.PEM,
                                serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode("ascii")



def _own_key(ctx: RequestContext) -> SshPublicKey:
    user = own_user_name(ctx)
    key_id = ctx.params["SSHPublicKeyId"]
    key = iam_of(ctx).ssh_keys.get(key_id)
    if key is None:
        raise ServiceError("NoSuchEntity", f"The Public Key with id {key_id} cannot be found.", 404)
    if key.user_name != user:
        raise ServiceError("NoSuchEntity", f"User has no Public Key with id {key_id}.", 404)
    return key


def _key_out(key: SshPublicKey, body: str | None = None) -> dict:
    out = {"UserName": key.user_name, "SSHPublicKeyId": key.key_id, "Status": key.status,
           "UploadDate": key.upload_date}
    if body is not None:
        out.update(Fingerprint=key.fingerprint, SSHPublicKeyBody=body)
    return out


@op("iam", "UploadSSHPublicKey", authz=target(USER))
def upload_ssh_public_key(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    user = USER.get(iam, ctx.params["UserName"]).name
    body = ctx.params["SSHPublicKeyBody"]
    printed = fingerprint(parse_public_key(body))
    owned = [key for key in iam.ssh_keys.values() if key.user_name == user]
    if any(key.fingerprint == printed for key in owned):
        raise ServiceError("DuplicateSSHPublicKey", "Duplicate SSH public key uploaded.", 400)
    if len(owned) >= MAX_KEYS_PER_USER:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for PublicKeysPerUser: {MAX_KEYS_PER_USER}", 409)
    key = iam.add(SshPublicKey(new_id(KEY_ID_PREFIX, KEY_ID_LENGTH), user, body, printed, "Active",
                               ctx.store.clock.now()))
    return {"SSHPublicKey": _key_out(key, body)}


@op("iam", "GetSSHPublicKey", authz=target(USER))
def get_ssh_public_key(ctx: RequestContext) -> dict:
    key = _own_key(ctx)
    return {"SSHPublicKey": _key_out(key, _encoded(key.body, ctx.params["Encoding"]))}


@op("iam", "ListSSHPublicKeys", authz=target(USER, self_default=True))
def list_ssh_public_keys(ctx: RequestContext) -> dict:
    user = own_user_name(ctx)
    keys = paging.listing(ctx, ("ssh-keys", user), lambda: sorted(
        (key for key in iam_of(ctx).ssh_keys.values() if key.user_name == user), key=lambda key: key.upload_date))
    return paging.page(keys, ctx, "SSHPublicKeys", _key_out)


@op("iam", "UpdateSSHPublicKey", authz=target(USER))
def update_ssh_public_key(ctx: RequestContext) -> dict:
    key = _own_key(ctx)
    iam_of(ctx).update(key, status=supported_status(ctx.params["Status"]))
    return {}


@op("iam", "DeleteSSHPublicKey", authz=target(USER))
def delete_ssh_public_key(ctx: RequestContext) -> dict:
    iam_of(ctx).remove(_own_key(ctx))
    return {}
