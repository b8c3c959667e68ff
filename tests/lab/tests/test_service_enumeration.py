"""WSManService.handle: Enumerate / Pull / Release, optimized enumeration, modes, filters, context expiry (facts §7)."""

import threading

from lxml import etree

from wsman_envelopes import (A, ASSOCIATION, B, CIMV2, CONFIG, ENUMERATE, PULL, RELEASE, SELECTOR, WQL, Counters, Identity,
                             LabConfig, N, W, WSManService, body_child, call, enumerate_all, enumerate_body, fault_of, prop,
                             pull_body, q, release_body)

SERVICE_URI = CIMV2 + "Win32_Service"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def service(services=250, clock=None, stats=None, **config):
    kwargs = {"clock": clock} if clock is not None else {}
    return WSManService(LabConfig(computer_name="LAB01", **config), stats=stats, services=services, seed=7, **kwargs)


def test_enumerate_all_services_in_several_pulls():
    svc = service(services=250)
    items, trips = enumerate_all(svc, SERVICE_URI, batch=40)
    names = [prop(item, "Name") for item in items]
    assert len(names) == 250 and len(set(n.lower() for n in names)) == 250
    assert trips == 7  # 40 in the Enumerate, then 6 Pulls (40 * 6 = 240 → 210 remaining covered)
    for required in ("WinRM", "Spooler", "W32Time", "Dnscache", "EventLog", "wuauserv", "BITS"):
        assert required in names
    assert "LabSvc000249" in names


def test_service_data_is_deterministic_for_a_seed():
    first = [etree.tostring(i) for i in enumerate_all(service(), SERVICE_URI, batch=500)[0]]
    second = [etree.tostring(i) for i in enumerate_all(service(), SERVICE_URI, batch=500)[0]]
    assert first == second


def test_non_optimized_enumerate_returns_only_a_context():
    svc = service()
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body())
    assert status == 200
    response = body_child(root)
    assert response.tag == q(N, "EnumerateResponse")
    assert response.find(q(W, "Items")) is None
    context = response.findtext(q(N, "EnumerationContext"))
    assert context.startswith("uuid:")
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, body=pull_body(context))  # MaxElements defaults to 1
    assert len(body_child(root).find(q(N, "Items"))) == 1


def test_end_of_sequence_in_the_enumerate_response_when_everything_fits():
    status, root = call(service(), ENUMERATE, resource_uri=CIMV2 + "Win32_LogicalDisk",
                        body=enumerate_body(optimize=True, max_elements=10))
    response = body_child(root)
    assert len(response.find(q(W, "Items"))) == 2
    assert response.find(q(W, "EndOfSequence")) is not None


def test_max_elements_is_capped_by_max_batch_items():
    svc = service(max_batch_items=7)
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body(optimize=True, max_elements=1000))
    assert status == 200 and len(body_child(root).find(q(W, "Items"))) == 7


def test_release_closes_the_context_and_counts_it():
    stats = Counters()
    svc = service(stats=stats)
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body(optimize=True, max_elements=5))
    context = body_child(root).findtext(q(N, "EnumerationContext"))
    assert stats.values["enumeration_contexts_open"] == 1
    status, root = call(svc, RELEASE, resource_uri=SERVICE_URI, body=release_body(context))
    assert status == 200
    assert stats.values["enumeration_contexts_open"] == 0
    assert stats.values["enumeration_contexts_released"] == 1
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, body=pull_body(context, 5))
    fault = fault_of(root)
    assert status == 500
    assert (fault["code"], fault["subcode"], fault["wsman_code"]) == ("s:Receiver", "n:InvalidEnumerationContext", 2150858779)


def test_context_expires_after_enumeration_timeout():
    clock = FakeClock()
    svc = service(clock=clock, enumeration_timeout_ms=2000)
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body(optimize=True, max_elements=5))
    context = body_child(root).findtext(q(N, "EnumerationContext"))
    clock.now += 1.5
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, body=pull_body(context, 5))
    assert status == 200  # a Pull within the idle time keeps it alive
    clock.now += 2.5
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, body=pull_body(context, 5))
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858779
    assert svc.contexts.count() == 0


def test_context_belongs_to_the_user_who_opened_it():
    svc = service()
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body(optimize=True, max_elements=5))
    context = body_child(root).findtext(q(N, "EnumerationContext"))
    status, root = call(svc, PULL, identity=Identity("someone", "basic"), resource_uri=SERVICE_URI,
                        body=pull_body(context, 5))
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858779


def test_epr_and_object_and_epr_modes():
    svc = service()
    items, _trips = enumerate_all(svc, CIMV2 + "Win32_LogicalDisk", mode="EnumerateEPR")
    assert [item.tag for item in items] == [q(A, "EndpointReference")] * 2
    assert items[0].findtext(q(A, "Address")) == "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
    parameters = items[0].find(q(A, "ReferenceParameters"))
    assert parameters.findtext(q(W, "ResourceURI")) == CIMV2 + "Win32_LogicalDisk"
    assert [(s.get("Name"), s.text) for s in parameters.iter(q(W, "Selector"))] == [("DeviceID", "C:")]
    items, _trips = enumerate_all(svc, CIMV2 + "Win32_LogicalDisk", mode="EnumerateObjectAndEPR")
    assert items[0].tag == q(W, "Item")
    assert [etree.QName(child).localname for child in items[0]] == ["Win32_LogicalDisk", "EndpointReference"]


def test_unsupported_enumeration_mode():
    status, root = call(service(), ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body(mode="EnumerateEverything"))
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858886


def test_wql_query_with_property_list():
    items, _trips = enumerate_all(service(), CIMV2 + "*", filter_text="SELECT Name, State FROM Win32_Service "
                                  "WHERE Name = 'WinRM' OR Name LIKE 'Spool%'", dialect=WQL)
    assert [[etree.QName(c).localname for c in item] for item in items] == [["Name", "State"]] * 2
    assert sorted(prop(item, "Name") for item in items) == ["Spooler", "WinRM"]
    assert items[0].tag == q(SERVICE_URI, "Win32_Service")


def test_wql_on_other_classes():
    items, _trips = enumerate_all(service(), CIMV2 + "*", filter_text="SELECT * FROM Win32_Process WHERE Name = 'svchost.exe'",
                                  dialect=WQL)
    assert len(items) >= 5 and all(prop(item, "Name") == "svchost.exe" for item in items)


def test_wql_needs_the_star_resource_uri():
    status, root = call(service(), ENUMERATE, resource_uri=SERVICE_URI,
                        body=enumerate_body(filter_text="SELECT * FROM Win32_Service", dialect=WQL))
    assert status == 500 and fault_of(root)["wsman_code"] == 2150859003


def test_wql_syntax_error_is_a_provider_fault():
    status, root = call(service(), ENUMERATE, resource_uri=CIMV2 + "*",
                        body=enumerate_body(filter_text="SELECT * FROM Win32_Service WHERE", dialect=WQL))
    fault = fault_of(root)
    assert status == 500
    assert (fault["subcode"], fault["wsman_code"]) == ("n:CannotProcessFilter", 2150858778)
    assert fault["provider"] is not None
    error_code = fault["provider"].find(".//{%s}error_Code" % (CIMV2 + "MSFT_WmiError"))
    assert int(error_code.text) == 0x80041017


def test_wql_unknown_class_is_invalid_class():
    status, root = call(service(), ENUMERATE, resource_uri=CIMV2 + "*",
                        body=enumerate_body(filter_text="SELECT * FROM Win32_Nope", dialect=WQL))
    fault = fault_of(root)
    assert (status, fault["wsman_code"], fault["subcode"]) == (500, 2150858752, "a:DestinationUnreachable")


def test_unknown_dialect():
    status, root = call(service(), ENUMERATE, resource_uri=SERVICE_URI,
                        body=enumerate_body(filter_text="x", dialect="http://example.invalid/dialect"))
    fault = fault_of(root)
    assert (fault["subcode"], fault["wsman_code"]) == ("n:FilterDialectRequestedUnavailable", 2150858777)


def test_selector_filter():
    selector_set = etree.Element(q(W, "SelectorSet"))
    etree.SubElement(selector_set, q(W, "Selector"), Name="StartMode").text = "disabled"
    etree.SubElement(selector_set, q(W, "Selector"), Name="State").text = "Stopped"
    items, _trips = enumerate_all(service(services=0), SERVICE_URI, dialect=SELECTOR, filter_element=selector_set)
    assert sorted(prop(item, "Name") for item in items) == ["RemoteAccess", "tzautoupdate"]


def test_enumerate_with_selectors_in_the_uri_is_refused():
    status, root = call(service(), ENUMERATE, resource_uri=SERVICE_URI, selectors=[("Name", "WinRM")],
                        body=enumerate_body())
    assert status == 500 and fault_of(root)["wsman_code"] == 2150859016


def _association(kind, name, **fields):
    element = etree.Element(q(B, kind), nsmap={"b": B, "a": A, "w": W})
    source = etree.SubElement(element, q(B, "Object"))
    etree.SubElement(source, q(A, "Address")).text = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
    parameters = etree.SubElement(source, q(A, "ReferenceParameters"))
    etree.SubElement(parameters, q(W, "ResourceURI")).text = SERVICE_URI
    selector_set = etree.SubElement(parameters, q(W, "SelectorSet"))
    etree.SubElement(selector_set, q(W, "Selector"), Name="Name").text = name
    for key, value in fields.items():
        etree.SubElement(element, q(B, key)).text = value
    return element


def test_association_associated_instances():
    svc = service()
    flt = _association("AssociatedInstances", "WinRM", AssociationClassName="Win32_DependentService", Role="Dependent")
    items, _trips = enumerate_all(svc, CIMV2 + "*", dialect=ASSOCIATION, filter_element=flt)
    assert [prop(item, "Name") for item in items] == ["RpcSs"]
    flt = _association("AssociatedInstances", "RpcSs", ResultRole="Dependent")
    items, _trips = enumerate_all(svc, CIMV2 + "*", dialect=ASSOCIATION, filter_element=flt)
    dependents = {prop(item, "Name") for item in items}
    assert {"WinRM", "Spooler", "Schedule"} <= dependents and "RpcEptMapper" not in dependents


def test_association_instances_and_capitalised_dialect():
    flt = _association("AssociationInstances", "WinRM", ResultClassName="Win32_DependentService")
    items, _trips = enumerate_all(service(), CIMV2 + "*", dialect=ASSOCIATION.replace("associationFilter",
                                  "AssociationFilter"), filter_element=flt)
    assert len(items) == 1
    item = items[0]
    assert item.tag == q(CIMV2 + "Win32_DependentService", "Win32_DependentService")
    antecedent = item.find(q(CIMV2 + "Win32_DependentService", "Antecedent"))
    assert [s.text for s in antecedent.iter(q(W, "Selector"))] == ["RpcSs"]


def test_association_unknown_source_object():
    flt = _association("AssociatedInstances", "NoSuchService")
    status, root = call(service(), ENUMERATE, resource_uri=CIMV2 + "*",
                        body=enumerate_body(dialect=ASSOCIATION, filter_element=flt))
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858752


def test_listener_enumeration():
    items, _trips = enumerate_all(service(), CONFIG + "/listener")
    assert [(i.findtext("{%s}Transport" % (CONFIG + "/listener")), i.findtext("{%s}Port" % (CONFIG + "/listener")))
            for i in items] == [("HTTP", "5985"), ("HTTPS", "5986")]


def test_pull_batches_shrink_to_fit_max_envelope_size():
    svc = service()
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, max_envelope=16384,
                        body=enumerate_body(optimize=True, max_elements=1000))
    assert status == 200
    response = body_child(root)
    first = len(response.find(q(W, "Items")))
    assert 1 <= first < 20
    context = response.findtext(q(N, "EnumerationContext"))
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, max_envelope=16384, body=pull_body(context, 1000))
    assert status == 200 and len(etree.tostring(root)) <= 16384
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, max_envelope=32768, body=pull_body(context, 1000))
    assert status == 500 and fault_of(root)["wsman_code"] == 2150859181  # Pull params differ from the Enumerate


def test_envelope_size_minimum():
    svc = service()
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, max_envelope=8192,
                        body=enumerate_body(optimize=True, max_elements=1))
    assert status == 200
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, max_envelope=4096, body=enumerate_body())
    assert status == 500 and fault_of(root)["wsman_code"] == 2150858805  # below the 8192-byte minimum


def test_large_enumeration_is_lazy_and_complete():
    svc = service(services=20000)
    items, trips = enumerate_all(svc, SERVICE_URI, batch=5000, mode="EnumerateEPR")
    assert len(items) == 20000
    assert len({item.findtext(".//{%s}Selector" % W) for item in items}) == 20000
    # 5000 EPRs do not fit in 500 KB (the Server 2022 MaxEnvelopeSizekb): batches shrink to fit
    assert trips > 4


def test_concurrent_enumerations_from_several_threads():
    svc = service(services=3000)
    results, errors = [], []

    def worker():
        try:
            items, _trips = enumerate_all(svc, SERVICE_URI, batch=300)
            results.append(sorted(prop(item, "Name") for item in items))
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)
    threads = [threading.Thread(target=worker) for _dummy in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 6 and all(result == results[0] for result in results) and len(results[0]) == 3000


def test_total_items_count_estimate_when_requested():
    svc = service(services=250)
    request_estimate = etree.Element(q(W, "RequestTotalItemsCountEstimate"))
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, headers=[request_estimate],
                        body=enumerate_body(optimize=True, max_elements=10))
    assert status == 200
    assert root.findtext("{*}Header/{%s}TotalItemsCountEstimate" % W) == "250"
    context = body_child(root).findtext(q(N, "EnumerationContext"))
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, headers=[etree.Element(q(W, "RequestTotalItemsCountEstimate"))],
                        body=pull_body(context, 10))
    assert root.findtext("{*}Header/{%s}TotalItemsCountEstimate" % W) == "250"
    status, root = call(svc, ENUMERATE, resource_uri=CIMV2 + "*", headers=[etree.Element(q(W, "RequestTotalItemsCountEstimate"))],
                        body=enumerate_body(filter_text="SELECT * FROM Win32_Service", dialect=WQL))
    estimate = root.find("{*}Header/{%s}TotalItemsCountEstimate" % W)
    assert estimate.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body(optimize=True, max_elements=10))
    assert root.find("{*}Header/{%s}TotalItemsCountEstimate" % W) is None
