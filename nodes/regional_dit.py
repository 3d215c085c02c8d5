"""One-pass regional cross-attention on Wan-family DiTs (Wan 2.1/2.2, HuMo, Wan 2.2 S2V, Wan 2.2 Animate).

The UNet path composes regions inside attn2 replace patches; Wan's blocks have no such patch point,
and Wan 2.2 S2V's blocks do not even pass transformer_options to their cross-attention. So a
DIFFUSION_MODEL wrapper (added per step to model_options, chained with any others) patches every
block's cross-attention for the duration of that one model call: the positive rows attend to each
active region's words from the tokens its mask touches, and the outputs are blended as masked
conditionings blend ((global + a * region) / (1 + a)). Everything else the model does (audio
injection, reference and motion tokens, face adapter, clip-vision image attention) runs as it
would in a stock call, and a step without active regions runs the stock forward untouched.
"""
from __future__ import annotations

import torch

import comfy.patcher_extension
from comfy.ldm.wan import model as wan_model

from thinkdraw_core.guidance.dit import dit_token_alphas, token_grid_3d
from thinkdraw_core.guidance.regions import compose_regional_sparse

WRAPPER_KEY = "thinkdraw_regional_cross_attention"
_CROSS_ATTENTIONS = (wan_model.WanT2VCrossAttention, wan_model.WanI2VCrossAttention)


def wan_cross_attentions(diffusion_model) -> list[torch.nn.Module]:
    """The cross-attention of every main block of a Wan-family DiT (empty for other models).

    VACE's extra blocks attend from the control video's tokens, not the picture's, so they keep the
    global words only.
    """
    if not isinstance(diffusion_model, wan_model.WanModel):
        return []
    return [b.cross_attn for b in diffusion_model.blocks if isinstance(getattr(b, "cross_attn", None), _CROSS_ATTENTIONS)]


class RegionWords:
    """Each region's words as every block's cross-attention sees them (embedded, then k and v), kept for
    one sampling run: they depend on the words and the weights only, not on the step, so the blocks
    project them once instead of every step (on CPU the k/v projections and RMS norms of six 512-token
    contexts cost as much as the blocks' own attention)."""

    def __init__(self):
        self._embedded: dict[int, torch.Tensor] = {}
        self._kv: dict[tuple[int, int], tuple[torch.Tensor, torch.Tensor]] = {}

    def embedded(self, diffusion_model, words: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        key = id(words)
        if key not in self._embedded:
            self._embedded[key] = diffusion_model.text_embedding(words.to(device=like.device, dtype=like.dtype))
        return self._embedded[key]

    def kv(self, module, embedded: torch.Tensor):
        key = (id(module), id(embedded))
        if key not in self._kv:
            self._kv[key] = (module.norm_k(module.k(embedded)), module.v(embedded))
        return self._kv[key]


class DiTStepRegions:
    """One step's active regions: their (unembedded) words, weights and latent-sized masks [T, h, w]
    that already carry the plan's timeline per frame, and the run's cache of projected words."""

    def __init__(self, active, masks: dict[str, torch.Tensor], words: RegionWords | None = None):
        self.contexts = [region.conditioning[0][0] for region, _ in active]
        self.weights = [float(w) for _, w in active]
        self.masks = [masks.get(region.key) for region, _ in active]
        self.words = words or RegionWords()


class _CallRegions:
    """What the patched cross-attentions of one model call share: rows, embedded words, token weights."""

    def __init__(self, diffusion_model, step: DiTStepRegions, x: torch.Tensor, context: torch.Tensor,
                 cond_or_uncond, kwargs):
        self.cond_or_uncond = list(cond_or_uncond or [0])
        self.words = step.words
        # the same text embedding the model applies to its global context, so k/v see the same space
        self.contexts = [step.words.embedded(diffusion_model, c, context) for c in step.contexts]
        t, h, w = x.shape[-3:]
        self.grid = token_grid_3d((t, h, w), diffusion_model.patch_size)
        self.video_start = 0
        reference = kwargs.get("reference_latent")
        if getattr(diffusion_model, "ref_conv", None) is not None and reference is not None:
            # Wan's ref_conv puts one frame of reference tokens before the video
            self.video_start = token_grid_3d((1, *reference.shape[-2:]), diffusion_model.patch_size)[1:]
            self.video_start = self.video_start[0] * self.video_start[1]
        full = torch.ones(t, h, w, device=x.device)
        self.masks = torch.stack([(m.to(x.device) if m is not None else full).expand(t, h, w) for m in step.masks])
        self.weights = torch.tensor(step.weights, device=x.device, dtype=torch.float32)
        self._alphas: dict[int, tuple[torch.Tensor, list[torch.Tensor]]] = {}

    def alphas(self, n_tokens: int):
        if n_tokens not in self._alphas:
            ones = torch.ones(self.masks.shape[:2], device=self.masks.device)
            a = dit_token_alphas(self.masks, ones, self.grid, n_tokens, self.video_start) * self.weights[:, None]
            self._alphas[n_tokens] = (a, [torch.nonzero(r > 0).squeeze(1) for r in a])
        return self._alphas[n_tokens]


def _regional_forward(module, call: _CallRegions):
    """module.forward with the active regions composed in (same projections, norms and attention)."""
    image = isinstance(module, wan_model.WanI2VCrossAttention)

    def forward(x, context, context_img_len=None, transformer_options={}, **kwargs):
        def attend(q, k, v):
            return wan_model.optimized_attention(q, k, v, heads=module.num_heads, transformer_options=transformer_options)

        if image:
            context_img, context = context[:, :context_img_len], context[:, context_img_len:]
        q = module.norm_q(module.q(x))
        out = attend(q, module.norm_k(module.k(context)), module.v(context))
        alphas, support = call.alphas(x.shape[1])
        rows = x.shape[0] // len(call.cond_or_uncond)
        # a region no token of this window needs (masked out, or outside the plan's timeline) costs nothing
        acting = [(idx, a, c) for idx, a, c in zip(support, alphas, call.contexts) if idx.numel() > 0]
        kvs = [call.words.kv(module, c) for _, _, c in acting]
        for chunk, kind in enumerate(call.cond_or_uncond):
            if kind != 0:  # regions guide the positive prediction only
                continue
            sl = slice(chunk * rows, (chunk + 1) * rows)
            parts = []
            for (idx, a, _), (k, v) in zip(acting, kvs):
                # each region attends only from the tokens its mask touches: six face regions together
                # cost about one extra cross-attention over the face, not six model passes
                q_sel = q[sl] if idx.numel() == q.shape[1] else q[sl, idx]
                o = attend(q_sel, k.expand(rows, -1, -1), v.expand(rows, -1, -1))
                parts.append((idx, o, a[idx].unsqueeze(0)))
            if parts:
                out[sl] = compose_regional_sparse(out[sl], parts)
        if image:  # the clip-vision image attention is the same for every region: added once
            out = out + attend(q, module.norm_k_img(module.k_img(context_img)), module.v_img(context_img))
        return module.o(out)

    return forward


class RegionalCrossAttentionWrapper:
    """DIFFUSION_MODEL wrapper: patches the blocks' cross-attention for one call, then restores them."""

    def __init__(self, step: DiTStepRegions):
        self.step = step

    def __call__(self, executor, x, timestep, context, *args, **kwargs):
        diffusion_model = executor.class_obj
        transformer_options = args[2] if len(args) > 2 else kwargs.get("transformer_options", {})
        call = _CallRegions(diffusion_model, self.step, x, context, transformer_options.get("cond_or_uncond"), kwargs)
        modules = wan_cross_attentions(diffusion_model)
        patched = []
        try:
            for module in modules:
                patched.append((module, module.__dict__.get("forward")))
                module.forward = _regional_forward(module, call)
            return executor(x, timestep, context, *args, **kwargs)
        finally:
            for module, before in patched:
                if before is None:
                    del module.forward
                else:
                    module.forward = before


def with_regional_cross_attention(model_options: dict, step: DiTStepRegions) -> dict:
    """A copy of model_options whose diffusion-model calls compose these regions in one pass."""
    import comfy.model_patcher

    opts = comfy.model_patcher.create_model_options_clone(model_options)
    comfy.patcher_extension.add_wrapper_with_key(comfy.patcher_extension.WrappersMP.DIFFUSION_MODEL, WRAPPER_KEY,
                                                 RegionalCrossAttentionWrapper(step), opts, is_model_options=True)
    return opts
