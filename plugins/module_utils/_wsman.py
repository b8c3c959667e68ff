# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``WSMan`` - the creatable object of the WinRM scripting API (``WSMan.Automation``), facts §2.1.

``create_session`` validates and records; it does no network I/O at all (no DNS either): like
``CreateSession``, connection failures surface on the session's first operation (facts §1.5).
"""

from __future__ import annotations

import re

from ._client_config import ClientConfig
from ._connection_options import ConnectionOptions
from ._connection_string import parse_connection
from ._errors import WSManInvalidArgumentError, error_name, error_text
from ._flags import SessionFlag, parse_flags
from ._session_rules import resolve_authentication
from ._settings import SessionSettings

_CODE = re.compile(r'^\s*(0[xX][0-9A-Fa-f]{1,8}|-?[0-9]{1,10})\s*$')


class WSMan:
    """Entry point: ``WSMan(client_config=None)``.

    ``client_config`` is a :class:`ClientConfig` - the explicit stand-in for the Windows client
    configuration (TrustedHosts, AllowUnencrypted, domain membership). The default is the safe
    Windows default: nothing trusted but loopback, unencrypted traffic refused, not domain-joined.
    """

    def __init__(self, client_config=None):
        if client_config is None:
            client_config = ClientConfig()
        if not isinstance(client_config, ClientConfig):
            raise WSManInvalidArgumentError('client_config: expected a ClientConfig, got %s' % type(client_config).__name__,
                                            argument='client_config', fix='Build one with ClientConfig(trusted_hosts=..., ...).')
        self._client_config = client_config

    @property
    def client_config(self):
        """The :class:`ClientConfig` used by the sessions of this object."""
        return self._client_config

    def create_session(self, connection=None, flags=0, connection_options=None):
        """``CreateSession``: validate the connection string, flags and options and return a ``Session``.

        :param connection: ``[http://|https://]host[:port][/prefix]``, or None/empty for a local session.
        :param flags: session flags - int, ``"UseBasic|CredUsernamePassword"`` or a list (see ``parse_flags``).
        :param connection_options: a :class:`ConnectionOptions` or None.
        :raises WSManInvalidArgumentError: with the Windows error code of the broken rule (facts §1, §3).
        """
        flag_value = parse_flags(flags, SessionFlag)
        if connection_options is not None and not isinstance(connection_options, ConnectionOptions):
            raise WSManInvalidArgumentError(
                'connection_options: expected a ConnectionOptions object, got %s' % type(connection_options).__name__,
                argument='connection_options', fix='Create one with WSMan.create_connection_options().')
        endpoint = parse_connection(connection, use_ssl=bool(flag_value & SessionFlag.USE_SSL))
        options = connection_options.copy() if connection_options is not None else None
        if options is not None and options.is_empty():
            options = None
        auth = resolve_authentication(endpoint, flag_value, options, self._client_config)
        settings = SessionSettings(endpoint=endpoint, flags=flag_value, auth=auth, options=options,
                                   client_config=self._client_config, utf16=bool(flag_value & SessionFlag.UTF16))
        from ._session import Session  # pylint: disable=import-outside-toplevel
        return Session(settings)

    @staticmethod
    def create_connection_options():
        """``CreateConnectionOptions``: an empty :class:`ConnectionOptions`."""
        return ConnectionOptions()

    @staticmethod
    def create_resource_locator(resource_uri=None):
        """``CreateResourceLocator``: a ``ResourceLocator``, optionally for ``resource_uri``."""
        from ._resource_locator import ResourceLocator  # pylint: disable=import-outside-toplevel
        return ResourceLocator(resource_uri)

    @staticmethod
    def get_error_message(code):
        """``GetErrorMessage`` (like ``winrm helpmsg``): the text for a decimal or hexadecimal error number.

        Accepts an int (signed or unsigned 32-bit) or a string such as ``"2150858770"``,
        ``"0x80338012"`` or ``"-2144108526"``. Returns ``"<NAME> (<decimal> / 0x<hex>): <text>"``, or a
        sentence saying the code is not known.
        """
        if isinstance(code, bool):
            raise WSManInvalidArgumentError('code: %r is not an error number' % (code,), argument='code',
                                            fix='Give a decimal or hexadecimal number such as 2150858770 or 0x80338012.')
        if isinstance(code, str):
            match = _CODE.match(code)
            if not match:
                raise WSManInvalidArgumentError('code: %r is not an error number' % code[:40], argument='code',
                                                fix='Give a decimal or hexadecimal number such as 2150858770 or 0x80338012.')
            code = int(match.group(1), 0) if match.group(1).lower().startswith('0x') else int(match.group(1))
        if not isinstance(code, int) or not -0x80000000 <= code <= 0xFFFFFFFF:
            raise WSManInvalidArgumentError('code: %r is not a 32-bit error number' % (code,), argument='code',
                                            fix='Give a decimal or hexadecimal number such as 2150858770 or 0x80338012.')
        value = code & 0xFFFFFFFF
        name = error_name(value)
        if name is None:
            return 'Unknown error %d (0x%08X): not a WinRM error code known to this collection.' % (value, value)
        return '%s (%d / 0x%08X): %s' % (name, value, value, error_text(value))
