# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The work of each wsman_* module on a given Session (FOR INTERNAL COLLECTION USE ONLY).

``run_task(module_name, params, session, check_mode=False, diff=False) -> dict`` is called by the
modules' ``main()`` (with a session built by ``session_from_params``) and by the ``wsman``
connection plugin process (with the host's session). It returns the task result without
``failed``; every library error propagates, and ``error_result(exc)`` turns it into the data of a
failed (or unreachable) result.

``params`` must already be validated against ``ARGUMENT_SPECS[module_name]`` (defaults filled in).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile

from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManAuthenticationError,
    WSManError,
    WSManFault,
    WSManInvalidArgumentError,
    WSManProtocolError,
    WSManTransportError,
    error_name,
)
from ansible_collections.wsman.automation.plugins.module_utils._instance_diff import (
    PropertyNameError,
    UnknownPropertyError,
    compare,
    diff_view,
    patch,
)
from ansible_collections.wsman.automation.plugins.module_utils._module_args import (
    DEFAULT_BATCH_ITEMS,
    SECRET_PROPERTY_NAME,
    secret_property_values,
)
from ansible_collections.wsman.automation.plugins.module_utils import _wsman_calls as calls


# Fault codes that mean "this instance does not exist" when wsman_instance Gets it:
# ERROR_WSMAN_RESOURCE_NOT_FOUND (facts section 9.2) and WMI's WBEM_E_NOT_FOUND (0x80041002),
# which the WMI plug-in reports for a key that matches nothing.
WBEM_E_NOT_FOUND = 0x80041002
NOT_FOUND_CODES = frozenset((0x80338000, WBEM_E_NOT_FOUND))
# ERROR_WSMAN_DESTINATION_UNREACHABLE with wsa:DestinationUnreachable is what Windows answers for a
# Get of a configuration instance (a listener, a plug-in) that does not exist.
NOT_FOUND_SUBCODES = frozenset(('DestinationUnreachable',))

DIALECTS = calls.DIALECT_ALIASES
# The smallest MaxEnvelopeSize the library sends (8192 bytes; ERROR_WSMAN_ENCODING_LIMIT below that).
MIN_ENVELOPE_KB = 8
_ABSOLUTE_URI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:\S')


class TaskInputError(WSManInvalidArgumentError):
    """A task option is invalid for a reason only the module layer can see (nothing was sent)."""


# ---------------------------------------------------------------------------------------------
# error results

def _hex(code):
    return '0x%08X' % (int(code) & 0xFFFFFFFF)


def _endpoint_of(exc):
    return getattr(exc, 'endpoint', None) or ''


# What a task author can change for the faults people meet most (docs/docsite/rst/guide_errors.rst has more).
FAULT_HINTS = {
    0x80338137: 'the service does not support the hierarchy option; remove hierarchy (or set it to deep).',
    0x803380FA: 'give every key selector of the class in selectors (Get needs one instance), or use wsman_enumerate.',
    0x803380FB: 'a WQL filter needs a resource_uri ending in /* (for example wmicimv2/*) and no selectors.',
    0x8033803B: 'check resource_uri: an alias such as wmicimv2/Win32_Service or winrm/config/service, or a full URI.',
    0x80338029: 'the operation took longer than timeout; raise timeout (milliseconds).',
    0x80338035: 'the reply would exceed max_envelope_size; raise max_envelope_size (KB) or lower batch_items.',
    0x8033805A: 'give all the key selectors of the class in selectors.',
    0x8033805B: 'remove the selectors the class does not have (names are case-sensitive).',
    0x80338086: 'the service does not support return_type epr or object_and_epr; use object.',
    0x80338093: 'check fragment: the property names in a fragment path are case-sensitive (for example Name, not name), '
                'and an array element is written with a 1-based index such as DNSServerSearchOrder[1].',
}
# Access denied after a successful logon (w:AccessDenied; WSManFault Code 5, ERROR_ACCESS_DENIED; some services send
# the HRESULT E_ACCESSDENIED): the account is not allowed to use WinRM or this resource (facts §10 RootSDDL, R10, R11).
_ACCESS_DENIED_HINT = (
    'the account logged on but may not use this resource. Use an account that is a member of the local Administrators '
    'group of the target (in a workgroup, a local account other than the built-in Administrator also needs '
    'LocalAccountTokenFilterPolicy=1, R11), or grant the account access: membership of Remote Management Users '
    '(WinRMRemoteWMIUsers__ on Windows 8 / Server 2012) or an entry in the WinRM RootSDDL or the plug-in\'s SDDL '
    '(winrm configSDDL default), and access to the WMI namespace for WMI classes.')
FAULT_HINTS[0x00000005] = _ACCESS_DENIED_HINT
FAULT_HINTS[0x80070005] = _ACCESS_DENIED_HINT


# Library names (ConnectionOptions attributes, ClientConfig settings, proxy constants) that reach messages, and the
# module options a task author sets for them. "trusted_hosts (ClientConfig.trusted_hosts)" becomes "trusted_hosts".
_MODULE_OPTION_NAMES = {
    'certificate_pem': 'client_cert',
    'certificate_key_pem': 'client_key',
    'proxy_authentication': 'proxy_auth',
    'ClientConfig.trusted_hosts': 'trusted_hosts',
    'ClientConfig.allow_unencrypted': 'allow_unencrypted',
    'ClientConfig.domain_joined': 'domain_joined',
    'ProxyNoProxyServer': 'proxy_access_type: no_proxy',
}
_LIBRARY_NAME = re.compile(r'(?<![\w.])(?:(\w+) \(ClientConfig\.\1\)|(%s))(?!\w)'
                           % '|'.join(re.escape(name) for name in _MODULE_OPTION_NAMES))
# Module options that messages name as such (never words of prose), for settings_names (e.g. host variables).
_OPTION_WORDS = ('client_cert', 'client_key', 'ca_file', 'crl_file', 'proxy_access_type', 'proxy_auth', 'proxy_username',
                 'proxy_password', 'trusted_hosts', 'allow_unencrypted', 'domain_joined')
_OPTION_WORD = re.compile(r'(?<![\w.])(%s)(?!\w)' % '|'.join(_OPTION_WORDS))
_CREDENTIAL_WORDS = re.compile(r'\busername and password\b')

# What "connection_options" (the library's argument for the ConnectionOptions object as a whole) stands for, by the
# error: the module options that may have caused it, the first one the task set being named.
_CONNECTION_OPTION_ARGUMENTS = {
    0x803380B8: ('username', 'password'),                                           # R21 LOCAL_INVALID_CREDS
    0x803380B9: ('client_cert', 'client_key', 'ca_file', 'crl_file', 'proxy_access_type', 'proxy', 'proxy_auth',
                 'proxy_username', 'proxy_password'),                               # R21 LOCAL_INVALID_CONNECTION_OPTIONS
    0x80338144: ('username', 'password'),                                           # R12 MULTIPLE_CREDENTIALS (with client_cert)
}


def _module_names(text, settings_names=None):
    """``text`` with the library's names replaced by the module options (or, with ``settings_names``, by the names the
    user sets them with, e.g. ``{'trusted_hosts': 'ansible_wsman_trusted_hosts'}`` for the wsman connection)."""
    def library(match):
        return match.group(1) or _MODULE_OPTION_NAMES[match.group(2)]

    text = _LIBRARY_NAME.sub(library, text)
    if settings_names:
        text = _OPTION_WORD.sub(lambda match: settings_names.get(match.group(1), match.group(1)), text)
        if settings_names.get('username') and settings_names.get('password'):
            text = _CREDENTIAL_WORDS.sub('%s and %s' % (settings_names['username'], settings_names['password']), text)
    return text


def _connection_options_argument(exc, params):
    """The module option behind an error the library reports for ``connection_options`` as a whole."""
    candidates = _CONNECTION_OPTION_ARGUMENTS.get(getattr(exc, 'code', 0), ('username', 'password'))
    given = [name for name in candidates if params and params.get(name) not in (None, '')]
    return (given or candidates)[0]


def error_result(exc, params=None, settings_names=None):
    """The data of a failed task for a library error.

    ``params`` are the task's options (they tell which option an error about the connection options as a whole is
    about); ``settings_names`` maps module options to the names the user sets them with where that is not the
    module option (the wsman connection's host variables), for the fix texts of validation and transport errors.

    ``msg`` names the endpoint, the error code (decimal and hex, with the Windows name) and the
    reason; ``wsman_error_code`` is the code (0 if none), ``wsman_error_kind`` one of
    ``validation`` (bad input, nothing sent), ``transport`` (the host could not be reached or
    refused the credentials: the action plugin makes the host UNREACHABLE), ``protocol`` (the
    service answered something that is not WS-Management) and ``fault`` (a SOAP fault, which is
    also returned as ``wsman_fault``).
    """
    code = int(getattr(exc, 'code', 0) or 0)
    result = {'wsman_error_code': code}
    endpoint = _endpoint_of(exc)
    name = error_name(code) if code else None
    code_text = ''
    if code:
        code_text = '%s%d (%s)' % ((name + ' ') if name else '', code, _hex(code))

    if isinstance(exc, WSManFault):
        fault = exc.to_dict()
        result['wsman_error_kind'] = 'fault'
        result['wsman_fault'] = fault
        reason = (exc.fault_message or exc.reason or '').strip()
        if exc.provider_fault and exc.provider_fault.strip() and exc.provider_fault.strip() not in reason:
            reason = (reason + ' Provider: ' + exc.provider_fault.strip()).strip()
        wmi_message = (exc.wmi_error or {}).get('Message') if isinstance(exc.wmi_error, dict) else None
        wmi_code = _wmi_code(exc)
        if wmi_message and wmi_message.strip() and wmi_message.strip() not in reason:
            reason = (reason + ' WMI: ' + wmi_message.strip()).strip()
            if wmi_code is not None:
                reason += ' (%s)' % _hex(wmi_code)
        if not reason:
            reason = str(exc)
        parts = ['WS-Management fault from %s' % (endpoint or 'the service')]
        details = [item for item in (code_text, exc.soap_subcode or exc.soap_code) if item]
        if details:
            parts.append('[%s]' % ', '.join(str(item) for item in details))
        if exc.machine:
            parts.append('on machine %s' % exc.machine)
        result['msg'] = '%s: %s' % (' '.join(parts), reason)
        hint = FAULT_HINTS.get(code)
        if hint:
            result['wsman_hint'] = hint
            result['msg'] += ' What to do: ' + hint
        return result

    if isinstance(exc, WSManTransportError):
        result['wsman_error_kind'] = 'transport'
        if isinstance(exc, WSManAuthenticationError):
            result['wsman_error_subkind'] = 'authentication'
        if getattr(exc, 'http_status', None) is not None:
            result['http_status'] = exc.http_status
        head = 'Cannot talk to the WS-Management service at %s' % (endpoint or 'the endpoint')
        if isinstance(exc, WSManAuthenticationError):
            head = 'The WS-Management service at %s refused the authentication' % (endpoint or 'the endpoint')
    elif isinstance(exc, WSManProtocolError):
        result['wsman_error_kind'] = 'protocol'
        if getattr(exc, 'http_status', None) is not None:
            result['http_status'] = exc.http_status
        head = 'The service at %s did not answer with a valid WS-Management reply' % (endpoint or 'the endpoint')
    else:
        result['wsman_error_kind'] = 'validation'
        argument = getattr(exc, 'argument', None)
        rule = getattr(exc, 'rule', None)
        if argument:
            result['wsman_argument'] = argument
        if rule:
            result['wsman_rule'] = rule
        head = 'Invalid task options, nothing was sent'
    message = _module_names(str(exc).strip(), settings_names)
    if result.get('wsman_argument') == 'connection_options':
        # not an option a task author can set: name the option the task set that the rule refuses
        result['wsman_argument'] = _connection_options_argument(exc, params)
    elif result.get('wsman_argument'):
        result['wsman_argument'] = _module_names(result['wsman_argument'])
    if result.get('wsman_argument') and message.startswith('connection_options:'):
        message = result['wsman_argument'] + message[len('connection_options'):]
    if code_text and str(code) not in message:
        message = '%s %s' % (code_text, message)
    result['msg'] = '%s: %s' % (head, message) if message else head
    return result


# ---------------------------------------------------------------------------------------------
# per-task session properties

@contextlib.contextmanager
def _operation_settings(session, params):
    """Apply timeout/locale/max_envelope_size/batch_items for one task, then restore them."""
    wanted = {}
    if params.get('timeout') is not None:
        wanted['timeout'] = params['timeout']
    if params.get('locale'):
        wanted['locale'] = params['locale']
    if params.get('max_envelope_size') is not None:
        size_kb = int(params['max_envelope_size'])
        if size_kb < MIN_ENVELOPE_KB:
            raise TaskInputError('max_envelope_size: must be at least %d (KB), got %d' % (MIN_ENVELOPE_KB, size_kb),
                                 code='ERROR_WSMAN_ENCODING_LIMIT', argument='max_envelope_size',
                                 fix='Give the size in KB, for example 150 or 500.')
        wanted['max_envelope_size'] = size_kb * 1024
    batch_items = params.get('batch_items')
    wanted['batch_items'] = DEFAULT_BATCH_ITEMS if batch_items is None else batch_items
    saved = {}
    try:
        for name, value in wanted.items():
            saved[name] = getattr(session, name)
            try:
                setattr(session, name, value)
            except (TypeError, ValueError) as exc:
                raise TaskInputError('%s: %s' % (name, exc), argument=name) from None
        yield
    finally:
        for name, value in saved.items():
            try:
                setattr(session, name, value)
            except (WSManError, TypeError, ValueError):
                pass


# ---------------------------------------------------------------------------------------------
# modules

def _with_xml(result, params, element):
    if params.get('return_xml') and element is not None:
        result['xml'] = calls.to_text(element)
    return result


def _identify(params, session, check_mode, diff):
    element = calls.identify(session)
    return _with_xml({'changed': False, 'identity': calls.identity_to_dict(element)}, params, element)


def _get(params, session, check_mode, diff):
    locator = calls.build_locator(params)
    element = calls.get(session, locator)
    result = {'changed': False}
    if params.get('fragment'):
        value = calls.fragment_value(element)
        if isinstance(value, dict):
            result['instance'] = value
        else:
            result['instance'] = {}
            result['value'] = value
    else:
        result['instance'] = calls.instance_to_dict(element)
    return _with_xml(result, params, element)


def _enumeration_flags(params):
    flags = calls.RETURN_TYPE_FLAGS[params.get('return_type') or 'object']
    flags |= calls.HIERARCHY_FLAGS[params.get('hierarchy') or 'deep']
    if params.get('associations'):
        flags |= calls.ASSOCIATION_INSTANCE_FLAG
    return flags


def _dialect(params):
    filter_value = params.get('filter')
    dialect = params.get('dialect')
    if filter_value is None:
        if params.get('associations'):
            raise TaskInputError('associations: needs a filter with dialect=association (the Object to start from)',
                                 argument='associations')
        return None, None
    if dialect is None:
        # winrm.vbs defaults to WQL when a filter is given; a dict can only be a selector filter.
        dialect = 'selector' if isinstance(filter_value, dict) else 'wql'
    uri = DIALECTS.get(dialect.lower(), dialect) if isinstance(dialect, str) else dialect
    if dialect.lower() not in DIALECTS and not _ABSOLUTE_URI.match(dialect):
        raise TaskInputError(
            "dialect: %r is neither one of %s nor a dialect URI; use an alias or a full URI such as %s"
            % (dialect, ', '.join(sorted(DIALECTS)), DIALECTS['wql']), argument='dialect')
    if params.get('associations') and uri != DIALECTS['association']:
        raise TaskInputError('associations: valid only with dialect=association (winrm.vbs rejects -associations with any other dialect)',
                             argument='associations')
    if isinstance(filter_value, dict):
        if uri not in (DIALECTS['selector'], DIALECTS['association']):
            raise TaskInputError('filter: a dict is a selector or association filter; with dialect %s give the filter as a string' % dialect,
                                 argument='filter')
    elif not isinstance(filter_value, str):
        raise TaskInputError('filter: give a string (a WQL query, for example) or, for the selector and association dialects, a dict',
                             argument='filter')
    return filter_value, uri


def _check_positive(params, option, minimum=1):
    value = params.get(option)
    if value is not None and value < minimum:
        raise TaskInputError('%s: must be at least %d, got %d' % (option, minimum, value), argument=option)


class _JsonLinesFile:
    """Write items to ``dest`` as JSON Lines through a temporary file renamed at the end.

    The content is hashed as it is written, so that ``commit`` can tell whether ``dest`` already held exactly
    these bytes (then ``dest`` is left untouched and nothing changed, as ansible.builtin.copy does). With
    ``write=False`` (check mode) nothing is written: the items are only hashed, and ``commit`` says whether
    writing them would change ``dest``.
    """

    def __init__(self, dest, write=True):
        self.dest = dest
        self.digest = hashlib.sha256()
        self.size = 0
        self.file = None
        self.tmp_path = None
        if not write:
            return
        directory = os.path.dirname(os.path.abspath(dest)) or '.'
        if os.path.isdir(dest):
            raise TaskInputError('dest: %s is a directory; give the path of the file to write' % dest, argument='dest')
        if not os.path.isdir(directory):
            raise TaskInputError('dest: the directory %s does not exist on the host that runs the task' % directory, argument='dest')
        try:
            handle, self.tmp_path = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), suffix='.tmp', dir=directory)
        except OSError as exc:
            raise TaskInputError('dest: cannot create a file in %s (%s)' % (directory, exc.strerror), argument='dest') from None
        self.file = os.fdopen(handle, 'wb')

    def write(self, item):
        line = (json.dumps(item, sort_keys=False, ensure_ascii=False) + '\n').encode('utf-8')
        self.digest.update(line)
        self.size += len(line)
        if self.file is None:
            return
        try:
            self.file.write(line)
        except OSError as exc:
            raise TaskInputError('dest: cannot write to %s (%s)' % (self.dest, exc.strerror), argument='dest') from None

    def _same_as_dest(self):
        """Whether ``dest`` is a regular file holding exactly the bytes written (read only if the sizes agree)."""
        try:
            if not os.path.isfile(self.dest) or os.path.getsize(self.dest) != self.size:
                return False
            existing = hashlib.sha256()
            with open(self.dest, 'rb') as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b''):
                    existing.update(chunk)
        except OSError:
            return False  # unreadable: writing it is a change
        return existing.digest() == self.digest.digest()

    def commit(self):
        """Replace ``dest`` unless it already has this content; return whether it changed (would change)."""
        changed = not self._same_as_dest()
        if self.file is None:
            return changed
        try:
            self.file.close()
            if changed:
                os.replace(self.tmp_path, self.dest)
            else:
                os.unlink(self.tmp_path)
        except OSError as exc:
            self.abort()
            raise TaskInputError('dest: cannot replace %s (%s)' % (self.dest, exc.strerror), argument='dest') from None
        return changed

    def abort(self):
        if self.file is None:
            return
        try:
            if not self.file.closed:
                self.file.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp_path)
        except OSError:
            pass


def _enumerate(params, session, check_mode, diff):
    _check_positive(params, 'max_items')
    _check_positive(params, 'batch_items')
    filter_value, dialect = _dialect(params)
    locator = calls.build_locator(params)
    flags = _enumeration_flags(params)
    max_items = params.get('max_items')
    dest = params.get('dest')
    if dest:
        if dest.endswith(os.sep):  # abspath would drop the separator and write a file where a directory was named
            raise TaskInputError('dest: %s ends with "%s", so it names a directory; give the path of the file to write, '
                                 'for example %sitems.jsonl' % (dest, os.sep, dest), argument='dest')
        # relative to the working directory of the module (Ansible runs a module on localhost in the playbook's
        # directory; with the wsman connection the action plugin has already made it absolute against that directory)
        dest = os.path.abspath(dest)
    return_xml = params.get('return_xml')
    if max_items is not None and session.batch_items > max_items:
        # Ask for no more than needed; one extra item tells whether the enumeration was cut short.
        session.batch_items = max_items + 1

    writer = _JsonLinesFile(dest, write=not check_mode) if dest else None
    items = [] if not dest else None
    xml_items = [] if return_xml else None
    count = 0
    truncated = False
    try:
        enumerator = calls.enumerate(session, locator, filter_value, dialect, flags)
        try:
            while True:
                element = enumerator.read_element()
                if element is None:
                    break
                if max_items is not None and count >= max_items:
                    truncated = True
                    break
                item = calls.item_to_dict(element)
                count += 1
                if writer is not None:
                    writer.write(item)
                elif items is not None:
                    items.append(item)
                if xml_items is not None:
                    xml_items.append(calls.to_text(element))
        finally:
            # Sends Release when the service still holds the context (max_items reached, an error).
            enumerator.close()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    # a file that already held exactly these items is not rewritten: changed only when its content changes
    changed = writer.commit() if writer is not None else False

    result = {'changed': changed, 'count': count}
    if max_items is not None:
        result['truncated'] = truncated
    if dest:
        result['dest'] = dest
        if check_mode:
            result['msg'] = 'Check mode: %d items enumerated, %s was not written (%s)' % (
                count, dest, 'it would change' if changed else 'it already holds these items')
    else:
        result['items'] = items
    if xml_items is not None:
        result['xml'] = xml_items
    return result


def _invoke(params, session, check_mode, diff):
    locator = calls.build_locator(params)
    action = params['action']
    if check_mode:
        # Nothing tells whether a method changes anything, and running it to find out would.
        return {
            'changed': False,
            'skipped': True,
            'msg': 'Check mode: the method %s of %s was not invoked' % (action, params['resource_uri']),
        }
    element = calls.invoke(session, action, locator, params.get('parameters') or {})
    return _with_xml({'changed': True, 'output': calls.instance_to_dict(element)}, params, element)


def _wmi_code(exc):
    wmi = exc.wmi_error if isinstance(exc.wmi_error, dict) else {}
    for key in ('error_Code', 'error_code'):
        try:
            return int(str(wmi.get(key)).strip(), 0) & 0xFFFFFFFF
        except (TypeError, ValueError):
            continue
    return None


def _is_not_found(exc):
    """Whether a fault of the Get of wsman_instance means "no such instance" (then Create is right)."""
    if not isinstance(exc, WSManFault):
        return False
    wmi_code = _wmi_code(exc)
    if wmi_code is not None:
        # The WMI plug-in says why: only WBEM_E_NOT_FOUND is a missing instance (an invalid class, which
        # Windows also reports as ERROR_WSMAN_RESOURCE_NOT_FOUND, is not).
        return wmi_code == WBEM_E_NOT_FOUND
    if exc.code in NOT_FOUND_CODES:
        return True
    subcode = (exc.soap_subcode or '').rsplit(':', 1)[-1].rsplit('}', 1)[-1]
    return subcode in NOT_FOUND_SUBCODES and exc.code in (0, 0x80338012)


def _instance(params, session, check_mode, diff):
    if params.get('fragment'):
        raise TaskInputError('fragment: wsman_instance manages whole instances; use wsman_get with a fragment to read one, '
                             'and properties to change only some', argument='fragment')
    locator = calls.build_locator(params)
    state = params.get('state') or 'present'
    desired = params.get('properties') or {}
    try:
        current_element = calls.get(session, locator)
        current = calls.instance_to_dict(current_element)
    except WSManFault as exc:
        if not _is_not_found(exc):
            raise
        current_element, current = None, None

    result = {'changed': False}
    if state == 'absent':
        if desired:
            result['warnings'] = ['properties are ignored with state=absent: the whole instance is deleted (%s)'
                                  % ', '.join(sorted(desired))]
        if current is not None:
            if not check_mode:
                calls.delete(session, locator)
            result['changed'] = True
        result['instance'] = {}
        if diff:
            result['diff'] = {'before': diff_view(current), 'after': {}}
        return result

    if current is None:
        after = dict(desired)
        if not check_mode:
            reply = calls.create(session, locator, desired)
            result['created'] = calls.epr_of(reply)
            try:
                created = calls.get(session, locator)
                after = calls.instance_to_dict(created)
                _with_xml(result, params, created)
            except WSManFault as exc:
                # Some services create instances a Get cannot find under the given selectors.
                if not _is_not_found(exc):
                    raise
        result['changed'] = True
        result['instance'] = after
        if diff:
            result['diff'] = {'before': {}, 'after': diff_view(after)}
        return result

    try:
        # A property the instance lacks is refused where the Get shows every property (WMI, the fixed winrm/config sections).
        changes = compare(desired, current, resource_uri=locator.resource_uri)
    except UnknownPropertyError as exc:
        raise TaskInputError(exc.problem, code=exc.code, argument=exc.argument, fix=exc.fix)
    except PropertyNameError as exc:
        raise TaskInputError(exc.message, argument=exc.argument)
    if not changes:
        result['instance'] = current
        _with_xml(result, params, current_element)
        if diff:
            view = diff_view(current)
            result['diff'] = {'before': view, 'after': view}
        return result

    wanted = patch(current, changes)
    after = wanted
    if not check_mode:
        # WMI needs the whole instance in a Put (session-put.md); the WinRM configuration plug-in
        # merges what it is sent and refuses keys and read-only settings, so it gets only the changes,
        # as `winrm set` sends them.
        body = changes if calls.is_config_resource(locator) else wanted
        reply = calls.put(session, locator, body, current_element)
        if reply is not None:
            after = calls.instance_to_dict(reply)
            _with_xml(result, params, reply)
    result['changed'] = True
    result['changed_properties'] = sorted(changes)
    result['instance'] = after
    if diff:
        result['diff'] = {'before': diff_view(current), 'after': diff_view(after)}
    return result


_HANDLERS = dict(
    wsman_identify=_identify,
    wsman_get=_get,
    wsman_enumerate=_enumerate,
    wsman_invoke=_invoke,
    wsman_instance=_instance,
)


def run_task(module_name, params, session, check_mode=False, diff=False):
    """Run module ``module_name`` with validated ``params`` on ``session``; return the result dict.

    Raises the library's errors (``WSManFault``, ``WSManTransportError``, ...); see ``error_result``.
    """
    try:
        handler = _HANDLERS[module_name]
    except KeyError:
        raise TaskInputError('module %r is not one of %s' % (module_name, ', '.join(sorted(_HANDLERS))), argument='module_name')
    with _operation_settings(session, params):
        result = handler(params, session, bool(check_mode), bool(diff))
    return _mask_secret_properties(result, params)


MASK = '********'


def _mask_secret_properties(result, params):
    """Hide the values of secret-looking properties (``SECRET_PROPERTY_NAME``) wherever the result shows them."""
    secrets = secret_property_values(params)

    def walk(value):
        if isinstance(value, dict):
            return dict((key, MASK if isinstance(key, str) and SECRET_PROPERTY_NAME.search(key) and item not in (None, '')
                         else walk(item)) for key, item in value.items())
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str) and secrets:
            for secret in secrets:
                value = value.replace(secret, MASK)
        return value

    return walk(result)
