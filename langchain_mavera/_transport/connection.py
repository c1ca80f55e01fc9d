"""Where a component's requests go: the `ChatMavera` it shares, or connection settings of its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import openai

from langchain_mavera._renames import refuse_renamed_arguments
from langchain_mavera._transport.client import SETTING_NAMES, client_settings

REQUEST_SETTINGS = SETTING_NAMES - {"timeout"}
"""Connection settings of the REST helpers: a request's timeout is each tool's own setting."""


class ClientSource(Protocol):
    """What a request needs from its connection: a `ChatMavera`, or the `ClientSettings` built here."""

    @property
    def client(self) -> openai.OpenAI: ...

    @property
    def async_client(self) -> openai.AsyncOpenAI: ...


def model_or_settings(
    owner: str, model: Any, settings: Mapping[str, Any], allowed: frozenset[str] = REQUEST_SETTINGS
) -> ClientSource:
    """`model` to share, or `ClientSettings` built from `settings`, validated as for chat; never both."""
    refuse_renamed_arguments(owner, settings)
    if model is None:
        return client_settings(owner, settings, allowed)
    if settings:
        msg = (
            f"{owner}: pass either model=ChatMavera(...) to share its connection or connection settings "
            f"({', '.join(sorted(settings))}), not both."
        )
        raise TypeError(msg)
    return model  # type: ignore[no-any-return]
