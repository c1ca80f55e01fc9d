"""Streaming: print a persona's answer token by token from a callback, then its analysis.

    python examples/streaming.py

Without MAVERA_API_KEY it replays a recorded cassette; with one it calls the
live API. The persona is the first name or id in MAVERA_PERSONAS, else the
first persona your key can use.
"""

from __future__ import annotations

from typing import Any

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/streaming.yaml)
from _personas import personas_to_ask
from langchain_core.callbacks import BaseCallbackHandler

from langchain_mavera import ChatMavera, get_analysis

QUESTION = "What would make you switch to a refillable soap brand?"


class PrintTokens(BaseCallbackHandler):
    """Print each token the moment Mavera streams it."""

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        print(token, end="", flush=True)


def main() -> None:
    # streaming=True streams even on invoke, so the callback sees every token.
    model = ChatMavera(streaming=True, analysis_mode=True, callbacks=[PrintTokens()])
    persona = personas_to_ask(model, 1)[0]
    print(f"\nQ ({persona}): {QUESTION}\n\nA: ", end="")
    message = model.with_persona(persona).invoke(QUESTION)

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
