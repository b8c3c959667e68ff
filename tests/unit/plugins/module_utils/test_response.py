# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judging replies: encodings, hardening, RelatesTo, faults (facts §9)."""

from __future__ import annotations

import codecs
import os

import pytest
from lxml import etree

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManFault, WSManProtocolError
from ansible_collections.wsman.automation.plugins.module_utils._response import check_response, first_body_child
from ansible_collections.wsman.automation.plugins.module_utils._xml import MAX_XML_BYTES, XMLParseError, decode_body, parse_xml

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')
MID = 'uuid:5B4E8B2A-3C1D-4E5F-8A9B-0C1D2E3F4A5B'
URL = 'http://server1:5985/wsman'
CT8 = 'application/soap+xml;charset=UTF-8'
CT16 = 'application/soap+xml;charset=UTF-16'

GET_RESPONSE = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">'
    '<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse</a:Action>'
    '<a:RelatesTo>{MID}</a:RelatesTo></s:Header>'
    '<s:Body><p:Win32_Service xmlns:p="urn:svc"><p:Name>Grüße ☃</p:Name></p:Win32_Service></s:Body></s:Envelope>')


def fixture(name, mid=MID):
    with open(os.path.join(FIXTURES, name), 'r', encoding='utf-8') as handle:
        return handle.read().replace('{MID}', mid).encode('utf-8')


def name_of(envelope):
    return first_body_child(envelope).findtext('{urn:svc}Name')


def test_ok_utf8():
    envelope = check_response(200, CT8, GET_RESPONSE.replace('{MID}', MID).encode(), MID, URL)
    assert name_of(envelope) == 'Grüße ☃'


@pytest.mark.parametrize('encoding, bom, content_type', [
    ('utf-16-le', codecs.BOM_UTF16_LE, CT16),
    ('utf-16-be', codecs.BOM_UTF16_BE, CT16),
    ('utf-16-le', b'', CT16),  # no BOM: charset says UTF-16, the bytes say little-endian
    ('utf-16-be', b'', CT16),
    ('utf-16-le', codecs.BOM_UTF16_LE, CT8),  # a BOM beats a wrong charset
    ('utf-8', codecs.BOM_UTF8, CT16),
    ('utf-16-le', b'', 'application/soap+xml;charset=utf-16le'),
])
def test_utf16_and_bom_variants(encoding, bom, content_type):
    text = '<?xml version="1.0" encoding="utf-16"?>' + GET_RESPONSE.replace('{MID}', MID)
    envelope = check_response(200, content_type, bom + text.encode(encoding), MID, URL)
    assert name_of(envelope) == 'Grüße ☃'


def test_relates_to_mismatch_is_a_protocol_error():
    body = GET_RESPONSE.replace('{MID}', 'uuid:00000000-0000-0000-0000-000000000001').encode()
    with pytest.raises(WSManProtocolError, match='relates to message') as info:
        check_response(200, CT8, body, MID, URL)
    assert info.value.endpoint == URL


def test_missing_relates_to_is_a_protocol_error():
    body = GET_RESPONSE.replace('<a:RelatesTo>{MID}</a:RelatesTo>', '').encode()
    with pytest.raises(WSManProtocolError, match='no wsa:RelatesTo'):
        check_response(200, CT8, body, MID, URL)
    # Identify has no MessageID; no RelatesTo is expected then
    assert check_response(200, CT8, body, None, URL) is not None


def test_windows_wsman_fault_with_provider_fault_and_wmi_error():
    with pytest.raises(WSManFault) as info:
        check_response(500, CT8, fixture('fault_wmi_provider.xml'), MID, URL)
    fault = info.value
    assert fault.code == fault.wsman_code == 2147749890
    assert fault.soap_code == 's:Receiver' and fault.soap_subcode == 'w:InternalError'
    assert fault.reason.startswith('The method StopService failed')
    assert fault.machine == 'server1.example.com'
    assert fault.provider == 'WMI Provider'
    assert fault.provider_path == r'%systemroot%\system32\WsmWmiPl.dll'
    assert fault.provider_fault == 'The service cannot accept control messages at this time.'
    assert fault.fault_message == fault.provider_fault
    assert fault.wmi_error == {'Description': None, 'Operation': 'ExecMethod', 'ParameterInfo': 'Win32_Service.Name="WinRM"',
                               'ProviderName': 'CIMWin32', 'StatusCode': None}
    assert fault.http_status == 500 and fault.endpoint == URL
    root = etree.fromstring(fault.fault_xml)
    assert root.tag == '{http://schemas.microsoft.com/wbem/wsman/1/wsmanfault}WSManFault'
    assert root.get('Code') == '2147749890'
    assert fault.to_dict()['provider'] == 'WMI Provider'


def test_windows_wsman_fault_plain():
    with pytest.raises(WSManFault) as info:
        check_response(500, CT8, fixture('fault_invalid_selectors.xml'), MID, URL)
    fault = info.value
    assert fault.code == 2150858843
    assert fault.error_name == 'ERROR_WSMAN_UNEXPECTED_SELECTORS'
    assert fault.soap_subcode == 'w:InvalidSelectors'
    assert fault.fault_message.startswith('The WS-Management service cannot process the request')
    assert fault.provider is None and fault.wmi_error is None
    assert 'ERROR_WSMAN_UNEXPECTED_SELECTORS' in str(fault)


def test_plain_soap_fault_other_prefixes_and_languages():
    with pytest.raises(WSManFault) as info:
        check_response(500, CT8, fixture('fault_soap_plain.xml'), MID, URL)
    fault = info.value
    # prefixes env:/wsen: are resolved by namespace and reported canonically
    assert fault.soap_code == 's:Receiver'
    assert fault.soap_subcode == 'n:InvalidEnumerationContext'
    assert fault.code == 0x8033801B  # mapped from the subcode (facts §9.2)
    assert fault.reason == 'The enumeration context is not valid.'  # English preferred
    assert fault.machine is None
    assert etree.fromstring(fault.fault_xml).tag == '{http://www.w3.org/2003/05/soap-envelope}Fault'


def test_fault_with_mismatched_relates_to_is_a_protocol_error():
    with pytest.raises(WSManProtocolError):
        check_response(500, CT8, fixture('fault_invalid_selectors.xml', 'uuid:other'), MID, URL)


@pytest.mark.parametrize('status, body, code', [
    (500, b'<html><body>Internal Server Error</body></html', 2150859120),
    (500, b'Service Unavailable', 2150859120),
    (500, b'', 2150859120),
    (400, b'Bad Request', 2150859121),
    (400, b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>', 2150859121),
    (200, b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>', 0),  # truncated
    (200, b'<Envelope/>', 0),
])
def test_non_wsman_replies(status, body, code):
    with pytest.raises(WSManProtocolError) as info:
        check_response(status, 'text/html', body, MID, URL)
    assert info.value.code == code
    assert info.value.http_status == status


def test_hardened_parser_refuses_entities_and_doctype():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b'<lolz>&lol2;</lolz>')
    with pytest.raises(XMLParseError, match='DOCTYPE'):
        parse_xml(bomb)
    xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'.encode('utf-16')
    with pytest.raises(XMLParseError, match='DOCTYPE'):
        parse_xml(xxe)
    with pytest.raises(WSManProtocolError):
        check_response(200, CT8, bomb, MID, URL)


def test_size_bound():
    with pytest.raises(XMLParseError, match='limit'):
        parse_xml(b'<a>' + b'x' * MAX_XML_BYTES + b'</a>')


def test_decode_body_refuses_bad_bytes():
    with pytest.raises(XMLParseError, match='UTF-8'):
        decode_body(b'<a>\xff\xfe\xfa</a>', CT8)
    with pytest.raises(XMLParseError, match='unknown charset'):
        decode_body(b'<a/>', 'text/xml; charset=klingon')
