"""Command line of the lab endpoint: ``python tests/lab/wsman_lab.py --help``."""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

from . import certs
from .auth import Authenticator, CertificateMap, UserError, Users
from .inject import KINDS, InjectionError, Injector, parse_spec
from .server import LabServer, make_tls_context
from .stats import Stats

DESCRIPTION = """\
A local WS-Management service that answers as the WinRM service of Windows does: SOAP over HTTP/1.1
(keep-alive) on /wsman, Negotiate/NTLM with MS-WSMV message encryption, Basic, client certificates,
anonymous Identify, an HTTPS listener with a generated CA, fault injection and counters.
Test and demo infrastructure for wsman.automation; it never imports the collection.
"""

EPILOG = """\
examples:
  %(prog)s --user 'labadmin:Secret1!' --http-port 0 --https-port 0 --port-file /tmp/lab.json --ca-file /tmp/lab-ca.pem
  %(prog)s --user 'labadmin:Secret1!' --basic --allow-unencrypted --no-https
  %(prog)s --user 'labadmin:Secret1!' --inject delay,seconds=2,count=3 --max-runtime 60

control (loopback only):  GET /lab/stats   GET /lab/config   GET|POST|DELETE /lab/inject
  curl -X POST http://127.0.0.1:5985/lab/inject -d '{"kind": "drop", "count": 1}'
"""


class _Fatal(Exception):
    """A start-up problem the user can fix; printed without a traceback."""


def build_parser():
    parser = argparse.ArgumentParser(prog="wsman_lab.py", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    net = parser.add_argument_group("listeners")
    net.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                     help="address to listen on (default 127.0.0.1; ::1 for IPv6 loopback; 0.0.0.0/:: for all)")
    net.add_argument("--http-port", type=int, default=5985, metavar="N", help="HTTP port (default 5985; 0 = a free port; -1 = no HTTP listener)")
    net.add_argument("--https-port", type=int, default=5986, metavar="N", help="HTTPS port (default 5986; 0 = a free port; -1 = no HTTPS listener)")
    net.add_argument("--no-https", action="store_true", help="no HTTPS listener (same as --https-port -1)")
    net.add_argument("--path", default="/wsman", help="URL path of the WS-Management service (default /wsman; others get 404)")
    net.add_argument("--port-file", metavar="PATH", help="write ports and URLs as JSON here once listening")
    tls = parser.add_argument_group("TLS")
    tls.add_argument("--ca-file", metavar="PATH", help="write the generated CA certificate (PEM) here; clients verify HTTPS against it")
    tls.add_argument("--san", action="append", default=[], metavar="NAME", help="extra DNS name or IP for the server certificate (repeatable)")
    tls.add_argument("--client-ca-file", action="append", default=[], metavar="PATH",
                     help="also accept client certificates issued by this CA (PEM; repeatable). The lab CA is always accepted")
    tls.add_argument("--client-cert-dir", metavar="DIR",
                     help="issue a client certificate for every --cert-map CN from the lab CA and write DIR/CN.pem and DIR/CN.key")
    acct = parser.add_argument_group("accounts and authentication (winrm/config/service/auth)")
    acct.add_argument("--computer-name", default=None, metavar="NAME", help="NetBIOS computer name (default LAB-WS2022); NTLM accepts NAME\\user")
    acct.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD",
                      help="a local account (repeatable); NTLM accepts NAME, .\\NAME and COMPUTERNAME\\NAME")
    acct.add_argument("--users-file", metavar="PATH", help="more accounts, one NAME:PASSWORD per line (keeps passwords off the command line)")
    acct.add_argument("--non-admin", action="append", default=[], metavar="NAME",
                      help="this account authenticates but is not an administrator (the service refuses all but Identify)")
    acct.add_argument("--allow-unencrypted", action="store_true", help="AllowUnencrypted=true (default false, as on Windows)")
    acct.add_argument("--basic", action="store_true", help="Auth/Basic=true (default false, as on Windows)")
    acct.add_argument("--no-negotiate", action="store_true", help="Auth/Negotiate=false and Auth/Kerberos=false")
    acct.add_argument("--certificate", action="store_true", help="Auth/Certificate=true (implied by --cert-map)")
    acct.add_argument("--cert-map", action="append", default=[], metavar="SUBJECT_CN:NAME",
                      help="map a client certificate subject CN to a local account (repeatable)")
    acct.add_argument("--cbt-hardening-level", choices=("None", "Relaxed", "Strict"), default=None,
                      help="channel binding check over HTTPS (default Relaxed: checked when the client sends one)")
    acct.add_argument("--credssp", action="store_true", help="Auth/CredSSP=true (default false, as on Windows)")
    acct.add_argument("--digest", action="store_true", help="also accept HTTP Digest (MD5, as Intel AMT; Windows never does)")
    svc = parser.add_argument_group("service")
    svc.add_argument("--services", type=int, default=200, metavar="N", help="Win32_Service instances to generate (default 200)")
    svc.add_argument("--seed", type=int, default=2022, help="seed of the generated inventory (default 2022)")
    svc.add_argument("--max-envelope-size-kb", type=int, default=None, metavar="KB", help="MaxEnvelopeSizekb (default 500)")
    svc.add_argument("--max-batch-items", type=int, default=None, metavar="N", help="MaxBatchItems (default 32000)")
    svc.add_argument("--enumeration-timeout-ms", type=int, default=None, metavar="MS", help="EnumerationTimeoutms (default 60000)")
    svc.add_argument("--max-timeout-ms", type=int, default=None, metavar="MS", help="MaxTimeoutms (default 60000)")
    svc.add_argument("--slow-ms", type=int, default=None, metavar="MS", help="simulated cost of slow operations (Invoke, Get Win32_Process)")
    ops = parser.add_argument_group("operation")
    ops.add_argument("--inject", action="append", default=[], metavar="KIND[,count=N][,seconds=S][,after=N]",
                     help="queue a fault at start: %s (repeatable; pull-timeout: the next Pull(s) answer the "
                          "TimedOut fault 0x8033801C after the Pull's OperationTimeout or S seconds)" % ", ".join(KINDS))
    ops.add_argument("--stats-file", metavar="PATH", help="write the counters as JSON here (every second and at exit)")
    ops.add_argument("--log-file", metavar="PATH", help="log (one line per request) here instead of stderr")
    ops.add_argument("--quiet", action="store_true", help="no per-request log lines (start-up and errors only)")
    ops.add_argument("--max-runtime", type=float, default=None, metavar="SECONDS", help="stop by itself after this long")
    ops.add_argument("--outlive-parent", action="store_true",
                     help="keep running when the process that started the lab ends (by default the lab stops then, "
                          "so a killed test run never leaves a lab behind)")
    return parser


class _Log:
    def __init__(self, path):
        self._lock = threading.Lock()
        self._handle = open(path, "a", encoding="utf-8", buffering=1) if path else sys.stderr

    def __call__(self, message):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        with self._lock:
            self._handle.write("%s wsman-lab %s\n" % (stamp, message))

    def close(self):
        if self._handle is not sys.stderr:
            self._handle.close()


def _load_service():
    from . import service as service_module
    return service_module


def _config(args, service_module):
    config = service_module.LabConfig()
    if args.computer_name:
        config.computer_name = args.computer_name
    config.allow_unencrypted = args.allow_unencrypted
    config.basic = args.basic
    if args.no_negotiate:
        config.negotiate = False
        config.kerberos = False
    config.certificate = bool(args.certificate or args.cert_map)
    config.credssp = args.credssp
    if args.cbt_hardening_level:
        config.cbt_hardening_level = args.cbt_hardening_level
    for option, field in (("max_envelope_size_kb", "max_envelope_size_kb"), ("max_batch_items", "max_batch_items"),
                          ("enumeration_timeout_ms", "enumeration_timeout_ms"), ("max_timeout_ms", "max_timeout_ms"),
                          ("slow_ms", "slow_ms")):
        value = getattr(args, option)
        if value is not None:
            if value < 0:
                raise _Fatal("--%s %d: must be 0 or more" % (option.replace("_", "-"), value))
            setattr(config, field, value)
    return config


def _users(args, computer_name):
    users = Users(computer_name)
    specs = list(args.user)
    if args.users_file:
        try:
            with open(args.users_file, encoding="utf-8") as handle:
                specs += [line.rstrip("\r\n") for line in handle if line.strip() and not line.startswith("#")]
        except OSError as exc:
            raise _Fatal("--users-file %s: %s" % (args.users_file, exc.strerror)) from None
    for spec in specs:
        users.add_spec(spec)
    return users


def run(argv=None):
    args = build_parser().parse_args(argv)
    args.parent_pid = os.getppid()  # a lab whose starter ends stops too (unless --outlive-parent)
    if args.no_https:
        args.https_port = -1
    for name in ("http_port", "https_port"):
        value = getattr(args, name)
        if value < -1 or value > 65535:
            raise _Fatal("--%s %d: use 0 for a free port, -1 for none, or 1-65535" % (name.replace("_", "-"), value))
    if args.http_port < 0 and args.https_port < 0:
        raise _Fatal("both listeners are off (--http-port -1 and --https-port -1/--no-https); enable at least one")
    if args.services < 0:
        raise _Fatal("--services %d: must be 0 or more" % args.services)
    bind = args.bind.strip("[]")

    try:
        log = _Log(args.log_file)
    except OSError as exc:
        raise _Fatal("--log-file %s: %s" % (args.log_file, exc.strerror)) from None
    service_module = _load_service()
    config = _config(args, service_module)
    try:
        users = _users(args, config.computer_name)
        cert_map = CertificateMap(users)
        for spec in args.cert_map:
            cert_map.add_spec(spec)
        injections = [parse_spec(spec) for spec in args.inject]
    except (UserError, InjectionError) as exc:
        raise _Fatal(str(exc)) from None
    if args.non_admin:
        unknown = [name for name in args.non_admin if users.canonical(name) is None]
        if unknown:
            raise _Fatal("--non-admin %s: not a lab account; add it with --user NAME:PASSWORD" % ", ".join(unknown))
        config.non_admin_users = frozenset(name.lower() for name in args.non_admin)
    if not users.names():
        log("warning: no --user given; only anonymous Identify can succeed")

    workdir = tempfile.mkdtemp(prefix="wsman-lab-")
    try:
        os.environ["NTLM_USER_FILE"] = users.write_ntlm_store(workdir)
        os.environ.setdefault("NETBIOS_COMPUTER_NAME", config.computer_name)
        return _serve(args, bind, log, service_module, config, users, cert_map, injections, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        log.close()


def _serve(args, bind, log, service_module, config, users, cert_map, injections, workdir):
    # handlers first: a signal that arrives as soon as the port file exists must stop cleanly
    stop = threading.Event()

    def _on_signal(signum, _frame):
        log("signal %d: stopping" % signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    stats = Stats()
    injector = Injector()
    for injection in injections:
        injector.add(injection)

    tls_context = None
    cert_der = None
    ca_file = None
    if args.https_port >= 0 or args.ca_file:
        authority = certs.CertificateAuthority()
        server_cert = authority.issue_server(certs.server_names(bind, config.computer_name, args.san))
        cert_der = server_cert.cert_der
        cert_path, key_path = os.path.join(workdir, "server.pem"), os.path.join(workdir, "server.key")
        server_cert.write(cert_path, key_path)
        ca_file = args.ca_file or os.path.join(workdir, "ca.pem")
        try:
            authority.ca.write(ca_file)
        except OSError as exc:
            raise _Fatal("--ca-file %s: %s" % (args.ca_file, exc.strerror)) from None
        if args.client_cert_dir:
            try:
                os.makedirs(args.client_cert_dir, exist_ok=True)
                for common_name in cert_map.common_names():
                    base = os.path.join(args.client_cert_dir, common_name)
                    upn = "%s@%s" % (cert_map.account_of(common_name), config.computer_name)  # as Windows certificate mapping wants
                    authority.issue_client(common_name, upn=upn).write(base + ".pem", base + ".key")
            except OSError as exc:
                raise _Fatal("--client-cert-dir %s: %s" % (args.client_cert_dir, exc.strerror)) from None
        try:
            tls_context = make_tls_context(cert_path, key_path, client_ca_pem=authority.ca.cert_pem, client_ca_files=args.client_ca_file)
        except (OSError, ValueError) as exc:
            raise _Fatal("--client-ca-file: cannot load: %s" % exc) from None

    service = service_module.WSManService(config, stats=stats, services=args.services, seed=args.seed, injector=injector)
    identity_class = getattr(service_module, "Identity", None)
    authenticator = Authenticator(config, users, cert_map=cert_map, stats=stats, digest=args.digest,
                                  identity_class=identity_class, log=log)
    server = LabServer(service, config, stats, injector, authenticator, bind=bind,
                       http_port=args.http_port, https_port=args.https_port, path=args.path,
                       tls_context=tls_context, server_cert_der=cert_der, log=log, log_requests=not args.quiet)
    try:
        server.start()
    except OSError as exc:
        server.stop()
        raise _Fatal("cannot listen on %s (http %d, https %d): %s" % (bind, args.http_port, args.https_port, exc.strerror or exc)) from None

    info = {
        "pid": os.getpid(),
        "bind": bind,
        "path": server.path,
        "computer_name": config.computer_name,
        "http_port": server.port("http"),
        "https_port": server.port("https"),
        "http_url": server.url("http"),
        "https_url": server.url("https"),
        "ca_file": os.path.abspath(ca_file) if args.ca_file else None,
        "users": users.names(),
    }
    if args.port_file:
        tmp = args.port_file + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(info, handle, indent=2, sort_keys=True)
                handle.write("\n")
            os.replace(tmp, args.port_file)
        except OSError as exc:
            server.stop()
            raise _Fatal("--port-file %s: %s" % (args.port_file, exc.strerror)) from None
    sys.stdout.write(json.dumps(info, sort_keys=True) + "\n")
    sys.stdout.flush()
    log("listening: http=%s https=%s users=%s basic=%s allow_unencrypted=%s" % (
        info["http_url"], info["https_url"], ",".join(info["users"]) or "-", config.basic, config.allow_unencrypted))

    deadline = time.monotonic() + args.max_runtime if args.max_runtime else None
    while not stop.is_set():
        wait = 1.0
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
            if wait <= 0:
                log("--max-runtime %.1fs reached: stopping" % args.max_runtime)
                break
        if not args.outlive_parent and os.getppid() != args.parent_pid:
            log("the process that started the lab (pid %d) has ended: stopping" % args.parent_pid)
            break
        stop.wait(wait)
        if args.stats_file:
            stats.write(args.stats_file)
    server.stop()
    if args.stats_file:
        stats.write(args.stats_file)
    log("stopped: %s" % json.dumps(stats.snapshot(), sort_keys=True))
    return 0


def main(argv=None):
    try:
        return run(argv)
    except _Fatal as exc:
        sys.stderr.write("wsman-lab: error: %s\n" % exc)
        return 2
    except KeyboardInterrupt:
        return 130
