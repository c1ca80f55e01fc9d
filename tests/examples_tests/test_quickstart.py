"""examples/quickstart.py prints a persona answer, its analysis and the credits used."""

from __future__ import annotations

import re
from collections.abc import Callable


def test_quickstart_offline(run_example: Callable[[str], str]) -> None:
    output = run_example("quickstart")
    assert "recorded from the local emulator" in output.splitlines()[0]
    assert "\nA: " in output
    assert re.search(r"^Confidence:\s+\d+(\.\d+)?/10$", output, re.MULTILINE)
    assert re.search(r"^Emotional valence:\s+\d+(\.\d+)?/10$", output, re.MULTILINE)
    assert re.search(r"^Biases:\s+\S", output, re.MULTILINE)
    assert re.search(r"^Credits used:\s+\d+$", output, re.MULTILINE)
