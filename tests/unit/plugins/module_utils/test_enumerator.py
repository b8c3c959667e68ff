# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enumerator: Enumerate / Pull / Release logic (facts §5.3, §7) against a checking replay transport."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest
from lxml import etree

from ansible_collections.wsman.automation.plugins.module_utils._cim import instance_to_dict
from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManFault, WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._flags import EnumerationFlag
from ansible_collections.wsman.automation.plugins.module_utils._session import Session
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan

S = '{http://www.w3.org/2003/05/soap-envelope}'
A = '{http://schemas.xmlsoap.org/ws/2004/08/addressing}'
N = '{http://schemas.xmlsoap.org/ws/2004/09/enumeration}'
W = '{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}'
B = '{http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd}'
ENUMERATE = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate'
PULL = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull'
RELEASE = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release'
SVC = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'
NS_DECL = ('xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
           'xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"')


def item(name):
    return '<p:Win32_Service xmlns:p="%s"><p:Name>%s</p:Name></p:Win32_Service>' % (SVC, name)


def envelope(action, body):
    return ('<s:Envelope %s><s:Header><a:Action>%s</a:Action><a:RelatesTo>{MID}</a:RelatesTo></s:Header>'
            '<s:Body>%s</s:Body></s:Envelope>' % (NS_DECL, action, body))


def enumerate_response(names, context='uuid:CTX-1', end=False):
    parts = ['<n:EnumerateResponse>']
    if context:
        parts.append('<n:EnumerationContext>%s</n:EnumerationContext>' % context)
    parts.append('<w:Items>%s</w:Items>' % ''.join(item(n) for n in names))
    if end:
        parts.append('<w:EndOfSequence/>')
    parts.append('</n:EnumerateResponse>')
    return 200, envelope(ENUMERATE + 'Response', ''.join(parts))


def pull_response(names, context='uuid:CTX-1', end=False):
    parts = ['<n:PullResponse>']
    if context and not end:
        parts.append('<n:EnumerationContext>%s</n:EnumerationContext>' % context)
    parts.append('<n:Items>%s</n:Items>' % ''.join(item(n) for n in names))
    if end:
        parts.append('<n:EndOfSequence/>')
    parts.append('</n:PullResponse>')
    return 200, envelope(PULL + 'Response', ''.join(parts))


def release_response():
    return 200, envelope(RELEASE + 'Response', '')


def fault(code, subcode):
    return 500, envelope('http://schemas.dmtf.org/wbem/wsman/1/wsman/fault', (
        '<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>%s</s:Value></s:Subcode></s:Code>'
        '<s:Reason><s:Text xml:lang="en-US">fault %d</s:Text></s:Reason><s:Detail>'
        '<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="%d" Machine="server1">'
        '<f:Message>fault %d</f:Message></f:WSManFault></s:Detail></s:Fault>') % (subcode, code, code, code))


class Replay:
    """Answers each request with the next recorded reply after checking its action and a predicate."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.sent = []

    def send(self, body, charset, extra_headers=None, timeout_ms=None, idempotent=False):
        root = etree.fromstring(body)
        self.sent.append(root)
        assert self.steps, 'unexpected extra request %s' % root.findtext('.//' + A + 'Action')
        action, response = self.steps.pop(0)
        assert root.findtext('%sHeader/%sAction' % (S, A)) == action
        mid = root.findtext('%sHeader/%sMessageID' % (S, A))
        status, text = response
        return SimpleNamespace(status=status, content_type='application/soap+xml;charset=UTF-8',
                               body=text.replace('{MID}', mid).encode('utf-8'))

    def close(self):
        pass

    def actions(self):
        return [root.findtext('%sHeader/%sAction' % (S, A)).rpartition('/')[2] for root in self.sent]

    def body(self, index):
        return self.sent[index].find(S + 'Body')[0]


def make_session(*steps, batch_items=None, prefetch=False):
    settings = WSMan(ClientConfig(allow_unencrypted=True)).create_session('http://127.0.0.1:5985', 'UseNoAuthentication').settings
    session = Session(settings, transport=Replay(*steps))
    session.prefetch = prefetch
    if batch_items:
        session.batch_items = batch_items
    return session


def names(texts):
    return [instance_to_dict(text)['Name'] for text in texts]


def test_optimized_enumeration_pulls_until_end_of_sequence_without_release():
    session = make_session(
        (ENUMERATE, enumerate_response(['a', 'b'])),
        (PULL, pull_response(['c', 'd'])),
        (PULL, pull_response([])),  # an empty batch is not the end
        (PULL, pull_response(['e'], end=True)),
        batch_items=2)
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    result = []
    while not enumerator.at_end_of_stream:
        result.append(enumerator.read_item())
    assert names(result) == ['a', 'b', 'c', 'd', 'e']
    assert enumerator.read_item() == '' and enumerator.read_element() is None
    enumerator.close()
    transport = session._transport  # pylint: disable=protected-access
    assert transport.actions() == ['Enumerate', 'Pull', 'Pull', 'Pull']  # never Release after EndOfSequence
    enum_body = transport.body(0)
    assert enum_body.find(W + 'OptimizeEnumeration') is not None
    assert enum_body.findtext(W + 'MaxElements') == '2'
    for index in (1, 2, 3):
        pull = transport.body(index)
        assert pull.findtext(N + 'EnumerationContext') == 'uuid:CTX-1'
        assert pull.findtext(N + 'MaxElements') == '2'
        assert transport.sent[index].findtext('.//' + W + 'MaxEnvelopeSize') == '153600'
        assert transport.sent[index].findtext('.//' + W + 'ResourceURI') == SVC


def test_everything_in_the_enumerate_response():
    session = make_session((ENUMERATE, enumerate_response(['a'], context=None, end=True)))
    with session.enumerate('wmicimv2/Win32_Service') as enumerator:
        assert names(enumerator) == ['a']
    assert session._transport.actions() == ['Enumerate']  # pylint: disable=protected-access


def test_close_before_the_end_sends_release_once():
    session = make_session((ENUMERATE, enumerate_response(['a', 'b'], context='uuid:CTX-9')), (RELEASE, release_response()))
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    assert instance_to_dict(enumerator.read_element()) == {'Name': 'a'}
    enumerator.close()
    enumerator.close()
    transport = session._transport  # pylint: disable=protected-access
    assert transport.actions() == ['Enumerate', 'Release']
    assert transport.body(1).findtext(N + 'EnumerationContext') == 'uuid:CTX-9'
    assert enumerator.released and enumerator.at_end_of_stream


def test_breaking_out_of_a_for_loop_sends_release():
    session = make_session((ENUMERATE, enumerate_response(['a', 'b'])), (RELEASE, release_response()))
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    for element in enumerator.iter_elements():
        assert instance_to_dict(element) == {'Name': 'a'}
        break
    gc.collect()
    assert session._transport.actions() == ['Enumerate', 'Release']  # pylint: disable=protected-access


def test_with_block_and_garbage_collection_send_release():
    session = make_session((ENUMERATE, enumerate_response([])), (RELEASE, release_response()),
                           (ENUMERATE, enumerate_response([])), (RELEASE, release_response()))
    with session.enumerate('wmicimv2/Win32_Service'):
        pass
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    del enumerator
    gc.collect()
    assert session._transport.actions() == ['Enumerate', 'Release', 'Enumerate', 'Release']  # pylint: disable=protected-access


def test_pull_timeout_is_retried():
    """Facts §7.4: 0x8033801C leaves the context valid - Pull again."""
    session = make_session(
        (ENUMERATE, enumerate_response([])),
        (PULL, fault(2150858780, 'n:TimedOut')),
        (PULL, fault(2150858780, 'n:TimedOut')),
        (PULL, pull_response(['late'], end=True)))
    assert names(session.enumerate('wmicimv2/Win32_Service')) == ['late']
    assert session.error == ''


def test_error_stops_the_enumeration_and_releases():
    session = make_session((ENUMERATE, enumerate_response(['a'])), (PULL, fault(2150858793, 'w:TimedOut')),
                           (RELEASE, release_response()))
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    assert enumerator.read_item()
    with pytest.raises(WSManFault) as info:
        enumerator.read_item()
    assert info.value.code == 2150858793
    assert etree.fromstring(enumerator.error).get('Code') == '2150858793'
    assert enumerator.at_end_of_stream
    assert session._transport.actions() == ['Enumerate', 'Pull', 'Release']  # pylint: disable=protected-access


def test_invalid_context_is_not_released():
    session = make_session((ENUMERATE, enumerate_response([])), (PULL, fault(2150858779, 'n:InvalidEnumerationContext')))
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    with pytest.raises(WSManFault):
        list(enumerator)
    enumerator.close()
    assert session._transport.actions() == ['Enumerate', 'Pull']  # pylint: disable=protected-access


def enumerate_body(flags=0, filter_value=None, dialect=None, resource='wmicimv2/*'):
    session = make_session((ENUMERATE, enumerate_response([], context=None, end=True)))
    session.enumerate(resource, filter_value, dialect, flags)
    return session._transport.body(0)  # pylint: disable=protected-access


def test_filter_without_dialect_is_wql():
    body = enumerate_body(filter_value='SELECT * FROM Win32_Service WHERE State="Running"')
    flt = body.find(W + 'Filter')
    assert flt.get('Dialect') == 'http://schemas.microsoft.com/wbem/wsman/1/WQL'
    assert flt.text == 'SELECT * FROM Win32_Service WHERE State="Running"'


def test_xml_filter_and_non_xml_text_flag():
    xml = '<q:Query xmlns:q="urn:q">x &lt; 1</q:Query>'
    assert enumerate_body(filter_value=xml, dialect='urn:my-dialect').find(W + 'Filter')[0].tag == '{urn:q}Query'
    text = '<25 && > 1'
    flt = enumerate_body(EnumerationFlag.NON_XML_TEXT, text, 'urn:my-dialect').find(W + 'Filter')
    assert flt.text == text and len(flt) == 0
    with pytest.raises(WSManInvalidArgumentError, match='NonXmlText'):
        make_session().enumerate('wmicimv2/*', text, 'urn:my-dialect')


def test_selector_filter_from_dict():
    flt = enumerate_body(filter_value={'State': 'Running', 'Odd': '<&>'}, dialect='SELECTOR',
                         resource='wmicimv2/Win32_Service').find(W + 'Filter')
    assert flt.get('Dialect') == 'http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter'
    assert [(s.get('Name'), s.text) for s in flt.find(W + 'SelectorSet')] == [('State', 'Running'), ('Odd', '<&>')]


def test_association_instances_filter():
    flt = enumerate_body(EnumerationFlag.ASSOCIATION_INSTANCE,
                         {'Object': 'wmicimv2/Win32_Service?Name=WinRM', 'ResultClassName': 'Win32_DependentService'},
                         'association').find(W + 'Filter')
    root = flt[0]
    assert root.tag == B + 'AssociationInstances'
    assert [etree.QName(c).localname for c in root] == ['Object', 'ResultClassName']
    assert root.find(B + 'Object').findtext('.//' + W + 'Selector') == 'WinRM'


@pytest.mark.parametrize('flags, filter_value, dialect, code', [
    (EnumerationFlag.RETURN_EPR | EnumerationFlag.RETURN_OBJECT_AND_EPR, None, None, 0x8033811F),
    (EnumerationFlag.ASSOCIATION_INSTANCE, 'SELECT * FROM Win32_Service', 'wql', 2150858924),
    (EnumerationFlag.ASSOCIATION_INSTANCE, {'Object': 'wmicimv2/Win32_Service?Name=WinRM', 'Role': 'x', 'ResultRole': 'y'},
     'association', 0),
    (0, {'Nonsense': 'x'}, 'association', 0),
    (0, {'Role': 'x'}, 'association', 0),
    (0, None, 'wql', 0),
    (0, 'x', 'no-such-dialect', 0),
    (0x100, None, None, 2150858924),
])
def test_bad_enumerate_arguments_send_nothing(flags, filter_value, dialect, code):
    session = make_session()
    with pytest.raises(WSManInvalidArgumentError) as info:
        session.enumerate('wmicimv2/*', filter_value, dialect, flags)
    assert info.value.code == code
    assert session._transport.sent == []  # pylint: disable=protected-access


@pytest.mark.parametrize('flags, mode, polymorphism', [
    ('ReturnEPR', 'EnumerateEPR', None),
    ('ReturnObjectAndEPR', 'EnumerateObjectAndEPR', None),
    ('HierarchyShallow', None, 'None'),
    ('HierarchyDeepBasePropsOnly', None, 'ExcludeSubClassProperties'),
    ('HierarchyShallow|HierarchyDeepBasePropsOnly', None, 'None'),  # Shallow wins, as in winrm.vbs
    (0, None, None),
])
def test_modes_are_sent_as_the_protocol_says(flags, mode, polymorphism):
    """Facts §7.3: send the request and let the service answer; no emulation."""
    body = enumerate_body(flags)
    assert body.findtext(W + 'EnumerationMode') == mode
    assert body.findtext(B + 'PolymorphismMode') == polymorphism


def test_polymorphism_fault_is_surfaced():
    session = make_session((ENUMERATE, fault(2150859063, 'w:UnsupportedFeature')))
    with pytest.raises(WSManFault) as info:
        session.enumerate('wmicimv2/Win32_Service', flags='HierarchyShallow')
    assert info.value.error_name == 'ERROR_WSMAN_POLYMORPHISM_MODE_UNSUPPORTED'


def test_object_and_epr_items():
    wrapped = ('<w:Item>%s<a:EndpointReference><a:Address>http://x</a:Address><a:ReferenceParameters>'
               '<w:ResourceURI>%s</w:ResourceURI><w:SelectorSet><w:Selector Name="Name">a</w:Selector></w:SelectorSet>'
               '</a:ReferenceParameters></a:EndpointReference></w:Item>') % (item('a'), SVC)
    response = envelope(ENUMERATE + 'Response', '<n:EnumerateResponse><w:Items>%s</w:Items><w:EndOfSequence/>'
                        '</n:EnumerateResponse>' % wrapped)
    session = make_session((ENUMERATE, (200, response)))
    elements = list(session.enumerate('wmicimv2/Win32_Service', flags='ReturnObjectAndEPR').iter_elements())
    assert instance_to_dict(elements[0]) == {'object': {'Name': 'a'},
                                             'epr': {'address': 'http://x', 'resource_uri': SVC, 'selectors': {'Name': 'a'}}}


def test_session_changes_do_not_reach_a_running_enumeration():
    """Facts §5.2/§7.4: BatchItems, Timeout, MaxEnvelopeSize cannot change mid-enumeration (0x803381AD)."""
    session = make_session((ENUMERATE, enumerate_response(['a'])), (PULL, pull_response(['b'], end=True)), batch_items=3)
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    session.batch_items = 50
    session.max_envelope_size = 512000
    session.timeout = 1000
    assert names(enumerator) == ['a', 'b']
    pull = session._transport.sent[1]  # pylint: disable=protected-access
    assert pull.findtext('.//' + N + 'MaxElements') == '3'
    assert pull.findtext('.//' + W + 'MaxEnvelopeSize') == '153600'
    assert pull.findtext('.//' + W + 'OperationTimeout') == 'PT60.000S'


# --- prefetch: the next Pull is in flight while the caller converts the current batch ----------------

def test_prefetch_gives_the_same_items_and_requests():
    steps = [(ENUMERATE, enumerate_response(['a', 'b'])), (PULL, pull_response(['c', 'd'])),
             (PULL, pull_response(['e'], end=True))]
    session = make_session(*steps, batch_items=2, prefetch=True)
    assert names(session.enumerate('wmicimv2/Win32_Service')) == ['a', 'b', 'c', 'd', 'e']
    assert session._transport.actions() == ['Enumerate', 'Pull', 'Pull']  # pylint: disable=protected-access


def test_prefetch_close_waits_for_the_pull_and_releases_its_context():
    session = make_session((ENUMERATE, enumerate_response(['a', 'b'], context='uuid:CTX-1')),
                           (PULL, pull_response(['c', 'd'], context='uuid:CTX-2')), (RELEASE, release_response()),
                           batch_items=2, prefetch=True)
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    assert instance_to_dict(enumerator.read_element()) == {'Name': 'a'}
    enumerator.close()
    transport = session._transport  # pylint: disable=protected-access
    assert transport.actions() == ['Enumerate', 'Pull', 'Release']
    assert transport.body(2).findtext(N + 'EnumerationContext') == 'uuid:CTX-2'
    assert enumerator.pulls == 1 and enumerator.released


def test_prefetch_no_release_when_the_prefetched_pull_ended_the_sequence():
    session = make_session((ENUMERATE, enumerate_response(['a', 'b'])), (PULL, pull_response(['c'], end=True)),
                           batch_items=2, prefetch=True)
    with session.enumerate('wmicimv2/Win32_Service') as enumerator:
        assert enumerator.read_item()
    assert session._transport.actions() == ['Enumerate', 'Pull']  # pylint: disable=protected-access


def test_prefetch_error_is_raised_when_reached():
    session = make_session((ENUMERATE, enumerate_response(['a', 'b'])), (PULL, fault(2150858793, 'w:TimedOut')),
                           (RELEASE, release_response()), batch_items=2, prefetch=True)
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    assert names([enumerator.read_item(), enumerator.read_item()]) == ['a', 'b']  # the batch in hand is intact
    with pytest.raises(WSManFault):
        enumerator.read_item()
    assert session._transport.actions() == ['Enumerate', 'Pull', 'Release']  # pylint: disable=protected-access


def test_prefetch_garbage_collection_releases_at_once():
    session = make_session((ENUMERATE, enumerate_response(['a'])), (PULL, pull_response(['b'])),
                           (RELEASE, release_response()), prefetch=True)
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    del enumerator
    gc.collect()
    assert session._transport.actions() == ['Enumerate', 'Pull', 'Release']  # pylint: disable=protected-access
