"""Test-side key material for IAM credential tests: RSA keys, self-signed certificates and RFC 6238 codes, made
here independently of mockrunner's own code."""
from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEYS_IN_TURN = 12
"""How many keys of a size :func:`rsa_key` makes before it hands them out again, in turn: no test asks for more
at once, and a 2048-bit key takes 50 to 100 ms to make (hundreds of tests ask for keys)."""
_made: dict[int, list[rsa.RSAPrivateKey]] = {}
_handed_out: dict[int, int] = {}


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """An RSA key of ``bits``, not one of the previous :data:`KEYS_IN_TURN` calls' for that size (different keys
    within a test; each test's server is new, so a key seen by an earlier test is as good as a new one)."""
    made = _made.setdefault(bits, [])
    turn = _handed_out[bits] = _handed_out.get(bits, -1) + 1
    if len(made) < KEYS_IN_TURN:
        made.append(rsa.generate_private_key(public_exponent=65537, key_size=bits))
    return made[turn % KEYS_IN_TURN]


def self_signed_certificate(key, name: str = "example.com", days: int = 30,
                            start_days: int = -1) -> tuple[str, datetime]:
    """(PEM, expiry) of a certificate for ``name`` valid from ``start_days`` to ``days`` from now."""
    return issued_certificate(key, name, key, name, days, start_days)


def issued_certificate(key, name: str, issuer_key, issuer_name: str, days: int = 30,
                       start_days: int = -1) -> tuple[str, datetime]:
    """(PEM, expiry) of a certificate of ``key`` for ``name`` signed by ``issuer_key`` as ``issuer_name``, valid
    from ``start_days`` to ``days`` from now."""
    now = datetime.now(UTC).replace(microsecond=0)
    subject, issuer = (x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]) for cn in (name, issuer_name))
    not_after = now + timedelta(days=days)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now + timedelta(days=start_days))
            .not_valid_after(not_after).sign(issuer_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode(), not_after


def private_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def totp(seed: bytes, step: int, digits: int = 6) -> str:
    """The RFC 6238 (HMAC-SHA1) code of base32 ``seed`` for time step ``step``."""
    mac = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[19] & 15
    return str((int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** digits).zfill(digits)


def current_step(aws: Any) -> int:
    """The 30-second TOTP step of the harness's clock."""
    return int(aws.store.clock.now().timestamp()) // 30


def enabled_mfa_device(aws: Any, iam: Any, user_name: str) -> tuple[str, bytes]:
    """A virtual MFA device named after ``user_name`` (an existing user), enabled for that user with two
    consecutive current codes: ``(serial number, base32 seed)``."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user_name)["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    now = current_step(aws)
    iam.enable_mfa_device(UserName=user_name, SerialNumber=serial, AuthenticationCode1=totp(seed, now - 1),
                          AuthenticationCode2=totp(seed, now))
    return serial, seed
