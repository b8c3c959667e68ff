# Copyright: (c) 2026, wsman.automation developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared body of the wsman_* action plugins.

Every task of a ``wsman.automation.wsman_*`` module goes through :class:`WSManActionBase.run`:

1. the task's arguments are checked against the module's ``ARGUMENT_SPECS`` entry on the controller, before any
   network traffic; in module mode the session options are also checked by building the (lazy) session, so a bad
   flag combination fails with its Windows error code;
2. with the ``wsman.automation.wsman`` connection the task is sent to the connection process
   (``wsman_task`` over the control socket) and runs with the host's held session; session-choosing arguments
   given on the task are ignored with a warning, per-operation ones override the host's defaults;
3. with any other connection (``local``, ``delegate_to``) the module runs as usual and builds its own session
   from its arguments;
4. the outcome is mapped: errors of kind ``transport`` make the host UNREACHABLE, every other error fails the task;
   read-only modules never report a change (except wsman_enumerate with ``dest``, whose file on the controller may
   change); values of ``no_log`` arguments and the connection password are masked.
"""

from __future__ import annotations

import os
import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.connection import Connection, ConnectionError as SocketConnectionError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.wsman.automation.plugins.module_utils._module_args import (
    ARGUMENT_SPECS,
    SESSION_IDENTITY_OPTIONS,
    secret_property_values,
    validator_kwargs,
)
from ansible_collections.wsman.automation.plugins.module_utils._xml import E_INVALIDARG
from ansible_collections.wsman.automation.plugins.plugin_utils._connection_settings import host_variable, task_defaults

COLLECTION = 'wsman.automation'

display = Display()

# the connection options whose values must never reach a result
_SECRET_CONNECTION_OPTIONS = ('password', 'proxy_password')


def uses_wsman_connection(connection):
    """True when the task runs on the wsman.automation.wsman persistent connection."""
    return bool(getattr(connection, '_wsman_connection', False))


def shape_reply(reply, read_only):
    """Turn a ``wsman_task`` reply (``{'result': ...}`` or ``{'error': ...}``) into an Ansible task result."""
    result = {}
    if not isinstance(reply, dict) or not ('result' in reply or 'error' in reply):
        return {'failed': True, 'changed': False, 'wsman_error_kind': 'internal',
                'msg': 'The wsman connection process gave an answer that is not a task result (%s).' % type(reply).__name__}
    if 'error' in reply:
        result.update(reply['error'])
        result.setdefault('msg', 'The WS-Management operation failed.')
        result['changed'] = False
        if result.get('wsman_error_kind') == 'transport':
            result['unreachable'] = True
        else:
            result['failed'] = True
    else:
        result.update(reply['result'])
        result.pop('failed', None)
    if read_only:
        result['changed'] = False
    return result


def shape_module_result(result, read_only):
    """Map a module's own result (module mode) the same way: transport failures are UNREACHABLE."""
    result = dict(result)
    if result.get('failed') and result.get('wsman_error_kind') == 'transport':
        result.pop('failed', None)
        result['unreachable'] = True
    if read_only:
        result['changed'] = False
    return result


def _display_messages(messages, host):
    """Show what the persistent process queued (as ansible-connection would have), at its verbosity."""
    for level, message in messages or ():
        if level == 'log':
            display.display(message, log_only=True)
        elif level in ('debug', 'v', 'vv', 'vvv', 'vvvv', 'vvvvv', 'vvvvvv'):
            getattr(display, level)(message, host=host)
        elif level == 'warning':
            display.warning(message)
        else:
            display.vvvv(message, host=host)


# options naming a file the module writes on the host that runs it (with the wsman connection: the controller)
_CONTROLLER_PATH_OPTIONS = ('dest',)


def absolute_controller_paths(params, basedir):
    """Make relative file paths absolute against ``basedir``, the loader's base directory (wsman connection).

    Ansible runs a module on localhost in that directory (the playbook's directory; for ad-hoc commands
    ``--playbook-dir``, else the current one), and ``ansible.builtin.fetch`` resolves a relative ``dest`` against it
    too. The persistent connection process runs in ``/``, so the path is made absolute here, before the task is
    handed to it. The path is joined, not normalized: a trailing separator stays for the module to refuse.
    """
    for name in _CONTROLLER_PATH_OPTIONS:
        value = params.get(name)
        if isinstance(value, str) and value and not os.path.isabs(value):
            params[name] = os.path.join(os.path.abspath(basedir or '.'), value)


# the option names in the messages of ansible-core's argument-spec errors, by error class
_SPEC_ERROR_NAMES = (
    ('RequiredError', re.compile(r'missing required arguments: (?P<names>.+)$')),
    ('UnsupportedError', re.compile(r'^(?:Unsupported parameters for .*?: )?(?P<names>.+?)\. Supported parameters')),
    ('MutuallyExclusiveError', re.compile(r'mutually exclusive: (?P<names>.+)$')),
    ('RequiredByError', re.compile(r"required by '[^']*': (?P<names>.+)$")),
    ('RequiredIfError', re.compile(r'missing: (?P<names>.+)$')),
    ('RequiredTogetherError', re.compile(r'must be used together: (?P<names>.+)$')),
    ('RequiredOneOfError', re.compile(r'one of the following is required: (?P<names>.+)$')),
    ('ArgumentTypeError', re.compile(r"argument '(?P<names>[^']+)' is of type")),
    ('ArgumentValueError', re.compile(r'value of (?P<names>\S+) must be one of')),
    ('ElementError', re.compile(r"Elements value for option '(?P<names>[^']+)'")),
)


def _spec_error_options(errors):
    """The options the argument-spec errors name, in order (an empty list where a message cannot be read)."""
    names = []
    for error in errors or ():
        message = str(getattr(error, 'error_message', error))
        for class_name, pattern in _SPEC_ERROR_NAMES:
            if type(error).__name__ != class_name:
                continue
            match = pattern.search(message)
            if match:
                for name in re.split(r'[|,]\s*', match.group('names')):
                    name = name.strip().strip("'")
                    if name and name not in names:
                        names.append(name)
    return names


def ignored_arguments_warning(ignored):
    """The warning for session arguments given on a task that runs on the wsman connection (they are ignored)."""
    variables = []
    for name in ignored:
        variable = '%s for %s' % (host_variable(name), name)
        if name == 'connection':
            variable += ' (or ansible_host and ansible_port)'
        variables.append(variable)
    return ('The task runs on the wsman connection, so its session comes from the host variables; these task arguments '
            'are ignored: %s. Set the host variables instead (%s), or run the task with another connection (for example '
            'delegate_to: localhost).' % (', '.join(ignored), ', '.join(variables)))


def validation_failure(module_name, messages, errors=None):
    """The result of a task whose arguments fail the module's argument spec (nothing was sent).

    ``wsman_error_code`` is E_INVALIDARG, as the library reports a wrong argument without a WinRM code of its own;
    ``wsman_argument`` names the option when one option is at fault.
    """
    result = {
        'failed': True,
        'changed': False,
        'wsman_error_kind': 'validation',
        'wsman_error_code': E_INVALIDARG,
        'msg': 'Invalid arguments for %s.%s: %s' % (COLLECTION, module_name, '; '.join(messages)),
    }
    names = _spec_error_options(errors)
    if len(names) == 1:
        result['wsman_argument'] = names[0]
    return result


def missing_connection_failure(module_name):
    """Module mode without ``connection``: almost always a forgotten option, so it is refused before anything else."""
    return {
        'failed': True,
        'changed': False,
        'wsman_error_kind': 'validation',
        'wsman_error_code': E_INVALIDARG,
        'wsman_argument': 'connection',
        'msg': 'Invalid arguments for %s.%s, nothing was sent: connection is not set, and the task does not run on the '
               'wsman.automation.wsman connection, so there is no WS-Management service to talk to. Set connection to the '
               "service's connection string (for example connection: https://win1.example.com:5986/wsman, or -a "
               '"connection=win1.example.com ..." in an ad-hoc command) together with flags, username and password; or run '
               'the task on an inventory host with ansible_connection: wsman.automation.wsman, where the host variables '
               '(ansible_host or ansible_wsman_connection, ansible_user, ansible_password, ansible_wsman_flags) give the '
               'session. For a local session on purpose (the service of the host that runs the module, with its own '
               'credentials) set connection to an empty string.' % (COLLECTION, module_name),
    }


class WSManActionBase(ActionBase):
    """Validate a wsman_* task, then run it over the host's persistent session or as a normal module."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False
    _requires_connection = True

    # set by each action plugin
    _wsman_module = None
    _read_only = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        module_name = self._wsman_module
        if module_name not in ARGUMENT_SPECS:
            raise ValueError('unknown wsman module %r' % module_name)

        args = dict(self._task.args)
        warnings = []
        persistent = uses_wsman_connection(self._connection)
        argument_spec = ARGUMENT_SPECS[module_name]['argument_spec']

        if persistent:
            ignored = sorted(name for name in args if name in SESSION_IDENTITY_OPTIONS)
            if ignored:
                warnings.append(ignored_arguments_warning(ignored))
                for name in ignored:
                    args.pop(name)
            for name, value in task_defaults(self._connection.get_option).items():
                if name in argument_spec and name not in args:
                    args[name] = value

        validator = ArgumentSpecValidator(**validator_kwargs(module_name))
        validation = validator.validate(args)
        no_log_values = set(validation._no_log_values) | secret_property_values(args)
        for option in _SECRET_CONNECTION_OPTIONS:
            value = self._connection_option(option)
            if isinstance(value, str) and value:
                no_log_values.add(value)

        if validation.error_messages:
            result.update(validation_failure(module_name, validation.error_messages, validation.errors.errors))
            return remove_values(result, no_log_values)
        if not persistent and validation.validated_parameters.get('connection') is None:
            result.update(missing_connection_failure(module_name))
            return remove_values(result, no_log_values)
        params = validation.validated_parameters
        # a read-only module does not change the target, but the file it writes with dest (wsman_enumerate) may change
        read_only = self._read_only and not params.get('dest')
        warnings.extend(str(w.get('warning', w)) if isinstance(w, dict) else str(w) for w in validation._warnings)

        if persistent:
            for name in SESSION_IDENTITY_OPTIONS:
                if name in params:
                    params[name] = None
            absolute_controller_paths(params, self._loader.get_basedir())
            outcome = self._run_over_socket(module_name, params, read_only)
        else:
            early = self._check_session_options(params)
            if early is not None:
                outcome = early
            else:
                module_result = self._execute_module(module_name='%s.%s' % (COLLECTION, module_name), module_args=args,
                                                     task_vars=task_vars)
                outcome = shape_module_result(module_result, read_only)

        result.update(outcome)
        if warnings:
            result['warnings'] = list(result.get('warnings') or []) + warnings
        return remove_values(result, no_log_values)

    def _connection_option(self, name):
        try:
            return self._connection.get_option(name)
        except KeyError:
            return None

    def _check_session_options(self, params):
        """Module mode: build the (lazy) session on the controller so bad session options fail before any traffic."""
        try:
            from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params
            from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManError
            from ansible_collections.wsman.automation.plugins.module_utils._task_runner import error_result
        except ImportError:
            return None  # the module itself reports the missing library
        try:
            session = session_from_params(params)
        except ImportError:
            return None  # the module itself reports the missing library
        except WSManError as exc:
            outcome = error_result(exc, params)
            outcome.setdefault('wsman_error_kind', 'validation')
            outcome['failed'] = True
            outcome['changed'] = False
            return outcome
        close = getattr(session, 'close', None)
        if close is not None:
            close()
        return None

    def _run_over_socket(self, module_name, params, read_only):
        digest = self._connection.options_digest()
        try:
            socket = Connection(self._connection.control_socket(self._task._uuid))
            reply = socket.wsman_task(
                module_name, params, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff), options_digest=digest)
            _display_messages(socket.pop_messages(), self._play_context.remote_addr)
        except SocketConnectionError as exc:
            return {
                'failed': True,
                'changed': False,
                'wsman_error_kind': 'internal',
                'msg': 'The wsman connection process for %s did not answer: %s. If the task ran longer than '
                       'persistent_command_timeout (ansible_command_timeout), raise that value.'
                       % (self._play_context.remote_addr, exc),
            }
        return shape_reply(reply, read_only)
