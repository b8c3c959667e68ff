"""Helpers for the service tests: build request envelopes with lxml and call ``WSManService.handle`` directly."""

import importlib
import sys
import uuid
from pathlib import Path

from lxml import etree

LAB_DIR = Path(__file__).resolve().parents[1]
if str(LAB_DIR) not in sys.path:
    sys.path.insert(0, str(LAB_DIR))

service_module = importlib.import_module("wsmanlab.service")
wql_module = importlib.import_module("wsmanlab.wql")

S = "http://www.w3.org/2003/05/soap-envelope"
A = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
W = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
N = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
X = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
B = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
F = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CIM = "http://schemas.dmtf.org/wbem/wscim/1/common"
WSMID = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
CIMV2 = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/"
CONFIG = "http://schemas.microsoft.com/wbem/wsman/1/config"
WQL = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
SELECTOR = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"
ASSOCIATION = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

GET = X + "/Get"
PUT = X + "/Put"
CREATE = X + "/Create"
DELETE = X + "/Delete"
ENUMERATE = N + "/Enumerate"
PULL = N + "/Pull"
RELEASE = N + "/Release"

LabConfig = service_module.LabConfig
Identity = service_module.Identity
WSManService = service_module.WSManService
ADMIN = Identity("labadmin", "ntlm")


class Counters:
    """A stand-in for the lab's stats object: the counters a service updates, in a dict."""

    def __init__(self):
        self.values = {}

    def incr(self, name, n=1):
        self.values[name] = self.values.get(name, 0) + n

    def set(self, name, value):
        self.values[name] = value


def q(ns, local):
    return "{%s}%s" % (ns, local)


def envelope(action, resource_uri=None, selectors=(), options=(), options_must_understand=False, body=None,
             fragment=None, timeout=None, max_envelope=None, message_id=None, headers=(), encoding="utf-8"):
    """(bytes, content type) of a request built the way a WS-Management client builds it."""
    root = etree.Element(q(S, "Envelope"), nsmap={"s": S, "a": A, "w": W, "n": N, "x": X})
    header = etree.SubElement(root, q(S, "Header"))
    if action is not None:
        etree.SubElement(header, q(A, "Action"), {q(S, "mustUnderstand"): "true"}).text = action
    etree.SubElement(header, q(A, "To")).text = "http://127.0.0.1:5985/wsman"
    reply_to = etree.SubElement(header, q(A, "ReplyTo"))
    etree.SubElement(reply_to, q(A, "Address")).text = ANONYMOUS
    if message_id is not False:
        etree.SubElement(header, q(A, "MessageID")).text = message_id or "uuid:" + str(uuid.uuid4()).upper()
    if resource_uri is not None:
        etree.SubElement(header, q(W, "ResourceURI"), {q(S, "mustUnderstand"): "true"}).text = resource_uri
    if max_envelope is not None:
        etree.SubElement(header, q(W, "MaxEnvelopeSize"), {q(S, "mustUnderstand"): "true"}).text = str(max_envelope)
    if timeout is not None:
        etree.SubElement(header, q(W, "OperationTimeout")).text = timeout
    if selectors:
        selector_set = etree.SubElement(header, q(W, "SelectorSet"))
        for name, value in selectors:
            etree.SubElement(selector_set, q(W, "Selector"), Name=name).text = value
    if options:
        option_set = etree.SubElement(header, q(W, "OptionSet"))
        if options_must_understand:
            option_set.set(q(S, "mustUnderstand"), "true")
        for name, value, must_comply in options:
            option = etree.SubElement(option_set, q(W, "Option"), Name=name)
            option.text = value
            if must_comply:
                option.set("MustComply", "true")
    if fragment is not None:
        etree.SubElement(header, q(W, "FragmentTransfer"), {q(S, "mustUnderstand"): "true"}).text = fragment
    for extra in headers:
        header.append(extra)
    body_element = etree.SubElement(root, q(S, "Body"))
    if body is not None:
        body_element.append(body)
    if encoding == "utf-16":
        return etree.tostring(root, encoding="utf-16"), "application/soap+xml;charset=UTF-16"
    return etree.tostring(root, encoding="utf-8"), "application/soap+xml;charset=UTF-8"


def call(service, action, identity=ADMIN, secure=False, **kwargs):
    """(status, response root element or None) of one request through ``handle``."""
    data, content_type = envelope(action, **kwargs)
    response = service.handle(data, content_type, identity, secure)
    if not response.body:
        return response.status, None
    return response.status, etree.fromstring(response.body)


def body_child(root):
    return root.find(q(S, "Body"))[0]


def fault_of(root):
    """The parts of a SOAP fault a client reads."""
    fault = root.find("%s/%s" % (q(S, "Body"), q(S, "Fault")))
    assert fault is not None, etree.tostring(root)
    subcode = fault.find("%s/%s/%s" % (q(S, "Code"), q(S, "Subcode"), q(S, "Value")))
    detail = fault.find(q(S, "Detail"))
    wsman_fault = detail.find(q(F, "WSManFault"))
    provider = wsman_fault.find("%s/%s" % (q(F, "Message"), q(F, "ProviderFault")))
    return {
        "code": fault.find("%s/%s" % (q(S, "Code"), q(S, "Value"))).text,
        "subcode": subcode.text if subcode is not None else None,
        "reason": fault.find("%s/%s" % (q(S, "Reason"), q(S, "Text"))).text,
        "wsman_code": int(wsman_fault.get("Code")),
        "machine": wsman_fault.get("Machine"),
        "message": "".join(wsman_fault.find(q(F, "Message")).itertext()),
        "provider": provider,
        "action": root.find("%s/%s" % (q(S, "Header"), q(A, "Action"))).text,
    }


def enumerate_body(optimize=False, max_elements=None, filter_text=None, dialect=None, mode=None, filter_element=None):
    body = etree.Element(q(N, "Enumerate"))
    if optimize:
        etree.SubElement(body, q(W, "OptimizeEnumeration"))
    if max_elements is not None:
        etree.SubElement(body, q(W, "MaxElements")).text = str(max_elements)
    if mode is not None:
        etree.SubElement(body, q(W, "EnumerationMode")).text = mode
    if filter_text is not None or filter_element is not None:
        flt = etree.SubElement(body, q(W, "Filter"))
        if dialect is not None:
            flt.set("Dialect", dialect)
        if filter_element is not None:
            flt.append(filter_element)
        else:
            flt.text = filter_text
    return body


def pull_body(context, max_elements=None):
    body = etree.Element(q(N, "Pull"))
    etree.SubElement(body, q(N, "EnumerationContext")).text = context
    if max_elements is not None:
        etree.SubElement(body, q(N, "MaxElements")).text = str(max_elements)
    return body


def release_body(context):
    body = etree.Element(q(N, "Release"))
    etree.SubElement(body, q(N, "EnumerationContext")).text = context
    return body


def enumerate_all(service, resource_uri, batch=50, identity=ADMIN, **kwargs):
    """Every item of an enumeration (optimized Enumerate, then Pulls) and the number of round trips."""
    status, root = call(service, ENUMERATE, identity=identity, resource_uri=resource_uri,
                        body=enumerate_body(optimize=True, max_elements=batch, **kwargs))
    assert status == 200, etree.tostring(root)
    response = body_child(root)
    items = list(response.find(q(W, "Items")))
    done = response.find(q(W, "EndOfSequence")) is not None
    context = response.findtext(q(N, "EnumerationContext"))
    trips = 1
    while not done:
        status, root = call(service, PULL, identity=identity, resource_uri=resource_uri,
                            body=pull_body(context, batch))
        assert status == 200, etree.tostring(root)
        response = body_child(root)
        items.extend(response.find(q(N, "Items")))
        done = response.find(q(N, "EndOfSequence")) is not None
        context = response.findtext(q(N, "EnumerationContext")) or context
        trips += 1
    return items, trips


def prop(instance, name):
    """Text of a property child (by local name), None when xsi:nil."""
    for child in instance:
        if etree.QName(child).localname == name:
            if child.get(q(XSI, "nil")) == "true":
                return None
            if len(child):
                return child[0].text
            return child.text
    raise KeyError(name)
