# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Flag constants (facts §2) and parse_flags."""

from __future__ import annotations

import enum

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._flags import (
    EnumerationFlag,
    ProxyAccessType,
    ProxyAuthentication,
    SessionFlag,
    flag_names,
    parse_flags,
    windows_names,
)

INVALID_FLAG = 2150858924

# facts §2.1: (Windows name, member, hex, decimal)
SESSION_FLAGS = [
    ('UTF8', 'UTF8', 0x1, 1),
    ('CredUsernamePassword', 'CRED_USERNAME_PASSWORD', 0x1000, 4096),
    ('SkipCACheck', 'SKIP_CA_CHECK', 0x2000, 8192),
    ('SkipCNCheck', 'SKIP_CN_CHECK', 0x4000, 16384),
    ('UseNoAuthentication', 'USE_NO_AUTHENTICATION', 0x8000, 32768),
    ('UseDigest', 'USE_DIGEST', 0x10000, 65536),
    ('UseNegotiate', 'USE_NEGOTIATE', 0x20000, 131072),
    ('UseBasic', 'USE_BASIC', 0x40000, 262144),
    ('UseKerberos', 'USE_KERBEROS', 0x80000, 524288),
    ('NoEncryption', 'NO_ENCRYPTION', 0x100000, 1048576),
    ('UseClientCertificate', 'USE_CLIENT_CERTIFICATE', 0x200000, 2097152),
    ('EnableSPNServerPort', 'ENABLE_SPN_SERVER_PORT', 0x400000, 4194304),
    ('UTF16', 'UTF16', 0x800000, 8388608),
    ('UseCredSsp', 'USE_CRED_SSP', 0x1000000, 16777216),
    ('SkipRevocationCheck', 'SKIP_REVOCATION_CHECK', 0x2000000, 33554432),
    ('AllowNegotiateImplicitCredentials', 'ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS', 0x4000000, 67108864),
    ('UseSsl', 'USE_SSL', 0x8000000, 134217728),
]

# facts §2.2
ENUMERATION_FLAGS = [
    ('NonXmlText', 'NON_XML_TEXT', 0x1),
    ('ReturnObject', 'RETURN_OBJECT', 0x0),
    ('ReturnEPR', 'RETURN_EPR', 0x2),
    ('ReturnObjectAndEPR', 'RETURN_OBJECT_AND_EPR', 0x4),
    ('HierarchyDeep', 'HIERARCHY_DEEP', 0x0),
    ('HierarchyShallow', 'HIERARCHY_SHALLOW', 0x20),
    ('HierarchyDeepBasePropsOnly', 'HIERARCHY_DEEP_BASE_PROPS_ONLY', 0x40),
    ('AssociatedInstance', 'ASSOCIATED_INSTANCE', 0x0),
    ('AssociationInstance', 'ASSOCIATION_INSTANCE', 0x80),
]

# facts §2.3
PROXY_ACCESS = [('IEConfig', 'IE_CONFIG', 1), ('WinHttpConfig', 'WIN_HTTP_CONFIG', 2), ('AutoDetect', 'AUTO_DETECT', 4),
                ('NoProxyServer', 'NO_PROXY_SERVER', 8)]
PROXY_AUTH = [('UseNegotiate', 'USE_NEGOTIATE', 1), ('UseBasic', 'USE_BASIC', 2), ('UseDigest', 'USE_DIGEST', 4)]


def _snake(member):
    return member.lower()


@pytest.mark.parametrize('windows, member, hex_value, decimal', SESSION_FLAGS)
def test_session_flag_values(windows, member, hex_value, decimal):
    assert hex_value == decimal
    assert int(SessionFlag[member]) == hex_value
    assert issubclass(SessionFlag, enum.IntFlag)


def test_session_flag_has_exactly_the_documented_members():
    assert sorted(m.name for m in SessionFlag) == sorted(row[1] for row in SESSION_FLAGS)
    assert SessionFlag.USE_BASIC == 0x40000


@pytest.mark.parametrize('windows, member, value', ENUMERATION_FLAGS)
def test_enumeration_flag_values(windows, member, value):
    assert int(EnumerationFlag[member]) == value


@pytest.mark.parametrize('windows, member, value', PROXY_ACCESS)
def test_proxy_access_values(windows, member, value):
    assert int(ProxyAccessType[member]) == value


@pytest.mark.parametrize('windows, member, value', PROXY_AUTH)
def test_proxy_auth_values(windows, member, value):
    assert int(ProxyAuthentication[member]) == value


@pytest.mark.parametrize('windows, member, hex_value, decimal', SESSION_FLAGS)
@pytest.mark.parametrize('spelling', ['{w}', 'WSManFlag{w}', 'SessionFlag{w}', '{snake}', '{upper}', 'wsmanflag{lw}', '{lw}'])
def test_parse_session_flag_spellings(windows, member, hex_value, decimal, spelling):
    text = spelling.format(w=windows, snake=_snake(member), upper=member, lw=windows.lower())
    assert parse_flags(text) == hex_value


@pytest.mark.parametrize('windows, member, value', ENUMERATION_FLAGS)
@pytest.mark.parametrize('spelling', ['{w}', 'WSManFlag{w}', 'EnumerationFlag{w}', '{snake}'])
def test_parse_enumeration_flag_spellings(windows, member, value, spelling):
    text = spelling.format(w=windows, snake=_snake(member))
    assert parse_flags(text, EnumerationFlag) == value


@pytest.mark.parametrize('windows, member, value', PROXY_ACCESS)
@pytest.mark.parametrize('spelling', ['{w}', 'WSManProxy{w}', 'Proxy{w}', '{snake}'])
def test_parse_proxy_access_spellings(windows, member, value, spelling):
    assert parse_flags(spelling.format(w=windows, snake=_snake(member)), ProxyAccessType) == value


@pytest.mark.parametrize('windows, member, value', PROXY_AUTH)
@pytest.mark.parametrize('spelling', ['{w}', 'WSManFlagProxyAuthentication{w}', 'ProxyAuthentication{w}', '{snake}'])
def test_parse_proxy_auth_spellings(windows, member, value, spelling):
    assert parse_flags(spelling.format(w=windows, snake=_snake(member)), ProxyAuthentication) == value


@pytest.mark.parametrize('text, kind, value', [
    ('ie_settings', ProxyAccessType, 1), ('winhttp_settings', ProxyAccessType, 2), ('auto_detect', ProxyAccessType, 4),
    ('no_proxy', ProxyAccessType, 8), ('basic', ProxyAuthentication, 2), ('digest', ProxyAuthentication, 4),
    ('negotiate', ProxyAuthentication, 1),
])
def test_parse_winrm_vbs_proxy_words(text, kind, value):
    assert parse_flags(text, kind) == value


@pytest.mark.parametrize('value, expected', [
    (None, 0),
    (0, 0),
    ('', 0),
    ('  ', 0),
    (262144, 0x40000),
    (SessionFlag.USE_BASIC | SessionFlag.CRED_USERNAME_PASSWORD, 0x41000),
    ('UseBasic|CredUsernamePassword', 0x41000),
    ('UseBasic | CredUsernamePassword', 0x41000),
    ('UseBasic,CredUsernamePassword', 0x41000),
    ('UseBasic CredUsernamePassword', 0x41000),
    ('UseBasic|4096', 0x41000),
    ('0x40000|0x1000', 0x41000),
    ('0X40000, 4096', 0x41000),
    ('262144', 0x40000),
    (['use_basic', 'cred_username_password'], 0x41000),
    (['UseBasic', 4096], 0x41000),
    (('WSManFlagUseBasic', 'SessionFlagCredUserNamePassword'), 0x41000),
    (['UseBasic|UseSsl', 'cred-username-password'], 0x8041000),
    ('UseBasic|UseBasic', 0x40000),
    ('usessl', 0x8000000),
])
def test_parse_flags_forms(value, expected):
    assert parse_flags(value) == expected


def test_parse_flags_returns_plain_int():
    assert type(parse_flags('UseBasic')) is int  # pylint: disable=unidiomatic-typecheck


@pytest.mark.parametrize('value, shown', [
    ('UseFoo', "'UseFoo'"),
    ('UseBasic|Bogus', "'Bogus'"),
    (['use_basic', 'nope'], "'nope'"),
    ('WSManFlagReturnEPR', "'WSManFlagReturnEPR'"),  # an enumeration flag is no session flag
    (0x2, '2'),
    (0x10000000, '268435456'),
    (-1, '-1'),
    ('0x3', "'0x3'"),
    (True, 'True'),
    (1.5, 'float'),
    ({'UseBasic': True}, 'dict'),
])
def test_parse_flags_invalid(value, shown):
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_flags(value)
    err = info.value
    assert err.code == INVALID_FLAG
    assert err.error_name == 'ERROR_WSMAN_CLIENT_INVALID_FLAG'
    assert err.argument == 'flags'
    assert shown in str(err)
    assert 'UseBasic' in str(err) and 'CredUsernamePassword' in str(err)  # lists the valid names
    assert '2150858924 / 0x803380AC' in str(err)


def test_parse_flags_invalid_enumeration_lists_enumeration_names():
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_flags('UseBasic', EnumerationFlag)
    assert 'ReturnEPR' in str(info.value)
    assert 'enumeration flag' in str(info.value)
    with pytest.raises(WSManInvalidArgumentError):
        parse_flags(0x8, EnumerationFlag)


def test_parse_flags_custom_argument_name():
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_flags('x', EnumerationFlag, argument='enumeration_flags')
    assert info.value.argument == 'enumeration_flags'
    assert str(info.value).startswith('enumeration_flags:')


def test_parse_flags_rejects_unknown_kind():
    with pytest.raises(TypeError):
        parse_flags(1, kind=int)


def test_flag_names_and_windows_names():
    assert flag_names(0x41000) == ['CredUsernamePassword', 'UseBasic']
    assert flag_names(0x22, EnumerationFlag) == ['ReturnEPR', 'HierarchyShallow']
    assert windows_names(ProxyAccessType) == ['IEConfig', 'WinHttpConfig', 'AutoDetect', 'NoProxyServer']
    assert len(windows_names(SessionFlag)) == 17


_TOKENS = st.sampled_from(['UseBasic', 'use_basic', 'WSManFlagUseSsl', 'SessionFlagUTF8', '0x1000', '4096', '0x', 'x', '|', ',',
                           ' ', '-', '_', '0', '99999999999999999999', 'ReturnEPR', '\u00e9'])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_TOKENS, max_size=12).map(''.join), st.integers(),
                 st.lists(st.one_of(st.integers(min_value=-5, max_value=2 ** 28), st.text(max_size=10)), max_size=4)),
       st.sampled_from([SessionFlag, EnumerationFlag, ProxyAccessType, ProxyAuthentication]))
def test_parse_flags_gives_valid_int_or_invalid_flag_error(value, kind):
    try:
        result = parse_flags(value, kind)
    except WSManInvalidArgumentError as err:
        assert err.code == INVALID_FLAG
        return
    assert isinstance(result, int) and result >= 0
    assert result & ~sum(int(member) for member in kind) == 0
