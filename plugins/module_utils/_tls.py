# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS policy of the transport: one ``ssl.SSLContext`` per session built from the session flags.

Windows checks three things about a WinRM HTTPS server separately, and each has its own session
flag (createsession-facts.md §2.1, R24): the chain up to a trusted CA (``SkipCACheck``), the name
in the certificate against the host of the connection string (``SkipCNCheck``, §1.4) and
revocation (``SkipRevocationCheck``). They stay separate here:

=====================  ===================================================================
flags                  what is checked
=====================  ===================================================================
(none)                 chain (``ca_file`` or the system store plus certifi), then the name
SkipCNCheck            chain only: ``check_hostname=False`` with ``CERT_REQUIRED``
SkipCACheck            name only: OpenSSL cannot check a name on an unverified chain, so the
                       transport matches the peer certificate's subjectAltName (or, without
                       one, its CN) against the host itself after the handshake
                       (:func:`certificate_matches_host`). This catches a wrong host or a
                       mis-issued certificate; it does not stop an attacker, who can put any
                       name in a self-signed certificate - that is what SkipCACheck means.
SkipCACheck|SkipCN     nothing (encryption only)
=====================  ===================================================================

Revocation [INF]: Windows fetches CRLs/OCSP itself; OpenSSL (used by Python) never fetches
anything. With ``crl_file`` (PEM file of one or more ``X509 CRL`` blocks) and no
``SkipRevocationCheck``, the leaf certificate is checked against it
(``VERIFY_CRL_CHECK_LEAF``); a leaf whose issuer has no CRL in the file then fails (fail closed).
Without ``crl_file`` nothing is checked for revocation - there is nothing to check against - and
``SkipRevocationCheck`` changes nothing. ``SkipRevocationCheck`` with ``crl_file`` ignores the
file.
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl

try:
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - cryptography comes with pywinrm (requests_ntlm)
    HAS_CRYPTOGRAPHY = False

try:
    import certifi
    HAS_CERTIFI = True
except ImportError:  # pragma: no cover - certifi comes with requests
    HAS_CERTIFI = False

_PEM_BLOCK_RE = re.compile(rb'-----BEGIN ([A-Z0-9 ]+)-----')
_CRL_LABEL = b'X509 CRL'
_CERT_LABELS = (b'CERTIFICATE', b'TRUSTED CERTIFICATE', b'X509 CERTIFICATE')


class TLSConfigError(ValueError):
    """A TLS input (``ca_file``, ``crl_file``, client certificate) cannot be used.

    ``argument`` names the input, the message says what is wrong and how to fix it; the
    transport turns it into a ``WSManInvalidArgumentError``.
    """

    def __init__(self, argument, message):
        super().__init__(message)
        self.argument = argument
        self.message = message


class TLSPolicy:
    """What the session flags and connection options ask of TLS (no I/O here)."""

    def __init__(self, host, skip_ca_check=False, skip_cn_check=False, skip_revocation_check=False,
                 ca_file=None, crl_file=None, client_cert=None, client_key=None):
        self.host = host
        self.skip_ca_check = bool(skip_ca_check)
        self.skip_cn_check = bool(skip_cn_check)
        self.skip_revocation_check = bool(skip_revocation_check)
        self.ca_file = ca_file
        self.crl_file = crl_file
        self.client_cert = client_cert
        self.client_key = client_key

    @property
    def verify_chain(self):
        return not self.skip_ca_check

    @property
    def openssl_checks_name(self):
        """OpenSSL checks the name during the handshake (chain verified, name not skipped)."""
        return not self.skip_ca_check and not self.skip_cn_check

    @property
    def manual_name_check(self):
        """The transport must check the name after the handshake (SkipCACheck alone)."""
        return self.skip_ca_check and not self.skip_cn_check

    @property
    def checks_revocation(self):
        return bool(self.crl_file) and not self.skip_revocation_check and self.verify_chain

    def describe(self):
        """A short, secret-free description for error messages."""
        parts = []
        parts.append('chain: %s' % ('not checked (SkipCACheck)' if self.skip_ca_check else
                                    'checked against %s' % (self.ca_file or 'the system store and certifi')))
        parts.append('name: %s' % ('not checked (SkipCNCheck)' if self.skip_cn_check else 'checked'))
        parts.append('revocation: %s' % ('checked against %s' % self.crl_file if self.checks_revocation else 'not checked'))
        return '; '.join(parts)


def _read_file(argument, path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except OSError as exc:
        raise TLSConfigError(argument, '%s %r cannot be read (%s); give the path of a PEM file readable by the controller.'
                             % (argument, path, exc.strerror or exc.__class__.__name__)) from None


def _pem_labels(data):
    return [m.group(1).strip() for m in _PEM_BLOCK_RE.finditer(data)]


def _load_ca_file(ctx, path):
    data = _read_file('ca_file', path)
    labels = _pem_labels(data)
    if not any(label in _CERT_LABELS for label in labels):
        raise TLSConfigError('ca_file', 'ca_file %r holds no PEM certificate (-----BEGIN CERTIFICATE-----); give a PEM bundle '
                             'of the CA certificates to trust (convert DER with "openssl x509 -inform DER").' % path)
    try:
        ctx.load_verify_locations(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        raise TLSConfigError('ca_file', 'ca_file %r could not be loaded as PEM CA certificates: %s' % (path, exc)) from None


def _load_crl_file(ctx, path):
    data = _read_file('crl_file', path)
    labels = _pem_labels(data)
    if not labels or any(label != _CRL_LABEL for label in labels):
        # Only CRLs: OpenSSL would load any certificate in this file as a trusted CA.
        raise TLSConfigError('crl_file', 'crl_file %r must hold only PEM CRLs (-----BEGIN X509 CRL-----); convert a DER CRL '
                             'with "openssl crl -inform DER -outform PEM", and put CA certificates in ca_file.' % path)
    try:
        ctx.load_verify_locations(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        raise TLSConfigError('crl_file', 'crl_file %r could not be loaded: %s' % (path, exc)) from None
    ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF


def _load_client_cert(ctx, cert, key):
    for argument, path in (('client_cert', cert), ('client_key', key)):
        if path and not os.path.isfile(path):
            raise TLSConfigError(argument, '%s %r is not a file; give the path of a PEM file.' % (argument, path))
    try:
        ctx.load_cert_chain(certfile=cert, keyfile=key or None)
    except ssl.SSLError as exc:
        raise TLSConfigError('client_cert', 'the client certificate %r and key %r could not be loaded (%s); both must be PEM, '
                             'the key unencrypted and matching the certificate.' % (cert, key, exc.reason or exc)) from None
    except OSError as exc:
        raise TLSConfigError('client_cert', 'the client certificate %r or key %r cannot be read (%s).'
                             % (cert, key, exc.strerror or exc)) from None


def build_ssl_context(policy):
    """Return the ``ssl.SSLContext`` for ``policy``; reads the PEM files (raises TLSConfigError)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if policy.verify_chain:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.check_hostname = policy.openssl_checks_name
        if policy.ca_file:
            _load_ca_file(ctx, policy.ca_file)
        else:
            ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
            if HAS_CERTIFI:
                ctx.load_verify_locations(cafile=certifi.where())
        if policy.checks_revocation:
            _load_crl_file(ctx, policy.crl_file)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if policy.client_cert:
        _load_client_cert(ctx, policy.client_cert, policy.client_key)
    return ctx


def _dns_name_matches(pattern, host):
    pattern = pattern.rstrip('.').lower()
    host = host.rstrip('.').lower()
    if not pattern or not host:
        return False
    if pattern == host:
        return True
    p_labels = pattern.split('.')
    h_labels = host.split('.')
    # RFC 6125 6.4.3: only a whole left-most "*" label, at least two labels after it.
    if p_labels[0] != '*' or len(p_labels) < 3 or len(p_labels) != len(h_labels):
        return False
    return p_labels[1:] == h_labels[1:] and bool(h_labels[0])


def certificate_names(der):
    """``(dns_names, ip_addresses, common_names)`` of a DER certificate."""
    if not HAS_CRYPTOGRAPHY:  # pragma: no cover
        raise TLSConfigError('flags', 'checking the certificate name with SkipCACheck needs the cryptography package')
    cert = x509.load_der_x509_certificate(der)
    dns, ips = [], []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    if san is not None:
        dns = list(san.get_values_for_type(x509.DNSName))
        ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    cns = [attr.value for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME) if isinstance(attr.value, str)]
    return dns, ips, cns


def certificate_matches_host(der, host):
    """Whether the DER certificate names ``host`` (subjectAltName first; CN only without SAN)."""
    dns, ips, cns = certificate_names(der)
    try:
        host_ip = ipaddress.ip_address(host.strip('[]').split('%', 1)[0])
    except ValueError:
        host_ip = None
    if host_ip is not None:
        if any(ipaddress.ip_address(ip) == host_ip for ip in ips):
            return True
        if not dns and not ips:
            return any(cn.strip() == str(host_ip) for cn in cns)
        return False
    if dns or ips:
        return any(_dns_name_matches(name, host) for name in dns)
    return any(_dns_name_matches(cn, host) for cn in cns)


def describe_certificate_names(der):
    """``'DNS:a, IP:1.2.3.4'`` (or the CN) for an error message about a name mismatch."""
    try:
        dns, ips, cns = certificate_names(der)
    except Exception:  # pylint: disable=broad-except
        return 'unreadable certificate'
    names = ['DNS:%s' % n for n in dns] + ['IP:%s' % i for i in ips]
    if not names:
        names = ['CN=%s' % c for c in cns]
    return ', '.join(names) or 'no names'
