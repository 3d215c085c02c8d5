"""Words from a plan: the global emotion sentence and one anatomical sentence per active region.

Read only from the plan's fields (emotion, text, action_units, regions); the text is never re-parsed.
"""
from __future__ import annotations

from ..facs import REGIONS
from ..plan import AUPlan, PlanError


def _degree(x: float) -> str:
    return "strong" if x >= 0.66 else "moderate" if x >= 0.33 else "slight"


def global_prompt(plan: AUPlan) -> str:
    """The overall emotion in words, e.g. 'a face showing strong joy and slight surprise, <user text>'."""
    if not isinstance(plan, AUPlan):
        raise PlanError(f"plan must be a ThinkDraw AUPlan, got {type(plan).__name__}")
    parts = []
    comps = sorted(plan.emotion.components, key=lambda c: -c.weight)
    if comps:
        parts.append("a face showing " + " and ".join(f"{_degree(c.weight)} {c.name}" for c in comps))
    if plan.text.strip():
        parts.append(plan.text.strip())
    if not parts and plan.action_units:
        names = ", ".join(a.name for a in sorted(plan.action_units, key=lambda a: -a.intensity))
        parts.append(f"a face with {names}")
    if not parts:
        raise PlanError("the plan is empty (no text, emotion or action units): nothing to encode. "
                        "Fix: connect a plan from ThinkDraw's reasoner or add action units.")
    return ", ".join(parts)


def region_prompts(plan: AUPlan) -> list[tuple[str, str, float]]:
    """(region, sentence, strength) for every region with an acting AU, in REGIONS order.

    The sentence is plan.regions[region] when the reasoner wrote one, else built from the AUs acting there.
    """
    out = []
    for region in REGIONS:
        strength = plan.region_strength(region)
        if strength <= 0:
            continue
        sentence = (plan.regions.get(region) or "").strip()
        if not sentence:
            units = sorted((a for a in plan.action_units if a.region == region), key=lambda a: -a.intensity)
            sentence = f"{region}: " + ", ".join(
                f"{_degree(a.intensity)} {a.name}" + ("" if a.side == "both" else f" on the {a.side} side")
                + f" ({a.muscle})" for a in units)
        out.append((region, sentence, float(strength)))
    return out
