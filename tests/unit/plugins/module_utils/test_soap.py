# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request envelopes, compared as exclusive canonical XML with the MessageID normalized."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from ansible_collections.wsman.automation.plugins.module_utils._enumerator import build_enumerate_request
from ansible_collections.wsman.automation.plugins.module_utils._flags import EnumerationFlag
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import ACTION_ENUMERATE, ACTION_GET
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import ResourceLocator, resolve_resource
from ansible_collections.wsman.automation.plugins.module_utils._soap import (
    EnvelopeParams,
    build_envelope,
    build_identify,
    charset_for,
    format_timeout,
)

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')
ZERO_ID = 'uuid:00000000-0000-0000-0000-000000000000'
MESSAGE_ID = '{http://schemas.xmlsoap.org/ws/2004/08/addressing}MessageID'
PARAMS = EnvelopeParams('http://server1:5985/wsman', 60000, 153600, 'en-US', False)


def canonical(data):
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    for element in root.iter(MESSAGE_ID):
        element.text = ZERO_ID
    return etree.tostring(root, method='c14n', exclusive=True)


def expected(name):
    with open(os.path.join(FIXTURES, name), 'rb') as handle:
        return canonical(handle.read())


def test_get_envelope_matches_expected_and_keeps_hostile_selector_intact():
    locator = ResourceLocator('wmicimv2/Win32_Service')
    locator.add_selector('Name', '<a & \'b\' "c">')
    locator.add_selector('Other', 'x+y')
    locator.add_option('__cimnamespace', 'root/cimv2', must_comply=True)
    locator.add_option('Plain', 1)
    locator.must_understand_options = True
    locator.fragment_path = 'State/text()'
    data, message_id = build_envelope(ACTION_GET, locator, PARAMS)
    assert re.match(r'^uuid:[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$', message_id)
    assert etree.fromstring(data).findtext('.//' + MESSAGE_ID) == message_id
    assert canonical(data) == expected('envelope_get.xml')
    selector = etree.fromstring(data).find('.//{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}Selector')
    assert selector.text == '<a & \'b\' "c">'


def test_message_ids_are_unique():
    ids = {build_envelope(ACTION_GET, resolve_resource("wmi/x"), PARAMS)[1] for dummy in range(50)}
    assert len(ids) == 50


def test_enumerate_association_envelope():
    locator = resolve_resource('WMICIMV2/*')  # alias matched case-insensitively (facts §6.3)
    body = build_enumerate_request(
        locator,
        {'Object': 'wmicimv2/Win32_Service?Name=WinRM', 'association_class_name': 'Win32_DependentService',
         'ResultClassName': 'Win32_Service', 'Role': 'Dependent', 'ResultRole': 'Antecedent'},
        'association', EnumerationFlag.RETURN_OBJECT_AND_EPR, 7)
    params = EnvelopeParams('http://server1:5985/wsman', 1500, 512000, 'de-DE', False)
    data, _mid = build_envelope(ACTION_ENUMERATE, locator, params, body)
    assert canonical(data) == expected('envelope_enumerate_association.xml')


@pytest.mark.parametrize('ms, text', [(60000, 'PT60.000S'), (1500, 'PT1.500S'), (1, 'PT0.001S'), (3600000, 'PT3600.000S')])
def test_operation_timeout_format(ms, text):
    assert format_timeout(ms) == text


def test_utf16_envelope_has_bom_and_round_trips():
    locator = ResourceLocator('wmicimv2/Win32_Service')
    locator.add_selector('Name', 'Grüße')
    data, _mid = build_envelope(ACTION_GET, locator, PARAMS._replace(utf16=True))
    assert data[:2] == b'\xff\xfe'
    assert charset_for(True) == 'utf-16' and charset_for(False) == 'utf-8'
    text = data[2:].decode('utf-16-le')
    assert text.startswith('<?xml version="1.0" encoding="utf-16"?>')
    root = etree.fromstring(data)
    assert root.find('.//{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}Selector').text == 'Grüße'
    utf8, _mid = build_envelope(ACTION_GET, locator, PARAMS)
    assert canonical(utf8) == canonical(data)


def test_no_option_set_or_fragment_when_unused():
    data, _mid = build_envelope(ACTION_GET, resolve_resource('winrm/config'), PARAMS)
    root = etree.fromstring(data)
    header = root.find('{http://www.w3.org/2003/05/soap-envelope}Header')
    names = [etree.QName(child).localname for child in header]
    assert names == ['To', 'ReplyTo', 'Action', 'MessageID', 'MaxEnvelopeSize', 'Locale', 'OperationTimeout', 'ResourceURI']
    assert header.findtext('{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}ResourceURI') == \
        'http://schemas.microsoft.com/wbem/wsman/1/config'


def test_identify_envelope():
    root = etree.fromstring(build_identify())
    assert len(root.find('{http://www.w3.org/2003/05/soap-envelope}Header')) == 0
    body = root.find('{http://www.w3.org/2003/05/soap-envelope}Body')
    assert [child.tag for child in body] == ['{http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd}Identify']


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=('Cs', 'Cc'), blacklist_characters='\r') | st.sampled_from('\t\n<>&\'"'),
               max_size=40),
       st.booleans())
def test_any_selector_and_option_value_arrives_intact(value, utf16):
    """Values only ever become element text or attribute values, never markup."""
    locator = ResourceLocator('wmicimv2/Win32_Service')
    locator.add_selector('Name', value)
    locator.add_option('Opt', value)
    data, _mid = build_envelope(ACTION_GET, locator, PARAMS._replace(utf16=utf16))
    header = etree.fromstring(data).find('{http://www.w3.org/2003/05/soap-envelope}Header')
    selector = header.find('{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}SelectorSet')[0]
    option = header.find('{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}OptionSet')[0]
    assert (selector.text or '') == value and (option.text or '') == value
    assert len(selector) == 0 and len(option) == 0
