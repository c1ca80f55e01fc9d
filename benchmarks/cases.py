"""The per-call cases every contender runs, and how they are measured: CPU time, contenders alternating.

Shared by `run.py` (the full table) and `check_ratios.py` (the CI ratio check), so
both measure exactly the same calls. Each case maps a contender's name to one
call: `ChatMavera`, `raw` (the openai SDK), `ChatOpenAI` and `floor`
(`contenders.FloorChat`); `httpx2` and `core` are the floor's two parts.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from contenders import (
    MESSAGES,
    PERSONA_FIELDS,
    PROMPT,
    ConstantChat,
    FloorChat,
    Verdict,
    agent_tools,
    http_client,
    httpx2_deltas,
    httpx2_invoke,
    make_async_raw,
    make_chat_mavera,
    make_chat_openai,
    make_raw,
)
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableLambda

Call = Callable[[], Any]

CONTENDERS = ("ChatMavera", "raw", "ChatOpenAI", "floor")
CASES = (
    "invoke",
    "ainvoke",
    "stream_chunked",
    "stream_content_length",
    "stream_2000_chunked",
    "history_1000",
    "image_5mb",
    "structured",
    "tools_20",
)
STREAM_EVENTS = {"stream_chunked": 202, "stream_content_length": 202, "stream_2000_chunked": 2002}
"""Events per stream: a role chunk, the content chunks, the finish chunk (then [DONE])."""

HISTORY_MESSAGES = 1000
IMAGE_BYTES = 5 * 2**20 * 3 // 4  # base64 of this is 5 MiB of text


def history() -> list[BaseMessage]:
    """A conversation of 1,000 messages, alternating turns of typical length, ending with the question."""
    turns: list[BaseMessage] = []
    for i in range(HISTORY_MESSAGES - 1):
        text = f"Turn {i}: what about the price of the {i}th refill, and would you buy it again next month?"
        turns.append(HumanMessage(text) if i % 2 == 0 else AIMessage(text))
    return [*turns, HumanMessage(PROMPT)]


def image_message() -> HumanMessage:
    """One question with a 5 MiB base64 data-URL image, in the OpenAI content-part shape."""
    data = base64.b64encode(random.Random(0).randbytes(IMAGE_BYTES)).decode()
    url = f"data:image/png;base64,{data}"
    return HumanMessage(
        content=[{"type": "text", "text": PROMPT}, {"type": "image_url", "image_url": {"url": url}}]
    )


def _as_dicts(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    roles = {"human": "user", "ai": "assistant"}
    return [{"role": roles[message.type], "content": message.content} for message in messages]


def content_length_url(base_url: str) -> str:
    """The same server, streams sent as one content-length body."""
    return base_url.replace("/api/v1", "/content-length/api/v1")


def long_stream_url(base_url: str) -> str:
    """The same server, streams of 2,000 content chunks, chunked."""
    return base_url.replace("/api/v1", "/long/api/v1")


@contextmanager
def build(
    base_url: str, contenders: tuple[str, ...] = CONTENDERS, cases: tuple[str, ...] = CASES
) -> Iterator[dict[str, dict[str, Call]]]:
    """case -> contender -> one call, for the contenders and cases asked for (plus the floor's parts)."""
    loop = asyncio.new_event_loop()
    try:
        table = _calls(base_url, loop, set(contenders))
        yield {
            case: {name: call for name, call in table[case].items() if name in contenders or _part(name)}
            for case in cases
        }
    finally:
        loop.close()


def _part(name: str) -> bool:
    return name in ("httpx2", "core")


def _calls(base_url: str, loop: asyncio.AbstractEventLoop, wanted: set[str]) -> dict[str, dict[str, Call]]:
    """Every case's calls; ChatOpenAI is built only when wanted (its import alone takes a second)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool
    from openai.lib._pydantic import to_strict_json_schema

    cl_url, long_url = content_length_url(base_url), long_stream_url(base_url)
    raw, araw = make_raw(base_url), make_async_raw(base_url)
    openai_wanted = "ChatOpenAI" in wanted
    mavera, floor = make_chat_mavera(base_url), FloorChat(base_url=base_url)
    lc_openai: Any = make_chat_openai(base_url) if openai_wanted else None
    client, constant = http_client(), ConstantChat()
    past, image = history(), [image_message()]
    past_dicts, image_dicts = _as_dicts(past), _as_dicts(image)
    tools = agent_tools(20)
    tool_dicts = [convert_to_openai_tool(tool) for tool in tools]
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "Verdict", "schema": to_strict_json_schema(Verdict), "strict": True},
    }

    def raw_call(sdk: Any = raw, **kwargs: Any) -> Call:
        def call() -> Any:
            return sdk.chat.completions.create(
                model="mavera-1", **{"messages": MESSAGES, **kwargs}, extra_body=PERSONA_FIELDS
            )

        return call

    def raw_stream(url: str) -> Call:
        sdk = make_raw(url)

        def stream() -> None:
            for _ in sdk.chat.completions.create(
                model="mavera-1", messages=MESSAGES, extra_body=PERSONA_FIELDS, stream=True
            ):
                pass

        return stream

    def drain(model: Any) -> Call:
        def stream() -> None:
            for _ in model.stream(PROMPT):
                pass

        return stream

    def httpx2_stream(url: str) -> Call:
        def stream() -> None:
            for _ in httpx2_deltas(client, url):
                pass

        return stream

    def streams(url: str) -> dict[str, Call]:
        calls = {
            "httpx2": httpx2_stream(url),
            "floor": drain(FloorChat(base_url=url)),
            "raw": raw_stream(url),
            "ChatMavera": drain(make_chat_mavera(url)),
        }
        if openai_wanted:
            calls["ChatOpenAI"] = drain(make_chat_openai(url))
        return calls

    def raw_structured() -> Verdict:
        reply = raw_call(response_format=response_format)()
        return Verdict.model_validate_json(reply.choices[0].message.content)

    def raw_tools() -> list[Any]:
        reply = raw_call(tools=tool_dicts)()
        return [json.loads(call.function.arguments) for call in reply.choices[0].message.tool_calls]

    def run(coroutine: Callable[[], Any]) -> Call:
        return lambda: loop.run_until_complete(coroutine())

    parse_verdict = RunnableLambda(lambda message: Verdict.model_validate_json(message.content))
    structured_floor = (
        FloorChat(base_url=base_url, extra={"response_format": response_format}) | parse_verdict
    )
    mavera_structured = mavera.with_structured_output(Verdict, strict=True)
    tools_floor = FloorChat(base_url=base_url, extra={"tools": tool_dicts})
    mavera_tools = mavera.bind_tools(tools)
    lc_structured: Any = None
    lc_tools: Any = None
    if openai_wanted:
        lc_structured = lc_openai.with_structured_output(Verdict, method="json_schema", strict=True)
        lc_tools = lc_openai.bind_tools(tools)
    return {
        "invoke": {
            "httpx2": lambda: httpx2_invoke(client, base_url),
            "core": lambda: constant.invoke(PROMPT),
            "floor": lambda: floor.invoke(PROMPT),
            "raw": raw_call(),
            "ChatOpenAI": lambda: lc_openai.invoke(PROMPT),
            "ChatMavera": lambda: mavera.invoke(PROMPT),
        },
        "ainvoke": {
            "floor": run(lambda: floor.ainvoke(PROMPT)),
            "raw": run(raw_call(araw)),
            "ChatOpenAI": run(lambda: lc_openai.ainvoke(PROMPT)),
            "ChatMavera": run(lambda: mavera.ainvoke(PROMPT)),
        },
        "stream_chunked": streams(base_url),
        "stream_content_length": streams(cl_url),
        "stream_2000_chunked": streams(long_url),
        "history_1000": {
            "floor": lambda: floor.invoke(past),
            "raw": raw_call(messages=past_dicts),
            "ChatOpenAI": lambda: lc_openai.invoke(past),
            "ChatMavera": lambda: mavera.invoke(past),
        },
        "image_5mb": {
            "floor": lambda: floor.invoke(image),
            "raw": raw_call(messages=image_dicts),
            "ChatOpenAI": lambda: lc_openai.invoke(image),
            "ChatMavera": lambda: mavera.invoke(image),
        },
        "structured": {
            "floor": lambda: structured_floor.invoke(PROMPT),
            "raw": raw_structured,
            "ChatOpenAI": lambda: lc_structured.invoke(PROMPT),
            "ChatMavera": lambda: mavera_structured.invoke(PROMPT),
        },
        "tools_20": {
            "floor": lambda: tools_floor.invoke(PROMPT),
            "raw": raw_tools,
            "ChatOpenAI": lambda: lc_tools.invoke(PROMPT),
            "ChatMavera": lambda: mavera_tools.invoke(PROMPT),
        },
    }


def cpu_per_call(call: Call, n: int) -> float:
    gc.collect()
    start = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - start) / n


def calls_for(call: Call, sample_seconds: float) -> int:
    """How many calls make one sample of about `sample_seconds` of CPU (after a warm-up call)."""
    call()
    start = time.process_time()
    call()
    once = max(time.process_time() - start, 1e-5)
    return max(1, round(sample_seconds / once))


def alternate(contenders: dict[str, Call], rounds: int, sample_seconds: float) -> dict[str, list[float]]:
    """Per-call CPU seconds of each contender, `rounds` samples each, the order rotating each round."""
    names = list(contenders)
    counts = {name: calls_for(contenders[name], sample_seconds) for name in names}
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(cpu_per_call(contenders[name], counts[name]))
    return samples
