"""The WMI classes (root/cimv2) of the lab and their instances, serialized as the WinRM WMI plug-in does.

Instances are plain dicts (canonical property name → value: str, int, bool, list, None,
or ``Datetime``) produced lazily, so ``--services 100000`` costs no memory until
enumerated.  State changes made by methods (StartService, ChangeStartMode, Create…)
are kept for the lifetime of the process.
"""

import copy
import datetime
import ntpath
import threading
import time
import zlib

from lxml import etree

from . import model_data
from .soap import NS_ADDRESSING, NS_CIM, NS_WSMAN, NS_XML, NS_XSI, LabFault, endpoint_reference, q

WMI_CIMV2 = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/"
PREFIX_WMI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
OS_VERSION = "10.0.20348"
BUILD = "20348"

# WMI HRESULTs used in ProviderFaults
WBEM_E_NOT_FOUND = 0x80041002
WBEM_E_INVALID_CLASS = 0x80041010
WBEM_E_INVALID_METHOD = 0x8004102E
WBEM_E_INVALID_METHOD_PARAMETERS = 0x8004102F
WBEM_E_PROVIDER_NOT_CAPABLE = 0x80041024
WBEM_E_INVALID_QUERY = 0x80041017

ERROR_RESOURCE_NOT_FOUND = 2150858752          # 0x80338000
ERROR_INVALID_SELECTORS = 2150858813           # 0x8033803D
ERROR_INSUFFICIENT_SELECTORS = 2150858842      # 0x8033805A
ERROR_UNEXPECTED_SELECTORS = 2150858843        # 0x8033805B
ERROR_WMI_SINGLETON = 2150859002               # 0x803380FA
ERROR_INVALID_REPRESENTATION = 2150858773      # 0x80338015
ERROR_SCHEMA_VALIDATION = 2150858817           # 0x80338041
ERROR_ACTION_NOT_SUPPORTED = 2150858771        # 0x80338013


class Datetime(str):
    """A CIM datetime value, written as ``<p:Prop><cim:Datetime>…</cim:Datetime></p:Prop>``."""


def cim_datetime(epoch):
    """xs:dateTime (UTC, microseconds) of a POSIX time, as WinRM renders a WMI datetime."""
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    return Datetime(moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def not_found(cls_name, selectors):
    """The fault Windows sends when the resource URI and selectors match no instance."""
    parameter = "%s.%s" % (cls_name, ",".join('%s="%s"' % pair for pair in selectors)) if selectors else cls_name
    return LabFault(ERROR_RESOURCE_NOT_FOUND, "The WS-Management service cannot process the request. The service cannot "
                    "find the resource identified by the resource URI and selectors.",
                    subcode=(NS_ADDRESSING, "DestinationUnreachable"),
                    wmi_error={"hresult": WBEM_E_NOT_FOUND, "message": "No instance found with given property values.",
                               "windows_message": "Not found", "cim_status": 6, "category": 13,
                               "parameter": parameter})


def invalid_class(cls_name):
    """The fault for a WMI class that does not exist in root/cimv2."""
    return LabFault(ERROR_RESOURCE_NOT_FOUND, "The WS-Management service cannot process the request. The WMI service "
                    "returned an 'invalid class' error for class %s in namespace root/cimv2." % cls_name,
                    subcode=(NS_ADDRESSING, "DestinationUnreachable"),
                    wmi_error={"hresult": WBEM_E_INVALID_CLASS, "message": "Invalid class ", "windows_message": "Invalid class",
                               "cim_status": 5, "category": 4})


def selector_fault(code, detail, message):
    """An InvalidSelectors fault (Sender / w:InvalidSelectors) with the DMTF fault detail."""
    return LabFault(code, message, subcode=(NS_WSMAN, "InvalidSelectors"),
                    fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/" + detail)


NIL = q(NS_XSI, "nil")
# template and base elements are shared by the request threads; lxml trees are copied under a lock
_SHARED_COPY_LOCK = threading.Lock()
KIND_TEXT, KIND_BOOL, KIND_NUMBER, KIND_DATETIME, KIND_SPECIAL = range(5)


def _kind(cim_type):
    if cim_type.endswith("[]") or cim_type == "ref":
        return KIND_SPECIAL
    if cim_type == "boolean":
        return KIND_BOOL
    if cim_type == "datetime":
        return KIND_DATETIME
    if cim_type in ("string", "char16"):
        return KIND_TEXT
    return KIND_NUMBER


class CimClass:
    """One WMI class: its properties (name, CIM type), keys, and whether it is a singleton."""

    def __init__(self, name, properties, keys=(), singleton=False, writable=(), methods=()):
        self.name = name
        self.uri = WMI_CIMV2 + name
        self.properties = sorted(properties, key=lambda prop: prop[0].lower())
        self.schema = {prop_name.lower(): (prop_name, cim_type) for prop_name, cim_type in properties}
        self.plan = [(prop_name, _kind(cim_type)) for prop_name, cim_type in self.properties]
        self.has_special = any(kind == KIND_SPECIAL for _name, kind in self.plan)
        self.keys = tuple(keys)
        self.singleton = singleton
        self.writable = frozenset(writable)
        self.methods = {method.lower(): method for method in methods}
        self._template = None
        self._lock = threading.Lock()

    def template(self):
        """The instance element with one empty child per scalar property (deep-copied per instance)."""
        with self._lock:
            if self._template is None:
                root = etree.Element(q(self.uri, self.name), nsmap={"p": self.uri, "cim": NS_CIM, "xsi": NS_XSI})
                root.set(q(NS_XSI, "type"), "p:%s_Type" % self.name)
                root.set(q(NS_XML, "lang"), "en-US")
                for prop_name, cim_type in self.properties:
                    child = etree.SubElement(root, q(self.uri, prop_name))
                    if cim_type == "datetime":
                        etree.SubElement(child, q(NS_CIM, "Datetime"))
                self._template = root
            return self._template


def _svc_props():
    return [
        ("AcceptPause", "boolean"), ("AcceptStop", "boolean"), ("Caption", "string"), ("CheckPoint", "uint32"),
        ("CreationClassName", "string"), ("DelayedAutoStart", "boolean"), ("Description", "string"),
        ("DesktopInteract", "boolean"), ("DisplayName", "string"), ("ErrorControl", "string"), ("ExitCode", "uint32"),
        ("InstallDate", "datetime"), ("Name", "string"), ("PathName", "string"), ("ProcessId", "uint32"),
        ("ServiceSpecificExitCode", "uint32"), ("ServiceType", "string"), ("Started", "boolean"), ("StartMode", "string"),
        ("StartName", "string"), ("State", "string"), ("Status", "string"), ("SystemCreationClassName", "string"),
        ("SystemName", "string"), ("TagId", "uint32"), ("WaitHint", "uint32"),
    ]


def build_classes():
    """The classes of root/cimv2 the lab serves, keyed by lower-case name."""
    classes = [
        CimClass("Win32_Service", _svc_props(), keys=("Name",),
                 methods=("StartService", "StopService", "PauseService", "ResumeService", "ChangeStartMode",
                          "InterrogateService")),
        CimClass("Win32_Process", [
            ("Caption", "string"), ("CommandLine", "string"), ("CreationClassName", "string"), ("CreationDate", "datetime"),
            ("CSCreationClassName", "string"), ("CSName", "string"), ("Description", "string"),
            ("ExecutablePath", "string"), ("ExecutionState", "uint16"), ("Handle", "string"), ("HandleCount", "uint32"),
            ("InstallDate", "datetime"), ("KernelModeTime", "uint64"), ("MaximumWorkingSetSize", "uint32"),
            ("MinimumWorkingSetSize", "uint32"), ("Name", "string"), ("OSCreationClassName", "string"),
            ("OSName", "string"), ("PageFaults", "uint32"), ("PageFileUsage", "uint32"), ("ParentProcessId", "uint32"),
            ("PeakPageFileUsage", "uint32"), ("PeakVirtualSize", "uint64"), ("PeakWorkingSetSize", "uint32"),
            ("Priority", "uint32"), ("PrivatePageCount", "uint64"), ("ProcessId", "uint32"), ("SessionId", "uint32"),
            ("Status", "string"), ("TerminationDate", "datetime"), ("ThreadCount", "uint32"),
            ("UserModeTime", "uint64"), ("VirtualSize", "uint64"), ("WindowsVersion", "string"),
            ("WorkingSetSize", "uint64"),
        ], keys=("Handle",), methods=("Create", "Terminate", "GetOwner")),
        CimClass("Win32_OperatingSystem", [
            ("BootDevice", "string"), ("BuildNumber", "string"), ("BuildType", "string"), ("Caption", "string"),
            ("CodeSet", "string"), ("CountryCode", "string"), ("CreationClassName", "string"),
            ("CSCreationClassName", "string"), ("CSName", "string"), ("CurrentTimeZone", "sint16"),
            ("DataExecutionPrevention_Available", "boolean"), ("Description", "string"), ("FreePhysicalMemory", "uint64"),
            ("FreeVirtualMemory", "uint64"), ("InstallDate", "datetime"), ("LastBootUpTime", "datetime"),
            ("LocalDateTime", "datetime"), ("Locale", "string"), ("Manufacturer", "string"), ("MUILanguages", "string[]"),
            ("Name", "string"), ("NumberOfProcesses", "uint32"), ("NumberOfUsers", "uint32"), ("OSArchitecture", "string"),
            ("OSLanguage", "uint32"), ("OSType", "uint16"), ("Primary", "boolean"), ("ProductType", "uint32"),
            ("RegisteredUser", "string"), ("SerialNumber", "string"), ("ServicePackMajorVersion", "uint16"),
            ("ServicePackMinorVersion", "uint16"), ("Status", "string"), ("SystemDirectory", "string"),
            ("SystemDrive", "string"), ("TotalVirtualMemorySize", "uint64"), ("TotalVisibleMemorySize", "uint64"),
            ("Version", "string"), ("WindowsDirectory", "string"),
        ], keys=("Name",), writable=("Description",)),
        CimClass("Win32_ComputerSystem", [
            ("AdminPasswordStatus", "uint16"), ("AutomaticManagedPagefile", "boolean"), ("BootupState", "string"),
            ("Caption", "string"), ("CreationClassName", "string"), ("CurrentTimeZone", "sint16"), ("DNSHostName", "string"),
            ("Domain", "string"), ("DomainRole", "uint16"), ("HypervisorPresent", "boolean"), ("Manufacturer", "string"),
            ("Model", "string"), ("Name", "string"), ("NumberOfLogicalProcessors", "uint32"), ("NumberOfProcessors", "uint32"),
            ("PartOfDomain", "boolean"), ("PCSystemType", "uint16"), ("PrimaryOwnerName", "string"), ("Roles", "string[]"),
            ("Status", "string"), ("SystemType", "string"), ("TotalPhysicalMemory", "uint64"), ("UserName", "string"),
            ("Workgroup", "string"),
        ], keys=("Name",), writable=("AutomaticManagedPagefile",)),
        CimClass("Win32_LogicalDisk", [
            ("Access", "uint16"), ("Caption", "string"), ("Compressed", "boolean"), ("CreationClassName", "string"),
            ("Description", "string"), ("DeviceID", "string"), ("DriveType", "uint32"), ("FileSystem", "string"),
            ("FreeSpace", "uint64"), ("MaximumComponentLength", "uint32"), ("MediaType", "uint32"), ("Name", "string"),
            ("Size", "uint64"), ("SupportsDiskQuotas", "boolean"), ("SupportsFileBasedCompression", "boolean"),
            ("SystemCreationClassName", "string"), ("SystemName", "string"), ("VolumeDirty", "boolean"),
            ("VolumeName", "string"), ("VolumeSerialNumber", "string"),
        ], keys=("DeviceID",), writable=("VolumeName",)),
        CimClass("Win32_QuickFixEngineering", [
            ("Caption", "string"), ("CSName", "string"), ("Description", "string"), ("FixComments", "string"),
            ("HotFixID", "string"), ("InstallDate", "datetime"), ("InstalledBy", "string"), ("InstalledOn", "string"),
            ("Name", "string"), ("ServicePackInEffect", "string"), ("Status", "string"),
        ], keys=("HotFixID", "ServicePackInEffect")),
        CimClass("Win32_DependentService", [
            ("Antecedent", "ref"), ("Dependent", "ref"), ("TypeOfDependency", "uint16"),
        ], keys=("Antecedent", "Dependent")),
        CimClass("Win32_LocalTime", [
            ("Day", "uint32"), ("DayOfWeek", "uint32"), ("Hour", "uint32"), ("Milliseconds", "uint32"), ("Minute", "uint32"),
            ("Month", "uint32"), ("Quarter", "uint32"), ("Second", "uint32"), ("WeekInMonth", "uint32"), ("Year", "uint32"),
        ], singleton=True),
    ]
    return {cls.name.lower(): cls for cls in classes}


def _crc(text):
    return zlib.crc32(text.encode("utf-8"))


class Model:
    """The instances of the lab's WMI classes, with the state method calls changed."""

    def __init__(self, config, services=200, seed=2022, wall_clock=time.time, cache_mb=192):
        self.config = config
        self.classes = build_classes()
        self.seed = seed
        self.wall_clock = wall_clock
        self.boot_time = int(wall_clock()) - 3 * 86400 - 4711
        self.install_time = 1665648000 + seed % 86400  # an install in October 2022
        self._lock = threading.RLock()
        self._known = {row[0].lower(): index for index, row in enumerate(model_data.SERVICES)}
        self.service_count = max(int(services), len(model_data.SERVICES))
        self._service_state = {}       # lower name → {property: value} overrides
        # serialized Win32_Service instances (lower name → UTF-8 bytes), so that repeated enumerations of
        # 10,000–100,000 services cost a dictionary lookup; bounded by cache_bytes, dropped on state changes
        self._service_cache = {}
        self._service_bases = {}
        self._service_cache_size = 0
        self.cache_bytes = cache_mb * 1024 * 1024
        self._processes = self._initial_processes()
        self._next_pid = 6000 + (seed % 97) * 4
        self._os_overrides = {}
        self._cs_overrides = {}
        self._disk_overrides = {}

    # ------------------------------------------------------------ lookup

    def wmi_class(self, name):
        """The CimClass of a class name (case-insensitive) or raise the Windows 'invalid class' fault."""
        cls = self.classes.get(name.lower())
        if cls is None:
            raise invalid_class(name)
        return cls

    def rows(self, cls):
        """Iterator over the current instances (dicts) of a class."""
        name = cls.name
        if name == "Win32_Service":
            return (self._service(index) for index in range(self.service_count))
        if name == "Win32_Process":
            with self._lock:
                processes = list(self._processes)
            return iter(processes)
        if name == "Win32_OperatingSystem":
            return iter([self._operating_system()])
        if name == "Win32_ComputerSystem":
            return iter([self._computer_system()])
        if name == "Win32_LogicalDisk":
            return iter(self._disks())
        if name == "Win32_QuickFixEngineering":
            return iter(self._hotfixes())
        if name == "Win32_DependentService":
            return iter(self._dependencies())
        if name == "Win32_LocalTime":
            return iter([self._local_time()])
        raise invalid_class(name)

    def count(self, cls):
        """Number of instances of a class (cheap for Win32_Service)."""
        if cls.name == "Win32_Service":
            return self.service_count
        return sum(1 for _row in self.rows(cls))

    def find(self, cls, selectors):
        """The instance named by the key selectors [(name, value)], or raise the Windows fault."""
        if cls.singleton:
            if selectors:
                raise selector_fault(ERROR_UNEXPECTED_SELECTORS, "UnexpectedSelectors",
                                     "The WS-Management service cannot process the request because the request contained "
                                     "invalid selectors for the resource. %s is a singleton and takes no selectors." % cls.name)
            return next(self.rows(cls))
        if not selectors:
            raise selector_fault(ERROR_WMI_SINGLETON, "InsufficientSelectors",
                                 "The WS-Management service cannot process the request because the WMI class %s is not a "
                                 "singleton. Add the key selectors (%s) to the resource URI." % (cls.name, ", ".join(cls.keys)))
        given = {}
        for name, value in selectors:
            entry = cls.schema.get(name.lower())
            if entry is None or entry[0] not in cls.keys:
                raise selector_fault(ERROR_UNEXPECTED_SELECTORS, "UnexpectedSelectors",
                                     "The WS-Management service cannot process the request because the request contained "
                                     "invalid selectors for the resource. %s is not a key of %s (keys: %s)."
                                     % (name, cls.name, ", ".join(cls.keys)))
            given[entry[0]] = value
        missing = [key for key in cls.keys if key not in given]
        if missing:
            raise selector_fault(ERROR_INSUFFICIENT_SELECTORS, "InsufficientSelectors",
                                 "The WS-Management service cannot process the request because the request contained "
                                 "invalid selectors for the resource. Missing key selectors of %s: %s."
                                 % (cls.name, ", ".join(missing)))
        row = None
        if cls.name == "Win32_Service":
            row = self.service_by_name(given["Name"])
        else:
            for candidate in self.rows(cls):
                if all(_key_equal(candidate.get(key), value) for key, value in given.items()):
                    row = candidate
                    break
        if row is None:
            raise not_found(cls.name, selectors)
        return row

    def service_by_name(self, name):
        """The Win32_Service instance of a service name (case-insensitive), or None."""
        lowered = name.lower()
        index = self._known.get(lowered)
        if index is None and lowered.startswith("labsvc") and lowered[6:].isdigit() and len(lowered) == 12:
            index = int(lowered[6:])
            if not len(model_data.SERVICES) <= index < self.service_count:
                index = None
        return None if index is None else self._service(index)

    def key_selectors(self, cls, row):
        """[(key, value)] selectors of an instance (empty for singletons)."""
        return [(key, _selector_text(row.get(key))) for key in cls.keys]

    # ------------------------------------------------------------ XML

    def element(self, cls, row, properties=None):
        """The instance as the WinRM WMI plug-in writes it: p:<Class>, alphabetical properties, xsi:nil for nulls."""
        if properties is None:
            template = cls.template()
            with _SHARED_COPY_LOCK:
                root = copy.deepcopy(template)
            nil = NIL
            for (prop_name, kind), child in zip(cls.plan, list(root) if cls.has_special else root):
                value = row.get(prop_name)
                if value is None:
                    if kind == KIND_DATETIME:
                        child.remove(child[0])
                    child.set(nil, "true")
                elif kind == KIND_TEXT:
                    child.text = value
                elif kind == KIND_BOOL:
                    child.text = "true" if value else "false"
                elif kind == KIND_NUMBER:
                    child.text = str(value)
                elif kind == KIND_DATETIME:
                    child[0].text = value
                else:
                    self._fill_special(cls, root, child, prop_name, cls.schema[prop_name.lower()][1], value)
            return root
        root = etree.Element(q(cls.uri, cls.name), nsmap={"p": cls.uri, "cim": NS_CIM, "xsi": NS_XSI})
        root.set(q(NS_XSI, "type"), "p:%s_Type" % cls.name)
        root.set(q(NS_XML, "lang"), "en-US")
        wanted = {name.lower() for name in properties}
        for prop_name, cim_type in cls.properties:
            if prop_name.lower() not in wanted:
                continue
            child = etree.SubElement(root, q(cls.uri, prop_name))
            value = row.get(prop_name)
            if cim_type.endswith("[]") or cim_type == "ref":
                self._fill_special(cls, root, child, prop_name, cim_type, value)
            elif value is None:
                child.set(q(NS_XSI, "nil"), "true")
            elif cim_type == "datetime":
                etree.SubElement(child, q(NS_CIM, "Datetime")).text = value
            else:
                child.text = _text(value)
        return root

    @staticmethod
    def _fill_special(wmi_class, root, child, prop_name, cim_type, value):
        if cim_type == "ref":
            if value is None:
                child.set(q(NS_XSI, "nil"), "true")
                return
            uri, selectors = value
            epr = endpoint_reference(q(wmi_class.uri, prop_name), uri, selectors)
            child.extend(list(epr))
            return
        # arrays: one element per item, an absent array is one element with xsi:nil
        if not value:
            child.set(q(NS_XSI, "nil"), "true")
            return
        child.text = _text(value[0])
        anchor = child
        for item in value[1:]:
            extra = etree.Element(q(wmi_class.uri, prop_name))
            extra.text = _text(item)
            anchor.addnext(extra)
            anchor = extra

    # ------------------------------------------------------------ Win32_Service

    def _service(self, index):
        known = index < len(model_data.SERVICES)
        if known:
            (name, display, mode, state, start_name, path, service_type, accept_stop, accept_pause, delayed,
             description) = model_data.SERVICES[index]
            error_control = "Normal"
        else:
            h = (index * 2654435761 + self.seed * 40503) & 0xFFFFFFFF
            name = "LabSvc%06d" % index
            display = "Lab Synthetic Service %06d" % index
            mode = ("Disabled", "Manual", "Auto", "Auto", "Manual", "Auto")[h % 6]
            state = "Running" if mode == "Auto" else ("Running" if h % 7 == 0 and mode == "Manual" else "Stopped")
            start_name = (model_data.LOCAL_SYSTEM, model_data.LOCAL_SERVICE, model_data.NETWORK_SERVICE)[(h >> 8) % 3]
            path = "\"C:\\Program Files\\Lab Services\\%s\\%s.exe\" -service" % (name, name.lower())
            service_type = "Own Process"
            accept_stop = state == "Running"
            accept_pause = False
            delayed = (h >> 4) % 5 == 0 and mode == "Auto"
            description = "Synthetic service number %d of the WS-Management lab." % index
            error_control = ("Normal", "Ignore")[(h >> 12) % 2]
        row = {
            "AcceptPause": accept_pause if state == "Running" else False,
            "AcceptStop": accept_stop if state == "Running" else False,
            "Caption": display,
            "CheckPoint": 0,
            "CreationClassName": "Win32_Service",
            "DelayedAutoStart": delayed,
            "Description": description,
            "DesktopInteract": False,
            "DisplayName": display,
            "ErrorControl": error_control,
            "ExitCode": 0 if state == "Running" else 1077,
            "InstallDate": None,
            "Name": name,
            "PathName": path,
            "ProcessId": 0,
            "ServiceSpecificExitCode": 0,
            "ServiceType": service_type,
            "Started": state == "Running",
            "StartMode": mode,
            "StartName": start_name,
            "State": state,
            "Status": "OK",
            "SystemCreationClassName": "Win32_ComputerSystem",
            "SystemName": self.config.computer_name,
            "TagId": 0,
            "WaitHint": 0,
        }
        overrides = self._service_state.get(name.lower())
        if overrides:
            row.update(overrides)
        if row["State"] == "Running":
            row["ProcessId"] = self._service_pid(row["PathName"], row["ServiceType"], name)
        return row

    def _service_pid(self, path, service_type, name):
        key = path if service_type == "Share Process" else name
        return 700 + 4 * (_crc("%s|%d" % (key.lower(), self.seed)) % 1900)

    def _set_service(self, name, **values):
        with self._lock:
            self._service_state.setdefault(name.lower(), {}).update(values)
            dropped = self._service_cache.pop(name.lower(), None)
            if dropped is not None:
                self._service_cache_size -= len(dropped)

    def service_at(self, index):
        """The Win32_Service row at an index (as ``rows`` yields it)."""
        return self._service(index)

    def service_name(self, index):
        """The Name of the Win32_Service instance at an index (no row built)."""
        if index < len(model_data.SERVICES):
            return model_data.SERVICES[index][0]
        return "LabSvc%06d" % index

    def service_bytes_at(self, index):
        """service_bytes of the instance at an index; from the cache without building the row when it is there."""
        data = self._service_cache.get(self.service_name(index).lower())
        if data is not None:
            return data
        return self.service_bytes(self._service(index))

    def service_bytes(self, row):
        """UTF-8 serialization of a Win32_Service instance, cached while the cache has room."""
        key = row["Name"].lower()
        data = self._service_cache.get(key)
        if data is not None:
            return data
        data = etree.tostring(self._service_element(row), encoding="utf-8")
        with self._lock:
            if key not in self._service_state and self._service_cache_size + len(data) <= self.cache_bytes:
                self._service_cache[key] = data
                self._service_cache_size += len(data)
        return data

    # properties that differ from service to service; the others take few distinct value combinations
    _UNIQUE = ("Caption", "Description", "DisplayName", "Name", "PathName", "ProcessId")

    def _service_element(self, row):
        """Win32_Service element from a per-combination base element (deep copy + the unique properties)."""
        cls = self.classes["win32_service"]
        plan = getattr(self, "_service_plan", None)
        if plan is None:
            names = [name for name, _kind in cls.plan]
            self._service_plan = plan = (
                [name for name in names if name not in self._UNIQUE],
                [(names.index(name), name) for name in self._UNIQUE],
            )
        shared, unique = plan
        key = tuple(row[name] for name in shared)
        base = self._service_bases.get(key)
        if base is None:
            base = self.element(cls, row)
            if len(self._service_bases) < 512:
                self._service_bases[key] = base
        with _SHARED_COPY_LOCK:
            root = copy.deepcopy(base)
        for index, name in unique:
            value = row[name]
            root[index].text = value if isinstance(value, str) else str(value)
        return root

    def _dependents(self, name, running_only=True):
        result = []
        for dependent, antecedents in model_data.DEPENDENCIES.items():
            if any(a.lower() == name.lower() for a in antecedents):
                row = self.service_by_name(dependent)
                if row is not None and (not running_only or row["State"] == "Running"):
                    result.append(row)
        return result

    def _start(self, row, seen=None):
        seen = seen if seen is not None else set()
        seen.add(row["Name"].lower())
        for antecedent in model_data.DEPENDENCIES.get(row["Name"], []):
            dep = self.service_by_name(antecedent)
            if dep is not None and dep["State"] != "Running" and antecedent.lower() not in seen:
                if dep["StartMode"] == "Disabled":
                    return 13  # Service Dependency Failure
                code = self._start(dep, seen)
                if code:
                    return code
        self._set_service(row["Name"], State="Running", Started=True, ExitCode=0, AcceptStop=True)
        return 0

    def invoke_service(self, row, method, params):
        """Win32_Service methods; return values are WMI's (0 success, 5 cannot accept control, 10 already running…)."""
        with self._lock:
            row = self.service_by_name(row["Name"])
            if method == "StartService":
                if row["State"] == "Running":
                    return {"ReturnValue": 10}
                if row["StartMode"] == "Disabled":
                    return {"ReturnValue": 14}
                return {"ReturnValue": self._start(row)}
            if method == "StopService":
                if row["State"] != "Running" or not row["AcceptStop"]:
                    return {"ReturnValue": 5}
                if self._dependents(row["Name"]):
                    return {"ReturnValue": 3}
                self._set_service(row["Name"], State="Stopped", Started=False, ExitCode=0, AcceptStop=False, AcceptPause=False)
                return {"ReturnValue": 0}
            if method == "PauseService":
                if row["State"] != "Running":
                    return {"ReturnValue": 5}
                if not row["AcceptPause"]:
                    return {"ReturnValue": 1}
                self._set_service(row["Name"], State="Paused")
                return {"ReturnValue": 0}
            if method == "ResumeService":
                if row["State"] != "Paused":
                    return {"ReturnValue": 5}
                self._set_service(row["Name"], State="Running")
                return {"ReturnValue": 0}
            if method == "InterrogateService":
                return {"ReturnValue": 0 if row["State"] == "Running" else 6}
            if method == "ChangeStartMode":
                mode = params.get("startmode")
                mapping = {"automatic": "Auto", "manual": "Manual", "disabled": "Disabled"}
                if mode is None or mode.lower() not in mapping:
                    return {"ReturnValue": 21}
                self._set_service(row["Name"], StartMode=mapping[mode.lower()])
                return {"ReturnValue": 0}
        raise AssertionError(method)

    # ------------------------------------------------------------ Win32_Process

    def _process_row(self, name, pid, executable, command_line, parent, session, priority, created):
        return {
            "Caption": name, "CommandLine": command_line, "CreationClassName": "Win32_Process",
            "CreationDate": cim_datetime(created) if pid > 4 else None,
            "CSCreationClassName": "Win32_ComputerSystem", "CSName": self.config.computer_name, "Description": name,
            "ExecutablePath": executable, "ExecutionState": None, "Handle": str(pid),
            "HandleCount": 200 + _crc(name + str(pid)) % 1800, "InstallDate": None,
            "KernelModeTime": 156250 * (1 + _crc(str(pid)) % 400), "MaximumWorkingSetSize": 1380,
            "MinimumWorkingSetSize": 200, "Name": name, "OSCreationClassName": "Win32_OperatingSystem",
            "OSName": self._os_name(), "PageFaults": 1000 + _crc("pf" + str(pid)) % 90000,
            "PageFileUsage": 1024 + _crc("pfu" + str(pid)) % 60000, "ParentProcessId": parent,
            "PeakPageFileUsage": 2048 + _crc("ppfu" + str(pid)) % 60000,
            "PeakVirtualSize": 2203318222848 + _crc("pvs" + str(pid)) % 100000000,
            "PeakWorkingSetSize": 4096 + _crc("pws" + str(pid)) % 80000, "Priority": priority,
            "PrivatePageCount": 1048576 + _crc("ppc" + str(pid)) % 50000000, "ProcessId": pid, "SessionId": session,
            "Status": None, "TerminationDate": None, "ThreadCount": 1 + _crc("tc" + str(pid)) % 40,
            "UserModeTime": 156250 * (_crc("um" + str(pid)) % 500), "VirtualSize": 2203318222848 + _crc(str(pid)) % 90000000,
            "WindowsVersion": OS_VERSION, "WorkingSetSize": 4194304 + _crc("ws" + str(pid)) % 90000000,
        }

    def _initial_processes(self):
        fixed = {"System Idle Process": 0, "System": 4, "Registry": 92, "smss.exe": 316, "csrss.exe": 420,
                 "wininit.exe": 496, "services.exe": 636, "lsass.exe": 652, "winlogon.exe": 564}
        processes = []
        wininit, services = fixed["wininit.exe"], fixed["services.exe"]
        for name, executable, command_line, parent, session, priority in model_data.PROCESSES:
            pid = fixed.get(name, 1500 + 4 * (_crc("%s|%d" % (name, self.seed)) % 1200))
            if name in ("services.exe", "lsass.exe"):
                parent = wininit
            elif name in ("spoolsv.exe", "MsMpEng.exe"):
                parent = services
            elif name == "WmiPrvSE.exe":
                parent = None
            processes.append((name, pid, executable, command_line, parent, session, priority))
        groups = {}
        for service in model_data.SERVICES:
            if service[3] == "Running" and service[6] == "Share Process" and "svchost.exe" in service[5]:
                groups[service[5]] = self._service_pid(service[5], service[6], service[0])
        for path, pid in sorted(groups.items(), key=lambda item: item[1]):
            processes.append(("svchost.exe", pid, "C:\\Windows\\system32\\svchost.exe", path, services, 0, 8))
        dcom = groups.get(model_data.SVCHOST % "DcomLaunch -p", services)
        rows = []
        for name, pid, executable, command_line, parent, session, priority in processes:
            parent = dcom if parent is None else parent
            rows.append(self._process_row(name, pid, executable, command_line, parent, session, priority,
                                          self.boot_time + (pid % 97)))
        return rows

    def create_process(self, command_line, current_directory=None):
        """Win32_Process.Create: (ReturnValue, ProcessId) as WMI answers (9 = path not found, 21 = invalid parameter)."""
        if not command_line or not command_line.strip():
            return 21, None
        if current_directory is not None and not current_directory.strip():
            return 9, None
        first = command_line.strip()
        first = first[1:first.index('"', 1)] if first.startswith('"') and '"' in first[1:] else first.split()[0]
        name = ntpath.basename(first)
        if "." not in name:
            name += ".exe"
        with self._lock:
            pid = self._next_pid
            self._next_pid += 4
            executable = first if "\\" in first else "C:\\Windows\\system32\\" + name
            self._processes.append(self._process_row(name, pid, executable, command_line, 6000, 0, 8, self.wall_clock()))
        return 0, pid

    def terminate_process(self, row):
        """Win32_Process.Terminate: remove the process (0), or 2 (access denied) for system processes."""
        with self._lock:
            if row["ProcessId"] < 1000:
                return 2
            self._processes = [p for p in self._processes if p["ProcessId"] != row["ProcessId"]]
        return 0

    # ------------------------------------------------------------ others

    def _os_name(self):
        return "Microsoft Windows Server 2022 Datacenter|C:\\Windows|\\Device\\Harddisk0\\Partition2"

    def _operating_system(self):
        now = self.wall_clock()
        row = {
            "BootDevice": "\\Device\\HarddiskVolume1", "BuildNumber": BUILD, "BuildType": "Multiprocessor Free",
            "Caption": "Microsoft Windows Server 2022 Datacenter", "CodeSet": "1252", "CountryCode": "1",
            "CreationClassName": "Win32_OperatingSystem", "CSCreationClassName": "Win32_ComputerSystem",
            "CSName": self.config.computer_name, "CurrentTimeZone": 0, "DataExecutionPrevention_Available": True,
            "Description": "", "FreePhysicalMemory": 5877468, "FreeVirtualMemory": 7241120,
            "InstallDate": cim_datetime(self.install_time), "LastBootUpTime": cim_datetime(self.boot_time),
            "LocalDateTime": cim_datetime(now), "Locale": "0409", "Manufacturer": "Microsoft Corporation",
            "MUILanguages": ["en-US"], "Name": self._os_name(), "NumberOfProcesses": len(self._processes),
            "NumberOfUsers": 1, "OSArchitecture": "64-bit", "OSLanguage": 1033, "OSType": 18, "Primary": True,
            "ProductType": 3, "RegisteredUser": "Windows User", "SerialNumber": "00454-40000-00001-AA%03d" % (self.seed % 1000),
            "ServicePackMajorVersion": 0, "ServicePackMinorVersion": 0, "Status": "OK",
            "SystemDirectory": "C:\\Windows\\system32", "SystemDrive": "C:", "TotalVirtualMemorySize": 9830400,
            "TotalVisibleMemorySize": 8388148, "Version": OS_VERSION, "WindowsDirectory": "C:\\Windows",
        }
        row.update(self._os_overrides)
        return row

    def _computer_system(self):
        name = self.config.computer_name
        row = {
            "AdminPasswordStatus": 3, "AutomaticManagedPagefile": True, "BootupState": "Normal boot", "Caption": name,
            "CreationClassName": "Win32_ComputerSystem", "CurrentTimeZone": 0, "DNSHostName": name.lower(),
            "Domain": "WORKGROUP", "DomainRole": 2, "HypervisorPresent": True, "Manufacturer": "Microsoft Corporation",
            "Model": "Virtual Machine", "Name": name, "NumberOfLogicalProcessors": 4, "NumberOfProcessors": 1,
            "PartOfDomain": False, "PCSystemType": 1, "PrimaryOwnerName": "Windows User",
            "Roles": ["LM_Workstation", "LM_Server", "NT", "Server_NT"], "Status": "OK", "SystemType": "x64-based PC",
            "TotalPhysicalMemory": 8589463552, "UserName": None, "Workgroup": "WORKGROUP",
        }
        row.update(self._cs_overrides)
        return row

    def _disks(self):
        system = self.config.computer_name
        common = {"CreationClassName": "Win32_LogicalDisk", "SystemCreationClassName": "Win32_ComputerSystem",
                  "SystemName": system}
        c_drive = dict(common, Access=0, Caption="C:", Compressed=False, Description="Local Fixed Disk", DeviceID="C:",
                       DriveType=3, FileSystem="NTFS", FreeSpace=98765438976, MaximumComponentLength=255, MediaType=12,
                       Name="C:", Size=136912564224, SupportsDiskQuotas=False, SupportsFileBasedCompression=True,
                       VolumeDirty=False, VolumeName="", VolumeSerialNumber="%08X" % _crc("C:%d" % self.seed))
        d_drive = dict(common, Access=None, Caption="D:", Compressed=None, Description="CD-ROM Disc", DeviceID="D:",
                       DriveType=5, FileSystem=None, FreeSpace=None, MaximumComponentLength=None, MediaType=11, Name="D:",
                       Size=None, SupportsDiskQuotas=None, SupportsFileBasedCompression=None, VolumeDirty=None,
                       VolumeName=None, VolumeSerialNumber=None)
        c_drive.update(self._disk_overrides.get("C:", {}))
        return [c_drive, d_drive]

    def _hotfixes(self):
        rows = []
        for hotfix, description, installed_by, installed_on in model_data.HOTFIXES:
            rows.append({"Caption": "https://support.microsoft.com/help/%s" % hotfix[2:], "CSName": self.config.computer_name,
                         "Description": description, "FixComments": "", "HotFixID": hotfix, "InstallDate": None,
                         "InstalledBy": installed_by, "InstalledOn": installed_on, "Name": None,
                         "ServicePackInEffect": "", "Status": None})
        return rows

    def _dependencies(self):
        uri = WMI_CIMV2 + "Win32_Service"
        rows = []
        for dependent, antecedents in model_data.DEPENDENCIES.items():
            for antecedent in antecedents:
                rows.append({"Antecedent": (uri, [("Name", antecedent)]), "Dependent": (uri, [("Name", dependent)]),
                             "TypeOfDependency": None})
        return rows

    def _local_time(self):
        now = datetime.datetime.fromtimestamp(self.wall_clock(), tz=datetime.timezone.utc)
        first = now.replace(day=1)
        return {"Day": now.day, "DayOfWeek": (now.weekday() + 1) % 7, "Hour": now.hour, "Milliseconds": None,
                "Minute": now.minute, "Month": now.month, "Quarter": (now.month - 1) // 3 + 1, "Second": now.second,
                "WeekInMonth": (now.day + (first.weekday() + 1) % 7 - 1) // 7 + 1, "Year": now.year}

    def put_instance(self, cls, row, values):
        """Apply writable property values (dict canonical name → text) of a Put; return the updated instance."""
        with self._lock:
            changes = {}
            for name, text in values.items():
                if name in cls.writable and text is not None:
                    cim_type = cls.schema[name.lower()][1]
                    changes[name] = _parse_value(text, cim_type, name)
            if cls.name == "Win32_OperatingSystem":
                self._os_overrides.update(changes)
            elif cls.name == "Win32_ComputerSystem":
                self._cs_overrides.update(changes)
            elif cls.name == "Win32_LogicalDisk":
                if row["DriveType"] != 3 and changes:
                    raise LabFault(0x80041024, "Provider is not capable of the attempted operation", soap_code="Receiver",
                                   subcode=(NS_WSMAN, "InternalError"),
                                   wmi_error={"hresult": WBEM_E_PROVIDER_NOT_CAPABLE,
                                              "message": "Provider is not capable of the attempted operation "})
                self._disk_overrides.setdefault(row["DeviceID"], {}).update(changes)
            return self.find(cls, self.key_selectors(cls, row))


def _parse_value(text, cim_type, name):
    text = text.strip()
    if cim_type == "boolean":
        if text.lower() not in ("true", "false"):
            raise LabFault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because the "
                           "value %r of %s is not a boolean (true or false)." % (text, name),
                           subcode=("http://schemas.xmlsoap.org/ws/2004/09/transfer", "InvalidRepresentation"))
        return text.lower() == "true"
    if cim_type.startswith(("uint", "sint")):
        try:
            return int(text)
        except ValueError:
            raise LabFault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because the "
                           "value %r of %s is not an integer." % (text, name),
                           subcode=("http://schemas.xmlsoap.org/ws/2004/09/transfer", "InvalidRepresentation")) from None
    return text


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _selector_text(value):
    return _text(value) if value is not None else ""


def _key_equal(value, text):
    if value is None:
        return text == ""
    return _text(value).lower() == text.lower()
