"""Which POSTs are sent again after a read timeout: chat keeps the SDK's retries, paid REST calls never."""

from __future__ import annotations

import httpx2

# Chat keeps the SDK's retries after a read timeout (`max_retries` is the caller's say there). The
# paid REST POSTs (Mave research, story analysis, story chat, persona creation) are slow and not
# idempotent: one that timed out after it was sent may be billed, so it is not sent again. A
# connect timeout sent nothing and is retried everywhere.
RESENT_AFTER_READ_TIMEOUT = frozenset({"/chat/completions", "/responses"})


def may_resend(path: str, error: BaseException) -> bool:
    return path in RESENT_AFTER_READ_TIMEOUT or isinstance(error, httpx2.ConnectTimeout)
