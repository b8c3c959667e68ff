# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specifications of the wsman_* modules (FOR INTERNAL COLLECTION USE ONLY).

Every dict here is kept side by side with a doc fragment; ``validate-modules`` cross-checks
them, so change both together:

* ``SESSION_ARGUMENT_SPEC``  <->  ``plugins/doc_fragments/session.py``
* ``RESOURCE_ARGUMENT_SPEC`` <->  ``plugins/doc_fragments/resource.py``
* ``RETURN_XML_ARGUMENT_SPEC`` <-> ``plugins/doc_fragments/return_xml.py``

``ARGUMENT_SPECS[module_name]`` is what both the module (``AnsibleModule(**spec)``) and the
action plugin (argument validation on the controller) use.

This file imports nothing but ansible-core at import time, so the argument specifications can
be read where lxml or pywinrm is missing; ``session_from_params`` imports the library when it
is called.
"""

from __future__ import annotations

import copy
import re

from ansible.module_utils.basic import env_fallback


MODULE_NAMES = ('wsman_identify', 'wsman_get', 'wsman_enumerate', 'wsman_invoke', 'wsman_instance')

# The number of items the modules ask for per Pull when the task does not say. The library's
# own default is Windows' documented Session.BatchItems default of 20 (facts section 5.2); a
# larger batch means fewer round trips for the inventory-sized enumerations tasks usually do.
DEFAULT_BATCH_ITEMS = 100

# Session options that choose WHICH session is built (connection string, credentials, TLS,
# proxy, machine configuration). With the wsman connection these come from the host's
# connection settings, not from the task.
SESSION_IDENTITY_OPTIONS = (
    'connection', 'flags', 'username', 'password', 'ca_file', 'crl_file', 'client_cert',
    'client_key', 'proxy_access_type', 'proxy', 'proxy_auth', 'proxy_username',
    'proxy_password', 'trusted_hosts', 'allow_unencrypted', 'domain_joined',
)

# Session options that are properties of a session and apply to one task's operations (like
# Session.Timeout and Session.BatchItems in Windows, which may be set before each operation).
SESSION_OPERATION_OPTIONS = ('timeout', 'locale', 'max_envelope_size', 'batch_items')

SESSION_ARGUMENT_SPEC = dict(
    connection=dict(type='str'),
    flags=dict(type='raw'),
    username=dict(type='str', fallback=(env_fallback, ['WSMAN_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['WSMAN_PASSWORD'])),
    ca_file=dict(type='path'),
    crl_file=dict(type='path'),
    client_cert=dict(type='path'),
    client_key=dict(type='path', no_log=False),
    proxy_access_type=dict(type='str', choices=['ie_settings', 'winhttp_settings', 'auto_detect', 'no_proxy']),
    proxy=dict(type='str'),
    proxy_auth=dict(type='str', choices=['basic', 'digest', 'negotiate']),
    proxy_username=dict(type='str'),
    proxy_password=dict(type='str', no_log=True, fallback=(env_fallback, ['WSMAN_PROXY_PASSWORD'])),
    trusted_hosts=dict(type='str', default=''),
    allow_unencrypted=dict(type='bool', default=False),
    domain_joined=dict(type='bool', default=False),
    timeout=dict(type='int'),
    locale=dict(type='str'),
    max_envelope_size=dict(type='int'),
    batch_items=dict(type='int', default=DEFAULT_BATCH_ITEMS),
)

RESOURCE_ARGUMENT_SPEC = dict(
    resource_uri=dict(type='str', required=True, aliases=['uri']),
    selectors=dict(type='dict'),
    option_set=dict(type='dict'),
    must_understand=dict(type='bool', default=False),
    fragment=dict(type='str'),
)

RETURN_XML_ARGUMENT_SPEC = dict(
    return_xml=dict(type='bool', default=False),
)

# Kept for the interface documented in docs/developer/interfaces.md: the resource options plus
# return_xml, i.e. everything the four resource modules have in common besides the session.
COMMON_ARGUMENT_SPEC = dict(RESOURCE_ARGUMENT_SPEC, **RETURN_XML_ARGUMENT_SPEC)

ENUMERATE_DIALECT_ALIASES = ('wql', 'selector', 'association')

_MODULE_OPTIONS = dict(
    wsman_identify=dict(),
    wsman_get=dict(),
    wsman_enumerate=dict(
        filter=dict(type='raw'),
        dialect=dict(type='str'),
        return_type=dict(type='str', default='object', choices=['object', 'epr', 'object_and_epr']),
        hierarchy=dict(type='str', default='deep', choices=['deep', 'shallow', 'base_properties_only']),
        associations=dict(type='bool', default=False),
        max_items=dict(type='int'),
        dest=dict(type='path'),
    ),
    wsman_invoke=dict(
        action=dict(type='str', required=True),
        parameters=dict(type='dict', default={}),
    ),
    wsman_instance=dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        properties=dict(type='dict', default={}),
    ),
)

_MODULE_RULES = dict(
    wsman_identify=dict(),
    wsman_get=dict(),
    wsman_enumerate=dict(
        mutually_exclusive=[['selectors', 'filter'], ['dest', 'return_xml']],
        required_by=dict(dialect='filter'),
        required_if=[['associations', True, ['filter']]],
    ),
    wsman_invoke=dict(),
    wsman_instance=dict(),
)


def _build_specs():
    specs = {}
    for name in MODULE_NAMES:
        argument_spec = copy.deepcopy(SESSION_ARGUMENT_SPEC)
        if name != 'wsman_identify':
            argument_spec.update(copy.deepcopy(RESOURCE_ARGUMENT_SPEC))
        argument_spec.update(copy.deepcopy(RETURN_XML_ARGUMENT_SPEC))
        argument_spec.update(copy.deepcopy(_MODULE_OPTIONS[name]))
        spec = dict(argument_spec=argument_spec, supports_check_mode=True)
        spec.update(copy.deepcopy(_MODULE_RULES[name]))
        specs[name] = spec
    return specs


# ARGUMENT_SPECS[name] = dict(argument_spec=..., supports_check_mode=True, and where the module
# has them: mutually_exclusive, required_if, required_by). The keys are exactly the keyword
# arguments of AnsibleModule and of ansible.module_utils.common.arg_spec.ArgumentSpecValidator
# (minus supports_check_mode), so an action plugin can validate with the same data.
ARGUMENT_SPECS = _build_specs()


def module_kwargs(module_name):
    """Return a deep copy of ``ARGUMENT_SPECS[module_name]`` for ``AnsibleModule(**kwargs)``."""
    return copy.deepcopy(ARGUMENT_SPECS[module_name])


def validator_kwargs(module_name):
    """Return the spec as keyword arguments for ``ArgumentSpecValidator`` (no supports_check_mode)."""
    kwargs = module_kwargs(module_name)
    kwargs.pop('supports_check_mode', None)
    return kwargs


# wsman_instance property names whose values are treated as secrets (WinRM's RunAsPassword, a
# provider's Password or SharedSecret, ...): masked in results and diffs, kept out of logs.
SECRET_PROPERTY_NAME = re.compile(r'pass(word|wd|phrase)|secret|credential', re.IGNORECASE)


def secret_property_values(params):
    """The values of the ``properties`` whose names look secret, as strings, for Ansible's no_log masking."""
    properties = params.get('properties') if isinstance(params, dict) else None
    if not isinstance(properties, dict):
        return set()
    return set(str(value) for name, value in properties.items()
               if isinstance(name, str) and SECRET_PROPERTY_NAME.search(name) and value not in (None, ''))


def _pem_path(params, option):
    """The path given for a PEM option, checked to be a readable file (the library reads it)."""
    from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError

    path = params.get(option)
    if not path:
        return None
    try:
        with open(path, 'rb'):
            pass
    except OSError as exc:
        raise WSManInvalidArgumentError(
            '%s: cannot read %s (%s)' % (option, path, exc.strerror), argument=option,
            fix='Give the path of a readable PEM-encoded file on the host that runs the task.') from None
    return path


def session_from_params(params):
    """Build a Session from module parameters; no network I/O (CreateSession is lazy).

    Raises the library's ``WSManInvalidArgumentError`` for bad session options (with the Windows
    error code of the rule it breaks) and ``ImportError`` if lxml or pywinrm is missing.
    """
    from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
    from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan

    config = ClientConfig(
        trusted_hosts=params.get('trusted_hosts') or '',
        allow_unencrypted=bool(params.get('allow_unencrypted')),
        domain_joined=bool(params.get('domain_joined')),
    )
    wsman = WSMan(client_config=config)

    options = wsman.create_connection_options()
    if params.get('username') is not None:
        options.username = params['username']
    if params.get('password') is not None:
        options.password = params['password']
    certificate = _pem_path(params, 'client_cert')
    if certificate is not None:
        options.certificate_pem = certificate
    key = _pem_path(params, 'client_key')
    if key is not None:
        options.certificate_key_pem = key
    if params.get('ca_file'):
        options.ca_file = params['ca_file']
    if params.get('crl_file'):
        options.crl_file = params['crl_file']
    if any(params.get(name) for name in ('proxy', 'proxy_access_type', 'proxy_auth', 'proxy_username', 'proxy_password')):
        options.set_proxy(
            access_type=params.get('proxy_access_type'),
            authentication_mechanism=params.get('proxy_auth') or 0,
            username=params.get('proxy_username'),
            password=params.get('proxy_password'),
            url=params.get('proxy'),
        )
    # An empty ConnectionOptions is dropped by create_session (a local session must have none, R21).
    return wsman.create_session(connection=params.get('connection') or None, flags=params.get('flags') or 0,
                                connection_options=options)
