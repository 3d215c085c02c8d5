"""`python -m thinkdraw run WORKFLOW.json [--set NODE.input=value ...]` and `python -m thinkdraw demo ...`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .host import ComfyError, ComfyServer
from .workflow import WorkflowError


def _models(pairs: list[str]) -> dict[str, Path]:
    models = {}
    for pair in pairs:
        folder, sep, path = pair.partition("=")
        if not sep or not folder or not path:
            raise WorkflowError(f"--models {pair!r} must look like FOLDER=PATH (e.g. checkpoints=/data/ckpt)")
        if not Path(path).is_dir():
            raise WorkflowError(f"--models {pair!r}: {path} is not a folder")
        models[folder] = Path(path).resolve()
    return models


def cmd_run(args: argparse.Namespace) -> int:
    from .runner import brief, describe, prepare, run_prompt
    from .workflow import load_workflow

    workflow = load_workflow(args.workflow)
    with ComfyServer(comfy=args.comfyui, models=_models(args.models)) as server:
        prompt, _ = prepare(server, workflow, args.set)
        if args.print_api:
            print(json.dumps(prompt, indent=1))
            return 0
        try:
            result = run_prompt(server, prompt, out_dir=args.out, timeout=args.timeout, progress=not args.quiet,
                                workflow=workflow)
        except ComfyError as exc:
            raise brief(exc, server.log_path) from None
    print(describe(result))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m thinkdraw", description="Run ThinkDraw workflows headless in ComfyUI")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a saved workflow (UI or API format) through a private ComfyUI server")
    run.add_argument("workflow", type=Path, help="workflow .json (as the ComfyUI editor saves it, or an API prompt)")
    run.add_argument("--set", action="append", default=[], metavar="NODE.input=value",
                     help="override an input; NODE is a node id, title or type (repeatable). For file inputs "
                          "(LoadImage.image, LoadAudio.audio) a local path is copied into ComfyUI's input folder")
    run.add_argument("--comfyui", type=Path, default=None, help="ComfyUI tree (default: $COMFYUI_PATH or .cache/comfyui)")
    run.add_argument("--models", action="append", default=[], metavar="FOLDER=PATH",
                     help="extra model folder, e.g. checkpoints=/data/models (repeatable)")
    run.add_argument("--out", type=Path, default=Path("output"), help="where output files are copied (default ./output)")
    run.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the run")
    run.add_argument("--print-api", action="store_true", help="print the converted API prompt and stop")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="render the sample portrait with the shipped CPU workflow")
    demo.add_argument("--emotion", default="quiet pride, fighting back tears", help="the emotion, in free words")
    demo.add_argument("--image", type=Path, default=None, help="portrait image (default: skimage's astronaut)")
    demo.add_argument("--audio", type=Path, default=None, help="speech clip (default: espeak-ng reads a sentence)")
    demo.add_argument("--seconds", type=float, default=None,
                      help="video length (default: the speech's length, or 4 s without audio)")
    demo.add_argument("--seed", type=int, default=None, help="seed override for the workflow's seed inputs")
    demo.add_argument("--workflow", type=Path, default=None, help="workflow to run (default: the shipped CPU draft)")
    demo.add_argument("--comfyui", type=Path, default=None, help="ComfyUI tree (default: $COMFYUI_PATH or .cache/comfyui)")
    demo.add_argument("--out", type=Path, default=Path("output"), help="where the video and plot go (default ./output)")
    demo.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the run")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (WorkflowError, ComfyError, RuntimeError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
