"""Where a sampling window's latent frames sit in the whole clip, and what that means for regions.

Talking-video models sample a clip in windows (Wan 2.2 S2V extends by 77-frame windows, Wan Animate
continues with `video_frame_offset`), and some put frames in the latent that are not the window's
video (Wan Animate's reference frame, `trim_latent`). The plan's timeline and multi-frame region
masks are in the clip's video frames, so each latent frame is mapped to the video frame it encodes:
the Wan VAE packs video frame 0 into latent frame 0 and frames 4i-3..4i into latent frame i.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from .regions import _resize


@dataclass(frozen=True)
class WindowLayout:
    """fps: the clip's video frame rate (Wan 2.x: 16, HuMo: 25); video_frame_offset: the clip frame this
    window's first video frame is; lead_latent_frames: latent frames before the window's video;
    time_stride: video frames per latent frame (4 for the Wan VAE)."""

    fps: float = 16.0
    video_frame_offset: int = 0
    lead_latent_frames: int = 0
    time_stride: int = 4

    def __post_init__(self) -> None:
        if not (isinstance(self.fps, (int, float)) and math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"fps must be a number > 0, got {self.fps!r}")
        for name in ("video_frame_offset", "lead_latent_frames"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if int(self.time_stride) < 1:
            raise ValueError(f"time_stride must be >= 1, got {self.time_stride}")

    def video_frames(self, latent_frames: int) -> np.ndarray:
        """The clip's video frame (float, the centre of its group) of each latent frame; NaN for lead frames."""
        out = np.full(int(latent_frames), np.nan)
        s = int(self.time_stride)
        for j in range(int(self.lead_latent_frames), int(latent_frames)):
            i = j - int(self.lead_latent_frames)
            # latent 0 holds one frame; latent i > 0 holds frames s*i-(s-1)..s*i
            out[j] = self.video_frame_offset + (0.0 if i == 0 else s * i - (s - 1) / 2.0)
        return out

    def times(self, latent_frames: int) -> np.ndarray:
        """Seconds from the clip's start of each latent frame (NaN for lead frames)."""
        return self.video_frames(latent_frames) / float(self.fps)


def fit_mask_to_window(mask: torch.Tensor, latent_shape: Sequence[int], layout: WindowLayout,
                       name: str = "region mask") -> torch.Tensor:
    """A region mask fitted to a video latent [B,C,T,h,w] of one window -> [T, h, w].

    One mask frame holds for every frame; a mask with exactly T frames is already per latent frame;
    otherwise mask frames are the clip's video frames (a face track), picked for each latent frame by
    the video frame it encodes (the last one past the end). Lead latent frames get no region (0).
    """
    from .regions import fit_mask_to_latent

    if len(latent_shape) != 5:
        return fit_mask_to_latent(mask, latent_shape, name)
    mask = torch.as_tensor(mask, dtype=torch.float32)
    if mask.ndim == 2:
        mask = mask.unsqueeze(0)
    t = int(latent_shape[2])
    frames = int(mask.shape[0]) if mask.ndim == 3 else 0
    if frames in (1, t):
        fitted = fit_mask_to_latent(mask, latent_shape, name)  # checks the aspect and shape, resizes
    else:
        # the aspect check and resize on one frame first, then pick the frames by the clip's timing
        fit_mask_to_latent(mask[:1], latent_shape, name)
        where = layout.video_frames(t)
        idx = torch.tensor([0 if math.isnan(f) else min(frames - 1, int(f)) for f in where], dtype=torch.long)
        fitted = _resize(mask[idx].contiguous(), int(latent_shape[-2]), int(latent_shape[-1]))
    fitted = fitted.clone()
    fitted[: min(t, int(layout.lead_latent_frames))] = 0.0
    return fitted


def timeline_weights(envelope, latent_frames: int, layout: WindowLayout) -> torch.Tensor:
    """[T] strength of the plan's expression at each latent frame of this window (0 on lead frames).

    envelope: seconds -> 0..1 (AUPlan.timeline.envelope), or None for a constant 1.
    """
    times = layout.times(latent_frames)
    lead = np.isnan(times)
    if envelope is None:
        w = np.ones(latent_frames)
    else:
        w = np.asarray(envelope(np.where(lead, 0.0, times)), dtype=np.float64).reshape(latent_frames)
    w[lead] = 0.0
    return torch.from_numpy(np.clip(w, 0.0, 1.0)).float()
