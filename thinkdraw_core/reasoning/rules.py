"""Reading emotion text: clauses, intensity words, negation, masking, suppression, asymmetry, timing.

`read_text` turns the text into a `Reading`: the emotion mentions it found literally (English
or Chinese lexicon words) and the clauses left for semantic retrieval, plus every rule that
fired, so the reasoning can say why.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from . import knowledge as kb


@dataclass
class Mention:
    concept: str
    level: float
    clause: str
    phrase: str
    how: str  # "word", "Chinese word" or "similar to '...' (0.62)"
    negated: bool = False
    suppressed: bool = False
    modifier: str = ""


@dataclass
class Clause:
    text: str
    level_modifier: float | None = None
    modifier: str = ""
    negator: str = ""
    suppressed: bool = False
    residue: str = ""  # what semantic retrieval compares when no lexicon word matched


@dataclass
class Reading:
    text: str
    clauses: list[Clause] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    pending: list[Clause] = field(default_factory=list)  # clauses for the embedder
    micro: str = ""
    slow: str = ""
    fast: str = ""
    hold: str = ""
    mask_no_au6: str = ""
    asymmetric_side: str = ""
    asymmetry_word: str = ""
    notes: list[str] = field(default_factory=list)


_CJK = re.compile(r"[\u3400-\u9fff]")
_SPLIT = re.compile(
    r"[,;.!?:()\[\]\n—–]|\s-\s|\s+(?:but|yet|though|although|while|whereas|and also|and yet|and|or|mixed with|"
    r"combined with|along with|as well as|plus|then|turning into|giving way to|with a hint of|with a touch of)\s+|[，。；！？、]|但是|但|却|又|而且|同时"
)
_STOP = {"a", "an", "the", "is", "are", "was", "were", "be", "being", "feel", "feels", "feeling", "felt", "look",
         "looks", "looking", "seem", "seems", "seeming", "face", "expression", "he", "she", "they", "i", "his", "her",
         "their", "my", "at", "all", "of", "very", "that", "this", "it", "its", "who", "someone", "person", "just",
         "also", "kind", "sort", "bit"}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


@lru_cache(maxsize=1)
def _english_phrases() -> tuple[tuple[str, str, float, re.Pattern], ...]:
    """(phrase, concept, level, pattern), longest first so 'happily surprised' beats 'surprised'."""
    rows = []
    for concept, phrases in kb.LEXICON.items():
        for phrase in phrases:
            if phrase in kb.EMBEDDING_ONLY:
                continue
            pat = re.compile(r"(?<![\w'])" + re.escape(phrase).replace(r"\ ", r"[\s-]+") + r"(?![\w'])")
            rows.append((phrase, concept.name, concept.level, pat))
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def _word_pattern(words) -> re.Pattern:
    alts = sorted((re.escape(w).replace(r"\ ", r"[\s-]+") for w in words), key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])")


_INTENSITY = _word_pattern(kb.INTENSITY_WORDS)
_NEGATOR = _word_pattern(kb.NEGATORS)
_NOT_NEGATION = re.compile(r"(?:can'?t|cannot|couldn'?t) (?:stop|help)|no doubt|not only|nothing but|never been (?:so|more)")
_MICRO = _word_pattern([w for w in kb.MICRO_WORDS if not _CJK.search(w)])
_SLOW = _word_pattern([w for w in kb.SLOW_WORDS if not _CJK.search(w)])
_FAST = _word_pattern([w for w in kb.FAST_WORDS if not _CJK.search(w)])
_HOLD = _word_pattern([w for w in kb.HOLD_WORDS if not _CJK.search(w)])
_ASYM = _word_pattern([w for w in kb.ASYMMETRY_WORDS if not _CJK.search(w)])
_MASKS = [re.compile(p) for p in kb.MASK_NO_AU6]
_SUPPRESS = [re.compile(p) for p in kb.SUPPRESSION]
_SIDE = re.compile(r"\b(left|right)\b")


def _find_timing(reading: Reading, text: str) -> None:
    for attr, pat, words in (("micro", _MICRO, kb.MICRO_WORDS), ("slow", _SLOW, kb.SLOW_WORDS),
                             ("fast", _FAST, kb.FAST_WORDS), ("hold", _HOLD, kb.HOLD_WORDS)):
        m = pat.search(text)
        hit = m.group(0) if m else next((w for w in words if _CJK.search(w) and w in text), "")
        setattr(reading, attr, hit)


def read_text(text: str) -> Reading:
    if not isinstance(text, str):
        raise ValueError(f"text must be a string describing an emotion, got {type(text).__name__}")
    reading = Reading(text=text)
    low = _norm(text)
    _find_timing(reading, low)

    for pat in _MASKS:
        m = pat.search(low)
        if m:
            reading.mask_no_au6 = m.group(0)
            low = low[:m.start()] + " " + low[m.end():]
    m = _ASYM.search(low) or next((re.search(re.escape(w), low) for w in kb.ASYMMETRY_WORDS
                                   if _CJK.search(w) and w in low), None)
    if m:
        reading.asymmetry_word = m.group(0)
    side = _SIDE.search(low)
    reading.asymmetric_side = side.group(1) if side else "right"

    english, chinese = _CJK.sub(" ", low), "".join(ch if _CJK.match(ch) else " " for ch in low)
    for part in _SPLIT.split(english):
        clause = _read_clause(part.strip(), reading)
        if clause:
            reading.clauses.append(clause)
    if chinese.strip():
        _read_chinese(low, reading)
    return reading


def _read_clause(part: str, reading: Reading) -> Clause | None:
    if not part or not re.search(r"[a-z]", part):
        return None
    clause = Clause(text=part)
    work = part
    for pat in _SUPPRESS:
        m = pat.search(work)
        if m:
            clause.suppressed = True
            work = work[:m.start()] + " " + work[m.end():]
    for timing in (_MICRO, _SLOW, _FAST, _HOLD):
        work = timing.sub(" ", work)
    mods = list(_INTENSITY.finditer(work))
    if mods:
        # the word furthest from 'typical' decides: "quite extremely" is extreme
        best = max(mods, key=lambda m: abs(kb.INTENSITY_WORDS[re.sub(r"[\s-]+", " ", m.group(0))] - 1.0))
        clause.modifier = best.group(0)
        clause.level_modifier = kb.INTENSITY_WORDS[re.sub(r"[\s-]+", " ", best.group(0))]
    shielded = _NOT_NEGATION.sub(" ", work)
    negs = [] if clause.suppressed else list(_NEGATOR.finditer(shielded))

    taken: list[tuple[int, int]] = []
    for phrase, concept, level, pat in _english_phrases():
        for m in pat.finditer(work):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            neg = next((n for n in negs if n.end() <= m.start() and len(shielded[n.end():m.start()].split()) <= 4), None)
            reading.mentions.append(_mention(concept, level, clause, phrase, "word", neg, m.start()))
    if not taken:
        residue = _INTENSITY.sub(" ", _NEGATOR.sub(" ", work))
        if any(w not in _STOP for w in re.findall(r"[a-z']+", residue)):
            clause.residue = " ".join(residue.split())
            clause.negator = negs[0].group(0) if negs else ""
            reading.pending.append(clause)
    return clause


def _mention(concept: str, level: float, clause: Clause, phrase: str, how: str, negator, pos: int) -> Mention:
    if clause.level_modifier is not None:
        level = clause.level_modifier * level ** 0.5
    return Mention(concept=concept, level=min(level, 1.5), clause=clause.text, phrase=phrase, how=how,
                   negated=negator is not None, suppressed=clause.suppressed, modifier=clause.modifier)


def mention_from_retrieval(clause: Clause, concept: str, level: float, phrase: str, similarity: float) -> Mention:
    m = _mention(concept, level, clause, phrase, f"similar to '{phrase}' ({similarity:.2f})",
                 clause.negator or None, 0)
    return m


def _read_chinese(low: str, reading: Reading) -> None:
    words = sorted(kb.CHINESE, key=len, reverse=True)
    taken: list[tuple[int, int]] = []
    suppressed_at = [low.find(w) for w in kb.CHINESE_SUPPRESSION if w in low]
    for word in words:
        for m in re.finditer(re.escape(word), low):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            concept, level = kb.CHINESE[word]
            before = low[max(0, m.start() - 3):m.start()]
            neg = next((n for n in kb.CHINESE_NEGATORS if before.endswith(n) or before[:-1].endswith(n)), None)
            mod = next((w for w in sorted(kb.CHINESE_INTENSITY, key=len, reverse=True)
                        if w in low[max(0, m.start() - 4):m.start()]), "")
            clause = Clause(text=word, suppressed=any(0 <= s < m.start() for s in suppressed_at))
            if mod:
                clause.level_modifier, clause.modifier = kb.CHINESE_INTENSITY[mod], mod
            reading.mentions.append(_mention(concept, level, clause, word, "Chinese word", neg, m.start()))
    # 泪 (tears) after a suppression verb reads as held-back sadness: 强忍泪水
    if suppressed_at and "泪" in low and not any(m.concept == "sadness" for m in reading.mentions):
        clause = Clause(text="泪", suppressed=True)
        reading.mentions.append(_mention("sadness", 1.0, clause, "泪", "Chinese word", None, 0))
