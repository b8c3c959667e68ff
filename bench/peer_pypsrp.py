"""The peer side of the enumeration benchmark: pypsrp's WSMan doing the same Enumerate/Pull loop.

pypsrp has no enumeration helper (peers.md: "enumerate()/pull() raw, no loop, no Release"), so
this builds the same optimized Enumerate + Pull messages a caller of pypsrp writes by hand, and
turns each item into the same kind of plain dict as wsman.automation does (nil -> None, repeated
elements -> lists, nested elements -> dicts), with ElementTree as pypsrp itself uses.
"""

import xml.etree.ElementTree as ET

from pypsrp.wsman import NAMESPACES, WSMan

WSEN = NAMESPACES["wsen"]
WSMAN = NAMESPACES["wsman"]
XSI_NIL = "{%s}nil" % NAMESPACES["xsi"]


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def element_to_dict(element):
    result = {}
    for child in element:
        name = _local(child.tag)
        if child.get(XSI_NIL) == "true":
            value = None
        elif len(child):
            value = element_to_dict(child)
        else:
            value = child.text or ""
        if name in result:
            previous = result[name]
            if isinstance(previous, list):
                previous.append(value)
            else:
                result[name] = [previous, value]
        else:
            result[name] = value
    return result


def enumerate_all(host, port, username, password, resource_uri, batch_items, max_envelope_size=153600, auth="ntlm"):
    """Enumerate every instance of resource_uri; return the list of dicts."""
    client = WSMan(host, port=port, username=username, password=password, ssl=False, auth=auth,
                   encryption="always", operation_timeout=60, read_timeout=90,
                   max_envelope_size=max_envelope_size)
    items = []
    with client:
        body = ET.Element("{%s}Enumerate" % WSEN)
        ET.SubElement(body, "{%s}OptimizeEnumeration" % WSMAN)
        ET.SubElement(body, "{%s}MaxElements" % WSMAN).text = str(batch_items)
        response = client.enumerate(resource_uri, resource=body)
        reply = response.find("wsen:EnumerateResponse", NAMESPACES)
        context = reply.find("wsen:EnumerationContext", NAMESPACES)
        batch = reply.find("wsman:Items", NAMESPACES)
        ended = reply.find("wsman:EndOfSequence", NAMESPACES) is not None
        while True:
            if batch is not None:
                items.extend(element_to_dict(item) for item in batch)
            if ended or context is None:
                break
            pull = ET.Element("{%s}Pull" % WSEN)
            ET.SubElement(pull, "{%s}EnumerationContext" % WSEN).text = context.text
            ET.SubElement(pull, "{%s}MaxElements" % WSEN).text = str(batch_items)
            reply = client.pull(resource_uri, resource=pull).find("wsen:PullResponse", NAMESPACES)
            context = reply.find("wsen:EnumerationContext", NAMESPACES)
            batch = reply.find("wsen:Items", NAMESPACES)
            ended = reply.find("wsen:EndOfSequence", NAMESPACES) is not None
    return items
