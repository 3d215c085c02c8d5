"""The draft renderer node, imported in-process as ComfyUI imports the pack, against the core."""
from __future__ import annotations

import importlib
import json

import numpy as np
import pytest
import skimage.data


def test_renderer_node_in_process_matches_the_core(comfy_on_path, pack):
    """The node (as ComfyUI imports it) gives exactly the core's frames, and speaks the audio."""
    import torch

    from thinkdraw_core.draft import render_draft
    from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline

    node = importlib.import_module(f"{pack.__name__}.nodes.draft").ThinkDrawExpressionDraftRenderer
    plan = AUPlan(text="surprised", action_units=[ActionUnit(au=1, intensity=0.8), ActionUnit(au=26, intensity=0.5)],
                  timeline=Timeline(start=0.1, onset=0.3, apex=2.0))
    rgb = skimage.data.astronaut()
    image = torch.from_numpy(rgb).float().div(255.0)[None]
    sr = 16000
    t = np.arange(sr) / sr
    wave_ = (0.3 * np.sin(2 * np.pi * 150 * t) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)
    audio = {"waveform": torch.from_numpy(wave_)[None, None], "sample_rate": sr}
    out = node.execute(image=image, plan=plan, seconds=0.0, fps=8.0, seed=2, neutralize=0.8, face_index=-1,
                       crop_margin=0.6, audio=audio)
    frames, fps, calibration = out.args
    assert frames.shape == (8, 512, 512, 3) and fps == 8.0 and "gains" in json.loads(calibration)
    core = render_draft(rgb, plan, audio=(wave_[None], sr), seconds=None, fps=8.0, seed=2).to_array()
    assert np.array_equal((frames.numpy() * 255.0 + 0.5).astype(np.uint8), core)
    with pytest.raises(ValueError, match="seconds must be > 0 when no audio"):
        node.execute(image=image, plan=plan, seconds=0.0, fps=8.0, seed=0, neutralize=0.8, face_index=-1,
                     crop_margin=0.6)
