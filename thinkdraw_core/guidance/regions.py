"""Local regions: masks fitted to image and video latents, and regional cross-attention composition.

Composition follows the semantics of ComfyUI's masked conditionings (ConditioningSetMask with a
strength): where a region with weight a covers a token, the result is (global + a * region) / (1 + a),
so both execution paths (one-pass attention, batched masked conds) mean the same thing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F


@dataclass
class RegionCond:
    """One face region's local conditioning: its anatomical sentence, strength 0..1 from the plan,
    an optional soft mask (float [frames, H, W], 1 = inside), the encoded conditioning (opaque) and
    the plan's expression envelope (seconds -> 0..1), which weighs the region per video frame.

    beat: which beat of an arc the region belongs to; the same face region has one RegionCond per beat,
    each weighed by its beat's share of the clip, so `key` (not `name`) tells them apart. Region weights
    apply by `name`, to the face region in every beat."""

    name: str
    text: str
    strength: float
    mask: torch.Tensor | None
    conditioning: Any
    envelope: Callable | None = None
    beat: int = 0

    @property
    def key(self) -> str:
        return self.name if self.beat == 0 else f"{self.name}@beat{self.beat}"

    def __post_init__(self) -> None:
        if not (0.0 <= float(self.strength) <= 1.0) or math.isnan(float(self.strength)):
            raise ValueError(f"region {self.name!r}: strength must be in 0..1, got {self.strength}")
        if self.mask is not None:
            m = torch.as_tensor(self.mask, dtype=torch.float32)
            if m.ndim == 2:
                m = m.unsqueeze(0)
            if m.ndim != 3:
                raise ValueError(f"region {self.name!r}: mask must be [H, W] or [frames, H, W], got shape {tuple(m.shape)}")
            self.mask = m


def _resize(mask: torch.Tensor, h: int, w: int) -> torch.Tensor:
    if tuple(mask.shape[-2:]) == (h, w):
        return mask
    down = mask.shape[-2] > h or mask.shape[-1] > w
    return F.interpolate(mask.unsqueeze(1), size=(h, w), mode="bilinear", align_corners=False,
                         antialias=down).squeeze(1).clamp_(0.0, 1.0)


def fit_mask_to_latent(mask: torch.Tensor, latent_shape: Sequence[int], name: str = "region mask") -> torch.Tensor:
    """A region mask resized to a latent: [1 or B, h, w] for image latents [B,C,h,w]; [T, h, w] for
    video latents [B,C,T,h,w] (mask frames resampled to the latent's frames by nearest time)."""
    mask = torch.as_tensor(mask, dtype=torch.float32)
    if mask.ndim == 2:
        mask = mask.unsqueeze(0)
    if mask.ndim != 3:
        raise ValueError(f"{name} must be [H, W] or [frames, H, W], got shape {tuple(mask.shape)}")
    if len(latent_shape) not in (4, 5):
        raise ValueError(f"latent must be 4-D [B,C,H,W] (image) or 5-D [B,C,T,H,W] (video), got shape {tuple(latent_shape)}")
    h, w = int(latent_shape[-2]), int(latent_shape[-1])
    mh, mw = int(mask.shape[-2]), int(mask.shape[-1])
    # Masks and latent must come from the same picture; a different aspect means a different picture.
    if abs(math.log((mh / mw) / (h / w))) > 0.05:
        raise ValueError(
            f"{name} is {mw}x{mh} (w x h) but the latent is {w}x{h} ({w * 8}x{h * 8} pixels): the aspect ratios "
            "differ. Fix: make the masks from the same image (or crop) the latent was made from.")
    frames = mask.shape[0]
    if len(latent_shape) == 5:
        t = int(latent_shape[2])
        if frames > 1:
            idx = torch.round(torch.linspace(0, frames - 1, t)).long()
            mask = mask[idx]
        else:
            mask = mask.expand(t, mh, mw)
    else:
        b = int(latent_shape[0])
        if frames not in (1, b):
            raise ValueError(f"{name} has {frames} frames but the latent batch has {b} images; "
                             "give one mask, or one per image")
    return _resize(mask.contiguous(), h, w)


def token_grid(latent_hw: Sequence[int], n_tokens: int) -> tuple[int, int]:
    """The (h, w) grid of an attention layer with n_tokens queries in a UNet over a latent of latent_hw."""
    H, W = int(latent_hw[0]), int(latent_hw[1])
    for k in range(8):
        h, w = math.ceil(H / 2 ** k), math.ceil(W / 2 ** k)
        if h * w == n_tokens:
            return h, w
    raise ValueError(f"cannot map {n_tokens} attention tokens onto a {H}x{W} latent")


def masks_to_tokens(masks: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """[R, frames, h, w] masks -> [R, frames, tokens] at an attention layer's resolution."""
    r, f, h, w = masks.shape
    small = _resize(masks.reshape(r * f, h, w), *grid)
    return small.reshape(r, f, grid[0] * grid[1])


def compose_regional(out_global: torch.Tensor, region_outs: torch.Tensor, alphas: torch.Tensor) -> torch.Tensor:
    """Blend attention outputs: (global + sum_r a_r * region_r) / (1 + sum_r a_r).

    out_global [B, N, C]; region_outs [R, B, N, C]; alphas [R, B or 1, N] = weight * mask per token.
    """
    a = alphas.to(out_global.dtype).unsqueeze(-1)
    num = out_global + (a * region_outs).sum(0)
    return num / (1.0 + a.sum(0))


def compose_regional_sparse(out_global: torch.Tensor, parts: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]
                            ) -> torch.Tensor:
    """compose_regional where each region was evaluated only on the tokens its mask touches.

    parts: (token index [n], region output [B, n, C], alpha [B or 1, n]) per region. Tokens no region
    touches keep the global output exactly; the cost of a region scales with its mask's area.
    """
    b, n = out_global.shape[:2]
    den = torch.ones(b, n, device=out_global.device, dtype=out_global.dtype)
    extra = torch.zeros_like(out_global)
    for idx, region_out, alpha in parts:
        a = alpha.to(out_global.dtype).expand(b, -1)
        extra.index_add_(1, idx, a.unsqueeze(-1) * region_out)
        den.index_add_(1, idx, a)
    # untouched tokens are picked from the global output, so they stay bit-identical to it
    return torch.where((den != 1).unsqueeze(-1), (out_global + extra) / den.unsqueeze(-1), out_global)
