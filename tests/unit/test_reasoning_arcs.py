"""Emotion arcs: the reasoner cuts a text that tells a sequence of feelings into beats (reasoning/arcs.py).

Three layers: the cutting alone (split_arc, no backend); the beat logic with a scripted backend (which
parts are beats, merging, masks, handovers, timing, what the backend is asked); and the embedded backend
on arcs written for this file in English and Chinese (not from benchmarks/data)."""
from __future__ import annotations

import pytest

from thinkdraw_core.beats import au_curves, fit_to_clip
from thinkdraw_core.plan import ActionUnit, AUPlan, EmotionComponent, EmotionSummary
from thinkdraw_core.reasoning import EmotionCoTReasoner, get_reasoner
from thinkdraw_core.reasoning.arcs import BEAT_SECONDS, beat_lines, split_arc


def readings(text: str) -> list[str]:
    return [s.reading for s in split_arc(text)]


# --- cutting -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, parts", [
    ("at first she is cheerful, then she turns gloomy, and finally she bursts out laughing",
     ["she is cheerful", "she turns gloomy", "she bursts out laughing"]),
    ("she smiles warmly until suddenly she snaps", ["she smiles warmly", "suddenly she snaps"]),
    ("her joy slowly fades into sorrow", ["her joy slowly", "sorrow"]),
    ("a nervous smile that turns into open terror", ["a nervous smile", "open terror"]),
    ("she goes from bored to curious to delighted", ["she goes from bored", "curious", "delighted"]),
    ("he was disgusted, and a moment later he burst out laughing", ["he was disgusted", "he burst out laughing"]),
    # a clause without a sequence word continues the moment before it
    ("she tastes the soup, winces, then laughs at herself", ["she tastes the soup, winces", "laughs at herself"]),
    # 'starts out' opens a sequence, so the next clause is the next moment even without 'then'
    ("he starts out bored and grows more and more irritated", ["he bored", "grows more and more irritated"]),
    ("她一开始很开心，后来变得很难过", ["她很开心", "变得很难过"]),
    ("他先是害怕，然后很生气，最后哭了", ["他害怕", "很生气", "哭了"]),
    ("他从愤怒到悲伤", ["他从愤怒", "悲伤"]),
    ("他的愤怒渐渐变成了悲伤", ["他的愤怒", "悲伤"]),
    ("他哭着哭着就笑了", ["他哭着哭着", "笑了"]),
    ("她很平静，突然大发雷霆", ["她很平静", "突然大发雷霆"]),
    ("她先哭后笑", ["她哭", "笑"]),
    ("他刚才还在笑，下一秒就哭了", ["他还在笑", "下一秒就哭了"]),
    # a subordinate clause with a sequence word of its own, a sudden verb, a structure of two moments
    ("she is laughing with friends when suddenly she hears a scream",
     ["she is laughing with friends", "suddenly she hears a scream"]),
    ("she is chatting happily and snaps at the waiter", ["she is chatting happily", "snaps at the waiter"]),
    ("one moment he's laughing, the next he's sobbing", ["he's laughing", "he's sobbing"]),
    ("a polite smile followed by tears", ["a polite smile", "tears"]),
    ("his anger is slowly replaced by shame", ["his anger is slowly", "shame"]),
    # a Chinese story told in clauses: each clause is a step
    ("她拍拍狗的头，狗冲她龇牙，她猛地缩回手", ["她拍拍狗的头", "狗冲她龇牙", "她猛地缩回手"]),
    ("在大笑之前，她先愣了一下", ["她愣了一下", "在大笑之前"]),  # a clause of time placed first
    # set phrases that tell a change between two one-character feelings are spelt out
    ("老板转怒为喜", ["老板愤怒", "高兴"]),
    ("他乐极生悲", ["他快乐", "悲伤"]),
    ("她由喜转悲", ["她高兴", "悲伤"]),
])
def test_sequence_words_and_verbs_of_change_cut_the_text(text, parts):
    assert readings(text) == parts


@pytest.mark.parametrize("text", [
    "quiet pride, fighting back tears", "悲愤交加", "王先生很生气",  # 先 in 先生 is 'Mr', not 'first'
    "first thing in the morning she is happy",  # a sequence word in the only clause
    "she crosses the line first and wins gold",  # 'first' as rank, not time
    "she reads the letter, then reads it again, anxious the whole time",  # the feeling holds throughout
    "他从头到尾都很紧张",
    "she smiles when she sees him",  # a clause of time without a sequence word is the same moment
    "a calm face, a flash of contempt",  # a micro-expression on a face, not a second moment
    "他面无表情，眼中瞬间闪过一丝愤怒",
    # Chinese clauses that qualify the moment, tell what is inside, or describe the same face are no story
    "表面上笑嘻嘻，心里很难过", "她嘴上笑着，心里却在流泪", "他笑着，眼里含着泪",
])
def test_a_text_without_a_sequence_is_one_part(text):
    assert len(split_arc(text)) == 1


def test_subordinate_clauses_are_placed_by_their_conjunction():
    # 'Y after X': X came first; 'before X, Y': Y came first
    assert readings("he is furious after she laughs at him") == ["she laughs at him", "he is furious"]
    assert readings("before she composes herself, she sobs") == ["she sobs", "she composes herself"]
    assert readings("she sobs before she composes herself") == ["she sobs", "she composes herself"]
    assert split_arc("he is furious after she laughs at him")[0].moved


def test_suddenness_durations_and_gaps_are_read_per_part():
    first, second = split_arc("calm for three seconds, then all of a sudden furious")
    assert first.duration == 3.0 and first.reading == "calm"  # the duration is timing, not part of the feeling
    assert second.sudden == "all of a sudden" and second.reading == "all of a sudden furious"
    assert [s.duration for s in split_arc("开心三秒，然后猛地大怒")] == [3.0, None]
    assert split_arc("开心三秒，然后猛地大怒")[1].sudden == "猛地"
    assert split_arc("she is sad, and two seconds later she smiles")[1].gap == 2.0
    assert split_arc("她很难过，三秒后笑了")[1].gap == 3.0
    assert [s.duration for s in split_arc("他刚才还在笑，下一秒就哭了")] == [None, None]  # a moment, not a length
    # each clause with its own duration is its own moment
    assert readings("angry for one second, surprised for one second, then laughing") == \
        ["angry", "surprised", "laughing"]
    # sequence words are removed from what the backend reads, but how the change comes on stays
    assert readings("calm, then slowly a smile") == ["calm", "slowly a smile"]
    assert readings("平静，随即大怒") == ["平静", "大怒"]  # 随即 would otherwise read as a micro-expression


# --- the beat logic, with a scripted backend ---------------------------------------------------------------

FEELINGS = {"happy": ("happiness", (6, 12)), "sad": ("sadness", (1, 4, 15)), "angry": ("anger", (4, 5, 7, 23)),
            "furious": ("anger", (4, 5, 7, 23)), "disgusted": ("disgust", (9, 10)),
            "disappointed": ("sadness", (1, 4, 15))}


class ScriptedBackend:
    """Reads one feeling word per part (and 'forces a smile' as a polite smile put on, over any feeling
    beside it); records what it was asked."""

    name = "scripted"

    def __init__(self):
        self.asked: list[str] = []

    def load(self):
        pass

    def reason(self, text, intensity=1.0, context="", seed=0):
        self.asked.append(text)
        comps, aus = [], {}
        masked = "forces a smile" in text
        for word, (name, units) in FEELINGS.items():
            if word in text and all(c.name != name for c in comps):
                comps.append(EmotionComponent(name, 1.0, "hidden" if masked else ""))
                aus.update({au: 0.6 * (0.5 if masked else 1.0) for au in units})
        if masked:
            comps.append(EmotionComponent("polite smile", 1.0, "shown"))
            aus[12] = 0.7
        total = sum(c.weight for c in comps) or 1.0
        comps = [EmotionComponent(c.name, c.weight / total, c.role) for c in comps]
        return AUPlan(text=text, action_units=[ActionUnit(au=a, intensity=x) for a, x in sorted(aus.items())],
                      emotion=EmotionSummary(components=comps), reasoning=[f"scripted reading of {text!r}"],
                      backend=self.name, warnings=[] if comps else [f"no emotion in {text!r}"])


@pytest.fixture
def scripted():
    reasoner = EmotionCoTReasoner("embedded")  # the embedded backend loads nothing until it reasons
    reasoner.backend = ScriptedBackend()
    return reasoner


def test_a_one_beat_text_is_the_backends_plan_from_one_call(scripted):
    plan = scripted.reason("happy and a little sad")
    assert scripted.backend.asked == ["happy and a little sad"]
    assert plan.reasoning == ["scripted reading of 'happy and a little sad'"] and len(plan.beats) == 1


def test_each_part_is_reasoned_by_the_backend_and_becomes_a_beat(scripted):
    plan = scripted.reason("happy at first, then sad, and finally furious")
    assert scripted.backend.asked == ["happy", "sad", "furious"]
    assert [b.emotion.components[0].name for b in plan.beats] == ["happiness", "sadness", "anger"]
    assert [b.text for b in plan.beats] == ["happy at first", "sad", "finally furious"]
    assert plan.text == "happy at first, then sad, and finally furious" and plan.first_beat_text == "happy at first"
    assert plan.beat_timing == "shared" and [b.handover for b in plan.beats[:2]] == ["blend", "blend"]
    # spaced so that the plan plays on its own; a renderer spreads them over its clip
    starts = [b.timeline.start for b in plan.beats]
    assert starts == pytest.approx([0.2, 0.2 + BEAT_SECONDS, 0.2 + 2 * BEAT_SECONDS])
    spread = fit_to_clip(plan, 4.0)
    assert [b.timeline.start for b in spread.beats] == pytest.approx([0.2, 0.2 + 3.8 / 3, 0.2 + 7.6 / 3])
    # one reasoning step per beat, with its feeling, AUs and how it is entered
    heads = [s for s in plan.reasoning if s.startswith("Beat ") and " · " not in s]
    assert heads == ["Beat 1 (happy at first): happiness 1.00 -> AU6, AU12; opens the clip.",
                     "Beat 2 (sad): sadness 1.00 -> AU1, AU4, AU15; blends in at 2.7 s.",
                     "Beat 3 (finally furious): anger 1.00 -> AU4, AU5, AU7, AU23; blends in at 5.2 s."]
    assert "Beat 2 · scripted reading of 'sad'" in plan.reasoning
    assert AUPlan.from_json(plan.to_json()).to_dict() == plan.to_dict()


def test_a_sudden_word_makes_the_border_a_cut(scripted):
    plan = scripted.reason("happy, then suddenly furious")
    assert [b.handover for b in plan.beats] == ["cut", "blend"]
    assert "enters by a cut ('suddenly')" in "\n".join(plan.reasoning)
    curves = au_curves(plan, [plan.beats[1].timeline.start + 0.15])
    assert curves[12][0, 0] == pytest.approx(0.0, abs=1e-6)  # the smile is gone within the cut


def test_a_sudden_word_in_a_part_that_is_no_beat_still_cuts_the_border(scripted):
    plan = scripted.reason("happy; suddenly his face hardens into something furious")
    assert [b.text for b in plan.beats] == ["happy", "something furious"] and plan.beats[0].handover == "cut"


def test_a_part_without_a_feeling_is_a_beat_only_when_it_says_calm(scripted):
    plan = scripted.reason("happy, then he says goodbye, then sad")
    assert [b.text for b in plan.beats] == ["happy", "sad"]
    assert any("'he says goodbye' names no feeling" in s for s in plan.reasoning)
    plan = scripted.reason("furious at first, then calm")
    assert [b.text for b in plan.beats] == ["furious at first", "calm"] and plan.beats[1].action_units == []
    plan = scripted.reason("furious, then after a moment her face goes blank")
    assert len(plan.beats) == 2 and plan.beats[1].active_aus() == []
    # a clause of time that names no feeling places the feeling; it is no moment of its own
    asked = len(scripted.backend.asked)
    plan = scripted.reason("sad before he answers the letter")
    assert len(plan.beats) == 1 and plan.reasoning[0].startswith("Arc:")
    assert "he answers the letter" not in scripted.backend.asked[asked:]  # not even asked
    # one that names a feeling is a moment
    assert [b.text for b in scripted.reason("sad before he grows furious").beats] == ["sad", "he grows furious"]


def test_neighbours_of_one_feeling_are_one_beat_and_the_text_is_read_whole(scripted):
    plan = scripted.reason("first she is furious, then she is even more furious")
    assert len(plan.beats) == 1
    assert scripted.backend.asked[-1] == "first she is furious, then she is even more furious"
    assert plan.reasoning[0].startswith("Arc: the sequence words ('then') join parts that read as one feeling")
    # a feeling that comes back after another is a beat again
    assert len(scripted.reason("happy, then sad, then happy again").beats) == 3


def test_a_face_put_on_is_read_with_the_feeling_before_it(scripted):
    plan = scripted.reason("sad at first, then she forces a smile")
    assert "sad, she forces a smile" in scripted.backend.asked
    shown = plan.beats[1].emotion.components
    assert {(c.name, c.role) for c in shown} == {("sadness", "hidden"), ("polite smile", "shown")}
    assert any("puts a face on over what came before" in s for s in plan.reasoning)


def test_an_activity_going_on_before_a_change_is_the_face_at_rest(scripted):
    # a change needs a before: what was going on when it came is a calm first beat
    plan = scripted.reason("he is watering the plants, then suddenly furious")
    assert [b.text for b in plan.beats] == ["he is watering the plants", "suddenly furious"]
    assert plan.beats[0].action_units == [] and plan.beats[0].handover == "cut"
    assert any("an activity going on before the change" in s for s in plan.reasoning)
    assert [b.text for b in scripted.reason("she was knitting, and then she was angry").beats] == \
        ["she was knitting", "she was angry"]
    # a punctual step of the story is no such state, and neither is an activity after the feeling
    assert [b.text for b in scripted.reason("he waters the plants, then suddenly furious").beats] == \
        ["he waters the plants, then suddenly furious"]
    assert [b.text for b in scripted.reason("furious, then he is watering the plants, then sad").beats] == \
        ["furious", "sad"]


def test_a_letdown_word_after_a_hopeful_moment_reads_as_disappointment(scripted):
    plan = scripted.reason("happy at first, only to find the shop closed")
    assert "disappointed" in scripted.backend.asked
    assert [b.text for b in plan.beats] == ["happy at first", "find the shop closed"]
    assert any("the hope let down" in s for s in plan.reasoning)
    # after a painful moment 'only to' brings no letdown
    asked = len(scripted.backend.asked)
    plan = scripted.reason("sad at first, only to find the shop closed")
    assert "disappointed" not in scripted.backend.asked[asked:] and len(plan.beats) == 1


def test_durations_fix_the_starts(scripted):
    plan = scripted.reason("happy for two seconds, then sad for one second, then furious")
    assert plan.beat_timing == "fixed"
    assert [b.timeline.start for b in plan.beats] == pytest.approx([0.2, 2.2, 3.2])
    assert fit_to_clip(plan, 10.0) is plan  # fixed starts are kept by the renderers
    assert plan.beats[1].timeline.onset <= 0.4  # a one-second beat rises within its share
    plan = scripted.reason("sad, and three seconds later happy")
    assert plan.beat_timing == "fixed" and [b.timeline.start for b in plan.beats] == pytest.approx([0.2, 3.2])
    plan = scripted.reason("开心两秒，然后难过")  # the scripted backend knows no Chinese: no beats, one plan
    assert len(plan.beats) == 1


def test_arc_parts_are_cached_apart_from_whole_texts(scripted):
    scripted.reason("happy, then sad")
    asked = len(scripted.backend.asked)
    again = scripted.reason("happy, then sad")
    assert len(scripted.backend.asked) == asked and scripted.hits == 1 and len(again.beats) == 2
    # a part asked for on its own is a whole text: reasoned (and cached) as one
    assert len(scripted.reason("happy").beats) == 1


def test_beat_lines_list_each_beat(scripted):
    lines = beat_lines(scripted.reason("happy, then suddenly sad"))
    assert lines == ["beat 0 'happy' at 0.2 s: happiness 1.00: AU6 0.60, AU12 0.60; cut to beat 1",
                     "beat 1 'suddenly sad' at 2.7 s: sadness 1.00: AU1 0.60, AU4 0.60, AU15 0.60"]


# --- the embedded backend ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def think():
    reasoner = get_reasoner("embedded")
    reasoner.load()
    return reasoner


def _top(beat) -> str:
    return max(beat.emotion.components, key=lambda c: c.weight).name if beat.emotion.components else "calm"


@pytest.mark.parametrize("text, feelings", [
    ("he is terrified at first, then furious, and finally he weeps", ["fear", "anger", "sadness"]),
    ("she beams with pride, then her face falls", ["pride", "sadness"]),
    ("he was disgusted, and a moment later he burst out laughing", ["disgust", "happiness"]),
    ("she goes from bored to furious", ["boredom", "anger"]),
    ("他先是害怕，然后很生气，最后哭了", ["fear", "anger", "sadness"]),
    ("他先是惊讶，接着开心地笑了", ["surprise", "happiness"]),
    ("起初他很平静，后来越来越焦虑", ["calm", "worry"]),
])
def test_embedded_arcs_in_both_languages(think, text, feelings):
    plan = think.reason(text)
    assert [_top(b) for b in plan.beats] == feelings
    assert sum(s.startswith("Beat ") and " · " not in s for s in plan.reasoning) == len(feelings)


@pytest.mark.parametrize("text", ["she is calm, then suddenly furious", "她很平静，突然大发雷霆"])
def test_embedded_sudden_switch_is_a_cut(think, text):
    plan = think.reason(text)
    assert [_top(b) for b in plan.beats] == ["calm", "anger"] and plan.beats[0].handover == "cut"
    assert plan.beats[0].action_units == [] and {4, 7} <= set(plan.beats[1].active_aus())


@pytest.mark.parametrize("text", ["he was happy then and he is happy now", "他先是生气，接着又很生气",
                                  "she frowns at the letter, then frowns even more"])
def test_embedded_sequence_word_without_a_change_stays_one_expression(think, text):
    plan = think.reason(text)
    assert len(plan.beats) == 1
    alone = think.backend.reason(text)
    assert plan.active_aus() == alone.active_aus()


@pytest.mark.parametrize("text", ["he is hurt by the remark, then forces a polite smile", "他很伤心，接着强颜欢笑"])
def test_embedded_masking_as_a_beat(think, text):
    first, second = think.reason(text).beats
    assert 12 not in first.active_aus()
    roles = {c.role for c in second.emotion.components}
    assert roles == {"shown", "hidden"}
    assert 12 in second.active_aus() and 6 not in second.active_aus()  # a put-on smile has no cheek raise


@pytest.mark.parametrize("text, feelings", [
    # crying and laughing with their degree fused to the verb, contentment, a heart 'all broken', doubt
    ("她先是放声大哭，后来傻笑起来", ["sadness", "happiness"]),
    ("他一开始很满足，接着狐疑起来", ["happiness", "confusion"]),
    ("她本来很开心，后来心都碎了", ["happiness", "sadness"]),
    # the body's own reactions: a gag, a flinch, a gasp
    ("he bites into the pie happily, then gags", ["happiness", "disgust"]),
    ("she smiles at the dog until it lunges and she flinches", ["happiness", "fear"]),
])
def test_embedded_parts_told_by_expressive_verbs(think, text, feelings):
    tops = [_top(b) for b in think.reason(text).beats]
    assert len(tops) == len(feelings) and all(f in top for f, top in zip(feelings, tops))  # fear or fearfully ...


@pytest.mark.parametrize("text", ["she is knitting by the fire, then suddenly she shrieks in terror",
                                  "他正在看报纸，突然吓了一跳"])
def test_embedded_activity_before_a_change_is_a_calm_first_beat(think, text):
    plan = think.reason(text)
    assert len(plan.beats) == 2 and plan.beats[0].action_units == [] and plan.beats[0].handover == "cut"
    assert {1, 2, 5} <= set(plan.beats[1].active_aus())


def test_embedded_control_a_feeling_named_with_an_activity_stays_one_expression(think):
    plan = think.reason("in the morning she is knitting happily by the fire")
    assert len(plan.beats) == 1 and {6, 12} <= set(plan.active_aus())


@pytest.mark.parametrize("text, hidden", [
    # a set phrase of its own default (a brave face over sorrow) hides what the arc felt just before
    ("she is petrified at first, then she puts on a brave face", "fear"),
    ("he is seething, then he swallows it and replies with a thin smile", "anger"),
    ("she scowls at the waiter, then catches herself and smiles politely", "anger"),
])
def test_embedded_mask_hides_the_feeling_before_it(think, text, hidden):
    first, second = think.reason(text).beats
    assert _top(first) == hidden
    roles = {(c.name, c.role) for c in second.emotion.components}
    assert (hidden, "hidden") in roles and any(r == "shown" for _, r in roles)
    assert ("sadness", "hidden") not in roles or hidden == "sadness"


def test_embedded_leaving_is_the_later_moment_of_a_visit(think):
    plan = think.reason("she walks into the interview beaming and walks out in tears")
    assert [_top(b) for b in plan.beats] == ["happiness", "sadness"]
    assert [_top(b) for b in think.reason("她高高兴兴地走进面试间，出来时哭了").beats] == ["happiness", "sadness"]


@pytest.mark.parametrize("text", ["he is sad for three seconds and then angry", "伤心三秒，然后很生气"])
def test_embedded_explicit_duration(think, text):
    plan = think.reason(text)
    assert [_top(b) for b in plan.beats] == ["sadness", "anger"]
    assert plan.beat_timing == "fixed" and [b.timeline.start for b in plan.beats] == pytest.approx([0.2, 3.2])


def test_reasoner_node_lists_the_beats_of_an_arc(comfy_on_path, pack, think):
    import importlib

    node = importlib.import_module(f"{pack.__name__}.nodes.reasoner").ThinkDrawEmotionCoTReasoner
    settings = dict(intensity=1.0, backend="embedded", llm_model="none", base_url="", api_model="", seed=0)
    plan, text = node.execute(text="she is calm, then suddenly furious", **settings).args
    lines = text.splitlines()
    assert lines[0] == "Beats:" and lines[1:3] == beat_lines(plan) and lines[3] == ""
    assert lines[4].startswith("Arc: 2 beats")
    # one expression: the reasoning alone, as before arcs
    plan, text = node.execute(text="quietly proud", **settings).args
    assert text.splitlines() == plan.reasoning


def test_embedded_story_in_chinese_clauses_and_an_event_before_a_reaction(think):
    # each clause is a step; the dog's bark is an event whose reaction the next clause tells, so it is the
    # cause of the fright, not a beat of its own
    plan = think.reason("小女孩开心地去摸小狗，小狗冲她叫了一声，她吓了一跳")
    assert [b.text for b in plan.beats] == ["小女孩开心地去摸小狗", "她吓了一跳"]
    assert 12 in plan.beats[0].active_aus() and {1, 2}.issubset(plan.beats[1].active_aus())
    assert any("'小狗冲她叫了一声' tells an event" in s for s in plan.reasoning)
    # a set phrase of change is two beats
    plan = think.reason("老板转怒为喜")
    first, second = plan.beats
    assert 4 in first.active_aus() and 12 in second.active_aus()
    assert any("'转怒为喜' tells a change between two feelings" in s for s in plan.reasoning)
