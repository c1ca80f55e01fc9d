"""A survey run reads a plan fixed when it starts, not the survey object (issue 23.4)."""

from __future__ import annotations

from typing import Any

from langchain_mavera import PersonaSurvey
from tests.fake_mavera import FakeMavera

A = "clxpersonaaaaaaaaaaaaaaaa1"
B = "clxpersonabbbbbbbbbbbbbbb2"


def test_changing_the_survey_during_a_run_changes_only_the_next_run() -> None:
    fake = FakeMavera(catalogue={"Gen Z Consumer": A, "SaaS CMO": B})
    survey: PersonaSurvey

    def remaining() -> float | None:
        survey.analysis_mode = False  # e.g. a dashboard editing the survey while it runs
        return None

    survey = PersonaSurvey(
        model=fake.model(),
        questions=["Q1?", "Q2?"],
        personas=["Gen Z Consumer", "SaaS CMO"],
        max_concurrency=1,
        remaining_credits=remaining,
    )
    result = survey.run()
    assert len(result.answers) == 4
    bodies: list[dict[str, Any]] = fake.bodies()
    assert len(bodies) == 4
    assert all(body.get("analysis_mode") is True for body in bodies), bodies
