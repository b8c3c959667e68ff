# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIM instance XML <-> dict (design.md layer 1; facts §7.5 result shape)."""

from __future__ import annotations

import copy
import os

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from ansible_collections.wsman.automation.plugins.module_utils import _cim
from ansible_collections.wsman.automation.plugins.module_utils._cim import (
    LOCATION_KEY,
    _properties_general,
    dict_to_instance,
    fragment_to_value,
    instance_to_dict,
)
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')
SERVICE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'
XSI_NIL = '{http://www.w3.org/2001/XMLSchema-instance}nil'


def fixture(name):
    with open(os.path.join(FIXTURES, name), 'rb') as handle:
        return handle.read()


def test_win32_service_instance_to_dict():
    result = instance_to_dict(fixture('win32_service.xml'))
    assert result['Name'] == 'WinRM'
    assert result['ProcessId'] == '1234'  # text stays text: no type guessing without a schema
    assert result['AcceptStop'] == 'true'
    assert result['InstallDate'] is None  # xsi:nil
    assert result['LastStart'] == '2026-11-25T08:00:00.5+00:00'  # cim:Datetime wrapper -> its text
    assert result['Description'].endswith('<&>')
    assert result['PathName'] == r'C:\Windows\System32\svchost.exe -k NetworkService -p'
    assert LOCATION_KEY not in result and 'Location' not in result
    assert len(result) == 27


def test_location_opt_in_is_an_epr_dict():
    result = instance_to_dict(fixture('win32_service.xml'), location=True)
    assert result[LOCATION_KEY] == {
        'address': 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous',
        'resource_uri': SERVICE_URI,
        'selectors': {'Name': 'WinRM'},
    }


def test_repeated_elements_become_lists_and_force_list():
    xml = ('<p:Win32_NetworkAdapterConfiguration xmlns:p="urn:x"><p:IPAddress>10.0.0.1</p:IPAddress>'
           '<p:IPAddress>fe80::1</p:IPAddress><p:DNSServerSearchOrder>10.0.0.53</p:DNSServerSearchOrder>'
           '<p:Gateways xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/><p:Empty/>'
           '</p:Win32_NetworkAdapterConfiguration>')
    result = instance_to_dict(xml)
    assert result['IPAddress'] == ['10.0.0.1', 'fe80::1']
    assert result['DNSServerSearchOrder'] == '10.0.0.53'
    assert result['Empty'] == ''
    forced = instance_to_dict(xml, force_list=('DNSServerSearchOrder', 'Gateways', 'Missing'))
    assert forced['DNSServerSearchOrder'] == ['10.0.0.53']
    assert forced['Gateways'] == [] and forced['Missing'] == []


def test_nested_instance_and_reference_property():
    xml = ('<p:Win32_DependentService xmlns:p="urn:dep" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
           'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">'
           '<p:Antecedent><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address>'
           '<a:ReferenceParameters><w:ResourceURI>%s</w:ResourceURI><w:SelectorSet>'
           '<w:Selector Name="Name">RpcSs</w:Selector></w:SelectorSet></a:ReferenceParameters></p:Antecedent>'
           '<p:Embedded><p:Inner>1</p:Inner><p:Inner>2</p:Inner></p:Embedded>'
           '</p:Win32_DependentService>' % SERVICE_URI)
    result = instance_to_dict(xml)
    assert result['Antecedent']['selectors'] == {'Name': 'RpcSs'}
    assert result['Antecedent']['resource_uri'] == SERVICE_URI
    assert result['Embedded'] == {'Inner': ['1', '2']}


def test_object_and_epr_item_and_epr_item():
    epr = ('<a:EndpointReference xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
           'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><a:Address>http://x/</a:Address>'
           '<a:ReferenceParameters><w:ResourceURI>urn:r</w:ResourceURI></a:ReferenceParameters></a:EndpointReference>')
    assert instance_to_dict(epr) == {'address': 'http://x/', 'resource_uri': 'urn:r', 'selectors': {}}
    item = ('<w:Item xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><p:C xmlns:p="urn:r"><p:K>v</p:K></p:C>%s</w:Item>'
            % epr)
    assert instance_to_dict(item) == {'object': {'K': 'v'}, 'epr': {'address': 'http://x/', 'resource_uri': 'urn:r', 'selectors': {}}}


def test_dict_to_instance_shape():
    element = dict_to_instance(SERVICE_URI + '?Name=WinRM', None, {'StartMode': 'Auto', 'Nothing': None,
                                                                   'Flag': True, 'Count': 3, 'List': ['a', 'b']})
    assert element.tag == '{%s}Win32_Service' % SERVICE_URI
    assert element.nsmap['p'] == SERVICE_URI
    children = [(etree.QName(c).localname, c.text, c.get(XSI_NIL)) for c in element]
    assert children == [('StartMode', 'Auto', None), ('Nothing', None, 'true'), ('Flag', 'true', None),
                        ('Count', '3', None), ('List', 'a', None), ('List', 'b', None)]


@pytest.mark.parametrize('data', [
    {'Name': 'WinRM', 'StartMode': 'Auto'},
    {'Name': '<a & \'b\' "c">', 'Nil': None, 'Array': ['1', '2', '3'], 'ArrayWithNil': ['x', None]},
    {'Nested': {'Inner': 'v', 'More': {'Deep': None}}, 'Ref': {
        'address': 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous',
        'resource_uri': SERVICE_URI, 'selectors': {'Name': 'WinRM'}}},
    {'Unicode': 'Grüße – 日本', 'Empty': ''},
])
def test_round_trip(data):
    element = dict_to_instance(SERVICE_URI, 'Win32_Service', data)
    assert instance_to_dict(element) == data
    # and through text, as a Put body would travel
    assert instance_to_dict(etree.tostring(element)) == data


def test_round_trip_of_a_real_instance():
    original = instance_to_dict(fixture('win32_service.xml'))
    rebuilt = dict_to_instance(SERVICE_URI, 'Win32_Service', original)
    assert instance_to_dict(rebuilt) == original


@pytest.mark.parametrize('data, argument', [
    ({'bad name': 'x'}, 'bad name'),
    ({'Obj': object()}, 'Obj'),
    ({'L': [['nested']]}, 'L'),
])
def test_dict_to_instance_refuses_bad_input(data, argument):
    with pytest.raises(WSManInvalidArgumentError) as info:
        dict_to_instance(SERVICE_URI, 'Win32_Service', data)
    assert info.value.argument == argument
    assert argument in str(info.value)


def test_instance_to_dict_refuses_doctype_and_garbage():
    with pytest.raises(WSManInvalidArgumentError, match='DOCTYPE'):
        instance_to_dict('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')
    with pytest.raises(WSManInvalidArgumentError, match='not well-formed'):
        instance_to_dict('<x><y></x>')


def test_fragment_value():
    text = etree.fromstring('<w:XmlFragment xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">Running</w:XmlFragment>')
    assert fragment_to_value(text) == 'Running'
    nested = etree.fromstring('<w:XmlFragment xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">'
                              '<p:State xmlns:p="urn:x">Running</p:State></w:XmlFragment>')
    assert fragment_to_value(nested) == {'State': 'Running'}


# --- property-based round trip -----------------------------------------------------------------------

_NAMES = st.from_regex(r'\A[A-Za-z_][A-Za-z0-9_]{0,12}\Z')
# XML 1.0 text: no control characters but tab/newline, no surrogates; \r is normalized by XML parsers
_TEXT = st.text(st.characters(blacklist_categories=('Cs', 'Cc'), blacklist_characters='\r') | st.sampled_from('\t\n'),
                max_size=20)
_SCALAR = st.one_of(st.none(), _TEXT)
_EPR = st.fixed_dictionaries({
    'address': st.just('http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'),
    'resource_uri': st.just(SERVICE_URI),
    'selectors': st.dictionaries(_NAMES, _TEXT.filter(bool), max_size=3),
})


def _values(children):
    return st.one_of(_SCALAR, _EPR, st.lists(_SCALAR, min_size=2, max_size=4), children)


_INSTANCE = st.recursive(
    st.dictionaries(_NAMES, st.one_of(_SCALAR, _EPR, st.lists(_SCALAR, min_size=2, max_size=4)), min_size=1, max_size=6),
    lambda children: st.dictionaries(_NAMES, _values(children), min_size=1, max_size=6),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(_INSTANCE)
def test_round_trip_property(data):
    """instance_to_dict(dict_to_instance(d)) == d for str/None/lists of 2+/EPR/nested dicts (module docstring)."""
    element = dict_to_instance(SERVICE_URI, 'Win32_Service', data)
    assert instance_to_dict(etree.tostring(element)) == data


@settings(max_examples=200, deadline=None)
@given(_INSTANCE)
def test_fast_path_gives_the_general_answer(data):
    """Once the names are known the fast path converts; it must agree with the general rules."""
    element = dict_to_instance(SERVICE_URI, 'Win32_Service', data)
    first = instance_to_dict(element)  # learns the local names (or already knew them)
    assert instance_to_dict(element) == first == _properties_general(element, False)


@pytest.mark.parametrize('location', [False, True])
def test_fast_path_hands_over_repeats_comments_and_location(location):
    known = ('<p:C xmlns:p="%s"><p:Name>a</p:Name><p:State>b</p:State></p:C>' % SERVICE_URI)
    assert instance_to_dict(known) == {'Name': 'a', 'State': 'b'}  # the names are now known
    tricky = etree.fromstring(
        '<p:C xmlns:p="%s" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><p:Name>a</p:Name><!-- note -->'
        '<p:State>b</p:State><p:State>c</p:State><cim:Location><a:Address>x</a:Address>'
        '<a:ReferenceParameters><w:ResourceURI xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">%s'
        '</w:ResourceURI></a:ReferenceParameters></cim:Location></p:C>' % (SERVICE_URI, SERVICE_URI))
    expected = {'Name': 'a', 'State': ['b', 'c']}
    if location:
        expected[LOCATION_KEY] = {'address': 'x', 'resource_uri': SERVICE_URI, 'selectors': {}}
    assert instance_to_dict(tricky, location=location) == expected


def test_whitespace_text_only_matters_when_the_element_has_children():
    # ASCII and Unicode whitespace before child elements is indentation (an embedded instance);
    # whitespace-only text without children, an empty text and text with leading blanks stay text.
    xml = ('<p:C xmlns:p="u" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><p:A>\u00a0</p:A>'
           '<p:B>\n  <p:D>1</p:D>\n</p:B><p:E xsi:nil="true"/><p:F/><p:G> x</p:G>'
           '<p:H>\u3000<p:I>2</p:I></p:H><p:J>\u00e9</p:J><p:K>\t</p:K></p:C>')
    assert instance_to_dict(xml) == {'A': '\xa0', 'B': {'D': '1'}, 'E': None, 'F': '', 'G': ' x', 'H': {'I': '2'},
                                     'J': '\xe9', 'K': '\t'}


# --- the fast path against the general rules, on generated instance XML ----------------------------------------------
# dict_to_instance never writes comments, cim:Location, nil with a value, whitespace before child elements or two
# namespaces sharing a local name; these trees do, and the names they use are known, unknown or half known.

_NS_A = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Fuzz'
_NS_B = 'urn:other'
_ADDRESSING = 'http://schemas.xmlsoap.org/ws/2004/08/addressing'
_WSMAN = 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd'
_LOCATIONS = ('{http://schemas.dmtf.org/wbem/wsman/1/base}Location', '{http://schemas.dmtf.org/wbem/wscim/1/common}Location')
# local names shared by the two namespaces and by the unqualified form; fresh names are generated as well
_TAGS = st.builds('{%s}%s'.__mod__, st.tuples(st.sampled_from((_NS_A, _NS_B)), st.sampled_from(('Name', 'State', '\xdcber')))) | \
    st.sampled_from(('Name', 'Plain')) | st.builds(lambda ns, name: '{%s}%s' % (ns, name), st.sampled_from((_NS_A, _NS_B)), _NAMES)
# None, empty, ASCII and Unicode whitespace, text with blanks around it, non-ASCII text
_FUZZ_TEXT = st.sampled_from((None, '', ' ', '\n  ', '\t', '\xa0', '\u3000', '\u2028', '\x85', ' x ', '\xe9', '0')) | _TEXT.filter(bool)
_NIL = st.sampled_from((None, 'true', '1', 'false', '0', ''))
_EPR_SPEC = st.tuples(st.just('epr'), st.one_of(st.none(), _FUZZ_TEXT), st.dictionaries(_NAMES, _TEXT, max_size=2))


def _child_specs(children):
    prop = st.tuples(st.just('property'), _TAGS, _FUZZ_TEXT, _NIL, children)
    return st.one_of(
        prop, prop, prop, prop,  # mostly properties, so that many instances take the fast path all the way
        st.tuples(st.just('comment'), _TEXT),
        st.tuples(st.just('pi'), _TEXT.filter(lambda text: '?>' not in text)),
        st.tuples(st.just('location'), st.sampled_from(_LOCATIONS), _EPR_SPEC),
        st.tuples(st.just('datetime'), _TAGS, _FUZZ_TEXT, _TEXT),
        st.tuples(st.just('reference'), _TAGS, _FUZZ_TEXT, _EPR_SPEC),
    )


_CHILDREN = st.recursive(st.lists(_child_specs(st.just([])), max_size=8),
                         lambda children: st.lists(_child_specs(children), max_size=8), max_leaves=25)


def _add_epr(parent, spec):
    address, selectors = spec[1:]
    if address is not None:
        etree.SubElement(parent, '{%s}Address' % _ADDRESSING).text = address
    refparams = etree.SubElement(parent, '{%s}ReferenceParameters' % _ADDRESSING)
    etree.SubElement(refparams, '{%s}ResourceURI' % _WSMAN).text = SERVICE_URI
    selector_set = etree.SubElement(refparams, '{%s}SelectorSet' % _WSMAN)
    for name, value in selectors.items():
        etree.SubElement(selector_set, '{%s}Selector' % _WSMAN, Name=name).text = value


def _build(parent, specs):
    for spec in specs:
        kind = spec[0]
        if kind == 'comment':
            parent.append(etree.Comment(spec[1].replace('--', '- -').rstrip('-')))
        elif kind == 'pi':
            parent.append(etree.ProcessingInstruction('fuzz', spec[1]))
        elif kind == 'location':
            _add_epr(etree.SubElement(parent, spec[1]), spec[2])
        else:
            child = etree.SubElement(parent, spec[1])
            child.text = spec[2]
            if kind == 'property':
                if spec[3] is not None:
                    child.set(XSI_NIL, spec[3])
                _build(child, spec[4])
            elif kind == 'datetime':
                etree.SubElement(child, '{http://schemas.dmtf.org/wbem/wscim/1/common}Datetime').text = spec[3]
            else:
                _add_epr(child, spec[3])


def _general_answer(element, location):
    """The answer of the general rules alone: nested elements are converted by them too, not by the fast path."""
    fast = _cim._properties  # pylint: disable=protected-access
    _cim._properties = _properties_general  # pylint: disable=protected-access
    try:
        return instance_to_dict(element, location=location)
    finally:
        _cim._properties = fast  # pylint: disable=protected-access


@settings(max_examples=300, deadline=None)
@given(_CHILDREN, st.booleans(), st.integers(min_value=0, max_value=8), st.sampled_from(('cold', 'warm', 'full')))
def test_fast_path_agrees_with_the_general_rules_on_any_instance_xml(specs, location, known, cache):
    """facts §7.5 / module docstring rules: the fast path is an optimisation only, whatever the XML and the cache hold."""
    element = etree.Element('{%s}Win32_Fuzz' % _NS_A, nsmap={'p': _NS_A, 'xsi': 'http://www.w3.org/2001/XMLSchema-instance'})
    _build(element, specs)
    # a parsed copy as well: text, comments and processing instructions as a parser makes them
    parsed = etree.fromstring(etree.tostring(element, encoding='utf-8'))
    saved = dict(_cim._LOCAL)  # pylint: disable=protected-access
    try:
        _cim._LOCAL.clear()  # pylint: disable=protected-access
        if cache == 'full':  # the cache limit: no new name is learned any more
            _cim._LOCAL.update(dict.fromkeys(range(100000), ''))  # pylint: disable=protected-access
        # (an element built with text '' keeps that text; a parser gives None: each tree has its own answer)
        expected = [_general_answer(tree, location) for tree in (element, parsed)]
        if cache == 'warm':  # the first `known` children's names are learned, those after them are new
            warm = etree.Element(element.tag)
            warm.extend(copy.deepcopy(child) for child in element[:known])
            instance_to_dict(warm, location=location)
        for dummy in range(2):  # the second time every name the first conversion learned is known
            assert [instance_to_dict(tree, location=location) for tree in (element, parsed)] == expected
    finally:
        _cim._LOCAL.clear()  # pylint: disable=protected-access
        _cim._LOCAL.update(saved)  # pylint: disable=protected-access
