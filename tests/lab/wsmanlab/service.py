"""WS-Management semantics of the lab endpoint: a stand-in for the WinRM service of Windows Server 2022.

The HTTP layer (server.py) authenticates, decrypts and then calls
``WSManService.handle(body, content_type, identity, secure)``; this module
parses the SOAP envelope, dispatches on ``wsa:Action`` and answers with the
envelope Windows would send.  It never imports the collection under test.
"""

import copy
import dataclasses
import threading
import time
import traceback

from lxml import etree

from . import enumeration
from .config_store import LISTENER_URI, ConfigStore
from .model import PREFIX_WMI, WMI_CIMV2, Model
from .soap import (ANONYMOUS, NS_ADDRESSING, NS_CIMBINDING, NS_ENUMERATION, NS_IDENTITY, NS_SOAP, NS_TRANSFER, NS_WSMAN,
                   NS_XML, LabFault, build_fault, endpoint_reference, new_envelope, parse_request, q, serialize)

TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
ENUMERATION = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/"
XPATH_DIALECT = "http://www.w3.org/TR/1999/REC-xpath-19991116"
PRODUCT_VERSION = "OS: 10.0.20348 SP: 0.0 Stack: 3.0"
HIDDEN_VERSION = "OS: 0.0.0 SP: 0.0 Stack: 3.0"
SECPROFILE = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/"

ERROR_ACCESS_DENIED = 5
ERROR_ACTION_NOT_SUPPORTED = 2150858771      # 0x80338013
ERROR_RESOURCE_NOT_FOUND = 2150858752        # 0x80338000
ERROR_INVALID_URI = 2150858754               # 0x80338002
ERROR_INVALID_RESOURCE_URI = 2150858811      # 0x8033803B
ERROR_OPERATION_TIMEDOUT = 2150858793        # 0x80338029
ERROR_ENUMERATE_TIMED_OUT = 2150858780       # 0x8033801C
ERROR_OPTIONS_NOT_SUPPORTED = 2150858833     # 0x80338051
ERROR_ENCODING_LIMIT = 2150858805            # 0x80338035
ERROR_INVALID_SOAP_BODY = 2150858791         # 0x80338027
ERROR_SCHEMA_VALIDATION = 2150858817         # 0x80338041
ERROR_INVALID_REPRESENTATION = 2150858773    # 0x80338015
ERROR_ENUMERATION_MODE = 2150858886          # 0x80338086
ERROR_POLYMORPHISM = 2150859063              # 0x80338137
ERROR_FILTERING_NOT_SUPPORTED = 2150858776   # 0x80338018
ERROR_INVALID_PARAMETER = 2150858810         # 0x8033803A
ERROR_FRAGMENT_DIALECT = 2150858898          # 0x80338092
ERROR_FRAGMENT_PATH = 2150858899             # 0x80338093
ERROR_FRAGMENT_BLANK = 2150859017            # 0x80338109
ERROR_INTERNAL = 2150858784                  # 0x80338020 ERROR_WSMAN_INTERNAL_ERROR
MIN_ENVELOPE = 8192


@dataclasses.dataclass
class LabConfig:
    """Mutable service configuration shared with the HTTP layer (winrm/config/service)."""

    allow_unencrypted: bool = False
    basic: bool = False
    kerberos: bool = True
    negotiate: bool = True
    certificate: bool = False
    credssp: bool = False
    cbt_hardening_level: str = "Relaxed"
    max_envelope_size_kb: int = 500
    max_timeout_ms: int = 60000
    enumeration_timeout_ms: int = 60000
    max_batch_items: int = 32000
    max_connections: int = 300
    max_concurrent_operations_per_user: int = 1500
    max_packet_retrieval_time_seconds: int = 120
    computer_name: str = "LAB-WS2022"
    # user names (case-insensitive) that authenticate but are not administrators:
    # every operation except Identify is refused with access denied (Win32 error 5)
    non_admin_users: frozenset = frozenset()
    # simulated cost of Invoke (Win32_Service, Win32_Process methods) and of Get/Enumerate of
    # Win32_Process; an OperationTimeout shorter than that gets wsman:TimedOut
    slow_ms: int = 0
    # ports the winrm/config/listener resources report
    http_port: int = 5985
    https_port: int = 5986


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who sent a request, as the HTTP layer established it."""

    user: str
    auth_method: str


@dataclasses.dataclass(frozen=True)
class LabResponse:
    """What the HTTP layer sends back (before any message encryption)."""

    status: int
    body: bytes
    content_type: str


def _fault(code, message, subcode, soap_code="Sender", fault_detail=None, action=None):
    kwargs = {"soap_code": soap_code, "subcode": subcode, "fault_detail": fault_detail}
    if action:
        kwargs["action"] = action
    return LabFault(code, message, **kwargs)


def _action_not_supported(action, why):
    return _fault(ERROR_ACTION_NOT_SUPPORTED, "The WS-Management service cannot process the request because the action "
                  "%s is not supported: %s" % (action, why), (NS_ADDRESSING, "ActionNotSupported"),
                  action="http://schemas.xmlsoap.org/ws/2004/08/addressing/fault")


def _unknown_resource(uri):
    # Windows answers a catalog miss with ERROR_WSMAN_INVALID_RESOURCE_URI (seen in jborean93/pypsrp#192);
    # subcode and fault detail as DSP0226 defines them for an unknown resource URI
    return _fault(ERROR_INVALID_RESOURCE_URI, "The WS-Management service cannot process the request. The resource URI "
                  "(%s) was not found in the WS-Management catalog. The catalog contains the metadata that describes "
                  "resources, or logical endpoints." % uri, (NS_ADDRESSING, "DestinationUnreachable"),
                  fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI")


def _first_child(element):
    if element is None:
        return None
    return next((child for child in element if isinstance(child.tag, str)), None)


class WSManService:
    """The WS-Management service: ``handle()`` is the only entry point of the HTTP layer."""

    def __init__(self, config, stats=None, services=200, seed=2022, clock=time.monotonic, sleep=time.sleep, injector=None):
        self.config = config
        self.stats = stats
        self.injector = injector  # inject.Injector: its pull-timeout injections are applied by _pull
        self.services = services
        self.seed = seed
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self.model = Model(config, services=services, seed=seed)
        self.config_store = ConfigStore(config, http_port=config.http_port, https_port=config.https_port)
        self.contexts = enumeration.ContextStore(config, stats, clock)

    # ------------------------------------------------------------ entry point

    def handle(self, body, content_type, identity, secure):
        """Answer one decrypted request body; never raises."""
        request = None
        if identity is None:
            # an anonymous client gets Identify and nothing else: whatever else it sent is challenged
            try:
                request = parse_request(body, content_type, self.config.max_envelope_size_kb * 1024)
            except LabFault:
                return LabResponse(401, b"", "")
            if not request.is_identify:
                return LabResponse(401, b"", "")
        try:
            if request is None:
                request = parse_request(body, content_type, self.config.max_envelope_size_kb * 1024)
            if request.is_identify:
                return self._identify(request, identity, secure)
            if identity.user.lower() in {user.lower() for user in self.config.non_admin_users}:
                raise _fault(ERROR_ACCESS_DENIED, "Access is denied.", (NS_WSMAN, "AccessDenied"))
            self.contexts.purge()
            return self._dispatch(request, identity)
        except LabFault as fault:
            return LabResponse(*build_fault(fault, request, self.config.computer_name))
        except Exception:  # pylint: disable=broad-except  # a bug must still answer as a WS-Management fault
            detail = traceback.format_exc(limit=3).strip().splitlines()[-1]
            fault = _fault(ERROR_INTERNAL, "The WS-Management service cannot process the request because of an internal "
                           "error of the lab service: %s" % detail, (NS_WSMAN, "InternalError"), soap_code="Receiver")
            return LabResponse(*build_fault(fault, request, self.config.computer_name))

    @staticmethod
    def _add_estimate(request, header, estimate):
        """wsman:TotalItemsCountEstimate when the request asked for it (xsi:nil when the count is unknown)."""
        if not request.total_estimate:
            return
        element = etree.SubElement(header, q(NS_WSMAN, "TotalItemsCountEstimate"))
        if estimate is None:
            element.set("{http://www.w3.org/2001/XMLSchema-instance}nil", "true")
        else:
            element.text = str(estimate)

    def _reply(self, request, action, content=None, splice=None, check_size=True, estimate=None):
        envelope, header, body = new_envelope(action, request)
        if estimate is not None:
            self._add_estimate(request, header, estimate[0])
        if content is not None:
            body.append(content)
        data, content_type = serialize(envelope, request.encoding, splice)
        if check_size and len(data) > self._envelope_limit(request):
            raise _fault(ERROR_ENCODING_LIMIT, "The WS-Management service cannot process the request because the response "
                         "(%d bytes) would exceed the maximum envelope size (MaxEnvelopeSize %d bytes)."
                         % (len(data), self._envelope_limit(request)), (NS_WSMAN, "EncodingLimit"),
                         fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize")
        return LabResponse(200, data, content_type)

    def _envelope_limit(self, request):
        return request.max_envelope_size or self.config.max_envelope_size_kb * 1024

    # ------------------------------------------------------------ Identify

    def _identify(self, request, identity, secure):
        envelope = etree.Element(q(NS_SOAP, "Envelope"), nsmap={"s": NS_SOAP})
        envelope.set(q(NS_XML, "lang"), request.locale or "en-US")
        etree.SubElement(envelope, q(NS_SOAP, "Header"))
        body = etree.SubElement(envelope, q(NS_SOAP, "Body"))
        response = etree.SubElement(body, q(NS_IDENTITY, "IdentifyResponse"), nsmap={"wsmid": NS_IDENTITY})
        etree.SubElement(response, q(NS_IDENTITY, "ProtocolVersion")).text = NS_WSMAN
        etree.SubElement(response, q(NS_IDENTITY, "ProductVendor")).text = "Microsoft Corporation"
        etree.SubElement(response, q(NS_IDENTITY, "ProductVersion")).text = (
            HIDDEN_VERSION if identity is None else PRODUCT_VERSION)
        profiles = etree.SubElement(response, q(NS_IDENTITY, "SecurityProfiles"))
        scheme = "https" if secure else "http"
        names = []
        if self.config.negotiate or self.config.kerberos:
            names.append("%s/spnego-kerberos" % scheme)
        if self.config.basic:
            names.append("%s/basic" % scheme)
        if secure and self.config.certificate:
            names.append("https/mutual")
        for name in names:
            etree.SubElement(profiles, q(NS_IDENTITY, "SecurityProfileName")).text = SECPROFILE + name
        data, content_type = serialize(envelope, request.encoding)
        return LabResponse(200, data, content_type)

    # ------------------------------------------------------------ common checks

    def _dispatch(self, request, identity):
        limit = self.config.max_envelope_size_kb * 1024
        if request.max_envelope_size is not None:
            if request.max_envelope_size < MIN_ENVELOPE:
                raise _fault(ERROR_ENCODING_LIMIT, "The WS-Management service cannot process the request because "
                             "MaxEnvelopeSize %d is below the minimum of %d bytes." % (request.max_envelope_size, MIN_ENVELOPE),
                             (NS_WSMAN, "EncodingLimit"),
                             fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MinimumEnvelopeLimit")
            if request.max_envelope_size > limit:
                raise _fault(ERROR_ENCODING_LIMIT, "The WS-Management service cannot process the request because "
                             "MaxEnvelopeSize %d exceeds the service's MaxEnvelopeSizekb (%d KB = %d bytes)."
                             % (request.max_envelope_size, self.config.max_envelope_size_kb, limit),
                             (NS_WSMAN, "EncodingLimit"),
                             fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize")
        for name, _value, must_comply in request.options:
            if must_comply or request.options_must_understand:
                raise _fault(ERROR_OPTIONS_NOT_SUPPORTED, "The WS-Management service cannot process the request because "
                             "the option %s is not supported by the resource and the client requires compliance "
                             "(MustComply or mustUnderstand)." % name, (NS_WSMAN, "InvalidOptions"),
                             fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/NotSupported")
        action = request.action
        if action.startswith(ENUMERATION):
            verb = action[len(ENUMERATION):]
            if verb == "Enumerate":
                return self._enumerate(request, identity)
            if verb == "Pull":
                return self._pull(request, identity)
            if verb == "Release":
                return self._release(request, identity)
            raise _action_not_supported(action, "WS-Enumeration Enumerate, Pull and Release are served.")
        if not request.resource_uri:
            raise _fault(ERROR_INVALID_URI, "The WS-Management service cannot process the request because the "
                         "wsman:ResourceURI header is missing or empty.", (NS_ADDRESSING, "DestinationUnreachable"),
                         fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI")
        if action.startswith(TRANSFER):
            verb = action[len(TRANSFER):]
            handler = {"Get": self._get, "Put": self._put, "Create": self._create, "Delete": self._delete}.get(verb)
            if handler is None:
                raise _action_not_supported(action, "WS-Transfer Get, Put, Create and Delete are served.")
            return handler(request, identity)
        return self._invoke(request, identity)

    def _resolve(self, uri):
        """('wmi', CimClass) | ('wql', None) | ('config', path) for a resource URI, or raise the Windows fault."""
        lowered = uri.lower().rstrip("/")
        if lowered.startswith(WMI_CIMV2.lower()):
            name = uri[len(WMI_CIMV2):].rstrip("/")
            if name == "*":
                return "wql", None
            if not name or "/" in name:
                raise _unknown_resource(uri)
            return "wmi", self.model.wmi_class(name)
        if lowered.startswith(PREFIX_WMI.lower()):
            raise LabFault(ERROR_RESOURCE_NOT_FOUND, "The WS-Management service cannot process the request. The WMI "
                           "service reported that the namespace of %s does not exist; the lab serves root/cimv2 only." % uri,
                           subcode=(NS_ADDRESSING, "DestinationUnreachable"),
                           wmi_error={"hresult": 0x8004100E, "message": "Invalid namespace ",
                                      "windows_message": "Invalid namespace", "cim_status": 3, "category": 2})
        path = ConfigStore.section_of(uri)
        if path is not None:
            return "config", path
        raise _unknown_resource(uri)

    def _cost(self, request, cls_name, operation):
        """Simulate the cost of a slow operation; past the OperationTimeout answer wsman:TimedOut."""
        cost = self.config.slow_ms
        if not cost:
            return
        timeout = min(request.operation_timeout_ms or self.config.max_timeout_ms, self.config.max_timeout_ms)
        if cost > timeout:
            self.sleep(timeout / 1000.0)
            raise _fault(ERROR_OPERATION_TIMEDOUT, "The WS-Management service cannot complete the operation within the "
                         "time specified in OperationTimeout (%d ms): %s on %s takes %d ms." % (timeout, operation, cls_name, cost),
                         (NS_WSMAN, "TimedOut"), soap_code="Receiver")
        self.sleep(cost / 1000.0)

    # ------------------------------------------------------------ fragments

    def _fragment_target(self, request):
        path = request.fragment_path
        if request.fragment_dialect and request.fragment_dialect != XPATH_DIALECT:
            raise _fault(ERROR_FRAGMENT_DIALECT, "The WS-Management service cannot process the request because the "
                         "fragment dialect %s is not supported; use %s." % (request.fragment_dialect, XPATH_DIALECT),
                         (NS_WSMAN, "FragmentDialectNotSupported"))
        if not path:
            raise _fault(ERROR_FRAGMENT_BLANK, "The WS-Management service cannot process the request because the fragment "
                         "path is blank.", (NS_WSMAN, "InvalidParameter"))
        steps = [step for step in path.strip().split("/") if step]
        text_only = bool(steps) and steps[-1] == "text()"
        if text_only:
            steps = steps[:-1]
        return steps, text_only

    @staticmethod
    def _select(root, steps, path):
        """Elements matched by the fragment steps ('Name', 'Auth/Basic', 'Roles[2]'), case-sensitive as Windows."""
        if steps and steps[0] == etree.QName(root).localname:
            steps = steps[1:]
        current = [root]
        for step in steps:
            index = None
            if step.endswith("]") and "[" in step:
                step, _sep, number = step[:-1].partition("[")
                if not number.isdigit() or int(number) < 1:
                    current = []
                    break
                index = int(number)
            found = [child for element in current for child in element
                     if isinstance(child.tag, str) and etree.QName(child).localname == step]
            if index is not None:
                found = found[index - 1:index]
            current = found
        if not steps or not current:
            raise _fault(ERROR_FRAGMENT_PATH, "The WS-Management service cannot process the request because the fragment "
                         "path %r does not select any part of the resource (paths are case-sensitive)." % path,
                         (NS_WSMAN, "InvalidParameter"))
        return current

    def _fragment(self, request, root):
        steps, text_only = self._fragment_target(request)
        selected = self._select(root, steps, request.fragment_path)
        fragment = etree.Element(q(NS_WSMAN, "XmlFragment"))
        if text_only:
            fragment.text = "".join(element.text or "" for element in selected)
        else:
            for element in selected:
                fragment.append(copy.deepcopy(element))
        return fragment

    def _merge_fragment(self, request, current, body_first):
        """A full representation: the current one with the selected part replaced by the XmlFragment of a Put."""
        if body_first is None or body_first.tag != q(NS_WSMAN, "XmlFragment"):
            raise _fault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because a "
                         "fragment Put needs a <w:XmlFragment> body.", (NS_TRANSFER, "InvalidRepresentation"))
        steps, text_only = self._fragment_target(request)
        merged = copy.deepcopy(current)
        selected = self._select(merged, steps, request.fragment_path)
        if text_only:
            for element in selected:
                element.text = body_first.text or ""
                for attribute in list(element.attrib):
                    del element.attrib[attribute]
            return merged
        replacements = [child for child in body_first if isinstance(child.tag, str)]
        anchor = selected[0]
        for replacement in replacements:
            anchor.addprevious(copy.deepcopy(replacement))
        for element in selected:
            element.getparent().remove(element)
        return merged

    # ------------------------------------------------------------ transfer

    def _get(self, request, _identity):
        kind, target = self._resolve(request.resource_uri)
        if kind == "wql":
            raise LabFault(enumeration.ERROR_WQL_URI, "The WS-Management service cannot process the request because the "
                           "resource URI %s can only be enumerated with a WQL or association filter." % request.resource_uri,
                           subcode=(NS_WSMAN, "InvalidParameter"))
        if kind == "config":
            if target == "/listener":
                element = self.config_store.get_listener(request.selectors)
            else:
                element = self.config_store.element(target)
        else:
            if target.name == "Win32_Process":
                self._cost(request, target.name, "Get")
            row = self.model.find(target, request.selectors)
            element = self.model.element(target, row)
        if request.fragment_path is not None or request.fragment_dialect is not None:
            element = self._fragment(request, element)
        return self._reply(request, TRANSFER + "GetResponse", element)

    def _put(self, request, _identity):
        kind, target = self._resolve(request.resource_uri)
        first = _first_child(request.body)
        fragment = request.fragment_path is not None or request.fragment_dialect is not None
        if kind == "wql":
            raise _action_not_supported(request.action, "a WQL resource URI (…/*) cannot be updated.")
        if kind == "config":
            if target == "/listener":
                current = self.config_store.get_listener(request.selectors)
                new = self._merge_fragment(request, current, first) if fragment else first
                element = self.config_store.put_listener(request.selectors, new)
            else:
                if fragment:
                    first = self._merge_fragment(request, self.config_store.element(target), first)
                element = self.config_store.put(target, first)
        else:
            row = self.model.find(target, request.selectors)
            current = self.model.element(target, row)
            new = self._merge_fragment(request, current, first) if fragment else first
            values = self._wmi_put_values(target, new)
            if not target.writable:
                raise LabFault(0x80041024, "The WMI provider of %s cannot update instances (Provider is not capable of "
                               "the attempted operation); change it through its methods." % target.name,
                               soap_code="Receiver", subcode=(NS_WSMAN, "InternalError"),
                               wmi_error={"hresult": 0x80041024, "message": "Provider is not capable of the attempted "
                                          "operation ", "windows_message": "Provider is not capable of the attempted "
                                          "operation", "cim_status": 7, "category": 0})
            updated = self.model.put_instance(target, row, values)
            element = self.model.element(target, updated)
        if fragment:
            element = self._fragment(request, element)
        return self._reply(request, TRANSFER + "PutResponse", element)

    @staticmethod
    def _wmi_put_values(wmi_class, element):
        """Property values of a WMI Put body; it must hold every non-array property (session-put.md)."""
        if element is None:
            raise _fault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because the "
                         "Put body is empty; send the whole <p:%s xmlns:p=\"%s\"> instance." % (wmi_class.name, wmi_class.uri),
                         (NS_TRANSFER, "InvalidRepresentation"))
        tag = etree.QName(element)
        if tag.localname != wmi_class.name or (tag.namespace or "").lower() != wmi_class.uri.lower():
            raise _fault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because the "
                         "Put body root is {%s}%s; expected %s in namespace %s (names are case-sensitive)."
                         % (tag.namespace, tag.localname, wmi_class.name, wmi_class.uri), (NS_TRANSFER, "InvalidRepresentation"))
        values = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            entry = wmi_class.schema.get(local.lower())
            if entry is None or entry[0] != local:
                raise _fault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because "
                             "%s is not a property of %s (names are case-sensitive)." % (local, wmi_class.name),
                             (NS_TRANSFER, "InvalidRepresentation"))
            nil = (child.get("{http://www.w3.org/2001/XMLSchema-instance}nil") or "").lower() == "true"
            datetime_child = _first_child(child)
            values[local] = None if nil else (datetime_child.text if datetime_child is not None else (child.text or ""))
        missing = [name for name, cim_type in wmi_class.properties
                   if not cim_type.endswith("[]") and cim_type != "ref" and name not in values]
        if missing:
            raise _fault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because the "
                         "Put body lacks properties of %s: %s. A WMI Put must carry every non-array property."
                         % (wmi_class.name, ", ".join(missing)), (NS_TRANSFER, "InvalidRepresentation"))
        return values

    def _create(self, request, _identity):
        kind, target = self._resolve(request.resource_uri)
        if kind != "config" or target != "/listener":
            what = target.name if kind == "wmi" else request.resource_uri
            raise _action_not_supported(request.action, "instances of %s cannot be created; the service creates only "
                                        "listeners (winrm/config/listener)." % what)
        selectors = self.config_store.create_listener(request.selectors, _first_child(request.body))
        created = endpoint_reference(q(NS_TRANSFER, "ResourceCreated"), LISTENER_URI, selectors)
        created[0].text = request.to or ANONYMOUS
        return self._reply(request, TRANSFER + "CreateResponse", created)

    def _delete(self, request, _identity):
        kind, target = self._resolve(request.resource_uri)
        if kind == "config" and target == "/listener":
            self.config_store.delete_listener(request.selectors)
        elif kind == "wmi" and target.name == "Win32_Process":
            row = self.model.find(target, request.selectors)
            if self.model.terminate_process(row) != 0:
                raise LabFault(0x80041003, "Access denied ", subcode=(NS_WSMAN, "AccessDenied"),
                               wmi_error={"hresult": 0x80041003, "message": "Access denied ", "cim_status": 2,
                                          "category": 18, "windows_message": "Access denied"})
        else:
            what = target.name if kind == "wmi" else request.resource_uri
            raise _action_not_supported(request.action, "%s cannot be deleted." % what)
        return self._reply(request, TRANSFER + "DeleteResponse")

    # ------------------------------------------------------------ invoke

    def _invoke(self, request, identity):
        kind, cls = self._resolve(request.resource_uri)
        action = request.action
        if kind != "wmi" or not action.lower().startswith(cls.uri.lower() + "/"):
            raise _action_not_supported(action, "custom actions are WMI methods: <class resource URI>/<method>.")
        method_segment = action[len(cls.uri) + 1:]
        method = cls.methods.get(method_segment.lower())
        if method is None:
            raise LabFault(ERROR_ACTION_NOT_SUPPORTED, "The WS-Management service cannot process the request because the "
                           "WMI class %s has no method %s." % (cls.name, method_segment),
                           subcode=(NS_ADDRESSING, "ActionNotSupported"),
                           wmi_error={"hresult": 0x8004102E, "message": "Invalid method ", "cim_status": 17, "category": 4,
                                      "windows_message": "Invalid method"})
        first = _first_child(request.body)
        expected = method_segment + "_INPUT"
        if first is None or etree.QName(first).localname != expected or (
                etree.QName(first).namespace or "").lower() != cls.uri.lower():
            found = "nothing" if first is None else "{%s}%s" % (etree.QName(first).namespace, etree.QName(first).localname)
            raise _fault(ERROR_SCHEMA_VALIDATION, "The WS-Management service cannot process the request because the body "
                         "of the Invoke must be <p:%s xmlns:p=\"%s\"> (found %s)." % (expected, cls.uri, found),
                         (NS_WSMAN, "SchemaValidationError"))
        params = {}
        for child in first:
            if isinstance(child.tag, str):
                params[etree.QName(child).localname.lower()] = (child.text or "").strip()
        self._cost(request, cls.name, method)
        if cls.name == "Win32_Service":
            outputs = self.model.invoke_service(self.model.find(cls, request.selectors), method, params)
        elif method == "Create":
            code, pid = self.model.create_process(params.get("commandline"), params.get("currentdirectory"))
            outputs = {"ProcessId": pid, "ReturnValue": code}
        else:
            row = self.model.find(cls, request.selectors)
            if method == "Terminate":
                outputs = {"ReturnValue": self.model.terminate_process(row)}
            else:  # GetOwner
                system = row["ProcessId"] < 1500
                outputs = {"Domain": "NT AUTHORITY" if system else self.config.computer_name,
                           "ReturnValue": 0, "User": "SYSTEM" if system else identity.user.split("\\")[-1]}
        output = etree.Element(q(cls.uri, method_segment + "_OUTPUT"), nsmap={"p": cls.uri})
        for name in sorted(outputs):
            child = etree.SubElement(output, q(cls.uri, name))
            value = outputs[name]
            if value is None:
                child.set("{http://www.w3.org/2001/XMLSchema-instance}nil", "true")
            else:
                child.text = str(value)
        return self._reply(request, action + "Response", output)

    # ------------------------------------------------------------ enumeration

    def _enumerate(self, request, identity):
        enumerate_element = request.body.find(q(NS_ENUMERATION, "Enumerate"))
        if enumerate_element is None:
            raise _fault(ERROR_INVALID_SOAP_BODY, "The WS-Management service cannot process the request because the body "
                         "of an Enumerate must be <n:Enumerate>.", (NS_WSMAN, "InvalidBody"))
        if not request.resource_uri:
            raise _fault(ERROR_INVALID_URI, "The WS-Management service cannot process the request because the "
                         "wsman:ResourceURI header is missing or empty.", (NS_ADDRESSING, "DestinationUnreachable"))
        optimize = enumerate_element.find(q(NS_WSMAN, "OptimizeEnumeration")) is not None
        max_elements = self._max_elements(enumerate_element.find(q(NS_WSMAN, "MaxElements")))
        mode_element = enumerate_element.find(q(NS_WSMAN, "EnumerationMode"))
        mode = enumeration.MODE_OBJECT
        if mode_element is not None:
            mode = (mode_element.text or "").strip()
            if mode not in (enumeration.MODE_EPR, enumeration.MODE_OBJECT_AND_EPR):
                raise _fault(ERROR_ENUMERATION_MODE, "The WS-Management service cannot process the request because the "
                             "enumeration mode %r is not supported; use EnumerateEPR or EnumerateObjectAndEPR." % mode,
                             (NS_WSMAN, "UnsupportedFeature"),
                             fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/EnumerationMode")
        polymorphism = enumerate_element.find(q(NS_CIMBINDING, "PolymorphismMode"))
        if polymorphism is not None and (polymorphism.text or "").strip() != "IncludeSubClassProperties":
            raise _fault(ERROR_POLYMORPHISM, "The WS-Management service cannot process the request because the "
                         "polymorphism mode %r is not supported." % (polymorphism.text or "").strip(),
                         (NS_WSMAN, "UnsupportedFeature"),
                         fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/PolymorphismMode")
        filter_element = enumerate_element.find(q(NS_WSMAN, "Filter"))
        if filter_element is None:
            filter_element = enumerate_element.find(q(NS_ENUMERATION, "Filter"))
        source, estimate = self._source(request, filter_element)
        ctx = self.contexts.open(source, mode, identity.user.lower(), self._envelope_limit(request), estimate)
        if not optimize:
            response = etree.Element(q(NS_ENUMERATION, "EnumerateResponse"))
            etree.SubElement(response, q(NS_ENUMERATION, "EnumerationContext")).text = ctx.id
            return self._reply(request, ENUMERATION + "EnumerateResponse", response, estimate=(ctx.estimate,))
        return self._batch_reply(request, ctx, max_elements, ENUMERATION + "EnumerateResponse", "EnumerateResponse",
                                 NS_WSMAN)

    def _max_elements(self, element, default=1):
        if element is None:
            return min(default, self.config.max_batch_items)
        text = (element.text or "").strip()
        if not text.isdigit() or int(text) < 1:
            raise _fault(ERROR_INVALID_PARAMETER, "The WS-Management service cannot process the request because "
                         "MaxElements %r is not a positive integer." % text, (NS_WSMAN, "InvalidParameter"))
        return min(int(text), self.config.max_batch_items)

    def _source(self, request, filter_element):
        """(lazy item iterator, total count or None when a filter makes it unknown) of an Enumerate."""
        kind, target = self._resolve(request.resource_uri)
        dialect = None
        if filter_element is not None:
            dialect = filter_element.get("Dialect") or XPATH_DIALECT
        if kind == "config":
            if target != "/listener":
                raise _action_not_supported(request.action, "winrm/config%s is a single resource; use Get." % target)
            if filter_element is not None:
                raise _fault(ERROR_FILTERING_NOT_SUPPORTED, "The WS-Management service cannot process the request because "
                             "listeners cannot be filtered.", (NS_ENUMERATION, "FilteringNotSupported"))
            store = self.config_store
            listeners = store.all_listeners()
            return (enumeration.Item(lambda listener=listener: store.listener_element(listener), LISTENER_URI,
                                     lambda listener=listener: store.listener_selectors(listener))
                    for listener in listeners), len(listeners)
        if kind == "wmi" and request.selectors:
            raise _fault(enumeration.ERROR_ENUMERATE_KEYS, "The WS-Management service cannot process the request because "
                         "an Enumerate resource URI must not carry selectors (keys); use a filter instead.",
                         (NS_WSMAN, "InvalidSelectors"))
        if dialect is None:
            if kind == "wql":
                raise LabFault(enumeration.ERROR_WQL_URI, "The WS-Management service cannot process the request because "
                               "enumerating %s needs a WQL or association filter." % request.resource_uri,
                               subcode=(NS_WSMAN, "InvalidParameter"))
            if target.name == "Win32_Process":
                self._cost(request, target.name, "Enumerate")
            return enumeration.class_items(self.model, target), self.model.count(target)
        if dialect == enumeration.DIALECT_WQL:
            text = "".join(filter_element.itertext()).strip()
            return enumeration.wql_items(self.model, request.resource_uri, request.selectors, text), None
        if dialect == enumeration.DIALECT_SELECTOR:
            if kind != "wmi":
                raise enumeration.filter_fault("the SelectorFilter dialect needs a class resource URI, not %s."
                                               % request.resource_uri)
            return enumeration.selector_items(self.model, target, filter_element), None
        if dialect.lower() == enumeration.DIALECT_ASSOCIATION.lower():
            return enumeration.association_items(self.model, request.resource_uri, filter_element), None
        raise _fault(enumeration.ERROR_DIALECT_UNAVAILABLE, "The WS-Management service cannot process the request because "
                     "the filter dialect %s is not supported; use %s, %s or %s." % (
                         dialect, enumeration.DIALECT_WQL, enumeration.DIALECT_SELECTOR, enumeration.DIALECT_ASSOCIATION),
                     (NS_ENUMERATION, "FilterDialectRequestedUnavailable"),
                     action="http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault")

    def _batch_reply(self, request, ctx, max_elements, action, response_name, items_ns):
        """A response carrying the next batch of a context (Enumerate with OptimizeEnumeration, or Pull)."""
        limit = ctx.max_envelope
        response = etree.Element(q(NS_ENUMERATION, response_name))
        context_element = etree.SubElement(response, q(NS_ENUMERATION, "EnumerationContext"))
        context_element.text = ctx.id
        items = etree.SubElement(response, q(items_ns, "Items"))
        etree.SubElement(response, q(items_ns, "EndOfSequence"))
        envelope, header, body = new_envelope(action, request)
        self._add_estimate(request, header, ctx.estimate)
        body.append(response)
        overhead = len(etree.tostring(envelope, encoding="utf-8")) + 64
        factor = 2 if request.encoding == "utf-16" else 1
        budget = limit // factor - overhead
        try:
            batch, leftover, end = enumeration.next_batch(ctx.source, ctx.pending, ctx.mode, max_elements, budget)
        except LabFault:
            ctx.failed = True
            raise
        ctx.pending = leftover
        if end:
            self.contexts.close(ctx)
            if response_name == "PullResponse":
                response.remove(context_element)
            else:
                context_element.text = None
        else:
            response.remove(response[-1])
        data, content_type = serialize(envelope, request.encoding, (items, batch))
        return LabResponse(200, data, content_type)

    def _pull(self, request, identity):
        pull = request.body.find(q(NS_ENUMERATION, "Pull"))
        if pull is None:
            raise _fault(ERROR_INVALID_SOAP_BODY, "The WS-Management service cannot process the request because the body "
                         "of a Pull must be <n:Pull>.", (NS_WSMAN, "InvalidBody"))
        context_element = pull.find(q(NS_ENUMERATION, "EnumerationContext"))
        context_id = (context_element.text or "").strip() if context_element is not None else ""
        ctx = self.contexts.take(context_id, identity.user.lower())
        if request.max_envelope_size is not None and request.max_envelope_size != ctx.max_envelope:
            raise _fault(enumeration.ERROR_PULL_PARAMS, "The WS-Management service cannot process the request because the "
                         "MaxEnvelopeSize of the Pull (%d) differs from that of the Enumerate (%d)."
                         % (request.max_envelope_size, ctx.max_envelope), (NS_WSMAN, "InvalidParameter"))
        max_elements = self._max_elements(pull.find(q(NS_ENUMERATION, "MaxElements")))
        injection = self.injector.take_pull() if self.injector is not None else None
        if injection is not None:
            self._pull_timed_out(request, ctx, injection)
        return self._batch_reply(request, ctx, max_elements, ENUMERATION + "PullResponse", "PullResponse", NS_ENUMERATION)

    def _pull_timed_out(self, request, ctx, injection):
        """An injected ``pull-timeout``: wait, then answer as Windows does for a Pull that collected no items in time.

        ERROR_WSMAN_ENUMERATE_TIMED_OUT (0x8033801C), s:Receiver / n:TimedOut (createsession-facts.md §9.2);
        the context stays valid and keeps its place, so the next Pull continues the enumeration (§7.4).
        """
        if self.stats is not None:
            self.stats.incr("injected")
        timeout = min(request.operation_timeout_ms or self.config.max_timeout_ms, self.config.max_timeout_ms)
        wait = timeout / 1000.0 if injection.seconds is None else injection.seconds
        self.sleep(wait)
        ctx.last_used = self.clock()  # the Pull was busy all along: the idle time (EnumerationTimeoutms) starts now
        raise _fault(ERROR_ENUMERATE_TIMED_OUT, "The WS-Management service cannot complete the Pull within the time specified "
                     "in OperationTimeout (%d ms): no items were ready (lab injection pull-timeout, waited %g s). The "
                     "enumeration context %s is still valid; Pull again." % (timeout, wait, ctx.id),
                     (NS_ENUMERATION, "TimedOut"), soap_code="Receiver")

    def _release(self, request, identity):
        release = request.body.find(q(NS_ENUMERATION, "Release"))
        if release is None:
            raise _fault(ERROR_INVALID_SOAP_BODY, "The WS-Management service cannot process the request because the body "
                         "of a Release must be <n:Release>.", (NS_WSMAN, "InvalidBody"))
        context_element = release.find(q(NS_ENUMERATION, "EnumerationContext"))
        context_id = (context_element.text or "").strip() if context_element is not None else ""
        ctx = self.contexts.take(context_id, identity.user.lower())
        self.contexts.close(ctx, released=True)
        return self._reply(request, ENUMERATION + "ReleaseResponse")


__all__ = ["LabConfig", "Identity", "LabResponse", "WSManService"]
