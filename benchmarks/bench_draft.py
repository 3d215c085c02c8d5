"""Draft renderer speed: end to end through the CLI (real-time factor), and the warp against a bare cv2.remap.

    python benchmarks/bench_draft.py [--quick]
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import PeakRSS, markdown_table, median_time, row  # noqa: E402

TEXT = ("Good morning everyone. I have some news I did not expect to share today, and I am still taking it in. "
        "Thank you all for listening, it means a lot to me.")


def _speech(path: Path, seconds: float) -> str:
    espeak = shutil.which("espeak-ng")
    if espeak:
        subprocess.run([espeak, "-w", str(path), "-s", "140", TEXT], check=True, timeout=60)
        return "espeak-ng speech"
    sr = 16000
    t = np.arange(int(sr * seconds)) / sr
    sig = sum(np.sin(2 * np.pi * 130 * k * t) / k for k in range(1, 10)) * (np.sin(2 * np.pi * 3.5 * t) > 0)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1), wf.setsampwidth(2), wf.setframerate(sr)
        wf.writeframes((0.3 * sig * 32767).astype("<i2").tobytes())
    return "synthetic speech (espeak-ng missing)"


def _plan():
    from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline

    return AUPlan(text="sad", action_units=[ActionUnit(au=1, intensity=0.7), ActionUnit(au=4, intensity=0.6),
                                            ActionUnit(au=15, intensity=0.8)],
                  timeline=Timeline(start=0.3, onset=0.8, apex=3.0))


# what the CLI is for: free words in, through the reasoner. One text the lexicon knows, one that needs
# MiniLM retrieval (its model load and lexicon embedding are part of the run), and anger, whose pressed,
# thinned lips cost every frame and whose calibration searches five AUs, one of which never reads
EMOTIONS = (("deeply sad", "lexicon words"),
            ("down in the dumps", "MiniLM retrieval, the lexicon's embeddings from the disk cache"),
            ("furious", "lexicon words, lips pressed in every frame"))


def bench_cli(seconds: float, fps: float, repeats: int) -> list[dict]:
    import cv2
    import skimage.data

    from thinkdraw_core.draft.cli import DRAFT_PRESET

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image = tmp / "portrait.png"
        cv2.imwrite(str(image), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
        audio = tmp / "speech.wav"
        speech = _speech(audio, seconds)
        for emotion, reading in EMOTIONS:
            cmd = [sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(image), "--emotion", emotion,
                   "--audio", str(audio), "--seconds", str(seconds), "--fps", str(fps), "--out", str(tmp / "d.mp4")]
            walls = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
                walls.append(time.perf_counter() - t0)
                if proc.returncode:
                    raise RuntimeError(f"draft CLI failed: {proc.stderr[-2000:]}")
            summary = json.loads(proc.stdout.strip().splitlines()[-1])
            wall = float(np.median(walls))
            rows.append(row("draft", f"CLI end to end, {seconds:g} s @ {fps:g} fps, 512x512, {speech}, "
                                     f"--emotion {emotion!r} ({reading})", wall, "s",
                            baseline=f"clip length {seconds:g} s", ratio=wall / seconds, goal="RTF <= 0.5",
                            notes=f"median of {repeats}; {summary['frames']} frames; process start, reasoning, "
                                  f"face model load, calibration ({summary['calibration']['trial_frames']} trial "
                                  f"frames measured), h264 ({DRAFT_PRESET}) + aac, blendshape measurement at 5 fps "
                                  f"included"))
    return rows


def bench_warp(repeats: int) -> list[dict]:
    import cv2
    import skimage.data

    from thinkdraw_core.draft import deform, render_draft

    img = skimage.data.astronaut()
    with PeakRSS() as mem:
        result = render_draft(img, _plan(), seconds=4.0, fps=25, seed=0)
    frame_i = 50  # at apex, mid blink-free stretch or not: a representative busy frame
    values = result.track.frame(frame_i)
    from thinkdraw_core.draft.renderer import _displacement

    disp, closure = _displacement(result.prepared, values, result.gains, result.track.sway[frame_i], result.rest)
    warper = result.prepared.warper
    h, w = img.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    map_x, map_y = gx + 0.3, gy + 0.2
    floor = median_time(lambda: cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR), repeats=repeats * 4)
    warp = median_time(lambda: warper.warp(disp, closure), repeats=repeats * 4)
    mended = int(warper.folded_skin(disp).sum())
    keep, deform.FOLD_FULL = deform.FOLD_FULL, float("inf")  # the same warp without mending its folds
    try:
        unmended = median_time(lambda: warper.warp(disp, closure), repeats=repeats * 4)
    finally:
        deform.FOLD_FULL = keep
    frame = median_time(lambda: result.frame(frame_i), repeats=repeats * 4)
    ch, cw = warper.image.shape[:2]
    return [
        row("draft", f"bare cv2.remap {w}x{h} RGB (the floor)", floor * 1e3, "ms"),
        row("draft", f"warp of the face crop ({cw}x{ch}) incl. map build, mouth, lashes", warp * 1e3, "ms",
            baseline="bare cv2.remap 512x512", ratio=warp / floor),
        row("draft", f"warp of the face crop ({cw}x{ch}) incl. map build, mouth, lashes", warp * 1e3, "ms",
            baseline="the same warp, folds not mended", ratio=warp / unmended,
            notes=f"{mended} folded triangles mended in this frame"),
        row("draft", "one full frame (intensities, displacement, warp, paste) 512x512", frame * 1e3, "ms",
            baseline="bare cv2.remap 512x512", ratio=frame / floor, goal="< 20 ms (RTF 0.5 at 25 fps)",
            peak_mb=mem.extra_mb, notes="peak MiB: prepare + calibrate"),
    ]


def run(quick: bool = False) -> list[dict]:
    seconds = 3.0 if quick else 10.0
    return bench_warp(3 if quick else 10) + bench_cli(seconds, 25.0, 1 if quick else 3)


if __name__ == "__main__":
    print(markdown_table(run(quick="--quick" in sys.argv)))
