# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIM instance XML <-> JSON-friendly dicts.

:func:`instance_to_dict` rules (an instance is the root ``p:<Class>`` of a Get, an enumeration item,
a method's ``p:<Method>_OUTPUT``, or any element with property children):

* each child element is a property, keyed by its local name (namespaces dropped);
* ``xsi:nil="true"`` -> ``None``;
* a name that occurs more than once -> a list, in document order. Without the class schema a
  one-element array cannot be told from a scalar; name such properties in ``force_list`` to always
  get a list;
* a child with child elements -> a dict: an endpoint reference (it has ``wsa:Address`` or
  ``wsa:ReferenceParameters``) becomes ``{'address', 'resource_uri', 'selectors'}``, a
  ``cim:Datetime``/``cim:Interval``/``cim:Date``/``cim:Time`` wrapper becomes its text, anything
  else (an embedded instance) is converted by the same rules;
* every other value is the element text as ``str`` (``''`` for an empty element). No type guessing
  happens: ``"0"``, ``"true"`` and ``"007"`` stay strings, because WMI sends all of them as text
  and only the class schema says which are numbers;
* ``cim:Location`` (the instance's own EPR, not a property) is left out unless ``location=True``;
  it is then an EPR dict under the key ``"cim:Location"`` (a colon cannot occur in a CIM name);
* attributes (``cim:Class``, ``xml:lang``) are not properties and are dropped.

An enumeration item of ``ReturnEPR`` (a ``wsa:EndpointReference``) becomes an EPR dict, one of
``ReturnObjectAndEPR`` (``wsman:Item``) becomes ``{'object': <instance dict>, 'epr': <EPR dict>}``.

:func:`dict_to_instance` is the reverse for Put/Create/Invoke bodies: ``None`` -> ``xsi:nil``,
list -> repeated elements (an empty list writes nothing), dict -> EPR (when it has the EPR keys)
or embedded elements in the class namespace, ``bool`` -> ``true``/``false``, numbers -> ``str``.
Round trip: ``instance_to_dict(dict_to_instance(uri, cls, d)) == d`` for every ``d`` whose values
are str, None, lists of two or more of these, EPR dicts and nested dicts of the same.
"""

from __future__ import annotations

import math

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import (
    NS_ADDRESSING,
    NS_CIM,
    NS_WSMAN,
    NS_XSI,
)
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import (
    EPR_KEYS,
    epr_dict_to_elements,
    epr_element_to_dict,
)
from ansible_collections.wsman.automation.plugins.module_utils._xml import etree, first_non_xml_char, parse_xml, xml_text, XMLParseError

LOCATION_KEY = 'cim:Location'

_XSI_NIL = '{%s}nil' % NS_XSI
# cim:Location is in the WS-Management base namespace; accept the WS-CIM common one too.
NS_CIM_COMMON = 'http://schemas.dmtf.org/wbem/wscim/1/common'
_CIM_LOCATIONS = frozenset(('{%s}Location' % NS_CIM, '{%s}Location' % NS_CIM_COMMON))
_A_ADDRESS = '{%s}Address' % NS_ADDRESSING
_A_REFPARAMS = '{%s}ReferenceParameters' % NS_ADDRESSING
_A_EPR = '{%s}EndpointReference' % NS_ADDRESSING
_W_ITEM = '{%s}Item' % NS_WSMAN
_W_XML_FRAGMENT = '{%s}XmlFragment' % NS_WSMAN
_CIM_SCALARS = frozenset('{%s}%s' % (ns, n) for ns in (NS_CIM_COMMON, NS_CIM) for n in ('Datetime', 'Interval', 'Date', 'Time'))
_EPR_MARKERS = frozenset((_A_ADDRESS, _A_REFPARAMS))
_NIL_TRUE = frozenset(('true', '1'))

# Clark name -> local name; the same few dozen tags repeat in every instance.
_LOCAL = {}


def _local(tag):
    local = _LOCAL.get(tag)
    if local is None:
        local = tag.rpartition('}')[2]
        if len(_LOCAL) < 100000:
            _LOCAL[tag] = local
    return local


def _complex(element):
    for child in element:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        if tag in _CIM_SCALARS:
            return child.text or ''
        if tag in _EPR_MARKERS:
            return epr_element_to_dict(element)
        if tag == _A_EPR:
            return epr_element_to_dict(child)
        break
    return _properties(element, False)


def _properties(element, location):
    """The property dict of ``element``: a fast path for the common flat instance.

    While each child's local name is already known (``_LOCAL``) and not yet in the result, its value is stored
    directly. At the first child that is anything else (a name not seen before, ``cim:Location``, a comment, a
    repeated name) :func:`_properties_general` takes over from that child, so the answer is that of the general
    rules for every input, and an instance with an array or a ``cim:Location`` is not converted twice.
    """
    result = {}
    local_names = _LOCAL
    for child in element:
        try:
            name = local_names[child.tag]
        except KeyError:  # a new tag, cim:Location (never in _LOCAL), or a comment/PI
            return _properties_general(element, location, result, element.index(child))
        if name in result:  # a repeated name (an array)
            return _properties_general(element, location, result, element.index(child))
        value = child.text
        # Only an element without text, or with whitespace that may be indentation, can be nil or
        # hold child elements (str.isspace is a single C call and the cheapest test measured).
        if value is None or value.isspace():
            if len(child):
                value = _complex(child)
            elif value is None:
                value = None if child.get(_XSI_NIL) in _NIL_TRUE else ''
        result[name] = value
    return result


def _properties_general(element, location, result=None, start=0):
    """The general rules; the fast path hands over ``result`` with the children before ``start`` already in it."""
    if result is None:
        result = {}
    for child in element[start:] if start else element:
        tag = child.tag
        if tag.__class__ is not str:  # comment or processing instruction
            continue
        if tag in _CIM_LOCATIONS:
            if location:
                result[LOCATION_KEY] = epr_element_to_dict(child)
            continue
        name = _local(tag)
        value = child.text
        if value is None or value.isspace():
            if len(child):
                value = _complex(child)
            elif value is None:
                value = None if child.get(_XSI_NIL) in _NIL_TRUE else ''
        if name in result:
            existing = result[name]
            if existing.__class__ is list:
                existing.append(value)
            else:
                result[name] = [existing, value]
        else:
            result[name] = value
    return result


def to_element(source, what='instance XML'):
    """An lxml element from an element, XML text or bytes (parsed hardened)."""
    if isinstance(source, etree._Element):  # pylint: disable=protected-access
        return source
    if isinstance(source, str) and first_non_xml_char(source) is not None:
        xml_text(source, 'xml', what[:1].upper() + what[1:])
    try:
        return parse_xml(source, what)
    except XMLParseError as exc:
        raise WSManInvalidArgumentError(exc.reason, code=0, argument='xml') from None


def instance_to_dict(source, location=False, force_list=()):
    """Convert an instance (element or XML text) to a dict; see the module docstring."""
    element = to_element(source)
    tag = element.tag
    if tag == _A_EPR:
        return epr_element_to_dict(element)
    if tag == _W_ITEM:
        result = {'object': None, 'epr': None}
        for child in element.iterchildren(tag=etree.Element):
            if child.tag == _A_EPR:
                result['epr'] = epr_element_to_dict(child)
            else:
                result['object'] = instance_to_dict(child, location, force_list)
        return result
    result = _properties(element, location)
    for name in force_list:
        value = result.get(name)
        if value.__class__ is not list:
            result[name] = [] if value is None else [value]
    return result


def _is_epr_dict(value):
    return 'resource_uri' in value and set(value) <= EPR_KEYS


def _append(parent, namespace, name, value):
    if isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (list, tuple)):
                raise WSManInvalidArgumentError('Property %r holds a list inside a list' % name, argument=name,
                                                fix='CIM arrays are flat: give a list of scalars, dicts or nulls.')
            _append(parent, namespace, name, item)
        return
    xml_text(name, name, 'The property name %r' % name)
    try:
        child = etree.SubElement(parent, '{%s}%s' % (namespace, name))
    except ValueError:
        raise WSManInvalidArgumentError('%r is not a valid property name' % (name,), argument=name,
                                        fix='Property names are XML names: letters, digits, "_", no spaces.') from None
    if value is None:
        child.set(_XSI_NIL, 'true')
    elif isinstance(value, bool):
        child.text = 'true' if value else 'false'
    elif isinstance(value, str):
        child.text = xml_text(value, name, 'The value of property %r' % name)
    elif isinstance(value, float) and not math.isfinite(value):
        raise WSManInvalidArgumentError('Property %r is %r, which CIM cannot hold' % (name, value), argument=name,
                                        fix='Give a finite number, or null for no value.')
    elif isinstance(value, (int, float)):
        child.text = str(value)
    elif isinstance(value, dict):
        if _is_epr_dict(value):
            epr_dict_to_elements(child, value)
        else:
            _fill(child, namespace, value)
    else:
        raise WSManInvalidArgumentError('Property %r has a value of type %s' % (name, type(value).__name__),
                                        argument=name, fix='Use strings, numbers, booleans, null, lists or dicts.')


def _fill(parent, namespace, data):
    for name, value in data.items():
        if name == LOCATION_KEY:
            continue
        _append(parent, namespace, str(name), value)


def split_resource_uri(resource_uri):
    """``(uri without selectors, class name = last path segment)``."""
    uri = resource_uri.partition('?')[0].rstrip('/')
    return uri, uri.rpartition('/')[2]


def dict_to_instance(resource_uri, class_name, data):
    """Build ``<p:class_name xmlns:p=resource_uri>`` with ``data`` as properties; returns the element."""
    if not isinstance(data, dict):
        raise WSManInvalidArgumentError('The instance data must be a dict, not %s' % type(data).__name__,
                                        argument='body', fix='Give a dict of property name -> value.')
    if not isinstance(resource_uri, str):
        raise WSManInvalidArgumentError('resource_uri must be a string, not %s' % type(resource_uri).__name__,
                                        argument='resource_uri',
                                        fix='Give the resource URI of the class, e.g. '
                                            '"http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service".')
    if class_name is not None and not isinstance(class_name, str):
        raise WSManInvalidArgumentError('class_name must be a string, not %s' % type(class_name).__name__,
                                        argument='class_name',
                                        fix='Give the class (or method input) element name, or None for the last URI segment.')
    xml_text(resource_uri, 'resource_uri', 'The resource URI')
    xml_text(class_name, 'class_name', 'The class (or method input) name')
    uri, last = split_resource_uri(resource_uri)
    class_name = class_name or last
    try:
        root = etree.Element('{%s}%s' % (uri, class_name), nsmap={'p': uri, 'xsi': NS_XSI})
    except ValueError:
        raise WSManInvalidArgumentError('%r is not a valid class or element name' % (class_name,),
                                        argument='class_name') from None
    _fill(root, uri, data)
    return root


def fragment_to_value(element):
    """The value of a ``wsman:XmlFragment`` (fragment Get): text, or a dict of its elements."""
    if element.tag != _W_XML_FRAGMENT:
        return instance_to_dict(element)
    if len(element):
        return _properties(element, False)
    return element.text or ''
