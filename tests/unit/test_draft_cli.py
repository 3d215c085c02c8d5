"""`draft` CLI end to end: portrait + plan + real speech (espeak-ng) -> mp4 + JSON summary; and the analyser."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data

from thinkdraw_core.draft.speech import load_audio
from thinkdraw_core.face.analyzer import analyze_frames
from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline

REPO = Path(__file__).resolve().parents[2]


def _espeak() -> str | None:
    found = shutil.which("espeak-ng")
    if found:
        return found
    if shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "espeak-ng"], capture_output=True, timeout=180)
    return shutil.which("espeak-ng")


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    espeak = _espeak()
    if espeak:
        subprocess.run([espeak, "-w", str(path), "-s", "150", "I really did not expect that. Oh, what a day."],
                       check=True, timeout=60)
    else:
        import wave

        warnings.warn("espeak-ng is not installed and could not be installed: using a synthetic speech-like WAV")
        sr = 16000
        t = np.arange(sr * 2) / sr
        sig = sum(np.sin(2 * np.pi * 130 * k * t) / k for k in range(1, 10)) * (np.sin(2 * np.pi * 3.5 * t) > 0)
        with wave.open(str(path), "wb") as wf:
            wf.setnchannels(1), wf.setsampwidth(2), wf.setframerate(sr)
            wf.writeframes((0.3 * sig * 32767).astype("<i2").tobytes())
    return path



def test_load_audio_reads_the_wav(speech_wav):
    samples, sr = load_audio(speech_wav)
    assert samples.dtype == np.float32 and samples.ndim == 2 and sr > 8000
    assert 1.0 < samples.shape[1] / sr < 6.0 and np.abs(samples).max() > 0.05


def test_cli_end_to_end(tmp_path, speech_wav):
    from thinkdraw_core.video import read_video_info

    image = tmp_path / "astronaut.png"
    cv2.imwrite(str(image), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    plan = AUPlan(text="surprised", action_units=[ActionUnit(au=1, intensity=0.8), ActionUnit(au=2, intensity=0.8),
                                                  ActionUnit(au=5, intensity=0.5)],
                  timeline=Timeline(start=0.1, onset=0.3, apex=3.0))
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan.to_json())
    out = tmp_path / "draft.mp4"
    proc = subprocess.run(
        [sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(image), "--plan", str(plan_path),
         "--audio", str(speech_wav), "--seconds", "2", "--fps", "10", "--out", str(out), "--seed", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["path"] == str(out.resolve()) and summary["frames"] == 20
    assert "frame" in proc.stderr  # the tqdm bar goes to stderr
    info = read_video_info(out)
    assert info.frames == 20 and (info.width, info.height) == (512, 512) and info.audio_codec
    assert b" subme=2 " in out.read_bytes()  # x264 at the draft's preset, veryfast (medium writes subme=7)
    by_au = {row["au"]: row for row in summary["aus"]}
    assert by_au[1]["requested"] == 0.8 and by_au[1]["measured"] >= 0.08
    assert by_au[2]["measured"] >= 0.08
    assert summary["lost_frames"] == []


def test_cli_reports_bad_input(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(tmp_path / "none.png"),
                           "--plan", str(tmp_path / "p.json"), "--out", str(tmp_path / "o.mp4")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--image" in proc.stderr and "does not exist" in proc.stderr


def test_cli_refuses_a_preset_its_format_has_not_before_drawing(tmp_path):
    image = tmp_path / "astronaut.png"
    cv2.imwrite(str(image), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    for extra, match in ((["--preset", "turbo"], "preset must be one of"),
                         (["--format", "gif", "--preset", "fast"], "gif has none")):
        proc = subprocess.run([sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(image), "--emotion", "sad",
                               "--out", str(tmp_path / "o.mp4"), *extra], cwd=REPO, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 2 and match in proc.stderr and "draft:" not in proc.stderr, proc.stderr[-2000:]


def test_analyzer_report_and_plot():
    from thinkdraw_core.draft import render_draft

    plan = AUPlan(text="brows", action_units=[ActionUnit(au=2, intensity=0.9, side="left")],
                  timeline=Timeline(start=0.1, onset=0.3, apex=3.0, blink_rate=0.0))
    result = render_draft(skimage.data.astronaut(), plan, seconds=1.0, fps=10, sway=False)
    report = analyze_frames(result, plan, fps=10)
    apex = report.apex()
    assert apex[2] > 0.15  # measured on the subject's left, the side the plan asked for
    rows = {r["au"]: r for r in report.rows()}
    assert rows[2]["side"] == "left" and rows[2]["requested"] == 0.9
    assert "AU2" in report.to_text() and json.loads(report.to_json())["frames"] == 10
    plot = report.plot()
    assert plot.dtype == np.uint8 and plot.shape == (450, 800, 3) and plot.std() > 10
    # a still clip measures ~0 everywhere
    still = analyze_frames([skimage.data.astronaut()] * 3, None, fps=10)
    assert np.nanmax(np.abs(still.measured)) < 0.02


def test_background_analyzer_measures_what_the_foreground_one_does():
    from thinkdraw_core.draft import render_draft
    from thinkdraw_core.face.analyzer import StreamingAnalyzer

    plan = AUPlan(text="brows", action_units=[ActionUnit(au=2, intensity=0.9)],
                  timeline=Timeline(start=0.1, onset=0.3, apex=3.0, blink_rate=0.0))
    frames = render_draft(skimage.data.astronaut(), plan, seconds=1.2, fps=10, sway=False).to_array()
    reports = []
    for background in (False, True):
        analyzer = StreamingAnalyzer(plan, 10, stride=2, background=background)
        for frame in frames:
            analyzer.add(frame)
        reports.append(analyzer.report())
    plain, threaded = reports
    assert len(threaded.times) == 6 and np.array_equal(threaded.times, plain.times)
    assert np.allclose(threaded.measured, plain.measured, equal_nan=True)
    assert threaded.apex()[2] > 0.15


def test_background_analyzer_hands_its_failure_to_the_producer():
    from thinkdraw_core.face.analyzer import StreamingAnalyzer
    from thinkdraw_core.face.landmarks import NoFaceError

    analyzer = StreamingAnalyzer(None, 10, background=True)
    blank = np.full((256, 256, 3), 127, np.uint8)
    with pytest.raises(NoFaceError):
        for _ in range(50):  # the worker fails on the first frame; a later add (or report) raises it
            analyzer.add(blank)
        analyzer.report()


def test_cli_with_the_reasoner(tmp_path):
    pytest.importorskip("thinkdraw_core.reasoning", reason="the reasoner module is not in this tree yet")
    image = tmp_path / "astronaut.png"
    cv2.imwrite(str(image), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    out = tmp_path / "surprised.mp4"
    proc = subprocess.run([sys.executable, "-m", "thinkdraw_core", "draft", "--image", str(image), "--emotion", "surprised",
                           "--seconds", "1", "--fps", "8", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["frames"] == 8 and out.is_file() and "surpris" in summary["emotion"]
    assert any(row["requested"] > 0 for row in summary["aus"])
