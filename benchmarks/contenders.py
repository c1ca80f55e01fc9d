"""The contenders the benchmark runs: ChatMavera, the raw openai SDK, ChatOpenAI and the floor.

The floor is what any LangChain chat model over HTTP must pay at least: plain
httpx2 with `json.loads` (and hand-parsed SSE for streams), wrapped in a
`BaseChatModel` subclass, so langchain-core's own per-call cost is included.
`ConstantChat` is that wrapper with no HTTP at all: langchain-core alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, Field, create_model

API_KEY = "mvra_live_benchmark"
PERSONA = "clx1abc2d0001abcdef123456"
PROMPT = "How do you feel about refillable packaging?"
PERSONA_FIELDS = {"persona_id": PERSONA, "analysis_mode": True}
MESSAGES = [{"role": "user", "content": PROMPT}]


class Verdict(BaseModel):
    """Whether the persona would buy, and at what price."""

    would_buy: bool
    max_price_usd: float = Field(description="Highest price the persona would pay, in US dollars")
    reason: str


def agent_tools(count: int = 20) -> list[type[BaseModel]]:
    """`count` pydantic tools of a typical agent's size (three described fields each)."""
    return [
        create_model(
            f"tool_{i}",
            __doc__=f"Tool number {i}: look something up for the persona.",
            city=(str, Field(description="City name")),
            days=(int, Field(default=1, description="How many days ahead")),
            units=(str, Field(default="metric", description="metric or imperial")),
        )
        for i in range(count)
    ]


def http_client() -> httpx2.Client:
    return httpx2.Client(timeout=60.0, headers={"authorization": f"Bearer {API_KEY}"})


def async_http_client() -> httpx2.AsyncClient:
    return httpx2.AsyncClient(timeout=60.0, headers={"authorization": f"Bearer {API_KEY}"})


_JSON = {"content-type": "application/json"}
_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


def request_body(
    stream: bool = False, messages: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None
) -> bytes:
    body: dict[str, Any] = {"model": "mavera-1", "messages": messages or MESSAGES, **PERSONA_FIELDS}
    if extra:
        body.update(extra)
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


def wire_messages(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """The least conversion any chat model does: a role and the content as it is."""
    return [
        {"role": _ROLES.get(message.type, message.type), "content": message.content} for message in messages
    ]


def httpx2_invoke(client: httpx2.Client, base_url: str, content: bytes | None = None) -> str:
    """The transport floor: one POST, one `json.loads`."""
    response = client.post(f"{base_url}/chat/completions", content=content or request_body(), headers=_JSON)
    return str(json.loads(response.content)["choices"][0]["message"]["content"])


def httpx2_deltas(client: httpx2.Client, base_url: str) -> Iterator[str]:
    """The transport floor for streams: SSE `data:` lines parsed by hand, one `json.loads` each."""
    with client.stream(
        "POST", f"{base_url}/chat/completions", content=request_body(stream=True), headers=_JSON
    ) as response:
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            data = line[6:]
            if data == "[DONE]":
                return
            choices = json.loads(data)["choices"]
            if choices:
                yield choices[0]["delta"].get("content") or ""


class ConstantChat(BaseChatModel):
    """langchain-core's own cost: a chat model answering a constant, no HTTP."""

    @property
    def _llm_type(self) -> str:
        return "constant"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="constant"))])


def _floor_result(reply: dict[str, Any]) -> ChatResult:
    """The reply's text and tool calls (arguments decoded), nothing else."""
    message = reply["choices"][0]["message"]
    calls = [
        {"name": c["function"]["name"], "args": json.loads(c["function"]["arguments"]), "id": c["id"]}
        for c in message.get("tool_calls") or ()
    ]
    return ChatResult(
        generations=[
            ChatGeneration(message=AIMessage(content=message.get("content") or "", tool_calls=calls))
        ]
    )


class FloorChat(BaseChatModel):
    """The floor: langchain-core's `BaseChatModel` over plain httpx2 and `json.loads`.

    It converts messages as little as a chat model can (role and content as they
    are), sends `extra` (tools, a response format) as given, and reads back the
    text and any tool calls.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    base_url: str
    extra: dict[str, Any] = Field(default_factory=dict)
    client: httpx2.Client = Field(default_factory=http_client)
    async_client: httpx2.AsyncClient = Field(default_factory=async_http_client)

    @property
    def _llm_type(self) -> str:
        return "floor"

    def _content(self, messages: list[BaseMessage]) -> bytes:
        return request_body(messages=wire_messages(messages), extra=self.extra)

    def _generate(self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any) -> ChatResult:
        response = self.client.post(
            f"{self.base_url}/chat/completions", content=self._content(messages), headers=_JSON
        )
        return _floor_result(json.loads(response.content))

    async def _agenerate(self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any) -> ChatResult:
        response = await self.async_client.post(
            f"{self.base_url}/chat/completions", content=self._content(messages), headers=_JSON
        )
        return _floor_result(json.loads(response.content))

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for delta in httpx2_deltas(self.client, self.base_url):
            yield ChatGenerationChunk(message=AIMessageChunk(content=delta))


def make_raw(base_url: str) -> Any:
    import openai

    return openai.OpenAI(api_key=API_KEY, base_url=base_url, max_retries=2)


def make_async_raw(base_url: str) -> Any:
    import openai

    return openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url, max_retries=2)


def make_chat_openai(base_url: str, **kwargs: Any) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model="mavera-1", base_url=base_url, api_key=API_KEY, extra_body=dict(PERSONA_FIELDS), **kwargs
    )


def make_chat_mavera(base_url: str) -> Any:
    from langchain_mavera import ChatMavera

    return ChatMavera(api_key=API_KEY, base_url=base_url, **PERSONA_FIELDS)
