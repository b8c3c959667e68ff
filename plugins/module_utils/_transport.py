# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP transport of a WS-Management session.

Built on pywinrm's ``winrm.transport.Transport`` where pywinrm has the feature - one
``requests.Session`` with keep-alive, the NTLM (Negotiate), Kerberos and CredSSP contexts, client
certificate authentication, channel binding (``send_cbt``) and MS-WSMV message encryption - and
added around it where pywinrm has nothing: Digest and no authentication (a plain
``requests.Session``), UTF-16 requests (also inside encrypted messages, ``_transport_encryption``),
separate CA / name / revocation checks (``_tls``), explicit proxies with Basic, Digest or NTLM
proxy authentication (``_proxy``), timeouts per request and the error mapping of
createsession-facts.md §9 (``_http_errors``).

``Transport(settings)`` does no I/O; the first :meth:`Transport.send` builds the session, the TLS
context and, for encrypted sessions, the authenticated security context.

Negotiate on Linux [INF]: pywinrm's ``ntlm`` transport (requests_ntlm on pyspnego) answers a
``Negotiate`` challenge with NTLM, so "Negotiate" negotiates NTLM here. Kerberos needs
``WSManFlagUseKerberos`` and pywinrm's Kerberos extra (``pip install pywinrm[kerberos]``, which
brings ``pykerberos``); Negotiate without a user name (implicit credentials) also needs it and uses
the Kerberos ticket cache (``kinit``). CredSSP needs ``pip install pywinrm[credssp]``.

Retries [decision]: a request whose connection was dropped or reset before a reply arrived is
sent once more on a new connection when the caller says it is idempotent (``idempotent=True``:
Identify, Get, Enumerate, Pull, Release, Put); never for Create, Delete or Invoke, where the
service may already have acted. Refused connections, DNS, TLS and timeouts are not retried here.
"""

from __future__ import annotations

import functools
import socket
import threading
import warnings

try:
    import requests
    import requests.auth
    import requests.exceptions
    from urllib3 import exceptions as urllib3_exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - requests comes with pywinrm
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

try:
    import winrm.transport as winrm_transport
    from winrm.exceptions import InvalidCredentialsError, WinRMError, WinRMTransportError
    HAS_PYWINRM = True
    PYWINRM_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - pywinrm is a requirement of the collection
    HAS_PYWINRM = False
    PYWINRM_IMPORT_ERROR = exc

from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManAuthenticationError,
    WSManError,
    WSManInvalidArgumentError,
    WSManProtocolError,
    WSManTransportError,
)
from ansible_collections.wsman.automation.plugins.module_utils._http_errors import (
    CODE_ACCESS_DENIED,
    CODE_MUTUAL_AUTH_FAILED,
    find_cause,
    map_exception,
    map_status,
)
from ansible_collections.wsman.automation.plugins.module_utils._proxy import plan_proxy
from ansible_collections.wsman.automation.plugins.module_utils._tls import TLSConfigError, TLSPolicy, build_ssl_context
from ansible_collections.wsman.automation.plugins.module_utils._transport_adapter import WSManAdapter
from ansible_collections.wsman.automation.plugins.module_utils._transport_encryption import (
    EncryptionFramingError,
    is_encrypted_reply,
    original_content_type,
    prepare_encrypted,
    unwrap_ntlm_reply,
)

# Flag values of createsession-facts.md §2.1 (kept here as ints so this file needs only the settings).
_SKIP_CA_CHECK = 0x2000
_SKIP_CN_CHECK = 0x4000
_ENABLE_SPN_SERVER_PORT = 0x400000
_SKIP_REVOCATION_CHECK = 0x2000000

#: Status codes handed to the SOAP layer (``_response.py``) to judge; everything else raises here.
WSMAN_REPLY_STATUSES = (200, 400, 500)
#: Default OperationTimeout (createsession-facts.md §10) when the caller gives none.
DEFAULT_OPERATION_TIMEOUT_MS = 60000
#: Longest wait for a TCP (and TLS) connection to be set up.
MAX_CONNECT_TIMEOUT_S = 30.0
USER_AGENT = 'Microsoft WinRM Client (wsman.automation; Python)'

#: pywinrm auth methods whose requests need nothing from requests' response hooks once the
#: connection is set up (NTLM is connection-bound; Basic adds its header when the request is
#: prepared; a client certificate is part of the TLS connection).
_SEND_AHEAD_AUTH_METHODS = frozenset(('ntlm', 'basic', 'certificate'))
_ENCRYPTING_MECHANISMS = {'negotiate': 'ntlm', 'kerberos': 'kerberos', 'credssp': 'credssp'}
_INSTALL_HINTS = {
    'kerberos': 'pip install "pywinrm[kerberos]" (it brings pykerberos; the system needs the MIT or Heimdal '
                'Kerberos libraries and a krb5.conf for the realm)',
    'credssp': 'pip install "pywinrm[credssp]" (it brings requests-credssp)',
    'ntlm': 'pip install requests_ntlm pyspnego',
}


class TransportResponse:
    """A reply for the SOAP layer: ``status`` (200/400/500), ``content_type`` and the clear ``body``."""

    __slots__ = ('status', 'content_type', 'body')

    def __init__(self, status, content_type, body):
        self.status = status
        self.content_type = content_type
        self.body = body

    def __iter__(self):
        return iter((self.status, self.content_type, self.body))

    def __repr__(self):
        return 'TransportResponse(status=%r, content_type=%r, body=<%d bytes>)' % (
            self.status, self.content_type, len(self.body or b''))


def _opt(options, name, default=None):
    if options is None:
        return default
    value = getattr(options, name, default)
    return default if value is None else value


def _reveal(value):
    if value is None:
        return None
    reveal = getattr(value, 'reveal', None)
    return reveal() if callable(reveal) else str(value)


class Transport:
    """HTTP(S) transport of one session; see the module documentation."""

    def __init__(self, settings):
        self._settings = settings
        self._lock = threading.RLock()
        self._session = None
        self._winrm = None
        self._encryption = None
        self._encryption_protocol = None
        self._auth_method = None
        self._proxy = None
        self._tls_policy = None
        self._authentications = 0
        self._challenged = False
        self._seen_connections = set()
        self._closed = False
        self._deferred = None
        self._ahead_pool = None  # (requests session, adapter, urllib3 pool) used by send_ahead
        endpoint = settings.endpoint
        self._url = endpoint.url
        self._scheme = str(endpoint.scheme).lower()
        auth = settings.auth
        self._mechanism = str(getattr(auth, 'mechanism', 'negotiate') or 'negotiate').lower()
        self._encrypt = bool(getattr(auth, 'encrypt_messages', False)) and self._scheme == 'http'

    # -- public surface ------------------------------------------------------------------------

    @property
    def authentications(self):
        """How many authentications completed, counted as the service counts them.

        NTLM/Negotiate, Kerberos, CredSSP: completed handshakes (1 for a session that stayed
        authenticated, +1 for each new connection that had to log on again). Basic and Digest:
        accepted requests that carried credentials. Client certificate: accepted TLS connections.
        """
        return self._authentications

    @property
    def endpoint(self):
        return self._url

    @property
    def mechanism(self):
        """The authentication mechanism in use (``AuthPlan.mechanism``)."""
        return self._mechanism

    @property
    def encrypts_messages(self):
        """True when the messages are sealed with MS-WSMV message encryption (HTTP only)."""
        return self._encrypt

    def _checked_request(self, method, body, charset, extra_headers):
        """The arguments every send method takes, checked; returns the normalised charset."""
        if not isinstance(body, (bytes, bytearray)):
            raise TypeError('Transport.%s() needs the envelope as bytes' % method)
        for name in extra_headers or {}:
            if name.lower() in ('authorization', 'content-type', 'content-length', 'host', 'proxy-authorization'):
                raise ValueError('extra_headers may not set %s' % name)
        return self._charset(charset)

    def send(self, body, charset='UTF-8', extra_headers=None, timeout_ms=None, idempotent=False):
        """POST ``body`` (bytes already encoded in ``charset``) and return a :class:`TransportResponse`.

        ``timeout_ms`` is the session's OperationTimeout; the HTTP read timeout is that plus the
        client ``network_delay_ms``. ``idempotent`` allows one resend after a dropped connection.
        Raises ``WSManTransportError`` / ``WSManAuthenticationError`` when the service could not be
        talked to, ``WSManInvalidArgumentError`` for unusable TLS files or settings.
        """
        charset = self._checked_request('send', body, charset, extra_headers)
        with self._lock:
            self._settle_deferred()
            return self._send(body, charset, extra_headers, timeout_ms, idempotent, False)

    def send_deferred(self, body, charset='UTF-8', extra_headers=None, timeout_ms=None, idempotent=False):
        """Send ``body`` and wait only for the reply's status line and headers; return a :class:`DeferredReply`.

        The reply body is read (and decrypted) by :meth:`DeferredReply.result`, typically on another
        thread than this one: an Enumerator sends the next Pull on a helper thread that then only
        waits for the service, while the caller's thread reads, decrypts, parses and converts - so
        the helper needs the interpreter lock only briefly and the service's work overlaps the
        caller's. Any other request on this transport first completes a deferred reply, so
        replies are always read (and unsealed) in the order the requests were sent.
        Errors are those of :meth:`send`, raised here or by ``result()``.
        """
        charset = self._checked_request('send_deferred', body, charset, extra_headers)
        with self._lock:
            self._settle_deferred()
            response, timeout = self._send(body, charset, extra_headers, timeout_ms, idempotent, True)
            handle = DeferredReply(self, response, timeout)
            self._deferred = handle
            return handle

    def send_ahead(self, body, charset='UTF-8', timeout_ms=None):
        """Write the request on the open connection now and return a :class:`DeferredReply`, or None.

        Nothing is awaited: the service works on the request while this thread does something
        else (an Enumerator converts the batch in hand), and ``result()`` later reads the reply
        from the same connection. Single-threaded, so no thread has to win the interpreter lock back.
        Only taken on an established, authenticated keep-alive connection without a proxy; returns
        None (nothing sent, nothing sealed) when that is not the case - the caller then uses
        :meth:`send` or :meth:`send_deferred`. The request must not be idempotent-retried (a Pull).
        """
        charset = self._checked_request('send_ahead', body, charset, None)
        with self._lock:
            session = self._session
            if (self._closed or session is None or self._deferred is not None or self._proxy is None
                    or self._proxy.proxies or self._auth_method not in _SEND_AHEAD_AUTH_METHODS
                    or (self._encrypt and self._encryption is None)):
                return None
            timeout = self._timeouts(timeout_ms)
            try:
                cached = self._ahead_pool
                if cached is None or cached[0] is not session:
                    adapter = session.get_adapter(self._url)
                    probe = requests.Request('POST', self._url).prepare()
                    cached = self._ahead_pool = (session, adapter, adapter.get_connection_with_tls_context(probe, True))
                dummy, adapter, pool = cached
                conn = pool._get_conn(timeout=0)  # pylint: disable=protected-access
            except Exception:  # pylint: disable=broad-except
                self._ahead_pool = None
                return None  # no idle connection at hand: the ordinary path decides what to do
            if getattr(conn, 'sock', None) is None:
                # A new (or dropped and reset) connection is not authenticated: ordinary path.
                pool._put_conn(conn)  # pylint: disable=protected-access
                return None
            prepared = None
            try:
                prepared = self._prepare(session, bytes(body), charset, None)
                conn.timeout = timeout[1]
                conn.request(prepared.method, prepared.path_url, body=prepared.body, headers=prepared.headers,
                             preload_content=False, decode_content=True, enforce_content_length=True)
            except WSManError:
                pool._put_conn(conn)  # pylint: disable=protected-access
                raise
            except Exception as exc:  # pylint: disable=broad-except
                conn.close()
                pool._put_conn(conn)  # pylint: disable=protected-access
                raise self._map_failure(requests.exceptions.ConnectionError(exc), timeout) from None
            handle = DeferredReply(self, None, timeout, (adapter, pool, conn, prepared))
            self._deferred = handle
            return handle

    def _read_ahead(self, adapter, pool, conn, prepared, timeout):
        """The requests Response of a request written by send_ahead (status and headers read)."""
        try:
            conn.timeout = timeout[1]
            raw = conn.getresponse()
        except Exception as exc:  # pylint: disable=broad-except
            conn.close()
            pool._put_conn(conn)  # pylint: disable=protected-access
            if isinstance(exc, (TimeoutError, socket.timeout)):
                raise requests.exceptions.ReadTimeout(exc) from exc
            raise requests.exceptions.ConnectionError(exc) from exc
        raw._connection = conn  # pylint: disable=protected-access
        raw._pool = pool  # pylint: disable=protected-access
        response = adapter.build_response(prepared, raw)
        self._on_exchange(prepared, response, id(conn.sock) if conn.sock is not None else None)
        return response

    def _send(self, body, charset, extra_headers, timeout_ms, idempotent, defer):
        if self._closed:
            raise WSManTransportError('The session to %s is closed.' % self._url, 0, self._url)
        timeout = self._timeouts(timeout_ms)
        attempts = 2 if idempotent else 1
        for attempt in range(attempts):
            try:
                session = self._ensure_session(timeout)
                result = self._exchange(session, bytes(body), charset, extra_headers, timeout, defer)
                return (result, timeout) if defer else result
            except WSManError:
                raise
            except Exception as exc:  # pylint: disable=broad-except
                error = self._map_failure(exc, timeout)
                if attempt + 1 < attempts and self._retryable(exc, error):
                    continue
                raise error from None
        raise AssertionError('unreachable')  # pragma: no cover

    def _settle_deferred(self):
        """Read the body of a deferred reply still on the wire (kept for its owner)."""
        handle, self._deferred = self._deferred, None
        if handle is not None:
            handle.complete()

    def close(self):
        """Close the HTTP connections (idempotent)."""
        with self._lock:
            handle, self._deferred = self._deferred, None
            if handle is not None:
                handle.abandon()
            self._closed = True
            session, self._session = self._session, None
            self._winrm = None
            self._encryption = None
            if session is not None:
                try:
                    session.close()
                except Exception:  # pylint: disable=broad-except
                    pass

    def __repr__(self):
        return '<Transport %s auth=%s encrypted=%s>' % (self._url, self._mechanism, self._encrypt)

    # -- building the session ------------------------------------------------------------------

    def _charset(self, charset):
        value = str(charset or ('UTF-16' if getattr(self._settings, 'utf16', False) else 'UTF-8')).upper()
        value = {'UTF8': 'UTF-8', 'UTF16': 'UTF-16', 'UTF-16LE': 'UTF-16', 'UTF-16BE': 'UTF-16'}.get(value, value)
        if value not in ('UTF-8', 'UTF-16'):
            raise WSManInvalidArgumentError(
                'charset %r cannot be sent' % charset, 'ERROR_WSMAN_UNSUPPORTED_ENCODING', rule='R28', argument='charset',
                fix='WS-Management services accept only UTF-8 and UTF-16.')
        return value

    def _timeouts(self, timeout_ms):
        config = getattr(self._settings, 'client_config', None)
        delay_ms = getattr(config, 'network_delay_ms', None)
        delay_ms = 5000 if delay_ms is None else int(delay_ms)
        operation_ms = DEFAULT_OPERATION_TIMEOUT_MS if timeout_ms is None else int(timeout_ms)
        read = max(0.001, (operation_ms + delay_ms) / 1000.0)
        return (min(read, MAX_CONNECT_TIMEOUT_S), read)

    def _tls(self):
        settings = self._settings
        options = settings.options
        flags = int(getattr(settings, 'flags', 0) or 0)
        cert = key = None
        if self._mechanism == 'certificate':
            cert = _opt(options, 'certificate_pem')
            key = _opt(options, 'certificate_key_pem')
        return TLSPolicy(
            host=settings.endpoint.host,
            skip_ca_check=flags & _SKIP_CA_CHECK,
            skip_cn_check=flags & _SKIP_CN_CHECK,
            skip_revocation_check=flags & _SKIP_REVOCATION_CHECK,
            ca_file=_opt(options, 'ca_file'),
            crl_file=_opt(options, 'crl_file'),
            client_cert=cert,
            client_key=key,
        )

    def _check_cleartext(self):
        # Never Basic over HTTP unless the session said NoEncryption (R23; h1's rules enforce it
        # first, this is the last line of defence).
        auth = self._settings.auth
        if self._scheme == 'http' and self._mechanism == 'basic' and getattr(auth, 'encrypt_messages', True):
            raise WSManInvalidArgumentError(
                'Basic authentication over HTTP sends the password in clear text and cannot encrypt messages',
                'ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED', rule='R23', argument='flags',
                fix='Use HTTPS, or set WSManFlagNoEncryption with AllowUnencrypted on client and service.')

    def _credentials(self):
        options = self._settings.options
        username = _opt(options, 'username')
        password = _reveal(_opt(options, 'password_secret'))
        return username, password

    def _ensure_session(self, timeout):
        if self._session is not None:
            return self._session
        if not HAS_REQUESTS:
            raise WSManError('The Python package requests is needed to talk to %s: pip install requests (%s)'
                             % (self._url, REQUESTS_IMPORT_ERROR))
        self._check_cleartext()
        self._tls_policy = self._tls()
        try:
            ssl_context = build_ssl_context(self._tls_policy) if self._scheme == 'https' else None
        except TLSConfigError as exc:
            raise WSManInvalidArgumentError(exc.message, 0, argument=exc.argument) from None
        if ssl_context is None:
            # http:// endpoint: a TLS context is only needed if a connection ever turns out to be
            # TLS (an https proxy); loading the CA store costs ~40 ms, so build it on first use.
            host = self._settings.endpoint.host
            ssl_context = functools.partial(build_ssl_context, TLSPolicy(host))
        self._proxy = plan_proxy(self._settings, self._url)

        session = self._build_requests_session()
        session.trust_env = False  # no .netrc credentials, no REQUESTS_CA_BUNDLE; proxies decided by _proxy
        session.proxies = dict(self._proxy.proxies)
        session.headers['User-Agent'] = USER_AGENT
        session.headers.pop('Content-Type', None)
        adapter = WSManAdapter(
            ssl_context=ssl_context,
            verify_chain=self._tls_policy.verify_chain,
            check_name_manually=self._tls_policy.manual_name_check,
            host=self._settings.endpoint.host,
            proxy_headers=self._proxy.headers,
            proxy_tunnel_hook=self._proxy.tunnel_hook,
            on_exchange=self._on_exchange,
        )
        session.mount('https://', adapter)
        session.mount('http://', adapter)
        self._session = session
        if self._encrypt:
            try:
                self._setup_encryption(session, timeout)
            except BaseException:
                self._session = None
                self._encryption = None
                session.close()
                raise
        return session

    def _build_requests_session(self):
        mechanism = self._mechanism
        username, password = self._credentials()
        if mechanism == 'none':
            session = requests.Session()
            session.auth = None
            return session
        if mechanism == 'digest':
            # pywinrm has no Digest (Intel AMT uses it): requests' own HTTPDigestAuth.
            session = requests.Session()
            session.auth = requests.auth.HTTPDigestAuth(username or '', password or '')
            return session
        if not HAS_PYWINRM:
            raise WSManError('The Python package pywinrm is needed for %s authentication to %s: pip install pywinrm (%s)'
                             % (mechanism, self._url, PYWINRM_IMPORT_ERROR))
        auth_method = self._auth_method = self._pywinrm_auth_method()
        endpoint = self._settings.endpoint
        flags = int(getattr(self._settings, 'flags', 0) or 0)
        options = self._settings.options
        hostname_override = None
        if flags & _ENABLE_SPN_SERVER_PORT and auth_method == 'kerberos':
            hostname_override = '%s:%d' % (endpoint.host, endpoint.port)
        kwargs = {
            'endpoint': self._url,
            'username': username,
            'password': password,
            'service': 'HTTP',
            'auth_method': auth_method,
            'message_encryption': 'never',  # set up below, after our adapter is mounted
            'send_cbt': True,
            'server_cert_validation': 'validate',
            'ca_trust_path': None,
            'proxy': None,
            'kerberos_hostname_override': hostname_override,
        }
        if auth_method == 'certificate':
            kwargs['cert_pem'] = _opt(options, 'certificate_pem')
            kwargs['cert_key_pem'] = _opt(options, 'certificate_key_pem')
            kwargs['username'] = kwargs['password'] = None
        try:
            self._winrm = winrm_transport.Transport(**kwargs)
            session = self._winrm.build_session()
        except InvalidCredentialsError as exc:
            raise WSManInvalidArgumentError('%s authentication to %s cannot start: %s' % (mechanism, self._url, exc),
                                            0, argument='connection_options') from None
        except WinRMError as exc:
            raise WSManError('%s authentication to %s cannot start: %s' % (mechanism, self._url, exc)) from None
        # pywinrm put the client certificate into requests' ``cert``; our SSLContext carries it.
        session.cert = None
        session.verify = True
        return session

    def _pywinrm_auth_method(self):
        mechanism = self._mechanism
        implicit = bool(getattr(self._settings.auth, 'implicit_credentials', False))
        if mechanism == 'negotiate':
            username, _password = self._credentials()
            if implicit or not username:
                return self._require('kerberos', 'Negotiate with implicit credentials (no user name) uses the Kerberos '
                                                 'ticket cache on Linux')
            return self._require('ntlm', 'Negotiate')
        if mechanism == 'kerberos':
            return self._require('kerberos', 'Kerberos')
        if mechanism == 'credssp':
            return self._require('credssp', 'CredSSP')
        if mechanism == 'basic':
            return 'basic'
        if mechanism == 'certificate':
            return 'certificate'
        raise WSManInvalidArgumentError('authentication mechanism %r is not known' % mechanism,
                                        'ERROR_WSMAN_AUTHENTICATION_INVALID_FLAG', argument='flags')

    def _require(self, auth_method, what):
        available = {
            'kerberos': getattr(winrm_transport, 'HAVE_KERBEROS', False),
            'ntlm': getattr(winrm_transport, 'HAVE_NTLM', False),
            'credssp': getattr(winrm_transport, 'HAVE_CREDSSP', False),
        }[auth_method]
        if not available:
            raise WSManError('%s to %s needs an optional Python package that is not installed: %s.'
                             % (what, self._url, _INSTALL_HINTS[auth_method]))
        return auth_method

    def _setup_encryption(self, session, timeout):
        """Authenticate with an empty POST and keep pywinrm's Encryption object (MS-WSMV 2.2.9.1)."""
        winrm = self._winrm
        if winrm is None:
            raise WSManError('%s does not support message encryption; use HTTPS or WSManFlagNoEncryption'
                             % self._mechanism)
        auth = session.auth
        capable = {
            'ntlm': hasattr(auth, 'session_security'),
            'kerberos': bool(getattr(auth, 'winrm_encryption_available', False)),
            'credssp': True,
        }.get(winrm.auth_method, False)
        if not capable:
            raise WSManError('%s to %s over HTTP needs message encryption, which the installed %s library cannot do; '
                             'use HTTPS, or install a current version (%s).'
                             % (self._mechanism, self._url, winrm.auth_method, _INSTALL_HINTS.get(winrm.auth_method, '')))
        winrm.read_timeout_sec = timeout
        winrm.message_encryption = 'always'
        try:
            winrm.setup_encryption(session)
        except InvalidCredentialsError:
            raise map_status(401, self._url, self._mechanism) from None
        except WinRMTransportError as exc:
            raise map_status(int(exc.code), self._url, self._mechanism) from None
        self._encryption = winrm.encryption
        self._encryption_protocol = winrm.auth_method

    # -- one exchange --------------------------------------------------------------------------

    def _on_exchange(self, request, response, connection_id=None):
        """Count completed authentications from every HTTP exchange the adapter saw.

        NTLM/Negotiate, Kerberos, CredSSP: one per completed challenge-response handshake (a
        session that stays authenticated counts 1). Basic and Digest: one per accepted request
        that carried credentials (the service checks them every time). Client certificate: one
        per new TLS connection that was accepted.
        """
        status = response.status_code
        if status == 401:
            self._challenged = True
            return
        if status == 407:
            return
        authenticated = 'Authorization' in request.headers
        if not authenticated or (status >= 400 and status not in (400, 500)):
            return
        mechanism = self._mechanism
        if mechanism in ('basic', 'digest'):
            self._authentications += 1
        elif mechanism == 'certificate':
            if connection_id is None or connection_id not in self._seen_connections:
                self._authentications += 1
                if connection_id is not None:
                    self._seen_connections.add(connection_id)
        elif self._challenged or (self._auth_method == 'kerberos' and not self._authentications):
            self._authentications += 1
        self._challenged = False

    def _prepare(self, session, body, charset, extra_headers):
        if self._encryption is not None:
            try:
                prepared = prepare_encrypted(self._encryption, session, self._url, body, charset, self._encryption_protocol)
            except EncryptionFramingError as exc:
                raise WSManError('message encryption failed for %s: %s' % (self._url, exc)) from None
        else:
            request = requests.Request('POST', self._url, data=body)
            prepared = session.prepare_request(request)
            prepared.headers['Content-Type'] = 'application/soap+xml;charset=%s' % charset
        for name, value in (extra_headers or {}).items():
            prepared.headers[name] = value
        return prepared

    def _exchange(self, session, body, charset, extra_headers, timeout, defer=False):
        if self._tls_policy is not None and self._tls_policy.skip_ca_check and self._scheme == 'https':
            # The user chose SkipCACheck; urllib3's InsecureRequestWarning would only add noise.
            with warnings.catch_warnings():
                warnings.filterwarnings('ignore', message='Unverified HTTPS request')
                return self._exchange_once(session, body, charset, extra_headers, timeout, defer)
        return self._exchange_once(session, body, charset, extra_headers, timeout, defer)

    def _exchange_once(self, session, body, charset, extra_headers, timeout, defer=False):
        handshakes_before = self._authentications
        prepared = self._prepare(session, body, charset, extra_headers)
        # stream=True: the body is read below in one piece (_read_body), not in requests' 10 KiB chunks.
        response = session.send(prepared, timeout=timeout, allow_redirects=False, stream=True)
        if (self._encryption is not None and handshakes_before and self._authentications > handshakes_before
                and response.status_code != 200):
            # The request went out on a new connection that had to authenticate again (the old one
            # was closed: idle timeout, service restart), so the body was sealed with the previous
            # NTLM context and the service could not open it - it did not act on it. Authenticate
            # with an empty message first, as pywinrm does at the start, then seal again and send.
            response.close()
            self._setup_encryption(session, timeout)
            prepared = self._prepare(session, body, charset, extra_headers)
            response = session.send(prepared, timeout=timeout, allow_redirects=False, stream=True)
        return response if defer else self._reply(response)

    def _reply(self, response):
        status = response.status_code
        raw_type = response.headers.get('Content-Type', '')
        if status not in WSMAN_REPLY_STATUSES:
            reason = response.reason or ''
            response.close()
            raise map_status(status, self._url, self._mechanism, reason, self._proxy.display if self._proxy else None)
        raw = _read_body(response)
        if self._encryption is not None and is_encrypted_reply(raw_type):
            try:
                body = None
                if self._encryption_protocol == 'ntlm':
                    body = unwrap_ntlm_reply(self._session.auth.session_security, raw)
                if body is None:
                    # Kerberos / CredSSP (or a framing the fast path does not take): pywinrm's parser.
                    response._content = raw  # pylint: disable=protected-access
                    body = self._encryption.parse_encrypted_response(response)
            except Exception as exc:  # pylint: disable=broad-except
                raise WSManProtocolError('The encrypted reply from %s could not be decrypted (%s). The security context '
                                         'may be out of step; close the session and try again.'
                                         % (self._url, exc.__class__.__name__), 0, self._url, status) from None
            return TransportResponse(status, original_content_type(raw), body)
        if self._encryption is not None and status == 200:
            raise WSManProtocolError('The service at %s answered an encrypted request in clear text (HTTP 200, %s).'
                                     % (self._url, raw_type or 'no Content-Type'), 0, self._url, status)
        return TransportResponse(status, raw_type, raw)

    # -- failures ------------------------------------------------------------------------------

    def _map_failure(self, exc, timeout):
        proxy = self._proxy.display if self._proxy else None
        mutual = _mutual_auth_error(exc)
        if mutual is not None:
            return WSManAuthenticationError(
                'The identity of the server %s could not be verified (Kerberos mutual authentication failed: %s).'
                % (self._url, mutual.__class__.__name__), CODE_MUTUAL_AUTH_FAILED, self._url)
        refused = find_cause(exc, PermissionError)
        if refused is not None and 'NTLM' in str(refused):
            return WSManAuthenticationError(
                'The server at %s did not answer the Negotiate/NTLM handshake (%s). Check that Negotiate is enabled '
                'on the service (winrm/config/service/auth).' % (self._url, refused), CODE_ACCESS_DENIED, self._url)
        spnego_failure = _auth_library_error(exc)
        if spnego_failure is not None:
            return WSManAuthenticationError(
                '%s authentication to %s failed in the client (%s). For Kerberos, check that a ticket exists '
                '(klist; kinit user@REALM) and that the host name is the one the SPN is registered for.'
                % (self._mechanism, self._url, spnego_failure), CODE_ACCESS_DENIED, self._url)
        return map_exception(exc, self._url, proxy, self._tls_policy, timeout[1] if timeout else None)

    def _retryable(self, exc, error):
        if isinstance(error, WSManAuthenticationError) or getattr(error, 'http_status', None):
            return False
        # Only a dropped/reset connection, never refused/DNS/TLS/timeouts.
        from ansible_collections.wsman.automation.plugins.module_utils._http_errors import (
            CODE_SERVICE_UNAVAILABLE,
        )
        if error.code != CODE_SERVICE_UNAVAILABLE or find_cause(exc, ConnectionRefusedError) is not None:
            return False
        if self._encryption is not None or self._session is None:
            # A fresh connection needs a fresh context: rebuild the whole session.
            self._reset_session()
        return True

    def _reset_session(self):
        session, self._session = self._session, None
        self._encryption = None
        self._winrm = None
        if session is not None:
            try:
                session.close()
            except Exception:  # pylint: disable=broad-except
                pass


class DeferredReply:
    """The reply of :meth:`Transport.send_deferred`: headers arrived, the body is read by :meth:`result`."""

    __slots__ = ('_transport', '_response', '_timeout', '_ahead', '_result', '_error', '_done')

    def __init__(self, transport, response, timeout, ahead=None):
        self._transport = transport
        self._response = response
        self._timeout = timeout
        self._ahead = ahead  # (adapter, pool, connection, prepared) of a send_ahead request
        self._result = None
        self._error = None
        self._done = False

    def complete(self):
        """Read and open the body now (under the transport lock); keeps the outcome for result()."""
        if self._done:
            return
        self._done = True
        transport, response, self._response = self._transport, self._response, None
        ahead, self._ahead = self._ahead, None
        try:
            if ahead is not None:
                response = transport._read_ahead(*ahead, timeout=self._timeout)  # pylint: disable=protected-access
            self._result = transport._reply(response)  # pylint: disable=protected-access
        except WSManError as exc:
            self._error = exc
        except Exception as exc:  # pylint: disable=broad-except
            self._error = transport._map_failure(exc, self._timeout)  # pylint: disable=protected-access

    def abandon(self):
        """The transport is closing: drop the unread reply."""
        if not self._done:
            self._done = True
            response, self._response = self._response, None
            ahead, self._ahead = self._ahead, None
            if ahead is not None:
                ahead[2].close()
                ahead[1]._put_conn(ahead[2])  # pylint: disable=protected-access
            self._error = WSManTransportError('The session to %s was closed before the reply was read.'
                                              % self._transport.endpoint, 0, self._transport.endpoint)
            try:
                if response is not None:
                    response.close()
            except Exception:  # pylint: disable=broad-except
                pass

    def result(self):
        """The :class:`TransportResponse`, or the error of reading it raised here."""
        transport = self._transport
        with transport._lock:  # pylint: disable=protected-access
            if transport._deferred is self:  # pylint: disable=protected-access
                transport._deferred = None  # pylint: disable=protected-access
            self.complete()
        if self._error is not None:
            raise self._error
        return self._result


def _read_body(response):
    """The whole body of a ``stream=True`` response in one read (Content-Length bytes at once).

    requests would read it in 10 KiB pieces, each a separate trip through urllib3 and the socket;
    for the large batches of an enumeration one read is measurably cheaper. Errors are turned into
    the requests exceptions ``Response.content`` raises, so the error mapping stays the same.
    """
    content = getattr(response, '_content', False)
    if content is not False:
        return content or b''
    raw = response.raw
    if raw is None:
        return b''
    try:
        data = raw.read(decode_content=True)
    except urllib3_exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except urllib3_exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except urllib3_exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from exc
    except urllib3_exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc
    finally:
        response._content_consumed = True  # pylint: disable=protected-access
    response._content = data  # pylint: disable=protected-access
    return data or b''


def _mutual_auth_error(exc):
    from ansible_collections.wsman.automation.plugins.module_utils._http_errors import iter_causes
    for item in iter_causes(exc):
        if type(item).__name__ == 'MutualAuthenticationError':
            return item
    return None


def _auth_library_error(exc):
    from ansible_collections.wsman.automation.plugins.module_utils._http_errors import iter_causes
    for item in iter_causes(exc):
        module = type(item).__module__ or ''
        if module.startswith('spnego') or type(item).__name__ in ('KerberosExchangeError', 'GSSError', 'SpnegoError'):
            return '%s: %s' % (type(item).__name__, str(item)[:200])
    return None
