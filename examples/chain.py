"""LCEL: prompt | model | parser, with the persona chosen per call.

    python examples/chain.py

The persona is a configurable field, so one chain serves every audience:
`chain.invoke(inputs, config={"configurable": {"persona_id": ...}})`.
The audiences are the first two names or ids in MAVERA_PERSONAS, else the first
two personas your key can use. Without MAVERA_API_KEY it replays a recorded
cassette; with one it calls the live API.
"""

from __future__ import annotations

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/chain.yaml)
from _personas import personas_to_ask
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import ConfigurableField

from langchain_mavera import ChatMavera

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer in two or three sentences, in your own voice."),
        ("human", "What is your first reaction to this tagline: {tagline}"),
    ]
)


def main() -> None:
    model = ChatMavera(max_tokens=200)
    chain = (
        PROMPT
        | model.configurable_fields(persona_id=ConfigurableField(id="persona_id", name="Persona id"))
        | StrOutputParser()
    )
    for audience in personas_to_ask(model, 2):
        persona_id = model.with_persona(audience).persona_id
        config = {"configurable": {"persona_id": persona_id}}
        answer = chain.invoke({"tagline": "Refill, don't landfill."}, config=config)
        print(f"\n[{audience}] {answer}")


if __name__ == "__main__":
    main()
