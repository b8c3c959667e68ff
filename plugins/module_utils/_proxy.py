# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proxy settings of a session (ConnectionOptionsEx2.SetProxy, createsession-facts.md §2.3, R29-R31).

Access types on a Linux controller [INF] - Windows reads proxy settings from Internet Explorer,
from WinHTTP (``netsh winhttp``) or by WPAD auto-detection; none of these exists here, so:

==========================================  ================================================
access type                                 proxy used
==========================================  ================================================
no SetProxy at all, ProxyNoProxyServer     none: direct connection, environment ignored
                                            (WinHTTP's own default is a direct connection)
ProxyIEConfig, ProxyWinHttpConfig,          the environment, as curl and requests read it:
ProxyAutoDetect                             ``HTTPS_PROXY``/``https_proxy`` for https://,
                                            ``HTTP_PROXY`` for http://, ``ALL_PROXY``, with
                                            ``NO_PROXY`` exceptions
an explicit proxy (``set_proxy(server=)``)  that proxy, for this session only; ``NO_PROXY``
                                            is not consulted
==========================================  ================================================

Proxy authentication (``ProxyAuthentication``): Basic sends ``Proxy-Authorization`` with the
``CONNECT``; Digest (RFC 7616, ``_digest.py``) and Negotiate answer the proxy's 407 challenge on
the same connection inside the tunnel set-up. Negotiate to a proxy is NTLM (pyspnego), as for the
service. Credentials never go into the proxy URL (which appears in error messages).
"""

from __future__ import annotations

import base64
import http.client
import os
import socket
import ssl
from urllib.parse import urlsplit, urlunsplit

try:
    import requests.utils
    HAS_REQUESTS = True
except ImportError:  # pragma: no cover
    HAS_REQUESTS = False

try:
    import spnego
    HAS_SPNEGO = True
except ImportError:  # pragma: no cover - pyspnego comes with pywinrm
    HAS_SPNEGO = False

from ansible_collections.wsman.automation.plugins.module_utils._digest import DigestAnswer, DigestError, parse_challenge

NO_PROXY_SERVER = 0x8
_AUTH_NAMES = {0x1: 'negotiate', 0x2: 'basic', 0x4: 'digest', 'negotiate': 'negotiate', 'basic': 'basic',
               'digest': 'digest'}
_ACCESS_NAMES = {'ie_settings': 0x1, 'winhttp_settings': 0x2, 'auto_detect': 0x4, 'no_proxy': 0x8}
MAX_CHALLENGE_ROUNDS = 3


class ProxyTunnelError(OSError):
    """The proxy refused the tunnel; ``status`` is its HTTP status (407 = credentials refused)."""

    def __init__(self, status, text):
        super().__init__('Tunnel connection failed: %d %s' % (status, text))
        self.status = status


class ProxyPlan:
    """``proxies`` for requests, ``display`` (URL without credentials), ``headers`` and ``tunnel_hook``."""

    def __init__(self, proxies=None, display=None, headers=None, tunnel_hook=None, source='none'):
        self.proxies = proxies or {}
        self.display = display
        self.headers = headers or {}
        self.tunnel_hook = tunnel_hook
        self.source = source

    def __repr__(self):
        return '<ProxyPlan %s %s>' % (self.source, self.display or 'direct')


def _first(options, names):
    for name in names:
        value = getattr(options, name, None)
        if value is not None and value != '':
            return value
    return None


def _reveal(value):
    if value is None:
        return None
    reveal = getattr(value, 'reveal', None)
    return reveal() if callable(reveal) else str(value)


def _access_type(value):
    if value is None:
        return None
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _ACCESS_NAMES:
            return _ACCESS_NAMES[key]
        try:
            return int(key, 0)
        except ValueError:
            return None
    return int(value)


def _auth_name(value):
    if value is None:
        return None
    if isinstance(value, str):
        return _AUTH_NAMES.get(value.strip().lower())
    return _AUTH_NAMES.get(int(value)) if int(value) else None


def _strip_credentials(url):
    """``(url without user:password, user, password)``; adds ``http://`` when no scheme is given."""
    if '://' not in url:
        url = 'http://' + url
    parts = urlsplit(url)
    user = parts.username
    password = parts.password
    host = parts.hostname or ''
    if ':' in host:
        host = '[%s]' % host
    netloc = host + (':%d' % parts.port if parts.port else '')
    return urlunsplit((parts.scheme, netloc, parts.path, '', '')), user, password


def plan_proxy(settings, url):
    """The :class:`ProxyPlan` for a session to ``url`` (reads the environment for env access types)."""
    options = getattr(settings, 'options', None)
    access = _access_type(_first(options, ('proxy_access_type', 'access_type'))) if options is not None else None
    server = _first(options, ('proxy_server', 'proxy_url', 'proxy')) if options is not None else None
    if server is not None and not isinstance(server, str):
        server = None
    auth = _auth_name(_first(options, ('proxy_authentication', 'proxy_auth', 'proxy_authentication_mechanism'))) \
        if options is not None else None
    username = _first(options, ('proxy_username', 'proxy_user_name')) if options is not None else None
    password = _reveal(_first(options, ('proxy_password_secret',))) if options is not None else None

    if access == NO_PROXY_SERVER:
        return ProxyPlan(source='ProxyNoProxyServer')
    if access is None and not server:
        return ProxyPlan(source='no SetProxy')
    if server:
        proxy_url, url_user, url_password = _strip_credentials(server)
        username = username or url_user
        password = password if password is not None else url_password
        source = 'explicit'
    else:
        proxy_url = None
        if HAS_REQUESTS:
            env = requests.utils.get_environ_proxies(url) or {}
            scheme = urlsplit(url).scheme
            proxy_url = env.get(scheme) or env.get('all')
        if not proxy_url:
            return ProxyPlan(source='environment')
        proxy_url, url_user, url_password = _strip_credentials(proxy_url)
        if auth is None and url_user:
            auth = 'basic'
        username = username or url_user
        password = password if password is not None else url_password
        source = 'environment'
    proxies = {'http': proxy_url, 'https': proxy_url}
    headers = {}
    hook = None
    if auth == 'basic':
        token = base64.b64encode(('%s:%s' % (username or '', password or '')).encode('utf-8')).decode('ascii')
        headers['Proxy-Authorization'] = 'Basic ' + token
    elif auth in ('digest', 'negotiate'):
        hook = ProxyTunnel(auth, username or '', password or '', urlsplit(proxy_url).hostname or '')
    return ProxyPlan(proxies, proxy_url, headers, hook, source)


class ProxyTunnel:
    """Sets up ``CONNECT`` tunnels answering the proxy's Digest or Negotiate (NTLM) 407 challenge."""

    def __init__(self, mechanism, username, password, proxy_host):
        self.mechanism = mechanism
        self.username = username
        self._password = password
        self.proxy_host = proxy_host
        self._digest = None  # the last Digest challenge answered, reused preemptively

    def __repr__(self):
        return '<ProxyTunnel %s user=%r>' % (self.mechanism, self.username)

    def __call__(self, conn):
        target = '%s:%d' % (conn._tunnel_host, conn._tunnel_port)  # pylint: disable=protected-access
        extra = {k: v for k, v in (conn._tunnel_headers or {}).items()  # pylint: disable=protected-access
                 if k.lower() != 'proxy-authorization'}
        context = None
        token = None
        if self.mechanism == 'digest' and self._digest is not None:
            token = self._digest.header('CONNECT', target)
        elif self.mechanism == 'negotiate':
            if not HAS_SPNEGO:
                raise ProxyTunnelError(407, 'Negotiate proxy authentication needs pyspnego (pip install pyspnego)')
            context = spnego.client(self.username or None, self._password or None, hostname=self.proxy_host,
                                    service='http', protocol='ntlm')
            token = 'Negotiate ' + base64.b64encode(context.step()).decode('ascii')
        for _round in range(MAX_CHALLENGE_ROUNDS):
            status, reason, headers, closed = _connect_once(conn, target, extra, token)
            if status == 200:
                return
            if status != 407:
                raise ProxyTunnelError(status, reason)
            challenges = headers.get_all('Proxy-Authenticate') or []
            token = self._answer(challenges, target, context)
            if token is None:
                raise ProxyTunnelError(407, reason)
            if closed:
                _reconnect_in_place(conn)
        raise ProxyTunnelError(407, 'too many proxy authentication rounds')

    def _answer(self, challenges, target, context):
        if self.mechanism == 'digest':
            for value in challenges:
                params = parse_challenge(value)
                if params is None:
                    continue
                if self._digest is not None and params.get('nonce') == self._digest.challenge.get('nonce') \
                        and params.get('stale', '').lower() != 'true':
                    return None  # the same nonce was refused: the credentials are wrong
                try:
                    self._digest = DigestAnswer(self.username, self._password, params)
                except DigestError as exc:
                    raise ProxyTunnelError(407, str(exc)) from None
                return self._digest.header('CONNECT', target)
            return None
        for value in challenges:
            scheme, _sep, data = value.strip().partition(' ')
            if scheme.lower() in ('negotiate', 'ntlm') and data.strip() and context is not None:
                if context.complete:
                    return None
                out = context.step(base64.b64decode(data.strip()))
                if out is None:
                    return None
                return '%s %s' % (scheme, base64.b64encode(out).decode('ascii'))
        return None


def _connect_once(conn, target, extra_headers, authorization):
    lines = ['CONNECT %s HTTP/1.1' % target, 'Host: %s' % target, 'Proxy-Connection: keep-alive']
    lines.extend('%s: %s' % (k, v) for k, v in extra_headers.items())
    if authorization:
        lines.append('Proxy-Authorization: %s' % authorization)
    conn.sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1'))
    reader = conn.sock.makefile('rb')
    try:
        status_line = reader.readline(65537).decode('latin-1')
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith('HTTP/'):
            raise ProxyTunnelError(502, 'the proxy sent no HTTP status line')
        status = int(parts[1])
        reason = parts[2].strip() if len(parts) > 2 else ''
        headers = http.client.parse_headers(reader)
        closed = (headers.get('Connection', '') + headers.get('Proxy-Connection', '')).lower().find('close') >= 0 \
            or parts[0] == 'HTTP/1.0'
        if status != 200:
            length = int(headers.get('Content-Length') or 0)
            if length:
                reader.read(length)
        return status, reason, headers, closed
    finally:
        reader.close()


def _reconnect_in_place(conn):
    """The proxy closed the connection after its 407: open a new one under the same socket object.

    urllib3 keeps a reference to the socket object across the tunnel set-up, so the connection is
    replaced underneath it (``dup2`` of a fresh connection onto the same descriptor, POSIX).
    """
    if isinstance(conn.sock, ssl.SSLSocket):
        raise ProxyTunnelError(407, 'the TLS proxy closed the connection after its authentication challenge; '
                                    'use an http:// proxy URL or a proxy that keeps the connection open')
    fresh = socket.create_connection((conn.host, conn.port), timeout=conn.sock.gettimeout())
    try:
        os.dup2(fresh.fileno(), conn.sock.fileno())
    finally:
        fresh.close()
