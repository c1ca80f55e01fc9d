"""`ChatMavera`: the LangChain chat model for Mavera's persona-intelligence API.

This module is glue. In this folder: request fields and their validation in
`_params`, message conversion in `_messages`, the wire formats in
`_chat_completions` and `_responses`, copies in `_copies`, one request and the
generations or stream chunks it yields in `_exchange`. The transport is
`langchain_mavera._transport` (the HTTP exchange in `http` and `streams`, client
settings and SDK clients in `client`, the SDK's private API in `_sdk`); persona
names are resolved by `langchain_mavera._persona_resolver`, and errors are in
`langchain_mavera.errors` (built by `_transport.error_mapping`, lazily through
`_deferred`).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput, ModelProfile
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult, Generation
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, StrictBool, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from langchain_mavera._persona_resolver import PersonaResolver
from langchain_mavera._transport.client import SETTING_NAMES as CLIENT_SETTING_NAMES
from langchain_mavera._transport.client import ClientSettings
from langchain_mavera._transport.fields import (
    DEFAULT_BASE_URL,
    ApiKey,
    AsyncHTTPClient,
    BaseURL,
    Headers,
    RequestTimeout,
    Seconds,
    SyncHTTPClient,
    warn_if_insecure,
)
from langchain_mavera._version import __version__
from langchain_mavera.chat_models import _exchange
from langchain_mavera.chat_models._chat_completions import CHAT_COMPLETIONS
from langchain_mavera.chat_models._concurrency import with_default_concurrency
from langchain_mavera.chat_models._copies import fresh_copy
from langchain_mavera.chat_models._params import (
    MODEL_BODY_FIELDS,
    Level,
    MaxTokens,
    PersonaId,
    Stop,
    Temperature,
    merge,
    unknown_parameters_message,
    validate_overrides,
    validate_stop,
)
from langchain_mavera.chat_models._responses import RESPONSES
from langchain_mavera.chat_models._structured import Method, structured_output
from langchain_mavera.chat_models._tools import (
    ToolChoice,
    ToolLike,
    format_tool_choice,
    format_tools,
    tool_names,
)
from langchain_mavera.chat_models._wire import WireFormat

if TYPE_CHECKING:
    import openai

# The openai SDK (and httpx2) take ~40% of this module's import time, yet are only
# needed to send a request. `_transport.http`/`_sdk` and the error modules import them, so
# `_exchange` imports them inside the functions that send requests (a dict lookup once loaded);
# errors built elsewhere on this path go through `_deferred`.

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from langchain_mavera.personas import MaveraPersonas

__all__ = ["ChatMavera"]


def _served_from_cache(generation: ChatGeneration) -> ChatGeneration:
    """A copy marked `cached`; the cache's own object is left as stored."""
    metadata = {**generation.message.response_metadata, "cached": True, "credits_used": 0}
    message = generation.message.model_copy(update={"response_metadata": metadata})
    return generation.model_copy(update={"message": message})


class ChatMavera(BaseChatModel):
    r"""Mavera chat model: answers as an audience persona, with optional analysis.

    Setup:
        Install `langchain-mavera` and set the `MAVERA_API_KEY` environment variable.

        ```bash
        pip install -U langchain-mavera
        export MAVERA_API_KEY="mvra_live_..."
        ```

    Key init args — completion params:
        | arg | type | meaning |
        |---|---|---|
        | `model` | `str` | Model name; Mavera serves `"mavera-1"`. |
        | `persona_id` | `str \| None` | The audience persona that answers (ids from `GET /personas`). |
        | `analysis_mode` | `bool` | Ask for a structured `analysis` of the answer. |
        | `reasoning_effort` | `"low" \| "medium" \| "high"` | How hard the model thinks. |
        | `verbosity` | `"low" \| "medium" \| "high"` | How long the answer is. |
        | `temperature` | `float` 0 to 2 | Randomness. |
        | `max_tokens` | `int >= 1` | Cap on the answer's tokens. |
        | `stop` | `str \| list[str]` | Stop sequences. |

    Key init args — client params:
        | arg | type | meaning |
        |---|---|---|
        | `api_key` | `SecretStr` | Defaults to `MAVERA_API_KEY`. Never read from `OPENAI_API_KEY`. |
        | `base_url` | `str` | Defaults to `MAVERA_BASE_URL`, else `https://app.mavera.io/api/v1`. |
        | `timeout` | `float \| httpx2.Timeout \| None` | Request timeout in seconds. |
        | `stream_chunk_timeout` | `float \| None` | Longest wait for the next stream chunk. |
        | `total_timeout` | `float \| None` | Upper bound on one reply, stream or invoke. |
        | `max_retries` | `int` | Retries of 429, 5xx, timeouts and connection errors (default 2). |
        | `use_responses_api` | `bool` | Send `POST /responses` instead of `/chat/completions`. |
        | `extra_body` | `dict` | Extra JSON body fields; merged per key with a call's `extra_body`. |
        | `default_headers`, `http_client`, `http_async_client` | | Transport customisation. |

    Instantiate:
        ```python
        from langchain_mavera import ChatMavera

        model = ChatMavera(persona_id="clx1abc2d0001abcdef123456", analysis_mode=True)
        ```

    Invoke:
        ```python
        message = model.invoke("How do you feel about refillable packaging?")
        print(message.content)
        ```
        ```txt
        As Gen Z Consumer (Generational), here is my answer on refillable packaging.
        What decides it for me on refillable packaging is value for money. ...
        ```

    Stream:
        ```python
        full = None
        for chunk in model.stream("Describe the ideal sneaker launch."):
            print(chunk.content, end="", flush=True)
            full = chunk if full is None else full + chunk
        full.response_metadata["credits_used"]  # the same as on invoke
        ```
        ```txt
        As| Gen| Z Consumer (Generational),| here is| my answer| on| the ideal| ...   (24 chunks)
        2
        ```
        The aggregate equals the `invoke` result on content, analysis, credits,
        usage and model name; the last chunk has `chunk_position="last"`.

    Async:
        ```python
        await model.ainvoke("...")
        async for chunk in model.astream("..."):
            ...
        await model.abatch(["...", "..."], config={"max_concurrency": 8})
        ```

    Per-call overrides:
        ```python
        model.invoke("...", persona_id="clx2xyz9e0002abcdef789012", verbosity="low")
        model.bind(analysis_mode=False, reasoning_effort="high").invoke("...")
        model.invoke("...", extra_body={"mosaic_mode": True})  # merged with the instance extra_body
        ```

    Tool calling:
        ```python
        from pydantic import BaseModel, Field


        class GetWeather(BaseModel):
            city: str = Field(description="City name")


        bound = model.bind_tools([GetWeather], tool_choice="auto")
        bound.invoke("Should I bring an umbrella in Paris?").tool_calls
        ```
        ```txt
        [{'name': 'GetWeather', 'args': {'city': 'Paris'}, 'id': 'call_e676...', 'type': 'tool_call'}]
        ```
        `tool_choice` takes a tool name, `"auto"`, `"any"`/`"required"`/`True` or
        `"none"`; streamed `tool_call_chunks` add up to the `invoke` tool calls.

    Structured output:
        ```python
        class ProductVerdict(BaseModel):
            would_buy: bool
            max_price_usd: float
            reason: str


        model.with_structured_output(ProductVerdict).invoke("Would you buy a $25 refillable shampoo bottle?")
        ```
        ```txt
        ProductVerdict(would_buy=True, max_price_usd=25.0, reason='...')
        ```
        `method` is `"json_schema"` (default), `"function_calling"` or
        `"json_mode"`; `include_raw=True` returns `{"raw", "parsed", "parsing_error"}`.

    JSON mode:
        ```python
        model.with_structured_output(method="json_mode").invoke("Answer as a JSON object: ...")
        ```

    Image input:
        ```python
        from langchain_core.messages import HumanMessage

        message = HumanMessage(
            content=[
                {"type": "text", "text": "Would this logo make you trust the brand?"},
                {"type": "image", "base64": png_b64, "mime_type": "image/png"},
                # or {"type": "image", "url": "https://..."}, or OpenAI image_url blocks
            ]
        )
        model.invoke([message])
        ```
        Images are sent as Mavera `attachments`; audio, file/PDF and video blocks
        raise `ValueError` before any request.

    Analysis:
        ```python
        from langchain_mavera.analysis import get_analysis

        analysis = get_analysis(message)  # typed view; None when absent
        analysis.confidence, analysis.emotion.emotional_valence, [b.name for b in analysis.biases]
        message.response_metadata["analysis"]  # the raw object, exactly as sent
        ```
        ```txt
        (6, 3.8, ['Status quo bias', 'Optimism bias'])
        {'confidence': 6, 'emotion': {'emotional_valence': 3.8, 'arousal': 2.9, 'dominance': 3.1},
         'biases': [{'name': 'Status quo bias', 'description': 'Status quo bias shapes how ...'}, ...],
         'insights': ['Gen Z Consumer judges refillable packaging mainly on value for money.', ...]}
        ```

    Token usage:
        ```python
        message.usage_metadata
        # {'input_tokens': 131, 'output_tokens': 32, 'total_tokens': 163}
        message.response_metadata["credits_used"]
        # 2
        ```
        When Mavera reports only credits, `usage_metadata` is None (no invented zeros).

    Response metadata:
        `model_name`, `model_provider` (`"mavera"`), `finish_reason`, `id`,
        `persona_id` (when set), `credits_used`, `token_usage` (the raw usage
        object), `analysis` (only when sent) and `rate_limit`
        (`{limit, remaining, reset}` from the X-RateLimit-* headers).

        ```python
        {k: v for k, v in message.response_metadata.items() if k != "analysis"}
        ```
        ```txt
        {'model_name': 'mavera-1', 'model_provider': 'mavera', 'id': 'chatcmpl_22c412dab4e1b27f3414707f',
         'finish_reason': 'stop', 'persona_id': 'clx1abc2d0001abcdef123456', 'credits_used': 2,
         'token_usage': {'prompt_tokens': 131, 'completion_tokens': 32, 'total_tokens': 163,
                         'credits_used': 2},
         'rate_limit': {'limit': 600, 'remaining': 599, 'reset': 1795701932}}
        ```

    Errors:
        Failures raise `MaveraError` subclasses that are also the matching
        `openai` and `langchain_core.exceptions` types:
        `MaveraAuthenticationError` (401), `MaveraPersonaNotFoundError`
        (400 `invalid_persona`), `MaveraInsufficientCreditsError` (402),
        `MaveraRateLimitError` (429, `.retry_after`), `MaveraTimeoutError`,
        `MaveraConnectionError`, `MaveraStreamInterruptedError` (`.partial`
        holds what arrived) and `MaveraAPIError`. Bad parameters fail with a
        pydantic `ValidationError` (or `TypeError` for unknown ones) before any
        request is sent.
    """

    # No validation error echoes its input: a key passed where it does not belong would show in it.
    model_config = ConfigDict(populate_by_name=True, validate_assignment=False, hide_input_in_errors=True)

    model_name: str = Field(default="mavera-1", alias="model")
    """Model name sent as `model`; Mavera documents only `mavera-1`."""
    mavera_api_key: ApiKey | None = Field(
        default_factory=secret_from_env("MAVERA_API_KEY", default=None),
        alias="api_key",
        validate_default=True,
    )
    """Mavera API key (`mvra_live_...`); read from `MAVERA_API_KEY` when not given."""
    mavera_api_base: BaseURL = Field(
        default_factory=from_env("MAVERA_BASE_URL", default=DEFAULT_BASE_URL),
        alias="base_url",
        validate_default=True,
    )
    """API base URL; read from `MAVERA_BASE_URL`, else the public Mavera endpoint."""
    persona_id: PersonaId | None = None
    """The persona that answers; its curated prompt is prepended by Mavera."""
    analysis_mode: StrictBool = False
    """Ask Mavera for a structured `analysis` (confidence, emotion, biases, insights)."""
    reasoning_effort: Level | None = None
    """`"low"`, `"medium"` or `"high"`; the server default is `"medium"`."""
    verbosity: Level | None = None
    """`"low"`, `"medium"` or `"high"`; the server default is `"medium"`."""
    temperature: Temperature | None = None
    """Sampling temperature, 0 to 2; the server default is 1."""
    max_tokens: MaxTokens | None = None
    """Maximum number of tokens in the answer."""
    stop: Stop | None = Field(default=None, alias="stop_sequences")
    """Stop sequence(s); a call's `stop` replaces it."""
    request_timeout: RequestTimeout = Field(default=None, alias="timeout")
    """Request timeout: seconds > 0, an `httpx2.Timeout`, or None for the SDK default (600 s)."""
    stream_chunk_timeout: Seconds | None = 120.0
    """Longest wait, in seconds, for the next chunk of a stream; a smaller read `timeout` wins."""
    total_timeout: Seconds | None = None
    """Upper bound, in seconds, on one reply: from sending the request to its last byte.

    Bounds a whole stream (keep-alive comments included) and an invoke's reply.
    None: an invoke's body must still arrive within `timeout` of its headers,
    and a stream is bounded only by `stream_chunk_timeout` between chunks.
    """
    max_retries: int = Field(default=2, ge=0)
    """Retries of 429, 500, 503, timeouts and connection errors; 0 means one attempt."""
    streaming: bool = False
    """Stream internally even on `invoke` (callbacks then see every token)."""
    use_responses_api: bool = False
    """Send `POST /responses` (Mavera's primary endpoint) instead of `POST /chat/completions`.

    Messages, parameters, tools and structured output are translated; replies,
    streams, usage and `response_metadata` look the same on both transports.
    """
    extra_body: dict[str, Any] | None = None
    """Extra JSON body fields; a call's `extra_body` is merged over it per key."""
    default_headers: Headers | None = None
    """Headers added to every request."""
    http_client: SyncHTTPClient = Field(default=None, exclude=True)
    """An `httpx2.Client` to use instead of the shared default one."""
    http_async_client: AsyncHTTPClient = Field(default=None, exclude=True)
    """An `httpx2.AsyncClient` to use for async calls."""

    _settings: ClientSettings | None = PrivateAttr(default=None)
    """The client settings (and the SDK clients they hold), built on first use."""
    _client_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _persona_resolver: PersonaResolver = PrivateAttr(default_factory=PersonaResolver)
    """Persona names already resolved by `with_persona`, shared with the copies it makes."""

    _known_inputs: ClassVar[frozenset[str] | None] = None

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_inputs(cls, values: Any) -> Any:
        """Refuse unknown kwargs with a hint: they would otherwise fail late or vanish."""
        if not isinstance(values, dict):
            return values
        # Cached per class: a subclass adds fields, so it must not see its parent's set.
        known = cls.__dict__.get("_known_inputs")
        if known is None:
            names = set(cls.model_fields)
            names |= {field.alias for field in cls.model_fields.values() if field.alias}
            cls._known_inputs = known = frozenset(names)
        unknown = [key for key in values if key not in known]
        if unknown:
            # A ValueError would carry `values` (the key with it) in `.errors()`; this names only the keys.
            error = PydanticCustomError(
                "unknown_parameter", unknown_parameters_message("ChatMavera", unknown)
            )
            line = InitErrorDetails(type=error, loc=(), input=unknown)
            raise ValidationError.from_exception_data(cls.__name__, [line], hide_input=True)
        return values

    @model_validator(mode="before")
    @classmethod
    def _derive_default_profile(cls, values: Any) -> Any:
        """A profile derived from the original's transport is derived again for the copy's own."""
        from langchain_mavera.chat_models._profile import is_default_profile

        if isinstance(values, dict) and is_default_profile(values.get("profile")):
            return {key: value for key, value in values.items() if key != "profile"}
        return values

    @model_validator(mode="after")
    def _set_mavera_version(self) -> Self:
        """Record our version for tracing and warn about clear-text keys (unique name on purpose)."""
        self._add_version("langchain-mavera", __version__)
        warn_if_insecure(self.mavera_api_base)
        return self

    @property
    def _wire(self) -> WireFormat:
        """The transport, derived on each call so no copy or assignment can leave it stale."""
        return RESPONSES if self.use_responses_api else CHAT_COMPLETIONS

    # -- copies ---------------------------------------------------------------------------------

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy that is a fresh construction: `update` is validated and nothing derived is kept.

        pydantic's copy would carry over state langchain-core and this class derive
        from the settings (the serialized form behind LLM-cache keys and traces, the
        SDK clients), so a copy with another persona could be served the original
        persona's cached answer, or a copy with another key or URL reuse the old client.
        """
        return fresh_copy(self, update, deep=deep, client_fields=_CLIENT_FIELDS)

    def __copy__(self) -> Self:
        return self.model_copy()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return self.model_copy(deep=True)

    def __setattr__(self, name: str, value: Any) -> None:
        """Assigning a setting drops what was derived from the old value (cache key, clients)."""
        super().__setattr__(name, value)
        if name in type(self).model_fields:
            self.__dict__.pop("_serialized", None)
            if name == "use_responses_api":
                self._rederive_profile()
            if name in _CLIENT_FIELDS:
                self._settings = None

    def _rederive_profile(self) -> None:
        """The default profile follows the transport; a profile the user gave stays."""
        from langchain_mavera.chat_models._profile import is_default_profile

        if is_default_profile(self.__dict__.get("profile")):
            super().__setattr__("profile", self._resolve_model_profile())

    def _resolve_model_profile(self) -> ModelProfile | None:
        """What Mavera documents for this transport; `profile=` at construction replaces it.

        The default follows the transport through copies and assignment
        (`use_responses_api`); a profile passed as `profile=` is kept as given.
        """
        from langchain_mavera.chat_models._profile import default_profile

        return default_profile(self.use_responses_api)

    # -- token counting (an approximation: Mavera publishes no tokenizer) --------------------

    def get_num_tokens(self, text: str) -> int:
        """Approximate tokens in `text` (about 4 characters each), offline.

        Mavera publishes no tokenizer, so this is an estimate, never a download.
        """
        from langchain_mavera.chat_models._tokens import count_text_tokens

        return count_text_tokens(text)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Approximate tokens in `messages` and `tools`' schemas, offline.

        langchain-core's `count_tokens_approximately`; good for `trim_messages`
        (`token_counter=model`) and budgeting, not for billing (see `credits_used`).
        """
        from langchain_mavera.chat_models._tokens import count_message_tokens

        return count_message_tokens(messages, tools)

    # -- identity, tracing, serialization -------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "mavera-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        """Everything that changes an answer, so an LLM cache never mixes personas."""
        return {
            "model_name": self.model_name,
            "base_url": self.mavera_api_base,
            **self._default_params(),
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="mavera",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        # Checked here, before tracing starts: a bad `stop` must name itself, not fail in `list()`.
        stop_sequences = validate_stop(stop if stop is not None else kwargs.get("stop")) or self.stop
        if stop_sequences:
            params["ls_stop"] = [stop_sequences] if isinstance(stop_sequences, str) else list(stop_sequences)
        # langchain-core merges these into the run's metadata: events and traces name the persona.
        persona_id = kwargs.get("persona_id", self.persona_id)
        if persona_id:
            params["mavera_persona_id"] = persona_id  # type: ignore[typeddict-unknown-key]
        return params

    def _convert_cached_generations(self, cache_val: list[Generation]) -> list[ChatGeneration]:
        """Replies replayed from an LLM cache say so, and cost no credits this time."""
        return [
            _served_from_cache(generation) for generation in super()._convert_cached_generations(cache_val)
        ]

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """True: ChatMavera serializes with `dumpd` (the key as a secret reference)."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """The namespace `dumpd` records: `["langchain_mavera", "chat_models"]`."""
        return ["langchain_mavera", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The API key is serialized as a reference to `MAVERA_API_KEY`, never its value."""
        return {"mavera_api_key": "MAVERA_API_KEY"}

    def __getstate__(self) -> dict[Any, Any]:
        """Pickle without live clients or locks; they are rebuilt on first use."""
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private.update(_settings=None, _client_lock=None)
        state["__pydantic_private__"] = private
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self._client_lock = threading.Lock()

    # -- clients ----------------------------------------------------------------------------

    @property
    def client_settings(self) -> ClientSettings:
        """Key, base URL, timeout, retries, headers and HTTP clients, as one `ClientSettings`.

        Built on first use from this model's fields (already validated) and shared
        by its copies with the same settings, together with the SDK clients it holds.
        """
        settings = self._settings
        if settings is None:
            with self._client_lock:
                settings = self._settings
                if settings is None:
                    values = {setting: getattr(self, name) for name, setting in _CLIENT_FIELDS.items()}
                    settings = self._settings = ClientSettings.model_construct(**values)
        return settings

    @property
    def client(self) -> openai.OpenAI:
        """The sync openai SDK client, shared by models with the same settings, kept once looked up."""
        settings = self._settings  # one lookup on the hot path; built on first use
        return (settings if settings is not None else self.client_settings).client

    @property
    def async_client(self) -> openai.AsyncOpenAI:
        """The async openai SDK client for the running event loop.

        Without `http_async_client`, models with the same settings share one
        client per event loop, so successive `asyncio.run` calls each get a
        client of their own. A given `http_async_client` is used as is.
        """
        settings = self._settings
        return (settings if settings is not None else self.client_settings).async_client

    # -- personas ---------------------------------------------------------------------------

    @property
    def personas(self) -> MaveraPersonas:
        """Persona discovery (`list`, `find`, `get`) sharing this model's key, URL and clients."""
        from langchain_mavera.personas import MaveraPersonas

        return MaveraPersonas(model=self)

    def with_persona(self, name_or_id: str) -> Self:
        """A copy of this model that answers as the given persona.

        A CUID (`c` then 20+ lowercase letters or digits, e.g.
        `clx1abc2d0001abcdef123456`) is used as the id without a request;
        anything else is a persona name, looked up once with `personas.find`
        (case-insensitive) and cached on this model and its copies.

        Raises:
            MaveraPersonaLookupError: No persona, or several, carry that name.
        """
        return self.model_copy(update={"persona_id": self._persona_resolver.resolve(name_or_id, self)})

    # -- request parameters -----------------------------------------------------------------

    def _default_params(self) -> dict[str, Any]:
        """The instance's request settings, set values only."""
        params: dict[str, Any] = {"model": self.model_name}
        for field in MODEL_BODY_FIELDS:
            value = getattr(self, field.name)
            if value is not None and (value is not False or field.sends_false):  # field.is_set, inlined
                params[field.name] = value
        if self.extra_body:
            params["extra_body"] = self.extra_body
        return params

    def _call_params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Instance settings merged with validated per-call overrides."""
        overrides = validate_overrides(kwargs) if kwargs else {}
        overrides.pop("stream", None)
        if stop is not None:
            overrides["stop"] = validate_stop(stop)
        return merge(self._default_params(), overrides)

    # -- tools and structured output --------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[ToolLike],
        *,
        tool_choice: ToolChoice = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Offer tools to the model; its tool calls arrive in `AIMessage.tool_calls`.

        Args:
            tools: Pydantic models, TypedDicts, functions, `BaseTool`s or OpenAI
                tool dicts (converted with `convert_to_openai_tool`).
            tool_choice: A tool name (call that tool), `"auto"`, `"any"` or
                `"required"` or `True` (call some tool), or `"none"`.
            strict: Ask for arguments that match the schemas exactly.
            parallel_tool_calls: `False` asks for at most one tool call per turn.
            **kwargs: Other per-call parameters, bound alongside the tools.

        Returns:
            A runnable that calls the model with the tools.
        """
        formatted = format_tools(tools, strict=strict)
        choice = format_tool_choice(tool_choice, tool_names(formatted))
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Method = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """A runnable that answers with objects shaped like `schema`.

        Args:
            schema: A pydantic model (parsed into instances), a TypedDict or a
                JSON schema (parsed into dicts). Optional only for `json_mode`.
            method: `"json_schema"` (default) sends the schema as
                `response_format`; `"function_calling"` forces a tool call
                shaped like the schema; `"json_mode"` asks for any JSON object.
            include_raw: Return `{"raw", "parsed", "parsing_error"}` instead of
                raising when the answer does not parse.
            strict: Ask for output that matches the schema exactly
                (ignored by `json_mode`).
            **kwargs: Other per-call parameters, such as `persona_id`.

        Returns:
            A runnable producing parsed objects (or the include_raw dict).
        """
        return structured_output(
            self, schema, method=method, include_raw=include_raw, strict=strict, kwargs=kwargs
        )

    def as_tool(
        self,
        args_schema: type | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        arg_types: dict[str, type] | None = None,
    ) -> BaseTool:
        """This model's persona as an agent tool: `MaveraPersonaTool(model=self)` (needs `persona_id`).

        Args:
            args_schema: Not supported: the tool's argument is `question`.
            name: Tool name (default `"ask_persona"`).
            description: Tool description.
            arg_types: Not supported, as `args_schema`.
        """
        if args_schema is not None or arg_types is not None:
            msg = "ChatMavera.as_tool takes only name and description; the tool's argument is `question`."
            raise TypeError(msg)
        from langchain_mavera.tools.persona import MaveraPersonaTool

        settings = {key: value for key, value in (("name", name), ("description", description)) if value}
        return MaveraPersonaTool(model=self, **settings)

    def with_analysis(self) -> Runnable[LanguageModelInput, dict[str, Any]]:
        """This model piped into `AnalysisOutputParser`: `{text, analysis, credits_used, persona_id}`.

        Use it where a chain would end in `StrOutputParser()` and lose the analysis.
        Streaming yields `{"text": ...}` items as text arrives; the last one also
        carries the typed `MaveraAnalysis`, `credits_used` and `persona_id`. A model
        built without `analysis_mode=True` asks for the analysis on these calls.
        """
        from langchain_mavera.chat_models._analysis_parser import AnalysisOutputParser

        model = self if self.analysis_mode else self.bind(analysis_mode=True)
        return model | AnalysisOutputParser()

    # -- batches ----------------------------------------------------------------------------

    def batch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[AIMessage]:
        """`Runnable.batch`; at most 32 requests in flight unless the config sets `max_concurrency`."""
        return super().batch(
            inputs, with_default_concurrency(config), return_exceptions=return_exceptions, **kwargs
        )

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[AIMessage]:
        """`Runnable.abatch`; at most 32 requests in flight unless the config sets `max_concurrency`."""
        return await super().abatch(
            inputs, with_default_concurrency(config), return_exceptions=return_exceptions, **kwargs
        )

    # -- generation -------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _exchange.generate(self, self._wire, messages, self._call_params(stop, kwargs))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await _exchange.agenerate(self, self._wire, messages, self._call_params(stop, kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        params = self._call_params(stop, kwargs)  # on the first chunk asked for, as before the split
        yield from _exchange.stream(self, self._wire, messages, params, run_manager)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        params = self._call_params(stop, kwargs)
        async for chunk in _exchange.astream(self, self._wire, messages, params, run_manager):
            yield chunk


# ChatMavera's fields that are client settings (by their alias, the `ClientSettings` name):
# a copy or an assignment that changes one gets clients of its own.
_CLIENT_FIELDS: dict[str, str] = {
    name: field.alias or name
    for name, field in ChatMavera.model_fields.items()
    if (field.alias or name) in CLIENT_SETTING_NAMES
}
