"""Which personas an example asks: yours, never a hard-coded catalogue.

Set MAVERA_PERSONAS to a comma-separated list of persona names or ids
(`MAVERA_PERSONAS="Gen Z Consumer,clx2xyz9e0002abcdef789012"`); otherwise an
example takes the first personas `GET /personas` lists for your key.
"""

from __future__ import annotations

import os

from langchain_mavera import ChatMavera

VARIABLE = "MAVERA_PERSONAS"


def personas_to_ask(model: ChatMavera, count: int) -> list[str]:
    """Up to `count` persona names or ids: from MAVERA_PERSONAS, else the first ones listed."""
    chosen = [spec.strip() for spec in os.environ.get(VARIABLE, "").split(",") if spec.strip()]
    if chosen:
        return chosen[:count]
    return [persona.name for persona in model.personas.list()[:count]]
