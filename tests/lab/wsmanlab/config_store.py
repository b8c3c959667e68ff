"""WinRM's own configuration resources (winrm/config…) as the Windows service exposes them.

``winrm/config``, ``…/service``, ``…/service/auth``, ``…/client``, ``…/client/auth`` and
``…/winrs`` answer Get and Put; ``…/listener`` answers Enumerate, Get, Put, Create and
Delete with the selectors Address and Transport.  Each resource's XML root is in the
namespace equal to its resource URI (``cfg:Service xmlns:cfg="…/config/service"``), as
Windows writes it.  Settings that the lab's HTTP layer obeys (AllowUnencrypted, Auth/*,
MaxEnvelopeSizekb, MaxTimeoutms, MaxBatchItems, EnumerationTimeoutms…) live in the shared
``LabConfig``; the others are kept here.  Defaults are those of Windows Server 2022
(createsession-facts §10).
"""

import hashlib
import ipaddress
import re
import threading

from lxml import etree

from .soap import NS_TRANSFER, NS_WSMAN, LabFault, q

CONFIG_URI = "http://schemas.microsoft.com/wbem/wsman/1/config"
LISTENER_URI = CONFIG_URI + "/listener"
ROOT_SDDL = "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)"
UNLIMITED = 4294967295

ERROR_ALREADY_EXISTS = 2150858803          # 0x80338033
ERROR_RESOURCE_NOT_FOUND = 2150858752      # 0x80338000
ERROR_INVALID_REPRESENTATION = 2150858773  # 0x80338015
ERROR_INVALID_SELECTORS = 2150858813       # 0x8033803D
ERROR_INSUFFICIENT_SELECTORS = 2150858842  # 0x8033805A
ERROR_INVALID_SELECTOR_VALUE = 2150858845  # 0x8033805D
ERROR_CBT_INVALID = 2150859192             # 0x803381B8

# Each setting: (element name, kind, where, key, check).  kind: bool, int, str, or a section name.
# where: "lab" (an attribute of LabConfig), "store" (kept here), "fixed" (read-only constant).
SERVICE_AUTH = [
    ("Basic", "bool", "lab", "basic", None),
    ("Kerberos", "bool", "lab", "kerberos", None),
    ("Negotiate", "bool", "lab", "negotiate", None),
    ("Certificate", "bool", "lab", "certificate", None),
    ("CredSSP", "bool", "lab", "credssp", None),
    ("CbtHardeningLevel", "str", "lab", "cbt_hardening_level", ("None", "Relaxed", "Strict")),
]
CLIENT_AUTH = [
    ("Basic", "bool", "store", "client.auth.basic", None),
    ("Digest", "bool", "store", "client.auth.digest", None),
    ("Kerberos", "bool", "store", "client.auth.kerberos", None),
    ("Negotiate", "bool", "store", "client.auth.negotiate", None),
    ("Certificate", "bool", "store", "client.auth.certificate", None),
    ("CredSSP", "bool", "store", "client.auth.credssp", None),
]
SERVICE_PORTS = [("HTTP", "int", "store", "service.ports.http", (1, 65535)),
                 ("HTTPS", "int", "store", "service.ports.https", (1, 65535))]
CLIENT_PORTS = [("HTTP", "int", "store", "client.ports.http", (1, 65535)),
                ("HTTPS", "int", "store", "client.ports.https", (1, 65535))]
SERVICE = [
    ("RootSDDL", "str", "store", "service.rootsddl", None),
    ("MaxConcurrentOperations", "int", "fixed", UNLIMITED, None),
    ("MaxConcurrentOperationsPerUser", "int", "lab", "max_concurrent_operations_per_user", (1, UNLIMITED)),
    ("EnumerationTimeoutms", "int", "lab", "enumeration_timeout_ms", (500, UNLIMITED)),
    ("MaxConnections", "int", "lab", "max_connections", (1, UNLIMITED)),
    ("MaxPacketRetrievalTimeSeconds", "int", "lab", "max_packet_retrieval_time_seconds", (1, UNLIMITED)),
    ("AllowUnencrypted", "bool", "lab", "allow_unencrypted", None),
    ("Auth", SERVICE_AUTH, None, None, None),
    ("DefaultPorts", SERVICE_PORTS, None, None, None),
    ("IPv4Filter", "str", "store", "service.ipv4filter", None),
    ("IPv6Filter", "str", "store", "service.ipv6filter", None),
    ("EnableCompatibilityHttpListener", "bool", "store", "service.compat.http", None),
    ("EnableCompatibilityHttpsListener", "bool", "store", "service.compat.https", None),
    ("CertificateThumbprint", "str", "store", "service.thumbprint", None),
    ("AllowRemoteAccess", "bool", "store", "service.allowremoteaccess", None),
]
CLIENT = [
    ("NetworkDelayms", "int", "store", "client.networkdelayms", (1, UNLIMITED)),
    ("URLPrefix", "str", "store", "client.urlprefix", None),
    ("AllowUnencrypted", "bool", "store", "client.allowunencrypted", None),
    ("Auth", CLIENT_AUTH, None, None, None),
    ("DefaultPorts", CLIENT_PORTS, None, None, None),
    ("TrustedHosts", "str", "store", "client.trustedhosts", None),
]
WINRS = [
    ("AllowRemoteShellAccess", "bool", "store", "winrs.allow", None),
    ("IdleTimeout", "int", "store", "winrs.idletimeout", (60000, UNLIMITED)),
    ("MaxConcurrentUsers", "int", "store", "winrs.maxconcurrentusers", (1, UNLIMITED)),
    ("MaxShellRunTime", "int", "fixed", 2147483647, None),
    ("MaxProcessesPerShell", "int", "store", "winrs.maxprocesses", (0, UNLIMITED)),
    ("MaxMemoryPerShellMB", "int", "store", "winrs.maxmemory", (0, UNLIMITED)),
    ("MaxShellsPerUser", "int", "store", "winrs.maxshells", (0, UNLIMITED)),
]
CONFIG = [
    ("MaxEnvelopeSizekb", "int", "lab", "max_envelope_size_kb", (32, 1039440)),
    ("MaxTimeoutms", "int", "lab", "max_timeout_ms", (500, UNLIMITED)),
    ("MaxBatchItems", "int", "lab", "max_batch_items", (1, UNLIMITED)),
    ("MaxProviderRequests", "int", "fixed", UNLIMITED, None),
    ("Client", CLIENT, None, None, None),
    ("Service", SERVICE, None, None, None),
    ("Winrs", WINRS, None, None, None),
]

# resource path below …/wsman/1/config (lower case) → (root element name, settings)
SECTIONS = {
    "": ("Config", CONFIG),
    "/service": ("Service", SERVICE),
    "/service/auth": ("Auth", SERVICE_AUTH),
    "/client": ("Client", CLIENT),
    "/client/auth": ("Auth", CLIENT_AUTH),
    "/winrs": ("Winrs", WINRS),
}
CANONICAL = {"": "", "/service": "/service", "/service/auth": "/service/auth", "/client": "/client",
             "/client/auth": "/client/auth", "/winrs": "/winrs", "/listener": "/listener"}

LISTENER_FIELDS = ("Address", "Transport", "Port", "Hostname", "Enabled", "URLPrefix", "CertificateThumbprint")
_MAC = re.compile(r"^MAC:([0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}$")


def _invalid(message):
    return LabFault(ERROR_INVALID_REPRESENTATION, "The WS-Management service cannot process the request because the "
                    "resource representation is not valid: %s" % message, subcode=(NS_TRANSFER, "InvalidRepresentation"))


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class ConfigStore:
    """The winrm/config tree of the lab, bound to the shared LabConfig."""

    def __init__(self, config, http_port=5985, https_port=5986):
        self.config = config
        self._lock = threading.RLock()
        self.values = {
            "client.auth.basic": True, "client.auth.digest": True, "client.auth.kerberos": True,
            "client.auth.negotiate": True, "client.auth.certificate": True, "client.auth.credssp": False,
            "service.ports.http": 5985, "service.ports.https": 5986, "client.ports.http": 5985, "client.ports.https": 5986,
            "service.rootsddl": ROOT_SDDL, "service.ipv4filter": "*", "service.ipv6filter": "*",
            "service.compat.http": False, "service.compat.https": False, "service.thumbprint": "",
            "service.allowremoteaccess": True, "client.networkdelayms": 5000, "client.urlprefix": "wsman",
            "client.allowunencrypted": False, "client.trustedhosts": "", "winrs.allow": True,
            "winrs.idletimeout": 7200000, "winrs.maxconcurrentusers": 2147483647, "winrs.maxprocesses": 2147483647,
            "winrs.maxmemory": 2147483647, "winrs.maxshells": 2147483647,
        }
        thumbprint = hashlib.sha1(("lab-https-" + config.computer_name).encode("utf-8")).hexdigest().upper()
        self.listeners = [
            {"Address": "*", "Transport": "HTTP", "Port": http_port, "Hostname": "", "Enabled": True,
             "URLPrefix": "wsman", "CertificateThumbprint": ""},
            {"Address": "*", "Transport": "HTTPS", "Port": https_port, "Hostname": config.computer_name, "Enabled": True,
             "URLPrefix": "wsman", "CertificateThumbprint": thumbprint},
        ]

    @staticmethod
    def section_of(resource_uri):
        """The canonical path ('' for winrm/config, '/service', '/listener'…) of a config URI, or None."""
        lowered = resource_uri.lower()
        if not lowered.startswith(CONFIG_URI):
            return None
        return CANONICAL.get(lowered[len(CONFIG_URI):].rstrip("/"))

    # ------------------------------------------------------------ settings

    def _read(self, where, key):
        if where == "lab":
            return getattr(self.config, key)
        if where == "fixed":
            return key
        return self.values[key]

    def element(self, path):
        """The section element of a config path ('' … '/winrs')."""
        name, settings = SECTIONS[path]
        namespace = CONFIG_URI + path
        root = etree.Element(q(namespace, name), nsmap={"cfg": namespace})
        with self._lock:
            self._fill(root, namespace, settings)
        return root

    def _fill(self, parent, namespace, settings):
        for name, kind, where, key, _check in settings:
            child = etree.SubElement(parent, q(namespace, name))
            if isinstance(kind, list):
                self._fill(child, namespace, kind)
            else:
                child.text = _text(self._read(where, key))

    def put(self, path, body_root):
        """Apply a Put body to a section (only the settings given change) and return the updated section."""
        name, settings = SECTIONS[path]
        namespace = CONFIG_URI + path
        if body_root is None:
            raise _invalid("the Put body is empty; send <cfg:%s xmlns:cfg=\"%s\"> with the settings to change." % (name, namespace))
        tag = etree.QName(body_root)
        if tag.localname.lower() != name.lower() or (tag.namespace or "").lower() != namespace.lower():
            raise _invalid("the root element is {%s}%s; expected %s in namespace %s." % (
                tag.namespace, tag.localname, name, namespace))
        changes = []
        self._collect(body_root, settings, name, changes)
        with self._lock:
            for where, key, value in changes:
                if where == "lab":
                    setattr(self.config, key, value)
                else:
                    self.values[key] = value
        return self.element(path)

    def _collect(self, parent, settings, path, changes):
        by_name = {entry[0].lower(): entry for entry in settings}
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            entry = by_name.get(local.lower())
            if entry is None:
                raise _invalid("%s/%s is not a setting of this resource (settings: %s)." % (
                    path, local, ", ".join(e[0] for e in settings)))
            name, kind, where, key, check = entry
            if isinstance(kind, list):
                self._collect(child, kind, "%s/%s" % (path, name), changes)
                continue
            text = (child.text or "").strip()
            if where == "fixed":
                if text and text != _text(key):
                    raise _invalid("%s/%s is read-only." % (path, name))
                continue
            changes.append((where, key, self._convert(text, kind, check, "%s/%s" % (path, name))))

    @staticmethod
    def _convert(text, kind, check, label):
        if kind == "bool":
            if text.lower() not in ("true", "false"):
                raise _invalid("%s must be true or false, not %r." % (label, text))
            return text.lower() == "true"
        if kind == "int":
            if not text.isdigit():
                raise _invalid("%s must be a non-negative integer, not %r." % (label, text))
            value = int(text)
            if check and not check[0] <= value <= check[1]:
                raise _invalid("%s must be between %d and %d, not %d." % (label, check[0], check[1], value))
            return value
        if check and text not in check:
            matches = [c for c in check if c.lower() == text.lower()]
            if not matches:
                raise LabFault(ERROR_CBT_INVALID, "The WS-Management service cannot process the request because %s %r is "
                               "not valid; use one of %s." % (label, text, ", ".join(check)),
                               subcode=(NS_TRANSFER, "InvalidRepresentation"))
            return matches[0]
        return text

    # ------------------------------------------------------------ listeners

    @staticmethod
    def listener_selectors(listener):
        return [("Address", listener["Address"]), ("Transport", listener["Transport"])]

    def listener_element(self, listener):
        root = etree.Element(q(LISTENER_URI, "Listener"), nsmap={"cfg": LISTENER_URI})
        for name in LISTENER_FIELDS:
            etree.SubElement(root, q(LISTENER_URI, name)).text = _text(listener[name])
        for address in ("127.0.0.1", "::1") if listener["Address"] == "*" else (listener["Address"].split(":", 1)[1],):
            etree.SubElement(root, q(LISTENER_URI, "ListeningOn")).text = address
        return root

    def all_listeners(self):
        with self._lock:
            return [dict(listener) for listener in self.listeners]

    def _key(self, selectors, for_create=False):
        given = {name.lower(): value for name, value in selectors}
        unknown = [name for name, _value in selectors if name.lower() not in ("address", "transport")]
        if unknown:
            raise LabFault(2150858843, "The WS-Management service cannot process the request because the request contained "
                           "invalid selectors for the resource: %s. A listener is named by Address and Transport."
                           % ", ".join(unknown), subcode=(NS_WSMAN, "InvalidSelectors"),
                           fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors")
        if "address" not in given or "transport" not in given:
            raise LabFault(ERROR_INSUFFICIENT_SELECTORS, "The WS-Management service cannot process the request because the "
                           "request contained invalid selectors for the resource: a listener needs both Address and "
                           "Transport selectors (e.g. ?Address=*+Transport=HTTP).", subcode=(NS_WSMAN, "InvalidSelectors"),
                           fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InsufficientSelectors")
        transport = given["transport"].upper()
        address = given["address"]
        if for_create:
            if transport not in ("HTTP", "HTTPS"):
                raise self._bad_value("Transport %r is not valid; use HTTP or HTTPS." % given["transport"])
            if address != "*" and not _MAC.match(address):
                if not address.upper().startswith("IP:"):
                    raise self._bad_value("Address %r is not valid; use *, IP:<address> or MAC:<address>." % address)
                try:
                    ipaddress.ip_address(address[3:])
                except ValueError:
                    raise self._bad_value("Address %r does not hold a valid IP address." % address) from None
                address = "IP:" + address[3:]
        return address, transport

    @staticmethod
    def _bad_value(message):
        return LabFault(ERROR_INVALID_SELECTOR_VALUE, "The WS-Management service cannot process the request because a "
                        "selector value is not valid: %s" % message, subcode=(NS_WSMAN, "InvalidSelectors"),
                        fault_detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue")

    def _find(self, address, transport):
        for listener in self.listeners:
            if listener["Address"].lower() == address.lower() and listener["Transport"] == transport:
                return listener
        return None

    @staticmethod
    def _listener_not_found():
        return LabFault(ERROR_RESOURCE_NOT_FOUND, "The WS-Management service cannot process the request. The service "
                        "cannot find the resource identified by the resource URI and selectors.",
                        subcode=("http://schemas.xmlsoap.org/ws/2004/08/addressing", "DestinationUnreachable"))

    def get_listener(self, selectors):
        with self._lock:
            listener = self._find(*self._key(selectors))
            if listener is None:
                raise self._listener_not_found()
            return self.listener_element(listener)

    def _apply_listener_body(self, listener, body_root, creating):
        if body_root is None:
            return
        tag = etree.QName(body_root)
        if tag.localname != "Listener" or (tag.namespace or "").lower() != LISTENER_URI:
            raise _invalid("the root element is {%s}%s; expected Listener in namespace %s." % (
                tag.namespace, tag.localname, LISTENER_URI))
        for child in body_root:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            text = (child.text or "").strip()
            if local in ("Address", "Transport", "ListeningOn"):
                if creating or local == "ListeningOn":
                    continue
                raise _invalid("Listener/%s is a key or read-only and cannot be changed by Put." % local)
            if local == "Port":
                if not text.isdigit() or not 1 <= int(text) <= 65535:
                    raise _invalid("Listener/Port must be a number from 1 to 65535, not %r." % text)
                listener["Port"] = int(text)
            elif local == "Enabled":
                if text.lower() not in ("true", "false"):
                    raise _invalid("Listener/Enabled must be true or false, not %r." % text)
                listener["Enabled"] = text.lower() == "true"
            elif local in ("Hostname", "URLPrefix", "CertificateThumbprint"):
                listener[local] = text
            else:
                raise _invalid("Listener/%s is not a listener setting (settings: Port, Hostname, Enabled, URLPrefix, "
                               "CertificateThumbprint)." % local)

    def create_listener(self, selectors, body_root):
        """Create a listener; returns its selectors.  An existing Address+Transport is ERROR_WSMAN_ALREADY_EXISTS."""
        with self._lock:
            address, transport = self._key(selectors, for_create=True)
            if self._find(address, transport) is not None:
                raise LabFault(ERROR_ALREADY_EXISTS, "The WS-Management service cannot create the resource because it "
                               "already exists.", subcode=(NS_WSMAN, "AlreadyExists"))
            listener = {"Address": address, "Transport": transport,
                        "Port": self.values["service.ports.%s" % transport.lower()], "Hostname": "", "Enabled": True,
                        "URLPrefix": "wsman", "CertificateThumbprint": ""}
            self._apply_listener_body(listener, body_root, creating=True)
            if transport == "HTTPS" and not listener["CertificateThumbprint"]:
                raise _invalid("an HTTPS listener needs a CertificateThumbprint (and usually a Hostname matching the "
                               "certificate's subject).")
            self.listeners.append(listener)
            return self.listener_selectors(listener)

    def put_listener(self, selectors, body_root):
        with self._lock:
            listener = self._find(*self._key(selectors))
            if listener is None:
                raise self._listener_not_found()
            if body_root is None:
                raise _invalid("the Put body is empty; send <cfg:Listener xmlns:cfg=\"%s\"> with the settings to change." % LISTENER_URI)
            updated = dict(listener)
            self._apply_listener_body(updated, body_root, creating=False)
            listener.update(updated)
            return self.listener_element(listener)

    def delete_listener(self, selectors):
        with self._lock:
            listener = self._find(*self._key(selectors))
            if listener is None:
                raise self._listener_not_found()
            self.listeners.remove(listener)
