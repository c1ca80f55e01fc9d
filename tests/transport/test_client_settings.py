"""One client-settings object: ChatMavera, persona discovery and the REST tools share it; no import cycle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_mavera import ChatMavera, MaveraPersonas
from langchain_mavera._persona_resolver import PersonaResolver
from langchain_mavera._transport.client import SETTING_NAMES, ClientSettings
from langchain_mavera.chat_models.base import _CLIENT_FIELDS

KEY = "mvra_live_settings_test"


def test_chat_mavera_carries_every_client_setting() -> None:
    assert set(_CLIENT_FIELDS.values()) == SETTING_NAMES


def test_a_model_and_its_personas_share_one_settings_object_and_client() -> None:
    model = ChatMavera(api_key=KEY, max_retries=5, timeout=7.0)
    settings = model.client_settings
    assert isinstance(settings, ClientSettings)
    assert settings.api_key is not None
    assert (settings.max_retries, settings.timeout, settings.api_key.get_secret_value()) == (5, 7.0, KEY)
    assert model.personas._connection.client is model.client is settings.client


def test_standalone_personas_validate_settings_as_chat_does() -> None:
    personas = MaveraPersonas(api_key=KEY, base_url="https://eu.mavera.example/api/v1", max_retries=4)
    assert str(personas._connection.client.base_url) == "https://eu.mavera.example/api/v1/"
    assert personas._connection.client.max_retries == 4
    with pytest.raises(TypeError, match="Unknown MaveraPersonas setting"):
        MaveraPersonas(api_key=KEY, persona_id="x")
    with pytest.raises(ValueError, match="max_retries"):
        MaveraPersonas(api_key=KEY, max_retries=-1)


def test_assigning_a_setting_rebuilds_the_settings() -> None:
    model = ChatMavera(api_key=KEY)
    before = model.client_settings
    model.max_retries = 9
    assert model.client_settings is not before
    assert model.client.max_retries == 9


def test_standalone_personas_and_tools_do_not_import_the_chat_model() -> None:
    probe = (
        "import sys\n"
        "from langchain_mavera.personas import MaveraPersonas\n"
        "from langchain_mavera._transport.connection import model_or_settings\n"
        "MaveraPersonas(api_key='k')._connection.client\n"
        "model_or_settings('probe', None, {'api_key': 'k'}).client\n"
        "print('langchain_mavera.chat_models' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "False"


def test_the_resolver_passes_ids_through_and_caches_names_case_insensitively() -> None:
    class Source:
        def __init__(self) -> None:
            self.asked: list[str] = []

        @property
        def personas(self) -> Source:
            return self

        @property
        def client_settings(self) -> Source:
            return self

        account = ("https://app.mavera.io/api/v1", "digest")

        def find(self, name: str) -> object:
            self.asked.append(name)
            return type("P", (), {"id": "clx9zzz9z0009abcdef999999", "name": "Gen Z Consumer"})()

    source = Source()
    resolver = PersonaResolver()
    assert resolver.resolve("clx1abc2d0001abcdef123456", source) == "clx1abc2d0001abcdef123456"  # type: ignore[arg-type]
    assert resolver.resolve("Gen Z Consumer", source) == "clx9zzz9z0009abcdef999999"  # type: ignore[arg-type]
    assert resolver.resolve("  gen z consumer ", source) == "clx9zzz9z0009abcdef999999"  # type: ignore[arg-type]
    assert source.asked == ["Gen Z Consumer"]
