"""Quickstart: ask an audience persona a question, then read its analysis and cost.

    python examples/quickstart.py

Without MAVERA_API_KEY it replays a recorded cassette; with one it calls the
live API. The persona is the first name or id in MAVERA_PERSONAS, else the
first persona your key can use.
"""

from __future__ import annotations

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/quickstart.yaml)
from _personas import personas_to_ask

from langchain_mavera import ChatMavera, get_analysis

QUESTION = "How do you feel about brands that switch to refillable packaging?"


def main() -> None:
    model = ChatMavera(analysis_mode=True)
    model = model.with_persona(personas_to_ask(model, 1)[0])
    message = model.invoke(QUESTION)

    print(f"\nQ: {QUESTION}\n\nA: {message.content}\n")
    analysis = get_analysis(message)
    if analysis is None:
        print("(no analysis returned)")
    else:
        valence = analysis.emotion.emotional_valence if analysis.emotion else None
        biases = ", ".join(bias.name or "?" for bias in analysis.biases) or "none"
        print(f"Confidence:        {analysis.confidence}/10")
        print(f"Emotional valence: {valence}/10")
        print(f"Biases:            {biases}")
        for insight in analysis.insights:
            print(f"Insight:           {insight}")
    print(f"Credits used:      {message.response_metadata.get('credits_used')}")
    print(f"Tokens:            {message.usage_metadata}")


if __name__ == "__main__":
    main()
