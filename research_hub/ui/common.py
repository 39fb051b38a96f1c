"""Shared pieces of the Streamlit pages: the cached Hub and safe rendering of user text.

Every string that came from a user or a file (quotes, names, titles, tags) goes
through `md_escape` before it reaches `st.markdown`, and nothing is ever rendered
with `unsafe_allow_html`.
"""
from __future__ import annotations

import re
import sqlite3
import string
from pathlib import Path
from typing import Any, Iterable, Sequence

import streamlit as st

from research_hub.core.access import Permission, allows
from research_hub.core.errors import DamagedWorkspaceError, ResearchHubError
from research_hub.core.settings import home_path
from research_hub.hub import Hub

_PUNCTUATION = set(string.punctuation)
# GFM turns bare URLs and emails into links after escapes are resolved, so escaping
# cannot stop it: an invisible word joiner breaks the patterns instead.
_AUTOLINK = re.compile(r"(?i)www(?=\.)|https?:(?=//)|@")
_WORD_JOINER = "\u2060"
LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
             "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "da": "Danish", "nb": "Norwegian",
             "fi": "Finnish", "pl": "Polish", "cs": "Czech", "tr": "Turkish", "ru": "Russian",
             "uk": "Ukrainian", "el": "Greek", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi",
             "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "id": "Indonesian",
             "vi": "Vietnamese", "ro": "Romanian", "hu": "Hungarian", "ca": "Catalan"}


# -- the one Hub per workspace and process -------------------------------------
@st.cache_resource(show_spinner="Opening the workspace...")
def _open_hub(home: str) -> Hub:
    return Hub(home)


def workspace_home() -> str:
    return str(home_path())


NOBODY = "(not signed in)"  # a name no account can have: every change is refused


def base_hub() -> Hub:
    """The workspace's Hub, opened once per process (its embedder loads the model once).
    A workspace that cannot open (its database damaged or missing) says why and stops the page."""
    try:
        return _open_hub(workspace_home())
    except (ResearchHubError, sqlite3.DatabaseError) as exc:
        found = exc if isinstance(exc, ResearchHubError) else DamagedWorkspaceError.of(
            Path(workspace_home()) / "hub.sqlite", exc)
        if found is None:
            raise
        st.error(md_escape(str(found)))
        st.stop()


def get_hub():
    """The Hub acting as this browser session's signed-in account (sharing the one opened
    model and index); the plain Hub while the workspace has no accounts."""
    hub = base_hub()
    if not hub.workspace.accounts.any():
        return hub
    return hub.as_user(st.session_state.get("signed_in_as") or NOBODY)


def can(permission: Permission) -> bool:
    """Whether this session's role shows the controls needing `permission` (the library checks again)."""
    return allows(get_hub().workspace.role, permission)


# -- safe markdown ----------------------------------------------------------------
def md_escape(text: Any, line_start: bool = True) -> str:
    """User text as markdown that renders literally: no links, HTML, directives or math.
    `line_start=False` for a piece that continues a line (its leading spaces are safe)."""
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _AUTOLINK.sub(lambda m: m.group(0) + _WORD_JOINER, text)
    escaped = "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)
    lines = escaped.split("\n")
    return "  \n".join(line if i == 0 and not line_start else _keep_indent_literal(line)
                       for i, line in enumerate(lines))


def _keep_indent_literal(line: str) -> str:
    """Leading spaces would start a code block: show them as no-break spaces instead."""
    body = line.lstrip(" \t")
    return "\u00a0" * (len(line) - len(body)) + body


def _merge(spans: Iterable[Sequence[int]], size: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted((max(0, int(s)), min(size, int(e))) for s, e in spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def highlight_markdown(text: str, spans: Iterable[Sequence[int]] = ()) -> str:
    """Escaped `text` with each span marked by an orange background."""
    parts, pos = [], 0
    for start, end in _marks(text, spans):
        parts.append(md_escape(text[pos:start], _starts_line(text, pos)))
        parts.append(f":orange-background[{md_escape(text[start:end])}]")
        pos = end
    parts.append(md_escape(text[pos:], _starts_line(text, pos)))
    return "".join(parts)


def _marks(text: str, spans: Iterable[Sequence[int]]) -> list[tuple[int, int]]:
    """Merged spans cut at line breaks and trimmed of spaces (a mark never spans a break)."""
    out = []
    for start, end in _merge(spans, len(text)):
        for piece in re.finditer(r"[^\n]+", text[start:end]):
            lead = len(piece.group()) - len(piece.group().lstrip())
            core = piece.group().strip()
            if core:
                a = start + piece.start() + lead
                out.append((a, a + len(core)))
    return out


def _starts_line(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1] == "\n"


def tags_markdown(tags: Iterable[str], color: str = "blue") -> str:
    return " ".join(f":{color}-badge[{md_escape(t)}]" for t in tags)


def format_seconds(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def source_line(snip) -> str:
    """Speaker, role, source and where in it, as escaped markdown."""
    who = f"**{md_escape(snip.speaker or snip.participant or 'unknown')}**"
    if snip.role and snip.role != "participant":
        who += f" ({md_escape(snip.role)})"
    where = format_seconds(snip.start_time) or (f"line {snip.line}" if snip.line else None)
    bits = [who, md_escape(snip.document_title)]
    if getattr(snip, "language", None) not in (None, "en"):
        bits.append(md_escape(language_name(snip.language)))
    bits += [md_escape(b) for b in (where, snip.study, snip.date) if b]
    return " · ".join(bits)


def quote_card(snip, spans: Iterable[Sequence[int]] = (), score: float | None = None) -> None:
    """One quote: the words (matches marked), who said it, where, and its tags."""
    st.markdown(highlight_markdown(snip.text, spans))
    line = source_line(snip)
    if score is not None:
        line += f" · score {score:.2f}"
    st.caption(line)
    if snip.tags:
        st.markdown(tags_markdown(snip.tags))


def context_block(snip, neighbours: Sequence[dict] = ()) -> None:
    """The question a quote answers and the turns around it."""
    if snip.context:
        st.markdown(f"*Answering:* {md_escape(snip.context)}")
    for n in neighbours:
        n = dict(n)
        text = n.get("text", "")
        mark = "▶ " if text == snip.text else ""
        st.markdown(f"{mark}**{md_escape(n.get('speaker', ''))}:** {md_escape(text)}")


def hub_call(fn, *args, **kwargs):
    """Run a Hub call; a `ResearchHubError` shows as a one-line error instead of a traceback.
    Every page calls Hub through here (or `actions.run_action`, which reports the same way)."""
    try:
        return fn(*args, **kwargs)
    except ResearchHubError as exc:
        st.error(md_escape(str(exc)))
        return None
    except sqlite3.DatabaseError as exc:  # damage found past the checks on open
        found = DamagedWorkspaceError.of(Path(workspace_home()) / "hub.sqlite", exc)
        if found is None:
            raise
        st.error(md_escape(str(found)))
        return None


def language_name(code: str | None) -> str:
    return LANGUAGES.get(code or "en", code or "")


def english_model_note(languages: dict[str, int]) -> None:
    """Say so when documents are not in English: the embedding model and the tags are English."""
    others = {code: n for code, n in languages.items() if code != "en"}
    if others:
        names = ", ".join(f"{language_name(c)} ({n})" for c, n in others.items())
        st.info(f"Documents in {md_escape(names)}: search and themes use an English embedding "
                "model and the automatic tags are English-only, so these documents are stored "
                "and findable but matched less well and not auto-tagged.")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def counter_list(found, subject: str, button=None) -> None:
    """Who says the opposite of `subject` ("this theme", "these quotes"): a CounterEvidence's
    quotes, and per quote a button when `button` = (label, key prefix, callback(snippet id))."""
    if found.polarity == "mixed":
        st.caption(f"The quotes of {subject} are mixed (neither mostly pain nor mostly praise): "
                   "both sides are already in it.")
        return
    st.caption(f"{plural(found.participants, 'participant')} say the opposite of {subject}, which "
               f"leans {found.polarity} ({md_escape(found.basis)}).")
    for q in [*found.inside, *found.nearby]:
        with st.container(border=True):
            st.markdown(md_escape(q["text"]))
            where = "among its own quotes" if q["where"] == "inside" else "close to it"
            st.caption(" · ".join(md_escape(b) for b in (q["participant"], q["citation"],
                                                        f"stance {q['stance']}", where)))
            if button:
                label, prefix, callback = button
                st.button(label, key=f"{prefix}_{q['snippet_id']}", on_click=callback,
                          args=(q["snippet_id"],))
    if found.disagreement:
        st.warning("Segments disagree: " + md_escape("; ".join(
            f"{s['segment']} leans {s['leans']}" for s in found.segments)))
