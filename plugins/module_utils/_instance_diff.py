# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Compare desired properties with a CIM instance dict (FOR INTERNAL COLLECTION USE ONLY).

Used by ``wsman_instance``: Get -> :func:`compare` -> :func:`patch` -> Put. Pure Python, no XML.

Instance dicts come from ``instance_to_dict``: keys are property *local names* (the namespace
of the class is the resource URI, so two properties never differ only by prefix), values are
text, ``None`` for ``xsi:nil``, lists for repeated elements and dicts for embedded instances
and endpoint references. Keys that start with ``@`` are metadata, not properties.

Property names are case-sensitive, as in WMI and in the XML of a Put body: a desired key that
matches an instance property only when case is ignored is an error that names both spellings.

A desired key the instance does not have at all is refused too, before anything is sent, where the
Get shows every property the resource can hold (:func:`check_known`): WMI instances (a WMI Get
returns every property, nil ones too) and the sections of the WinRM configuration whose settings
are fixed (winrm/config, .../service, .../service/auth, .../client, .../client/auth, .../winrs,
.../listener); the service would refuse the Put with ERROR_WSMAN_INVALID_REPRESENTATION
(0x80338015, facts 9.2). Other parts of the configuration (plugin, certmapping, resource) have
write-only settings such as RunAsPassword and Password that a Get never shows.

The changes :func:`compare` returns hold the values as the text a Put sends (``120000`` ->
``'120000'``, ``True`` -> ``'true'``), so the instance after the Put, the diff and check mode show
what the service is sent, and a rerun with the same integer compares equal to the text the Get reads.
"""

from __future__ import annotations

import copy
import math

from ansible_collections.wsman.automation.plugins.module_utils._errors import format_code
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import CONFIG_URI


class PropertyNameError(ValueError):
    """A desired property name differs from an instance property only in case."""

    def __init__(self, message, argument, name, instance_name):
        super().__init__(message)
        self.message = message
        self.argument = argument
        self.name = name
        self.instance_name = instance_name


class UnknownPropertyError(PropertyNameError):
    """A desired property name is not a property of the instance (and the Get shows every property it can hold).

    ``message`` is ``"<problem> (<code>). <fix>"`` as ``WSManInvalidArgumentError`` writes it; ``problem``,
    ``code`` (the Windows error the service would answer, or 0) and ``fix`` are also kept apart.
    """

    def __init__(self, problem, argument, name, code=0, fix=None):
        message = problem
        if code:
            message += ' (%s).' % format_code(code)
        if fix:
            message += ' ' + fix
        super().__init__(message, argument, name, None)
        self.problem = problem
        self.code = code
        self.fix = fix


ERROR_WSMAN_INVALID_REPRESENTATION = 0x80338015

# The sections of the WinRM configuration whose settings are fixed (a Get shows them all), with the settings
# each holds as Windows Server 2022 shows them (createsession-facts 6.4 and 10; the lab's config_store). Used to
# say where a setting given to the wrong section belongs ("MaxTimeoutms is a property of winrm/config").
CONFIG_SECTIONS = {
    '': ('MaxEnvelopeSizekb', 'MaxTimeoutms', 'MaxBatchItems', 'MaxProviderRequests', 'Client', 'Service', 'Winrs'),
    '/service': ('RootSDDL', 'MaxConcurrentOperations', 'MaxConcurrentOperationsPerUser', 'EnumerationTimeoutms',
                 'MaxConnections', 'MaxPacketRetrievalTimeSeconds', 'AllowUnencrypted', 'Auth', 'DefaultPorts',
                 'IPv4Filter', 'IPv6Filter', 'EnableCompatibilityHttpListener', 'EnableCompatibilityHttpsListener',
                 'CertificateThumbprint', 'AllowRemoteAccess'),
    '/service/auth': ('Basic', 'Kerberos', 'Negotiate', 'Certificate', 'CredSSP', 'CbtHardeningLevel'),
    '/client': ('NetworkDelayms', 'URLPrefix', 'AllowUnencrypted', 'Auth', 'DefaultPorts', 'TrustedHosts'),
    '/client/auth': ('Basic', 'Digest', 'Kerberos', 'Negotiate', 'Certificate', 'CredSSP'),
    '/winrs': ('AllowRemoteShellAccess', 'IdleTimeout', 'MaxConcurrentUsers', 'MaxShellRunTime', 'MaxProcessesPerShell',
               'MaxMemoryPerShellMB', 'MaxShellsPerUser'),
    '/listener': ('Address', 'Transport', 'Port', 'Hostname', 'Enabled', 'URLPrefix', 'CertificateThumbprint',
                  'ListeningOn'),
}


def config_section(resource_uri):
    """``(is a winrm/config resource, its section path or None)``: ``'/service'`` for .../config/service.

    The section is None for parts of the configuration without a fixed set of settings (plugin, certmapping,
    resource), whose write-only settings a Get never shows.
    """
    uri = str(resource_uri or '').partition('?')[0].rstrip('/').lower()
    if uri != CONFIG_URI and not uri.startswith(CONFIG_URI + '/'):
        return False, None
    path = uri[len(CONFIG_URI):]
    return True, (path if path in CONFIG_SECTIONS else None)


def _short(path):
    return 'winrm/config' + path


def _config_hint(name, path):
    """Where the setting ``name`` given to section ``path`` belongs, or ''."""
    homes = [other for other, settings in CONFIG_SECTIONS.items() if other != path and name in settings]
    if not homes:
        return ''
    return '%s is a property of %s, not %s: set it with resource_uri=%s. ' % (
        name, ' and '.join(_short(other) for other in homes), _short(path), _short(homes[0]))


def check_known(desired, instance, resource_uri, argument='properties'):
    """Raise :class:`UnknownPropertyError` for a desired key the instance does not have, where that is an error.

    WMI and other CIM instances (a Get returns every property) and the fixed sections of the WinRM configuration
    are checked; the rest of the WinRM configuration is not (write-only settings). Nothing is sent before this.
    """
    is_config, path = config_section(resource_uri)
    if is_config and path is None:
        return
    names = property_names(instance)
    unknown = [str(key) for key in desired if key not in instance]
    if not unknown:
        return
    plural = len(unknown) > 1
    if is_config:
        resource = _short(path)
        problem = '%s: %s has no propert%s %s, and the service refuses a Put with %s' % (
            argument, resource, 'ies' if plural else 'y', ', '.join(unknown), 'them' if plural else 'it')
        fix = '%sThe properties of %s are %s.' % (''.join(_config_hint(name, path) for name in unknown), resource,
                                                  ', '.join(names))
        raise UnknownPropertyError(problem, argument, unknown[0], code=ERROR_WSMAN_INVALID_REPRESENTATION, fix=fix)
    raise UnknownPropertyError('%s: the instance has no propert%s %s; its properties are %s'
                               % (argument, 'ies' if plural else 'y', ', '.join(sorted(unknown)), ', '.join(sorted(names))),
                               argument, unknown[0])


def wire_value(value):
    """A desired value as the text a Put sends (as ``dict_to_instance`` writes it); None (nil), lists and dicts kept."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float) and not math.isfinite(value):
        return value  # not finite: the Put refuses it with a clear error
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [wire_value(item) for item in value]
    if isinstance(value, dict):
        return dict((key, wire_value(item)) for key, item in value.items())
    return value


_BOOL_TEXT = {'true': 'true', 'false': 'false'}


def normalize(value):
    """Canonical form used only for comparing a desired value with an instance value.

    The wire carries text: ``True`` and ``'true'`` are the same value, ``5985`` and ``'5985'`` too.
    Booleans compare case-insensitively (``'True'`` = ``'true'``), because services answer
    ``true``/``false`` whatever case was sent; other text compares exactly.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _BOOL_TEXT:
            return _BOOL_TEXT[lowered]
        return value
    if isinstance(value, (list, tuple)):
        return [normalize(item) for item in value]
    if isinstance(value, dict):
        return dict((str(key), normalize(item)) for key, item in value.items() if not str(key).startswith('@'))
    return str(value)


def _equal(desired, current):
    desired_n = normalize(desired)
    current_n = normalize(current)
    # A single value and a one-element list are the same XML (one element).
    if isinstance(desired_n, list) and not isinstance(current_n, list) and current_n is not None:
        current_n = [current_n]
    if isinstance(current_n, list) and not isinstance(desired_n, list) and desired_n is not None:
        desired_n = [desired_n]
    # An empty array is not sent at all by WS-Management: missing, nil and [] are equal.
    if desired_n == [] and current_n is None:
        return True
    if isinstance(desired_n, dict) and isinstance(current_n, dict):
        # Desired embedded values are compared on the keys the task gives.
        return all(key in current_n and _equal(item, current_n[key]) for key, item in desired_n.items())
    return desired_n == current_n


def property_names(instance):
    """The property names of an instance dict (metadata keys excluded)."""
    return [key for key in instance if not str(key).startswith('@')]


def check_names(desired, instance, argument='properties'):
    """Raise :class:`PropertyNameError` for a desired key that only differs in case from a property."""
    names = property_names(instance)
    exact = set(names)
    folded = {}
    for name in names:
        folded.setdefault(name.lower(), name)
    for key in desired:
        if key in exact:
            continue
        other = folded.get(str(key).lower())
        if other is not None:
            raise PropertyNameError(
                "%s: the property %r does not exist, but the instance has %r. Property names are case-sensitive "
                "(as in WMI and in the XML of a Put); write %r." % (argument, key, other, other),
                argument, key, other)


def compare(desired, instance, argument='properties', resource_uri=None):
    """Return the dict of desired properties whose value differs from the instance (in desired order).

    Values are returned as the text a Put sends (:func:`wire_value`). With ``resource_uri``, a desired
    property the instance does not have is refused first (:func:`check_known`).
    """
    check_names(desired, instance, argument)
    if resource_uri is not None:
        check_known(desired, instance, resource_uri, argument)
    changes = {}
    for key, value in desired.items():
        if key in instance and _equal(value, instance[key]):
            continue
        if key not in instance and _equal(value, None):
            continue
        changes[key] = wire_value(value)
    return changes


def patch(instance, changes):
    """A deep copy of ``instance`` with ``changes`` applied: the full instance a Put needs."""
    result = copy.deepcopy(instance)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = patch(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def diff_view(instance):
    """The instance as shown in ``diff`` (metadata keys removed)."""
    if not instance:
        return {}
    return dict((key, copy.deepcopy(value)) for key, value in instance.items() if not str(key).startswith('@'))
