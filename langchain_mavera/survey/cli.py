r"""`mavera-survey` (or `python -m langchain_mavera.survey`): run a persona survey from files.

    mavera-survey --questions questions.csv --persona "Gen Z Consumer" --persona "SaaS CMO" \
        --store survey.sqlite --budget 200 --out answers.csv --heatmap confidence.png

Everything that can be wrong with the input (a missing or empty file, a CSV
without a `question` column, an unknown persona, no API key) is reported before
any billed call. Re-running the same command resumes from the store.
Exit status: 0 every cell answered, 1 some cells failed or were not asked, 2 bad input.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_mavera import _extras
from langchain_mavera._credits import format_credits

__all__ = ["main"]


class InputError(Exception):
    """Bad command-line input, reported as one line before any billed call."""


def read_texts(path: Path, column: str) -> list[str]:
    """Non-empty entries of a `.csv` file's `column` (or its only column), or of a text file's lines.

    In a text file, blank lines and lines starting with `#` are skipped.
    """
    if not path.is_file():
        raise InputError(f"{column}s file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    if path.suffix.lower() == ".csv":
        values = _csv_column(path, text, column)
    else:
        values = [line.strip() for line in text.splitlines()]
        values = [value for value in values if value and not value.startswith("#")]
    if not values:
        raise InputError(f"{path} holds no {column}s.")
    return list(dict.fromkeys(values))


def _csv_column(path: Path, text: str, column: str) -> list[str]:
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise InputError(f"{path} is not a CSV file this tool can read ({exc}).") from None
    if not rows:
        return []
    header = [cell.strip().casefold() for cell in rows[0]]
    if column in header:
        index = header.index(column)
        body = rows[1:]
    elif len(header) == 1:
        index, body = 0, rows  # a single unnamed column: every row is an entry
    else:
        names = ", ".join(repr(cell) for cell in rows[0])
        raise InputError(f"{path} has no {column!r} column (columns: {names}).")
    return [row[index].strip() for row in body if len(row) > index and row[index].strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mavera-survey",
        description="Ask every question of every Mavera persona; answers are stored as they arrive, "
        "and running the same command again resumes.",
    )
    parser.add_argument(
        "--questions",
        required=True,
        type=Path,
        help="a .csv with a 'question' column, or a text file, one question a line",
    )
    parser.add_argument(
        "--persona",
        action="append",
        required=True,
        dest="personas",
        metavar="NAME_OR_ID",
        help="persona name or id; repeat for each persona",
    )
    parser.add_argument(
        "--variants",
        type=Path,
        help="optional .csv ('variant' column) or text file of message variants; "
        "{variant} in a question marks where each goes",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=Path("survey.sqlite"),
        help="SQLite file holding every answer (default: survey.sqlite)",
    )
    parser.add_argument("--budget", type=float, help="stop before the survey's credits would exceed this")
    parser.add_argument("--out", type=Path, help="write one row per cell to this CSV file")
    parser.add_argument(
        "--keep-formulas",
        action="store_true",
        help="write answers starting with = + - @ verbatim in --out "
        "(by default they get a leading ' so a spreadsheet cannot run them)",
    )
    parser.add_argument(
        "--heatmap", type=Path, help="save a persona x question heatmap to this image (.png, .svg, .pdf)"
    )
    parser.add_argument(
        "--metric",
        default="confidence",
        choices=("confidence", "valence", "arousal", "dominance"),
        help="score shown in the heatmap",
    )
    parser.add_argument("--biases", type=Path, help="save a bias-frequency chart to this image")
    parser.add_argument("--concurrency", type=int, default=8, help="most calls in flight (default 8)")
    parser.add_argument(
        "--rpm", type=float, help="your key's requests per minute (default: read from the API's headers)"
    )
    parser.add_argument("--max-tokens", type=int, help="longest answer, in tokens")
    parser.add_argument(
        "--no-analysis", action="store_true", help="do not ask for confidence, emotion and biases"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _same_file(one: Path, other: Path) -> bool:
    if one.resolve() == other.resolve():
        return True
    return one.exists() and other.exists() and os.path.samefile(one, other)


def _check_not_inputs(args: argparse.Namespace) -> None:
    """An output path that is an input would be overwritten after every cell was paid for."""
    inputs: dict[str, Path] = {"the --questions file": args.questions}
    if args.variants is not None:
        inputs["the --variants file"] = args.variants
    if args.store is not None:
        inputs["the --store file"] = args.store
        for suffix in ("-wal", "-shm", ".lock"):
            inputs[f"the store's {suffix} file"] = Path(f"{args.store}{suffix}")
    for option in ("out", "heatmap", "biases"):
        path: Path | None = getattr(args, option)
        if path is None:
            continue
        for name, given in inputs.items():
            if _same_file(path, given):
                raise InputError(
                    f"--{option} {path} is {name}; it would be overwritten. Choose another path."
                )


def _check_outputs(args: argparse.Namespace) -> None:
    for option in ("out", "heatmap", "biases", "store"):
        path: Path | None = getattr(args, option)
        if path is not None and not path.parent.exists():
            raise InputError(f"--{option}: folder {path.parent} does not exist.")
    _check_not_inputs(args)
    if (args.heatmap or args.biases) and not _extras.available("matplotlib"):
        raise InputError("--heatmap and --biases need matplotlib: pip install 'langchain-mavera[survey]'.")
    if args.concurrency < 1:
        raise InputError("--concurrency must be at least 1.")
    if args.budget is not None and args.budget < 0:
        raise InputError("--budget must be 0 or more credits.")
    if args.store is not None and args.store.exists():  # a new file is created by the run itself
        _check_store(args.store)


def _check_store(path: Path) -> None:
    """Open the store now, so a file that is not one is refused before any call."""
    from langchain_mavera.survey._store import SurveyStore

    try:
        SurveyStore(path).close()
    except ValueError as exc:
        raise InputError(f"--{exc}") from None


def _survey(args: argparse.Namespace) -> Any:
    from langchain_mavera.chat_models import ChatMavera
    from langchain_mavera.errors import MaveraPersonaLookupError
    from langchain_mavera.survey.persona_survey import PersonaSurvey

    questions = read_texts(args.questions, "question")
    variants = read_texts(args.variants, "variant") if args.variants else None
    _check_outputs(args)
    model = ChatMavera(max_tokens=args.max_tokens) if args.max_tokens is not None else ChatMavera()
    if model.mavera_api_key is None:
        raise InputError("No API key: set the MAVERA_API_KEY environment variable.")
    survey = PersonaSurvey(
        model=model,
        questions=questions,
        variants=variants,
        personas=args.personas,
        store=args.store,
        max_credits=args.budget,
        max_concurrency=args.concurrency,
        requests_per_minute=args.rpm,
        analysis_mode=not args.no_analysis,
        progress=False if args.quiet else None,
    )
    try:
        survey.check_personas()
    except MaveraPersonaLookupError as exc:
        raise InputError(str(exc)) from exc
    return survey


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    from langchain_mavera.errors import MaveraError

    try:
        survey = _survey(args)
    except (InputError, ValueError, MaveraError) as exc:
        print(f"mavera-survey: error: {exc}", file=sys.stderr)
        return 2
    cells = len(survey.questions) * len(survey.variants or [None]) * len(survey.personas)
    print(f"Asking up to {cells} cells; answers go to {args.store} as they arrive.", file=sys.stderr)
    result = survey.run()
    if args.out:
        result.to_csv(args.out, escape_formulas=not args.keep_formulas)
    if args.heatmap:
        result.plot_heatmap(args.metric, path=args.heatmap)
    if args.biases:
        result.plot_biases(path=args.biases)
    summary = (
        f"{len(result.succeeded)} answered, {len(result.failed)} failed, {len(result.pending)} not asked"
        f" · credits {format_credits(result.total_credits)} · store {args.store}"
    )
    print(summary + (f" · stopped: {result.stopped}" if result.stopped else ""))
    for path in (args.out, args.heatmap, args.biases):
        if path:
            print(f"wrote {path}")
    return 0 if len(result.succeeded) == len(result.answers) else 1
