"""SOAP 1.2 / WS-Addressing / WS-Management envelopes of the lab: hardened request parsing and Windows-shaped replies.

Requests are parsed with entity resolution, DTD loading and network access off, with a
size bound, and read namespace-aware (never by prefix).  Replies are built with lxml
element APIs only and carry the prefixes Windows uses (s, a, x, n, w, p, f).
"""

import re
import uuid

from lxml import etree

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS_ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
NS_EVENTING = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
NS_ENUMERATION = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
NS_WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
NS_WSMV = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
NS_CIMBINDING = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
NS_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
NS_IDENTITY = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
NS_CIM = "http://schemas.dmtf.org/wbem/wscim/1/common"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XML = "http://www.w3.org/XML/1998/namespace"

ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
ACTION_WSMAN_FAULT = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ACTION_ADDRESSING_FAULT = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
ACTION_ENUMERATION_FAULT = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault"

# The prefixes of a Windows reply envelope.
ENVELOPE_NSMAP = {
    "s": NS_SOAP,
    "a": NS_ADDRESSING,
    "x": NS_TRANSFER,
    "e": NS_EVENTING,
    "n": NS_ENUMERATION,
    "w": NS_WSMAN,
    "p": NS_WSMV,
}

# Headers the service understands (a mustUnderstand="true" header outside this set is refused).
UNDERSTOOD_HEADERS = frozenset(
    "{%s}%s" % pair
    for pair in [
        (NS_ADDRESSING, "Action"), (NS_ADDRESSING, "To"), (NS_ADDRESSING, "MessageID"), (NS_ADDRESSING, "ReplyTo"),
        (NS_ADDRESSING, "FaultTo"), (NS_ADDRESSING, "From"),
        (NS_WSMAN, "ResourceURI"), (NS_WSMAN, "SelectorSet"), (NS_WSMAN, "OptionSet"), (NS_WSMAN, "OperationTimeout"),
        (NS_WSMAN, "MaxEnvelopeSize"), (NS_WSMAN, "Locale"), (NS_WSMAN, "FragmentTransfer"),
        (NS_WSMAN, "RequestTotalItemsCountEstimate"),
    ]
)

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_\-]+)\"?", re.IGNORECASE)


def q(ns, local):
    """Clark notation of a qualified name."""
    return "{%s}%s" % (ns, local)


class LabFault(Exception):
    """A WS-Management fault as the Windows service reports it.

    ``code`` is the WSManFault Code (the HRESULT or Win32 error, unsigned decimal);
    ``subcode`` a (namespace, local name) pair or None; ``wmi_error`` an optional dict
    with the WMI error (``hresult``, ``message``, ``operation``, ``parameter``) that makes
    the detail a ProviderFault of the WMI plug-in.
    """

    def __init__(self, code, message, soap_code="Sender", subcode=None, fault_detail=None, wmi_error=None,
                 action=ACTION_WSMAN_FAULT, status=500):
        super().__init__(message)
        self.code = code
        self.message = message
        self.soap_code = soap_code
        self.subcode = subcode
        self.fault_detail = fault_detail
        self.wmi_error = wmi_error
        self.action = action
        self.status = status


class Request:
    """A parsed WS-Management request (header values plus the body element)."""

    def __init__(self):
        self.encoding = "utf-8"
        self.action = None
        self.message_id = None
        self.to = None
        self.resource_uri = None
        self.selectors = []          # [(name, value)] in request order
        self.options = []            # [(name, value, must_comply)]
        self.options_must_understand = False
        self.operation_timeout_ms = None
        self.max_envelope_size = None
        self.locale = "en-US"
        self.data_locale = None
        self.fragment_path = None
        self.fragment_dialect = None
        self.body = None             # the s:Body element
        self.is_identify = False
        self.total_estimate = False  # wsman:RequestTotalItemsCountEstimate was sent

    def selector_dict(self):
        """Selectors keyed by lower-case name (WMI key names are case-insensitive)."""
        return {name.lower(): value for name, value in self.selectors}


def _charset(body, content_type):
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if body[:3] == b"\xef\xbb\xbf":
        return "utf-8"
    match = _CHARSET.search(content_type or "")
    if not match:
        return "utf-8"
    charset = match.group(1).lower()
    if charset in ("utf-8", "utf8"):
        return "utf-8"
    if charset in ("utf-16", "utf-16le", "utf-16be", "utf16"):
        return "utf-16"
    raise LabFault(2150858796, "The WS-Management service cannot process the request because the request uses an unsupported "
                   "character encoding (%s). Use UTF-8 or UTF-16." % charset, subcode=(NS_WSMAN, "UnsupportedEncoding"))


def parse_xml(body, encoding, limit):
    """Hardened parse: no entities, no DTD, no network, bounded size. Raises LabFault on bad XML."""
    if len(body) > limit:
        raise LabFault(2150858805, "The WS-Management service cannot process the request because the request is larger "
                       "than the MaxEnvelopeSizekb limit of the service.", subcode=(NS_WSMAN, "EncodingLimit"),
                       fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize", status=413)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True,
                             encoding="utf-16" if encoding == "utf-16" else "utf-8")
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise LabFault(2150858791, "The WS-Management service cannot process the request because the XML is not "
                       "well-formed: %s" % exc, subcode=(NS_WSMAN, "InvalidBody"), status=400) from None
    if root.getroottree().docinfo.doctype:
        raise LabFault(2150858791, "The WS-Management service cannot process the request because the XML contains a "
                       "document type declaration; DTDs are not allowed.", subcode=(NS_WSMAN, "InvalidBody"), status=400)
    return root


def parse_duration_ms(text):
    """xs:duration such as PT60.000S → milliseconds."""
    match = _DURATION.match((text or "").strip())
    if not match or not any(match.groupdict().values()):
        raise LabFault(2150858767, "The WS-Management service cannot process the request because the OperationTimeout "
                       "value %r is not a valid xs:duration (e.g. PT60.000S)." % text,
                       subcode=(NS_ADDRESSING, "InvalidMessageInformationHeader"), action=ACTION_ADDRESSING_FAULT)
    days, hours, minutes, seconds = (match.group(k) for k in "dhms")
    total = int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    return int(total * 1000)


def _header_required(name):
    return LabFault(2150858769, "The WS-Management service cannot process the request because the header %s is "
                    "missing." % name, subcode=(NS_ADDRESSING, "MessageInformationHeaderRequired"),
                    action=ACTION_ADDRESSING_FAULT)


def _is_true(value):
    return (value or "").strip().lower() in ("true", "1")


def parse_request(body, content_type, limit):
    """Parse a request envelope into a Request; raise LabFault with a Windows-shaped fault when it is invalid."""
    request = Request()
    request.encoding = _charset(body, content_type)
    root = parse_xml(body, request.encoding, limit)
    if root.tag == q(NS_SOAP11, "Envelope"):
        raise LabFault(2150858765, "The WS-Management service cannot process the request because the SOAP version is "
                       "not supported; use SOAP 1.2.", soap_code="VersionMismatch")
    if root.tag != q(NS_SOAP, "Envelope"):
        raise LabFault(2150858791, "The WS-Management service cannot process the request because the root element is "
                       "not a SOAP 1.2 Envelope.", subcode=(NS_WSMAN, "InvalidBody"), status=400)
    header = root.find(q(NS_SOAP, "Header"))
    request.body = root.find(q(NS_SOAP, "Body"))
    if request.body is None:
        raise LabFault(2150858791, "The WS-Management service cannot process the request because the SOAP Body is "
                       "missing.", subcode=(NS_WSMAN, "InvalidBody"))
    first = next(iter(request.body), None)
    request.is_identify = first is not None and first.tag == q(NS_IDENTITY, "Identify")
    if header is None:
        header = etree.Element(q(NS_SOAP, "Header"))
    for child in header:
        if not isinstance(child.tag, str):
            continue
        _read_header(request, child)
    if request.is_identify:
        return request
    if not request.action:
        raise _header_required("wsa:Action")
    if not request.message_id:
        raise _header_required("wsa:MessageID")
    return request


def _read_header(request, child):
    tag = child.tag
    text = (child.text or "").strip()
    must_understand = _is_true(child.get(q(NS_SOAP, "mustUnderstand")))
    if tag == q(NS_ADDRESSING, "Action"):
        request.action = text
    elif tag == q(NS_ADDRESSING, "MessageID"):
        request.message_id = text
    elif tag == q(NS_ADDRESSING, "To"):
        request.to = text
    elif tag == q(NS_ADDRESSING, "ReplyTo"):
        address = child.find(q(NS_ADDRESSING, "Address"))
        if address is None or (address.text or "").strip() != ANONYMOUS:
            raise LabFault(2150858767, "The WS-Management service cannot process the request because wsa:ReplyTo must "
                           "be the anonymous address %s." % ANONYMOUS,
                           subcode=(NS_ADDRESSING, "InvalidMessageInformationHeader"), action=ACTION_ADDRESSING_FAULT)
    elif tag == q(NS_WSMAN, "ResourceURI"):
        request.resource_uri = text
    elif tag == q(NS_WSMAN, "SelectorSet"):
        for selector in child.iter(q(NS_WSMAN, "Selector")):
            name = selector.get("Name")
            if not name:
                raise LabFault(2150858813, "The WS-Management service cannot process the request because a selector has "
                               "no Name attribute.", subcode=(NS_WSMAN, "InvalidSelectors"))
            request.selectors.append((name, (selector.text or "").strip()))
    elif tag == q(NS_WSMAN, "OptionSet"):
        request.options_must_understand = must_understand
        for option in child.iter(q(NS_WSMAN, "Option")):
            comply = option.get("MustComply", option.get("mustComply"))
            request.options.append((option.get("Name") or "", (option.text or "").strip(), _is_true(comply)))
    elif tag == q(NS_WSMAN, "OperationTimeout"):
        request.operation_timeout_ms = parse_duration_ms(text)
    elif tag == q(NS_WSMAN, "MaxEnvelopeSize"):
        try:
            request.max_envelope_size = int(text)
        except ValueError:
            raise LabFault(2150858767, "The WS-Management service cannot process the request because MaxEnvelopeSize "
                           "%r is not a number of bytes." % text,
                           subcode=(NS_ADDRESSING, "InvalidMessageInformationHeader"),
                           action=ACTION_ADDRESSING_FAULT) from None
    elif tag == q(NS_WSMAN, "Locale"):
        request.locale = child.get(q(NS_XML, "lang")) or request.locale
    elif tag == q(NS_WSMV, "DataLocale"):
        request.data_locale = child.get(q(NS_XML, "lang"))
    elif tag == q(NS_WSMAN, "RequestTotalItemsCountEstimate"):
        request.total_estimate = True
    elif tag == q(NS_WSMAN, "FragmentTransfer"):
        request.fragment_path = text
        request.fragment_dialect = child.get("Dialect")
    elif must_understand and tag not in UNDERSTOOD_HEADERS and etree.QName(tag).namespace != NS_WSMV:
        raise LabFault(2150858768, "The WS-Management service cannot process a SOAP header in the request that is marked "
                       "as mustUnderstand: %s." % tag, soap_code="MustUnderstand")


# ---------------------------------------------------------------- replies

def new_envelope(action, request):
    """Envelope with the reply addressing headers; returns (envelope, header, body)."""
    envelope = etree.Element(q(NS_SOAP, "Envelope"), nsmap=ENVELOPE_NSMAP)
    envelope.set(q(NS_XML, "lang"), (request.locale if request is not None else None) or "en-US")
    header = etree.SubElement(envelope, q(NS_SOAP, "Header"))
    etree.SubElement(header, q(NS_ADDRESSING, "Action")).text = action
    etree.SubElement(header, q(NS_ADDRESSING, "MessageID")).text = "uuid:" + str(uuid.uuid4()).upper()
    etree.SubElement(header, q(NS_ADDRESSING, "To")).text = ANONYMOUS
    if request is not None and request.message_id:
        etree.SubElement(header, q(NS_ADDRESSING, "RelatesTo")).text = request.message_id
    body = etree.SubElement(envelope, q(NS_SOAP, "Body"))
    return envelope, header, body


def serialize(envelope, encoding, splice=None):
    """Bytes and content type of a reply, in the request's encoding.

    ``splice`` = (element, [item bytes]) replaces the (empty) element's content by
    already-serialized items (each a complete element serialized by lxml), so a large
    enumeration batch is serialized once and its size known exactly.
    """
    if splice is None:
        if encoding == "utf-16":
            return etree.tostring(envelope, encoding="utf-16"), "application/soap+xml;charset=UTF-16"
        return etree.tostring(envelope, encoding="utf-8"), "application/soap+xml;charset=UTF-8"
    holder, items = splice
    marker = "LAB-ITEMS-" + uuid.uuid4().hex
    holder.text = marker
    data = etree.tostring(envelope, encoding="utf-8")
    before, after = data.split(marker.encode("ascii"), 1)
    data = b"".join([before] + list(items) + [after])
    if encoding == "utf-16":
        text = data.decode("utf-8")
        return ('<?xml version="1.0" encoding="utf-16"?>\n' + text).encode("utf-16"), "application/soap+xml;charset=UTF-16"
    return data, "application/soap+xml;charset=UTF-8"


def _wsman_fault_element(parent, code, machine, message, lang):
    element = etree.SubElement(parent, q(NS_FAULT, "WSManFault"), nsmap={"f": NS_FAULT})
    element.set("Code", str(code))
    element.set("Machine", machine)
    element.set(q(NS_XML, "lang"), lang)
    return element


def _wmi_error_element(parent, wmi_error):
    """The MSFT_WmiError instance Windows puts in f:ExtendedError of a WMI ProviderFault."""
    uri = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError"
    error = etree.SubElement(parent, q(uri, "MSFT_WmiError"),
                             nsmap={"b": "http://schemas.microsoft.com/wbem/wsman/1/cimbinding.xsd", "cim": NS_CIM,
                                    "p": uri, "xsi": NS_XSI})
    error.set("{http://schemas.microsoft.com/wbem/wsman/1/cimbinding.xsd}IsCIM_Error", "true")
    error.set(q(NS_XSI, "type"), "p:MSFT_WmiError_Type")
    hresult = wmi_error["hresult"]
    values = [
        ("CIMStatusCode", str(wmi_error.get("cim_status", 1))),
        ("CIMStatusCodeDescription", None),
        ("ErrorSource", None),
        ("ErrorSourceFormat", "0"),
        ("ErrorType", "0"),
        ("Message", wmi_error["message"]),
        ("MessageID", "HRESULT 0x%08x" % hresult),
        ("OtherErrorSourceFormat", None),
        ("OtherErrorType", None),
        ("OwningEntity", None),
        ("PerceivedSeverity", "0"),
        ("ProbableCause", "0"),
        ("ProbableCauseDescription", None),
        ("error_Category", str(wmi_error.get("category", 0))),
        ("error_Code", str(hresult)),
        ("error_Type", "HRESULT"),
        ("error_WindowsErrorMessage", wmi_error.get("windows_message", wmi_error["message"])),
    ]
    for name, value in values:
        child = etree.SubElement(error, q(uri, name))
        if value is None:
            child.set(q(NS_XSI, "nil"), "true")
        else:
            child.text = value


def build_fault(fault, request, machine):
    """(status, bytes, content type) of a SOAP fault shaped as Windows shapes it."""
    lang = (request.locale if request is not None else None) or "en-US"
    action = fault.action
    if action == ACTION_WSMAN_FAULT and fault.subcode is not None:
        # Windows sends WS-Addressing faults (a:DestinationUnreachable…) with the addressing fault action
        action = {NS_ADDRESSING: ACTION_ADDRESSING_FAULT, NS_ENUMERATION: ACTION_ENUMERATION_FAULT}.get(fault.subcode[0], action)
    envelope, _header, body = new_envelope(action, request)
    fault_element = etree.SubElement(body, q(NS_SOAP, "Fault"))
    code = etree.SubElement(fault_element, q(NS_SOAP, "Code"))
    etree.SubElement(code, q(NS_SOAP, "Value")).text = "s:" + fault.soap_code
    if fault.subcode is not None:
        ns, local = fault.subcode
        prefix = {NS_WSMAN: "w", NS_ADDRESSING: "a", NS_ENUMERATION: "n", NS_TRANSFER: "x"}[ns]
        subcode = etree.SubElement(code, q(NS_SOAP, "Subcode"))
        etree.SubElement(subcode, q(NS_SOAP, "Value")).text = "%s:%s" % (prefix, local)
    reason = etree.SubElement(fault_element, q(NS_SOAP, "Reason"))
    text = etree.SubElement(reason, q(NS_SOAP, "Text"))
    text.set(q(NS_XML, "lang"), lang)
    text.text = fault.message + " "
    detail = etree.SubElement(fault_element, q(NS_SOAP, "Detail"))
    if fault.fault_detail:
        etree.SubElement(detail, q(NS_WSMAN, "FaultDetail")).text = fault.fault_detail
    outer = _wsman_fault_element(detail, fault.code, machine, fault.message, lang)
    message = etree.SubElement(outer, q(NS_FAULT, "Message"))
    if fault.wmi_error is None:
        message.text = fault.message + " "
    else:
        provider = etree.SubElement(message, q(NS_FAULT, "ProviderFault"))
        provider.set("provider", "WMI Provider")
        provider.set("path", "%systemroot%\\system32\\WsmWmiPl.dll")
        inner = _wsman_fault_element(provider, fault.code, machine, fault.message, lang)
        etree.SubElement(inner, q(NS_FAULT, "Message")).text = fault.message + " "
        extended = etree.SubElement(provider, q(NS_FAULT, "ExtendedError"))
        _wmi_error_element(extended, fault.wmi_error)
    data, content_type = serialize(envelope, request.encoding if request is not None else "utf-8")
    return fault.status, data, content_type


def endpoint_reference(parent_tag, resource_uri, selectors, nsmap=None):
    """A WS-Addressing EPR (anonymous address, ResourceURI, SelectorSet) as Windows writes it."""
    epr = etree.Element(parent_tag, nsmap=nsmap)
    etree.SubElement(epr, q(NS_ADDRESSING, "Address")).text = ANONYMOUS
    parameters = etree.SubElement(epr, q(NS_ADDRESSING, "ReferenceParameters"))
    etree.SubElement(parameters, q(NS_WSMAN, "ResourceURI")).text = resource_uri
    selector_set = etree.SubElement(parameters, q(NS_WSMAN, "SelectorSet"))
    for name, value in selectors:
        selector = etree.SubElement(selector_set, q(NS_WSMAN, "Selector"))
        selector.set("Name", name)
        selector.text = value
    return epr


def read_endpoint_reference(element):
    """(resource URI, [(name, value)]) of an EPR element (wsa:Address + ReferenceParameters), or None."""
    parameters = element.find(q(NS_ADDRESSING, "ReferenceParameters"))
    if parameters is None:
        return None
    uri = parameters.find(q(NS_WSMAN, "ResourceURI"))
    if uri is None or not (uri.text or "").strip():
        return None
    selectors = [(s.get("Name") or "", (s.text or "").strip()) for s in parameters.iter(q(NS_WSMAN, "Selector"))]
    return uri.text.strip(), selectors
