# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WS-Management ``Session`` (createsession-facts.md §5.1, §5.2).

Built by ``WSMan.create_session`` from a validated ``SessionSettings``; the transport is created
lazily by the first operation (facts §1.5: CreateSession does no network I/O).

Every operation comes in two forms: the scripting-API form returns XML text as the Windows
``Session`` does (``get``, ``put``, ``create``, ``invoke``, ``identify``), the ``*_element`` form
returns the parsed lxml element, which :func:`~._cim.instance_to_dict` takes directly, so nothing
is parsed twice.

Return values: Get/Put -> the instance; Invoke -> ``p:<Method>_OUTPUT``; Identify ->
``wsmid:IdentifyResponse``; Delete -> ``None``; Create -> the endpoint reference of the new
resource (the ``wxf:ResourceCreated`` element, i.e. ``wsa:Address`` + ``wsa:ReferenceParameters``):
facts §5.1 [CONFLICT] (session-create.md says EPR, session.md says URI) - we follow
session-create.md, and the EPR text can be given back as the ``resource`` of Get/Put/Delete.
"""

from __future__ import annotations

import re
import weakref

from ansible_collections.wsman.automation.plugins.module_utils._enumerator import Enumerator, build_enumerate_request
from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManError,
    WSManFault,
    WSManInvalidArgumentError,
)
from ansible_collections.wsman.automation.plugins.module_utils._flags import EnumerationFlag, SessionFlag, parse_flags
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import (
    ACTION_CREATE,
    ACTION_DELETE,
    ACTION_ENUMERATE,
    ACTION_GET,
    ACTION_PUT,
    ACTION_RELEASE,
    NS_WSMAN,
    NS_WSMAN_FAULT,
)
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import resolve_resource
from ansible_collections.wsman.automation.plugins.module_utils._response import check_response, first_body_child
from ansible_collections.wsman.automation.plugins.module_utils._soap import (
    EnvelopeParams,
    build_envelope,
    build_identify,
    charset_for,
)
from ansible_collections.wsman.automation.plugins.module_utils._cim import (
    dict_to_instance,
    split_resource_uri,
    to_element,
)
from ansible_collections.wsman.automation.plugins.module_utils._xml import E_INVALIDARG, etree, require_lxml, to_text, xml_text

DEFAULT_TIMEOUT_MS = 60000
# [CONFLICT] facts §5.2 / §11.3: session-batchitems.md says 20, session.md says "unlimited". We
# use 20: it is the documented number, and an unlimited Pull can exceed MaxEnvelopeSize.
DEFAULT_BATCH_ITEMS = 20
DEFAULT_MAX_ENVELOPE_SIZE = 150 * 1024
MIN_MAX_ENVELOPE_SIZE = 8192
# Upper bounds, so that an absurd value fails here, naming the property, instead of later in the
# transport or on the service. Timeout and BatchItems are Windows LONGs (32-bit signed);
# MaxEnvelopeSize: facts §10 - behaviour is unsupported above 1039440 KB.
MAX_TIMEOUT_MS = 2 ** 31 - 1
MAX_BATCH_ITEMS = 2 ** 31 - 1
MAX_MAX_ENVELOPE_SIZE = 1039440 * 1024
DEFAULT_LOCALE = 'en-US'

# Requests the transport may resend once after a dropped connection. Never Create/Delete/Invoke (the
# service may have acted) and never Pull: a resent Pull after a lost reply would skip a batch.
IDEMPOTENT_ACTIONS = frozenset((ACTION_GET, ACTION_PUT, ACTION_ENUMERATE, ACTION_RELEASE))
_LOCALE_RE = re.compile(r'^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$')
_W_XML_FRAGMENT = '{%s}XmlFragment' % NS_WSMAN
_ABSOLUTE_URI_RE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')


def _int_value(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise WSManInvalidArgumentError('%s must be an integer, got %r' % (name, value), code=E_INVALIDARG, argument=name)
    try:
        return int(value)
    except ValueError:
        raise WSManInvalidArgumentError('%s must be an integer, got %r' % (name, value), code=E_INVALIDARG,
                                        argument=name) from None


def _bounded_int(value, name, low, high, unit, fix, code_low=E_INVALIDARG, code_high=E_INVALIDARG):
    """``value`` as an int within ``low``..``high``, else a WSManInvalidArgumentError naming ``name`` and the range."""
    value = _int_value(value, name)
    if not low <= value <= high:
        raise WSManInvalidArgumentError('%s must be between %d and %d%s, got %d' % (name, low, high, unit, value),
                                        code=code_low if value < low else code_high, argument=name, fix=fix)
    return value


def reserved_flags(flags, operation):
    """Flags of Get/Put/Create/Delete/Invoke are reserved: anything but 0 is refused (facts §5.1)."""
    if flags in (0, None):
        return
    raise WSManInvalidArgumentError('flags of %s are reserved and must be 0, got %r' % (operation, flags),
                                    code='ERROR_WSMAN_CLIENT_INVALID_FLAG', argument='flags',
                                    fix='Leave flags out (or 0) for %s.' % operation)


def client_error_xml(error, machine):
    """A WSManFault XML document describing a client-side error, as Windows' Session.Error does."""
    fault = etree.Element('{%s}WSManFault' % NS_WSMAN_FAULT, nsmap={'f': NS_WSMAN_FAULT})
    fault.set('Code', str(error.code or 0))
    fault.set('Machine', machine or '')
    fault.set('{http://www.w3.org/XML/1998/namespace}lang', 'en-US')
    etree.SubElement(fault, '{%s}Message' % NS_WSMAN_FAULT).text = error.message
    return to_text(fault)


class Session:
    """A WS-Management session to one endpoint (IWSManSession)."""

    def __init__(self, settings, transport=None):
        require_lxml()
        self._settings = settings
        self._transport = transport
        self._timeout = DEFAULT_TIMEOUT_MS
        self._batch_items = DEFAULT_BATCH_ITEMS
        kb = getattr(getattr(settings, 'client_config', None), 'max_envelope_size_kb', None)
        self._max_envelope_size = int(kb) * 1024 if kb else DEFAULT_MAX_ENVELOPE_SIZE
        self._locale = DEFAULT_LOCALE
        self._error = ''
        self._closed = False
        # Live Enumerators, closed (Release sent) by close(); weak so that dropping one still frees it.
        self._enumerators = weakref.WeakSet()
        self.requests = 0
        #: Enumerators send the next Pull while the caller works through the current batch
        #: (one Pull in flight at most; see ``_enumerator``). Set False for strictly sequential I/O.
        self.prefetch = True

    # --- properties -----------------------------------------------------------------------------
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
        """XML (``f:WSManFault``) of the last error, ``''`` when the last operation succeeded."""
        return self._error

    @property
    def timeout(self):
        """Operation timeout in milliseconds (sent as ``wsman:OperationTimeout``); default 60000."""
        return self._timeout

    @timeout.setter
    def timeout(self, value):
        self._timeout = _bounded_int(value, 'timeout', 1, MAX_TIMEOUT_MS, ' milliseconds',
                                     'Give the timeout in milliseconds, e.g. 60000.')

    @property
    def batch_items(self):
        """Items per Pull (``wsman:MaxElements``); default 20 (facts §5.2 [CONFLICT], see module)."""
        return self._batch_items

    @batch_items.setter
    def batch_items(self, value):
        self._batch_items = _bounded_int(value, 'batch_items', 1, MAX_BATCH_ITEMS, '',
                                         'Give the number of items per Pull, e.g. 20.',
                                         code_low='ERROR_WSMAN_CLIENT_BATCH_ITEMS_TOO_SMALL')

    @property
    def max_envelope_size(self):
        """``wsman:MaxEnvelopeSize`` in bytes; default 153600 (150 KB, facts §10)."""
        return self._max_envelope_size

    @max_envelope_size.setter
    def max_envelope_size(self, value):
        self._max_envelope_size = _bounded_int(value, 'max_envelope_size', MIN_MAX_ENVELOPE_SIZE, MAX_MAX_ENVELOPE_SIZE,
                                               ' bytes', 'Give the size in bytes, e.g. 153600 (150 KB) or 512000 (500 KB).',
                                               code_low='ERROR_WSMAN_ENCODING_LIMIT', code_high='ERROR_WSMAN_ENCODING_LIMIT')

    @property
    def locale(self):
        """Language of the service's messages (``wsman:Locale``, mustUnderstand=false); default en-US."""
        return self._locale

    @locale.setter
    def locale(self, value):
        if not isinstance(value, str) or not _LOCALE_RE.match(value):
            raise WSManInvalidArgumentError('locale must be a language tag such as "en-US", got %r' % (value,),
                                            code=E_INVALIDARG, argument='locale')
        self._locale = value

    # --- plumbing -------------------------------------------------------------------------------
    def envelope_params(self):
        """The :class:`~._soap.EnvelopeParams` of the next request."""
        return EnvelopeParams(self.endpoint, self._timeout, self._max_envelope_size, self._locale,
                              bool(getattr(self._settings, 'utf16', False)))

    def _get_transport(self):
        if self._closed:
            raise WSManInvalidArgumentError('The session %s is closed' % self.endpoint, code=E_INVALIDARG,
                                            argument='session', fix='Create a new session.')
        if self._transport is None:
            # Imported on first use: a session that never sends needs no HTTP stack.
            from ansible_collections.wsman.automation.plugins.module_utils._transport import Transport  # pylint: disable=import-outside-toplevel
            self._transport = Transport(self._settings)
        return self._transport

    def _exchange(self, data, message_id, extra_http_headers=None, idempotent=False):
        """Send one encoded envelope; return the checked response envelope. Records ``error``."""
        try:
            transport = self._get_transport()
            utf16 = bool(getattr(self._settings, 'utf16', False))
            self.requests += 1
            reply = transport.send(data, charset_for(utf16), extra_http_headers, timeout_ms=self._timeout,
                                   idempotent=idempotent)
        except WSManError as exc:
            self._error = client_error_xml(exc, self._settings.endpoint.host)
            raise
        return self._judge(reply, message_id)

    def request(self, action, locator, body=None, extra_headers=(), params=None):
        """Send a request built from ``action``/``locator``/``body``; return the response envelope.

        ``params`` (:class:`~._soap.EnvelopeParams`) defaults to the session's current values; an
        Enumerator passes the values of its Enumerate so that every Pull matches it (facts §7.4).
        """
        data, message_id = build_envelope(action, locator, params or self.envelope_params(), body, extra_headers)
        return self._exchange(data, message_id, idempotent=action in IDEMPOTENT_ACTIONS)

    def begin_request(self, action, locator, body=None, params=None):
        """Send a request now and return a :class:`PendingReply`; its ``result()`` judges the reply.

        With a transport that can defer (``send_deferred``) only the status line and headers are
        awaited here; the body is read, unsealed and parsed by ``result()``. Used by the Enumerator
        to send the next Pull from a helper thread (see ``_enumerator``). Errors are raised by
        ``result()``, which records ``error`` as :meth:`request` does.
        """
        data, message_id = build_envelope(action, locator, params or self.envelope_params(), body, ())
        idempotent = action in IDEMPOTENT_ACTIONS
        try:
            transport = self._get_transport()
            utf16 = bool(getattr(self._settings, 'utf16', False))
            self.requests += 1
            send_deferred = getattr(transport, 'send_deferred', None)
            if send_deferred is None:
                reply = transport.send(data, charset_for(utf16), None, timeout_ms=self._timeout, idempotent=idempotent)
            else:
                reply = send_deferred(data, charset_for(utf16), None, timeout_ms=self._timeout, idempotent=idempotent)
        except WSManError as exc:
            return PendingReply(self, message_id, error=exc)
        return PendingReply(self, message_id, reply=reply)

    def send_ahead(self, action, locator, body=None, params=None):
        """Write a request now without waiting for anything; a :class:`PendingReply`, or None.

        None when the transport cannot do this at the moment (see ``Transport.send_ahead``); then
        nothing was sent. Used by the Enumerator for the next Pull.
        """
        transport = self._get_transport()
        send_ahead = getattr(transport, 'send_ahead', None)
        if send_ahead is None:
            return None
        data, message_id = build_envelope(action, locator, params or self.envelope_params(), body, ())
        utf16 = bool(getattr(self._settings, 'utf16', False))
        try:
            reply = send_ahead(data, charset_for(utf16), timeout_ms=self._timeout)
        except WSManError as exc:
            self.requests += 1
            return PendingReply(self, message_id, error=exc)
        if reply is None:
            return None
        self.requests += 1
        return PendingReply(self, message_id, reply=reply)

    def _judge(self, reply, message_id):
        """check_response for a transport reply; records ``error``."""
        try:
            envelope = check_response(reply.status, reply.content_type, reply.body, message_id, self.endpoint)
        except WSManFault as fault:
            self._error = fault.fault_xml or ''
            raise
        except WSManError as exc:
            self._error = client_error_xml(exc, self._settings.endpoint.host)
            raise
        self._error = ''
        return envelope

    def _validation_error(self, exc):
        self._error = client_error_xml(exc, getattr(self._settings.endpoint, 'host', ''))
        return exc

    def _locator(self, resource):
        try:
            return resolve_resource(resource)
        except WSManInvalidArgumentError as exc:
            raise self._validation_error(exc) from None

    def _body(self, body, locator, what):
        """A Put/Create body: XML text, an element or a dict; wrapped for fragment transfer."""
        if body is None or (isinstance(body, (str, bytes)) and not body.strip()):
            raise self._validation_error(WSManInvalidArgumentError(
                'The %s body is blank' % what, code='ERROR_WSMAN_CLIENT_BLANK_INPUT_XML', argument='body',
                fix='Give the instance as XML text or as a dict of properties.'))
        if isinstance(body, dict):
            uri, class_name = split_resource_uri(locator.resource_uri)
            return dict_to_instance(uri, class_name, body)
        if locator.fragment_path and isinstance(body, str) and not body.lstrip().startswith('<'):
            try:
                text = xml_text(body, 'body', 'The %s body' % what)
            except WSManInvalidArgumentError as exc:
                raise self._validation_error(exc) from None
            fragment = etree.Element(_W_XML_FRAGMENT)
            fragment.text = text
            return fragment
        try:
            element = to_element(body, 'the %s body' % what)
        except WSManInvalidArgumentError as exc:
            raise self._validation_error(exc) from None
        if locator.fragment_path and element.tag != _W_XML_FRAGMENT:
            fragment = etree.Element(_W_XML_FRAGMENT)
            fragment.append(element)
            return fragment
        return element

    # --- operations -----------------------------------------------------------------------------
    def identify_element(self, flags=0):
        """WS-Management Identify; returns the ``wsmid:IdentifyResponse`` element (facts §8).

        ``flags`` may be 0 or ``SessionFlag.USE_NO_AUTHENTICATION``. The request is anonymous
        (HTTP header ``WSMANIDENTIFY: unauthenticated``) when the session uses no authentication
        or that flag is given. Not allowed on a local session (R22).
        """
        try:
            value = parse_flags(flags, SessionFlag, 'flags')
            if value & ~int(SessionFlag.USE_NO_AUTHENTICATION):
                raise WSManInvalidArgumentError('Identify accepts only flags 0 or UseNoAuthentication, got %r' % (flags,),
                                                code='ERROR_WSMAN_CLIENT_INVALID_FLAG', argument='flags')
            if getattr(self._settings.endpoint, 'is_local', False):
                raise WSManInvalidArgumentError('Identify is not available on a local session', rule='R22',
                                                code='ERROR_WSMAN_NO_IDENTIFY_FOR_LOCAL_SESSION', argument='connection',
                                                fix='Create the session with a connection string naming the remote host.')
        except WSManInvalidArgumentError as exc:
            raise self._validation_error(exc) from None
        auth = getattr(self._settings, 'auth', None)
        anonymous = bool(value) or getattr(auth, 'mechanism', None) == 'none'
        data = build_identify(bool(getattr(self._settings, 'utf16', False)))
        headers = {'WSMANIDENTIFY': 'unauthenticated'} if anonymous else None
        return first_body_child(self._exchange(data, None, headers, idempotent=True))

    def identify(self, flags=0):
        """Identify; returns the XML text of ``wsmid:IdentifyResponse``."""
        return to_text(self.identify_element(flags))

    def get_element(self, resource, flags=0):
        """WS-Transfer Get; returns the instance element (``wsman:XmlFragment`` for a fragment Get)."""
        locator = self._locator(resource)
        self._check_reserved(flags, 'Get')
        return first_body_child(self.request(ACTION_GET, locator))

    def get(self, resource, flags=0):
        """WS-Transfer Get; returns the instance XML text."""
        return _text_or_none(self.get_element(resource, flags))

    def put_element(self, resource, body, flags=0):
        """WS-Transfer Put of ``body`` (XML text, element or dict); returns the updated instance element."""
        locator = self._locator(resource)
        self._check_reserved(flags, 'Put')
        return first_body_child(self.request(ACTION_PUT, locator, self._body(body, locator, 'Put')))

    def put(self, resource, body, flags=0):
        """WS-Transfer Put; returns the XML text of the updated instance (None if the service sent none)."""
        return _text_or_none(self.put_element(resource, body, flags))

    def create_element(self, resource, body, flags=0):
        """WS-Transfer Create; returns the ``wxf:ResourceCreated`` EPR element."""
        locator = self._locator(resource)
        self._check_reserved(flags, 'Create')
        return first_body_child(self.request(ACTION_CREATE, locator, self._body(body, locator, 'Create')))

    def create(self, resource, body, flags=0):
        """WS-Transfer Create; returns the XML text of the new resource's EPR (see module docstring)."""
        return _text_or_none(self.create_element(resource, body, flags))

    def delete(self, resource, flags=0):
        """WS-Transfer Delete; returns None."""
        locator = self._locator(resource)
        self._check_reserved(flags, 'Delete')
        self.request(ACTION_DELETE, locator)

    def invoke_element(self, action, resource, parameters, flags=0):
        """Invoke a method; returns the ``p:<Method>_OUTPUT`` element.

        ``action``: a method name (action URI = resource URI without selectors + ``/`` + name) or
        an absolute action URI. ``parameters`` (mandatory, facts §5.1): XML text, an element, or a
        dict that becomes ``<p:<Method>_INPUT xmlns:p="<resource URI>">``.
        """
        locator = self._locator(resource)
        self._check_reserved(flags, 'Invoke')
        if not isinstance(action, str) or not action.strip():
            raise self._validation_error(WSManInvalidArgumentError(
                'The action of Invoke is blank', code='ERROR_WSMAN_CLIENT_BLANK_ACTION_URI', argument='action',
                fix='Give a method name such as "StopService" or an absolute action URI.'))
        action = action.strip()
        uri = split_resource_uri(locator.resource_uri)[0]
        action_uri = action if _ABSOLUTE_URI_RE.match(action) else '%s/%s' % (uri, action)
        method = action_uri.rstrip('/').rpartition('/')[2]
        if parameters is None or (isinstance(parameters, (str, bytes)) and not parameters.strip()):
            raise self._validation_error(WSManInvalidArgumentError(
                'The parameters of Invoke %s are blank' % method, code='ERROR_WSMAN_CLIENT_BLANK_INPUT_XML',
                argument='parameters',
                fix='Parameters are mandatory even for methods without inputs: give {} or <p:%s_INPUT xmlns:p="%s"/>.'
                    % (method, uri)))
        if isinstance(parameters, dict):
            body = dict_to_instance(uri, method + '_INPUT', parameters)
        else:
            try:
                body = to_element(parameters, 'the Invoke parameters')
            except WSManInvalidArgumentError as exc:
                raise self._validation_error(exc) from None
        return first_body_child(self.request(action_uri, locator, body))

    def invoke(self, action, resource, parameters, flags=0):
        """Invoke a method; returns the XML text of its output."""
        return _text_or_none(self.invoke_element(action, resource, parameters, flags))

    def enumerate(self, resource, filter=None, dialect=None, flags=0):  # pylint: disable=redefined-builtin
        """WS-Enumeration Enumerate; returns an :class:`~._enumerator.Enumerator` (facts §7)."""
        locator = self._locator(resource)
        try:
            value = parse_flags(flags, EnumerationFlag, 'flags')
            body = build_enumerate_request(locator, filter, dialect, value, self._batch_items)
        except WSManInvalidArgumentError as exc:
            raise self._validation_error(exc) from None
        enumerator = Enumerator(self, locator, body)
        self._enumerators.add(enumerator)
        return enumerator

    def _check_reserved(self, flags, operation):
        try:
            reserved_flags(flags, operation)
        except WSManInvalidArgumentError as exc:
            raise self._validation_error(exc) from None

    # --- life cycle -----------------------------------------------------------------------------
    def close(self):
        """Close the session (idempotent); it may not be used afterwards.

        First closes every live Enumerator of this session, best effort, so that the service gets a
        Release for each context still open; then closes the transport.
        """
        if self._closed:
            return
        for enumerator in list(self._enumerators):
            try:
                enumerator.close()
            except Exception:  # pylint: disable=broad-except
                # Best effort: the context expires on the service anyway (EnumerationTimeoutms).
                pass
        self._enumerators.clear()
        self._closed = True
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    @property
    def closed(self):
        """True once :meth:`close` was called."""
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return '<Session %s>' % self.endpoint


class PendingReply:
    """A request sent by :meth:`Session.begin_request`; ``result()`` returns the checked envelope."""

    __slots__ = ('_session', '_message_id', '_reply', '_error')

    def __init__(self, session, message_id, reply=None, error=None):
        self._session = session
        self._message_id = message_id
        self._reply = reply
        self._error = error

    def result(self):
        """The response envelope; raises WSManFault / WSManError as ``Session.request`` does."""
        session = self._session
        if self._error is None:
            try:
                reply = self._reply.result() if hasattr(self._reply, 'result') else self._reply
            except WSManError as exc:
                self._error = exc
            else:
                return session._judge(reply, self._message_id)  # pylint: disable=protected-access
        error = self._error
        if isinstance(error, WSManFault):
            session._error = error.fault_xml or ''  # pylint: disable=protected-access
        else:
            session._error = client_error_xml(error, session.settings.endpoint.host)  # pylint: disable=protected-access
        raise error


def _text_or_none(element):
    return None if element is None else to_text(element)
