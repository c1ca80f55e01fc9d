"""Rules every REST reply and request shares, each written once in `_transport/rest.py` (issue 23.2)."""

from __future__ import annotations

import pydantic
import pytest

from langchain_mavera import (
    BillingPeriod,
    CreditUsage,
    MaveraUsage,
    MaveValidation,
    NewsStory,
    PersonaPerception,
    RateLimit,
    ResearchPersona,
    ResearchResult,
    ResearchSource,
    StoryAnalysis,
    StoryChatReply,
    StoryKeyPoint,
)
from langchain_mavera._transport import rest

REPLIES: list[type[pydantic.BaseModel]] = [
    BillingPeriod,
    CreditUsage,
    MaveraUsage,
    RateLimit,
    MaveValidation,
    ResearchPersona,
    ResearchResult,
    ResearchSource,
    NewsStory,
    PersonaPerception,
    StoryAnalysis,
    StoryChatReply,
    StoryKeyPoint,
]


@pytest.mark.parametrize("reply", REPLIES, ids=lambda reply: reply.__name__)
def test_every_rest_reply_keeps_unknown_keys_and_is_frozen(reply: type[pydantic.BaseModel]) -> None:
    assert issubclass(reply, rest.Lenient)
    fields = {name: "x" for name, field in reply.model_fields.items() if field.is_required()}
    parsed = reply.model_validate({**fields, "added_by_mavera_later": 7})
    assert parsed.model_extra == {"added_by_mavera_later": 7}
    with pytest.raises(pydantic.ValidationError):
        setattr(parsed, "added_by_mavera_later", 8)  # noqa: B010 (a name mypy cannot know)
