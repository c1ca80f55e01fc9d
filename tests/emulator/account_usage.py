"""``GET /usage``: the documented reference example, verbatim.

The figures are fixed so cassettes stay byte-identical.
"""

import copy
from typing import Any

from .wire import JsonReply, RequestContext

USAGE: dict[str, Any] = {
    "object": "usage",
    "billing_period": {"start": "2024-03-01T00:00:00.000Z", "end": "2024-03-31T23:59:59.999Z"},
    "credits": {"used": 2500, "included": 5000, "remaining": 2500, "percentage_used": 50},
    "transcription": {
        "minutes_used": 45.5,
        "minutes_included": 500,
        "minutes_remaining": 454.5,
        "percentage_used": 9,
    },
    "storage": {"gb_used": 2.5, "gb_included": 50, "gb_remaining": 47.5, "percentage_used": 5},
    "api_requests": {
        "total_requests": 1250,
        "total_tokens": 125000,
        "prompt_tokens": 75000,
        "completion_tokens": 50000,
        "credits_used": 2500,
        "error_count": 12,
        "avg_latency_ms": 850,
    },
    "rate_limit": {"requests_per_minute": 120},
    "auto_recharge": {"enabled": True, "threshold": 100, "credits_to_add": 1000},
    "limits": {"budget_alert": 4000, "usage_limit": None},
}


def get_usage(ctx: RequestContext) -> JsonReply:
    return JsonReply(copy.deepcopy(USAGE))
