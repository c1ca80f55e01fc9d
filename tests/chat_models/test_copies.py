"""Every copy of a ChatMavera behaves exactly like a model freshly built with the same settings.

A copy (`with_persona`, `model_copy(update=...)`, `copy.copy`, `configurable_fields`,
`bind`, assignment) must never keep state derived from the original's settings:
the LLM-cache key, the serialized form traced by `on_chat_model_start`, the
transport and path, the request body and the SDK clients.
"""

from __future__ import annotations

import copy
import sqlite3
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core._api import LangChainBetaWarning
from langchain_core.caches import BaseCache, InMemoryCache
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.globals import set_llm_cache
from langchain_core.load import dumps, loads
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, Generation
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_core.runnables import ConfigurableField
from langchain_core.runnables.configurable import RunnableConfigurableFields
from pydantic import SecretStr

from langchain_mavera import ChatMavera
from tests.fake_mavera import FakeMavera

PERSONA_A = "clxpersonaaaaaaaaaaaaaaaa1"
PERSONA_B = "clxpersonabbbbbbbbbbbbbbb2"


class _Traced(BaseCallbackHandler):
    """What `on_chat_model_start` shows a tracer."""

    def __init__(self) -> None:
        self.starts: list[dict[str, Any]] = []

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        self.starts.append(
            {
                "serialized": serialized,
                "invocation_params": kwargs.get("invocation_params"),
                "metadata": kwargs.get("metadata"),
            }
        )


def _token_ids(text: str) -> list[int]:
    return [len(word) for word in text.split()]


def _samples(echo: FakeMavera) -> dict[str, Any]:
    """A non-default value for every public field of ChatMavera."""
    return {
        "name": "research-model",
        "cache": False,
        "verbose": True,
        "callbacks": [BaseCallbackHandler()],
        "tags": ["panel"],
        "metadata": {"study": "packaging"},
        "custom_get_token_ids": _token_ids,
        "rate_limiter": InMemoryRateLimiter(requests_per_second=1000, check_every_n_seconds=0.001),
        "disable_streaming": True,
        "output_version": "v1",
        "profile": {"max_input_tokens": 1000},
        "model_name": "mavera-2",
        "mavera_api_key": SecretStr("mvra_test_unit_other_key"),
        "mavera_api_base": "https://eu.mavera.example/api/v2",
        "persona_id": PERSONA_B,
        "analysis_mode": True,
        "reasoning_effort": "high",
        "verbosity": "low",
        "temperature": 0.3,
        "max_tokens": 50,
        "stop": ["END"],
        "request_timeout": 30.0,
        "stream_chunk_timeout": 5.0,
        "total_timeout": 60.0,
        "max_retries": 1,
        "streaming": True,
        "use_responses_api": True,
        "extra_body": {"mosaic_mode": True},
        "default_headers": {"X-Team": "research"},
        "http_client": echo.sync_client(),
        "http_async_client": echo.async_client(),
    }


FIELDS = sorted(_samples(FakeMavera()))


def test_every_public_field_has_a_sample() -> None:
    assert set(FIELDS) == set(ChatMavera.model_fields)


def _client_view(client: Any) -> dict[str, Any]:
    return {
        "base_url": str(client.base_url),
        "api_key": client.api_key,
        "max_retries": client.max_retries,
        "timeout": client.timeout,
        "x-team": client.default_headers.get("X-Team"),
        "http_client": client._client,
    }


def _settings(echo: FakeMavera) -> dict[str, Any]:
    return {
        "mavera_api_key": "mvra_test_unit_echo",
        "mavera_api_base": "https://app.mavera.io/api/v1",
        "max_retries": 0,
        "persona_id": PERSONA_A,
        "http_client": echo.sync_client(),
        "http_async_client": echo.async_client(),
    }


def _observe(model: Any, echo: FakeMavera) -> dict[str, Any]:
    """Everything a copy must share with a fresh construction, from one real call.

    For a binding, what its call sends and traces; for a model, also its cache key and clients.
    """
    traced = _Traced()
    sent = len(echo.requests)
    answer = model.invoke("Would you buy refillable shampoo?", config={"callbacks": [traced]})
    (request,) = echo.requests[sent:]
    metadata = {k: v for k, v in answer.response_metadata.items() if k != "id"}
    seen: dict[str, Any] = {
        "traced": traced.starts,
        "method_url": (request.method, str(request.url)),
        "headers": {k: request.headers.get(k) for k in ("authorization", "x-team")},
        "body": request.read(),
        "answer": (answer.text, metadata),
    }
    if isinstance(model, ChatMavera):
        seen["llm_string"] = model._get_llm_string()
        seen["client"] = _client_view(model.client)
        seen["async_client"] = _client_view(model.async_client)
        seen["wire_path"] = model._wire.path
        seen["profile"] = model.profile
    return seen


def _warm(model: ChatMavera) -> None:
    """Compute everything langchain-core and ChatMavera derive and keep on an instance."""
    model.invoke("warm up")
    model._get_llm_string()
    assert model.client is not None and model.async_client is not None


@pytest.mark.parametrize("field", FIELDS)
def test_model_copy_with_update_equals_a_fresh_construction(field: str) -> None:
    echo = FakeMavera()
    settings = _settings(echo)
    value = _samples(echo)[field]
    base = ChatMavera(**settings)
    _warm(base)
    copied = base.model_copy(update={field: value})
    fresh = ChatMavera(**{**settings, field: value})
    assert _observe(copied, echo) == _observe(fresh, echo)


@pytest.mark.parametrize("field", FIELDS)
def test_configurable_fields_equals_a_fresh_construction(field: str) -> None:
    echo = FakeMavera()
    settings = _settings(echo)
    value = _samples(echo)[field]
    base = ChatMavera(**settings)
    _warm(base)
    runnable = base.configurable_fields(**{field: ConfigurableField(id=field)})
    assert isinstance(runnable, RunnableConfigurableFields)
    configured, _ = runnable.prepare({"configurable": {field: value}})
    assert isinstance(configured, ChatMavera)
    assert _observe(configured, echo) == _observe(ChatMavera(**{**settings, field: value}), echo)


# Per-call settings: what `bind` (and `invoke(..., **kwargs)`) may change.
CALL_FIELDS = {
    "model": "model_name",
    "persona_id": "persona_id",
    "analysis_mode": "analysis_mode",
    "reasoning_effort": "reasoning_effort",
    "verbosity": "verbosity",
    "temperature": "temperature",
    "max_tokens": "max_tokens",
    "stop": "stop",
    "extra_body": "extra_body",
}


@pytest.mark.parametrize("kwarg", sorted(CALL_FIELDS))
def test_bind_sends_what_a_fresh_construction_sends(kwarg: str) -> None:
    """A binding keeps the original's serialized form (a per-call kwarg, as on every chat model),
    but its request, answer, traced invocation params and run metadata follow the bound value."""
    echo = FakeMavera()
    settings = _settings(echo)
    field = CALL_FIELDS[kwarg]
    value = _samples(echo)[field]
    base = ChatMavera(**settings)
    _warm(base)
    bound = _observe(base.bind(**{kwarg: value}), echo)
    fresh = _observe(ChatMavera(**{**settings, field: value}), echo)
    for key in ("method_url", "headers", "body", "answer"):
        assert bound[key] == fresh[key], key
    bound_trace, fresh_trace = bound["traced"][0], fresh["traced"][0]
    assert bound_trace["metadata"] == fresh_trace["metadata"]
    assert bound_trace["invocation_params"][kwarg] == value


# Assigning `metadata` replaces the `lc_versions` entry langchain-core adds at construction,
# as on every chat model; that is tracing bookkeeping, not a setting of the request.
@pytest.mark.parametrize("field", [field for field in FIELDS if field != "metadata"])
def test_assignment_equals_a_fresh_construction(field: str) -> None:
    echo = FakeMavera()
    settings = _settings(echo)
    value = _samples(echo)[field]
    model = ChatMavera(**settings)
    _warm(model)
    setattr(model, field, value)
    fresh = ChatMavera(**{**settings, field: value})
    assert _observe(model, echo) == _observe(fresh, echo)


def test_a_copy_with_other_client_settings_gets_its_own_client() -> None:
    echo = FakeMavera()
    base = echo.model(persona_id=PERSONA_A)
    _warm(base)
    moved = base.model_copy(update={"mavera_api_base": "https://eu.mavera.example/api/v1"})
    assert moved.client is not base.client
    assert str(moved.client.base_url) == "https://eu.mavera.example/api/v1/"
    assert base.with_persona(PERSONA_B).client is base.client  # same settings: no rebuild


def test_use_responses_api_copy_posts_to_responses() -> None:
    echo = FakeMavera()
    base = echo.model()
    base.invoke("hi")
    base.model_copy(update={"use_responses_api": True}).invoke("hi")
    assert [request.url.path for request in echo.requests] == [
        "/api/v1/chat/completions",
        "/api/v1/responses",
    ]


def test_a_given_profile_survives_copies_and_a_derived_one_follows_the_transport() -> None:
    given = ChatMavera(api_key="mvra_test_unit_echo", profile={"max_input_tokens": 1000})
    for copied in (
        given.model_copy(update={"use_responses_api": True}),
        given.model_copy(update={"use_responses_api": True}, deep=True),
        copy.copy(given),
    ):
        assert copied.profile == {"max_input_tokens": 1000}
    default = ChatMavera(api_key="mvra_test_unit_echo")
    responses = default.model_copy(update={"use_responses_api": True})
    assert responses.profile == ChatMavera(api_key="mvra_test_unit_echo", use_responses_api=True).profile
    assert responses.profile is not None and responses.profile.get("image_inputs") is True
    assert default.profile is not None and "image_inputs" not in default.profile
    # A default profile changed in place is the user's own: copies keep it.
    default.profile["max_input_tokens"] = 2000
    assert default.model_copy(update={"use_responses_api": True}).profile == default.profile


def test_copy_module_and_deep_copies_are_fresh() -> None:
    echo = FakeMavera()
    base = echo.model(persona_id=PERSONA_A, extra_body={"mosaic_mode": True})
    _warm(base)
    for duplicate in (copy.copy(base), copy.deepcopy(base), base.model_copy(deep=True)):
        assert duplicate._get_llm_string() == base._get_llm_string()
        duplicate.persona_id = PERSONA_B
        assert duplicate.invoke("q").text == f"Answer from {PERSONA_B}"
    deep = base.model_copy(deep=True)
    assert deep.extra_body == base.extra_body and deep.extra_body is not base.extra_body
    assert deep.http_client is base.http_client  # live connection pools are shared, not cloned


def test_a_copy_accepts_aliases_like_a_construction() -> None:
    base = ChatMavera(api_key="mvra_test_unit_echo")
    moved = base.model_copy(update={"base_url": "https://eu.mavera.example/api/v1", "model": "mavera-2"})
    assert (moved.mavera_api_base, moved.model_name) == ("https://eu.mavera.example/api/v1", "mavera-2")
    assert {"mavera_api_base", "model_name"} <= moved.model_fields_set


def test_a_copy_validates_its_update_like_a_construction() -> None:
    base = ChatMavera(api_key="mvra_test_unit_echo")
    with pytest.raises(ValueError, match="temperature"):
        base.model_copy(update={"temperature": 5})
    with pytest.raises(ValueError, match="extra_body"):
        base.model_copy(update={"persona": PERSONA_B})


# -- LLM caches -----------------------------------------------------------------------------------


class SQLiteCache(BaseCache):
    """An on-disk LLM cache storing generations as langchain-community's SQLiteCache does
    (one `dumps` per generation, `loads` on lookup), so replies round-trip through JSON."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS llm (prompt TEXT, llm TEXT, idx INT, response TEXT)")

    def lookup(self, prompt: str, llm_string: str) -> list[Generation] | None:
        rows = self._db.execute(
            "SELECT response FROM llm WHERE prompt = ? AND llm = ? ORDER BY idx", (prompt, llm_string)
        ).fetchall()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LangChainBetaWarning)  # `loads` is marked beta
            return [loads(row[0], allowed_objects=[ChatGeneration, AIMessage]) for row in rows] or None

    def update(self, prompt: str, llm_string: str, return_val: Any) -> None:
        for index, generation in enumerate(return_val):
            self._db.execute(
                "INSERT INTO llm VALUES (?, ?, ?, ?)", (prompt, llm_string, index, dumps(generation))
            )
        self._db.commit()

    def clear(self, **kwargs: Any) -> None:
        self._db.execute("DELETE FROM llm")

    def close(self) -> None:
        self._db.close()


@pytest.fixture(params=["in_memory", "sqlite"])
def llm_cache(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[BaseCache]:
    cache: BaseCache = (
        InMemoryCache() if request.param == "in_memory" else SQLiteCache(str(tmp_path / "c.db"))
    )
    set_llm_cache(cache)
    yield cache
    set_llm_cache(None)
    if isinstance(cache, SQLiteCache):
        cache.close()  # left to the garbage collector, Python 3.13 warns about the connection


def test_with_persona_after_a_cached_call_asks_the_new_persona(llm_cache: BaseCache) -> None:
    echo = FakeMavera()
    base = echo.model(persona_id=PERSONA_A)
    assert base.invoke("Would you buy it?").text == f"Answer from {PERSONA_A}"
    traced = _Traced()
    other = base.with_persona(PERSONA_B)
    answer = other.invoke("Would you buy it?", config={"callbacks": [traced]})
    assert answer.text == f"Answer from {PERSONA_B}"
    assert len(echo.requests) == 2
    assert echo.bodies()[1]["persona_id"] == PERSONA_B
    assert traced.starts[0]["serialized"]["kwargs"]["persona_id"] == PERSONA_B
    assert traced.starts[0]["metadata"]["mavera_persona_id"] == PERSONA_B
    # Asking A again is a real cache hit, still A's answer.
    assert base.invoke("Would you buy it?").text == f"Answer from {PERSONA_A}"
    assert len(echo.requests) == 2


async def test_async_with_persona_after_a_cached_call_asks_the_new_persona(llm_cache: BaseCache) -> None:
    echo = FakeMavera()
    base = echo.model(persona_id=PERSONA_A)
    assert (await base.ainvoke("q")).text == f"Answer from {PERSONA_A}"
    assert (await base.with_persona(PERSONA_B).ainvoke("q")).text == f"Answer from {PERSONA_B}"
    assert len(echo.requests) == 2


@pytest.mark.parametrize("how", ["configurable_fields", "configurable_alternatives", "bind", "assignment"])
def test_every_way_of_changing_persona_misses_the_other_personas_cache(
    llm_cache: BaseCache, how: str
) -> None:
    echo = FakeMavera()
    base = echo.model(persona_id=PERSONA_A)
    base.invoke("q")
    if how == "configurable_fields":
        runnable: Any = base.configurable_fields(persona_id=ConfigurableField(id="persona_id"))
        answer = runnable.invoke("q", config={"configurable": {"persona_id": PERSONA_B}})
    elif how == "configurable_alternatives":
        runnable = base.configurable_alternatives(
            ConfigurableField(id="audience"), default_key="a", b=base.with_persona(PERSONA_B)
        )
        answer = runnable.invoke("q", config={"configurable": {"audience": "b"}})
    elif how == "bind":
        answer = base.bind(persona_id=PERSONA_B).invoke("q")
    else:
        base.persona_id = PERSONA_B
        answer = base.invoke("q")
    assert answer.text == f"Answer from {PERSONA_B}"
    assert [body["persona_id"] for body in echo.bodies()] == [PERSONA_A, PERSONA_B]


def test_a_cached_reply_says_so_and_costs_nothing(llm_cache: BaseCache) -> None:
    echo = FakeMavera()
    model = echo.model(persona_id=PERSONA_A)
    first = model.invoke("q")
    again = model.invoke("q")
    assert len(echo.requests) == 1
    assert first.response_metadata["credits_used"] == 2
    assert "cached" not in first.response_metadata
    assert again.response_metadata["cached"] is True
    assert again.response_metadata["credits_used"] == 0
    assert again.response_metadata["persona_id"] == PERSONA_A
    assert again.text == first.text
    # The cache keeps the reply as first recorded: a third hit is marked the same way.
    third = model.invoke("q")
    assert third.response_metadata["cached"] is True and "cached" not in first.response_metadata


def test_client_for_fresh_model_uses_its_own_http_client() -> None:
    echo = FakeMavera()
    base = echo.model()
    other_client = echo.sync_client()
    moved = base.model_copy(update={"http_client": other_client})
    assert moved.client._client is other_client
    assert base.client._client is not other_client
