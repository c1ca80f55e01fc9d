"""Agent: a langchain v1 agent that checks facts with tools, then asks an audience persona.

    pip install "langchain-mavera[examples]"   # adds langchain (create_agent)
    python examples/agent.py

The agent's model is a ChatMavera. `MaveraPersonaMiddleware` makes every agent
turn answer as the persona named in the run's context; `MaveraPersonaTool` lets the
agent consult a second persona, and the tool result carries that persona's
analysis and credits as an artifact. `get_mavera_callback()` totals the credits
of the whole run (agent turns and the persona tool), per persona. The personas
are the first two names or ids in MAVERA_PERSONAS, else the first two your key
can use. Without MAVERA_API_KEY it replays cassettes/examples/agent.yaml; with
one it calls the live API.
"""

from __future__ import annotations

from dataclasses import dataclass

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/agent.yaml)
from _personas import personas_to_ask
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool

from langchain_mavera import ChatMavera, MaveraPersonaMiddleware, MaveraPersonaTool, get_mavera_callback

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


@dataclass
class Audience:
    """The agent's runtime context: which persona its own turns answer as."""

    persona: str


def main() -> None:
    model = ChatMavera(temperature=0)
    voice, *others = personas_to_ask(model, 2)
    ask_persona = MaveraPersonaTool(model=model, personas=[others[0] if others else voice])
    agent = create_agent(
        model,
        tools=[check_price, count_reviews, ask_persona],
        middleware=[MaveraPersonaMiddleware()],
        context_schema=Audience,
    )
    with get_mavera_callback() as cb:
        result = agent.invoke({"messages": [("user", QUESTION)]}, context=Audience(persona=voice))

    for message in result["messages"]:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                print(f"-> {call['name']}({call['args']})")
        elif isinstance(message, ToolMessage):
            print(f"<- {message.name}: {message.content}")
    print(f"\nAgent's answer (as {voice}): {result['messages'][-1].text}")
    print(f"\n{cb}")
    print(f"Credits used: {cb.credits_used:g} in {cb.requests} requests")
    for persona_id, credits in cb.by_persona.items():
        print(f"  {persona_id}: {credits:g} credits")


if __name__ == "__main__":
    main()
