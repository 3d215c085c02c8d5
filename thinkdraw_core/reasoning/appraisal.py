"""Appraisal: from what happened to what is felt, for texts that describe an event and name no feeling.

'A stranger cuts in front of him in the queue' says nothing about anger, yet anyone reads anger in
it: something bad happened to him, another person caused it, and that person was in the wrong. This
module makes that reading explicit, after the OCC model of emotion (Ortony, Clore & Collins 1988):
an event is appraised on a few questions, and the answers decide the feeling.

1. What happened: the text is matched to a bank of everyday situations written as data
   (thinkdraw_core/data/situations.json: losses, rejections, insults, threats, reunions, gifts,
   successes, betrayals, deaths, disgusting things, injustice...). English is compared by meaning with
   the sentence embedder the reasoner already loads; Chinese through cue words of each situation.
2. The situation brings its appraisal: to whom it happened, whether it is good or bad for them, who
   caused it and whether they are to blame, whether it came suddenly, whether it has happened or may
   still happen. Words in the text adjust the last two ('suddenly', 'might', 突然, 万一).
3. Rules turn the appraisal into emotion components: a bad event caused by someone to blame is anger
   (distress with reproach); a bad event nobody is to blame for is sadness; a bad event that may
   still come is fear, or worry when it is only uncertain; a good one is joy; anything sudden adds
   surprise; contamination is disgust; vastness is awe.

Each answer becomes one sentence of the plan's reasoning.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import knowledge as kb

DATA = Path(__file__).resolve().parent.parent / "data" / "situations.json"

# words that make an event sudden or leave it uncertain, English and Chinese
SUDDEN_WORDS = ("suddenly", "all of a sudden", "out of nowhere", "without warning", "unexpectedly", "out of the blue",
                "from nowhere", "without any warning", "突然", "忽然", "猛然", "冷不丁", "冷不防", "一下子", "毫无预兆")
UNCERTAIN_WORDS = ("might", "may", "could be", "what if", "waiting for", "waits for", "waiting to", "waits to",
                   "whether", "about to", "not yet",
                   "any minute", "hasn't heard", "has not heard", "no news", "no word", "wondering whether",
                   "wondering if", "not sure", "unsure whether", "to be tested", "be tested", "be checked", "be examined",
                   "be scanned", "more tests", "further tests", "yet to", "awaiting", "pending",
                   "万一", "可能", "也许", "会不会", "等待", "还没", "不知道", "待查", "要复查", "等结果")
# grammatical negation: a negated event is the opposite event ('did not get the job' is a rejection)
# 'nothing' and 'none' deny the event only as its subject ('nothing happens'); as an object they are the event
# itself ('the machine gives him nothing')
NEGATION = re.compile(r"n't\b|\b(?:not|never|no|nobody|no one)\b|(?:^|[,;.]\s*|\b(?:and|but|then)\s+)(?:nothing|none)\b")
_UNCERTAIN = re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(w) for w in UNCERTAIN_WORDS if w.isascii()) + r")(?![\w'])")
_SUDDEN = re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(w) for w in SUDDEN_WORDS if w.isascii()) + r")(?![\w'])")


def negated(text: str) -> bool:
    """Whether the event itself is negated; 'not yet' and 'not sure' leave it open rather than deny it."""
    low = _UNCERTAIN.sub(" ", text.lower())
    if re.search(r"\byet\b", low):  # 'the doctors have not come out yet': still open, not denied
        return False
    return bool(NEGATION.search(low))


@dataclass(frozen=True)
class Situation:
    name: str
    what: str
    whom: str
    good: float
    cause: str
    blame: bool
    sudden: bool
    certain: bool
    kind: str
    level: float
    en: tuple[str, ...]
    zh: tuple[str, ...]


@lru_cache(maxsize=1)
def situations() -> tuple[Situation, ...]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))["classes"]
    out = []
    for c in raw:
        out.append(Situation(c["name"], c["what"], c["whom"], float(c["good"]), c["cause"], bool(c["blame"]),
                             bool(c["sudden"]), bool(c["certain"]), c.get("kind", ""), float(c.get("level", 1.0)),
                             tuple(c.get("en", ())), tuple(c.get("zh", ()))))
    return tuple(out)


def examples() -> list[tuple[str, int]]:
    """(English example, situation index): the rows the embedder compares an event description with."""
    return [(text, i) for i, s in enumerate(situations()) for text in s.en]


@dataclass
class Appraisal:
    situation: Situation
    evidence: str  # the nearest example or the cue words found
    score: float  # cosine similarity (English) or share of the text covered by cues (Chinese)
    sudden: bool
    certain: bool
    level: float
    adjustments: list[str] = field(default_factory=list)
    frame: str = ""  # the event's structure read from the sentence (events.py), when it points here


def appraise(situation: Situation, evidence: str, score: float, text: str) -> Appraisal:
    """The situation's appraisal, with suddenness and certainty taken from the text's own words."""
    a = Appraisal(situation, evidence, score, situation.sudden, situation.certain, situation.level)
    low = text.lower()
    m = _SUDDEN.search(low)
    hit = m.group(0) if m else next((w for w in SUDDEN_WORDS if not w.isascii() and w in text), "")
    if hit and not a.sudden:
        a.sudden = True
        a.adjustments.append(f"'{hit}' makes it sudden")
    hit = uncertain_word(text)
    if hit and a.certain and situation.good < 0 and situation.kind not in ("contamination", "pain", "cruelty"):
        a.certain = False
        a.adjustments.append(f"'{hit}' leaves it uncertain: a prospect, not yet a fact")
    elif hit and situation.kind == "relief":
        # relief is the news that a feared thing did not happen; while the answer is still to come the fear stands
        a.certain = False
        a.adjustments.append(f"'{hit}' leaves it open: the all-clear has not come yet")
    return a


def effective_good(situation: Situation, text: str) -> float:
    """How good the situation is for them as this text tells it: the news that a feared thing did not happen
    (relief) is still the fear while the text leaves the answer open ('waiting to hear if the lump is
    cancer'), so it counts as bad, like the worry it then reads as."""
    if situation.kind == "relief" and uncertain_word(text):
        return -abs(situation.good)
    return situation.good


def uncertain_word(text: str) -> str:
    """The first word of the text that leaves the event open ('might', 'waiting for', 万一), or ''."""
    m = _UNCERTAIN.search(text.lower())
    return m.group(0) if m else next((w for w in UNCERTAIN_WORDS if not w.isascii() and w in text), "")


def match_chinese(text: str) -> tuple[Situation, str, float, float] | None:
    """(situation, cue words, coverage, runner-up coverage of the opposite valence) by the situations'
    Chinese cue words, longest first."""
    found: dict[int, list[str]] = {}
    taken: list[tuple[int, int]] = []
    cues = sorted(((cue, i) for i, s in enumerate(situations()) for cue in s.zh), key=lambda c: -len(c[0]))
    for cue, i in cues:
        for m in re.finditer(re.escape(cue), text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.setdefault(i, []).append(cue)
    if not found:
        return None
    size = max(1, sum(1 for ch in text if "\u3400" <= ch <= "\u9fff"))
    scores = {i: sum(len(c) for c in cs) / size for i, cs in found.items()}
    best = max(scores, key=scores.get)
    sits = situations()
    opposite = max((v for i, v in scores.items() if sits[i].good * sits[best].good < 0), default=0.0)
    return sits[best], "、".join(found[best]), scores[best], opposite


# --- from appraisal to emotion --------------------------------------------------------------------


def _good_text(good: float) -> str:
    if good >= 0.5:
        return "good for them"
    if good > 0:
        return "mildly good for them"
    if good <= -0.5:
        return "bad for them"
    if good < 0:
        return "mildly bad for them"
    return "neither good nor bad"


def _cause_text(s: Situation) -> str:
    if s.cause == "another person":
        return "another person, who is to blame" if s.blame else "another person"
    if s.cause == "themselves":
        return "they did it themselves" + (", and blame themselves" if s.blame else "")
    return "nobody in particular (chance or circumstance)"


def emotion_of(a: Appraisal) -> tuple[dict[str, float], float, list[str]]:
    """(prototype shares, level, reasoning sentences) for an appraisal."""
    s = a.situation
    steps = [f"Appraisal: what happened - {s.what} ("
             + (f"read from the sentence: {a.frame}; " if a.frame else "")
             + f"nearest known situation: {a.evidence!r}, "
             f"{'similarity' if a.score <= 1 and a.evidence.isascii() else 'cue coverage'} {a.score:.2f}).",
             f"Appraisal: to whom - {s.whom}.",
             f"Appraisal: good or bad - {_good_text(s.good)}.",
             f"Appraisal: caused by - {_cause_text(s)}.",
             f"Appraisal: expected or sudden - {'sudden' if a.sudden else 'not sudden'}"
             + (f" ({'; '.join(x for x in a.adjustments if 'sudden' in x)})" if any('sudden' in x for x in a.adjustments)
                else "") + ".",
             f"Appraisal: certain or not - {'it has happened' if a.certain else 'it may still happen'}"
             + (f" ({'; '.join(x for x in a.adjustments if 'uncertain' in x)})"
                if any('uncertain' in x for x in a.adjustments) else "") + "."]
    level = a.level
    kind, good = s.kind, s.good
    if kind == "contamination":
        comps, why = {"disgust": 1.0}, "something contaminating close by is disgust (the urge to get away from it)"
    elif kind == "cruelty":
        comps, why = ({"anger": 0.5, "disgust": 0.5},
                      "cruelty to the helpless is a moral violation: anger at the one to blame and moral disgust")
    elif kind == "vastness":
        comps, why = {"awed": 1.0}, "something vast that the mind has to stretch to take in is awe"
    elif kind == "pain":
        comps, why = {"pain": 1.0}, "a hurt to the body is pain"
    elif kind == "fatigue":
        comps, why = {"tiredness": 1.0}, "being worn out shows as tiredness"
    elif kind == "monotony":
        comps, why = {"boredom": 1.0}, "time dragging with nothing to engage is boredom"
    elif kind == "exposure":
        comps, why = {"embarrassment": 1.0}, "looking foolish in front of others is embarrassment"
    elif kind == "humour":
        comps, why = {"happiness": 1.0}, "something funny is amusement, a laughing joy"
    elif kind == "relief" and not a.certain:
        comps, why = {"worry": 1.0}, "a feared outcome not yet ruled out is worry"
    elif kind == "relief":
        comps, why = {"happiness": 1.0}, "a feared outcome that did not come is relief"
        level = min(level, 0.8)
    elif good < 0 and not a.certain:
        if kind == "threat":
            comps, why = {"fear": 1.0}, "a bad outcome that may be about to happen is fear"
        else:
            comps, why = {"worry": 1.0}, "a bad outcome that may or may not come is worry"
    elif good < 0 and kind == "threat_and_loss":
        comps, why = ({"sadness": 0.5, "fear": 0.5},
                      "bad news that is both a loss now and a threat to come is sorrow with fear")
    elif good < 0 and s.cause == "another person" and s.blame and kind == "betrayal":
        comps, why = ({"sadness": 0.5, "anger": 0.5},
                      "a betrayal by someone trusted is both a loss (sadness) and a wrong done by them (anger)")
    elif good < 0 and s.cause == "another person" and s.blame and s.whom != "someone else":
        comps, why = {"anger": 1.0}, "a bad event caused by someone who is to blame is anger (distress with reproach)"
    elif good < 0 and kind == "obstruction":
        comps, why = {"anger": 1.0}, "a goal blocked again and again is frustration, a mild anger"
    elif good < 0 and kind == "rivalry":
        comps, why = {"jealousy": 1.0}, "someone else getting what they wanted is envy"
    elif good < 0:
        comps, why = {"sadness": 1.0}, ("a bad event for someone else is pity, a sadness" if s.whom == "someone else"
                                        else "a bad event nobody can be blamed for is sadness (distress)")
    elif good > 0:
        comps, why = {"happiness": 1.0}, ("good news for someone they love is joy for them" if s.whom != "them"
                                          else "a good event is joy" + (", with gratitude to the one who caused it"
                                                                        if s.cause == "another person" else ""))
    else:  # an ordinary moment (kind "routine"): a resting face, unless something startles them
        comps, why = ({"surprise": 1.0}, "something unexpected, neither good nor bad, is surprise") if a.sudden else \
            ({}, "nothing in it is good or bad for them, so no feeling follows")
    if a.sudden and comps and "surprise" not in comps and kind not in ("pain", "fatigue", "monotony", "vastness"):
        comps = {**{k: v * 0.6 for k, v in comps.items()}, "surprise": 0.4}
        why += "; it came suddenly, so surprise joins it"
    spread: dict[str, float] = {}  # the named blends (jealousy) spread over prototypes
    for name, share in comps.items():
        concept = kb.CONCEPTS.get(name)
        for proto, w in (concept.components.items() if name not in kb.PROTOTYPES and concept else {name: 1.0}.items()):
            spread[proto] = spread.get(proto, 0.0) + share * w
    label = " + ".join(comps) or "neutral"
    steps.append(f"Appraisal: so the feeling is {label} - {why}.")
    return spread, level, steps
