"""`MaveraPersonaMiddleware`: the persona of each model call in a LangChain v1 agent.

`create_agent` calls `bind_tools` on the model it was given, so a
`configurable_fields(persona_id=...)` wrapper is never consulted there. This
middleware reads the persona from the run itself (the agent's runtime
`context`, else `config["configurable"]`) and sets it on every model call.

Needs the `langchain` package (`pip install "langchain-mavera[agents]"`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

try:
    from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
except ImportError as exc:  # pragma: no cover - depends on the environment
    msg = (
        "MaveraPersonaMiddleware needs the `langchain` package (v1 agents): "
        'pip install "langchain-mavera[agents]"'
    )
    raise ImportError(msg) from exc

from langchain_mavera._persona_resolver import PersonaResolver
from langchain_mavera.chat_models import ChatMavera

__all__ = ["MaveraPersonaMiddleware"]


class MaveraPersonaMiddleware(AgentMiddleware[Any, Any]):
    """Answer each agent model call as the persona named by the run.

    The persona is looked up, in order, in the agent's runtime `context` (a
    dict key or an attribute named `key`) and in `config["configurable"][key]`.
    It may be an id (used as is) or a persona name, resolved once with
    `GET /personas` and cached on the middleware. A run that names no persona
    keeps the model's own `persona_id`. Calls to models other than
    `ChatMavera` (e.g. a fallback model) are passed through untouched.

    Example:
        ```python
        from dataclasses import dataclass

        from langchain.agents import create_agent
        from langchain_mavera import ChatMavera, MaveraPersonaMiddleware


        @dataclass
        class Audience:
            persona: str


        agent = create_agent(
            ChatMavera(),
            tools=[get_price],
            middleware=[MaveraPersonaMiddleware()],
            context_schema=Audience,
        )
        question = {"messages": [("user", "Would you buy it?")]}
        agent.invoke(question, context=Audience(persona="Gen Z Consumer"))
        ```
        The model request carries `"persona_id": "clx1abc2d0001abcdef123456"`
        (the Gen Z Consumer's id); another run with another context answers as
        another persona, from the same compiled agent.

    Args:
        key: Name of the context key/attribute and of the `configurable` key
            that holds the persona (default `"persona"`).
    """

    def __init__(self, key: str = "persona") -> None:
        super().__init__()
        if not isinstance(key, str) or not key:
            msg = f"key must be a non-empty string naming the context/configurable entry, got {key!r}"
            raise TypeError(msg)
        self.key = key
        self._resolver = PersonaResolver()

    # -- which persona ------------------------------------------------------------------------

    def _requested(self, request: ModelRequest[Any]) -> str | None:
        """The persona this run names (id or name), or None."""
        context = getattr(request.runtime, "context", None)
        value = context.get(self.key) if isinstance(context, Mapping) else getattr(context, self.key, None)
        if value is None:
            value = _configurable().get(self.key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            msg = f"The run's {self.key!r} must be a persona id or name (a non-empty string), got {value!r}"
            raise TypeError(msg)
        return value

    def _resolve(self, model: ChatMavera, spec: str) -> str:
        return self._resolver.resolve(spec, model)

    async def _aresolve(self, model: ChatMavera, spec: str) -> str:
        return await self._resolver.aresolve(spec, model)

    @staticmethod
    def _with_persona(request: ModelRequest[Any], persona_id: str) -> ModelRequest[Any]:
        # model_settings are bound as call kwargs: the request body, the LLM-cache key and the
        # run's metadata (`mavera_persona_id`) all carry the persona.
        return request.override(model_settings={**request.model_settings, "persona_id": persona_id})

    # -- hooks --------------------------------------------------------------------------------

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> Any:
        """Send the model call with the persona this request asks for."""
        spec = self._requested(request)
        if spec is None or not isinstance(request.model, ChatMavera):
            return handler(request)
        return handler(self._with_persona(request, self._resolve(request.model, spec)))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> Any:
        """Async twin of `wrap_model_call`."""
        spec = self._requested(request)
        if spec is None or not isinstance(request.model, ChatMavera):
            return await handler(request)
        return await handler(self._with_persona(request, await self._aresolve(request.model, spec)))


def _configurable() -> Mapping[str, Any]:
    """`config["configurable"]` of the running graph, or {} outside one."""
    try:
        from langgraph.config import get_config

        config = get_config()
    except (ImportError, RuntimeError):
        return {}
    configurable = config.get("configurable")
    return configurable if isinstance(configurable, Mapping) else {}
