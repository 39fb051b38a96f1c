"""One family of errors whose message is what the user sees.

Front ends catch `ResearchHubError` once and print (or show) `str(exc)`:
one line naming the thing and the reason, never a traceback. The subclasses
also derive from the built-in error a caller would naturally expect
(`KeyError` for "not found", `ValueError` for bad input), so plain Python
callers can catch those too.
"""
from __future__ import annotations


class ResearchHubError(Exception):
    """Base of every error research_hub raises on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(ResearchHubError, KeyError):
    """A document, snippet, feature, theme or set that does not exist."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return self.message


class InvalidInputError(ResearchHubError, ValueError):
    """An argument, filter, setting or file content that cannot be used."""


class BusyError(ResearchHubError, RuntimeError):
    """Another process is writing to this workspace."""


class IngestError(ResearchHubError):
    """A file cannot be ingested; the message is one line naming the reason."""


class FeatureError(InvalidInputError):
    """A roadmap feature cannot be created, imported or changed as asked."""


class BackupError(InvalidInputError):
    """A backup cannot be made or read."""


class IndexMismatchError(ResearchHubError):
    """The vector index holds vectors of another model or backend than the one configured."""


class AccessDeniedError(ResearchHubError, PermissionError):
    """The signed-in account's role does not allow what was asked, or signing in failed."""


class DamagedWorkspaceError(ResearchHubError):
    """The workspace's database is damaged or missing: rebuild it or restore a backup."""

    @classmethod
    def of(cls, path, exc: BaseException) -> "DamagedWorkspaceError | None":
        """The one-line error for an SQLite error saying its file is damaged, else None
        (a lock, a full disk and the like are not damage)."""
        text = str(exc)
        if type(exc).__name__ == "DatabaseError" or "image is malformed" in text or "not a database" in text:
            return cls(f"{path} is damaged ({text}): run `research-hub rebuild` to recover it "
                       "from sources/ and journal.jsonl, or restore a backup")
        return None
