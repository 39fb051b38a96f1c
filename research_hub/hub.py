"""`Hub`: the one facade the CLI, the UI and scripts call.

Each verb is a line or two that hands the work to the subsystem that owns it,
over the `Workspace` they share (`hub.workspace`). Errors are
`ResearchHubError`s whose message is what a user should read.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from research_hub import guard
from research_hub import themes as theming
from research_hub.core.access import Permission
from research_hub.core.errors import InvalidInputError
from research_hub.core.models import Document, Hit, IngestReport, Snippet
from research_hub.core.nlp import active_pipeline_name
from research_hub.export import export_bundle
from research_hub.ingest import tag_finetuned
from research_hub.ingest.files import upload_name
from research_hub.ingest.pipeline import IngestOptions, Pipeline
from research_hub.ingest.taxonomy import load_taxonomy, normalize_tag
from research_hub.insights import Answer, CounterEvidence, Highlights, Insights, ask
from research_hub.insights import counter as counters
from research_hub.qda import QDA
from research_hub.roadmap import Roadmap
from research_hub.search import search
from research_hub.store import backup as backups
from research_hub.store import heal, retag, upkeep
from research_hub.store.accounts import Account, Session
from research_hub.store import rebuild as rebuilds
from research_hub.store.audit import as_csv as audit_csv
from research_hub.store.writer import Writer
from research_hub.themes.engine import vectors as stored_vectors
from research_hub.themes.model import Themes
from research_hub.core.settings import home_path
from research_hub.workspace import Workspace


class Hub:
    def __init__(self, home: str | Path | None = None, *, model: str | None = None,
                 chroma_url: str | None = None, backend: str | None = None, lock_timeout: float = 600,
                 user: str | None = None):
        """user: who the changes made through this hub are recorded under (default: the OS account)."""
        self.workspace = Workspace(home, model=model, chroma_url=chroma_url, backend=backend,
                                   lock_timeout=lock_timeout, user=user)

    def as_user(self, user: str) -> "Hub":
        """This hub acting as a signed-in `user` with their role, sharing the opened model and index."""
        other = object.__new__(Hub)
        other.workspace = self.workspace.as_user(user)
        return other

    def _need(self, permission: Permission, what: str) -> Workspace:
        self.workspace.require(permission, what)
        return self.workspace

    @property
    def home(self) -> Path:
        return self.workspace.home

    # -- ingestion -----------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path] | str | Path, study: str | None = None,
               kind: str | None = None, *, taxonomy: str | Path | None = None,
               text_col: str | None = None, progress=None,
               keys: dict[str, str] | None = None, redact: bool | None = None,
               keep_original: bool | None = None) -> IngestReport:
        """Ingest files and folders. Unchanged files are skipped, changed ones replaced.

        redact (default: the workspace setting) replaces emails, phone and card numbers and
        person names before anything is stored; keep_original also keeps the source copy."""
        ws = self._need(Permission.ADMIN, "ingest")
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        with ws.writing():
            ws.check_vectors()
            if taxonomy is not None:
                ws.set_taxonomy(load_taxonomy(Path(taxonomy)))
            options = IngestOptions(
                study=study, kind=kind, text_col=text_col, keys=keys or {},
                redactor=ws.redactor(redact), max_bytes=ws.settings.max_bytes,
                keep_original=ws.config.get("keep_original") if keep_original is None else keep_original)
            tagger = ws.tagger(say=(lambda message: progress(0, 0, message)) if progress else None)
            report = Pipeline(Writer(ws, text_col), ws.embedder, tagger, options, progress).run(paths)
            return heal.checked(ws, report)

    def ingest_upload(self, name: str, data: bytes, **kwargs) -> IngestReport:
        """Store an uploaded file under the workspace and ingest it, keyed by its name."""
        self._need(Permission.ADMIN, "ingest")
        safe = upload_name(name)
        folder = self.home / "uploads"
        folder.mkdir(exist_ok=True)
        target = folder / safe
        target.write_bytes(data)
        report = self.ingest([target], keys={str(target): f"upload:{safe}"}, **kwargs)
        if self.workspace.redactor(kwargs.get("redact")) and not kwargs.get(
                "keep_original", self.workspace.config.get("keep_original")):
            target.unlink(missing_ok=True)  # the unredacted upload is not kept
        return report

    def set_taxonomy(self, path: str | Path) -> None:
        """Apply a taxonomy file (YAML or CSV) to this and later ingests."""
        self._need(Permission.ADMIN, "change the taxonomy").set_taxonomy(load_taxonomy(Path(path)))

    # -- reading -------------------------------------------------------------
    def documents(self, study: str | None = None) -> list[Document]:
        return self.workspace.records.documents(study)

    def document(self, ref: str) -> dict[str, Any]:
        """One document with its text and snippets, for reading it as a transcript."""
        return self.workspace.records.transcript(ref)

    def snippets(self, tags: Sequence[str] | None = None, document: str | None = None,
                 **filters: Any) -> list[Snippet]:
        return self.workspace.records.snippets(tags=tags, document=document, **filters)

    def snippet(self, snippet_id: str) -> Snippet:
        return self.workspace.records.snippet(snippet_id)

    def snippet_vectors(self, snippets: Sequence[Snippet]):
        """Stored embeddings in snippet order (cache first, then the index); no model time."""
        return stored_vectors(self.workspace, snippets)

    def stats(self) -> dict[str, Any]:
        ws = self.workspace
        return {**ws.records.counts(), "tags": dict(ws.records.tag_counts()),
                "studies": ws.records.distinct("study"), "kinds": ws.records.distinct("kind"),
                "languages": ws.records.languages(),
                "vectors": ws.index.count(), "index": ws.index.mode, "model": ws.embedder.model_key,
                "spacy": active_pipeline_name(), "tagger": ws.tagger_description(), "home": str(self.home)}

    def filter_values(self) -> dict[str, list[str]]:
        """Choices for filter widgets."""
        return self.workspace.records.filter_values()

    def search(self, query: str, k: int = 10, **filters: Any) -> list[Hit]:
        """Hybrid dense + keyword search. Filters: tags, participant, study, kind, role,
        document, since, until (ISO dates); mode: hybrid, dense, keyword or rrf."""
        return search(self.workspace, query, k=k, **filters)

    # -- editing -------------------------------------------------------------
    def add_tag(self, snippet_id: str, tag: str) -> None:
        """A manual tag; it survives re-ingestion of the snippet's file."""
        Writer(self._need(Permission.EDIT, "tag")).edit_tag(snippet_id, normalize_tag(tag), "add")

    def remove_tag(self, snippet_id: str, tag: str) -> None:
        Writer(self._need(Permission.EDIT, "untag")).edit_tag(snippet_id, normalize_tag(tag), "remove")

    def delete_document(self, ref: str) -> str:
        """Delete a document with its snippets, vectors and source copy; returns its name."""
        return Writer(self._need(Permission.ADMIN, "delete documents")).delete_document(ref)

    # -- themes --------------------------------------------------------------
    def themes(self, tags: Sequence[str] | None = ("pain_point",), all_snippets: bool = False,
               **options: Any) -> Themes:
        """Cluster participant snippets into themes from stored vectors (no re-embedding).
        Options: study, kind, min_size, resolution, labels."""
        return theming.themes(self.workspace, tags=None if all_snippets else tags, **options)

    def rename_theme(self, theme_id: str, name: str) -> dict:
        return theming.rename(self._need(Permission.EDIT, "rename themes"), theme_id, name)

    def merge_themes(self, theme_id: str, other_id: str, name: str | None = None) -> dict:
        return theming.merge(self._need(Permission.EDIT, "merge themes"), theme_id, other_id, name)

    def move_snippet(self, snippet_id: str, theme_id: str | None, **selection: Any) -> dict:
        return theming.move(self._need(Permission.EDIT, "move quotes between themes"), snippet_id, theme_id,
                            **selection)

    def pin_theme(self, theme_id: str, pinned: bool = True) -> dict:
        return theming.pin(self._need(Permission.EDIT, "pin themes"), theme_id, pinned)

    def split_theme(self, theme_id: str, snippet_ids: Sequence[str], name: str) -> dict:
        return theming.split(self._need(Permission.EDIT, "split themes"), theme_id, snippet_ids, name)

    def save_themes(self, name: str, tags: Sequence[str] | None = ("pain_point",), **options: Any) -> dict:
        return theming.save(self._need(Permission.EDIT, "save theme sets"), name, tags, **options)

    def theme_sets(self) -> list[dict]:
        return theming.sets(self.workspace)

    def theme_set(self, name: str) -> dict:
        return theming.get_set(self.workspace, name)

    def forget_themes(self, tags: Sequence[str] | None = ("pain_point",), **selection: Any) -> int:
        return theming.forget(self._need(Permission.EDIT, "forget themes"), tags, **selection)

    def theme_timeline(self, period: str = "month", result: Themes | None = None,
                       tags: Sequence[str] | None = ("pain_point",), **options: Any) -> list[dict]:
        return theming.over_time(self.workspace, period, result, tags, **options)

    def theme_studies(self, result: Themes | None = None, tags: Sequence[str] | None = ("pain_point",),
                      **options: Any) -> list[dict]:
        return theming.by_study(self.workspace, result, tags, **options)

    def theme_counter(self, theme_id: str) -> CounterEvidence:
        """Participants who say the opposite of a stored theme (praise inside a pain theme,
        segments that disagree)."""
        return counters.for_theme(self.workspace, theme_id)

    # -- highlights, insights, Ask ------------------------------------------------
    @property
    def highlights(self) -> Highlights:
        """Spans of one speaker's words a person marked: add, list, tag, remove, link, search."""
        return guard.Guarded(Highlights(self.workspace), self.workspace, guard.HIGHLIGHTS, "highlights")

    @property
    def insights(self) -> Insights:
        """One-sentence findings with supporting and contradicting evidence and a strength."""
        return guard.Guarded(Insights(self.workspace), self.workspace, guard.INSIGHTS, "insights")

    def ask(self, question: str, k: int = 30, labels: bool = True, **filters: Any) -> Answer:
        """A question answered from participant quotes: sub-themes with labels, distinct
        participants out of the selection's, verbatim quotes with citations. Filters are
        search filters (tags, study, kind, participant, document, since, until)."""
        return ask(self.workspace, question, k=k, labels=labels, **filters)

    # -- roadmap and bundles ---------------------------------------------------
    @property
    def roadmap(self) -> Roadmap:
        """Features, evidence links and prioritisation."""
        return guard.Guarded(Roadmap(self.workspace), self.workspace, guard.ROADMAP, "roadmap features")

    def export(self, feature_id: str, format: str = "md", out: str | Path | None = None) -> bytes:
        """An evidence bundle for a feature; returns bytes, also written to `out` if given."""
        return export_bundle(self.workspace, feature_id, format, out)

    # -- REFI-QDA exchange ------------------------------------------------------
    @property
    def qda(self) -> QDA:
        """QDPX projects and QDC codebooks for NVivo, ATLAS.ti, MAXQDA and QualCoder:
        export_qdpx(out, study), export_qdc(out), import_qdc(path), import_qdpx(path)."""
        return guard.Guarded(QDA(self.workspace, self.ingest), self.workspace, guard.QDA, "QDA projects")

    # -- settings --------------------------------------------------------------
    def config(self, name: str) -> Any:
        """A workspace setting (see core.settings: redact, keep_original)."""
        return self.workspace.config.get(name)

    def set_config(self, name: str, value: Any) -> Any:
        ws = self._need(Permission.ADMIN, "change settings")
        with ws.audited("config.set", name, value=value):
            return ws.config.set(name, value)

    # -- accounts and sign-in -----------------------------------------------------
    def users(self) -> list[Account]:
        """The accounts that may sign in to the app (none: everyone is admin)."""
        return self.workspace.accounts.list()

    def add_user(self, name: str, password: str, role: str = "viewer") -> Account:
        """A new account with an argon2 hash of its password; roles: viewer, editor, admin."""
        return self._need(Permission.ADMIN, "manage accounts").accounts.add(name, password, role)

    def set_role(self, name: str, role: str) -> Account:
        return self._need(Permission.ADMIN, "manage accounts").accounts.set_role(name, role)

    def set_password(self, name: str, password: str) -> None:
        """A new password for an account (admin, or the account itself); its sessions end."""
        if not (self.workspace.signed_in and name.lower() == self.workspace.user.lower()):
            self._need(Permission.ADMIN, "manage accounts")
        self.workspace.accounts.set_password(name, password)

    def remove_user(self, name: str) -> str:
        return self._need(Permission.ADMIN, "manage accounts").accounts.remove(name)

    def sign_in(self, name: str, password: str) -> Session:
        """A session lasting the workspace's session_hours, or AccessDeniedError (wrong
        password, or locked for a while after several)."""
        ws = self.workspace
        return ws.accounts.sign_in(name, password, ws.config.get("session_hours"))

    def session(self, token: str | None) -> Session | None:
        """The live session of a token (None once expired or signed out)."""
        return self.workspace.accounts.session(token)

    def sign_out(self, token: str) -> None:
        self.workspace.accounts.sign_out(token)

    # -- upkeep and backup ------------------------------------------------------
    def retag(self, progress=None) -> dict[str, Any]:
        """Recompute stored snippets' automatic tags with the current taxonomy and tagger;
        manual edits stay. Per tag: (count before, count after)."""
        return retag.retag(self._need(Permission.ADMIN, "retag the workspace"), progress)

    def train_tagger(self, epochs: int = 3, progress=None, ship: bool = False) -> dict[str, Any]:
        """Fine-tune the embedding model's top layers on the shipped labelled snippets for the
        fine-tuned tagger (about eight minutes on two cores); kept in this machine's cache, or
        with `ship` as the package's own weights (for maintainers, after the labelled sets change)."""
        ws = self._need(Permission.ADMIN, "train the tagger")
        return tag_finetuned.train(ws.settings.model, epochs, progress, ship=ship)

    def reindex(self, progress=None) -> dict[str, int]:
        """Rebuild the vector index from SQLite (cached vectors, no model time)."""
        return upkeep.reindex(self._need(Permission.ADMIN, "reindex"), progress)

    def doctor(self, repair: bool = False) -> dict[str, Any]:
        """Every disagreement between SQLite and the index; `repair` fixes the index."""
        ws = self._need(Permission.ADMIN, "repair the index") if repair else self.workspace
        return upkeep.doctor(ws, repair)

    def backup(self, out: str | Path) -> dict[str, Any]:
        """A consistent snapshot of the workspace as a .tar.gz with a manifest, taken while in use."""
        return backups.backup(self._need(Permission.ADMIN, "back up the workspace"), out)

    @staticmethod
    def restore(archive: str | Path, home: str | Path, force: bool = False, **options: Any) -> dict[str, Any]:
        """Unpack a backup into `home` and rebuild its vector index (cached vectors, no model)."""
        return backups.restore(archive, home, lambda h: Workspace(h, **options), force=force)

    @staticmethod
    def rebuild(home: str | Path | None = None, force: bool = False, progress=None,
                **options: Any) -> dict[str, Any]:
        """Recover a damaged or lost hub.sqlite from sources/ and the journal of manual work
        (the damaged files are set aside in damaged-<time>/, never deleted)."""
        folder = home_path(home)
        return rebuilds.rebuild(folder, lambda h: Workspace(h, **options), force, progress)

    # -- audit trail -------------------------------------------------------------
    def audit(self, who: str | None = None, action: str | None = None, since: str | None = None,
              until: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Human changes, newest first: who, when, action, target, arguments, rows before and after.
        `action` may be a prefix ('theme' matches theme.rename ...); since/until are ISO dates."""
        return [e.to_dict() for e in self.workspace.audit.entries(who, action, since, until, limit)]

    def audit_export(self, fmt: str = "csv", **filters: Any) -> bytes:
        """The audit entries `audit(**filters)` returns, as CSV or JSON."""
        entries = self.audit(**filters)
        if fmt == "json":
            return json.dumps([{k: v for k, v in e.items() if k != "changes"} for e in entries],
                              ensure_ascii=False, indent=2, default=str).encode("utf-8")
        if fmt != "csv":
            raise InvalidInputError(f"unknown audit export format {fmt!r}; use csv or json")
        return audit_csv(entries).encode("utf-8")

    def close(self) -> None:
        self.workspace.close()
