# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SOAP 1.2 / WS-Management request envelopes, built with lxml element APIs only.

No user data is ever formatted into XML text: selector values, option values, fragment paths and
bodies are element text, attributes or parsed elements, so ``<a & 'b' "c">`` arrives intact.
"""

from __future__ import annotations

import collections
import uuid

from ansible_collections.wsman.automation.plugins.module_utils._namespaces import (
    ADDRESS_ANONYMOUS,
    NS,
    NS_ADDRESSING,
    NS_IDENTITY,
    NS_SOAP,
    NS_WSMAN,
    NS_XML,
)
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import add_selector_set
from ansible_collections.wsman.automation.plugins.module_utils._xml import etree, xml_text

EnvelopeParams = collections.namedtuple('EnvelopeParams', 'to timeout_ms max_envelope_size locale utf16')
EnvelopeParams.__doc__ = """Per-session values every envelope carries.

to: endpoint URL (wsa:To); timeout_ms: wsman:OperationTimeout; max_envelope_size: bytes
(wsman:MaxEnvelopeSize); locale: wsman:Locale xml:lang; utf16: encode the request as UTF-16.
"""

_NSMAP = {p: NS[p] for p in ('s', 'a', 'n', 'w', 'p', 'b')}
_MUST_UNDERSTAND = '{%s}mustUnderstand' % NS_SOAP
_XML_LANG = '{%s}lang' % NS_XML


def _s(local):
    return '{%s}%s' % (NS_SOAP, local)


def _a(local):
    return '{%s}%s' % (NS_ADDRESSING, local)


def _w(local):
    return '{%s}%s' % (NS_WSMAN, local)


def format_timeout(ms):
    """Milliseconds -> xs:duration as Windows writes it (``60000`` -> ``PT60.000S``)."""
    seconds, millis = divmod(int(ms), 1000)
    return 'PT%d.%03dS' % (seconds, millis)


def new_message_id():
    """A fresh ``uuid:``-prefixed message ID (upper-case, as Windows sends them)."""
    return 'uuid:' + str(uuid.uuid4()).upper()


def charset_for(utf16):
    """The charset of an encoded envelope."""
    return 'utf-16' if utf16 else 'utf-8'


def serialize(envelope, utf16=False):
    """Encode an envelope element: UTF-8, or UTF-16 (little-endian, with BOM)."""
    if utf16:
        text = etree.tostring(envelope, encoding='unicode')
        return b'\xff\xfe' + ('<?xml version="1.0" encoding="utf-16"?>' + text).encode('utf-16-le')
    return etree.tostring(envelope, encoding='utf-8', xml_declaration=True)


def new_envelope():
    """An empty ``s:Envelope`` with ``s:Header`` and ``s:Body``; returns (envelope, header, body)."""
    envelope = etree.Element(_s('Envelope'), nsmap=_NSMAP)
    header = etree.SubElement(envelope, _s('Header'))
    body = etree.SubElement(envelope, _s('Body'))
    return envelope, header, body


def add_locator_headers(header, locator):
    """ResourceURI, SelectorSet, OptionSet and FragmentTransfer headers of a ResourceLocator."""
    resource_uri = etree.SubElement(header, _w('ResourceURI'))
    resource_uri.set(_MUST_UNDERSTAND, 'true')
    resource_uri.text = locator.resource_uri
    if locator.selectors:
        add_selector_set(header, locator.selectors)
    if locator.options:
        option_set = etree.SubElement(header, _w('OptionSet'))
        if locator.must_understand_options:
            option_set.set(_MUST_UNDERSTAND, 'true')
        for name, value, must_comply in locator.options:
            option = etree.SubElement(option_set, _w('Option'), Name=name)
            if must_comply:
                option.set('MustComply', 'true')
            option.text = value
    if locator.fragment_path:
        fragment = etree.SubElement(header, _w('FragmentTransfer'))
        fragment.set(_MUST_UNDERSTAND, 'true')
        if locator.fragment_dialect:
            fragment.set('Dialect', locator.fragment_dialect)
        fragment.text = locator.fragment_path


def build_envelope(action, locator, params, body=None, extra_headers=()):
    """Build one request.

    ``action``: action URI; ``locator``: a ResourceLocator; ``params``: :class:`EnvelopeParams`;
    ``body``: an element (or None) appended to ``s:Body``; ``extra_headers``: elements appended to
    ``s:Header``. Returns ``(encoded bytes, message_id)``.
    """
    envelope, header, body_el = new_envelope()
    message_id = new_message_id()
    etree.SubElement(header, _a('To')).text = params.to
    reply_to = etree.SubElement(header, _a('ReplyTo'))
    address = etree.SubElement(reply_to, _a('Address'))
    address.set(_MUST_UNDERSTAND, 'true')
    address.text = ADDRESS_ANONYMOUS
    action_el = etree.SubElement(header, _a('Action'))
    action_el.set(_MUST_UNDERSTAND, 'true')
    action_el.text = xml_text(action, 'action', 'The action URI')
    etree.SubElement(header, _a('MessageID')).text = message_id
    max_size = etree.SubElement(header, _w('MaxEnvelopeSize'))
    max_size.set(_MUST_UNDERSTAND, 'true')
    max_size.text = str(int(params.max_envelope_size))
    locale = etree.SubElement(header, _w('Locale'))
    locale.set(_XML_LANG, params.locale)
    locale.set(_MUST_UNDERSTAND, 'false')
    etree.SubElement(header, _w('OperationTimeout')).text = format_timeout(params.timeout_ms)
    add_locator_headers(header, locator)
    for extra in extra_headers:
        header.append(extra)
    if body is not None:
        body_el.append(body)
    return serialize(envelope, params.utf16), message_id


def build_identify(utf16=False):
    """The Identify request: an empty header and ``wsmid:Identify`` (DSP0226 §11). No MessageID."""
    envelope = etree.Element(_s('Envelope'), nsmap={'s': NS_SOAP, 'wsmid': NS_IDENTITY})
    etree.SubElement(envelope, _s('Header'))
    body = etree.SubElement(envelope, _s('Body'))
    etree.SubElement(body, '{%s}Identify' % NS_IDENTITY)
    return serialize(envelope, utf16)
