"""Work done once and reused: converted tools, the traced structured-output schema.

Conversions are remembered per tool object; these tests prove the reuse is safe
(every caller gets its own dicts, identical to a fresh conversion, and a changed
tool is converted again), not how fast it is.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tools import tool
from langchain_core.utils import function_calling
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_mavera._transport import client as _client
from langchain_mavera.chat_models import _tools
from langchain_mavera.chat_models._tools import format_tools
from tests.fake_mavera import FakeMavera, completion


class GetWeather(BaseModel):
    """Weather for a city."""

    city: str = Field(description="City name")
    days: int = 1


class GetTime(BaseModel):
    """Local time in a city."""

    city: str


class Booking(TypedDict):
    """A table booking."""

    people: int
    time: str


def search_flights(origin: str, destination: str) -> str:
    """Find flights between two airports.

    Args:
        origin: IATA code of the departure airport.
        destination: IATA code of the arrival airport.
    """
    return f"{origin}-{destination}"


@tool
def lookup_order(order_id: str) -> str:
    """Look up an order by id."""
    return order_id


TOOLS: list[Any] = [GetWeather, GetTime, Booking, search_flights, lookup_order]


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every tool langchain-core is asked to convert for `bind_tools`, in order, on a fresh cache."""
    monkeypatch.setattr(_tools, "_CONVERSIONS", _tools._ConversionCache())
    seen: list[Any] = []
    original = convert_to_openai_tool  # what _tools imported

    def counting(tool_: Any, *, strict: bool | None = None) -> dict[str, Any]:
        seen.append(tool_)
        return original(tool_, strict=strict)

    monkeypatch.setattr(_tools, "convert_to_openai_tool", counting)
    return seen


def test_cached_tools_equal_a_fresh_conversion(conversions: list[Any]) -> None:
    expected = [convert_to_openai_tool(tool_) for tool_ in TOOLS]
    for _ in range(3):
        assert format_tools(TOOLS) == expected
    assert conversions == TOOLS  # converted once each, then reused


def test_callers_mutating_bound_tools_do_not_corrupt_the_cache(conversions: list[Any]) -> None:
    model = FakeMavera().model()
    model.bind_tools(TOOLS)  # converts and remembers
    sent = model.bind_tools(TOOLS).kwargs["tools"]  # type: ignore[attr-defined]  # served from the cache
    sent[0]["function"]["parameters"]["properties"]["city"]["description"] = "CHANGED"
    sent[0]["function"]["name"] = "changed"
    sent[3]["function"]["parameters"]["required"].append("CHANGED")
    sent.append({"type": "function", "function": {"name": "extra"}})
    second = model.bind_tools(TOOLS).kwargs["tools"]  # type: ignore[attr-defined]
    assert second == [convert_to_openai_tool(tool_) for tool_ in TOOLS]
    assert len(conversions) == len(TOOLS)  # the second bind was served from the cache


def test_each_bind_gets_its_own_dicts(conversions: list[Any]) -> None:
    one, two, three = format_tools([GetWeather]), format_tools([GetWeather]), format_tools([GetWeather])
    assert one == two == three
    assert two[0] is not three[0]
    assert one[0] is not two[0]
    assert one[0]["function"] is not two[0]["function"]
    assert (
        one[0]["function"]["parameters"]["properties"] is not two[0]["function"]["parameters"]["properties"]
    )


def test_bound_requests_send_identical_tools(conversions: list[Any]) -> None:
    recorder = FakeMavera(completion("a"), completion("b"))
    model = recorder.model()
    model.bind_tools(TOOLS).invoke("one")
    model.bind_tools(TOOLS).invoke("two")
    assert recorder.bodies()[0]["tools"] == recorder.bodies()[1]["tools"]
    assert recorder.bodies()[0]["tools"] == [convert_to_openai_tool(tool_) for tool_ in TOOLS]


def test_different_tools_get_different_entries(conversions: list[Any]) -> None:
    weather, time_ = format_tools([GetWeather]), format_tools([GetTime])
    assert weather[0]["function"]["name"] == "GetWeather"
    assert time_[0]["function"]["name"] == "GetTime"
    assert conversions == [GetWeather, GetTime]


def test_strict_is_part_of_the_key(conversions: list[Any]) -> None:
    plain = format_tools([GetWeather])[0]
    strict = format_tools([GetWeather], strict=True)[0]
    assert "strict" not in plain["function"]
    assert strict["function"]["strict"] is True
    assert format_tools([GetWeather])[0] == plain
    assert strict == convert_to_openai_tool(GetWeather, strict=True)


def test_a_changed_base_tool_is_converted_again(conversions: list[Any]) -> None:
    @tool
    def check_stock(sku: str) -> int:
        """Units in stock."""
        return 0

    assert format_tools([check_stock])[0]["function"]["description"] == "Units in stock."
    check_stock.description = "Units in stock, per warehouse."
    described = format_tools([check_stock])[0]
    assert described["function"]["description"] == "Units in stock, per warehouse."
    check_stock.name = "stock_by_warehouse"
    renamed = format_tools([check_stock])[0]
    assert renamed["function"]["name"] == "stock_by_warehouse"
    assert renamed == convert_to_openai_tool(check_stock)


def test_dict_tools_are_converted_every_time(conversions: list[Any]) -> None:
    schema: dict[str, Any] = {"title": "Lookup", "type": "object", "properties": {"q": {"type": "string"}}}
    format_tools([schema])
    schema["properties"]["limit"] = {"type": "integer"}  # the owner may change a dict at will
    assert "limit" in format_tools([schema])[0]["function"]["parameters"]["properties"]
    assert conversions == [schema, schema]


def test_a_collected_tool_leaves_the_cache(conversions: list[Any]) -> None:
    cache = _tools._CONVERSIONS

    def make() -> type[BaseModel]:
        class Temporary(BaseModel):
            """Gone soon."""

            x: int

        return Temporary

    temporary = make()
    format_tools([temporary])
    assert len(cache) == 1
    conversions.clear()  # the fixture's record of it
    del temporary
    gc.collect()
    assert len(cache) == 0


# -- structured output: the traced schema -------------------------------------------------


class _Options(BaseCallbackHandler):
    def __init__(self) -> None:
        self.options: list[Any] = []

    def on_chat_model_start(self, *args: Any, options: Any = None, **kwargs: Any) -> None:
        self.options.append(options)


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output_converts_the_schema_once(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    answer = '{"city": "Paris", "days": 2}'
    if method == "function_calling":
        from tests.fake_mavera import tool_call

        replies = [completion(None, [tool_call("GetWeather", answer)]) for _ in range(3)]
    else:
        replies = [completion(answer) for _ in range(3)]
    recorder = FakeMavera(*replies)
    runnable = recorder.model().with_structured_output(GetWeather, method=method)  # type: ignore[arg-type]
    converted: list[Any] = []
    original = function_calling._convert_pydantic_to_openai_function

    def counting(model: Any, **kwargs: Any) -> Any:
        converted.append(model)
        return original(model, **kwargs)

    monkeypatch.setattr(function_calling, "_convert_pydantic_to_openai_function", counting)
    callback = _Options()
    for _ in range(3):
        assert runnable.invoke("weather?", config={"callbacks": [callback]}) == GetWeather(
            city="Paris", days=2
        )
    assert converted == []  # neither the tracing schema nor the tool is rebuilt per call
    traced = [options["ls_structured_output_format"] for options in callback.options]
    assert all(entry["schema"] == convert_to_json_schema(GetWeather) for entry in traced)
    assert traced[0]["kwargs"]["method"] == method


def test_shared_client_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_client, "_sync_clients", type(_client._sync_clients)())
    settings = {"base_url": "https://app.mavera.io/api/v1", "timeout": None, "max_retries": 0}
    first = _client.sync_client(api_key="mvra_key_0", default_headers=None, **settings)
    for index in range(1, _client._CACHE_SIZE + 1):
        _client.sync_client(api_key=f"mvra_key_{index}", default_headers=None, **settings)
    assert len(_client._sync_clients) == _client._CACHE_SIZE
    assert _client.sync_client(api_key="mvra_key_0", default_headers=None, **settings) is not first
