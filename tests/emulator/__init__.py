"""Local emulator of Mavera's documented API, for recording cassettes and injecting faults.

Usage::

    with run_emulator() as emu:
        client = OpenAI(base_url=emu.base_url, api_key=emu.api_key)
        emu.faults.push(Fault("status", status=503, retry_after=1))

Endpoints (under ``/api/v1``) are listed in :mod:`.routes`; special API keys that trigger
401/402/403 in :mod:`.auth`; fault kinds in :mod:`.faults`; catalogues and wording in
``data/``. Run standalone with ``python -m tests.emulator --port 8765``.
"""

from .auth import BUDGET_EXCEEDED_KEY, DEFAULT_KEY, EXPIRED_KEY, FORBIDDEN_KEY, NO_CREDITS_KEY, REVOKED_KEY
from .faults import FAULT_KINDS, Fault, FaultKind, FaultQueue
from .personas import PERSONAS, Persona
from .routes import ROUTES, Route
from .server import SERVED_BY, Emulator, RecordedRequest, run_emulator

__all__ = [
    "BUDGET_EXCEEDED_KEY", "DEFAULT_KEY", "EXPIRED_KEY", "FAULT_KINDS", "FORBIDDEN_KEY", "NO_CREDITS_KEY",
    "PERSONAS", "REVOKED_KEY", "ROUTES", "SERVED_BY", "Emulator", "Fault", "FaultKind", "FaultQueue",
    "Persona", "RecordedRequest", "Route", "run_emulator",
]  # fmt: skip
