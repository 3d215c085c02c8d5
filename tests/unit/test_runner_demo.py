"""The demo's own pieces without a server: the spoken clip, the sample portrait, the overrides, the AU table."""
from __future__ import annotations

import shutil
import wave

import numpy as np
import pytest

from thinkdraw.demo import au_table, demo_overrides, sample_portrait, speech_clip
from thinkdraw.workflow import MODE_NEVER, WorkflowError


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (make demo installs it)")
def test_speech_clip_is_real_speech(tmp_path):
    path = speech_clip(tmp_path, "Hello there, this is a test.")
    with wave.open(str(path)) as w:
        rate, n = w.getframerate(), w.getnframes()
        samples = np.frombuffer(w.readframes(n), dtype=np.int16).astype(np.float32) / 32768
    assert rate >= 16000 and 1.0 < n / rate < 5.0
    frame = rate // 50
    rms = np.sqrt(np.mean(samples[: len(samples) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    assert rms.max() > 0.05 and (rms < 0.01).any()  # voiced parts and pauses, not a tone or silence


def test_sample_portrait_is_the_astronaut(tmp_path):
    import cv2
    from skimage import data

    image = cv2.cvtColor(cv2.imread(str(sample_portrait(tmp_path))), cv2.COLOR_BGR2RGB)
    assert np.array_equal(image, data.astronaut())


def _workflow(audio_nodes=1):
    nodes = [{"id": 1, "type": "LoadImage"}, {"id": 2, "type": "ThinkDrawEmotionCoTReasoner"},
             {"id": 3, "type": "ThinkDrawExpressionDraftRenderer"}]
    nodes += [{"id": 10 + i, "type": "LoadAudio", "mode": 0} for i in range(audio_nodes)]
    return {"nodes": nodes, "links": []}


def test_demo_overrides_target_the_steered_nodes(tmp_path):
    wf = _workflow()
    sets = demo_overrides(wf, "calm, a bit amused", tmp_path / "a.png", tmp_path / "s.wav", 3.0, 5, "wf")
    assert sets == [f"1.image={tmp_path / 'a.png'}", "2.text=calm, a bit amused", "3.seconds=3.0",
                    f"10.audio={tmp_path / 's.wav'}", "3.seed=5"]
    assert wf["nodes"][3]["mode"] == 0
    assert "3.seconds=0.0" in demo_overrides(_workflow(), "x", tmp_path / "a.png", tmp_path / "s.wav", None, None, "wf")
    sets = demo_overrides(wf, "x", tmp_path / "a.png", None, None, None, "wf")
    assert "3.seconds=4.0" in sets  # no audio to follow: the default length
    assert not any(s.startswith("10.") for s in sets) and wf["nodes"][3]["mode"] == MODE_NEVER
    with pytest.raises(ValueError, match="--seconds must be > 0"):
        demo_overrides(_workflow(), "x", tmp_path / "a.png", None, 0.0, None, "wf")
    with pytest.raises(WorkflowError, match="exactly one active LoadAudio"):
        demo_overrides(_workflow(2), "x", tmp_path / "a.png", tmp_path / "s.wav", 4.0, None, "wf")


def test_au_table_lists_the_requested_units():
    plan = {"action_units": [{"au": 6, "name": "cheek raiser", "intensity": 0.5, "side": "both"},
                             {"au": 12, "name": "lip corner puller", "intensity": 0.25, "side": "left"}]}
    lines = au_table(plan).splitlines()
    assert lines[1].split() == ["AU6", "cheek", "raiser", "both", "0.50"]
    assert lines[2].split() == ["AU12", "lip", "corner", "puller", "left", "0.25"]
    assert au_table(None) == "(no plan in the outputs)"
