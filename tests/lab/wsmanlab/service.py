"""WS-Management semantics of the lab endpoint: a stand-in for the WinRM service of Windows Server 2022.

The HTTP layer (server.py) authenticates, decrypts and then calls
``WSManService.handle(body, content_type, identity, secure)``; this module
parses the SOAP envelope, dispatches on ``wsa:Action`` and answers with the
envelope Windows would send.  It never imports the collection under test.
"""

import dataclasses
import threading
import time


@dataclasses.dataclass
class LabConfig:
    """Mutable service configuration shared with the HTTP layer (winrm/config/service)."""

    allow_unencrypted: bool = False
    basic: bool = False
    kerberos: bool = True
    negotiate: bool = True
    certificate: bool = False
    credssp: bool = False
    cbt_hardening_level: str = "Relaxed"
    max_envelope_size_kb: int = 500
    max_timeout_ms: int = 60000
    enumeration_timeout_ms: int = 60000
    max_batch_items: int = 32000
    max_connections: int = 300
    max_concurrent_operations_per_user: int = 1500
    max_packet_retrieval_time_seconds: int = 120
    computer_name: str = "LAB-WS2022"
    # user names (case-insensitive) that authenticate but are not administrators:
    # every operation except Identify is refused with access denied (E_ACCESSDENIED)
    non_admin_users: frozenset = frozenset()
    # simulated cost of Invoke on Win32_Service (StartService/StopService) and of
    # Get of Win32_Process; an OperationTimeout shorter than that gets wsman:TimedOut
    slow_ms: int = 0


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who sent a request, as the HTTP layer established it."""

    user: str
    auth_method: str


@dataclasses.dataclass(frozen=True)
class LabResponse:
    """What the HTTP layer sends back (before any message encryption)."""

    status: int
    body: bytes
    content_type: str


class WSManService:
    """The WS-Management service: ``handle()`` is the only entry point of the HTTP layer."""

    def __init__(self, config, stats=None, services=200, seed=2022, clock=time.monotonic):
        self.config = config
        self.stats = stats
        self.services = services
        self.seed = seed
        self.clock = clock
        self._lock = threading.Lock()

    def handle(self, body, content_type, identity, secure):
        """Answer one decrypted request body; never raises."""
        raise NotImplementedError
