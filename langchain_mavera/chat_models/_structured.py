"""Structured output: a schema in, parsed objects out, in three ways.

* `json_schema` (default) sends `response_format={"type": "json_schema", ...}`
  and parses the answer text.
* `function_calling` forces a single tool call shaped like the schema and
  parses its arguments.
* `json_mode` sends `response_format={"type": "json_object"}`; the schema, if
  any, is only used to parse (the prompt must ask for the fields).

Parsing is langchain-core's output parsers. Every branch binds
`ls_structured_output_format`, which core pops and hands to callbacks so
tracing shows the schema and method. Core converts that schema on every call;
it is bound already in OpenAI tool form (see `_traced`), which core passes
through, so a pydantic class is converted once, when the runnable is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, Literal, TypeAlias

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

Method: TypeAlias = Literal["json_schema", "function_calling", "json_mode"]
_METHODS: tuple[Method, ...] = ("json_schema", "function_calling", "json_mode")


def _is_pydantic(schema: Any) -> bool:
    """Pydantic v2 and v1 model classes (parsed into instances, not dicts)."""
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def response_format_for(schema: Any, strict: bool | None) -> dict[str, Any]:
    """The `json_schema` response format for a pydantic, TypedDict or JSON-schema input.

    A dict already in response-format shape is sent unchanged.
    """
    if isinstance(schema, Mapping) and schema.get("type") == "json_schema" and "json_schema" in schema:
        return dict(schema)
    function = convert_to_openai_function(schema, strict=strict)
    json_schema: dict[str, Any] = {"name": function["name"], "schema": function["parameters"]}
    if function.get("description"):
        json_schema["description"] = function["description"]
    if strict is not None:
        json_schema["strict"] = strict
    return {"type": "json_schema", "json_schema": json_schema}


def _traced(schema: Any) -> Any:
    """The schema for `ls_structured_output_format`, converted once.

    Core turns whatever it is given into a JSON schema through
    `convert_to_openai_tool` on every call; a dict already in OpenAI tool form
    comes back unchanged from that, so tracing shows exactly what it showed for
    the original schema without rebuilding it per call. A schema that fails to
    convert is left as it was, so core meets that failure per call exactly as before.
    """
    try:
        return convert_to_openai_tool(schema)
    except Exception:  # core meets the same failure per call and handles it as before
        return schema


Pair: TypeAlias = tuple[Runnable[LanguageModelInput, Any], Runnable[Any, Any]]
"""The bound model and the parser for its output."""


def _tool_calling(llm: BaseChatModel, schema: Any, strict: bool | None, kwargs: dict[str, Any]) -> Pair:
    tool_name = convert_to_openai_tool(schema)["function"]["name"]
    bound = llm.bind_tools(
        [schema],
        tool_choice=tool_name,
        parallel_tool_calls=False,
        strict=strict,
        ls_structured_output_format={
            "kwargs": {"method": "function_calling", "strict": strict},
            "schema": _traced(schema),
        },
        **kwargs,
    )
    if _is_pydantic(schema):
        return bound, PydanticToolsParser(tools=[schema], first_tool_only=True)
    return bound, JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)


def _json_schema(llm: BaseChatModel, schema: Any, strict: bool | None, kwargs: dict[str, Any]) -> Pair:
    bound = llm.bind(
        response_format=response_format_for(schema, strict),
        ls_structured_output_format={
            "kwargs": {"method": "json_schema", "strict": strict},
            "schema": _traced(schema),
        },
        **kwargs,
    )
    return bound, _text_parser(schema)


def _json_mode(llm: BaseChatModel, schema: Any, kwargs: dict[str, Any]) -> Pair:
    if schema is not None:
        kwargs = {
            **kwargs,
            "ls_structured_output_format": {"kwargs": {"method": "json_mode"}, "schema": _traced(schema)},
        }
    bound = llm.bind(response_format={"type": "json_object"}, **kwargs)
    return bound, _text_parser(schema)


def _text_parser(schema: Any) -> Runnable[Any, Any]:
    """Parse the answer text as JSON, into the pydantic model when there is one."""
    if _is_pydantic(schema):
        return PydanticOutputParser(pydantic_object=schema)
    return JsonOutputParser()


def _with_raw(bound: Runnable[LanguageModelInput, Any], parser: Runnable[Any, Any]) -> Runnable[Any, Any]:
    """`{"raw", "parsed", "parsing_error"}`; a parse failure lands in `parsing_error`."""
    parsed = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
    unparsed = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=bound) | parsed.with_fallbacks([unparsed], exception_key="parsing_error")


def structured_output(
    llm: BaseChatModel,
    schema: Any,
    *,
    method: Method,
    include_raw: bool,
    strict: bool | None,
    kwargs: dict[str, Any],
) -> Runnable[LanguageModelInput, Any]:
    """The runnable behind `ChatMavera.with_structured_output`."""
    if method not in _METHODS:
        msg = f"method must be one of {', '.join(_METHODS)}; got {method!r}."
        raise ValueError(msg)
    if schema is None and method != "json_mode":
        msg = f"method={method!r} needs a schema (pydantic model, TypedDict or JSON schema)."
        raise ValueError(msg)
    if method == "function_calling":
        bound, parser = _tool_calling(llm, schema, strict, kwargs)
    elif method == "json_schema":
        bound, parser = _json_schema(llm, schema, strict, kwargs)
    else:
        bound, parser = _json_mode(llm, schema, kwargs)
    return _with_raw(bound, parser) if include_raw else bound | parser
