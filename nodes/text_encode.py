"""ThinkDrawAUTextEncode: a plan -> global emotion conditioning + per-region local conditionings."""
from __future__ import annotations

import torch
from comfy_api.latest import io

from thinkdraw_core.facs import AU_CATALOG, REGIONS
from thinkdraw_core.guidance import RegionCond, fit_mask_to_latent, global_prompt, region_prompts
from thinkdraw_core.plan import AUPlan, PlanError

from .types import CATEGORY, Plan, RegionConds

# {"aus": [AU numbers in catalog order], "values": float32 tensor of intensities} for AU-aware models.
AUVector = io.Custom("THINKDRAW_AU_VECTOR")


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
                        "region mask (no mask = whole frame). Masks are fitted to the latent when one is given.",
            inputs=[
                io.Clip.Input("clip"),
                Plan.Input("plan"),
                *[io.Mask.Input(f"{r}_mask", optional=True, tooltip=f"Soft mask of the {r} (ThinkDrawFaceRegionMasks).")
                  for r in REGIONS],
                io.Latent.Input("latent", optional=True, tooltip="Fit masks to this latent (image or video)."),
            ],
            outputs=[
                io.Conditioning.Output(display_name="global"),
                RegionConds.Output(display_name="regions"),
                AUVector.Output(display_name="au_vector"),
                io.String.Output(display_name="global_text"),
            ],
        )

    @classmethod
    def execute(cls, clip, plan, latent=None, **masks) -> io.NodeOutput:
        if clip is None:
            raise ValueError("clip is missing: the checkpoint has no text encoder; load one with a CLIP loader")
        if not isinstance(plan, AUPlan):
            raise PlanError(f"plan must come from a ThinkDraw plan node, got {type(plan).__name__}")
        text = global_prompt(plan)
        shape = tuple(latent["samples"].shape) if latent is not None else None
        regions = []
        for region, sentence, strength in region_prompts(plan):
            mask = masks.get(f"{region}_mask")
            if mask is not None:
                mask = torch.as_tensor(mask, dtype=torch.float32).cpu()
                if shape is not None:
                    mask = fit_mask_to_latent(mask, shape, f"{region}_mask")
            regions.append(RegionCond(region, sentence, strength, mask, _encode(clip, sentence), plan.timeline.envelope))
        aus = sorted(AU_CATALOG)
        vector = {"aus": aus, "values": torch.from_numpy(plan.au_vector(aus))}
        return io.NodeOutput(_encode(clip, text), regions, vector, text)


NODES = [ThinkDrawAUTextEncode]
