"""One compiled `create_agent` and one set of Mavera tools serving two users (sync, async, concurrent).

Conversation state (the Mave thread, story-chat history) belongs to the run's
conversation (`configurable.thread_id`), never to the shared tool; errors the
planner can act on come back as tool output instead of ending the run.
"""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
from langchain.agents import create_agent
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_mavera import (
    MaveraAuthenticationError,
    MaveraInsufficientCreditsError,
    MaveraPersonaTool,
    MaveraResearchTool,
    MaveraStoryAnalysisTool,
    MaveraStoryChatTool,
)
from tests.fake_mavera import FakeMavera, status

STORY = "st_68e1bd"
GEN_Z = "clx1abc2d0001abcdef123456"


class _Planner(BaseChatModel):
    """A tool-calling planner: the human message is `{"tool", "args"}` JSON; a tool result is echoed back."""

    @property
    def _llm_type(self) -> str:
        return "fake-planner"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        last = messages[-1]
        if isinstance(last, HumanMessage):
            plan = json.loads(str(last.content))
            call = {"name": plan["tool"], "args": plan["args"], "id": "call_1", "type": "tool_call"}
            message = AIMessage(content="", tool_calls=[call])
        else:
            message = AIMessage(content=f"Done: {last.content}")
        return ChatResult(generations=[ChatGeneration(message=message)])


def _user(body: dict[str, Any]) -> str:
    """Every question in these tests starts with its user's name."""
    return str(body["message"]).split(":", 1)[0]


def _mavera(request: httpx2.Request) -> httpx2.Response:
    """Mave opens a thread named for the asking user; story chat answers with the history it got."""
    body = json.loads(request.content)
    if request.url.path.endswith("/mave/chat"):
        thread = body.get("thread_id") or f"mave_thread_{_user(body)}"
        reply = {"id": "msg_1", "thread_id": thread, "content": "Researched.", "usage": {"credits_used": 10}}
        return httpx2.Response(200, json=reply)
    reply = {"story_id": STORY, "message": {"role": "assistant", "content": f"About {body['message']}"}}
    return httpx2.Response(200, json={**reply, "usage": {"credits_used": 2}})


def _tools(fake: FakeMavera) -> tuple[MaveraResearchTool, MaveraStoryChatTool]:
    model = fake.model()
    return MaveraResearchTool(model=model), MaveraStoryChatTool(model=model)


def _ask(tool: str, user: str, text: str) -> dict[str, Any]:
    args = (
        {"query": f"{user}: {text}"}
        if tool == "mavera_research"
        else {"story_id": STORY, "message": f"{user}: {text}"}
    )
    return {"messages": [HumanMessage(json.dumps({"tool": tool, "args": args}))]}


def _as(user: str) -> RunnableConfig:
    return {"configurable": {"thread_id": user}}


SCRIPT = [
    ("mavera_research", "alice", "refill prices?"),
    ("mavera_story_chat", "alice", "my salary is 91k, what changes for me?"),
    ("mavera_research", "bob", "refill prices?"),
    ("mavera_story_chat", "bob", "what changes for me?"),
    ("mavera_research", "alice", "and for parents?"),
    ("mavera_story_chat", "alice", "and next year?"),
    ("mavera_research", "bob", "and for parents?"),
    ("mavera_story_chat", "bob", "and next year?"),
]


def _check_no_crossing(fake: FakeMavera) -> None:
    """Each request carries only its own user's thread and history; follow-ups carry them."""
    for body in fake.bodies():
        user = _user(body)
        assert body.get("thread_id") in (None, f"mave_thread_{user}"), body
        for turn in body.get("conversation_history", []):
            assert user in turn["content"], body  # "91k" never reaches bob
    followups = [body for body in fake.bodies() if "and " in body["message"]]
    assert len(followups) >= 4
    assert all(body.get("thread_id") or body.get("conversation_history") for body in followups)


def test_two_users_through_one_agent_never_share_a_thread_or_history() -> None:
    fake = FakeMavera(_mavera)
    agent = create_agent(_Planner(), tools=list(_tools(fake)))
    for tool, user, text in SCRIPT:
        agent.invoke(_ask(tool, user, text), _as(user))
    _check_no_crossing(fake)


async def test_two_users_through_one_agent_async() -> None:
    fake = FakeMavera(_mavera)
    agent = create_agent(_Planner(), tools=list(_tools(fake)))
    for tool, user, text in SCRIPT:
        await agent.ainvoke(_ask(tool, user, text), _as(user))
    _check_no_crossing(fake)


async def test_two_users_concurrently_on_one_agent() -> None:
    fake = FakeMavera(_mavera)
    agent = create_agent(_Planner(), tools=list(_tools(fake)))
    for first, second in zip(SCRIPT[::2], SCRIPT[1::2], strict=True):
        # The same step for both users at once, as tasks on one loop and as threads.
        (t1, u1, x1), (t2, u2, x2) = first, second
        await asyncio.gather(
            agent.ainvoke(_ask(t1, u1, x1), _as(u1)), agent.ainvoke(_ask(t2, u2, x2), _as(u2))
        )
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda step: agent.invoke(_ask(*step), _as(step[1])), SCRIPT))
    _check_no_crossing(fake)


def test_a_call_without_a_conversation_is_stateless() -> None:
    fake = FakeMavera(_mavera)
    research, chat = _tools(fake)
    for _ in range(2):
        research.invoke({"query": "alice: refill prices?"})
        chat.invoke({"story_id": STORY, "message": "alice: why?"})
    assert all("thread_id" not in body and "conversation_history" not in body for body in fake.bodies())


def test_copies_have_their_own_conversations_and_pickle() -> None:
    fake = FakeMavera(_mavera)
    research, chat = _tools(fake)
    research.invoke({"query": "alice: refill prices?"}, _as("alice"))
    chat.invoke({"story_id": STORY, "message": "alice: why?"}, _as("alice"))
    for original in (research, chat):
        for duplicate in (original.model_copy(), original.model_copy(deep=True), copy.deepcopy(original)):
            assert duplicate._conversations is not original._conversations
        # Pickled without the fake's in-process transport (which holds locks of its own).
        portable = type(original)(api_key="mvra_test_unit_no_network_000000000")
        portable._conversations = original._conversations
        assert len(pickle.loads(pickle.dumps(portable))._conversations) == 1
    shallow = chat.model_copy()
    assert isinstance(shallow, MaveraStoryChatTool)
    shallow._conversations.update(("bob", STORY), lambda _: [{"role": "user", "content": "x"}])
    assert chat.history(STORY, "bob") == []


def test_conversations_are_bounded() -> None:
    research = MaveraResearchTool(model=FakeMavera(_mavera).model())
    limit = research._conversations.limit
    for index in range(limit + 5):
        research.invoke({"query": f"user{index}: why?"}, _as(f"user{index}"))
    assert len(research._conversations) == limit
    assert research.mave_thread("user0") is None and research.mave_thread(f"user{limit + 4}") is not None


# -- errors the planner can act on --------------------------------------------------------------


def _errors(request: httpx2.Request) -> httpx2.Response:
    body = json.loads(request.content)
    if "st_missing" in request.url.path:
        return status(404, "resource_not_found", "Story st_missing not found")(request)
    if body.get("persona_id") == "clx_invented":
        return status(400, "invalid_persona", "Persona clx_invented does not exist")(request)
    analysis = {
        "story_id": STORY,
        "persona": {"id": body.get("persona_id")},
        "analysis": {"quick_view": "Fine."},
    }
    return httpx2.Response(200, json={**analysis, "usage": {"credits_used": 5}})


def _analysis_ask(story_id: str, persona_id: str) -> dict[str, Any]:
    plan = {"tool": "mavera_story_analysis", "args": {"story_id": story_id, "persona_id": persona_id}}
    return {"messages": [HumanMessage(json.dumps(plan))]}


def _tool_message(result: dict[str, Any]) -> ToolMessage:
    (message,) = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    return message


def test_fixable_errors_come_back_to_the_planner_sync_async_and_concurrently() -> None:
    fake = FakeMavera(_errors)
    agent = create_agent(_Planner(), tools=[MaveraStoryAnalysisTool(model=fake.model())])
    missing = _tool_message(agent.invoke(_analysis_ask("st_missing", GEN_Z), _as("alice")))
    assert missing.status == "error" and "Story st_missing not found" in str(missing.content)
    invented = _tool_message(asyncio.run(agent.ainvoke(_analysis_ask(STORY, "clx_invented"), _as("bob"))))
    assert invented.status == "error" and "clx_invented does not exist" in str(invented.content)

    async def both() -> tuple[Any, Any]:
        return await asyncio.gather(
            agent.ainvoke(_analysis_ask("st_missing", GEN_Z), _as("alice")),
            agent.ainvoke(_analysis_ask(STORY, GEN_Z), _as("bob")),
        )

    alice, bob = asyncio.run(both())
    assert _tool_message(alice).status == "error" and _tool_message(bob).status == "success"
    assert str(bob["messages"][-1].content).startswith("Done: How")  # bob's run went on and answered


def test_a_bad_argument_comes_back_before_any_request() -> None:
    fake = FakeMavera(_errors)
    tool = MaveraStoryChatTool(model=fake.model())
    output = tool.invoke({"story_id": STORY, "message": "x" * 2001})
    assert "at most 2000 characters" in output and not fake.requests


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (status(401, "invalid_api_key", "Invalid API key"), MaveraAuthenticationError),
        (status(402, "credits_exhausted", "No credits left"), MaveraInsufficientCreditsError),
    ],
)
def test_errors_no_model_can_fix_still_end_the_run(reply: Any, error: type[Exception]) -> None:
    agent = create_agent(_Planner(), tools=[MaveraStoryAnalysisTool(model=FakeMavera(reply).model())])
    with pytest.raises(error):
        agent.invoke(_analysis_ask(STORY, GEN_Z), _as("alice"))


def _parameters(tool: BaseTool) -> dict[str, Any]:
    """The argument schema the planner model is shown."""
    return convert_to_openai_tool(tool)["function"]["parameters"]  # type: ignore[no-any-return]


def test_a_fixed_persona_is_not_offered_and_a_choice_is_listed() -> None:
    fixed = MaveraStoryAnalysisTool(persona_id=GEN_Z, api_key="mvra_test_unit_no_network_000000000")
    assert set(_parameters(fixed)["properties"]) == {"story_id"}
    choice = MaveraStoryAnalysisTool(
        personas=[GEN_Z, "clx_other"], api_key="mvra_test_unit_no_network_000000000"
    )
    assert _parameters(choice)["properties"]["persona_id"]["enum"] == [
        GEN_Z,
        "clx_other",
    ]
    with pytest.raises(ValueError, match="persona_id 'clx_x' must be one of personas"):
        MaveraStoryAnalysisTool(
            persona_id="clx_x", personas=[GEN_Z], api_key="mvra_test_unit_no_network_000000000"
        )


def test_a_persona_the_server_refuses_comes_back_from_persona_tool() -> None:
    fake = FakeMavera(status(400, "invalid_persona", "Persona is not yours"), catalogue={"Gen Z": GEN_Z})
    tool = MaveraPersonaTool(model=fake.model(), personas=["Gen Z"])
    output = tool.invoke({"question": "Would you pay $25?"})
    assert "MaveraPersonaNotFoundError" in output and "Persona is not yours" in output
