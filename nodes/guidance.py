"""Progressive guidance: global emotion first, local muscles later (ComfyUI adapters).

The schedule maths and composition live in thinkdraw_core.guidance; here they meet ComfyUI's
CFGGuider, model_options patches and the custom-sampler nodes.
"""
from __future__ import annotations

import torch

import comfy.ldm.modules.attention as comfy_attention
import comfy.model_patcher
import comfy.samplers
from comfy.ldm.modules.attention import SpatialTransformer
from comfy.ldm.modules.diffusionmodules.openaimodel import UNetModel
from comfy_api.latest import io

from thinkdraw_core.facs import REGIONS
from thinkdraw_core.guidance import RAMPS, Stage, StageSchedule, fit_mask_to_latent, token_grid
from thinkdraw_core.guidance.extras import merged_extras, model_extras, with_extras
from thinkdraw_core.guidance.regions import compose_regional_sparse, masks_to_tokens
from thinkdraw_core.guidance.schedule import preset_stages
from thinkdraw_core.guidance.window import WindowLayout, fit_mask_to_window, timeline_weights

from .regional_dit import DiTStepRegions, RegionWords, wan_cross_attentions, with_regional_cross_attention
from .text_encode import BEAT_KEY
from .types import CATEGORY, GuidanceStage, RegionConds

MODES = ("auto", "attention", "batched")


# -- regional cross-attention (one model pass for all regions, UNet models) ---------------------------

def attn2_modules(diffusion_model) -> dict[tuple, torch.nn.Module]:
    """Every cross-attention of a UNet by the (block, id, index) key ComfyUI's attn2 replace patches use."""
    if not isinstance(diffusion_model, UNetModel):
        return {}
    keys = {}
    for name, blocks in (("input", diffusion_model.input_blocks), ("middle", [diffusion_model.middle_block]),
                         ("output", diffusion_model.output_blocks)):
        for number, block in enumerate(blocks):
            for module in block.modules():
                if isinstance(module, SpatialTransformer):
                    for index, tb in enumerate(module.transformer_blocks):
                        if getattr(tb, "attn2", None) is not None and not getattr(tb, "switch_temporal_ca_to_sa", False):
                            keys[(name, number, index)] = tb.attn2
    return keys


class _StepRegions:
    """One step's active regions: contexts, weights and masks fitted to the latent (shared by all blocks)."""

    def __init__(self, active, masks: dict[str, torch.Tensor], latent_hw, device, dtype):
        self.contexts = [r.conditioning[0][0].to(device=device, dtype=dtype) for r, _ in active]
        self.weights = torch.tensor([w for _, w in active], device=device, dtype=torch.float32)
        frames = max((masks[r.key].shape[0] for r, _ in active if r.key in masks), default=1)
        h, w = latent_hw
        full = torch.ones(frames, h, w, device=device)
        self.masks = torch.stack([masks[r.key].to(device).expand(frames, h, w) if r.key in masks else full
                                  for r, _ in active])
        self.latent_hw = latent_hw
        self._alphas: dict[int, torch.Tensor] = {}

    def alphas(self, n_tokens: int) -> torch.Tensor:
        if n_tokens not in self._alphas:
            grid = token_grid(self.latent_hw, n_tokens)
            self._alphas[n_tokens] = self.weights[:, None, None] * masks_to_tokens(self.masks, grid)
        return self._alphas[n_tokens]


class RegionalAttn2:
    """attn2 replace patch: the usual attention with the global context, plus every active region's
    context for the positive rows only, blended by mask x weight. A prior patch on the block is kept."""

    def __init__(self, module: torch.nn.Module, step: _StepRegions, prior=None):
        self.module, self.step, self.prior = module, step, prior

    def _attend(self, q, k, v, extra_options):
        if self.prior is not None:
            return self.prior(q, k, v, extra_options)
        return comfy_attention.optimized_attention(q, k, v, extra_options["n_heads"],
                                                   attn_precision=extra_options.get("attn_precision"),
                                                   transformer_options=extra_options)

    def __call__(self, q, k, v, extra_options):
        out = self._attend(q, k, v, extra_options)
        cond_or_uncond = extra_options.get("cond_or_uncond") or [0]
        rows = q.shape[0] // len(cond_or_uncond)
        step = self.step
        alphas = step.alphas(q.shape[1])
        if alphas.shape[1] not in (1, rows):
            alphas = alphas[:, :1]
        ks = [self.module.to_k(c) for c in step.contexts]
        vs = [self.module.to_v(c) for c in step.contexts]
        # Each region attends only from the tokens its mask touches, so six face regions together cost
        # about one extra cross-attention over the face instead of six over the whole picture.
        support = [torch.nonzero((a > 0).any(0)).squeeze(1) for a in alphas]
        for chunk, kind in enumerate(cond_or_uncond):
            if kind != 0:  # regions guide the positive prediction only
                continue
            sl = slice(chunk * rows, (chunk + 1) * rows)
            parts = []
            for idx, a, kk, vv in zip(support, alphas, ks, vs):
                if idx.numel() == 0:
                    continue
                q_sel = q[sl, idx] if idx.numel() < q.shape[1] else q[sl]
                o = self._attend(q_sel, kk.expand(rows, -1, -1), vv.expand(rows, -1, -1), extra_options)
                parts.append((idx, o, a[:, idx]))
            out[sl] = compose_regional_sparse(out[sl], parts)
        return out


# An arc of several beats can only be drawn over time; an image has one moment.
_ONE_BEAT_ON_IMAGES = ("this plan has several beats (an emotion arc) and an image latent shows one moment: set AU "
                       "Text Encode's 'beat' to the beat to draw (0 is the first), or sample a video model")


# -- the guider -----------------------------------------------------------------------------------------

class ProgressiveGuider(comfy.samplers.CFGGuider):
    """CFGGuider whose positive conditioning, CFG scale and local regions follow a StageSchedule in sigma.

    Stages without active regions run exactly CFGGuider's sampling_function (same hooks, same maths).
    On video latents each region is weighted per latent frame by the plan's timeline, placed in the
    clip by `layout` (the window's fps, first video frame and leading non-video latent frames).
    """

    def __init__(self, model_patcher, schedule: StageSchedule, negative, mode: str = "auto",
                 layout: WindowLayout | None = None, follow_timeline: bool = True):
        super().__init__(model_patcher)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
        if negative is None:
            raise ValueError("negative conditioning is missing; connect one (an empty prompt is fine)")
        self.schedule = schedule
        self.negative = negative
        self.layout = layout or WindowLayout()
        self.follow_timeline = bool(follow_timeline)
        self.latent_shape = None
        diffusion_model = model_patcher.model.diffusion_model
        self.attn2 = attn2_modules(diffusion_model)
        self.dit = bool(wan_cross_attentions(diffusion_model))
        if mode == "attention" and not (self.attn2 or self.dit) and schedule.needs_regions():
            raise ValueError("mode 'attention' needs a UNet model with cross-attention (SD1.x/SD2/SDXL) or a "
                             "Wan-family DiT (Wan 2.1/2.2, HuMo, S2V, Animate); use mode 'auto' or 'batched' for "
                             "this model")
        self.mode = mode if mode != "auto" else ("attention" if (self.attn2 or self.dit) else "batched")
        self._register({})

    def _register(self, masks: dict) -> None:
        # Every stage keeps what the model's conditioning node attached (audio, reference, face video,
        # clip vision...): a stage positive wired straight from a text encode takes the others' extras,
        # and a stage's own negative takes the guider negative's (silent audio, zeroed reference).
        stage_extras = merged_extras(stage.positive for stage in self.schedule.stages)
        negative_extras = model_extras(self.negative)
        conds = {"negative": self.negative}
        for i, stage in enumerate(self.schedule.stages):
            positive = self._beats_in_time(with_extras(stage.positive, stage_extras))
            conds[f"stage{i}"] = positive
            if stage.negative is not None:
                conds[f"stage{i}_negative"] = with_extras(stage.negative, negative_extras)
            if self.mode == "batched":
                # A region cond carries the stage positive's extras (ControlNet, audio, reference latents, ...)
                # so it predicts the same picture, only worded for its region.
                extras = model_extras(positive)
                for j, region in enumerate(stage.regions):
                    placement = {"mask": masks[region.key], "set_area_to_bounds": False} if region.key in masks else {}
                    conds[f"stage{i}_region{j}"] = with_extras(region.conditioning, extras, **placement)
        self.original_conds = {}
        self.inner_set_conds(conds)

    def _beats_in_time(self, positive):
        """An arc's global conditioning (one entry per beat, from AU Text Encode) on this window's frames.

        Each beat's entry gets a temporal mask, its share of each latent frame (thinkdraw_core.beats), so
        the emotion changes where the plan says; the first beat also holds the rest before it. Before
        sampling (no latent yet) and for one-beat conditionings the entries pass unchanged.
        """
        beats = [c for c in positive if BEAT_KEY in c[1]]
        if len(beats) < 2 or self.latent_shape is None:
            return positive
        if len(self.latent_shape) != 5:
            raise ValueError(_ONE_BEAT_ON_IMAGES)
        frames, h, w = self.latent_shape[2], self.latent_shape[-2], self.latent_shape[-1]
        shares = {}
        for _, d in beats:
            shares[d[BEAT_KEY]["index"]] = timeline_weights(d[BEAT_KEY]["envelope"], frames, self.layout)
        later = sum((v for k, v in shares.items() if k != min(shares)), torch.zeros(frames))
        shares[min(shares)] = (1.0 - later).clamp(0.0, 1.0)
        out = []
        for cond, d in positive:
            if BEAT_KEY in d:
                mask = shares[d[BEAT_KEY]["index"]][:, None, None].expand(frames, h, w).contiguous()
                d = dict(d, mask=mask, set_area_to_bounds=False)
            out.append([cond, d])
        return out

    def _fit_masks(self, latent_shape) -> dict[str, torch.Tensor]:
        """Each region's mask on this latent; on a video latent also weighted per frame by the timeline."""
        masks = {}
        video = len(latent_shape) == 5
        for stage in self.schedule.stages:
            for region in stage.regions:
                if region.key in masks:
                    continue
                label = f"{region.name} region mask"
                if not video:
                    if region.beat:
                        raise ValueError(_ONE_BEAT_ON_IMAGES)
                    if region.mask is not None:
                        masks[region.key] = fit_mask_to_latent(region.mask, latent_shape, label)
                    continue
                frames = latent_shape[2]
                mask = region.mask if region.mask is not None else torch.ones(1, *latent_shape[-2:])
                fitted = fit_mask_to_window(mask, latent_shape, self.layout, label)
                envelope = region.envelope if self.follow_timeline else None
                masks[region.key] = fitted * timeline_weights(envelope, frames, self.layout)[:, None, None]
        return masks

    def sample(self, noise, latent_image, sampler, sigmas, denoise_mask=None, callback=None, disable_pbar=False, seed=None):
        self.schedule.bind(self.model_patcher.get_model_object("model_sampling").percent_to_sigma)
        self.latent_shape = tuple(latent_image.shape)
        self.masks = self._fit_masks(self.latent_shape)
        self.region_words = RegionWords()  # per run: a later run may sample with other (patched) weights
        self._register(self.masks)
        return super().sample(noise, latent_image, sampler, sigmas, denoise_mask, callback, disable_pbar, seed)

    def predict_noise(self, x, timestep, model_options={}, seed=None):
        step = self.schedule.at(float(timestep.flatten()[0]))
        i = step.stage_index
        positive = list(self.conds[f"stage{i}"])
        negative = self.conds.get(f"stage{i}_negative", self.conds["negative"])
        if step.regions:
            if self.mode == "batched":
                for j, region in enumerate(step.stage.regions):
                    weight = dict((id(r), w) for r, w in step.regions).get(id(region))
                    if weight:  # calc_cond_batch concatenates these into one model call with the others
                        positive += [dict(c, strength=weight) for c in self.conds[f"stage{i}_region{j}"]]
            elif self.attn2:
                model_options = self._attention_options(step, x, model_options)
            else:
                model_options = with_regional_cross_attention(
                    model_options, DiTStepRegions(step.regions, self.masks, self.region_words))
        return comfy.samplers.sampling_function(self.inner_model, x, timestep, negative, positive, step.stage.cfg,
                                                model_options=model_options, seed=seed)

    def _attention_options(self, step, x, model_options):
        latent_hw = tuple(x.shape[-2:])
        shared = _StepRegions(step.regions, self.masks, latent_hw, x.device, x.dtype)
        opts = comfy.model_patcher.create_model_options_clone(model_options)
        opts.setdefault("transformer_options", {})
        existing = opts["transformer_options"].get("patches_replace", {}).get("attn2", {})
        for key, module in self.attn2.items():
            prior = existing.get(key) or existing.get(key[:2])
            opts = comfy.model_patcher.set_model_options_patch_replace(
                opts, RegionalAttn2(module, shared, prior), "attn2", key[0], key[1], key[2])
        return opts


# -- nodes ----------------------------------------------------------------------------------------------

def _region_weight_inputs():
    return [io.Float.Input(f"{r}_weight", default=1.0, min=0.0, max=4.0, step=0.05, optional=True,
                           tooltip=f"Multiplies the {r} region's local strength (0 turns it off).") for r in REGIONS]


def _window_inputs():
    return [
        io.Float.Input("fps", default=16.0, min=1.0, max=120.0, step=1.0, optional=True,
                       tooltip="Video frame rate of the model (Wan 2.x, S2V, Animate: 16; HuMo: 25). Places the plan's "
                               "timeline on the latent frames."),
        io.Int.Input("video_frame_offset", default=0, min=0, max=1_000_000, optional=True,
                     tooltip="The clip frame this window starts at (0 for the first window; S2V Extend: 80 x the "
                             "windows before; Animate: the previous window's video_frame_offset output minus "
                             "continue_motion_max_frames)."),
        io.Int.Input("lead_latent_frames", default=0, min=0, max=64, optional=True,
                     tooltip="Latent frames before the window's video that no region guides: connect "
                             "WanAnimateToVideo's trim_latent (its reference frame)."),
        io.Boolean.Input("follow_timeline", default=True, optional=True,
                         tooltip="On video, weigh each region per frame by the plan's timeline (onset, apex, "
                                 "offset); off: the same strength on every frame."),
    ]


def _layout(fps=None, video_frame_offset=None, lead_latent_frames=None, **_) -> WindowLayout:
    return WindowLayout(fps=16.0 if fps is None else float(fps), video_frame_offset=int(video_frame_offset or 0),
                        lead_latent_frames=int(lead_latent_frames or 0))


def _region_weights(kwargs) -> dict[str, float]:
    """Per-region weights from the optional `<region>_weight` inputs; an unset one weighs 1."""
    weights = {r: kwargs.get(f"{r}_weight") for r in REGIONS}
    return {r: 1.0 if w is None else float(w) for r, w in weights.items()}


class ThinkDrawGuidanceStage(io.ComfyNode):
    """One stage of progressive guidance; chain stages into ThinkDrawProgressiveGuider."""

    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="ThinkDrawGuidanceStage",
            display_name="Guidance Stage (ThinkDraw)",
            category=f"{CATEGORY}/guidance",
            description="A window of the denoising trajectory (percent: 0 = first step, 1 = last) with its own "
                        "conditioning, CFG and local region strength (weight x ramp). Chain stages via 'previous'.",
            inputs=[
                io.Conditioning.Input("conditioning", tooltip="Positive conditioning of this stage (global emotion; "
                                      "may be ControlNet-applied)."),
                io.Float.Input("start_percent", default=0.0, min=0.0, max=1.0, step=0.01,
                               tooltip="Where this stage starts in the denoising (0 = the first step). The first "
                                       "stage starts at 0; a later one where the one before it ends."),
                io.Float.Input("end_percent", default=1.0, min=0.0, max=1.0, step=0.01,
                               tooltip="Where this stage ends in the denoising (1 = the last step)."),
                io.Float.Input("cfg", default=7.0, min=0.0, max=100.0, step=0.1, round=0.01,
                               tooltip="How strongly this stage follows its conditioning (CFG scale) while it "
                                       "guides."),
                io.Combo.Input("ramp", options=list(RAMPS), default="constant",
                               tooltip="How the local regions come in across the window."),
                io.Float.Input("weight", default=1.0, min=0.0, max=4.0, step=0.05,
                               tooltip="Local region strength in this stage (ignored without regions)."),
                RegionConds.Input("regions", optional=True, tooltip="Local region conds from ThinkDrawAUTextEncode."),
                io.Conditioning.Input("negative", optional=True, tooltip="Overrides the guider's negative here."),
                GuidanceStage.Input("previous", optional=True, tooltip="Earlier stages of the chain."),
            ],
            outputs=[GuidanceStage.Output(display_name="stages")],
        )

    @classmethod
    def execute(cls, conditioning, start_percent, end_percent, cfg, ramp, weight, regions=None, negative=None,
                previous=None) -> io.NodeOutput:
        stage = Stage(start=start_percent, end=end_percent, cfg=cfg, ramp=ramp, weight=weight, positive=conditioning,
                      negative=negative, regions=tuple(regions or ()),
                      label=f"ThinkDrawGuidanceStage {start_percent}-{end_percent}")
        return io.NodeOutput((*(previous or ()), stage))


class ThinkDrawProgressiveGuider(io.ComfyNode):
    """A GUIDER for SamplerCustomAdvanced that runs the chained stages over the trajectory."""

    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="ThinkDrawProgressiveGuider",
            display_name="Progressive Guider (ThinkDraw)",
            category=f"{CATEGORY}/guidance",
            description="Global emotion first, local muscles later: each chained stage guides its window of the "
                        "trajectory. Local regions cost one pass (regional cross-attention) on UNets and Wan-family "
                        "DiTs, one batched call otherwise. Every stage and region keeps what the model's conditioning "
                        "node attached (audio, reference, face video, clip vision).",
            inputs=[
                io.Model.Input("model", tooltip="The diffusion model (after any LoRA or shift node)."),
                GuidanceStage.Input("stages", tooltip="The last Guidance Stage of the chain (it carries the ones "
                                                      "before it)."),
                io.Conditioning.Input("negative", tooltip="What the video should not look like; a stage's own "
                                                          "negative replaces it in that stage."),
                io.Combo.Input("mode", options=list(MODES), default="auto", optional=True,
                               tooltip="auto: one-pass regional cross-attention on UNets and Wan-family DiTs (HuMo, "
                                       "S2V, Animate), batched masked conds otherwise."),
                *_region_weight_inputs(),
                *_window_inputs(),
            ],
            outputs=[io.Guider.Output()],
        )

    @classmethod
    def execute(cls, model, stages, negative, mode="auto", follow_timeline=True, **kwargs) -> io.NodeOutput:
        schedule = StageSchedule(stages, _region_weights(kwargs))
        return io.NodeOutput(ProgressiveGuider(model, schedule, negative, mode or "auto", _layout(**kwargs),
                                               True if follow_timeline is None else follow_timeline))


class ThinkDrawProgressiveGuidanceSampler(io.ComfyNode):
    """One-node preset of the chained form: global stage, ramp stage, full local stage."""

    @classmethod
    def define_schema(cls):
        return io.Schema(
            node_id="ThinkDrawProgressiveGuidanceSampler",
            display_name="Progressive Guidance Sampler (ThinkDraw)",
            category=f"{CATEGORY}/guidance",
            description="KSampler with progressive guidance: 0..local_start global emotion only (global_cfg), "
                        "local_start..local_full local regions ramp in, local_full..1 full local strength "
                        "(local_cfg). Same result as three chained ThinkDrawGuidanceStage nodes.",
            inputs=[
                io.Model.Input("model", tooltip="The diffusion model (after any LoRA or shift node)."),
                io.Int.Input("seed", default=0, min=0, max=0xffffffffffffffff, control_after_generate=True,
                             tooltip="The noise seed: the same seed and settings give the same result."),
                io.Int.Input("steps", default=20, min=1, max=10000,
                             tooltip="Denoising steps; the stages split them by percent, so any count works."),
                io.Combo.Input("sampler_name", options=comfy.samplers.SAMPLER_NAMES,
                               tooltip="The sampling algorithm, as in KSampler."),
                io.Combo.Input("scheduler", options=comfy.samplers.SCHEDULER_NAMES,
                               tooltip="How the noise level falls over the steps, as in KSampler."),
                io.Conditioning.Input("positive", tooltip="Global emotion conditioning (ThinkDrawAUTextEncode 'global')."),
                io.Conditioning.Input("negative", tooltip="What the image should not look like, for every stage."),
                io.Latent.Input("latent_image", tooltip="The latent to denoise (an Empty Latent Image, or an encoded "
                                                        "image with denoise below 1)."),
                RegionConds.Input("regions", optional=True,
                                  tooltip="Local region conds from ThinkDrawAUTextEncode; without them only the "
                                          "global emotion guides."),
                io.Float.Input("global_cfg", default=7.0, min=0.0, max=100.0, step=0.1, round=0.01,
                               tooltip="CFG scale of the global-emotion stage (0 to local_start)."),
                io.Float.Input("local_cfg", default=5.0, min=0.0, max=100.0, step=0.1, round=0.01,
                               tooltip="CFG scale once the local regions guide (local_start to the end)."),
                io.Float.Input("local_start", default=0.3, min=0.0, max=1.0, step=0.01,
                               tooltip="Switch 1: end of the global-only stage, local regions start ramping in."),
                io.Float.Input("local_full", default=0.6, min=0.0, max=1.0, step=0.01,
                               tooltip="Switch 2: local regions reach full strength."),
                io.Combo.Input("ramp", options=list(RAMPS), default="smoothstep",
                               tooltip="How the local regions come in between local_start and local_full."),
                io.Float.Input("local_weight", default=1.0, min=0.0, max=4.0, step=0.05,
                               tooltip="Strength of every local region (0 turns the regions off)."),
                io.Float.Input("denoise", default=1.0, min=0.0, max=1.0, step=0.01,
                               tooltip="How much of the latent is redrawn: 1 from noise, lower keeps more of an "
                                       "encoded image."),
                io.Combo.Input("mode", options=list(MODES), default="auto", optional=True,
                               tooltip="auto: one-pass regional cross-attention on UNets and Wan-family DiTs, "
                                       "batched masked conds otherwise."),
                *_region_weight_inputs(),
                *_window_inputs(),
            ],
            outputs=[io.Latent.Output()],
        )

    @classmethod
    def execute(cls, model, seed, steps, sampler_name, scheduler, positive, negative, latent_image, global_cfg,
                local_cfg, local_start, local_full, ramp, local_weight, denoise, regions=None, mode="auto",
                follow_timeline=True, **kwargs) -> io.NodeOutput:
        # The same parts SamplerCustomAdvanced + RandomNoise + BasicScheduler + KSamplerSelect use, so the
        # chained graph and this node agree bit for bit.
        from comfy_extras.nodes_custom_sampler import BasicScheduler, Noise_RandomNoise, SamplerCustomAdvanced

        stages = preset_stages(positive, tuple(regions or ()), global_cfg, local_cfg, local_start, local_full, ramp,
                               local_weight)
        guider = ProgressiveGuider(model, StageSchedule(stages, _region_weights(kwargs)), negative, mode or "auto",
                                   _layout(**kwargs), True if follow_timeline is None else follow_timeline)
        sigmas = BasicScheduler.execute(model, scheduler, steps, denoise).result[0]
        out = SamplerCustomAdvanced.execute(Noise_RandomNoise(seed), guider, comfy.samplers.sampler_object(sampler_name),
                                            sigmas, latent_image)
        return io.NodeOutput(out.result[0])


NODES = [ThinkDrawGuidanceStage, ThinkDrawProgressiveGuider, ThinkDrawProgressiveGuidanceSampler]
