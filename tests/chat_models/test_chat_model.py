"""ChatMavera construction, parameters, identity and serialization (no network)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.globals import set_llm_cache
from langchain_core.load import dumpd, dumps, load
from pydantic import ValidationError

from langchain_mavera import ChatMavera
from tests.fake_mavera import CREDITS, FakeMavera

KEY = "mvra_live_unit_test_key_not_real_0000"


@pytest.fixture
def recorder() -> FakeMavera:
    return FakeMavera()  # echoes "Answer from <persona_id>"


@pytest.fixture
def model(recorder: FakeMavera) -> ChatMavera:
    return ChatMavera(
        api_key=KEY,
        base_url="https://app.mavera.io/api/v1",
        persona_id="p1",
        http_client=recorder.sync_client(),
        http_async_client=recorder.async_client(),
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "allowed"),
    [
        ({"temperature": 3}, "temperature", "less than or equal to 2"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort", "'low', 'medium' or 'high'"),
        ({"verbosity": "max"}, "verbosity", "'low', 'medium' or 'high'"),
        ({"max_tokens": 0}, "max_tokens", "greater than or equal to 1"),
        ({"persona_id": ""}, "persona_id", "at least 1 character"),
        ({"persona_id": 42}, "persona_id", "valid string"),
        ({"extra_body": "persona=p1"}, "extra_body", "valid dictionary"),
        ({"max_retries": -1}, "max_retries", "greater than or equal to 0"),
    ],
)
def test_bad_constructor_values_name_field_and_allowed_values(
    kwargs: dict[str, Any], field: str, allowed: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatMavera(api_key=KEY, **kwargs)
    assert field in str(caught.value)
    assert allowed in str(caught.value)


def test_unknown_constructor_kwarg_hints_extra_body() -> None:
    with pytest.raises(ValidationError, match=r"mosaic_mode.*extra_body=\{'mosaic_mode': \.\.\.\}"):
        ChatMavera(api_key=KEY, mosaic_mode=True)


def test_reads_mavera_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAVERA_API_KEY", KEY)
    monkeypatch.setenv("MAVERA_BASE_URL", "https://mavera.example.test/api/v1")
    model = ChatMavera()
    assert model.mavera_api_key is not None
    assert model.mavera_api_key.get_secret_value() == KEY
    assert model.mavera_api_base == "https://mavera.example.test/api/v1"


def test_missing_key_fails_at_call_time_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAVERA_API_KEY", raising=False)
    model = ChatMavera()
    with pytest.raises(ValueError, match="MAVERA_API_KEY"):
        model.invoke("hi")


def test_key_never_in_repr_str_or_dumps(model: ChatMavera) -> None:
    for text in (repr(model), str(model), dumps(model), json.dumps(dumpd(model))):
        assert KEY not in text


@pytest.mark.filterwarnings(  # langchain-core announces `load` as beta; the round trip is the point here
    "ignore:The function `load` is in beta:langchain_core._api.beta_decorator.LangChainBetaWarning"
)
def test_dumpd_load_round_trip_keeps_mavera_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ChatMavera(api_key=KEY, persona_id="p9", analysis_mode=True, verbosity="low", temperature=0.2)
    serialized = dumpd(original)
    assert serialized["id"] == ["langchain_mavera", "chat_models", "ChatMavera"]
    assert serialized["kwargs"]["mavera_api_key"] == {"lc": 1, "type": "secret", "id": ["MAVERA_API_KEY"]}
    monkeypatch.setenv("MAVERA_API_KEY", KEY)
    restored = load(
        serialized, valid_namespaces=["langchain_mavera"], allowed_objects=[ChatMavera], secrets_from_env=True
    )
    assert isinstance(restored, ChatMavera)
    for field in ("persona_id", "analysis_mode", "verbosity", "temperature", "model_name"):
        assert getattr(restored, field) == getattr(original, field)
    assert restored.mavera_api_key is not None and restored.mavera_api_key.get_secret_value() == KEY


def test_identity_for_tracing(model: ChatMavera) -> None:
    assert model._llm_type == "mavera-chat"
    params = model._get_ls_params(stop=["x"], temperature=0.5)
    assert params == {
        "ls_provider": "mavera",
        "ls_model_name": "mavera-1",
        "ls_model_type": "chat",
        "ls_temperature": 0.5,
        "ls_stop": ["x"],
        "mavera_persona_id": "p1",
    }
    assert model._get_ls_params(model="mavera-2")["ls_model_name"] == "mavera-2"
    assert model._identifying_params["persona_id"] == "p1"


def test_invoke_sends_defaults_and_per_call_overrides(model: ChatMavera, recorder: FakeMavera) -> None:
    model.invoke("hi")
    model.invoke("hi", persona_id="p2", verbosity="low", max_tokens=50, stop=["\n"])
    model.bind(analysis_mode=True, reasoning_effort="high").invoke("hi")
    first, second, third = recorder.bodies()
    assert first == {"model": "mavera-1", "messages": [{"role": "user", "content": "hi"}], "persona_id": "p1"}
    assert second["persona_id"] == "p2" and second["verbosity"] == "low" and second["max_tokens"] == 50
    assert second["stop"] == ["\n"]
    assert (
        third["analysis_mode"] is True and third["reasoning_effort"] == "high" and third["persona_id"] == "p1"
    )


def test_call_extra_body_merges_with_instance_extra_body(recorder: FakeMavera) -> None:
    model = ChatMavera(
        api_key=KEY,
        extra_body={"mosaic_mode": True, "artifact_mode": False},
        http_client=recorder.sync_client(),
    )
    model.invoke("hi", extra_body={"artifact_mode": True, "x": 1})
    body = recorder.bodies()[0]
    assert body["mosaic_mode"] is True and body["artifact_mode"] is True and body["x"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 3}, "temperature"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"persona_id": ""}, "persona_id"),
        ({"extra_body": ["x"]}, "extra_body"),
        ({"personaid": "p2"}, "extra_body="),
    ],
)
def test_bad_per_call_values_fail_before_any_request(
    model: ChatMavera, recorder: FakeMavera, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises((ValidationError, TypeError), match=message):
        model.invoke("hi", **kwargs)
    assert recorder.requests == []


def test_stream_callbacks_fire_per_chunk(model: ChatMavera) -> None:
    class Tokens(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens: list[str] = []
            self.chunks: list[Any] = []

        def on_llm_new_token(
            self, token: str | list[str | dict[str, Any]], *, chunk: Any = None, **kwargs: Any
        ) -> None:
            assert isinstance(token, str)
            self.tokens.append(token)
            self.chunks.append(chunk)

    handler = Tokens()
    chunks = list(model.stream("hi", config={"callbacks": [handler]}))
    assert handler.tokens == ["Answer", " from", " p1", ""]
    assert [c.message.content for c in handler.chunks] == [c.content for c in chunks]
    assert chunks[-1].chunk_position == "last"
    assert chunks[-1].response_metadata["credits_used"] == CREDITS


class _TokenCounter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str | list[str | dict[str, Any]], **kwargs: Any) -> None:
        assert isinstance(token, str)
        self.tokens.append(token)


def _v3_stream(model: ChatMavera, handler: BaseCallbackHandler) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # version="v3" is announced as beta
        stream = model.stream_events("hi", version="v3", config={"callbacks": [handler]})
    assert stream.output.text == "Answer from p1"


@pytest.mark.parametrize(
    "drive",
    [
        lambda model, handler: list(model.stream("hi", config={"callbacks": [handler]})),
        lambda model, handler: model.bind(stream=True).invoke("hi", config={"callbacks": [handler]}),
        _v3_stream,
    ],
    ids=["stream", "invoke-streaming", "stream_events-v3"],
)
def test_token_callbacks_fire_once_per_chunk_on_every_streaming_path(model: ChatMavera, drive: Any) -> None:
    # langchain-core fires on_llm_new_token itself on stream()/invoke; on the v3 event path it
    # hands `run_manager` to `_stream` instead, and only `_stream` reports the tokens.
    handler = _TokenCounter()
    drive(model, handler)
    assert handler.tokens == ["Answer", " from", " p1", ""]


async def test_async_paths(model: ChatMavera) -> None:
    message = await model.ainvoke("hi", persona_id="p3")
    assert message.content == "Answer from p3"
    parts = [chunk.content async for chunk in model.astream("hi")]
    assert "".join(str(part) for part in parts) == "Answer from p1"
    assert [m.content for m in await model.abatch(["a", "b"])] == ["Answer from p1", "Answer from p1"]


def test_streaming_flag_makes_invoke_stream(recorder: FakeMavera) -> None:
    model = ChatMavera(api_key=KEY, streaming=True, http_client=recorder.sync_client())
    message = model.invoke("hi")
    assert recorder.bodies()[0]["stream"] is True
    assert message.content == "Answer from none"
    assert message.response_metadata["credits_used"] == CREDITS


@pytest.fixture
def llm_cache() -> Iterator[InMemoryCache]:
    cache = InMemoryCache()
    set_llm_cache(cache)
    yield cache
    set_llm_cache(None)


def test_cache_never_mixes_personas(recorder: FakeMavera, llm_cache: InMemoryCache) -> None:
    transport = recorder.sync_client()
    gen_z = ChatMavera(api_key=KEY, persona_id="genz", cache=True, http_client=transport)
    cmo = ChatMavera(api_key=KEY, persona_id="cmo", cache=True, http_client=transport)
    assert gen_z.invoke("hi").content == "Answer from genz"
    assert cmo.invoke("hi").content == "Answer from cmo"
    assert gen_z.invoke("hi", persona_id="cmo").content == "Answer from cmo"
    assert gen_z.invoke("hi").content == "Answer from genz"
    assert len(recorder.requests) == 3  # the repeat came from the cache, the others did not
