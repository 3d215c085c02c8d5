"""Whether a clip held whole in memory (a ComfyUI IMAGE batch: float32 [frames, H, W, 3]) fits this machine.

A draft streams its frames one at a time; only a consumer that wants every frame at once (an IMAGE
output) needs them all, and an hour of speech at 25 fps is 90 000 frames: 283 GB at 512x512. The size
is known from the inputs before anything is drawn, so it is checked first and refused with the fix.
"""
from __future__ import annotations

import os

# Of the memory the machine has free now, the share one IMAGE batch may take: the rest is for the frames'
# consumers (a preview, an encoder's chunk), the models other nodes keep loaded, and the OS.
SAFE_SHARE = 0.75
GB = 1e9


def available_memory() -> int | None:
    """Bytes of RAM the machine can give now without swapping (/proc/meminfo's MemAvailable, else the free
    pages), or None where neither can be read. (The nodes pass ComfyUI's own reading, psutil's, instead.)"""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def image_batch_bytes(frames: int, height: int, width: int, channels: int = 3) -> int:
    """Bytes of a float32 IMAGE batch [frames, height, width, channels]."""
    return int(frames) * int(height) * int(width) * int(channels) * 4


def check_image_batch(frames: int, height: int, width: int, fps: float, *, available: int | None = None,
                      fix: str = "shorten the clip (seconds), lower fps, or use a smaller image") -> int:
    """The IMAGE batch's size in bytes; ValueError with the estimate and `fix` when it would take more than
    SAFE_SHARE of the memory available (`available` bytes, default: what the machine has free now)."""
    need = image_batch_bytes(frames, height, width)
    if available is None:
        available = available_memory()
    if available is None:  # nothing to compare with: let the allocation decide
        return need
    budget = available * SAFE_SHARE
    if need > budget:
        seconds = frames / fps if fps else 0.0
        raise ValueError(
            f"an IMAGE batch of this clip would need {need / GB:.1f} GB ({frames} frames of {width}x{height}, "
            f"{seconds:.0f} s at {fps:g} fps, as float32), more than the {budget / GB:.1f} GB this machine can "
            f"spare ({SAFE_SHARE:.0%} of the {available / GB:.1f} GB free now); {fix}")
    return need
