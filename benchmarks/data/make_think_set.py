"""Source of the reasoner's development set: think_tune.jsonl and think_heldout.jsonl.

    python benchmarks/data/make_think_set.py        # rewrites both files from the cases below

Every case names a label TEMPLATE (the FACS prototype of the intended emotion, from
../shared/reference/facs.md) and, where the text needs it, a change to it: a masking case adds the
hidden emotion's AUs as variants (leaks at reduced intensity), a negation or a misleading word
("心花怒放" holds 怒, "terribly happy" holds terror) forbids the negated emotion's core AUs that the
intended emotion does not use, an intensity word caps the top intensity, a text that names a facial
action outright makes that AU core. See README.md beside this file. The labels were written from
FACS knowledge alone, without running or reading the reasoner.

The split is fixed per text (split_of below) so it never moves when cases are added.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SALT = "thinkdraw-think-v1|"
CATEGORIES = ("situation", "idiom", "masking", "negation", "intensity", "asymmetry", "micro", "word_form", "plain",
              "compound")


def split_of(text: str) -> str:
    """'tune' or 'heldout', from the first byte of sha256(SALT + text): about half each, stable per text."""
    return "tune" if hashlib.sha256((SALT + text).encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


# name: (core, variant, forbidden, emotion label)
T: dict[str, tuple[list[int], list[int], list[int], str]] = {
    "neutral": ([], [45], [], "neutral"),
    # EMFACS happiness 6+12, 25 when intense; Du et al.'s happy prototype 12+25 (6 variant). 15 is the opposite corner pull.
    "happiness": ([6, 12], [25, 26], [15], "happiness"),
    # a slight smile need not raise the cheeks (as the seed "slightly pleased": core 12, 6 variant)
    "happiness_slight": ([12], [6, 25], [15], "happiness"),
    "laughter": ([6, 12, 25], [26, 27, 43, 45], [15], "amusement"),
    "excitement": ([6, 12], [1, 2, 5, 25, 26], [15], "excitement"),
    "tears_of_joy": ([6, 12], [1, 4, 17, 25, 26, 43], [15], "happiness+tears"),
    "pride": ([12], [6, 14, 24], [15], "pride"),
    "relief": ([12], [6, 25, 26, 43, 45], [], "relief"),
    "contentment": ([12], [6, 43], [15], "contentment"),
    # EMFACS 1+4+15 (17 often); Du's sad variants 6, 11, 17. A smile reads as the wrong emotion in grief.
    "sadness": ([1, 4, 15], [6, 11, 17, 25, 43], [12], "sadness"),
    "crying": ([1, 4, 15], [6, 7, 11, 17, 20, 25, 26, 43], [12], "sadness"),
    # the worry brow (1+4) with the mouth pressed or stretched
    "worry": ([1, 4], [14, 15, 17, 20, 24, 28], [], "worry"),
    # EMFACS 4+5+7+23 (or 24); Du's angry prototype 4+7+24 with 5, 10, 17, 23 variants
    "anger": ([4, 5, 7, 23], [10, 16, 17, 24, 25, 26], [1, 2, 12], "anger"),
    # the seed "mildly annoyed": core 4, variants 7, 23, 24
    "annoyance": ([4], [7, 14, 15, 17, 23, 24], [12], "annoyance"),
    "envy": ([4], [7, 14, 15, 23, 24], [12], "envy"),
    # EMFACS 1+2+4+5+20+26; Du's fearful 1+4+20+25 with 2, 5, 26 variants
    "fear": ([1, 2, 4, 5, 20, 26], [7, 25, 27], [12], "fear"),
    "fear_slight": ([1, 2, 4, 5, 20], [7, 25, 26], [12], "fear"),
    # EMFACS 1+2+5B+26; Du's surprised 1+2+25+26 with 5
    "surprise": ([1, 2, 5, 26], [25, 27], [], "surprise"),
    # mild surprise stays in the brows (the jaw drop belongs to the stronger expression)
    "surprise_slight": ([1, 2], [5, 25, 26], [], "surprise"),
    # 9+10 with 15/16/17 (the seed adds 17 to the core; here it is a variant)
    "disgust": ([9, 10], [4, 6, 7, 15, 16, 17, 24, 25], [12], "disgust"),
    # unilateral R12A + R14A
    "contempt": ([12, 14], [10, 24], [], "contempt"),
    "smugness": ([12, 14], [6, 24], [], "smugness"),
    "awe": ([1, 2, 5, 25], [4, 20, 26], [], "awe"),
    # Keltner 1995: a controlled smile (lip press), gaze and head down
    "embarrassment": ([12, 24], [6, 14, 15, 23, 28, 43], [], "embarrassment"),
    # lid droop; FACS 41/42 are not in the project's catalog, so AU43 at low intensity
    "tiredness": ([43], [1, 15, 17, 25, 26, 27, 45], [], "tiredness"),
    "boredom": ([43], [14, 15, 17, 24, 25, 45], [], "boredom"),
    "confusion": ([4], [1, 2, 7, 14, 17, 23, 24, 25], [], "confusion"),
    "interest": ([1, 2], [5, 12, 25], [], "interest"),
    "suspicion": ([4, 7], [2, 14, 23, 24], [], "suspicion"),
    # Prkachin & Solomon: 4, 6/7, 9/10, 43
    "pain": ([4, 6, 7], [9, 10, 20, 25, 26, 43, 45], [], "pain"),
    # sad brows over a smile
    "bittersweet": ([1, 12], [4, 6, 17, 24, 25, 43], [], "happiness+sadness"),
    # asymmetric single actions
    "brow_one": ([2], [1, 4, 14, 24], [], "skepticism"),
    "wink": ([46], [6, 12, 14], [], "playfulness"),
    "half_smile": ([12], [6, 14, 25], [15], "happiness"),
    "sneer": ([10], [9, 12, 14], [], "disdain"),
    "corner_down": ([15], [1, 4, 14, 17], [12], "doubt"),
    "squint_one": ([7], [4, 6, 14, 24, 46], [], "suspicion"),
    # compounds, Du, Tao & Martinez 2014 (prototypical = core, variants = variant)
    "happy_surprise": ([1, 2, 12, 25], [5, 6, 26], [15], "happiness+surprise"),
    "fear_surprise": ([1, 2, 5, 20, 25], [4, 10, 11, 26, 27], [12], "fear+surprise"),
    "sad_surprise": ([1, 4, 25, 26], [2, 6], [12], "sadness+surprise"),
    "anger_surprise": ([4, 25, 26], [5, 7, 10], [12], "anger+surprise"),
    "sad_anger": ([4, 15], [1, 6, 7, 11, 17, 23, 24], [12], "sadness+anger"),
    "sad_fear": ([1, 4, 20, 25], [2, 5, 6, 15], [12], "sadness+fear"),
    "fear_anger": ([4, 20, 25], [5, 7, 10, 11], [12], "fear+anger"),
    "fear_disgust": ([1, 4, 10, 20, 25], [2, 5, 6, 9, 15], [12], "fear+disgust"),
    "anger_disgust": ([4, 10, 17], [7, 9, 24], [12], "anger+disgust"),
    "disgust_surprise": ([1, 2, 5, 10], [4, 9, 17, 24], [12], "disgust+surprise"),
    "sad_disgust": ([4, 10], [1, 6, 9, 11, 15, 17, 25], [12], "sadness+disgust"),
    "happy_disgust": ([10, 12, 25], [4, 6, 9], [15], "happiness+disgust"),
    "appalled": ([4, 10], [6, 9, 17, 24], [12], "appalled"),
    "hatred": ([4, 10], [7, 9, 17, 24], [12], "hatred"),
    # shown faces for masking: a social smile has no cheek raise (AU6 forbidden)
    "social_smile": ([12], [25], [6], "social smile"),
    "tight_smile": ([12, 24], [14], [6], "tight-lipped smile"),
    "fake_laugh": ([12, 25], [26], [6], "fake laugh"),
    "suppressed_smile": ([12, 24], [6, 14, 17, 23, 28], [15], "suppressed amusement"),
    "poker": ([], [24, 45], [], "composed face"),
    # deliberate brow raise; the eyes and jaw of felt surprise may be missing
    "posed_surprise": ([1, 2], [5, 6, 12, 25, 26, 27], [], "feigned surprise"),
    # AU1 is hard to produce at will (Ekman's reliable muscles), so posed sadness keeps 4+15
    "crocodile_tears": ([4, 15], [1, 12, 14, 17], [], "feigned sadness"),
}

CASES: list[dict] = []


def c(lang: str, cat: str, text: str, tpl: str, *, hidden: str | None = None, neg: tuple[str, ...] = (),
      core: list[int] | None = None, add_core: tuple[int, ...] = (), add_var: tuple[int, ...] = (),
      add_forb: tuple[int, ...] = (), max_intensity: float | None = None, micro: bool | None = None,
      emotion: str | None = None) -> None:
    base_core, base_var, base_forb, emo = T[tpl]
    core_s = set(base_core if core is None else core) | set(add_core)
    var_s, forb_s = set(base_var), set(base_forb)
    var_s |= set(base_core) - core_s  # a prototype AU the text does not require may still show
    if hidden:  # the hidden feeling leaks at reduced intensity: its AUs may show, none required
        h_core, h_var, _, h_emo = T[hidden]
        var_s |= set(h_core) | set(h_var)
        emo = f"{h_emo} masked by {emo}"
    for n in neg:  # the negated (or only apparent) emotion's own AUs read as the wrong emotion
        forb_s |= set(T[n][0]) - core_s - set(base_var)
    if neg and emotion is None:
        emo = f"{emo} (not {', '.join(T[n][3] for n in neg)})"
    forb_s = (forb_s - set(add_var)) | set(add_forb)
    var_s = (var_s | set(add_var)) - set(add_forb)
    forb_s -= core_s
    var_s -= core_s | forb_s
    item: dict = {"text": text, "core": sorted(core_s), "variant": sorted(var_s)}
    if forb_s:
        item["forbidden"] = sorted(forb_s)
    if max_intensity is not None:
        item["max_intensity"] = max_intensity
    if micro is not None:
        item["micro"] = micro
    item.update(lang=lang, category=cat, emotion=emotion or emo, split=split_of(text))
    CASES.append(item)


def en(cat, text, tpl, **kw):
    c("en", cat, text, tpl, **kw)


def zh(cat, text, tpl, **kw):
    c("zh", cat, text, tpl, **kw)


# ---------------------------------------------------------------- English: situations (appraisal)
S = "situation"
en(S, "she opens the letter and learns she did not get the job", "sadness")
en(S, "a stranger cuts in front of him in the queue", "anger")
en(S, "his dog runs to meet him after a month away", "happiness")
en(S, "she bites into her sandwich and finds half a worm", "disgust")
en(S, "the lights go out and something breathes behind her in the dark", "fear")
en(S, "her friends leap out from behind the sofa yelling surprise", "happy_surprise")
en(S, "he stands at the graveside as they lower his father's coffin", "sadness")
en(S, "the waiter spills red wine down her white dress and walks off without a word", "anger")
en(S, "he checks the numbers twice: the lottery ticket in his hand is the winner", "happy_surprise")
en(S, "a car runs the red light and swerves straight at her", "fear_surprise")
en(S, "she walks out of the exam hall knowing she nailed every question", "happiness")
en(S, "someone left a dirty nappy on the train seat next to him", "disgust")
en(S, "her colleague pitches her idea to the boss as his own, right in front of her", "anger")
en(S, "the doctor smiles and says the scan came back clear", "relief")
en(S, "standing on the rim of the Grand Canyon as the sun comes up", "awe")
en(S, "his little girl takes her first wobbly steps toward him", "happiness")
en(S, "the departure board flips to CANCELLED for the third time today", "annoyance", emotion="frustration")
en(S, "she finds out her best friend has been lying to her for years", "sad_anger")
en(S, "the phone rings at 3 a.m. and the screen says it's the hospital", "worry")
en(S, "a little boy watches his ice cream slide off the cone onto the pavement", "sadness")
en(S, "she steps on something soft on the dark path, and then the smell hits her", "disgust")
en(S, "he is waiting for the bus and scrolling through his phone", "neutral")
en(S, "he pours the milk and it comes out in lumps", "disgust")
en(S, "his team scores the winner in the last second of extra time", "excitement")
en(S, "a fat spider drops from the ceiling onto her pillow", "fear")
en(S, "the magician pulls her wedding ring out of a sealed orange", "surprise")
en(S, "her son walks through the arrivals gate, home from the war", "tears_of_joy")
en(S, "the landlord refuses to fix the heating for the third winter in a row", "anger")
en(S, "her phone lights up: 'we need to talk. call me.'", "worry")
en(S, "he trips up the bus steps in front of a crowd of teenagers", "embarrassment")
en(S, "he realises he has been calling his new boss by the wrong name all week", "embarrassment")
en(S, "a man kicks a small dog in the park for barking", "anger_disgust")
en(S, "the footage shows soldiers firing on unarmed protesters", "appalled")
en(S, "the fireworks burst right overhead, enormous and golden", "awe")
en(S, "the oncologist tells her the tumour is malignant", "sad_fear")
en(S, "after two years of injuries she crosses the line first and wins gold", "tears_of_joy")
en(S, "he proposes on the beach and she says yes", "happiness")
en(S, "locked out in the snow, she can see her keys on the kitchen table", "annoyance", emotion="frustration")
en(S, "the neighbour's car alarm has been wailing for an hour", "annoyance")
en(S, "he unzips the gym bag he forgot in the car all summer", "disgust")
en(S, "his grandmother looks up at him and asks who he is", "sadness")
en(S, "a man with a knife steps out of the alley in front of her", "fear")
en(S, "a door slams somewhere behind her in the empty house", "fear_surprise")
en(S, "the teacher hands back her essay with a big red F on it", "sadness")
en(S, "someone keeps kicking the back of her seat through the whole film", "annoyance")
en(S, "he sits alone at the table for two; his date never shows up", "sadness")
en(S, "the rollercoaster creaks up to the top of the first drop", "fear")
en(S, "an old friend he thought was dead walks into the bar", "happy_surprise")
en(S, "the ground starts shaking and the bookshelves topple", "fear")
en(S, "her cat drops a half-eaten mouse on the duvet", "disgust")
en(S, "three hours in a waiting room with nothing to read", "boredom")
en(S, "she finally gets home after a double night shift", "tiredness")
en(S, "the politician she despises delivers a smug speech on TV", "contempt")
en(S, "he stubs his toe on the bed frame", "pain")
en(S, "the plane suddenly drops in turbulence", "fear")
en(S, "he finds his name at the top of the list of accepted students", "happiness")
en(S, "she waits outside the operating theatre for news of her husband", "worry")
en(S, "the clouds part and the whole glacier appears below them", "awe")
en(S, "her colleague brags about his expensive watch for the fifth time today", "contempt")
en(S, "an old photo of her late mother laughing at a picnic", "bittersweet", emotion="nostalgia")
en(S, "he misses the last train by a second and stands there in the rain", "annoyance", emotion="frustration")
en(S, "the email says 'Congratulations, your visa has been approved!'", "happiness")
en(S, "the boss calls her into the office and closes the door behind her", "worry")
en(S, "he reads the cruel comments under his post", "sadness")
en(S, "a stranger returns the wallet she lost, every note still inside", "happy_surprise")
en(S, "he is told the puppy he picked out has gone to another family", "sadness")
en(S, "the cat knocks a full mug of coffee across his laptop", "anger")
en(S, "sitting through an hour-long meeting about the next meeting", "boredom")
en(S, "a child hands him a dandelion and says it's for him", "happiness")
en(S, "watching a video of a doctor squeezing a giant cyst", "disgust")
en(S, "the radio says the factory where her husband works is on fire", "fear")
en(S, "she reads the instructions for the new dishwasher", "neutral")

# ---------------------------------------------------------------- English: idioms and figurative speech
I = "idiom"
en(I, "he was seeing red", "anger")
en(I, "her heart sank", "sadness")
en(I, "over the moon about the baby", "happiness")
en(I, "scared stiff", "fear")
en(I, "looking down in the mouth", "sadness")
en(I, "she's been on cloud nine since the wedding", "happiness")
en(I, "Dad blew a fuse when he saw the bill", "anger")
en(I, "when she saw the dent in her car she hit the roof", "anger")
en(I, "I nearly jumped out of my skin", "fear_surprise")
en(I, "his jaw hit the floor", "surprise")
en(I, "butterflies in her stomach before the audition", "worry")
en(I, "it made me sick to my stomach", "disgust")
en(I, "tickled pink", "happiness")
en(I, "green with envy", "envy")
en(I, "heart in her mouth as he climbed the ladder", "fear")
en(I, "his blood ran cold", "fear")
en(I, "white as a sheet", "fear")
en(I, "grinning from ear to ear", "happiness")
en(I, "fit to be tied", "anger")
en(I, "a bit hot under the collar", "annoyance", max_intensity=0.5)
en(I, "she looks down her nose at the new intern", "contempt")
en(I, "that guy makes my skin crawl", "fear_disgust")
en(I, "walking on air", "happiness")
en(I, "beside himself with rage", "anger")
en(I, "bored stiff", "boredom", neg=("fear",))
en(I, "completely knocked for six", "surprise")
en(I, "like a deer in the headlights", "fear_surprise")
en(I, "chuffed to bits", "happiness")
en(I, "absolutely gutted", "sadness")
en(I, "a bit miffed", "annoyance", max_intensity=0.5)
en(I, "really cheesed off", "annoyance")
en(I, "it makes my blood boil", "anger")
en(I, "she couldn't believe her eyes", "surprise")
en(I, "why the long face?", "sadness")
en(I, "a face like thunder", "anger")
en(I, "he lost his cool", "anger")
en(I, "we were in stitches", "laughter")
en(I, "she cracked up at the punchline", "laughter")
en(I, "left with egg on his face", "embarrassment")
en(I, "she was spitting feathers", "anger")
en(I, "on tenterhooks waiting for the results", "worry")
en(I, "shaking like a leaf", "fear")
en(I, "frightened out of her wits", "fear")
en(I, "he got the fright of his life", "fear_surprise")
en(I, "the smell turned my stomach", "disgust")
en(I, "totally grossed out", "disgust")
en(I, "like the cat that got the cream", "smugness")
en(I, "pleased as punch", "happiness")
en(I, "a face as long as a fiddle", "sadness")
en(I, "crying her eyes out", "crying")
en(I, "a lump in his throat", "sadness")
en(I, "utterly gobsmacked", "surprise")
en(I, "the view took my breath away", "awe")
en(I, "her hair stood on end", "fear")
en(I, "on top of the world", "happiness")
en(I, "feeling blue", "sadness")
en(I, "worried sick about her son", "worry", neg=("disgust",))
en(I, "sick and tired of his excuses", "annoyance", neg=("disgust", "tiredness"))
en(I, "scared to death of needles", "fear")
en(I, "the coach went ballistic", "anger")
en(I, "in seventh heaven", "happiness")
en(I, "down in the dumps since the breakup", "sadness")
en(I, "her eyes were like saucers", "surprise")
en(I, "he nearly had kittens when she was late", "worry")
en(I, "jumping for joy", "excitement")
en(I, "cold feet on the morning of the wedding", "worry")
en(I, "her face fell", "sadness")
en(I, "tickled to death by the birthday card", "happiness", neg=("sadness",))
en(I, "mad as a hornet", "anger")
en(I, "she was fuming", "anger")

# ---------------------------------------------------------------- English: masking, pretending, suppression
M = "masking"
en(M, "smiling politely while hurt", "social_smile", hidden="sadness")
en(M, "she pretends not to care", "poker", hidden="sadness")
en(M, "he laughs along with the joke about his weight, but it stings", "fake_laugh", hidden="sadness")
en(M, "a forced grin for the team photo", "social_smile")
en(M, "the flight attendant keeps smiling at the passenger who is shouting at her", "social_smile", hidden="anger")
en(M, "trying hard not to laugh at the funeral", "suppressed_smile")
en(M, "she bites her lip to keep from giggling", "suppressed_smile")
en(M, "a poker face while holding four aces", "poker", hidden="happiness")
en(M, "he keeps a straight face though he's furious inside", "poker", hidden="anger")
en(M, "smiling through gritted teeth", "social_smile", hidden="anger")
en(M, "putting on a brave face in the hospital waiting room", "poker", hidden="fear", add_var=(12,))
en(M, "he acts cool, but his eyes are terrified", "fear", core=[1, 2, 4, 5], add_var=(24,),
   emotion="fear masked by composure")
en(M, "a tight-lipped smile, her eyes still red from crying", "tight_smile", hidden="sadness")
en(M, "pretending to be surprised at the party she planned herself", "posed_surprise", hidden="happiness")
en(M, "he fake-laughs at his boss's terrible joke", "fake_laugh")
en(M, "the customer-service smile stays on while the man yells at her", "social_smile", hidden="annoyance")
en(M, "he hides his disgust and takes another polite bite", "poker", hidden="disgust", add_var=(12,))
en(M, "he tries to look unimpressed by the gift, though he secretly loves it", "poker", hidden="happiness")
en(M, "crocodile tears at the reading of the will", "crocodile_tears")
en(M, "he grins at the interviewer while his heart pounds", "social_smile", hidden="worry")
en(M, "she laughs it off, but her chin is trembling", "fake_laugh", hidden="sadness", add_core=(17,))
en(M, "smiling with her mouth while her eyes stay cold", "social_smile", add_var=(4, 7))
en(M, "she hides her fear behind a confident smile", "social_smile", hidden="fear")
en(M, "he bites back tears and smiles for the kids", "social_smile", hidden="sadness")
en(M, "pretending she's not scared of the huge dog", "poker", hidden="fear")
en(M, "acting as though the insult didn't hurt at all", "poker", hidden="sadness")
en(M, "pretends to be cross with the puppy but can't hide a grin", "annoyance", add_core=(12,),
   add_var=(6, 7, 14, 24, 25), emotion="happiness masked by feigned annoyance")
en(M, "the stewardess keeps her professional smile as the plane shudders", "social_smile", hidden="fear")
en(M, "she masks her contempt with a sweet smile", "social_smile", hidden="contempt")
en(M, "holding back a laugh, lips pressed tight", "suppressed_smile")
en(M, "keeping a stiff upper lip at the funeral", "poker", hidden="sadness")
en(M, "he nods calmly while his knuckles whiten around the pen", "poker", hidden="anger")
en(M, "a cheerful voice and a smile, but her inner brows are drawn up", "social_smile", hidden="sadness", add_core=(1,))
en(M, "she swallows her anger and answers with a thin, polite smile", "tight_smile", hidden="anger")

# ---------------------------------------------------------------- English: negation
N = "negation"
en(N, "not angry, just tired", "tiredness", neg=("anger",))
en(N, "I'm not sad, I'm furious", "anger", neg=("sadness",))
en(N, "she's not happy about this at all", "annoyance", neg=("happiness",))
en(N, "she isn't scared, she's excited", "excitement", neg=("fear",))
en(N, "not surprised in the least", "neutral", neg=("surprise",))
en(N, "he's not smiling", "neutral", neg=("happiness",))
en(N, "no longer afraid", "neutral", neg=("fear",))
en(N, "not disgusted, just surprised", "surprise", neg=("disgust",))
en(N, "she wasn't upset, only a little puzzled", "confusion", neg=("sadness",), max_intensity=0.5)
en(N, "not unhappy with the result", "happiness_slight", neg=("sadness",), max_intensity=0.5)
en(N, "he never once cracked a smile", "neutral", neg=("happiness",))
en(N, "far from pleased", "annoyance", neg=("happiness",))
en(N, "not the least bit bothered", "neutral", neg=("annoyance",))
en(N, "not shocked, just disappointed", "sadness", neg=("surprise",))
en(N, "without a trace of fear", "neutral", neg=("fear",))
en(N, "he doesn't look angry, more hurt than anything", "sadness", neg=("anger",))
en(N, "not laughing, not crying, just staring blankly", "neutral", neg=("laughter", "sadness"))
en(N, "he isn't disgusted by the beetles at all; he's fascinated", "interest", neg=("disgust",))
en(N, "not bored, completely absorbed", "interest", neg=("boredom",))
en(N, "not afraid of the dark anymore", "neutral", neg=("fear",))
en(N, "I'm not mad at you, just worried", "worry", neg=("anger",))
en(N, "she didn't even flinch", "neutral", neg=("fear_surprise",))
en(N, "neither happy nor sad, just numb", "neutral", neg=("happiness", "sadness"))
en(N, "not a happy camper", "annoyance", neg=("happiness",))
en(N, "not in the mood to smile", "neutral", neg=("happiness",), add_var=(1, 4, 15, 17, 24))
en(N, "it wasn't fear he felt, it was disgust", "disgust", neg=("fear",))
en(N, "she's not crying from sadness, she's laughing so hard the tears come", "laughter", neg=("sadness",))
en(N, "no, he isn't scared, he's just cold", "neutral", neg=("fear",))
en(N, "not thrilled, but not upset either", "neutral", neg=("excitement", "sadness"))
en(N, "don't mistake it for contempt; it's plain curiosity", "interest", neg=("contempt",))
en(N, "there was no anger in his face, only sorrow", "sadness", neg=("anger",))

# ---------------------------------------------------------------- English: intensity modifiers
X = "intensity"
en(X, "a little sad", "sadness", max_intensity=0.5)
en(X, "slightly annoyed", "annoyance", max_intensity=0.5)
en(X, "utterly terrified", "fear")
en(X, "a hint of a smile", "happiness_slight", max_intensity=0.4)
en(X, "mildly surprised", "surprise_slight", max_intensity=0.5)
en(X, "extremely angry", "anger")
en(X, "absolutely livid", "anger")
en(X, "somewhat disgusted", "disgust", max_intensity=0.6)
en(X, "incredibly happy", "happiness")
en(X, "a faint look of worry", "worry", max_intensity=0.4)
en(X, "a touch of sadness in her eyes", "sadness", max_intensity=0.4)
en(X, "cartoonishly, over-the-top shocked", "surprise")
en(X, "the faintest trace of a smile", "happiness_slight", max_intensity=0.3)
en(X, "a tiny bit nervous", "worry", max_intensity=0.4)
en(X, "positively beaming", "happiness")
en(X, "a barely perceptible frown", "annoyance", max_intensity=0.4, emotion="displeasure")
en(X, "scared out of her mind", "fear")
en(X, "a bit teary", "sadness", max_intensity=0.5)
en(X, "very, very sad", "sadness")
en(X, "somewhat amused", "happiness_slight", max_intensity=0.6)
en(X, "totally disgusted", "disgust")
en(X, "beyond terrified", "fear")
en(X, "just a tad surprised", "surprise_slight", max_intensity=0.5)
en(X, "wildly happy", "happiness")
en(X, "slightly smug", "smugness", max_intensity=0.5)
en(X, "ever so slightly surprised, brows barely lifting", "surprise_slight", max_intensity=0.4)
en(X, "a whisper of contempt", "contempt", max_intensity=0.4)
en(X, "sobbing uncontrollably", "crying")
en(X, "lightly amused", "happiness_slight", max_intensity=0.5)
en(X, "a little bit scared", "fear_slight", max_intensity=0.5)
en(X, "mildly irritated", "annoyance", max_intensity=0.5)
en(X, "seething with rage", "anger")
en(X, "slightly disappointed", "sadness", max_intensity=0.5)
en(X, "a small, shy smile", "happiness_slight", max_intensity=0.5)
en(X, "hysterical laughter", "laughter")
en(X, "faintly disgusted", "disgust", max_intensity=0.4)
en(X, "a little worried", "worry", max_intensity=0.5)
en(X, "more than a little annoyed", "annoyance")

# ---------------------------------------------------------------- English: asymmetry
A = "asymmetry"
en(A, "a smirk", "contempt")
en(A, "a lopsided grin", "half_smile")
en(A, "he raises one eyebrow", "brow_one")
en(A, "one corner of her mouth turns down", "corner_down")
en(A, "he curls one side of his upper lip", "sneer")
en(A, "she winks at him", "wink")
en(A, "a half-smile, only the left side of her mouth", "half_smile")
en(A, "a sneering smirk", "contempt", add_var=(9,))
en(A, "one eyebrow cocked in disbelief", "brow_one")
en(A, "a crooked, knowing smile", "smugness")
en(A, "the right side of his mouth twitches into a half-grin", "half_smile")
en(A, "a one-sided sneer of disgust", "disgust")
en(A, "she squints one eye at him suspiciously", "squint_one")
en(A, "rolls her eyes with a smirk", "contempt", add_var=(1, 2))
en(A, "lifts one corner of his mouth, unimpressed", "contempt")
en(A, "a wry half-smile", "smugness", emotion="wry amusement")
en(A, "his left brow shoots up", "brow_one", add_var=(5,), emotion="surprise")
en(A, "smiling with one side of the mouth, the other side pulled tight", "contempt")
en(A, "a cocky one-sided grin", "smugness")
en(A, "she tilts her head and pulls one mouth corner in, not buying it", "contempt", core=[14], add_var=(12, 2),
   emotion="skepticism")

# ---------------------------------------------------------------- English: micro-expressions
U = "micro"
en(U, "a flash of contempt", "contempt", micro=True)
en(U, "a split-second flicker of fear crosses his face", "fear", micro=True)
en(U, "for a fraction of a second she looked furious, then smiled", "anger", micro=True, add_var=(12,))
en(U, "a brief flicker of disgust as he shakes the man's hand", "disgust", micro=True)
en(U, "a micro-expression of sadness before she answers", "sadness", micro=True)
en(U, "his eyes widen for just an instant", "surprise", core=[5], add_var=(1, 2), micro=True)
en(U, "a momentary flash of panic behind the smile", "fear", micro=True, add_var=(12,))
en(U, "a quick, suppressed flash of glee", "happiness", micro=True)
en(U, "just for a heartbeat, her upper lip curls", "sneer", micro=True, emotion="disgust")
en(U, "the corner of his mouth twitches up for a split second, a flash of smugness", "smugness", micro=True)
en(U, "an instant of shock, quickly hidden", "surprise", micro=True)
en(U, "a fleeting look of hurt", "sadness", micro=True)
en(U, "a brief flash of anger when she hears his name", "anger", micro=True)
en(U, "a fifth-of-a-second flash of fear", "fear", micro=True)
en(U, "a blink-and-you-miss-it smirk", "contempt", micro=True)
en(U, "surprise flickers across her face and is gone", "surprise", micro=True)
en(U, "a micro flash of anger, then the calm mask returns", "anger", micro=True)
en(U, "a long, slow smile spreads across his face", "happiness", micro=False)
en(U, "she stays angry for the whole meeting", "anger", micro=False)
en(U, "his shocked expression lingers for several seconds", "surprise", micro=False)
en(U, "contempt, there and gone in a twentieth of a second", "contempt", micro=True)

# ---------------------------------------------------------------- English: word forms
W = "word_form"
en(W, "the news terrifies her", "fear")
en(W, "this is infuriating", "anger")
en(W, "she sniffs the milk and looks at it disgustedly", "disgust")
en(W, "he smiles happily at the baby", "happiness")
en(W, "she angrily slams the door", "anger")
en(W, "fearfully peeking around the corner", "fear")
en(W, "sorrowful eyes", "sadness")
en(W, "a joyous reunion", "happiness")
en(W, "gleefully rubbing his hands", "happiness")
en(W, "pure astonishment", "surprise")
en(W, "staring in utter amazement", "surprise")
en(W, "the sickening stench of rot", "disgust")
en(W, "a depressing Monday morning", "sadness")
en(W, "a horrifying discovery in the basement", "fear")
en(W, "she eyed the cheap wine contemptuously", "contempt")
en(W, "a scornful glance", "contempt")
en(W, "an irritatingly slow queue", "annoyance")
en(W, "petrified", "fear")
en(W, "the revolting slime in the drain", "disgust")
en(W, "glumly watching the rain", "sadness")
en(W, "furiously typing a reply", "anger")
en(W, "cheerfully waving goodbye", "happiness")
en(W, "startled", "fear_surprise")
en(W, "a frightening sight", "fear")
en(W, "saddened by the news", "sadness")
en(W, "to his great delight", "happiness")
en(W, "worriedly checking her phone", "worry")
en(W, "disgusting", "disgust")
en(W, "surprisingly calm", "neutral", neg=("surprise",))
en(W, "terribly happy for you", "happiness", neg=("fear",))
en(W, "awfully glad you came", "happiness", neg=("disgust",))
en(W, "the scariest moment of his life", "fear")
en(W, "angrier than I've ever seen him", "anger")
en(W, "the happiest day of her life", "happiness")
en(W, "he was overjoyed", "happiness")
en(W, "the lecture was mind-numbingly boring", "boredom")
en(W, "panicky", "fear")
en(W, "enraged", "anger")
en(W, "an amusing story", "happiness")

# ---------------------------------------------------------------- English: plain emotion words
P = "plain"
en(P, "joyful", "happiness")
en(P, "a sad old man", "sadness")
en(P, "furious", "anger")
en(P, "scared", "fear")
en(P, "surprised", "surprise")
en(P, "disgusted", "disgust")
en(P, "contempt", "contempt")
en(P, "neutral expression", "neutral")
en(P, "expressionless", "neutral")
en(P, "bored", "boredom")
en(P, "tired", "tiredness")
en(P, "worried", "worry")
en(P, "nervous", "worry", emotion="nervousness")
en(P, "embarrassed", "embarrassment")
en(P, "proud", "pride")
en(P, "relieved", "relief")
en(P, "amused", "happiness")
en(P, "content", "contentment")
en(P, "excited", "excitement")
en(P, "confused", "confusion")
en(P, "anxious", "worry", emotion="anxiety")
en(P, "a grieving widow", "crying")
en(P, "heartbroken", "sadness")
en(P, "terrified", "fear")
en(P, "shocked", "surprise")
en(P, "ecstatic", "excitement")
en(P, "miserable", "sadness")
en(P, "annoyed", "annoyance")
en(P, "laughing", "laughter")
en(P, "crying", "crying")
en(P, "smiling", "happiness")
en(P, "frowning", "annoyance", emotion="displeasure")
en(P, "in pain", "pain")
en(P, "serene", "contentment")
en(P, "jealous", "envy")
en(P, "a smug look", "smugness")
en(P, "disappointed", "sadness")
en(P, "lonely", "sadness")
en(P, "curious", "interest")
en(P, "a blank stare", "neutral")
en(P, "happy woman", "happiness")
en(P, "angry man shouting", "anger", add_var=(27,))

# ---------------------------------------------------------------- English: compounds and blends
K = "compound"
en(K, "pleasantly surprised", "happy_surprise")
en(K, "sad and scared at the same time", "sad_fear")
en(K, "angry and disgusted", "anger_disgust")
en(K, "scared and grossed out at once", "fear_disgust")
en(K, "shocked and furious", "anger_surprise")
en(K, "stunned and heartbroken", "sad_surprise")
en(K, "disgusted and shocked by what she found", "disgust_surprise")
en(K, "appalled", "appalled")
en(K, "eyes full of hatred", "hatred")
en(K, "grossed out but laughing", "happy_disgust")
en(K, "angry, but also afraid of him", "fear_anger")
en(K, "a bittersweet smile", "bittersweet")
en(K, "laughing through tears", "tears_of_joy", emotion="happiness+sadness")
en(K, "furious and heartbroken", "sad_anger")
en(K, "horrified and sickened by the photos", "fear_disgust")
en(K, "delighted disbelief", "happy_surprise")
en(K, "disgusted fury", "anger_disgust")
en(K, "stunned grief", "sad_surprise")
en(K, "outraged", "anger_surprise")
en(K, "a gross-out giggle", "happy_disgust")
en(K, "terror and revulsion", "fear_disgust")
en(K, "sad, angry and tired of everything", "sad_anger")
en(K, "scared and surprised", "fear_surprise")
en(K, "happy and surprised", "happy_surprise")
en(K, "sorrowful and afraid", "sad_fear")
en(K, "revolted and enraged", "anger_disgust")
en(K, "shocked, then thrilled", "happy_surprise")
en(K, "in awe of the cathedral ceiling", "awe")
en(K, "wonderstruck", "awe")
en(K, "full of loathing", "hatred")
en(K, "appalled by the cruelty", "appalled")
en(K, "sickened and saddened", "sad_disgust")
en(K, "sad and disgusted with himself", "sad_disgust")
en(K, "frightened and furious", "fear_anger")

# ================================================================ Chinese (Simplified)
S = "situation"
zh(S, "她拆开信封，才知道自己没被录取", "sadness")
zh(S, "排队的时候，一个陌生人直接插到了他前面", "anger")
zh(S, "出差一个月回来，狗狗一路狂奔过来迎接他", "happiness")
zh(S, "她在米饭里吃出了半只虫子", "disgust")
zh(S, "深夜一个人走在小巷里，身后传来脚步声", "fear")
zh(S, "生日那天，朋友们突然从门后跳出来大喊“生日快乐”", "happy_surprise")
zh(S, "他站在父亲的墓前", "sadness")
zh(S, "刮开彩票，发现自己中了五百万", "happy_surprise")
zh(S, "数学又没及格，成绩单攥在手里", "sadness")
zh(S, "同事在老板面前把她的方案说成是自己的", "anger")
zh(S, "半夜突然地震，整栋楼都在晃", "fear")
zh(S, "站在泰山顶上看日出", "awe")
zh(S, "打开冰箱，一股馊味扑面而来", "disgust")
zh(S, "高考放榜，他考上了梦寐以求的大学", "happiness")
zh(S, "在地铁站等车，低头刷着手机", "neutral")
zh(S, "奶奶已经认不出他是谁了", "sadness")
zh(S, "加班到凌晨三点，终于到家", "tiredness")
zh(S, "凌晨两点手机响了，是医院打来的", "worry")
zh(S, "楼上装修的电钻响了一整天", "annoyance")
zh(S, "多年没见的老同学突然出现在家门口", "happy_surprise")
zh(S, "走路时一脚踩到了狗屎", "disgust")
zh(S, "一辆车突然冲上人行道，直奔她而来", "fear_surprise")
zh(S, "在全班同学面前念错了老师的名字", "embarrassment")
zh(S, "看到一个大人在踢一只小狗", "anger_disgust")
zh(S, "女儿第一次开口叫他“爸爸”", "happiness")
zh(S, "她守在手术室外，等着丈夫的消息", "worry")
zh(S, "排了两个小时的队，轮到他时刚好卖完", "annoyance", emotion="frustration")
zh(S, "医生走出病房，对家属摇了摇头", "sadness")

I = "idiom"
zh(I, "喜出望外", "happy_surprise")
zh(I, "怒发冲冠", "anger")
zh(I, "忧心忡忡", "worry")
zh(I, "大惊失色", "fear_surprise")
zh(I, "心花怒放", "happiness", neg=("anger",))
zh(I, "眉开眼笑", "happiness")
zh(I, "笑逐颜开", "happiness")
zh(I, "欣喜若狂", "excitement")
zh(I, "捧腹大笑", "laughter")
zh(I, "闷闷不乐", "sadness")
zh(I, "愁眉苦脸", "sadness")
zh(I, "垂头丧气", "sadness")
zh(I, "悲痛欲绝", "crying")
zh(I, "火冒三丈", "anger")
zh(I, "暴跳如雷", "anger")
zh(I, "怒不可遏", "anger")
zh(I, "目瞪口呆", "surprise")
zh(I, "瞠目结舌", "surprise")
zh(I, "惊慌失措", "fear")
zh(I, "胆战心惊", "fear")
zh(I, "毛骨悚然", "fear")
zh(I, "提心吊胆", "worry")
zh(I, "令人作呕", "disgust")
zh(I, "嗤之以鼻", "contempt")
zh(I, "不屑一顾", "contempt")
zh(I, "喜极而泣", "tears_of_joy")
zh(I, "义愤填膺", "anger")
zh(I, "咬牙切齿", "anger")
zh(I, "横眉怒目", "anger")
zh(I, "心如刀割", "sadness")
zh(I, "黯然神伤", "sadness")
zh(I, "魂飞魄散", "fear")
zh(I, "叹为观止", "awe")
zh(I, "乐不可支", "laughter")
zh(I, "兴高采烈", "happiness")
zh(I, "洋洋得意", "smugness")
zh(I, "愁眉不展", "worry")
zh(I, "心惊肉跳", "fear")
zh(I, "不寒而栗", "fear")
zh(I, "喜笑颜开", "happiness")
zh(I, "气急败坏", "anger")
zh(I, "心塞", "sadness")
zh(I, "看完这条新闻，我直接破防了", "crying")
zh(I, "听到这个消息，他当场傻眼了", "surprise")
zh(I, "她一听就炸毛了", "anger")
zh(I, "笑得合不拢嘴", "laughter")
zh(I, "气得直跺脚", "anger")
zh(I, "被身后的喇叭声吓了一跳", "fear_surprise")
zh(I, "这地方让人心里发毛", "fear")
zh(I, "看着就反胃", "disgust")
zh(I, "鼻子一酸，眼眶红了", "sadness")
zh(I, "乐开了花", "happiness")

M = "masking"
zh(M, "强颜欢笑", "social_smile", hidden="sadness")
zh(M, "皮笑肉不笑", "social_smile")
zh(M, "她装作不在乎的样子", "poker", hidden="sadness")
zh(M, "忍着眼泪对孩子微笑", "social_smile", hidden="sadness")
zh(M, "故作镇定", "poker", hidden="fear")
zh(M, "明明很生气，却假装没事", "poker", hidden="anger")
zh(M, "憋着笑", "suppressed_smile")
zh(M, "笑里藏刀", "social_smile", hidden="anger")
zh(M, "硬挤出一个笑容", "social_smile")
zh(M, "表面上笑嘻嘻，心里难受得要命", "social_smile", hidden="sadness")
zh(M, "明明很害怕，却装出一副无所谓的样子", "poker", hidden="fear")
zh(M, "客客气气地笑着，眼神却冷冰冰的", "social_smile", add_var=(4, 7))
zh(M, "早就知道了，却假装很惊讶", "posed_surprise")
zh(M, "面对老板的批评，他不动声色", "poker", hidden="annoyance")
zh(M, "陪着笑脸", "social_smile")

N = "negation"
zh(N, "我不生气，只是累了", "tiredness", neg=("anger",))
zh(N, "她一点也不害怕", "neutral", neg=("fear",))
zh(N, "他没有笑", "neutral", neg=("happiness",))
zh(N, "不是害怕，是兴奋", "excitement", neg=("fear",))
zh(N, "我不开心", "sadness", neg=("happiness",))
zh(N, "他并不惊讶", "neutral", neg=("surprise",))
zh(N, "不是生气，是伤心", "sadness", neg=("anger",))
zh(N, "一点都不恶心，反而挺好玩的", "happiness", neg=("disgust",))
zh(N, "脸上没有一丝笑容", "neutral", neg=("happiness",))
zh(N, "她已经不再害怕了", "neutral", neg=("fear",))
zh(N, "不难过，反而松了一口气", "relief", neg=("sadness",))
zh(N, "不是不高兴，就是有点累", "tiredness", neg=("sadness",))
zh(N, "他并没有被吓到", "neutral", neg=("fear_surprise",))
zh(N, "不是嫌弃，只是有点惊讶", "surprise_slight", neg=("disgust",), max_intensity=0.5)
zh(N, "既不高兴也不难过，就是麻木", "neutral", neg=("happiness", "sadness"))

X = "intensity"
zh(X, "有点难过", "sadness", max_intensity=0.5)
zh(X, "稍微有点生气", "annoyance", max_intensity=0.5)
zh(X, "非常害怕", "fear")
zh(X, "极其愤怒", "anger")
zh(X, "微微一笑", "happiness_slight", max_intensity=0.4)
zh(X, "略带惊讶", "surprise_slight", max_intensity=0.5)
zh(X, "十分恶心", "disgust")
zh(X, "有一点点紧张", "worry", max_intensity=0.4)
zh(X, "特别特别开心", "happiness")
zh(X, "淡淡的忧伤", "sadness", max_intensity=0.4)
zh(X, "吓得要命", "fear")
zh(X, "气得浑身发抖", "anger")
zh(X, "脸上露出一丝不悦", "annoyance", max_intensity=0.4, emotion="displeasure")
zh(X, "笑得前仰后合", "laughter")

A = "asymmetry"
zh(A, "冷笑一声", "contempt")
zh(A, "嘴角一歪，露出一丝坏笑", "smugness")
zh(A, "挑起一边眉毛", "brow_one")
zh(A, "歪嘴一笑", "smugness")
zh(A, "冲她眨了一下左眼", "wink")
zh(A, "只有半边嘴角上扬", "half_smile")
zh(A, "一侧上唇往上一翻，满脸嫌弃", "sneer", add_var=(9,), emotion="disgust")
zh(A, "一侧嘴角往下一拉，显得将信将疑", "corner_down")

U = "micro"
zh(U, "脸上闪过一丝轻蔑", "contempt", micro=True)
zh(U, "眼中闪过一丝恐惧", "fear", micro=True)
zh(U, "一瞬间露出厌恶的表情，又马上恢复了平静", "disgust", micro=True)
zh(U, "一闪而过的愤怒", "anger", micro=True)
zh(U, "嘴角一闪而过的笑意", "happiness_slight", micro=True)
zh(U, "脸上掠过一丝悲伤", "sadness", micro=True)
zh(U, "她笑了好久好久，停不下来", "laughter", micro=False)
zh(U, "听到那个名字，他的眉头一皱，随即舒展开", "annoyance", micro=True)

W = "word_form"
zh(W, "这部电影太吓人了", "fear")
zh(W, "真是令人愤怒", "anger")
zh(W, "她厌恶地把盘子推开", "disgust")
zh(W, "他开心地笑了", "happiness")
zh(W, "孩子伤心地哭了起来", "crying")
zh(W, "她惊讶地张大了嘴", "surprise")
zh(W, "他愤怒地摔上了门", "anger")
zh(W, "害怕地躲在妈妈身后", "fear")
zh(W, "轻蔑地看了他一眼", "contempt")
zh(W, "吓死我了", "fear", neg=("sadness",))
zh(W, "笑死我了", "laughter", neg=("sadness",))
zh(W, "气死我了", "anger", neg=("sadness",))
zh(W, "累死了", "tiredness", neg=("sadness",))
zh(W, "烦死了", "annoyance", neg=("sadness",))
zh(W, "恶心死了", "disgust", neg=("sadness",))
zh(W, "好可怕", "fear")
zh(W, "太恐怖了", "fear")

P = "plain"
zh(P, "开心", "happiness")
zh(P, "难过", "sadness")
zh(P, "生气", "anger")
zh(P, "害怕", "fear")
zh(P, "惊讶", "surprise")
zh(P, "厌恶", "disgust")
zh(P, "轻蔑", "contempt")
zh(P, "面无表情", "neutral")
zh(P, "紧张", "worry", emotion="nervousness")
zh(P, "尴尬", "embarrassment")
zh(P, "无聊", "boredom")
zh(P, "愤怒的男人", "anger")
zh(P, "悲伤的老人", "sadness")
zh(P, "快乐的小女孩", "happiness")
zh(P, "平静", "neutral")
zh(P, "疲惫", "tiredness")
zh(P, "得意", "smugness")

K = "compound"
zh(K, "惊喜", "happy_surprise")
zh(K, "又惊又怕", "fear_surprise")
zh(K, "又气又难过", "sad_anger")
zh(K, "又怕又恶心", "fear_disgust")
zh(K, "又惊又怒", "anger_surprise")
zh(K, "悲喜交加", "bittersweet")
zh(K, "又伤心又害怕", "sad_fear")
zh(K, "又震惊又嫌恶", "disgust_surprise")
zh(K, "望着满天星河，心生敬畏", "awe")
zh(K, "恨之入骨", "hatred")
zh(K, "又好笑又恶心", "happy_disgust")
zh(K, "又震惊又伤心", "sad_surprise")


def main() -> None:
    texts = [case["text"] for case in CASES]
    dupes = {t for t in texts if texts.count(t) > 1}
    if dupes:
        raise SystemExit(f"duplicate texts: {sorted(dupes)}")
    for split in ("tune", "heldout"):
        path = HERE / f"think_{split}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for case in CASES:
                if case["split"] == split:
                    fh.write(json.dumps(case, ensure_ascii=False) + "\n")
        print(f"{path.name}: {sum(case['split'] == split for case in CASES)} cases")


if __name__ == "__main__":
    main()
