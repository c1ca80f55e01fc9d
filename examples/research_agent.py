"""Research agent: a LangChain agent that researches with Mave, then asks an audience persona.

    pip install "langchain-mavera[examples]"   # adds langchain (create_agent)
    python examples/research_agent.py

The agent has two tools: `mavera_research` (Mave's researched answer with
citations, 10-75 credits) and `ask_persona` (`MaveraPersonaTool`: a persona's answer
with its analysis). `get_mavera_callback()` totals the credits of both tools and
of the agent's own turns. The persona is the first name or id in
MAVERA_PERSONAS, else the first persona your key can use. Without
MAVERA_API_KEY it replays cassettes/examples/research_agent.yaml; with one it
calls the live API.
"""

from __future__ import annotations

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/research_agent.yaml)
from _personas import personas_to_ask
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage

from langchain_mavera import ChatMavera, MaveraPersonaTool, MaveraResearchTool, get_mavera_callback

QUESTION = (
    'Research "refillable packaging demand among shoppers under 30", then ask the persona '
    '"Would you pay 10% more for a refillable bottle?"'
)


def main() -> None:
    model = ChatMavera(temperature=0)
    persona = personas_to_ask(model, 1)[0]
    research = MaveraResearchTool(model=model)
    ask_persona = MaveraPersonaTool(model=model, personas=[persona])
    agent = create_agent(model, [research, ask_persona])
    with get_mavera_callback() as cb:
        result = agent.invoke({"messages": [("user", QUESTION)]})

    for message in result["messages"]:
        if isinstance(message, AIMessage) and message.tool_calls:
            for call in message.tool_calls:
                print(f"-> {call['name']}({call['args']})")
        elif isinstance(message, ToolMessage):
            print(f"<- {message.name}: {str(message.content)[:160]}...")
            if message.name == research.name and isinstance(message.artifact, dict):
                artifact = message.artifact
                print(
                    f"   thread {artifact['thread_id']}, {len(artifact['sources'])} sources, "
                    f"{artifact['credits_used']} credits, validation {artifact['validation']}"
                )
            elif message.name == ask_persona.name:
                print(f"   {str(message.content).rsplit(chr(10), 1)[-1]}")  # the analysis summary line
    print(f"\nAgent's answer: {result['messages'][-1].content}")
    print(f"\n{cb}")


if __name__ == "__main__":
    main()
