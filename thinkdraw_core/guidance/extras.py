"""What a model's conditioning node attaches to a conditioning, carried to the conds that lack it.

A conditioning is a list of [tensor, dict] pairs. Talking-video nodes (WanHuMoImageToVideo,
WanSoundImageToVideo, WanAnimateToVideo, WanImageToVideo) put the model's inputs in the dict:
audio features, reference latents, face-video pixels, clip-vision output, motion latents, concat
latents. A region's words, or a stage's own negative, come from a plain text encode without them;
without them the model would draw that cond silent, unreferenced or faceless. So they take the
extras of the cond they stand in for, and keep their own words and their own values of any key.
"""
from __future__ import annotations

from typing import Any, Iterable

# Keys that say where and when one cond acts, or belong to its own words: never carried to another.
OWN_KEYS = frozenset({
    "mask", "mask_strength", "set_area_to_bounds", "area", "strength", "start_percent", "end_percent",
    "timestep_start", "timestep_end", "hooks", "pooled_output", "attention_mask", "uuid",
})


def model_extras(conditioning: Any) -> dict[str, Any]:
    """The model inputs a conditioning carries (from its first entry), without placement or word keys."""
    if not conditioning:
        return {}
    return {k: v for k, v in conditioning[0][1].items() if k not in OWN_KEYS}


def merged_extras(conditionings: Iterable[Any]) -> dict[str, Any]:
    """Every extra any of these conditionings carries; the first one to carry a key gives its value."""
    out: dict[str, Any] = {}
    for cond in conditionings:
        for k, v in model_extras(cond).items():
            out.setdefault(k, v)
    return out


def with_extras(conditioning: Any, extras: dict[str, Any], **own: Any) -> list:
    """conditioning with the extras it lacks added (its own values win), then `own` set on top."""
    return [[t, {**extras, **d, **own}] for t, d in conditioning]
