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
"""

from __future__ import annotations

import copy


class PropertyNameError(ValueError):
    """A desired property name differs from an instance property only in case."""

    def __init__(self, message, argument, name, instance_name):
        super().__init__(message)
        self.message = message
        self.argument = argument
        self.name = name
        self.instance_name = instance_name


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


def compare(desired, instance, argument='properties'):
    """Return the dict of desired properties whose value differs from the instance (in desired order)."""
    check_names(desired, instance, argument)
    changes = {}
    for key, value in desired.items():
        if key in instance and _equal(value, instance[key]):
            continue
        if key not in instance and _equal(value, None):
            continue
        changes[key] = value
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
