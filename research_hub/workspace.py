"""What every subsystem shares: settings, the database, the indexes, the model, the lock.

A `Workspace` is one folder on disk (or a folder plus a Chroma server). The
parts that are costly to open (the vector index, the embedding model, the
keyword index, the tagger) open the first time they are used, so a command
that only reads SQLite never loads a model. Subsystems (search, themes,
roadmap, export) take a Workspace; `Hub` is the facade over it.
"""
from __future__ import annotations

import copy
import getpass
import secrets
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

from filelock import FileLock, Timeout

from research_hub.core.access import NEEDS, Permission, allows
from research_hub.core.errors import (AccessDeniedError, BusyError, DamagedWorkspaceError, IndexMismatchError,
                                      InvalidInputError)
from research_hub.core.settings import Settings
from research_hub.embed import Embedder
from research_hub.ingest import tag_finetuned
from research_hub.ingest.redact import Redactor, redactor
from research_hub.ingest.tag import Tagger
from research_hub.ingest.tag_learning import shipped_model
from research_hub.ingest.taxonomy import TaxonomyTag
from research_hub.store import Database, Records, VectorIndex
from research_hub.store import heal
from research_hub.store.accounts import Accounts
from research_hub.store.audit import JOURNAL, AuditLog, Entry
from research_hub.store.config import WorkspaceConfig
from research_hub.store.embedding_cache import EmbeddingCache
from research_hub.store.keyword import KeywordIndex
from research_hub.store.writer import SourceFiles

TAXONOMY_KEY = "taxonomy"
VECTOR_KEY = "index.vector_key"  # which model and backend made the vectors in the index


def local_user() -> str:
    """The operating-system account, for a workspace used without sign-in."""
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):  # no passwd entry in some containers
        return "local"


class Workspace:
    def __init__(self, home: str | Path | None = None, *, model: str | None = None,
                 chroma_url: str | None = None, backend: str | None = None, lock_timeout: float = 600,
                 user: str | None = None):
        self.settings = Settings.load(home, model, chroma_url, backend)
        self.user = user or local_user()  # who the changes made through this workspace are recorded under
        self.signed_in = user is not None  # no user given: the owner of the folder, with every right
        self.home.mkdir(parents=True, exist_ok=True)
        self._refuse_missing_database()
        self.db = Database(self.settings.db_path)
        self.audit = AuditLog(self.db, self.home / JOURNAL)
        self.audit.baseline(self.user)
        self.records = Records(self.db)
        self.config = WorkspaceConfig(self.db)
        self.accounts = Accounts(self.db)
        self.sources = SourceFiles(self.settings.sources_dir)
        self.lock_timeout = lock_timeout
        # the parts opened on first use, in one holder that `as_user` copies share
        self._open = SimpleNamespace(embedder=None, index=None, keyword=None, tagger=None, write_lock=None)
        if self.settings.chroma_url and self.settings.collection == "snippets":
            self.settings.collection = f"rh_{self.workspace_id()}"  # one collection per workspace on a shared server

    @property
    def home(self) -> Path:
        return self.settings.home

    def _refuse_missing_database(self) -> None:
        """A workspace with kept sources or a journal but no hub.sqlite lost its database:
        opening it would quietly start an empty one."""
        if self.settings.db_path.exists():
            return
        sources = self.settings.sources_dir
        if (self.home / JOURNAL).exists() or (sources.is_dir() and any(sources.iterdir())):
            raise DamagedWorkspaceError(
                f"{self.settings.db_path} is missing: run `research-hub rebuild` to recover it from "
                "sources/ and journal.jsonl, or restore a backup")

    # -- parts opened on first use -------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._open.embedder is None:
            embedder = Embedder(self.settings.model, self.settings.backend, batch_size=self.settings.batch_size)
            embedder.cache = EmbeddingCache(self.settings.cache_path, embedder.key)
            self._open.embedder = embedder
        return self._open.embedder

    @property
    def index(self) -> VectorIndex:
        """The vector index; opening it repairs what a writer that died left behind."""
        if self._open.index is None:
            self._open.index = VectorIndex(str(self.settings.chroma_path), self.settings.chroma_url,
                                      self.settings.collection)
            heal.heal(self)
        return self._open.index

    @property
    def keyword(self) -> KeywordIndex:
        """The BM25 index and search matrix over snippet text, persisted beside the database."""
        if self._open.keyword is None:
            self._open.keyword = KeywordIndex(self)
        return self._open.keyword

    def tagger(self, say=None) -> Tagger:
        """The tagger ingest uses, carrying the tag model the `tagger` setting names (the
        logistic one is trained on first use, which `say` reports)."""
        if self._open.tagger is None:
            self._open.tagger = Tagger(taxonomy=self.taxonomy(), model=self._tag_model(say))
        return self._open.tagger

    def tagger_choice(self) -> tuple[str, Path | None]:
        """The tag model the `tagger` setting gives, found without loading it: finetuned (with the
        folder it loads from), model, rules, or none (finetuned asked for and nothing fits). auto
        is finetuned when weights fit the embedding model (this machine's, else the package's),
        otherwise model."""
        choice = self.settings.tagger
        if choice in ("auto", "finetuned"):
            folder = tag_finetuned.source(self.settings.model)
            if folder is not None:
                return "finetuned", folder
            if choice == "finetuned":
                return "none", None
        return ("rules" if choice == "rules" else "model"), None

    def tagger_description(self) -> str:
        """What `stats` and `retag` say of the tagger."""
        kind, folder = self.tagger_choice()
        if kind == "finetuned":
            return f"finetuned ({'package weights' if folder == tag_finetuned.SHIPPED else folder})"
        return {"model": "model (logistic, over the frozen vectors)", "rules": "rules (phrase rules)",
                "none": "finetuned, but no weights fit: run `research-hub train-tagger`"}[kind]

    def _tag_model(self, say):
        kind, folder = self.tagger_choice()
        if kind == "none":
            raise InvalidInputError(f"the tagger setting is finetuned, but no fine-tuned tag model fits "
                                    f"{self.settings.model}: run `research-hub train-tagger`")
        if kind == "finetuned":
            return tag_finetuned.FineTuned.load(folder, self.settings.model)
        return None if kind == "rules" else shipped_model(self.embedder, say)

    def reset_tagger(self) -> None:
        """The taxonomy changed underneath (a rebuild replaying it): tag with the new one."""
        self._open.tagger = None

    def check_vectors(self) -> None:
        """Refuse to mix vectors: the index holds one model and backend's vectors only."""
        have = self.config.raw(VECTOR_KEY)
        if have is None:
            if self.records.counts()["snippets"]:
                raise IndexMismatchError("this workspace's index does not record which model made its "
                                         "vectors: run `research-hub reindex` once")
            self.config.put(VECTOR_KEY, self.embedder.key)
        elif have != self.embedder.key:
            raise IndexMismatchError(
                f"this workspace's vectors come from {have}, but {self.embedder.key} is configured: "
                f"run `research-hub reindex` to re-embed with it, or set RESEARCH_HUB_BACKEND="
                f"{have.split(':')[2] if have.count(':') >= 2 else 'torch'}")

    def vectors_reset(self) -> None:
        """The index was emptied to be rebuilt with the configured model and backend."""
        self.config.put(VECTOR_KEY, self.embedder.key)

    def changed(self) -> None:
        """Snippets or tags changed in this process: search state reloads on next use."""
        if self._open.keyword is not None:
            self._open.keyword.mark_dirty()

    # -- writing -------------------------------------------------------------------
    def write_lock(self) -> FileLock:
        if self._open.write_lock is None:  # one per workspace, so it is re-entrant (heal runs inside ingest)
            self._open.write_lock = FileLock(str(self.home / "write.lock"), timeout=self.lock_timeout)
        self._open.write_lock.timeout = self.lock_timeout
        return self._open.write_lock

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock, with the index healed first and marked while writing."""
        try:
            with self.write_lock():
                _ = self.index  # open (and heal) before writing
                heal.heal(self)  # also when the index was already open
                with heal.index_writes(self.home):
                    yield
        except Timeout as exc:
            raise BusyError(f"another ingest is writing to {self.home}; try again when it ends") from exc

    @contextmanager
    def index_writes(self) -> Iterator[None]:
        """A block that writes SQLite and the index: healed on next open if it dies half-way."""
        with heal.index_writes(self.home):
            yield

    @contextmanager
    def audited(self, action: str, target: str = "", **detail) -> Iterator[Entry | None]:
        """A block that is one human change: recorded under `self.user` in its own transaction
        (and in the journal once that commits)."""
        with self.audit.capture(action, target, self.user, detail) as entry:
            yield entry

    # -- taxonomy, redaction, identity ------------------------------------------------
    def taxonomy(self) -> list[TaxonomyTag]:
        return [TaxonomyTag(**t) for t in self.config.get_json(TAXONOMY_KEY, [])]

    def set_taxonomy(self, tags: list[TaxonomyTag]) -> None:
        with self.audited("taxonomy.set", f"{len(tags)} tags", tags=[t.tag for t in tags]):
            self.records.save_taxonomy(TAXONOMY_KEY, tags)
        self.reset_tagger()

    def redactor(self, on: bool | None = None) -> Redactor | None:
        """The PII redactor when redaction is on (argument, else workspace setting), else None."""
        on = self.config.get("redact") if on is None else on
        return redactor(self.config.once("redact_secret")) if on else None

    # -- who acts, and what they may do ----------------------------------------------
    @property
    def role(self) -> str | None:
        """The acting user's role: admin for the folder's owner or while there are no
        accounts; else the account's role (None: no such account)."""
        if not self.signed_in or not self.accounts.any():
            return "admin"
        return self.accounts.role(self.user)

    def require(self, permission: Permission, what: str) -> None:
        """Refuse `what` unless the acting user's role allows `permission`."""
        role = self.role
        if not allows(role, permission):
            who = f"{self.user} ({role})" if role else f"{self.user} (no account here)"
            raise AccessDeniedError(f"{who} may not {what}: that needs the {NEEDS[permission]} role")

    def as_user(self, user: str) -> "Workspace":
        """This workspace acting as `user`, sharing the opened model, index and database."""
        other = copy.copy(self)
        other.user, other.signed_in = user, True
        return other

    def workspace_id(self) -> str:
        """A random id made once per workspace (names its collection on a Chroma server)."""
        return self.config.once("workspace_id", lambda: secrets.token_hex(8))

    def close(self) -> None:
        self.db.close()
