"""Streaming: print a persona's answer token by token from a callback, then its analysis.

    python examples/streaming.py

Without MAVERA_API_KEY it replays a recorded cassette; with one it calls the
live API (set MAVERA_PERSONA to one of your personas' names or ids).
"""

from __future__ import annotations

import os
from typing import Any

from _offline import offline_or_live
from langchain_core.callbacks import BaseCallbackHandler

from langchain_mavera import ChatMavera, get_analysis

PERSONA = os.environ.get("MAVERA_PERSONA", "Gen Z Consumer")
QUESTION = "What would make you switch to a refillable soap brand?"


class PrintTokens(BaseCallbackHandler):
    """Print each token the moment Mavera streams it."""

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        print(token, end="", flush=True)


def main() -> None:
    with offline_or_live("streaming"):
        # streaming=True streams even on invoke, so the callback sees every token.
        model = ChatMavera(streaming=True, analysis_mode=True, callbacks=[PrintTokens()])
        print(f"\nQ ({PERSONA}): {QUESTION}\n\nA: ", end="")
        message = model.with_persona(PERSONA).invoke(QUESTION)

    print("\n")
    analysis = get_analysis(message)
    if analysis is None:
        print("(no analysis returned)")
        return
    valence = analysis.emotion.emotional_valence if analysis.emotion else None
    print(f"Confidence:        {analysis.confidence}/10")
    print(f"Emotional valence: {valence}/10")
    print(f"Biases:            {', '.join(b.name or '?' for b in analysis.biases) or 'none'}")
    print(f"Credits used:      {message.response_metadata.get('credits_used')}")


if __name__ == "__main__":
    main()
