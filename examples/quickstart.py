"""Quickstart: ask an audience persona a question, then read its analysis and cost.

    python examples/quickstart.py

Without MAVERA_API_KEY it replays a recorded cassette; with one it calls the
live API (set MAVERA_PERSONA_ID to one of your personas' ids).
"""

from __future__ import annotations

import os

from _offline import offline_or_live

from langchain_mavera import ChatMavera, get_analysis

# "Gen Z Consumer" in Mavera's docs; list yours with GET /personas.
PERSONA_ID = os.environ.get("MAVERA_PERSONA_ID", "clx1abc2d0001abcdef123456")
QUESTION = "How do you feel about brands that switch to refillable packaging?"


def main() -> None:
    with offline_or_live("quickstart"):
        model = ChatMavera(persona_id=PERSONA_ID, analysis_mode=True)
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
