"""`python -m thinkdraw_core draft`: reasoning + draft + encoding, with a JSON summary as the last line."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from ..reasoning.cli import EXIT_FALLBACK, add_backend_arguments, refused_fallback


# half the encoder's CPU time of its default (medium) at the same CRF, for a somewhat larger file
DRAFT_PRESET = "veryfast"


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
    p.add_argument("--seconds", type=float, default=None, help="clip length (default: the audio's, else 4)")
    p.add_argument("--fps", type=float, default=25.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--neutralize", type=float, default=0.8, help="relax the photo's own expression (0..1)")
    p.add_argument("--face-index", type=int, default=-1, help="-1 = the largest face")
    p.add_argument("--crop-margin", type=float, default=0.6)
    p.add_argument("--format", default="h264-mp4", help="video format (see thinkdraw_core.video)")
    p.add_argument("--preset", default=None,
                   help=f"x264/x265 speed preset for h264/h265 formats (default {DRAFT_PRESET}: a draft favours "
                        "speed over file size at the same quality; 'medium' is the encoder's own default)")
    p.add_argument("--out", required=True, help="output video path")
    p.add_argument("--no-measure", action="store_true", help="skip the closing blendshape measurement")
    add_backend_arguments(p)
    p.set_defaults(func=run)
    return p


def load_image(path: str | Path) -> np.ndarray:
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--image {path} does not exist")
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"--image {path} is not an image OpenCV can read (use png, jpg or webp)")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def plan_from_args(args):
    from ..plan import AUPlan

    if args.plan:
        return AUPlan.from_json(Path(args.plan).read_text())
    try:
        from ..reasoning import reason
        from ..reasoning.cli import backend_settings
    except ImportError as exc:
        raise RuntimeError(f"the reasoner is not available ({exc}); pass --plan PLAN.json instead of --emotion") from None
    return reason(args.emotion, intensity=args.intensity, backend=args.backend, seed=args.seed,
                  **backend_settings(args))


def run(args) -> int:
    from tqdm import tqdm

    from ..face.analyzer import StreamingAnalyzer
    from ..video import write_video
    from ..video.formats import check_preset, takes_preset
    from .renderer import render_draft
    from .speech import load_audio

    t0 = time.perf_counter()
    preset = args.preset
    if preset is None and takes_preset(args.format):
        preset = DRAFT_PRESET
    check_preset(args.format, preset)  # a wrong format or preset fails before any drawing
    image = load_image(args.image)
    plan = plan_from_args(args)
    if args.emotion and refused_fallback(plan, args):
        return EXIT_FALLBACK  # before any drawing: nothing is written
    audio = load_audio(args.audio) if args.audio else None
    seconds = args.seconds if args.seconds is not None else (None if audio is not None else 4.0)
    result = render_draft(image, plan, audio=audio, seconds=seconds, fps=args.fps, seed=args.seed,
                          neutralize=args.neutralize, face_index=None if args.face_index < 0 else args.face_index,
                          crop_margin=args.crop_margin)
    # about 5 measured frames a second: enough for the curves; measured beside the rendering and encoding
    analyzer = None
    if not args.no_measure:
        analyzer = StreamingAnalyzer(plan, result.fps, stride=max(1, round(result.fps / 5)), background=True)
    bar = tqdm(total=result.n_frames, desc="draft", unit="frame", file=sys.stderr)

    def frames():
        for frame in result:
            if analyzer is not None:
                analyzer.add(frame)
            bar.update(1)
            yield frame

    video = write_video(frames(), args.out, result.fps, audio=result.audio, format=args.format, preset=preset,
                        metadata={"thinkdraw_plan": plan, "thinkdraw_draft": {"seed": args.seed, "fps": result.fps,
                                                                              "neutralize": args.neutralize}})
    bar.close()
    summary = {"path": str(Path(args.out).resolve()), "frames": result.n_frames, "fps": result.fps,
               "seconds": round(result.n_frames / result.fps, 3), "emotion": plan.emotion.label,
               "calibration": {k: v for k, v in result.calibration.items() if k != "iterations"}}
    if analyzer is not None:
        report = analyzer.report()
        summary["lost_frames"] = report.lost_frames
        summary["aus"] = [r for r in report.rows() if r["requested"] > 0 or abs(r["measured"]) >= 0.05]
    summary["elapsed_s"] = round(time.perf_counter() - t0, 3)
    del video
    print(json.dumps(summary))
    return 0
