"""WSManService.handle: Identify, Get (instances, singletons, fragments), Put of WMI instances, encodings."""

from lxml import etree

from wsman_envelopes import (ADMIN, CIM, CIMV2, GET, PUT, S, W, WSMID, XSI, A, LabConfig, WSManService, body_child, call,
                             envelope, fault_of, prop, q)


def service(**config):
    return WSManService(LabConfig(computer_name="LAB01", **config), services=250, seed=7)


def identify_body():
    return etree.Element(q(WSMID, "Identify"), nsmap={"wsmid": WSMID})


def test_identify_authenticated_shows_the_server_2022_version():
    status, root = call(service(), None, message_id=False, body=identify_body())
    assert status == 200
    response = body_child(root)
    assert response.tag == q(WSMID, "IdentifyResponse")
    assert response.findtext(q(WSMID, "ProtocolVersion")) == W
    assert response.findtext(q(WSMID, "ProductVendor")) == "Microsoft Corporation"
    assert response.findtext(q(WSMID, "ProductVersion")) == "OS: 10.0.20348 SP: 0.0 Stack: 3.0"
    profiles = [e.text for e in response.iter(q(WSMID, "SecurityProfileName"))]
    assert profiles == ["http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos"]
    assert root.find(q(S, "Header")) is not None and len(root.find(q(S, "Header"))) == 0  # Windows: empty header


def test_identify_anonymous_hides_the_version_facts_8():
    svc = service(basic=True)
    status, root = call(svc, None, identity=None, secure=True, message_id=False, body=identify_body())
    assert status == 200
    assert body_child(root).findtext(q(WSMID, "ProductVersion")) == "OS: 0.0.0 SP: 0.0 Stack: 3.0"
    profiles = [e.text.rsplit("/", 2)[-2:] for e in root.iter(q(WSMID, "SecurityProfileName"))]
    assert ["https", "spnego-kerberos"] in profiles and ["https", "basic"] in profiles


def test_anonymous_get_is_refused_with_401():
    status, root = call(service(), GET, identity=None, resource_uri=CIMV2 + "Win32_LocalTime")
    assert status == 401 and root is None
    # challenged before any header check: no fault detail leaks to an unauthenticated client
    status, root = call(service(), GET, identity=None, message_id=False, resource_uri=CIMV2 + "Win32_LocalTime")
    assert status == 401 and root is None
    assert service().handle(b"<not-xml", "application/soap+xml;charset=UTF-8", None, False).status == 401


def test_get_service_instance_shape():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_Service", selectors=[("Name", "WinRM")])
    assert status == 200
    assert root.findtext("%s/%s" % (q(S, "Header"), q(A, "Action"))) == "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse"
    instance = body_child(root)
    assert instance.tag == q(CIMV2 + "Win32_Service", "Win32_Service")
    assert instance.nsmap["p"] == CIMV2 + "Win32_Service"
    assert instance.get(q(XSI, "type")) == "p:Win32_Service_Type"
    names = [etree.QName(child).localname for child in instance]
    assert names == sorted(names, key=str.lower)  # WinRM lists properties alphabetically
    assert prop(instance, "Name") == "WinRM"
    assert prop(instance, "State") == "Running"
    assert prop(instance, "StartMode") == "Auto"
    assert prop(instance, "StartName") == "NT AUTHORITY\\NetworkService"
    assert prop(instance, "SystemName") == "LAB01"
    assert int(prop(instance, "ProcessId")) > 0
    assert prop(instance, "InstallDate") is None  # xsi:nil


def test_relates_to_echoes_the_message_id():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_LocalTime", message_id="uuid:1234-ABCD")
    assert status == 200
    assert root.findtext("%s/%s" % (q(S, "Header"), q(A, "RelatesTo"))) == "uuid:1234-ABCD"


def test_resource_uri_and_selector_names_are_case_insensitive():
    status, root = call(service(), GET, resource_uri=CIMV2.upper().replace("HTTP://", "http://") + "WIN32_SERVICE",
                        selectors=[("name", "winrm")])
    assert status == 200
    assert prop(body_child(root), "Name") == "WinRM"


def test_singleton_get_without_selectors():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_LocalTime")
    assert status == 200
    instance = body_child(root)
    assert 1 <= int(prop(instance, "Month")) <= 12
    assert prop(instance, "Milliseconds") is None


def test_operating_system_is_keyed_by_name_as_in_wmi():
    svc = service()
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_OperatingSystem")
    assert status == 500 and fault_of(root)["wsman_code"] == 2150859002
    name = "Microsoft Windows Server 2022 Datacenter|C:\\Windows|\\Device\\Harddisk0\\Partition2"
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_OperatingSystem", selectors=[("Name", name)])
    assert status == 200
    instance = body_child(root)
    assert prop(instance, "BuildNumber") == "20348"
    assert prop(instance, "Version") == "10.0.20348"
    boot = [c for c in instance if etree.QName(c).localname == "LastBootUpTime"][0]
    assert boot[0].tag == q(CIM, "Datetime") and boot[0].text.endswith("Z")
    languages = [c.text for c in instance if etree.QName(c).localname == "MUILanguages"]
    assert languages == ["en-US"]


def test_computer_system_array_property_is_repeated():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_ComputerSystem", selectors=[("Name", "LAB01")])
    assert status == 200
    roles = [c.text for c in body_child(root) if etree.QName(c).localname == "Roles"]
    assert roles == ["LM_Workstation", "LM_Server", "NT", "Server_NT"]


def test_quick_fix_engineering_needs_both_keys():
    svc = service()
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_QuickFixEngineering", selectors=[("HotFixID", "KB5012170")])
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858842
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_QuickFixEngineering",
                        selectors=[("HotFixID", "KB5012170"), ("ServicePackInEffect", "")])
    assert status == 200 and prop(body_child(root), "Description") == "Security Update"


def test_logical_disk_cdrom_has_nil_size():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_LogicalDisk", selectors=[("DeviceID", "D:")])
    assert status == 200
    assert prop(body_child(root), "Size") is None
    assert prop(body_child(root), "DriveType") == "5"


def test_fragment_get_element_and_text():
    svc = service()
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_Service", selectors=[("Name", "Spooler")], fragment="State")
    assert status == 200
    fragment = body_child(root)
    assert fragment.tag == q(W, "XmlFragment")
    assert [(etree.QName(c).localname, c.text) for c in fragment] == [("State", "Running")]
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_Service", selectors=[("Name", "Spooler")],
                        fragment="Status/text()")
    assert body_child(root).text == "OK" and len(body_child(root)) == 0
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_ComputerSystem", selectors=[("Name", "LAB01")],
                        fragment="Roles[2]/text()")
    assert body_child(root).text == "LM_Server"


def test_fragment_path_is_case_sensitive():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_Service", selectors=[("Name", "Spooler")],
                        fragment="state")
    assert status == 500
    assert fault_of(root)["wsman_code"] == 0x80338093


def test_utf16_request_gets_a_utf16_answer():
    svc = service()
    data, content_type = envelope(GET, resource_uri=CIMV2 + "Win32_Service", selectors=[("Name", "W32Time")],
                                  encoding="utf-16")
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    response = svc.handle(data, content_type, ADMIN, False)
    assert response.status == 200
    assert response.content_type == "application/soap+xml;charset=UTF-16"
    assert response.body[:2] in (b"\xff\xfe", b"\xfe\xff")
    root = etree.fromstring(response.body)
    assert prop(body_child(root), "DisplayName") == "Windows Time"


def _os_instance(svc):
    name = "Microsoft Windows Server 2022 Datacenter|C:\\Windows|\\Device\\Harddisk0\\Partition2"
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_OperatingSystem", selectors=[("Name", name)])
    assert status == 200
    return name, body_child(root)


def test_put_wmi_instance_changes_writable_property_and_sticks():
    svc = service()
    name, instance = _os_instance(svc)
    [c for c in instance if etree.QName(c).localname == "Description"][0].text = "lab server"
    status, root = call(svc, PUT, resource_uri=CIMV2 + "Win32_OperatingSystem", selectors=[("Name", name)], body=instance)
    assert status == 200, etree.tostring(root)
    assert prop(body_child(root), "Description") == "lab server"
    assert prop(_os_instance(svc)[1], "Description") == "lab server"


def test_put_wmi_instance_missing_properties_is_invalid_representation():
    svc = service()
    name, instance = _os_instance(svc)
    instance.remove([c for c in instance if etree.QName(c).localname == "Version"][0])
    status, root = call(svc, PUT, resource_uri=CIMV2 + "Win32_OperatingSystem", selectors=[("Name", name)], body=instance)
    fault = fault_of(root)
    assert status == 500
    assert (fault["wsman_code"], fault["subcode"]) == (2150858773, "x:InvalidRepresentation")
    assert "Version" in fault["message"]


def test_put_fragment_of_writable_property():
    svc = service()
    name, _instance = _os_instance(svc)
    fragment = etree.Element(q(W, "XmlFragment"))
    etree.SubElement(fragment, q(CIMV2 + "Win32_OperatingSystem", "Description")).text = "via fragment"
    status, root = call(svc, PUT, resource_uri=CIMV2 + "Win32_OperatingSystem", selectors=[("Name", name)],
                        fragment="Description", body=fragment)
    assert status == 200, etree.tostring(root)
    assert [c.text for c in body_child(root)] == ["via fragment"]


def test_put_of_a_class_without_writable_properties_is_refused_by_the_provider():
    svc = service()
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_Service", selectors=[("Name", "Spooler")])
    instance = body_child(root)
    status, root = call(svc, PUT, resource_uri=CIMV2 + "Win32_Service", selectors=[("Name", "Spooler")], body=instance)
    fault = fault_of(root)
    assert (status, fault["code"], fault["wsman_code"]) == (500, "s:Receiver", 0x80041024)
    assert fault["provider"] is not None
