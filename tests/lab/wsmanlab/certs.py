"""A throw-away certificate authority for the lab: CA, server certificate, client certificates.

Keys are ECDSA P-256 (fast to generate, accepted by every TLS 1.2+ client); signatures SHA-256,
so the tls-server-end-point channel binding is the SHA-256 of the server certificate.
"""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "wsman.automation lab"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _validity(builder, days):
    now = datetime.datetime.now(datetime.timezone.utc)
    return builder.not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=days))


class Issued:
    """A certificate and its private key (cryptography objects) with PEM accessors."""

    def __init__(self, cert, key):
        self.cert = cert
        self.key = key

    @property
    def cert_pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def cert_der(self):
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def key_pem(self):
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def write(self, cert_path, key_path=None):
        """Write the certificate (world-readable) and the key (owner-only) as PEM."""
        _write(cert_path, self.cert_pem, 0o644)
        if key_path:
            _write(key_path, self.key_pem, 0o600)


def _write(path, data, mode):
    tmp = "%s.tmp%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _san_entries(names):
    entries = []
    seen = set()
    for name in names:
        if not name or name in seen:
            continue
        seen.add(name)
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name.strip("[]"))))
        except ValueError:
            entries.append(x509.DNSName(name))
    return entries


class CertificateAuthority:
    """Generates a self-signed CA at construction and issues server and client certificates."""

    def __init__(self, common_name="wsman.automation lab CA", days=30):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
        builder = _validity(builder.public_key(key.public_key()).serial_number(x509.random_serial_number()), days)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        self.days = days
        self.ca = Issued(builder.sign(key, hashes.SHA256()), key)

    def _issue(self, common_name, san, usage):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(self.ca.cert.subject)
        builder = _validity(builder.public_key(key.public_key()).serial_number(x509.random_serial_number()), self.days)
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca.key.public_key()), critical=False)
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return Issued(builder.sign(self.ca.key, hashes.SHA256()), key)

    def issue_server(self, names):
        """A TLS server certificate whose CN is the first name and whose SAN lists all of them."""
        names = [name for name in names if name]
        return self._issue(names[0], _san_entries(names), ExtendedKeyUsageOID.SERVER_AUTH)

    def issue_client(self, common_name, upn=None):
        """A TLS client certificate (CN = ``common_name``; UPN otherName as Windows certificate mapping uses it)."""
        san = []
        if upn:
            upn_oid = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
            # otherName value: DER UTF8String
            raw = upn.encode("utf-8")
            if len(raw) >= 128:
                raise ValueError("UPN %r is too long for the lab's certificate builder (max 127 bytes)" % upn)
            san.append(x509.OtherName(upn_oid, b"\x0c" + bytes([len(raw)]) + raw))
        return self._issue(common_name, san, ExtendedKeyUsageOID.CLIENT_AUTH)


def server_names(bind_address, computer_name, extra=()):
    """The names a server certificate must carry for the lab: bind address, localhost, loopbacks, computer name."""
    names = ["localhost"]
    if bind_address in ("0.0.0.0", "::", ""):
        names += ["127.0.0.1", "::1"]
    else:
        names.append(bind_address)
    if bind_address in ("localhost", "127.0.0.1", "::1"):
        names += ["127.0.0.1", "::1"]
    names.append(computer_name)
    names.extend(extra)
    return names
