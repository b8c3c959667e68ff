# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Selector and association filters written as winrm.vbs writes them (facts §7.2).

``winrm e wmicimv2/Win32_Service -dialect:selector -filter:{State="Running"}``: the hash text is
turned into the same request as the dict form, and the lab endpoint filters as Windows does.
"""
# pylint: disable=redefined-outer-name

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.wsman.automation.plugins.module_utils._cim import instance_to_dict
from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions
from ansible_collections.wsman.automation.plugins.module_utils._enumerator import build_enumerate_request, parse_hash_filter
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._flags import EnumerationFlag
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import resolve_resource
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan
from ansible_collections.wsman.automation.plugins.module_utils._xml import etree
from ansible_collections.wsman.automation.tests.unit.lab_endpoint import start_lab

SERVICES = 60


@pytest.mark.parametrize('text, expected', [
    ('{State="Running"}', {'State': 'Running'}),
    ('@{State="Running"}', {'State': 'Running'}),
    ('  { State = "Running" ; StartMode = "Auto" ; }  ', {'State': 'Running', 'StartMode': 'Auto'}),
    ('{Name="a;b}c=d"}', {'Name': 'a;b}c=d'}),
    ('{Name=  spaced value  }', {'Name': 'spaced value'}),
    ('{Name=""}', {'Name': ''}),
    ('{Object=Win32_Service?Name=WinRM;ResultClassName=Win32_Service}',
     {'Object': 'Win32_Service?Name=WinRM', 'ResultClassName': 'Win32_Service'}),
])
def test_hash_text_is_parsed_as_winrm_vbs_does(text, expected):
    assert parse_hash_filter(text) == expected


@pytest.mark.parametrize('text', ['State="Running"', '<w:SelectorSet/>', 'SELECT * FROM Win32_Service', ''])
def test_other_text_is_not_a_hash(text):
    assert parse_hash_filter(text) is None


@pytest.mark.parametrize('text, reason', [
    ('{State="Running"', 'does not end with'),
    ('{State}', 'has no "="'),
    ('{="x"}', 'is not a name'),
    ('{Display Name="x"}', 'is not a name'),
    ('{State="Running}', 'no closing quote'),
    ('{State="Running" x}', 'unexpected'),
    ('{State=a;State=b}', 'given twice'),
    ('{ ; }', 'names nothing'),
])
def test_a_broken_hash_is_refused_with_the_input_and_the_fix(text, reason):
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_hash_filter(text)
    message = str(info.value)
    assert reason in message and repr(text) in message
    assert info.value.argument == 'filter'
    assert '{State="Running"}' in (info.value.fix or '')


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.from_regex(r'[A-Za-z_][A-Za-z0-9_:]{0,11}', fullmatch=True),
                       st.text(st.characters(blacklist_characters='"', blacklist_categories=('Cs', 'Cc')), max_size=20),
                       min_size=1, max_size=5))
def test_quoted_hash_round_trips(mapping):
    text = '{%s}' % ';'.join('%s="%s"' % item for item in mapping.items())
    assert parse_hash_filter(text) == mapping


def _filter_of(filter_value, dialect, flags=0, resource='wmicimv2/Win32_Service'):
    body = build_enumerate_request(resolve_resource(resource), filter_value, dialect, flags, 20)
    return body.find('{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}Filter')


@pytest.mark.parametrize('dialect, hash_text, mapping, resource', [
    ('selector', '{State="Running";StartMode="Auto"}', {'State': 'Running', 'StartMode': 'Auto'}, 'wmicimv2/Win32_Service'),
    ('association', '{Object=Win32_Service?Name=WinRM;ResultClassName=Win32_Service}',
     {'Object': 'wmicimv2/Win32_Service?Name=WinRM', 'ResultClassName': 'Win32_Service'}, 'wmicimv2/*'),
    ('association', '{Object=Win32_Service?Name=WinRM}', {'Object': 'Win32_Service?Name=WinRM'}, 'wmicimv2/*'),
])
def test_hash_text_sends_exactly_what_the_dict_sends(dialect, hash_text, mapping, resource):
    from_text = etree.tostring(_filter_of(hash_text, dialect, resource=resource))
    from_dict = etree.tostring(_filter_of(mapping, dialect, resource=resource))
    assert from_text == from_dict


def test_a_bare_class_in_object_is_in_the_namespace_of_the_resource():
    """winrm.vbs help: ``winrm e wmicimv2/* -dialect:Association -filter:{Object=Win32_Service?Name=WinRM;...}``."""
    flt = _filter_of('{Object=Win32_Service?Name=WinRM}', 'association', resource='wmicimv2/*')
    uri = flt.findtext('.//{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}ResourceURI')
    assert uri == 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'
    flt = _filter_of({'Object': 'Win32_Service?Name=WinRM'}, 'association', resource='wmi/root/standardcimv2/*')
    uri = flt.findtext('.//{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}ResourceURI')
    assert uri == 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/standardcimv2/Win32_Service'


def test_non_xml_text_flag_keeps_the_text_as_it_is():
    flt = _filter_of('{State="Running"}', 'selector', EnumerationFlag.NON_XML_TEXT)
    assert flt.text == '{State="Running"}' and len(flt) == 0


def test_wql_text_that_looks_like_a_hash_stays_wql():
    """Facts §7.1: a filter without a dialect is WQL (winrm.vbs); only the selector and association dialects read hashes."""
    flt = _filter_of('{State="Running"}', None)
    assert flt.get('Dialect') == 'http://schemas.microsoft.com/wbem/wsman/1/WQL' and flt.text == '{State="Running"}'


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    endpoint = start_lab(tmp_path_factory.mktemp('lab'), services=SERVICES, basic=True, allow_unencrypted=True)
    yield endpoint
    endpoint.stop()


def _session(lab):
    options = ConnectionOptions(username=lab.username, password=lab.password)
    return WSMan(ClientConfig(allow_unencrypted=True)).create_session(lab.http_url, 'UseBasic|CredUsernamePassword|NoEncryption', options)


def _names(session, *args, **kwargs):
    with session.enumerate(*args, **kwargs) as enumerator:
        return sorted(instance_to_dict(element)['Name'] for element in enumerator.iter_elements())


def test_lab_filters_a_selector_hash_like_the_dict(lab):
    with _session(lab) as session:
        running = _names(session, 'wmicimv2/Win32_Service', '{State="Running"}', 'selector')
        assert running == _names(session, 'wmicimv2/Win32_Service', {'State': 'Running'}, 'selector')
        everything = _names(session, 'wmicimv2/Win32_Service')
    assert 0 < len(running) < len(everything)


def test_lab_follows_an_association_hash_like_the_dict(lab):
    text = '{Object=Win32_Service?Name=WinRM;ResultClassName=Win32_Service}'  # winrm.vbs's help example, trimmed
    mapping = {'Object': 'wmicimv2/Win32_Service?Name=WinRM', 'ResultClassName': 'Win32_Service'}
    with _session(lab) as session:
        from_text = _names(session, 'wmicimv2/*', text, 'association')
        assert from_text == _names(session, 'wmicimv2/*', mapping, 'association')
    assert from_text


def test_a_broken_hash_sends_nothing(lab):
    before = lab.stats()['requests']
    with _session(lab) as session:
        with pytest.raises(WSManInvalidArgumentError, match='closing quote'):
            session.enumerate('wmicimv2/Win32_Service', '{State="Running}', 'selector')
    assert lab.stats()['requests'] == before
