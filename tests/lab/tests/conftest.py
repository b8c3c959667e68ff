"""pytest fixtures for the lab endpoint: start ``wsman_lab.py`` as a subprocess on free loopback ports.

Usage (the whole API)::

    def test_something(lab):
        endpoint = lab(basic=True, allow_unencrypted=True)   # keyword → command-line option
        endpoint.http_url, endpoint.https_url                 # 'http://127.0.0.1:PORT/wsman' (None when off)
        endpoint.host, endpoint.http_port, endpoint.https_port
        endpoint.ca_file                                      # PEM of the lab CA (verify HTTPS against it)
        endpoint.users                                        # {'labadmin': 'Secret1!'} (the default account)
        endpoint.username, endpoint.password                  # the first account
        endpoint.computer_name                                # 'LAB01'
        endpoint.stats()                                      # GET /lab/stats as a dict
        endpoint.config()                                     # GET /lab/config (the live LabConfig) as a dict
        endpoint.inject("drop", count=1)                      # POST /lab/inject
        endpoint.clear_injections()
        endpoint.client_cert("lab-client")                    # (cert.pem, key.pem) when started with cert_map
        endpoint.log_text()                                   # the lab's log so far
        endpoint.stop()                                       # SIGTERM; returns the exit code

Keyword options become ``--kebab-case`` options: ``True`` → a bare flag, ``False``/``None`` → omitted,
a list/tuple → the option repeated, anything else → ``--option value``. Defaults: ``bind='127.0.0.1'``,
free ports for HTTP and HTTPS, one account ``labadmin:Secret1!``, computer name ``LAB01``,
``services=200``, ``max_runtime=900`` (a lab never outlives a hung test session). ``users={...}`` replaces
the accounts; ``https=False`` turns HTTPS off. Every lab started by a test is stopped after it.
"""

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

LAB_SCRIPT = Path(__file__).resolve().parents[1] / "wsman_lab.py"
DEFAULT_USERS = {"labadmin": "Secret1!"}
START_TIMEOUT = 30.0


class LabEndpoint:
    """A running lab subprocess and what a test needs to talk to it."""

    def __init__(self, proc, info, workdir, users, log_path):
        self.proc = proc
        self.info = info
        self.workdir = workdir
        self.users = dict(users)
        self.log_path = log_path
        self.bind = info["bind"]
        self.host = "[%s]" % self.bind if ":" in self.bind else self.bind
        self.http_port = info["http_port"]
        self.https_port = info["https_port"]
        self.http_url = info["http_url"]
        self.https_url = info["https_url"]
        self.ca_file = info["ca_file"]
        self.computer_name = info["computer_name"]
        self.path = info["path"]

    @property
    def username(self):
        return next(iter(self.users))

    @property
    def password(self):
        return self.users[self.username]

    def _control(self, method, path, payload=None):
        if self.http_port:
            url = "http://%s:%d%s" % (self.host, self.http_port, path)
            context = None
        else:
            url = "https://%s:%d%s" % (self.host, self.https_port, path)
            context = ssl.create_default_context(cafile=self.ca_file)
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10, context=context) as response:  # nosec - loopback lab
            return json.loads(response.read().decode("utf-8"))

    def stats(self):
        return self._control("GET", "/lab/stats")

    def config(self):
        return self._control("GET", "/lab/config")

    def inject(self, kind, seconds=None, count=None, after=None):
        payload = {"kind": kind}
        for key, value in (("seconds", seconds), ("count", count), ("after", after)):
            if value is not None:
                payload[key] = value
        return self._control("POST", "/lab/inject", payload)

    def clear_injections(self):
        return self._control("DELETE", "/lab/inject")

    def client_cert(self, common_name):
        base = Path(self.workdir) / "client-certs" / common_name
        return str(base) + ".pem", str(base) + ".key"

    def log_text(self):
        try:
            return Path(self.log_path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, timeout=5.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return self.proc.returncode


def lab_command(port_file, workdir, options):
    """The argv for ``wsman_lab.py`` from keyword options (see the module docstring)."""
    options = dict(options)
    users = options.pop("users", DEFAULT_USERS)
    https = options.pop("https", True)
    args = [sys.executable, str(LAB_SCRIPT), "--port-file", str(port_file),
            "--ca-file", str(Path(workdir) / "lab-ca.pem"),
            "--client-cert-dir", str(Path(workdir) / "client-certs"),
            "--log-file", str(Path(workdir) / "lab.log")]
    options.setdefault("bind", "127.0.0.1")
    options.setdefault("http_port", 0)
    options.setdefault("https_port", 0 if https else -1)
    options.setdefault("computer_name", "LAB01")
    options.setdefault("max_runtime", 900)
    for name, password in users.items():
        args += ["--user", "%s:%s" % (name, password)]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value is False or value is None:
            continue
        elif isinstance(value, (list, tuple)):
            for item in value:
                args += [flag, str(item)]
        else:
            args += [flag, str(value)]
    return args, users


def start_lab(workdir, **options):
    """Start a lab and wait until it listens; raises RuntimeError with its log when it cannot start."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    port_file = workdir / "lab-ports.json"
    if port_file.exists():
        port_file.unlink()
    args, users = lab_command(port_file, workdir, options)
    stdout = open(workdir / "lab.stdout", "wb")
    stderr = open(workdir / "lab.stderr", "wb")
    try:
        proc = subprocess.Popen(args, stdout=stdout, stderr=stderr, cwd=str(workdir), env=dict(os.environ, PYTHONUNBUFFERED="1"))
    finally:
        stdout.close()
        stderr.close()
    deadline = time.monotonic() + START_TIMEOUT
    while not port_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            errors = (workdir / "lab.stderr").read_text(errors="replace")
            log = (workdir / "lab.log").read_text(errors="replace") if (workdir / "lab.log").exists() else ""
            raise RuntimeError("lab did not start (exit %s): %s\n%s" % (proc.returncode, errors, log))
        time.sleep(0.02)
    info = json.loads(port_file.read_text(encoding="utf-8"))
    return LabEndpoint(proc, info, str(workdir), users, workdir / "lab.log")


@pytest.fixture
def lab(tmp_path):
    """Factory: ``lab(**options) -> LabEndpoint``; every lab it started is stopped after the test."""
    started = []

    def factory(**options):
        endpoint = start_lab(tmp_path / ("lab%d" % len(started)), **options)
        started.append(endpoint)
        return endpoint

    yield factory
    for endpoint in started:
        endpoint.stop()


@pytest.fixture
def default_lab(lab):
    """A lab with the defaults (HTTP and HTTPS on free ports, labadmin:Secret1!, Negotiate only)."""
    return lab()
