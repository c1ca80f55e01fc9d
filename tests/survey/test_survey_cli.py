"""The mavera-survey command line: bad input is refused before any billed call; a run writes its files."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

from cassettes.vcr_settings import ROOT
from langchain_mavera.survey.cli import main
from tests.emulator import Emulator
from tests.survey.conftest import chat_posts

pytestmark = pytest.mark.loopback

matplotlib.use("Agg")


@pytest.fixture
def env(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setenv("MAVERA_API_KEY", emu.api_key)
    monkeypatch.setenv("MAVERA_BASE_URL", emu.base_url)
    return emu


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.csv"
    path.write_text("id,question\n1,Would you pay more for refillable soap?\n2,Would you switch brands?\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--quiet", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_run_writes_csv_and_plots_and_resumes(
    env: Emulator, questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv, heat, biases = tmp_path / "answers.csv", tmp_path / "heat.png", tmp_path / "biases.png"
    argv = [
        "--questions",
        str(questions),
        "--persona",
        "Gen Z Consumer",
        "--persona",
        "SaaS CMO",
        "--store",
        str(tmp_path / "s.sqlite"),
        "--out",
        str(out_csv),
        "--heatmap",
        str(heat),
        "--biases",
        str(biases),
        "--budget",
        "100",
    ]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert "4 answered, 0 failed, 0 not asked" in out
    with out_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["persona"] for row in rows] == ["Gen Z Consumer", "SaaS CMO"] * 2
    assert rows[0]["question"] == "Would you pay more for refillable soap?"
    assert heat.read_bytes().startswith(b"\x89PNG")
    assert biases.read_bytes().startswith(b"\x89PNG")
    assert len(chat_posts(env)) == 4

    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert len(chat_posts(env)) == 4  # resumed from the store: nothing asked again


def test_a_text_file_of_questions_and_a_budget_that_stops(
    env: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "q.txt"
    path.write_text("# one question a line\nFirst question?\n\nSecond question?\nThird question?\n")
    code, out, _ = run(
        capsys,
        "--questions",
        str(path),
        "--persona",
        "SaaS CMO",
        "--budget",
        "3",
        "--store",
        str(tmp_path / "s.sqlite"),
    )
    assert code == 1
    assert "1 answered, 0 failed, 2 not asked" in out
    assert "stopped: credit budget" in out


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.csv", "questions file not found"),
        ("", "empty.txt", "holds no questions"),
        ("# only a comment\n\n", "comments.txt", "holds no questions"),
        ("id,text\n1,Hello?\n", "wrong.csv", "has no 'question' column (columns: 'id', 'text')"),
        (b"\xff\xfe\x00bad", "binary.txt", "is not UTF-8 text"),
        ('question\n"' + "a" * 200_000 + '"\n', "huge.csv", "is not a CSV file this tool can read"),
    ],
)
def test_bad_question_files_are_refused_before_any_request(
    env: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | bytes | None,
    name: str,
    message: str,
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    code, _, err = run(capsys, "--questions", str(path), "--persona", "SaaS CMO")
    assert code == 2
    assert message in err
    assert env.requests == []


def test_unknown_persona_is_refused_before_any_billed_call(
    env: Emulator, questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "--questions",
        str(questions),
        "--persona",
        "Gen Zed Consumer",
        "--persona",
        "SaaS CMO",
        "--store",
        str(tmp_path / "s.sqlite"),
    )
    assert code == 2
    assert "No persona named 'Gen Zed Consumer'" in err
    assert "Close matches: 'Gen Z Consumer'" in err
    assert chat_posts(env) == []
    assert {r.path for r in env.requests} == {"/personas"}  # the free lookup only


def test_a_zero_max_tokens_is_refused_not_ignored(
    env: Emulator, questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "--questions",
        str(questions),
        "--persona",
        "SaaS CMO",
        "--max-tokens",
        "0",
        "--store",
        str(tmp_path / "s.sqlite"),
    )
    assert code == 2
    assert "max_tokens" in err
    assert env.requests == []


def test_missing_output_folder_and_key_are_refused(
    env: Emulator,
    questions: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run(
        capsys,
        "--questions",
        str(questions),
        "--persona",
        "SaaS CMO",
        "--out",
        str(tmp_path / "nope" / "a.csv"),
    )
    assert code == 2
    assert "--out: folder" in err
    monkeypatch.delenv("MAVERA_API_KEY")
    code, _, err = run(capsys, "--questions", str(questions), "--persona", "SaaS CMO")
    assert code == 2
    assert "MAVERA_API_KEY" in err
    assert env.requests == []


def test_module_and_console_script_entry_points() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "langchain_mavera.survey", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0
    assert "--questions" in completed.stdout
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.scripts]\nmavera-survey = "langchain_mavera.survey.cli:main"' in pyproject


@pytest.mark.parametrize("store", ["not-a-database.sqlite", "a-folder"])
def test_a_store_that_is_not_a_database_is_refused_before_any_billed_call(
    env: Emulator, questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], store: str
) -> None:
    path = tmp_path / store
    if store == "a-folder":
        path.mkdir()
    else:
        path.write_text("These are notes, not answers. " * 20)
    code, _, err = run(capsys, "--questions", str(questions), "--persona", "SaaS CMO", "--store", str(path))
    assert code == 2
    assert f"--store {path} cannot be used as a survey store" in err
    assert chat_posts(env) == []
