"""Video Combine encode speed and peak memory vs a bare PyAV loop (the floor) and an ffmpeg pipe (VHS's way).

All three encode the same 512x512 frames with libx264 at the same crf and preset, yuv420p. Two inputs:
- "stream": uint8 frames yielded one at a time (a renderer streaming in; the only way 2500 frames fit here),
- "batch": a ComfyUI IMAGE (float32 [N,512,512,3]); the bare loop converts it frame by frame like SaveVideo.
Peak memory is the extra resident memory of this process plus any child (the ffmpeg process).
Run: .venv/bin/python -m benchmarks.bench_video [--quick]
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import torch

from benchmarks.common import PeakRSS, markdown_table, row
from thinkdraw_core.video import read_video_info, write_video

SIZE, FPS, CRF = 512, 24, 19


def _base_frame() -> np.ndarray:
    from skimage import data
    import cv2

    return cv2.resize(data.astronaut(), (SIZE, SIZE), interpolation=cv2.INTER_AREA)


def stream(n: int, base: np.ndarray):
    """Moving frames (a slow pan) so the encoder does real work, made cheaply on the fly."""
    for i in range(n):
        yield np.roll(base, (i % 64) * 2, axis=1)


def float_batch(n: int, base: np.ndarray) -> torch.Tensor:
    batch = torch.empty(n, SIZE, SIZE, 3)
    for i, frame in enumerate(stream(n, base)):
        batch[i] = torch.from_numpy(frame).float().div_(255)
    return batch


def bare_pyav(frames, path):
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=Fraction(FPS))
        s.width = s.height = SIZE
        s.pix_fmt = "yuv420p"
        s.options = {"crf": str(CRF)}
        for f in frames:
            if isinstance(f, torch.Tensor):  # ComfyUI SaveVideo's per-frame conversion
                f = (f * 255).clamp(0, 255).byte().numpy()
            c.mux(s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        c.mux(s.encode(None))


def ffmpeg_pipe(frames, path):
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", f"{SIZE}x{SIZE}", "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-crf", str(CRF),
           "-pix_fmt", "yuv420p", str(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    for f in frames:
        if isinstance(f, torch.Tensor):  # VideoHelperSuite converts each frame to bytes like this
            f = (f * 255).clamp(0, 255).byte().numpy()
        proc.stdin.write(f.tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("ffmpeg failed")


def ours(frames, path):
    write_video(frames, path, FPS, crf=CRF, format="h264-mp4")


METHODS = {"ThinkDraw write_video": ours, "bare PyAV loop": bare_pyav, "ffmpeg pipe (VHS)": ffmpeg_pipe}


def _measure(n: int, make_frames, repeats: int, folder: Path) -> dict[str, tuple[float, float]]:
    times: dict[str, list[float]] = {m: [] for m in METHODS}
    peaks: dict[str, list[float]] = {m: [] for m in METHODS}
    for _ in range(repeats):
        for name, fn in METHODS.items():  # interleaved, so drifting machine load hits all alike
            path = folder / f"{abs(hash(name))}.mp4"
            frames = make_frames()
            with PeakRSS(children=True) as peak:
                t0 = time.perf_counter()
                fn(frames, path)
                times[name].append(time.perf_counter() - t0)
            peaks[name].append(peak.extra_mb)
            assert read_video_info(path).frames == n, name
    return {m: (n / statistics.median(times[m]), max(peaks[m])) for m in METHODS}


def run(quick: bool = False) -> list[dict]:
    base = _base_frame()
    rows = []
    stream_sizes = (60, 240) if quick else (250, 2500)
    batch_size = 60 if quick else 250
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [(f"stream {n}", n, (lambda n=n: stream(n, base)), 1 if n > 1000 else 3) for n in stream_sizes]
        cases.append((f"float batch {batch_size}", batch_size, None, 3))
        for label, n, make, repeats in cases:
            if make is None:
                batch = float_batch(n, base)
                make = lambda: batch  # noqa: E731 - the same tensor for every method
            result = _measure(n, make, 1 if quick else repeats, folder)
            bare_fps = result["bare PyAV loop"][0]
            for name, (fps, peak) in result.items():
                rows.append(row("video", f"h264 512x512 {label}: {name}", fps, unit="fps",
                                baseline="bare PyAV loop", ratio=fps / bare_fps,
                                goal=">= 0.9x" if name.startswith("ThinkDraw") else "",
                                peak_mb=peak, notes=f"crf {CRF}, libx264 default preset"))
            make = batch = None
    return rows


if __name__ == "__main__":
    print(markdown_table(run(quick="--quick" in sys.argv)))
