"""AU Plan Edit, imported in-process as ComfyUI imports the pack: overrides of the wrong JSON shape are a PlanError
naming the field and showing the right shape (they were AttributeError/TypeError tracebacks)."""
from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("overrides, message", [
    ('{"aus": [12, 6]}', 'overrides.aus must be an object of AU number -> intensity or '
                         "{'intensity': x, 'side': s}, got [12, 6]; write e.g. "
                         '{"aus": {"12": 0.5, "6": {"intensity": 0.3, "side": "left"}}}'),
    ('{"timeline": "fast"}', 'overrides.timeline must be an object of seconds by name, got "fast"; write e.g. '
                             '{"timeline": {"onset": 0.3, "apex": 2.0}}'),
    ('[12, 6]', 'overrides must be a JSON object like {"aus": {"12": 0.5}}'),
])
def test_plan_edit_refuses_overrides_of_the_wrong_shape(comfy_on_path, pack, overrides, message):
    from thinkdraw_core.plan import ActionUnit, AUPlan, PlanError

    node = importlib.import_module(f"{pack.__name__}.nodes.plan_edit").ThinkDrawAUPlanEdit
    plan = AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)])
    with pytest.raises(PlanError) as err:
        node.execute(plan=plan, overrides=overrides)
    assert message in str(err.value)
    edited = node.execute(plan=plan, overrides='{"aus": {"12": 0.3}, "timeline": {"onset": 0.2}}').args[0]
    assert edited.au_intensity(12) == 0.3 and edited.timeline.onset == 0.2


def _arc():
    from thinkdraw_core.plan import ActionUnit, AUPlan, Beat, EmotionComponent, EmotionSummary, Timeline

    def beat(text, name, aus, start, handover="blend"):
        return Beat(text=text, action_units=[ActionUnit(au=a, intensity=x) for a, x in aus],
                    emotion=EmotionSummary(components=[EmotionComponent(name, 1.0)]), timeline=Timeline(start=start),
                    handover=handover)

    return AUPlan.from_beats("calm pleasure, then a flash of anger, finally tears", [
        beat("calm pleasure", "happiness", [(12, 0.4)], 0.2),
        beat("a flash of anger", "anger", [(4, 0.8), (7, 0.6)], 2.7, "cut"),
        beat("finally tears", "sadness", [(1, 0.6), (15, 0.5)], 5.2),
    ], reasoning=["Arc: 3 beats"])


def test_plan_edit_addresses_a_beat_by_index_and_lists_the_beats(comfy_on_path, pack):
    node = importlib.import_module(f"{pack.__name__}.nodes.plan_edit").ThinkDrawAUPlanEdit
    schema = node.define_schema()
    overrides_input = next(i for i in schema.inputs if i.id == "overrides")
    assert '"beats": {"1":' in overrides_input.tooltip and "beats" in schema.description

    out = node.execute(plan=_arc(), overrides='{"beats": {"1": {"aus": {"4": 0.3, "23": 0.5}, "handover": "blend"}, '
                                              '"2": {"timeline": {"start": 4.0}}}, "aus": {"12": 0.6}}')
    edited, text = out.args
    first, second, third = edited.beats
    assert first.au_intensity(12) == 0.6 and second.au_intensity(4) == 0.3 and second.au_intensity(23) == 0.5
    assert second.au_intensity(7) == 0.6 and second.handover == "blend" and third.timeline.start == 4.0
    assert edited.beat_timing == "fixed"  # a start set by hand is kept by the renderers
    lines = text.splitlines()
    assert lines[:4] == [
        'Beats (address one in overrides as "beats": {"<index>": {...}}):',
        "beat 0 'calm pleasure' at 0.2 s: happiness 1.00: AU12 0.60; blend to beat 1",
        "beat 1 'a flash of anger' at 2.7 s: anger 1.00: AU4 0.30, AU7 0.60, AU23 0.50; blend to beat 2",
        "beat 2 'finally tears' at 4.0 s: sadness 1.00: AU1 0.60, AU15 0.50",
    ]
    assert lines[5] == "Arc: 3 beats" and lines[-1].startswith("Edited by hand")
    assert out.ui["thinkdraw_plan"][0]["beats"][1]["handover"] == "blend"

    from thinkdraw_core.plan import PlanError

    with pytest.raises(PlanError, match=r"overrides.beats key '3' is not a beat of this plan; it has beats 0..2"):
        node.execute(plan=_arc(), overrides='{"beats": {"3": {"aus": {"4": 0.3}}}}')
    # a one-expression plan lists its one beat, so the index to address is visible there too
    from thinkdraw_core.plan import ActionUnit, AUPlan

    one = node.execute(plan=AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)]), overrides="{}")
    assert one.args[1].splitlines()[1] == "beat 0 at 0.2 s: neutral: AU12 0.60"


def test_the_panel_message_names_every_beats_aus(comfy_on_path, pack):
    """The web panel shows AU names from the plan it receives, for later beats too (it keeps no name table)."""
    from thinkdraw_core.facs import DISPLAY_NAMES
    from thinkdraw_core.plan import ActionUnit, AUPlan, Beat, Timeline

    plan_ui = importlib.import_module(f"{pack.__name__}.nodes.types").plan_ui
    arc = AUPlan.from_beats("calm, then furious", [Beat(timeline=Timeline(start=0.2)),
                                                   Beat(action_units=[ActionUnit(4, 0.9), ActionUnit(24, 0.5)],
                                                        timeline=Timeline(start=2.0))])
    sent = plan_ui(arc)["thinkdraw_plan"][0]
    assert [u["label"] for u in sent["beats"][1]["action_units"]] == [DISPLAY_NAMES[4], DISPLAY_NAMES[24]]
