"""Spellings renamed before the first release: refused with the new name, never aliased.

Nothing was published under the old names, so no alias is owed; but a pydantic tool or
retriever ignores a keyword it does not know, so an old `mavera=` would otherwise be dropped
silently and the requests would go out on `MAVERA_API_KEY`, possibly another account.
"""

from __future__ import annotations

from collections.abc import Iterable

RENAMED_ARGUMENTS = {"mavera": "model", "source": "model", "persona_ids": "personas"}
"""Old keyword -> new keyword, for every public function and class that took the old one."""

RENAMED_CLASSES = {
    "PersonaTool": "MaveraPersonaTool",
    "PersonaPanelTool": "MaveraPanelTool",
    "Persona": "MaveraPersona",
    "Analysis": "MaveraAnalysis",
}
"""Old class name -> new one (`from langchain_mavera import Old` raises an ImportError naming it)."""


def refuse_renamed_arguments(owner: str, given: Iterable[str]) -> None:
    """A TypeError naming the new spelling of every renamed keyword in `given` (nothing is sent)."""
    old = [name for name in given if name in RENAMED_ARGUMENTS]
    if old:
        spelled = "; ".join(f"{name}= is now {RENAMED_ARGUMENTS[name]}=" for name in old)
        msg = f"{owner}: {spelled} (renamed before the first release; the old name is not accepted)."
        raise TypeError(msg)


def refuse_extra_arguments(owner: str, given: Iterable[str]) -> None:
    """For a signature that gathers `**renamed` only to say where an old keyword went: refuse all."""
    names = list(given)
    refuse_renamed_arguments(owner, names)
    if names:
        msg = f"{owner} got unexpected keyword argument(s): {', '.join(names)}."
        raise TypeError(msg)


def refuse_positional_model(owner: str, args: tuple[object, ...]) -> None:
    """A TypeError when the connection is passed by position: it is `model=` by keyword everywhere."""
    if args:
        msg = (
            f"{owner} takes the connection by keyword: {owner}(model=ChatMavera(...)) or connection settings."
        )
        raise TypeError(msg)


def renamed_class_error(name: str) -> ImportError | None:
    """The ImportError for an old class name, or None when `name` was never renamed.

    An ImportError, not an AttributeError: `from langchain_mavera import Old` replaces an
    AttributeError's message with its own generic one, which would hide the new name.
    """
    new = RENAMED_CLASSES.get(name)
    if new is None:
        return None
    return ImportError(
        f"langchain_mavera.{name} is now {new} (renamed before the first release; not exported)."
    )
