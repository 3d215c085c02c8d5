"""The sample portrait and speech the shipped CPU template names, put into ComfyUI's input folder.

A template whose Load Image and Load Audio point at files the artist does not have opens with a blank
portrait and runs without its speech. The pack ships both files (example_inputs/: skimage's astronaut,
Eileen Collins, public domain; a line spoken by espeak-ng) and copies them into the input folder when
ComfyUI loads it, so opening the template and pressing Run makes a talking video. A file of the same
name already there is the artist's and is never replaced.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

log = logging.getLogger("ThinkDraw")

SAMPLES = Path(__file__).resolve().parent.parent / "example_inputs"


def place_sample_inputs(input_dir: str | Path, samples: Path = SAMPLES) -> list[Path]:
    """Copy each sample that is missing from `input_dir`; the paths copied."""
    target = Path(input_dir)
    target.mkdir(parents=True, exist_ok=True)
    placed = []
    for sample in sorted(samples.glob("thinkdraw_*")):
        dest = target / sample.name
        if dest.exists():
            continue
        partial = dest.with_name(f".{dest.name}.partial")  # never a half-copied file under the real name
        shutil.copyfile(sample, partial)
        partial.replace(dest)
        placed.append(dest)
    if placed:
        log.info("[ThinkDraw] put the template's sample inputs in %s: %s", target, ", ".join(p.name for p in placed))
    return placed
