"""Agent: a langchain v1 agent that checks facts with tools, then asks an audience persona.

    pip install "langchain-mavera[examples]"   # adds langchain (create_agent)
    python examples/agent.py

The agent's model is a ChatMavera; `PersonaTool` lets it consult a persona, and
the tool result carries the persona's analysis and credits as an artifact. The
persona is the first name or id in MAVERA_PERSONAS, else the first persona your
key can use. Without MAVERA_API_KEY it replays cassettes/examples/agent.yaml;
with one it calls the live API.
"""

from __future__ import annotations

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/agent.yaml)
from _personas import personas_to_ask
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool

from langchain_mavera import ChatMavera, PanelAnswer, PersonaTool

QUESTION = (
    'Check the price of "EcoRefill bottle" and count the reviews of "EcoRefill bottle" with at least '
    '4 stars, then ask the persona "Would you buy the EcoRefill bottle at that price?"'
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
    model = ChatMavera(temperature=0)
    persona = personas_to_ask(model, 1)[0]
    ask_persona = PersonaTool(model=model, personas=[persona])
    agent = create_agent(model, tools=[check_price, count_reviews, ask_persona])
    result = agent.invoke({"messages": [("user", QUESTION)]})

    credits = 0
    for message in result["messages"]:
        if isinstance(message, AIMessage):
            credits += message.response_metadata.get("credits_used") or 0
            for call in message.tool_calls:
                print(f"-> {call['name']}({call['args']})")
        elif isinstance(message, ToolMessage):
            print(f"<- {message.name}: {message.content}")
            if isinstance(message.artifact, PanelAnswer):
                credits += message.artifact.credits or 0
    print(f"\nAgent's answer: {result['messages'][-1].text}")
    print(f"Credits used (agent turns and the persona): {credits}")


if __name__ == "__main__":
    main()
