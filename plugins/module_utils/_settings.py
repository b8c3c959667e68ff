# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``SessionSettings``: everything ``CreateSession`` validated, handed to ``Session`` and the transport."""

from __future__ import annotations

import dataclasses

from ._flags import SessionFlag, flag_names


@dataclasses.dataclass(frozen=True)
class SessionSettings:
    """The validated inputs of one session (immutable).

    ``endpoint`` is an :class:`~._connection_string.Endpoint`, ``flags`` the session flags as int,
    ``auth`` the :class:`~._session_rules.AuthPlan`, ``options`` a snapshot of the
    :class:`~._connection_options.ConnectionOptions` (or None), ``client_config`` the
    :class:`~._client_config.ClientConfig`, ``utf16`` whether requests are sent UTF-16 encoded
    (R28: UTF-8 unless the UTF16 flag is set).
    """

    endpoint: object
    flags: int
    auth: object
    options: object
    client_config: object
    utf16: bool = False

    def _has(self, flag):
        return bool(self.flags & flag)

    @property
    def skip_ca_check(self):
        """``SkipCACheck``: do not require a trusted CA for the server certificate."""
        return self._has(SessionFlag.SKIP_CA_CHECK)

    @property
    def skip_cn_check(self):
        """``SkipCNCheck``: do not match the certificate name against the host."""
        return self._has(SessionFlag.SKIP_CN_CHECK)

    @property
    def skip_revocation_check(self):
        """``SkipRevocationCheck``: do not check the server certificate for revocation."""
        return self._has(SessionFlag.SKIP_REVOCATION_CHECK)

    @property
    def no_encryption(self):
        """``NoEncryption``: send message bodies unencrypted over HTTP."""
        return self._has(SessionFlag.NO_ENCRYPTION)

    @property
    def enable_spn_server_port(self):
        """``EnableSPNServerPort``: include the port in the service principal name."""
        return self._has(SessionFlag.ENABLE_SPN_SERVER_PORT)

    @property
    def charset(self):
        """The request charset: ``'utf-16'`` with the UTF16 flag, else ``'utf-8'``."""
        return 'utf-16' if self.utf16 else 'utf-8'

    @property
    def flag_names(self):
        """The Windows names of the flags that are set, e.g. ``['CredUsernamePassword', 'UseBasic']``."""
        return flag_names(self.flags)

    def describe(self):
        """One line for -vvv output; holds no secret."""
        return '%s flags=%s auth=%s%s%s' % (
            self.endpoint.url, '|'.join(self.flag_names) or '0', self.auth.mechanism,
            ' (message encryption)' if self.auth.encrypt_messages else '',
            ' (implicit credentials)' if self.auth.implicit_credentials else '')
