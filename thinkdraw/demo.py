"""`make demo`: the shipped CPU workflow on the sample portrait, through a real headless ComfyUI.

It makes a speech clip with espeak-ng (installing it with apt-get when missing), puts the portrait
and the clip into the server's input folder, overrides the workflow's emotion / image / audio
inputs, runs it, and reports the video, the plan's reasoning and requested vs measured AUs.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .host import REPO, ComfyError, ComfyServer
from .runner import RunResult, brief, prepare, run_prompt
from .shipped import DRAFT_CPU
from .workflow import MODE_NEVER, WorkflowError, load_workflow

SHIPPED_WORKFLOW = DRAFT_CPU
SAY = "I did it. After all these years, I finally did it, and I am so proud of you all."

# The shipped workflow's nodes the demo steers, by type, and the inputs it sets on them.
REASONER = "ThinkDrawEmotionCoTReasoner"
RENDERER = "ThinkDrawExpressionDraftRenderer"
ANALYZER = "ThinkDrawExpressionAnalyzer"
VIDEO = "ThinkDrawVideoCombine"
PLAN_NODES = ("ThinkDrawAUPlanEdit", REASONER)  # the edited plan is the one rendered


def note(msg: str) -> None:
    print(f"[demo] {msg}", file=sys.stderr, flush=True)


def loud(msg: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n[demo] {msg}\n{bar}\n", file=sys.stderr, flush=True)


# -- inputs ------------------------------------------------------------------------------------
def sample_portrait(folder: Path) -> Path:
    """skimage's astronaut (Eileen Collins, public domain), shipped inside scikit-image: no download."""
    import cv2
    from skimage import data

    path = folder / "thinkdraw_sample_portrait.png"
    cv2.imwrite(str(path), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    return path


def ensure_espeak() -> str | None:
    """espeak-ng's path, installing the Debian/Ubuntu package when it is missing and apt can."""
    exe = shutil.which("espeak-ng")
    if exe:
        return exe
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            return None
        prefix = ["sudo", "-n"]  # never prompt: a demo must not hang on a password
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = [*prefix, apt, "install", "-y", "-q", "espeak-ng"]
    note("espeak-ng is missing; installing it with apt-get (one time) ...")
    for attempt in (install, [*prefix, apt, "update", "-q"], install):
        proc = subprocess.run(attempt, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode == 0 and attempt is install and shutil.which("espeak-ng"):
            break
    return shutil.which("espeak-ng")


def speech_clip(folder: Path, text: str = SAY) -> Path | None:
    """A spoken WAV made with espeak-ng, or None (with a loud note) when it cannot be had."""
    exe = ensure_espeak()
    if exe is None:
        loud("espeak-ng is not available and could not be installed (no apt-get, or no root/sudo).\n"
             "[demo] The video is made WITHOUT audio: the mouth follows the plan only, nobody speaks.\n"
             "[demo] Fix: install espeak-ng (apt-get install espeak-ng), or pass AUDIO=/path/to/speech.wav.")
        return None
    path = folder / "thinkdraw_demo_speech.wav"
    proc = subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(path), text], capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0 or not path.is_file() or path.stat().st_size < 1000:
        loud(f"espeak-ng failed ({proc.stderr.strip()[:200]}); the video is made WITHOUT audio.")
        return None
    return path


# -- workflow ----------------------------------------------------------------------------------
def nodes_of(workflow: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in workflow.get("nodes", []) if n.get("type") == kind and n.get("mode", 0) not in (2, 4)]


def one_node(workflow: dict[str, Any], kind: str, where: str) -> str:
    found = nodes_of(workflow, kind)
    if len(found) != 1:
        raise WorkflowError(f"{where} must contain exactly one active {kind} node for the demo to steer, found {len(found)}")
    return str(found[0]["id"])


SILENT_SECONDS = 4.0


def demo_overrides(workflow: dict[str, Any], emotion: str, image: Path, audio: Path | None, seconds: float | None,
                   seed: int | None, where: str) -> list[str]:
    """The --set list for the demo's inputs; with no audio the LoadAudio node is muted in `workflow`.

    seconds None: as long as the audio (the renderer's 0), or SILENT_SECONDS without audio.
    """
    if seconds is None:
        seconds = 0.0 if audio is not None else SILENT_SECONDS
    elif seconds <= 0:
        raise ValueError(f"--seconds must be > 0, got {seconds} (leave it out to follow the audio's length)")
    sets = [f"{one_node(workflow, 'LoadImage', where)}.image={image}",
            f"{one_node(workflow, REASONER, where)}.text={emotion}",
            f"{one_node(workflow, RENDERER, where)}.seconds={seconds}"]
    loaders = nodes_of(workflow, "LoadAudio")
    if audio is not None:
        sets.append(f"{one_node(workflow, 'LoadAudio', where)}.audio={audio}")
    else:
        for node in loaders:  # muting drops the link, so the renderer and the video get no audio
            node["mode"] = MODE_NEVER
    if seed is not None:
        sets.append(f"{one_node(workflow, RENDERER, where)}.seed={seed}")
    return sets


# -- report ------------------------------------------------------------------------------------
def plan_from(result: RunResult) -> dict[str, Any] | None:
    for kind in PLAN_NODES:
        plans = result.ui_of(kind).get("thinkdraw_plan")
        if plans:
            return plans[0]
    return None


def au_table(plan: dict[str, Any] | None) -> str:
    """The requested AUs alone, for workflows without an analyzer."""
    if plan is None:
        return "(no plan in the outputs)"
    lines = [f"{'AU':<5} {'name':<22} {'side':<6} {'requested':>9}"]
    lines += [f"AU{a['au']:<3} {a['name']:<22} {a.get('side', 'both'):<6} {a['intensity']:>9.2f}"
              for a in plan.get("action_units") or []]
    return "\n".join(lines)


def analysis_text(result: RunResult) -> str | None:
    """The analyzer's requested-vs-measured table, shown by a PreviewAny node wired to its report."""
    analyzers = set(result.node_ids(ANALYZER))
    for nid in result.node_ids("PreviewAny"):
        source = result.prompt[nid]["inputs"].get("source")
        text = (result.outputs.get(nid) or {}).get("text")
        if isinstance(source, list) and str(source[0]) in analyzers and text:
            return str(text[0])
    return None


def report(result: RunResult, run_dir: Path) -> tuple[Path, Path | None, str]:
    """Place the video and the AU plot in run_dir; returns (video, plot, text)."""
    videos = [f for f in result.files_of(VIDEO) if f.path is not None]
    if not videos:
        raise WorkflowError(f"the workflow ran but {VIDEO} reported no file; see the ComfyUI log")
    video = videos[0].path
    plot = None
    analyzers = set(result.node_ids(ANALYZER))
    plot_nodes = {nid for nid in result.node_ids("PreviewImage")
                  if str((result.prompt[nid]["inputs"].get("images") or [""])[0]) in analyzers}
    plots = [f for f in result.files if f.node in plot_nodes and f.path is not None]
    if plots:
        plot = video.with_name(video.stem.rstrip("_") + "_au_plot.png")
        shutil.move(plots[0].path, plot)  # a preview lands under a temp name; one copy, by the video
    plan = plan_from(result)
    measured = analysis_text(result)
    if plan is not None:
        (run_dir / "plan.json").write_text(json.dumps(plan, indent=2, ensure_ascii=False))
    lines = [f"video: {video}"]
    if plot:
        lines.append(f"AU plot: {plot}")
    if plan is not None:
        emo = plan.get("emotion") or {}
        lines += ["", f"emotion: {plan.get('text', '')!r} -> {emo.get('label', '')} "
                      f"(valence {emo.get('valence', 0):+.2f}, arousal {emo.get('arousal', 0):.2f}; backend {plan.get('backend')})",
                  "reasoning:"]
        lines += [f"  {i}. {step}" for i, step in enumerate(plan.get("reasoning") or [], 1)]
        for warning in plan.get("warnings") or []:
            lines.append(f"  warning: {warning}")
    if measured is not None:
        lines += ["", "requested vs measured AUs (measured = blendshape change against the first frame):", measured]
    else:
        lines += ["", "requested AUs (the workflow has no analyzer wired to a text preview):", au_table(plan)]
    text = "\n".join(lines)
    (run_dir / "report.txt").write_text(text + "\n")
    return video, plot, text


def run_demo(args) -> int:
    where = str(args.workflow or SHIPPED_WORKFLOW)
    workflow = load_workflow(args.workflow or SHIPPED_WORKFLOW)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = (args.out / f"demo-{stamp}").resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="thinkdraw-demo-"))
    try:
        image = args.image.resolve() if args.image else sample_portrait(scratch)
        if not image.is_file():
            raise FileNotFoundError(f"--image {image} does not exist")
        if args.audio is not None:
            audio = args.audio.resolve()
            if not audio.is_file():
                raise FileNotFoundError(f"--audio {audio} does not exist")
        else:
            audio = speech_clip(scratch)
        sets = demo_overrides(workflow, args.emotion, image, audio, args.seconds, args.seed, where)
        note(f"starting ComfyUI headless on loopback (its log goes to {run_dir / 'comfyui.log'}) ...")
        with ComfyServer(comfy=args.comfyui, workdir=scratch / "comfyui") as server:
            prompt, _ = prepare(server, workflow, sets)
            note(f"running {Path(where).name}: {args.emotion!r}, portrait {image.name}, "
                 f"audio {audio.name if audio else 'none'} ...")
            try:
                result = run_prompt(server, prompt, out_dir=run_dir, timeout=args.timeout, progress=not args.quiet,
                                    workflow=workflow)
            except ComfyError as exc:
                raise brief(exc, run_dir / "comfyui.log") from None
        video, plot, text = report(result, run_dir)
        print(text)
        print(f"\n(done in {result.seconds:.1f}s; everything is in {run_dir})")
        return 0
    finally:
        log = scratch / "comfyui" / "comfyui.log"
        if log.is_file():
            shutil.copyfile(log, run_dir / "comfyui.log")
        shutil.rmtree(scratch, ignore_errors=True)
