"""Emotion arcs: a text that tells a sequence of feelings ("calm at first, then a flash of anger, and finally
tears"; 先是平静，突然大怒，最后哭了) becomes a plan of beats, one per feeling, in the order the text implies.

How the text is cut (`split_arc`), in English and Chinese alike:
1. Clauses: punctuation and connectives (and, but, then, until, before, only to, followed by, when; 然后,
   接着 ...) cut the text, and so do verbs of change between two feelings ('X turns into Y', 'X gives way
   to Y', 'from X to Y'; X变成Y, 从X到Y, 先X后Y, X着X着就Y).
2. Segments: a clause that carries a sequence word (then, after that, suddenly, snaps, finally, ends up,
   until, the next; 然后, 突然, 最后, 渐渐, 下一秒 ...) or follows a verb of change starts a new segment; a
   clause without one continues the segment before it, so 'she sniffs the milk, recoils, then laughs' is
   two segments, not three: a list of things happening at once, a clause of time ('when she sees him')
   or one event told in parts is one moment. 'At first', 'one moment' (先是, 本来) open a sequence: where
   nothing else marks the next moment, the next clause is it ('he starts out calm and grows angrier');
   a clause with its own duration ('angry for one second') is followed by a new moment too. Chinese strings
   the steps of a story with commas and no sequence word (她拍拍狗的头，狗冲她龇牙，她猛地缩回手), so there every
   clause is a step, unless it qualifies the moment before (却, 还是), tells what is inside (心里) or describes
   a part of the same face (眼中, 脸上). Set phrases of change between two one-character feelings (转怒为喜,
   破涕为笑, 由喜转悲, 乐极生悲) are spelt out as the two feelings with a sequence word between them.
3. Order: segments follow the text, except that a subordinate clause is placed by its conjunction:
   'Y after X' puts X first, 'before X, Y' and 'until X, Y' (在X之前，Y) put X last.
A text that says its feeling holds throughout ('the whole time', 从头到尾) is one segment.

`reason_arc` then reasons each segment on its own with the backend, so situations, idioms, masks and
negation are read per beat exactly as for a single expression, and keeps as beats only what changes:
- a segment that names no feeling is a calm beat when it says so (calm, composed, blank, asleep, a
  lexicon or idiom phrase meaning neutral; 平静 ...) or when it is the first and tells an activity going
  on before a sequence word ('he is reading, then suddenly ...'; 他在看书，突然 ...): a change needs a
  before. Otherwise, reasoning to no feeling, it is a step of the story ('then he says'), not a beat; a
  clause of time ('before the speech') must name a feeling to be a moment;
- in a story, an event whose feeling only appraisal gives, followed by a step that shows a feeling, is the
  cause of that reaction, not a beat of its own (小狗冲她叫了一声，她吓了一跳: the fright, not a fright first);
- an outcome brought on by 'only to' (结果, 谁知, 哪知 when it holds no feeling) after a hopeful beat, and
  naming none of its own, is the hope let down ('disappointed', 失望);
- neighbouring segments of the same feelings are one beat ('first she frowns, then she frowns harder');
- a segment that only puts a face on ('then forces a polite smile', 'then puts on a brave face', 'then
  answers with a tight smile') is reasoned together with the segment before it, so the mask covers the
  feeling told just before, not a set phrase's default one.
A text that comes out as one beat is reasoned whole, exactly as before this module existed; a text with
no cue word at all is not cut, so a single expression costs what it did.

Handover: a sudden word at a border (suddenly, snaps, a flash of; 突然, 猛地), in the incoming beat or in
a part between that is no beat, makes it a cut; everything else blends. Timing: explicit durations
('for two seconds', 两秒) and gaps ('two seconds later', 三秒后) fix the starts (beat_timing "fixed");
otherwise beats are spaced BEAT_SECONDS apart so the plan plays on its own, and a renderer spreads them
over its clip (beats.fit_to_clip, beat_timing "shared").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Callable

from ..plan import AUPlan, Beat, EmotionSummary

# Without durations in the text, beats start this many seconds apart (a renderer re-spreads them over its
# clip); about the time a felt expression takes to rise and be seen.
BEAT_SECONDS = 2.5
# A feeling counts in a beat's identity from this share of its blend (two beats of the same feelings are one).
MERGE_SHARE = 0.25
# A beat's onset may take at most this share of the time it has before the next beat.
ONSET_SHARE = 0.4

# --- English -------------------------------------------------------------------------------------------
# leaving a place is the later moment of a visit told in one sentence ('walks in confident and walks out
# crushed'); unlike the other sequence words it stays in what the backend reads, since it tells what happens
_EN_EXIT = (r"(?:walk|come|go|storm|stride|march|run|rush|stumble|step|limp|head|slip|burst)(?:s|es|ed|ing)? out|"
            r"(?:came|went|strode|ran|stepped|headed) out|on the way (?:out|home|back)")
_EN_EXIT_RE = re.compile(r"(?:" + _EN_EXIT + r")$", re.I)
# Words that move the story on: the clause they stand in is a later moment than the one before.
_EN_ORDER = (r"then|and then|after that|after this|afterwards?|later(?: on)?|"
             r"(?:a few |some )?(?:moments?|seconds?) later|"
             r"(?:a moment|a second|an instant|a beat) later|soon(?: after)?|next(?! to)|eventually|finally|at last|"
             r"at the end|in the end|by the end|towards? the end|end(?:s|ed|ing)? up|until|till|before|only to|"
             r"suddenly|all of a sudden|abruptly|without warning|out of nowhere|in a flash|"
             r"followed by|the next(?: (?:moment|second|minute|instant))?|next thing|before long|in time|"
             r"all at once|in an instant|in a heartbeat|"
             r"over time|now|at which point|" + _EN_EXIT + "|"
             r"after (?:a|an|one|some|a few|two|three) (?:moment|moments|while|beat|pause|second|seconds|minute|bit)|"
             r"gradually|little by little|bit by bit|slowly|by degrees")
# ('the then-president': a word joined by a hyphen is no sequence word)
_EN_ORDER_RE = re.compile(r"(?<![\w'-])(?:" + _EN_ORDER + r")(?![\w'-])", re.I)
# 'at first' and its kin open a sequence; bare 'first' only at the head of a clause ('first she frowns'),
# since 'crosses the line first' is about rank, not time
_EN_START_RE = re.compile(r"(?<![\w'])(?:at first|at the (?:start|beginning|outset)|in the beginning|"
                          r"to (?:begin|start) with|initially|first of all|firstly|start(?:s|ed|ing)? (?:out|off)|"
                          r"(?<!for )one (?:moment|minute|second|instant))(?![\w'])|^\s*first\b", re.I)
# suddenness at a border: the beat arrives by a cut, not a blend
_EN_SUDDEN_RE = re.compile(r"(?<![\w'])(?:sudden|suddenly|all of a sudden|abruptly|without warning|out of nowhere|"
                           r"in a flash|(?:a |in a )?flash of|snap(?:s|ped|ping)?|in an instant|instantly|"
                           r"in a split second|in a heartbeat|all at once|the next (?:second|instant))(?![\w'])", re.I)
# a sudden change named by a verb is a new moment; 'a flash of anger' or 'a sudden smile' beside another
# clause is a micro-expression on that face, not a moment of its own (only the handover reads them)
_EN_SNAP_RE = re.compile(r"(?<![\w'])snap(?:s|ped|ping)?(?![\w'])", re.I)
# verbs of change between two feelings: 'X fades into Y', 'X gives way to Y', 'X becomes Y', 'X is replaced by Y'
_EN_CHANGE_RE = re.compile(
    r"(?<![\w'])(?:(?:turn|fad|melt|soften|harden|dissolv|chang|shift|slid|drift|morph|crumpl|collaps|sour|curdl|"
    r"darken|brighten|settl|break|broke|burst|erupt|explod|evolv|transform|ripen|deepen|grow|grew|warm|cool)"
    r"(?:e|es|ed|ing|s|en|n)?(?:\s+[\w']+){0,3}?\s+into|"
    r"(?:giv(?:e|es|ing|en)|gave) (?:way|place) to|(?:chang|shift|switch)(?:e|es|ed|ing)?\s+to|"
    r"(?:is |are |was |were |gets |got )?(?:replaced|overtaken|displaced|chased away) by|yield(?:s|ed|ing)? to|"
    r"becom(?:e|es|ing)|became)(?![\w'])", re.I)
_EN_CUT_RE = re.compile(
    r"\s*[,;:!?.()\[\]\n—–]+\s*|\s+-\s+|"
    r"(?<![\w'])(?:and then|and yet|and|but|or|then|until|till|before|only to|followed by|which|who|whereupon|"
    r"when|while|as|"
    r"after(?!\s+(?:that|this|which|a|an|one|some|a few|all|two|three|\d)\b))(?![\w'])", re.I)
_EN_FROM_TO = re.compile(r"(?<![\w'])from\s+((?:[\w'-]+\s+){0,3}?[\w'-]+)\s+to\s+(?=\S)", re.I)
# saying a calm face is meant, not merely naming no feeling
_EN_CALM_RE = re.compile(
    r"(?<![\w'])(?:calm\w*|compos\w*|still|blank|expressionless|neutral|relax\w*|serene|impassive|stoic|unmoved|"
    r"straight face|poker face|deadpan|no expression|at rest|settl\w*|recover\w*|collect\w* (?:himself|herself|"
    r"themselves|myself)|quiet(?:s|ed|ens?)? down|quiet again|placid|emotionless|empty|vacant|flat|peaceful(?:ly)?|"
    r"asleep|dozing|napping|sleeping)(?![\w'])", re.I)
# an activity told as going on ('she is reading', 'he was scrolling his phone'): the state the face is in
# before something changes it
_EN_ONGOING_RE = re.compile(r"(?<![\w'])(?:is|was|are|were|am|'s|'re|'m|been)\s+(?:\w+ly\s+)?(?:busy\s+)?"
                            r"(?!going to\b)[a-z]+ing(?![\w'])", re.I)

# --- Chinese -------------------------------------------------------------------------------------------
_ZH_ORDER = ("紧接着", "然后", "接着", "随后", "随即", "后来", "之后", "以后", "过后", "最后", "最终", "终于", "到最后",
             "末了", "转而", "继而", "突然", "忽然", "猛然", "猛地", "骤然", "陡然", "蓦地", "霎时", "顿时", "冷不丁",
             "冷不防", "渐渐", "慢慢", "逐渐", "过了一会儿", "不一会儿", "一会儿", "片刻", "没过多久", "不久",
             "结果", "谁知", "没想到", "哪知", "随之", "旋即", "转眼", "转瞬", "下一秒",
             "下一刻", "接下来", "直到", "等到", "现在")
# leaving a place: the later moment of a visit told in one sentence (走进考场…出来时); kept in the reading
_ZH_EXIT = ("出来时", "出来后", "出来的时候", "离开时", "离开的时候", "回到家", "回家后", "回来时")
_ZH_ORDER = (*_ZH_ORDER, *_ZH_EXIT)
_ZH_START = ("先是", "起初", "一开始", "开始时", "刚开始", "起先", "最初", "首先", "本来", "原本", "刚才", "原先")
_ZH_SUDDEN = ("突然", "忽然", "猛然", "猛地", "骤然", "陡然", "蓦地", "霎时", "顿时", "冷不丁", "冷不防", "一下子", "瞬间",
              "刹那", "下一秒", "下一刻", "转眼", "旋即")
# how a change comes on (slowly, suddenly) is timing the backend reads, so these stay in what it reads
_ZH_MANNER = (*_ZH_SUDDEN, "渐渐", "慢慢", "逐渐")
_EN_MANNER_RE = re.compile(r"(?:sudden|suddenly|all of a sudden|abruptly|gradually|little by little|slowly)", re.I)
_ZH_PRONOUN = r"(?:他们|她们|我们|你们|他|她|它|我|你)?"
# 先 on its own is 'first' only at the head of a clause (先惊讶，再高兴; 她先哭); 王先生 is 'Mr Wang'
_ZH_FIRST = re.compile(r"^" + _ZH_PRONOUN + r"先(?!生)")
# 再 'then, again' (not 再也 'ever again', 再见 'goodbye'); 又 'and now' where it is not 又…又 'both … and'
_ZH_AGAIN = re.compile(r"(?<![一不])再(?![也见次])|又")
_ZH_CHANGE = re.compile(r"(?:渐渐|慢慢|逐渐)?(?:地)?(?:变成了?|变为|转为|转成|转变为|化为|化作|化成)")
_ZH_FROM_TO = re.compile(r"[从由]([^，。；！？、,;!?\s]{1,8}?)(?:渐渐|慢慢|逐渐)?(?:到|转为|变为|变成了?)")
_ZH_BEFORE_CLAUSE = re.compile(r"^在?[^，。；！？,;!?\s]{1,10}?(?:之前|以前)$")
_ZH_FIRST_THEN = re.compile(r"先(?!生|是)[^，。；！？,;!?\s]{1,4}?(后|再)")
_ZH_REPEAT = re.compile(r"(\S{1,2})着\1着(就)?")  # 笑着笑着就哭了: doing X, X, and then Y
_ZH_CUT_RE = re.compile(r"[，。；！？、,;:!?()（）\n—…]+|(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
# 正在, 在 or 正 before a verb, or 着 after one (他在看书, 他正在刷手机, 她看着窗外): an activity going on
_ZH_ONGOING = re.compile(r"(?:正在|正|在)[\u4e00-\u9fff]|[\u4e00-\u9fff]着(?!急|迷|想)")
_ZH_CALM = ("平静", "冷静", "淡定", "镇定", "面无表情", "安静", "平复", "恢复", "若无其事", "不动声色", "沉静", "静下来",
            "缓和", "放松", "木然", "呆滞", "空洞", "没有表情", "毫无表情")

_CJK = re.compile(r"[\u3400-\u9fff]")
# Set phrases that tell a change between two feelings, each named by one character: 转怒为喜 'anger turns to
# joy', 破涕为笑 'tears break into a smile', 化悲为喜, 反忧为喜, 由喜转悲, 乐极生悲 'joy at its height gives birth
# to grief'. The segmenter keeps them whole, so they are spelt out as two feelings and a sequence word.
_ZH_FEELING_CHARS = {"喜": "高兴", "乐": "快乐", "笑": "笑", "怒": "愤怒", "嗔": "生气", "忧": "忧愁", "愁": "发愁",
                     "悲": "悲伤", "哀": "悲哀", "涕": "流泪", "泣": "哭泣", "惊": "惊讶", "恐": "害怕", "惧": "害怕",
                     "安": "安心", "怨": "怨恨"}
_ZH_FC = "[" + "".join(_ZH_FEELING_CHARS) + "]"
_ZH_CHANGE_PHRASE = re.compile(rf"(?:[转化破反变])({_ZH_FC})[为成]({_ZH_FC})|由({_ZH_FC})转({_ZH_FC})|"
                               rf"({_ZH_FC})极(?:而)?生({_ZH_FC})")


def _spell_out_changes(text: str) -> str:
    """转怒为喜 -> 愤怒，然后高兴 (see _ZH_CHANGE_PHRASE)."""
    def spelt(m: re.Match) -> str:
        a, b = [g for g in m.groups() if g]
        return f"{_ZH_FEELING_CHARS[a]}，然后{_ZH_FEELING_CHARS[b]}"
    return _ZH_CHANGE_PHRASE.sub(spelt, text)


# any cue that can start a new segment (the first clause's own words never do, but finding them is cheap)
_ZH_ANY = re.compile("|".join((*_ZH_ORDER, *_ZH_START)) + r"|先|再|又|变|转|化|从|由|着|秒")
_EN_ANY = re.compile(r"(?<![\w'])(?:after|seconds?|secs?|\d+\s*s)(?![\w'])", re.I)
# the text says one feeling holds the whole clip: no arc, whatever sequence words it has
_EN_THROUGHOUT = re.compile(r"(?<![\w'])(?:the (?:whole|entire) (?:time|clip|scene|way)|throughout|all along|"
                            r"all the while|from start to finish|from beginning to end)(?![\w'])", re.I)
_ZH_THROUGHOUT = re.compile(r"从头到尾|自始至终|始终|全程|从始至终")

# explicit durations: 'for two seconds', 两秒; and gaps: 'two seconds later', 三秒后
_NUMBER_WORDS = {"a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
                 "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0, "half a": 0.5, "a couple of": 2.0,
                 "一": 1.0, "二": 2.0, "两": 2.0, "三": 3.0, "四": 4.0, "五": 5.0, "六": 6.0, "七": 7.0, "八": 8.0,
                 "九": 9.0, "十": 10.0, "半": 0.5}
_EN_NUMBER = r"(\d+(?:\.\d+)?|half a|a couple of|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
_EN_DURATION = re.compile(r"(?<![\w'])for\s+(?:about\s+|around\s+|roughly\s+)?" + _EN_NUMBER +
                          r"\s*(?:seconds?|secs?|s)(?![\w'])", re.I)
_EN_GAP = re.compile(r"(?<![\w'])(?:" + _EN_NUMBER + r"\s*(?:seconds?|secs?|s)\s+later|after\s+" + _EN_NUMBER +
                     r"\s*(?:seconds?|secs?|s))(?![\w'])", re.I)
# 下一秒 'the next second', 第三秒 'the third second' name a moment, not a length
_ZH_NUMBER = r"(?<![下前第每这那])(\d+(?:\.\d+)?|[一二两三四五六七八九十]|半)"
_ZH_DURATION = re.compile(r"(?:持续)?" + _ZH_NUMBER + r"秒(?:钟)?(?!后|之后|以后|过后)")
_ZH_GAP = re.compile(r"(?:过了)?" + _ZH_NUMBER + r"秒(?:钟)?(?:后|之后|以后|过后)")


_WEAK_CUTS = ("when", "while", "as", "who", "which")
# A Chinese story told in clauses (她拍拍狗的头，狗冲她龇牙，她猛地缩回手) moves on at each clause: Chinese strings
# the steps of a story with commas and no sequence word. A clause that qualifies the one before (却, 还是),
# tells what goes on inside under the face (心里), or describes a part of that face (眼中, 脸上) is the same
# moment. (English stories were cut the same way at clauses with a verb of their own; on the arc sets that
# moved nothing, since an English event read alone is often misread, so English still cuts at sequence words.)
_ZH_STORY = re.compile(r"[，。；！？,;!?]\s*\S")
_ZH_SAME_MOMENT = re.compile(r"却|但|可是|然而|不过|虽然|虽|还是|仍然|仍|依然|照样|同时|一边|就是|只是|而是|也|"
                             r"心里|心中|内心|心底|暗地里|暗自")
# a clause about a part of the face describes the face of the clause before ('他面无表情，眼中闪过一丝愤怒')
_ZH_FACE_PART = re.compile(r"^(?:眼中|眼里|眼睛|眼眶|眼圈|眼神|眼泪|脸上|脸色|脸|嘴角|嘴唇|嘴|眉头|眉毛|眉|额头|鼻子|下巴)")
# words that bring on an outcome against what was hoped for: 'only to find ...', 结果 'as it turned out'
_LETDOWN_CUES = ("only to", "结果", "谁知", "哪知")
_LETDOWN_WORD = {"en": "disappointed", "zh": "失望"}
# a text that opens with one of these ('before the curtain goes up, ...') tells the later moment first
_SUBORDINATE_LATER = ("before", "until", "till")


@dataclass
class Clause:
    start: int
    end: int
    cut: str = ""  # what cut it from the clause before: a connective, a verb of change, or punctuation
    order: str = ""  # the sequence word that makes it a later moment
    start_marker: str = ""  # 'at first', 先是
    sudden: str = ""
    timed: bool = False  # it gives its own duration ('happy for two seconds'), so the next clause is a new moment
    told: bool = False  # (Chinese) a step of a story, so in a story it is a new moment


@dataclass
class Segment:
    """A stretch of the text that reads as one moment of the arc."""

    start: int
    end: int
    text: str  # as written (for the plan and the reasoning)
    reading: str  # what the backend reads: the text without its sequence words and durations
    cue: str = ""  # the word that opened it ("" for the first)
    sudden: str = ""
    duration: float | None = None  # seconds the text gives it ('for two seconds')
    gap: float | None = None  # seconds after the previous beat's start ('two seconds later')
    calm: str = ""  # a word saying the face is calm, when it says so
    moved: str = ""  # why it stands elsewhere than in the text's order
    anchor: str = ""  # 'before' or 'after' when it is a clause of time ('before the speech', 'after she answers')
    story: bool = False  # it is a step of a story told in clauses, with no sequence word of its own

    def span(self, other: "Segment", text: str) -> "Segment":
        """This segment and a later one as one stretch."""
        lo, hi = min(self.start, other.start), max(self.end, other.end)
        return replace(self, start=lo, end=hi, text=_tidy(text[lo:hi]),
                       reading=_tidy(self.reading + ", " + other.reading),
                       duration=_sum(self.duration, other.duration), calm=self.calm or other.calm)


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None and b is None else (a or 0.0) + (b or 0.0)


def _tidy(text: str) -> str:
    """A part without the connectives and punctuation at its edges."""
    word = r"(?:and then|and yet|and|but|or|then|which|who|that|so)"
    text = re.sub(r"^(?:\s*(?:" + word + r"(?![\w'])|[,;:.!?\-—，。；！？、]))+", "", text, flags=re.I)
    text = re.sub(r"(?:(?<![\w'])" + word + r"\s*|[,;:.!?\-—，。；！？、]\s*)+$", "", text.rstrip(), flags=re.I)
    return text.strip()


def _is_chinese(text: str) -> bool:
    return len(_CJK.findall(text)) * 2 >= len(re.sub(r"\s", "", text))


# --- cutting ---------------------------------------------------------------------------------------------

def _clauses(text: str) -> list[Clause]:
    """Clauses with what cut them: punctuation, connectives and verbs of change."""
    chinese = _is_chinese(text)
    cuts: list[tuple[int, int, str]] = []
    for m in (_ZH_CUT_RE if chinese else _EN_CUT_RE).finditer(text):
        cuts.append((m.start(), m.end(), m.group(0).strip().lower()))
    if chinese:
        # a verb of change cuts as "~" + its words
        cuts += [(m.start(), m.end(), "~" + m.group(0)) for m in _ZH_CHANGE.finditer(text)]
        # 笑着笑着就哭了: the doing stays with the first part, what it turns into is the next
        cuts += [(m.end() - len(m.group(2) or ""), m.end(), "~" + m.group(0)) for m in _ZH_REPEAT.finditer(text)]
        for m in _ZH_FIRST_THEN.finditer(text):  # 先哭后笑: first crying, then laughing
            cuts.append((m.start(1), m.end(1), "~" + m.group(1)))
        for m in _ZH_FROM_TO.finditer(text):
            cuts.append((m.end(1), m.end(), "~从…" + text[m.end(1):m.end()]))  # 从担心|到|放心
    else:
        cuts += [(m.start(), m.end(), "~" + m.group(0).lower()) for m in _EN_CHANGE_RE.finditer(text)]
        for m in _EN_FROM_TO.finditer(text):  # from happy to surprised to sad: every 'to' in the run
            cuts.append((m.end(1), m.end(), "~from … to"))
            rest = re.match(r"(?:(?:[\w'-]+\s+){0,3}?[\w'-]+\s+to\s+)+", text[m.end():])
            if rest:
                for t in re.finditer(r"\s+to\s+", rest.group(0)):
                    cuts.append((m.end() + t.start(), m.end() + t.end(), "~from … to"))
    cuts.sort()
    out: list[Clause] = []
    pos, cut = 0, ""
    for s, e, what in cuts:
        if s < pos:
            continue
        if text[pos:s].strip():
            out.append(Clause(pos, s, cut))
            cut = ""
        # a run of cuts ('; and then', ', which turns into') keeps its strongest word
        cut = what if _cut_rank(what) >= _cut_rank(cut) else cut
        pos = e
    if text[pos:].strip():
        out.append(Clause(pos, len(text), cut))
    if chinese and out and _ZH_BEFORE_CLAUSE.match(text[out[0].start:out[0].end].strip()):
        out[0].cut = "before"  # 在大笑之前，她先愣了一下: a clause of time placed first tells the later moment
    for c in out:
        body = text[c.start:c.end]
        c.order = _order_word(c.cut, body, chinese)
        c.start_marker = _start_word(body, chinese)
        c.sudden = _sudden_word(c.cut + " " + body, chinese)
        c.timed = bool((_ZH_DURATION if chinese else _EN_DURATION).search(body))
        c.told = chinese and _tells_a_step(body.strip())
    return out


def _tells_a_step(body: str) -> bool:
    """Whether a Chinese clause tells a step of a story rather than more of the moment before (_ZH_STORY)."""
    return not (_ZH_SAME_MOMENT.search(body[:4]) or _ZH_FACE_PART.match(body))


def _is_story(clauses: list[Clause]) -> bool:
    """A text told as a story in Chinese clauses: another step follows the first."""
    return len(clauses) > 1 and any(c.told for c in clauses[1:])


def _cut_rank(word: str) -> int:
    if word.startswith("~"):
        return 3
    if word and (_EN_ORDER_RE.fullmatch(word) or word == "after"):
        return 2
    return 1 if word and word[0].isalpha() else 0


def _order_word(cut: str, body: str, chinese: bool) -> str:
    if cut.startswith("~"):  # a verb of change
        return cut[1:]
    if cut == "after":  # 'Y after X': X happened first ('after that', 'after a moment' are not cut)
        return "after"
    if chinese:
        hit = next((w for w in _ZH_ORDER if w in body), "")
        if hit:
            return hit
        gap = _ZH_GAP.search(body)  # 三秒后 'three seconds later'
        if gap:
            return gap.group(0)
        again = _ZH_AGAIN.search(body)
        if again and body.count("又") < 2 and "又是" not in body:
            return again.group(0)
        return ""
    if cut and _EN_ORDER_RE.fullmatch(cut):
        return cut.lower()
    m = _EN_ORDER_RE.search(body) or _EN_SNAP_RE.search(body)  # 'and snaps at him'
    return m.group(0).lower() if m else ""


def _start_word(body: str, chinese: bool) -> str:
    if chinese:
        hit = next((w for w in _ZH_START if w in body), "")
        if hit:
            return hit
        m = _ZH_FIRST.match(body)
        return "先" if m else ""
    m = _EN_START_RE.search(body)
    return m.group(0).strip().lower() if m else ""


def _sudden_word(body: str, chinese: bool) -> str:
    if chinese:
        return next((w for w in _ZH_SUDDEN if w in body), "")
    m = _EN_SUDDEN_RE.search(body)
    return m.group(0).lower() if m else ""


def _may_be_arc(text: str, chinese: bool) -> bool:
    """Whether any word that can open a new moment is present: most texts are one expression and are
    sent to the backend whole without being cut (this check keeps their cost what it was)."""
    if chinese:
        return bool(_ZH_ANY.search(text) or _ZH_STORY.search(text))
    return any(p.search(text) for p in (_EN_ORDER_RE, _EN_SNAP_RE, _EN_START_RE, _EN_CHANGE_RE, _EN_FROM_TO, _EN_ANY))


def split_arc(text: str) -> list[Segment]:
    """The segments of an arc in the order they happen; one segment when the text tells no sequence."""
    text = unicodedata.normalize("NFKC", text)
    chinese = _is_chinese(text)
    if chinese:
        text = _spell_out_changes(text)
    if not _may_be_arc(text, chinese):
        return [Segment(0, len(text), text, text)]
    clauses = _clauses(text)
    if not clauses or (_ZH_THROUGHOUT if chinese else _EN_THROUGHOUT).search(text):
        # 'worried the whole time', 从头到尾: the text says the feeling holds throughout
        return [_segment(text, 0, len(text), "", chinese)]
    marked_later = [any(c.order for c in clauses[i + 1:]) for i in range(len(clauses))]
    groups: list[list[Clause]] = []
    # a clause said 'at first' and nothing has marked the next moment yet; or the text opened with a
    # subordinate clause ('after the call, ...', 'before the curtain goes up, ...'), whose main clause is next
    opened = clauses[0].cut in (*_SUBORDINATE_LATER, "after")
    story = _is_story(clauses)
    for i, c in enumerate(clauses):
        # a subordinate clause ('... when she sees him') belongs to its main clause: only a sequence word
        # of its own makes it a new moment
        new = bool(groups) and (bool(c.order) or (opened and not c.start_marker and c.cut not in _WEAK_CUTS) or
                                (story and c.told))
        if new:
            groups.append([c])
            opened = False
        elif groups:
            groups[-1].append(c)
        else:
            groups.append([c])
        if (c.start_marker and not marked_later[i]) or c.timed:
            opened = True
    segments = [_segment(text, g[0].start, g[-1].end, g[0].order if k else "", chinese, g)
                for k, g in enumerate(groups)]
    for k, (seg, g) in enumerate(zip(segments, groups)):
        if g[0].cut in ("before", "after"):
            seg.anchor = g[0].cut
        seg.story = story and k > 0 and not g[0].order
    return _reorder(segments, clauses, groups)


def _segment(text: str, start: int, end: int, cue: str, chinese: bool, group: list[Clause] | None = None) -> Segment:
    raw = text[start:end]
    reading = raw
    duration = gap = None
    for pattern, kind in ((_ZH_GAP, "gap"), (_ZH_DURATION, "duration")) if chinese else \
            ((_EN_GAP, "gap"), (_EN_DURATION, "duration")):
        m = pattern.search(reading)
        if m:
            word = next(g for g in m.groups() if g is not None)
            seconds = _NUMBER_WORDS.get(word.lower()) if not word[0].isdigit() else float(word)
            if kind == "gap":
                gap = seconds
            else:
                duration = seconds
            reading = reading[:m.start()] + " " + reading[m.end():]
    # sequence words place the moment; they are no part of the feeling (and 'then it's gone', 随即 would
    # otherwise read as a fleeting micro-expression)
    if chinese:
        for w in sorted((*_ZH_ORDER, *_ZH_START), key=len, reverse=True):
            if w not in _ZH_MANNER and w not in _ZH_EXIT:
                reading = reading.replace(w, "")
        reading = _ZH_FIRST.sub(lambda m: m.group(0)[:-1], reading)
        reading = re.sub(r"^\s*[再又到]+", "", reading)
        calm = next((w for w in _ZH_CALM if w in raw), "")
    else:
        for pattern in (_EN_START_RE, _EN_ORDER_RE):
            reading = pattern.sub(lambda m: m.group(0) if _EN_MANNER_RE.fullmatch(m.group(0).strip()) or
                                  _EN_EXIT_RE.match(m.group(0).strip()) else " ", reading)
        m = _EN_CALM_RE.search(raw)
        calm = m.group(0) if m else ""
    group = group or []
    sudden = next((c.sudden for c in group if c.sudden), "")
    return Segment(start, end, _tidy(raw), _tidy(re.sub(r"\s+", " ", reading)), cue=cue, sudden=sudden,
                   duration=duration, gap=gap, calm=calm)


def _reorder(segments: list[Segment], clauses: list[Clause], groups: list[list[Clause]]) -> list[Segment]:
    """A subordinate clause placed by its conjunction: 'Y after X' -> X, Y; 'before X, Y' -> Y, X."""
    out = list(segments)
    for k in range(1, len(out)):
        if groups[k][0].cut == "after" and out[k].cue == "after":
            out[k - 1], out[k] = replace(out[k], moved="'after' puts it before what precedes it"), out[k - 1]
    lead = clauses[0].cut
    if len(out) > 1 and lead in _SUBORDINATE_LATER and out[0] is segments[0]:
        out = [out[1], replace(out[0], moved=f"'{lead}' puts it after what follows"), *out[2:]]
    return out


# --- reasoning -------------------------------------------------------------------------------------------

def _felt(plan: AUPlan) -> bool:
    return bool(plan.emotion.components or plan.action_units)


def _feeling_key(plan: AUPlan) -> tuple:
    """What must differ for two neighbouring parts to be two beats: the feelings that matter in the blend
    (a quarter of it or more) and their roles, or, for a face described by its movements alone, the
    movements. Relief then happy tears are two beats; 'frowns, then frowns harder' is one."""
    comps = plan.emotion.components
    if comps:
        total = sum(c.weight for c in comps) or 1.0
        return ("feeling", frozenset((c.name, c.role) for c in comps if c.weight >= MERGE_SHARE * total))
    return ("face", tuple(plan.active_aus()))


def _names_feeling(text: str, calm: bool = True) -> bool:
    """Whether a part names a feeling, a face or a movement in words (lexicon, idioms, described actions,
    and unless `calm` is False a calm face), as opposed to describing an event whose feeling would have
    to be inferred."""
    from .rules import read_text

    if calm and (_EN_CALM_RE.search(text) or any(w in text for w in _ZH_CALM)):
        return True
    return any(not m.negated and m.concept != "neutral" for m in read_text(text).mentions)


def _valence(plan: AUPlan) -> float:
    """How pleasant the feeling a part shows is: from the prototypes its components name, else the plan's own."""
    from .knowledge import PROTOTYPES

    comps = [c for c in plan.emotion.components if c.name in PROTOTYPES and c.role != "hidden"]
    total = sum(c.weight for c in comps)
    if not total:
        return plan.emotion.valence
    return sum(PROTOTYPES[c.name].valence * c.weight for c in comps) / total


def _ongoing(text: str) -> bool:
    """Whether a part tells an activity going on ('she is reading', 他在看书, 她看着窗外)."""
    return bool((_ZH_ONGOING if _is_chinese(text) else _EN_ONGOING_RE).search(text))


def _at_rest(plan: AUPlan) -> AUPlan:
    """The plan's face at rest: no feeling and no Action Unit, its timing kept."""
    return replace(plan, action_units=[], emotion=EmotionSummary(valence=0.0, arousal=0.1),
                   regions={region: "at rest (no Action Unit)" for region in plan.regions}, warnings=[])


def _calm_phrase(text: str) -> str:
    """A phrase of the lexicon or the idiom banks that means a calm face ('cool as a cucumber', 面无表情)."""
    from .rules import read_text

    return next((m.phrase for m in read_text(text).mentions if m.concept == "neutral" and not m.negated), "")


def _is_mask_only(plan: AUPlan) -> bool:
    comps = plan.emotion.components
    return bool(comps) and all(c.role == "shown" for c in comps)


# faces that are made, not felt: a part showing only these may be a mask over what came before
_MADE_FACES = ("polite smile", "tight smile", "posed laugh")


def _puts_face_on(plan: AUPlan) -> bool:
    """A part that puts a face on, alone or over a feeling of its own ('then puts on a brave face'), or
    shows only a made face ('then answers with a tight smile')."""
    comps = plan.emotion.components
    return bool(comps) and (any(c.role == "shown" for c in comps) and all(c.role for c in comps) or
                            all(c.name in _MADE_FACES for c in comps))


def _au_text(plan: AUPlan) -> str:
    return ", ".join(f"AU{a.au}" + ("" if a.side == "both" else f" ({a.side})") for a in plan.action_units) or "no AU"


def reason_arc(text: str, reason_part: Callable[[str], AUPlan], intensity: float = 1.0) -> AUPlan:
    """The plan of `text`: beats when it tells a change of feeling, else `reason_part(text)` unchanged.

    reason_part reasons one part of the text with the backend (a single expression); it is called once
    for a text that is no arc, and once per segment (plus once per mask, and once for the whole text when
    the segments turn out to be one feeling) for one that looks like an arc.
    """
    segments = split_arc(text)
    if len(segments) < 2:
        return reason_part(text)
    norm = unicodedata.normalize("NFKC", text)
    notes: list[str] = []
    if _is_chinese(norm):
        notes += [f"'{m.group(0)}' tells a change between two feelings: read as '{_spell_out_changes(m.group(0))}'."
                  for m in _ZH_CHANGE_PHRASE.finditer(norm)]
        norm = _spell_out_changes(norm)  # the positions split_arc gives are in the text spelt out
    parts: list[tuple[Segment, AUPlan]] = []
    sudden = ""  # a sudden word in a part that is no beat still marks the border it stands at
    readings: dict[str, AUPlan] = {}

    def read(part: str) -> AUPlan:  # a part is read once, though a story looks one part ahead
        if part not in readings:
            readings[part] = reason_part(part)
        return readings[part]
    for k, seg in enumerate(segments):
        seg.sudden = seg.sudden or sudden
        sudden = seg.sudden if parts else ""
        if seg.anchor and not _names_feeling(seg.reading):
            # 'butterflies before the speech', 'a flicker of sadness before she answers': a clause of time
            # places the feeling; only one that names a feeling or a face is a moment of its own
            notes.append(f"'{seg.text}' only says when ('{seg.anchor}') and names no feeling, so it is not a beat.")
            continue
        plan = read(seg.reading) if seg.reading else None
        named = bool(seg.reading) and _names_feeling(seg.reading, calm=False)
        if plan is not None and not named and not seg.calm:
            seg.calm = _calm_phrase(seg.reading)  # 'straightens his face', 'cool as a cucumber'
        before_change = not parts and k + 1 < len(segments) and bool(segments[k + 1].cue) and \
            segments[k + 1].start > seg.start and _ongoing(seg.reading)
        if plan is not None and not named and (seg.calm or before_change):
            # 'she is dozing peacefully', 'he is reading, then suddenly ...': an activity going on before
            # the change the text tells (or one said to be calm) is the face at rest; an event's feeling
            # read into it by appraisal would start the clip with a feeling nobody named
            if _felt(plan):
                notes.append(f"'{seg.text}' names no feeling; what it tells is read as the face at rest, not as "
                             f"the {plan.emotion.label} an appraisal of it gave.")
                plan = _at_rest(plan)
            if not seg.calm:
                seg.calm = "an activity going on before the change"
        if plan is not None and parts and seg.cue in _LETDOWN_CUES and not named and \
                _valence(parts[-1][1]) > 0.2 and (seg.cue == "only to" or not _felt(plan)):
            # 'eagerly unwraps the present, only to find socks': an outcome brought on by 'only to' (or by 结果
            # when it holds nothing good or bad of its own) after a hopeful moment is the hope let down
            word = _LETDOWN_WORD["zh" if _is_chinese(seg.reading) else "en"]
            notes.append(f"'{seg.text}' is brought on by '{seg.cue}' after a hopeful moment and names no feeling, so "
                         f"it is the hope let down: read as '{word}'" +
                         (f" rather than as the {plan.emotion.label} an appraisal of it gave." if _felt(plan) else "."))
            plan = reason_part(word)
        told_next = k + 1 < len(segments) and segments[k + 1].story and bool(segments[k + 1].reading)
        if plan is not None and _felt(plan) and not named and not seg.calm and told_next and \
                _felt(read(segments[k + 1].reading)):
            # in a story, an event followed by a reaction (小狗冲她叫了一声，她吓了一跳) is the cause of that
            # reaction, not a feeling of its own to show before it
            notes.append(f"'{seg.text}' tells an event and '{segments[k + 1].text}' the reaction to it, so the "
                         "event is a step of the story, not a beat.")
            plan = replace(plan, action_units=[], emotion=EmotionSummary(valence=0.0, arousal=0.1))
        if plan is None or (not _felt(plan) and not seg.calm):
            notes.append(f"'{seg.text}' names no feeling of its own (and no calm face), so it is a step of the story, "
                         "not a beat.")
            continue
        if not _felt(plan):
            notes.append(f"'{seg.text}' names no feeling but says '{seg.calm}': a calm beat, the face at rest.")
        parts.append((seg, plan))
        sudden = ""
    # neighbours of one feeling are one beat
    merged: list[tuple[Segment, AUPlan]] = []
    for seg, plan in parts:
        if merged and _feeling_key(merged[-1][1]) == _feeling_key(plan):
            prev_seg, prev_plan = merged[-1]
            label = prev_plan.emotion.label if prev_plan.emotion.components else _au_text(prev_plan)
            notes.append(f"'{prev_seg.text}' and '{seg.text}' read as the same feeling ({label}), so they are one "
                         "beat.")
            span = prev_seg.span(seg, norm)
            merged[-1] = (span, reason_part(span.reading) if prev_seg.start < seg.start else prev_plan)
            continue
        merged.append((seg, plan))
    if len(merged) < 2:
        plan = reason_part(text)
        cues = ", ".join(f"'{s.cue}'" for s in segments if s.cue)
        plan.reasoning.insert(0, f"Arc: the sequence words ({cues}) join parts that read as one feeling, so the "
                                 "whole text is one expression. " + " ".join(notes))
        return plan
    # a face put on covers what was felt just before: read the two together
    for k in range(1, len(merged)):
        seg, plan = merged[k]
        prev_seg, prev_plan = merged[k - 1]
        # a put-on smile, or a calm face ('then puts on a calm face'): whether the calm is put on over the
        # feeling before is the backend's masking judgement on the two read together
        if (_puts_face_on(plan) or not _felt(plan)) and prev_plan.emotion.components and \
                not _is_mask_only(prev_plan) and prev_seg.start < seg.start:
            joint = reason_part(_tidy(prev_seg.reading + ", " + seg.reading))
            roles = {c.role for c in joint.emotion.components}
            # the joint reading is the mask only when everything in it is the face or what it hides; a
            # feeling still felt openly in it means the two parts do not read as one masked face
            if roles == {"shown", "hidden"}:
                hidden = ", ".join(c.name for c in joint.emotion.components if c.role == "hidden")
                notes.append(f"'{seg.text}' puts a face on over what came before, so it is read with "
                             f"'{prev_seg.text}': it hides {hidden}.")
                merged[k] = (seg, joint)
    return _arc_plan(norm, merged, notes, intensity)


def _arc_plan(text: str, parts: list[tuple[Segment, AUPlan]], notes: list[str], intensity: float) -> AUPlan:
    fixed = any(seg.duration is not None or seg.gap is not None for seg, _ in parts)
    beats: list[Beat] = []
    steps: list[str] = []
    start = parts[0][1].timeline.start
    for k, (seg, plan) in enumerate(parts):
        if k:
            prev_seg = parts[k - 1][0]
            step = seg.gap if seg.gap is not None else prev_seg.duration if prev_seg.duration is not None \
                else BEAT_SECONDS
            start = start + step
        room = seg.duration if seg.duration is not None else BEAT_SECONDS
        tl = plan.timeline
        # a micro-expression keeps its own short course; every beat starts where the arc places it
        timeline = replace(tl, start=round(start, 3), onset=round(min(tl.onset, max(room * ONSET_SHARE, 0.1)), 3))
        beats.append(Beat(text=seg.text, action_units=list(plan.action_units), emotion=plan.emotion,
                          regions=dict(plan.regions), timeline=timeline))
    for k in range(len(beats) - 1):
        incoming = parts[k + 1][0]
        beats[k].handover = "cut" if incoming.sudden else "blend"
    cues = [f"'{seg.cue}'" for seg, _ in parts[1:] if seg.cue]
    head = (f"Arc: {len(beats)} beats, cut at the sequence words ({', '.join(cues) or 'none'}); each part is "
            "reasoned on its own, below. " +
            ("The text gives durations, so the beats start as written (fixed timing)." if fixed else
             f"The text gives no durations, so the beats share the clip (spaced {BEAT_SECONDS:g} s apart until a "
             "renderer spreads them over its own clip)."))
    steps.append(head)
    steps += [f"Arc: {n}" for n in notes]
    for k, ((seg, plan), beat) in enumerate(zip(parts, beats)):
        label = plan.emotion.label if plan.emotion.components else ("calm, at rest" if not plan.action_units
                                                                   else "a described movement")
        if k == 0:
            how = "opens the clip"
        else:
            prev = beats[k - 1]
            how = (f"enters by a cut ('{seg.sudden}')" if prev.handover == "cut" else "blends in") + \
                  f" at {beat.timeline.start:.1f} s"
        moved = f"; {seg.moved}" if seg.moved else ""
        extra = f"; lasts {seg.duration:g} s" if seg.duration is not None else ""
        steps.append(f"Beat {k + 1} ({seg.text}): {label} -> {_au_text(plan)}; {how}{extra}{moved}.")
        steps += [f"Beat {k + 1} · {s}" for s in plan.reasoning]
    # a calm beat's "no emotion recognised" is what it means to say, not a warning about the arc
    warnings = [w for _, plan in parts if _felt(plan) for w in plan.warnings]
    first = parts[0][1]
    return AUPlan.from_beats(text, beats, reasoning=steps, intensity=intensity, backend=first.backend,
                             warnings=list(dict.fromkeys(warnings)), beat_timing="fixed" if fixed else "shared")


def beat_lines(plan: AUPlan) -> list[str]:
    """One line per beat of a plan, for the nodes' text outputs: index, start, emotion, AUs, handover."""
    beats = plan.beats
    lines = []
    for k, beat in enumerate(beats):
        units = ", ".join(f"AU{a.au} {a.intensity:.2f}" + ("" if a.side == "both" else f" {a.side}")
                          for a in beat.action_units) or "no AU (at rest)"
        handover = f"; {beat.handover} to beat {k + 1}" if k + 1 < len(beats) else ""
        text = f" '{beat.text}'" if len(beats) > 1 and beat.text else ""
        lines.append(f"beat {k}{text} at {beat.timeline.start:.1f} s: {beat.emotion.label}: {units}{handover}")
    return lines
