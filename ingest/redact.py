"""PII redaction of a parsed document, before anything is split, embedded or stored.

What is replaced, in the text, speaker labels, turn metadata and document metadata:

* emails                              -> [EMAIL_1], [EMAIL_2] ...
* card-like numbers (13-19 digits, Luhn-valid) -> [CARD_1] ...
* phone numbers (Google's libphonenumber rules via ``phonenumbers``, plus
  international and trunk-prefixed digit groups) -> [PHONE_1] ...
* person names: spaCy NER PERSON where a trained pipeline is installed
  (``research_hub.nlp.trained()``) -> [PERSON_1] ...; a half-found name is widened
  to the capitalised words beside it, and once "Priya Karimi" is found, a later
  bare "Priya" or "Karimi" in the same document gets the same placeholder
* speaker labels that are not generic roles ("Maria Lopez", "jane@x.com",
  "Interviewer (Sam)" -> "Interviewer (Person-...)") -> ``Person-<6 hex>``, a
  pseudonym keyed by a random per-workspace secret, so the same person has the
  same pseudonym in every document; their name in the text gets it too.

Numbers are per document: the same value gets the same placeholder wherever it
appears in that document. The originals are not kept anywhere.

Offsets: ``doc.text[turn.start:turn.end]`` holds after redaction as before;
turn and cue offsets are moved by the length changes in front of them. Replaced
spans never contain a newline, so line numbers do not move.
"""
from __future__ import annotations

import bisect
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from research_hub.ingest.types import ParsedDocument

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# international (+ or 00) and trunk-prefixed (0...) numbers that libphonenumber's
# US rules do not see: digit groups with single separators, 9 to 15 digits in all
PHONE_GROUPS = re.compile(r"(?<![\w+])(?:\+|00|0)\d{1,4}(?:[ .-]?\(?\d{1,5}\)?){2,6}(?![\w])")
DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
PHONE_REGIONS = ("GB", "DE", "FR", "IN", "AU", "CA", "ES", "IT", "NL", "BR", "MX", "IE")
GENERIC_LABEL = re.compile(
    r"^(?:the\s+)?(?:interviewer|moderator|facilitator|researcher|host|co-?host|participant|"
    r"interviewee|respondent|customer|client|user|speaker|agent|support|unknown|anonymous|anon|"
    r"guest|caller|q|a|question|answer|me|you|us|team|note|notes|observer|[prsu])"
    r"(?:[\s_#-]*(?:\d+|[a-z]))?$", re.IGNORECASE)
NAME_KEYS = {"name", "full_name", "first_name", "last_name", "customer", "customer_name", "user",
             "user_name", "username", "author", "reviewer", "contact", "contact_name", "email",
             "email_address", "e_mail", "phone", "phone_number", "mobile", "telephone",
             "participant", "participants", "interviewee", "interviewer", "respondent", "attendees"}
REDACTION_VERSION = "redact:v1"


@dataclass(order=True)
class Span:
    start: int
    end: int
    kind: str = field(compare=False)  # EMAIL, CARD, PHONE, PERSON, ALIAS
    key: str = field(compare=False)  # normalised value: same value, same placeholder


# -- detectors -------------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def find_emails(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "EMAIL", m.group().lower()) for m in EMAIL.finditer(text)]


def find_cards(text: str) -> list[Span]:
    out = []
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1:
            out.append(Span(m.start(), m.end(), "CARD", digits))
    return out


def _phone_span(text: str, start: int, end: int) -> Span | None:
    raw = text[start:end]
    digits = re.sub(r"\D", "", raw)
    if "\n" in raw or not 7 <= len(digits) <= 15 or DATE_LIKE.match(raw.strip()):
        return None
    return Span(start, end, "PHONE", digits[-10:])  # +1 415... and (415)... are one number


def find_phones(text: str) -> list[Span]:
    """libphonenumber's matcher (US possible numbers, other regions' valid ones) and
    international digit groups, run only on lines with at least 7 digits."""
    import phonenumbers as pn

    found: list[Span] = []
    base = 0
    for line in text.split("\n"):
        if sum(ch.isdigit() for ch in line) >= 7:
            for region, leniency in (("US", pn.Leniency.POSSIBLE),
                                     *((r, pn.Leniency.VALID) for r in PHONE_REGIONS)):
                for m in pn.PhoneNumberMatcher(line, region, leniency=leniency):
                    found.append(_phone_span(text, base + m.start, base + m.end))
            for m in PHONE_GROUPS.finditer(line):
                if sum(ch.isdigit() for ch in m.group()) >= 9:
                    found.append(_phone_span(text, base + m.start(), base + m.end()))
        base += len(line) + 1
    return [s for s in found if s is not None]


def find_people(text: str, nlp) -> list[Span]:
    """PERSON entities from a trained spaCy pipeline, line by line in bounded chunks."""
    if nlp is None or "ner" not in nlp.pipe_names:
        return []
    from research_hub.core.nlp import ner_only_disable

    chunks, offsets, start = [], [], 0
    for line in text.split("\n"):
        if line.strip():
            chunks.append(line[:100_000])
            offsets.append(start)
        start += len(line) + 1
    out = []
    with nlp.select_pipes(disable=ner_only_disable(nlp)):
        for base, doc in zip(offsets, nlp.pipe(chunks, batch_size=64)):
            for ent in doc.ents:
                if ent.label_ != "PERSON":
                    continue
                # "Amara Karimi: Tell Amara" is two names around a speaker label: cut at punctuation
                for part in re.finditer(r"[^:;,!?()\[\]\"\u201c\u201d]+", ent.text):
                    name = part.group().strip()
                    if any(ch.isalpha() for ch in name):
                        first = base + ent.start_char + part.start() + part.group().index(name)
                        start, end = _widen(text, first, first + len(name))
                        out.append(Span(start, end, "PERSON", " ".join(text[start:end].split()).casefold()))
    return out


def _name_word(word: str) -> bool:
    return len(word) > 1 and word.isalpha() and word[0].isupper() and word[1:].islower() \
        and word.casefold() not in _STOP


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """NER often finds half a name ("Jamal [Karimi]"): take in the capitalised words
    right beside it, but not a sentence's first word ("Tell [Jamal]")."""
    for _ in range(2):
        m = re.match(r" (\w+)", text[end:end + 40])
        if not m or not _name_word(m.group(1)):
            break
        end += m.end()
    for _ in range(2):
        m = re.search(r"(?:^|(?<=[^\w]))(\w+) $", text[max(0, start - 40):start])
        if not m or not _name_word(m.group(1)):
            break
        before = text[:start - len(m.group(0))].rstrip(" ")
        if not before or before[-1] in ".!?:\n\"(":
            break
        start -= len(m.group(0))
    return start, end


def _resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, earliest first, the longest where two start together."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if s.end > s.start and (not out or s.start >= out[-1].end):
            out.append(s)
    return out


# -- offsets -----------------------------------------------------------------------
class OffsetMap:
    """Old offset -> new offset after replacing `spans` (sorted, non-overlapping)."""

    def __init__(self, spans: list[Span], lengths: list[int]):
        self.starts = [s.start for s in spans]
        self.spans = spans
        self.after: list[int] = []  # total shift once past span i
        shift = 0
        for s, n in zip(spans, lengths):
            shift += n - (s.end - s.start)
            self.after.append(shift)
        self.lengths = lengths

    def __call__(self, pos: int, end: bool = False) -> int:
        i = bisect.bisect_right(self.starts, pos) - 1  # last span starting at or before pos
        if i < 0:
            return pos
        s = self.spans[i]
        before = self.after[i] - (self.lengths[i] - (s.end - s.start))
        if pos >= s.end:
            return pos + self.after[i]
        if pos == s.start:
            return pos + before
        # inside a replaced span: a start moves to the placeholder's start, an end to its end
        return s.start + before + (self.lengths[i] if end else 0)


# -- the redactor ------------------------------------------------------------------
class Redactor:
    def __init__(self, secret: str, nlp=None):
        self.secret = secret.encode()
        self.nlp = nlp

    def document_id(self, doc_id: str) -> str:
        """A redacted document is another document than its original: switching redaction
        on and re-ingesting replaces the unredacted version."""
        return hashlib.sha256(f"{REDACTION_VERSION}:{doc_id}".encode()).hexdigest()

    def pseudonym(self, value: str) -> str:
        key = " ".join(value.split()).casefold()
        return "Person-" + hmac.new(self.secret, key.encode(), hashlib.sha256).hexdigest()[:6]

    def __call__(self, doc: ParsedDocument) -> ParsedDocument:
        return _DocumentRedaction(self, doc).run()


@dataclass
class _DocumentRedaction:
    redactor: Redactor
    doc: ParsedDocument
    numbers: dict[str, dict[str, int]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # name as written -> pseudonym
    _index: dict[str, list] | None = None

    def run(self) -> ParsedDocument:
        speakers = {t.speaker: self.label(t.speaker) for t in self.doc.turns}
        participants = {t.participant: self.label(t.participant) for t in self.doc.turns if t.participant}
        for data in [self.doc.metadata] + [t.meta for t in self.doc.turns]:
            self.names_in(data)  # front-matter and column names are aliases in the text too
        people = find_people(self.doc.text, self.redactor.nlp)
        self.people_aliases(people)  # "Priya Karimi" found once: a later "Priya" is hers too
        text, moved = self.apply(self.doc.text, _resolve(self.find(self.doc.text) + people))
        turns = [replace(t, start=moved(t.start), end=moved(t.end, end=True), speaker=speakers[t.speaker],
                         participant=participants.get(t.participant) if t.participant else None,
                         cues=[replace(c, start=moved(c.start), end=moved(c.end, end=True)) for c in t.cues],
                         meta=self.values(t.meta)) for t in self.doc.turns]
        title = self.value(self.doc.title, fold=True) if self.doc.title else self.doc.title
        return replace(self.doc, text=text, turns=turns, title=title,
                       metadata=self.values(self.doc.metadata))

    def placeholder(self, span: Span) -> str:
        if span.kind == "ALIAS":
            return span.key
        if span.kind == "PERSON" and span.key in self.folded_aliases():
            return self.folded_aliases()[span.key]
        seen = self.numbers.setdefault(span.kind, {})
        n = seen.setdefault(span.key, len(seen) + 1)
        return f"[{span.kind}_{n}]"

    # -- speaker labels and name-like metadata ------------------------------------
    def label(self, label: str) -> str:
        """Generic roles stay; anything else is a person's name or handle -> pseudonym."""
        if not label or not label.strip() or GENERIC_LABEL.match(label.strip()):
            return label
        parts = re.match(r"^(.*?)\s*[(\[](.+?)[)\]]\s*$", label)  # "Interviewer (Sam)"
        if parts and parts.group(1):
            return f"{self.label(parts.group(1))} ({self.label(parts.group(2))})"
        name = " ".join(label.split())
        if name in self.aliases:
            return self.aliases[name]
        pseudo = self.redactor.pseudonym(name)
        self._index = None
        self.aliases[name] = pseudo
        words = name.split()
        if len(words) > 1:  # "Maria Lopez" is also "Maria" and "Lopez" in the text
            for w in words:
                if len(w) > 2 and w[0].isupper() and w.isalpha():
                    self.aliases.setdefault(w, pseudo)
        return pseudo

    def people_aliases(self, people: list[Span]) -> None:
        for span in people:
            holder = self.placeholder(span)
            words = self.doc.text[span.start:span.end].split()
            for w in (words if len(words) > 1 else []) + [" ".join(words)]:
                if len(w) > 2 and w[0].isupper() and w.casefold() not in _STOP:
                    self.aliases.setdefault(w, holder)
        self._index = None

    def names_in(self, data: Any, key: str = "") -> None:
        if isinstance(data, dict):
            for k, v in data.items():
                self.names_in(v, str(k))
        elif isinstance(data, (list, tuple)):
            for v in data:
                self.names_in(v, key)
        elif isinstance(data, str) and _norm_key(key) in NAME_KEYS:
            self.label(data)

    def folded_aliases(self) -> dict[str, str]:
        return {k.casefold(): v for k, v in self.aliases.items()}

    # -- text ----------------------------------------------------------------------
    def find(self, text: str, fold: bool = False) -> list[Span]:
        return _resolve(find_emails(text) + find_cards(text) + find_phones(text)
                        + self.find_aliases(text, fold))

    def find_aliases(self, text: str, fold: bool) -> list[Span]:
        """Known names as whole words: one pass over the words, whatever the number of names."""
        if self._index is None:
            self._index = {}
            for name, pseudo in sorted(self.aliases.items(), key=lambda kv: -len(kv[0])):
                words = TOKEN.findall(name)
                if words:
                    self._index.setdefault(words[0].casefold(), []).append((words, pseudo))
        tokens = list(TOKEN.finditer(text)) if self._index else []
        out = []
        for i, tok in enumerate(tokens):
            for words, pseudo in self._index.get(tok.group().casefold(), ()):
                end = _match_words(text, tokens, i, words, fold or len(words) > 1)
                if end is not None:
                    out.append(Span(tok.start(), end, "ALIAS", pseudo))
                    break
        return out

    def apply(self, text: str, spans: list[Span]) -> tuple[str, Callable[..., int]]:
        holders = [self.placeholder(s) for s in spans]
        pieces, last = [], 0
        for s, h in zip(spans, holders):
            pieces += [text[last:s.start], h]
            last = s.end
        pieces.append(text[last:])
        return "".join(pieces), OffsetMap(spans, [len(h) for h in holders])

    def value(self, value: str, fold: bool = False) -> str:
        return self.apply(value, self.find(value, fold=fold))[0]

    def values(self, data: Any, key: str = "") -> Any:
        """Metadata: name-like keys are pseudonymised whole, other strings redacted."""
        if isinstance(data, dict):  # keys too: {"speakers": {"Maria Lopez": "participant"}}
            return {self.value(k) if isinstance(k, str) else k: self.values(v, str(k))
                    for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.values(v, key) for v in data]
        if not isinstance(data, str) or not data.strip():
            return data
        if _norm_key(key) in NAME_KEYS:
            return self.label(data)
        return self.value(data)


_STOP = {"the", "and", "but", "thanks", "thank", "hello", "dear", "mr", "mrs", "ms", "dr", "mister"}
TOKEN = re.compile(r"\w+(?:[@.+'\u2019-]\w+)*")


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", key.casefold()).strip("_")


def _match_words(text: str, tokens: list, i: int, words: list[str], fold: bool) -> int | None:
    """End offset if tokens[i:] spell `words` (single spaces between), else None."""
    if i + len(words) > len(tokens):
        return None
    for j, word in enumerate(words):
        tok = tokens[i + j]
        same = tok.group().casefold() == word.casefold() if fold else tok.group() == word
        if not same or (j and text[tokens[i + j - 1].end():tok.start()] not in (" ", "\u00a0")):
            return None
    return tokens[i + len(words) - 1].end()


def redactor_for(hub, on: bool) -> Redactor | None:
    """The workspace's redactor (its pseudonym secret is made once and kept in settings)."""
    if not on:
        return None
    from research_hub.core import nlp

    with hub.db.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO settings VALUES ('redact_secret', ?)", (secrets.token_hex(16),))
    secret = hub.db.scalar("SELECT value FROM settings WHERE key = 'redact_secret'")
    return Redactor(secret, nlp.trained())
