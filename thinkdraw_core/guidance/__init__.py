"""Progressive guidance maths (torch/numpy only, no ComfyUI): stage schedules over the denoising
trajectory, region masks fitted to latents, regional cross-attention composition, and the
prompts a plan turns into. ComfyUI adapters live in nodes/guidance.py and nodes/text_encode.py."""
from .prompts import global_prompt, region_prompts
from .regions import RegionCond, compose_regional, fit_mask_to_latent, token_grid
from .schedule import RAMPS, SigmaPercentMap, Stage, StageSchedule, preset_stages, ramp_value

__all__ = [
    "RAMPS", "RegionCond", "SigmaPercentMap", "Stage", "StageSchedule", "compose_regional", "fit_mask_to_latent",
    "global_prompt", "preset_stages", "ramp_value", "region_prompts", "token_grid",
]
