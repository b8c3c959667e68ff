# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loopback servers, a throw-away PKI and settings builders for the transport tests.

Everything here talks to 127.0.0.1 only. The PKI is generated with ``cryptography`` per test
session: a trusted CA, an untrusted CA, server certificates for the right and a wrong name, a
revoked server certificate with a CRL, and a client certificate.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import http.server
import os
import select
import socket
import socketserver
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions
from ansible_collections.wsman.automation.plugins.module_utils._connection_string import parse_connection
from ansible_collections.wsman.automation.plugins.module_utils._session_rules import AuthPlan
from ansible_collections.wsman.automation.plugins.module_utils._settings import SessionSettings

PASSWORD = 'Pa55-word-never-shown'
IDENTIFY = (b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
            b'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
            b'<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>')
REPLY = (b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body>'
         b'<ok/></s:Body></s:Envelope>')


def settings(url, mechanism='basic', encrypt=False, flags=0, username='user', password=PASSWORD,
             network_delay_ms=0, utf16=False, **option_values):
    """A ``SessionSettings`` for ``url`` with a fixed AuthPlan (bypasses the R-rules on purpose)."""
    options = ConnectionOptions(username=username, password=password)
    proxy = option_values.pop('proxy', None)
    for name, value in option_values.items():
        setattr(options, name, value)
    if proxy is not None:
        options.set_proxy(**proxy)
    return SessionSettings(
        endpoint=parse_connection(url),
        flags=flags,
        auth=AuthPlan(mechanism, encrypt, False),
        options=options,
        client_config=ClientConfig(network_delay_ms=network_delay_ms),
        utf16=utf16,
    )


# -- PKI ----------------------------------------------------------------------------------------

def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path, key):
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _write_cert(path, cert):
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


class PKI:
    """Files of the test PKI (all PEM paths, as str)."""

    def __init__(self, directory):
        self.dir = directory
        now = datetime.datetime.now(datetime.timezone.utc)
        self._not_before = now - datetime.timedelta(days=1)
        self._not_after = now + datetime.timedelta(days=30)
        self.ca_key, self.ca_cert, self.ca_file = self._ca('wsman test CA', 'ca')
        self.other_ca_key, self.other_ca_cert, self.other_ca_file = self._ca('untrusted CA', 'other-ca')
        self.server_cert, self.server_key = self._leaf('server', 'localhost', ['localhost'], ['127.0.0.1'])
        self.wrong_cert, self.wrong_key = self._leaf('wrong', 'wrong.example', ['wrong.example'], [])
        self.untrusted_cert, self.untrusted_key = self._leaf('untrusted', 'localhost', ['localhost'], ['127.0.0.1'],
                                                             issuer=(self.other_ca_key, self.other_ca_cert))
        self.untrusted_wrong_cert, self.untrusted_wrong_key = self._leaf(
            'untrusted-wrong', 'wrong.example', ['wrong.example'], [], issuer=(self.other_ca_key, self.other_ca_cert))
        self.revoked_cert, self.revoked_key = self._leaf('revoked', 'localhost', ['localhost'], ['127.0.0.1'])
        self.client_cert, self.client_key = self._leaf('client', 'wsman-client', [], [], client=True)
        self.crl_file = self._crl('crl', [self._serials['revoked']])
        self.empty_crl_file = self._crl('crl-empty', [])
        self.crl_with_cert_file = str(directory / 'crl-plus-cert.pem')
        with open(self.crl_with_cert_file, 'wb') as handle:
            handle.write(open(self.crl_file, 'rb').read() + open(self.other_ca_file, 'rb').read())

    _serials = {}

    def _ca(self, cn, stem):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(self._not_before)
                .not_valid_after(self._not_after)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                             crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        path = self.dir / ('%s.pem' % stem)
        _write_cert(path, cert)
        return key, cert, str(path)

    def _leaf(self, stem, cn, dns, ips, issuer=None, client=False):
        import ipaddress
        issuer_key, issuer_cert = issuer or (self.ca_key, self.ca_cert)
        key = ec.generate_private_key(ec.SECP256R1())
        serial = x509.random_serial_number()
        self._serials[stem] = serial
        builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(issuer_cert.subject)
                   .public_key(key.public_key()).serial_number(serial).not_valid_before(self._not_before)
                   .not_valid_after(self._not_after)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                  critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH if client
                                                         else ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(issuer_key, hashes.SHA256())
        cert_path, key_path = self.dir / ('%s.pem' % stem), self.dir / ('%s.key' % stem)
        _write_cert(cert_path, cert)
        _write_key(key_path, key)
        return str(cert_path), str(key_path)

    def _crl(self, stem, serials):
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.ca_cert.subject)
                   .last_update(now - datetime.timedelta(hours=1)).next_update(now + datetime.timedelta(days=7))
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()),
                                  critical=False))
        for serial in serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - datetime.timedelta(minutes=5))
                .build())
        crl = builder.sign(self.ca_key, hashes.SHA256())
        path = self.dir / ('%s.pem' % stem)
        path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        return str(path)


@pytest.fixture(scope='session')
def pki(tmp_path_factory):
    return PKI(tmp_path_factory.mktemp('pki'))


# -- HTTP servers -------------------------------------------------------------------------------

class Recorder:
    """What a server saw: requests as dicts (method, path, headers, body, peer_cert_cn)."""

    def __init__(self):
        self.requests = []
        self.connections = 0
        self.lock = threading.Lock()

    def add(self, item):
        with self.lock:
            self.requests.append(item)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # keep pytest output clean
        pass

    def setup(self):
        super().setup()
        self.server.recorder.connections += 1

    def _peer_cn(self):
        getpeercert = getattr(self.connection, 'getpeercert', None)
        if getpeercert is None:
            return None
        cert = getpeercert()
        if not cert:
            return None
        for rdn in cert.get('subject', ()):
            for key, value in rdn:
                if key == 'commonName':
                    return value
        return None

    def do_POST(self):  # noqa: N802 - http.server naming
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        item = {'method': 'POST', 'path': self.path, 'headers': dict(self.headers.items()), 'body': body,
                'peer_cn': self._peer_cn()}
        self.server.recorder.add(item)
        status, headers, reply = self.server.respond(self, item)
        if status is None:  # drop the connection without a reply
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST


def ok_reply(handler, item):
    return 200, [('Content-Type', 'application/soap+xml;charset=UTF-8')], REPLY


class _ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class LoopbackServer:
    """An HTTP or HTTPS server on 127.0.0.1; ``respond(handler, item) -> (status, headers, body)``."""

    def __init__(self, respond=ok_reply, tls=None, ipv6=False):
        self.recorder = Recorder()
        self.httpd = (_ThreadingServer6 if ipv6 else _ThreadingServer)(('::1' if ipv6 else '127.0.0.1', 0), _Handler)
        self.httpd.recorder = self.recorder
        self.httpd.respond = respond
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.scheme = 'https' if tls is not None else 'http'
        self.url = '%s://%s:%d/wsman' % (self.scheme, '[::1]' if ipv6 else '127.0.0.1', self.port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def server_tls(cert, key, client_ca=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if client_ca:
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(cafile=client_ca)
    return context


@pytest.fixture
def serve():
    """Factory: ``serve(respond=..., tls=...) -> LoopbackServer``; all are closed after the test."""
    servers = []

    def factory(respond=ok_reply, tls=None, ipv6=False):
        server = LoopbackServer(respond, tls, ipv6)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.close()


class SilentServer:
    """Accepts connections and reads, but never answers (for read timeouts)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.url = 'http://127.0.0.1:%d/wsman' % self.port
        self._stop = False
        self._conns = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            ready, _w, _x = select.select([self.sock], [], [], 0.05)
            if ready:
                try:
                    conn, _addr = self.sock.accept()
                except OSError:
                    return
                self._conns.append(conn)

    def close(self):
        self._stop = True
        self.thread.join(1)
        for conn in self._conns:
            conn.close()
        self.sock.close()


def free_port():
    """A loopback port with nothing listening (bound then closed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# -- Digest -------------------------------------------------------------------------------------

class DigestChecker:
    """A minimal RFC 7616 (MD5, qop=auth) server side, with fresh nonces and nc tracking."""

    realm = 'wsman-test'

    def __init__(self, username, password, header='Authorization', challenge_header='WWW-Authenticate'):
        self.username = username
        self.password = password
        self.header = header
        self.challenge_header = challenge_header
        self.nonces = {}
        self.challenges = 0
        self.accepted = 0

    def challenge(self):
        nonce = base64.b64encode(os.urandom(12)).decode('ascii')
        self.nonces[nonce] = 0
        self.challenges += 1
        return (self.challenge_header, 'Digest realm="%s", nonce="%s", qop="auth", algorithm=MD5' % (self.realm, nonce))

    @staticmethod
    def _md5(text):
        return hashlib.md5(text.encode('utf-8')).hexdigest()

    def check(self, method, value):
        """True when ``value`` (the credentials header) answers a live nonce correctly."""
        if not value or not value.startswith('Digest '):
            return False
        params = {}
        for part in value[7:].split(','):
            key, _sep, raw = part.strip().partition('=')
            params[key.strip().lower()] = raw.strip().strip('"')
        nonce = params.get('nonce')
        if nonce not in self.nonces or params.get('username') != self.username:
            return False
        nc = int(params.get('nc', '0'), 16)
        if nc <= self.nonces[nonce]:
            return False  # replayed
        ha1 = self._md5('%s:%s:%s' % (self.username, self.realm, self.password))
        ha2 = self._md5('%s:%s' % (method, params.get('uri')))
        expected = self._md5('%s:%s:%s:%s:%s:%s' % (ha1, nonce, params.get('nc'), params.get('cnonce'),
                                                    params.get('qop'), ha2))
        if expected != params.get('response'):
            return False
        self.nonces[nonce] = nc
        self.accepted += 1
        return True


# -- a CONNECT proxy ----------------------------------------------------------------------------

class ConnectProxy:
    """A tunnelling proxy on 127.0.0.1 with optional Basic or Digest authentication (HTTP/1.1)."""

    def __init__(self, auth=None, username='proxyuser', password='proxy-secret', close_after_407=False):
        self.auth = auth
        self.username = username
        self.password = password
        self.close_after_407 = close_after_407
        self.digest = DigestChecker(username, password, 'Proxy-Authorization', 'Proxy-Authenticate')
        self.tunnels = []
        self._contexts = {}
        self.ntlm_user = None
        self.refused = 0
        self.seen_headers = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(10)
        self.port = self.sock.getsockname()[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            ready, _w, _x = select.select([self.sock], [], [], 0.05)
            if not ready:
                continue
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _ntlm(self, conn, headers):
        """NTLM via pyspnego's server side on this connection: None (accepted), or the 407 challenge."""
        import spnego
        value = headers.get('proxy-authorization', '')
        scheme, _sep, data = value.partition(' ')
        if scheme.lower() not in ('negotiate', 'ntlm') or not data:
            return 'Negotiate'
        token = base64.b64decode(data)
        if token.startswith(b'NTLMSSP\x00\x01') or self._contexts.get(id(conn)) is None:
            self._contexts[id(conn)] = spnego.server(protocol='ntlm')
        context = self._contexts[id(conn)]
        try:
            out = context.step(token)
        except Exception:  # pylint: disable=broad-except
            self._contexts.pop(id(conn), None)
            return 'Negotiate'
        if context.complete:
            self.ntlm_user = context.client_principal
            return None
        return 'Negotiate ' + base64.b64encode(out).decode('ascii')

    def _authorized(self, headers):
        value = headers.get('proxy-authorization', '')
        if self.auth is None:
            return True
        if self.auth == 'basic':
            token = base64.b64encode(('%s:%s' % (self.username, self.password)).encode()).decode()
            return value == 'Basic ' + token
        return self.digest.check('CONNECT', value)

    def _client(self, conn):
        reader = conn.makefile('rb')
        try:
            while True:
                line = reader.readline()
                if not line:
                    return
                method, target, _version = line.decode('latin-1').split(None, 2)
                headers = {}
                while True:
                    header = reader.readline()
                    if header in (b'\r\n', b'\n', b''):
                        break
                    key, _sep, value = header.decode('latin-1').partition(':')
                    headers[key.strip().lower()] = value.strip()
                self.seen_headers.append(headers)
                if method != 'CONNECT':
                    conn.sendall(b'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n')
                    return
                ntlm_challenge = self._ntlm(conn, headers) if self.auth == 'ntlm' else None
                if ntlm_challenge is not None:
                    self.refused += 1
                    conn.sendall(('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: %s\r\n'
                                  'Content-Length: 0\r\n\r\n' % ntlm_challenge).encode())
                    continue
                if self.auth != 'ntlm' and not self._authorized(headers):
                    self.refused += 1
                    if self.auth == 'basic':
                        challenge = 'Basic realm="proxy"'
                    else:
                        challenge = self.digest.challenge()[1]
                    body = b'proxy authentication required'
                    conn.sendall(('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: %s\r\n'
                                  'Content-Length: %d\r\n%s\r\n' % (challenge, len(body), 'Connection: close\r\n'
                                                                    if self.close_after_407 else '')).encode() + body)
                    if self.close_after_407:
                        return
                    continue
                host, _sep, port = target.rpartition(':')
                upstream = socket.create_connection((host.strip('[]'), int(port)))
                self.tunnels.append(target)
                conn.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
                self._pipe(conn, upstream)
                return
        except (OSError, ValueError):
            return
        finally:
            reader.close()
            conn.close()

    @staticmethod
    def _pipe(a, b):
        sockets = [a, b]
        try:
            while True:
                ready, _w, _x = select.select(sockets, [], [], 5)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        finally:
            b.close()

    def close(self):
        self._stop = True
        self.thread.join(1)
        self.sock.close()
