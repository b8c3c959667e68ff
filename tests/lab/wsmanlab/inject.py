"""Fault injection: make the next request(s) misbehave the way real networks and services do.

Kinds (what the client sees):
  delay      the response comes ``seconds`` late (default 1), otherwise normal
  drop       the connection is closed without any response
  status503  HTTP 503 Service Unavailable (HTTP.sys's answer when the service is stopped/overloaded)
  malformed  HTTP 200 whose body is not XML (inside the message encryption when the request was encrypted)
  truncated  Content-Length announces the whole response but only half is sent, then the connection closes
  pull-timeout
             a WS-Enumeration Pull answers, after waiting the Pull's OperationTimeout (capped by MaxTimeoutms;
             ``seconds`` instead when given), the fault Windows sends when a Pull collected no items in time:
             s:Receiver / n:TimedOut, WSManFault Code 2150858780 (ERROR_WSMAN_ENUMERATE_TIMED_OUT 0x8033801C,
             createsession-facts.md §7.4, §9.2). The enumeration context stays valid: the next Pull continues
             where the enumeration was (winrm.vbs retries)

An injection fires on requests that reached the WS-Management service (authenticated and decrypted),
never on authentication legs or on the /lab control paths. ``after`` lets that many such requests
pass first; ``count`` is how many requests it then hits (0 = every request until cleared).
``pull-timeout`` is applied by the WS-Management service (service.py) and counts only Pull requests
on a valid enumeration context (same MaxEnvelopeSize as the Enumerate) in ``after`` and ``count``; every
other request, and a Pull the service refuses anyway, passes it by. Pull-timeout injections and the others
queue separately: a pending one of either never holds up the other.
"""

import dataclasses
import math
import threading

KINDS = ("delay", "drop", "status503", "malformed", "truncated", "pull-timeout")
# kinds the WS-Management service applies to Pull requests (Injector.take_pull); the HTTP layer's take() skips them
PULL_KINDS = ("pull-timeout",)


class InjectionError(ValueError):
    """A bad injection spec; the message names the input and the fix."""


@dataclasses.dataclass
class Injection:
    kind: str
    seconds: float = 1.0  # pull-timeout: None = the Pull's OperationTimeout
    count: int = 1
    after: int = 0

    def to_dict(self):
        return dataclasses.asdict(self)


def _number(name, value, kind, cast):
    try:
        number = cast(value)
    except (TypeError, ValueError):
        raise InjectionError("injection %r: %s=%r is not a number" % (kind, name, value)) from None
    if number < 0 or math.isnan(number) or number > 86400:
        raise InjectionError("injection %r: %s=%r must be between 0 and 86400" % (kind, name, value))
    return number


def make_injection(kind, seconds=None, count=None, after=None):
    """Validate the parts of an injection; raises InjectionError naming the bad one."""
    if kind not in KINDS:
        raise InjectionError("unknown injection kind %r; use one of: %s" % (kind, ", ".join(KINDS)))
    default_seconds = None if kind in PULL_KINDS else 1.0
    return Injection(
        kind=kind,
        seconds=default_seconds if seconds is None else _number("seconds", seconds, kind, float),
        count=1 if count is None else _number("count", count, kind, int),
        after=0 if after is None else _number("after", after, kind, int),
    )


def parse_spec(text):
    """Parse the command-line form ``KIND[,count=N][,seconds=S][,after=N]``, e.g. ``delay,seconds=2,count=3``."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise InjectionError("--inject needs a kind, e.g. --inject drop,count=1 (kinds: %s)" % ", ".join(KINDS))
    values = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        if not sep or key not in ("count", "seconds", "after"):
            raise InjectionError("--inject %r: %r is not count=N, seconds=S or after=N" % (text, part))
        values[key] = value
    return make_injection(parts[0], **values)


def from_json(data):
    """Build an injection from the JSON object of ``POST /lab/inject``."""
    if not isinstance(data, dict):
        raise InjectionError('POST /lab/inject wants a JSON object like {"kind": "drop", "count": 1}')
    unknown = set(data) - {"kind", "seconds", "count", "after"}
    if unknown:
        raise InjectionError("POST /lab/inject: unknown field(s) %s; allowed: kind, seconds, count, after" % ", ".join(sorted(unknown)))
    return make_injection(data.get("kind"), data.get("seconds"), data.get("count"), data.get("after"))


class Injector:
    """The queue of pending injections; ``take()`` is called once per service request."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = []

    def add(self, injection):
        with self._lock:
            self._pending.append(injection)

    def clear(self):
        with self._lock:
            self._pending.clear()

    def pending(self):
        with self._lock:
            return [item.to_dict() for item in self._pending]

    def take(self):
        """The injection to apply to this request (HTTP layer), or None. Consumes one use; skips PULL_KINDS."""
        return self._take(False)

    def take_pull(self):
        """The PULL_KINDS injection to apply to this Pull (WS-Management service), or None. Consumes one use."""
        return self._take(True)

    def _take(self, pull):
        if not self._pending:  # fast path without the lock; a race only delays by one request
            return None
        with self._lock:
            for item in self._pending:
                if (item.kind in PULL_KINDS) != pull:
                    continue
                if item.after > 0:
                    item.after -= 1
                    return None
                fired = Injection(item.kind, item.seconds, 1, 0)
                if item.count == 1:
                    self._pending.remove(item)
                elif item.count > 1:
                    item.count -= 1
                return fired
            return None
