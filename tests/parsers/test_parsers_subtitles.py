"""WebVTT and SRT: speakers, merging, times, tags, broken cues."""
from __future__ import annotations

from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

VTT = """WEBVTT - Export call

NOTE recorded on Zoom

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>How do you export today?

2
00:00:04.500 --> 00:00:07.000
<v Maria>I export every month</v>

3
00:00:07.000 --> 00:00:09.250
<v Maria>and it <i>takes</i> an hour &amp; a half.

4
00:00:10.000 --> 00:00:11.000
the button is hidden.

5
00:00:12.000 --> 00:00:13.500 align:start
<v.loud Interviewer>Why <b>hidden</b>?
"""


def test_vtt_voice_tags_merge_and_times(parse, spoken):
    doc = parse("call.vtt", VTT)
    assert doc.text == (
        "Interviewer: How do you export today?\n"
        "Maria: I export every month and it takes an hour & a half. the button is hidden.\n"
        "Interviewer: Why hidden?"
    )
    assert spoken(doc) == [
        ("Interviewer", INTERVIEWER, "How do you export today?"),
        ("Maria", PARTICIPANT,
         "I export every month and it takes an hour & a half. the button is hidden."),
        ("Interviewer", INTERVIEWER, "Why hidden?"),
    ]
    maria = doc.turns[1]
    assert (maria.start_time, maria.end_time) == (4.5, 11.0)
    assert [(doc.text[c.start:c.end], c.start_time, c.end_time) for c in maria.cues] == [
        ("I export every month", 4.5, 7.0),
        ("and it takes an hour & a half.", 7.0, 9.25),
        ("the button is hidden.", 10.0, 11.0),
    ]
    assert [t.line for t in doc.turns] == [1, 2, 3]
    assert doc.title == "Export call"
    assert doc.kind_hint == "interview"
    assert doc.metadata["cues"] == 5


def test_vtt_name_prefix_and_several_voices_in_one_cue(parse, spoken):
    text = ("WEBVTT\n\n00:01.000 --> 00:02.000\nJane: What tools?\n\n"
            "00:02.000 --> 00:04.000\n<v Tom>Excel.</v> <v Jane>Why?</v>\n\n"
            "00:04.000 --> 00:05.000\nJane: Really?\n")
    doc = parse("x.vtt", text)
    assert spoken(doc) == [("Jane", INTERVIEWER, "What tools?"),
                           ("Tom", PARTICIPANT, "Excel."),
                           ("Jane", INTERVIEWER, "Why? Really?")]
    assert doc.turns[1].cues[0].start_time == 2.0


def test_vtt_broken_timestamp_cue_is_skipped(parse, spoken):
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Hello there.\n\n"
            "00:00:xx.000 --> 00:00:03.000\n<v Ann>lost cue\n\n"
            "00:00:04.000 --> 00:00:05.000\n<v Ann>Still here.\n")
    doc = parse("x.vtt", text)
    assert spoken(doc) == [("Ann", PARTICIPANT, "Hello there. Still here.")]
    assert doc.metadata["skipped_cues"] == 1


def test_vtt_without_speakers_splits_on_pauses(parse, spoken):
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfirst part\n\n"
            "00:00:02.500 --> 00:00:03.000\nsecond part\n\n"
            "00:00:09.000 --> 00:00:10.000\nafter a pause\n")
    doc = parse("x.vtt", text)
    assert spoken(doc) == [("Unknown", PARTICIPANT, "first part second part"),
                           ("Unknown", PARTICIPANT, "after a pause")]


def test_vtt_tags_are_removed_not_rendered(parse):
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
            "<v Ann><c.yellow>a &lt;script&gt; x</c> 1 < 2 <00:00:01.500>ok\n")
    doc = parse("x.vtt", text)
    assert doc.text == "Ann: a <script> x 1 < 2 ok"


SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,500\r\nJANE: So what do you do?\r\n\r\n"
    "2\r\n00:00:03,000 --> 00:00:05,000\r\nSAM: I run ops\r\nfor a <i>bakery</i>.\r\n\r\n"
    "3\r\n00:00:05,000 --> 00:00:06,000\r\nand I hate exports.\r\n\r\n"
    "4\r\n00:00:0x,000 --> 00:00:07,000\r\nbroken\r\n\r\n"
    "5\r\n00:00:08,000 --> 00:00:09,000\r\n- JANE: Why?\r\n- SAM: {\\an8}Slow.\r\n"
)


def test_srt_prefixes_merging_and_times(parse, spoken):
    doc = parse("2024-04-01 bakery.srt", SRT)
    assert spoken(doc) == [
        ("JANE", INTERVIEWER, "So what do you do?"),
        ("SAM", PARTICIPANT, "I run ops for a bakery. and I hate exports."),
        ("JANE", INTERVIEWER, "Why?"),
        ("SAM", PARTICIPANT, "Slow."),
    ]
    sam = doc.turns[1]
    assert (sam.start_time, sam.end_time) == (3.0, 6.0)
    assert len(sam.cues) == 2
    assert doc.metadata["skipped_cues"] == 1
    assert doc.date == "2024-04-01"
    assert doc.title == "Bakery"


def test_srt_blank_line_inside_a_cue_keeps_text(parse, spoken):
    text = ("1\n00:00:01,000 --> 00:00:02,000\nAnn: one\n\ntwo\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\nBob: three?\n")
    doc = parse("x.srt", text)
    assert spoken(doc) == [("Ann", PARTICIPANT, "one two"), ("Bob", INTERVIEWER, "three?")]


def test_srt_label_whose_words_are_in_the_next_cue(parse, spoken):
    text = ("1\n00:00:01,000 --> 00:00:02,000\nAnn: Hi, why?\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\nBob:\n\n"
            "3\n00:00:04,000 --> 00:00:05,000\nbecause.\n")
    doc = parse("x.srt", text)
    assert spoken(doc) == [("Ann", INTERVIEWER, "Hi, why?"), ("Bob", PARTICIPANT, "because.")]


def test_vtt_file_holding_srt_is_read(parse):
    doc = parse("x.vtt", "1\n00:00:01,000 --> 00:00:02,000\nAnn: hi there\n")
    assert doc.text == "Ann: hi there"


def test_srt_with_webvtt_header_is_read(parse):
    doc = parse("x.srt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>hi\n")
    assert doc.text == "Ann: hi"


def test_broken_subtitles_are_refused_with_their_reason(parse_error):
    assert parse_error("x.vtt", "hello\nthere\n") == "not a WebVTT file (no WEBVTT header)"
    assert parse_error("x.srt", "just some text\n") == "no subtitle cues found"
    assert parse_error(
        "x.srt", "1\n00:00:0x,000 --> 00:00:01,000\nbad\n"
    ) == "no subtitle cues found (1 had broken timestamps)"
    assert parse_error("x.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i></i>\n").startswith(
        "no speech found")
    assert parse_error("x.vtt", "WEBVTT\n\nNOTE nothing here\n") == "no subtitle cues found"
