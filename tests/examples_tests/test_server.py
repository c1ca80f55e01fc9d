"""The FastAPI server example serves two users from one agent, offline from its cassette."""

from __future__ import annotations

import re
from collections.abc import Callable

Run = Callable[[str], str]


def test_server_keeps_each_users_research_thread(run_example: Run) -> None:
    output = run_example("server")
    assert "cassettes/examples/server.yaml, recorded from the local emulator" in output.splitlines()[0]
    turns = re.findall(r"^(alice|bob)> .*\n\[mavera_research: thread (\S+)\]\n(.+)$", output, re.M)
    assert [user for user, _, _ in turns] == ["alice", "bob", "alice"]
    (_, alice_first, first), (_, bob_thread, bob), (_, alice_second, follow_up) = turns
    assert alice_first == alice_second != bob_thread  # alice's follow-up continued her thread, not bob's
    assert "Building on the earlier research" in follow_up
    assert "Building on the earlier research" not in first + bob  # bob's first turn opened his own
    assert first.startswith("I ran mavera_research")  # the answer streamed as text
    assert f"alice {alice_first}, bob {bob_thread}" in output
