"""Agent: a persona-bound ChatMavera that calls tools in a LangGraph ReAct loop.

    pip install "langchain-mavera[examples]"   # adds langgraph
    python examples/agent.py

Without MAVERA_API_KEY it replays cassettes/examples/agent.yaml; with one it
calls the live API (set MAVERA_PERSONA_ID to one of your personas' ids).
"""

from __future__ import annotations

import os
import warnings

from _offline import offline_or_live
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from langgraph.warnings import LangGraphDeprecatedSinceV10

from langchain_mavera import ChatMavera

# "Gen Z Consumer" in Mavera's docs; list yours with GET /personas.
PERSONA_ID = os.environ.get("MAVERA_PERSONA_ID", "clx1abc2d0001abcdef123456")
QUESTION = (
    'Before you answer, check the price of "EcoRefill bottle" and count the reviews of '
    '"EcoRefill bottle" with at least 4 stars. Would you buy it?'
)

# A tiny catalogue standing in for a real product API.
_PRICES = {"ecorefill bottle": 18.5}
_REVIEWS = {"ecorefill bottle": [5, 4, 4, 3, 5, 2, 4]}


@tool
def check_price(product: str) -> str:
    """Look up the current retail price of a product, in US dollars."""
    price = _PRICES.get(product.lower())
    return f"{product}: ${price:.2f}" if price is not None else f"{product}: not in the catalogue"


@tool
def count_reviews(product: str, min_stars: int) -> str:
    """Count a product's customer reviews that have at least `min_stars` stars (1 to 5)."""
    stars = _REVIEWS.get(product.lower(), [])
    matching = sum(1 for star in stars if star >= min_stars)
    return f"{matching} of {len(stars)} reviews of {product} have {min_stars}+ stars"


def main() -> None:
    with offline_or_live("agent"):
        model = ChatMavera(persona_id=PERSONA_ID, temperature=0)
        with warnings.catch_warnings():
            # langgraph 1.x points at langchain.agents.create_agent, which needs the full
            # `langchain` package; the prebuilt agent needs only langgraph and works the same here.
            warnings.simplefilter("ignore", LangGraphDeprecatedSinceV10)
            agent = create_react_agent(model, [check_price, count_reviews])
        result = agent.invoke({"messages": [("user", QUESTION)]})

    for message in result["messages"]:
        if isinstance(message, AIMessage) and message.tool_calls:
            for call in message.tool_calls:
                print(f"-> {call['name']}({call['args']})")
        elif isinstance(message, ToolMessage):
            print(f"<- {message.name}: {message.content}")
    answer = result["messages"][-1]
    print(f"\nPersona's answer: {answer.content}")
    print(f"Credits used on the last turn: {answer.response_metadata.get('credits_used')}")


if __name__ == "__main__":
    main()
