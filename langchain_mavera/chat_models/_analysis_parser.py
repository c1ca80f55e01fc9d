"""Keep Mavera's analysis, credits and persona to the end of a chain.

`prompt | model | StrOutputParser()` returns only the text. This parser returns
`{"text", "analysis", "credits_used", "persona_id"}` instead, on invoke and on
stream: while streaming, each item holds the text that just arrived
(`{"text": "..."}`), and the last item also carries the typed `MaveraAnalysis`,
credits and persona. Items are `AddableDict`s, so adding them up gives exactly
what `invoke` returns.
"""

from __future__ import annotations

from langchain_core.messages import BaseMessage, BaseMessageChunk
from langchain_core.output_parsers import BaseTransformOutputParser
from langchain_core.outputs import ChatGeneration, Generation
from langchain_core.runnables.utils import AddableDict

from langchain_mavera.analysis import get_analysis

__all__ = ["AnalysisOutputParser"]


def _is_closing(message: BaseMessage) -> bool:
    """A whole message, or the stream's last chunk (the one with credits and analysis)."""
    if not isinstance(message, BaseMessageChunk):
        return True
    if getattr(message, "chunk_position", None) == "last":
        return True
    return any(key in message.response_metadata for key in ("credits_used", "analysis"))


class AnalysisOutputParser(BaseTransformOutputParser[AddableDict]):
    """Parse a Mavera answer into its text, typed analysis, credits and persona.

    Invoke:
        ```python
        from langchain_mavera import AnalysisOutputParser, ChatMavera

        model = ChatMavera(persona_id="clx1abc2d0001abcdef123456", analysis_mode=True)
        chain = prompt | model | AnalysisOutputParser()
        result = chain.invoke({"question": "..."})
        result["text"], result["analysis"].confidence, result["credits_used"], result["persona_id"]
        ```

    Stream:
        ```python
        for item in chain.stream({"question": "..."}):
            print(item["text"], end="")  # text as it arrives
        item["analysis"]  # the last item carries the analysis, credits and persona
        ```

    `ChatMavera.with_analysis()` is the same as `model | AnalysisOutputParser()`.
    """

    @property
    def _type(self) -> str:
        return "mavera_analysis_output_parser"

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> AddableDict:
        generation = result[0]
        if not isinstance(generation, ChatGeneration):
            return AddableDict(text=generation.text)
        message = generation.message
        if not _is_closing(message):
            return AddableDict(text=message.text)
        metadata = message.response_metadata
        return AddableDict(
            text=message.text,
            analysis=get_analysis(message),
            credits_used=metadata.get("credits_used"),
            persona_id=metadata.get("persona_id"),
        )

    def parse(self, text: str) -> AddableDict:
        """Plain text carries no analysis: only `text` is set."""
        return AddableDict(text=text)
