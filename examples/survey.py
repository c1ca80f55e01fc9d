"""Persona survey: three questions to four audiences, stored as they arrive, drawn as a heatmap.

    python examples/survey.py [--out-dir DIR]

Without MAVERA_API_KEY it replays a recorded cassette; with one it calls the live API.
The survey runs twice on the same store to show that a second run (or a run
after a crash) asks nothing already answered.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import _replay  # noqa: F401  (no MAVERA_API_KEY: replays cassettes/examples/survey.yaml)
from _personas import personas_to_ask

from langchain_mavera import ChatMavera, PersonaSurvey

QUESTIONS = [
    "Would you pay 10% more for soap sold in refillable packaging?",
    "Would a refill subscription delivered monthly appeal to you?",
    "Would you trust a brand that says its packaging is plastic-free?",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out-dir", type=Path, default=Path(tempfile.gettempdir()) / "mavera-survey")
    out_dir = parser.parse_args().out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    model = ChatMavera(max_tokens=120)
    personas = personas_to_ask(model, 4)  # MAVERA_PERSONAS, else the first four your key lists
    with tempfile.TemporaryDirectory() as folder:
        survey = PersonaSurvey(
            model=model,
            questions=QUESTIONS,
            personas=personas,
            store=Path(folder) / "survey.sqlite",  # every answer is written here as it arrives
            max_credits=200,  # stop before spending more than this
            progress=False,  # True (or tqdm installed and None) shows a progress bar
        )
        result = survey.run()
        again = survey.run()  # same store: nothing is asked twice

    answered = f"{len(result.succeeded)} of {len(result.answers)} cells answered"
    print(f"\n{answered}, {result.total_credits:g} credits.")
    same = again.to_records() == result.to_records()
    print(
        f"Second run on the same store: {again.asked} cells asked, {again.credits_this_run:g} credits, "
        f"same answers: {same}.\n"
    )

    frame = result.to_pandas()
    frame["q"] = frame["question"].map({q: f"Q{i + 1}" for i, q in enumerate(QUESTIONS)})
    print("Confidence by persona and question:")
    print(frame.pivot(index="persona", columns="q", values="confidence").to_string())
    first = result.answers[0]
    print(f"\n{first.persona_name} on Q1: {first.answer}")

    result.to_csv(out_dir / "survey.csv")
    result.plot_heatmap("confidence", path=out_dir / "survey-confidence.png")
    result.plot_biases(path=out_dir / "survey-biases.png")
    print(f"\nWrote {out_dir / 'survey.csv'}, survey-confidence.png and survey-biases.png")


if __name__ == "__main__":
    main()
