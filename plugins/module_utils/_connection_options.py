# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``ConnectionOptions`` - credentials, client certificate, TLS files and proxy of a session (facts §4).

Mapping of the Windows members:

=================================  ==========================================================
Windows                            here
=================================  ==========================================================
``UserName``                       ``username`` (read/write)
``Password`` (write-only)          ``password`` (write-only: reading raises AttributeError)
``CertificateThumbprint``          ``certificate_pem`` + ``certificate_key_pem``: paths of a PEM
                                   client certificate and its unencrypted PEM key. A Linux
                                   controller has no certificate store to look a thumbprint
                                   up in, so the files stand in for it; the R12 rules apply
                                   to ``certificate_pem`` exactly as to the thumbprint.
``SetProxy(access, auth, u, p)``   ``set_proxy(access_type, authentication_mechanism, username,
                                   password, url)``
(machine certificate store)        ``ca_file`` / ``crl_file``: PEM files of trusted CAs / CRLs
=================================  ==========================================================

Proxy access types on Linux [INF]: ``ProxyIEConfig``, ``ProxyWinHttpConfig`` and ``ProxyAutoDetect``
use the proxy of the environment (``https_proxy`` / ``no_proxy``, as ``requests`` reads it; no
WPAD) unless ``url`` names a proxy; ``ProxyNoProxyServer`` connects directly and ignores the
environment. Without ``set_proxy`` the environment is ignored too (direct connection).

Secrets: the password and the proxy password are kept in :class:`~._secret.Secret` objects. They
never appear in ``repr()``, ``str()`` or exception text, and an object holding one cannot be
pickled. The transport reads them through :attr:`password_secret` and :attr:`proxy_password_secret`.
"""

from __future__ import annotations

import re

from ._errors import WSManInvalidArgumentError
from ._flags import ProxyAccessType, ProxyAuthentication, parse_flags, windows_names
from ._secret import Secret, to_secret
from ._xml import E_INVALIDARG

_PROXY_URL = re.compile(r'^(?P<scheme>https?)://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.\-]+)(?::(?P<port>[0-9]{1,5}))?/?$', re.IGNORECASE)

# [CONFLICT] facts §4.3: the default access type is WinHTTP (SetProxy page) or IE (wsman.h page,
# winrm.vbs). Both mean "the environment's proxy" here; we take the SetProxy page's WinHTTP.
DEFAULT_PROXY_ACCESS_TYPE = ProxyAccessType.WIN_HTTP_CONFIG


def _text_or_none(name, value):
    if value is None:
        return None
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise WSManInvalidArgumentError('%s: must be a string, not %s' % (name, type(value).__name__), argument=name,
                                        fix='Give %s as text.' % name)
    return value


# C0 controls (tab, line feed and carriage return too), DEL and C1 controls: no user name holds one. The backslash
# of DOMAIN\user read as an escape (\a, \t, \n, \r, \b, \f, \v) turns into one, silently.
_CONTROL_CHAR = re.compile('[\x00-\x1f\x7f-\x9f]')


def _check_user_name(name, value):
    """Refuse a user name that holds a control character (it could only fail to log on, with an HTTP 401)."""
    match = _CONTROL_CHAR.search(value) if isinstance(value, str) else None
    if match is None:
        return value
    raise WSManInvalidArgumentError(
        '%s contains the control character U+%04X at position %d; a user name never holds one'
        % (name, ord(match.group()), match.start()), code=E_INVALIDARG, argument=name,
        fix='A backslash followed by a letter was probably read as an escape sequence (\\a, \\t, \\n ...): in an '
            'ad-hoc -a "key=value" string or a double-quoted YAML string write the backslash twice (DOMAIN\\\\user), '
            'or use a single-quoted YAML string (DOMAIN\\user).')


def _path_or_none(name, value):
    value = _text_or_none(name, value)
    if value is None or value == '':
        return None
    if '-----BEGIN' in value:
        raise WSManInvalidArgumentError(
            '%s: expects the path of a PEM file, not the PEM text itself' % name, argument=name,
            fix='Write the PEM data to a file readable only by you and give its path.')
    return value


def _proxy_error(message, name, rule, argument, fix):
    return WSManInvalidArgumentError(message, name, rule=rule, argument=argument, fix=fix)


class ConnectionOptions:
    """Credentials and connection settings of a session (``WSMan.CreateConnectionOptions``).

    ``username`` and ``password`` are used only with the ``CredUsernamePassword`` session flag (R14).
    ``password`` is write-only: ``options.password = 'x'`` works, reading ``options.password``
    raises AttributeError ([CONFLICT] facts §4.1 resolved as the COM interface has it).
    """

    def __init__(self, username=None, password=None, certificate_pem=None, certificate_key_pem=None):
        self._username = None
        self._password = None
        self._certificate_pem = None
        self._certificate_key_pem = None
        self._ca_file = None
        self._crl_file = None
        self._proxy_access_type = None
        self._proxy_authentication = 0
        self._proxy_username = None
        self._proxy_password = None
        self._proxy_url = None
        self.username = username
        self.password = password
        self.certificate_pem = certificate_pem
        self.certificate_key_pem = certificate_key_pem

    # -- credentials ------------------------------------------------------------------------------
    @property
    def username(self):
        """User name (``DOMAIN\\user``, ``HOST\\user`` or ``user@REALM``), or None."""
        return self._username

    @username.setter
    def username(self, value):
        value = _text_or_none('username', value)
        if isinstance(value, Secret):
            value = value.reveal()
        self._username = _check_user_name('username', value) or None

    @property
    def password(self):
        """Write-only."""
        raise AttributeError('ConnectionOptions.password is write-only (as in Windows): it can be set but never read back')

    @password.setter
    def password(self, value):
        value = _text_or_none('password', value)
        self._password = to_secret(value) if value else None

    @property
    def password_secret(self):
        """The password as a :class:`~._secret.Secret` (for the transport), or None."""
        return self._password

    @property
    def has_password(self):
        """True when a password is set."""
        return self._password is not None

    @property
    def has_credentials(self):
        """True when a user name or a password is set."""
        return self._username is not None or self._password is not None

    # -- client certificate and TLS files ---------------------------------------------------------
    @property
    def certificate_pem(self):
        """Path of the PEM client certificate (stands in for ``CertificateThumbprint``), or None."""
        return self._certificate_pem

    @certificate_pem.setter
    def certificate_pem(self, value):
        self._certificate_pem = _path_or_none('certificate_pem', value)

    @property
    def certificate_key_pem(self):
        """Path of the unencrypted PEM key of the client certificate, or None (key inside ``certificate_pem``)."""
        return self._certificate_key_pem

    @certificate_key_pem.setter
    def certificate_key_pem(self, value):
        self._certificate_key_pem = _path_or_none('certificate_key_pem', value)

    @property
    def certificate_thumbprint(self):
        """Not available on Linux; see :attr:`certificate_pem`."""
        raise AttributeError('certificate_thumbprint is not available on a Linux controller: use certificate_pem and certificate_key_pem')

    @certificate_thumbprint.setter
    def certificate_thumbprint(self, value):
        raise WSManInvalidArgumentError(
            'certificate_thumbprint: a Linux controller has no certificate store to look a thumbprint up in',
            'ERROR_WSMAN_CLIENT_CERT_NEEDED', rule='R12', argument='certificate_thumbprint',
            fix='Export the client certificate and its key as PEM files and set certificate_pem and certificate_key_pem.')

    @property
    def ca_file(self):
        """Path of a PEM bundle of CA certificates trusted for the server certificate, or None (system store)."""
        return self._ca_file

    @ca_file.setter
    def ca_file(self, value):
        self._ca_file = _path_or_none('ca_file', value)

    @property
    def crl_file(self):
        """Path of a PEM file of CRLs to check the server certificate against, or None."""
        return self._crl_file

    @crl_file.setter
    def crl_file(self, value):
        self._crl_file = _path_or_none('crl_file', value)

    # -- proxy (ConnectionOptionsEx2) -------------------------------------------------------------
    def set_proxy(self, access_type=None, authentication_mechanism=0, username=None, password=None, url=None):
        """``SetProxy``: how to reach the service through a proxy (facts §4.3, R29-R31).

        :param access_type: exactly one :class:`ProxyAccessType` value (int, name such as
            ``ProxyIEConfig`` / ``ie_settings``); None means ``ProxyWinHttpConfig``.
        :param authentication_mechanism: 0 (none / default) or exactly one :class:`ProxyAuthentication`.
        :param username: proxy user name; needs an authentication mechanism (R31).
        :param password: proxy password; needs a user name (R31). Write-only.
        :param url: ``http://proxy.example.com:3128``; None uses the environment's proxy (see module doc).

        R29 (HTTPS only, not with Kerberos or CredSSP) is checked by ``create_session``.
        """
        access = self._parse_access_type(access_type)
        mechanism = self._parse_proxy_auth(authentication_mechanism)
        username = _check_user_name('proxy_username', _text_or_none('proxy_username', username)) or None
        password = _text_or_none('proxy_password', password) or None
        if access == ProxyAccessType.NO_PROXY_SERVER and (username or password or mechanism or url):
            raise _proxy_error('proxy: ProxyNoProxyServer (a direct connection) cannot take proxy credentials, an '
                               'authentication mechanism or a proxy URL', 'ERROR_WSMAN_INVALID_OPTION_NO_PROXY_SERVER', 'R30',
                               'proxy_access_type', 'Choose another access type, or drop the proxy settings.')
        if password and not username:
            raise _proxy_error('proxy: a proxy password was given without a proxy user name',
                               'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R31', 'proxy_password',
                               'Give proxy_username as well, or drop proxy_password.')
        if username and not mechanism:
            raise _proxy_error('proxy: a proxy user name was given without a proxy authentication mechanism',
                               'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R31', 'proxy_username',
                               'Set proxy_authentication to basic, digest or negotiate (ProxyAuthenticationUseBasic, UseDigest, UseNegotiate).')
        if username and not password:
            raise _proxy_error('proxy: a proxy user name was given without a proxy password',
                               'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R30', 'proxy_password',
                               'Give both proxy_username and proxy_password.')
        if mechanism in (ProxyAuthentication.USE_BASIC, ProxyAuthentication.USE_DIGEST) and not username:
            raise _proxy_error('proxy: Basic and Digest proxy authentication need a proxy user name and password',
                               'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R30', 'proxy_username',
                               'Give proxy_username and proxy_password, or use ProxyAuthenticationUseNegotiate.')
        url = self._check_proxy_url(url)
        self._proxy_access_type = access
        self._proxy_authentication = mechanism
        self._proxy_username = username
        self._proxy_password = to_secret(password)
        self._proxy_url = url

    @staticmethod
    def _parse_access_type(access_type):
        if access_type is None:
            return DEFAULT_PROXY_ACCESS_TYPE
        fix = 'Give exactly one of %s (or ie_settings, winhttp_settings, auto_detect, no_proxy).' % ', '.join(
            'Proxy' + name for name in windows_names(ProxyAccessType))
        try:
            value = parse_flags(access_type, ProxyAccessType, argument='proxy_access_type')
        except WSManInvalidArgumentError:
            raise _proxy_error('proxy_access_type: %r is not a proxy access type' % (access_type,),
                               'ERROR_WSMAN_PROXY_ACCESS_TYPE', 'R30', 'proxy_access_type', fix) from None
        if value not in [int(member) for member in ProxyAccessType]:
            raise _proxy_error('proxy_access_type: exactly one access type is needed, got %r' % (access_type,),
                               'ERROR_WSMAN_PROXY_ACCESS_TYPE', 'R30', 'proxy_access_type', fix)
        return ProxyAccessType(value)

    @staticmethod
    def _parse_proxy_auth(mechanism):
        if mechanism is None or mechanism == 0:
            return 0
        try:
            value = parse_flags(mechanism, ProxyAuthentication, argument='proxy_authentication')
        except WSManInvalidArgumentError:
            raise _proxy_error('proxy_authentication: %r is not a proxy authentication mechanism' % (mechanism,),
                               'ERROR_WSMAN_PROXY_AUTHENTICATION_INVALID_FLAG', 'R30', 'proxy_authentication',
                               'Give one of ProxyAuthenticationUseNegotiate, ProxyAuthenticationUseBasic, '
                               'ProxyAuthenticationUseDigest (or negotiate, basic, digest).') from None
        if value and value not in [int(member) for member in ProxyAuthentication]:
            raise _proxy_error('proxy_authentication: only one proxy authentication mechanism may be given, got %r' % (mechanism,),
                               'ERROR_WSMAN_CLIENT_MULTIPLE_PROXY_AUTH_FLAGS', 'R30', 'proxy_authentication',
                               'Choose one of Negotiate, Basic or Digest.')
        return ProxyAuthentication(value) if value else 0

    @staticmethod
    def _check_proxy_url(url):
        url = _text_or_none('proxy', url)
        if not url:
            return None
        if '@' in url:
            raise WSManInvalidArgumentError('proxy: the proxy URL must not contain user information', 'ERROR_WSMAN_INVALID_PARAMETER',
                                            rule='R30', argument='proxy',
                                            fix='Remove "user:password@" from the URL and give proxy_username / proxy_password.')
        match = _PROXY_URL.match(url)
        if not match or (match.group('port') and not 1 <= int(match.group('port')) <= 65535):
            raise WSManInvalidArgumentError('proxy: %r is not a proxy URL' % url[:120], 'ERROR_WSMAN_INVALID_PARAMETER', argument='proxy',
                                            fix='Write it as http://proxy.example.com:3128 (scheme, host and optional port).')
        return url

    @property
    def proxy_access_type(self):
        """The :class:`ProxyAccessType` of ``set_proxy``, or None when no proxy was set."""
        return self._proxy_access_type

    @property
    def proxy_authentication(self):
        """The :class:`ProxyAuthentication` of ``set_proxy`` (0 = none / default)."""
        return self._proxy_authentication

    @property
    def proxy_username(self):
        """The proxy user name, or None."""
        return self._proxy_username

    @property
    def proxy_password(self):
        """Write-only (set through ``set_proxy``)."""
        raise AttributeError('the proxy password is write-only: it can be set through set_proxy but never read back')

    @property
    def proxy_password_secret(self):
        """The proxy password as a :class:`~._secret.Secret` (for the transport), or None."""
        return self._proxy_password

    @property
    def proxy_url(self):
        """The explicit proxy URL, or None."""
        return self._proxy_url

    @property
    def uses_proxy(self):
        """True when ``set_proxy`` chose a proxy (any access type but ``ProxyNoProxyServer``)."""
        return self._proxy_access_type is not None and self._proxy_access_type != ProxyAccessType.NO_PROXY_SERVER

    # -- misc -------------------------------------------------------------------------------------
    def is_empty(self):
        """True when nothing at all is set (such an object counts as no options)."""
        return not (self.has_credentials or self._certificate_pem or self._certificate_key_pem or self._ca_file
                    or self._crl_file or self._proxy_access_type is not None)

    def copy(self):
        """A snapshot (``create_session`` keeps one, so later changes do not affect the session)."""
        other = ConnectionOptions.__new__(ConnectionOptions)
        other.__dict__.update(self.__dict__)
        return other

    def __repr__(self):
        parts = ['username=%r' % self._username, 'password=%s' % ('<set>' if self._password else None)]
        for name in ('certificate_pem', 'certificate_key_pem', 'ca_file', 'crl_file'):
            if getattr(self, '_' + name):
                parts.append('%s=%r' % (name, getattr(self, '_' + name)))
        if self._proxy_access_type is not None:
            parts.append('proxy=%s' % self._proxy_access_type.name)
            if self._proxy_authentication:
                parts.append('proxy_authentication=%s' % ProxyAuthentication(self._proxy_authentication).name)
            if self._proxy_username:
                parts.append('proxy_username=%r' % self._proxy_username)
                parts.append('proxy_password=%s' % ('<set>' if self._proxy_password else None))
            if self._proxy_url:
                parts.append('proxy_url=%r' % self._proxy_url)
        return 'ConnectionOptions(%s)' % ', '.join(parts)

    __str__ = __repr__

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        raise TypeError('ConnectionOptions cannot be pickled: it may hold a password')
