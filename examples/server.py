"""A FastAPI server: one agent and one set of Mavera tools serving many users, streaming each answer.

    pip install "langchain-mavera[examples]"   # adds langchain, langgraph and fastapi
    python examples/server.py                  # two users talk to the app in-process
    uvicorn server:app --app-dir examples      # or serve it (uvicorn installed separately)

Everything is built once, at import: the model, the tools and the compiled
agent. What belongs to a user is keyed by their conversation,
`config["configurable"]["thread_id"]`: the checkpointer keeps each user's
messages, and the research tool keeps each user's Mave thread, so a follow-up
continues that user's research and never another's. `POST /chat` streams the
agent's answer as plain text. Without MAVERA_API_KEY it replays
cassettes/examples/server.yaml; with one it calls the live API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/server.yaml)
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from langchain_mavera import ChatMavera, MaveraResearchTool

model = ChatMavera(temperature=0)
research = MaveraResearchTool(model=model)
agent = create_agent(model, [research], checkpointer=InMemorySaver())
app = FastAPI()


class Turn(BaseModel):
    user: str
    message: str


async def _answer(turn: Turn) -> AsyncIterator[str]:
    config: RunnableConfig = {"configurable": {"thread_id": turn.user}}  # the user's conversation
    stream = agent.astream({"messages": [("user", turn.message)]}, config, stream_mode="messages")
    async for message, _ in stream:
        if isinstance(message, ToolMessage):
            yield f"[{message.name}: thread {message.artifact['thread_id']}]\n"
        elif isinstance(message, AIMessageChunk) and not message.tool_call_chunks:
            yield message.text


@app.post("/chat")
async def chat(turn: Turn) -> StreamingResponse:
    return StreamingResponse(_answer(turn), media_type="text/plain")


def main() -> None:
    from fastapi.testclient import TestClient

    turns = [
        Turn(user="alice", message='Use mavera_research on "refill prices for students"'),
        Turn(user="bob", message='Use mavera_research on "refill prices for parents"'),
        Turn(user="alice", message='Use mavera_research on "and for their parents?"'),
    ]
    with TestClient(app) as client:
        for turn in turns:
            print(f"{turn.user}> {turn.message}")
            with client.stream("POST", "/chat", json=turn.model_dump()) as response:
                print("".join(response.iter_text()), end="\n\n")
    print(f"Mave threads kept: alice {research.mave_thread('alice')}, bob {research.mave_thread('bob')}")


if __name__ == "__main__":
    main()
