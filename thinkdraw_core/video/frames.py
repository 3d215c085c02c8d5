"""Frames to encode, as uint8 HxWx3 RGB, produced a chunk at a time.

A float batch ([N,H,W,3|4] in 0..1, torch or numpy, CPU or GPU) is converted CHUNK_BYTES at a
time, so the only copy of the batch ever made is one chunk of it; an iterator is consumed as it
comes, so a renderer can stream into the encoder.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from .formats import VideoError

# About 4 frames of 512x512 float: big enough to amortise per-call overhead, small next to a batch.
CHUNK_BYTES = 12 * 2**20


@dataclass
class FramePlan:
    """How the input frames are played: once, ping-pong, and repeated `loop` more times."""

    pingpong: bool = False
    repeats: int = 1
    notes: list[str] = field(default_factory=list)

    def segments(self, n: int) -> list[tuple[int, int, int]]:
        """(start, stop, step) runs of source indices, so a batch is sliced (views), never gathered."""
        once = [(0, n, 1)]
        if self.pingpong and n > 2:
            once.append((n - 2, 0, -1))
        return once * self.repeats

    def length(self, n: int) -> int:
        return sum(len(range(*s)) for s in self.segments(n))


def _is_batch(frames) -> bool:
    return hasattr(frames, "ndim") and hasattr(frames, "shape") and hasattr(frames, "dtype")


def _to_uint8_numpy(chunk) -> np.ndarray:
    """One chunk (torch or numpy, float 0..1 or uint8, 3 or 4 channels) -> contiguous uint8 RGB."""
    if hasattr(chunk, "detach"):  # torch: convert where the tensor lives, move only uint8 to the CPU
        import torch

        rgb = chunk[..., :3]
        if rgb.dtype != torch.uint8:
            rgb = rgb.float().mul(255.0).add_(0.5).clamp_(0.0, 255.0).to(torch.uint8)
        return np.ascontiguousarray(rgb.detach().cpu().numpy())
    rgb = np.asarray(chunk)[..., :3]
    if rgb.dtype == np.uint8:
        return np.ascontiguousarray(rgb)
    tmp = np.multiply(rgb, 255.0, dtype=np.float32)
    np.add(tmp, 0.5, out=tmp)
    np.clip(tmp, 0.0, 255.0, out=tmp)
    return tmp.astype(np.uint8)


def _check_batch(batch) -> tuple[int, int, int]:
    shape = tuple(batch.shape)
    if len(shape) != 4 or shape[-1] not in (3, 4):
        raise VideoError(f"images must be a batch shaped [frames, height, width, 3 or 4], got {list(shape)}; "
                         "pass a ComfyUI IMAGE or stack the frames first")
    n, h, w = shape[:3]
    if n == 0:
        raise VideoError("images has zero frames; connect a node that produces at least one image")
    if h == 0 or w == 0:
        raise VideoError(f"images are {w}x{h}; frames must be at least 1x1 pixels")
    return n, h, w


def _batch_frames(batch, plan: FramePlan) -> Iterator[np.ndarray]:
    n, h, w = _check_batch(batch)
    frame_bytes = h * w * 3 * 4
    chunk = max(1, CHUNK_BYTES // frame_bytes)
    for start, stop, step in plan.segments(n):
        lo, hi = (start, stop) if step > 0 else (stop + 1, start + 1)
        # A descending run is converted in ascending chunks taken from its end, then reversed.
        bounds = [(a, min(a + chunk, hi)) for a in range(lo, hi, chunk)]
        if step < 0:
            bounds.reverse()
        for a, b in bounds:
            u8 = _to_uint8_numpy(batch[a:b])
            yield from (u8 if step > 0 else u8[::-1])


def _check_frame(frame, index: int, first_shape: tuple | None) -> np.ndarray:
    if hasattr(frame, "detach") or (hasattr(frame, "dtype") and frame.dtype != np.uint8):
        if getattr(frame, "ndim", 0) == 4 and frame.shape[0] == 1:
            frame = frame[0]
        frame = _to_uint8_numpy(frame)
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4) or frame.dtype != np.uint8:
        raise VideoError(f"frame {index} must be a uint8 HxWx3 RGB array (or float 0..1), got "
                         f"{frame.dtype} {list(frame.shape)}")
    if first_shape is not None and frame.shape[:2] != first_shape[:2]:
        raise VideoError(f"frame {index} is {frame.shape[1]}x{frame.shape[0]} but the first frame was "
                         f"{first_shape[1]}x{first_shape[0]}; all frames of a video must share one size")
    return np.ascontiguousarray(frame[..., :3])


def _stream_frames(frames: Iterable, plan: FramePlan) -> Iterator[np.ndarray]:
    replay = plan.pingpong or plan.repeats > 1
    kept: list[np.ndarray] = []
    first_shape = None
    for i, frame in enumerate(frames):
        frame = _check_frame(frame, i, first_shape)
        first_shape = first_shape or frame.shape
        if replay:
            kept.append(frame)
        yield frame
    if first_shape is None:
        raise VideoError("images has zero frames; the frame iterator yielded nothing")
    if replay:
        # An iterator cannot be rewound, so ping-pong/loop keep its frames (uint8) for the replay.
        plan.notes.append(f"ping-pong/loop on a frame stream kept {len(kept)} uint8 frames in memory")
        n = len(kept)
        segments = plan.segments(n)
        first, rest = segments[0], segments[1:]
        assert first == (0, n, 1)
        for start, stop, step in rest:
            yield from (kept[i] for i in range(start, stop, step))


def frame_source(frames, plan: FramePlan) -> tuple[Iterator[np.ndarray], int | None]:
    """(uint8 frame iterator, total frame count or None when streaming an iterator)."""
    if frames is None:
        raise VideoError("images is missing; pass a batch of frames or a frame iterator")
    if _is_batch(frames):
        n = _check_batch(frames)[0]
        return _batch_frames(frames, plan), plan.length(n)
    if isinstance(frames, Sequence) and not isinstance(frames, (str, bytes)):
        if len(frames) == 0:
            raise VideoError("images has zero frames; pass at least one frame")
        n = len(frames)

        def indexed() -> Iterator[np.ndarray]:
            first_shape = None
            for start, stop, step in plan.segments(n):
                for i in range(start, stop, step):
                    frame = _check_frame(frames[i], i, first_shape)
                    first_shape = first_shape or frame.shape
                    yield frame

        return indexed(), plan.length(n)
    if not isinstance(frames, Iterable):
        raise VideoError(f"images must be a frame batch or an iterable of frames, got {type(frames).__name__}")
    return _stream_frames(frames, plan), None


class SizeFixer:
    """Makes frames even-sized where chroma subsampling needs it (pad by edge copy, or crop)."""

    def __init__(self, width: int, height: int, even_w: bool, even_h: bool, mode: str):
        if mode not in ("pad", "crop"):
            raise VideoError(f"odd_size must be 'pad' or 'crop', got {mode!r}")
        self.pad_w = int(even_w and width % 2)
        self.pad_h = int(even_h and height % 2)
        self.mode = mode
        if mode == "crop" and (width - self.pad_w < 1 or height - self.pad_h < 1):
            self.mode = "pad"
        sign = 1 if self.mode == "pad" else -1
        self.width, self.height = width + sign * self.pad_w, height + sign * self.pad_h
        self.note = ""
        if self.pad_w or self.pad_h:
            how = "padded (last row/column repeated)" if self.mode == "pad" else "cropped"
            self.note = (f"frames are {width}x{height}, odd sizes do not fit this pixel format's chroma "
                         f"subsampling: {how} to {self.width}x{self.height}")

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        if not (self.pad_w or self.pad_h):
            return frame
        if self.mode == "pad":
            return np.pad(frame, ((0, self.pad_h), (0, self.pad_w), (0, 0)), mode="edge")
        return np.ascontiguousarray(frame[: self.height, : self.width])
