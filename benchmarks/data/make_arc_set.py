"""Source of the emotion-arc development set: arcs_tune.jsonl and arcs_heldout.jsonl.

    python benchmarks/data/make_arc_set.py        # rewrites both files from the cases below

An arc is the ordered list of feelings (beats) a text asks one clip to show. Every beat names a label
TEMPLATE, the FACS prototype of that beat's emotion from ../shared/reference/facs.md (the same
prototypes as make_think_set.py, restated here so this set stays fixed when that one changes), with the
same changes the single-expression set makes: a masking beat adds the hidden emotion's AUs as variants,
a misleading word forbids the AUs of the emotion it only seems to name, a text that names a facial
action outright makes that AU core. Each border between beats is "cut" when the text says the change is
sudden (suddenly, all of a sudden, abruptly, instantly, in an instant, snaps; 突然, 忽然, 猛地, 一下子,
顿时, 瞬间), else "blend". An explicit duration is stored per beat in seconds (None where unstated).
Control cases hold one feeling although they contain sequence words ("then", "first", 先生, 最后一天).
See README.md beside this file. The labels were written from FACS knowledge alone, without running or
reading the reasoner.

The split is fixed per text (split_of below) so it never moves when cases are added.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SALT = "thinkdraw-arcs-v1|"
CATEGORIES = ("plain", "event", "idiom", "calm", "sudden", "gradual", "masking", "duration", "control")
CUT_WORDS = ("suddenly", "all of a sudden", "abruptly", "instantly", "in an instant", "snaps", "突然", "忽然", "猛地",
             "一下子", "顿时", "瞬间")


def split_of(text: str) -> str:
    """'tune' or 'heldout', from the first byte of sha256(SALT + text): about half each, stable per text."""
    return "tune" if hashlib.sha256((SALT + text).encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


# name: (core, variant, forbidden, emotion label); see make_think_set.py for the sources of each row
T: dict[str, tuple[list[int], list[int], list[int], str]] = {
    "neutral": ([], [45], [], "neutral"),
    "happiness": ([6, 12], [25, 26], [15], "happiness"),
    "happiness_slight": ([12], [6, 25], [15], "happiness"),
    "laughter": ([6, 12, 25], [26, 27, 43, 45], [15], "amusement"),
    "excitement": ([6, 12], [1, 2, 5, 25, 26], [15], "excitement"),
    "tears_of_joy": ([6, 12], [1, 4, 17, 25, 26, 43], [15], "happiness+tears"),
    "pride": ([12], [6, 14, 24], [15], "pride"),
    "relief": ([12], [6, 25, 26, 43, 45], [], "relief"),
    "contentment": ([12], [6, 43], [15], "contentment"),
    "sadness": ([1, 4, 15], [6, 11, 17, 25, 43], [12], "sadness"),
    "crying": ([1, 4, 15], [6, 7, 11, 17, 20, 25, 26, 43], [12], "sadness"),
    "worry": ([1, 4], [14, 15, 17, 20, 24, 28], [], "worry"),
    "anger": ([4, 5, 7, 23], [10, 16, 17, 24, 25, 26], [1, 2, 12], "anger"),
    "annoyance": ([4], [7, 14, 15, 17, 23, 24], [12], "annoyance"),
    "envy": ([4], [7, 14, 15, 23, 24], [12], "envy"),
    "fear": ([1, 2, 4, 5, 20, 26], [7, 25, 27], [12], "fear"),
    "surprise": ([1, 2, 5, 26], [25, 27], [], "surprise"),
    "disgust": ([9, 10], [4, 6, 7, 15, 16, 17, 24, 25], [12], "disgust"),
    "contempt": ([12, 14], [10, 24], [], "contempt"),
    "smugness": ([12, 14], [6, 24], [], "smugness"),
    "awe": ([1, 2, 5, 25], [4, 20, 26], [], "awe"),
    "embarrassment": ([12, 24], [6, 14, 15, 23, 28, 43], [], "embarrassment"),
    "tiredness": ([43], [1, 15, 17, 25, 26, 27, 45], [], "tiredness"),
    "boredom": ([43], [14, 15, 17, 24, 25, 45], [], "boredom"),
    "confusion": ([4], [1, 2, 7, 14, 17, 23, 24, 25], [], "confusion"),
    "interest": ([1, 2], [5, 12, 25], [], "interest"),
    "suspicion": ([4, 7], [2, 14, 23, 24], [], "suspicion"),
    "pain": ([4, 6, 7], [9, 10, 20, 25, 26, 43, 45], [], "pain"),
    "happy_surprise": ([1, 2, 12, 25], [5, 6, 26], [15], "happiness+surprise"),
    "fear_surprise": ([1, 2, 5, 20, 25], [4, 10, 11, 26, 27], [12], "fear+surprise"),
    "sad_anger": ([4, 15], [1, 6, 7, 11, 17, 23, 24], [12], "sadness+anger"),
    # shown faces for masking: a social smile has no cheek raise (AU6 forbidden)
    "social_smile": ([12], [25], [6], "social smile"),
    "tight_smile": ([12, 24], [14], [6], "tight-lipped smile"),
    "fake_laugh": ([12, 25], [26], [6], "fake laugh"),
    "suppressed_smile": ([12, 24], [6, 14, 17, 23, 28], [15], "suppressed amusement"),
    "poker": ([], [24, 45], [], "composed face"),
    "posed_surprise": ([1, 2], [5, 6, 12, 25, 26, 27], [], "feigned surprise"),
}

CASES: list[dict] = []


def B(tpl: str, *, hidden: str | None = None, neg: tuple[str, ...] = (), core: list[int] | None = None,
      add_core: tuple[int, ...] = (), add_var: tuple[int, ...] = (), add_forb: tuple[int, ...] = (),
      emotion: str | None = None) -> dict:
    """One expected beat from a template and the text's changes to it (the rules of make_think_set.py)."""
    base_core, base_var, base_forb, emo = T[tpl]
    core_s = set(base_core if core is None else core) | set(add_core)
    var_s, forb_s = set(base_var), set(base_forb)
    var_s |= set(base_core) - core_s  # a prototype AU the text does not require may still show
    if hidden:  # the hidden feeling leaks at reduced intensity: its AUs may show, none required
        h_core, h_var, _, h_emo = T[hidden]
        var_s |= set(h_core) | set(h_var)
        emo = f"{h_emo} masked by {emo}"
    for n in neg:  # the only apparent emotion's own AUs read as the wrong emotion
        forb_s |= set(T[n][0]) - core_s - set(base_var)
    if neg and emotion is None:
        emo = f"{emo} (not {', '.join(T[n][3] for n in neg)})"
    forb_s = (forb_s - set(add_var)) | set(add_forb)
    var_s = (var_s | set(add_var)) - set(add_forb)
    forb_s -= core_s
    var_s -= core_s | forb_s
    return {"emotion": emotion or emo, "core": sorted(core_s), "variant": sorted(var_s), "forbidden": sorted(forb_s)}


def arc(lang: str, cat: str, text: str, beats: list, cut: tuple[int, ...] = (),
        durations: list[float | None] | None = None) -> None:
    """A case: beats are template names or B(...) beats; cut lists the borders (0 = after the first beat) that
    the text calls sudden; durations (seconds or None per beat) where the text states any."""
    CASES.append(arc_case(lang, cat, text, beats, split_of(text), cut, durations))


def arc_case(lang: str, cat: str, text: str, beats: list, split: str, cut: tuple[int, ...] = (),
             durations: list[float | None] | None = None) -> dict:
    """One case as a line of the file (see arc), checked: the cut rule, one duration per beat."""
    beats = [B(b) if isinstance(b, str) else b for b in beats]
    n_borders = len(beats) - 1
    if any(not 0 <= k < n_borders for k in cut):
        raise ValueError(f"{text!r}: cut border out of range")
    if bool(cut) != any(word in text.lower() for word in CUT_WORDS):
        raise ValueError(f"{text!r}: a border is a cut exactly when the text says the change is sudden")
    item: dict = {"text": text, "lang": lang, "split": split, "category": cat, "beats": beats,
                  "handover": ["cut" if k in cut else "blend" for k in range(n_borders)]}
    if durations is not None:
        if len(durations) != len(beats):
            raise ValueError(f"{text!r}: one duration per beat")
        item["durations"] = [None if d is None else float(d) for d in durations]
    return item


def en(cat, text, beats, **kw):
    arc("en", cat, text, beats, **kw)


def zh(cat, text, beats, **kw):
    arc("zh", cat, text, beats, **kw)


# ================================================================ English
# ---------------------------------------------------------------- named feelings joined by sequence words
P = "plain"
en(P, "at first she is happy, then she becomes sad", ["happiness", "sadness"])
en(P, "he starts out scared and ends up laughing", ["fear", "laughter"])
en(P, "first surprise, then delight", ["surprise", "happiness"])
en(P, "she is angry at first, then just sad", ["anger", "sadness"])
en(P, "worried at the start, relieved by the end", ["worry", "relief"])
en(P, "he looks bored, then interested, then excited", ["boredom", "interest", "excitement"])
en(P, "a sad look which turns into a smile", ["sadness", "happiness"])
en(P, "disgusted at first, then amused", ["disgust", B("happiness", emotion="amusement")])
en(P, "she's confused, then suspicious, and finally angry", ["confusion", "suspicion", "anger"])
en(P, "he is proud of himself at first, then embarrassed", ["pride", "embarrassment"])
en(P, "smug to begin with, then scared", ["smugness", "fear"])
en(P, "she goes from happy to surprised to sad to angry in one take", ["happiness", "surprise", "sadness", "anger"])
en(P, "from fear to relief", ["fear", "relief"])
en(P, "he frowns in confusion before breaking into a grin", ["confusion", "happiness"])
en(P, "excited at the beginning, disappointed at the end", ["excitement", B("sadness", emotion="disappointment")])
en(P, "she looks puzzled, then pleased", ["confusion", "happiness"])
en(P, "first she's frightened, then furious", ["fear", "anger"])
en(P, "he is sad and then happy again", ["sadness", "happiness"])
en(P, "she starts laughing and ends up crying", ["laughter", "crying"])
en(P, "a worried frown, then a look of disgust, and finally contempt", ["worry", "disgust", "contempt"])
en(P, "angry first, sad after that, and at last a tired little smile",
   ["anger", "sadness", B("happiness_slight", add_var=(43,), emotion="tired smile")])

# ---------------------------------------------------------------- arcs told as events (appraisal per beat)
E = "event"
en(E, "she opens the envelope smiling, then reads the rejection", ["happiness", "sadness"])
en(E, "he takes a proud first sip of his own soup, then gags at the salt", ["pride", "disgust"])
en(E, "she opens the door to her brother home from the army, then sees the cast on his leg",
   ["happy_surprise", "worry"])
en(E, "he unwraps the present eagerly, only to find a pair of socks",
   ["excitement", B("sadness", emotion="disappointment")])
en(E, "she crosses the line beaming, then sees the clock and realises she missed the record", ["happiness", "sadness"])
en(E, "he laughs along with the joke until he realises they are mocking his dead father", ["laughter", "anger"])
en(E, "she bites into the cake with a smile, then finds a hair in it", ["happiness", "disgust"])
en(E, "he reads the first line of the letter with dread, and by the last line he is crying with joy",
   [B("worry", emotion="dread"), "tears_of_joy"])
en(E, "she creeps nervously into the dark house, and the lights come on to a room full of friends",
   ["worry", "happy_surprise"])
en(E, "the dog greets her at the door, and then she sees the shredded sofa",
   ["happiness", B("annoyance", emotion="exasperation")])
en(E, "she waits outside the operating theatre in dread, then the surgeon says it went well", ["worry", "relief"])
en(E, "he sniffs the wine suspiciously, then nods and smiles", ["suspicion", "happiness"])
en(E, "she scrolls through the holiday photos smiling, then comes to one of her late mother", ["happiness", "sadness"])
en(E, "she sniffs the milk, recoils, then laughs at herself", ["disgust", "laughter"])
en(E, "the boy gazes up at the whale skeleton in wonder, then the lights dim and he gets scared", ["awe", "fear"])
en(E, "she hears her name read out as the winner, gasps, and then cries with happiness", ["surprise", "tears_of_joy"])
en(E, "he waits at the altar, nervous, and then he sees her walking down the aisle", ["worry", "happiness"])
en(E, "she checks her bank app expecting nothing, then sees the bonus has landed", ["neutral", "happy_surprise"])
en(E, "a stranger cuts in front of him in the queue, and then turns out to be his old school friend",
   ["anger", "happy_surprise"])
en(E, "she sees the spider on her pillow, screams, then realises it is a plastic toy and laughs",
   ["fear", "laughter"])
en(E, "she smiles at the baby, winces at the smell of the nappy, then smiles again",
   ["happiness", "disgust", "happiness"])
en(E, "he walks into the exam confident and walks out knowing he failed", ["pride", "sadness"])

# ---------------------------------------------------------------- idioms
I = "idiom"
en(I, "she was on cloud nine until the phone call brought her back down to earth", ["happiness", "sadness"])
en(I, "her heart was in her mouth, then she breathed a sigh of relief", ["fear", "relief"])
en(I, "he was down in the dumps all morning, but then he got the call and was over the moon",
   ["sadness", "happiness"])
en(I, "at first she's green with envy, then she's tickled pink", ["envy", "happiness"])
en(I, "he laughs his head off, then the penny drops and he goes white as a sheet", ["laughter", "fear"])
en(I, "he was walking on air, and then his world fell apart", ["happiness", "sadness"])
en(I, "she jumps out of her skin, then cracks up", ["fear_surprise", "laughter"])
en(I, "butterflies in her stomach before the curtain goes up, then she shines like a star on stage",
   ["worry", "happiness"])
en(I, "as miserable as sin at the start and grinning from ear to ear by the end", ["sadness", "happiness"])
en(I, "he sees red, then dissolves into tears", ["anger", "crying"])
en(I, "she's tickled to death at first, then bored to tears",
   [B("happiness", neg=("sadness",)), B("boredom", neg=("crying",))])
en(I, "he's cool as a cucumber, then suddenly blows his top", ["neutral", "anger"], cut=(0,))
en(I, "she looks like the cat that got the cream, until her mother walks in and she turns beetroot red",
   ["smugness", "embarrassment"])

# ---------------------------------------------------------------- a calm (empty) beat
C = "calm"
en(C, "she listens with a blank face, then smiles", ["neutral", "happiness"])
en(C, "he is furious, then after a moment his face goes blank", ["anger", "neutral"])
en(C, "expressionless at first, then a look of disgust", ["neutral", "disgust"])
en(C, "she cries for a while and then calms down completely", ["crying", "neutral"])
en(C, "neutral face, then a big surprised look, then back to neutral", ["neutral", "surprise", "neutral"])
en(C, "he sits there calm and still, then a slow grin spreads across his face", ["neutral", "happiness"])
en(C, "she is relaxed and calm, then worried, then calm again", ["neutral", "worry", "neutral"])
en(C, "he stares ahead with no expression, and finally tears run down his face", ["neutral", "crying"])
en(C, "no expression at first, which turns into open contempt", ["neutral", "contempt"])
en(C, "she is laughing, then stops and looks serious", ["laughter", B("neutral", add_var=(4, 24), emotion="serious")])
en(C, "he's scared stiff, then calm again once the dog walks away", ["fear", "neutral"])
en(C, "calm, then curious, then shocked, and finally laughing", ["neutral", "interest", "surprise", "laughter"])
en(C, "scared, then angry, then finally calm", ["fear", "anger", "neutral"])

# ---------------------------------------------------------------- a sudden switch
X = "sudden"
en(X, "she is smiling, then suddenly terrified", ["happiness", "fear"], cut=(0,))
en(X, "calm one moment, then all of a sudden furious", ["neutral", "anger"], cut=(0,))
en(X, "he's bored out of his mind until suddenly he's wide-eyed with surprise", ["boredom", "surprise"], cut=(0,))
en(X, "she snaps from laughter into rage", ["laughter", "anger"], cut=(0,))
en(X, "her smile vanishes instantly when she sees him",
   ["happiness", B("neutral", add_var=(4, 7, 24), emotion="hardened face")], cut=(0,))
en(X, "he is crying, then abruptly stops and glares", ["crying", "anger"], cut=(0,))
en(X, "she reads calmly, then suddenly jumps as the door bangs, and then laughs at herself",
   ["neutral", "fear_surprise", "laughter"], cut=(0,))
en(X, "he grins at the camera, and in an instant his face twists in pain", ["happiness", "pain"], cut=(0,))
en(X, "all smiles, then suddenly disgusted", ["happiness", "disgust"], cut=(0,))
en(X, "sad at first, then suddenly delighted", ["sadness", "happiness"], cut=(0,))
en(X, "she sits worried by the phone until it rings and she suddenly lights up", ["worry", "happiness"], cut=(0,))
en(X, "she snaps out of her daydream with a startled look", ["neutral", "surprise"], cut=(0,))
en(X, "he's chuckling at the video, then abruptly goes pale with fear, and slowly starts to cry",
   ["laughter", "fear", "crying"], cut=(0,))

# ---------------------------------------------------------------- a gradual blend
G = "gradual"
en(G, "her smile slowly fades into sadness", ["happiness", "sadness"])
en(G, "fear gradually gives way to anger", ["fear", "anger"])
en(G, "his irritation slowly melts into laughter", ["annoyance", "laughter"])
en(G, "she is sad, and little by little a smile comes back", ["sadness", "happiness"])
en(G, "the surprise on his face slowly turns into a wide grin", ["surprise", "happiness"])
en(G, "her worry gradually gives way to relief, and finally to happy tears", ["worry", "relief", "tears_of_joy"])
en(G, "he starts out calm and grows angrier and angrier", ["neutral", "anger"])
en(G, "confusion slowly turning into understanding and a smile", ["confusion", "happiness"])
en(G, "awe gives way to fear as the wave rises higher and higher", ["awe", "fear"])
en(G, "she starts giggling, and the giggles slowly turn into sobs", ["laughter", "crying"])
en(G, "his grief softens over the scene into a quiet, fond smile", ["sadness", "happiness_slight"])

# ---------------------------------------------------------------- a masking beat
M = "masking"
en(M, "she hears the insult, then forces a polite smile", ["anger", B("social_smile", hidden="anger")])
en(M, "tears well up in his eyes before he composes himself", ["sadness", B("poker", hidden="sadness")])
en(M, "he flinches in fear, then puts on a brave face", ["fear", B("poker", hidden="fear")])
en(M, "she is furious, then swallows it and answers with a tight smile", ["anger", B("tight_smile", hidden="anger")])
en(M, "he can't stop grinning, then remembers he's at a funeral and straightens his face",
   ["happiness", B("poker", hidden="happiness")])
en(M, "the boss shouts at her; she trembles, then fakes a laugh", ["fear", B("fake_laugh", hidden="fear")])
en(M, "first a real smile, then a merely polite one as the guest drones on",
   ["happiness", B("social_smile", hidden="boredom")])
en(M, "he is heartbroken, then puts on a cheerful smile for the kids", ["sadness", B("social_smile", hidden="sadness")])
en(M, "she gasps in real surprise at the gift, then fakes the same surprise again for the camera",
   ["surprise", "posed_surprise"])
en(M, "he is trying not to laugh, then gives up and roars with laughter", ["suppressed_smile", "laughter"])
en(M, "she glares at him, then catches herself and smiles sweetly", ["anger", B("social_smile", hidden="anger")])
en(M, "disgust crosses her face, then she hides it behind a gracious smile",
   ["disgust", B("social_smile", hidden="disgust")])

# ---------------------------------------------------------------- explicit durations
D = "duration"
en(D, "happy for two seconds, then sad for the rest of the clip", ["happiness", "sadness"], durations=[2, None])
en(D, "a three-second look of horror, then relief", ["fear", "relief"], durations=[3, None])
en(D, "she stays calm for four seconds, then breaks into a smile", ["neutral", "happiness"], durations=[4, None])
en(D, "angry for one second, surprised for one second, then laughing", ["anger", "surprise", "laughter"],
   durations=[1, 1, None])
en(D, "he frowns in confusion for half a second before smiling", ["confusion", "happiness"], durations=[0.5, None])
en(D, "sad for the first three seconds, then slowly smiling for the last two", ["sadness", "happiness"],
   durations=[3, 2])
en(D, "she looks disgusted for a second, then hides it behind a smile",
   ["disgust", B("social_smile", hidden="disgust")], durations=[1, None])

# ---------------------------------------------------------------- controls: one feeling, sequence words inside
Z = "control"
en(Z, "first thing in the morning she is happy", ["happiness"])
en(Z, "he was calm then and calm now", ["neutral"])
en(Z, "back then she was always sad", ["sadness"])
en(Z, "she smiles, then smiles even wider", ["happiness"])
en(Z, "he laughs, and then he laughs some more", ["laughter"])
en(Z, "first she frowns, then she frowns harder", [B("annoyance", emotion="displeasure")])
en(Z, "at first glance he looks angry, and he is", ["anger"])
en(Z, "the first time she saw the sea she was amazed", [B("awe", emotion="amazement")])
en(Z, "he was angry then, and he is still angry", ["anger"])
en(Z, "finally, after all these years, she smiles", ["happiness"])
en(Z, "until the very end she stays terrified", ["fear"])
en(Z, "she was sad before, and she is sad now", ["sadness"])
en(Z, "then and there he felt utterly disgusted", ["disgust"])
en(Z, "at first light he's already grumpy", [B("annoyance", emotion="grumpiness")])
en(Z, "she sits calmly, then goes on sitting calmly as the train rolls on", ["neutral"])
en(Z, "he gives a tired sigh, then another tired sigh", ["tiredness"])
en(Z, "then he looked at me with pure contempt", ["contempt"])
en(Z, "she reads the letter, then reads it again, worried the whole time", ["worry"])
en(Z, "first prize! he is over the moon", ["happiness"])

# ================================================================ Chinese (Simplified)
P = "plain"
zh(P, "她先是开心，然后变得难过", ["happiness", "sadness"])
zh(P, "他一开始很害怕，后来笑了起来", ["fear", "laughter"])
zh(P, "先惊讶，再高兴", ["surprise", "happiness"])
zh(P, "她先生气，接着又委屈地哭了", ["anger", "crying"])
zh(P, "他从担心到放心", ["worry", "relief"])
zh(P, "一开始无聊，接着感兴趣，最后兴奋起来", ["boredom", "interest", "excitement"])
zh(P, "她先是困惑，然后怀疑，最后愤怒", ["confusion", "suspicion", "anger"])
zh(P, "他先得意，后来尴尬", ["pride", "embarrassment"])
zh(P, "先是害怕，后来生气", ["fear", "anger"])
zh(P, "她先是厌恶，后来觉得好笑", ["disgust", B("happiness", emotion="amusement")])
zh(P, "他从开心到惊讶，再到难过，最后愤怒", ["happiness", "surprise", "sadness", "anger"])

E = "event"
zh(E, "她笑着拆开信封，然后读到了拒信", ["happiness", "sadness"])
zh(E, "他满怀期待地打开礼物，结果是一双袜子", ["excitement", B("sadness", emotion="disappointment")])
zh(E, "她开门看到当兵回来的哥哥，接着发现他腿上打着石膏", ["happy_surprise", "worry"])
zh(E, "他咬了一口蛋糕，很满足，接着吃出一根头发", ["contentment", "disgust"])
zh(E, "她在手术室外焦急地等待，后来医生说手术很成功", ["worry", "relief"])
zh(E, "他正在刷手机，然后看到奖金到账了", ["neutral", "happy_surprise"])
zh(E, "小女孩开心地去摸小狗，小狗冲她叫了一声，她吓了一跳，然后哭了起来",
   ["happiness", "fear_surprise", "crying"])
zh(E, "他看着巨大的鲸鱼骨架惊叹不已，灯一暗又害怕起来", ["awe", "fear"])
zh(E, "她听到自己的名字被念为冠军，先是愣住，然后喜极而泣", ["surprise", "tears_of_joy"])
zh(E, "他闻了闻牛奶，皱起眉头，然后自嘲地笑了", ["disgust", B("happiness_slight", emotion="wry amusement")])
zh(E, "她翻看旧照片时还在微笑，翻到去世母亲的那张，渐渐泪流满面", ["happiness", "crying"])
zh(E, "他信心满满地走进考场，出来时知道自己考砸了", ["pride", "sadness"])

I = "idiom"
zh(I, "她听到消息，破涕为笑", ["crying", "happiness"])
zh(I, "他先是目瞪口呆，然后捧腹大笑", ["surprise", "laughter"])
zh(I, "她先是愁眉苦脸，后来眉开眼笑", ["sadness", "happiness"])
zh(I, "他先是喜出望外，接着又忧心忡忡", ["happy_surprise", "worry"])
zh(I, "她本来心平气和，突然火冒三丈", ["neutral", "anger"], cut=(0,))
zh(I, "他笑逐颜开，转而怒不可遏", ["happiness", "anger"])
zh(I, "她提心吊胆了一整晚，直到看见儿子平安回来才松了一口气", ["worry", "relief"])
zh(I, "她先是心花怒放，后来乐极生悲", [B("happiness", neg=("anger",)), "sadness"])
zh(I, "他先是怒发冲冠，后来渐渐心平气和", ["anger", "neutral"])
zh(I, "他先是吓得魂飞魄散，后来才惊魂稍定", ["fear", "neutral"])
zh(I, "她先是羡慕嫉妒，随即又幸灾乐祸", ["envy", "smugness"])

C = "calm"
zh(C, "她面无表情，然后笑了", ["neutral", "happiness"])
zh(C, "他大发雷霆，过了一会儿脸色平静下来", ["anger", "neutral"])
zh(C, "一开始很平静，后来越来越害怕", ["neutral", "fear"])
zh(C, "她哭了一会儿，最后平静下来", ["crying", "neutral"])
zh(C, "先是面无表情，接着露出厌恶的神情，最后又恢复平静", ["neutral", "disgust", "neutral"])
zh(C, "他平静地坐着，然后慢慢露出笑容", ["neutral", "happiness"])
zh(C, "他吓坏了，等狗走远了才平静下来", ["fear", "neutral"])
zh(C, "她先是平静，然后好奇，接着震惊，最后大笑", ["neutral", "interest", "surprise", "laughter"])
zh(C, "他一脸平静地听着，接着眉头紧锁，然后又恢复了平静", ["neutral", B("worry", core=[4], emotion="concern"), "neutral"])
zh(C, "婴儿先是哇哇大哭，喝完奶就安静了", ["crying", "neutral"])

X = "sudden"
zh(X, "她正笑着，突然吓得脸色发白", ["happiness", "fear"], cut=(0,))
zh(X, "他本来很平静，突然暴怒", ["neutral", "anger"], cut=(0,))
zh(X, "他无聊地翻着书，忽然瞪大眼睛，惊呆了", ["boredom", "surprise"], cut=(0,))
zh(X, "她哭着哭着，突然笑了出来", ["crying", "laughter"], cut=(0,))
zh(X, "他笑着看镜头，一下子疼得龇牙咧嘴", ["happiness", "pain"], cut=(0,))
zh(X, "她本来很难过，门一开顿时喜出望外", ["sadness", "happy_surprise"], cut=(0,))
zh(X, "他在看书，突然门砰的一声，他吓了一跳，接着自己笑了", ["neutral", "fear_surprise", "laughter"], cut=(0,))
zh(X, "她满脸笑容，瞬间变得一脸嫌弃", ["happiness", "disgust"], cut=(0,))
zh(X, "她先是平静，突然吓得尖叫，然后又笑了", ["neutral", "fear", "laughter"], cut=(0,))
zh(X, "他正得意洋洋，猛地发现钱包不见了，脸一下子白了", ["smugness", "fear"], cut=(0,))

G = "gradual"
zh(G, "她的笑容渐渐消失，变成了悲伤", ["happiness", "sadness"])
zh(G, "恐惧渐渐变成了愤怒", ["fear", "anger"])
zh(G, "他的惊讶慢慢变成了灿烂的笑容", ["surprise", "happiness"])
zh(G, "她从担忧渐渐转为安心，最后喜极而泣", ["worry", "relief", "tears_of_joy"])
zh(G, "他笑着笑着就哭了", ["laughter", "crying"])
zh(G, "他的困惑慢慢变成了恍然大悟的微笑", ["confusion", "happiness"])
zh(G, "她的烦躁一点点消散，最后笑出了声", ["annoyance", "laughter"])

M = "masking"
zh(M, "她听到这句侮辱，然后强挤出一个礼貌的微笑", ["anger", B("social_smile", hidden="anger")])
zh(M, "他眼里泛起泪光，随即又镇定下来", ["sadness", B("poker", hidden="sadness")])
zh(M, "她先是一脸嫌弃，接着用笑容掩饰过去", ["disgust", B("social_smile", hidden="disgust")])
zh(M, "他先是怒火中烧，然后咬着牙挤出一丝笑", ["anger", B("tight_smile", hidden="anger")])
zh(M, "他憋着笑，最后实在忍不住，哈哈大笑起来", ["suppressed_smile", "laughter"])
zh(M, "她心都碎了，接着为了孩子强装笑脸", ["sadness", B("social_smile", hidden="sadness")])
zh(M, "他先是大惊失色，随即恢复了镇定", ["fear_surprise", B("poker", hidden="fear_surprise")])
zh(M, "她先是难过，然后生气，最后强颜欢笑", ["sadness", "anger", B("social_smile", hidden="sad_anger")])
zh(M, "他先是嫉妒得眼红，接着装作若无其事", ["envy", B("poker", hidden="envy")])

D = "duration"
zh(D, "开心两秒，然后难过到结束", ["happiness", "sadness"], durations=[2, None])
zh(D, "先惊恐三秒，然后松了一口气", ["fear", "relief"], durations=[3, None])
zh(D, "她平静了四秒，然后笑了起来", ["neutral", "laughter"], durations=[4, None])
zh(D, "生气一秒，惊讶一秒，然后大笑", ["anger", "surprise", "laughter"], durations=[1, 1, None])
zh(D, "前三秒很难过，后两秒慢慢露出微笑", ["sadness", "happiness_slight"], durations=[3, 2])

Z = "control"
zh(Z, "王先生很生气", ["anger"])
zh(Z, "他笑了，然后继续笑个不停", ["laughter"])
zh(Z, "最后一天她很开心", ["happiness"])
zh(Z, "后来的日子里她一直很快乐", ["happiness"])
zh(Z, "她擦了擦眼泪，接着哭", ["crying"])
zh(Z, "她先后见了三个医生，每次都很焦虑", ["worry"])
zh(Z, "他当时很平静，现在也很平静", ["neutral"])
zh(Z, "她先是皱眉，然后眉头皱得更紧了", [B("annoyance", emotion="displeasure")])
zh(Z, "首先，他很害怕", ["fear"])
zh(Z, "然后他轻蔑地看了我一眼", ["contempt"])
zh(Z, "接着，她露出了厌恶的表情", ["disgust"])
zh(Z, "他从头到尾都很无聊", ["boredom"])


def main() -> None:
    texts = [case["text"] for case in CASES]
    dupes = {t for t in texts if texts.count(t) > 1}
    if dupes:
        raise SystemExit(f"duplicate texts: {sorted(dupes)}")
    for split in ("tune", "heldout"):
        path = HERE / f"arcs_{split}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for case in CASES:
                if case["split"] == split:
                    fh.write(json.dumps(case, ensure_ascii=False) + "\n")
        print(f"{path.name}: {sum(case['split'] == split for case in CASES)} cases")


if __name__ == "__main__":
    main()
