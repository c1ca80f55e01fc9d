"""Research agent: a LangChain agent that researches with Mave, then asks an audience persona.

    pip install "langchain-mavera[examples]"   # adds langchain (create_agent)
    python examples/research_agent.py

The agent has two tools: `mavera_research` (Mave's researched answer with
citations, 10-75 credits) and `ask_persona` (a ChatMavera persona's reaction).
Without MAVERA_API_KEY it replays cassettes/examples/research_agent.yaml; with
one it calls the live API.
"""

from __future__ import annotations

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/research_agent.yaml)
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool

from langchain_mavera import ChatMavera, MaveraResearchTool

QUESTION = (
    'Research "refillable packaging demand among shoppers under 30", then ask the persona '
    '"Gen Z Consumer" the question "Would you pay 10% more for a refillable bottle?"'
)


def main() -> None:
    model = ChatMavera(temperature=0)
    research = MaveraResearchTool(mavera=model)

    @tool
    def ask_persona(persona: str, question: str) -> str:
        """Ask an audience persona (a name such as "Gen Z Consumer", or an id) a question."""
        return str(model.with_persona(persona).invoke(question).content)

    agent = create_agent(model.with_persona("Gen Z Consumer"), [research, ask_persona])
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
    print(f"\nAgent's answer: {result['messages'][-1].content}")


if __name__ == "__main__":
    main()
