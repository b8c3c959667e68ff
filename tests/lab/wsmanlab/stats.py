"""Thread-safe counters of the lab endpoint, served as JSON on ``GET /lab/stats``."""

import json
import os
import threading
import time

# Counter names every snapshot carries (0 until something happens).
#   requests                       HTTP requests received on a WS-Management path (any outcome)
#   authentications                authentication handshakes that completed successfully
#   auth_failures                  requests refused with HTTP 401 because credentials were wrong or not allowed
#   connections                    TCP connections (HTTP and HTTPS) that carried a WS-Management request
#   encrypted_requests             requests that arrived with MS-WSMV message encryption
#   enumeration_contexts_open      set by the WS-Management service
#   enumeration_contexts_released  set by the WS-Management service
#   faults                         HTTP responses 400/500 carrying a SOAP fault (service or HTTP layer)
#   injected                       injected faults served (see inject.py)
COUNTERS = (
    "requests",
    "authentications",
    "auth_failures",
    "connections",
    "encrypted_requests",
    "enumeration_contexts_open",
    "enumeration_contexts_released",
    "faults",
    "injected",
)


class Stats:
    """Named integer counters guarded by one lock; cheap enough to update on every request."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values = dict.fromkeys(COUNTERS, 0)
        self._started = time.time()

    def incr(self, name, n=1):
        with self._lock:
            self._values[name] = self._values.get(name, 0) + n

    def set(self, name, value):
        with self._lock:
            self._values[name] = value

    def get(self, name):
        with self._lock:
            return self._values.get(name, 0)

    def snapshot(self):
        """A copy of all counters plus ``uptime_seconds``."""
        with self._lock:
            values = dict(self._values)
        values["uptime_seconds"] = round(time.time() - self._started, 3)
        return values

    def write(self, path):
        """Write the snapshot as JSON, atomically (a reader never sees half a file)."""
        tmp = "%s.tmp%d" % (path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self.snapshot(), handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(tmp, path)
