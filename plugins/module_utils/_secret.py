# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A wrapper that keeps a secret (a password) out of repr(), str(), formatting, logs and pickles."""

from __future__ import annotations

MASK = '********'


class Secret:
    """Holds a secret string; every way of printing it shows ``'********'``.

    Only the transport calls :meth:`reveal`. A Secret cannot be pickled or copied into a
    JSON document by accident: ``pickle`` raises TypeError, ``str()``/``repr()``/``format()`` mask.
    Two Secrets compare equal when their values are equal (used to detect changed options).
    """

    __slots__ = ('_value',)

    def __init__(self, value):
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError('a secret must be a string, not %s' % type(value).__name__)
        object.__setattr__(self, '_value', value)

    def reveal(self):
        """The secret in clear text - for the transport only."""
        return self._value

    def __bool__(self):
        return bool(self._value)

    def __len__(self):
        return len(self._value)

    def __repr__(self):
        return "Secret('%s')" % MASK

    def __str__(self):
        return MASK

    def __format__(self, spec):
        return format(MASK, spec)

    def __eq__(self, other):
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self):
        return hash((Secret, self._value))

    def __setattr__(self, name, value):
        raise AttributeError('Secret is immutable')

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        raise TypeError('a Secret cannot be pickled')

    def __reduce_ex__(self, protocol):
        raise TypeError('a Secret cannot be pickled')


def to_secret(value):
    """None stays None; a string (or Secret) becomes a :class:`Secret`."""
    if value is None:
        return None
    return value if isinstance(value, Secret) else Secret(value)
