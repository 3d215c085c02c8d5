"""Draft renderer speed: end to end through the CLI (real-time factor), and the warp against a bare cv2.remap.

    python benchmarks/bench_draft.py [--quick]
    python benchmarks/bench_draft.py --marginal [--quick] [--profile]   # the CLI's marginal RTF and per-frame stages
    python benchmarks/bench_draft.py --hold-still [--quick]             # a frame with a part held still
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


def _portrait_png(folder: Path) -> Path:
    """The astronaut written where the CLI can read it."""
    import cv2
    import skimage.data

    image = folder / "portrait.png"
    cv2.imwrite(str(image), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    return image


def _draft_command(image: Path, emotion: str, audio: Path, seconds: float, fps: float, out: Path) -> list[str]:
    return [sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(image), "--emotion", emotion,
            "--audio", str(audio), "--seconds", str(seconds), "--fps", str(fps), "--out", str(out)]


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
    from thinkdraw_core.draft.cli import DRAFT_PRESET

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image = _portrait_png(tmp)
        audio = tmp / "speech.wav"
        speech = _speech(audio, seconds)
        for emotion, reading in EMOTIONS:
            cmd = _draft_command(image, emotion, audio, seconds, fps, tmp / "d.mp4")
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


# The goal for the marginal cost: what drawing, encoding and measuring one more second of clip costs on two
# cores, the fixed costs of a run (process start, imports, reasoning, face model load, calibration) left out
MARGINAL_CLIPS = (5.0, 15.0)
MARGINAL_EMOTIONS = (("furious", "the costliest frames: lips pressed and thinned, the brows' folds mended"),
                     ("deeply sad", "lexicon words"))


def bench_cli_marginal(repeats: int, fps: float = 25.0, emotions=MARGINAL_EMOTIONS, clips=MARGINAL_CLIPS,
                       stages: bool = True, profile: bool = False) -> list[dict]:
    """The CLI's marginal real-time factor: (wall(long clip) - wall(short clip)) / (long - short), the runs
    interleaved (short, long, short, long, ...) so a machine's load drifting over the minutes falls on both,
    each the median of `repeats`. With `stages`, what one frame of the long clip costs in each stage, measured
    one stage at a time in this process (bench_frame_stages)."""
    from thinkdraw_core.draft.cli import DRAFT_PRESET

    short, long = clips
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image = _portrait_png(tmp)
        audio = tmp / "speech.wav"
        speech = _speech(audio, long)
        spoken = _speak_throughout(audio, long)
        for emotion, reading in emotions:
            load_before = _load()
            walls: dict[float, list[float]] = {short: [], long: []}
            for _ in range(repeats):
                for seconds in (short, long):
                    cmd = _draft_command(image, emotion, audio, seconds, fps, tmp / "d.mp4")
                    t0 = time.perf_counter()
                    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
                    walls[seconds].append(time.perf_counter() - t0)
                    if proc.returncode:
                        raise RuntimeError(f"draft CLI failed: {proc.stderr[-2000:]}")
            w_short, w_long = float(np.median(walls[short])), float(np.median(walls[long]))
            extra = w_long - w_short
            rows.append(row("draft", f"CLI marginal cost, {long:g} s against {short:g} s of clip @ {fps:g} fps, "
                                     f"512x512, {speech}, --emotion {emotion!r} ({reading})", extra, "s",
                            baseline=f"{long - short:g} s more clip", ratio=extra / (long - short),
                            goal="marginal RTF <= 0.25",
                            notes=f"medians of {repeats} runs each, interleaved: {w_short:.2f} s and {w_long:.2f} s "
                                  f"(all: {', '.join(f'{w:.2f}' for w in walls[short])} / "
                                  f"{', '.join(f'{w:.2f}' for w in walls[long])}); drawing, h264 ({DRAFT_PRESET}) + "
                                  f"aac, blendshape measurement at 5 fps; speech throughout ({spoken:.1f} s of "
                                  f"it, said again to fill the clip); load average {load_before} before, {_load()} "
                                  f"after"))
        if stages:
            rows += bench_frame_stages(image, audio, emotions[0][0], long, fps, profile=profile)
    return rows


def _speak_throughout(path: Path, seconds: float) -> float:
    """Repeat the speech in the WAV file until it lasts `seconds`, so every frame of the clip talks; returns how
    long one saying of it is."""
    with wave.open(str(path)) as wf:
        params, samples = wf.getparams(), wf.readframes(wf.getnframes())
    once = params.nframes / params.framerate
    with wave.open(str(path), "wb") as wf:
        wf.setparams(params)
        wf.writeframes(samples * int(np.ceil(seconds / once)))
    return once


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:  # not Linux
        return "unknown"


def bench_frame_stages(image: Path, audio: Path, emotion: str, seconds: float, fps: float,
                       profile: bool = False) -> list[dict]:
    """What one frame costs in each stage of the CLI's per-frame work, each stage on its own in this process
    (the CLI overlaps them on its threads: drawing and the RGB -> YUV conversion on one, h264 and aac on the
    main thread and x264's own, the blendshape measurement on another): CPU milliseconds per drawn frame. With
    `profile`, the drawing's cProfile (top 20 by own time) goes to stderr."""
    import cProfile
    import pstats

    from thinkdraw_core.draft.cli import DRAFT_PRESET, load_image
    from thinkdraw_core.draft.renderer import render_draft
    from thinkdraw_core.draft.speech import load_audio
    from thinkdraw_core.face.analyzer import StreamingAnalyzer
    from thinkdraw_core.reasoning import reason
    from thinkdraw_core.video import write_video
    from thinkdraw_core.video.writer import yuv420p_bt709

    result = render_draft(load_image(image), reason(emotion), audio=load_audio(audio), seconds=seconds, fps=fps)
    n = result.n_frames
    t0 = time.thread_time()
    for i in range(n):  # each frame let go as the CLI lets it go once encoded (kept, the new pages cost 40% more)
        result.frame(i)
    draw = (time.thread_time() - t0) / n
    frames = [result.frame(i) for i in range(n)]  # about 300 MB for 15 s, for the later stages
    t0 = time.thread_time()
    for f in frames:
        yuv420p_bt709(f)
    yuv = (time.thread_time() - t0) / n
    stride = max(1, round(fps / 5))
    analyzer = StreamingAnalyzer(result.plan, fps, result.face_index, stride=stride)
    c0 = time.process_time()  # MediaPipe's own threads included
    for f in frames:
        analyzer.add(f)
    analyzer.report()
    measure = (time.process_time() - c0) / n
    with tempfile.TemporaryDirectory() as tmp:
        c0, t0 = time.process_time(), time.perf_counter()  # x264's threads included
        write_video(iter(frames), Path(tmp) / "stages.mp4", fps, audio=result.audio, preset=DRAFT_PRESET)
        encode_wall, encode = (time.perf_counter() - t0) / n, (time.process_time() - c0) / n - yuv
    if profile:
        prof = cProfile.Profile()
        prof.runcall(lambda: [result.frame(i) for i in range(n)])
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(20)
    case = f"per-frame cost by stage, {seconds:g} s @ {fps:g} fps, --emotion {emotion!r}: "
    total = draw + yuv + encode + measure
    return [
        row("draft", case + "drawing (displacement, warp, paint, paste)", draw * 1e3, "ms",
            notes="CPU of the one thread that draws"),
        row("draft", case + "RGB -> YUV 4:2:0 (BT.709)", yuv * 1e3, "ms", notes="on the drawing thread in the CLI"),
        row("draft", case + f"h264 ({DRAFT_PRESET}) + aac + mux", encode * 1e3, "ms",
            notes=f"process CPU, x264's threads included, the YUV conversion taken out; {encode_wall * 1e3:.2f} ms "
                  "wall a frame on its own"),
        row("draft", case + f"blendshape measurement, 1 frame in {stride}", measure * 1e3, "ms",
            notes="process CPU a drawn frame, MediaPipe's threads included"),
        row("draft", case + "all four", total * 1e3, "ms",
            notes=f"{total * fps:.3f} CPU seconds a second of clip: were the four overlapped perfectly on two "
                  f"cores, the marginal RTF would be {total * fps / 2:.3f}; load average {_load()}"),
    ]


def bench_warp(repeats: int) -> list[dict]:
    import cv2
    import skimage.data

    from thinkdraw_core.draft import render_draft
    from thinkdraw_core.draft import warp as warp_module

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
    keep, warp_module.FOLD_FULL = warp_module.FOLD_FULL, float("inf")  # the same warp without mending its folds
    try:
        unmended = median_time(lambda: warper.warp(disp, closure), repeats=repeats * 4)
    finally:
        warp_module.FOLD_FULL = keep
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


def long_speech(path: Path, seconds: float, rate: int = 16000, seed: int = 0) -> None:
    """Synthetic speech of any length, written 10 s at a time (an hour is 115 MB of 16-bit samples; the
    benchmark's own process must not hold it): syllables of a voiced buzz at 100-200 Hz with a formant-like
    colour, noise bursts for fricatives, pauses between words and longer ones between phrases."""
    rng = np.random.default_rng(seed)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1), wf.setsampwidth(2), wf.setframerate(rate)
        done, block = 0, 10 * rate
        total = int(seconds * rate)
        while done < total:
            n = min(block, total - done)
            t = np.arange(n) / rate
            sig = np.zeros(n)
            at = 0
            while at < n:
                length = int(rng.uniform(0.12, 0.3) * rate)
                seg = slice(at, min(at + length, n))
                tt = t[seg] - t[at]
                if rng.random() < 0.2:  # a fricative: noise
                    sig[seg] = 0.15 * rng.standard_normal(len(tt))
                else:
                    f0 = rng.uniform(100, 200)
                    formant = rng.choice([300.0, 700.0, 1200.0, 2300.0])
                    buzz = sum(np.sin(2 * np.pi * f0 * k * tt) / k * (1.5 if abs(f0 * k - formant) < 200 else 1.0)
                               for k in range(1, 12))
                    sig[seg] = 0.25 * buzz * np.sin(np.pi * tt / (length / rate))  # each syllable swells and fades
                at += length + int(rng.choice([0.03, 0.08, 0.5], p=[0.6, 0.3, 0.1]) * rate)
            wf.writeframes((np.clip(sig, -1, 1) * 32767).astype("<i2").tobytes())
            done += n


# The draft node's streaming path, run the way a ComfyUI graph that saves only its video output runs it: the pack
# imported as ComfyUI imports it, the speech as a ComfyUI AUDIO tensor (what Load Audio gives), the node executed
# with a prompt that reads only its video output (and its images too when the last argument is 1), then the VIDEO
# handed a file path the way Save Video hands it one. Prints 'streamed N frames' or 'refused: ...', then the seconds.
_NODE_PROBE = """
import importlib, importlib.util, sys, time
repo, image_path, audio_path, out_path, want_images = sys.argv[1:5] + [sys.argv[5] == "1"]
sys.path.insert(0, repo + "/tests")
from comfy_host import comfyui_path
sys.path.insert(0, str(comfyui_path()))
import comfy.cli_args
comfy.cli_args.args.cpu = True
spec = importlib.util.spec_from_file_location("thinkdraw_pack", repo + "/__init__.py",
                                              submodule_search_locations=[repo])
pack = importlib.util.module_from_spec(spec)
sys.modules["thinkdraw_pack"] = pack
spec.loader.exec_module(pack)
import cv2, torch
from comfy_api.latest import io
from thinkdraw_core.draft.speech import load_audio
from thinkdraw_core.reasoning import reason
draft = importlib.import_module("thinkdraw_pack.nodes.draft")
t0 = time.perf_counter()
image = torch.from_numpy(cv2.cvtColor(cv2.imread(image_path), cv2.COLOR_BGR2RGB)).float().div(255.0)[None]
samples, rate = load_audio(audio_path)
audio = {"waveform": torch.from_numpy(samples)[None], "sample_rate": rate}
del samples
reads = [["3", 3]] + ([["3", 0]] if want_images else [])
prompt = {"3": {"class_type": "ThinkDrawExpressionDraftRenderer", "inputs": {}},
          **{str(10 + i): {"class_type": "X", "inputs": {"x": r}} for i, r in enumerate(reads)}}
node = draft.ThinkDrawExpressionDraftRenderer.PREPARE_CLASS_CLONE({io.Hidden.prompt: prompt, io.Hidden.unique_id: "3"})
try:
    result = node.execute(image=image, plan=reason("deeply sad"), seconds=0.0, fps=25.0, seed=0, neutralize=0.8,
                       face_index=-1, crop_margin=0.6, audio=audio)
except ValueError as exc:
    print("refused:", exc)
else:
    video = result.args[3]
    video.save_to(out_path, format="auto", codec="auto", metadata={"prompt": prompt})
    print(f"streamed {video.get_frame_count()} frames")
print(round(time.perf_counter() - t0, 1))
"""


def bench_long_clips(minutes: tuple[float, ...]) -> list[dict]:
    """Peak resident memory of a whole draft of a long speech clip, through the CLI and through the node's video
    output, against the clip's length: flat when the frames stream. And what an IMAGE batch of it would take."""
    import cv2
    import skimage.data

    from thinkdraw_core.draft.memory import SAFE_SHARE, available_memory, image_batch_bytes

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image = tmp / "portrait.png"
        cv2.imwrite(str(image), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
        for m in minutes:
            seconds = 60.0 * m
            audio = tmp / f"speech_{m:g}min.wav"
            long_speech(audio, seconds)
            frames = int(round(seconds * 25))
            cli = [sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(image), "--emotion", "deeply sad",
                   "--audio", str(audio), "--max-seconds", str(seconds + 1), "--out", str(tmp / "cli.mp4")]
            with PeakRSS(children=True) as mem:
                t0 = time.perf_counter()
                proc = subprocess.run(cli, cwd=REPO, capture_output=True, text=True, timeout=4 * 3600)
                wall = time.perf_counter() - t0
            if proc.returncode:
                raise RuntimeError(f"draft CLI failed on {m:g} min: {proc.stderr[-2000:]}")
            rows.append(row("draft", f"long speech clip through the CLI, {m:g} min @ 25 fps, 512x512", wall, "s",
                            baseline=f"clip length {seconds:g} s", ratio=wall / seconds, goal="flat peak MiB",
                            peak_mb=mem.extra_mb,
                            notes=f"{frames} frames streamed to h264 + aac; synthetic speech, 16 kHz mono; the "
                                  "whole process's peak (imports, face model, the speech's samples, blendshape "
                                  "measurement at 5 fps included)"))
            (tmp / "cli.mp4").unlink()
            with PeakRSS(children=True) as mem:
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-c", _NODE_PROBE, str(REPO), str(image), str(audio),
                                       str(tmp / "node.mp4"), "0"], cwd=REPO, capture_output=True, text=True,
                                      timeout=4 * 3600)
                wall = time.perf_counter() - t0
            said = proc.stdout.strip().splitlines()
            if proc.returncode or not said or not said[0].startswith("streamed"):
                raise RuntimeError(f"draft node failed on {m:g} min: {proc.stdout[-1000:]} {proc.stderr[-2000:]}")
            rows.append(row("draft", f"long speech clip through the node's video output, {m:g} min @ 25 fps, "
                                     "512x512", wall, "s", baseline=f"clip length {seconds:g} s",
                            ratio=wall / seconds, goal="flat peak MiB", peak_mb=mem.extra_mb,
                            notes=f"{said[0]} into a file as Save Video asks (h264 + aac); the speech as a ComfyUI "
                                  "AUDIO tensor; the whole process's peak (ComfyUI and pack imports included)"))
            (tmp / "node.mp4").unlink()
            need = image_batch_bytes(frames, 512, 512)
            free = available_memory() or 0
            if need > free * SAFE_SHARE:
                # the same node asked for its images too: refused before drawing, with the estimate
                with PeakRSS(children=True) as mem:
                    t0 = time.perf_counter()
                    proc = subprocess.run([sys.executable, "-c", _NODE_PROBE, str(REPO), str(image), str(audio),
                                           str(tmp / "node.mp4"), "1"], cwd=REPO, capture_output=True, text=True,
                                          timeout=600)
                    wall = time.perf_counter() - t0
                said = proc.stdout.strip().splitlines()
                if proc.returncode or not said or not said[0].startswith("refused"):
                    raise RuntimeError(f"the node drew an IMAGE batch of {need / 1e9:.0f} GB: {proc.stdout[-1000:]}")
                rows.append(row("draft", f"the node's images output asked for as well, {m:g} min", wall, "s",
                                peak_mb=mem.extra_mb,
                                notes=f"refused before drawing: the IMAGE batch would be {need / 1e9:.1f} GB, this "
                                      f"machine had {free / 1e9:.1f} GB free (before: the uint8 frames plus the "
                                      f"float batch, {need * 1.25 / 1e9:.1f} GB, then an allocator error)"))
            audio.unlink()
    return rows


def bench_hold_still(repeats: int) -> list[dict]:
    """What holding a part still (draft/hold_still.py) adds to a drawn frame: a tune photo in drawn spectacles,
    marked, at astonished's apex, timed with its layer laid back and without (the same gains, the same warp), in
    alternation."""
    sys.path.insert(0, str(REPO / "tests"))
    from sample_photos import NEUTRAL_PHOTOS, with_drawn_spectacles

    from thinkdraw_core.draft import render_draft
    from thinkdraw_core.reasoning import reason

    photo = NEUTRAL_PHOTOS["blonde"]()
    worn, mask = with_drawn_spectacles(photo)
    result = render_draft(worn, reason("astonished"), seconds=3.0, fps=25, seed=0, hold_still=mask)
    warper, layer = result.prepared.warper, result.prepared.warper.still
    frame_i = 50  # past the onset: the brows raised, the head swaying
    times = {True: [], False: []}
    try:
        for _ in range(repeats):
            for laid in (True, False):
                warper.still = layer if laid else None
                times[laid].append(median_time(lambda: result.frame(frame_i), repeats=4))
    finally:
        warper.still = layer
    held, bare_frame = float(np.median(times[True])), float(np.median(times[False]))
    return [row("draft", "one full frame 512x512 with a spectacle frame held still (hold_still mask)", held * 1e3,
                "ms", baseline="the same frame, the layer not laid back", ratio=held / bare_frame,
                notes=f"{bare_frame * 1e3:.2f} ms without the layer; medians of {repeats} alternating rounds; the "
                      f"layer ({layer.alpha.shape[1]}x{layer.alpha.shape[0]} px) moved by the head's sway")]


def run(quick: bool = False) -> list[dict]:
    seconds = 3.0 if quick else 10.0
    rows = bench_warp(3 if quick else 10) + bench_hold_still(3 if quick else 10)
    rows += bench_cli(seconds, 25.0, 1 if quick else 3)
    rows += bench_cli_marginal(1 if quick else 3)
    # an hour of speech takes some 25 minutes to draw twice over on two cores: the full run only
    return rows + bench_long_clips((0.5,) if quick else (1.0, 10.0, 60.0))


if __name__ == "__main__":
    if "--marginal" in sys.argv:  # the marginal real-time factor and the per-frame stages alone
        repeats = 1 if "--quick" in sys.argv else 5
        print(markdown_table(bench_cli_marginal(repeats, profile="--profile" in sys.argv)))
    elif "--hold-still" in sys.argv:  # what holding a part still adds to a frame, alone
        print(markdown_table(bench_hold_still(3 if "--quick" in sys.argv else 10)))
    else:
        print(markdown_table(run(quick="--quick" in sys.argv)))
