"""`ChatMavera` and the modules only it uses.

Re-exports `ChatMavera`: its serialized id is `["langchain_mavera", "chat_models", "ChatMavera"]`.
"""

from langchain_mavera.chat_models.base import ChatMavera

__all__ = ["ChatMavera"]
