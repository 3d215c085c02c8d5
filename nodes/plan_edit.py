"""AU Plan Edit: hand overrides of AU intensities/sides, timing and handovers, for the whole plan's first beat or
any beat of an arc by its index (the web sliders write `overrides`)."""
from __future__ import annotations

import json

from comfy_api.latest import io

from thinkdraw_core.plan import AUPlan, PlanError
from thinkdraw_core.reasoning.arcs import beat_lines

from .types import CATEGORY, Plan, plan_ui


def parse_overrides(text: str) -> dict:
    text = (text or "").strip() or "{}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"overrides is not valid JSON ({exc.msg} at char {exc.pos}); write e.g. "
                        '{"aus": {"12": {"intensity": 0.4, "side": "left"}}, "timeline": {"onset": 0.3}} or, for '
                        'the second beat of an arc, {"beats": {"1": {"aus": {"4": 0.7}, "handover": "cut"}}}') from None
    return data


def summary(plan: AUPlan) -> str:
    """The node's text output: one line per beat (the index "beats" overrides address), then the reasoning."""
    return "\n".join(["Beats (address one in overrides as \"beats\": {\"<index>\": {...}}):", *beat_lines(plan), "",
                      *plan.reasoning])


class ThinkDrawAUPlanEdit(io.ComfyNode):
    """Overrides any AU's intensity/side, the timing and the handover of a plan's beats."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawAUPlanEdit",
            display_name="AU Plan Edit (ThinkDraw)",
            category=f"{CATEGORY}/think",
            description="Tweak a plan by hand: set an AU's intensity (0 removes it) or side, change the timing, "
                        "or how one beat hands over to the next ('blend' or 'cut'). Top-level keys edit the first "
                        "beat; \"beats\" edits any beat of an arc by its index (0 is the first), as listed in the "
                        "text output. Changing a timeline fixes the beats' starts as written.",
            inputs=[
                Plan.Input("plan", tooltip="The plan to tweak (from the Emotion CoT Reasoner)."),
                io.String.Input("overrides", multiline=True, default="{}",
                                tooltip='JSON. First beat: {"aus": {"12": {"intensity": 0.4, "side": "left"}, "6": 0}, '
                                        '"timeline": {"onset": 0.3}, "handover": "cut"}. Any beat by index (0 is the '
                                        'first; the text output lists them): {"beats": {"1": {"aus": {"4": 0.7}, '
                                        '"timeline": {"start": 2.5}, "handover": "blend"}}}. Add "note" to say why.'),
            ],
            outputs=[Plan.Output("plan_out", display_name="plan"),
                     io.String.Output("reasoning", tooltip="One line per beat (its index, start, emotion, AUs and "
                                                           "handover), then the plan's reasoning.")],
            is_output_node=True,  # shows its plan in the UI even with nothing connected
        )

    @classmethod
    def execute(cls, plan: AUPlan, overrides: str) -> io.NodeOutput:
        edited = plan.with_overrides(parse_overrides(overrides))
        return io.NodeOutput(edited, summary(edited), ui=plan_ui(edited))


NODES = [ThinkDrawAUPlanEdit]
