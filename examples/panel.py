"""Persona panel: ask several audiences the same question and compare them in one table.

    python examples/panel.py

The panel is the first four names or ids in MAVERA_PERSONAS, else the first four
personas your key can use. Without MAVERA_API_KEY it replays a recorded
cassette; with one it calls the live API.
"""

from __future__ import annotations

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/panel.yaml)
from _personas import personas_to_ask

from langchain_mavera import ChatMavera, PersonaPanel

QUESTION = "Would you pay 10% more for soap sold in refillable packaging?"


def main() -> None:
    model = ChatMavera(max_tokens=200)
    panel = PersonaPanel(model=model, personas=personas_to_ask(model, 4), max_concurrency=4)
    result = panel.invoke(QUESTION)  # panel.stream(...) yields each answer as it arrives

    print(f"\nQ: {QUESTION}\n")
    print(result.to_markdown(max_chars=120))


if __name__ == "__main__":
    main()
