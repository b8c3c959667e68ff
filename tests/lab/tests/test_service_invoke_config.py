"""WSManService.handle: WMI methods (Invoke) and WinRM's configuration resources (facts §5.1, §6.4, §10)."""

import pytest
from lxml import etree

from wsman_envelopes import (CIMV2, CONFIG, CREATE, DELETE, ENUMERATE, GET, PUT, A, LabConfig, W, WSManService, X, body_child,
                             call, enumerate_all, enumerate_body, fault_of, prop, q)

SERVICE_URI = CIMV2 + "Win32_Service"
PROCESS_URI = CIMV2 + "Win32_Process"
LISTENER = CONFIG + "/listener"


def service(**config):
    return WSManService(LabConfig(computer_name="LAB01", **config), services=80, seed=5)


def invoke(svc, uri, method, selectors=(), **params):
    body = etree.Element(q(uri, method + "_INPUT"), nsmap={"p": uri})
    for name, value in params.items():
        etree.SubElement(body, q(uri, name)).text = value
    status, root = call(svc, uri + "/" + method, resource_uri=uri, selectors=list(selectors), body=body)
    return status, root


def return_value(root):
    return int(body_child(root).findtext("{*}ReturnValue"))


def state(svc, name):
    status, root = call(svc, GET, resource_uri=SERVICE_URI, selectors=[("Name", name)])
    assert status == 200
    return prop(body_child(root), "State"), prop(body_child(root), "StartMode"), prop(body_child(root), "ProcessId")


def test_start_and_stop_service_stick_and_return_wmi_codes():
    svc = service()
    assert state(svc, "W32Time")[0] == "Stopped"
    status, root = invoke(svc, SERVICE_URI, "StartService", [("Name", "W32Time")])
    assert status == 200
    assert root.findtext("{*}Header/{%s}Action" % A) == SERVICE_URI + "/StartServiceResponse"
    assert body_child(root).tag == q(SERVICE_URI, "StartService_OUTPUT")
    assert return_value(root) == 0
    running, _mode, pid = state(svc, "W32Time")
    assert running == "Running" and int(pid) > 0
    assert return_value(invoke(svc, SERVICE_URI, "StartService", [("Name", "W32Time")])[1]) == 10  # already running
    assert return_value(invoke(svc, SERVICE_URI, "StopService", [("Name", "W32Time")])[1]) == 0
    assert state(svc, "W32Time")[0] == "Stopped"
    assert return_value(invoke(svc, SERVICE_URI, "StopService", [("Name", "W32Time")])[1]) == 5  # not running


def test_stop_with_running_dependents_and_unstoppable_services():
    svc = service()
    assert return_value(invoke(svc, SERVICE_URI, "StopService", [("Name", "BFE")])[1]) == 3  # MpsSvc depends on it
    assert return_value(invoke(svc, SERVICE_URI, "StopService", [("Name", "RpcSs")])[1]) == 5  # AcceptStop false


def test_change_start_mode_and_disabled_service():
    svc = service()
    assert return_value(invoke(svc, SERVICE_URI, "ChangeStartMode", [("Name", "Spooler")], StartMode="Disabled")[1]) == 0
    assert state(svc, "Spooler")[1] == "Disabled"
    assert return_value(invoke(svc, SERVICE_URI, "StopService", [("Name", "Spooler")])[1]) == 0
    assert return_value(invoke(svc, SERVICE_URI, "StartService", [("Name", "Spooler")])[1]) == 14
    assert return_value(invoke(svc, SERVICE_URI, "ChangeStartMode", [("Name", "Spooler")], StartMode="Sometimes")[1]) == 21


def test_invoke_needs_the_method_input_root():
    svc = service()
    body = etree.Element(q(SERVICE_URI, "stopservice_INPUT"), nsmap={"p": SERVICE_URI})
    status, root = call(svc, SERVICE_URI + "/StopService", resource_uri=SERVICE_URI, selectors=[("Name", "Spooler")],
                        body=body)
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858817
    status, root = call(svc, SERVICE_URI + "/StopService", resource_uri=SERVICE_URI, selectors=[("Name", "Spooler")])
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858817


def test_unknown_method_and_instance_method_without_keys():
    svc = service()
    status, root = invoke(svc, SERVICE_URI, "Explode", [("Name", "Spooler")])
    assert fault_of(root)["subcode"] == "a:ActionNotSupported"
    status, root = invoke(svc, SERVICE_URI, "StopService")
    assert fault_of(root)["wsman_code"] == 2150859002


def test_process_create_appears_in_enumeration_and_can_be_terminated():
    svc = service()
    status, root = invoke(svc, PROCESS_URI, "Create", CommandLine="notepad.exe C:\\temp\\a.txt")
    assert status == 200 and return_value(root) == 0
    pid = body_child(root).findtext(q(PROCESS_URI, "ProcessId"))
    items, _trips = enumerate_all(svc, PROCESS_URI, batch=100)
    created = [item for item in items if prop(item, "ProcessId") == pid]
    assert [prop(item, "Name") for item in created] == ["notepad.exe"]
    assert prop(created[0], "CommandLine") == "notepad.exe C:\\temp\\a.txt"
    assert return_value(invoke(svc, PROCESS_URI, "Create")[1]) == 21  # no CommandLine
    assert return_value(invoke(svc, PROCESS_URI, "Terminate", [("Handle", pid)])[1]) == 0
    status, root = call(svc, GET, resource_uri=PROCESS_URI, selectors=[("Handle", pid)])
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858752


def test_config_get_has_windows_defaults_and_namespaces():
    svc = service()
    status, root = call(svc, GET, resource_uri=CONFIG)
    config = body_child(root)
    assert config.tag == "{%s}Config" % CONFIG
    assert config.findtext("{%s}MaxEnvelopeSizekb" % CONFIG) == "500"
    assert config.findtext("{%s}MaxTimeoutms" % CONFIG) == "60000"
    assert config.findtext("{%s}MaxBatchItems" % CONFIG) == "32000"
    assert config.findtext("{%s}Service/{%s}EnumerationTimeoutms" % (CONFIG, CONFIG)) == "60000"
    assert config.findtext("{%s}Service/{%s}Auth/{%s}Basic" % (CONFIG, CONFIG, CONFIG)) == "false"
    assert config.findtext("{%s}Client/{%s}Auth/{%s}Basic" % (CONFIG, CONFIG, CONFIG)) == "true"
    assert config.findtext("{%s}Client/{%s}NetworkDelayms" % (CONFIG, CONFIG)) == "5000"
    status, root = call(svc, GET, resource_uri=CONFIG + "/service/auth")
    auth = body_child(root)
    assert auth.tag == "{%s/service/auth}Auth" % CONFIG
    assert auth.findtext("{%s/service/auth}CbtHardeningLevel" % CONFIG) == "Relaxed"


def test_put_service_settings_changes_the_shared_lab_config():
    config = LabConfig()
    svc = WSManService(config, services=60)
    ns = CONFIG + "/service"
    body = etree.Element(q(ns, "Service"), nsmap={"cfg": ns})
    etree.SubElement(body, q(ns, "AllowUnencrypted")).text = "true"
    auth = etree.SubElement(body, q(ns, "Auth"))
    etree.SubElement(auth, q(ns, "Basic")).text = "true"
    etree.SubElement(body, q(ns, "EnumerationTimeoutms")).text = "1000"
    status, root = call(svc, PUT, resource_uri=ns, body=body)
    assert status == 200, etree.tostring(root)
    assert (config.allow_unencrypted, config.basic, config.enumeration_timeout_ms) == (True, True, 1000)
    assert body_child(root).findtext("{%s}Auth/{%s}Basic" % (ns, ns)) == "true"
    assert body_child(root).findtext("{%s}MaxConnections" % ns) == "300"  # untouched


@pytest.mark.parametrize("element, value, fragment", [
    ("AllowUnencrypted", "yes", "true or false"),
    ("MaxConnections", "-1", "non-negative integer"),
    ("Nonsense", "1", "not a setting"),
])
def test_bad_put_body_is_invalid_representation(element, value, fragment):
    ns = CONFIG + "/service"
    body = etree.Element(q(ns, "Service"), nsmap={"cfg": ns})
    etree.SubElement(body, q(ns, element)).text = value
    status, root = call(service(), PUT, resource_uri=ns, body=body)
    fault = fault_of(root)
    assert (status, fault["subcode"], fault["wsman_code"]) == (500, "x:InvalidRepresentation", 2150858773)
    assert fragment in fault["message"]


def test_put_max_envelope_size_is_range_checked():
    body = etree.Element(q(CONFIG, "Config"), nsmap={"cfg": CONFIG})
    etree.SubElement(body, q(CONFIG, "MaxEnvelopeSizekb")).text = "16"
    status, root = call(service(), PUT, resource_uri=CONFIG, body=body)
    assert "between 32 and 1039440" in fault_of(root)["message"]


def test_listener_get_create_delete():
    svc = service()
    status, root = call(svc, GET, resource_uri=LISTENER, selectors=[("Address", "*"), ("Transport", "HTTP")])
    assert status == 200 and body_child(root).findtext("{%s}Port" % LISTENER) == "5985"
    status, root = call(svc, GET, resource_uri=LISTENER, selectors=[("Address", "*")])
    assert fault_of(root)["wsman_code"] == 2150858842
    body = etree.Element(q(LISTENER, "Listener"), nsmap={"cfg": LISTENER})
    etree.SubElement(body, q(LISTENER, "Port")).text = "8985"
    selectors = [("Address", "IP:127.0.0.1"), ("Transport", "HTTP")]
    status, root = call(svc, CREATE, resource_uri=LISTENER, selectors=selectors, body=body)
    assert status == 200, etree.tostring(root)
    created = body_child(root)
    assert created.tag == q(X, "ResourceCreated")
    assert [(s.get("Name"), s.text) for s in created.iter(q(W, "Selector"))] == selectors
    status, root = call(svc, CREATE, resource_uri=LISTENER, selectors=selectors, body=body)
    fault = fault_of(root)
    assert (fault["subcode"], fault["wsman_code"]) == ("w:AlreadyExists", 2150858803)
    items, _trips = enumerate_all(svc, LISTENER)
    assert len(items) == 3
    status, root = call(svc, DELETE, resource_uri=LISTENER, selectors=selectors)
    assert status == 200
    status, root = call(svc, DELETE, resource_uri=LISTENER, selectors=selectors)
    assert fault_of(root)["wsman_code"] == 2150858752


def test_listener_create_validates_selector_values():
    status, root = call(service(), CREATE, resource_uri=LISTENER, selectors=[("Address", "IP:not-an-ip"), ("Transport", "HTTP")])
    assert fault_of(root)["wsman_code"] == 2150858845


def test_wmi_create_is_not_supported():
    status, root = call(service(), CREATE, resource_uri=SERVICE_URI,
                        body=etree.Element(q(SERVICE_URI, "Win32_Service")))
    assert fault_of(root)["wsman_code"] == 2150858771


def test_enumerating_a_config_section_is_not_supported():
    status, root = call(service(), ENUMERATE, resource_uri=CONFIG + "/service", body=enumerate_body())
    assert fault_of(root)["wsman_code"] == 2150858771


def test_state_changes_show_in_later_enumerations_despite_the_cache():
    svc = service()

    def states():
        items, _trips = enumerate_all(svc, SERVICE_URI, batch=500)
        return {prop(item, "Name"): prop(item, "State") for item in items}
    assert states()["W32Time"] == "Stopped"  # fills the cache of serialized instances
    assert return_value(invoke(svc, SERVICE_URI, "StartService", [("Name", "W32Time")])[1]) == 0
    assert states()["W32Time"] == "Running"
    assert return_value(invoke(svc, SERVICE_URI, "StopService", [("Name", "W32Time")])[1]) == 0
    assert states()["W32Time"] == "Stopped"


def test_listener_put_changes_settings_but_not_keys():
    svc = service()
    selectors = [("Address", "*"), ("Transport", "HTTPS")]
    body = etree.Element(q(LISTENER, "Listener"), nsmap={"cfg": LISTENER})
    etree.SubElement(body, q(LISTENER, "Hostname")).text = "lab01.example.com"
    etree.SubElement(body, q(LISTENER, "Enabled")).text = "false"
    status, root = call(svc, PUT, resource_uri=LISTENER, selectors=selectors, body=body)
    assert status == 200, etree.tostring(root)
    assert body_child(root).findtext("{%s}Hostname" % LISTENER) == "lab01.example.com"
    assert body_child(root).findtext("{%s}Enabled" % LISTENER) == "false"
    etree.SubElement(body, q(LISTENER, "Transport")).text = "HTTP"
    status, root = call(svc, PUT, resource_uri=LISTENER, selectors=selectors, body=body)
    assert status == 500 and "cannot be changed" in fault_of(root)["message"]
