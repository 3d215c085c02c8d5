"""The shipped CPU workflow in a real ComfyUI: it is current with the node schemas, it gives the same
frames as the core CLI (`python -m thinkdraw_core draft`), and `python -m thinkdraw demo` makes a
real talking video with its report."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from thinkdraw.demo import ANALYZER, VIDEO, demo_overrides, sample_portrait, speech_clip
from thinkdraw.runner import prepare, run_prompt
from thinkdraw.shipped import DRAFT_CPU, build, dumps
from thinkdraw.workflow import load_workflow, ui_to_api
from thinkdraw_core.video import read_plan, read_video_info

pytestmark = pytest.mark.comfy

EMOTION = "bitter amusement, trying not to laugh"


def test_shipped_workflow_matches_the_live_node_schemas(comfy):
    assert DRAFT_CPU.exists(), f"{DRAFT_CPU} is missing: run `python -m thinkdraw.shipped`"
    expected = dumps(build(comfy.object_info()))
    assert DRAFT_CPU.read_text() == expected, (
        f"{DRAFT_CPU.name} no longer lines up with the nodes' schemas; regenerate it with "
        "`python -m thinkdraw.shipped` and review the diff")
    prompt = ui_to_api(json.loads(expected), comfy.object_info())
    kinds = sorted(n["class_type"] for n in prompt.values())
    assert kinds == sorted(["LoadImage", "ThinkDrawEmotionCoTReasoner", "ThinkDrawAUPlanEdit", "LoadAudio",
                            "ThinkDrawExpressionDraftRenderer", VIDEO, ANALYZER, "PreviewImage", "PreviewAny"])


def _frames(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("*.png"))]


def test_graph_gives_the_same_frames_as_the_core_cli(comfy, tmp_path):
    # renamed: under the template's own names they would replace the samples the pack put in the session
    # server's input folder, which the browser test runs the template on
    portrait = sample_portrait(tmp_path).rename(tmp_path / "same_frames_portrait.png")
    speech = speech_clip(tmp_path, "Well. That went well.")
    speech = speech.rename(tmp_path / "same_frames_speech.wav") if speech is not None else None
    workflow = load_workflow(DRAFT_CPU)
    sets = demo_overrides(workflow, EMOTION, portrait, speech, 1.2, 3, "shipped") + [
        f"{VIDEO}.format=png-sequence", f"{VIDEO}.filename_prefix=same_frames"]
    prompt, _ = prepare(comfy, workflow, sets)
    # measuring is not part of the comparison; leave it out to keep the test short
    for nid in [nid for nid, n in prompt.items() if n["class_type"] in (ANALYZER, "PreviewImage", "PreviewAny")]:
        del prompt[nid]
    result = run_prompt(comfy, prompt)
    [first] = result.files_of(VIDEO)
    graph_frames = _frames(comfy.output_dir / first.subfolder)

    cli_out = tmp_path / "cli_frames"
    cmd = [sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(portrait), "--emotion", EMOTION,
           "--seconds", "1.2", "--seed", "3", "--format", "png-sequence", "--out", str(cli_out), "--no-measure"]
    if speech is not None:
        cmd += ["--audio", str(speech)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cli_frames = _frames(cli_out)

    assert len(graph_frames) == len(cli_frames) == 30
    for i, (a, b) in enumerate(zip(graph_frames, cli_frames)):
        assert np.array_equal(a, b), f"frame {i} differs: max |diff| {np.abs(a.astype(int) - b.astype(int)).max()}"
    # the clip really moves, so equal frames are not two copies of the still portrait
    assert np.abs(graph_frames[-1].astype(int) - graph_frames[0].astype(int)).max() > 20


def test_demo_command_makes_a_talking_video_with_its_report(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "thinkdraw", "demo", "--emotion", EMOTION, "--seconds", "1.5",
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    video = Path(re.search(r"^video: (.+)$", proc.stdout, re.M).group(1))
    plot = Path(re.search(r"^AU plot: (.+)$", proc.stdout, re.M).group(1))
    assert video.is_file() and video.suffix == ".mp4" and out in video.parents
    assert plot.parent == video.parent and Image.open(plot).size[0] >= 400
    info = read_video_info(video)
    assert info.frames == round(1.5 * 25) and (info.width, info.height) == (512, 512)
    speaking = "WITHOUT audio" not in proc.stderr
    assert (info.audio_codec is not None) == speaking
    plan = read_plan(video)
    assert plan.text == EMOTION and plan.action_units
    # the report: the plan's reasoning and requested vs measured per AU
    assert "reasoning:" in proc.stdout and "Requested vs seen" in proc.stdout
    for unit in plan.action_units:
        if unit.intensity >= 0.15:  # one report line per requested AU: "- Smile (AU12): asked 0.80, seen +0.75"
            assert re.search(rf"^- .+ \(AU{unit.au}\): asked {unit.intensity:.2f}, seen ", proc.stdout, re.M), (
                unit, proc.stdout)
    assert (video.parent.parent / "plan.json").is_file() or list(out.glob("demo-*/plan.json"))
    assert "node" in proc.stderr  # the progress bar ran on stderr
