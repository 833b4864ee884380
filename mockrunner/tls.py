"""TLS for ``mockrunner serve --tls-cert PEM --tls-key PEM``: the certificate it serves HTTPS with.

Registry clients that refuse to send credentials over plain HTTP (python-dxf, a Docker daemon pushing to a host
that is not loopback, containerd's defaults) need the registry on HTTPS.  :func:`server_context` loads the given
certificate and key; when neither file exists yet it first makes a self-signed certificate for ``localhost``,
``127.0.0.1``, ``::1`` and the extra ``names`` and writes both files (the key readable by its owner only), so the
next start serves the same certificate and a client told to trust that file keeps trusting it.

The certificate made here is what ``openssl req -x509`` makes by default: self-signed with
``basicConstraints CA:TRUE``, so clients can be pointed at the certificate file itself as their trusted CA
(``curl --cacert``, ``requests``' ``verify=``, Docker's ``certs.d/<host:port>/ca.crt``, ``skopeo --dest-cert-dir``).
"""
from __future__ import annotations

import datetime
import ipaddress
import os
import re
import secrets
import ssl
from collections.abc import Iterable
from pathlib import Path

from mockrunner.durable import NEW_FILE

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_HOST_NAME = re.compile(r"(?:\*\.)?[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
                        r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*")
"""A DNS name (labels of letters, digits, ``-`` and ``_``), possibly a wildcard's ``*.`` first."""
VALID_DAYS = 3650


class TLSSetupError(Exception):
    """The certificate or key cannot be read, made or used; the message says which file and why."""


def server_context(cert_path: str, key_path: str, names: Iterable[str] = ()) -> ssl.SSLContext:
    """A TLS 1.2+ server context serving ``cert_path`` with ``key_path``, made first when neither exists."""
    cert, key = Path(cert_path), Path(key_path)
    if not cert.exists() and not key.exists():
        write_self_signed(cert, key, names)
    elif not cert.exists() or not key.exists():
        present, missing = (cert, key) if cert.exists() else (key, cert)
        raise TLSSetupError(f"{present} exists but {missing} does not: give both files, or neither to make a "
                            "self-signed pair")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_RENEGOTIATION  # a client asking again and again costs the server a handshake each
    context.set_alpn_protocols(["http/1.1"])
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as error:
        raise TLSSetupError(f"cannot serve {cert} with {key}: {error}") from None
    return context


def write_self_signed(cert: Path, key: Path, names: Iterable[str] = ()) -> None:
    """Write a new self-signed certificate for the loopback names and ``names`` to ``cert``, its key to ``key``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    private_key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockrunner")])
    now = datetime.datetime.now(datetime.UTC)
    public_key = private_key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alternative_names((*LOOPBACK_NAMES, *names))), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(private_key, hashes.SHA256())
    )
    key_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    try:
        key.parent.mkdir(parents=True, exist_ok=True)
        cert.parent.mkdir(parents=True, exist_ok=True)
        _write_new(key, key_pem, 0o600)
        try:
            _write_new(cert, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
        except OSError:
            key.unlink(missing_ok=True)  # a key without its certificate would stop the next start
            raise
    except OSError as error:
        raise TLSSetupError(f"cannot write {error.filename}: {error.strerror}") from None


def names_not_covered(cert_path: str, names: Iterable[str]) -> list[str]:
    """The names (host names or addresses) the certificate at ``cert_path`` does not list among its subject
    alternative names (all of them, for a certificate without any or one that cannot be read)."""
    from cryptography import x509

    wanted = list(dict.fromkeys(names))
    try:
        certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
        listed = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return wanted
    dns = {name.lower() for name in listed.get_values_for_type(x509.DNSName)}
    addresses = set(listed.get_values_for_type(x509.IPAddress))
    missing = []
    for name in wanted:
        try:
            covered = ipaddress.ip_address(name) in addresses
        except ValueError:
            try:
                covered = name.encode("idna").decode("ascii").lower() in dns
            except UnicodeError:
                covered = False
        if not covered:
            missing.append(name)
    return missing


def _alternative_names(names: Iterable[str]) -> list:
    from cryptography import x509

    entries: list = []
    for name in dict.fromkeys(names):
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
            continue
        except ValueError:
            pass
        try:
            ascii_name = name.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_name = ""
        if not _HOST_NAME.fullmatch(ascii_name):
            raise TLSSetupError(f"{name!r} is not a host name or an IP address")
        entries.append(x509.DNSName(ascii_name))
    return entries


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to a new file at ``path`` (never over an existing one), in full or not at all."""
    partial = path.with_name(f"{path.name}.partial-{secrets.token_hex(8)}")  # a name no one could plant a link at
    descriptor = os.open(partial, NEW_FILE, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)
