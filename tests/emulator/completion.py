"""What the assistant says for a validated request, independent of delivery.

Streaming and non-streaming renderings both start from one
:class:`Completion`, which is how the streamed text is guaranteed to equal
the non-streamed text for the same body.
"""

from dataclasses import dataclass
from typing import Any

from .analysis import build_analysis
from .chat_request import ChatRequest
from .prompt import read_prompt
from .replies import chooser_for, compose_reply, question_of
from .structured import structured_content
from .tool_calls import ToolCall, plan_tool_calls
from .usage import count_tokens, limit_text, usage_body

MODEL = "mavera-1"
# Fixed so bodies are byte-identical between recordings (2026-01-01T00:00Z).
CREATED = 1_767_225_600


@dataclass(frozen=True)
class Completion:
    id: str
    content: str | None
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    usage: dict[str, int]
    analysis: dict[str, Any] | None


def complete(req: ChatRequest) -> Completion:
    prompt = read_prompt(question_of(req).text)
    chooser = chooser_for(req, prompt)
    calls = plan_tool_calls(req, prompt)
    content: str | None
    if calls:
        content = None
        finish_reason = "tool_calls"
        spoken = sum(count_tokens(f"{c.name} {c.arguments}") for c in calls)
    else:
        text = structured_content(req, prompt, chooser)
        if text is None:
            text = compose_reply(req)
        content, finish_reason = limit_text(text, req.stop, req.max_tokens)
        spoken = count_tokens(content)
    analysis = None
    if req.analysis_mode:
        analysis = build_analysis(req.persona, prompt, chooser)
    return Completion(
        id="chatcmpl_" + req.fingerprint[:24],
        content=content,
        tool_calls=calls,
        finish_reason=finish_reason,
        usage=usage_body(req, spoken),
        analysis=analysis,
    )


def completion_body(completion: Completion) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": completion.content}
    if completion.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in completion.tool_calls
        ]
    body: dict[str, Any] = {
        "id": completion.id,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": completion.finish_reason}],
        "usage": completion.usage,
    }
    if completion.analysis is not None:
        body["analysis"] = completion.analysis
    return body
