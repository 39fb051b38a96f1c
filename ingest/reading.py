"""A reading form of spoken text: fillers ("uh", "um", a comma-set "you know") and
stutters ("I I") dropped. For reading only: quotes, offsets and exports use the
verbatim text."""
from __future__ import annotations

import re

_FILLER_WORD = r"(?:u+h+m*|u+m+|e+r+m+|e+r+h*|h+m+|m+h*m+|a+h+|you know)"
# A filler with the commas around it: ", uh," ", you know," "Um, " ", um."
_FILLER = re.compile(
    rf"(?P<pre>,[ \t]*)?(?<![\w'\u2019-])(?P<word>{_FILLER_WORD})(?![\w'\u2019-])"
    rf"(?P<post>[ \t]*,)?",
    re.IGNORECASE,
)
_REPEAT = re.compile(r"(?<![\w'\u2019-])([^\W\d_]+(?:['\u2019][^\W\d_]+)?)"
                     r"(?:(?:[ \t]*,)?[ \t]+\1)+(?![\w'\u2019-])", re.IGNORECASE)
_REPEAT_OK = {"that", "had", "very", "no", "bye", "ha", "so", "really", "many", "more", "far",
              "again", "over", "on", "out", "around", "round", "yes", "yeah", "now", "go",
              "well", "too", "much", "knock", "la", "hey", "boo", "is", "do", "blah"}
_TAG_QUESTION = re.compile(r",[ \t]*you know\?", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE = re.compile(r"[ \t]+([,.;:!?])")
_LEADING = re.compile(r"^[\s,;:\u2014\u2013-]+")


def _drop_filler(match: re.Match) -> str:
    word = match.group("word").casefold()
    start, end = match.start(), match.end()
    text = match.string
    before = text[:start].rstrip(" \t")
    after = text[end:].lstrip(" \t")
    pre, post = match.group("pre"), match.group("post")
    if word == "you know":
        # Only the aside: commas around it, or it opens or ends a sentence.
        opens = (not before or before[-1] in ".?!;:\n\u2014") and post
        ends = pre and (not after or after[0] in ".?!;\n")
        if not (pre and post) and not opens and not ends:
            return match.group(0)
    if pre and post:
        return " "
    return " " if not pre and not post else ""


def _collapse_repeat(match: re.Match) -> str:
    word = match.group(1)
    return match.group(0) if word.casefold() in _REPEAT_OK else word


def reading_form(text: str) -> str:
    """``text`` without fillers and stutters, for reading; never for quoting."""
    out = _TAG_QUESTION.sub(".", text)  # "It is slow, you know?" is a statement
    out = _FILLER.sub(_drop_filler, out)
    out = _REPEAT.sub(_collapse_repeat, out)
    out = _SPACE_BEFORE.sub(r"\1", out)
    out = _SPACES.sub(" ", out)
    out = re.sub(r",(?:[ \t]*,)+", ",", out)
    out = re.sub(r",([.?!;:])", r"\1", out)
    out = re.sub(r"(^|\n)[ \t]*[,;:][ \t]*", r"\1", out)
    out = _LEADING.sub("", out).strip()
    if out and text.lstrip(" \t,;:\u2014\u2013-")[:1].isupper() and out[0].islower():
        out = out[0].upper() + out[1:]
    return out or text
