# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what requests/urllib3/ssl raise, and HTTP statuses that are not a WS-Management reply, into
the library's errors with the client-side codes of createsession-facts.md §9.

The mapping (documented in docs/ as well):

===============================================  =============================================
what happened                                    error (code)
===============================================  =============================================
connection refused, proxy unreachable, HTTP 503  WSManTransportError HTTP_SERVICE_UNAVAILABLE
                                                 _STATUS 2150859026 (§9: "connection refused")
connection dropped / reset mid-request           WSManTransportError 2150859026 [INF: §9 has
                                                 no code of its own for it]
name does not resolve                            WSManTransportError NAME_NOT_RESOLVED 2150859193
TLS handshake or certificate check failed        WSManTransportError SSL_CONNECTION_ABORTED
                                                 2150859194 (verify failures named, with hints)
connect or read timeout                          WSManTransportError NETWORK_TIMEDOUT 2150859046
HTTP 401 / 403, proxy 407                        WSManAuthenticationError E_ACCESSDENIED
                                                 2147942405
HTTP 404                                         WSManProtocolError HTTP_NOT_FOUND_STATUS
                                                 2150859027 (the host answered: task FAILED)
HTTP 413                                         WSManProtocolError HTTP_REQUEST_TOO_LARGE
                                                 _STATUS 2150859025 (the host answered)
any other status but 200/400/500                 WSManTransportError (code 0, ``http_status``)
===============================================  =============================================

Messages name the endpoint and what to do; they never hold a password (URLs never carry
credentials in this library, and exception texts of the libraries below are reduced to their
reason).
"""

from __future__ import annotations

import socket
import ssl

from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    ERROR_CODES,
    WSManAuthenticationError,
    WSManProtocolError,
    WSManTransportError,
)

CODE_SERVICE_UNAVAILABLE = ERROR_CODES['ERROR_WSMAN_HTTP_SERVICE_UNAVAILABLE_STATUS']
CODE_NAME_NOT_RESOLVED = ERROR_CODES['ERROR_WSMAN_NAME_NOT_RESOLVED']
CODE_SSL_ABORTED = ERROR_CODES['ERROR_WSMAN_SSL_CONNECTION_ABORTED']
CODE_TIMEDOUT = ERROR_CODES['ERROR_WSMAN_NETWORK_TIMEDOUT']
CODE_NOT_FOUND = ERROR_CODES['ERROR_WSMAN_HTTP_NOT_FOUND_STATUS']
CODE_TOO_LARGE = ERROR_CODES['ERROR_WSMAN_HTTP_REQUEST_TOO_LARGE_STATUS']
CODE_ACCESS_DENIED = ERROR_CODES['E_ACCESSDENIED']
CODE_MUTUAL_AUTH_FAILED = ERROR_CODES['ERROR_WSMAN_MUTUAL_AUTH_FAILED']


def iter_causes(exc, _depth=0):
    """``exc`` and every exception it wraps (``reason``, ``args``, ``__cause__``, ``__context__``)."""
    seen = set()
    stack = [exc]
    while stack:
        item = stack.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen or len(seen) > 50:
            continue
        seen.add(id(item))
        yield item
        stack.append(getattr(item, 'reason', None))
        stack.extend(a for a in getattr(item, 'args', ()) if isinstance(a, BaseException))
        stack.append(item.__cause__)
        stack.append(item.__context__)


def find_cause(exc, types):
    for item in iter_causes(exc):
        if isinstance(item, types):
            return item
    return None


def _where(endpoint, proxy=None):
    text = endpoint
    if proxy:
        text += ' through the proxy %s' % proxy
    return text


def _tls_hint(verify_error, tls_policy):
    code = getattr(verify_error, 'verify_code', None)
    message = getattr(verify_error, 'verify_message', None) or getattr(verify_error, 'reason', None) or str(verify_error)
    text = 'the server certificate failed verification: %s' % message
    if code in (18, 19, 20, 21, 2):
        # self-signed / unable to get (local) issuer: the chain does not lead to a trusted CA
        text += ('. Give the CA certificate that issued it in ca_file (PEM), or set SkipCACheck '
                 'if the host is trusted by other means')
    elif code in (62, 63, 64) or 'mismatch' in str(message).lower() or "doesn't match" in str(message):
        text += ('. Connect with the name the certificate was issued for, or set SkipCNCheck '
                 '(the chain is still verified)')
    elif code == 23:
        text += '. The certificate is revoked in crl_file; replace it on the server'
    elif code in (3, 12):
        text += ('. crl_file has no valid CRL for the issuer of the certificate; add the current CRL '
                 'or set SkipRevocationCheck')
    elif code == 10:
        text += '. The certificate has expired; renew it on the server'
    if tls_policy is not None:
        text += ' [%s]' % tls_policy.describe()
    return text


def map_exception(exc, endpoint, proxy=None, tls_policy=None, timeout=None):
    """A WSManTransportError for an exception raised while talking to ``endpoint``."""
    # pylint: disable=too-many-return-statements
    from ansible_collections.wsman.automation.plugins.module_utils._transport_adapter import CertificateNameMismatch
    where = _where(endpoint, proxy)

    mismatch = find_cause(exc, CertificateNameMismatch)
    if mismatch is not None:
        return WSManTransportError(
            'TLS failed for %s: %s. Connect with a name the certificate holds, or set SkipCNCheck '
            '(SkipCACheck is set, so only the name was being checked).' % (where, mismatch), CODE_SSL_ABORTED, endpoint)

    verify_error = find_cause(exc, ssl.SSLCertVerificationError)
    if verify_error is not None:
        return WSManTransportError('TLS failed for %s: %s.' % (where, _tls_hint(verify_error, tls_policy)),
                                   CODE_SSL_ABORTED, endpoint)

    gai = find_cause(exc, socket.gaierror)
    name_error = gai or _find_by_name(exc, 'NameResolutionError')
    if name_error is not None:
        host = endpoint
        return WSManTransportError(
            'The host name of %s could not be resolved (DNS)%s. Check the spelling of the connection string, '
            'DNS and /etc/hosts.' % (host, ' for the proxy %s' % proxy if proxy and _mentions(exc, proxy) else ''),
            CODE_NAME_NOT_RESOLVED, endpoint)

    if _is_timeout(exc):
        limit = ' after %.1f s' % timeout if timeout else ''
        return WSManTransportError(
            'The connection to %s timed out%s: the host is unreachable, a firewall drops the traffic, or the service '
            'did not answer within the session timeout plus the client NetworkDelayms. Check that the WinRM listener '
            'is up, or raise the session timeout.' % (where, limit), CODE_TIMEDOUT, endpoint)

    tunnel = _tunnel_status(exc)
    if tunnel == 407:
        return WSManAuthenticationError(
            'The proxy %s refused the proxy credentials (HTTP 407) for %s. Check the proxy user name, password and '
            'proxy authentication mechanism.' % (proxy, endpoint), CODE_ACCESS_DENIED, endpoint, 407)
    if tunnel is not None:
        return WSManTransportError('The proxy %s refused to open a tunnel to %s (HTTP %d).' % (proxy, endpoint, tunnel),
                                   CODE_SERVICE_UNAVAILABLE, endpoint, tunnel)

    ssl_error = find_cause(exc, ssl.SSLError) or _find_by_name(exc, 'SSLError')
    if ssl_error is not None:
        reason = getattr(ssl_error, 'reason', None) or str(ssl_error)
        return WSManTransportError(
            'The TLS handshake with %s failed (%s). Check that the listener speaks HTTPS on that port (TLS 1.2 or '
            'later), and that the client certificate, if any, is accepted.' % (where, reason), CODE_SSL_ABORTED, endpoint)

    if find_cause(exc, ConnectionRefusedError) is not None:
        if proxy and _find_by_name(exc, 'ProxyError') is not None:
            return WSManTransportError('The proxy %s refused the connection (used for %s). Check the proxy address.'
                                       % (proxy, endpoint), CODE_SERVICE_UNAVAILABLE, endpoint)
        return WSManTransportError(
            'The connection to %s was refused: no WinRM listener on that address and port. Check the port, the '
            'scheme (HTTP 5985 / HTTPS 5986) and that the service runs ("winrm quickconfig").' % where,
            CODE_SERVICE_UNAVAILABLE, endpoint)

    if proxy and _find_by_name(exc, 'ProxyError') is not None:
        return WSManTransportError('The proxy %s could not be used for %s (%s).' % (proxy, endpoint, _reason(exc)),
                                   CODE_SERVICE_UNAVAILABLE, endpoint)

    return WSManTransportError(
        'The connection to %s was closed or reset before a complete reply arrived (%s). The service may have '
        'restarted or a network device dropped the connection; try again.' % (where, _reason(exc)),
        CODE_SERVICE_UNAVAILABLE, endpoint)


def _mentions(exc, text):
    return any(text in str(item) for item in iter_causes(exc))


def _find_by_name(exc, name):
    for item in iter_causes(exc):
        if any(cls.__name__ == name for cls in type(item).__mro__):
            return item
    return None


def _is_timeout(exc):
    for item in iter_causes(exc):
        names = {cls.__name__ for cls in type(item).__mro__}
        if 'NewConnectionError' in names:
            continue  # urllib3 derives it from ConnectTimeoutError, but it is a refused/failed connect
        if names & {'ConnectTimeout', 'ReadTimeout', 'ReadTimeoutError', 'ConnectTimeoutError', 'TimeoutError',
                    'timeout'}:
            return True
    return False


def _tunnel_status(exc):
    for item in iter_causes(exc):
        text = str(item)
        marker = 'Tunnel connection failed: '
        if marker in text:
            try:
                return int(text.split(marker, 1)[1].split()[0])
            except (ValueError, IndexError):
                return 0
    return None


def _reason(exc):
    """The innermost readable reason of ``exc`` (class name and text, no URL query parts)."""
    inner = None
    for item in iter_causes(exc):
        inner = item
        if isinstance(item, (OSError,)) and not _find_by_name(item, 'RequestException'):
            break
    inner = inner or exc
    text = str(inner) or inner.__class__.__name__
    return '%s: %s' % (inner.__class__.__name__, text[:300])


def map_status(status, endpoint, mechanism, reason='', proxy=None):
    """The error for an HTTP status that is not a WS-Management reply (not 200/400/500)."""
    where = _where(endpoint, proxy)
    if status == 401:
        if mechanism == 'none':
            text = ('The service at %s requires authentication (HTTP 401) and the session uses UseNoAuthentication; '
                    'only Identify may be answered anonymously. Choose an authentication flag and credentials.' % where)
        elif mechanism == 'digest':
            text = ('The credentials were rejected by the server at %s (HTTP 401, Digest). Windows WinRM does not '
                    'accept Digest (R9); check the user name and password, or use Negotiate or Basic.' % where)
        elif mechanism in ('negotiate', 'kerberos'):
            text = ('The credentials were rejected by the server at %s (HTTP 401, %s). Check the user name '
                    '(DOMAIN\\user or HOST\\user, R11), the password, and that the account may use WinRM '
                    '(Administrators or Remote Management Users).' % (where, mechanism))
        elif mechanism == 'certificate':
            text = ('The client certificate was rejected by the server at %s (HTTP 401). The service needs '
                    'Certificate auth enabled and a CertMapping of this certificate to a local account (R12).' % where)
        elif mechanism == 'basic' and str(endpoint).lower().startswith('http://'):
            # Windows refuses Basic over HTTP with 401 unless winrm/config/service AllowUnencrypted is true (R23),
            # whatever the credentials: the most likely cause when the client side has NoEncryption set.
            text = ('The credentials were rejected by the server at %s (HTTP 401, basic over HTTP). Most likely the '
                    'service does not allow unencrypted traffic: Basic over HTTP needs winrm/config/service AllowUnencrypted=true '
                    '(default false, R23) and winrm/config/service/auth Basic=true (default false, R10) on the service. '
                    'Better use HTTPS (https:// or UseSsl). Otherwise check the user name and password: Basic accepts '
                    'only a local administrator account of the target (R10).' % where)
        else:
            text = ('The credentials were rejected by the server at %s (HTTP 401, %s). Check the user name and '
                    'password%s.' % (where, mechanism, ' and that Basic is enabled on the service '
                                     '(winrm/config/service/auth Basic=true, R10)' if mechanism == 'basic' else ''))
        return WSManAuthenticationError(text, CODE_ACCESS_DENIED, endpoint, status)
    if status == 403:
        return WSManAuthenticationError(
            'Access to %s is denied (HTTP 403): the account was authenticated but may not use the service.' % where,
            CODE_ACCESS_DENIED, endpoint, status)
    if status == 407:
        return WSManAuthenticationError(
            'The proxy %s refused the proxy credentials (HTTP 407) for %s.' % (proxy, endpoint),
            CODE_ACCESS_DENIED, endpoint, status)
    if status == 404:
        return WSManProtocolError(
            'Nothing answers WS-Management at %s (HTTP 404): the URL prefix is wrong (Windows uses /wsman) or the '
            'service is not a WS-Management service.' % where, CODE_NOT_FOUND, endpoint, status)
    if status == 413:
        return WSManProtocolError(
            'The request to %s is larger than the service accepts (HTTP 413, MaxEnvelopeSizekb). Send less data per '
            'request or raise MaxEnvelopeSizekb on the service.' % where, CODE_TOO_LARGE, endpoint, status)
    if status == 503:
        return WSManTransportError(
            'The service at %s is unavailable (HTTP 503); it may be starting, stopping or overloaded. Try again.'
            % where, CODE_SERVICE_UNAVAILABLE, endpoint, status)
    return WSManTransportError(
        'The service at %s answered HTTP %d%s, which is not a WS-Management reply.'
        % (where, status, ' %s' % reason if reason else ''), 0, endpoint, status)
