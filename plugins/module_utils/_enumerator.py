# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``Enumerator`` (createsession-facts.md §5.3, §7): Enumerate, Pull, Release.

* The Enumerate request carries ``wsman:OptimizeEnumeration`` and ``wsman:MaxElements`` =
  ``Session.batch_items``, so the response already holds the first batch (facts §7.4).
* Each Pull asks for the same MaxElements and is sent with the same MaxEnvelopeSize (the service
  refuses a Pull whose parameters differ, 0x803381AD).
* A Pull that times out without data (``ERROR_WSMAN_ENUMERATE_TIMED_OUT`` 0x8033801C) leaves the
  context valid and is retried, at most :data:`PULL_TIMEOUT_RETRIES` times in a row (winrm.vbs
  retries three times); not while the enumerator is being closed (its items are not wanted then).
* ``wsen:EndOfSequence`` / ``wsman:EndOfSequence`` ends the enumeration; the service has then
  dropped the context and no Release is sent. Closing the enumerator earlier (``close()``, leaving a
  ``with`` block, breaking out of a ``for`` loop, garbage collection) or an error that stops it
  sends ``wsen:Release`` so the service frees the context at once - except when the service said
  the context is already gone (0x8033801B).

Filters (facts §7.1, §7.2): ``dialect`` is a URI or an alias (``wql``, ``selector``,
``association``). A filter without a dialect is WQL, as in winrm.vbs; except that a dict filter
without dialect is a selector filter. A text filter starting with ``<`` is parsed as an XML
fragment unless ``EnumerationFlag.NON_XML_TEXT`` is given. Selector and association filters may
also be written as winrm.vbs writes them, ``{Name="Value";Name2="Value2"}`` (see
:func:`parse_hash_filter`). Selector filter: a dict name -> value.
Association filter: a dict with ``Object`` (a resource string with selectors, a ResourceLocator,
an EPR dict or EPR XML), ``AssociationClassName``, ``ResultClassName``, ``Role``, ``ResultRole``
(snake_case keys accepted too); ``ASSOCIATION_INSTANCE`` (0x80) asks for the association instances
(``b:AssociationInstances``, which takes only Object, ResultClassName and Role) instead of the
associated instances.
"""

from __future__ import annotations

import collections
import copy as copy_module
import functools
import re
import threading

from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    ERROR_CODES,
    WSManError,
    WSManFault,
    WSManInvalidArgumentError,
)
from ansible_collections.wsman.automation.plugins.module_utils._flags import EnumerationFlag
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import (
    ACTION_ENUMERATE,
    ACTION_PULL,
    ACTION_RELEASE,
    ADDRESS_ANONYMOUS,
    DIALECT_ALIASES,
    DIALECT_ASSOCIATION,
    DIALECT_SELECTOR,
    DIALECT_WQL,
    ENUMERATION_MODE_EPR,
    ENUMERATION_MODE_OBJECT_AND_EPR,
    NS_CIM_BINDING,
    NS_ENUMERATION,
    NS_WSMAN,
    POLYMORPHISM_BASE_PROPS_ONLY,
    POLYMORPHISM_SHALLOW,
)
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import (
    ResourceLocator,
    add_selector_set,
    epr_dict_to_elements,
    resolve_resource,
)
from ansible_collections.wsman.automation.plugins.module_utils._xml import etree, parse_xml, to_text, xml_text, XMLParseError

PULL_TIMEOUT_RETRIES = 3

_N_ENUMERATE = '{%s}Enumerate' % NS_ENUMERATION
_N_PULL = '{%s}Pull' % NS_ENUMERATION
_N_RELEASE = '{%s}Release' % NS_ENUMERATION
_N_CONTEXT = '{%s}EnumerationContext' % NS_ENUMERATION
_N_MAX_ELEMENTS = '{%s}MaxElements' % NS_ENUMERATION
_N_ITEMS = '{%s}Items' % NS_ENUMERATION
_N_EOS = '{%s}EndOfSequence' % NS_ENUMERATION
_N_ENUMERATE_RESPONSE = '{%s}EnumerateResponse' % NS_ENUMERATION
_N_PULL_RESPONSE = '{%s}PullResponse' % NS_ENUMERATION
_W_ITEMS = '{%s}Items' % NS_WSMAN
_W_EOS = '{%s}EndOfSequence' % NS_WSMAN
_W_OPTIMIZE = '{%s}OptimizeEnumeration' % NS_WSMAN
_W_MAX_ELEMENTS = '{%s}MaxElements' % NS_WSMAN
_W_FILTER = '{%s}Filter' % NS_WSMAN
_W_MODE = '{%s}EnumerationMode' % NS_WSMAN
_B_POLYMORPHISM = '{%s}PolymorphismMode' % NS_CIM_BINDING
_ITEMS_TAGS = (_N_ITEMS, _W_ITEMS)
_EOS_TAGS = (_N_EOS, _W_EOS)

_TIMED_OUT = ERROR_CODES['ERROR_WSMAN_ENUMERATE_TIMED_OUT']
_CONTEXT_GONE = ERROR_CODES['ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT']

_ASSOC_KEYS = {
    'object': 'Object', 'associationclassname': 'AssociationClassName', 'resultclassname': 'ResultClassName',
    'role': 'Role', 'resultrole': 'ResultRole',
}
_ASSOC_ORDER = ('Object', 'AssociationClassName', 'ResultClassName', 'Role', 'ResultRole')
_ASSOCIATION_INSTANCES_KEYS = ('Object', 'ResultClassName', 'Role')
_ABSOLUTE_URI_RE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')
_HASH_NAME_RE = re.compile(r'^[\w:]+$')  # winrm.vbs: names in a {KEY="VALUE"} hash


def _invalid(message, code='ERROR_WSMAN_CLIENT_INVALID_FLAG', argument='flags', fix=None):
    return WSManInvalidArgumentError(message, code=code, argument=argument, fix=fix)


def resolve_dialect(dialect):
    """An alias (wql, selector, association; case-insensitive) or an absolute URI -> dialect URI."""
    if dialect is None or dialect == '':
        return None
    if not isinstance(dialect, str):
        raise _invalid('dialect must be a string, not %s' % type(dialect).__name__, code=0, argument='dialect')
    text = dialect.strip()
    uri = DIALECT_ALIASES.get(text.lower())
    if uri:
        return uri
    if _ABSOLUTE_URI_RE.match(text):
        return xml_text(text, 'dialect', 'The filter dialect')
    raise _invalid('Unknown filter dialect %r' % dialect, code=0, argument='dialect',
                   fix='Use wql, selector, association or a dialect URI such as %s.' % DIALECT_WQL)


def parse_hash_filter(text):
    """winrm.vbs's filter hash ``{Name="Value";Name2="Value2"}`` (``@{...}`` too) -> dict; None if not that form.

    ``winrm enumerate wmicimv2/Win32_Service -dialect:selector -filter:{State="Running"}`` (facts §7.2)
    and ``-dialect:association -filter:{Object=Win32_Service?Name=WinRM;ResultClassName=Win32_Service}``
    write selector and association filters this way. A value is either double-quoted (it may then
    hold ``;``, ``}`` and ``=``) or runs to the next ``;``; names and unquoted values are trimmed.
    """
    body = text.strip()
    if body.startswith('@'):
        body = body[1:].lstrip()
    if not body.startswith('{'):
        return None

    def bad(reason):
        return _invalid('The filter %r is not a {Name="Value";Name2="Value2"} hash: %s' % (text, reason), code=0,
                        argument='filter',
                        fix='Write it as winrm.vbs does, e.g. {State="Running"} or {Object=Win32_Service?Name=WinRM;'
                            'ResultClassName=Win32_Service}, or give the filter as a dict.')

    if not body.endswith('}'):
        raise bad('it does not end with "}"')
    inner, result, pos = body[1:-1], {}, 0
    while pos < len(inner):
        equals = inner.find('=', pos)
        if equals < 0:
            if inner[pos:].strip(' ;'):
                raise bad('%r has no "="' % inner[pos:].strip())
            break
        name = inner[pos:equals].strip().lstrip(';').strip()
        if not _HASH_NAME_RE.match(name):
            raise bad('%r is not a name (letters, digits, "_" and ":")' % inner[pos:equals].strip())
        pos = equals + 1
        while pos < len(inner) and inner[pos] == ' ':
            pos += 1
        if pos < len(inner) and inner[pos] == '"':
            close = inner.find('"', pos + 1)
            if close < 0:
                raise bad('the value of %s has no closing quote' % name)
            value, pos = inner[pos + 1:close], close + 1
            rest = inner.find(';', pos)
            rest = len(inner) if rest < 0 else rest
            if inner[pos:rest].strip():
                raise bad('unexpected %r after the quoted value of %s' % (inner[pos:rest].strip(), name))
            pos = rest + 1
        else:
            rest = inner.find(';', pos)
            rest = len(inner) if rest < 0 else rest
            value, pos = inner[pos:rest].strip(), rest + 1
        if name in result:
            raise bad('%s is given twice' % name)
        result[name] = value
    if not result:
        raise bad('it names nothing')
    return result


def _selector_filter(parent, value):
    if not isinstance(value, dict) or not value:
        raise _invalid('A selector filter must be a non-empty dict of name -> value', code=0, argument='filter',
                       fix='For example {"State": "Running"}.')
    locator = ResourceLocator()
    for name, sel_value in value.items():
        locator.add_selector(str(name), sel_value)
    add_selector_set(parent, locator.selectors)


def _object_epr(value, locator=None):
    """The EPR dict of an association filter's Object.

    A bare class name with selectors (``Win32_Service?Name=WinRM``, as in winrm.vbs's
    ``winrm e wmicimv2/* -dialect:association -filter:{Object=Win32_Service?Name=WinRM}``) names a
    class in the namespace of the enumerated resource URI (``wmicimv2/*`` -> root/cimv2).
    """
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and locator is not None:
        name = value.strip().partition('?')[0]
        namespace = locator.resource_uri.rpartition('/')[0]
        if name and '/' not in name and ':' not in name and not name.startswith('<') and namespace:
            value = '%s/%s' % (namespace, value.strip())
    locator = resolve_resource(value)
    return {'address': ADDRESS_ANONYMOUS, 'resource_uri': locator.resource_uri, 'selectors': dict(locator.selectors)}


def _association_filter(parent, value, flags, locator=None):
    if not isinstance(value, dict):
        raise _invalid('An association filter must be a dict with Object and optional AssociationClassName, '
                       'ResultClassName, Role, ResultRole', code=0, argument='filter')
    keys = {}
    for key, item in value.items():
        name = _ASSOC_KEYS.get(str(key).replace('_', '').lower())
        if name is None:
            raise _invalid('Unknown association filter key %r' % key, code=0, argument='filter',
                           fix='Valid keys: %s.' % ', '.join(_ASSOC_ORDER))
        if item is not None and item != '':
            keys[name] = item
    if 'Object' not in keys:
        raise _invalid('An association filter needs Object (the source instance, e.g. '
                       '"wmicimv2/Win32_Service?Name=WinRM")', code=0, argument='filter')
    association = bool(flags & EnumerationFlag.ASSOCIATION_INSTANCE)
    if association:
        extra = sorted(set(keys) - set(_ASSOCIATION_INSTANCES_KEYS))
        if extra:
            raise _invalid('With AssociationInstance the association filter takes only Object, ResultClassName and '
                           'Role, not %s' % ', '.join(extra), code=0, argument='filter',
                           fix='Drop %s, or drop the AssociationInstance flag to get associated instances.' % ', '.join(extra))
    root = etree.SubElement(parent, '{%s}%s' % (NS_CIM_BINDING, 'AssociationInstances' if association else 'AssociatedInstances'))
    for name in _ASSOC_ORDER:
        if name not in keys:
            continue
        child = etree.SubElement(root, '{%s}%s' % (NS_CIM_BINDING, name))
        if name == 'Object':
            epr_dict_to_elements(child, _object_epr(keys['Object'], locator))
        else:
            child.text = xml_text(str(keys[name]), 'filter', 'The %s of the association filter' % name)


def build_enumerate_request(locator, filter_value, dialect, flags, batch_items):
    """The ``wsen:Enumerate`` body element; validates the filter/dialect/flags combination."""
    flags = int(flags)
    if flags & EnumerationFlag.RETURN_EPR and flags & EnumerationFlag.RETURN_OBJECT_AND_EPR:
        raise _invalid('ReturnEPR and ReturnObjectAndEPR cannot be combined',
                       code='ERROR_WSMAN_CLIENT_MULTIPLE_ENUM_MODE_FLAGS',
                       fix='Choose one result type: object (default), EPR or object and EPR.')
    dialect_uri = resolve_dialect(dialect)
    has_filter = filter_value is not None and filter_value != '' and filter_value != {}
    if dialect_uri and not has_filter:
        raise _invalid('A dialect (%s) was given without a filter' % dialect, code=0, argument='dialect',
                       fix='Give a filter too, or leave the dialect out.')
    if has_filter and locator.selectors:
        raise _invalid('A filter cannot be combined with a resource that has selectors (facts §5.4)',
                       code='ERROR_WSMAN_CLIENT_INVALID_RESOURCE_LOCATOR', argument='filter',
                       fix='Remove the selectors from the resource, or drop the filter and Get the instance.')
    if has_filter and dialect_uri is None:
        dialect_uri = DIALECT_SELECTOR if isinstance(filter_value, dict) else DIALECT_WQL
    if (isinstance(filter_value, str) and dialect_uri in (DIALECT_SELECTOR, DIALECT_ASSOCIATION)
            and not flags & EnumerationFlag.NON_XML_TEXT):
        filter_value = parse_hash_filter(filter_value) or filter_value
    if flags & EnumerationFlag.ASSOCIATION_INSTANCE and dialect_uri != DIALECT_ASSOCIATION:
        raise _invalid('The AssociationInstance flag needs the association dialect',
                       fix='Give dialect "association" with an association filter, or drop the flag.')

    enumerate_el = etree.Element(_N_ENUMERATE)
    etree.SubElement(enumerate_el, _W_OPTIMIZE)
    etree.SubElement(enumerate_el, _W_MAX_ELEMENTS).text = str(int(batch_items))
    if has_filter:
        filter_el = etree.SubElement(enumerate_el, _W_FILTER, Dialect=dialect_uri)
        if dialect_uri == DIALECT_SELECTOR and isinstance(filter_value, dict):
            _selector_filter(filter_el, filter_value)
        elif dialect_uri == DIALECT_ASSOCIATION and isinstance(filter_value, dict):
            _association_filter(filter_el, filter_value, flags, locator)
        elif isinstance(filter_value, etree._Element):  # pylint: disable=protected-access
            filter_el.append(filter_value)
        elif isinstance(filter_value, str):
            xml_text(filter_value, 'filter', 'The filter')
            if filter_value.lstrip().startswith('<') and not flags & EnumerationFlag.NON_XML_TEXT:
                try:
                    filter_el.append(parse_xml(filter_value, 'the filter'))
                except XMLParseError as exc:
                    raise _invalid('The filter starts with "<" but %s' % exc.reason, code=0, argument='filter',
                                   fix='Give well-formed XML, or set the NonXmlText flag to send it as text.') from None
            else:
                filter_el.text = filter_value
        else:
            raise _invalid('A %s filter must be text, not %s' % (dialect_uri, type(filter_value).__name__),
                           code=0, argument='filter')
    if flags & EnumerationFlag.RETURN_EPR:
        etree.SubElement(enumerate_el, _W_MODE).text = ENUMERATION_MODE_EPR
    elif flags & EnumerationFlag.RETURN_OBJECT_AND_EPR:
        etree.SubElement(enumerate_el, _W_MODE).text = ENUMERATION_MODE_OBJECT_AND_EPR
    # Facts §7.3: send what was asked, let the service answer (WinRM faults 0x80338137).
    if flags & EnumerationFlag.HIERARCHY_SHALLOW:
        etree.SubElement(enumerate_el, _B_POLYMORPHISM).text = POLYMORPHISM_SHALLOW
    elif flags & EnumerationFlag.HIERARCHY_DEEP_BASE_PROPS_ONLY:
        etree.SubElement(enumerate_el, _B_POLYMORPHISM).text = POLYMORPHISM_BASE_PROPS_ONLY
    return enumerate_el


def _pull_body(context, batch_items):
    pull = etree.Element(_N_PULL)
    pull.append(copy_module.deepcopy(context))
    etree.SubElement(pull, _N_MAX_ELEMENTS).text = str(batch_items)
    return pull


def _begin_pull(session, locator, params, batch_items, context):
    """Send a Pull and wait for the service to answer (status and headers); return the PendingReply.

    A plain function, so a helper thread running it holds no reference to the Enumerator (which
    can then be garbage-collected, and Release its context, at once).
    """
    return session.begin_request(ACTION_PULL, locator, _pull_body(context, batch_items), params=params)


def _finish_pull(pending, session, locator, params, batch_items, context):
    """The envelope of a Pull sent by :func:`_begin_pull` (retrying a timed-out one); ``(envelope, Pulls sent)``."""
    try:
        return pending.result(), 1
    except WSManFault as fault:
        if fault.code == _TIMED_OUT:
            return _send_pull(session, locator, params, batch_items, context, attempts=1)
        fault.pulls = 1
        raise


def _send_pull(session, locator, params, batch_items, context, attempts=0):
    """Send Pull (retrying a timed-out one); return ``(response envelope, Pulls sent)``."""
    while True:
        pull = _pull_body(context, batch_items)
        attempts += 1
        try:
            return session.request(ACTION_PULL, locator, pull, params=params), attempts
        except WSManFault as fault:
            if fault.code == _TIMED_OUT and attempts <= PULL_TIMEOUT_RETRIES:
                continue
            fault.pulls = attempts
            raise


class _SentPull:
    """A Pull already written on the connection (``Session.send_ahead``); no helper thread."""

    def __init__(self, pending, context):
        self.context = context
        self._pending = pending

    def wait(self):
        return self._pending


class _PendingPull:
    """One Pull running on a helper thread while the caller works through the current batch."""

    def __init__(self, function, context):
        self.context = context
        self.result = None
        self.error = None
        self._thread = threading.Thread(target=self._run, args=(function,), name='wsman-pull', daemon=True)
        self._thread.start()

    def _run(self, function):
        # Whatever happens on the helper thread is handed to the caller by wait().
        try:
            self.result = function()
        except BaseException as exc:  # pylint: disable=broad-except
            self.error = exc

    def wait(self):
        """The result of the Pull, or its exception raised here."""
        if threading.current_thread() is not self._thread:
            self._thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return self.result


class Enumerator:
    """The items of one enumeration (IWSManEnumerator). Created by ``Session.enumerate``.

    With ``prefetch`` (the session's ``prefetch``, default True) the next Pull is sent as soon as a
    batch arrives, on a helper thread, so the service prepares batch N+1 while the caller converts
    batch N. At most one Pull is in flight; items, errors and Release behave exactly as without it
    (an error of a prefetched Pull is raised when the caller reaches it).

    On an established keep-alive connection the Pull is simply written before the caller gets the
    batch (``Session.send_ahead``) and its reply read when the next batch is needed: one thread, the
    service working in parallel. Otherwise (a new connection, a proxy, Kerberos, CredSSP, Digest)
    a helper thread sends it (``Session.begin_request``). The helper thread only
    sends the Pull and waits for the service's answer to begin (``Session.begin_request``); reading,
    unsealing and parsing the reply happen on the caller's thread when it needs the batch. A
    helper that also did that work would fight the caller's conversion for the interpreter lock
    (every socket read hands it over, at up to 5 ms a time) and the two would mostly take turns.
    """

    def __init__(self, session, locator, enumerate_body):
        self._session = session
        self._locator = locator
        # Timeout, BatchItems and MaxEnvelopeSize cannot change mid-enumeration (facts §5.2, §7.4).
        self._batch_items = session.batch_items
        self._params = session.envelope_params()
        self._prefetch = bool(getattr(session, 'prefetch', False))
        self._items = collections.deque()
        self._context = None
        self._end = False
        self._error = ''
        self._closed = False
        self._pending = None
        self.pulls = 0
        self.released = False
        response = session.request(ACTION_ENUMERATE, locator, enumerate_body, params=self._params)
        self._take(response, _N_ENUMERATE_RESPONSE)
        self._start_prefetch()

    # --- state ----------------------------------------------------------------------------------
    @property
    def error(self):
        """XML of the last error of this enumerator, ``''`` when none."""
        return self._error

    @property
    def at_end_of_stream(self):
        """True when no item is left; Pulls as needed to find out."""
        self._fill()
        return not self._items

    # --- reading --------------------------------------------------------------------------------
    def read_element(self):
        """The next item as an lxml element (None at the end of the stream)."""
        self._fill()
        if not self._items:
            return None
        return self._items.popleft()

    def read_item(self):
        """The next item as XML text (``''`` at the end of the stream)."""
        element = self.read_element()
        return '' if element is None else to_text(element)

    def iter_elements(self):
        """Yield every remaining item as an element; Releases the context if stopped early."""
        items = self._items
        try:
            while True:
                if not items:
                    self._fill()
                    if not items:
                        return
                yield items.popleft()
        finally:
            self.close()

    def __iter__(self):
        for element in self.iter_elements():
            yield to_text(element)

    # --- protocol -------------------------------------------------------------------------------
    def _take(self, envelope, response_tag, keep_items=True):
        body = envelope.find('{http://www.w3.org/2003/05/soap-envelope}Body')
        response = body.find(response_tag) if body is not None else None
        if response is None:
            self._end = True
            self._context = None
            return
        end = False
        for child in response:
            tag = child.tag
            if tag == _N_CONTEXT:
                self._context = child
            elif tag in _ITEMS_TAGS:
                if keep_items:
                    self._items.extend(child.iterchildren(etree.Element))  # elements only (no comments/PIs)
            elif tag in _EOS_TAGS:
                end = True
        if end or self._context is None:
            self._end = True
            self._context = None

    def _start_prefetch(self):
        if self._prefetch and not self._end and not self._closed and self._pending is None:
            context = _copy_context(self._context)
            send_ahead = getattr(self._session, 'send_ahead', None)
            sent = None
            if send_ahead is not None:
                sent = send_ahead(ACTION_PULL, self._locator, _pull_body(context, self._batch_items), params=self._params)
            if sent is not None:
                self._pending = _SentPull(sent, context)
                return
            self._pending = _PendingPull(functools.partial(
                _begin_pull, self._session, self._locator, self._params, self._batch_items, context), context)

    def _fill(self):
        while not self._items and not self._end and not self._closed:
            pending, self._pending = self._pending, None
            try:
                if pending is not None:
                    response, attempts = _finish_pull(pending.wait(), self._session, self._locator, self._params,
                                                      self._batch_items, pending.context)
                else:
                    response, attempts = _send_pull(self._session, self._locator, self._params, self._batch_items,
                                                    self._context)
            except WSManFault as fault:
                self.pulls += getattr(fault, 'pulls', 1)
                self._stop(fault, release=fault.code != _CONTEXT_GONE)
                raise
            except WSManError as exc:
                self._stop(exc, release=True)
                raise
            self.pulls += attempts
            self._take(response, _N_PULL_RESPONSE)
            self._start_prefetch()

    def _stop(self, exc, release):
        self._error = self._session.error or getattr(exc, 'fault_xml', '') or ''
        if not release:
            self._context = None
            self._end = True
        self.close()

    def _settle_pending(self):
        """Wait for a Pull in flight; its context (or its end) decides whether to Release."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            # Its items are not wanted: a Pull that timed out (context still valid) is not sent again.
            response = pending.wait().result()
        except WSManFault as fault:
            self.pulls += 1
            if fault.code == _CONTEXT_GONE:
                self._context, self._end = None, True
            return
        except WSManError:
            return
        self.pulls += 1
        self._take(response, _N_PULL_RESPONSE, keep_items=False)

    def _release(self):
        context, self._context = self._context, None
        if context is None or self._end:
            return
        self._end = True
        release = etree.Element(_N_RELEASE)
        release.append(_copy_context(context))
        try:
            self._session.request(ACTION_RELEASE, self._locator, release, params=self._params)
            self.released = True
        except WSManError:
            # The context expires on the service anyway (EnumerationTimeoutms); nothing to undo.
            pass

    def close(self):
        """Stop the enumeration; sends Release if the service still holds the context (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._items.clear()
        self._settle_pending()
        if not getattr(self._session, 'closed', False):
            self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        # Garbage collection of an unfinished enumerator frees the service's context; a finalizer
        # must never raise.
        try:
            self.close()
        except Exception:  # pylint: disable=broad-except
            pass


def _copy_context(context):
    copy = etree.Element(_N_CONTEXT)
    copy.text = context.text
    for child in context:
        copy.append(copy_module.deepcopy(child))
    return copy
