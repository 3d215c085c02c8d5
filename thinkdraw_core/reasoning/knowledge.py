"""The embedded reasoner's knowledge base: emotion prototypes, the lexicon, modifiers and anatomy text.

Prototypes follow ../shared/reference/facs.md (EMFACS basic emotions; Du, Tao & Martinez 2014
compounds). Each prototype AU carries a base intensity for a typical, clearly felt expression and,
for AUs that only appear when the feeling is strong (AU25 in a smile, AU27 in shock), the level
from which it appears. Levels are multipliers: 0.5 mild, 1.0 typical, 1.4 extreme.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# --- prototypes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prototype:
    name: str
    aus: dict[int, float]  # AU -> base intensity at level 1.0
    gates: dict[int, float] = field(default_factory=dict)  # AU -> minimum level at which it shows
    sides: dict[int, str] = field(default_factory=dict)  # unilateral AUs (contempt)
    valence: float = 0.0
    arousal: float = 0.3
    # onset, apex, offset seconds and blinks per minute for this feeling at a typical level
    timing: tuple[float, float, float, float] = (0.5, 2.0, 0.8, 17.0)
    note: str = ""  # what the face does, in words, for the reasoning


PROTOTYPES: dict[str, Prototype] = {p.name: p for p in (
    Prototype("neutral", {}, valence=0.0, arousal=0.1, timing=(0.6, 2.0, 0.8, 17.0),
              note="a face at rest"),
    Prototype("happiness", {6: 0.6, 12: 0.8, 25: 0.5}, gates={25: 0.8}, valence=0.8, arousal=0.55,
              timing=(0.5, 2.0, 1.0, 17.0), note="a Duchenne smile: cheeks lift with the lip corners"),
    Prototype("sadness", {1: 0.6, 4: 0.5, 15: 0.6, 17: 0.3}, gates={17: 0.9}, valence=-0.7, arousal=0.25,
              timing=(1.2, 3.0, 1.5, 12.0), note="oblique inner brows and down-turned lip corners"),
    Prototype("surprise", {1: 0.7, 2: 0.7, 5: 0.4, 25: 0.6, 26: 0.6, 27: 0.5}, gates={27: 1.3}, valence=0.1,
              arousal=0.85, timing=(0.15, 1.2, 0.6, 20.0), note="brows arch, lids open, jaw drops"),
    Prototype("fear", {1: 0.6, 2: 0.4, 4: 0.5, 5: 0.6, 20: 0.6, 25: 0.5, 26: 0.3, 27: 0.4},
              gates={26: 0.9, 27: 1.3}, valence=-0.75, arousal=0.85, timing=(0.25, 2.0, 0.8, 24.0),
              note="raised yet knitted brows, wide eyes, lips stretched back"),
    Prototype("anger", {4: 0.8, 5: 0.35, 7: 0.6, 10: 0.3, 23: 0.4, 24: 0.6}, gates={5: 0.9, 10: 1.2},
              valence=-0.65, arousal=0.8, timing=(0.4, 2.5, 0.8, 12.0),
              note="lowered brows, tight lids, pressed lips"),
    Prototype("disgust", {4: 0.3, 9: 0.7, 10: 0.6, 17: 0.4}, valence=-0.65, arousal=0.5,
              timing=(0.3, 1.5, 0.8, 17.0), note="wrinkled nose and raised upper lip"),
    Prototype("contempt", {12: 0.35, 14: 0.5}, sides={12: "right", 14: "right"}, valence=-0.45, arousal=0.35,
              timing=(0.5, 1.5, 0.8, 15.0), note="one lip corner tightens and lifts"),
    # Du et al. (2014) compounds: prototypical AUs plus the commonest variants at lower intensity.
    Prototype("happily surprised", {1: 0.6, 2: 0.6, 5: 0.3, 6: 0.4, 12: 0.7, 25: 0.6, 26: 0.3}, valence=0.8,
              arousal=0.85, timing=(0.2, 1.5, 0.8, 18.0), note="an open smile under arched brows"),
    Prototype("happily disgusted", {6: 0.3, 9: 0.3, 10: 0.5, 12: 0.6, 25: 0.5}, valence=0.2, arousal=0.55,
              timing=(0.3, 1.5, 0.8, 17.0), note="a grimacing laugh with the upper lip raised"),
    Prototype("sadly fearful", {1: 0.6, 4: 0.5, 5: 0.2, 15: 0.3, 20: 0.5, 25: 0.4}, valence=-0.75, arousal=0.6,
              timing=(0.6, 2.5, 1.0, 20.0), note="pleading brows over a stretched, parted mouth"),
    Prototype("sadly angry", {4: 0.7, 7: 0.4, 15: 0.6, 17: 0.4, 24: 0.3}, valence=-0.7, arousal=0.6,
              timing=(0.6, 2.5, 1.0, 14.0), note="a scowl over a bitter down-turned mouth"),
    Prototype("sadly surprised", {1: 0.6, 2: 0.2, 4: 0.5, 25: 0.5, 26: 0.4}, valence=-0.5, arousal=0.6,
              timing=(0.3, 2.0, 1.0, 18.0), note="stricken brows with the jaw fallen open"),
    Prototype("sadly disgusted", {1: 0.3, 4: 0.6, 9: 0.2, 10: 0.5, 15: 0.3, 17: 0.3}, valence=-0.7, arousal=0.45,
              timing=(0.6, 2.0, 1.0, 15.0), note="knitted brows and a lifted, unhappy upper lip"),
    Prototype("fearfully angry", {4: 0.7, 5: 0.3, 7: 0.3, 10: 0.2, 20: 0.5, 25: 0.5}, valence=-0.75, arousal=0.9,
              timing=(0.3, 2.0, 0.8, 20.0), note="a lowered brow with the lips stretched back"),
    Prototype("fearfully surprised", {1: 0.7, 2: 0.6, 5: 0.6, 20: 0.5, 25: 0.6, 26: 0.3}, valence=-0.5,
              arousal=0.95, timing=(0.15, 1.5, 0.6, 24.0), note="startled: wide eyes, stretched open mouth"),
    Prototype("fearfully disgusted", {1: 0.5, 4: 0.5, 9: 0.3, 10: 0.5, 20: 0.5, 25: 0.4}, valence=-0.8,
              arousal=0.8, timing=(0.3, 2.0, 0.8, 20.0), note="recoiling: knitted brows, raised upper lip"),
    Prototype("angrily surprised", {4: 0.7, 5: 0.3, 7: 0.3, 25: 0.5, 26: 0.5}, valence=-0.4, arousal=0.9,
              timing=(0.2, 1.5, 0.8, 16.0), note="an outraged scowl with the jaw dropped"),
    Prototype("angrily disgusted", {4: 0.7, 7: 0.3, 9: 0.3, 10: 0.5, 17: 0.4}, valence=-0.75, arousal=0.7,
              timing=(0.4, 2.0, 0.8, 14.0), note="a scowl with the upper lip curled"),
    Prototype("disgustedly surprised", {1: 0.5, 2: 0.5, 5: 0.4, 9: 0.2, 10: 0.5}, valence=-0.3, arousal=0.75,
              timing=(0.2, 1.5, 0.8, 18.0), note="brows up while the upper lip curls"),
    Prototype("appalled", {4: 0.6, 6: 0.2, 9: 0.3, 10: 0.6}, valence=-0.7, arousal=0.65,
              timing=(0.3, 2.0, 0.8, 16.0), note="knitted brows over a lifted upper lip"),
    Prototype("hatred", {4: 0.8, 7: 0.4, 9: 0.3, 10: 0.6, 24: 0.3}, valence=-0.9, arousal=0.7,
              timing=(0.5, 2.5, 1.0, 12.0), note="a hard scowl with a curled upper lip"),
    Prototype("awed", {1: 0.6, 2: 0.6, 5: 0.5, 25: 0.5, 26: 0.2}, valence=0.6, arousal=0.6,
              timing=(0.8, 2.5, 1.0, 12.0), note="brows lifted, eyes open wide, lips softly parted"),
    # Feelings outside the seven basics, from the display literature (Tracy & Robins on pride,
    # Keltner on embarrassment, Prkachin on pain).
    Prototype("pride", {12: 0.5, 24: 0.3}, valence=0.6, arousal=0.45, timing=(0.6, 2.5, 1.0, 15.0),
              note="a small closed-lip smile held in check"),
    Prototype("polite smile", {12: 0.55}, valence=0.2, arousal=0.3, timing=(0.3, 1.5, 0.5, 17.0),
              note="a social smile of the mouth alone, without the cheek raise of a felt smile"),
    Prototype("tight smile", {12: 0.45, 24: 0.4}, valence=0.0, arousal=0.35, timing=(0.3, 1.5, 0.5, 17.0),
              note="a closed smile held down by pressed lips, the cheeks left out"),
    Prototype("posed laugh", {12: 0.6, 25: 0.45}, valence=0.1, arousal=0.45, timing=(0.2, 1.0, 0.4, 17.0),
              note="a laugh of the mouth alone: lips apart, no cheek raise"),
    # the worried brow (Ekman's 'grief muscles' without the mouth of sadness): inner brows drawn up
    # and together; the rest of fear's face stays out until the worry becomes fright
    Prototype("worry", {1: 0.55, 4: 0.5}, valence=-0.5, arousal=0.5, timing=(0.6, 2.5, 1.0, 20.0),
              note="inner brows drawn up and together: the worried brow"),
    Prototype("embarrassment", {12: 0.35, 14: 0.2, 24: 0.35}, valence=-0.3, arousal=0.5,
              timing=(0.4, 1.5, 0.8, 22.0), note="a smile controlled by pressed lips"),
    Prototype("boredom", {17: 0.2, 43: 0.35}, valence=-0.2, arousal=0.1, timing=(1.5, 3.0, 1.5, 10.0),
              note="heavy, half-lowered lids and a slack mouth"),
    Prototype("confusion", {4: 0.5, 7: 0.3, 14: 0.2}, sides={14: "left"}, valence=-0.1, arousal=0.4,
              timing=(0.5, 2.0, 0.8, 16.0), note="a knitted brow and a one-sided mouth"),
    # doubt about a claim: one brow cocked (a unilateral AU2) with a one-sided mouth, not the knitted brow of
    # puzzlement
    Prototype("skepticism", {2: 0.5, 14: 0.25}, sides={2: "right", 14: "right"}, valence=-0.2, arousal=0.35,
              timing=(0.4, 1.8, 0.8, 15.0), note="one brow cocked over a one-sided mouth"),
    Prototype("determination", {4: 0.4, 7: 0.3, 24: 0.45}, valence=0.1, arousal=0.55,
              timing=(0.5, 3.0, 0.8, 11.0), note="a set jaw, pressed lips and a focused brow"),
    Prototype("interest", {1: 0.35, 2: 0.35, 5: 0.2, 12: 0.2}, valence=0.4, arousal=0.5,
              timing=(0.4, 2.0, 0.8, 14.0), note="lifted brows and attentive eyes"),
    Prototype("pain", {4: 0.7, 6: 0.5, 7: 0.6, 9: 0.4, 10: 0.4, 43: 0.3}, valence=-0.85, arousal=0.75,
              timing=(0.2, 2.0, 1.0, 20.0), note="a wince: lowered brows, narrowed eyes, raised lip"),
    Prototype("tiredness", {43: 0.5}, valence=-0.15, arousal=0.05, timing=(1.5, 3.0, 1.5, 22.0),
              note="drooping lids"),
)}

# Which Du et al. compound a blend of two basic emotions of similar weight becomes.
COMPOUNDS: dict[frozenset[str], str] = {
    frozenset(("happiness", "surprise")): "happily surprised",
    frozenset(("happiness", "disgust")): "happily disgusted",
    frozenset(("sadness", "fear")): "sadly fearful",
    frozenset(("sadness", "anger")): "sadly angry",
    frozenset(("sadness", "surprise")): "sadly surprised",
    frozenset(("sadness", "disgust")): "sadly disgusted",
    frozenset(("fear", "anger")): "fearfully angry",
    frozenset(("fear", "surprise")): "fearfully surprised",
    frozenset(("fear", "disgust")): "fearfully disgusted",
    frozenset(("anger", "surprise")): "angrily surprised",
    frozenset(("anger", "disgust")): "angrily disgusted",
    frozenset(("disgust", "surprise")): "disgustedly surprised",
}

# Positive feelings whose negation ("not happy") reads as mild sadness rather than as nothing.
NEGATION_OPPOSITE: dict[str, str] = {"happiness": "sadness", "pride": "sadness", "interest": "boredom"}


# --- concepts and lexicon --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # hashed by identity: the same name appears at several levels
class Concept:
    """A named feeling the lexicon can point at: prototype weights and how strong the word is."""

    name: str
    components: dict[str, float]
    level: float = 1.0


def _c(name: str, level: float = 1.0, **components: float) -> Concept:
    return Concept(name, components or {name: 1.0}, level)


# Concept -> phrases. The phrases are both literal keys (exact word match) and the retrieval
# corpus the sentence embedder compares unmatched clauses against, so they describe the feeling
# and its visible signs in everyday words.
LEXICON: dict[Concept, tuple[str, ...]] = {
    _c("neutral"): ("neutral", "calm", "calm face", "expressionless", "blank expression", "blank stare",
                    "composed", "poker face", "deadpan", "impassive", "no emotion", "unmoved", "stoic",
                    "at rest", "relaxed face", "serene", "indifferent", "emotionless", "straight face",
                    # composure words: what a face or a voice held steady shows
                    "composure", "unruffled", "unflappable", "unperturbed", "unfazed", "nonchalant", "collected",
                    "level headed", "cool headed", "steady voice", "even voice", "calm voice", "level voice",
                    "even tone", "calm exterior", "cool exterior", "matter of fact", "businesslike", "placid",
                    "tranquil", "unbothered"),
    _c("happiness"): ("happy", "happiness", "happily", "joy", "joyful", "glad", "cheerful", "smiling", "smile",
                      "smiles", "grin", "grinning", "big smile", "beaming", "laughing", "laugh", "amused",
                      "amusement", "having fun", "feeling great", "warm smile", "merry", "jolly", "gleeful",
                      "lighthearted", "feeling good", "delight", "hilarious", "funny", "joyous", "blissful", "bliss", "in a good mood", "sunny disposition", "love", "loving",
                      "affection", "tender", "tenderness", "adoring", "grateful", "thankful", "hopeful"),
    _c("happiness", 0.65): ("pleased", "content", "contented", "contentment", "satisfied", "mildly happy", "at peace",
                            "gently smiling", "soft smile", "relieved", "relief", "comforted", "fond"),
    _c("happiness", 1.35): ("ecstatic", "elated", "overjoyed", "euphoric", "thrilled", "delighted",
                            "jubilant", "exhilarated", "laughing out loud", "bursting with joy",
                            "grinning from ear to ear", "over the moon", "radiant", "triumphant", "excited"),
    _c("sadness"): ("sad", "sadness", "sadly", "unhappy", "sorrow", "sorrowful", "tears", "teary", "tearful",
                    "crying", "cry", "weeping", "upset", "down", "blue", "crestfallen", "feeling low", "gloomy", "hurt", "dejected",
                    "disappointed", "disappointment", "lonely", "downcast", "glum", "regret", "guilt", "saddened",
                    "depressed", "unhappily", "dejectedly", "sorrowfully", "tearfully", "mournful", "woeful",
                    "guilty", "ashamed", "shame", "on the verge of tears", "heavy hearted", "lost", "sorry", "pitiful"),
    _c("sadness", 0.6): ("melancholy", "wistful", "pensive", "a little down", "moody", "somber", "sombre",
                         "forlorn"),
    _c("sadness", 1.35): ("grief", "grieving", "heartbroken", "devastated", "despair", "despairing",
                          "anguish", "sobbing", "miserable", "inconsolable", "mourning", "crushed"),
    _c("surprise"): ("surprised", "surprise", "astonished", "amazed", "amazement", "taken aback",
                     "caught off guard", "unexpected", "wow", "stunned", "jaw dropped", "did not expect it",
                     "raised eyebrows", "speechless", "wide eyed", "gasp", "gasping"),
    _c("surprise", 1.35): ("shocked", "shock", "flabbergasted", "astounded", "dumbfounded", "gobsmacked"),
    _c("fear"): ("afraid", "fear", "fearful", "scared", "frightened", "alarmed", "threatened", "in danger",
                 "dread", "spooked", "panic", "fright", "fearfully", "trembling", "scary", "frightening", "menacing",
                 # shrinking from a threat
                 "flinch", "flinching", "cower", "cowering", "shudder", "shuddering"),
    _c("fear", 0.55): ("scared a little", "unnerved", "spooked a little"),
    _c("worry"): ("anxious", "anxiously", "anxiety", "nervous", "nervously", "nervousness", "worried", "worry",
                  "worrying", "uneasy", "uneasiness", "apprehensive", "apprehension", "tense", "jittery", "insecure",
                  "timid", "concerned", "fretful", "fretting", "fret", "troubled", "stressed", "stressed out",
                  "agitated", "restless", "edgy", "on edge", "dreading", "ill at ease", "unsettled", "perturbed"),
    _c("fear", 1.35): ("terrified", "terror", "petrified", "panicked", "horrified", "horror",
                       "scared to death", "paralysed with fear", "paralyzed with fear"),
    _c("anger"): ("angry", "anger", "angrily", "mad", "cross", "hostile", "indignant", "outraged",
                  "bitter", "resentful", "resentment", "scowl", "scowling", "glaring", "glare",
                  "stern", "fuming", "seething", "sulky", "grumpy", "angered", "incensing", "offended"),
    _c("anger", 0.55): ("annoyed", "annoyance", "irritated", "irritation", "irritable", "frustrated",
                        "frustration", "vexed", "displeased", "miffed", "impatient", "peeved", "bothered", "irked",
                        "exasperated", "exasperation", "aggravated", "put out", "cranky", "testy", "frowning",
                        "frown", "disgruntled"),
    _c("anger", 1.35): ("furious", "fury", "rage", "raging", "enraged", "livid", "incensed", "wrathful",
                        "seething with rage", "explosive anger", "infuriated",
                        "infuriating", "irate"),
    _c("disgust"): ("disgusted", "disgust", "disgusting", "gross", "grossed out", "revolted", "repulsed",
                    "repulsive", "nauseated", "nausea", "sickened", "yuck", "eww", "icky", "bad smell",
                    "stink", "stinks", "rotten", "distaste", "revulsion", "queasy", "revolting", "nauseating", "vile",
                    "foul", "putrid", "slimy",
                    # the body's own refusal of something vile: the gag reflex and the recoil
                    "gag", "gagging", "retch", "retching", "recoil", "recoiling"),
    _c("contempt"): ("contempt", "contemptuous", "smug", "smugness", "scorn", "scornful", "disdain",
                     "disdainful", "sneer", "sneering", "smirk", "smirking", "condescending", "patronising",
                     "patronizing", "superior", "arrogant", "looking down on someone", "mocking", "derision",
                     "derisive", "sarcastic", "sarcasm", "snide", "dismissive", "haughty", "self satisfied",
                     "unimpressed", "eye roll", "rolling eyes"),
    _c("happily surprised"): ("happily surprised", "pleasantly surprised", "joyful surprise",
                              "delighted surprise", "surprise party", "good news", "what a lovely surprise"),
    _c("happily disgusted"): ("happily disgusted", "gross but funny", "laughing at something gross"),
    _c("sadly fearful"): ("sadly fearful", "desperate", "helpless", "pleading", "begging", "dread of loss"),
    _c("sadly angry"): ("sadly angry", "angry and sad", "hurt and angry", "grief and anger",
                        "betrayed", "betrayal", "aggrieved", "wronged"),
    _c("sadly surprised"): ("sadly surprised", "stricken", "sad shock", "bad news", "dismayed", "dismay"),
    _c("sadly disgusted"): ("sadly disgusted", "disillusioned", "let down and disgusted"),
    _c("fearfully angry"): ("fearfully angry", "cornered", "defensive", "angry and afraid"),
    _c("fearfully surprised"): ("fearfully surprised", "startled", "startle", "jump scare", "jumped out of their skin", "spooked suddenly"),
    _c("fearfully disgusted"): ("fearfully disgusted", "creeped out", "skin crawling", "creepy", "squeamish"),
    _c("angrily surprised"): ("angrily surprised", "outraged disbelief", "how dare you", "incredulous anger"),
    _c("angrily disgusted"): ("angrily disgusted", "indignant disgust", "revolted and angry"),
    _c("disgustedly surprised"): ("disgustedly surprised", "surprised by something gross", "ew what"),
    _c("appalled"): ("appalled", "aghast", "scandalised", "scandalized", "mortified by it", "outrageous"),
    _c("hatred"): ("hatred", "hate", "hateful", "loathing", "loathe", "detest", "venomous", "spite", "spiteful"),
    _c("awed"): ("awe", "awed", "awestruck", "in awe", "wonder", "marvel", "marvelling", "breathtaking view",
                 "overwhelmed by beauty", "reverence", "spellbound", "mesmerised", "mesmerized", "enchanted"),
    _c("pride"): ("pride", "proud", "proudly", "dignified", "accomplished", "confident", "self assured",
                  "victorious", "achievement", "honoured", "honored"),
    _c("polite smile"): ("polite smile", "fake smile", "forced smile", "social smile", "posed smile",
                         "courtesy smile", "customer service smile", "plastered smile", "strained smile",
                         "smile for the camera", "smiling politely", "professional smile", "polite grin",
                         "fixed smile", "forced grin", "fake grin", "dutiful smile", "practised smile"),
    _c("tight smile"): ("tight smile", "tight lipped smile", "thin smile", "pinched smile", "closed lip smile",
                        "pressed smile"),
    _c("posed laugh"): ("fake laugh", "forced laugh", "polite laugh", "hollow laugh", "dry laugh", "fake laughs",
                        "false laugh"),
    _c("embarrassment"): ("embarrassed", "embarrassment", "humiliated", "humiliation", "sheepish", "awkward", "bashful", "shy", "blushing",
                          "self conscious", "mortified", "flustered", "caught out"),
    _c("boredom"): ("bored", "boredom", "boring", "uninterested", "apathetic", "dull", "listless", "meh",
                    "tedious", "monotonous"),
    _c("confusion"): ("confused", "confusion", "puzzled", "perplexed", "baffled", "bewildered", "uncertain",
                      "doubtful", "suspicious", "quizzical", "wary", "distrustful"),
    _c("skepticism"): ("skeptical", "sceptical", "skepticism", "scepticism", "unconvinced", "dubious", "incredulous",
                       "disbelieving", "in disbelief", "disbelief", "not buying it"),
    _c("determination"): ("determined", "determination", "focused", "concentrating", "concentration",
                          "resolute", "serious", "steely", "gritted teeth", "stubborn"),
    _c("interest"): ("interested", "interest", "curious", "curiosity", "intrigued", "attentive", "fascinated",
                     "eager", "anticipation", "expectant", "absorbed", "engrossed", "riveted", "captivated"),
    _c("pain"): ("pain", "in pain", "painful", "hurting", "wincing", "wince", "agony", "ache", "grimace",
                 "grimacing", "suffering", "ouch"),
    _c("tiredness"): ("tired", "sleepy", "exhausted", "weary", "drowsy", "fatigued", "worn out", "yawning"),
    # Named blends: words that mean two feelings at once.
    Concept("bittersweet", {"happiness": 0.5, "sadness": 0.5}, 0.8): (
        "bittersweet", "nostalgia", "nostalgic", "reminiscing", "fond memories", "happy sad",
        "smiling through tears", "sweet sorrow", "tears of joy", "moved", "touched"),
    Concept("schadenfreude", {"contempt": 0.6, "happiness": 0.4}, 0.9): (
        "schadenfreude", "gloating", "gloat", "enjoying their failure", "malicious glee"),
    Concept("jealousy", {"anger": 0.6, "sadness": 0.4}, 0.8): ("jealous", "jealousy", "envious", "envy"),
    Concept("nervous smile", {"fear": 0.5, "happiness": 0.5}, 0.7): ("nervous smile", "nervous laugh",
                                                                      "awkward laugh"),
}

# Chinese words (MiniLM is English-only): each maps onto a concept above.
# Words too ambiguous to trust literally ("looking down on", "lost in wonder", "feeling blue" vs "blue
# eyes"); they still take part in semantic retrieval, where the whole clause gives them context.
EMBEDDING_ONLY = frozenset(("down", "blue", "lost", "cross", "hurt", "superior", "moved", "touched", "tense",
                            "love", "serious", "concerned", "dull", "long", "sorry", "shy", "passing"))

CHINESE: dict[str, tuple[str, float]] = {
    # (concept name, level); compounds first in intent, the scanner takes the longest match anyway
    "开心": ("happiness", 1.0), "高兴": ("happiness", 1.0), "快乐": ("happiness", 1.0), "喜悦": ("happiness", 1.0),
    "愉快": ("happiness", 0.8), "欢喜": ("happiness", 1.0), "微笑": ("happiness", 0.7), "笑": ("happiness", 0.9),
    "满意": ("happiness", 0.65), "欣慰": ("happiness", 0.65), "狂喜": ("happiness", 1.35), "兴奋": ("happiness", 1.3),
    "幸福": ("happiness", 1.0),
    "悲伤": ("sadness", 1.0), "难过": ("sadness", 1.0), "忧伤": ("sadness", 0.8),
    "哀伤": ("sadness", 1.0), "悲哀": ("sadness", 1.0), "失望": ("sadness", 0.8), "哭": ("sadness", 1.0),
    "流泪": ("sadness", 1.0), "泪水": ("sadness", 1.0), "眼泪": ("sadness", 1.0), "悲痛": ("sadness", 1.35), "绝望": ("sadness", 1.35), "忧郁": ("sadness", 0.6),
    "惆怅": ("sadness", 0.6), "孤独": ("sadness", 0.7),
    "愤怒": ("anger", 1.0), "生气": ("anger", 1.0), "气愤": ("anger", 1.0), "恼火": ("anger", 0.8),
    "暴怒": ("anger", 1.35), "愤慨": ("anger", 1.0), "烦躁": ("anger", 0.55), "恼怒": ("anger", 0.9),
    "不耐烦": ("anger", 0.55), "怒": ("anger", 1.0),
    "惊讶": ("surprise", 1.0), "吃惊": ("surprise", 1.0), "震惊": ("surprise", 1.35), "诧异": ("surprise", 0.8),
    "意外": ("surprise", 0.8), "惊": ("surprise", 1.0),
    "害怕": ("fear", 1.0), "恐惧": ("fear", 1.2), "惊恐": ("fearfully surprised", 1.0), "紧张": ("worry", 1.0),
    "焦虑": ("worry", 1.0), "担心": ("worry", 1.0), "惊慌": ("fear", 1.1), "恐慌": ("fear", 1.2),
    "怕": ("fear", 1.0), "吓": ("fear", 1.0), "慌": ("fear", 0.9), "愁": ("worry", 1.0), "急": ("worry", 0.8),
    "着急": ("worry", 1.0), "焦急": ("worry", 1.1), "不安": ("worry", 0.9),
    # single characters that name a feeling; the reader takes them only as whole words (see rules.py)
    "气": ("anger", 1.0), "烦": ("anger", 0.55), "恼": ("anger", 0.8), "烦躁不安": ("anger", 0.6),
    "累": ("tiredness", 1.0), "乏": ("tiredness", 0.8), "疲倦": ("tiredness", 1.0), "困倦": ("tiredness", 1.0),
    "乐": ("happiness", 1.0), "激动": ("happiness", 1.2), "欣喜": ("happiness", 1.1), "感动": ("bittersweet", 1.0),
    "羞": ("embarrassment", 0.9), "害臊": ("embarrassment", 1.0), "羞耻": ("embarrassment", 1.1),
    "纳闷": ("confusion", 0.9), "迷惑": ("confusion", 1.0), "痛": ("pain", 1.0), "放心": ("happiness", 0.6),
    "安心": ("happiness", 0.6), "好玩": ("happiness", 0.9), "有趣": ("happiness", 0.8), "好笑": ("happiness", 1.0), "羡慕": ("jealousy", 0.7), "不满": ("anger", 0.6), "愤恨": ("hatred", 1.0),
    "委屈": ("sadness", 0.8), "伤心": ("sadness", 1.0),
    "厌恶": ("disgust", 1.0), "恶心": ("disgust", 1.0), "嫌弃": ("disgust", 0.8), "反感": ("disgust", 0.8),
    "轻蔑": ("contempt", 1.0), "鄙视": ("contempt", 1.0), "不屑": ("contempt", 1.0), "蔑视": ("contempt", 1.0),
    "得意": ("contempt", 0.9), "冷笑": ("contempt", 1.0), "嘲笑": ("contempt", 1.0),
    "悲愤交加": ("sadly angry", 1.2), "悲愤": ("sadly angry", 1.0), "惊喜": ("happily surprised", 1.0),
    "喜极而泣": ("bittersweet", 1.2), "苦笑": ("bittersweet", 0.8), "百感交集": ("bittersweet", 1.0),
    "怀旧": ("bittersweet", 0.7), "悲喜交加": ("bittersweet", 1.0),
    "敬畏": ("awed", 1.0), "惊叹": ("awed", 1.0), "憎恨": ("hatred", 1.0), "仇恨": ("hatred", 1.2),
    "震怒": ("angrily surprised", 1.2), "惊惧": ("fearfully surprised", 1.1),
    "骄傲": ("pride", 1.0), "自豪": ("pride", 1.0), "尴尬": ("embarrassment", 1.0), "害羞": ("embarrassment", 0.8),
    "无聊": ("boredom", 1.0), "困惑": ("confusion", 1.0), "疑惑": ("confusion", 0.8), "坚定": ("determination", 1.0),
    "好奇": ("interest", 1.0), "痛苦": ("pain", 1.0), "疼": ("pain", 1.0), "疲惫": ("tiredness", 1.0),
    "困": ("tiredness", 0.8), "假笑": ("polite smile", 1.0), "平静": ("neutral", 1.0), "冷静": ("neutral", 1.0),
    "面无表情": ("neutral", 1.0), "淡定": ("neutral", 1.0), "嫉妒": ("jealousy", 1.0),
    # how a feeling shows: crying and laughing with the word of their degree or manner fused to them (大哭,
    # 痛哭, 大笑, 傻笑), which the segmenter keeps as one word, so the bare 哭 or 笑 inside is not read
    "大哭": ("sadness", 1.35), "痛哭": ("sadness", 1.35), "哭泣": ("sadness", 1.0), "啜泣": ("sadness", 1.0),
    "抽泣": ("sadness", 1.0), "呜咽": ("sadness", 1.0), "抽噎": ("sadness", 1.0), "落泪": ("sadness", 1.0),
    "哭鼻子": ("sadness", 0.9), "哭哭啼啼": ("sadness", 1.0), "黯然": ("sadness", 0.7), "低落": ("sadness", 0.7),
    "大笑": ("happiness", 1.3), "狂笑": ("happiness", 1.35), "傻笑": ("happiness", 0.9), "憨笑": ("happiness", 0.9),
    "偷笑": ("happiness", 0.6), "笑容": ("happiness", 0.9), "笑脸": ("happiness", 0.9), "会心一笑": ("happiness", 0.8),
    "嫣然一笑": ("happiness", 0.8), "咧嘴一笑": ("happiness", 1.0), "满足": ("happiness", 0.65),
    "惬意": ("happiness", 0.65), "兴冲冲": ("happiness", 1.1), "放下心": ("happiness", 0.6),
    "自信": ("pride", 1.0), "信心满满": ("pride", 1.1),
    "发火": ("anger", 1.0), "发脾气": ("anger", 1.0), "发飙": ("anger", 1.2), "翻脸": ("anger", 1.0),
    "瞪": ("anger", 0.9), "沉下脸": ("anger", 0.7), "拉下脸": ("anger", 0.7), "脸色一沉": ("anger", 0.7),
    "发抖": ("fear", 0.9), "哆嗦": ("fear", 0.9), "脸色苍白": ("fear", 1.0), "吓呆": ("fearfully surprised", 1.1),
    "倒吸一口凉气": ("fearfully surprised", 1.0), "呆住": ("surprise", 1.0), "张大嘴巴": ("surprise", 1.0),
    "干呕": ("disgust", 1.0), "捂住鼻子": ("disgust", 0.9), "捏着鼻子": ("disgust", 0.9),
    "怀疑": ("confusion", 0.9), "疑心": ("confusion", 0.9), "狐疑": ("confusion", 1.0),
    "红了脸": ("embarrassment", 1.0), "打哈欠": ("tiredness", 1.0), "安静": ("neutral", 1.0),
}

CONCEPTS: dict[str, Concept] = {}
for _concept in LEXICON:
    # the first entry of a name is its typical level; others are reached through their phrases
    CONCEPTS.setdefault(_concept.name, Concept(_concept.name, _concept.components, 1.0))

# --- modifiers --------------------------------------------------------------------------------------

# phrase -> level multiplier. Longer phrases are matched first.
INTENSITY_WORDS: dict[str, float] = {
    **dict.fromkeys(("slightly", "a bit", "a little", "a little bit", "mildly", "somewhat", "a trace of",
                     "a flicker of", "a glimmer of", "a tinge of", "tinged with", "quiet", "quietly", "subtle",
                     "subtly", "barely", "kind of", "sort of", "a tad", "mild", "soft", "softly", "gentle",
                     "gently", "slight", "vaguely", "low key", "restrained", "muted", "just", "a tiny bit",
                     "a wee bit", "tiny", "small", "a small"), 0.5),
    # the 'barely there' words: less than 'a little'
    **dict.fromkeys(("faint", "faintly", "a hint of", "a touch of", "a whisper of", "a suggestion of",
                     "a shadow of", "a ghost of", "a wisp of", "a sliver of"), 0.4),
    **dict.fromkeys(("the faintest", "the faintest trace of", "the slightest", "the barest", "the merest",
                     "the ghost of", "the faintest hint of"), 0.3),
    **dict.fromkeys(("moderately", "fairly", "rather", "quite", "pretty"), 0.8),
    **dict.fromkeys(("very", "really", "deeply", "so", "truly", "strongly", "intensely", "genuinely", "clearly",
                     "openly", "visibly", "profoundly", "thoroughly", "seriously", "big", "huge"), 1.25),
    **dict.fromkeys(("extremely", "completely", "utterly", "totally", "incredibly", "overwhelmingly",
                     "absolutely", "insanely", "wildly", "violently", "unbearably", "overwhelmed with",
                     "beyond", "hysterically", "uncontrollably", "terribly", "awfully", "dreadfully",
                     "frightfully", "horribly", "madly", "desperately", "ridiculously", "unbelievably",
                     "wickedly", "crazy", "insanely", "deathly", "beyond words"), 1.4),
}
CHINESE_INTENSITY: dict[str, float] = {
    **dict.fromkeys(("有点", "有些", "稍微", "略微", "略", "一点", "淡淡", "微微", "些许", "略带", "稍稍",
                     "有一点"), 0.5),
    **dict.fromkeys(("一点点", "丝丝", "隐隐"), 0.4),
    **dict.fromkeys(("一丝", "一抹", "一丝丝"), 0.5),
    **dict.fromkeys(("比较", "还算", "挺"), 0.8),
    **dict.fromkeys(("很", "非常", "十分", "特别", "真", "好", "真的", "蛮"), 1.25),
    **dict.fromkeys(("极其", "极度", "超级", "无比", "万分", "极", "太", "超", "巨", "贼", "简直"), 1.4),
}

NEGATORS = ("not", "never", "no", "none", "without", "nor", "isn't", "wasn't", "aren't", "weren't", "don't",
            "doesn't", "didn't", "no longer", "hardly", "neither", "nothing", "far from", "anything but", "cannot",
            "can't", "couldn't", "won't", "ain't", "wouldn't", "shouldn't", "hasn't", "haven't", "hadn't", "nobody",
            "no one", "less than", "nowhere near", "by no means", "scarcely")
CHINESE_NEGATORS = ("不", "没有", "没", "并不", "毫不", "毫无", "别", "无", "不是", "并非", "一点都不", "一点也不",
                    "根本不", "从不", "未", "不再", "不算", "谈不上", "算不上", "并没有", "从没", "从来不", "丝毫不",
                    "一点儿也不", "压根不", "压根没")
# Degree complements after a feeling word: 吓死我了, 气坏了, 烦得要命 (the 死 is 'to death', not a death).
CHINESE_DEGREE_AFTER = ("死我了", "死人了", "死了", "死", "坏了", "极了", "透了", "得要命", "得不行", "得要死", "到爆",
                        "到不行", "不已")

MICRO_WORDS = ("fleeting", "flash", "flashes", "flicker", "flickers", "flickering", "split second", "split-second",
               "momentary", "momentarily", "brief", "briefly", "instant", "glimpse", "micro", "micro-expression",
               "microexpression", "blink and you miss it", "for a moment", "passing", "quick flash",
               "for a heartbeat", "a heartbeat", "for a second", "for an instant", "a fraction of a second",
               "split-second", "just for a beat", "quickly hidden", "quickly masked", "quickly suppressed",
               "gone in an instant", "then it's gone", "then gone", "vanishes", "as fast as it came",
               "一闪而过", "转瞬即逝", "稍纵即逝", "一瞬", "瞬间", "闪过", "掠过", "一闪", "随即", "转眼", "刹那",
               "旋即", "倏地", "眨眼间", "转瞬", "一刹那", "很快恢复", "马上恢复", "立刻恢复", "很快又")
SLOW_WORDS = ("slow", "slowly", "gradual", "gradually", "creeping", "dawning", "growing", "building", "spreading",
              "steadily", "little by little", "sinking in", "慢慢", "渐渐", "逐渐", "缓缓")
FAST_WORDS = ("sudden", "suddenly", "abrupt", "abruptly", "jolt", "snap", "burst", "bursts", "explodes", "突然", "猛然")
HOLD_WORDS = ("lingering", "lasting", "held", "frozen", "sustained", "long", "persistent", "constant", "持续", "久久")

# Patterns (regular expressions over lower-cased text) for masking and suppression. The
# matched span is consumed so its words ("doesn't", "smile") are not read again.
MASK_NO_AU6 = (
    r"(?:doesn'?t|does not|didn'?t|did not|don'?t|do not|never|not|won'?t|fails? to|failing to)\s+(?:quite\s+)?"
    r"(?:reach|reaching|touch|touching|get to|make it to)\s+(?:the|his|her|their|my|your)\s+eyes",
    r"(?:cold|dead|empty|flat|unsmiling|hard)\s+eyes",
    r"eyes\s+(?:stay|stayed|remain|remained|are|were|look)\s+(?:cold|dead|empty|flat|serious|sad|hard)",
    r"only (?:with )?the mouth", r"mouth only",
)
SUPPRESSION = (
    r"(?:fighting|fights|fought|holding|holds|held|choking|chokes|choked|swallowing|blinking|biting)\s+back\s+",
    r"(?:trying|tries|tried|struggling|struggles)\s+(?:hard\s+)?not\s+to\s+(?:show\s+)?",
    r"(?:hiding|hides|hid|masking|masks|suppressing|suppresses|suppressed|concealing|conceals|"
    r"stifling|stifles|stifled|restraining|restrains|containing|contains|keeping in|bottling up)\s+",
    # 'swallows her anger', 'pushes down the panic', 'keeps a lid on his temper'
    r"(?:swallow(?:s|ed|ing)?|push(?:es|ed|ing)? down|chok(?:e|es|ed|ing) down|bottl(?:e|es|ed) up|"
    r"tamp(?:s|ed|ing)? down|rein(?:s|ed|ing)? in|keep(?:s|ing)? a lid on|kept a lid on)\s+"
    r"(?:down\s+)?(?:his|her|their|my|the|its|your|our)\s+",
    # 'swallows it', 'bottles it up': the feeling already told, held back
    r"(?:swallow(?:s|ed|ing)?|bottl(?:e|es|ed|ing)|push(?:es|ed|ing)?|chok(?:e|es|ed|ing)|tamp(?:s|ed|ing)?)\s+"
    r"(?:it|them)(?:\s+(?:down|up|back))?(?![\w'])",
)
CHINESE_SUPPRESSION = ("强忍", "忍住", "忍着", "强颜", "掩饰", "压抑", "憋着", "憋住", "咽下", "克制")
ASYMMETRY_WORDS = ("smirk", "smirking", "half smile", "half-smile", "half grin", "half-grin", "half a smile",
                   "crooked grin", "lopsided", "one-sided", "one sided",
                   "crooked smile", "one corner", "side of the mouth", "sneer", "sneering", "wry", "歪嘴")
# Lower-face AUs a suppressed feeling loses (Ekman: the lower face is controlled, the brows leak).
LOWER_FACE_CONTROLLED = (12, 15, 20, 25, 26, 27, 10, 16)

# --- anatomy text ----------------------------------------------------------------------------------

AU_PHRASES: dict[int, str] = {
    1: "inner brow corners lift (frontalis, pars medialis)",
    2: "outer brows lift (lateral frontalis)",
    4: "brows pull down and together, knotting a vertical furrow (corrugator, procerus)",
    5: "upper lids lift to bare white above the iris (levator palpebrae)",
    6: "cheeks lift and crow's feet crinkle at the outer eye corners (orbicularis oculi, pars orbitalis)",
    7: "lower lids tighten and straighten (orbicularis oculi, pars palpebralis)",
    9: "nose wrinkles, skin bunching along the bridge (levator labii superioris alaeque nasi)",
    10: "upper lip lifts, baring the upper teeth (levator labii superioris)",
    11: "nasolabial furrow deepens (zygomaticus minor)",
    12: "lip corners pull up and back (zygomaticus major)",
    13: "lip corners pull up sharply (levator anguli oris)",
    14: "lip corners tighten into dimples (buccinator)",
    15: "lip corners turn down (depressor anguli oris)",
    16: "lower lip is pulled down (depressor labii inferioris)",
    17: "chin boss pushes up and wrinkles (mentalis)",
    18: "lips pucker forward (incisivii)",
    20: "lips stretch sideways toward the ears (risorius with platysma)",
    22: "lips funnel outward (orbicularis oris)",
    23: "lips tighten and thin (orbicularis oris)",
    24: "lips press together (orbicularis oris)",
    25: "lips part",
    26: "jaw drops loose (masseter and temporalis relaxed)",
    27: "mouth stretches wide open (pterygoids, digastric)",
    28: "lips are sucked in (orbicularis oris)",
    43: "lids lower toward closing (levator palpebrae relaxed)",
    45: "a blink (orbicularis oculi, pars palpebralis)",
    46: "one eye winks (orbicularis oculi on one side)",
}

# Named combinations that read better as one gesture than as a list.
COMBO_PHRASES: dict[frozenset[int], str] = {
    frozenset((1, 4)): "inner brows pull up and together (AU1+AU4), corrugator working against frontalis: "
                       "the oblique brow of sorrow",
    frozenset((1, 2)): "whole brows arch up (AU1+AU2), frontalis lifting the forehead into horizontal lines",
    frozenset((1, 2, 4)): "brows lift yet draw together (AU1+AU2+AU4), frontalis and corrugator both tense: "
                          "the flat, strained brow of fear",
    frozenset((5, 7)): "eyes stare wide while the lower lids tense (AU5+AU7): a hard glare",
    frozenset((12, 14)): "lip corners pull up and tuck into dimples (AU12+AU14), zygomaticus with buccinator",
    frozenset((23, 24)): "lips press together and thin (AU23+AU24), orbicularis oris clamped",
}
