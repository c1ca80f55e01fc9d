"""The credits rules, each written once (issue 23.2): what a reply's `credits_used` charges (a number
>= 0, else the cost is unknown, charged to a budget at the worst cost seen, never as 0), and how a
credits figure is written wherever it is shown."""

from __future__ import annotations

import json
from typing import Any

import pytest

from langchain_mavera import MaveraBudgetExceededError, get_mavera_callback
from langchain_mavera._credits import charge, format_credits
from langchain_mavera.panel.results import PanelAnswer, PanelResult
from langchain_mavera.tools._common import summary_line
from tests.fake_mavera import FakeMavera, Reply, completion, raw

BAD_FIGURES: list[Any] = [float("nan"), -3, True, "4", None]


def _reply(credits: Any) -> dict[str, Any]:
    body = completion()
    body["usage"]["credits_used"] = credits
    return body


def _sent(body: dict[str, Any]) -> Reply:
    return raw(200, json.dumps(body), "application/json")  # json.dumps writes NaN as the server might


@pytest.mark.parametrize("figure", [*BAD_FIGURES, "missing"])
def test_a_reply_without_a_valid_figure_is_charged_the_worst_cost_seen(figure: Any) -> None:
    bad = completion()
    if figure == "missing":
        del bad["usage"]["credits_used"]
    else:
        bad["usage"]["credits_used"] = figure
    fake = FakeMavera(_reply(4), _sent(bad), _reply(4))
    model = fake.model()
    with get_mavera_callback(budget=10) as cb:
        model.invoke("q1")
        model.invoke("q2")
        # 4 reported + 4 (the worst seen, for the unknown cost) + 4 would pass 10: refused unsent.
        with pytest.raises(MaveraBudgetExceededError, match="8 of 10"):
            model.invoke("q3")
    assert len(fake.requests) == 2
    assert (cb.requests, cb.unknown_cost_requests, cb.credits_used) == (2, 1, 4)
    assert (cb.input_tokens, cb.output_tokens) == (10, 14)


@pytest.mark.parametrize("figure", BAD_FIGURES)
def test_charge_refuses_every_figure_that_is_not_a_number_of_credits(figure: Any) -> None:
    assert charge(figure) is None


@pytest.mark.parametrize("figure", [0, 2, 2.5])
def test_charge_keeps_a_figure_as_sent(figure: float) -> None:
    assert charge(figure) == figure
    assert type(charge(figure)) is type(figure)


@pytest.mark.parametrize(
    ("figure", "written"),
    [(3, "3"), (3.0, "3"), (2.5, "2.5"), (2.25, "2.25"), (1234567, "1234567"), (None, "-")],
)
def test_a_credits_figure_is_written_one_way(figure: float | None, written: str) -> None:
    assert format_credits(figure) == written


def test_the_panel_table_and_the_panel_tool_write_credits_alike() -> None:
    answer = PanelAnswer(persona_id="p1", persona_name="Gen Z", credits=2.5)
    result = PanelResult(answers=[answer])
    assert "| 2.5 |" in result.to_markdown()
    assert "credits 2.5" in result.to_markdown()
    assert "credits 2.5" in summary_line(answer)
