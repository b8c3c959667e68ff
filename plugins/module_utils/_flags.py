# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The constants of the WinRM scripting API (facts §2) and a parser for flag values.

Each class is an :class:`enum.IntFlag` whose members carry the exact documented values:

* :class:`SessionFlag` - ``__WSManSessionFlags`` (flags of ``CreateSession``), facts §2.1;
* :class:`EnumerationFlag` - ``__WSManEnumFlags`` (flags of ``Session.Enumerate``), facts §2.2;
* :class:`ProxyAccessType` and :class:`ProxyAuthentication` - the ``SetProxy`` constants, facts §2.3.

:func:`parse_flags` turns what a user writes into an int: an integer, a string such as
``"UseBasic|CredUsernamePassword"`` or ``"0x40000, 4096"``, or a list of names and integers.
Names are accepted as Windows spells them (``WSManFlagUseBasic``, ``SessionFlagUseBasic``,
``UseBasic``) and in snake case (``use_basic``), case-insensitively.
"""

from __future__ import annotations

import enum
import re

from ._errors import WSManInvalidArgumentError


class SessionFlag(enum.IntFlag):
    """``__WSManSessionFlags`` - the flags of ``WSMan.CreateSession`` (facts §2.1)."""

    UTF8 = 0x1
    CRED_USERNAME_PASSWORD = 0x1000
    SKIP_CA_CHECK = 0x2000
    SKIP_CN_CHECK = 0x4000
    USE_NO_AUTHENTICATION = 0x8000
    USE_DIGEST = 0x10000
    USE_NEGOTIATE = 0x20000
    USE_BASIC = 0x40000
    USE_KERBEROS = 0x80000
    NO_ENCRYPTION = 0x100000
    USE_CLIENT_CERTIFICATE = 0x200000
    ENABLE_SPN_SERVER_PORT = 0x400000
    UTF16 = 0x800000
    USE_CRED_SSP = 0x1000000
    SKIP_REVOCATION_CHECK = 0x2000000
    ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS = 0x4000000
    USE_SSL = 0x8000000


class EnumerationFlag(enum.IntFlag):
    """``__WSManEnumFlags`` - the flags of ``Session.Enumerate`` (facts §2.2).

    ``RETURN_OBJECT``, ``HIERARCHY_DEEP`` and ``ASSOCIATED_INSTANCE`` are the zero-valued defaults
    of their groups.
    """

    RETURN_OBJECT = 0x0
    HIERARCHY_DEEP = 0x0
    ASSOCIATED_INSTANCE = 0x0
    NON_XML_TEXT = 0x1
    RETURN_EPR = 0x2
    RETURN_OBJECT_AND_EPR = 0x4
    HIERARCHY_SHALLOW = 0x20
    HIERARCHY_DEEP_BASE_PROPS_ONLY = 0x40
    ASSOCIATION_INSTANCE = 0x80


class ProxyAccessType(enum.IntFlag):
    """``WSManProxyAccessTypeFlags`` - the ``accessType`` of ``ConnectionOptions.SetProxy`` (facts §2.3)."""

    IE_CONFIG = 0x1
    WIN_HTTP_CONFIG = 0x2
    AUTO_DETECT = 0x4
    NO_PROXY_SERVER = 0x8


class ProxyAuthentication(enum.IntFlag):
    """``WSManProxyAuthenticationFlags`` - the proxy ``authenticationMechanism`` (facts §2.3)."""

    USE_NEGOTIATE = 0x1
    USE_BASIC = 0x2
    USE_DIGEST = 0x4


# Windows spelling of each member (without prefix), the prefixes Windows puts in front of it, and
# extra aliases (winrm.vbs command-line words).
_WINDOWS_NAMES = {
    SessionFlag: {
        'UTF8': 'UTF8',
        'CRED_USERNAME_PASSWORD': 'CredUsernamePassword',
        'SKIP_CA_CHECK': 'SkipCACheck',
        'SKIP_CN_CHECK': 'SkipCNCheck',
        'USE_NO_AUTHENTICATION': 'UseNoAuthentication',
        'USE_DIGEST': 'UseDigest',
        'USE_NEGOTIATE': 'UseNegotiate',
        'USE_BASIC': 'UseBasic',
        'USE_KERBEROS': 'UseKerberos',
        'NO_ENCRYPTION': 'NoEncryption',
        'USE_CLIENT_CERTIFICATE': 'UseClientCertificate',
        'ENABLE_SPN_SERVER_PORT': 'EnableSPNServerPort',
        'UTF16': 'UTF16',
        'USE_CRED_SSP': 'UseCredSsp',
        'SKIP_REVOCATION_CHECK': 'SkipRevocationCheck',
        'ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS': 'AllowNegotiateImplicitCredentials',
        'USE_SSL': 'UseSsl',
    },
    EnumerationFlag: {
        'RETURN_OBJECT': 'ReturnObject',
        'HIERARCHY_DEEP': 'HierarchyDeep',
        'ASSOCIATED_INSTANCE': 'AssociatedInstance',
        'NON_XML_TEXT': 'NonXmlText',
        'RETURN_EPR': 'ReturnEPR',
        'RETURN_OBJECT_AND_EPR': 'ReturnObjectAndEPR',
        'HIERARCHY_SHALLOW': 'HierarchyShallow',
        'HIERARCHY_DEEP_BASE_PROPS_ONLY': 'HierarchyDeepBasePropsOnly',
        'ASSOCIATION_INSTANCE': 'AssociationInstance',
    },
    ProxyAccessType: {
        'IE_CONFIG': 'IEConfig',
        'WIN_HTTP_CONFIG': 'WinHttpConfig',
        'AUTO_DETECT': 'AutoDetect',
        'NO_PROXY_SERVER': 'NoProxyServer',
    },
    ProxyAuthentication: {
        'USE_NEGOTIATE': 'UseNegotiate',
        'USE_BASIC': 'UseBasic',
        'USE_DIGEST': 'UseDigest',
    },
}

_PREFIXES = {
    SessionFlag: ('WSManFlag', 'SessionFlag'),
    EnumerationFlag: ('WSManFlag', 'EnumerationFlag'),
    ProxyAccessType: ('WSManProxy', 'Proxy'),
    ProxyAuthentication: ('WSManFlagProxyAuthentication', 'ProxyAuthentication'),
}

_ALIASES = {
    SessionFlag: {},
    EnumerationFlag: {},
    # winrm.vbs -proxyaccess: values
    ProxyAccessType: {'ie_settings': 'IE_CONFIG', 'winhttp_settings': 'WIN_HTTP_CONFIG', 'no_proxy': 'NO_PROXY_SERVER'},
    # winrm.vbs -proxyauth: values
    ProxyAuthentication: {'negotiate': 'USE_NEGOTIATE', 'basic': 'USE_BASIC', 'digest': 'USE_DIGEST'},
}

_KIND_WORDS = {
    SessionFlag: 'session flag',
    EnumerationFlag: 'enumeration flag',
    ProxyAccessType: 'proxy access type',
    ProxyAuthentication: 'proxy authentication flag',
}

_EXAMPLES = {
    SessionFlag: 'WSManFlagUseBasic, SessionFlagUseBasic, use_basic',
    EnumerationFlag: 'WSManFlagReturnEPR, EnumerationFlagReturnEPR, return_epr',
    ProxyAccessType: 'WSManProxyIEConfig, ProxyIEConfig, ie_config',
    ProxyAuthentication: 'WSManFlagProxyAuthenticationUseBasic, ProxyAuthenticationUseBasic, use_basic',
}

_SEPARATORS = re.compile(r'[|,\s]+')
_NUMBER = re.compile(r'^(?:0[xX][0-9a-fA-F]+|[0-9]+)$')


def _normalize(name):
    return name.replace('_', '').replace('-', '').lower()


def _build_lookup(kind):
    lookup = {}
    for member_name, windows in _WINDOWS_NAMES[kind].items():
        value = int(kind[member_name])
        lookup[_normalize(member_name)] = value
        lookup[_normalize(windows)] = value
        for prefix in _PREFIXES[kind]:
            lookup[_normalize(prefix + windows)] = value
    for alias, member_name in _ALIASES[kind].items():
        lookup[_normalize(alias)] = int(kind[member_name])
    return lookup


_LOOKUP = {kind: _build_lookup(kind) for kind in _WINDOWS_NAMES}
_MASK = {kind: sum(int(m) for m in kind) for kind in _WINDOWS_NAMES}


def windows_names(kind=SessionFlag):
    """The Windows names (without prefix) of the constants of ``kind``, in value order."""
    return list(_WINDOWS_NAMES[kind].values())


def flag_names(value, kind=SessionFlag):
    """The Windows names of the non-zero bits set in ``value`` (for messages and results)."""
    names = []
    for member_name, windows in _WINDOWS_NAMES[kind].items():
        bit = int(kind[member_name])
        if bit and value & bit == bit:
            names.append(windows)
    return names


def _invalid(kind, problem, argument):
    prefixes = '/'.join(_PREFIXES[kind])
    return WSManInvalidArgumentError(
        problem, 'ERROR_WSMAN_CLIENT_INVALID_FLAG', argument=argument,
        fix='Valid %s names: %s (also with the %s prefix or in snake case, e.g. %s), '
            'or a number made of these bits (valid bits 0x%X).'
            % (_KIND_WORDS[kind], ', '.join(windows_names(kind)), prefixes,
               _EXAMPLES[kind], _MASK[kind]))


def _check_int(number, kind, argument, shown):
    if number < 0:
        raise _invalid(kind, '%s: %s is not a valid %s value: it is negative' % (argument, shown, _KIND_WORDS[kind]), argument)
    unknown = number & ~_MASK[kind]
    if unknown:
        raise _invalid(kind, '%s: %s is not a valid %s value: bits 0x%X are no %s constants'
                       % (argument, shown, _KIND_WORDS[kind], unknown, _KIND_WORDS[kind]), argument)
    return number


def _parse_token(token, kind, argument):
    if _NUMBER.match(token):
        return _check_int(int(token, 0) if token[:2].lower() == '0x' else int(token, 10), kind, argument, repr(token))
    value = _LOOKUP[kind].get(_normalize(token))
    if value is None:
        raise _invalid(kind, '%s: unknown %s name %r' % (argument, _KIND_WORDS[kind], token), argument)
    return value


def parse_flags(value, kind=SessionFlag, argument='flags'):
    """Return the integer value of ``value`` for the constants class ``kind``.

    ``value`` may be None (0), an int (or a member of ``kind``), a string of names and decimal or
    hexadecimal numbers separated by ``|``, ``,`` or white space, or a list/tuple of such items.
    An unknown name or a number with bits that are no constant of ``kind`` raises
    :class:`WSManInvalidArgumentError` with ``ERROR_WSMAN_CLIENT_INVALID_FLAG``; the message
    names the offending input and lists the valid names. ``argument`` names the input in messages.
    """
    if kind not in _WINDOWS_NAMES:
        raise TypeError('kind must be one of SessionFlag, EnumerationFlag, ProxyAccessType, ProxyAuthentication')
    if value is None:
        return 0
    if isinstance(value, bool):
        raise _invalid(kind, '%s: a boolean (%r) is not a valid %s value' % (argument, value, _KIND_WORDS[kind]), argument)
    if isinstance(value, int):
        return _check_int(int(value), kind, argument, str(int(value)))
    if isinstance(value, str):
        result = 0
        for token in _SEPARATORS.split(value.strip()):
            if token:
                result |= _parse_token(token, kind, argument)
        return result
    if isinstance(value, (list, tuple, set, frozenset)):
        result = 0
        for item in value:
            result |= parse_flags(item, kind, argument)
        return result
    raise _invalid(kind, '%s: a value of type %s is not a valid %s value' % (argument, type(value).__name__, _KIND_WORDS[kind]),
                   argument)
