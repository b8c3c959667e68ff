# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The exceptions of the WS-Management library and the table of Windows error codes.

Every error carries an integer ``code``: the Windows error number (an HRESULT of facility
WinRM, ``0x8033xxxx``, as an unsigned 32-bit integer) where one exists, else ``0``.

* :class:`WSManError` - base class.
* :class:`WSManInvalidArgumentError` - client-side validation, raised before any network I/O.
* :class:`WSManTransportError` - the service could not be reached (refused, DNS, TLS, timeout, proxy).
* :class:`WSManAuthenticationError` - the service refused the credentials (HTTP 401).
* :class:`WSManProtocolError` - the service answered something that is no valid WS-Management reply.
* :class:`WSManFault` - the service answered with a SOAP fault.

No exception text ever contains a password: the library never formats a secret into a message
(secrets are held in :class:`~._secret.Secret`, whose ``str()`` is a mask).
"""

from __future__ import annotations

# (name, hex value, decimal value, what it means) - facts §9 (winerror.h, facility WinRM).
# Both numbers are written out so a unit test can check that they agree.
ERROR_TABLE = (
    ("ERROR_WSMAN_RESOURCE_NOT_FOUND", 0x80338000, 2150858752,
     "The resource URI and selectors match no instance on the service."),
    ("ERROR_WSMAN_INVALID_URI", 0x80338002, 2150858754, "The resource URI is missing or malformed."),
    ("ERROR_WSMAN_SOAP_VERSION_MISMATCH", 0x8033800D, 2150858765, "The SOAP version of the request is not supported."),
    ("ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER", 0x8033800F, 2150858767, "A SOAP header of the request is invalid."),
    ("ERROR_WSMAN_SOAP_FAULT_MUST_UNDERSTAND", 0x80338010, 2150858768,
     "A header marked mustUnderstand was not understood by the service."),
    ("ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED", 0x80338011, 2150858769, "A required SOAP header is missing."),
    ("ERROR_WSMAN_DESTINATION_UNREACHABLE", 0x80338012, 2150858770,
     "The destination cannot be reached or the service is not listening."),
    ("ERROR_WSMAN_ACTION_NOT_SUPPORTED", 0x80338013, 2150858771, "The action is not supported by the service."),
    ("ERROR_WSMAN_ENDPOINT_UNAVAILABLE", 0x80338014, 2150858772, "The resource is offline or unavailable."),
    ("ERROR_WSMAN_INVALID_REPRESENTATION", 0x80338015, 2150858773, "The XML body of a Put or Create is invalid."),
    ("ERROR_WSMAN_ENUMERATE_FILTERING_NOT_SUPPORTED", 0x80338018, 2150858776, "The service does not support filtering."),
    ("ERROR_WSMAN_ENUMERATE_FILTER_DIALECT_REQUESTED_UNAVAILABLE", 0x80338019, 2150858777,
     "The requested filter dialect is not available."),
    ("ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER", 0x8033801A, 2150858778, "The service cannot process the filter."),
    ("ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT", 0x8033801B, 2150858779,
     "The enumeration context is invalid, expired or finished."),
    ("ERROR_WSMAN_ENUMERATE_TIMED_OUT", 0x8033801C, 2150858780,
     "The Pull got no data in time; the enumeration context is still valid, Pull again."),
    ("ERROR_WSMAN_INVALID_SOAP_BODY", 0x80338027, 2150858791, "The SOAP body of the request is invalid."),
    ("ERROR_WSMAN_OPERATION_TIMEDOUT", 0x80338029, 2150858793, "The operation did not finish within OperationTimeout."),
    ("ERROR_WSMAN_UNSUPPORTED_ENCODING", 0x8033802C, 2150858796, "The service accepts only UTF-8 or UTF-16."),
    ("ERROR_WSMAN_ALREADY_EXISTS", 0x80338033, 2150858803, "Create of a resource that already exists."),
    ("ERROR_WSMAN_ENCODING_LIMIT", 0x80338035, 2150858805, "An encoding limit was exceeded (for example MaxEnvelopeSize)."),
    ("ERROR_WSMAN_FAILED_AUTHENTICATION", 0x80338036, 2150858806, "Authentication failed."),
    ("ERROR_WSMAN_INVALID_OPTIONS", 0x80338039, 2150858809, "The options of the request are invalid."),
    ("ERROR_WSMAN_INVALID_PARAMETER", 0x8033803A, 2150858810, "A parameter of the request is invalid."),
    ("ERROR_WSMAN_INVALID_RESOURCE_URI", 0x8033803B, 2150858811, "The resource URI is invalid."),
    ("ERROR_WSMAN_INVALID_SELECTORS", 0x8033803D, 2150858813, "The selectors are invalid for the resource."),
    ("ERROR_WSMAN_QUOTA_LIMIT", 0x8033803F, 2150858815, "A quota of the service was exceeded; the service is busy."),
    ("ERROR_WSMAN_SCHEMA_VALIDATION_ERROR", 0x80338041, 2150858817, "The request does not match the schema."),
    ("ERROR_WSMAN_UNSUPPORTED_FEATURE", 0x80338042, 2150858818, "The service does not support a feature of the request."),
    ("ERROR_WSMAN_CHARACTER_SET", 0x8033804C, 2150858828, "The character set of the request is not supported."),
    ("ERROR_WSMAN_OPTIONS_NOT_SUPPORTED", 0x80338051, 2150858833, "Options marked mustComply are not supported."),
    ("ERROR_WSMAN_INSUFFCIENT_SELECTORS", 0x8033805A, 2150858842, "Key selectors of the resource are missing."),
    ("ERROR_WSMAN_UNEXPECTED_SELECTORS", 0x8033805B, 2150858843, "The selectors are not valid for the resource."),
    ("ERROR_WSMAN_INVALID_SELECTOR_VALUE", 0x8033805D, 2150858845, "A selector value is invalid."),
    ("ERROR_WSMAN_ENUMERATION_INVALID", 0x80338084, 2150858884, "A previous Pull failed; the enumeration is invalid."),
    ("ERROR_WSMAN_ENUMERATION_MODE_UNSUPPORTED", 0x80338086, 2150858886,
     "The enumeration mode (EPR / ObjectAndEPR) is not supported."),
    ("ERROR_WSMAN_MISSING_FRAGMENT_PATH", 0x80338091, 2150858897, "A fragment dialect was given without a fragment path."),
    # facts §5 ("bad dialect 0x80338092, bad path 0x80338093, blank path 0x80338109"); names as in winerror.h
    ("ERROR_WSMAN_INVALID_FRAGMENT_DIALECT", 0x80338092, 2150858898, "The fragment dialect is invalid."),
    ("ERROR_WSMAN_INVALID_FRAGMENT_PATH", 0x80338093, 2150858899,
     "The fragment path is invalid; property names in it are case-sensitive."),
    ("ERROR_WSMAN_INVALID_HOSTNAME_PATTERN", 0x8033809F, 2150858911, "A TrustedHosts host name pattern is invalid."),
    ("ERROR_WSMAN_CREDS_PASSED_WITH_NO_AUTH_FLAG", 0x803380AB, 2150858923,
     "Credentials were given together with UseNoAuthentication."),
    ("ERROR_WSMAN_CLIENT_INVALID_FLAG", 0x803380AC, 2150858924, "A flag is not valid."),
    ("ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS", 0x803380AD, 2150858925, "More than one authentication flag was given."),
    ("ERROR_WSMAN_CLIENT_SPN_WRONG_AUTH", 0x803380AE, 2150858926,
     "EnableSPNServerPort is valid only with Negotiate or Kerberos."),
    ("ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED", 0x803380B0, 2150858928,
     "This authentication mechanism needs an explicit user name and password."),
    ("ERROR_WSMAN_CLIENT_CERT_UNNEEDED_USERNAME", 0x803380B1, 2150858929,
     "A user name cannot be given with client-certificate authentication."),
    ("ERROR_WSMAN_CLIENT_CREDENTIALS_NEEDED", 0x803380B2, 2150858930,
     "CredUsernamePassword was given but no credentials were supplied."),
    ("ERROR_WSMAN_CLIENT_CREDENTIALS_FLAG_NEEDED", 0x803380B3, 2150858931,
     "Credentials were supplied without the CredUsernamePassword flag."),
    ("ERROR_WSMAN_CLIENT_CERT_NEEDED", 0x803380B4, 2150858932, "Client-certificate authentication needs a certificate."),
    ("ERROR_WSMAN_CLIENT_LOCAL_INVALID_CREDS", 0x803380B8, 2150858936, "Credentials cannot be used for a local session."),
    ("ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS", 0x803380B9, 2150858937,
     "Connection options cannot be used for a local session."),
    ("ERROR_WSMAN_CLIENT_BLANK_URI", 0x803380BF, 2150858943, "The resource URI is blank."),
    ("ERROR_WSMAN_CLIENT_INVALID_RESOURCE_LOCATOR", 0x803380C0, 2150858944, "The resource locator is invalid."),
    ("ERROR_WSMAN_CLIENT_BLANK_INPUT_XML", 0x803380C1, 2150858945, "The input XML is blank."),
    ("ERROR_WSMAN_CLIENT_BATCH_ITEMS_TOO_SMALL", 0x803380C2, 2150858946, "BatchItems is too small."),
    ("ERROR_WSMAN_CLIENT_BLANK_ACTION_URI", 0x803380C4, 2150858948, "The action URI is blank."),
    ("ERROR_WSMAN_CLIENT_UNENCRYPTED_HTTP_ONLY", 0x803380D7, 2150858967, "NoEncryption applies only to HTTP."),
    ("ERROR_WSMAN_CANNOT_USE_CERTIFICATES_FOR_HTTP", 0x803380D8, 2150858968,
     "Client-certificate authentication needs HTTPS."),
    ("ERROR_WSMAN_CONNECTIONSTR_INVALID", 0x803380D9, 2150858969,
     "The connection string is invalid: use [http://|https://]host[:port][/prefix], IPv6 in brackets."),
    ("ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED", 0x803380DA, 2150858970, "The transport must be http or https."),
    ("ERROR_WSMAN_PORT_INVALID", 0x803380DB, 2150858971, "The port must be a number from 1 to 65535."),
    ("ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED", 0x803380DE, 2150858974,
     "Unencrypted traffic is disabled in the client configuration (AllowUnencrypted)."),
    ("ERROR_WSMAN_CLIENT_BASIC_AUTHENTICATION_DISABLED", 0x803380DF, 2150858975,
     "Basic authentication is disabled in the client configuration."),
    ("ERROR_WSMAN_CLIENT_DIGEST_AUTHENTICATION_DISABLED", 0x803380E0, 2150858976,
     "Digest authentication is disabled in the client configuration."),
    ("ERROR_WSMAN_CLIENT_NEGOTIATE_AUTHENTICATION_DISABLED", 0x803380E1, 2150858977,
     "Negotiate authentication is disabled in the client configuration."),
    ("ERROR_WSMAN_CLIENT_KERBEROS_AUTHENTICATION_DISABLED", 0x803380E2, 2150858978,
     "Kerberos authentication is disabled in the client configuration."),
    ("ERROR_WSMAN_CLIENT_CERTIFICATES_AUTHENTICATION_DISABLED", 0x803380E3, 2150858979,
     "Certificate authentication is disabled in the client configuration."),
    ("ERROR_WSMAN_SERVER_NOT_TRUSTED", 0x803380E4, 2150858980,
     "This authentication needs HTTPS or the destination in the client TrustedHosts list."),
    ("ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED", 0x803380E5, 2150858981,
     "Explicit credentials are required for this destination."),
    ("ERROR_WSMAN_CERT_INVALID_USAGE", 0x803380EE, 2150858990,
     "The server certificate is not valid for Server Authentication."),
    ("ERROR_WSMAN_INVALID_URI_WMI_SINGLETON", 0x803380FA, 2150859002,
     "Get without selectors works only for singleton classes; add the key selectors."),
    ("ERROR_WSMAN_INVALID_URI_WMI_ENUM_WQL", 0x803380FB, 2150859003,
     "A WQL enumeration needs a resource URI ending in /* and no selectors."),
    ("ERROR_WSMAN_NO_IDENTIFY_FOR_LOCAL_SESSION", 0x803380FC, 2150859004, "Identify is not available on a local session."),
    ("ERROR_WSMAN_ENUMERATE_WMI_INVALID_KEY", 0x80338108, 2150859016, "An enumeration resource URI must not contain keys."),
    ("ERROR_WSMAN_INVALID_FRAGMENT_PATH_BLANK", 0x80338109, 2150859017, "The fragment path is blank."),
    ("ERROR_WSMAN_KERBEROS_IPADDRESS", 0x8033810B, 2150859019, "Kerberos cannot be used with an IP address as destination."),
    ("ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS", 0x8033810C, 2150859020,
     "Kerberos with implicit credentials needs a domain-joined client."),
    ("ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST", 0x8033810E, 2150859022,
     "Kerberos (or default authentication) cannot be used with a localhost destination."),
    ("ERROR_WSMAN_HTTP_REQUEST_TOO_LARGE_STATUS", 0x80338111, 2150859025, "The request exceeds the service MaxEnvelopeSize."),
    ("ERROR_WSMAN_HTTP_SERVICE_UNAVAILABLE_STATUS", 0x80338112, 2150859026, "The connection was refused or the service is unavailable."),
    ("ERROR_WSMAN_HTTP_NOT_FOUND_STATUS", 0x80338113, 2150859027,
     "HTTP 404: wrong URL prefix, or not a WS-Management service."),
    ("ERROR_WSMAN_MAX_ELEMENTS_NOT_SUPPORTED", 0x8033811D, 2150859037, "The service does not support MaxElements."),
    ("ERROR_WSMAN_CLIENT_MULTIPLE_ENUM_MODE_FLAGS", 0x8033811F, 2150859039, "More than one enumeration mode flag was given."),
    ("ERROR_WSMAN_CANNOT_PROCESS_FILTER", 0x80338122, 2150859042, "The service cannot process the filter."),
    ("ERROR_WSMAN_NETWORK_TIMEDOUT", 0x80338126, 2150859046, "The network timed out: host unreachable or blocked by a firewall."),
    ("ERROR_WSMAN_POLYMORPHISM_MODE_UNSUPPORTED", 0x80338137, 2150859063,
     "The service does not support HierarchyShallow or HierarchyDeepBasePropsOnly."),
    ("ERROR_WSMAN_MULTIPLE_CREDENTIALS", 0x80338144, 2150859076, "A certificate and a user name/password were both given."),
    ("ERROR_WSMAN_AUTHENTICATION_INVALID_FLAG", 0x80338145, 2150859077, "The authentication flag is invalid."),
    ("ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_DEFAULT_AUTHENTICATION", 0x80338146, 2150859078,
     "Default authentication accepts only user name/password credentials."),
    ("ERROR_WSMAN_CLIENT_USERNAME_AND_PASSWORD_NEEDED", 0x80338147, 2150859079, "Both a user name and a password are needed."),
    ("ERROR_WSMAN_CERT_INVALID_USAGE_CLIENT", 0x80338155, 2150859093,
     "The client certificate is not valid for Client Authentication."),
    ("ERROR_WSMAN_CERT_MISSING_AUTH_FLAG", 0x80338156, 2150859094,
     "A client certificate was given without UseClientCertificate."),
    ("ERROR_WSMAN_CERT_MULTIPLE_CREDENTIALS_FLAG", 0x80338157, 2150859095,
     "UseClientCertificate cannot be combined with CredUsernamePassword."),
    ("ERROR_WSMAN_HTTP_STATUS_SERVER_ERROR", 0x80338170, 2150859120, "HTTP 500 without WS-Management fault detail."),
    ("ERROR_WSMAN_HTTP_STATUS_BAD_REQUEST", 0x80338171, 2150859121, "HTTP 400 without WS-Management fault detail."),
    ("ERROR_WSMAN_PROXY_AUTHENTICATION_INVALID_FLAG", 0x8033819A, 2150859162, "The proxy authentication mechanism is invalid."),
    ("ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION", 0x8033819B, 2150859163,
     "Proxy credentials need both a valid user name and a password."),
    ("ERROR_WSMAN_PROXY_ACCESS_TYPE", 0x8033819C, 2150859164, "The proxy access type must be exactly one value."),
    ("ERROR_WSMAN_INVALID_OPTION_NO_PROXY_SERVER", 0x8033819D, 2150859165,
     "ProxyNoProxyServer cannot be used with proxy credentials."),
    ("ERROR_WSMAN_CREDSSP_USERNAME_PASSWORD_NEEDED", 0x803381A1, 2150859169, "CredSSP needs an explicit user name and password."),
    ("ERROR_WSMAN_CLIENT_CREDSSP_AUTHENTICATION_DISABLED", 0x803381A2, 2150859170,
     "CredSSP authentication is disabled in the client configuration."),
    ("ERROR_WSMAN_CLIENT_ALLOWFRESHCREDENTIALS", 0x803381A3, 2150859171,
     "The AllowFreshCredentials policy does not allow delegating credentials to this host."),
    ("ERROR_WSMAN_PULL_PARAMS_NOT_SAME_AS_ENUM", 0x803381AD, 2150859181, "Pull parameters must equal those of the Enumerate."),
    ("ERROR_WSMAN_CANNOT_USE_ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS_FOR_HTTP", 0x803381B0, 2150859184,
     "AllowNegotiateImplicitCredentials is valid only over HTTPS."),
    ("ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_HTTP", 0x803381B1, 2150859185, "Proxy settings are valid only over HTTPS."),
    ("ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_KERBEROS", 0x803381B2, 2150859186, "Proxy settings cannot be used with Kerberos."),
    ("ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_CREDSSP", 0x803381B3, 2150859187, "Proxy settings cannot be used with CredSSP."),
    ("ERROR_WSMAN_CLIENT_MULTIPLE_PROXY_AUTH_FLAGS", 0x803381B4, 2150859188, "More than one proxy authentication flag was given."),
    ("ERROR_WSMAN_NAME_NOT_RESOLVED", 0x803381B9, 2150859193, "The host name could not be resolved (DNS)."),
    ("ERROR_WSMAN_SSL_CONNECTION_ABORTED", 0x803381BA, 2150859194, "The TLS handshake failed."),
    ("ERROR_WSMAN_DEFAULTAUTH_IPADDRESS", 0x803381BB, 2150859195,
     "Default authentication with an IP address needs HTTPS or TrustedHosts, and explicit credentials."),
    ("ERROR_WSMAN_INVALID_USESSL_PARAM", 0x803381BE, 2150859198, "UseSsl cannot be combined with an explicit http:// transport."),
    ("ERROR_WSMAN_MUTUAL_AUTH_FAILED", 0x803381F0, 2150859248, "The identity of the server could not be verified."),
    ("ERROR_WSMAN_DESTINATION_INVALID", 0x803381F8, 2150859256, "The destination must be a host name or IP address."),
    ("ERROR_WSMAN_UNSUPPORTED_FEATURE_IDENTIFY", 0x803381F9, 2150859257, "The service does not support Identify."),
    ("E_ACCESSDENIED", 0x80070005, 2147942405, "Access is denied."),
    # The WSManFault Code of w:AccessDenied (facts §9 E_ACCESSDENIED row: Sender / wsman:AccessDenied, a non-admin
    # account) is the Win32 error itself, ERROR_ACCESS_DENIED (winerror.h 5), not its HRESULT 0x80070005.
    ("ERROR_ACCESS_DENIED", 0x00000005, 5, "Access is denied: the account logged on but may not use the resource."),
    # Windows' "The parameter is incorrect": what the library raises for an argument of the wrong type or value where
    # no WinRM code fits (session properties, text XML cannot hold, task options the module refuses).
    ("E_INVALIDARG", 0x80070057, 2147942487, "The parameter is incorrect."),
    ("ERROR_TIMEOUT", 0x800705B4, 2147943860, "The operation timed out."),
)

#: Windows error name -> code (unsigned 32-bit).
ERROR_CODES = {name: hex_value for name, hex_value, _decimal, _text in ERROR_TABLE}
_NAMES = {hex_value: name for name, hex_value, _decimal, _text in ERROR_TABLE}
_TEXTS = {hex_value: text for _name, hex_value, _decimal, text in ERROR_TABLE}


def error_name(code):
    """The Windows error name of ``code`` (int, signed or unsigned 32-bit), or None if unknown."""
    try:
        value = int(code) & 0xFFFFFFFF
    except (TypeError, ValueError):
        return None
    return _NAMES.get(value)


def error_text(code):
    """A one-line explanation of ``code``, or None if the code is not in the table."""
    try:
        value = int(code) & 0xFFFFFFFF
    except (TypeError, ValueError):
        return None
    return _TEXTS.get(value)


def format_code(code):
    """``'<NAME> <decimal> / 0x<HEX>'`` (``'<decimal> / 0x<HEX>'`` for a code not in the table)."""
    value = int(code) & 0xFFFFFFFF
    name = _NAMES.get(value)
    text = '%d / 0x%08X' % (value, value)
    return '%s %s' % (name, text) if name else text


def _rebuild(cls, args, state):
    err = Exception.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class WSManError(Exception):
    """Base class of every error of the library.

    ``.code`` is the Windows error number (0 when there is none), ``.message`` the text.
    """

    def __init__(self, message, code=0):
        super().__init__(message)
        self.message = str(message)
        self.code = int(code) & 0xFFFFFFFF if code else 0

    @property
    def error_name(self):
        """The Windows error name of ``.code`` or None."""
        return error_name(self.code) if self.code else None

    def __str__(self):
        return self.message

    def __reduce__(self):
        # Picklable although subclasses take keyword arguments.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class WSManInvalidArgumentError(WSManError):
    """Client-side validation failed: nothing was sent.

    The message is built as ``"<problem> (<rule>, <ERROR_NAME> <decimal> / 0x<hex>). <fix>"``.
    ``code`` may be an int or an error name of :data:`ERROR_CODES`. ``.rule`` is the rule ID of
    the facts file (``"R1"`` ...) or None, ``.argument`` names the input that is wrong.
    """

    def __init__(self, message, code=0, rule=None, argument=None, fix=None):
        if isinstance(code, str):
            code = ERROR_CODES[code]
        problem = str(message).rstrip()
        if problem.endswith('.'):
            problem = problem[:-1]
        ref = [rule] if rule else []
        if code:
            ref.append(format_code(code))
        text = '%s (%s).' % (problem, ', '.join(ref)) if ref else problem + '.'
        if fix:
            text += ' ' + str(fix).strip()
        super().__init__(text, code)
        self.rule = rule
        self.argument = argument
        self.fix = fix


class WSManTransportError(WSManError):
    """The service could not be reached: connection refused, DNS, TLS, timeout or proxy failure."""

    def __init__(self, message, code=0, endpoint=None, http_status=None):
        super().__init__(message, code)
        self.endpoint = endpoint
        self.http_status = http_status


class WSManAuthenticationError(WSManTransportError):
    """The service refused the authentication (HTTP 401, refused credentials)."""


class WSManProtocolError(WSManError):
    """The service answered something that is not a valid WS-Management reply."""

    def __init__(self, message, code=0, endpoint=None, http_status=None):
        super().__init__(message, code)
        self.endpoint = endpoint
        self.http_status = http_status


class WSManFault(WSManError):
    """The service answered with a SOAP fault.

    ``.code`` (= ``.wsman_code``) is the WSManFault ``Code`` attribute (0 when the fault had none);
    ``.soap_code`` / ``.soap_subcode`` are the SOAP fault values (e.g. ``s:Sender`` /
    ``w:InvalidSelectors``), ``.reason`` the SOAP reason text, ``.machine`` / ``.fault_message`` /
    ``.provider`` / ``.provider_path`` / ``.provider_fault`` the WSManFault detail, ``.wmi_error``
    a dict of a WMI ``__ExtendedStatus``/``MSFT_WmiError`` or None, ``.fault_xml`` the raw fault.
    """

    FIELDS = ('soap_code', 'soap_subcode', 'reason', 'wsman_code', 'machine', 'fault_message', 'provider',
              'provider_path', 'provider_fault', 'wmi_error', 'http_status', 'endpoint', 'fault_xml')

    def __init__(self, message=None, code=0, soap_code=None, soap_subcode=None, reason=None, machine=None,
                 fault_message=None, provider=None, provider_path=None, provider_fault=None, wmi_error=None,
                 fault_xml=None, http_status=None, endpoint=None):
        if not message:
            message = self._summary(code, soap_subcode or soap_code, fault_message or reason, provider_fault, endpoint)
        super().__init__(message, code)
        self.soap_code = soap_code
        self.soap_subcode = soap_subcode
        self.reason = reason
        self.machine = machine
        self.fault_message = fault_message
        self.provider = provider
        self.provider_path = provider_path
        self.provider_fault = provider_fault
        self.wmi_error = wmi_error
        self.fault_xml = fault_xml
        self.http_status = http_status
        self.endpoint = endpoint

    @staticmethod
    def _summary(code, soap_code, text, provider_fault, endpoint):
        parts = ['WS-Management fault']
        if endpoint:
            parts.append('from %s' % endpoint)
        head = ' '.join(parts)
        details = []
        if code:
            details.append(format_code(code))
        if soap_code:
            details.append(str(soap_code))
        if details:
            head += ' (%s)' % ', '.join(details)
        body = (text or error_text(code) or 'no reason given').strip()
        if provider_fault and provider_fault.strip() and provider_fault.strip() not in body:
            body += ' Provider: %s' % provider_fault.strip()
        return '%s: %s' % (head, body)

    @property
    def wsman_code(self):
        """The WSManFault code (same as ``.code``)."""
        return self.code

    def to_dict(self):
        """The fault as a JSON-friendly dict (the ``wsman_fault`` of a task result)."""
        result = {'code': self.code, 'error_name': self.error_name, 'message': self.message}
        for field in self.FIELDS:
            result[field] = getattr(self, field)
        return result
