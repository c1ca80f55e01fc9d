"""Tools offered to the model, in the OpenAI function-tool format Mavera takes.

Conversion is langchain-core's `convert_to_openai_tool`, so pydantic models,
TypedDicts, plain functions, `BaseTool`s and dict schemas all work the same way
as with other chat models. Only `tool_choice` needs mapping: LangChain's
vocabulary ("any", True, a bare tool name) onto the chat-completions one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

ToolLike: TypeAlias = dict[str, Any] | type | Callable[..., Any] | BaseTool
"""Anything `convert_to_openai_tool` accepts."""

ToolChoice: TypeAlias = dict[str, Any] | str | Literal["auto", "any", "required", "none"] | bool | None
"""A tool name, "auto", "any"/"required" (must call some tool), "none", True (= "required"), or a dict."""

_WIRE_CHOICES = frozenset({"auto", "required", "none"})


def format_tools(tools: Sequence[ToolLike], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """Every tool as `{"type": "function", "function": {name, description, parameters}}`."""
    return [convert_to_openai_tool(tool, strict=strict) for tool in tools]


def tool_names(formatted: Sequence[Mapping[str, Any]]) -> list[str]:
    """The function names of already formatted tools."""
    return [tool["function"]["name"] for tool in formatted if "function" in tool]


def format_tool_choice(choice: ToolChoice, names: Sequence[str]) -> str | dict[str, Any] | None:
    """LangChain's `tool_choice` in the chat-completions vocabulary.

    A tool name forces that tool; "any" and True mean "some tool must be
    called", which chat completions spells "required". A name we were not given
    fails here rather than as a 400 from the server.
    """
    if choice is None or choice is False:
        return None
    if choice is True or choice == "any":
        return "required"
    if isinstance(choice, Mapping):
        return dict(choice)
    if not isinstance(choice, str):
        msg = f"Unrecognized tool_choice {choice!r}: use a tool name, 'auto', 'any', 'none' or True."
        raise TypeError(msg)
    if choice in _WIRE_CHOICES:
        return choice
    if choice in names:
        return {"type": "function", "function": {"name": choice}}
    msg = (
        f"tool_choice={choice!r} is neither 'auto', 'any', 'required', 'none' nor the name of a bound tool "
        f"({', '.join(names) or 'no tools bound'})."
    )
    raise ValueError(msg)
