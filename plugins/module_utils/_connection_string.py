# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``connection`` argument of ``CreateSession``: ``<Transport><Address><Suffix>`` -> :class:`Endpoint`.

Grammar (facts §1.1)::

    connection := [ transport "://" ] host [ ":" port ] [ "/" prefix ]
    transport  := "http" | "https"                      (case-insensitive)
    host       := DNS name | NetBIOS name | IPv4 literal | "[" IPv6 literal "]"
    port       := 1..65535
    prefix     := URL path of a-z A-Z 0-9 _ / , not starting or ending with "/"; default "wsman"

Default port (facts §1.3, the winrm.vbs rule): ``http://`` written and no port -> 80,
``https://`` written and no port -> 443, no transport -> 5985, or 5986 with ``UseSsl``.
``UseSsl`` with an explicit ``http://`` -> ``ERROR_WSMAN_INVALID_USESSL_PARAM`` (R25).

No connection string (None or empty) is a *local session* (facts §1.3, R21/R22): the endpoint is
``http://localhost:5985/wsman`` with ``is_local=True``. ``localhost`` written explicitly is a remote
session to the loopback address (``is_local=False``, ``is_loopback=True``).

Parsing never touches the network (no DNS). Any text gives an :class:`Endpoint` or a
:class:`~._errors.WSManInvalidArgumentError`: ``ERROR_WSMAN_CONNECTIONSTR_INVALID``,
``ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED``, ``ERROR_WSMAN_PORT_INVALID`` or
``ERROR_WSMAN_INVALID_USESSL_PARAM``. Messages never repeat user information (``user:pw@``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re

from ._errors import WSManInvalidArgumentError

DEFAULT_PREFIX = 'wsman'
DEFAULT_HTTP_PORT = 5985
DEFAULT_HTTPS_PORT = 5986
EXPLICIT_HTTP_PORT = 80
EXPLICIT_HTTPS_PORT = 443
LOCAL_HOST = 'localhost'

_SCHEME = re.compile(r'^([A-Za-z][A-Za-z0-9+.\-]*)://')
_PREFIX_CHARS = re.compile(r'^[A-Za-z0-9_/]+$')
_LABEL = re.compile(r'^[A-Za-z0-9_](?:[A-Za-z0-9_\-]{0,61}[A-Za-z0-9_])?$')
_DIGITS = re.compile(r'^[0-9]+$')
_FORM = '[http://|https://]host[:port][/prefix], for example https://server1.example.com:5986/wsman or http://[2001:db8::1]:5985'
_MAX_SHOWN = 120


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where a session sends its requests.

    ``host`` has no brackets (IPv6 is bracketed only in ``url``), ``path`` has no leading ``/``.
    ``explicit_scheme`` says whether the connection string named the transport, ``host_kind`` is
    ``'name'``, ``'ipv4'`` or ``'ipv6'``, ``is_local`` marks a session without connection string and
    ``is_loopback`` a destination of ``localhost``, ``127.0.0.0/8`` or ``::1``.
    """

    scheme: str
    host: str
    port: int
    path: str
    url: str
    explicit_scheme: bool
    host_kind: str
    is_local: bool
    is_loopback: bool

    @property
    def is_https(self):
        """True for the ``https`` transport."""
        return self.scheme == 'https'

    @property
    def is_ip_address(self):
        """True when the host is an IPv4 or IPv6 literal (matters for Kerberos, R4/R7)."""
        return self.host_kind in ('ipv4', 'ipv6')

    @property
    def netloc(self):
        """``host:port`` with IPv6 in brackets."""
        return '%s:%d' % (_url_host(self.host, self.host_kind), self.port)


def _url_host(host, kind):
    return '[%s]' % host if kind == 'ipv6' else host


def _shown(connection):
    if '@' in connection:
        return 'the connection string'
    text = connection if len(connection) <= _MAX_SHOWN else connection[:_MAX_SHOWN] + '...'
    return 'connection %r' % text


def _error(connection, problem, name, fix, rule='§1.1'):
    return WSManInvalidArgumentError('%s: %s' % (_shown(connection), problem), name, rule=rule, argument='connection', fix=fix)


def _is_loopback_name(host):
    return host.lower().rstrip('.') == LOCAL_HOST


def _classify_host(connection, host):
    """Return (host, kind, loopback) for an unbracketed host, or raise."""
    if not host:
        raise _error(connection, 'the host name is missing', 'ERROR_WSMAN_CONNECTIONSTR_INVALID', 'Write it as %s.' % _FORM)
    if ':' in host:
        raise _error(connection, 'an IPv6 address must be written in square brackets', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Write it as http://[%s]:5985 (brackets around the address).' % host if len(host) <= _MAX_SHOWN else
                     'Put the IPv6 address in square brackets, e.g. http://[2001:db8::1]:5985.')
    if re.match(r'^[0-9.]+$', host) and '.' in host:
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            raise _error(connection, 'the host looks like an IPv4 address but is not a valid one',
                         'ERROR_WSMAN_CONNECTIONSTR_INVALID', 'Write four numbers 0-255 separated by dots, e.g. 192.0.2.10.') from None
        return str(address), 'ipv4', address.is_loopback
    name = host[:-1] if host.endswith('.') else host
    labels = name.split('.')
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _error(connection, 'the host is not a valid DNS or NetBIOS name', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'A host name has dot-separated labels of 1-63 letters, digits, "-" or "_" (at most 253 characters); '
                     'write it as %s.' % _FORM)
    return host, 'name', _is_loopback_name(host)


def _parse_ipv6(connection, text):
    if '%' in text:
        raise _error(connection, 'IPv6 zone IDs ("%%") are not supported', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Use a global or unique-local IPv6 address, or a host name.')
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        raise _error(connection, 'the text in square brackets is not a valid IPv6 address', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Write an IPv6 address such as [2001:db8::1].') from None
    mapped = address.ipv4_mapped
    loopback = address.is_loopback or bool(mapped and mapped.is_loopback)
    return address.compressed, 'ipv6', loopback


def _parse_port(connection, text):
    if not _DIGITS.match(text or ''):
        raise _error(connection, 'the port %r is not a number' % text[:20] if text else 'the port after ":" is empty',
                     'ERROR_WSMAN_PORT_INVALID', 'Give a port from 1 to 65535 (WinRM listens on 5985 for HTTP, 5986 for HTTPS).')
    port = int(text)
    if not 1 <= port <= 65535:
        raise _error(connection, 'the port %d is outside 1-65535' % port if len(text) < 12 else 'the port is outside 1-65535',
                     'ERROR_WSMAN_PORT_INVALID', 'Give a port from 1 to 65535 (WinRM listens on 5985 for HTTP, 5986 for HTTPS).')
    return port


def _parse_prefix(connection, text):
    if text == '':
        raise _error(connection, 'the URL prefix after "/" is empty', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Leave out the trailing "/" to use the default prefix wsman, or write the prefix, e.g. host/wsman.', rule='§1.3')
    if not _PREFIX_CHARS.match(text) or text.startswith('/') or text.endswith('/') or '//' in text:
        raise _error(connection, 'the URL prefix may contain only letters, digits, "_" and "/" and must not start or end with "/"',
                     'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Write a prefix such as wsman or websvcs/wsman (no query, fragment, spaces or trailing "/").', rule='§1.3')
    return text


def local_endpoint():
    """The endpoint of a local session (no connection string)."""
    return Endpoint(scheme='http', host=LOCAL_HOST, port=DEFAULT_HTTP_PORT, path=DEFAULT_PREFIX,
                    url='http://%s:%d/%s' % (LOCAL_HOST, DEFAULT_HTTP_PORT, DEFAULT_PREFIX),
                    explicit_scheme=False, host_kind='name', is_local=True, is_loopback=True)


def parse_connection(connection, use_ssl=False):
    """Parse a ``CreateSession`` connection string into an :class:`Endpoint` (no network I/O).

    ``use_ssl`` is the ``UseSsl`` session flag: with no transport written it selects HTTPS on
    5986; with an explicit ``http://`` it is an error (R25). None or an empty string gives the
    local-session endpoint.
    """
    if connection is None:
        return local_endpoint()
    if not isinstance(connection, str):
        raise WSManInvalidArgumentError('connection: a connection string must be text, not %s' % type(connection).__name__,
                                        'ERROR_WSMAN_CONNECTIONSTR_INVALID', rule='§1.1', argument='connection',
                                        fix='Write it as %s, or leave it out for a local session.' % _FORM)
    text = connection.strip()
    if not text:
        return local_endpoint()

    explicit = False
    scheme = 'https' if use_ssl else 'http'
    match = _SCHEME.match(text)
    if match:
        written = match.group(1).lower()
        if written not in ('http', 'https'):
            raise _error(connection, 'the transport %r is not supported' % match.group(1)[:20], 'ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED',
                         'Use http:// or https:// (or no transport: HTTP, or HTTPS with the UseSsl flag).')
        if written == 'http' and use_ssl:
            raise _error(connection, 'the UseSsl flag cannot be combined with an explicit http:// transport',
                         'ERROR_WSMAN_INVALID_USESSL_PARAM',
                         'Write https:// instead, or leave out the transport and keep UseSsl (HTTPS on port 5986), '
                         'or drop UseSsl.', rule='R25')
        explicit = True
        scheme = written
        text = text[match.end():]
    elif re.match(r'^https?:(?!//|[0-9])', text, re.IGNORECASE):
        raise _error(connection, 'the transport must be followed by "://"', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Write it as %s.' % _FORM)
    elif '://' in text:
        raise _error(connection, 'the transport before "://" is not a valid name', 'ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED',
                     'Use http:// or https://.')

    if any(ch.isspace() for ch in text) or any(ch in text for ch in '?#\\'):
        raise _error(connection, 'it contains white space or one of "?", "#", "\\"', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Write it as %s.' % _FORM)

    authority, slash, rest = text.partition('/')
    if '@' in authority:
        raise _error(connection, 'user information ("user@" or "user:password@") is not allowed in the connection string',
                     'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                     'Remove it from the connection string and pass the user name and password as connection options '
                     '(username/password with the CredUsernamePassword flag).')

    port_text = None
    if authority.startswith('['):
        close = authority.find(']')
        if close < 0:
            raise _error(connection, 'the "[" of an IPv6 address has no closing "]"', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                         'Write the address as [2001:db8::1], optionally followed by :port.')
        host, kind, loopback = _parse_ipv6(connection, authority[1:close])
        tail = authority[close + 1:]
        if tail:
            if not tail.startswith(':'):
                raise _error(connection, 'only ":port" may follow the "]" of an IPv6 address', 'ERROR_WSMAN_CONNECTIONSTR_INVALID',
                             'Write it as https://[2001:db8::1]:5986/wsman.')
            port_text = tail[1:]
    else:
        if ']' in authority or '[' in authority:
            raise _error(connection, 'square brackets are allowed only around a whole IPv6 address',
                         'ERROR_WSMAN_CONNECTIONSTR_INVALID', 'Write it as http://[2001:db8::1]:5985.')
        if authority.count(':') == 1:
            authority, _colon, port_text = authority.partition(':')
        host, kind, loopback = _classify_host(connection, authority)

    if port_text is not None:
        port = _parse_port(connection, port_text)
    elif explicit:
        port = EXPLICIT_HTTPS_PORT if scheme == 'https' else EXPLICIT_HTTP_PORT
    else:
        port = DEFAULT_HTTPS_PORT if scheme == 'https' else DEFAULT_HTTP_PORT

    path = _parse_prefix(connection, rest) if slash else DEFAULT_PREFIX
    url = '%s://%s:%d/%s' % (scheme, _url_host(host, kind), port, path)
    return Endpoint(scheme=scheme, host=host, port=port, path=path, url=url, explicit_scheme=explicit,
                    host_kind=kind, is_local=False, is_loopback=loopback)
