"""ThinkDrawAUTextEncode: a plan -> global emotion conditioning + per-region local conditionings."""
from __future__ import annotations

from functools import partial

import numpy as np
import torch
from comfy_api.latest import io

from thinkdraw_core.beats import beat_weights, fit_to_clip
from thinkdraw_core.facs import AU_CATALOG, REGIONS
from thinkdraw_core.guidance import RegionCond, fit_mask_to_latent, global_prompt, region_prompts
from thinkdraw_core.plan import AUPlan, PlanError

from .types import CATEGORY, Plan, RegionConds

# {"aus": [AU numbers in catalog order], "values": float32 tensor of intensities} for AU-aware models.
AUVector = io.Custom("THINKDRAW_AU_VECTOR")
# Marks each beat's entry of an arc's global conditioning: {"index": beat, "envelope": seconds -> share}.
# The Progressive Guider turns it into a temporal mask; other samplers see the beats' entries side by side.
BEAT_KEY = "thinkdraw_beat"


def _encode(clip, text: str):
    return clip.encode_from_tokens_scheduled(clip.tokenize(text))


class ThinkDrawAUTextEncode(io.ComfyNode):
    """Encode a plan with any ComfyUI CLIP: the emotion globally, each acting face region locally."""

    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="ThinkDrawAUTextEncode",
            display_name="AU Text Encode (ThinkDraw)",
            category=f"{CATEGORY}/guidance",
            description="Global: the overall emotion in words. Regions: one conditioning per face region with an "
                        "acting AU, its anatomical sentence and strength from the AU intensities, masked by the "
                        "region mask (no mask = whole frame). Masks are fitted to the latent when one is given. An "
                        "emotion arc gives every beat its own global and region conditionings, which the "
                        "Progressive Guider applies on that beat's frames of a video.",
            inputs=[
                io.Clip.Input("clip", tooltip="The text encoder of the model you sample (the same one your "
                                              "prompts use)."),
                Plan.Input("plan", tooltip="The AU plan whose emotion and region sentences are encoded."),
                *[io.Mask.Input(f"{r}_mask", optional=True, tooltip=f"Soft mask of the {r} (ThinkDrawFaceRegionMasks).")
                  for r in REGIONS],
                io.Latent.Input("latent", optional=True, tooltip="Fit masks to this latent (image or video)."),
                io.Int.Input("beat", default=-1, min=-1, max=63, optional=True,
                             tooltip="An emotion arc has several beats. -1: every beat over time (video models: each "
                                     "beat's conditioning on its own frames). 0, 1, ...: that beat only (an image "
                                     "model shows one moment)."),
                io.Float.Input("seconds", default=0.0, min=0.0, max=36000.0, step=0.1, optional=True,
                               tooltip="Length of the clip in seconds (connect Speech Length). An arc whose text "
                                       "gave no durations spreads its beats over it; 0 keeps the plan's own starts."),
            ],
            outputs=[
                io.Conditioning.Output(display_name="global"),
                RegionConds.Output(display_name="regions"),
                AUVector.Output(display_name="au_vector"),
                io.String.Output(display_name="global_text"),
            ],
        )

    @classmethod
    def execute(cls, clip, plan, latent=None, beat=-1, seconds=0.0, **masks) -> io.NodeOutput:
        if clip is None:
            raise ValueError("clip is missing: the checkpoint has no text encoder; load one with a CLIP loader")
        if not isinstance(plan, AUPlan):
            raise PlanError(f"plan must come from a ThinkDraw plan node, got {type(plan).__name__}")
        beat = -1 if beat is None else int(beat)
        if beat >= len(plan.beats):
            raise PlanError(f"beat is {beat} but the plan has {len(plan.beats)} beat(s); set beat to -1 (all, over "
                            f"time) or 0..{len(plan.beats) - 1}")
        if seconds:
            plan = fit_to_clip(plan, float(seconds))
        chosen = range(len(plan.beats)) if beat < 0 else [beat]
        shape = tuple(latent["samples"].shape) if latent is not None else None
        fitted_masks = {}
        for name, mask in masks.items():
            if mask is not None:
                mask = torch.as_tensor(mask, dtype=torch.float32).cpu()
                fitted_masks[name] = fit_mask_to_latent(mask, shape, name) if shape is not None else mask
        glob, texts, regions = [], [], []
        for k in chosen:
            view = plan.beat_view(k)
            # one beat drawn alone keeps its own timeline; beats of an arc follow their share of the clip
            envelope = view.timeline.envelope if len(chosen) == 1 else partial(_beat_share, plan, k)
            text = global_prompt(view)
            texts.append(text)
            for cond, d in _encode(clip, text):
                glob.append([cond, dict(d, **{BEAT_KEY: {"index": k, "envelope": envelope}}) if len(chosen) > 1 else d])
            for region, sentence, strength in region_prompts(view):
                regions.append(RegionCond(region, sentence, strength, fitted_masks.get(f"{region}_mask"),
                                          _encode(clip, sentence), envelope, beat=k))
        aus = sorted(AU_CATALOG)
        shown = plan.beat_view(chosen[0])  # the AU vector is one moment: the first beat drawn
        vector = {"aus": aus, "values": torch.from_numpy(shown.au_vector(aus))}
        return io.NodeOutput(glob, regions, vector, " | ".join(texts))


def _beat_share(plan: AUPlan, index: int, t):
    """Beat `index`'s share of the clip at times t (seconds), for its global and region conditionings."""
    return beat_weights(plan, np.atleast_1d(np.asarray(t, dtype=np.float64)))[index]


NODES = [ThinkDrawAUTextEncode]
