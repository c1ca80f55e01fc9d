"""examples/survey.py runs offline from its cassette: a survey, a resumed re-run, a table and two charts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cassettes.vcr_settings import ROOT


def test_survey_example_replays_offline(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAVERA_", "OPENAI_"))}
    env["MPLBACKEND"] = "Agg"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "survey.py"), "--out-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = completed.stdout
    assert out.startswith(
        "No MAVERA_API_KEY: replaying cassettes/examples/survey.yaml, recorded from the local"
    )
    assert "12 of 12 cells answered" in out
    assert "Second run on the same store: 0 cells asked, 0 credits, same answers: True." in out
    table = out.split("Confidence by persona and question:\n", 1)[1]
    assert table.splitlines()[0].split() == ["q", "Q1", "Q2", "Q3"]
    assert "Retired Baby Boomer" in table
    for name in ("survey.csv", "survey-confidence.png", "survey-biases.png"):
        assert (tmp_path / name).stat().st_size > 1_000
    assert (tmp_path / "survey-confidence.png").read_bytes().startswith(b"\x89PNG")
