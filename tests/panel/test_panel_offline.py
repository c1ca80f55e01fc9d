"""PersonaPanel aggregates (hand-built answers) and its Runnable behaviour against a mock API."""

from __future__ import annotations

import asyncio
import functools
import json
import operator
import statistics
import threading
import time
from typing import Any

import httpx2
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate

from langchain_mavera import (
    ChatMavera,
    MaveraAnalysis,
    MaveraPersonaLookupError,
    MaveraRateLimitError,
    PanelAnswer,
    PanelResult,
    PersonaPanel,
    Spread,
)
from tests.fake_mavera import FakeMavera

KEY = "mvra_live_unit_test_key_not_real_0000"


def _answer(
    name: str, confidence: float | None, valence: float | None, biases: list[str], credits: float
) -> PanelAnswer:
    raw: dict[str, Any] = {"biases": [{"name": b} for b in biases]}
    if confidence is not None:
        raw["confidence"] = confidence
    if valence is not None:
        raw["emotion"] = {"emotional_valence": valence}
    return PanelAnswer(
        persona_id=f"id-{name}",
        persona_name=name,
        message=AIMessage(content=f"{name} says | hi\nthere"),
        analysis=MaveraAnalysis.model_validate(raw),
        credits=credits,
    )


HAND_BUILT = PanelResult(
    answers=[
        _answer("A", 8, 7, ["anchoring", "optimism"], 2),
        _answer("B", 6, 3, ["anchoring"], 3),
        _answer("C", None, 5, ["anchoring", "optimism", "anchoring"], 1.5),
        PanelAnswer(persona_id="", persona_name="D", error=RuntimeError("boom")),
    ]
)


def test_confidence_and_valence_spreads_skip_missing_values() -> None:
    assert HAND_BUILT.confidence == Spread(mean=7.0, stdev=1.0, count=2)
    valence = HAND_BUILT.valence
    assert valence is not None
    assert valence.mean == pytest.approx(5.0)
    assert valence.stdev == pytest.approx(statistics.pstdev([7, 3, 5]))
    assert valence.count == 3


def test_bias_counts_count_answers_not_mentions_and_sort_by_frequency() -> None:
    assert HAND_BUILT.bias_counts == {"anchoring": 3, "optimism": 2}
    assert list(HAND_BUILT.bias_counts) == ["anchoring", "optimism"]


def test_total_credits_and_success_split() -> None:
    assert HAND_BUILT.total_credits == pytest.approx(6.5)
    assert [a.persona_name for a in HAND_BUILT.succeeded] == ["A", "B", "C"]
    assert [a.persona_name for a in HAND_BUILT.failed] == ["D"]


def test_empty_panel_has_no_spreads() -> None:
    empty = PanelResult()
    assert empty.confidence is None
    assert empty.valence is None
    assert empty.bias_counts == {}
    assert empty.total_credits == 0


def test_single_value_spread_is_zero() -> None:
    assert Spread.of([4.0]) == Spread(mean=4.0, stdev=0.0, count=1)


def test_answers_add_up_to_a_result() -> None:
    a, b, c, d = HAND_BUILT.answers
    assert (a + b + c + d) == HAND_BUILT
    assert (a + PanelResult(answers=[b])).answers == [a, b]


def test_markdown_table_has_one_row_per_persona_and_a_summary() -> None:
    table = HAND_BUILT.to_markdown(max_chars=12)
    lines = table.splitlines()
    assert lines[0] == "| Persona | Answer | Confidence | Valence | Biases | Credits |"
    assert (
        lines[2] == "| A | A says \\| hi… | 8 | 7 | anchoring, optimism | 2 |"
    )  # pipes escaped, newlines flattened
    assert lines[4] == "| C | C says \\| hi… | - | 5 | anchoring, optimism | 1.5 |"  # each bias once
    assert lines[5] == "| D | error: Runt… | - | - | - | - |"
    assert lines[7] == (
        "**Panel:** 3 answered, 1 failed · confidence 7.00 ± 1.00 (n=2) · valence 5.00 ± 1.63 (n=3)"
        " · credits 6.5 · biases: anchoring x3, optimism x2"
    )


# -- the Runnable, against a mock API ------------------------------------------------------------

PERSONAS = {
    "clxpanel00000000000000001": "Gen Z Consumer",
    "clxpanel00000000000000002": "SaaS CMO",
    "clxpanel00000000000000003": "Rural Farmer",
}
RATE_LIMITED = "clxpanel00000000000000002"


class PanelAPI:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.list_calls = 0
        self.chat_bodies: list[dict[str, Any]] = []
        self.slow: set[str] = set()
        """Persona ids that answer after a short pause, so answers arrive out of the panel's order."""

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        time.sleep(self._pause(request))
        return self._reply(request)

    async def areply(self, request: httpx2.Request) -> httpx2.Response:
        """The handler for the async client: a pause here lets the other tasks run."""
        await asyncio.sleep(self._pause(request))
        return self._reply(request)

    def _pause(self, request: httpx2.Request) -> float:
        if request.url.path.endswith("/personas"):
            return 0
        # Long enough that a loaded machine still answers every other seat first.
        return 0.5 if json.loads(request.content)["persona_id"] in self.slow else 0

    def _reply(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/personas"):
            with self.lock:
                self.list_calls += 1
            data = [{"id": pid, "name": name} for pid, name in PERSONAS.items()]
            return httpx2.Response(200, json={"object": "list", "data": data})
        body = json.loads(request.content)
        with self.lock:
            self.chat_bodies.append(body)
        persona = body["persona_id"]
        if persona == RATE_LIMITED:
            error = {
                "message": "Rate limit exceeded.",
                "type": "rate_limit_error",
                "code": "rate_limit_exceeded",
            }
            return httpx2.Response(429, json={"error": error}, headers={"retry-after": "0"})
        index = int(persona[-1])
        reply = {
            "id": f"chatcmpl_{index}",
            "model": "mavera-1",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": f"{PERSONAS[persona]}: {body['messages'][-1]['content']}",
                    },
                    "finish_reason": "stop",
                }
            ],
            "usage": {"credits_used": index},
            "analysis": {
                "confidence": 5 + index,
                "emotion": {"emotional_valence": index},
                "biases": [{"name": "anchoring"}],
            },
        }
        return httpx2.Response(200, json=reply)


@pytest.fixture
def api() -> PanelAPI:
    return PanelAPI()


@pytest.fixture
def panel(api: PanelAPI) -> PersonaPanel:
    model = FakeMavera(api).model(api_key=KEY, max_retries=0)
    return PersonaPanel(
        model=model, personas=["rural farmer", RATE_LIMITED, "Gen Z Consumer", "Nobody"], max_concurrency=2
    )


def _check(result: PanelResult) -> None:
    assert [a.persona_name for a in result.answers] == [
        "Rural Farmer",
        "SaaS CMO",
        "Gen Z Consumer",
        "Nobody",
    ]
    farmer, cmo, genz, nobody = result.answers
    assert farmer.text == "Rural Farmer: Hi?"
    assert farmer.credits == 3
    assert farmer.analysis is not None
    assert farmer.analysis.confidence == 8
    assert isinstance(cmo.error, MaveraRateLimitError)
    assert genz.ok
    assert isinstance(nobody.error, MaveraPersonaLookupError)
    assert result.total_credits == 4
    assert result.bias_counts == {"anchoring": 2}


def test_invoke_keeps_each_error_and_every_other_answer(panel: PersonaPanel, api: PanelAPI) -> None:
    _check(panel.invoke("Hi?"))
    assert all(body["analysis_mode"] is True for body in api.chat_bodies)
    assert len(api.chat_bodies) == 3  # the unknown name is never asked


async def test_ainvoke_matches_invoke(panel: PersonaPanel) -> None:
    _check(await panel.ainvoke("Hi?"))


def test_names_are_resolved_once_per_panel(panel: PersonaPanel, api: PanelAPI) -> None:
    panel.invoke("Hi?")
    panel.invoke("Hi?")
    assert api.list_calls == 2  # the unresolved "Nobody" is retried; resolved names are cached
    panel.personas = panel.personas[:3]
    panel.invoke("Hi?")
    assert api.list_calls == 2


def _same(streamed: PanelResult, invoked: PanelResult) -> None:
    """Equal but for the error objects, which are new instances on every call."""

    def view(result: PanelResult) -> list[tuple[Any, ...]]:
        return [(a.model_copy(update={"error": None}), type(a.error), str(a.error)) for a in result.answers]

    assert view(streamed) == view(invoked)
    assert streamed.to_markdown() == invoked.to_markdown()


FARMER = "clxpanel00000000000000003"


def test_stream_yields_every_answer_once_and_aggregates_to_the_result(
    panel: PersonaPanel, api: PanelAPI
) -> None:
    api.slow.add(FARMER)  # the first seat answers last
    answers = list(panel.stream("Hi?"))
    assert all(isinstance(a, PanelAnswer) for a in answers)
    assert sorted(a.persona_name for a in answers) == ["Gen Z Consumer", "Nobody", "Rural Farmer", "SaaS CMO"]
    assert answers[-1].persona_name == "Rural Farmer"  # arrival order is not the panel's order
    aggregate = functools.reduce(operator.add, answers, PanelResult())
    _check(aggregate)
    _same(aggregate, panel.invoke("Hi?"))


async def test_astream_answers_aggregate_to_the_result(panel: PersonaPanel, api: PanelAPI) -> None:
    api.slow.add(FARMER)
    answers = [a async for a in panel.astream("Hi?")]
    assert sorted(a.persona_name for a in answers) == ["Gen Z Consumer", "Nobody", "Rural Farmer", "SaaS CMO"]
    assert answers[-1].persona_name == "Rural Farmer"
    _same(functools.reduce(operator.add, answers, PanelResult()), await panel.ainvoke("Hi?"))


def test_works_in_lcel_with_batch_and_per_call_kwargs(panel: PersonaPanel, api: PanelAPI) -> None:
    chain = ChatPromptTemplate.from_template("React to {idea}") | panel
    results = chain.batch([{"idea": "socks"}, {"idea": "hats"}])
    assert results[0].answers[0].text == "Rural Farmer: React to socks"
    assert results[1].answers[0].text == "Rural Farmer: React to hats"
    panel.batch(["Hi?"], verbosity="low")  # call kwargs reach every persona's request
    assert [body.get("verbosity") for body in api.chat_bodies[-2:]] == ["low", "low"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"bogus": 1}, TypeError, "Unknown parameter"),
        ({"temperature": 5}, ValueError, "temperature"),
        ({"verbosity": "loud"}, ValueError, "verbosity"),
    ],
)
async def test_bad_call_kwargs_raise_once_before_any_request(
    panel: PersonaPanel, api: PanelAPI, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        panel.invoke("Hi?", **kwargs)
    with pytest.raises(error, match=match):
        await panel.ainvoke("Hi?", **kwargs)
    with pytest.raises(error, match=match):
        list(panel.stream("Hi?", **kwargs))
    with pytest.raises(error, match=match):
        [answer async for answer in panel.astream("Hi?", **kwargs)]
    with pytest.raises(error, match=match):
        panel.batch(["Hi?"], **kwargs)
    assert api.list_calls == 0  # not even the persona names were looked up
    assert api.chat_bodies == []


def test_lcel_stream_passes_answers_through(panel: PersonaPanel) -> None:
    chain = ChatPromptTemplate.from_template("React to {idea}") | panel
    assert len(list(chain.stream({"idea": "socks"}))) == 4


class InFlight:
    """Answers every persona after a short pause and records the most requests in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.asked: list[str] = []

    def _enter(self, request: httpx2.Request) -> httpx2.Response | None:
        if request.url.path.endswith("/personas"):
            data = [{"id": pid, "name": f"Persona {i}"} for i, pid in enumerate(FIVE)]
            return httpx2.Response(200, json={"object": "list", "data": data})
        with self.lock:
            self.asked.append(json.loads(request.content)["persona_id"])
            self.now += 1
            self.peak = max(self.peak, self.now)
        return None

    def _leave(self) -> httpx2.Response:
        with self.lock:
            self.now -= 1
        reply = {
            "id": "chatcmpl_f",
            "model": "mavera-1",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
            ],
        }
        return httpx2.Response(200, json=reply)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        listing = self._enter(request)
        if listing is not None:
            return listing
        time.sleep(0.05)  # long enough for the other workers to start theirs
        return self._leave()

    async def areply(self, request: httpx2.Request) -> httpx2.Response:
        listing = self._enter(request)
        if listing is not None:
            return listing
        await asyncio.sleep(0.05)
        return self._leave()


FIVE = [f"clxbound0000000000000000{i}" for i in range(5)]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
async def test_max_concurrency_bounds_the_persona_calls_in_flight(use_async: bool) -> None:
    server = InFlight()
    model = FakeMavera(server).model(api_key=KEY, max_retries=0)
    panel = PersonaPanel(model=model, personas=FIVE, max_concurrency=2)
    result = await panel.ainvoke("Hi?") if use_async else panel.invoke("Hi?")
    assert [answer.text for answer in result.answers] == ["ok"] * 5
    assert sorted(server.asked) == FIVE
    assert server.peak == 2  # concurrent (more than one at once), but never more than the bound


def test_panel_needs_a_persona() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PersonaPanel(model=ChatMavera(api_key=KEY), personas=[])


class _Outputs(BaseCallbackHandler):
    def __init__(self) -> None:
        self.top: list[Any] = []

    def on_chain_end(self, outputs: Any, *, parent_run_id: Any = None, **kwargs: Any) -> None:
        if parent_run_id is None:
            self.top.append(outputs)


def test_streamed_answers_are_traced_as_one_panel_result(panel: PersonaPanel) -> None:
    handler = _Outputs()
    streamed = list(panel.stream("Hi?", config={"callbacks": [handler]}))
    (traced,) = handler.top
    assert isinstance(traced, PanelResult)
    assert traced.answers == sorted(streamed, key=lambda answer: answer.seat or 0)
    assert [answer.seat for answer in traced.answers] == [0, 1, 2, 3]


@pytest.mark.parametrize("figure", ["NaN", "-5", "true"])
def test_a_reply_whose_credits_are_not_a_charge_adds_nothing_to_the_panel_total(figure: str) -> None:
    def costing(credits: str) -> Any:
        body = (
            '{"id": "c1", "model": "mavera-1", "choices": [{"index": 0, "message": {"role": "assistant",'
            ' "content": "hi"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1,'
            f' "completion_tokens": 1, "total_tokens": 2, "credits_used": {credits}}}}}'
        )
        return lambda _: httpx2.Response(200, text=body, headers={"content-type": "application/json"})

    script = FakeMavera(costing(figure), catalogue=None)
    panel = PersonaPanel(model=script.model(), personas=["clx1abc2d0001abcdef123456"])
    answer = panel.invoke("q").answers[0]
    assert answer.ok
    assert answer.credits is None
    assert panel.invoke("q").total_credits == 0
