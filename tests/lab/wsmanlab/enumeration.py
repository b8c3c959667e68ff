"""WS-Enumeration of the lab: filters (WQL, selector, association) and enumeration contexts.

An enumeration is a lazy iterator of items; the context remembers where the client is,
who owns it and the MaxEnvelopeSize it was opened with.  A context idle for longer than
``EnumerationTimeoutms`` is dropped (a later Pull gets wsen:InvalidEnumerationContext),
as is a context that reached the end or was released.
"""

import itertools
import threading
import uuid

from lxml import etree

from . import wql
from .model import WBEM_E_INVALID_QUERY, WMI_CIMV2, invalid_class
from .soap import (NS_ADDRESSING, NS_CIMBINDING, NS_ENUMERATION, NS_WSMAN, LabFault, endpoint_reference, q,
                   read_endpoint_reference)

DIALECT_WQL = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
DIALECT_SELECTOR = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"
DIALECT_ASSOCIATION = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter"

ERROR_INVALID_CONTEXT = 2150858779        # 0x8033801B
ERROR_ENUMERATION_INVALID = 2150858884    # 0x80338084
ERROR_DIALECT_UNAVAILABLE = 2150858777    # 0x80338019
ERROR_CANNOT_PROCESS_FILTER = 2150858778  # 0x8033801A
ERROR_WQL_URI = 2150859003                # 0x803380FB
ERROR_ENUMERATE_KEYS = 2150859016         # 0x80338108
ERROR_ENCODING_LIMIT = 2150858805         # 0x80338035
ERROR_PULL_PARAMS = 2150859181            # 0x803381AD

MODE_OBJECT = "object"
MODE_EPR = "EnumerateEPR"
MODE_OBJECT_AND_EPR = "EnumerateObjectAndEPR"


class Item:
    """One enumeration item: how to build its instance element and its EPR (resource URI + selectors)."""

    __slots__ = ("build", "resource_uri", "selectors", "cached")

    def __init__(self, build, resource_uri, selectors, cached=None):
        self.build = build
        self.resource_uri = resource_uri
        self.selectors = selectors
        self.cached = cached

    def serialize(self, mode):
        """UTF-8 bytes of the item for a mode (object-mode bytes may come from the model's cache)."""
        if mode == MODE_OBJECT and self.cached is not None:
            return self.cached()
        return etree.tostring(self.element(mode), encoding="utf-8")

    def element(self, mode):
        """The item as sent for an enumeration mode (instance, EPR, or w:Item holding both)."""
        if mode == MODE_OBJECT:
            return self.build()
        epr = endpoint_reference(q(NS_ADDRESSING, "EndpointReference"), self.resource_uri, self.selectors())
        if mode == MODE_EPR:
            return epr
        wrapper = etree.Element(q(NS_WSMAN, "Item"))
        wrapper.append(self.build())
        wrapper.append(epr)
        return wrapper


def filter_fault(message, hresult=None):
    """wsen:CannotProcessFilter; with a WMI ProviderFault (invalid query) when the WMI provider refused it."""
    wmi_error = None
    if hresult is not None:
        invalid_query = hresult == WBEM_E_INVALID_QUERY
        wmi_error = {"hresult": hresult, "message": "Invalid query " if invalid_query else "Type mismatch ",
                     "windows_message": "Invalid query" if invalid_query else "Type mismatch",
                     "cim_status": 1, "category": 5}
    return LabFault(ERROR_CANNOT_PROCESS_FILTER, "The WS-Management service cannot process the request because the filter "
                    "is not valid: %s" % message, subcode=(NS_ENUMERATION, "CannotProcessFilter"), wmi_error=wmi_error,
                    action="http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault")


def class_items(model, cls, rows=None, properties=None):
    """Items of instances of a WMI class (optionally only some properties)."""
    if rows is None and properties is None and cls.name == "Win32_Service":
        return _service_items(model, cls, model.service_count)
    return _row_items(model, cls, model.rows(cls) if rows is None else rows, properties)


def _service_items(model, cls, count):
    """All Win32_Service instances by index: the row is built only when the cached bytes are missing."""
    for index in range(count):
        yield Item(lambda index=index: model.element(cls, model.service_at(index)), cls.uri,
                   lambda index=index: model.key_selectors(cls, model.service_at(index)),
                   lambda index=index: model.service_bytes_at(index))


def _row_items(model, cls, rows, properties):
    cacheable = properties is None and cls.name == "Win32_Service"
    for row in rows:
        yield Item(lambda row=row: model.element(cls, row, properties), cls.uri,
                   lambda row=row: model.key_selectors(cls, row),
                   (lambda row=row: model.service_bytes(row)) if cacheable else None)


def wql_items(model, resource_uri, selectors, text):
    """Items of a WQL query; the resource URI must be …/cimv2/* without selectors (ERROR_WSMAN_INVALID_URI_WMI_ENUM_WQL)."""
    if resource_uri.lower() != (WMI_CIMV2 + "*").lower() or selectors:
        raise LabFault(ERROR_WQL_URI, "The WS-Management service cannot process the request because a WQL query must be "
                       "sent to the resource URI %s* without selectors, not %s." % (WMI_CIMV2, resource_uri),
                       subcode=(NS_WSMAN, "InvalidParameter"))
    try:
        query = wql.parse(text)
        cls = model.classes.get(query.class_name.lower())
        if cls is None:
            raise invalid_class(query.class_name)
        properties = None
        if query.properties is not None:
            properties = []
            for name in query.properties:
                entry = cls.schema.get(name.lower())
                if entry is None:
                    raise wql.WQLError("Invalid query: %s has no property %s." % (cls.name, name))
                properties.append(entry[0])
        predicate = wql.compile_where(query.where, cls.schema)
    except wql.WQLError as exc:
        raise filter_fault("%s (query: %s)" % (exc.message, text), exc.hresult) from None

    def matching():
        for row in model.rows(cls):
            if predicate(row.get):
                yield row
    return class_items(model, cls, matching(), properties)


def selector_items(model, cls, filter_element):
    """Items of the SelectorFilter dialect: instances whose properties equal every selector (case-insensitive)."""
    selector_set = filter_element.find(q(NS_WSMAN, "SelectorSet"))
    if selector_set is None:
        raise filter_fault("the SelectorFilter dialect needs a <w:SelectorSet> with <w:Selector Name='…'> elements.")
    wanted = []
    for selector in selector_set.iter(q(NS_WSMAN, "Selector")):
        name = selector.get("Name") or ""
        entry = cls.schema.get(name.lower())
        if entry is None or entry[1].endswith("[]") or entry[1] == "ref":
            raise filter_fault("%s has no scalar property %r to filter on." % (cls.name, name))
        wanted.append((entry[0], (selector.text or "").strip().lower()))
    if not wanted:
        raise filter_fault("the SelectorSet of the filter is empty.")

    def text_of(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).lower()

    def matching():
        for row in model.rows(cls):
            if all(row.get(name) is not None and text_of(row.get(name)) == value for name, value in wanted):
                yield row
    return class_items(model, cls, matching())


def association_items(model, resource_uri, filter_element):
    """Items of the association dialect for Win32_DependentService (associated or association instances)."""
    if resource_uri.lower() != (WMI_CIMV2 + "*").lower():
        raise filter_fault("an association filter must be sent to the resource URI %s*, not %s." % (WMI_CIMV2, resource_uri))
    body = next((child for child in filter_element if isinstance(child.tag, str)), None)
    if body is None or body.tag not in (q(NS_CIMBINDING, "AssociatedInstances"), q(NS_CIMBINDING, "AssociationInstances")):
        raise filter_fault("the association filter needs <b:AssociatedInstances> or <b:AssociationInstances> "
                           "(namespace %s)." % NS_CIMBINDING)
    associations = body.tag == q(NS_CIMBINDING, "AssociationInstances")

    def text(name):
        element = body.find(q(NS_CIMBINDING, name))
        return (element.text or "").strip() if element is not None and element.text else None

    source = body.find(q(NS_CIMBINDING, "Object"))
    reference = read_endpoint_reference(source) if source is not None else None
    if reference is None:
        raise filter_fault("the association filter needs <b:Object> holding the EPR of the source instance.")
    source_uri, source_selectors = reference
    if not source_uri.lower().startswith(WMI_CIMV2.lower()):
        raise filter_fault("the source object %s is not a root/cimv2 instance." % source_uri)
    source_cls = model.wmi_class(source_uri[len(WMI_CIMV2):])
    source_row = model.find(source_cls, source_selectors)
    association_class = text("AssociationClassName")
    result_class = text("ResultClassName")
    role, result_role = text("Role"), text("ResultRole")
    for label, value in (("Role", role), ("ResultRole", result_role)):
        if value is not None and value.lower() not in ("antecedent", "dependent"):
            raise filter_fault("%s %r is not a role of Win32_DependentService (Antecedent, Dependent)." % (label, value))
    if association_class is not None and association_class.lower() not in ("win32_dependentservice",):
        if association_class.lower() not in model.classes:
            raise invalid_class(association_class)
        return iter(())
    if source_cls.name != "Win32_Service":
        return iter(())
    name = source_row["Name"].lower()
    assoc_cls = model.classes["win32_dependentservice"]
    service_cls = model.classes["win32_service"]
    pairs = []  # (association row, role of the source, the other service's name)
    for row in model.rows(assoc_cls):
        antecedent = row["Antecedent"][1][0][1]
        dependent = row["Dependent"][1][0][1]
        if antecedent.lower() == name:
            pairs.append((row, "antecedent", dependent))
        if dependent.lower() == name:
            pairs.append((row, "dependent", antecedent))
    if role is not None:
        pairs = [pair for pair in pairs if pair[1] == role.lower()]
    if result_role is not None:
        pairs = [pair for pair in pairs if pair[1] != result_role.lower()]
    if associations:
        if result_class is not None and result_class.lower() != "win32_dependentservice":
            return iter(())
        return class_items(model, assoc_cls, [pair[0] for pair in pairs])
    if result_class is not None and result_class.lower() not in ("win32_service", "win32_baseservice", "cim_service"):
        return iter(())
    others = []
    for _row, _role, other in pairs:
        other_row = model.service_by_name(other)
        if other_row is not None:
            others.append(other_row)
    return class_items(model, service_cls, others)


class EnumerationContext:
    """Server state of one enumeration."""

    __slots__ = ("id", "source", "pending", "mode", "owner", "max_envelope", "last_used", "failed", "estimate")

    def __init__(self, source, mode, owner, max_envelope, now, estimate=None):
        self.id = "uuid:" + str(uuid.uuid4()).upper()
        self.source = source
        self.pending = None
        self.mode = mode
        self.owner = owner
        self.max_envelope = max_envelope
        self.last_used = now
        self.failed = False
        self.estimate = estimate


class ContextStore:
    """Open enumeration contexts with idle expiry; keeps the stats counters up to date."""

    def __init__(self, config, stats, clock):
        self.config = config
        self.stats = stats
        self.clock = clock
        self._contexts = {}
        self._lock = threading.Lock()

    def _publish(self):
        if self.stats is not None:
            self.stats.set("enumeration_contexts_open", len(self._contexts))

    def purge(self):
        """Drop contexts idle for longer than EnumerationTimeoutms."""
        limit = self.config.enumeration_timeout_ms / 1000.0
        now = self.clock()
        with self._lock:
            expired = [key for key, ctx in self._contexts.items() if now - ctx.last_used > limit]
            for key in expired:
                del self._contexts[key]
            if expired:
                self._publish()

    def open(self, source, mode, owner, max_envelope, estimate=None):
        ctx = EnumerationContext(source, mode, owner, max_envelope, self.clock(), estimate)
        with self._lock:
            self._contexts[ctx.id] = ctx
            self._publish()
        return ctx

    def count(self):
        with self._lock:
            return len(self._contexts)

    def take(self, context_id, owner):
        """The open context of an id (after expiry), or raise wsen:InvalidEnumerationContext."""
        self.purge()
        with self._lock:
            ctx = self._contexts.get(context_id)
            if ctx is None or ctx.owner != owner:
                raise LabFault(ERROR_INVALID_CONTEXT, "The WS-Management service cannot process the request because the "
                               "enumeration context %s is not valid: it expired (EnumerationTimeoutms=%d), was released "
                               "or reached the end of the sequence." % (context_id or "(none)", self.config.enumeration_timeout_ms),
                               soap_code="Receiver", subcode=(NS_ENUMERATION, "InvalidEnumerationContext"),
                               action="http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault")
            if ctx.failed:
                del self._contexts[context_id]
                self._publish()
                raise LabFault(ERROR_ENUMERATION_INVALID, "The WS-Management service cannot process the request because "
                               "a previous Pull of this enumeration failed; start a new enumeration.",
                               soap_code="Receiver", subcode=(NS_ENUMERATION, "InvalidEnumerationContext"),
                               action="http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault")
            ctx.last_used = self.clock()
            return ctx

    def close(self, ctx, released=False):
        with self._lock:
            if self._contexts.pop(ctx.id, None) is not None and released and self.stats is not None:
                self.stats.incr("enumeration_contexts_released")
            self._publish()


def next_batch(ctx_source, pending, mode, max_elements, budget):
    """Serialize up to max_elements items whose total size stays within budget bytes.

    Returns (list of item bytes, leftover item bytes or None, end_of_sequence).  Raises the
    EncodingLimit fault when not even one item fits.
    """
    out = []
    used = 0
    if pending is not None:
        candidates = itertools.chain([pending], ctx_source)
    else:
        candidates = ctx_source
    for entry in candidates:
        data = entry if isinstance(entry, bytes) else entry.serialize(mode)
        if used + len(data) > budget:
            if not out:
                raise LabFault(ERROR_ENCODING_LIMIT, "The WS-Management service cannot process the request because the "
                               "response would exceed the maximum envelope size (MaxEnvelopeSize): one item needs %d bytes "
                               "but only %d are left. Raise MaxEnvelopeSize." % (len(data), max(budget, 0)),
                               subcode=(NS_WSMAN, "EncodingLimit"),
                               fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize")
            return out, data, False
        out.append(data)
        used += len(data)
        if len(out) >= max_elements:
            break
    else:
        return out, None, True
    # peek whether the sequence ended exactly here
    following = next(ctx_source, None)
    if following is None:
        return out, None, True
    return out, following.serialize(mode), False
