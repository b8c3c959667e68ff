# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flag-combination and credential rules of ``CreateSession`` (facts §3, R1-R31).

:func:`resolve_authentication` checks the session flags, the connection options and the client
configuration against the endpoint and says how to authenticate (:class:`AuthPlan`), or raises
:class:`~._errors.WSManInvalidArgumentError` with the Windows error code of the broken rule. It
never touches the network. The connection string itself (R25 and §1) was checked before, by
:func:`~._connection_string.parse_connection`; unknown flag bits by :func:`~._flags.parse_flags`.

The rules are applied in this fixed order; the first one broken is reported:

1. R27 - ``UTF8`` and ``UTF16`` together.
2. R21 - local session (no connection string): credentials -> LOCAL_INVALID_CREDS; any other
   connection option or any flag except UTF8/UTF16 -> LOCAL_INVALID_CONNECTION_OPTIONS.
3. R1  - more than one authentication flag -> CLIENT_MULTIPLE_AUTH_FLAGS.
4. R2  - ``UseNoAuthentication`` with credentials, a certificate or ``CredUsernamePassword`` ->
   CREDS_PASSED_WITH_NO_AUTH_FLAG; with any other flag -> CLIENT_INVALID_FLAG (strict, [INF]).
5. R12 - client certificate: with ``CredUsernamePassword`` -> CERT_MULTIPLE_CREDENTIALS_FLAG; with
   user name/password -> MULTIPLE_CREDENTIALS (certificate given) or CLIENT_CERT_UNNEEDED_USERNAME;
   no certificate -> CLIENT_CERT_NEEDED; over HTTP -> CANNOT_USE_CERTIFICATES_FOR_HTTP. A certificate
   without ``UseClientCertificate``: with no mechanism flag -> R19 CREDENTIALS_FOR_DEFAULT_AUTHENTICATION,
   else CERT_MISSING_AUTH_FLAG.
6. Credentials: R16 Basic/Digest without user name and password -> CLIENT_USERNAME_PASSWORD_NEEDED;
   R13 CredSSP without them -> CREDSSP_USERNAME_PASSWORD_NEEDED; R14 credentials without
   ``CredUsernamePassword`` -> CLIENT_CREDENTIALS_FLAG_NEEDED; R15 the flag without credentials ->
   CLIENT_CREDENTIALS_NEEDED (a module cannot prompt); R18 only one of user name and password ->
   CLIENT_USERNAME_AND_PASSWORD_NEEDED.
7. R26 - ``EnableSPNServerPort`` with a mechanism other than Negotiate/Kerberos/default -> CLIENT_SPN_WRONG_AUTH.
8. R23 - ``NoEncryption`` over HTTPS -> CLIENT_UNENCRYPTED_HTTP_ONLY; without
   ``ClientConfig.allow_unencrypted`` -> CLIENT_UNENCRYPTED_DISABLED.
9. R24 - ``SkipCACheck`` / ``SkipCNCheck`` / ``SkipRevocationCheck`` over HTTP -> CLIENT_INVALID_FLAG ([INF]).
10. R17 - ``AllowNegotiateImplicitCredentials`` over HTTP ->
    CANNOT_USE_ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS_FOR_HTTP; with a mechanism other than Negotiate
    or default -> CLIENT_INVALID_FLAG.
11. Mechanism and destination. "Trusted" means HTTPS, a loopback destination ([INF]) or a
    ``ClientConfig.trusted_hosts`` match.

    * No mechanism flag - R3 (a)/(b)/(c) model: Negotiate when (a) explicit credentials and a
      trusted destination, (b) a loopback destination, or (c) a client that is not domain-joined
      and a trusted destination; Kerberos otherwise. Resolved Kerberos with an IP address -> R7
      DEFAULTAUTH_IPADDRESS; from a client that is not domain-joined -> R6 CLIENT_WORKGROUP_NO_KERBEROS
      (implicit credentials) or R8 SERVER_NOT_TRUSTED (explicit credentials).
      (wsman-createsession.md simplifies this to "default is Negotiate"; R5 therefore never fires
      for default authentication: a loopback destination resolves to Negotiate.)
    * Kerberos - R5 first for the destinations it names (``localhost``, ``127.0.0.1``, ``[::1]``) ->
      SERVER_DESTINATION_LOCALHOST; then R4 IP address (other loopback addresses such as 127.0.0.2
      included) -> KERBEROS_IPADDRESS; then R5 any other loopback name -> SERVER_DESTINATION_LOCALHOST;
      R6 implicit credentials from a client that is not domain-joined -> CLIENT_WORKGROUP_NO_KERBEROS;
      R8 explicit credentials from such a client to an untrusted destination -> SERVER_NOT_TRUSTED.
    * Negotiate over HTTP to an untrusted destination - R17 implicit credentials ->
      EXPLICIT_CREDENTIALS_REQUIRED; explicit credentials -> R8 SERVER_NOT_TRUSTED.
    * Basic, Digest, CredSSP over HTTP to an untrusted destination -> R8 SERVER_NOT_TRUSTED.
    * Basic or Digest over HTTP without ``NoEncryption`` -> R23 CLIENT_UNENCRYPTED_DISABLED: they
      have no message encryption, so the traffic would be unencrypted ([INF], what Windows reports).
    * ``UseNoAuthentication`` sends no credentials; R8 does not apply.
12. R29 - proxy settings (any access type but ``ProxyNoProxyServer``) over HTTP ->
    CANNOT_USE_PROXY_SETTINGS_FOR_HTTP; with Kerberos -> ..._FOR_KERBEROS; with CredSSP -> ..._FOR_CREDSSP.
    (R30/R31 are checked by ``ConnectionOptions.set_proxy``.)

Message encryption (``AuthPlan.encrypt_messages``) is on for Negotiate, Kerberos and CredSSP over
HTTP unless ``NoEncryption`` is set; HTTPS relies on TLS.
"""

from __future__ import annotations

import dataclasses

from ._errors import WSManInvalidArgumentError
from ._flags import SessionFlag, flag_names

F = SessionFlag

AUTH_FLAGS = (
    (F.USE_BASIC, 'basic'),
    (F.USE_DIGEST, 'digest'),
    (F.USE_NEGOTIATE, 'negotiate'),
    (F.USE_KERBEROS, 'kerberos'),
    (F.USE_CLIENT_CERTIFICATE, 'certificate'),
    (F.USE_CRED_SSP, 'credssp'),
    (F.USE_NO_AUTHENTICATION, 'none'),
)
AUTH_MASK = sum(int(flag) for flag, _name in AUTH_FLAGS)
ENCODING_MASK = int(F.UTF8 | F.UTF16)
SKIP_MASK = int(F.SKIP_CA_CHECK | F.SKIP_CN_CHECK | F.SKIP_REVOCATION_CHECK)
MECHANISMS = ('basic', 'digest', 'negotiate', 'kerberos', 'credssp', 'certificate', 'none')
ENCRYPTING_MECHANISMS = ('negotiate', 'kerberos', 'credssp')
_WINDOWS = {'basic': 'UseBasic', 'digest': 'UseDigest', 'negotiate': 'UseNegotiate', 'kerberos': 'UseKerberos',
            'certificate': 'UseClientCertificate', 'credssp': 'UseCredSsp', 'none': 'UseNoAuthentication'}


@dataclasses.dataclass(frozen=True)
class AuthPlan:
    """How a session authenticates.

    ``mechanism`` is one of ``basic``, ``digest``, ``negotiate``, ``kerberos``, ``credssp``,
    ``certificate``, ``none``; ``encrypt_messages`` says whether SOAP messages are encrypted by the
    authentication (HTTP with Negotiate/Kerberos/CredSSP); ``implicit_credentials`` says whether the
    controller's own credentials (Kerberos ticket cache) are used instead of a user name/password;
    ``explicit_mechanism`` is False when R3 chose the mechanism; ``reason`` tells why, for -vvv output.
    """

    mechanism: str
    encrypt_messages: bool
    implicit_credentials: bool
    explicit_mechanism: bool = True
    reason: str = ''


def _fail(rule, name, problem, fix, argument='flags'):
    return WSManInvalidArgumentError(problem, name, rule=rule, argument=argument, fix=fix)


def _names(flags):
    return '|'.join(flag_names(flags)) or '0'


def _requested_mechanism(flags):
    for flag, name in AUTH_FLAGS:
        if flags & flag:
            return name
    return None


def _describe(endpoint):
    return endpoint.url if not endpoint.is_local else 'the local session'


def _check_local(flags, options):
    if options is not None and options.has_credentials:
        raise _fail('R21', 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CREDS',
                    'connection_options: a local session (no connection string) cannot take a user name or password',
                    'Drop the credentials, or give a connection string (e.g. http://localhost:5985) for a remote session.',
                    argument='connection_options')
    if options is not None and not options.is_empty():
        raise _fail('R21', 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS',
                    'connection_options: a local session (no connection string) cannot take connection options '
                    '(certificate, CA/CRL file or proxy)',
                    'Drop the connection options, or give a connection string for a remote session.',
                    argument='connection_options')
    extra = flags & ~ENCODING_MASK
    if extra:
        raise _fail('R21', 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS',
                    'flags: %s cannot be used on a local session (no connection string)' % _names(extra),
                    'Drop these flags, or give a connection string for a remote session.')
    return AuthPlan('negotiate', encrypt_messages=True, implicit_credentials=True, explicit_mechanism=False,
                    reason='local session (R21): the local service with the current credentials')


def _check_no_authentication(flags, options, has_cert):
    if flags & F.CRED_USERNAME_PASSWORD or (options is not None and (options.has_credentials or has_cert)):
        raise _fail('R2', 'ERROR_WSMAN_CREDS_PASSED_WITH_NO_AUTH_FLAG',
                    'flags: UseNoAuthentication was given together with credentials (CredUsernamePassword, user name, '
                    'password or client certificate)',
                    'Drop the credentials to probe without authentication (e.g. Identify), or choose an authentication flag.')
    extra = flags & ~int(F.USE_NO_AUTHENTICATION)
    if extra:
        raise _fail('R2', 'ERROR_WSMAN_CLIENT_INVALID_FLAG',
                    'flags: UseNoAuthentication cannot be combined with any other session flag (got %s)' % _names(extra),
                    'Use UseNoAuthentication alone; for HTTPS write https:// in the connection string and give ca_file '
                    'for a private CA.')


def _check_certificate(flags, options, requested, endpoint):
    has_cert = options is not None and bool(options.certificate_pem or options.certificate_key_pem)
    if requested == 'certificate':
        if flags & F.CRED_USERNAME_PASSWORD:
            raise _fail('R12', 'ERROR_WSMAN_CERT_MULTIPLE_CREDENTIALS_FLAG',
                        'flags: UseClientCertificate cannot be combined with CredUsernamePassword',
                        'Drop CredUsernamePassword: the certificate is the credential.')
        if options is not None and options.has_credentials:
            if has_cert:
                raise _fail('R12', 'ERROR_WSMAN_MULTIPLE_CREDENTIALS',
                            'connection_options: a client certificate and a user name/password were both given',
                            'Give either the certificate (UseClientCertificate) or a user name and password.',
                            argument='connection_options')
            raise _fail('R12', 'ERROR_WSMAN_CLIENT_CERT_UNNEEDED_USERNAME',
                        'connection_options: client-certificate authentication takes no user name or password',
                        'Drop the user name and password, and give certificate_pem (and certificate_key_pem).',
                        argument='username')
        if options is None or not options.certificate_pem:
            raise _fail('R12', 'ERROR_WSMAN_CLIENT_CERT_NEEDED',
                        'connection_options: UseClientCertificate needs a client certificate, and none was given',
                        'Set certificate_pem (path of the PEM certificate; it stands in for Windows\' CertificateThumbprint) '
                        'and certificate_key_pem (path of its key).', argument='certificate_pem')
        if not endpoint.is_https:
            raise _fail('R12', 'ERROR_WSMAN_CANNOT_USE_CERTIFICATES_FOR_HTTP',
                        'connection: client-certificate authentication needs HTTPS, but %s is HTTP' % endpoint.url,
                        'Write https:// in the connection string or add the UseSsl flag.', argument='connection')
    elif has_cert:
        if requested is None:
            raise _fail('R19', 'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_DEFAULT_AUTHENTICATION',
                        'connection_options: default authentication (no mechanism flag) accepts only a user name and '
                        'password, but a client certificate was given',
                        'Add the UseClientCertificate flag to authenticate with the certificate, or drop the certificate.',
                        argument='certificate_pem')
        raise _fail('R12', 'ERROR_WSMAN_CERT_MISSING_AUTH_FLAG',
                    'connection_options: a client certificate was given but the mechanism is %s, not UseClientCertificate'
                    % _WINDOWS[requested], 'Use the UseClientCertificate flag alone, or drop the certificate.',
                    argument='certificate_pem')
    return has_cert


def _check_credentials(flags, options, requested):
    username = options.username if options is not None else None
    has_password = options is not None and options.has_password
    both = bool(username) and has_password
    if requested in ('basic', 'digest') and not both:
        raise _fail('R16', 'ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED',
                    'flags: %s needs an explicit user name and password' % _WINDOWS[requested],
                    'Give username and password and add CredUsernamePassword (e.g. flags: %s|CredUsernamePassword).'
                    % _WINDOWS[requested])
    if requested == 'credssp' and not both:
        raise _fail('R13', 'ERROR_WSMAN_CREDSSP_USERNAME_PASSWORD_NEEDED',
                    'flags: UseCredSsp needs an explicit user name and password (CredSSP delegates them)',
                    'Give username and password and add CredUsernamePassword.')
    cred_flag = bool(flags & F.CRED_USERNAME_PASSWORD)
    if (username or has_password) and not cred_flag:
        raise _fail('R14', 'ERROR_WSMAN_CLIENT_CREDENTIALS_FLAG_NEEDED',
                    'flags: a user name or password was given without the CredUsernamePassword flag',
                    'Add CredUsernamePassword to the flags (e.g. UseNegotiate|CredUsernamePassword), or drop the credentials '
                    'to use the controller\'s own Kerberos credentials.')
    if cred_flag and not (username or has_password):
        raise _fail('R15', 'ERROR_WSMAN_CLIENT_CREDENTIALS_NEEDED',
                    'flags: CredUsernamePassword is set but no user name and password were given (a task cannot prompt '
                    'for them)', 'Give username and password, or drop CredUsernamePassword.')
    if cred_flag and not both:
        missing = 'password' if username else 'user name'
        raise _fail('R18', 'ERROR_WSMAN_CLIENT_USERNAME_AND_PASSWORD_NEEDED',
                    'connection_options: the %s is missing; a user account needs both user name and password' % missing,
                    'Give both username and password.', argument='password' if username else 'username')
    return cred_flag


def _check_transport_flags(flags, endpoint, requested, client_config):
    if flags & F.ENABLE_SPN_SERVER_PORT and requested not in (None, 'negotiate', 'kerberos'):
        raise _fail('R26', 'ERROR_WSMAN_CLIENT_SPN_WRONG_AUTH',
                    'flags: EnableSPNServerPort works only with Negotiate or Kerberos, not with %s' % _WINDOWS[requested],
                    'Drop EnableSPNServerPort, or use UseNegotiate or UseKerberos.')
    if flags & F.NO_ENCRYPTION:
        if endpoint.is_https:
            raise _fail('R23', 'ERROR_WSMAN_CLIENT_UNENCRYPTED_HTTP_ONLY',
                        'flags: NoEncryption applies only to HTTP, but %s is HTTPS' % endpoint.url,
                        'Drop NoEncryption: HTTPS encrypts with TLS.')
        if not client_config.allow_unencrypted:
            raise _fail('R23', 'ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED',
                        'flags: NoEncryption needs unencrypted traffic to be allowed in the client configuration, and it is not',
                        'Set allow_unencrypted (ClientConfig.allow_unencrypted) to true - the service must allow it too - '
                        'or use HTTPS.')
    skips = flags & SKIP_MASK
    if skips and not endpoint.is_https:
        raise _fail('R24', 'ERROR_WSMAN_CLIENT_INVALID_FLAG',
                    'flags: %s %s only to HTTPS, but %s is HTTP'
                    % (_names(skips), 'apply' if skips & (skips - 1) else 'applies', endpoint.url),
                    'Drop these flags, or use HTTPS (https:// or UseSsl).')
    if flags & F.ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS:
        if not endpoint.is_https:
            raise _fail('R17', 'ERROR_WSMAN_CANNOT_USE_ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS_FOR_HTTP',
                        'flags: AllowNegotiateImplicitCredentials is valid only over HTTPS, but %s is HTTP' % endpoint.url,
                        'Use HTTPS, or drop the flag and add the host to trusted_hosts, or give explicit credentials.')
        if requested not in (None, 'negotiate'):
            raise _fail('R17', 'ERROR_WSMAN_CLIENT_INVALID_FLAG',
                        'flags: AllowNegotiateImplicitCredentials works only with Negotiate, not with %s' % _WINDOWS[requested],
                        'Use UseNegotiate, or drop AllowNegotiateImplicitCredentials.')


def _not_trusted(endpoint, mechanism, rule='R8'):
    return _fail(rule, 'ERROR_WSMAN_SERVER_NOT_TRUSTED',
                 'connection: %s authentication over HTTP needs a trusted destination, and %s is not in trusted_hosts'
                 % (mechanism, endpoint.host),
                 'Use HTTPS (https:// or UseSsl), or add %s to trusted_hosts (ClientConfig.trusted_hosts) - TrustedHosts '
                 'entries are not authenticated, so do this only for hosts you trust by other means.' % endpoint.host,
                 argument='connection')


def _default_mechanism(endpoint, explicit_creds, trusted, client_config):
    """R3: the (a)/(b)/(c) model. Returns (mechanism, reason)."""
    if explicit_creds and trusted:
        return 'negotiate', 'default authentication (R3 a): explicit credentials and a trusted destination -> Negotiate'
    if endpoint.is_loopback:
        return 'negotiate', 'default authentication (R3 b): loopback destination -> Negotiate'
    if not client_config.domain_joined and trusted:
        return 'negotiate', 'default authentication (R3 c): client not domain-joined and a trusted destination -> Negotiate'
    return 'kerberos', 'default authentication (R3): Kerberos'


# The destinations R5 names explicitly (facts §3); R5 wins over R4 for the two IP addresses among them.
_R5_NAMED_HOSTS = frozenset(('localhost', '127.0.0.1', '::1'))


def _fail_r5(endpoint):
    return _fail('R5', 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST',
                 'connection: Kerberos cannot be used with the loopback destination %s' % endpoint.host,
                 'Use UseNegotiate (or no mechanism flag) for a loopback destination.', argument='connection')


def _check_kerberos(endpoint, explicit_creds, trusted, client_config, defaulted):
    if endpoint.is_loopback and endpoint.host.lower().rstrip('.') in _R5_NAMED_HOSTS:
        raise _fail_r5(endpoint)
    if endpoint.is_ip_address:
        if defaulted:
            raise _fail('R7', 'ERROR_WSMAN_DEFAULTAUTH_IPADDRESS',
                        'connection: default authentication resolves to Kerberos, which cannot use the IP address %s'
                        % endpoint.host,
                        'Use a host name; or use HTTPS or add %s to trusted_hosts and give explicit credentials '
                        '(CredUsernamePassword) so that Negotiate is used.' % endpoint.host, argument='connection')
        raise _fail('R4', 'ERROR_WSMAN_KERBEROS_IPADDRESS',
                    'connection: Kerberos cannot be used with the IP address %s as destination' % endpoint.host,
                    'Use the host name the service principal is registered for, or use UseNegotiate.', argument='connection')
    if endpoint.is_loopback:
        raise _fail_r5(endpoint)
    if not client_config.domain_joined:
        if not explicit_creds:
            raise _fail('R6', 'ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS',
                        'connection: %s would use Kerberos with the controller\'s own credentials, but the client is not '
                        'domain-joined (ClientConfig.domain_joined is false)' % endpoint.host,
                        'Set domain_joined to true if this controller has Kerberos tickets for the domain; otherwise give '
                        'explicit credentials and use HTTPS or add %s to trusted_hosts (Negotiate is then used).'
                        % endpoint.host, argument='connection')
        if not trusted:
            raise _not_trusted(endpoint, 'Kerberos from a client that is not domain-joined')


def resolve_authentication(endpoint, flags, options, client_config):
    """Apply R1-R31 in the documented order; return an :class:`AuthPlan` or raise WSManInvalidArgumentError."""
    flags = int(flags)
    if options is not None and options.is_empty():
        options = None

    if flags & F.UTF8 and flags & F.UTF16:
        raise _fail('R27', 'ERROR_WSMAN_CLIENT_INVALID_FLAG', 'flags: UTF8 and UTF16 cannot both be set',
                    'Choose one wire encoding: UTF8 (the default) or UTF16.')

    if endpoint.is_local:
        return _check_local(flags, options)

    auth_bits = flags & AUTH_MASK
    if auth_bits & (auth_bits - 1):
        raise _fail('R1', 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS',
                    'flags: only one authentication mechanism may be set, got %s' % _names(auth_bits),
                    'Keep one of UseBasic, UseDigest, UseNegotiate, UseKerberos, UseClientCertificate, UseCredSsp, '
                    'UseNoAuthentication (or none for the default).')
    requested = _requested_mechanism(flags)

    has_cert = options is not None and bool(options.certificate_pem or options.certificate_key_pem)
    if requested == 'none':
        _check_no_authentication(flags, options, has_cert)
    _check_certificate(flags, options, requested, endpoint)
    explicit_creds = _check_credentials(flags, options, requested)
    _check_transport_flags(flags, endpoint, requested, client_config)

    trusted = endpoint.is_https or client_config.is_trusted(endpoint)
    http = not endpoint.is_https
    mechanism = requested
    reason = '%s requested by the flags' % (_WINDOWS[requested] if requested else '')
    if requested is None:
        mechanism, reason = _default_mechanism(endpoint, explicit_creds, trusted, client_config)
        if mechanism == 'kerberos':
            _check_kerberos(endpoint, explicit_creds, trusted, client_config, defaulted=True)
    elif requested == 'kerberos':
        _check_kerberos(endpoint, explicit_creds, trusted, client_config, defaulted=False)
    elif requested == 'negotiate':
        if http and not trusted:
            if not explicit_creds:
                raise _fail('R17', 'ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED',
                            'connection: Negotiate with the controller\'s own credentials over HTTP needs %s in trusted_hosts'
                            % endpoint.host,
                            'Give explicit credentials (CredUsernamePassword), use HTTPS, or add %s to trusted_hosts.'
                            % endpoint.host, argument='connection')
            raise _not_trusted(endpoint, 'Negotiate')
    elif requested in ('basic', 'digest', 'credssp'):
        if http and not trusted:
            raise _not_trusted(endpoint, {'basic': 'Basic', 'digest': 'Digest', 'credssp': 'CredSSP'}[requested])
        if http and requested in ('basic', 'digest') and not flags & F.NO_ENCRYPTION:
            word = 'Basic' if requested == 'basic' else 'Digest'
            raise _fail('R23', 'ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED',
                        'flags: %s over HTTP (%s) would send every message unencrypted - %s has no message encryption - '
                        'and NoEncryption is not set' % (word, endpoint.url, word),
                        'Use HTTPS (https:// or UseSsl); or, on a network you trust, add NoEncryption to the flags and set '
                        'allow_unencrypted (the service must allow unencrypted traffic too).')

    options_proxy = options is not None and options.uses_proxy
    if options_proxy:
        if http:
            raise _fail('R29', 'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_HTTP',
                        'connection_options: proxy settings can be used only over HTTPS, but %s is HTTP' % endpoint.url,
                        'Use HTTPS, or drop the proxy settings (or use ProxyNoProxyServer).', argument='proxy')
        if mechanism == 'kerberos':
            raise _fail('R29', 'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_KERBEROS',
                        'connection_options: proxy settings cannot be used with Kerberos authentication (%s)' % reason,
                        'Use UseNegotiate or UseBasic through the proxy, or connect without a proxy.', argument='proxy')
        if mechanism == 'credssp':
            raise _fail('R29', 'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_CREDSSP',
                        'connection_options: proxy settings cannot be used with CredSSP authentication',
                        'Use another mechanism through the proxy, or connect without a proxy.', argument='proxy')

    encrypt = http and mechanism in ENCRYPTING_MECHANISMS and not flags & F.NO_ENCRYPTION
    implicit = mechanism in ('negotiate', 'kerberos') and not explicit_creds
    return AuthPlan(mechanism, encrypt_messages=bool(encrypt), implicit_credentials=implicit,
                    explicit_mechanism=requested is not None, reason=reason)
