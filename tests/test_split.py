"""Speaker turns -> snippets: provenance, boundaries, fillers, context, times, labels."""
from __future__ import annotations

import random

import pytest

from research_hub.ingest.split import participant_label, split_document, trim_context
from research_hub.ingest.types import (INTERVIEWER, PARTICIPANT, Cue, IngestError, ParsedDocument,
                          SnippetDraft, Turn)
from research_hub.core import nlp


def make_doc(turns: list[tuple], sep: str = "\n") -> ParsedDocument:
    """turns: (speaker, role, text[, extra Turn kwargs]) -> 'Speaker: text' lines."""
    text, out = "", []
    for item in turns:
        speaker, role, body = item[:3]
        extra = item[3] if len(item) > 3 else {}
        label = f"{speaker}: "
        start = len(text) + len(label)
        out.append(Turn(speaker=speaker, role=role, start=start, end=start + len(body),
                        line=text.count("\n") + 1, **extra))
        text += label + body + sep
    return ParsedDocument(text=text, turns=out)


def check_invariants(doc: ParsedDocument, snips: list[SnippetDraft], max_chars: int = 400):
    for s in snips:
        assert doc.text[s.char_start:s.char_end] == s.text
        assert s.text and not s.text[0].isspace() and not s.text[-1].isspace()
        assert len(s.text) <= max_chars
        assert s.line == doc.text.count("\n", 0, s.char_start) + 1
        owners = [t for t in doc.turns if t.start <= s.char_start and s.char_end <= t.end]
        assert len(owners) == 1, "a snippet lies inside exactly one turn"
        assert owners[0].speaker == s.speaker and owners[0].role == s.role


def n_sentences(text: str) -> int:
    return sum(1 for s in nlp.sentencizer()(text).sents if s.text.strip())


INTERVIEW = [
    ("Interviewer", INTERVIEWER, "Thanks for joining. How do you export your data today?"),
    ("Interviewee", PARTICIPANT,
     "Yeah. So honestly the export is slow. It takes forever when I have a big project. "
     "I end up copying it into a spreadsheet. Then I fix the dates by hand. "
     "It is annoying, to be honest. Anyway, that is what I do."),
    ("Interviewer", INTERVIEWER, "What happens when it fails?"),
    ("Interviewee", PARTICIPANT, "Mm-hmm."),
    ("Interviewee", PARTICIPANT, "I just start over. 😩 Every time. Naïve me thought it would "
     "be fixed by now — it isn't.\nThe second line of this turn\nwraps here."),
]


def test_offsets_are_exact_on_every_snippet():
    doc = make_doc(INTERVIEW)
    snips = split_document(doc, "interview_1.txt")
    assert snips
    check_invariants(doc, snips)
    emoji = [s for s in snips if "😩" in s.text]
    assert emoji and doc.text[emoji[0].char_start:emoji[0].char_end] == emoji[0].text


def test_unicode_and_multiline_turn_offsets():
    body = ("Ça marche — mais c'est lent 🐢🐢. Der Export dauert ewig… 导出很慢。\n"
            "Second line 👍🏽 with a family emoji 👨‍👩‍👧 inside.\n\n"
            "New paragraph without a full stop\nand a wrapped line. Last one!")
    doc = make_doc([("Léa", PARTICIPANT, body)])
    snips = split_document(doc, "unicode.md")
    check_invariants(doc, snips)
    covered = "".join(s.text for s in snips)
    assert "".join(body.split()) == "".join(covered.split()), "no text is lost"
    # A blank line is a boundary: the new paragraph starts a sentence.
    assert any(s.text.startswith("New paragraph") for s in snips) or any(
        "\n\nNew paragraph" in s.text for s in snips)


def test_one_to_three_sentences_per_snippet():
    body = " ".join(f"This is sentence number {i} about the export screen." for i in range(1, 8))
    doc = make_doc([("Ana", PARTICIPANT, body)])
    snips = split_document(doc, "d")
    check_invariants(doc, snips)
    assert [n_sentences(s.text) for s in snips] == [3, 3, 1]
    for max_sentences in (1, 2):
        snips = split_document(doc, "d", max_sentences=max_sentences)
        assert all(1 <= n_sentences(s.text) <= max_sentences for s in snips)
        assert len(snips) == -(-7 // max_sentences)


def test_snippets_never_cross_turns():
    doc = make_doc([("Ana", PARTICIPANT, "Short one."), ("Ben", PARTICIPANT, "Another."),
                    ("Ana", PARTICIPANT, "Third turn here."), ("Ben", PARTICIPANT, "Yes.")])
    snips = split_document(doc, "d")
    check_invariants(doc, snips)
    assert [(s.speaker, s.text) for s in snips] == [
        ("Ana", "Short one."), ("Ben", "Another."), ("Ana", "Third turn here."), ("Ben", "Yes.")]


def test_length_bound_packs_fewer_sentences():
    sent = "The export takes a very long time on big workspaces with many rows. "
    doc = make_doc([("Ana", PARTICIPANT, (sent * 6).strip())])
    snips = split_document(doc, "d", max_chars=150)
    check_invariants(doc, snips, max_chars=150)
    assert all(n_sentences(s.text) == 2 for s in snips)


def test_long_sentence_is_cut_at_word_boundaries():
    words = [f"word{i}" for i in range(300)]
    body = " ".join(words) + "."
    doc = make_doc([("Ana", PARTICIPANT, body)])
    snips = split_document(doc, "d", max_chars=100)
    check_invariants(doc, snips, max_chars=100)
    assert len(snips) > 1
    for s in snips:
        before = doc.text[s.char_start - 1]
        after = doc.text[s.char_end] if s.char_end < len(doc.text) else "\n"
        assert before.isspace() and (after.isspace() or after == "."), "cut between words"
    assert " ".join(s.text for s in snips).replace(".", "").split() == words


def test_long_sentence_prefers_clause_boundary():
    body = ("When I open the big project, " * 20).strip()
    doc = make_doc([("Ana", PARTICIPANT, body)])
    snips = split_document(doc, "d", max_chars=120)
    check_invariants(doc, snips, max_chars=120)
    assert all(s.text.endswith(",") for s in snips[:-1])


def test_a_single_huge_word_is_cut_hard():
    url = "https://example.com/" + "a" * 900
    doc = make_doc([("Ana", PARTICIPANT, f"See {url} please.")])
    snips = split_document(doc, "d", max_chars=400)
    check_invariants(doc, snips)
    assert "".join(s.text for s in snips).replace(" ", "") == f"See{url}please."


@pytest.mark.parametrize("filler", ["Yeah.", "Mm-hmm.", "Right, okay.", "Yes, exactly."])
def test_leading_filler_is_merged_with_the_next_sentence(filler):
    body = f"{filler} The export button is hard to find. It is hidden in a menu. And grey."
    doc = make_doc([("Ana", PARTICIPANT, body)])
    snips = split_document(doc, "d")
    check_invariants(doc, snips)
    # The closing "And grey." is too short to stand alone: it joins the sentence before it,
    # so the opener and its sentence make the first snippet.
    assert [s.text for s in snips] == [f"{filler} The export button is hard to find.",
                                       "It is hidden in a menu. And grey."]
    # Fillers count as sentences: with max_sentences=1 they may stand alone.
    snips = split_document(doc, "d", max_sentences=1)
    assert all(n_sentences(s.text) == 1 for s in snips)


def test_filler_at_group_boundary_moves_to_the_next_snippet():
    body = ("The export is slow on big projects. It times out after a minute. Yeah. "
            "So I split the project into smaller ones first.")
    doc = make_doc([("Ana", PARTICIPANT, body)])
    snips = split_document(doc, "d")
    check_invariants(doc, snips)
    assert [s.text for s in snips] == [
        "The export is slow on big projects. It times out after a minute.",
        "Yeah. So I split the project into smaller ones first."]
    assert not any(s.text in ("Yeah.", "Mm-hmm.") for s in snips)


def test_trailing_filler_joins_the_snippet_before():
    body = "The export is slow. It times out. Mm-hmm."
    doc = make_doc([("Ana", PARTICIPANT, body)])
    assert [s.text for s in split_document(doc, "d")] == [body]


def test_a_turn_that_is_only_filler_gives_no_snippet_in_a_conversation():
    doc = make_doc([("Interviewer", INTERVIEWER, "Did you use the export?"),
                    ("Ana", PARTICIPANT, "Yeah."),
                    ("Interviewer", INTERVIEWER, "Okay."),
                    ("Ana", PARTICIPANT, "It was slow.")])
    snips = split_document(doc, "d")
    assert [s.text for s in snips] == ["Did you use the export?", "Okay.", "It was slow."]
    # the interviewer's "Okay." is not the question the next answer replies to
    assert snips[2].context == "Did you use the export?"
    # without an interviewer (a feedback item, a note) a bare "Yeah." is still a snippet
    alone = make_doc([("Ana", PARTICIPANT, "Yeah.")])
    assert [s.text for s in split_document(alone, "d")] == ["Yeah."]


def test_context_is_the_preceding_interviewer_question():
    doc = make_doc(INTERVIEW)
    snips = split_document(doc, "interview_1.txt")
    first_answer = [s for s in snips if s.role == PARTICIPANT and "export is slow" in s.text][0]
    assert first_answer.context == "Thanks for joining. How do you export your data today?"
    later = [s for s in snips if "start over" in s.text][0]
    assert later.context == "What happens when it fails?"
    assert all(s.context is None for s in snips if s.role == INTERVIEWER)


def test_context_none_before_any_interviewer_and_long_questions_trimmed():
    long_q = ("Let me give you some background first. " * 15) + "How do you share reports?"
    doc = make_doc([("Ana", PARTICIPANT, "I start talking first."),
                    ("Interviewer", INTERVIEWER, long_q),
                    ("Ana", PARTICIPANT, "By email, mostly.")])
    snips = split_document(doc, "d")
    assert snips[0].context is None
    ctx = snips[-1].context
    assert ctx is not None and len(ctx) <= 301 and ctx.endswith("How do you share reports?")
    assert ctx.startswith("\u2026") and ctx[1:].split(" ")[0] in long_q.split(" ")
    assert trim_context("  a\n  short   question?  ") == "a short question?"


def test_cue_times_are_mapped_to_snippets():
    s1, s2, s3 = ("The export is slow.", "It crashes on big files.", "I use a spreadsheet.")
    body = f"{s1} {s2}\n{s3}"
    doc = make_doc([("Ana", PARTICIPANT, body)])
    t = doc.turns[0]
    a, b, c = t.start, t.start + len(s1) + 1, t.start + len(s1) + 1 + len(s2) + 1
    t.cues = [Cue(a, a + len(s1), 10.0, 12.5), Cue(b, b + len(s2), 12.5, 15.0),
              Cue(c, c + len(s3), 15.0, 18.0)]
    t.start_time, t.end_time = 10.0, 18.0
    snips = split_document(doc, "d", max_sentences=1)
    assert [(s.start_time, s.end_time) for s in snips] == [(10.0, 12.5), (12.5, 15.0),
                                                          (15.0, 18.0)]
    snips = split_document(doc, "d", max_sentences=2)
    assert [(s.start_time, s.end_time) for s in snips] == [(10.0, 15.0), (15.0, 18.0)]


def test_turn_times_used_without_cues():
    doc = make_doc([("Ana", PARTICIPANT, "One. Two is here. Three is here.",
                     {"start_time": 61.0, "end_time": 75.5})])
    snips = split_document(doc, "d", max_sentences=1)
    assert all((s.start_time, s.end_time) == (61.0, 75.5) for s in snips)
    doc = make_doc([("Ana", PARTICIPANT, "No times at all.")])
    s = split_document(doc, "d")[0]
    assert (s.start_time, s.end_time) == (None, None)


@pytest.mark.parametrize("label", ["Interviewee", "Participant", "Respondent", "Customer",
                                   "User", "Speaker", "Speaker 2", "SPEAKER_01", "Author",
                                   "Unknown", "participant 3"])
def test_generic_participant_labels_are_qualified(label):
    doc = make_doc([("Interviewer", INTERVIEWER, "Why?"), (label, PARTICIPANT, "Because.")])
    snips = split_document(doc, "acme_call.vtt")
    assert snips[1].participant == f"{label} (acme_call.vtt)"
    assert snips[0].participant == "Interviewer" and snips[0].role == INTERVIEWER


def test_named_and_explicit_participants_kept():
    doc = make_doc([("Maria", PARTICIPANT, "I like it."),
                    ("Interviewee", PARTICIPANT, "Me too.", {"participant": "P7"}),
                    ("Moderator", INTERVIEWER, "Great.")])
    assert [s.participant for s in split_document(doc, "d")] == ["Maria", "P7", "Moderator"]
    assert participant_label(Turn("", PARTICIPANT, 0, 0, 1), "x.csv") == "Unknown (x.csv)"


def test_meta_is_copied_per_snippet():
    meta = {"rating": 2, "source": "app store"}
    doc = make_doc([("Customer", PARTICIPANT, "Crashes daily. Please fix it. So slow. Ugh, again.",
                     {"meta": meta})])
    snips = split_document(doc, "reviews.csv", max_sentences=1)
    assert len(snips) >= 2 and all(s.meta == meta for s in snips)
    snips[0].meta["rating"] = 5
    assert meta["rating"] == 2 and snips[1].meta["rating"] == 2


def test_interviewer_turns_are_split_too():
    doc = make_doc(INTERVIEW)
    roles = {s.role for s in split_document(doc, "d")}
    assert roles == {INTERVIEWER, PARTICIPANT}


def test_empty_and_whitespace_turns_give_nothing():
    doc = make_doc([("Ana", PARTICIPANT, "   \n  "), ("Ben", PARTICIPANT, "")])
    assert split_document(doc, "d") == []
    assert split_document(ParsedDocument(text="", turns=[]), "d") == []


def test_turn_outside_text_is_a_clear_error():
    doc = ParsedDocument(text="short", turns=[Turn("Ana", PARTICIPANT, 0, 50, 1)])
    with pytest.raises(IngestError, match="bad.txt"):
        split_document(doc, "bad.txt")


def test_random_text_keeps_all_invariants():
    rng = random.Random(7)
    pieces = ["export", "is", "slow", "Yeah.", "ok", "😩", "Ça", "va", "—", "?", "!", ".",
              "\n", "\n\n", "  ", "e.g.", "Mm-hmm.", "https://x.io/" + "q" * 60, "导出", "…",
              "don't", "3.5", "\t"]
    turns = []
    for i in range(60):
        body = "".join(rng.choice(pieces) + rng.choice([" ", "", " ", "\n"])
                       for _ in range(rng.randint(0, 120)))
        role = INTERVIEWER if i % 3 == 0 else PARTICIPANT
        turns.append((f"S{i % 4}", role, body))
    doc = make_doc(turns)
    for max_chars, max_sentences in ((400, 3), (60, 2), (25, 1)):
        snips = split_document(doc, "random", max_chars=max_chars, max_sentences=max_sentences)
        check_invariants(doc, snips, max_chars=max_chars)
        starts = [s.char_start for s in snips]
        assert starts == sorted(starts)
        assert all(a.char_end <= b.char_start for a, b in zip(snips, snips[1:]))


# -- fragments, acknowledgements, reading form --------------------------------

def _words(text: str) -> int:
    from research_hub.ingest.split import word_count

    return word_count(text)


def test_a_lower_case_piece_joins_the_sentence_before_it():
    body = ("I kept asking the model for the grades. asking. "
            "Then the export failed twice in a row and I gave up on it.")
    doc = make_doc([("Ana", PARTICIPANT, body)])
    snips = split_document(doc, "d", max_sentences=2)
    check_invariants(doc, snips)
    assert [s.text for s in snips] == [
        "I kept asking the model for the grades. asking.",
        "Then the export failed twice in a row and I gave up on it."]


def test_short_pieces_join_a_neighbour_when_bounds_allow():
    body = "All. The. Time. ChatGPT is my best friend when it comes to captions."
    doc = make_doc([("Ana", PARTICIPANT, body)])
    snips = split_document(doc, "d", max_sentences=5)
    assert [s.text for s in snips] == [body]


def test_a_long_sentence_is_cut_into_even_pieces():
    sentence = ("so I would take the model of the grades and, uh, during that time, "
                + "I would go through every single column and check it against the paper copy "
                * 5).strip() + " and then finish."
    assert 400 < len(sentence) < 800
    doc = make_doc([("Ana", PARTICIPANT, sentence)])
    snips = split_document(doc, "d")
    check_invariants(doc, snips)
    assert len(snips) == 2
    assert all(_words(s.text) >= 20 for s in snips)
    assert abs(len(snips[0].text) - len(snips[1].text)) < 120


def test_no_short_snippet_could_have_joined_a_neighbour():
    """A snippet under four words that is not its whole turn only exists when
    joining either neighbour in the turn would break max_sentences or max_chars."""
    rng = random.Random(11)
    short = ["Yeah.", "asking.", "Right, okay.", "No.", "So.", "The.", "and then,", "Hmm."]
    long = ["The export takes far too long on the big projects we run.",
            "I usually copy everything into a spreadsheet before the meeting.",
            "Then we argue about which number is the right one for a while.",
            "it never lines up with the bank feed we see at the end of the month."]
    turns = []
    for i in range(80):
        body = " ".join(rng.choice(short if rng.random() < 0.4 else long)
                        for _ in range(rng.randint(1, 9)))
        turns.append((f"S{i % 3}", PARTICIPANT, body))
    doc = make_doc(turns)
    for max_chars, max_sentences in ((400, 3), (160, 2), (400, 5)):
        snips = split_document(doc, "d", max_chars=max_chars, max_sentences=max_sentences)
        check_invariants(doc, snips, max_chars=max_chars)
        for index, s in enumerate(snips):
            turn = next(t for t in doc.turns if t.start <= s.char_start and s.char_end <= t.end)
            if _words(s.text) >= 4 or (s.char_start, s.char_end) == (turn.start, turn.end):
                continue
            for other in (snips[index - 1] if index else None,
                          snips[index + 1] if index + 1 < len(snips) else None):
                if other is None or not (turn.start <= other.char_start < turn.end):
                    continue
                lo, hi = min(s.char_start, other.char_start), max(s.char_end, other.char_end)
                merged = doc.text[lo:hi]
                assert hi - lo > max_chars or n_sentences(merged) > max_sentences, (s.text, merged)


@pytest.mark.parametrize("reply", ["Yeah.", "Okay, great.", "Mm-hmm.", "No, go ahead.",
                                   "Sounds great!", "Thank you!", ":)", "Nope, lets begin",
                                   "Uh-huh, right."])
def test_bare_replies_are_not_snippets_in_a_conversation(reply):
    from research_hub.ingest.split import is_bare_acknowledgement

    assert is_bare_acknowledgement(reply)
    doc = make_doc([("Interviewer", INTERVIEWER, "Shall we start with your exports?"),
                    ("Ana", PARTICIPANT, reply),
                    ("Interviewer", INTERVIEWER, "How many do you run a month?"),
                    ("Ana", PARTICIPANT, "Hundreds.")])
    snips = split_document(doc, "d")
    assert [s.text for s in snips if s.role == PARTICIPANT] == ["Hundreds."]
    assert snips[-1].context == "How many do you run a month?"


@pytest.mark.parametrize("text", ["Hundreds.", "Me too.", "Mostly poetry.", "I do not.",
                                  "Yes, they do.", "Okay, the export is slow."])
def test_short_statements_are_not_acknowledgements(text):
    from research_hub.ingest.split import is_bare_acknowledgement

    assert not is_bare_acknowledgement(text)


@pytest.mark.parametrize("text, reading", [
    ("where I, you know, fill pages", "where I fill pages"),
    ("the grades and, uh, during that time,", "the grades and during that time,"),
    ("Um, so we export it.", "So we export it."),
    ("I I think the the export is slow.", "I think the export is slow."),
    ("We, uh, we export, um, weekly.", "We export weekly."),
    ("It is slow, you know?", "It is slow."),
    ("Do you know what I mean?", "Do you know what I mean?"),
    ("I know that that is wrong.", "I know that that is wrong."),
    ("humour is an umbrella", "humour is an umbrella"),
    ("Hmm, not sure.", "Not sure."),
])
def test_reading_form_drops_fillers_and_stutters(text, reading):
    from research_hub.ingest.reading import reading_form

    assert reading_form(text) == reading


def test_reading_text_is_a_separate_field():
    body = "Um, the export is, uh, slow. I I copy it by hand."
    doc = make_doc([("Ana", PARTICIPANT, body)])
    (snip,) = split_document(doc, "d")
    assert snip.text == body and doc.text[snip.char_start:snip.char_end] == body
    assert snip.reading_text == "The export is slow. I copy it by hand."
