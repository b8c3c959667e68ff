# Copyright: (c) 2026, wsman.automation developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: wsman
author:
  - wsman.automation developers (@wsman-automation)
short_description: Use a WS-Management service as the target of the wsman_* tasks, over one persistent session
version_added: 0.1.0
description:
  - Makes every inventory host a WS-Management target (a Windows WinRM service, or another WS-Management
    service such as OMI, Intel AMT, iDRAC or ESXi CIM). The host variables below are the arguments of
    C(WSMan.CreateSession) - the connection string, the session flags and the connection options.
  - The connection is B(persistent). Ansible starts one connection process per host for the run. It builds the
    session the first time a C(wsman.automation.wsman_*) task needs it and keeps it, so one authenticated
    session (TCP connection, NTLM/Kerberos/CredSSP context, message-encryption state) serves every task of the run
    for that host. Fifty tasks against one host over NTLM authenticate once.
  - Connecting is lazy, as C(CreateSession) is. Nothing touches the network before the first operation of the
    first task that needs it, so a host whose service is down fails at its first WS-Management task, not before.
  - When any option that shapes the session changes between tasks (for example a new password or different
    flags for the same host), the held session is closed and a new one is built; the old one is never reused.
  - Other modules (for example M(ansible.builtin.debug), M(ansible.builtin.copy) or M(ansible.builtin.command))
    run on the controller, as with network connections; WS-Management has no remote shell of its own. Turn fact
    gathering off (C(gather_facts=false)) in plays for these hosts, or facts about the controller are gathered.
  - Only the C(wsman.automation.wsman_*) tasks use the session. Task arguments that choose a session (C(connection),
    C(username), C(password), C(flags), certificates, proxy, C(trusted_hosts), C(allow_unencrypted),
    C(domain_joined)) are ignored with a warning when a task runs on this connection; the host variables decide.
    Per-operation arguments (C(timeout), C(locale), C(max_envelope_size), C(batch_items)) set on a task override
    the host's defaults below.
requirements:
  - lxml
  - pywinrm
notes:
  - The password never appears in task results, warnings, C(-vvvv) output, the control socket path or the
    persistent log. With O(persistent_log_messages) enabled this plugin writes its own records (task name, module,
    outcome and timing, never argument values) instead of Ansible's raw JSON-RPC log, because the raw log would
    contain the password.
  - The control socket of a host is keyed by Ansible on the address, port and user. Two inventory hosts that share
    all three share one connection process; each task still runs with its own host's options, but the session is
    rebuilt whenever the tasks alternate between the two.
  - Transport and authentication failures (refused, DNS, TLS, time-out, HTTP 401) make the host UNREACHABLE;
    WS-Management faults make the task FAILED with the fault as data.
seealso:
  - name: WSMan.CreateSession method
    description: The Windows scripting API this plugin follows.
    link: https://learn.microsoft.com/en-us/windows/win32/winrm/wsman-createsession
options:
  connection_string:
    description:
      - The CreateSession connection string, C([transport://]host[:port][/prefix]), for example
        V(https://server.example.com:5986/wsman) or V(http://[2001:db8::10]:5985).
      - When not set it is built from O(remote_addr) and, when set, O(port), with no transport, so the CreateSession
        default-port rules apply (5985, or 5986 with the C(UseSsl) flag). An IPv6 address gets its square brackets.
    type: str
    vars:
      - name: ansible_wsman_connection
  remote_addr:
    description:
      - Address of the WS-Management service, used when O(connection_string) is not set.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_wsman_host
  port:
    description:
      - TCP port of the WS-Management service, used when O(connection_string) is not set.
      - When not set the CreateSession default-port rules apply.
    type: int
    vars:
      - name: ansible_port
      - name: ansible_wsman_port
    keyword:
      - name: port
  remote_user:
    description:
      - User name for the session (C(ConnectionOptions.UserName)), for example V(DOMAIN\\user) or V(user@REALM).
    type: str
    vars:
      - name: ansible_user
      - name: ansible_wsman_user
    keyword:
      - name: remote_user
  password:
    description:
      - Password of O(remote_user) (C(ConnectionOptions.Password)). Write-only; it is never shown.
      - When not set, the password given with C(--ask-pass) is used.
    type: str
    vars:
      - name: ansible_password
      - name: ansible_wsman_password
      - name: ansible_wsman_pass
  flags:
    description:
      - The CreateSession session flags, as a list of names, a string of names joined by V(|), or an integer.
      - Names may be written as Windows does (V(WSManFlagUseNegotiate), V(SessionFlagUseNegotiate)), short
        (V(UseNegotiate)) or in snake case (V(use_negotiate)), for example
        V(UseNegotiate|CredUsernamePassword) or V([use_basic, cred_username_password, use_ssl]).
      - The combination rules of CreateSession apply; a bad combination fails the first task with the Windows error
        code of the rule before any network traffic.
    type: raw
    vars:
      - name: ansible_wsman_flags
  ca_file:
    description:
      - PEM bundle of the certificate authorities that may sign the service's HTTPS certificate.
    type: path
    vars:
      - name: ansible_wsman_ca_file
  crl_file:
    description:
      - PEM file of certificate revocation lists checked against the service's HTTPS certificate.
    type: path
    vars:
      - name: ansible_wsman_crl_file
  client_cert:
    description:
      - PEM file of the client certificate for certificate authentication (C(UseClientCertificate)).
    type: path
    vars:
      - name: ansible_wsman_client_cert
  client_key:
    description:
      - PEM file of the private key of O(client_cert).
    type: path
    vars:
      - name: ansible_wsman_client_key
  proxy_access_type:
    description:
      - How the proxy is found (C(ConnectionOptionsEx2.SetProxy) access type).
    type: str
    choices: [ie_settings, winhttp_settings, auto_detect, no_proxy]
    vars:
      - name: ansible_wsman_proxy_access_type
  proxy:
    description:
      - The proxy URL, for example V(http://proxy.example.com:3128). Proxies only work with HTTPS.
    type: str
    vars:
      - name: ansible_wsman_proxy
  proxy_auth:
    description:
      - Authentication mechanism towards the proxy.
    type: str
    choices: [basic, digest, negotiate]
    vars:
      - name: ansible_wsman_proxy_auth
  proxy_username:
    description:
      - User name for the proxy.
    type: str
    vars:
      - name: ansible_wsman_proxy_username
  proxy_password:
    description:
      - Password for the proxy. Write-only; it is never shown.
    type: str
    vars:
      - name: ansible_wsman_proxy_password
  trusted_hosts:
    description:
      - The controller's stand-in for the Windows client setting C(winrm/config/client/TrustedHosts), in Windows
        syntax (comma-separated names and patterns, V(*) for all). Loopback addresses are always trusted.
    type: str
    vars:
      - name: ansible_wsman_trusted_hosts
  allow_unencrypted:
    description:
      - The controller's stand-in for C(winrm/config/client/AllowUnencrypted); needed for C(NoEncryption) over HTTP.
    type: bool
    vars:
      - name: ansible_wsman_allow_unencrypted
  domain_joined:
    description:
      - Whether the controller counts as joined to the target's domain, for the rules that depend on it
        (for example which hosts need O(trusted_hosts)).
    type: bool
    vars:
      - name: ansible_wsman_domain_joined
  operation_timeout:
    description:
      - Default operation timeout in milliseconds of every task on this host (the C(timeout) module argument,
        C(Session.Timeout)). A task that sets C(timeout) itself wins. When not set, 60000 ms.
      - Keep it below O(persistent_command_timeout) (seconds), which bounds a whole task.
    type: int
    vars:
      - name: ansible_wsman_operation_timeout
  batch_items:
    description:
      - Default number of items asked for per Pull (C(Session.BatchItems)) by M(wsman.automation.wsman_enumerate).
        A task that sets C(batch_items) wins. When not set, the module's default (100) applies.
    type: int
    vars:
      - name: ansible_wsman_batch_items
  locale:
    description:
      - Default locale sent with every operation (for example V(en-US)). A task that sets C(locale) wins.
    type: str
    vars:
      - name: ansible_wsman_locale
  max_envelope_size:
    description:
      - Default largest SOAP envelope, in KB, the service may send in one reply (C(MaxEnvelopeSize)). A task that
        sets C(max_envelope_size) wins. When not set, 150 KB.
    type: int
    vars:
      - name: ansible_wsman_max_envelope_size
  persistent_connect_timeout:
    description:
      - Idle time in seconds after which the connection process (and with it the session) is closed. The next task
        starts a new one.
    type: int
    default: 30
    ini:
      - section: persistent_connection
        key: connect_timeout
    env:
      - name: ANSIBLE_PERSISTENT_CONNECT_TIMEOUT
    vars:
      - name: ansible_connect_timeout
  persistent_command_timeout:
    description:
      - Longest time in seconds one task may take in the connection process. When it is exceeded the process stops
        and the task fails. Raise it for enumerations that take longer than this.
    type: int
    default: 120
    ini:
      - section: persistent_connection
        key: command_timeout
    env:
      - name: ANSIBLE_PERSISTENT_COMMAND_TIMEOUT
    vars:
      - name: ansible_command_timeout
  persistent_log_messages:
    description:
      - Write a record of every task the connection process runs to the Ansible log (C(log_path)). The records name
        the module, the outcome and the time taken, never argument values or secrets.
    type: bool
    default: false
    ini:
      - section: persistent_connection
        key: log_messages
    env:
      - name: ANSIBLE_PERSISTENT_LOG_MESSAGES
    vars:
      - name: ansible_persistent_log_messages
"""

EXAMPLES = r"""
# Inventory (YAML), two Windows hosts: NTLM over HTTP with message encryption, and HTTPS with Basic.
#
# all:
#   children:
#     windows:
#       vars:
#         ansible_connection: wsman.automation.wsman
#         ansible_user: EXAMPLE\ansible
#         ansible_password: "{{ vault_wsman_password }}"
#         ansible_wsman_flags: UseNegotiate|CredUsernamePassword
#       hosts:
#         win1.example.com:
#         win2.example.com:
#           ansible_wsman_connection: https://win2.example.com:5986/wsman
#           ansible_wsman_flags: [use_basic, cred_username_password]
#           ansible_wsman_ca_file: /etc/pki/example-ca.pem

- name: Read the WinRM service of every Windows host, one authenticated session per host
  hosts: windows
  gather_facts: false
  tasks:
    - name: Read the WinRM service
      wsman.automation.wsman_get:
        resource_uri: wmicimv2/Win32_Service
        selectors:
          Name: WinRM
      register: winrm_service

    - name: Enumerate the running services over the same session
      wsman.automation.wsman_enumerate:
        resource_uri: wmicimv2/*
        filter: SELECT Name FROM Win32_Service WHERE State = "Running"
"""

import os
import time
import traceback
from collections import OrderedDict

from ansible.errors import AnsibleError
from ansible.module_utils.connection import Connection as JsonRpcClient, ConnectionError as SocketConnectionError
from ansible.plugins.connection import NetworkConnectionBase
from ansible.utils.display import Display

from ansible_collections.wsman.automation.plugins.plugin_utils._connection_settings import options_digest as digest_of_options
from ansible_collections.wsman.automation.plugins.plugin_utils._connection_settings import HOST_VARIABLES, session_params

try:
    from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params
    from ansible_collections.wsman.automation.plugins.module_utils._task_runner import error_result, run_task
    from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManError, WSManTransportError
except ImportError as imp_exc:  # lxml or pywinrm missing; reported on first use
    IMPORT_ERROR = imp_exc
else:
    IMPORT_ERROR = None

display = Display()

# how many option sets (one per host sharing this process, or per change) are remembered for wsman_task
_MAX_OPTION_SETS = 8


def _name_host_variable(error):
    """On this connection a session option comes from a host variable: say which one in a validation error."""
    argument = error.get('wsman_argument')
    variable = HOST_VARIABLES.get(argument)
    if error.get('wsman_error_kind') == 'validation' and variable:
        error['wsman_host_variable'] = variable
        if argument == 'connection':
            where = 'the host variable %s, or made from ansible_host (else the inventory name) and ansible_port' % variable
        else:
            where = 'the host variable %s' % variable
        error['msg'] = '%s (With the wsman connection, %s is set by %s.)' % (error.get('msg', ''), argument, where)
    return error


class Connection(NetworkConnectionBase):
    """A persistent WS-Management connection: one lazily created Session per set of options."""

    transport = 'wsman.automation.wsman'
    has_pipelining = False
    # The persistent process is started and reached by the wsman_* action plugins through control_socket(), not by
    # the task executor: with force_persistence the executor runs the ansible-connection helper (a new Python
    # process, about half a second) before every task, even when the process is already up. control_socket() does
    # what that helper does -- the same socket path, the same set_options call, ansible-core's own start_connection()
    # the first time -- without the extra process. Other modules on a wsman host run locally (_remote_is_local).
    force_persistence = False
    # the action plugins look for this marker to send their task over the control socket
    _wsman_connection = True

    def __init__(self, play_context, *args, **kwargs):
        super().__init__(play_context, *args, **kwargs)
        self._session = None
        self._session_digest = None
        self._option_sets = OrderedDict()
        self._counters = {'tasks': 0, 'sessions_created': 0, 'sessions_closed': 0}
        self._log_announced = False

    # -- options -----------------------------------------------------------------------------------------------
    def get_option(self, option, hostvars=None):
        # ansible-connection logs every raw JSON-RPC request when this option is true, and the set_options request
        # carries the password. The stub asks through get_option, so it is told False; this plugin reads the real
        # value itself and writes redacted records (see _log).
        if option == 'persistent_log_messages':
            return False
        return super().get_option(option, hostvars)

    def get_options(self, hostvars=None):
        options = super().get_options(hostvars)
        options['persistent_log_messages'] = self._logging_enabled()
        return options

    def _logging_enabled(self):
        try:
            return bool(super().get_option('persistent_log_messages'))
        except KeyError:
            return False

    def _log(self, message):
        if self._logging_enabled():
            self.queue_message('log', 'wsman connection to %s: %s' % (self._play_context.remote_addr, message))

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        if self._logging_enabled() and not self._log_announced:
            self._log_announced = True
            self.queue_message('warning', 'Persistent connection logging is enabled for %s; the records name modules and '
                                          'outcomes only, never argument values or passwords.' % self._play_context.remote_addr)
        digest = self.options_digest()
        self._option_sets[digest] = session_params(self._session_option)
        self._option_sets.move_to_end(digest)
        while len(self._option_sets) > _MAX_OPTION_SETS:
            self._option_sets.popitem(last=False)

    def _session_option(self, name):
        value = self.get_option(name)
        if name == 'password' and value is None:
            value = getattr(self._play_context, 'password', None) or None  # --ask-pass
        return value

    def options_digest(self):
        """Fingerprint of the options that shape the session (salted; never the options in clear)."""
        return digest_of_options(self._session_option)

    # -- connection life cycle ---------------------------------------------------------------------------------
    def control_socket(self, task_uuid):
        """Worker side: the socket of this host's persistent process, started on first use (no network I/O).

        Sends this task's options to a running process (set_options over the socket, as ansible-connection does)
        so a changed password or flag reaches it; starts the process with ansible-core's start_connection()
        when there is none yet, or when the one found has just gone away.
        """
        if self._socket_path and os.path.exists(self._socket_path):
            try:
                JsonRpcClient(self._socket_path).set_options(direct=self.get_options())
                return self._socket_path
            except SocketConnectionError as exc:
                display.vvvv('wsman: the persistent process at %s did not answer (%s); starting a new one'
                             % (self._socket_path, exc), host=self._play_context.remote_addr)
        from ansible.executor.task_executor import start_connection  # pylint: disable=import-outside-toplevel

        self._play_context.timeout = self.get_option('persistent_command_timeout')
        self._socket_path = start_connection(self._play_context, self.get_options(), task_uuid)
        display.vvvv('wsman: persistent connection process at %s' % self._socket_path, host=self._play_context.remote_addr)
        return self._socket_path

    def _connect(self):
        # CreateSession is lazy: the session is built, and the network first touched, by the first wsman_task.
        self._connected = True
        return self

    def close(self):
        self._drop_session('the connection is closing')
        super().close()
        if self._logging_enabled():
            # ansible-connection only flushes queued messages at shutdown when it sees persistent_log_messages,
            # which it is told is False (see get_option); write this plugin's redacted records here instead.
            for level, message in self.pop_messages():
                if level == 'log':
                    display.display(message, log_only=True)

    def _drop_session(self, reason):
        if self._session is not None:
            session, self._session = self._session, None
            self._session_digest = None
            self._counters['sessions_closed'] += 1
            self.queue_message('vvvv', 'wsman: closing the session (%s)' % reason)
            self._log('session closed (%s)' % reason)
            try:
                session.close()
            except Exception as exc:  # closing is best effort; the process may be going away
                self.queue_message('vvvv', 'wsman: error while closing the session: %s' % type(exc).__name__)

    def _session_for(self, digest):
        if digest is None:
            digest = self.options_digest()
            if digest not in self._option_sets:
                self._option_sets[digest] = session_params(self._session_option)
        if self._session is not None and digest == self._session_digest:
            return self._session
        params = self._option_sets.get(digest)
        if params is None:
            raise AnsibleError('the wsman connection process has no record of the options of this task; '
                               'it was probably restarted. Run the task again.')
        if self._session is not None:
            self._drop_session('the connection options changed')
        session = session_from_params(dict(params))
        self._session = session
        self._session_digest = digest
        self._counters['sessions_created'] += 1
        self.queue_message('vvvv', 'wsman: new session for %s (nothing sent until the first operation)' % params.get('connection'))
        self._log('session created for %s' % params.get('connection'))
        return session

    # -- JSON-RPC methods --------------------------------------------------------------------------------------
    def wsman_task(self, module_name, params, check_mode=False, diff=False, options_digest=None):
        """Run one wsman_* task with the held session; returns {'result': dict} or {'error': dict}, never raises."""
        started = time.monotonic()
        self._counters['tasks'] += 1
        if IMPORT_ERROR is not None:
            return {'error': {'msg': 'The wsman connection needs lxml and pywinrm on the controller: %s' % IMPORT_ERROR,
                              'wsman_error_kind': 'validation'}}
        try:
            session = self._session_for(options_digest)
            reply = {'result': run_task(module_name, params, session, check_mode=check_mode, diff=diff)}
        except WSManError as exc:
            # the fix texts name the host variables (ansible_wsman_trusted_hosts, ...) the user sets, not module options
            options = self._option_sets.get(options_digest) if options_digest else None
            reply = {'error': _name_host_variable(error_result(exc, options, settings_names=HOST_VARIABLES))}
            if isinstance(exc, WSManTransportError):
                # a transport or authentication failure leaves nothing worth keeping; the next task starts afresh
                self._drop_session('transport failure')
        except AnsibleError as exc:
            reply = {'error': {'msg': str(exc), 'wsman_error_kind': 'internal'}}
        except Exception as exc:  # a defect; report it as data so the task fails with a message, not a lost socket
            reply = {'error': {'msg': 'Unexpected error in the wsman connection process: %s: %s' % (type(exc).__name__, exc),
                               'wsman_error_kind': 'internal', 'exception': traceback.format_exc()}}
        outcome = 'ok' if 'result' in reply else 'error (%s)' % reply['error'].get('wsman_error_kind')
        self._log('%s%s -> %s in %.3f s' % (module_name, ' (check mode)' if check_mode else '', outcome, time.monotonic() - started))
        return reply

    def wsman_stats(self):
        """Counters of this connection process (tasks run, sessions created and closed, handshakes made)."""
        stats = dict(self._counters)
        stats['session_open'] = self._session is not None
        stats['authentications'] = None
        if self._session is not None:
            transport = getattr(self._session, '_transport', None)
            if transport is not None:
                stats['authentications'] = getattr(transport, 'authentications', None)
        return stats
