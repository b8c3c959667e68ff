"""pypsrp (an independent WS-Management client) against the running lab: Get, Enumerate + Pull, WQL, Invoke, faults.

Each scenario runs over NTLM/Negotiate with message encryption on HTTP, over HTTPS, and with Basic
over HTTPS once Basic is enabled — pypsrp is used unchanged, so the lab must answer as WinRM does.
"""

import xml.etree.ElementTree as ET

import pytest
from pypsrp.exceptions import WSManFaultError
from pypsrp.wsman import SelectorSet, WSMan

CIMV2 = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/"
SERVICE_URI = CIMV2 + "Win32_Service"
CONFIG = "http://schemas.microsoft.com/wbem/wsman/1/config"
N = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
W = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
WQL = "http://schemas.microsoft.com/wbem/wsman/1/WQL"

TRANSPORTS = {
    "negotiate-http-encrypted": {"ssl": False, "auth": "ntlm", "lab": {}},
    "negotiate-https": {"ssl": True, "auth": "negotiate", "lab": {}},
    "basic-https": {"ssl": True, "auth": "basic", "lab": {"basic": True}},
}


@pytest.fixture(params=sorted(TRANSPORTS))
def client(request, lab):
    transport = TRANSPORTS[request.param]
    endpoint = lab(services=130, **transport["lab"])
    options = {"port": endpoint.https_port if transport["ssl"] else endpoint.http_port, "username": endpoint.username,
               "password": endpoint.password, "ssl": transport["ssl"], "auth": transport["auth"],
               "cert_validation": endpoint.ca_file if transport["ssl"] else False, "operation_timeout": 20}
    with WSMan("127.0.0.1", **options) as wsman:
        wsman.endpoint = endpoint
        yield wsman
    if not transport["ssl"]:
        assert endpoint.stats()["encrypted_requests"] >= 1


def _selectors(**pairs):
    selector_set = SelectorSet()
    for name, value in pairs.items():
        selector_set.add_option(name, value)
    return selector_set


def _prop(instance, name):
    element = instance.find("{%s}%s" % (instance.tag[1:].split("}")[0], name))
    return None if element is None else element.text


def _enumerate(client, resource_uri, batch, wql=None):
    body = ET.Element("{%s}Enumerate" % N)
    ET.SubElement(body, "{%s}OptimizeEnumeration" % W)
    ET.SubElement(body, "{%s}MaxElements" % W).text = str(batch)
    if wql is not None:
        ET.SubElement(body, "{%s}Filter" % W, Dialect=WQL).text = wql
    response = client.enumerate(resource_uri, resource=body).find("{%s}EnumerateResponse" % N)
    items = list(response.find("{%s}Items" % W))
    done = response.find("{%s}EndOfSequence" % W) is not None
    context = response.findtext("{%s}EnumerationContext" % N)
    pulls = 0
    while not done:
        pull = ET.Element("{%s}Pull" % N)
        ET.SubElement(pull, "{%s}EnumerationContext" % N).text = context
        ET.SubElement(pull, "{%s}MaxElements" % N).text = str(batch)
        response = client.pull(resource_uri, resource=pull).find("{%s}PullResponse" % N)
        items.extend(response.find("{%s}Items" % N))
        done = response.find("{%s}EndOfSequence" % N) is not None
        context = response.findtext("{%s}EnumerationContext" % N) or context
        pulls += 1
    return items, pulls


def test_get_winrm_service(client):
    body = client.get(SERVICE_URI, selector_set=_selectors(Name="WinRM"))
    instance = body.find("{%s}Win32_Service" % SERVICE_URI)
    assert _prop(instance, "Name") == "WinRM"
    assert _prop(instance, "State") == "Running"
    assert _prop(instance, "DisplayName") == "Windows Remote Management (WS-Management)"
    assert _prop(instance, "SystemName") == client.endpoint.computer_name


def test_enumerate_all_services_with_several_pulls(client):
    items, pulls = _enumerate(client, SERVICE_URI, batch=25)
    names = [_prop(item, "Name") for item in items]
    assert len(names) == 130 and pulls == 5
    assert {"WinRM", "Spooler", "W32Time", "Dnscache", "EventLog", "wuauserv", "BITS"} <= set(names)
    assert client.endpoint.stats()["enumeration_contexts_open"] == 0


def test_wql_query(client):
    items, _pulls = _enumerate(client, CIMV2 + "*", batch=100,
                               wql="SELECT Name, StartMode FROM Win32_Service WHERE State = 'Stopped' AND Name LIKE 'W%'")
    found = {(_prop(item, "Name"), _prop(item, "StartMode")) for item in items}
    assert ("W32Time", "Manual") in found and ("wuauserv", "Manual") in found
    assert all(len(list(item)) == 2 for item in items)


def test_invoke_start_service_sticks(client):
    body = ET.Element("{%s}StartService_INPUT" % SERVICE_URI)
    result = client.invoke(SERVICE_URI + "/StartService", SERVICE_URI, body, selector_set=_selectors(Name="W32Time"))
    output = result.find("{http://www.w3.org/2003/05/soap-envelope}Body/{%s}StartService_OUTPUT" % SERVICE_URI)
    assert output.findtext("{%s}ReturnValue" % SERVICE_URI) == "0"
    instance = client.get(SERVICE_URI, selector_set=_selectors(Name="w32time")).find("{%s}Win32_Service" % SERVICE_URI)
    assert _prop(instance, "State") == "Running"


def test_fault_for_a_missing_service(client):
    with pytest.raises(WSManFaultError) as info:
        client.get(SERVICE_URI, selector_set=_selectors(Name="NoSuchService"))
    assert info.value.code == 2150858752
    assert info.value.machine == client.endpoint.computer_name
    assert "cannot find the resource" in info.value.reason
    assert info.value.provider_path == "%systemroot%\\system32\\WsmWmiPl.dll"


def test_fault_for_get_without_keys(client):
    with pytest.raises(WSManFaultError) as info:
        client.get(SERVICE_URI)
    assert info.value.code == 2150859002


def test_server_config_reports_the_live_settings(client):
    client.update_max_payload_size()
    assert client.max_envelope_size == 500 * 1024
    config = client.get_server_config("config/service")
    service = config.find("{%s/service}Service" % CONFIG)
    assert service.findtext("{%s/service}Auth/{%s/service}Basic" % (CONFIG, CONFIG)) == (
        "true" if client.endpoint.config()["basic"] else "false")


def test_put_enables_basic_for_the_http_layer(lab):
    endpoint = lab()
    with WSMan("127.0.0.1", port=endpoint.https_port, username=endpoint.username, password=endpoint.password, ssl=True,
               auth="negotiate", cert_validation=endpoint.ca_file) as wsman:
        auth = ET.Element("{%s/service/auth}Auth" % CONFIG)
        ET.SubElement(auth, "{%s/service/auth}Basic" % CONFIG).text = "true"
        wsman.put(CONFIG + "/service/auth", resource=auth)
    assert endpoint.config()["basic"] is True
    with WSMan("127.0.0.1", port=endpoint.https_port, username=endpoint.username, password=endpoint.password, ssl=True,
               auth="basic", cert_validation=endpoint.ca_file) as wsman:
        instance = wsman.get(SERVICE_URI, selector_set=_selectors(Name="Spooler")).find("{%s}Win32_Service" % SERVICE_URI)
        assert _prop(instance, "Name") == "Spooler"


def test_operation_timeout_over_the_wire(lab):
    endpoint = lab(slow_ms=3000)
    with WSMan("127.0.0.1", port=endpoint.https_port, username=endpoint.username, password=endpoint.password, ssl=True,
               auth="negotiate", cert_validation=endpoint.ca_file, operation_timeout=1) as wsman:
        body = ET.Element("{%s}StopService_INPUT" % SERVICE_URI)
        with pytest.raises(WSManFaultError) as info:
            wsman.invoke(SERVICE_URI + "/StopService", SERVICE_URI, body, selector_set=_selectors(Name="Spooler"))
    assert info.value.code == 2150858793


def test_non_admin_account_is_denied(lab):
    endpoint = lab(users={"labadmin": "Secret1!", "viewer": "Viewer1!"}, non_admin=["viewer"])
    with WSMan("127.0.0.1", port=endpoint.https_port, username="viewer", password="Viewer1!", ssl=True,
               auth="negotiate", cert_validation=endpoint.ca_file) as wsman:
        with pytest.raises(WSManFaultError) as info:
            wsman.get(SERVICE_URI, selector_set=_selectors(Name="WinRM"))
    assert info.value.code == 5
