"""with_structured_output: what each method sends, how answers are parsed, include_raw."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from tests.fake_mavera import FakeMavera, completion, tool_call


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="question")
    punchline: str


class JokeDict(TypedDict):
    """A joke."""

    setup: str
    punchline: str


JOKE_JSON = json.dumps({"setup": "Why?", "punchline": "Because."})


class _Options(BaseCallbackHandler):
    def __init__(self) -> None:
        self.options: list[Any] = []

    def on_chat_model_start(self, *args: Any, options: Any = None, **kwargs: Any) -> None:
        self.options.append(options)


def test_json_schema_is_the_default_and_parses_into_the_model() -> None:
    recorder = FakeMavera(completion(JOKE_JSON))
    callback = _Options()
    result = recorder.model().with_structured_output(Joke).invoke("joke", config={"callbacks": [callback]})
    assert result == Joke(setup="Why?", punchline="Because.")
    sent = recorder.bodies()[-1]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "Joke"
    assert sent["json_schema"]["description"] == "A joke."
    assert sent["json_schema"]["schema"]["required"] == ["setup", "punchline"]
    assert "strict" not in sent["json_schema"]
    assert "tools" not in recorder.bodies()[-1]
    traced = callback.options[0]["ls_structured_output_format"]
    assert traced["kwargs"] == {"method": "json_schema", "strict": None}
    assert traced["schema"]["title"] == "Joke"


def test_json_schema_strict_with_typeddict_gives_dicts() -> None:
    recorder = FakeMavera(completion(JOKE_JSON))
    result = recorder.model().with_structured_output(JokeDict, strict=True).invoke("joke")
    assert result == {"setup": "Why?", "punchline": "Because."}
    json_schema = recorder.bodies()[-1]["response_format"]["json_schema"]
    assert json_schema["strict"] is True
    assert json_schema["schema"]["additionalProperties"] is False


def test_json_schema_input_dict() -> None:
    recorder = FakeMavera(completion(JOKE_JSON))
    result = recorder.model().with_structured_output(Joke.model_json_schema()).invoke("joke")
    assert result == {"setup": "Why?", "punchline": "Because."}
    assert recorder.bodies()[-1]["response_format"]["json_schema"]["name"] == "Joke"


def test_function_calling_forces_one_tool_call() -> None:
    recorder = FakeMavera(completion(None, [tool_call("Joke", JOKE_JSON)]))
    runnable = recorder.model().with_structured_output(Joke, method="function_calling")
    assert runnable.invoke("joke") == Joke(setup="Why?", punchline="Because.")
    body = recorder.bodies()[-1]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}
    assert body["parallel_tool_calls"] is False
    assert [t["function"]["name"] for t in body["tools"]] == ["Joke"]
    assert "response_format" not in body


def test_function_calling_with_typeddict_gives_dicts() -> None:
    recorder = FakeMavera(completion(None, [tool_call("JokeDict", JOKE_JSON)]))
    result = recorder.model().with_structured_output(JokeDict, method="function_calling").invoke("joke")
    assert result == {"setup": "Why?", "punchline": "Because."}


def test_json_mode_sends_json_object() -> None:
    recorder = FakeMavera(completion(JOKE_JSON), completion(JOKE_JSON))
    model = recorder.model()
    assert model.with_structured_output(method="json_mode").invoke("joke as JSON") == json.loads(JOKE_JSON)
    assert recorder.bodies()[-1]["response_format"] == {"type": "json_object"}
    parsed = model.with_structured_output(Joke, method="json_mode").invoke("joke as JSON")
    assert parsed == Joke(setup="Why?", punchline="Because.")


def test_include_raw_keeps_the_message_and_the_parsing_error() -> None:
    recorder = FakeMavera(completion("not json at all"), completion(JOKE_JSON))
    runnable = recorder.model().with_structured_output(Joke, include_raw=True)
    failed = runnable.invoke("joke")
    assert failed["raw"].content == "not json at all"
    assert failed["parsed"] is None
    assert failed["parsing_error"] is not None
    ok = runnable.invoke("joke")
    assert ok["parsed"] == Joke(setup="Why?", punchline="Because.")
    assert ok["parsing_error"] is None
    assert ok["raw"].usage_metadata["total_tokens"] == 12


def test_extra_kwargs_are_bound_as_call_parameters() -> None:
    recorder = FakeMavera(completion(JOKE_JSON))
    recorder.model().with_structured_output(Joke, persona_id="clx2xyz9e0002abcdef789012").invoke("joke")
    assert recorder.bodies()[-1]["persona_id"] == "clx2xyz9e0002abcdef789012"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"method": "xml"}, "method must be one of"), ({"schema": None}, "needs a schema")],
)
def test_bad_arguments_fail_up_front(kwargs: dict[str, Any], match: str) -> None:
    recorder = FakeMavera()
    arguments = {"schema": Joke, **kwargs}
    with pytest.raises(ValueError, match=match):
        recorder.model().with_structured_output(**arguments)
    assert recorder.bodies() == []
