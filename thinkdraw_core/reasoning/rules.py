"""Reading emotion text: clauses, idioms, word forms, intensity words, negation, masking, suppression,
asymmetry, timing.

`read_text` turns the text into a `Reading`: the emotion mentions it found literally (idioms and set
phrases first, then lexicon words in any of their forms, English or Chinese) and the clauses left for
semantic retrieval and appraisal, plus every rule that fired, so the reasoning can say why.

Order matters and is the point of this module: a figurative phrase is read as a whole before any word
inside it ('bored stiff' is boredom, not fear; 心花怒放 is delight, not anger), and a Chinese character
counts as a feeling only when it stands as a word of its own (怒 in 怒放 'in full bloom' does not).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from . import idioms
from . import knowledge as kb
from .lemmas import adjective_of, tokens


@dataclass
class Mention:
    concept: str
    level: float
    clause: str
    phrase: str
    how: str  # "word", "idiom", "Chinese word", "Chinese set phrase" or "similar to '...' (0.62)"
    negated: bool = False
    suppressed: bool = False
    modifier: str = ""
    components: dict[str, float] | None = None  # prototype shares when not the concept's own
    roles: dict[str, str] = field(default_factory=dict)  # prototype -> "shown" | "hidden" (masks)
    clause_index: int = -1
    display: str = ""  # "smile", "laugh" or "calm" when the phrase names a face put on, not a feeling
    role: str = ""  # "shown" or "hidden" once masking is read (masking.assign_roles)
    aus: dict[int, tuple[float, str]] = field(default_factory=dict)  # a described facial action: AU -> (x, side)
    understated: bool = False  # negated through a hedge ('not exactly thrilled'): litotes, see components_from
    absent: bool = False  # negated through a quantity ('not a trace of pride'): the feeling is simply not there


@dataclass
class Clause:
    text: str
    level_modifier: float | None = None
    modifier: str = ""
    negator: str = ""
    suppressed: bool = False
    residue: str = ""  # what semantic retrieval compares when no lexicon word matched
    index: int = -1
    joined_by: str = ""  # the word that joined it to the clause before ('but', 'while', ...)
    role: str = ""  # "shown" or "hidden" when a masking cue names it
    role_cue: str = ""


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
    chinese_events: str = ""  # the Chinese text left without a feeling word, for appraisal


_CJK = re.compile(r"[\u3400-\u9fff]")
_JOINERS = (r"but|yet|though|although|even though|while|whilst|whereas|and also|and yet|and|or|mixed with|"
            r"combined with|along with|as well as|plus|then|turning into|giving way to|with a hint of|"
            r"with a touch of")
_SPLIT = re.compile(
    r"[,;.!?:()\[\]\n—–]|\s-\s|(?<!\bas)\s+(" + _JOINERS + r")\s+|[，。；！？、]|(但是|但|却|又|而且|同时|可是|其实|反而)"
)
# joiners after which the two clauses can be a face and the feeling it covers
_CONTRAST = {"but", "yet", "though", "although", "even though", "while", "whilst", "whereas", "and yet",
             "但是", "但", "却", "可是", "其实"}
_STOP = {"a", "an", "the", "is", "are", "was", "were", "be", "being", "feel", "feels", "feeling", "felt", "look",
         "looks", "looking", "seem", "seems", "seeming", "face", "expression", "he", "she", "they", "i", "his", "her",
         "their", "my", "at", "all", "of", "very", "that", "this", "it", "its", "who", "someone", "person", "just",
         "also", "kind", "sort", "bit",
         # words that place a clause in time or join it carry no feeling ('then and there')
         "then", "there", "here", "now", "again", "so", "and", "but", "yet", "too"}

# --- masking cues ---------------------------------------------------------------------------------
# 'hides her fear behind a smile', 'masks his contempt with a sweet smile': the first part is felt and
# hidden, the second is the face shown. Split before the clause is read, so each part keeps its role.
_HIDE_WITH = re.compile(
    r"\b(?:hid(?:e|es|ing)|mask(?:s|ed|ing)?|conceal(?:s|ed|ing)?|cover(?:s|ed|ing)?(?: up)?|disguis(?:e|es|ed|ing)|"
    r"bur(?:y|ies|ied|ying)|cloak(?:s|ed|ing)?)\s+(.+?)\s+(?:with|behind|under|beneath|underneath)\s+(.+)")
# 'panic behind the smile', 'hurt beneath a polite grin', 'smiling through the pain'
_BEHIND = re.compile(r"(.+?)\s+(?:behind|beneath|underneath|under)\s+((?:the|a|an|his|her|their|my|that|this)?\s*"
                     r"(?:\w+\s+){0,2}(?:smile|grin|laugh|mask|face|calm|composure|facade|façade))\b(.*)")
# 'behind her calm smile she is counting the seconds': the face at the head of the clause, the feeling after it
_BEHIND_FIRST = re.compile(r"(?:behind|beneath|underneath|under)\s+((?:the|a|an|his|her|their|my|that|this)?\s*"
                           r"(?:\w+\s+){0,2}(?:smile|grin|laugh|mask|face|calm|composure|facade|façade))\b\s*(.*)")
# 'a polite smile over simmering anger': the face first, what it covers second
_OVER = re.compile(r"(.*\b(?:smile|smiles|grin|grins|laugh|laughs|face|mask|calm|composure))\s+(?:over|covering|masking)\s+(.+)")
_THROUGH = re.compile(r"\b((?:smil|grinn?|laugh|beam)(?:e|es|ed|ing|s)?)\s+through\s+(.+)")
# words that put a face on: what follows is shown, whatever is felt
SHOWN_CUES = re.compile(
    r"\b(?:pretend(?:s|ed|ing)?(?: to)?|act(?:s|ed|ing)?\s+(?:as (?:though|if)|like)|feign(?:s|ed|ing)?|"
    r"fak(?:e|es|ed|ing)|forc(?:e|es|ed|ing)|put(?:s|ting)? on|plaster(?:s|ed|ing)?(?: on)?|"
    r"keep(?:s|ing)? up|kept up|on the surface|outwardly|to the world|"
    r"(?:catch(?:es|ing)?|caught) (?:himself|herself|themselves|myself|yourself)|"
    r"manag(?:e|es|ed|ing) (?:a|an) (?:\w+ )?(?:smile|grin|laugh)|forc(?:e|es|ed|ing) (?:himself|herself|themselves) to|"
    r"keep(?:s|ing)? (?:smiling|grinning|laughing|nodding)|kept (?:smiling|grinning|laughing|nodding)|"
    r"laugh(?:s|ed|ing)? along|nod(?:s|ded|ding)? along|play(?:s|ed|ing)? it cool|"
    r"hold(?:s|ing)? it together|held it together|for the (?:kids|children|camera|guests|"
    r"customers|audience|crowd|room|others|family)|for (?:his|her|their) (?:sake|kids|children|boss|guests)|"
    r"for (?:the|a) (?:\w+ )?(?:photo|photograph|picture|photographers?|cameras?|selfie|portrait))\b")
HIDDEN_CUES = re.compile(
    r"\b(?:inside|inwardly|deep down|secretly|underneath|beneath it|on the inside|in (?:his|her|their|my) heart|"
    r"privately|behind closed doors|in truth|really)\b")
CHINESE_SHOWN_CUES = ("表面上", "表面", "外表", "假装", "装作", "装出", "佯装", "故作", "强装", "强作", "硬挤出",
                      "挤出", "勉强", "强撑", "硬撑", "嘴上", "装得", "人前", "当着")
CHINESE_HIDDEN_CUES = ("心里", "内心", "心中", "心底", "暗自", "暗暗", "背地里", "其实", "心头", "人后", "转过身",
                       "背过身")
# phrases that name a face put on rather than a feeling
DISPLAY = {"smile": "smile", "smiles": "smile", "smiling": "smile", "grin": "smile", "grinning": "smile",
           "grins": "smile", "beaming": "smile", "beam": "smile", "big smile": "smile", "warm smile": "smile",
           "soft smile": "smile", "gently smiling": "smile", "laugh": "laugh", "laughing": "laugh",
           "laughs": "laugh", "calm": "calm", "composed": "calm", "calm face": "calm", "straight face": "calm",
           "poker face": "calm", "impassive": "calm", "deadpan": "calm", "expressionless": "calm",
           "blank expression": "calm", "cheerful": "smile", "微笑": "smile", "笑": "smile", "笑嘻嘻": "smile",
           "笑眯眯": "smile", "笑呵呵": "smile", "乐呵呵": "smile", "笑容满面": "smile", "平静": "calm", "冷静": "calm",
           "淡定": "calm", "面无表情": "calm", "若无其事": "calm"}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


# --- English phrases: lexicon words and idioms, matched on word forms --------------------------------

_SLOTS = {"one's": (0, 1), "oneself": (1, 1), "someone": (1, 3), "someone's": (1, 3), "something": (1, 4)}


@dataclass(frozen=True)
class Entry:
    phrase: str
    key: tuple  # lemmas; a (min, max) tuple is a slot for that many words
    literal: int  # how many words must match: longer phrases win
    concept: str
    level: float
    kind: str  # "word", "idiom" or "action" (a described facial movement)
    sense: idioms.Sense | None = None
    aus: tuple = ()  # for actions: ((AU, intensity, 'both' | 'one'), ...)
    surface: tuple = ()  # the phrase's own words, aligned with key (None for a slot)


def _key(phrase: str) -> tuple:
    return tuple(k for k, _ in _key_surface(phrase))


def _surface(phrase: str) -> tuple:
    return tuple(w for _, w in _key_surface(phrase))


def _key_surface(phrase: str) -> list[tuple]:
    out = []
    for word in phrase.split():
        if word in _SLOTS:
            out.append((_SLOTS[word], None))
        else:
            out.extend((t[1], t[0]) for t in tokens(word))
    return out


@lru_cache(maxsize=1)
def english_index() -> dict[str, tuple[Entry, ...]]:
    """First lemma -> entries starting with it, idioms and lexicon phrases alike, longest first."""
    entries: list[Entry] = []
    for phrase, sense in idioms.load("en"):
        key = _key(phrase)
        entries.append(Entry(phrase, key, sum(isinstance(k, str) for k in key), sense.name, sense.level, "idiom",
                             sense, surface=_surface(phrase)))
    for phrase, aus, gloss in idioms.load_actions("en"):
        key = _key(phrase)
        entries.append(Entry(phrase, key, sum(isinstance(k, str) for k in key), gloss, 1.0, "action",
                             aus=tuple((au, x, side) for au, (x, side) in aus.items()), surface=_surface(phrase)))
    for concept, phrases in kb.LEXICON.items():
        for phrase in phrases:
            if phrase in kb.EMBEDDING_ONLY:
                continue
            key = _key(phrase)
            entries.append(Entry(phrase, key, len(key), concept.name, concept.level, "word", surface=_surface(phrase)))
    index: dict[str, list[Entry]] = {}
    for e in entries:
        if e.key and isinstance(e.key[0], str):
            index.setdefault(e.key[0], []).append(e)
    return {k: tuple(sorted(v, key=lambda e: -e.literal)) for k, v in index.items()}


def _token_lemmas(tok: tuple[str, str, int, int]) -> tuple[str, ...]:
    word, lem = tok[0], tok[1]
    return (lem, word, *adjective_of(word))


def _same_word(tok, lemma: str, surface: str) -> bool:
    """A text word is a form of a phrase word when they share a lemma, except that a bare base form
    does not stand for a derived one: 'floor' is not 'floored', 'bore' (a dull person) not 'bored'."""
    word, lem = tok[0], tok[1]
    if word == surface or word == lemma:
        return word == surface or surface == lemma
    return lem == lemma and not (word == lem and surface != lemma) or lemma in adjective_of(word)


def _match_at(toks, i: int, entry: Entry, k: int) -> int:
    """End token index of `entry.key[k:]` matched from token i, or -1."""
    key = entry.key
    if k == len(key):
        return i
    part = key[k]
    if isinstance(part, tuple):
        lo, hi = part
        for n in range(lo, hi + 1):
            if i + n <= len(toks):
                end = _match_at(toks, i + n, entry, k + 1)
                if end >= 0:
                    return end
        return -1
    if i < len(toks) and _same_word(toks[i], part, entry.surface[k]):
        return _match_at(toks, i + 1, entry, k + 1)
    if 0 < k and entry.kind == "action" and i + 1 < len(toks) and toks[i][0] in _SIDE_WORDS:
        # 'her right brow shoots up', 'raises her left eyebrow': the side named inside the movement
        return _match_at(toks, i + 1, entry, k)
    if 0 < k and entry.kind == "word" and i + 1 < len(toks) and toks[i][0] in _SIZE_WORDS \
            and entry.surface[-1] in _SMILE_NOUNS:
        # 'a tight little smile', 'a forced small laugh': a size word does not change which smile it is
        return _match_at(toks, i + 1, entry, k)
    if 0 < k and entry.kind == "idiom" and i + 1 < len(toks) and toks[i][1] in _IDIOM_INSERTS:
        # an idiom keeps its meaning through tense and emphasis: 'her blood was boiling', 'his face had
        # fallen', 'my jaw literally hit the floor'
        return _match_at(toks, i + 1, entry, k)
    return -1


_SIDE_WORDS = frozenset(("left", "right", "single", "one"))
_SIZE_WORDS = frozenset(("little", "small", "quick", "brief", "tiny", "faint", "slight", "wan", "thin"))
_ONE_SIDE = re.compile(r"\b(?:left|right|single|one)\b")
_SIDE_BEFORE = re.compile(r"\b(?:left|right|single|one)\s+(?:\w+\s+)?$")  # 'her right brow ...', 'one bushy brow ...'
# auxiliaries and emphatic adverbs that may stand inside an idiom without changing it
_IDIOM_INSERTS = frozenset(("be", "have", "do", "will", "would", "could", "can", "might", "really", "literally",
                            "just", "almost", "nearly", "practically", "completely", "totally", "absolutely",
                            "virtually", "positively", "actually", "visibly", "instantly", "immediately",
                            "suddenly", "already", "simply"))


def find_english(text: str) -> list[tuple[int, int, Entry]]:
    """Non-overlapping (start char, end char, entry) in `text`: idioms and longer phrases first."""
    toks = tokens(text)
    index = english_index()
    found = []
    for i, tok in enumerate(toks):
        seen = set()
        for first in _token_lemmas(tok):
            if first in seen:
                continue
            seen.add(first)
            for entry in index.get(first, ()):
                end = _match_at(toks, i, entry, 0)
                if end > i:
                    found.append((entry, i, end))
    # idioms beat words, longer beats shorter, then left to right
    found.sort(key=lambda f: (-(f[0].kind != "word"), -f[0].literal, f[1]))
    taken: list[tuple[int, int]] = []
    out = []
    for entry, i, end in found:
        if any(i < e and s < end for s, e in taken):
            continue
        if entry.literal == 1 and entry.kind == "word" and re.sub(r"[\s-]+", " ", toks[i][0]) in kb.INTENSITY_WORDS:
            continue  # 'terribly' in 'terribly happy' is how much, not fear
        taken.append((i, end))
        out.append((toks[i][2], toks[end - 1][3], entry))
    return sorted(out, key=lambda m: m[0])


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
_HELD_IT = re.compile(r"\b(?:it|them)\b")
_SIDE = re.compile(r"\b(left|right)\b")


def _find_timing(reading: Reading, text: str) -> None:
    for attr, pat, words in (("micro", _MICRO, kb.MICRO_WORDS), ("slow", _SLOW, kb.SLOW_WORDS),
                             ("fast", _FAST, kb.FAST_WORDS), ("hold", _HOLD, kb.HOLD_WORDS)):
        m = pat.search(text)
        hit = m.group(0) if m else next((w for w in words if _CJK.search(w) and w in text), "")
        setattr(reading, attr, hit)


def _split(text: str) -> list[tuple[str, str]]:
    """(clause, the joiner before it). A joiner inside an idiom ('on pins and needles', 'sick and tired')
    is part of the idiom and does not cut it."""
    idiom_spans = [(a, b) for a, b, entry in find_english(text) if entry.kind == "idiom"] if _SPLIT.search(text) else []
    parts, last, joiner = [], 0, ""
    for m in _SPLIT.finditer(text):
        if m.group(1) and any(a < m.start() and m.end() < b for a, b in idiom_spans):
            continue
        parts.append((text[last:m.start()], joiner))
        joiner = (m.group(1) or m.group(2) or "").strip()
        last = m.end()
    parts.append((text[last:], joiner))
    return parts


# 'a smile that hides ...', 'his steady voice hides how scared he is': the face (or a voice, a manner held
# steady) before the verb is shown, what it hides is felt
_FACE_HIDING = re.compile(r"\b((?:smil|grinn?|laugh)(?:e|es|ed|ing|s)?|(?:calm|steady|even|level|cool|cheerful|"
                         r"composed|bright|breezy|brisk|polite|easy)\s+(?:voice|tone|manner|face|exterior|expression|"
                         r"demeanou?r|front|chatter|façade|facade)|composure|calm|poise)\s+(?:that\s+|which\s+)?"
                         r"(?:hides?|hid|hiding|masks?|masked|masking|covers?|covered|covering|conceals?|concealed|"
                         r"concealing|belies|belied|disguises?|disguised)\s+(.+)")


def _mask_parts(part: str) -> list[tuple[str, str, str]]:
    """A clause split into (text, role, cue) when it names a hidden feeling and the face over it."""
    m = _FACE_HIDING.search(part)
    if m:
        return [(part[:m.start()] + " " + m.group(1), "shown", f"{m.group(1)} hiding"),
                (m.group(2), "hidden", f"{m.group(1)} hiding")]
    m = _HIDE_WITH.search(part)
    if m:
        return [(part[:m.start()] + " " + m.group(1), "hidden", "hides ... with/behind"),
                (m.group(2), "shown", "hides ... with/behind")]
    m = _THROUGH.search(part)
    if m and not re.search(r"\btears?\b", m.group(2)):  # 'smiling through tears' is bittersweet, not a mask
        return [(part[:m.start()] + " " + m.group(1), "shown", f"{m.group(1)} through"),
                (m.group(2), "hidden", f"{m.group(1)} through")]
    m = _OVER.search(part)
    if m and m.group(1).strip():
        return [(m.group(1), "shown", "a face over"), (m.group(2), "hidden", "a face over")]
    m = _BEHIND_FIRST.match(part)
    if m and m.group(2).strip():
        return [(m.group(1), "shown", "behind the face"), (m.group(2), "hidden", "behind the face")]
    m = _BEHIND.search(part)
    if m and m.group(1).strip():
        return [(m.group(1), "hidden", "behind the face"), (m.group(2) + " " + m.group(3), "shown", "behind the face")]
    return [(part, "", "")]


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
    for part, joiner in _split(english):
        for k, (sub, role, cue) in enumerate(_mask_parts(part.strip())):
            clause = _read_clause(sub.strip(), reading, joiner if k == 0 else "")
            if clause:
                if role:
                    clause.role, clause.role_cue = role, cue
                reading.clauses.append(clause)
    if chinese.strip():
        _read_chinese(low, reading)
    return reading


def _read_clause(part: str, reading: Reading, joiner: str = "") -> Clause | None:
    if not part or not re.search(r"[a-z]", part):
        return None
    clause = Clause(text=part, index=len(reading.clauses), joined_by=joiner)
    work = part
    held_it = False  # 'swallows it': what is held back is the feeling told before
    for pat in _SUPPRESS:
        m = pat.search(work)
        if m:
            clause.suppressed = True
            held_it = held_it or bool(_HELD_IT.search(m.group(0)))
            work = work[:m.start()] + " " * (m.end() - m.start()) + work[m.end():]
    for timing in (_MICRO, _SLOW, _FAST, _HOLD):
        work = timing.sub(lambda m: " " * len(m.group(0)), work)
    cue = SHOWN_CUES.search(work)
    if cue:
        clause.role, clause.role_cue = "shown", cue.group(0)
    else:
        cue = HIDDEN_CUES.search(work)
        if cue:
            clause.role, clause.role_cue = "hidden", cue.group(0)
    matches = find_english(work)
    # an intensity word inside an idiom is part of the idiom ('over the moon' has none, 'a bit' in
    # 'a bit hot under the collar' is outside it and does count)
    outside = work
    for s, e, entry in matches:
        if entry.kind != "word":
            outside = outside[:s] + " " * (e - s) + outside[e:]
    mods = list(_INTENSITY.finditer(outside))
    if mods:
        # the word furthest from 'typical' decides: "quite extremely" is extreme
        best = max(mods, key=lambda m: abs(kb.INTENSITY_WORDS[re.sub(r"[\s-]+", " ", m.group(0))] - 1.0))
        clause.modifier = best.group(0)
        clause.level_modifier = kb.INTENSITY_WORDS[re.sub(r"[\s-]+", " ", best.group(0))]
    shielded = _NOT_NEGATION.sub(lambda m: " " * len(m.group(0)), outside)
    negs = [] if clause.suppressed else list(_NEGATOR.finditer(shielded))

    matches = _display_of_feeling(work, matches, reading)
    for s, e, entry in matches:
        if entry.kind == "action":
            aus = {au: (x, side) for au, x, side in entry.aus}
            if all(side == "both" for _, side in aus.values()) and not _ONE_SIDE.search(entry.phrase) and (
                    _ONE_SIDE.search(work[s:e]) or _SIDE_BEFORE.search(work[:s])):
                aus = _one_sided(aus)
                reading.notes.append(f"'{work[s:e].strip()}' names one side of the face, so the movement is one-sided.")
            reading.mentions.append(Mention("described action", 1.0, clause.text, entry.phrase, "described action",
                                            clause_index=clause.index, aus=aus))
            continue
        neg = _negator_for(s, negs, shielded, matches)
        mention = _mention(entry.concept, entry.level, clause, work[s:e].strip(), entry.kind, neg, s)
        if entry.sense is not None:
            mention.components = dict(entry.sense.components)
            mention.roles = dict(entry.sense.roles)
            mention.phrase = entry.phrase
        mention.display = display_of(entry.phrase, entry.concept)
        mention.understated = neg is not None and (neg.group(0) in _LITOTES_NEGATORS
                                                   or bool(_HEDGE.match(shielded[neg.end():s])))
        mention.absent = neg is not None and bool(_QUANTITY.search(part[neg.end():s]))
        reading.mentions.append(mention)
    if held_it and not matches:
        for m in reading.mentions:
            if m.clause_index < clause.index and not m.negated and not m.aus and not m.display:
                m.suppressed = True
        reading.notes.append(f"'{part}' holds back the feeling told before it.")
    if not matches:
        # a masking cue in a clause of its own ('catches herself') says how the next face is made, not a feeling
        residue = _INTENSITY.sub(" ", _NEGATOR.sub(" ", work.replace(clause.role_cue, " ") if clause.role_cue
                                                   else work))
        content = [w for w in re.findall(r"[a-z']+", residue) if w not in _STOP]
        if content and all(w in _PLACEMENT for w in content):
            reading.notes.append(f"'{part}' only says where on the face the movement is, not what happened.")
        elif content and reading.clauses and all(w in _ENDING for w in content) and set(content) & _VANISH:
            # 'disgust flickers across her face and is gone': how the expression ends, not a second feeling
            reading.notes.append(f"'{part}' only says how the expression ends.")
        elif content:
            clause.residue = " ".join(residue.split())
            clause.negator = negs[0].group(0) if negs else ""
            reading.pending.append(clause)
    return clause


# A negation reaches the feeling right after it, not one the sentence goes on to assert: in 'not so much
# sad as furious' and 'not sad but relieved' only the first is denied. The scope ends at a corrective
# word or at another feeling word, unless the two are joined under the one negation ('not angry or upset').
_CORRECTIVE = re.compile(r"\b(?:but|just|only|rather|instead|merely|simply|mostly|mainly)\b")
_COORDINATED = re.compile(r"^[\s,]*(?:or|nor|and|or even|and even)?[\s,]*$")
# a hedge between the negator and the feeling makes it an understatement ('not exactly thrilled', 'not
# terribly impressed'), which people use to voice displeasure politely
_HEDGE = re.compile(r"^\s*(?:exactly|entirely|particularly|especially|terribly|overly|too|all that|that|"
                    r"altogether|wildly|hugely|massively|best|the most|what you'?d call)\b")
_LITOTES_NEGATORS = frozenset(("less than", "hardly"))
# 'not a trace of pride', 'without a flicker of fear': a negated quantity says the feeling is absent, not that
# its opposite is there
_QUANTITY = re.compile(r"\b(?:trace|hint|flicker|sign|shred|ounce|glimmer|whisper|touch|scrap|speck|shadow|iota|"
                       r"sliver|suggestion|ghost|note|bit)s?\s+of\s*$")


def _negator_for(start: int, negs, shielded: str, matches) -> re.Match | None:
    """The negator whose scope holds the feeling word at `start`, or None."""
    near = [n for n in negs if n.end() <= start and len(shielded[n.end():start].split()) <= 4]
    if not near:
        return None
    neg = near[-1]
    gap = shielded[neg.end():start]
    if _CORRECTIVE.search(gap):
        return None
    between = [(s, e) for s, e, entry in matches if neg.end() <= s and e <= start and entry.kind != "action"]
    if between and not _COORDINATED.match(shielded[between[-1][1]:start]):
        return None
    return neg


# what a phrase that names a face put on shows; a phrase naming a smile or a laugh in other words
# ('smiling politely', 'a sweet smile') is that display too
_PUT_ON_DISPLAY = {"polite smile": "smile", "tight smile": "smile", "posed laugh": "laugh"}
_DISPLAY_WORD = re.compile(r"\b(?:(smil|grin|beam)|(laugh))\w*\b")


def display_of(phrase: str, concept: str) -> str:
    """'smile', 'laugh' or 'calm' when the phrase names a face shown rather than a feeling, else ''."""
    if phrase in DISPLAY:
        return DISPLAY[phrase]
    if concept in _PUT_ON_DISPLAY:
        return _PUT_ON_DISPLAY[concept]
    if concept == "neutral":  # a face at rest, when it is worn, is a calm one
        return "calm"
    m = _DISPLAY_WORD.search(phrase)
    if m and concept == "happiness":
        return "smile" if m.group(1) else "laugh"
    return ""


# nouns that name a display of the face; 'a sneer of disgust', 'a smile of relief': the feeling after
# 'of' is what the display shows, so the noun's own default feeling ('sneer' = contempt) is not added
DISPLAY_NOUNS = frozenset(("sneer", "smile", "grin", "grimace", "scowl", "frown", "smirk", "laugh", "wince",
                           "glare", "pout", "sob", "look", "expression", "snarl", "leer"))
_OF_GAP = re.compile(r"\s+of\s+(?:\w+\s+){0,2}$")
# words that only place a movement on the face: 'only the left side of her mouth'
_PLACEMENT = frozenset(("only", "left", "right", "side", "sides", "one", "half", "corner", "corners", "of", "on",
                        "mouth", "lip", "lips", "brow", "brows", "eyebrow", "eyebrows", "eye", "eyes", "lid", "lids",
                        "cheek", "cheeks", "chin", "jaw", "nose", "nostril", "nostrils", "forehead", "upper",
                        "lower", "her", "his", "their", "the", "a", "just", "barely", "slightly", "both"))


def _one_sided(aus: dict[int, tuple[float, str]]) -> dict[int, tuple[float, str]]:
    """A movement done on one side only. One brow goes up by its outer part (AU2): the inner brow raiser
    (AU1) is hard to work on one side alone, so a one-sided brow raise keeps AU2."""
    if 1 in aus and 2 in aus:
        aus = {au: v for au, v in aus.items() if au != 1}
    return {au: (x, "one") for au, (x, _side) in aus.items()}


# words that only say an expression ends ('and is gone', 'then it fades away')
_VANISH = frozenset(("gone", "vanishes", "vanished", "vanish", "disappears", "disappeared", "disappear", "fades",
                     "faded", "fade", "passes", "passed"))
_ENDING = _VANISH | frozenset(("it", "then", "is", "was", "as", "quickly", "fast", "soon", "away", "again", "in",
                               "moment", "instant", "second", "flash", "blink", "almost", "immediately", "once",
                               "before", "anyone", "can", "could", "notice", "noticed", "sees", "see"))


def _display_of_feeling(work: str, matches, reading: Reading):
    """Drop a display noun's default feeling when 'of' names the feeling it shows ('a sneer of disgust')."""
    out = list(matches)
    for (s1, e1, a), (s2, _e2, b) in zip(matches, matches[1:]):
        if (a.kind == "word" and b.kind != "action" and a.phrase.split()[-1] in DISPLAY_NOUNS
                and _OF_GAP.search(work[e1:s2]) and a.concept != b.concept):
            out.remove((s1, e1, a))
            reading.notes.append(f"'{work[s1:e1]}' is how '{b.phrase}' shows, not a second feeling.")
        elif (b.kind == "word" and b.concept == "happiness" and b.phrase.split()[-1] in _SMILE_NOUNS
              and a.kind == "word" and a.concept != b.concept and _has_smile(a.concept)
              and not re.sub(r"\b(?:half|" + "|".join(_SIZE_WORDS) + r")\b|[\s-]", "", work[e1:s2])):
            # 'a smug grin', 'a proud smile', 'an embarrassed grin': the feeling's own face already has the
            # smile (AU12), so the noun is how it shows and adds no felt joy of its own
            out.remove((s2, _e2, b))
            reading.notes.append(f"'{work[s2:_e2]}' is how '{a.phrase}' shows, not a second feeling.")
    return out


_SMILE_NOUNS = frozenset(("smile", "smiles", "grin", "grins", "smirk", "laugh", "laughs"))


def _has_smile(concept: str) -> bool:
    """Whether the feeling's own prototype face has the lip-corner pull of a smile (AU12)."""
    comps = kb.CONCEPTS[concept].components if concept in kb.CONCEPTS else {}
    return bool(comps) and all(12 in kb.PROTOTYPES[p].aus for p in comps)


def _mention(concept: str, level: float, clause: Clause, phrase: str, how: str, negator, pos: int) -> Mention:
    if clause.level_modifier is not None:
        level = clause.level_modifier * level ** 0.5
    return Mention(concept=concept, level=min(level, 1.5), clause=clause.text, phrase=phrase, how=how,
                   negated=negator is not None, suppressed=clause.suppressed, modifier=clause.modifier,
                   clause_index=clause.index)


def mention_from_retrieval(clause: Clause, concept: str, level: float, phrase: str, similarity: float,
                           components: dict[str, float] | None = None) -> Mention:
    m = _mention(concept, level, clause, phrase, f"similar to '{phrase}' ({similarity:.2f})",
                 clause.negator or None, 0)
    m.components = dict(components) if components else None
    return m


# --- Chinese ------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def chinese_words() -> tuple[tuple[str, str, float, str, idioms.Sense | None], ...]:
    """(word, concept, level, kind, sense), longest first: set phrases before words before characters."""
    rows = {w: (w, concept, level, "Chinese word", None) for w, (concept, level) in kb.CHINESE.items()}
    for phrase, sense in idioms.load("zh"):
        rows[phrase] = (phrase, sense.name, sense.level, "Chinese set phrase", sense)
    for phrase, aus, gloss in idioms.load_actions("zh"):
        rows[phrase] = (phrase, gloss, 1.0, "described action", aus)
    return tuple(sorted(rows.values(), key=lambda r: -len(r[0])))


@lru_cache(maxsize=1)
def _jieba():
    """jieba's segmenter (it ships its dictionary), or None: it tells a word from a character inside one."""
    import logging
    import warnings

    try:
        with warnings.catch_warnings():  # jieba's own import of pkg_resources warns on new setuptools
            warnings.simplefilter("ignore")
            import jieba
    except ModuleNotFoundError:
        return None
    jieba.setLogLevel(logging.WARNING)
    return jieba


# what may stand beside a feeling inside one segmented word without changing it: 不怕, 有点累, 吓死, 气得
_FUNCTION_MORPHEMES = tuple(sorted({*kb.CHINESE_NEGATORS, *kb.CHINESE_INTENSITY, *kb.CHINESE_DEGREE_AFTER,
                                    "我", "了", "得", "的", "地", "人", "一", "都", "也", "着", "过", "到",
                                    "起来", "出来"},
                                   key=len, reverse=True))


def _only_function(text: str) -> bool:
    while text:
        for f in _FUNCTION_MORPHEMES:
            if text.startswith(f):
                text = text[len(f):]
                break
        else:
            return False
    return True


class Segments:
    """jieba's words of a text, segmented only when a question needs them: the set phrases and the
    words of two or more characters are taken as they are, so most texts never load the segmenter."""

    def __init__(self, low: str):
        self.low = low
        self._spans: list[tuple[int, int]] | None = None

    @property
    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            jb = _jieba()
            self._spans, pos = [], 0
            for word in (jb.lcut(self.low, HMM=False) if jb is not None else ()):
                self._spans.append((pos, pos + len(word)))
                pos += len(word)
        return self._spans


def _is_word(low: str, s: int, e: int, segments: Segments) -> bool:
    """True when [s, e) is a word of the text, not part of a longer word: the segmented words it
    overlaps add only negators, intensity words or grammar (不怕, 有点累, 吓死), never another morpheme
    (怒放, 困难, 笑话). A single character is where this matters; longer words are taken as found."""
    if e - s > 1:
        return True
    spans = segments.spans
    if not spans:
        return True
    over = [(a, b) for a, b in spans if a < e and s < b]
    lo, hi = min(a for a, _ in over), max(b for _, b in over)
    return _only_function(low[lo:s]) and _only_function(low[e:hi])


def _chinese_clauses(low: str) -> list[tuple[int, int, str]]:
    """(start, end, joiner) of the Chinese clauses."""
    out, last, joiner = [], 0, ""
    for m in re.finditer(r"[，。；！？、,.;!?\s]+|(但是|但|却|可是|其实|反而|而是|就是)", low):
        if m.start() > last:
            out.append((last, m.start(), joiner))
            joiner = ""
        if m.group(1):
            joiner = m.group(1)
        last = m.end()
    if last < len(low):
        out.append((last, len(low), joiner))
    return out


def _read_chinese(low: str, reading: Reading) -> None:
    spans = Segments(low)
    taken: list[tuple[int, int]] = []
    suppressed_at = [low.find(w) for w in kb.CHINESE_SUPPRESSION if w in low]
    clauses = _chinese_clauses(low)
    base = len(reading.clauses)
    for n, (s, e, joiner) in enumerate(clauses):
        text = low[s:e]
        clause = Clause(text=text, index=base + n, joined_by=joiner)
        cue = next((c for c in CHINESE_SHOWN_CUES if c in text), "")
        if cue:
            clause.role, clause.role_cue = "shown", cue
        else:
            cue = next((c for c in CHINESE_HIDDEN_CUES if c in text or c == joiner), "")
            if cue:
                clause.role, clause.role_cue = "hidden", cue
        reading.clauses.append(clause)
    for word, concept, level, kind, sense in chinese_words():
        for m in re.finditer(re.escape(word), low):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if kind == "Chinese word" and not _is_word(low, m.start(), m.end(), spans):
                continue
            taken.append((m.start(), m.end()))
            ci = next((base + n for n, (s, e, _) in enumerate(clauses) if s <= m.start() < e), base)
            if kind == "described action":
                reading.mentions.append(Mention("described action", 1.0, word, word, kind, clause_index=ci,
                                                aus=dict(sense)))
                continue
            home = reading.clauses[ci] if ci < len(reading.clauses) else None
            neg = _chinese_negator(low, m.start(), spans)
            mod = next((w for w in sorted(kb.CHINESE_INTENSITY, key=len, reverse=True)
                        if w in low[max(0, m.start() - 4):m.start()]), "")
            after = next((w for w in kb.CHINESE_DEGREE_AFTER if low.startswith(w, m.end())), "")
            clause = Clause(text=word, suppressed=any(0 <= s < m.start() for s in suppressed_at), index=ci)
            if mod:
                clause.level_modifier, clause.modifier = kb.CHINESE_INTENSITY[mod], mod
            elif after:
                clause.level_modifier, clause.modifier = 1.4, after
            mention = _mention(concept, level, clause, word, kind, neg, m.start())
            if sense is not None:
                mention.components, mention.roles = dict(sense.components), dict(sense.roles)
            mention.display = DISPLAY.get(word, "")
            if home is not None and not home.role and mention.roles:
                home.role_cue = word
            reading.mentions.append(mention)
    # 泪 (tears) after a suppression verb reads as held-back sadness: 强忍泪水
    if suppressed_at and "泪" in low and not any(m.concept == "sadness" for m in reading.mentions):
        clause = Clause(text="泪", suppressed=True)
        reading.mentions.append(_mention("sadness", 1.0, clause, "泪", "Chinese word", None, 0))
    rest = low
    for s, e in taken:
        rest = rest[:s] + " " * (e - s) + rest[e:]
    if not taken:
        reading.chinese_events = "".join(ch for ch in rest if _CJK.match(ch) or ch in "，。")


def _chinese_negator(low: str, start: int, segments: Segments) -> str | None:
    """The negator right before a feeling (intensity words may stand between: 不太开心, 一点都不恶心), taken
    only where it is a word of its own or the head of the feeling's word: 特别 and 无比 hold no negation."""
    before = low[max(0, start - 8):start]
    stripped = before
    for _ in range(4):
        grammar = next((w for w in ("被", "感到", "觉得", "是", "会", "有被", "什么", "那么", "这么", "怎么",
                                    "太", "显得", "感觉") if stripped.endswith(w)), "")
        if grammar:  # 没有被吓到: the passive and the copula stand between the negator and the feeling
            stripped = stripped[:-len(grammar)]
            continue
        word = next((w for w in sorted(kb.CHINESE_INTENSITY, key=len, reverse=True)
                     if stripped.endswith(w) and not any(stripped.endswith(n) for n in kb.CHINESE_NEGATORS
                                                         if len(n) > len(w))), "")
        if not word:
            break
        stripped = stripped[:-len(word)]
    for neg in sorted(kb.CHINESE_NEGATORS, key=len, reverse=True):
        if stripped.endswith(neg):
            if len(neg) > 1:
                return neg
            at = start - (len(before) - len(stripped)) - len(neg)
            spans = segments.spans  # a lone 不/没/别/无 may be part of a word: 特别, 无比
            if not spans or any(a == at for a, _ in spans) or any(a < at < b and b > start for a, b in spans):
                return neg
            return None
    return None
