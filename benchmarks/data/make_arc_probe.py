"""Source of the emotion-arc probe set: arcs_probe.jsonl.

    python benchmarks/data/make_arc_probe.py        # rewrites arcs_probe.jsonl from the cases below

A fresh set of arcs written on 2026-12-07, after the held-out arc numbers were last read, to find ideas the
arc reasoner is missing. It is a TUNE-SIDE set (every line has "split": "probe"), not held out. Cases are
declared exactly as in make_arc_set.py and reuse its beat builder (B, over its label templates) and its case
checks (arc_case), imported from that file, so labels follow the same rules (see README.md beside this file): the
template of each beat's feeling (the words' feeling, or for events the appraisal's), masking beats show the
shown face as core with the hidden feeling as variants, misleading words forbid the AUs of the emotion they
only seem to name, a facial action the text names outright is core, a calm/blank/recomposed beat has an
empty core, "before" puts its clause second, a border is "cut" exactly where the text says the change is
sudden, durations only where a number is stated. The labels were written from FACS knowledge alone
(../shared/reference/facs.md), without running or reading the reasoner.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "arcs_probe.jsonl"
SPLIT = "probe"


def _load_arc_set():
    spec = importlib.util.spec_from_file_location("make_arc_set", HERE / "make_arc_set.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_base = _load_arc_set()
B = _base.B
CATEGORIES = _base.CATEGORIES

CASES: list[dict] = []


def arc(lang: str, cat: str, text: str, beats: list, cut: tuple[int, ...] = (),
        durations: list[float | None] | None = None) -> None:
    """make_arc_set.arc with split 'probe': the same beat building and checks, and controls hold one beat."""
    if cat not in CATEGORIES:
        raise ValueError(f"{text!r}: unknown category {cat!r}")
    item = _base.arc_case(lang, cat, text, beats, SPLIT, cut, durations)
    if (cat == "control") != (len(item["beats"]) == 1):
        raise ValueError(f"{text!r}: controls hold one beat, arcs several")
    CASES.append(item)


def en(cat, text, beats, **kw):
    arc("en", cat, text, beats, **kw)


def zh(cat, text, beats, **kw):
    arc("zh", cat, text, beats, **kw)


DISAPPOINTMENT = B("sadness", emotion="disappointment")

# ================================================================ English
# ---------------------------------------------------------------- events: no feeling word, appraisal per beat
E = "event"
en(E, "she unfolds her report card, beams, then gets to the maths mark at the bottom", ["happiness", DISAPPOINTMENT])
en(E, "he digs eagerly into the cereal box for the toy, touches something wet and furry, and yanks his hand out",
   ["excitement", "disgust"])
en(E, "she throws open the door for her grandmother's visit and notices the hospital wristband on her arm",
   ["happiness", "worry"])
en(E, "the referee shows him a red card for a foul he never made; he stares open-mouthed, then kicks the ball "
      "into the stands", ["surprise", "anger"])
en(E, "she bites into the peach, juice running down her chin, and then sees half a worm in what is left",
   ["happiness", "disgust"])
en(E, "her flight is cancelled after six hours at the gate, then the agent hands her a business-class ticket",
   [B("anger", emotion="frustration"), "happy_surprise"])
en(E, "she steps onto the scale after a month of dieting, holds her breath, and sees she has gained two pounds",
   ["worry", DISAPPOINTMENT])
en(E, "a wasp lands on her sandwich, she freezes, and then it stings her", ["fear", "pain"])
# "like mad" describes the tail, not an angry face
en(E, "he sees his old dog limping toward him on three legs, then sees its tail going like mad",
   ["worry", B("relief", neg=("anger",))])
en(E, "he opens the oven to a perfectly risen souffle, carries it to the table, and watches it collapse",
   ["pride", DISAPPOINTMENT])
en(E, "she waves at the man across the street, he waves back, and she realises he's a total stranger",
   ["happiness", "embarrassment"])
en(E, "he finds a twenty in his old jacket, then a parking fine folded inside it",
   ["happy_surprise", B("annoyance", emotion="exasperation")])
# freezing and the second bang are the same fear: one beat
en(E, "he hears a shot in the night, freezes, hears a second bang, then realises it is fireworks and his "
      "shoulders drop", ["fear", "relief"])
en(E, "he bites into the chilli, grins at his friends, and then his eyes start to stream", ["happiness", "pain"])
en(E, "the lights dim and her birthday cake comes out, a candle sets the napkin alight, and her father smothers "
      "it with his hand", ["happiness", "fear", "relief"])
en(E, "he opens the letter from the university, reads 'we are pleased to inform you', and then reads 'that you "
      "have been placed on the waiting list'", ["happiness", DISAPPOINTMENT])
en(E, "He hums as he pours the milk. It comes out in lumps. He gags.", ["contentment", "disgust"])
en(E, "He offers his hand to the horse, smiling. It bites him. He swears.", ["happiness", "pain", "anger"])
en(E, "he's whistling at his desk when he hears the insult from the next cubicle", ["contentment", "anger"])

# ---------------------------------------------------------------- sudden switches, cut words in varied places
S = "sudden"
en(S, "Suddenly the smile drops from his face and he looks furious", ["happiness", "anger"], cut=(0,))
en(S, "he listens to the eulogy with a blank face, and in an instant he is sobbing", ["neutral", "crying"], cut=(0,))
en(S, "she smiles at the waiter, he spills soup down her dress, and she snaps at him", ["happiness", "anger"],
   cut=(0,))
en(S, "He was grinning at the screen; abruptly his face went grey", ["happiness", "fear"], cut=(0,))
# "bored stiff": stiff is not fear
en(S, "she is bored stiff in the meeting until she suddenly hears her own name",
   [B("boredom", neg=("fear",)), "surprise"], cut=(0,))
en(S, "the toddler is giggling at the cartoon when the screen suddenly goes black; he stares, then starts to wail",
   ["laughter", "surprise", "crying"], cut=(0,))
en(S, "Her eyes narrow in suspicion, then instantly widen in fear", ["suspicion", "fear"], cut=(0,))
en(S, "he smiles politely through the story, then in an instant realises what is in the stew and looks disgusted",
   ["social_smile", "disgust"], cut=(0,))
en(S, "she sings as she cooks, suddenly smells gas, freezes, and then finds the knob left on and sighs with relief",
   ["contentment", "fear", "relief"], cut=(0,))
en(S, "He's nodding along, interested, and then out of nowhere he snaps 'that's rubbish' and glares",
   ["interest", "anger"], cut=(0,))
en(S, "she laughs, suddenly chokes, coughs in a panic, then recovers and laughs again",
   ["laughter", "fear", "laughter"], cut=(0,))

# ---------------------------------------------------------------- idioms
I = "idiom"
en(I, "he hit the roof when he saw the bill, then saw the funny side", ["anger", B("happiness", emotion="amusement")])
en(I, "she was over the moon about the puppy, but an hour into the car ride home she was green around the gills",
   ["happiness", B("disgust", emotion="nausea")])
en(I, "his face fell, but then he pulled himself together", ["sadness", B("poker", hidden="sadness")])
en(I, "she was fit to be tied, and then she melted when the kids brought her breakfast in bed",
   ["anger", "happiness"])
en(I, "he's scared out of his wits by the popping balloon, then turns as red as a beetroot when everyone laughs",
   ["fear", "embarrassment"])
en(I, "he was on pins and needles, then on top of the world, and by bedtime dead on his feet",
   ["worry", "happiness", "tiredness"])
en(I, "laughing fit to burst at first, she ends the scene with a lump in her throat", ["laughter", "sadness"])
# "bored to tears": the tears are not sadness
en(I, "bored to tears at the start, he's chuffed to bits by the end",
   [B("boredom", neg=("sadness",)), "happiness"])
en(I, "cool as a cucumber, then hot under the collar, then down in the dumps, and finally tickled pink",
   ["neutral", "anger", "sadness", "happiness"])

# ---------------------------------------------------------------- masking
M = "masking"
en(M, "she peers into the lukewarm instant coffee her host proudly hands her, wrinkles her nose, and then thanks "
      "him with a bright smile", ["disgust", B("social_smile", hidden="disgust")])
en(M, "he smirks at his rival's failure, then offers his condolences with a solemn face",
   ["smugness", B("poker", hidden="smugness")])
en(M, "his lip trembles at the goodbye, and then he cracks a joke to hide it",
   ["sadness", B("social_smile", hidden="sadness")])
en(M, "she opens the gift from her mother-in-law, her face falls, and then she gushes about how lovely it is",
   [DISAPPOINTMENT, B("social_smile", hidden="sadness")])
en(M, "he's seething as the umpire rules against him, then shakes the umpire's hand with a thin smile",
   ["anger", B("tight_smile", hidden="anger")])
en(M, "the injection hurts him, he keeps a straight face for his son's sake, and then, once the boy has left, "
      "he groans", ["pain", B("poker", hidden="pain"), "pain"])
en(M, "the magician's trick falls flat; panic flickers in his eyes, then he laughs it off with a big fake grin",
   ["fear", B("fake_laugh", hidden="fear")])
# the wobbling chin is named outright: AU17 core
en(M, "she hears she didn't get the part, her chin wobbles, she congratulates the winner with a wide smile, and "
      "then cries in the car", [B("sadness", add_core=(17,)), B("social_smile", hidden="sadness"), "crying"])

# ---------------------------------------------------------------- plain, including "before"/"after" order
P = "plain"
en(P, "she's jealous at the start and proud by the end", ["envy", "pride"])
en(P, "annoyed, then confused, then curious, then delighted", ["annoyance", "confusion", "interest", "happiness"])
en(P, "first he's suspicious of the gift, then grateful", ["suspicion", B("happiness", emotion="gratitude")])
en(P, "she goes from disgusted to horrified", ["disgust", B("fear", emotion="horror")])
en(P, "Before the anger comes, there is a flash of hurt", [B("sadness", emotion="hurt"), "anger"])
en(P, "She laughs, but only after she has cried", ["crying", "laughter"])

# ---------------------------------------------------------------- a calm (empty) beat
C = "calm"
# the mouth corners and the wobbling chin are named: 15 (already core) and 17 core
en(C, "his face is blank as he reads the verdict, then the corners of his mouth turn down and his chin wobbles",
   ["neutral", B("sadness", add_core=(17,))])
en(C, "he's furious, then exhausted, then just empty", ["anger", "tiredness", "neutral"])
en(C, "the nurse keeps a calm face all through her shift, and then weeps in the car", ["neutral", "crying"])
en(C, "a flicker of fear, a moment of stillness, then a slow smile", ["fear", "neutral", "happiness"])
en(C, "she stares into space, gives a start, and then smiles sheepishly", ["neutral", "fear_surprise", "embarrassment"])

# ---------------------------------------------------------------- gradual
G = "gradual"
en(G, "her polite interest slowly curdles into open disgust", ["interest", "disgust"])
en(G, "he starts giggling, and bit by bit the giggles turn into sobs", ["laughter", "crying"])
en(G, "fear ebbs away over the scene and is replaced by a sleepy contentment", ["fear", "contentment"])
en(G, "the longer she waits, the angrier she gets, until at last she just looks tired", ["anger", "tiredness"])

# ---------------------------------------------------------------- explicit durations
D = "duration"
en(D, "scared for half a second, then laughing for three", ["fear", "laughter"], durations=[0.5, 3])
en(D, "hold a blank face for five seconds, then one second of disgust, then blank again",
   ["neutral", "disgust", "neutral"], durations=[5, 1, None])
en(D, "she sulks for a couple of seconds before a grin breaks through",
   [B("sad_anger", emotion="sulking"), "happiness"], durations=[2, None])
en(D, "Before he smiles, give him two seconds of worry", ["worry", "happiness"], durations=[2, None])
en(D, "a flash of anger lasting a quarter of a second, then a calm face", ["anger", "neutral"],
   durations=[0.25, None])

# ---------------------------------------------------------------- controls: one feeling, a sequence word inside
K = "control"
en(K, "the first time she sees the sea, she is amazed", ["surprise"])
en(K, "he waits until the end of the film, bored the whole way through", ["boredom"])
en(K, "the baby gives her first real smile", ["happiness"])
en(K, "before breakfast and after it, she looks equally gloomy", ["sadness"])
en(K, "he smiles, then smiles some more", ["happiness"])
en(K, "finally home, he sinks into the sofa, content", ["contentment"])
en(K, "the then-president glowers at the camera", ["anger"])

# ================================================================ Chinese (Simplified)
# ---------------------------------------------------------------- events
zh(E, "他打开成绩查询页面，咧嘴一笑，往下一拉，看到了数学成绩", ["happiness", DISAPPOINTMENT])
zh(E, "她正给女儿扎辫子，发现她脖子后面有一块淤青", ["contentment", "worry"])
zh(E, "他喝了一大口汤，眯起眼睛点点头，又喝了一口，吃到一只苍蝇", ["contentment", "disgust"])
zh(E, "他听到楼下一声巨响，抄起扫帚下楼，发现只是猫碰倒了空纸箱", ["fear", "relief"])
zh(E, "他刮开彩票，连中三个数字，最后一个差了一位", ["excitement", DISAPPOINTMENT])
zh(E, "他守在产房外来回踱步，护士出来说母子平安，他抱着孩子哭了", ["worry", "relief", "tears_of_joy"])
zh(E, "他正吃着火锅，手机响了，是公司叫他回去加班", ["happiness", B("annoyance", emotion="exasperation")])
zh(E, "小男孩挨了一针，咧着嘴，护士递给他一颗糖", ["pain", "happiness"])
zh(E, "她正给花浇水，听见邻居骂她儿子是小偷", ["neutral", "anger"])
zh(E, "他在雪地里滑了一跤，摔得龇牙咧嘴，抬头看见女朋友举着手机在拍", ["pain", "embarrassment"])
zh(E, "他在海边看日出，太阳跳出海面，一个浪打湿了他的新鞋", ["awe", "annoyance"])
zh(E, "他伸手去拿剩下的那块披萨。盒子是空的。他瞪着室友。", [DISAPPOINTMENT, "anger"])

# ---------------------------------------------------------------- sudden
zh(S, "她正笑着，忽然脸色一沉", ["happiness", B("annoyance", emotion="displeasure")], cut=(0,))
zh(S, "他哼着歌走夜路，猛地一回头，看见身后站着一个戴面具的人", ["contentment", "fear"], cut=(0,))
zh(S, "老师本来笑眯眯的，孩子们一吵，顿时火冒三丈", ["happiness", "anger"], cut=(0,))
zh(S, "她愣了几秒，突然放声大哭", ["surprise", "crying"], cut=(0,))
zh(S, "他本来一脸无所谓，一听到女儿的名字，瞬间紧张起来", ["neutral", "worry"], cut=(0,))
zh(S, "她先是满脸疑惑，接着忽然明白过来，哈哈大笑，笑完又有点难过", ["confusion", "laughter", "sadness"], cut=(0,))
zh(S, "她看着窗外发呆，忽然看见一道闪电，吓得捂住耳朵", ["neutral", "fear"], cut=(0,))
zh(S, "他正在生闷气，妻子一句玩笑话，他顿时笑出了声", [B("sad_anger", emotion="sulking"), "laughter"], cut=(0,))
zh(S, "她拍拍狗的头，狗冲她龇牙，她猛地缩回手", [B("happiness_slight", emotion="fondness"), "fear_surprise"], cut=(0,))
zh(S, "他火冒三丈地冲进办公室，看到桌上的生日蛋糕，一下子愣住了，接着笑逐颜开",
   ["anger", "surprise", "happiness"], cut=(0,))
zh(S, "突然，她停止了哭泣，擦干眼泪笑了", ["crying", "happiness"], cut=(0,))

# ---------------------------------------------------------------- idioms (chengyu and set phrases)
zh(I, "听到妈妈的话，小姑娘破涕为笑", ["crying", "happiness"])
zh(I, "他先是乐得合不拢嘴，后来乐极生悲", ["happiness", "sadness"])
zh(I, "他大惊失色，回过神来又怒不可遏", ["fear", "anger"])
zh(I, "她先是垂头丧气，听到消息后转忧为喜", ["sadness", "happiness"])
zh(I, "看完报表后，老板转怒为喜，拍了拍他的肩膀", ["anger", "happiness"])
# 心花怒放 is joy: 怒 is not anger
zh(I, "他心花怒放，没过多久却黯然神伤", [B("happiness", neg=("anger",)), "sadness"])
zh(I, "他先是愁眉不展，后来眉飞色舞", ["worry", "excitement"])
zh(I, "他先是目不转睛，接着瞠目结舌，最后拍案叫绝", ["interest", "surprise", "excitement"])
zh(I, "听到噩耗，她泣不成声，后来渐渐心如止水", ["crying", "neutral"])
zh(I, "他起初怒气冲冲，后来被逗得前仰后合", ["anger", "laughter"])
zh(I, "他一开始趾高气扬，被揭穿后面如土色", ["smugness", "fear"])
zh(I, "他先是百无聊赖，后来兴致勃勃，最后心满意足", ["boredom", "excitement", "contentment"])

# ---------------------------------------------------------------- masking
zh(M, "他被当众批评，气得咬紧了牙，接着若无其事地笑了笑", ["anger", B("social_smile", hidden="anger")])
zh(M, "她收到前男友的婚礼请柬，眼圈一红，随即装作满不在乎", ["sadness", B("poker", hidden="sadness")])
# the frown is named outright: AU4 core
zh(M, "奶奶做的菜咸得发苦，他皱了一下眉，马上又笑着说好吃",
   [B("disgust", add_core=(4,)), B("social_smile", hidden="disgust")])
zh(M, "她害怕得要命，却冲孩子们挤出一个微笑", ["fear", B("social_smile", hidden="fear")])
zh(M, "他忍住笑继续讲课，下课一关门就笑出了声", ["suppressed_smile", "laughter"])

# ---------------------------------------------------------------- plain, including 之前/以后 order
zh(P, "他先是害羞，接着得意，最后又有点不好意思", ["embarrassment", "smugness", "embarrassment"])
zh(P, "先是疑惑，后是惊恐，最后是愤怒", ["confusion", "fear", "anger"])
zh(P, "在大笑之前，她先愣了一下", ["surprise", "laughter"])
zh(P, "他生完气以后，又觉得委屈", ["anger", "sadness"])

# ---------------------------------------------------------------- calm
zh(C, "他面无表情地听完，然后冷笑了一声", ["neutral", "contempt"])
zh(C, "他从平静到惊慌，再到平静", ["neutral", "fear", "neutral"])
zh(C, "她开始时很轻松，接着紧张起来，最后如释重负", ["neutral", "worry", "relief"])

# ---------------------------------------------------------------- gradual
zh(G, "他的怒气渐渐消了，脸上慢慢露出了笑容", ["anger", "happiness"])
zh(G, "她听着听着，眼眶慢慢红了", ["neutral", "sadness"])
zh(G, "孩子哭着哭着就睡着了", ["crying", B("tiredness", emotion="asleep")])

# ---------------------------------------------------------------- durations
zh(D, "先平静地看一秒，再惊讶两秒，最后笑出声", ["neutral", "surprise", "laughter"], durations=[1, 2, None])
zh(D, "开心三秒，难过三秒，再开心三秒", ["happiness", "sadness", "happiness"], durations=[3, 3, 3])
zh(D, "惊讶一秒，害怕一秒，生气一秒，最后平静下来", ["surprise", "fear", "anger", "neutral"],
   durations=[1, 1, 1, None])

# ---------------------------------------------------------------- controls
zh(K, "她先生一脸愁容", ["worry"])  # 先生 is her husband
zh(K, "首先映入眼帘的是她惊恐的脸", ["fear"])
zh(K, "当时他尴尬极了", ["embarrassment"])
zh(K, "他然后就一直盯着我看，满脸怀疑", ["suspicion"])


def main() -> None:
    texts = [case["text"] for case in CASES]
    dupes = {t for t in texts if texts.count(t) > 1}
    if dupes:
        raise SystemExit(f"duplicate texts: {sorted(dupes)}")
    arc_texts = {case["text"] for case in _base.CASES}
    if arc_texts & set(texts):
        raise SystemExit(f"texts already in the arc set: {sorted(arc_texts & set(texts))}")
    with open(OUT, "w", encoding="utf-8") as fh:
        for case in CASES:
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{OUT.name}: {len(CASES)} cases")


if __name__ == "__main__":
    main()
