"""Optional dependencies (pandas, matplotlib, tqdm), imported only when a feature needs them."""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRA = "survey"


def require(module: str, feature: str) -> ModuleType:
    """Import `module`, or explain which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".", 1)[0]
        msg = f"{feature} needs {top}: pip install 'langchain-mavera[{EXTRA}]' (or pip install {top})."
        raise ImportError(msg) from exc


def available(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
