# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judging a WS-Management reply: decoding, hardened parsing, RelatesTo, SOAP faults.

:func:`check_response` turns a transport reply (status, content type, body) into the parsed
``s:Envelope`` or raises :class:`~._errors.WSManFault` / :class:`~._errors.WSManProtocolError`.
All lookups are by namespace URI; the prefixes a service chooses are irrelevant.
"""

from __future__ import annotations

from ansible_collections.wsman.automation.plugins.module_utils._cim import instance_to_dict
from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    ERROR_CODES,
    WSManFault,
    WSManProtocolError,
)
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import (
    NS,
    NS_ADDRESSING,
    NS_SOAP,
    NS_WSMAN_FAULT,
    NS_XML,
)
from ansible_collections.wsman.automation.plugins.module_utils._xml import decode_body, etree, parse_xml, XMLParseError

_ENVELOPE = '{%s}Envelope' % NS_SOAP
_HEADER = '{%s}Header' % NS_SOAP
_BODY = '{%s}Body' % NS_SOAP
_FAULT = '{%s}Fault' % NS_SOAP
_CODE = '{%s}Code' % NS_SOAP
_SUBCODE = '{%s}Subcode' % NS_SOAP
_VALUE = '{%s}Value' % NS_SOAP
_REASON = '{%s}Reason' % NS_SOAP
_TEXT = '{%s}Text' % NS_SOAP
_DETAIL = '{%s}Detail' % NS_SOAP
_RELATES_TO = '{%s}RelatesTo' % NS_ADDRESSING
_F_WSMANFAULT = '{%s}WSManFault' % NS_WSMAN_FAULT
_F_MESSAGE = '{%s}Message' % NS_WSMAN_FAULT
_F_PROVIDERFAULT = '{%s}ProviderFault' % NS_WSMAN_FAULT
_F_EXTENDED_ERROR = '{%s}ExtendedError' % NS_WSMAN_FAULT
_XML_LANG = '{%s}lang' % NS_XML

# Canonical prefixes for fault code QNames, so "s:Sender" reads the same whatever prefix the
# service used.
_PREFIX_OF = {uri: prefix for prefix, uri in NS.items()}
_PREFIX_OF['http://schemas.xmlsoap.org/ws/2004/08/eventing'] = 'e'
_PREFIX_OF['http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'] = 'wsse'

# SOAP subcode -> Windows error, for plain SOAP faults without a WSManFault (facts §9.2).
SUBCODE_CODES = {
    's:VersionMismatch': 'ERROR_WSMAN_SOAP_VERSION_MISMATCH',
    's:MustUnderstand': 'ERROR_WSMAN_SOAP_FAULT_MUST_UNDERSTAND',
    'a:InvalidMessageInformationHeader': 'ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER',
    'a:MessageInformationHeaderRequired': 'ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED',
    'a:DestinationUnreachable': 'ERROR_WSMAN_DESTINATION_UNREACHABLE',
    'a:ActionNotSupported': 'ERROR_WSMAN_ACTION_NOT_SUPPORTED',
    'a:EndpointUnavailable': 'ERROR_WSMAN_ENDPOINT_UNAVAILABLE',
    't:InvalidRepresentation': 'ERROR_WSMAN_INVALID_REPRESENTATION',
    'n:FilteringNotSupported': 'ERROR_WSMAN_ENUMERATE_FILTERING_NOT_SUPPORTED',
    'n:FilterDialectRequestedUnavailable': 'ERROR_WSMAN_ENUMERATE_FILTER_DIALECT_REQUESTED_UNAVAILABLE',
    'n:CannotProcessFilter': 'ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER',
    'n:InvalidEnumerationContext': 'ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT',
    'n:TimedOut': 'ERROR_WSMAN_ENUMERATE_TIMED_OUT',
    'w:InvalidBody': 'ERROR_WSMAN_INVALID_SOAP_BODY',
    'w:TimedOut': 'ERROR_WSMAN_OPERATION_TIMEDOUT',
    'w:UnsupportedEncoding': 'ERROR_WSMAN_UNSUPPORTED_ENCODING',
    'w:AlreadyExists': 'ERROR_WSMAN_ALREADY_EXISTS',
    'w:EncodingLimit': 'ERROR_WSMAN_ENCODING_LIMIT',
    'wsse:FailedAuthentication': 'ERROR_WSMAN_FAILED_AUTHENTICATION',
    'w:InvalidOptions': 'ERROR_WSMAN_INVALID_OPTIONS',
    'w:InvalidParameter': 'ERROR_WSMAN_INVALID_PARAMETER',
    'w:InvalidResourceURI': 'ERROR_WSMAN_INVALID_RESOURCE_URI',
    'w:InvalidSelectors': 'ERROR_WSMAN_INVALID_SELECTORS',
    'w:QuotaLimit': 'ERROR_WSMAN_QUOTA_LIMIT',
    'w:SchemaValidationError': 'ERROR_WSMAN_SCHEMA_VALIDATION_ERROR',
    'w:UnsupportedFeature': 'ERROR_WSMAN_UNSUPPORTED_FEATURE',
    'w:CannotProcessFilter': 'ERROR_WSMAN_CANNOT_PROCESS_FILTER',
    'w:AccessDenied': 'E_ACCESSDENIED',
}


def _qname_text(element):
    """Resolve the QName text of a fault ``Value`` against the element's namespaces."""
    text = (element.text or '').strip() if element is not None else ''
    if not text:
        return None
    prefix, sep, local = text.rpartition(':')
    uri = element.nsmap.get(prefix if sep else None)
    if uri is None:
        return text
    canonical = _PREFIX_OF.get(uri)
    return '%s:%s' % (canonical, local) if canonical else '{%s}%s' % (uri, local)


def _lang_text(parent, tag):
    """The text of the ``tag`` child preferring English, else the first."""
    chosen = None
    for child in parent.iterchildren(tag):
        lang = (child.get(_XML_LANG) or '').lower()
        if chosen is None or lang.startswith('en'):
            chosen = child
            if lang.startswith('en'):
                break
    return ' '.join((chosen.text or '').split()) if chosen is not None else None


def _own_text(element):
    """Direct text of an element (its text and its children's tails), whitespace-normalized."""
    parts = [element.text or '']
    parts.extend(child.tail or '' for child in element)
    return ' '.join(''.join(parts).split()) or None


def _wmi_error(detail):
    """A WMI ``MSFT_WmiError`` / ``__ExtendedStatus`` instance in the fault detail, as a dict."""
    for extended in detail.iter(_F_EXTENDED_ERROR):
        for instance in extended.iterchildren(tag=etree.Element):
            return instance_to_dict(instance)
    for element in detail.iter(tag=etree.Element):
        local = etree.QName(element).localname
        if local in ('MSFT_WmiError', '__ExtendedStatus') and len(element):
            return instance_to_dict(element)
    return None


def parse_fault(fault, http_status=None, endpoint=None):
    """Build a :class:`WSManFault` from an ``s:Fault`` element."""
    code_el = fault.find(_CODE)
    soap_code = soap_subcode = None
    if code_el is not None:
        soap_code = _qname_text(code_el.find(_VALUE))
        sub = code_el.find(_SUBCODE)
        while sub is not None:  # the innermost subcode is the most specific one
            soap_subcode = _qname_text(sub.find(_VALUE)) or soap_subcode
            sub = sub.find(_SUBCODE)
    reason_el = fault.find(_REASON)
    reason = _lang_text(reason_el, _TEXT) if reason_el is not None else None

    code = 0
    machine = fault_message = provider = provider_path = provider_fault = wmi_error = None
    fault_xml_el = fault
    detail = fault.find(_DETAIL)
    wsman_fault = None
    if detail is not None:
        wsman_fault = detail.find(_F_WSMANFAULT)
        if wsman_fault is None:
            for candidate in detail.iter(_F_WSMANFAULT):
                wsman_fault = candidate
                break
    if wsman_fault is not None:
        fault_xml_el = wsman_fault
        code = _int_code(wsman_fault.get('Code'))
        machine = wsman_fault.get('Machine')
        message_el = wsman_fault.find(_F_MESSAGE)
        if message_el is not None:
            fault_message = _own_text(message_el)
            pf_el = message_el.find(_F_PROVIDERFAULT)
            if pf_el is not None:
                provider = pf_el.get('provider')
                if provider is not None:
                    provider = provider.strip()
                provider_path = pf_el.get('path')
                nested = pf_el.find(_F_WSMANFAULT)
                texts = []
                if nested is not None:
                    nested_msg = nested.find(_F_MESSAGE)
                    if nested_msg is not None:
                        texts.append(' '.join(''.join(nested_msg.itertext()).split()))
                    if not code:
                        code = _int_code(nested.get('Code'))
                own = _own_text(pf_el)
                if own:
                    texts.append(own)
                provider_fault = ' '.join(t for t in texts if t) or None
                if not fault_message:
                    fault_message = provider_fault
        wmi_error = _wmi_error(wsman_fault)
    if not code:
        name = SUBCODE_CODES.get(soap_subcode or '') or SUBCODE_CODES.get(soap_code or '')
        code = ERROR_CODES.get(name, 0) if name else 0
    return WSManFault(
        code=code, soap_code=soap_code, soap_subcode=soap_subcode, reason=reason, machine=machine,
        fault_message=fault_message, provider=provider, provider_path=provider_path,
        provider_fault=provider_fault, wmi_error=wmi_error,
        fault_xml=etree.tostring(fault_xml_el, encoding='unicode'), http_status=http_status, endpoint=endpoint)


def _int_code(value):
    if not value:
        return 0
    value = value.strip()
    try:
        return int(value, 16) if value.lower().startswith('0x') else int(value) & 0xFFFFFFFF
    except ValueError:
        return 0


def _protocol_error(message, status, endpoint, code=0):
    return WSManProtocolError('%s: %s' % (endpoint, message) if endpoint else message,
                              code=code, endpoint=endpoint, http_status=status)


def _no_detail(status, endpoint, why):
    if status == 500:
        return _protocol_error('HTTP 500 without WS-Management fault detail (%s)' % why, status, endpoint,
                               ERROR_CODES['ERROR_WSMAN_HTTP_STATUS_SERVER_ERROR'])
    if status == 400:
        return _protocol_error('HTTP 400 without WS-Management fault detail (%s)' % why, status, endpoint,
                               ERROR_CODES['ERROR_WSMAN_HTTP_STATUS_BAD_REQUEST'])
    return _protocol_error('the reply is not a WS-Management response (%s)' % why, status, endpoint)


def check_response(status, content_type, body, message_id, endpoint=None):
    """Judge a reply; return the ``s:Envelope`` element of a successful response.

    Raises :class:`WSManFault` for a SOAP fault (``.fault_xml`` is the WSManFault XML, else the
    s:Fault XML) and :class:`WSManProtocolError` for anything that is no valid WS-Management
    reply: non-XML or empty HTTP 400/500 (2150859121 / 2150859120), malformed or truncated XML,
    a non-SOAP-1.2 document, or a ``wsa:RelatesTo`` that is not our ``message_id``.
    ``message_id`` None skips the RelatesTo check (Identify has no MessageID).
    """
    if status not in (200, 400, 500):
        raise _no_detail(status, endpoint, 'unexpected HTTP status %s' % status)
    if not body:
        raise _no_detail(status, endpoint, 'empty body')
    try:
        root = parse_xml(decode_body(body, content_type), 'the response')
    except XMLParseError as exc:
        raise _no_detail(status, endpoint, exc.reason) from None
    if root.tag != _ENVELOPE:
        raise _no_detail(status, endpoint, 'the root element is %s, not a SOAP 1.2 Envelope' % root.tag)
    body_el = root.find(_BODY)
    if body_el is None:
        raise _no_detail(status, endpoint, 'the SOAP envelope has no Body')
    fault = body_el.find(_FAULT)
    relates_to = _relates_to(root)
    if message_id is not None and relates_to is not None and relates_to != message_id:
        raise _protocol_error('the response relates to message %s, but the request was %s' % (relates_to, message_id),
                              status, endpoint)
    if fault is not None:
        raise parse_fault(fault, http_status=status, endpoint=endpoint)
    if status != 200:
        raise _no_detail(status, endpoint, 'the SOAP body holds no Fault')
    if message_id is not None and relates_to is None:
        raise _protocol_error('the response has no wsa:RelatesTo header for message %s' % message_id, status, endpoint)
    return root


def _relates_to(root):
    header = root.find(_HEADER)
    if header is None:
        return None
    text = header.findtext(_RELATES_TO)
    return text.strip() if text is not None else None


def body_of(envelope):
    """The ``s:Body`` element of a checked envelope."""
    return envelope.find(_BODY)


def first_body_child(envelope):
    """The first element inside ``s:Body`` (None for an empty body)."""
    body = envelope.find(_BODY)
    if body is None:
        return None
    for child in body.iterchildren(tag=etree.Element):
        return child
    return None
