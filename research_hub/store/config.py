"""The workspace's own settings table: typed workspace settings and a few internal values.

Workspace settings (`research-hub config set redact true`) are stored as JSON
under ``config.<name>`` and read back through the registry in core.settings,
so `true` comes back a boolean. Internal values (the workspace id, the
redaction secret, the taxonomy) sit under their own keys.
"""
from __future__ import annotations

import json
import secrets
from typing import Any

from research_hub.core import settings as registry
from research_hub.store.db import Database


class WorkspaceConfig:
    def __init__(self, db: Database):
        self.db = db

    def get(self, name: str) -> Any:
        registry.workspace_setting(name)
        return registry.decode(name, self.raw(f"config.{name}"))

    def set(self, name: str, value: Any) -> Any:
        """Parse, check and store one workspace setting; returns the typed value."""
        typed = registry.workspace_setting(name).parse(value)
        self.put(f"config.{name}", registry.encode(typed))
        return typed

    def values(self) -> dict[str, Any]:
        return {name: self.get(name) for name in registry.WORKSPACE_SETTINGS}

    # -- internal values ---------------------------------------------------------
    def raw(self, key: str) -> str | None:
        return self.db.scalar("SELECT value FROM settings WHERE key = ?", (key,))

    def put(self, key: str, value: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    def once(self, key: str, make=lambda: secrets.token_hex(16)) -> str:
        """A value made the first time it is asked for and kept from then on."""
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)", (key, make()))
        return self.raw(key)

    def get_json(self, key: str, default: Any = None) -> Any:
        raw = self.raw(key)
        return json.loads(raw) if raw else default
