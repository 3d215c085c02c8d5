"""Region weights on a video DiT's tokens, for one-pass regional cross-attention.

A Wan-family DiT patchifies the latent [B,C,T,H,W] into T/pt x ceil(H/ph) x ceil(W/pw) tokens in
time-major order, and some models add tokens that are not the video (a reference image, motion
frames): prepended (Wan's ref_conv) or appended (HuMo, S2V). Those get no region: only the global
text guides them, as in a model pass with masked conds, whose masks cover only the video.
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F

from .regions import _resize


def token_grid_3d(latent_thw: Sequence[int], patch_size: Sequence[int]) -> tuple[int, int, int]:
    """(t, h, w) tokens of a latent of (T, H, W) frames and pixels under a (pt, ph, pw) patch (padded up)."""
    return tuple(math.ceil(int(n) / int(p)) for n, p in zip(latent_thw, patch_size))  # type: ignore[return-value]


def dit_token_alphas(masks: torch.Tensor, frame_weights: torch.Tensor, grid: tuple[int, int, int],
                     n_tokens: int, video_start: int = 0) -> torch.Tensor:
    """[R, n_tokens] weight x mask of each region on each token.

    masks [R, T, H, W] fitted to the latent; frame_weights [R, T] (strength x timeline per latent
    frame); grid (t, h, w) of the video tokens, which start at token video_start.
    """
    r, frames, _, _ = masks.shape
    t, h, w = grid
    if video_start + t * h * w > n_tokens:
        raise ValueError(f"{n_tokens} tokens cannot hold a {t}x{h}x{w} video grid from token {video_start}")
    small = _resize(masks.reshape(r * frames, *masks.shape[-2:]), h, w).reshape(r, frames, h, w)
    weighted = small * frame_weights.to(small)[:, :, None, None]
    if frames != t:  # a temporal patch > 1 merges frames: average them like the patch embedding sees them
        weighted = F.adaptive_avg_pool3d(weighted, (t, h, w))
    out = torch.zeros(r, n_tokens, dtype=weighted.dtype, device=weighted.device)
    out[:, video_start:video_start + t * h * w] = weighted.reshape(r, t * h * w)
    return out
