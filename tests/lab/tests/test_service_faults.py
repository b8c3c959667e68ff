"""WSManService.handle: faults shaped as Windows shapes them (facts §9)."""

import pytest
from lxml import etree

from wsman_envelopes import (ADMIN, CIMV2, F, GET, S, W, A, Identity, LabConfig, WSManService, body_child, call, envelope,
                             fault_of, q)

SERVICE_URI = CIMV2 + "Win32_Service"


def service(**config):
    return WSManService(LabConfig(computer_name="LAB01", **config), services=100, seed=3, sleep=lambda s: None)


def test_fault_envelope_shape_invalid_selectors():
    status, root = call(service(), GET, resource_uri=SERVICE_URI, selectors=[("Nom", "WinRM")])
    assert status == 500
    assert root.findtext("%s/%s" % (q(S, "Header"), q(A, "Action"))) == "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
    assert root.find("%s/%s" % (q(S, "Header"), q(A, "RelatesTo"))) is not None
    fault = fault_of(root)
    assert fault["code"] == "s:Sender"
    assert fault["subcode"] == "w:InvalidSelectors"
    assert fault["wsman_code"] == 2150858843
    assert fault["machine"] == "LAB01"
    assert "Nom" in fault["message"] and fault["reason"].strip() == fault["message"].strip()
    reason_text = root.find(".//%s/%s" % (q(S, "Reason"), q(S, "Text")))
    assert reason_text.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
    wsman_fault = root.find(".//%s" % q(F, "WSManFault"))
    assert wsman_fault.nsmap.get("f") == F
    assert root.findtext(".//%s" % q(W, "FaultDetail")).endswith("/UnexpectedSelectors")


def test_not_found_instance_is_a_wmi_provider_fault():
    status, root = call(service(), GET, resource_uri=SERVICE_URI, selectors=[("Name", "NoSuchService")])
    fault = fault_of(root)
    assert status == 500
    assert (fault["code"], fault["subcode"], fault["wsman_code"]) == ("s:Sender", "a:DestinationUnreachable", 2150858752)
    provider = fault["provider"]
    assert provider.get("path") == "%systemroot%\\system32\\WsmWmiPl.dll"
    inner = provider.find(q(F, "WSManFault"))
    assert int(inner.get("Code")) == 2150858752
    error = provider.find("%s/*" % q(F, "ExtendedError"))
    assert etree.QName(error).localname == "MSFT_WmiError"
    assert int(error.findtext("{%s}error_Code" % (CIMV2 + "MSFT_WmiError"))) == 0x80041002


@pytest.mark.parametrize("uri, code, provider", [
    (CIMV2 + "Win32_NoSuchClass", 2150858752, True),
    ("http://schemas.microsoft.com/wbem/wsman/1/wmi/root/nosuchnamespace/Win32_Foo", 2150858752, True),
    ("http://example.invalid/resource", 2150858811, False),  # not in the catalog (as in jborean93/pypsrp#192)
    ("winrm/config/listener", 2150858811, False),  # aliases are a client-side convenience
])
def test_unknown_resource_uri(uri, code, provider):
    status, root = call(service(), GET, resource_uri=uri)
    fault = fault_of(root)
    assert (status, fault["subcode"], fault["wsman_code"]) == (500, "a:DestinationUnreachable", code)
    assert fault["action"] == "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
    assert (fault["provider"] is not None) == provider


def test_get_without_keys_on_non_singleton():
    status, root = call(service(), GET, resource_uri=SERVICE_URI)
    assert fault_of(root)["wsman_code"] == 2150859002


def test_selectors_on_a_singleton_are_unexpected():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_LocalTime", selectors=[("Day", "1")])
    assert fault_of(root)["wsman_code"] == 2150858843


def test_action_not_supported():
    status, root = call(service(), "http://schemas.xmlsoap.org/ws/2004/09/transfer/Frobnicate", resource_uri=SERVICE_URI)
    fault = fault_of(root)
    assert (status, fault["subcode"], fault["wsman_code"]) == (500, "a:ActionNotSupported", 2150858771)
    assert fault["action"] == "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"


def test_missing_action_and_message_id():
    status, root = call(service(), None, resource_uri=SERVICE_URI)
    assert fault_of(root)["subcode"] == "a:MessageInformationHeaderRequired"
    status, root = call(service(), GET, resource_uri=SERVICE_URI, message_id=False)
    assert fault_of(root)["wsman_code"] == 2150858769


def test_must_understand_header_not_understood():
    extra = etree.Element("{urn:example:custom}Thing", {q(S, "mustUnderstand"): "true"})
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_LocalTime", headers=[extra])
    fault = fault_of(root)
    assert (fault["code"], fault["wsman_code"]) == ("s:MustUnderstand", 2150858768)


def test_must_comply_option_not_supported():
    svc = service()
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_LocalTime", options=[("Frob", "1", False)])
    assert status == 200  # an option without MustComply is ignored
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_LocalTime", options=[("Frob", "1", True)])
    fault = fault_of(root)
    assert (fault["subcode"], fault["wsman_code"]) == ("w:InvalidOptions", 2150858833)
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_LocalTime", options=[("Frob", "1", False)],
                        options_must_understand=True)
    assert fault_of(root)["wsman_code"] == 2150858833


def test_access_denied_for_a_non_administrator():
    svc = service(non_admin_users=frozenset(["viewer"]))
    status, root = call(svc, GET, identity=Identity("Viewer", "ntlm"), resource_uri=CIMV2 + "Win32_LocalTime")
    fault = fault_of(root)
    assert (status, fault["subcode"], fault["wsman_code"]) == (500, "w:AccessDenied", 5)
    status, root = call(svc, GET, identity=ADMIN, resource_uri=CIMV2 + "Win32_LocalTime")
    assert status == 200


def test_operation_timeout_when_the_operation_is_slower():
    slept = []
    svc = WSManService(LabConfig(slow_ms=5000), services=60, sleep=slept.append)
    uri = SERVICE_URI + "/StartService"
    body = etree.Element(q(SERVICE_URI, "StartService_INPUT"), nsmap={"p": SERVICE_URI})
    status, root = call(svc, uri, resource_uri=SERVICE_URI, selectors=[("Name", "W32Time")], body=body, timeout="PT1.500S")
    fault = fault_of(root)
    assert (status, fault["code"], fault["subcode"], fault["wsman_code"]) == (500, "s:Receiver", "w:TimedOut", 2150858793)
    assert slept == [1.5]
    status, root = call(svc, uri, resource_uri=SERVICE_URI, selectors=[("Name", "W32Time")], body=body, timeout="PT60S")
    assert status == 200 and slept[-1] == 5.0


def test_bad_operation_timeout_value():
    status, root = call(service(), GET, resource_uri=CIMV2 + "Win32_LocalTime", timeout="sixty seconds")
    assert fault_of(root)["subcode"] == "a:InvalidMessageInformationHeader"


def test_response_larger_than_max_envelope_size_is_encoding_limit():
    svc = service()
    uri = CIMV2 + "Win32_Process"
    body = etree.Element(q(uri, "Create_INPUT"), nsmap={"p": uri})
    etree.SubElement(body, q(uri, "CommandLine")).text = "cmd.exe /c echo " + "x" * 9000
    status, root = call(svc, uri + "/Create", resource_uri=uri, body=body)
    pid = body_child(root).findtext(q(uri, "ProcessId"))
    status, root = call(svc, GET, resource_uri=uri, selectors=[("Handle", pid)], max_envelope=8192)
    fault = fault_of(root)
    assert (status, fault["subcode"], fault["wsman_code"]) == (500, "w:EncodingLimit", 2150858805)
    status, root = call(svc, GET, resource_uri=uri, selectors=[("Handle", pid)])
    assert status == 200


def test_max_envelope_size_above_the_service_limit():
    svc = service(max_envelope_size_kb=150)
    status, root = call(svc, GET, resource_uri=CIMV2 + "Win32_LocalTime", max_envelope=512000)
    assert fault_of(root)["wsman_code"] == 2150858805


def test_malformed_xml_and_dtd_are_refused():
    svc = service()
    response = svc.handle(b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>", "application/soap+xml",
                          ADMIN, False)
    assert response.status == 400
    assert fault_of(etree.fromstring(response.body))["wsman_code"] == 2150858791
    evil = (b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
            b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>&e;</s:Body></s:Envelope>")
    response = svc.handle(evil, "application/soap+xml", ADMIN, False)
    assert response.status == 400 and b"root:" not in response.body


def test_oversized_request_is_refused():
    svc = service(max_envelope_size_kb=32)
    data, content_type = envelope(GET, resource_uri=CIMV2 + "Win32_LocalTime",
                                  headers=[etree.Element("{urn:x}Pad")] * 1)
    response = svc.handle(data + b" " * 40000, content_type, ADMIN, False)
    assert response.status == 413


def test_soap_11_is_a_version_mismatch():
    body = (b"<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body/></e:Envelope>")
    response = service().handle(body, "text/xml", ADMIN, False)
    assert fault_of(etree.fromstring(response.body))["code"] == "s:VersionMismatch"


def test_unsupported_charset():
    data, _content_type = envelope(GET, resource_uri=CIMV2 + "Win32_LocalTime")
    response = service().handle(data, "application/soap+xml;charset=ISO-8859-1", ADMIN, False)
    assert fault_of(etree.fromstring(response.body))["wsman_code"] == 2150858796


def test_unexpected_error_still_answers_a_fault(monkeypatch):
    svc = service()

    def broken(*_args):
        raise RuntimeError("boom")
    monkeypatch.setattr(svc, "_get", broken)
    response = svc.handle(*envelope(GET, resource_uri=CIMV2 + "Win32_LocalTime"), ADMIN, False)
    assert response.status == 500
    fault = fault_of(etree.fromstring(response.body))
    assert fault["code"] == "s:Receiver" and "boom" in fault["message"]
