"""Which tool errors go back to the model as the tool's output, and which end the run.

An agent can correct an unknown story id (404), a persona the server refuses
(400), or an argument that fails validation, so those become a `ToolException`
and, with the tools' `handle_tool_error=True`, the `ToolMessage` the model
reads next (as langchain-tavily does). No model can fix a bad key, exhausted
credits, a reached budget or a rate limit that outlasted the retries: those
still raise out of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from langchain_core.tools import ToolException

from langchain_mavera.errors import MaveraInvalidRequestError, MaveraNotFoundError, MaveraPersonaLookupError

__all__ = ["tool_errors"]

_MODEL_FIXABLE: tuple[type[Exception], ...] = (
    MaveraInvalidRequestError,
    MaveraNotFoundError,
    MaveraPersonaLookupError,
)


@contextmanager
def tool_errors(*, arguments: bool = False) -> Iterator[None]:
    """Raise errors the model can act on as `ToolException`; `arguments=True` adds ValueErrors too.

    Only code that checks the model's arguments runs with `arguments=True`, so a
    ValueError about the tool's own setup (a missing API key) still raises.
    """
    fixable: tuple[type[Exception], ...] = (*_MODEL_FIXABLE, ValueError) if arguments else _MODEL_FIXABLE
    try:
        yield
    except fixable as exc:
        raise ToolException(f"{type(exc).__name__}: {exc}") from exc
