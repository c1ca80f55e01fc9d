"""What `ChatMavera.profile` says about Mavera, per transport.

Only what Mavera documents (or what this package itself guarantees) is set.
Mavera publishes no context window, output cap, tokenizer or release date, so
`max_input_tokens`, `max_output_tokens` and the metadata keys stay unset; pass
`profile=` to `ChatMavera` to fill them in for your own middleware.
"""

from __future__ import annotations

from langchain_core.language_models import ModelProfile

__all__ = ["DefaultProfile", "default_profile", "is_default_profile"]

_SHARED: ModelProfile = {
    "text_inputs": True,
    "text_outputs": True,
    # Images by http(s) URL are documented (`attachments` / input_image).
    "image_url_inputs": True,
    # The package refuses audio, PDF/file and video blocks before any request.
    "audio_inputs": False,
    "pdf_inputs": False,
    "video_inputs": False,
    "tool_calling": True,
    "tool_choice": True,
    # Streamed tool calls arrive as `tool_call_chunks` that add up to the invoke result.
    "tool_call_streaming": True,
    # `response_format` json_schema (chat completions) / `text.format` (responses).
    "structured_output": True,
    "reasoning_effort_levels": ["low", "medium", "high"],
    "reasoning_effort_default": "medium",
    "temperature": True,
}

_CHAT_COMPLETIONS: ModelProfile = {
    **_SHARED,
    # Chat completions documents only `attachments: [{"type": "image", "url": ...}]`; whether
    # base64 (data URL) images are accepted is undocumented, so it is left unset.
}

_RESPONSES: ModelProfile = {
    **_SHARED,
    # The Responses API takes OpenAI-style `input_image` items, whose `image_url` may be a data URL.
    "image_inputs": True,
}


class DefaultProfile(dict):  # type: ignore[type-arg]
    """A profile this package derived from the transport, not one the user passed.

    Copies (`model_copy`, `configurable_fields`) pass every field to a new
    construction, the profile included; the marker lets the new model derive its
    own profile from its own transport instead of inheriting the original's.
    """


def default_profile(use_responses_api: bool) -> ModelProfile:
    """A fresh copy of the profile for the chosen transport (callers may mutate it)."""
    source = _RESPONSES if use_responses_api else _CHAT_COMPLETIONS
    profile = DefaultProfile(source)
    profile["reasoning_effort_levels"] = list(source["reasoning_effort_levels"])
    return profile  # type: ignore[return-value]


def is_default_profile(profile: object) -> bool:
    """True for a derived profile still as derived: one the user changed in place is theirs."""
    return isinstance(profile, DefaultProfile) and profile in (_CHAT_COMPLETIONS, _RESPONSES)
