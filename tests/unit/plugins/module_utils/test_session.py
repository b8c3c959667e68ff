# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session operations (facts §5.1, §5.2, §8) against a replaying transport that checks each request.

The replay transport stands in for the network only; it asserts the action and the content of
every envelope the Session sends and answers with recorded, Windows-shaped replies.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from lxml import etree

from ansible_collections.wsman.automation.plugins.module_utils._cim import instance_to_dict
from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManError,
    WSManFault,
    WSManInvalidArgumentError,
    WSManTransportError,
)
from ansible_collections.wsman.automation.plugins.module_utils._session import Session, client_error_xml
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan
from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')
S = '{http://www.w3.org/2003/05/soap-envelope}'
A = '{http://schemas.xmlsoap.org/ws/2004/08/addressing}'
W = '{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}'
T = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/'
SVC = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'
ENVELOPE = ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">'
            '<s:Header><a:Action>{ACTION}</a:Action><a:RelatesTo>{MID}</a:RelatesTo></s:Header>'
            '<s:Body>{BODY}</s:Body></s:Envelope>')
INSTANCE = '<p:Win32_Service xmlns:p="%s"><p:Name>WinRM</p:Name><p:StartMode>Auto</p:StartMode></p:Win32_Service>' % SVC


def fixture(name):
    with open(os.path.join(FIXTURES, name), 'r', encoding='utf-8') as handle:
        return handle.read()


def reply(body='', action='http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse', status=200):
    return status, ENVELOPE.replace('{ACTION}', action).replace('{BODY}', body)


class Replay:
    """Answers each request with the next recorded reply after checking its action."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.sent = []
        self.closed = False

    def send(self, body, charset, extra_headers=None, timeout_ms=None, idempotent=False):
        root = etree.fromstring(body)
        self.sent.append(SimpleNamespace(root=root, raw=body, charset=charset, headers=extra_headers,
                                         timeout_ms=timeout_ms, idempotent=idempotent))
        assert self.steps, 'unexpected extra request'
        action, (status, text) = self.steps.pop(0)
        assert root.findtext('%sHeader/%sAction' % (S, A)) == action
        mid = root.findtext('%sHeader/%sMessageID' % (S, A)) or ''
        return SimpleNamespace(status=status, content_type='application/soap+xml;charset=UTF-8',
                               body=text.replace('{MID}', mid).encode('utf-8'))

    def close(self):
        self.closed = True

    @property
    def last(self):
        return self.sent[-1].root


def session_with(*steps, connection='http://127.0.0.1:5985', flags='UseBasic|CredUsernamePassword|NoEncryption',
                 utf16=False):
    options = ConnectionOptions(username='user', password='Secret-Pa55') if 'Cred' in flags else None
    if utf16:
        flags += '|UTF16'
    settings = WSMan(ClientConfig(allow_unencrypted=True)).create_session(connection, flags, options).settings
    return Session(settings, transport=Replay(*steps))


def header(root, name):
    return root.find('%sHeader/%s%s' % (S, W, name))


def body_child(root):
    return root.find(S + 'Body')[0]


def test_defaults_and_properties():
    session = session_with()
    assert session.endpoint == 'http://127.0.0.1:5985/wsman'
    assert (session.timeout, session.batch_items, session.max_envelope_size, session.locale, session.error) == \
        (60000, 20, 153600, 'en-US', '')


@pytest.mark.parametrize('name, value, code', [
    ('batch_items', 0, 2150858946),  # BATCH_ITEMS_TOO_SMALL
    ('batch_items', -5, 2150858946),
    ('timeout', 0, 0x80070057),
    ('timeout', 'soon', 0x80070057),
    ('max_envelope_size', 1024, 2150858805),
    ('locale', 'en US', 0x80070057),
])
def test_property_validation(name, value, code):
    session = session_with()
    with pytest.raises(WSManInvalidArgumentError) as info:
        setattr(session, name, value)
    assert info.value.code == code and info.value.argument == name


def test_get_sends_session_values_and_returns_instance_text():
    session = session_with((T + 'Get', reply(INSTANCE)))
    session.timeout = 1500
    session.locale = 'de-DE'
    session.max_envelope_size = 512000
    text = session.get('wmicimv2/Win32_Service?Name=WinRM')
    assert instance_to_dict(text) == {'Name': 'WinRM', 'StartMode': 'Auto'}
    sent = session._transport.sent[0]  # pylint: disable=protected-access
    assert header(sent.root, 'OperationTimeout').text == 'PT1.500S'
    assert header(sent.root, 'Locale').get('{http://www.w3.org/XML/1998/namespace}lang') == 'de-DE'
    assert header(sent.root, 'MaxEnvelopeSize').text == '512000'
    assert header(sent.root, 'ResourceURI').text == SVC
    assert sent.root.findtext('%sHeader/%sTo' % (S, A)) == 'http://127.0.0.1:5985/wsman'
    assert sent.charset == 'utf-8' and sent.timeout_ms == 1500 and sent.idempotent
    assert session.error == ''


def test_get_element_feeds_instance_to_dict_directly():
    session = session_with((T + 'Get', reply(INSTANCE)))
    element = session.get_element('wmicimv2/Win32_Service?Name=WinRM')
    assert element.tag == '{%s}Win32_Service' % SVC
    assert instance_to_dict(element)['Name'] == 'WinRM'


def test_utf16_session_sends_utf16():
    session = session_with((T + 'Get', reply(INSTANCE)), utf16=True)
    session.get('wmicimv2/Win32_Service?Name=WinRM')
    sent = session._transport.sent[0]  # pylint: disable=protected-access
    assert sent.charset == 'utf-16' and sent.raw[:2] == b'\xff\xfe'


def test_fault_sets_error_and_success_clears_it():
    fault_reply = (500, fixture('fault_invalid_selectors.xml'))
    session = session_with((T + 'Get', fault_reply), (T + 'Get', reply(INSTANCE)))
    with pytest.raises(WSManFault) as info:
        session.get('wmicimv2/Win32_Service?Nme=WinRM')
    assert info.value.code == 2150858843
    assert etree.fromstring(session.error).get('Code') == '2150858843'
    session.get('wmicimv2/Win32_Service?Name=WinRM')
    assert session.error == ''


@pytest.mark.parametrize('bad_reply, why', [
    ((200, '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'), 'not well-formed'),  # a parse error
    ((500, 'Internal Server Error'), 'HTTP 500 without WS-Management fault detail'),
    ((200, reply(INSTANCE)[1].replace('{MID}', 'uuid:00000000-0000-0000-0000-000000000000')), 'relates to message'),
])
def test_error_after_a_fault_and_after_an_unusable_reply(bad_reply, why):
    """Session.Error (facts §5.2, §9.1): the service's WSManFault XML after a fault; a client WSManFault after a reply that is
    no usable response; '' after a success - whichever came last."""
    fault_reply = (500, fixture('fault_invalid_selectors.xml'))
    session = session_with((T + 'Get', fault_reply), (T + 'Get', bad_reply), (T + 'Get', reply(INSTANCE)),
                           (T + 'Get', bad_reply))
    with pytest.raises(WSManFault) as fault:
        session.get('wmicimv2/Win32_Service?Nme=WinRM')
    assert fault.value.fault_xml and session.error == fault.value.fault_xml
    with pytest.raises(WSManError) as caught:
        session.get('wmicimv2/Win32_Service?Name=WinRM')
    assert not isinstance(caught.value, WSManFault)
    assert session.error == client_error_xml(caught.value, '127.0.0.1')
    assert etree.fromstring(session.error).get('Code') == str(caught.value.code)
    session.get('wmicimv2/Win32_Service?Name=WinRM')
    assert session.error == ''
    with pytest.raises(WSManError):
        session.get('wmicimv2/Win32_Service?Name=WinRM')
    assert why in etree.fromstring(session.error).findtext('{http://schemas.microsoft.com/wbem/wsman/1/wsmanfault}Message')


def test_validation_error_is_recorded_as_wsman_fault_xml():
    session = session_with()
    with pytest.raises(WSManInvalidArgumentError):
        session.get('')
    root = etree.fromstring(session.error)
    assert root.get('Code') == '2150858943'
    assert 'blank' in root.findtext('{http://schemas.microsoft.com/wbem/wsman/1/wsmanfault}Message')
    assert session._transport.sent == []  # pylint: disable=protected-access


@pytest.mark.parametrize('operation', ['get', 'delete'])
def test_reserved_flags_must_be_zero(operation):
    session = session_with()
    with pytest.raises(WSManInvalidArgumentError) as info:
        getattr(session, operation)('wmicimv2/Win32_Service?Name=WinRM', flags=1)
    assert info.value.code == 2150858924
    assert session._transport.sent == []  # pylint: disable=protected-access


def test_put_from_dict_and_from_text():
    session = session_with((T + 'Put', reply(INSTANCE, T + 'PutResponse')), (T + 'Put', reply(INSTANCE, T + 'PutResponse')))
    result = session.put('wmicimv2/Win32_Service?Name=WinRM', {'StartMode': 'Manual', 'Desc': None})
    assert instance_to_dict(result)['Name'] == 'WinRM'
    sent = body_child(session._transport.sent[0].root)  # pylint: disable=protected-access
    assert sent.tag == '{%s}Win32_Service' % SVC
    assert instance_to_dict(sent) == {'StartMode': 'Manual', 'Desc': None}
    session.put('wmicimv2/Win32_Service?Name=WinRM', INSTANCE)
    assert instance_to_dict(body_child(session._transport.last)) == {'Name': 'WinRM', 'StartMode': 'Auto'}  # pylint: disable=protected-access


def test_put_fragment_wraps_text_in_xml_fragment():
    session = session_with((T + 'Put', reply('<w:XmlFragment xmlns:w="%s">Manual</w:XmlFragment>' % W[1:-1], T + 'PutResponse')))
    locator = WSMan.create_resource_locator('wmicimv2/Win32_Service')
    locator.add_selector('Name', 'WinRM')
    locator.fragment_path = 'StartMode'
    session.put(locator, 'Manual')
    root = session._transport.last  # pylint: disable=protected-access
    assert body_child(root).tag == W + 'XmlFragment' and body_child(root).text == 'Manual'
    assert header(root, 'FragmentTransfer').text == 'StartMode'


@pytest.mark.parametrize('body', [None, '', '   '])
def test_put_blank_body(body):
    session = session_with()
    with pytest.raises(WSManInvalidArgumentError) as info:
        session.put('wmicimv2/Win32_Service?Name=WinRM', body)
    assert info.value.code == 2150858945


def test_create_returns_epr_and_delete_returns_none():
    created = ('<x:ResourceCreated xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:a="%s" xmlns:w="%s">'
               '<a:Address>http://127.0.0.1:5985/wsman</a:Address><a:ReferenceParameters>'
               '<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/config/listener</w:ResourceURI>'
               '<w:SelectorSet><w:Selector Name="Address">*</w:Selector><w:Selector Name="Transport">HTTPS</w:Selector>'
               '</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>') % (A[1:-1], W[1:-1])
    session = session_with((T + 'Create', reply(created, T + 'CreateResponse')), (T + 'Delete', reply('', T + 'DeleteResponse')))
    epr = session.create('winrm/config/listener?Address=*+Transport=HTTPS', {'Hostname': 'server1', 'Enabled': True})
    assert not session._transport.sent[0].idempotent  # pylint: disable=protected-access
    assert epr.startswith('<x:ResourceCreated')
    # the EPR of Create is a valid resource for the next call (no alias expansion inside)
    assert session.delete(epr) is None
    root = session._transport.last  # pylint: disable=protected-access
    assert header(root, 'ResourceURI').text == 'http://schemas.microsoft.com/wbem/wsman/1/config/listener'
    assert [(s.get('Name'), s.text) for s in header(root, 'SelectorSet')] == [('Address', '*'), ('Transport', 'HTTPS')]


def test_invoke_bare_method_with_dict():
    output = '<p:StopService_OUTPUT xmlns:p="%s"><p:ReturnValue>0</p:ReturnValue></p:StopService_OUTPUT>' % SVC
    session = session_with((SVC + '/StopService', reply(output, SVC + '/StopServiceResponse')))
    result = session.invoke('StopService', 'wmicimv2/Win32_Service?Name=Spooler', {})
    assert instance_to_dict(result) == {'ReturnValue': '0'}
    sent = body_child(session._transport.last)  # pylint: disable=protected-access
    assert sent.tag == '{%s}StopService_INPUT' % SVC and len(sent) == 0


def test_invoke_absolute_action_with_xml_text():
    action = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Process/Create'
    params = ('<p:Create_INPUT xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Process">'
              '<p:CommandLine>notepad.exe &amp; calc.exe</p:CommandLine></p:Create_INPUT>')
    session = session_with((action, reply('<p:Create_OUTPUT xmlns:p="urn:o"><p:ProcessId>42</p:ProcessId></p:Create_OUTPUT>')))
    assert instance_to_dict(session.invoke_element(action, 'wmicimv2/Win32_Process', params)) == {'ProcessId': '42'}
    assert body_child(session._transport.last)[0].text == 'notepad.exe & calc.exe'  # pylint: disable=protected-access


@pytest.mark.parametrize('action, parameters, code', [
    ('', {}, 2150858948),
    ('   ', {}, 2150858948),
    (None, {}, 2150858948),
    ('StopService', None, 2150858945),
    ('StopService', '', 2150858945),
])
def test_invoke_blank_action_or_parameters(action, parameters, code):
    session = session_with()
    with pytest.raises(WSManInvalidArgumentError) as info:
        session.invoke(action, 'wmicimv2/Win32_Service?Name=Spooler', parameters)
    assert info.value.code == code


def test_identify_anonymous_for_no_authentication():
    identify = ('<wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
                '<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>'
                '<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>'
                '<wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse>')
    session = session_with((None, (200, ENVELOPE.replace('<a:RelatesTo>{MID}</a:RelatesTo>', '').replace('{BODY}', identify)
                                   .replace('<a:Action>{ACTION}</a:Action>', ''))), flags='UseNoAuthentication')
    result = instance_to_dict(session.identify())
    assert result['ProductVendor'] == 'Microsoft Corporation'
    assert session._transport.sent[0].headers == {'WSMANIDENTIFY': 'unauthenticated'}  # pylint: disable=protected-access


def test_identify_refused_on_local_session():
    """R22: ERROR_WSMAN_NO_IDENTIFY_FOR_LOCAL_SESSION."""
    session = session_with(connection=None, flags='')
    with pytest.raises(WSManInvalidArgumentError) as info:
        session.identify()
    assert info.value.code == 2150859004 and info.value.rule == 'R22'


def test_enumerate_filter_with_selectors_is_refused():
    """Facts §5.4: filter/dialect and a ResourceLocator with selectors cannot be combined."""
    session = session_with()
    locator = WSMan.create_resource_locator('wmicimv2/*')
    locator.add_selector('Name', 'WinRM')
    with pytest.raises(WSManInvalidArgumentError) as info:
        session.enumerate(locator, 'SELECT * FROM Win32_Service', 'wql')
    assert info.value.code == 2150858944
    assert session._transport.sent == []  # pylint: disable=protected-access


def test_transport_errors_are_recorded_and_close_is_idempotent():
    class Broken(Replay):
        def send(self, body, charset, extra_headers=None, timeout_ms=None, idempotent=False):
            raise WSManTransportError('connection refused', 2150859026, 'http://127.0.0.1:5985/wsman')

    session = session_with()
    session._transport = Broken()  # pylint: disable=protected-access
    transport = session._transport  # pylint: disable=protected-access
    with pytest.raises(WSManTransportError):
        session.get('wmicimv2/Win32_Service?Name=WinRM')
    assert etree.fromstring(session.error).get('Code') == '2150859026'
    with session:
        pass
    assert transport.closed and session.closed
    session.close()
    with pytest.raises(WSManInvalidArgumentError, match='closed'):
        session.get('wmicimv2/Win32_Service?Name=WinRM')


def test_no_secret_in_repr_or_error():
    session = session_with()
    with pytest.raises(WSManInvalidArgumentError):
        session.get('')
    assert 'Secret-Pa55' not in repr(session) + session.error
