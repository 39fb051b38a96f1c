"""Safe rendering of user text in the UI: escaping and highlight marks (no Streamlit run)."""
from __future__ import annotations

import re
import string

from research_hub.ui.common import highlight_markdown, md_escape, tags_markdown

HOSTILE = ('<script>alert(1)</script> [click](http://evil.example) ![x](http://e/i.png) '
           ':red[boom] $x^2$ **bold** `code` # head www.evil.example a@b.co &lt; | t |')


def unescape(md: str) -> str:
    """What a markdown renderer shows for backslash-escaped text."""
    md = md.replace("  \n", "\n").replace("\u00a0", " ").replace("\u2060", "")
    return re.sub(r"\\([%s])" % re.escape(string.punctuation), r"\1", md)


def test_every_punctuation_character_is_escaped():
    out = md_escape(HOSTILE)
    # no markdown-active character survives unescaped
    assert not re.search(r"(?<!\\)[<>\[\]()*`$:#!&|]", out)
    assert unescape(out) == HOSTILE


def test_leading_spaces_and_newlines_cannot_make_blocks():
    out = md_escape("    indented code\n> quote\n1. list")
    assert out.split("  \n") == ["\u00a0" * 4 + "indented code", r"\> quote", r"1\. list"]


def test_highlights_mark_spans_and_keep_the_text():
    text = "Export [to] PDF is slow"
    out = highlight_markdown(text, [(0, 6), (19, 21), (20, 23)])
    assert out.startswith(":orange-background[Export]")
    assert out.endswith(":orange-background[slow]")
    marked = re.sub(r":orange-background\[(.*?)\]", r"\1", out.replace(r"\[", "<").replace(r"\]", ">"))
    assert unescape(marked.replace("<", r"\[").replace(">", r"\]")) == text


def test_highlight_inside_hostile_text_stays_escaped():
    text = "see [x](javascript:alert(1)) now"
    out = highlight_markdown(text, [(5, 6)])
    assert ":orange-background[x]" in out
    assert "](" not in out.replace(r"\]\(", "")


def test_out_of_range_and_empty_spans_are_ignored():
    assert highlight_markdown("abc", [(2, 99), (1, 1), (-5, 0)]) == "ab:orange-background[c]"


def test_tags_are_escaped_inside_badges():
    assert tags_markdown(["pain_point", "a]b"]) == r":blue-badge[pain\_point] :blue-badge[a\]b]"


def test_bare_urls_and_emails_cannot_become_links():
    out = md_escape("mail a.b@corp.example or www.evil.example or HTTPS://evil.example/x")
    # GFM autolinks these after escapes are resolved; a word joiner breaks each pattern
    assert "@\u2060" in out and "www\u2060" in out and "HTTPS\\:\u2060" in out
    assert unescape(out) == "mail a.b@corp.example or www.evil.example or HTTPS://evil.example/x"


def test_marks_keep_the_spaces_around_them():
    out = highlight_markdown("PDF is slow\n  and late", [(6, 11), (11, 17)])
    assert out == "PDF is :orange-background[slow]  \n\u00a0\u00a0:orange-background[and] late"
