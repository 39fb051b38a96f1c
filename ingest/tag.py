"""Tag snippet drafts: rule tags, taxonomy tags, sentiment and entities.

* Rule tags (``pain_point``, ``feature_request``, ``praise``, ``question``,
  ``workaround``) come from a spaCy ``PhraseMatcher`` on lower-cased tokens of
  the blank sentencizer pipeline (phrase lists, expanded combinations, and a
  few prefixes checked against the next word), negation/modal checks, and
  VADER, so they are the same whether or not a trained spaCy model is
  installed. The PhraseMatcher is hash lookups: token-pattern ``Matcher``
  predicates (IN/REGEX) are evaluated in Python per token and were slower.
* Taxonomy tags come from a user file (YAML or CSV, see ``load_taxonomy``): a
  snippet gets the tag when one of its keywords occurs as whole words
  (case-insensitive; a trailing ``*`` matches a word prefix, ``export*``).
* ``sentiment`` is VADER's compound score, rounded to 3 decimals.
* ``entities`` come from the trained pipeline's NER when one is available
  (``research_hub.nlp.trained()``), only for participant snippets; otherwise [].

Interviewer snippets get no tags and no entities: their questions are context,
not findings. They still get a sentiment score.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from spacy.matcher import Matcher, PhraseMatcher
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from ingest.types import INTERVIEWER, SnippetDraft
from research_hub import nlp as rh_nlp

PAIN_POINT = "pain_point"
FEATURE_REQUEST = "feature_request"
PRAISE = "praise"
QUESTION = "question"
WORKAROUND = "workaround"

RULE_TAGS: dict[str, str] = {
    PAIN_POINT: "Something hurts: slow, broken, confusing, failing, or strongly negative "
                "about the product.",
    FEATURE_REQUEST: "Asks for something that does not exist yet (I wish, would love, "
                     "please add, should be able to).",
    PRAISE: "Something works well or is liked.",
    QUESTION: "The participant asks a question.",
    WORKAROUND: "The participant works around a gap (manual steps, spreadsheets, "
                "copy and paste, hacks).",
}

ENTITY_LABELS = frozenset({
    "ORG", "PRODUCT", "PERSON", "GPE", "MONEY", "DATE", "NORP", "LOC",
    "WORK_OF_ART", "LAW", "EVENT",
})

PAIN_VADER_MAX = -0.3
PRAISE_VADER_MIN = 0.5
NEGATION_WINDOW = 3
PIPE_BATCH = 256

# ---------------------------------------------------------------- rule data --
# Phrases are tokenized with the same tokenizer as the text and matched on
# LOWER, so "can't" matches "Can't" ("ca" + "n't"). Phrases with an apostrophe
# also match the curly (’) and apostrophe-less ("cant") spellings.

NEG = ["n't", "n’t", "nt", "not", "never", "no", "without", "hardly", "barely",
       "nothing", "none", "nobody", "nor", "neither"]
MODAL = ["should", "would", "could", "'d", "’d", "wish", "if", "hope", "hoping"]

# Single words whose meaning flips under a negation just before them.
PAIN_WORDS = """
frustrating frustrated frustration frustrates frustrate annoying annoyed annoys
annoyance painful pain slow slower slowly sluggish laggy lag lags broken breaks
broke crash crashes crashed crashing bug bugs buggy error errors fails failed failing
failure confusing confused confusion hate hated hates struggle struggled struggling
struggles nightmare stuck lost disconnects disconnected disconnecting wrong clunky
tedious unreliable useless freezes froze freezing frozen glitch glitches glitchy
complicated difficult impossible terrible awful horrible worst infuriating
incorrect problem problems issue issues declined rejected blocked embarrassing
upset stressful stressed headache mess messy chaos chaotic expensive pricey overpriced
unusable flaky tiring exhausting duplicates duplicated
""".split()
PAIN_PHRASES = [
    "takes forever", "took forever", "taking forever", "take forever", "takes ages",
    "waste of time", "wasted time", "wastes time", "wasting time", "wasted hours",
    "can't", "cannot", "can not", "couldn't", "could not", "unable to",
    "doesn't work", "does not work", "don't work", "didn't work", "did not work",
    "isn't working", "is not working", "wasn't working", "not working",
    "stopped working", "stops working", "won't load", "doesn't load",
    "times out", "timed out", "timing out", "time out", "no way to",
    "hard to", "too long", "too many clicks", "gave up", "give up",
    "doesn't seem to work", "does not seem to work", "didn't seem to work",
    "not allowed", "still waiting", "still pending", "still hasn't", "still haven't",
    "hasn't arrived", "has not arrived", "haven't received", "have not received",
    "never arrived", "never received", "charged twice", "took a while", "takes a while",
    "took ages", "took hours", "takes hours", "back and forth", "adds up", "add up fast",
    "n't handle", "not handled", "n't handled", "doesn't support", "not supported",
    "n't supported", "too expensive", "costs too much", "needs fixing", "need fixing",
    "needs work", "is a joke", "hasn't synced", "has not synced", "nothing has synced",
    "not syncing", "stopped syncing", "don't trust", "stopped trusting",
]
# Cue words inside these phrases are not pain ("don't get me wrong").
PAIN_EXCLUDE = [
    "can't complain", "couldn't complain", "can't imagine", "couldn't imagine",
    "can't wait", "can't live without", "couldn't live without", "can't recommend",
    "couldn't recommend", "can't beat", "can't go wrong", "couldn't be happier",
    "couldn't be easier", "couldn't be better", "can't say enough", "can't remember",
    "can't recall", "can't think of", "couldn't tell you", "get me wrong",
    "trial and error", "no problem", "not a problem", "no problems",
    "lost weight", "slow down", "hard to beat", "hard to say", "hard to tell",
    "cannot recommend it enough",
]
PRODUCT_WORDS = """
app apps application tool software product platform system site website page pages
screen screens feature features dashboard dashboards report reports reporting export
exports exporting import importing button buttons menu menus setting settings sync
syncing login log-in logging password search upload uploads download downloads
integration integrations api ui ux interface version update updates release data
file files account accounts card cards payment payments transfer transfers refund
refunds fee fees charge charged transaction transactions balance pin atm top-up
checkout order orders notification notifications email emails support onboarding
editor workflow workflows template templates mobile desktop browser plugin extension
""".split()

FEATURE_PHRASES = [
    "wish it", "wish there", "wish they", "wish you", "wish i could", "wish we could",
    "would love", "'d love", "would like to see", "'d like to see",
    "would like to be able", "'d like to be able", "please add", "please make",
    "please allow", "please bring", "please make it", "should be able to",
    "should let me", "should let us", "need a way to", "needs a way to",
    "want a way to", "wanted a way to", "feature request", "can you add",
    "could you add", "can you guys add", "if only", "what's missing", "what is missing",
    "is missing a", "is missing an", "'s missing a", "'s missing an", "are missing a",
    "it's missing the", "it is missing the", "missing feature", "missing features",
    "missing functionality", "thing missing", "it would help if", "would really help",
    "would help if",
    "there should be", "add support for", "it needs a", "it needs an",
]
PRAISE_WORDS = """
love loved loves great awesome easy easier fantastic amazing excellent
intuitive helpful brilliant perfect wonderful smooth seamless handy reliable
""".split()
PRAISE_PHRASES = [
    "saves me", "saved me", "saves us", "saved us", "saves a lot", "saved a lot",
    "really like", "really liked", "really enjoy", "really enjoyed", "works well",
    "worked well", "works great", "worked great", "works perfectly", "game changer",
    "game-changer", "big fan", "huge fan", "can't live without", "couldn't live without",
    "couldn't be happier", "couldn't be easier", "couldn't be better",
]
QUESTION_OPENERS = [
    "how do i", "how do we", "how can i", "how can we", "how do you", "how would i",
    "is there", "are there", "can i", "could i", "can we", "why does", "why doesn't",
    "why is", "why isn't", "why do", "why don't", "why can't", "why would",
    "where do i", "where can i", "where is", "is it possible", "does it", "do you",
]
WORKAROUND_PHRASES = [
    "so what i do is", "what i do is", "what we do is", "i end up", "we end up",
    "i ended up", "we ended up", "end up having to", "workaround", "workarounds",
    "work around", "work-around", "instead i", "instead, i", "instead we",
    "manually", "by hand", "copy and paste", "copy-paste", "copy paste",
    "copy-and-paste", "copy it over", "spreadsheet", "spreadsheets", "excel",
    "export to excel", "google sheets", "hack", "hacky", "hacked together",
    "duct tape", "sticky notes", "a separate tool", "another tool",
]
# "I just <verb>" / "I have to <verb>" are workarounds unless the verb is one of these.
JUST_NOT = ["think", "thought", "feel", "felt", "love", "loved", "like", "liked",
            "hate", "hated", "want", "wanted", "wish", "need", "needed", "started",
            "start", "signed", "joined", "don't", "do", "did", "didn't", "can't",
            "ca", "could", "know", "knew", "realized", "realised", "mean", "meant",
            "said", "say", "'m", "’m", "am", "was", "got", "moved", "switched", "wanna",
            "really", "never", "wonder", "wondered", "hope", "find", "found"]
HAVE_TO_NOT = ["say", "admit", "be", "agree", "laugh", "confess", "tell", "ask",
               "go", "check", "think", "wait", "pay", "send", "leave", "travel",
               "cancel", "keep"]
# "do I have to ...", "will we have to ..." are questions, not workarounds.
AUX_BEFORE_I = ["do", "does", "did", "will", "would", "should", "shall", "must", "can",
                "could", "that", "who", "which"]
# Words VADER scores as sentiment that, in conversation, are mostly filler or
# politeness ("yeah", "sure", "like", "to be honest", "[laughs]"). They are
# left out of the lexicon used for the VADER-based praise/pain decisions
# (``sentiment`` itself stays plain VADER).
VADER_FILLER = """
yeah yes yep yup sure like likes ok okay please thanks thank thx well fine kind pretty
honest honestly laugh laughs laughing ha haha lol clear giving give help helps share
care free safe true no worries cheers joke joking kidding play playing
""".split()
# "..., you know?" and "..., right?" are not questions.
TAG_QUESTION_WORDS = {"know", "right", "yeah", "eh", "huh", "innit", "ok", "okay", "see",
                      "no", "yes", "true", "correct"}
QUESTION_MIN_WORDS = 4
# Polite request words: VADER scores them positive, but they are not praise.
REQUEST_PHRASES = ["please", "help", "would like", "'d like", "could you", "can you",
                   "would you", "thank you", "thanks"]
KEEPS_NOT = ["using", "working", "improving", "getting", "going", "coming", "growing",
             "adding", "recommending", "telling"]
PAST_IRREGULAR = ["made", "came", "bought", "sent", "saw", "got", "paid", "took", "went",
                  "found", "lost", "had", "did", "gave", "left", "heard", "told",
                  "spent", "put", "began", "ran", "wrote", "read", "set", "upgraded"]
_I = ["i", "we"]


def _combos(*parts: list[str]) -> list[str]:
    """All phrases made of one choice per part ("" skips the part)."""
    out = [""]
    for choices in parts:
        out = [f"{o} {c}".strip() for o in out for c in choices]
    return out


CANT = ["can't", "cannot", "can not", "couldn't", "could not", "won't", "would not",
        "wouldn't"]
CANT_VERBS = ["figure", "find", "get", "see", "tell", "use", "export", "load", "open",
              "login", "log", "sync", "access", "save", "connect", "upload", "download",
              "change", "edit", "delete", "undo", "share", "print", "send", "import"]
NICE = ["great", "nice", "awesome", "helpful", "cool", "useful", "amazing", "good",
        "lovely", "ideal", "better", "easier", "handy", "fantastic", "brilliant",
        "wonderful"]
COMPARATIVE = ["easier", "simpler", "faster", "quicker", "clearer", "cheaper", "more",
               "less", "better", "possible"]

# Combinations, all matched by the PhraseMatcher (hash lookups, no Python per token).
PAIN_COMBOS = (
    _combos(CANT, CANT_VERBS)
    + _combos(["keeps", "kept", "keep"], ["getting"],
              ["errors", "error", "logged", "kicked", "stuck", "lost", "disconnected",
               "signed", "booted", "locked"])
)
FEATURE_COMBOS = (
    _combos(["would", "'d", "could"], ["be"], ["", "really", "so", "super"], NICE,
            ["if", "to"])
    + _combos(["should", "could", "needs to", "need to"], ["be"],
              ["", "much", "a lot", "a bit", "a little", "way"], COMPARATIVE)
)

# Prefixes that count only when the next word passes a check (see _follow_ok):
# "it keeps crashing" but not "I keep using it", "please let me lock the rate"
# but not "please let me know", "I wish it had" but not "I wish to cancel",
# "I just copy it" but not "I just made a transfer", "I have to re-enter" but
# not "I have to say" or "do I have to ...".
FOLLOW_PHRASES = {
    "keep_ing": ["keeps", "kept", "keep", "keeping"],
    "please_let": ["please let me", "please let us"],
    "i_wish": ["i wish", "we wish"],
    "i_just": ["i just", "we just"],
    "have_to": [f"{i}{rest}" for i in _I
                for rest in (" have to", " had to", "'ve got to", " have got to")],
}
FOLLOW_TAG = {"keep_ing": "pain", "please_let": FEATURE_REQUEST, "i_wish": FEATURE_REQUEST,
              "i_just": WORKAROUND, "have_to": WORKAROUND}


def _follow_ok(kind: str, doc, start: int, end: int) -> bool:
    if end >= len(doc):
        return False
    nxt = doc[end]
    if nxt.is_punct or nxt.is_space:
        return False
    word = nxt.lower_
    if kind == "keep_ing":
        return word.endswith("ing") and word not in KEEPS_NOT
    if kind == "please_let":
        return word != "know"
    if kind == "i_wish":
        return word != "to"
    if start > 0 and doc[start - 1].lower_ in AUX_BEFORE_I:  # "do I have to", "will I just"
        return False
    if kind == "i_just":
        return word not in JUST_NOT and word not in PAST_IRREGULAR and not word.endswith("ed")
    if kind == "have_to":
        return word not in HAVE_TO_NOT
    return False


def _apostrophe_variants(phrase: str) -> list[str]:
    if "'" not in phrase:
        return [phrase]
    return [phrase, phrase.replace("'", "\u2019"), phrase.replace("'", "")]


def normalize_tag(name: str) -> str:
    """'Data Export' / 'DataExport' / 'data-export' -> 'data_export'."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    s = re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()
    return s


# ----------------------------------------------------------------- taxonomy --

@dataclass
class TaxonomyTag:
    name: str  # lower_snake_case
    description: str = ""
    keywords: list[str] = field(default_factory=list)

    @property
    def tag(self) -> str:
        return self.name


def _split_keywords(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[;|\n]", value)
    elif isinstance(value, (list, tuple, set)):
        parts = []
        for item in value:
            if isinstance(item, (dict, list, tuple, set)):
                raise TypeError(f"keyword {item!r} is not text")
            parts.extend(re.split(r"[;|\n]", str(item)) if item is not None else [])
    else:
        parts = [str(value)]
    return [p.strip() for p in parts if p and p.strip()]


def _collect(entries: Iterable[tuple[Any, Any, Any]], where: str) -> list[TaxonomyTag]:
    tags: dict[str, TaxonomyTag] = {}
    for raw_name, description, keywords in entries:
        if raw_name is None or not str(raw_name).strip():
            raise ValueError(f"{where}: an entry has no tag name")
        name = normalize_tag(str(raw_name))
        if not name:
            raise ValueError(f"{where}: tag {raw_name!r} has no letters or digits")
        try:
            kws = _split_keywords(keywords)
        except TypeError as exc:
            raise ValueError(f"{where}: tag {raw_name!r}: {exc}") from None
        if not kws:
            kws = [name.replace("_", " ")]
        tag = tags.setdefault(name, TaxonomyTag(name=name))
        if description and not tag.description:
            tag.description = str(description).strip()
        for kw in kws:  # duplicate rows for one tag merge their keywords
            if kw.lower() not in {k.lower() for k in tag.keywords}:
                tag.keywords.append(kw)
    if not tags:
        raise ValueError(f"{where}: no tags found")
    return list(tags.values())


def _from_yaml(data: Any, where: str) -> list[TaxonomyTag]:
    if isinstance(data, dict) and len(data) == 1:
        (key, value), = data.items()
        if str(key).lower() in ("tags", "taxonomy") and isinstance(value, (list, dict)):
            data = value
    entries = []
    if isinstance(data, list):
        for i, item in enumerate(data, 1):
            if isinstance(item, str):
                entries.append((item, "", None))
                continue
            if not isinstance(item, dict):
                raise ValueError(f"{where}: entry {i} is {type(item).__name__}, "
                                 "expected a mapping with 'tag' and 'keywords'")
            low = {str(k).lower(): v for k, v in item.items()}
            name = low.get("tag", low.get("name"))
            if name is None:
                raise ValueError(f"{where}: entry {i} has no 'tag'")
            entries.append((name, low.get("description") or "",
                            low.get("keywords", low.get("keyword"))))
    elif isinstance(data, dict):
        for name, value in data.items():
            if isinstance(value, dict):
                low = {str(k).lower(): v for k, v in value.items()}
                entries.append((name, low.get("description") or "",
                                low.get("keywords", low.get("keyword"))))
            elif value is None or isinstance(value, (str, list)):
                entries.append((name, "", value))
            else:
                raise ValueError(f"{where}: tag {name!r} maps to "
                                 f"{type(value).__name__}, expected keywords")
    elif data is None:
        raise ValueError(f"{where}: the file is empty")
    else:
        raise ValueError(f"{where}: expected a list of tags or a mapping of tag -> "
                         f"keywords, got {type(data).__name__}")
    return _collect(entries, where)


def _from_csv(text: str, where: str) -> list[TaxonomyTag]:
    rows = list(csv.reader(text.splitlines()))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{where}: the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    col = {h: i for i, h in enumerate(header)}
    name_col = col.get("tag", col.get("name"))
    if name_col is None:
        raise ValueError(f"{where}: no 'tag' column (columns: tag, description, keywords;"
                         f" found: {', '.join(h for h in header if h) or 'none'})")
    kw_col = col.get("keywords", col.get("keyword"))
    desc_col = col.get("description")

    def cell(row: list[str], i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""

    entries = [(cell(r, name_col), cell(r, desc_col), cell(r, kw_col)) for r in rows[1:]]
    for n, (name, _, _) in enumerate(entries, 2):
        if not name:
            raise ValueError(f"{where}: row {n} has an empty tag")
    return _collect(entries, where)


def load_taxonomy(path: str | Path) -> list[TaxonomyTag]:
    """Read a taxonomy from YAML (.yaml/.yml/.json) or CSV.

    YAML: a list of ``{tag, description, keywords: [...]}`` or a mapping
    ``tag -> {description, keywords}`` (or ``tag -> [keywords]``). CSV: columns
    ``tag, description, keywords`` with keywords separated by ``;`` or ``|``.
    A tag without keywords matches its own name. Raises ValueError naming the
    file and the reason.
    """
    path = Path(path)
    where = f"taxonomy file {path}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"{where}: not found") from None
    except UnicodeDecodeError:
        raise ValueError(f"{where}: not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"{where}: cannot read ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise ValueError(f"{where}: invalid YAML{at}") from None
        return _from_yaml(data, where)
    if suffix in (".csv", ".tsv"):
        if suffix == ".tsv":
            text = "\n".join(",".join(f'"{c}"' for c in line.split("\t"))
                             for line in text.splitlines())
        try:
            return _from_csv(text, where)
        except csv.Error as exc:
            raise ValueError(f"{where}: invalid CSV ({exc})") from None
    raise ValueError(f"{where}: unsupported format {suffix or '(no extension)'}; "
                     "use .yaml, .yml or .csv")


# ------------------------------------------------------------------- tagger --

def _is_sentence_start(doc, i: int) -> bool:
    """Rule of thumb on a tokenizer-only doc: after . ! ? … or a line break."""
    if i <= 0:
        return True
    prev = doc[i - 1]
    if prev.is_space:
        return "\n" in prev.text or _is_sentence_start(doc, i - 1)
    return prev.is_punct and prev.text[-1] in ".!?\u2026"


def _asks(doc, qmark: int) -> bool:
    """Is the '?' at doc[qmark] a real question (not "..., you know?" or an echo)?"""
    prev = qmark - 1
    while prev >= 0 and (doc[prev].is_space or doc[prev].is_punct):
        prev -= 1
    if prev < 0 or doc[prev].lower_ in TAG_QUESTION_WORDS:
        return False
    words = 0
    for i in range(prev, -1, -1):  # back to the previous sentence end
        tok = doc[i]
        if i < prev and _is_sentence_start(doc, i + 1):
            break
        if not (tok.is_punct or tok.is_space):
            words += 1
            if words >= QUESTION_MIN_WORDS:
                return True
    return False


class Tagger:
    """Fills ``tags``, ``sentiment`` and ``entities`` of snippet drafts in place."""

    def __init__(self, taxonomy: list[TaxonomyTag] | None = None, use_trained: bool = True):
        self.nlp = rh_nlp.sentencizer()
        self.ner = rh_nlp.trained() if use_trained else None
        if self.ner is not None and "ner" not in self.ner.pipe_names:
            self.ner = None
        self._ner_disable = rh_nlp.ner_only_disable(self.ner) if self.ner is not None else []
        self.taxonomy = list(taxonomy or [])
        self.vader = SentimentIntensityAnalyzer()
        self.vader_rules = SentimentIntensityAnalyzer()
        for word in VADER_FILLER:
            self.vader_rules.lexicon.pop(word, None)
        self._build_matchers()

    @property
    def entities_on(self) -> bool:
        return self.ner is not None

    def _phrases(self, matcher: PhraseMatcher, key: str, phrases: Iterable[str]) -> None:
        texts = sorted({v for p in phrases for v in _apostrophe_variants(p.lower())})
        matcher.add(key, list(self.nlp.tokenizer.pipe(texts)))

    def _build_matchers(self) -> None:
        vocab = self.nlp.vocab
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self._phrases(self.phrases, "pain", PAIN_PHRASES + PAIN_COMBOS)
        self._phrases(self.phrases, "pain_neg", PAIN_WORDS)
        self._phrases(self.phrases, "pain_exclude", PAIN_EXCLUDE)
        self._phrases(self.phrases, "product", PRODUCT_WORDS)
        self._phrases(self.phrases, FEATURE_REQUEST, FEATURE_PHRASES + FEATURE_COMBOS)
        self._phrases(self.phrases, "praise", PRAISE_PHRASES)
        self._phrases(self.phrases, "praise_neg", PRAISE_WORDS)
        self._phrases(self.phrases, "question_open", QUESTION_OPENERS)
        self._phrases(self.phrases, WORKAROUND, WORKAROUND_PHRASES)
        self._phrases(self.phrases, "request", REQUEST_PHRASES)
        for kind, phrases in FOLLOW_PHRASES.items():
            self._phrases(self.phrases, "follow:" + kind, phrases)

        self.tax_phrases = PhraseMatcher(vocab, attr="LOWER")
        self.tax_prefix = Matcher(vocab)
        self._tax_names: dict[int, str] = {}
        for tag in self.taxonomy:
            key = f"tax::{tag.name}"
            self._tax_names[vocab.strings.add(key)] = tag.name
            exact = [k for k in tag.keywords if not k.rstrip().endswith("*")]
            prefix = [k.rstrip()[:-1].strip() for k in tag.keywords if k.rstrip().endswith("*")]
            if exact:
                self._phrases(self.tax_phrases, key, exact)
            patterns = []
            for kw in prefix:
                toks = [t.text.lower() for t in self.nlp.make_doc(kw)]
                if not toks:
                    continue
                pat: list[dict[str, Any]] = [{"LOWER": t} for t in toks[:-1]]
                pat.append({"LOWER": {"REGEX": "^" + re.escape(toks[-1])}})
                patterns.append(pat)
            if patterns:
                self.tax_prefix.add(key, patterns)

    # -- rules --------------------------------------------------------------

    @staticmethod
    def _negated(doc, start: int, extra: tuple[str, ...] = ()) -> bool:
        """A negation (or modal, via extra) in the few tokens before doc[start]."""
        i = start - 1
        seen = 0
        while i >= 0 and seen < NEGATION_WINDOW:
            tok = doc[i]
            if tok.is_space:
                i -= 1
                continue
            low = tok.lower_
            if tok.is_punct and low not in ("'", "\u2019"):
                return False
            if low in NEG or low in extra:
                return True
            seen += 1
            i -= 1
        return False

    def rule_tags(self, doc, compound: float) -> set[str]:
        """Rule tags of one participant snippet (a doc of the sentencizer pipeline)."""
        strings = self.nlp.vocab.strings
        found: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in self.phrases(doc):
            name = strings[key]
            if name.startswith("follow:"):
                kind = name[len("follow:"):]
                if not _follow_ok(kind, doc, start, end):
                    continue
                name = FOLLOW_TAG[kind]
            found.setdefault(name, []).append((start, end))
        tags: set[str] = set()
        excluded = found.get("pain_exclude", [])

        def inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
            return any(s <= span[0] and span[1] <= e for s, e in spans)

        def overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
            return any(span[0] < e and s < span[1] for s, e in spans)

        feature_spans = found.get(FEATURE_REQUEST, [])
        pain = any(not inside(sp, excluded) for sp in found.get("pain", []))
        pain = pain or any(
            not inside(sp, excluded) and not self._negated(doc, sp[0])
            for sp in found.get("pain_neg", []))
        if (not pain and compound <= PAIN_VADER_MAX and "product" in found
                and self._rule_compound(doc) <= PAIN_VADER_MAX):
            pain = True
        if pain:
            tags.add(PAIN_POINT)
        if feature_spans:
            tags.add(FEATURE_REQUEST)
        modal = tuple(MODAL)
        praise = any(
            not overlaps(sp, feature_spans) and not self._negated(doc, sp[0], modal)
            for sp in found.get("praise", []))
        praise = praise or any(
            not overlaps(sp, feature_spans) and not self._negated(doc, sp[0], modal)
            for sp in found.get("praise_neg", []))
        # VADER alone says praise only when no other rule explains the tone
        # ("it would be great if ..." is a request, not praise).
        workaround = WORKAROUND in found
        question = ("?" in doc.text and any(
            _asks(doc, t.i) for t in doc if t.is_punct and "?" in t.text)) or any(
            _is_sentence_start(doc, s) for s, _ in found.get("question_open", []))
        if (not praise and compound >= PRAISE_VADER_MIN and not pain and not question
                and not feature_spans and not workaround and "request" not in found
                and self._rule_compound(doc) >= PRAISE_VADER_MIN):
            praise = True
        if praise:
            tags.add(PRAISE)
        if question:
            tags.add(QUESTION)
        if workaround:
            tags.add(WORKAROUND)
        return tags

    def _rule_compound(self, doc) -> float:
        """VADER compound without conversational filler words (for rule decisions)."""
        return float(self.vader_rules.polarity_scores(doc.text)["compound"])

    def taxonomy_tags(self, doc) -> set[str]:
        if not self.taxonomy:
            return set()
        keys = {k for k, _, _ in self.tax_phrases(doc)}
        if len(self.tax_prefix):
            keys.update(k for k, _, _ in self.tax_prefix(doc))
        return {self._tax_names[k] for k in keys}

    def sentiment(self, text: str) -> float:
        return round(float(self.vader.polarity_scores(text)["compound"]), 3)

    # -- main entry ---------------------------------------------------------

    def tag(self, drafts: list[SnippetDraft]) -> None:
        """Fill tags, sentiment and entities of ``drafts`` in place, in batches."""
        if not drafts:
            return
        participants = [d for d in drafts if d.role != INTERVIEWER]
        for d in drafts:
            d.sentiment = self.sentiment(d.text)
            if d.role == INTERVIEWER:
                d.tags = []
                d.entities = []
        texts = [d.text for d in participants]
        # Tokenizer only: the rules need tokens, not the sentencizer's boundaries.
        for d, doc in zip(participants, self.nlp.tokenizer.pipe(texts, batch_size=PIPE_BATCH)):
            tags = self.rule_tags(doc, d.sentiment) | self.taxonomy_tags(doc)
            tags.update(normalize_tag(t) for t in d.tags)  # keep tags set upstream
            d.tags = sorted(t for t in tags if t)
            d.entities = []
        if self.ner is not None and participants:
            for d, doc in zip(participants, self.ner.pipe(
                    texts, batch_size=PIPE_BATCH, disable=self._ner_disable)):
                d.entities = [
                    {"text": ent.text, "label": ent.label_,
                     "start": ent.start_char, "end": ent.end_char}
                    for ent in doc.ents if ent.label_ in ENTITY_LABELS
                ]


def tag_drafts(drafts: list[SnippetDraft], taxonomy: list[TaxonomyTag] | None = None,
               use_trained: bool = True) -> None:
    """One-shot helper: ``Tagger(taxonomy, use_trained).tag(drafts)``."""
    Tagger(taxonomy=taxonomy, use_trained=use_trained).tag(drafts)
