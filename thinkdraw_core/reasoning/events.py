"""Event frames: who did what to whom, read from the words of an English event description.

Whole-sentence similarity hears topics, not events: 'a stranger knocks the coffee out of her hand'
lies close to 'a stranger pays for her coffee' because both are about a stranger and a coffee, yet one
is a wrong done to her and the other a kindness. What decides the feeling is the event's structure:
the kind of act (harm or help, an injury, a gain, a gaffe), who does it (another person or they
themselves) and whom it touches (them, their body, their things, someone helpless). This module reads
that structure from the sentence with small word classes over lemmas, so any word form counts
('stubs', 'stubbed'), and names the situation of the bank (data/situations.json) it points to.

A frame is evidence added to the similarity of its situation, not a verdict: the sentence embedder
still ranks the situations, a frame lifts the one whose structure the sentence actually has. A frame
whose act is negated ('nobody helps her') is not read; negation is appraisal's business.

The word classes follow the appraisal literature's domains rather than any one sentence: the
disgust elicitors of Rozin, Haidt & McCauley (rot, body products, vermin, body-envelope violations),
injury as a blow to one's own body, wrongs as harm done by another person to them or their things,
cruelty as harm to the helpless, embarrassment as a mishap of one's own before others, boredom as
long empty time, frustration as a goal blocked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lemmas import tokens

# --- word classes (lemmas or words) -----------------------------------------------------------------
CLASSES: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    # not 'them': as often the things they hold ('reads his messages and shares them') as the people
    "SELF": "her him his their me my our us your hers",
    "POSS": "her his their my our your",
    "OTHER": "stranger someone somebody man woman guy girl boy kid kids teenager teenagers driver colleague "
             "coworker co-worker boss manager neighbour neighbor waiter waitress passenger cyclist customer "
             "classmate friend brother sister landlord teacher cashier clerk officer policeman thief people "
             "crowd bully mugger rival",
    "HELPLESS": "dog puppy cat kitten child children baby toddler animal animals horse bird pony donkey pet "
                "elderly beggar prisoner prisoners refugee refugees protester protesters bull bulls cow cows calf "
                "pig pigs sheep lamb goat deer fox rabbit hare elephant elephants whale whales dolphin seal seals "
                "monkey chimp ape turtle owl chicken chickens hen hens duck ducks swan puppies kittens foal",
    # harm that a person does to someone or to their things
    "HARM": "knock shove push barge elbow throw hurl fling toss dump spill splash snatch grab steal pinch swipe slap punch hit kick spit "
            "insult shout yell scream mock ridicule humiliate ignore interrupt block scratch key dent smash break "
            "trip blame accuse lie cheat overcharge scam rob mug bully shove sneer slam tear rip ruin empty drain "
            "hack defraud swindle con",
    "CRUEL": "kick beat hit punch slap whip torture starve abuse bully throw hurl fling pelt stone drown shoot "
             "kill torment taunt mock hurt strike stab spear club skin poach cage chain harpoon",
    # cruelty told in the passive ('a bull being stabbed'): the deliberate acts only, since 'hit' or 'killed'
    # in the passive is as often an accident ('her dog is hit by a car')
    "CRUEL_DONE": "kick kicked beat beaten whip whipped torture tortured starve starved abuse abused stab stabbed "
                  "spear speared club clubbed skin skinned poach poached cage caged chain chained harpoon "
                  "harpooned torment tormented drown drowned pelt pelted stone stoned burn burned burnt shoot shot",
    # a creature or someone they love, when harm comes to it by accident
    "LOVED": "dog cat puppy kitten pet horse pony son daughter mother father mum mom dad husband wife brother "
             "sister grandmother grandfather grandma grandpa gran nan baby child kid kids boyfriend girlfriend "
             "partner fiance fiancee friend parents",
    "ACCIDENT": "hit run knock knocked crush crushed injure injured hurt rush rushed hospitalise hospitalised "
                "hospitalize hospitalized maul mauled savage savaged bite bitten",
    # an animal's threat display or attack (a growl, a charge): danger to them
    "ANIMAL": "dog dogs wolf wolves bear bull bulls snake shark crocodile alligator boar lion tiger cougar puma "
              "swan goose geese wasp wasps hornet hornets horse cow cows rottweiler alsatian pitbull",
    "MENACE": "growl growls growled growling snarl snarls snarled snarling lunge lunges lunged charge charges "
              "charged charging bare bares bared baring hiss hisses hissed rear rears reared stalk stalks "
              "circle circles chase chases chased",
    # outcomes of a medical test or a search: the feared thing is not there, or it is
    "TEST": "biopsy scan scans test tests result results x-ray xray mri lump mole smear screening bloodwork "
            "tumour tumor",
    "CLEAR": "clear clean benign negative normal fine harmless",
    # not 'positive': a positive pregnancy test is the best news there is
    "BADTEST": "malignant cancerous abnormal spread",
    "ASSESSMENT": "exam exams test tests audition interview course module year assessment inspection driving "
                  "bar assignment essay paper finals",
    # something granted to them, which can be taken back
    "GRANT": "scholarship offer place grant funding visa loan contract deal promotion award prize invitation "
             "bonus job",
    "REVOKE": "withdraw withdrawn revoke revoked rescind rescinded retract retracted cancel cancelled canceled "
              "pull pulled",
    # damage to something of theirs or something they made
    "DAMAGE": "scribble scrawl deface vandalise vandalize wreck trash destroy smash break ruin rip tear crush "
              "trample squash spill delete erase smear",
    "WORK": "drawing painting picture homework essay work project model sandcastle tower cake garden car bike "
            "phone laptop files photos file sculpture",
    # food gone off, and things that do not belong in it
    "FOOD": "milk bread cheese meat chicken fish yoghurt yogurt salad fruit leftovers sandwich soup food meal "
            "plate carton juice cream butter egg eggs rice pasta lunch dinner burger drink coffee tea cereal",
    "SPOIL": "green grey gray mouldy moldy off bad sour furry fuzzy slimy rancid rotten lumpy",
    "FOREIGN": "hair hairs fingernail nail plaster bandage bug bugs fly flies worm worms insect insects beetle "
               "maggot cockroach snail slug toenail",
    "SURFACE": "handrail rail pole floor seat toilet bin railing pavement ground shoe shoes window",
    # help, generosity or warmth from another person
    "HELP": "pay give hand return bring help hold offer lend carry compliment praise congratulate thank hug "
            "cook save rescue share buy treat gift write send surprise cover",
    # a blow to one's own body
    "HURT": "stub bang bump burn scald cut slice prick twist sprain jam trap crush slam stab graze scrape "
            "pinch break fracture dislocate",
    "BODY": "toe toes finger fingers thumb hand hands foot feet head knee knees elbow shin ankle wrist tongue "
            "nose back shoulder tooth teeth leg arm hip neck knuckle knuckles",
    "STING": "sting bite",
    "SHARP": "splinter thorn needle shard glass pin nail tack staple fishhook hook",
    "PIERCED": "toe toes finger fingers thumb hand hands foot feet knee shin ankle wrist tongue palm heel sole "
               "skin fingernail thumbnail arm leg eye",
    # Rozin, Haidt & McCauley's disgust elicitors: rot, body products, vermin, envelope violations
    "FILTH": "rot rotten rotting mould mouldy mold moldy stink stinking stench reek reeking rancid putrid "
             "maggot maggots vomit puke sewage excrement faeces feces poo poop dung turd manure pus snot phlegm "
             "mucus slime slimy gunk grime filth filthy grimy greasy cockroach cockroaches roach roaches rat rats "
             "louse lice nit nits flies ants nappy diaper urine pee cyst boil pimple scab ooze oozing squelch "
             "curdle curdled lumpy sour spoiled spoilt gone-off festering carcass roadkill entrails intestines "
             "bloodstained hairball dandruff earwax toenail sweaty armpit drool saliva fungus fungal infested",
    # one's own mishaps, and the others who see them
    "MISHAP": "trip fall stumble slip spill drop fart burp belch hiccup forget mispronounce stammer stutter "
              "split sneeze snort faint blank wave",
    "AUDIENCE": "crowd everyone everybody audience class classmates room office colleagues guests teenagers "
                "stage people strangers watching onlookers congregation meeting party",
    "DURATION": "hour hours all-day afternoon morning evening ages endless forever weeks",
    "IDLE": "wait waiting queue line hold sit stare nothing delay delayed stuck traffic",
    "BLOCKED": "lock locked stuck jam jammed cancel cancelled canceled delay delayed crash freeze frozen "
               "broken breakdown",
    "GAIN": "accepted hired promoted win wins won qualifies qualified awarded scholarship shortlisted approved",
}.items()}

# frames: (situation name, what the frame says in words, pattern)
# pattern terms: {CLASS}, word|word (lemma or word), ~N (up to N words in between)
FRAMES: tuple[tuple[str, str, str], ...] = (
    # outcomes first: where one of these and a frame of the opposite feeling share words, the outcome wins
    ("relief", "the test they feared came back clear", "{TEST} ~4 {CLEAR}"),
    ("relief", "the test they feared found nothing", "{TEST} ~3 show|find|found ~1 nothing|no"),
    ("relief", "someone missing or in danger is safe", "found|turn|turns|turned|back ~3 safe|alive|unharmed|unhurt|"
     "undamaged|intact|okay|ok"),
    ("relief", "someone missing or in danger is safe", "found|turn|turns|turned|back ~3 without a scratch"),
    ("relief", "someone missing or in danger is safe", "found|turn|turns|turned|back ~3 in one piece"),
    ("bad_diagnosis", "a test shows the illness they feared", "{TEST} ~4 {BADTEST}"),
    ("rejection", "something granted to them is taken back", "{GRANT} ~4 {REVOKE}"),
    ("rejection", "something granted to them is taken back", "{REVOKE} ~3 {POSS} ~1 {GRANT}"),
    ("rejection", "they failed at something they tried for", "fail|flunk ~3 {ASSESSMENT}"),
    ("accident_to_loved_one", "someone they love is hurt by accident", "{POSS} ~1 {LOVED} ~2 be|get ~1 {ACCIDENT}"),
    ("threat", "an animal menaces them", "{ANIMAL} ~3 {MENACE}"),
    ("threat", "someone is following them", "stranger|someone|somebody|man|men|figure|car|van ~3 follow|follows|"
     "followed|following|stalk|stalks|stalking|tail|tails ~3 {SELF}"),
    ("romance", "someone they love asks to marry them", "propose|proposes|proposed ~2 to ~1 {SELF}"),
    ("romance", "someone they love asks to marry them", "{AGENT} ~3 propose|proposes|proposed"),
    ("theft_damage", "another person spoils something of theirs", "{AGENT} ~4 {DAMAGE} ~6 {WORK}"),
    ("unfair_treatment", "another person keeps what is owed to them",
     "{AGENT} ~2 keep|keeps|kept|withhold|pocket ~3 deposit|wages|pay|refund|money|tips|savings"),
    ("contamination", "food that has gone off", "{FOOD} ~4 turn|go|gone|smell|taste ~1 {SPOIL}"),
    ("contamination", "something that does not belong in their food", "{FOREIGN} ~4 in|on ~4 {FOOD}"),
    ("contamination", "a mouth on something dirty", "lick ~3 {SURFACE}"),
    ("cruelty", "someone harms a creature that cannot defend itself", "{HELPLESS} ~2 be|being|get ~3 {CRUEL_DONE}"),
    ("pain", "a blow or injury to their own body", "{HURT} ~2 {POSS} ~1 {BODY}"),
    ("pain", "a blow or injury to their own body", "{HURT} ~4 on|in {POSS} ~1 {BODY}"),
    ("pain", "something stings or bites them", "{STING} {SELF}"),
    ("pain", "something sharp goes into their body", "{SHARP} ~4 into|under|in|through ~3 {PIERCED}"),
    ("contamination", "something dirty, rotten or bodily (a disgust elicitor)", "{FILTH}"),
    ("contamination", "something dirty, rotten or bodily (a disgust elicitor)", "smell ~2 hit|fill|waft|reach"),
    ("cruelty", "someone harms a creature that cannot defend itself", "{CRUEL} ~6 {HELPLESS}"),
    ("cruelty", "someone harms those who cannot defend themselves", "{CRUEL} ~2 unarmed|defenceless|helpless"),
    ("cruelty", "someone harms those who cannot defend themselves", "fire|shoot ~1 on|at ~2 unarmed|defenceless"),
    ("unfair_treatment", "another person does them harm", "{AGENT} ~5 {HARM} ~5 {SELF}"),
    ("kindness", "another person does something kind for them", "{AGENT} ~5 {HELP} ~5 {SELF}"),
    ("exposure", "a mishap of their own in front of others", "{MISHAP} ~8 in front of"),
    ("exposure", "a mishap of their own in front of others", "{MISHAP} ~6 {AUDIENCE}"),
    ("exposure", "a social gaffe of their own", "wrong name|person|room|meeting"),
    ("monotony", "long empty time with nothing to do", "nothing to do|read|watch|look"),
    ("monotony", "long empty time with nothing to do", "{DURATION} ~6 {IDLE}"),
    ("monotony", "long empty time with nothing to do", "{IDLE} ~6 for ~1 {DURATION}"),
    ("obstruction", "something blocks what they are trying to do", "locked|lock|shut out"),
    ("obstruction", "something blocks what they are trying to do", "{BLOCKED} again|twice|third"),
    ("obstruction", "something they need will not work", "n't start|open|work|load|connect|budge|move|stop"),
    ("success", "they gained something they wanted", "{GAIN}"),
    ("success", "they gained a home or a car of their own", "key|keys ~2 to ~3 flat|house|home|apartment|place|car"),
    ("success", "they gained something they wanted", "pass|passes|passed ~2 exam|exams|test|audition|interview"),
)
_NEGATORS = frozenset("not never no nobody none nothing neither nor n't".split())
# a negated act is the opposite event where there is one: not winning is a failure
NEGATED: dict[str, tuple[str, str]] = {"success": ("rejection", "a gain they wanted did not come")}


AGENT = object()  # the pattern term for another party
# things that act without meaning to: a machine that takes a coin or gives nothing is no one's kindness or wrong
_MACHINES = frozenset("machine vending cash atm printer computer laptop phone app website lift elevator door "
                      "wind rain storm weather system screen till meter kettle oven engine alarm".split())
# what empties an act of its object: 'gives him nothing', 'offers her no help'
_EMPTY_OBJECT = frozenset(("nothing", "no", "none"))
_DETERMINERS = frozenset("a an the her his their my our your this that some".split())
# words after a determiner that are not someone acting: quantities, time, places, their own body
_NOT_AGENT = frozenset("same other next last first whole only one two three few lot bit time way end".split()) \
    | CLASSES["BODY"] | _MACHINES


@dataclass(frozen=True)
class Frame:
    situation: str
    what: str  # the frame in words
    words: str  # the words of the text it rests on


def _compile(pattern: str) -> list:
    out = []
    for term in pattern.split():
        if term.startswith("~"):
            out.append(int(term[1:]))
        elif term == "{AGENT}":
            out.append(AGENT)
        elif term.startswith("{"):
            out.append(CLASSES[term[1:-1]])
        else:
            out.append(frozenset(term.split("|")))
    return out


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[str, str, tuple], ...]:
    return tuple((s, what, tuple(_compile(p))) for s, what, p in FRAMES)


def _match(toks, i: int, terms, k: int) -> int:
    """End token index of terms[k:] matched from token i, or -1."""
    if k == len(terms):
        return i
    term = terms[k]
    if isinstance(term, int):
        for gap in range(term + 1):
            end = _match(toks, i + gap, terms, k + 1)
            if end >= 0:
                return end
        return -1
    if term is AGENT:  # another party: a known role word, or any noun after a determiner ('the courier')
        ok = i < len(toks) and (toks[i][0] in CLASSES["OTHER"] or (
            i > 0 and toks[i - 1][0] in _DETERMINERS and toks[i][0] not in _NOT_AGENT
            and not (i + 1 < len(toks) and toks[i + 1][0] in _MACHINES)))  # 'the ticket machine' is a machine
        return _match(toks, i + 1, terms, k + 1) if ok else -1
    if i < len(toks) and (toks[i][0] in term or toks[i][1] in term):
        return _match(toks, i + 1, terms, k + 1)
    return -1


def _valence(situation: str) -> float:
    from .appraisal import situations

    return next((s.good for s in situations() if s.name == situation), 0.0)


def read(text: str) -> list[Frame]:
    """The event frames the text has, one per situation, in the order found. A frame whose words lie
    inside an earlier frame of the opposite feeling is not read: 'her scholarship is withdrawn' is a
    loss, though 'scholarship' alone is a gain."""
    toks = tokens(text.lower().replace("\u2019", "'").replace("n't", " n't"))
    found: dict[str, Frame] = {}
    spans: list[tuple[int, int, float]] = []
    for situation, what, terms in _compiled():
        if situation in found:
            continue
        good = _valence(situation)
        for i in range(len(toks)):
            end = _match(toks, i, terms, 0)
            if end <= i:
                continue
            if any(i < e and s < end and g * good < 0 for s, e, g in spans):
                continue
            neg = next((t[0] for t in toks[max(0, i - 3):i] if t[0] in _NEGATORS), "")
            if not neg and end < len(toks) and toks[end][0] in _EMPTY_OBJECT and terms[-1] is CLASSES["SELF"]:
                neg = toks[end][0]
            if neg and situation not in NEGATED:
                continue  # 'nobody helps her': what a negated act means is left to the similarity
            words = re.sub(r"\s+", " ", text[toks[i][2]:toks[end - 1][3]])
            if neg:
                opposite, meaning = NEGATED[situation]
                frame = found.setdefault(opposite, Frame(opposite, f"{meaning} ('{neg}' negates it)", words))
            else:
                frame = found[situation] = Frame(situation, what, words)
            spans.append((i, end, _valence(frame.situation)))
            break
    return list(found.values())
