# Copyright: (c) 2026, wsman.automation developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn the options of the ``wsman.automation.wsman`` connection plugin into session parameters.

The connection plugin and the action plugins both run this code on the controller:

* :func:`build_connection_string` makes the CreateSession connection string from ``ansible_host`` and
  ``ansible_port`` when ``ansible_wsman_connection`` is not set;
* :func:`session_params` maps the plugin's options onto the module arguments of
  ``SESSION_ARGUMENT_SPEC`` so that one function (``session_from_params``) builds every session, whether it
  comes from host variables or from module options;
* :func:`options_digest` fingerprints every option that shapes the session, so the persistent process can tell
  when a password, a flag or anything else changed. The digest is a salted PBKDF2 value, never the options in
  clear.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json

# connection plugin option -> session module argument that chooses WHICH session is built
# (SESSION_IDENTITY_OPTIONS of _module_args.py; `connection` is made from three options, see session_params)
OPTION_TO_PARAM = {
    'remote_user': 'username',
    'password': 'password',
    'flags': 'flags',
    'ca_file': 'ca_file',
    'crl_file': 'crl_file',
    'client_cert': 'client_cert',
    'client_key': 'client_key',
    'proxy_access_type': 'proxy_access_type',
    'proxy': 'proxy',
    'proxy_auth': 'proxy_auth',
    'proxy_username': 'proxy_username',
    'proxy_password': 'proxy_password',
    'trusted_hosts': 'trusted_hosts',
    'allow_unencrypted': 'allow_unencrypted',
    'domain_joined': 'domain_joined',
}

# connection plugin option -> per-operation module argument (SESSION_OPERATION_OPTIONS): the host's value is
# the default of every task on that host; a task that sets the argument itself wins
OPTION_TO_TASK_DEFAULT = {
    'operation_timeout': 'timeout',
    'locale': 'locale',
    'max_envelope_size': 'max_envelope_size',
    'batch_items': 'batch_items',
}

# module argument -> the host variable that sets it on the wsman connection (the first variable of the plugin option;
# `connection` is also made from ansible_host and ansible_port when ansible_wsman_connection is not set)
HOST_VARIABLES = {
    'connection': 'ansible_wsman_connection',
    'username': 'ansible_user',
    'password': 'ansible_password',
    'timeout': 'ansible_wsman_operation_timeout',
}
HOST_VARIABLES.update((param, 'ansible_wsman_%s' % option) for option, param in OPTION_TO_PARAM.items()
                      if param not in HOST_VARIABLES)
HOST_VARIABLES.update((param, 'ansible_wsman_%s' % option) for option, param in OPTION_TO_TASK_DEFAULT.items()
                      if param not in HOST_VARIABLES)


def host_variable(param):
    """The host variable that sets module argument ``param`` on the wsman connection, or None."""
    return HOST_VARIABLES.get(param)


# every option that changes what the held session is (the per-operation and persistent_* options do not)
SESSION_OPTIONS = ('connection_string', 'remote_addr', 'port') + tuple(OPTION_TO_PARAM)

_DIGEST_SALT = b'wsman.automation/connection-options/v1'
_DIGEST_ROUNDS = 20000


def _is_ipv6(host):
    try:
        return isinstance(ipaddress.ip_address(host.split('%', 1)[0]), ipaddress.IPv6Address)
    except ValueError:
        return False


def build_connection_string(remote_addr, port=None):
    """Return the connection string for a host given as ``ansible_host`` (and ``ansible_port``).

    No scheme is written, so the CreateSession default-port rules apply: without a port the library uses 5985,
    or 5986 with ``UseSsl`` (facts 1.3, rules 3 and 4). An IPv6 literal gets its brackets (facts 1.1); one that
    already has them keeps them. A value that already is a connection string (has ``://``) is returned as is,
    with the port added only when the string has none.
    """
    if remote_addr is None or str(remote_addr).strip() == '':
        return None
    host = str(remote_addr).strip()
    if '://' in host:
        return host
    if not host.startswith('[') and _is_ipv6(host):
        host = '[%s]' % host
    if port is None or port == '':
        return host
    return '%s:%s' % (host, port)


def session_params(get_option):
    """The session module arguments for the options read through ``get_option(name)``.

    Options left unset (``None``) are left out, so the argument spec's defaults apply.
    """
    params = {}
    connection = get_option('connection_string')
    if connection in (None, ''):
        connection = build_connection_string(get_option('remote_addr'), get_option('port'))
    params['connection'] = connection
    for option, param in OPTION_TO_PARAM.items():
        value = get_option(option)
        if value is not None:
            params[param] = value
    return params


def task_defaults(get_option):
    """Defaults the host variables give to per-operation task arguments (``timeout``, ``batch_items``, ...)."""
    defaults = {}
    for option, param in OPTION_TO_TASK_DEFAULT.items():
        value = get_option(option)
        if value is not None:
            defaults[param] = value
    return defaults


def _canonical(value):
    """A JSON-safe, order-independent copy of an option value."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def options_digest(get_option):
    """A salted fingerprint of every session-shaping option (hex string, never reversible to the options)."""
    snapshot = {name: _canonical(get_option(name)) for name in SESSION_OPTIONS}
    blob = json.dumps(snapshot, sort_keys=True, separators=(',', ':')).encode('utf-8')
    return hashlib.pbkdf2_hmac('sha256', blob, _DIGEST_SALT, _DIGEST_ROUNDS).hex()
