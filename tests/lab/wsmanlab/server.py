"""The lab's HTTP layer: HTTP/1.1 keep-alive listeners (HTTP and HTTPS) in front of the WS-Management service.

One thread per TCP connection. Each connection carries its own authentication state (auth.ConnectionAuth),
so a Negotiate/NTLM logon and its message-encryption context live exactly as long as the connection, as
with HTTP.sys. A request on the WS-Management path goes: read body (Content-Length or chunked) →
authenticate → decrypt (MS-WSMV multipart/encrypted) → fault injection → ``service.handle()`` →
encrypt when the request was encrypted → one ``sendall`` of headers and body.

Loopback-only control paths: ``GET /lab/stats``, ``GET /lab/config``, ``GET|POST|DELETE /lab/inject``.
Any other path gets HTTP.sys's 404.
"""

import dataclasses
import email.utils
import http.server
import ipaddress
import json
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback

from . import encryption
from .auth import ConnectionAuth
from .inject import InjectionError, from_json

MAX_BODY = 64 * 1024 * 1024
IDLE_TIMEOUT = 120.0  # HTTP.sys IdleConnectionTimeout default
HANDSHAKE_TIMEOUT = 10.0
SERVER_HEADER = "Microsoft-HTTPAPI/2.0"

_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 411: "Length Required", 413: "Request Entity Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
}


def _http_sys_page(status, text):
    """The small HTML page HTTP.sys sends with its own errors."""
    reason = _REASONS.get(status, "Error")
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n'
        "<HTML><HEAD><TITLE>%s</TITLE>\r\n"
        '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n'
        "<BODY><h2>%s</h2>\r\n<hr><p>HTTP Error %d. %s</p>\r\n</BODY></HTML>\r\n" % (reason, reason, status, text)
    ).encode("ascii")


# valid UTF-8 (clients that decode before parsing get that far) but not XML: an unbound prefix, unclosed elements
MALFORMED_BODY = b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><a:Action>lab injected a malformed response &&'


def is_loopback(address):
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class _Dropped(Exception):
    """The connection must close at once without a response."""


class LabRequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    # the status line and headers are written by _send (one sendall per response)

    def version_string(self):
        return SERVER_HEADER

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        # http.server's own complaints (bad request line, timeouts) go to the lab log
        self.server.lab.log("%s %s" % (self.client_address[0], format % args))

    def setup(self):
        lab = self.server.lab
        self.secure = self.server.tls_context is not None
        self.conn_auth = None
        if self.secure:
            self.request.settimeout(HANDSHAKE_TIMEOUT)
            try:
                self.request = self.server.tls_context.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                lab.log("%s TLS handshake failed: %s" % (self.client_address[0], exc))
                self.request.close()
                raise _Dropped() from None
        super().setup()
        lab.track(self.request, True)
        self.counted = False  # "connections" counts connections that carried a WS-Management request
        peer = None
        if self.secure:
            try:
                peer = self.request.getpeercert()
            except (ssl.SSLError, ValueError):
                peer = None
        self.conn_auth = ConnectionAuth(peer_cert=peer, channel_bindings=self.server.channel_bindings if self.secure else None)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.lab.track(self.request, False)

    # every method lands in _dispatch
    def do_POST(self):
        self._dispatch()

    do_GET = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_POST

    # -- plumbing ---------------------------------------------------------------------------

    def _send(self, status, headers=(), body=b"", content_type=None, close=False, truncate=False):
        parts = ["HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Status")),
                 "Server: %s\r\n" % SERVER_HEADER,
                 "Date: %s\r\n" % email.utils.formatdate(usegmt=True)]
        for name, value in headers:
            parts.append("%s: %s\r\n" % (name, value))
        if content_type:
            parts.append("Content-Type: %s\r\n" % content_type)
        parts.append("Content-Length: %d\r\n" % len(body))
        if close or self.close_connection:
            parts.append("Connection: close\r\n")
            self.close_connection = True
        parts.append("\r\n")
        data = "".join(parts).encode("latin-1")
        if self.command == "HEAD":  # Content-Length announced, no body (RFC 9110 9.3.2)
            body = b""
        if truncate:
            data = data + body[: len(body) // 2]
            self.close_connection = True
        else:
            data = data + body
        self.wfile.write(data)
        return len(body)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        length = int(length)
        if length < 0 or length > MAX_BODY:
            raise ValueError("Content-Length %d out of range" % length)
        return self.rfile.read(length) if length else b""

    def _dispatch(self):
        lab = self.server.lab
        started = time.perf_counter()
        path = self.path.split("?", 1)[0]
        status, sent, note = 0, 0, ""
        identity = None
        try:
            try:
                body = self._read_body()
            except ValueError as exc:
                status, note = 413, str(exc)
                sent = self._send(413, body=_http_sys_page(413, "The page was not displayed because the request entity is too large."),
                                  content_type="text/html; charset=us-ascii", close=True)
                return
            if path.startswith("/lab/"):
                status, sent = self._control(path, body)
                return
            if path.lower() != lab.path.lower():
                status = 404
                sent = self._send(404, body=_http_sys_page(404, "The requested resource is not found."), content_type="text/html; charset=us-ascii")
                return
            lab.stats.incr("requests")
            if self.command != "POST":
                status = 405
                sent = self._send(405, headers=[("Allow", "POST")], body=_http_sys_page(405, "The request verb is invalid."),
                                  content_type="text/html; charset=us-ascii")
                return
            if not self.counted:
                self.counted = True
                lab.stats.incr("connections")
            status, sent, identity, note = self._wsman(body)
        except _Dropped:
            status, note = 0, "dropped"
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        finally:
            if lab.log_requests:
                lab.log("%s %s %s %d %dB %s %s %.1fms%s" % (
                    self.client_address[0], self.command, path, status, sent,
                    identity.auth_method if identity is not None else "-",
                    identity.user if identity is not None else "-",
                    (time.perf_counter() - started) * 1000.0, " " + note if note else ""))

    def _control(self, path, body):
        lab = self.server.lab
        if not is_loopback(self.client_address[0]):
            return 403, self._send(403, body=_http_sys_page(403, "Forbidden: lab control is loopback only."), content_type="text/html; charset=us-ascii")
        payload = None
        status = 200
        if path == "/lab/stats" and self.command == "GET":
            payload = lab.stats.snapshot()
        elif path == "/lab/config" and self.command == "GET":
            payload = lab.config_dict()
        elif path == "/lab/inject" and self.command == "GET":
            payload = {"pending": lab.injector.pending()}
        elif path == "/lab/inject" and self.command == "DELETE":
            lab.injector.clear()
            payload = {"pending": []}
        elif path == "/lab/inject" and self.command == "POST":
            try:
                injection = from_json(json.loads(body.decode("utf-8") or "null"))
            except (ValueError, InjectionError) as exc:
                status, payload = 400, {"error": str(exc)}
            else:
                lab.injector.add(injection)
                lab.log("injection queued: %s" % injection.to_dict())
                payload = {"queued": injection.to_dict(), "pending": lab.injector.pending()}
        else:
            status = 404
            payload = {"error": "unknown control path %s %s; use GET /lab/stats, GET /lab/config, GET|POST|DELETE /lab/inject" % (self.command, path)}
        data = json.dumps(payload, sort_keys=True).encode("utf-8")
        return status, self._send(status, body=data, content_type="application/json")

    def _wsman(self, body):
        lab = self.server.lab
        conn = self.conn_auth
        outcome = lab.authenticator.authenticate(conn, self.headers, self.secure, self.command)
        if not outcome.ok:
            return outcome.status, self._send(outcome.status, headers=outcome.headers), None, "auth"
        identity = outcome.identity
        content_type = self.headers.get("Content-Type") or ""
        protocol = encryption.encrypted_protocol(content_type)
        context = None
        if protocol is not None:
            context = conn.session_context
            if context is None or protocol != conn.encryption_protocol:
                return 400, self._send(400, headers=outcome.headers, close=True), identity, "encrypted body without a matching security context"
            try:
                body, content_type = encryption.unwrap(context, body, content_type)
            except encryption.EncryptionError as exc:
                return 400, self._send(400, headers=outcome.headers, close=True), identity, str(exc)
            lab.stats.incr("encrypted_requests")
        elif (body and not self.secure and identity is not None and identity.auth_method in ("negotiate", "ntlm")
              and not lab.config.allow_unencrypted):
            # Windows refuses an unencrypted message over HTTP with HTTP 500 and an empty body
            # (pywinrm#129, #208) unless winrm/config/service AllowUnencrypted=true.
            return 500, self._send(500, headers=outcome.headers), identity, "unencrypted message refused (AllowUnencrypted=false)"
        if not body:
            # an authentication leg without a message (pypsrp sends one before encrypting)
            return 200, self._send(200, headers=outcome.headers), identity, ""

        injection = lab.injector.take()
        truncate = False
        if injection is not None:
            lab.stats.incr("injected")
            kind = injection.kind
            if kind == "drop":
                raise _Dropped()
            if kind == "status503":
                page = _http_sys_page(503, "The service is unavailable.")
                return 503, self._send(503, headers=outcome.headers, body=page, content_type="text/html; charset=us-ascii"), identity, "injected status503"
            if kind == "delay":
                time.sleep(injection.seconds)
            if kind == "malformed":
                return self._reply(200, MALFORMED_BODY, "application/soap+xml;charset=UTF-8", outcome, context, False) + (identity, "injected malformed")
            truncate = kind == "truncated"

        try:
            response = lab.service.handle(body, content_type, identity, self.secure)
        except Exception:  # the service promises never to raise; if it does, answer as a crashed provider would
            lab.log("service.handle raised:\n%s" % traceback.format_exc())
            return 500, self._send(500, headers=outcome.headers), identity, "service error"
        if response.status in (400, 500) and response.body:
            lab.stats.incr("faults")
        if response.status == 401:  # the service refused an anonymous operation: challenge as for any 401
            outcome.headers.extend(("WWW-Authenticate", value) for value in lab.authenticator.challenges(self.secure))
        note = "injected %s" % injection.kind if injection is not None else ""
        return self._reply(response.status, response.body, response.content_type, outcome, context, truncate) + (identity, note)

    def _reply(self, status, body, content_type, outcome, context, truncate):
        if context is not None and body:
            body, content_type = encryption.wrap(context, body, content_type, self.conn_auth.encryption_protocol)
        sent = self._send(status, headers=outcome.headers, body=body, content_type=content_type if body else None, truncate=truncate)
        return status, sent


class _Listener(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, lab, address, tls_context=None, channel_bindings=None):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.lab = lab
        self.tls_context = tls_context
        self.channel_bindings = channel_bindings
        super().__init__(address, LabRequestHandler)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's getfqdn() (slow, may touch DNS)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (_Dropped, ConnectionError, TimeoutError, ssl.SSLError)):
            return  # a client that went away or a dropped connection is not a lab error
        self.lab.log("%s connection error:\n%s" % (client_address[0], traceback.format_exc()))


class LabServer:
    """The listeners plus everything a request handler needs. ``start()`` binds; ``stop()`` closes."""

    def __init__(self, service, config, stats, injector, authenticator, *, bind="127.0.0.1", http_port=5985,
                 https_port=5986, path="/wsman", tls_context=None, server_cert_der=None, log=None, log_requests=True):
        self.service = service
        self.config = config
        self.stats = stats
        self.injector = injector
        self.authenticator = authenticator
        self.bind = bind
        self.path = path if path.startswith("/") else "/" + path
        self.log = log or (lambda message: None)
        self.log_requests = log_requests
        self._ports = {"http": http_port, "https": https_port}
        self._tls_context = tls_context
        self._cert_der = server_cert_der
        self._listeners = {}
        self._threads = []
        self._sockets = set()
        self._sockets_lock = threading.Lock()

    def track(self, sock, alive):
        with self._sockets_lock:
            if alive:
                self._sockets.add(sock)
            else:
                self._sockets.discard(sock)

    def config_dict(self):
        if dataclasses.is_dataclass(self.config):
            data = dataclasses.asdict(self.config)
        else:
            data = dict(vars(self.config))
        return {key: sorted(value) if isinstance(value, (set, frozenset)) else value for key, value in data.items()}

    def start(self):
        from .auth import channel_bindings_for
        if self._ports["http"] is not None and self._ports["http"] >= 0:
            self._listeners["http"] = _Listener(self, (self.bind, self._ports["http"]))
        if self._ports["https"] is not None and self._ports["https"] >= 0:
            if self._tls_context is None:
                raise ValueError("an HTTPS port was requested but no TLS context was given")
            bindings = channel_bindings_for(self._cert_der) if self._cert_der else None
            self._listeners["https"] = _Listener(self, (self.bind, self._ports["https"]), self._tls_context, bindings)
        for name, listener in self._listeners.items():
            thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.1}, name="lab-%s" % name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def port(self, name):
        listener = self._listeners.get(name)
        return listener.server_address[1] if listener else None

    def url(self, name):
        port = self.port(name)
        if port is None:
            return None
        host = "[%s]" % self.bind if ":" in self.bind else self.bind
        return "%s://%s:%d%s" % (name, host, port, self.path)

    def stop(self):
        for listener in self._listeners.values():
            listener.shutdown()
            listener.server_close()
        with self._sockets_lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(timeout=1.0)


def make_tls_context(cert_file, key_file, client_ca_pem=None, client_ca_files=()):
    """Server TLS context: TLS 1.2+, client certificates requested but optional."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    if client_ca_pem or client_ca_files:
        if client_ca_pem:
            context.load_verify_locations(cadata=client_ca_pem.decode("ascii") if isinstance(client_ca_pem, bytes) else client_ca_pem)
        for path in client_ca_files:
            context.load_verify_locations(cafile=path)
        context.verify_mode = ssl.CERT_OPTIONAL
    return context
