"""AU Plan Edit: hand overrides of AU intensities/sides and timing (the web sliders write `overrides`)."""
from __future__ import annotations

import json

from comfy_api.latest import io

from thinkdraw_core.plan import AUPlan, PlanError

from .types import CATEGORY, Plan, plan_ui


def parse_overrides(text: str) -> dict:
    text = (text or "").strip() or "{}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"overrides is not valid JSON ({exc.msg} at char {exc.pos}); write e.g. "
                        '{"aus": {"12": {"intensity": 0.4, "side": "left"}}, "timeline": {"onset": 0.3}}') from None
    return data


class ThinkDrawAUPlanEdit(io.ComfyNode):
    """Overrides any AU's intensity/side and the timing of a plan."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawAUPlanEdit",
            display_name="AU Plan Edit (ThinkDraw)",
            category=f"{CATEGORY}/think",
            description="Tweak a plan by hand: set an AU's intensity (0 removes it) or side, or change the timing.",
            inputs=[
                Plan.Input("plan"),
                io.String.Input("overrides", multiline=True, default="{}",
                                tooltip='JSON: {"aus": {"12": {"intensity": 0.4, "side": "left"}, "6": 0}, '
                                        '"timeline": {"onset": 0.3}}'),
            ],
            outputs=[Plan.Output("plan_out", display_name="plan"), io.String.Output("reasoning")],
            is_output_node=True,  # shows its plan in the UI even with nothing connected
        )

    @classmethod
    def execute(cls, plan: AUPlan, overrides: str) -> io.NodeOutput:
        edited = plan.with_overrides(parse_overrides(overrides))
        return io.NodeOutput(edited, "\n".join(edited.reasoning), ui=plan_ui(edited))


NODES = [ThinkDrawAUPlanEdit]
