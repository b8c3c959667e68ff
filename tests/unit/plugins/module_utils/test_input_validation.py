# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad user input becomes a WSManInvalidArgumentError naming the input, before any I/O.

Covers text XML 1.0 cannot hold (C0 controls but tab/LF/CR, unpaired surrogates, U+FFFE/U+FFFF),
non-string resource URIs and class names, list/None selector values, non-scalar option values and
non-finite numbers. The Session cases use a session to a closed loopback port: a transport error
there would mean the validation came too late.
"""

from __future__ import annotations

import pytest

from ansible_collections.wsman.automation.plugins.module_utils import _wsman_calls
from ansible_collections.wsman.automation.plugins.module_utils._cim import dict_to_instance, instance_to_dict
from ansible_collections.wsman.automation.plugins.module_utils._enumerator import build_enumerate_request
from ansible_collections.wsman.automation.plugins.module_utils._errors import ERROR_CODES, WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._xml import xml_text
from ansible_collections.wsman.automation.plugins.module_utils.wsman import (
    ClientConfig,
    ConnectionOptions,
    ResourceLocator,
    WSMan,
)

URI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'
BAD_CHARS = ['\x00', '\x01', '\x08', '\x0b', '\x0c', '\x0e', '\x1f', '\ud800', '\udfff', '\ufffe', '\uffff']


def _fragment_locator():
    locator = ResourceLocator('wmicimv2/Win32_Service')
    locator.add_selector('Name', 'WinRM')
    locator.fragment_path = 'StartMode'
    return locator


def _codepoint(char):
    return 'U+%04X' % ord(char)


@pytest.fixture(scope='module')
def session():
    wsman = WSMan(ClientConfig(allow_unencrypted=True))
    sess = wsman.create_session('http://127.0.0.1:9', 'UseBasic|CredUsernamePassword|NoEncryption',
                                ConnectionOptions(username='u', password='p'))
    yield sess
    close = getattr(sess, 'close', None)
    if close is not None:
        close()


@pytest.mark.parametrize('char', BAD_CHARS)
def test_xml_text_names_argument_character_and_position(char):
    with pytest.raises(WSManInvalidArgumentError) as info:
        xml_text('ab' + char + 'c', 'thing')
    message = str(info.value)
    assert info.value.argument == 'thing'
    assert 'thing' in message and _codepoint(char) in message and 'position 2' in message
    assert 'Remove' in message


@pytest.mark.parametrize('text', ['', 'plain', 'tab\tLF\nCR\r', '\u00e9\u4e2d\U0001f600', '\ud7ff\ue000\ufffd'])
def test_xml_text_accepts_every_xml_character(text):
    assert xml_text(text, 'thing') == text


@pytest.mark.parametrize('char', BAD_CHARS)
@pytest.mark.parametrize('call, argument', [
    (lambda c: ResourceLocator().add_selector('Name', 'x' + c), 'selectors.Name'),
    (lambda c: ResourceLocator().add_selector('x' + c, 'v'), 'selectors'),
    (lambda c: ResourceLocator().add_option('Opt', 'v' + c), 'option_set.Opt'),
    (lambda c: ResourceLocator().add_option('O' + c, 'v'), 'option_set'),
    (lambda c: ResourceLocator('wmicimv2/Win32' + c), 'resource_uri'),
    (lambda c: setattr(ResourceLocator('wmicimv2/X'), 'fragment_path', 'Name' + c), 'fragment'),
    (lambda c: ResourceLocator().add_selector('Ref', {'resource_uri': URI, 'selectors': {'Name': c}}), 'selectors.Name'),
    (lambda c: dict_to_instance(URI, 'Win32_Service', {'Name': 'a' + c}), 'Name'),
    (lambda c: dict_to_instance(URI, 'Win32_Service', {'N' + c: 'a'}), 'N{c}'),
    (lambda c: dict_to_instance(URI, 'Win32_Service', {'List': ['ok', 'a' + c]}), 'List'),
    (lambda c: dict_to_instance(URI, 'Win32_Service', {'Emb': {'Inner': c}}), 'Inner'),
    (lambda c: dict_to_instance(URI + c, 'Win32_Service', {}), 'resource_uri'),
    (lambda c: dict_to_instance(URI, 'Win32' + c, {}), 'class_name'),
    (lambda c: instance_to_dict('<a>' + c + '</a>'), 'xml'),
    (lambda c: build_enumerate_request(ResourceLocator('wmicimv2/*'), 'SELECT * FROM X' + c, None, 0, 20), 'filter'),
    (lambda c: build_enumerate_request(ResourceLocator('wmicimv2/*'), {'State': c}, None, 0, 20), 'selectors.State'),
    (lambda c: build_enumerate_request(ResourceLocator('wmicimv2/*'), {'Object': 'wmicimv2/X?Name=a', 'Role': c},
                                       'association', 0, 20), 'filter'),
])
def test_library_refuses_text_xml_cannot_hold(call, argument, char):
    with pytest.raises(WSManInvalidArgumentError) as info:
        call(char)
    assert info.value.argument == argument.format(c=char)
    assert _codepoint(char) in str(info.value)


def test_selector_value_uses_the_selector_error_code():
    with pytest.raises(WSManInvalidArgumentError) as info:
        ResourceLocator().add_selector('Name', 'a\x01b')
    assert info.value.code == ERROR_CODES['ERROR_WSMAN_INVALID_SELECTOR_VALUE']
    assert "'Name'" in str(info.value) and 'position 1' in str(info.value)


@pytest.mark.parametrize('resource_uri', [None, 5, ['a'], b'http://x/y', {'a': 1}])
def test_dict_to_instance_refuses_non_string_resource_uri(resource_uri):
    with pytest.raises(WSManInvalidArgumentError) as info:
        dict_to_instance(resource_uri, 'X', {'a': 1})
    assert info.value.argument == 'resource_uri' and 'resource_uri' in str(info.value)


@pytest.mark.parametrize('class_name', [5, ['X'], b'X', {'X': 1}])
def test_dict_to_instance_refuses_non_string_class_name(class_name):
    with pytest.raises(WSManInvalidArgumentError) as info:
        dict_to_instance(URI, class_name, {'a': 1})
    assert info.value.argument == 'class_name' and 'class_name' in str(info.value)


@pytest.mark.parametrize('value', [float('nan'), float('inf'), float('-inf'), [1.0, float('nan')]])
def test_dict_to_instance_refuses_non_finite_numbers(value):
    with pytest.raises(WSManInvalidArgumentError) as info:
        dict_to_instance(URI, 'Win32_Service', {'Speed': value})
    assert info.value.argument == 'Speed' and 'Speed' in str(info.value)


def test_dict_to_instance_still_takes_finite_numbers():
    element = dict_to_instance(URI, None, {'Speed': 1.5, 'Count': 3})
    assert instance_to_dict(element) == {'Speed': '1.5', 'Count': '3'}


def _params(**args):
    params = {'resource_uri': 'wmicimv2/Win32_Service', 'selectors': None, 'option_set': None,
              'must_understand': False, 'fragment': None}
    params.update(args)
    return params


@pytest.mark.parametrize('selectors, argument', [
    ({'Name': ['WinRM']}, 'selectors.Name'),
    ({'Name': None}, 'selectors.Name'),
    ({'Name': ('a', 'b')}, 'selectors.Name'),
    ({'Name': float('nan')}, 'selectors.Name'),
    ({'Name': 'Win\x01RM'}, 'selectors.Name'),
    ({'Ref': {'resource_uri': URI, 'selectors': {'Name': ['x']}}}, 'selectors.Name'),
])
def test_build_locator_refuses_bad_selector_values(selectors, argument):
    with pytest.raises(WSManInvalidArgumentError) as info:
        _wsman_calls.build_locator(_params(selectors=selectors))
    assert info.value.argument == argument
    assert repr(argument.rpartition('.')[2]) in str(info.value)


@pytest.mark.parametrize('selectors, expected', [
    ({'Name': 'WinRM'}, 'WinRM'),
    ({'Name': 5}, '5'),
    ({'Name': True}, 'true'),
])
def test_build_locator_keeps_scalar_selector_values(selectors, expected):
    locator = _wsman_calls.build_locator(_params(selectors=selectors))
    assert locator.selectors == [('Name', expected)]


@pytest.mark.parametrize('option_set, argument', [
    ({'Opt': {'a': 1}}, 'option_set.Opt'),
    ({'Opt': ['a']}, 'option_set.Opt'),
    ({'Opt': float('inf')}, 'option_set.Opt'),
    ({'Opt': 'x\x00'}, 'option_set.Opt'),
])
def test_build_locator_refuses_non_scalar_options(option_set, argument):
    with pytest.raises(WSManInvalidArgumentError) as info:
        _wsman_calls.build_locator(_params(option_set=option_set))
    assert info.value.argument == argument and "'Opt'" in str(info.value)


def test_build_locator_keeps_scalar_options():
    locator = _wsman_calls.build_locator(_params(option_set={'A': 'x', 'B': 2, 'C': False, 'D': None}))
    assert locator.options == [('A', 'x', False), ('B', '2', False), ('C', 'false', False), ('D', '', False)]


def test_build_locator_refuses_bad_fragment():
    with pytest.raises(WSManInvalidArgumentError) as info:
        _wsman_calls.build_locator(_params(fragment='Name\x02'))
    assert info.value.argument == 'fragment' and 'U+0002' in str(info.value)


def test_wsman_calls_invoke_refuses_bad_action(session):
    locator = ResourceLocator('wmicimv2/Win32_Service')
    with pytest.raises(WSManInvalidArgumentError) as info:
        _wsman_calls.invoke(session, 'Stop\x01Service', locator, {})
    assert info.value.argument == 'action' and 'U+0001' in str(info.value)


RESOURCE = 'wmicimv2/Win32_Service?Name=WinRM'


@pytest.mark.parametrize('char', ['\x01', '\ud800', '\uffff'])
@pytest.mark.parametrize('call', [
    lambda s, c: s.get('wmicimv2/Win32_Service?Name=a%sb' % c),
    lambda s, c: s.get('wmicimv2/Win32_Service?Na%sme=ab' % c),
    lambda s, c: s.get('wmicimv2/Win32%s_Service' % c),
    lambda s, c: s.get('<a:EndpointReference xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">%s'
                       '</a:EndpointReference>' % c),
    lambda s, c: s.delete({'resource_uri': URI, 'selectors': {'Name': c}}),
    lambda s, c: s.put(RESOURCE, '<p:Win32_Service xmlns:p="%s"><p:Name>%s</p:Name></p:Win32_Service>' % (URI, c)),
    lambda s, c: s.put(RESOURCE, {'Name': 'a' + c}),
    lambda s, c: s.create(RESOURCE, {'N' + c: 'v'}),
    lambda s, c: s.invoke('Stop%sService' % c, RESOURCE, {}),
    lambda s, c: s.invoke('Stop%sService' % c, RESOURCE, '<p:StopService_INPUT xmlns:p="%s"/>' % URI),
    lambda s, c: s.invoke('StopService', RESOURCE, {'Reason': c}),
    lambda s, c: s.invoke('StopService', RESOURCE, '<p:StopService_INPUT xmlns:p="%s">%s</p:StopService_INPUT>' % (URI, c)),
    lambda s, c: s.enumerate('wmicimv2/*', 'SELECT * FROM Win32_Service WHERE Name="%s"' % c),
    lambda s, c: s.enumerate('wmicimv2/*', '<q>%s</q>' % c),
    lambda s, c: s.enumerate('wmicimv2/Win32_Service', {'State': c}),
    lambda s, c: s.enumerate('wmicimv2/*', 'SELECT * FROM X', 'http://example.com/dialect' + c),
    lambda s, c: s.put(_fragment_locator(), '5' + c),
])
def test_session_refuses_text_xml_cannot_hold_before_any_io(session, call, char):
    sent = session.requests
    with pytest.raises(WSManInvalidArgumentError) as info:
        call(session, char)
    assert _codepoint(char) in str(info.value)
    assert session.requests == sent


@pytest.mark.parametrize('call, argument', [
    (lambda s: s.put(RESOURCE, {'Speed': float('nan')}), 'Speed'),
    (lambda s: s.create(RESOURCE, {'Speed': float('-inf')}), 'Speed'),
    (lambda s: s.delete({'resource_uri': URI, 'selectors': {'Name': ['a']}}), 'selectors.Name'),
])
def test_session_refuses_bad_values_before_any_io(session, call, argument):
    with pytest.raises(WSManInvalidArgumentError) as info:
        call(session)
    assert info.value.argument == argument
