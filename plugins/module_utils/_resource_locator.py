# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``ResourceLocator`` (createsession-facts.md §5.4) and the resolution of the ``resource`` argument.

A ``resource`` given to a Session operation is one of (facts §5.1):

* a resource URI string, optionally with selectors: ``wmicimv2/Win32_Service?Name=WinRM``.
  The first path segment is expanded when it is an alias of facts §6.3 (case-insensitively).
  Selectors follow ``?`` as ``Name=Value`` pairs joined by ``+``. Each value is percent-decoded
  (``%2B`` is a literal ``+``, ``%25`` a literal ``%``) so that any value can be written; a
  ``+`` is always a separator. For values with arbitrary characters, a ``ResourceLocator`` with
  :meth:`ResourceLocator.add_selector` needs no escaping at all.
* a :class:`ResourceLocator`;
* the XML text of a WS-Addressing endpoint reference (anything starting with ``<``). Its
  ``wsman:ResourceURI`` and ``wsman:SelectorSet`` are used as they are: aliases are not expanded
  inside an EPR (facts §5.4). Its ``wsa:Address`` is not used; requests go to the session endpoint.

An endpoint reference as a dict (used for reference-valued selectors and by ``_cim``) is
``{'address': str, 'resource_uri': str, 'selectors': {name: value}}``; a selector value may itself
be such a dict.
"""

from __future__ import annotations

import math
from urllib.parse import unquote

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import (
    ADDRESS_ANONYMOUS,
    FRAGMENT_DIALECT_XPATH,
    NS_ADDRESSING,
    NS_WSMAN,
    URI_ALIASES,
)
from ansible_collections.wsman.automation.plugins.module_utils._xml import etree, parse_xml, xml_text, XMLParseError

_A_ADDRESS = '{%s}Address' % NS_ADDRESSING
_A_REFPARAMS = '{%s}ReferenceParameters' % NS_ADDRESSING
_A_EPR = '{%s}EndpointReference' % NS_ADDRESSING
_W_RESOURCE_URI = '{%s}ResourceURI' % NS_WSMAN
_W_SELECTOR_SET = '{%s}SelectorSet' % NS_WSMAN
_W_SELECTOR = '{%s}Selector' % NS_WSMAN

EPR_KEYS = frozenset(('address', 'resource_uri', 'selectors'))


def _invalid(message, code='ERROR_WSMAN_CLIENT_INVALID_RESOURCE_LOCATOR', argument='resource', fix=None):
    return WSManInvalidArgumentError(message, code=code, argument=argument, fix=fix)


def expand_alias(uri):
    """Expand a facts §6.3 alias on the first path segment (case-insensitively)."""
    head, sep, rest = uri.partition('/')
    expansion = URI_ALIASES.get(head.lower())
    if expansion is None:
        return uri
    return expansion + sep + rest if rest or sep else expansion


def _selector_value(value, name):
    argument = 'selectors.%s' % name
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float) and not math.isfinite(value):
        raise _invalid('The value of selector %r is %r, which is no valid key value' % (name, value),
                       code='ERROR_WSMAN_INVALID_SELECTOR_VALUE', argument=argument,
                       fix='Give a finite number or a string.')
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return xml_text(value, argument, 'The value of selector %r' % name, code='ERROR_WSMAN_INVALID_SELECTOR_VALUE')
    if isinstance(value, dict):
        return normalize_epr_dict(value, 'selector %r' % name)
    if isinstance(value, ResourceLocator):
        return {'address': ADDRESS_ANONYMOUS, 'resource_uri': value.resource_uri,
                'selectors': dict(value.selectors)}
    raise _invalid('The value of selector %r is a %s' % (name, type(value).__name__),
                   code='ERROR_WSMAN_INVALID_SELECTOR_VALUE', argument=argument,
                   fix='A selector value must be a string, a number or a boolean; for a reference key give an '
                       'endpoint-reference dict {address, resource_uri, selectors}.')


def normalize_epr_dict(value, what='endpoint reference'):
    """Check an EPR dict and return a normalized copy (address defaults to anonymous)."""
    unknown = set(value) - EPR_KEYS
    if unknown or not value.get('resource_uri'):
        raise _invalid('The %s dict has keys %s' % (what, ', '.join(sorted(map(str, value))) or 'none'),
                       argument='selectors',
                       fix='An endpoint reference dict has the keys address (optional), resource_uri (required) '
                           'and selectors (optional dict).')
    selectors = value.get('selectors') or {}
    if not isinstance(selectors, dict):
        raise _invalid('The selectors of the %s must be a dict' % what, argument='selectors')
    for key in ('address', 'resource_uri'):
        if isinstance(value.get(key), (dict, list, tuple)):
            raise _invalid('The %s of the %s is a %s' % (key, what, type(value[key]).__name__), argument=key,
                           fix='Give the %s as a string.' % key)
    return {
        'address': xml_text(str(value.get('address') or ADDRESS_ANONYMOUS), 'address', 'The address of the %s' % what),
        'resource_uri': xml_text(str(value['resource_uri']), 'resource_uri', 'The resource_uri of the %s' % what),
        'selectors': {xml_text(str(k), 'selectors', 'A selector name of the %s' % what): _selector_value(v, k)
                      for k, v in selectors.items()},
    }


class ResourceLocator:
    """Resource URI, selectors, fragment and options of one request (IWSManResourceLocator)."""

    def __init__(self, resource_uri=None):
        self._resource_uri = ''
        self._selectors = []
        self._options = []
        self._fragment_path = ''
        self._fragment_dialect = FRAGMENT_DIALECT_XPATH
        self.must_understand_options = False
        self.error = ''
        if resource_uri is not None:
            self.resource_uri = resource_uri

    # --- resource URI -------------------------------------------------------------------------
    @property
    def resource_uri(self):
        """The resource URI (path only: selectors go through :meth:`add_selector`)."""
        return self._resource_uri

    @resource_uri.setter
    def resource_uri(self, value):
        if not isinstance(value, str):
            raise _invalid('resource_uri must be a string, not %s' % type(value).__name__, argument='resource_uri')
        value = xml_text(value, 'resource_uri', 'The resource URI').strip()
        if '?' in value:
            raise _invalid('resource_uri %r contains "?" selectors' % value, argument='resource_uri',
                           fix='Set the URI without "?Name=Value" and call add_selector(name, value) for each key.')
        self._resource_uri = expand_alias(value) if value and not value.startswith('<') else value

    # --- fragment ------------------------------------------------------------------------------
    @property
    def fragment_path(self):
        """The fragment expression (``wsman:FragmentTransfer``), '' for the whole instance."""
        return self._fragment_path

    @fragment_path.setter
    def fragment_path(self, value):
        self._fragment_path = xml_text(value, 'fragment', 'The fragment path')

    @property
    def fragment_dialect(self):
        """The dialect URI of the fragment expression (XPath by default)."""
        return self._fragment_dialect

    @fragment_dialect.setter
    def fragment_dialect(self, value):
        self._fragment_dialect = xml_text(value, 'fragment_dialect', 'The fragment dialect')

    # --- selectors ------------------------------------------------------------------------------
    @property
    def selectors(self):
        """The selectors as a list of ``(name, value)``; a value is a str or an EPR dict."""
        return list(self._selectors)

    def add_selector(self, name, value):
        """Add a selector (e.g. a WMI key property). ``value`` may be an EPR dict (reference key)."""
        if not isinstance(name, str) or not name.strip():
            raise _invalid('A selector name must be a non-empty string, got %r' % (name,), argument='selectors')
        xml_text(name, 'selectors', 'The selector name %r' % name)
        if value is None:
            raise _invalid('Selector %r has no value' % name, code='ERROR_WSMAN_INVALID_SELECTOR_VALUE',
                           argument='selectors.%s' % name,
                           fix='Give every selector a value; selectors identify an instance by its keys.')
        self._selectors.append((name.strip(), _selector_value(value, name)))

    def clear_selectors(self):
        """Remove all selectors."""
        self._selectors = []

    # --- options --------------------------------------------------------------------------------
    @property
    def options(self):
        """The options as a list of ``(name, value, must_comply)``."""
        return list(self._options)

    def add_option(self, name, value, must_comply=False):
        """Add a provider-specific option (``wsman:Option``)."""
        if not isinstance(name, str) or not name.strip():
            raise _invalid('An option name must be a non-empty string, got %r' % (name,), argument='option_set')
        xml_text(name, 'option_set', 'The option name %r' % name, code='ERROR_WSMAN_INVALID_OPTIONS')
        argument = 'option_set.%s' % name.strip()
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        elif value is None:
            value = ''
        elif isinstance(value, float) and not math.isfinite(value):
            raise _invalid('The value of option %r is %r' % (name, value), code='ERROR_WSMAN_INVALID_OPTIONS',
                           argument=argument, fix='Give a finite number or a string.')
        elif isinstance(value, (int, float)):
            value = str(value)
        elif not isinstance(value, str):
            raise _invalid('The value of option %r is a %s' % (name, type(value).__name__),
                           code='ERROR_WSMAN_INVALID_OPTIONS', argument=argument,
                           fix='An option value must be a string, a number or a boolean.')
        else:
            xml_text(value, argument, 'The value of option %r' % name, code='ERROR_WSMAN_INVALID_OPTIONS')
        self._options.append((name.strip(), value, bool(must_comply)))

    def clear_options(self):
        """Remove all options."""
        self._options = []

    def __repr__(self):
        sel = '+'.join('%s=%s' % (k, v if isinstance(v, str) else '<EPR>') for k, v in self._selectors)
        return '<ResourceLocator %s%s%s>' % (self._resource_uri, '?' if sel else '', sel)


def _parse_selector_string(text, original):
    selectors = []
    for part in text.split('+'):
        if not part:
            continue
        name, eq, value = part.partition('=')
        if not eq or not name.strip():
            raise _invalid('Selector %r in resource %r is not Name=Value' % (part, original),
                           fix='Write selectors as "?Name=Value+Name2=Value2" (percent-encode "+" as %2B).')
        selectors.append((unquote(name.strip()), unquote(value)))
    return selectors


def epr_element_to_dict(element):
    """An endpoint reference element (or ``cim:Location``, or ``wsa:ReferenceParameters``) -> EPR dict."""
    if element.tag == _A_REFPARAMS:
        refparams, address = element, None
    else:
        refparams = element.find(_A_REFPARAMS)
        address = element.findtext(_A_ADDRESS)
    if refparams is None:
        return None
    selectors = {}
    selset = refparams.find(_W_SELECTOR_SET)
    if selset is not None:
        for sel in selset.iterchildren(_W_SELECTOR):
            nested = None
            for child in sel.iterchildren(tag=etree.Element):
                nested = epr_element_to_dict(child)
                break
            selectors[sel.get('Name', '')] = nested if nested is not None else (sel.text or '')
    return {
        'address': (address or ADDRESS_ANONYMOUS).strip(),
        'resource_uri': (refparams.findtext(_W_RESOURCE_URI) or '').strip(),
        'selectors': selectors,
    }


def epr_dict_to_elements(parent, epr):
    """Append ``wsa:Address`` and ``wsa:ReferenceParameters`` for an EPR dict to ``parent``."""
    epr = normalize_epr_dict(epr)
    etree.SubElement(parent, _A_ADDRESS).text = epr['address']
    refparams = etree.SubElement(parent, _A_REFPARAMS)
    etree.SubElement(refparams, _W_RESOURCE_URI).text = epr['resource_uri']
    if epr['selectors']:
        add_selector_set(refparams, list(epr['selectors'].items()))
    return parent


def add_selector_set(parent, selectors):
    """Append a ``wsman:SelectorSet`` holding ``selectors`` [(name, str or EPR dict)] to ``parent``."""
    selset = etree.SubElement(parent, _W_SELECTOR_SET)
    for name, value in selectors:
        sel = etree.SubElement(selset, _W_SELECTOR, Name=name)
        if isinstance(value, dict):
            epr_dict_to_elements(etree.SubElement(sel, _A_EPR), value)
        else:
            sel.text = value
    return selset


def locator_from_epr(text):
    """A ResourceLocator from the XML text of an endpoint reference (no alias expansion)."""
    try:
        root = parse_xml(text, 'the endpoint reference')
    except XMLParseError as exc:
        raise _invalid('The resource looks like an endpoint reference (it starts with "<") but %s' % exc.reason,
                       fix='Give a resource URI, a ResourceLocator, or well-formed endpoint-reference XML.') from None
    epr = epr_element_to_dict(root)
    if epr is None:
        for element in root.iter(_A_REFPARAMS):
            epr = epr_element_to_dict(element)
            break
    if epr is None or not epr['resource_uri']:
        raise _invalid('The endpoint reference has no wsa:ReferenceParameters/wsman:ResourceURI',
                       code='ERROR_WSMAN_CLIENT_INVALID_RESOURCE_LOCATOR',
                       fix='An EPR needs <a:ReferenceParameters><w:ResourceURI>…</w:ResourceURI></a:ReferenceParameters>.')
    locator = ResourceLocator()
    locator._resource_uri = epr['resource_uri']  # pylint: disable=protected-access
    for name, value in epr['selectors'].items():
        locator.add_selector(name, value)
    return locator


def resolve_resource(resource):
    """Return a :class:`ResourceLocator` for a ``resource`` argument (see the module docstring)."""
    if isinstance(resource, ResourceLocator):
        if not resource.resource_uri:
            raise _invalid('The ResourceLocator has no resource_uri', code='ERROR_WSMAN_CLIENT_BLANK_URI',
                           fix='Set resource_uri, e.g. "wmicimv2/Win32_Service".')
        return resource
    if isinstance(resource, dict):
        epr = normalize_epr_dict(resource, 'resource')
        locator = ResourceLocator()
        locator._resource_uri = epr['resource_uri']  # pylint: disable=protected-access
        for name, value in epr['selectors'].items():
            locator.add_selector(name, value)
        return locator
    if not isinstance(resource, str):
        raise _invalid('The resource must be a resource URI string, a ResourceLocator or endpoint-reference XML, '
                       'not %s' % type(resource).__name__)
    text = resource.strip()
    if not text:
        raise _invalid('The resource URI is blank', code='ERROR_WSMAN_CLIENT_BLANK_URI',
                       fix='Give a resource URI such as "wmicimv2/Win32_Service?Name=WinRM".')
    if text.startswith('<'):
        return locator_from_epr(text)
    uri, _sep, query = text.partition('?')
    uri = uri.strip()
    if not uri:
        raise _invalid('The resource %r has selectors but no URI' % resource, code='ERROR_WSMAN_CLIENT_BLANK_URI')
    locator = ResourceLocator(uri)
    for name, value in _parse_selector_string(query, resource):
        locator.add_selector(name, value)
    return locator
