# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The error hierarchy and the Windows error-code table (facts §9)."""

from __future__ import annotations

import pickle

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    ERROR_CODES,
    ERROR_TABLE,
    WSManAuthenticationError,
    WSManError,
    WSManFault,
    WSManInvalidArgumentError,
    WSManProtocolError,
    WSManTransportError,
    error_name,
    format_code,
)
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan

# Decimal codes exactly as facts §9 lists them ("Client-side validation codes used in §3").
FACTS_DECIMALS = {
    'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS': 2150858925,
    'ERROR_WSMAN_CREDS_PASSED_WITH_NO_AUTH_FLAG': 2150858923,
    'ERROR_WSMAN_CLIENT_INVALID_FLAG': 2150858924,
    'ERROR_WSMAN_CLIENT_SPN_WRONG_AUTH': 2150858926,
    'ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED': 2150858928,
    'ERROR_WSMAN_CLIENT_CERT_UNNEEDED_USERNAME': 2150858929,
    'ERROR_WSMAN_CLIENT_CREDENTIALS_NEEDED': 2150858930,
    'ERROR_WSMAN_CLIENT_CREDENTIALS_FLAG_NEEDED': 2150858931,
    'ERROR_WSMAN_CLIENT_CERT_NEEDED': 2150858932,
    'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CREDS': 2150858936,
    'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS': 2150858937,
    'ERROR_WSMAN_CLIENT_BLANK_URI': 2150858943,
    'ERROR_WSMAN_CLIENT_INVALID_RESOURCE_LOCATOR': 2150858944,
    'ERROR_WSMAN_CLIENT_BLANK_INPUT_XML': 2150858945,
    'ERROR_WSMAN_CLIENT_BATCH_ITEMS_TOO_SMALL': 2150858946,
    'ERROR_WSMAN_CLIENT_BLANK_ACTION_URI': 2150858948,
    'ERROR_WSMAN_CLIENT_UNENCRYPTED_HTTP_ONLY': 2150858967,
    'ERROR_WSMAN_CANNOT_USE_CERTIFICATES_FOR_HTTP': 2150858968,
    'ERROR_WSMAN_CONNECTIONSTR_INVALID': 2150858969,
    'ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED': 2150858970,
    'ERROR_WSMAN_PORT_INVALID': 2150858971,
    'ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED': 2150858974,
    'ERROR_WSMAN_CLIENT_BASIC_AUTHENTICATION_DISABLED': 2150858975,
    'ERROR_WSMAN_CLIENT_DIGEST_AUTHENTICATION_DISABLED': 2150858976,
    'ERROR_WSMAN_CLIENT_NEGOTIATE_AUTHENTICATION_DISABLED': 2150858977,
    'ERROR_WSMAN_CLIENT_KERBEROS_AUTHENTICATION_DISABLED': 2150858978,
    'ERROR_WSMAN_CLIENT_CERTIFICATES_AUTHENTICATION_DISABLED': 2150858979,
    'ERROR_WSMAN_SERVER_NOT_TRUSTED': 2150858980,
    'ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED': 2150858981,
    'ERROR_WSMAN_NO_IDENTIFY_FOR_LOCAL_SESSION': 2150859004,
    'ERROR_WSMAN_KERBEROS_IPADDRESS': 2150859019,
    'ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS': 2150859020,
    'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST': 2150859022,
    'ERROR_WSMAN_MULTIPLE_CREDENTIALS': 2150859076,
    'ERROR_WSMAN_AUTHENTICATION_INVALID_FLAG': 2150859077,
    'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_DEFAULT_AUTHENTICATION': 2150859078,
    'ERROR_WSMAN_CLIENT_USERNAME_AND_PASSWORD_NEEDED': 2150859079,
    'ERROR_WSMAN_CERT_MISSING_AUTH_FLAG': 2150859094,
    'ERROR_WSMAN_CERT_MULTIPLE_CREDENTIALS_FLAG': 2150859095,
    'ERROR_WSMAN_PROXY_AUTHENTICATION_INVALID_FLAG': 2150859162,
    'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION': 2150859163,
    'ERROR_WSMAN_PROXY_ACCESS_TYPE': 2150859164,
    'ERROR_WSMAN_INVALID_OPTION_NO_PROXY_SERVER': 2150859165,
    'ERROR_WSMAN_CREDSSP_USERNAME_PASSWORD_NEEDED': 2150859169,
    'ERROR_WSMAN_CLIENT_CREDSSP_AUTHENTICATION_DISABLED': 2150859170,
    'ERROR_WSMAN_CANNOT_USE_ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS_FOR_HTTP': 2150859184,
    'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_HTTP': 2150859185,
    'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_KERBEROS': 2150859186,
    'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_CREDSSP': 2150859187,
    'ERROR_WSMAN_CLIENT_MULTIPLE_PROXY_AUTH_FLAGS': 2150859188,
    'ERROR_WSMAN_DEFAULTAUTH_IPADDRESS': 2150859195,
    'ERROR_WSMAN_INVALID_USESSL_PARAM': 2150859198,
    'ERROR_WSMAN_DESTINATION_INVALID': 2150859256,
    # §9.2 table rows (a sample across the range)
    'ERROR_WSMAN_RESOURCE_NOT_FOUND': 2150858752,
    'ERROR_WSMAN_DESTINATION_UNREACHABLE': 2150858770,
    'ERROR_WSMAN_ENUMERATE_TIMED_OUT': 2150858780,
    'ERROR_WSMAN_INVALID_URI_WMI_SINGLETON': 2150859002,
    'ERROR_WSMAN_POLYMORPHISM_MODE_UNSUPPORTED': 2150859063,
    'ERROR_WSMAN_HTTP_STATUS_BAD_REQUEST': 2150859121,
    'ERROR_WSMAN_MUTUAL_AUTH_FAILED': 2150859248,
    'E_ACCESSDENIED': 2147942405,
}

# Hex codes facts §3/§9 give in the prose (the long names).
FACTS_HEX = {
    'ERROR_WSMAN_PORT_INVALID': 0x803380DB,
    'ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED': 0x803380DA,
    'ERROR_WSMAN_CERT_INVALID_USAGE': 0x803380EE,
    'ERROR_WSMAN_INVALID_USESSL_PARAM': 0x803381BE,
    'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS': 0x803380AD,
    'ERROR_WSMAN_KERBEROS_IPADDRESS': 0x8033810B,
    'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST': 0x8033810E,
    'ERROR_WSMAN_CLIENT_ALLOWFRESHCREDENTIALS': 0x803381A3,
    'ERROR_WSMAN_INVALID_HOSTNAME_PATTERN': 0x8033809F,
    'ERROR_WSMAN_CHARACTER_SET': 0x8033804C,
    'ERROR_WSMAN_MISSING_FRAGMENT_PATH': 0x80338091,
    'ERROR_WSMAN_OPTIONS_NOT_SUPPORTED': 0x80338051,
    'ERROR_WSMAN_ENUMERATE_WMI_INVALID_KEY': 0x80338108,
    'ERROR_WSMAN_CLIENT_MULTIPLE_ENUM_MODE_FLAGS': 0x8033811F,
    'ERROR_WSMAN_PULL_PARAMS_NOT_SAME_AS_ENUM': 0x803381AD,
    'ERROR_WSMAN_ENUMERATION_INVALID': 0x80338084,
    'ERROR_WSMAN_MAX_ELEMENTS_NOT_SUPPORTED': 0x8033811D,
    'ERROR_WSMAN_UNSUPPORTED_FEATURE_IDENTIFY': 0x803381F9,
    'ERROR_WSMAN_CERT_INVALID_USAGE_CLIENT': 0x80338155,
    'ERROR_TIMEOUT': 0x800705B4,
}


@pytest.mark.parametrize('name, hex_value, decimal, text', ERROR_TABLE, ids=[row[0] for row in ERROR_TABLE])
def test_table_hex_equals_decimal(name, hex_value, decimal, text):
    assert hex_value == decimal, '%s: 0x%X != %d' % (name, hex_value, decimal)
    assert ERROR_CODES[name] == decimal
    assert error_name(decimal) == name
    assert text and text.endswith('.')


def test_table_has_no_duplicates():
    names = [row[0] for row in ERROR_TABLE]
    codes = [row[1] for row in ERROR_TABLE]
    assert len(names) == len(set(names))
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize('name, decimal', sorted(FACTS_DECIMALS.items()))
def test_facts_decimal_codes_are_in_table(name, decimal):
    assert ERROR_CODES[name] == decimal


@pytest.mark.parametrize('name, hex_value', sorted(FACTS_HEX.items()))
def test_facts_hex_codes_are_in_table(name, hex_value):
    assert ERROR_CODES[name] == hex_value


def test_error_name_signed_and_unknown():
    assert error_name(-2144108526) == 'ERROR_WSMAN_DESTINATION_UNREACHABLE'  # signed HRESULT of 0x80338012
    assert error_name(0x80330000) is None
    assert error_name('nonsense') is None
    assert error_name(None) is None


def test_format_code():
    assert format_code(2150858969) == 'ERROR_WSMAN_CONNECTIONSTR_INVALID 2150858969 / 0x803380D9'
    assert format_code(0x12345678) == '305419896 / 0x12345678'


def test_invalid_argument_message_shape():
    err = WSManInvalidArgumentError('flags: UseBasic and UseNegotiate together', 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS',
                                    rule='R1', argument='flags', fix='Keep one of them.')
    assert str(err) == ('flags: UseBasic and UseNegotiate together (R1, ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS 2150858925 / '
                        '0x803380AD). Keep one of them.')
    assert err.code == 2150858925
    assert err.rule == 'R1'
    assert err.argument == 'flags'
    assert err.error_name == 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS'
    assert isinstance(err, WSManError)


def test_invalid_argument_without_code():
    err = WSManInvalidArgumentError('timeout: must be positive.', fix='Give milliseconds.')
    assert str(err) == 'timeout: must be positive. Give milliseconds.'
    assert err.code == 0
    assert err.error_name is None


def test_invalid_argument_unknown_name_is_a_programming_error():
    made = []
    with pytest.raises(KeyError):
        made.append(WSManInvalidArgumentError('x', 'ERROR_NOT_A_NAME'))
    assert not made


def test_transport_and_authentication_errors():
    err = WSManAuthenticationError('HTTP 401 from https://h:5986/wsman', 2147942405, endpoint='https://h:5986/wsman', http_status=401)
    assert isinstance(err, WSManTransportError)
    assert err.http_status == 401
    assert err.endpoint == 'https://h:5986/wsman'
    assert err.error_name == 'E_ACCESSDENIED'
    proto = WSManProtocolError('not XML', endpoint='http://h:5985/wsman', http_status=500)
    assert proto.code == 0 and proto.http_status == 500


def test_fault_fields_and_to_dict():
    fault = WSManFault(code=2150858752, soap_code='s:Sender', soap_subcode='w:InvalidSelectors', reason='No instance.',
                       machine='srv1', fault_message='The WS-Management service cannot process the request.',
                       provider='WMI Provider', provider_path='%systemroot%\\system32\\WsmWmiPl.dll', provider_fault='Not found',
                       wmi_error={'error_code': 2150858752}, fault_xml='<f:WSManFault/>', http_status=500,
                       endpoint='http://srv1:5985/wsman')
    assert fault.wsman_code == fault.code == 2150858752
    assert 'ERROR_WSMAN_RESOURCE_NOT_FOUND' in str(fault)
    assert 'http://srv1:5985/wsman' in str(fault)
    data = fault.to_dict()
    assert data['code'] == 2150858752
    assert data['error_name'] == 'ERROR_WSMAN_RESOURCE_NOT_FOUND'
    for field in ('soap_code', 'soap_subcode', 'reason', 'wsman_code', 'machine', 'fault_message', 'provider',
                  'provider_path', 'provider_fault', 'wmi_error', 'fault_xml', 'http_status', 'endpoint'):
        assert field in data
    assert data['soap_subcode'] == 'w:InvalidSelectors'


def test_fault_without_detail_has_a_readable_message():
    fault = WSManFault(soap_code='s:Receiver')
    assert str(fault).startswith('WS-Management fault')
    assert fault.code == 0


@pytest.mark.parametrize('err', [
    WSManInvalidArgumentError('flags: bad', 'ERROR_WSMAN_CLIENT_INVALID_FLAG', rule='R27', argument='flags'),
    WSManTransportError('refused', 2150859026, endpoint='http://h:5985/wsman'),
    WSManAuthenticationError('401', endpoint='http://h:5985/wsman', http_status=401),
    WSManFault(code=2150858752, machine='m', endpoint='http://h:5985/wsman'),
], ids=['invalid', 'transport', 'auth', 'fault'])
def test_errors_pickle_round_trip(err):
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert copy.code == err.code
    assert copy.__dict__ == err.__dict__


@pytest.mark.parametrize('value, expected', [
    (2150858770, 'ERROR_WSMAN_DESTINATION_UNREACHABLE (2150858770 / 0x80338012): '),
    ('2150858770', 'ERROR_WSMAN_DESTINATION_UNREACHABLE (2150858770 / 0x80338012): '),
    ('0x80338012', 'ERROR_WSMAN_DESTINATION_UNREACHABLE (2150858770 / 0x80338012): '),
    ('0X80338012', 'ERROR_WSMAN_DESTINATION_UNREACHABLE (2150858770 / 0x80338012): '),
    (-2144108526, 'ERROR_WSMAN_DESTINATION_UNREACHABLE (2150858770 / 0x80338012): '),
    (' -2144108526 ', 'ERROR_WSMAN_DESTINATION_UNREACHABLE (2150858770 / 0x80338012): '),
    (0x80070005, 'E_ACCESSDENIED (2147942405 / 0x80070005): Access is denied.'),
    (0x80330001, 'Unknown error 2150825985 (0x80330001)'),
])
def test_get_error_message(value, expected):
    assert WSMan.get_error_message(value).startswith(expected)


@pytest.mark.parametrize('value', ['abc', '0x', '', '0x1FFFFFFFF', 2 ** 40, True, 1.5, None])
def test_get_error_message_rejects_non_numbers(value):
    with pytest.raises(WSManInvalidArgumentError) as info:
        WSMan.get_error_message(value)
    assert info.value.argument == 'code'
