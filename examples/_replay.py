"""Imported for its side effect: replay this script's cassette when MAVERA_API_KEY is unset.

An example starts with `import _replay`; nothing else in it knows about
cassettes. Without a key, every HTTP call the script makes is answered from
cassettes/examples/<script name>.yaml and a call the cassette does not hold
fails loudly instead of going live. With MAVERA_API_KEY set, this does
nothing and the script calls the live API. The cassette settings are the
tests' own (cassettes/vcr_settings.py), loaded by file path.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

RECORD_VARIABLE = "MAVERA_EXAMPLES_RECORD"
"""Set by scripts/record_cassettes.py to (re-)record the example cassettes."""

_SETTINGS_FILE = Path(__file__).resolve().parent.parent / "cassettes" / "vcr_settings.py"


def _script_name() -> str:
    main = sys.modules.get("__main__")
    return Path(getattr(main, "__file__", None) or sys.argv[0]).stem


def _load_settings() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_mavera_cassette_settings", _SETTINGS_FILE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the cassette settings from {_SETTINGS_FILE}")
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    return settings


def _provenance(cassette: Path) -> str:
    text = cassette.read_text(encoding="utf-8") if cassette.exists() else ""
    return "the local emulator" if "langchain-mavera-emulator" in text else "the live Mavera API"


def _target() -> str:
    """Where a call goes: a local or staging MAVERA_BASE_URL is not "the live Mavera API"."""
    from langchain_mavera._base_url import DEFAULT_BASE_URL

    base_url = os.environ.get("MAVERA_BASE_URL", "").strip() or DEFAULT_BASE_URL
    return "the live Mavera API" if base_url.rstrip("/") == DEFAULT_BASE_URL else f"the API at {base_url}"


def _start() -> None:
    recording = bool(os.environ.get(RECORD_VARIABLE))
    if os.environ.get("MAVERA_API_KEY") and not recording:
        print(f"MAVERA_API_KEY is set: calling {_target()}.")
        return

    import vcr

    settings = _load_settings()
    cassette = settings.CASSETTE_DIR / "examples" / f"{_script_name()}.yaml"
    if not recording:
        print(
            f"No MAVERA_API_KEY: replaying {cassette.relative_to(settings.ROOT)}, recorded from "
            f"{_provenance(cassette)} (see README, Cassettes). Set MAVERA_API_KEY to call the live API."
        )
        os.environ["MAVERA_BASE_URL"] = settings.PUBLIC_BASE_URL
        os.environ["MAVERA_API_KEY"] = settings.REPLAY_API_KEY
    recorder = vcr.VCR()
    recorder.register_matcher("json_body", settings.json_body_matcher)
    recorder.register_persister(settings.SortedPersister)
    context = recorder.use_cassette(str(cassette), **settings.vcr_kwargs("all" if recording else "none"))
    context.__enter__()
    # Runs when the script ends, after its last call: saves a recording, stops patching.
    atexit.register(context.__exit__, None, None, None)


_start()
