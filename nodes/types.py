"""Custom ComfyUI socket types shared by ThinkDraw nodes, and the UI payload the web extension reads."""
from __future__ import annotations

from comfy_api.latest import io

from thinkdraw_core.facs import DISPLAY_NAMES
from thinkdraw_core.plan import AUPlan

CATEGORY = "ThinkDraw"

# An AUPlan object (thinkdraw_core.plan.AUPlan) travels between nodes as this socket type.
Plan = io.Custom("THINKDRAW_PLAN")
# Per-region masked conditionings produced by AUTextEncode for the local guidance stage.
RegionConds = io.Custom("THINKDRAW_REGION_CONDS")
# One guidance stage (conditioning + window + cfg + ramp) chained into ProgressiveGuider.
GuidanceStage = io.Custom("THINKDRAW_GUIDANCE_STAGE")


def plan_ui(plan: AUPlan) -> dict:
    """The `ui` payload of plan-producing nodes; web/thinkdraw.js reads `thinkdraw_plan[0]`. Each AU also carries
    `label`, the artist's name for it (facs.DISPLAY_NAMES), which the panel shows before the code, in every beat."""
    data = plan.to_dict()
    for units in [data.get("action_units") or [], *[b.get("action_units") or [] for b in data.get("beats") or []]]:
        for unit in units:
            unit["label"] = DISPLAY_NAMES.get(int(unit["au"]), unit.get("name", ""))
    return {"thinkdraw_plan": [data]}
