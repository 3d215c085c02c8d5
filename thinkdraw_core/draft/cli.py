"""`python -m thinkdraw_core draft`: reasoning + draft + encoding, with a JSON summary as the last line."""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np

from ..reasoning import reason
from ..reasoning.cli import EXIT_FALLBACK, add_backend_arguments, backend_settings, refused_fallback


# half the encoder's CPU time of its default (medium) at the same CRF, for a somewhat larger file
DRAFT_PRESET = "veryfast"
# The longest clip drawn without asking: the draft streams, so memory stays flat at any length, but half an
# hour is already some 8 to 10 minutes of rendering on two cores (RTF 0.26-0.32 for 10-60 minute clips,
# benchmarks/RESULTS.md); a longer one is more likely a wrong file than a wish.
MAX_SECONDS = 1800.0


def _positive_number(what: str):
    """An argparse type: a finite number > 0 (argparse reports anything else as a usage error, exit 2)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number of {what} > 0, got {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a finite number of {what} > 0, got {text!r}")
        return value
    return parse


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("draft", help="animate a portrait by an emotion text (CPU draft video)",
                              description="Reason an emotion into an AU plan, draw it on the portrait and "
                                          "encode the video. Prints a JSON summary as the last stdout line.")
    p.add_argument("--image", required=True, help="portrait image file (png/jpg/webp)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--emotion", help="the emotion in free words, e.g. 'quietly heartbroken'")
    src.add_argument("--plan", help="an AU plan JSON file instead of --emotion")
    p.add_argument("--intensity", type=float, default=1.0, help="overall intensity for the reasoner (0..1)")
    p.add_argument("--audio", help="speech audio file (wav, or anything PyAV reads) to lip-sync")
    p.add_argument("--seconds", type=_positive_number("seconds"), default=None,
                   help="clip length (default: the audio's, else 4)")
    p.add_argument("--max-seconds", type=_positive_number("seconds"), default=MAX_SECONDS,
                   help=f"refuse a clip longer than this before drawing (default {MAX_SECONDS:g}: half an hour)")
    p.add_argument("--fps", type=_positive_number("frames per second"), default=25.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--neutralize", type=float, default=0.8, help="relax the photo's own expression (0..1)")
    p.add_argument("--face-index", type=int, default=-1, help="-1 = the largest face")
    p.add_argument("--crop-margin", type=float, default=0.6)
    p.add_argument("--hold-still", metavar="MASK",
                   help="a mask image the size of --image, white over what moves only with the head (glasses, a "
                        "hand on the face): the muscles do not bend it (mark closely: skin marked with it holds "
                        "still too)")
    p.add_argument("--format", default="h264-mp4", help="video format (see thinkdraw_core.video)")
    p.add_argument("--preset", default=None,
                   help=f"x264/x265 speed preset for h264/h265 formats (default {DRAFT_PRESET}: a draft favours "
                        "speed over file size at the same quality; 'medium' is the encoder's own default)")
    p.add_argument("--out", required=True, help="output video path")
    p.add_argument("--no-measure", action="store_true", help="skip the closing blendshape measurement")
    add_backend_arguments(p)
    p.set_defaults(func=run)
    return p


def _read_picture(path: str | Path, option: str, flags: int) -> np.ndarray:
    """The picture file given to `option`, read by cv2.imread with `flags`; a missing or unreadable file is refused."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{option} {path} does not exist")
    picture = cv2.imread(str(path), flags)
    if picture is None:
        raise ValueError(f"{option} {path} is not an image OpenCV can read (use png, jpg or webp)")
    return picture


def load_image(path: str | Path) -> np.ndarray:
    import cv2

    return cv2.cvtColor(_read_picture(path, "--image", cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def load_mask(path: str | Path, image_shape: tuple[int, ...]) -> np.ndarray | None:
    """--hold-still: a greyscale mask image (white = hold still) the size of the portrait, as float 0..1 (None:
    nothing marked)."""
    import cv2

    from .hold_still import check_mask

    mask = _read_picture(path, "--hold-still", cv2.IMREAD_GRAYSCALE)
    return check_mask(mask.astype(np.float32) / 255.0, image_shape, name=f"--hold-still {path}")


def plan_from_args(args):
    from ..plan import AUPlan

    if args.plan:
        return AUPlan.from_json(Path(args.plan).read_text())
    return reason(args.emotion, intensity=args.intensity, backend=args.backend, seed=args.seed,
                  **backend_settings(args))


def run(args) -> int:
    from tqdm import tqdm

    from ..face.analyzer import StreamingAnalyzer
    from ..video import write_video
    from ..video.formats import check_output_path, check_preset, takes_preset
    from .renderer import render_draft
    from .speech import load_audio

    t0 = time.perf_counter()
    preset = args.preset
    if preset is None and takes_preset(args.format):
        preset = DRAFT_PRESET
    check_preset(args.format, preset)  # a wrong format or preset fails before any drawing
    check_output_path(args.out, args.format)  # so does a place the video cannot be written to
    image = load_image(args.image)
    hold_still = load_mask(args.hold_still, image.shape) if args.hold_still else None
    plan = plan_from_args(args)
    if args.emotion and refused_fallback(plan, args):
        return EXIT_FALLBACK  # before any drawing: nothing is written
    audio = load_audio(args.audio, "--audio") if args.audio else None
    seconds = args.seconds if args.seconds is not None else (None if audio is not None else 4.0)
    check_length(seconds, audio, args.max_seconds)
    result = render_draft(image, plan, audio=audio, seconds=seconds, fps=args.fps, seed=args.seed,
                          neutralize=args.neutralize, face_index=None if args.face_index < 0 else args.face_index,
                          crop_margin=args.crop_margin, hold_still=hold_still)
    # the plan as drawn: an arc's beats spread over the clip, their borders on the speech's pauses (the analyzer
    # reads each beat where it was drawn, and the video's metadata keeps it)
    plan = result.plan
    del audio  # the result keeps the speech cut or padded to the clip; an hour of it is 230 MB a copy
    # about 5 measured frames a second: enough for the curves; measured beside the rendering and encoding
    analyzer = None
    if not args.no_measure:
        analyzer = StreamingAnalyzer(plan, result.fps, result.face_index, stride=max(1, round(result.fps / 5)),
                                     background=True)
    bar = tqdm(total=result.n_frames, desc="draft", unit="frame", file=sys.stderr)

    def frames():
        for frame in result:
            if analyzer is not None:
                analyzer.add(frame)
            bar.update(1)
            yield frame

    with terminate_unwinds():
        video = write_video(frames(), args.out, result.fps, audio=result.audio, format=args.format, preset=preset,
                            metadata={"thinkdraw_plan": plan, "thinkdraw_draft": {"seed": args.seed, "fps": result.fps,
                                                                                  "neutralize": args.neutralize}})
    bar.close()
    summary = {"path": str(Path(args.out).resolve()), "frames": result.n_frames, "fps": result.fps,
               "seconds": round(result.n_frames / result.fps, 3),
               "emotion": " -> ".join(beat.emotion.label for beat in plan.beats),  # an arc's beats in turn
               "calibration": {k: v for k, v in result.calibration.items() if k != "iterations"}}
    if analyzer is not None:
        report = analyzer.report()
        summary["lost_frames"] = report.lost_frames
        summary["aus"] = [r for r in report.rows() if r["requested"] > 0 or abs(r["measured"]) >= 0.05]
        if len(plan.beats) > 1:  # an arc: what each beat asked for and showed while it held (the rows: the first's)
            summary["beats"] = report.to_dict()["beats"]
    summary["elapsed_s"] = round(time.perf_counter() - t0, 3)
    del video
    print(json.dumps(summary))
    return 0


def check_length(seconds: float | None, audio, max_seconds: float) -> None:
    """Refuse, before drawing, a clip longer than --max-seconds (seconds None = the audio's length)."""
    if seconds is None:
        samples, rate = audio
        seconds, said = samples.shape[-1] / rate, "the length of --audio"
    else:
        said = "--seconds"
    if seconds > max_seconds:
        shorter = "a shorter --seconds" if said == "--seconds" else "--seconds to draw only the start"
        raise ValueError(f"the clip would be {seconds:.0f} s long ({said}), over --max-seconds {max_seconds:g}; pass "
                         f"{shorter}, or raise --max-seconds to draw it all (the draft streams to the file, so memory "
                         "stays flat; rendering takes about a third of the clip's length on two cores)")


class Terminated(BaseException):
    """SIGTERM during the encoding, raised in the main thread so the writer unwinds as it does on Ctrl-C.
    A BaseException, so no `except Exception` on the way swallows it."""


@contextlib.contextmanager
def terminate_unwinds():
    """While the video is written, SIGTERM removes the partial file (as Ctrl-C does) and exits 143, without a
    traceback; the default action would kill the process and leave the hidden partial file behind."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def raise_terminated(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    except Terminated:
        print("error: stopped by SIGTERM before the video was finished; nothing was written", file=sys.stderr)
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
