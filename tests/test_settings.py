"""One settings registry: typed values, a fixed order of precedence, and all of it documented."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from research_hub import InvalidInputError
from research_hub.core.settings import SETTINGS, WORKSPACE_SETTINGS, Settings, env_value
from research_hub.store.config import WorkspaceConfig
from research_hub.store.db import Database

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Configuration"):]
    section = section[:section.index("\n## ", 3)]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \|", section, re.M)}
    assert set(rows) == set(SETTINGS)
    for name, s in SETTINGS.items():
        assert (s.env or f"config set {name}") in rows[name]


def test_environment_beats_default_and_argument_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RESEARCH_HUB_MAX_MB", "2.5")
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(tmp_path / "from-env"))
    s = Settings.load(None, model="some-model")
    assert s.max_bytes == int(2.5 * 1024 * 1024) and s.home == (tmp_path / "from-env").resolve()
    assert Settings.load(tmp_path / "given", model="m").home == (tmp_path / "given").resolve()
    monkeypatch.delenv("RESEARCH_HUB_MAX_MB")
    assert env_value("max_mb") == SETTINGS["max_mb"].default


def test_a_bad_environment_value_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_BATCH_SIZE", "lots")
    with pytest.raises(InvalidInputError, match="batch_size='lots'"):
        env_value("batch_size")


def test_workspace_settings_are_stored_typed_and_checked(tmp_path):
    config = WorkspaceConfig(Database(tmp_path / "hub.sqlite"))
    assert config.values() == {name: s.default for name, s in WORKSPACE_SETTINGS.items()}
    assert config.set("redact", "yes") is True and config.get("redact") is True
    assert config.raw("config.redact") == "true"  # JSON, not the text the user typed
    config.put("config.keep_original", "false")  # as older workspaces stored it
    assert config.get("keep_original") is False
    with pytest.raises(InvalidInputError, match="unknown setting 'colour'"):
        config.set("colour", "blue")
    with pytest.raises(InvalidInputError, match="not a workspace setting"):
        config.set("model", "other")
