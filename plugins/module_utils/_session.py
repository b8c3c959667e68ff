# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WS-Management ``Session`` (createsession-facts.md §5.1, §5.2).

Built by ``WSMan.create_session`` from a validated ``SessionSettings``; the transport is created
lazily by the first operation (facts §1.5: CreateSession does no network I/O).
"""

from __future__ import annotations

DEFAULT_TIMEOUT_MS = 60000
# [CONFLICT] facts §5.2 / §11.3: session-batchitems.md says 20, session.md says "unlimited". We
# use 20: it is the documented number, and an unlimited Pull can exceed MaxEnvelopeSize.
DEFAULT_BATCH_ITEMS = 20
DEFAULT_MAX_ENVELOPE_SIZE = 150 * 1024
DEFAULT_LOCALE = 'en-US'


class Session:
    """A WS-Management session to one endpoint."""

    def __init__(self, settings, transport=None):
        self._settings = settings
        self._transport = transport
        self._timeout = DEFAULT_TIMEOUT_MS
        self._batch_items = DEFAULT_BATCH_ITEMS
        kb = getattr(getattr(settings, 'client_config', None), 'max_envelope_size_kb', None)
        self._max_envelope_size = int(kb) * 1024 if kb else DEFAULT_MAX_ENVELOPE_SIZE
        self._locale = DEFAULT_LOCALE
        self._error = ''
        self._closed = False

    @property
    def settings(self):
        """The validated ``SessionSettings`` this session was built from."""
        return self._settings

    @property
    def endpoint(self):
        """The resolved endpoint URL, e.g. ``http://server1:5985/wsman``."""
        return self._settings.endpoint.url

    @property
    def error(self):
        """XML text of the last fault (``''`` when the last operation had none)."""
        return self._error

    def close(self):
        """Close the transport (idempotent). The session may not be used afterwards."""
        self._closed = True
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return '<Session %s>' % self.endpoint
