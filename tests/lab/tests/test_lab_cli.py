"""The lab's command line and HTTP surface: help, port file, clean stop, HTTP.sys-like errors, keep-alive."""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

import requests

from conftest import LAB_SCRIPT

IDENTIFY = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
    b"<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
)
ANONYMOUS = {"Content-Type": "application/soap+xml;charset=UTF-8", "WSMANIDENTIFY": "unauthenticated"}


def _run(*args, timeout=30):
    return subprocess.run([sys.executable, str(LAB_SCRIPT)] + list(args), capture_output=True, text=True, timeout=timeout, check=False)


def test_help_lists_the_options():
    result = _run("--help")
    assert result.returncode == 0
    for option in ("--bind", "--http-port", "--https-port", "--no-https", "--user", "--computer-name", "--services",
                   "--allow-unencrypted", "--basic", "--port-file", "--ca-file", "--stats-file", "--inject",
                   "--max-runtime", "--cert-map", "--digest", "--log-file"):
        assert option in result.stdout


def test_bad_options_are_named_without_a_traceback(tmp_path):
    cases = [
        (["--user", "nopassword"], "--user 'nopassword': expected NAME:PASSWORD"),
        (["--user", "DOM\\x:pw"], "plain local account name"),
        (["--http-port", "70000"], "--http-port 70000"),
        (["--http-port", "-1", "--no-https"], "both listeners are off"),
        (["--cert-map", "cn:ghost", "--user", "a:b"], "'ghost' is not a lab account"),
        (["--inject", "delay,seconds=x"], "seconds='x' is not a number"),
        (["--users-file", str(tmp_path / "missing.txt")], "--users-file"),
    ]
    for args, message in cases:
        result = _run("--http-port", "0", "--https-port", "0", "--max-runtime", "5", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_port_in_use_is_named(lab):
    busy = lab(https=False)
    result = _run("--http-port", str(busy.http_port), "--https-port", "-1", "--max-runtime", "5")
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1 (http %d" % busy.http_port in result.stderr
    assert "Traceback" not in result.stderr


def test_port_file_and_stdout_announce_the_listeners(lab):
    endpoint = lab()
    info = json.loads(open(endpoint.workdir + "/lab-ports.json", encoding="utf-8").read())
    assert info["http_url"] == "http://127.0.0.1:%d/wsman" % info["http_port"]
    assert info["https_url"] == "https://127.0.0.1:%d/wsman" % info["https_port"]
    assert info["ca_file"] == endpoint.ca_file
    assert info["users"] == ["labadmin"]
    assert "Secret1!" not in json.dumps(info)
    endpoint.stop()
    stdout = open(endpoint.workdir + "/lab.stdout", encoding="utf-8").read().splitlines()
    assert json.loads(stdout[0]) == info


def test_sigterm_stops_within_a_second_even_with_open_connections(lab):
    endpoint = lab()
    keep = http.client.HTTPConnection("127.0.0.1", endpoint.http_port, timeout=10)
    keep.request("POST", "/wsman", body=IDENTIFY, headers=ANONYMOUS)
    assert keep.getresponse().read()
    started = time.monotonic()
    endpoint.proc.send_signal(signal.SIGTERM)
    endpoint.proc.wait(timeout=5)
    assert time.monotonic() - started < 1.0
    assert endpoint.proc.returncode == 0
    keep.close()


def test_sigint_stops_cleanly(lab):
    endpoint = lab()
    endpoint.proc.send_signal(signal.SIGINT)
    assert endpoint.proc.wait(timeout=5) == 0


def test_max_runtime_stops_by_itself_and_writes_stats(lab, tmp_path):
    stats_file = tmp_path / "stats.json"
    endpoint = lab(max_runtime=1.5, stats_file=str(stats_file))
    requests.post(endpoint.http_url, data=IDENTIFY, headers=ANONYMOUS, timeout=10)
    assert endpoint.proc.wait(timeout=10) == 0
    assert json.loads(stats_file.read_text())["requests"] == 1


def test_other_paths_get_404_and_get_on_wsman_405(lab):
    endpoint = lab()
    base = "http://127.0.0.1:%d" % endpoint.http_port
    response = requests.post(base + "/wsman-anything", data=IDENTIFY, headers=ANONYMOUS, timeout=10)
    assert response.status_code == 404
    assert response.headers["Server"] == "Microsoft-HTTPAPI/2.0"
    assert b"HTTP Error 404" in response.content
    assert requests.get(base + "/", timeout=10).status_code == 404
    response = requests.get(endpoint.http_url, timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.http_port, timeout=10)
    conn.request("HEAD", "/wsman")
    head = conn.getresponse()
    assert head.status == 405 and head.read() == b""
    conn.request("POST", "/wsman", body=IDENTIFY, headers=ANONYMOUS)  # the connection is still in step
    assert conn.getresponse().status == 200
    conn.close()
    assert endpoint.stats()["requests"] == 3  # GET, HEAD and POST on /wsman; not the 404s


def test_custom_path(lab):
    endpoint = lab(path="/custom/wsman")
    assert endpoint.http_url.endswith("/custom/wsman")
    assert requests.post(endpoint.http_url, data=IDENTIFY, headers=ANONYMOUS, timeout=10).status_code == 200
    assert requests.post("http://127.0.0.1:%d/wsman" % endpoint.http_port, data=IDENTIFY, headers=ANONYMOUS, timeout=10).status_code == 404


def test_keep_alive_and_content_length_framing(lab):
    endpoint = lab()
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.http_port, timeout=10)
    for dummy in range(3):
        conn.request("POST", "/wsman", body=IDENTIFY, headers=ANONYMOUS)
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200
        assert int(response.getheader("Content-Length")) == len(body)
        assert response.getheader("Connection") is None
    conn.close()
    assert endpoint.stats()["connections"] == 1


def test_chunked_request_body_is_accepted(lab):
    endpoint = lab()
    response = requests.post(endpoint.http_url, data=iter([IDENTIFY[:50], IDENTIFY[50:]]), headers=ANONYMOUS, timeout=10)
    assert response.status_code == 200
    assert b"IdentifyResponse" in response.content


def test_counters_are_exact_under_concurrency(lab):
    endpoint = lab()
    errors = []

    def worker():
        try:
            with requests.Session() as session:
                for dummy in range(10):
                    assert session.post(endpoint.http_url, data=IDENTIFY, headers=ANONYMOUS, timeout=10).status_code == 200
        except Exception as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    stats = endpoint.stats()
    assert stats["requests"] == 80
    assert stats["connections"] == 8


def test_control_paths(lab):
    endpoint = lab(basic=True)
    config = endpoint.config()
    assert config["basic"] is True
    assert config["allow_unencrypted"] is False
    assert config["computer_name"] == "LAB01"
    response = requests.get("http://127.0.0.1:%d/lab/unknown" % endpoint.http_port, timeout=10)
    assert response.status_code == 404
    assert "GET /lab/stats" in response.json()["error"]


def test_control_paths_are_for_loopback_clients_only():
    sys.path.insert(0, str(LAB_SCRIPT.parent))
    from wsmanlab.server import is_loopback
    assert is_loopback("127.0.0.1") and is_loopback("127.8.9.1") and is_loopback("::1") and is_loopback("::ffff:127.0.0.1")
    assert not is_loopback("192.0.2.10") and not is_loopback("2001:db8::1") and not is_loopback("::ffff:192.0.2.1")
    assert not is_loopback("not-an-address")


def test_log_line_per_request_without_secrets(lab):
    endpoint = lab(basic=True, allow_unencrypted=True)
    requests.post(endpoint.http_url, data=IDENTIFY, auth=(endpoint.username, endpoint.password),
                  headers={"Content-Type": "application/soap+xml;charset=UTF-8"}, timeout=10)
    deadline = time.monotonic() + 5
    while True:  # the access log line is written right after the response is sent
        log = endpoint.log_text()
        lines = [line for line in log.splitlines() if " POST /wsman " in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert len(lines) == 1
    assert " 200 " in lines[0] and " basic labadmin " in lines[0]
    assert endpoint.password not in log


def _pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _orphaned_lab(tmp_path, *extra):
    """Start the lab from a short-lived intermediate process; return the lab's pid once it listens."""
    port_file = tmp_path / "ports.json"
    # The starter waits until the lab listens, then ends: like a test run killed while its lab is up.
    starter = (
        "import os, subprocess, sys, time\n"
        "proc = subprocess.Popen([sys.executable, %r, '--http-port', '0', '--no-https', '--quiet', '--max-runtime', '60',"
        " '--port-file', %r] + %r, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "deadline = time.monotonic() + 30\n"
        "while not os.path.exists(%r) and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        "print(proc.pid)\n" % (str(LAB_SCRIPT), str(port_file), list(extra), str(port_file)))
    pid = int(subprocess.run([sys.executable, "-c", starter], capture_output=True, text=True, timeout=60, check=True).stdout)
    assert port_file.exists()
    return pid


def test_a_lab_whose_starter_ended_stops_by_itself(tmp_path):
    pid = _orphaned_lab(tmp_path)
    deadline = time.monotonic() + 10
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _pid_alive(pid)


def test_outlive_parent_keeps_an_orphaned_lab_running(tmp_path):
    pid = _orphaned_lab(tmp_path, "--outlive-parent")
    try:
        time.sleep(3)
        assert _pid_alive(pid)
    finally:
        if _pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
