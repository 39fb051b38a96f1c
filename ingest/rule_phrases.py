"""Phrase tables of the rule tags (see ``ingest.rules`` for how they are used).

Phrases are tokenized with the same tokenizer as the text and matched on
LOWER, so "can't" matches "Can't" ("ca" + "n't"). Phrases with an apostrophe
also match the curly (’) and apostrophe-less ("cant") spellings.
"""
from __future__ import annotations

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

# Prefixes that count only when the next word passes a check (rules._follow_ok):
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
