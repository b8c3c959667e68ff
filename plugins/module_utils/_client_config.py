# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side stand-in for the Windows client configuration (``winrm/config/client``).

On Windows, ``CreateSession`` consults machine state: the client ``TrustedHosts`` list, the client
``AllowUnencrypted`` setting and whether the machine is joined to a domain. A Linux controller
has none of that, so :class:`ClientConfig` states it explicitly. Its defaults are the safe Windows
defaults (facts §10): nothing trusted, unencrypted traffic refused, not domain-joined.

``domain_joined=True`` means "this controller can get Kerberos tickets for the target's realm"
(a configured ``krb5.conf`` and a ticket or keytab); it turns on the Kerberos default of R3.

TrustedHosts syntax (as Windows writes it): a comma-separated list of

* ``*`` - every host;
* ``<local>`` - every host name without a dot (NetBIOS-style names);
* a host name, optionally with one ``*`` at its start or end: ``*.corp.example.com``, ``web*``;
* an IPv4 address, optionally with a ``*`` at its end: ``192.0.2.*``;
* an IPv6 address in square brackets: ``[2001:db8::1]``.

Matching is case-insensitive; IP addresses are compared as addresses. An invalid entry raises
``ERROR_WSMAN_INVALID_HOSTNAME_PATTERN`` (0x8033809F).

[INF] Loopback destinations (``localhost``, ``127.0.0.0/8``, ``::1``) always count as trusted, as if
they were in TrustedHosts: the traffic never leaves the controller, and R3 (b) already lets
Windows use Negotiate to them. So ``http://127.0.0.1:5985`` with ``UseNegotiate|CredUsernamePassword``
and credentials works with the default configuration.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import ipaddress
import re

from ._errors import WSManInvalidArgumentError

MIN_ENVELOPE_SIZE_KB = 32
MAX_ENVELOPE_SIZE_KB = 1039440

_NAME_CORE = re.compile(r'^\.?[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*\.?$')
_IPV4_WILDCARD = re.compile(r'^(?:[0-9]{1,3}\.){1,3}\*$')


def _pattern_error(entry, why):
    return WSManInvalidArgumentError(
        'trusted_hosts: the entry %r is not a valid host name pattern: %s' % (entry[:80], why),
        'ERROR_WSMAN_INVALID_HOSTNAME_PATTERN', argument='trusted_hosts',
        fix='Write a comma-separated list of host names (one "*" allowed at the start or end, e.g. *.corp.example.com), '
            'IPv4 addresses, IPv6 addresses in brackets ([2001:db8::1]), <local> or *.')


@dataclasses.dataclass(frozen=True)
class _Pattern:
    kind: str          # 'any', 'local', 'name', 'wildcard', 'ipv4-wildcard', 'ip'
    value: object

    def matches(self, host, host_kind):
        if self.kind == 'any':
            return True
        if self.kind == 'local':
            return host_kind == 'name' and '.' not in host.rstrip('.')
        if self.kind == 'ip':
            if host_kind not in ('ipv4', 'ipv6'):
                return False
            try:
                return ipaddress.ip_address(host) == self.value
            except ValueError:
                return False
        if self.kind == 'ipv4-wildcard':
            # only an IPv4 destination: 192.0.2.* must not match the name 192.0.2.attacker.example
            return host_kind == 'ipv4' and fnmatch.fnmatchcase(host, self.value)
        name = host.lower().rstrip('.')
        if self.kind == 'name':
            return name == self.value
        return fnmatch.fnmatchcase(name, self.value)


def _is_name_pattern(entry):
    stars = entry.count('*')
    if stars > 1 or (stars == 1 and not (entry.startswith('*') or entry.endswith('*'))):
        return False
    core = entry.strip('*')
    if not core or not _NAME_CORE.match(core):
        return False
    return stars == 1 or not core.startswith('.')


def parse_trusted_hosts(text):
    """Parse a TrustedHosts value into a tuple of patterns, or raise INVALID_HOSTNAME_PATTERN."""
    patterns = []
    for raw in text.split(','):
        entry = raw.strip()
        if not entry:
            continue
        if entry == '*':
            patterns.append(_Pattern('any', None))
        elif entry.lower() == '<local>':
            patterns.append(_Pattern('local', None))
        elif entry.startswith('['):
            if not entry.endswith(']'):
                raise _pattern_error(entry, 'an IPv6 address must be closed with "]"')
            try:
                patterns.append(_Pattern('ip', ipaddress.IPv6Address(entry[1:-1])))
            except ValueError:
                raise _pattern_error(entry, 'the text in brackets is not an IPv6 address') from None
        elif ':' in entry:
            raise _pattern_error(entry, 'an IPv6 address must be written in square brackets, e.g. [2001:db8::1]')
        elif re.match(r'^[0-9.]+$', entry) and '.' in entry:
            try:
                patterns.append(_Pattern('ip', ipaddress.IPv4Address(entry)))
            except ValueError:
                raise _pattern_error(entry, 'it is not a valid IPv4 address') from None
        elif _IPV4_WILDCARD.match(entry):
            if any(int(part) > 255 for part in entry[:-2].split('.')):
                raise _pattern_error(entry, 'an IPv4 number is above 255')
            patterns.append(_Pattern('ipv4-wildcard', entry))
        elif _is_name_pattern(entry):
            if '*' in entry:
                patterns.append(_Pattern('wildcard', entry.lower()))
            else:
                patterns.append(_Pattern('name', entry.lower().rstrip('.')))
        else:
            raise _pattern_error(entry, 'only letters, digits, "-", "_", "." and one "*" at the start or end are allowed')
    return tuple(patterns)


@dataclasses.dataclass(frozen=True)
class ClientConfig:
    """Explicit client machine state that Windows would read from ``winrm/config/client``.

    :param trusted_hosts: the client TrustedHosts list (str in Windows syntax, or a list of entries);
        default empty (nothing trusted but loopback).
    :param allow_unencrypted: client ``AllowUnencrypted``; default False. Needed for ``NoEncryption`` (R23).
    :param domain_joined: whether the controller can use Kerberos in the target's domain; default False (R3, R6).
    :param max_envelope_size_kb: ``MaxEnvelopeSizekb`` sent with each request; default 150, 32 to 1039440.
    :param network_delay_ms: client ``NetworkDelayms``, added to the operation timeout; default 5000.
    """

    trusted_hosts: str = ''
    allow_unencrypted: bool = False
    domain_joined: bool = False
    max_envelope_size_kb: int = 150
    network_delay_ms: int = 5000

    def __post_init__(self):
        hosts = self.trusted_hosts
        if hosts is None:
            hosts = ''
        elif isinstance(hosts, (list, tuple)):
            if not all(isinstance(item, str) for item in hosts):
                raise _pattern_error(repr(hosts), 'every entry of the list must be a string')
            hosts = ','.join(item.strip() for item in hosts)
        elif not isinstance(hosts, str):
            raise _pattern_error(repr(hosts), 'it must be a string or a list of strings')
        object.__setattr__(self, 'trusted_hosts', hosts)
        object.__setattr__(self, '_patterns', parse_trusted_hosts(hosts))
        for name in ('allow_unencrypted', 'domain_joined'):
            if not isinstance(getattr(self, name), bool):
                raise WSManInvalidArgumentError('%s: must be true or false, not %r' % (name, getattr(self, name)), argument=name,
                                                fix='Set %s to a boolean.' % name)
        size = self.max_envelope_size_kb
        if isinstance(size, bool) or not isinstance(size, int) or not MIN_ENVELOPE_SIZE_KB <= size <= MAX_ENVELOPE_SIZE_KB:
            raise WSManInvalidArgumentError('max_envelope_size_kb: %r is not a whole number from %d to %d'
                                            % (size, MIN_ENVELOPE_SIZE_KB, MAX_ENVELOPE_SIZE_KB),
                                            'ERROR_WSMAN_ENCODING_LIMIT', argument='max_envelope_size_kb',
                                            fix='Use the Windows default 150 (or 500 for newer servers).')
        delay = self.network_delay_ms
        if isinstance(delay, bool) or not isinstance(delay, int) or delay < 0:
            raise WSManInvalidArgumentError('network_delay_ms: %r is not a whole number of milliseconds >= 0' % (delay,),
                                            argument='network_delay_ms', fix='Use the Windows default 5000.')

    def in_trusted_hosts(self, endpoint):
        """True when the TrustedHosts list matches the endpoint's host (loopback not included)."""
        return any(pattern.matches(endpoint.host, endpoint.host_kind) for pattern in self._patterns)

    def is_trusted(self, endpoint):
        """True for a loopback destination (always trusted, [INF]) or a host the TrustedHosts list matches."""
        return bool(endpoint.is_loopback) or self.in_trusted_hosts(endpoint)
