"""The ``pull-timeout`` injection: a Pull that collected no items in time, as Windows answers it.

createsession-facts.md §7.4: "A Pull that times out with no data leaves the context valid
(ERROR_WSMAN_ENUMERATE_TIMED_OUT 0x8033801C - retry Pull)"; §9.2: 0x8033801C = 2150858780,
Receiver / wsen:TimedOut. The service waits the Pull's OperationTimeout (or ``seconds``), answers that
fault, and the next Pull on the same context continues the enumeration.
"""

import importlib
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from lxml import etree
from pypsrp.exceptions import WSManFaultError
from pypsrp.wsman import WSMan

from wsman_envelopes import (CIMV2, ENUMERATE, GET, PULL, RELEASE, Counters, LabConfig, N, W, WSManService, body_child, call,
                             enumerate_all, enumerate_body, fault_of, prop, pull_body, q, release_body)

inject = importlib.import_module("wsmanlab.inject")

SERVICE_URI = CIMV2 + "Win32_Service"
TIMED_OUT = 2150858780  # ERROR_WSMAN_ENUMERATE_TIMED_OUT 0x8033801C (facts §9.2)
ENUMERATION_FAULT = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault"


class Clock:
    """A clock the fake sleep advances, so waits cost no real time and can be checked."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def _service(*specs, services=60, **config):
    clock, stats, injector = Clock(), Counters(), inject.Injector()
    for spec in specs:
        injector.add(inject.parse_spec(spec))
    svc = WSManService(LabConfig(computer_name="LAB01", **config), stats=stats, services=services, seed=7,
                       clock=clock, sleep=clock.sleep, injector=injector)
    return svc, clock, stats, injector


def _enumerate(svc, batch=10, **kwargs):
    status, root = call(svc, ENUMERATE, resource_uri=SERVICE_URI, body=enumerate_body(optimize=True, max_elements=batch),
                        **kwargs)
    assert status == 200, etree.tostring(root)
    response = body_child(root)
    return [prop(item, "Name") for item in response.find(q(W, "Items"))], response.findtext(q(N, "EnumerationContext"))


def _pull(svc, context, batch=10, **kwargs):
    """(status, item names or the fault dict, context of the response)."""
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, body=pull_body(context, batch), **kwargs)
    if status != 200:
        return status, fault_of(root), context
    response = body_child(root)
    names = [prop(item, "Name") for item in response.find(q(N, "Items"))]
    return status, names, response.findtext(q(N, "EnumerationContext"))


# --- the injection spec ---------------------------------------------------------------------------

def test_spec_from_the_command_line_and_json():
    spec = inject.parse_spec("pull-timeout,count=2,after=1")
    assert spec.to_dict() == {"kind": "pull-timeout", "seconds": None, "count": 2, "after": 1}  # None: the OperationTimeout
    assert inject.parse_spec("pull-timeout,seconds=0").seconds == 0.0
    assert inject.from_json({"kind": "pull-timeout", "seconds": 0.5}).seconds == 0.5
    assert inject.parse_spec("delay").seconds == 1.0  # the other kinds keep their default
    with pytest.raises(inject.InjectionError, match="seconds"):
        inject.from_json({"kind": "pull-timeout", "seconds": -1})


def test_http_layer_and_pull_queues_do_not_hold_each_other_up():
    injector = inject.Injector()
    injector.add(inject.parse_spec("pull-timeout,after=1,count=2"))
    injector.add(inject.parse_spec("status503,count=1"))
    assert injector.take().kind == "status503"  # not held up by the pending pull-timeout's after=1
    assert injector.take() is None
    assert [injector.take_pull() is not None for dummy in range(4)] == [False, True, True, False]
    assert injector.pending() == []


# --- the service (in-process, with a fake clock) --------------------------------------------------

def test_timed_out_pull_is_the_windows_fault_after_the_operation_timeout():
    svc, clock, stats, _injector = _service("pull-timeout")
    _names, context = _enumerate(svc)
    status, fault, _context = _pull(svc, context, timeout="PT2.500S")
    assert status == 500
    assert (fault["code"], fault["subcode"], fault["wsman_code"]) == ("s:Receiver", "n:TimedOut", TIMED_OUT)
    assert fault["action"] == ENUMERATION_FAULT and fault["machine"] == "LAB01"
    assert "OperationTimeout (2500 ms)" in fault["message"] and "still valid" in fault["message"]
    assert clock.sleeps == [2.5]
    assert stats.values["injected"] == 1
    assert stats.values["enumeration_contexts_open"] == 1  # the context survives the fault


def test_wait_is_capped_by_max_timeout_ms_and_replaced_by_seconds():
    svc, clock, _stats, _injector = _service("pull-timeout,count=2", max_timeout_ms=1500)
    _names, context = _enumerate(svc)
    assert _pull(svc, context)[0] == 500  # no OperationTimeout header: MaxTimeoutms
    assert _pull(svc, context, timeout="PT30S")[0] == 500  # more than MaxTimeoutms: capped
    assert clock.sleeps == [1.5, 1.5]
    svc, clock, _stats, _injector = _service("pull-timeout,seconds=0")
    _names, context = _enumerate(svc)
    assert _pull(svc, context, timeout="PT20S")[0] == 500
    assert clock.sleeps == [0.0]


def test_next_pull_on_the_same_context_continues_exactly_where_it_was():
    reference, _trips = enumerate_all(_service()[0], SERVICE_URI, batch=10)
    expected = [prop(item, "Name") for item in reference]
    svc, _clock, stats, injector = _service("pull-timeout,count=2,after=1,seconds=0")
    names, context = _enumerate(svc)
    statuses = []
    while context:
        status, result, next_context = _pull(svc, context)
        statuses.append(status)
        if status == 200:
            names.extend(result)
            context = next_context
        else:
            assert result["wsman_code"] == TIMED_OUT
    assert names == expected and len(set(names)) == 60  # every item once, in order
    assert statuses == [200, 500, 500, 200, 200, 200, 200]
    assert stats.values["injected"] == 2 and stats.values["enumeration_contexts_open"] == 0
    assert injector.pending() == []


def test_only_pulls_on_a_valid_context_consume_it():
    svc, clock, stats, injector = _service("pull-timeout,count=1,seconds=0")
    status, root = call(svc, GET, resource_uri=SERVICE_URI, selectors=[("Name", "WinRM")])
    assert status == 200
    _names, context = _enumerate(svc)
    status, fault, _context = _pull(svc, "uuid:00000000-0000-0000-0000-000000000000")
    assert fault["wsman_code"] == 2150858779  # InvalidEnumerationContext, as without the injection
    status, root = call(svc, PULL, resource_uri=SERVICE_URI, max_envelope=16384, body=pull_body(context, 10))
    assert fault_of(root)["wsman_code"] == 2150859181  # Pull parameters differ from the Enumerate
    assert injector.pending() and "injected" not in stats.values and clock.sleeps == []
    status, fault, _context = _pull(svc, context)
    assert fault["wsman_code"] == TIMED_OUT
    status, root = call(svc, RELEASE, resource_uri=SERVICE_URI, body=release_body(context))
    assert status == 200  # the timed-out context is still there to release
    assert stats.values["enumeration_contexts_released"] == 1


def test_idle_time_counts_from_the_end_of_the_timed_out_pull():
    # EnumerationTimeoutms is idle time between Pulls (facts §7.4); a Pull that waited is not idle
    svc, clock, _stats, _injector = _service("pull-timeout", enumeration_timeout_ms=2000)
    _names, context = _enumerate(svc)
    assert _pull(svc, context, timeout="PT5S")[0] == 500
    assert clock.now == 1005.0
    status, names, _context = _pull(svc, context)
    assert status == 200 and len(names) == 10


# --- over the wire ----------------------------------------------------------------------------------

def _pypsrp_enumerate(client, batch):
    body = ET.Element("{%s}Enumerate" % N)
    ET.SubElement(body, "{%s}OptimizeEnumeration" % W)
    ET.SubElement(body, "{%s}MaxElements" % W).text = str(batch)
    response = client.enumerate(SERVICE_URI, resource=body).find("{%s}EnumerateResponse" % N)
    names = [item.findtext("{%s}Name" % SERVICE_URI) for item in response.find("{%s}Items" % W)]
    return names, response.findtext("{%s}EnumerationContext" % N)


def _pypsrp_pull(client, context, batch, timeout=None):
    pull = ET.Element("{%s}Pull" % N)
    ET.SubElement(pull, "{%s}EnumerationContext" % N).text = context
    ET.SubElement(pull, "{%s}MaxElements" % N).text = str(batch)
    response = client.pull(SERVICE_URI, resource=pull, timeout=timeout).find("{%s}PullResponse" % N)
    names = [item.findtext("{%s}Name" % SERVICE_URI) for item in response.find("{%s}Items" % N)]
    end = response.find("{%s}EndOfSequence" % N) is not None
    return names, response.findtext("{%s}EnumerationContext" % N) or context, end


def _pypsrp_pull_rest(client, context, batch):
    names, done = [], False
    while not done:
        more, context, done = _pypsrp_pull(client, context, batch)
        names.extend(more)
    return names


def test_pypsrp_sees_the_fault_after_its_operation_timeout_then_pulls_on(lab):
    """An independent client (pypsrp, NTLM with message encryption) over HTTP."""
    endpoint = lab(services=90)
    with WSMan("127.0.0.1", port=endpoint.http_port, username=endpoint.username, password=endpoint.password,
               ssl=False, auth="ntlm", cert_validation=False, operation_timeout=20) as client:
        expected, context = _pypsrp_enumerate(client, 30)
        expected.extend(_pypsrp_pull_rest(client, context, 30))
        endpoint.inject("pull-timeout")
        names, context = _pypsrp_enumerate(client, 30)
        started = time.monotonic()
        with pytest.raises(WSManFaultError) as info:
            _pypsrp_pull(client, context, 30, timeout=1)  # wsman:OperationTimeout PT1S
        waited = time.monotonic() - started
        assert info.value.code == TIMED_OUT
        assert info.value.machine == endpoint.computer_name
        assert "still valid" in info.value.reason
        assert 1.0 <= waited < 10
        names.extend(_pypsrp_pull_rest(client, context, 30))
    assert names == expected and len(set(names)) == 90
    stats = endpoint.stats()
    assert stats["injected"] == 1 and stats["faults"] == 1 and stats["enumeration_contexts_open"] == 0
    assert stats["encrypted_requests"] >= 1


def test_runtime_injection_is_listed_and_counted(lab):
    endpoint = lab()
    queued = endpoint.inject("pull-timeout", count=2, seconds=0)
    assert queued["queued"] == {"kind": "pull-timeout", "seconds": 0.0, "count": 2, "after": 0}
    pending = requests.get("http://127.0.0.1:%d/lab/inject" % endpoint.http_port, timeout=10).json()
    assert pending == {"pending": [{"kind": "pull-timeout", "seconds": 0.0, "count": 2, "after": 0}]}
    with WSMan("127.0.0.1", port=endpoint.https_port, username=endpoint.username, password=endpoint.password,
               ssl=True, auth="negotiate", cert_validation=endpoint.ca_file) as client:
        names, context = _pypsrp_enumerate(client, 50)
        for dummy in range(2):
            with pytest.raises(WSManFaultError) as info:
                _pypsrp_pull(client, context, 50)
            assert info.value.code == TIMED_OUT
        names.extend(_pypsrp_pull_rest(client, context, 50))
    assert len(names) == len(set(names)) == 200
    assert endpoint.stats()["injected"] == 2
    assert requests.get("http://127.0.0.1:%d/lab/inject" % endpoint.http_port, timeout=10).json() == {"pending": []}


def test_injection_from_the_command_line(lab):
    endpoint = lab(basic=True, allow_unencrypted=True, inject=["pull-timeout,count=1,after=1,seconds=0"])
    with WSMan("127.0.0.1", port=endpoint.http_port, username=endpoint.username, password=endpoint.password,
               ssl=False, auth="basic", cert_validation=False, encryption="never") as client:
        names, context = _pypsrp_enumerate(client, 80)
        first, context, _done = _pypsrp_pull(client, context, 80)  # after=1: this one passes
        with pytest.raises(WSManFaultError) as info:
            _pypsrp_pull(client, context, 80)
        assert info.value.code == TIMED_OUT
        rest = _pypsrp_pull_rest(client, context, 80)
    assert len(names + first + rest) == len(set(names + first + rest)) == 200
    assert endpoint.stats()["injected"] == 1
