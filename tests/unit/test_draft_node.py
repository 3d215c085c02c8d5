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
    frames, fps, calibration, video = out.args
    assert frames.shape == (8, 512, 512, 3) and fps == 8.0 and "gains" in json.loads(calibration)
    assert (video.get_frame_count(), video.get_dimensions(), float(video.get_frame_rate())) == (8, (512, 512), 8.0)
    core = render_draft(rgb, plan, audio=(wave_[None], sr), seconds=None, fps=8.0, seed=2).to_array()
    assert np.array_equal((frames.numpy() * 255.0 + 0.5).astype(np.uint8), core)
    with pytest.raises(ValueError, match="seconds must be > 0 when no audio"):
        node.execute(image=image, plan=plan, seconds=0.0, fps=8.0, seed=0, neutralize=0.8, face_index=-1,
                     crop_margin=0.6)


def _draft_module(pack):
    return importlib.import_module(f"{pack.__name__}.nodes.draft")


def _prompt_reading(slots: list[int]) -> dict:
    """An API prompt where node "3" is the draft and each of `slots` of it is read by its own node."""
    prompt = {"3": {"class_type": "ThinkDrawExpressionDraftRenderer", "inputs": {}}}
    for i, slot in enumerate(slots):
        prompt[str(10 + i)] = {"class_type": "SaveVideo" if slot == 3 else "PreviewImage",
                               "inputs": {"video" if slot == 3 else "images": ["3", slot]}}
    return prompt


def test_video_output_streams_in_flat_memory(comfy_on_path, pack, tmp_path):
    """The VIDEO output encodes frame by frame into Save Video's file: the peak of what Python allocates is the
    same for a clip four times longer, and far below the clip held whole (what the images output holds)."""
    import tracemalloc

    from thinkdraw_core.draft import render_draft
    from thinkdraw_core.plan import ActionUnit, AUPlan
    from thinkdraw_core.video import read_plan, read_video_info

    draft = _draft_module(pack)
    plan = AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)])
    rgb = skimage.data.astronaut()
    sr = 16000
    speech = (0.3 * np.sin(2 * np.pi * 150 * np.arange(4 * sr) / sr)).astype(np.float32)[None]
    peaks = {}
    for seconds in (1, 4):
        result = render_draft(rgb, plan, audio=(speech, sr), seconds=seconds, fps=10.0, calibrate=False)
        video = draft.DraftVideo(result, temp_dir=str(tmp_path))
        path = tmp_path / f"draft{seconds}.mp4"
        tracemalloc.start()
        try:
            video.save_to(str(path), metadata={"prompt": {"1": {}}})
            peaks[seconds] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        info = read_video_info(path)
        assert (info.frames, info.audio_codec) == (seconds * 10, "aac") and read_plan(path).text == "smile"
        assert video.get_stream_source() == str(path)  # drawn once: a second consumer reads that file
    frame = 512 * 512 * 3
    assert peaks[4] < peaks[1] + frame, peaks  # 30 more frames, not one more frame's worth of memory
    assert peaks[4] < 40 * frame / 4, peaks  # a quarter of the 40 frames in uint8; the IMAGE batch is 4x that


def test_images_output_too_big_is_refused_before_drawing(comfy_on_path, pack):
    """An IMAGE batch the machine cannot hold is refused with its size and the fix, before the face is even
    looked for (the image is blank: drawing would fail with 'no face')."""
    import torch

    from thinkdraw_core.plan import ActionUnit, AUPlan

    node = _draft_module(pack).ThinkDrawExpressionDraftRenderer
    plan = AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)])
    image = torch.zeros(1, 2048, 2048, 3)  # the node's maximums, 600 s at 120 fps, at 2048x2048: 3.6 TB
    with pytest.raises(ValueError) as err:
        node.execute(image=image, plan=plan, seconds=600.0, fps=120.0, seed=0, neutralize=0.8, face_index=-1,
                     crop_margin=0.6)
    message = str(err.value)
    assert "an IMAGE batch of this clip would need 3623.9 GB (72000 frames of 2048x2048" in message, message
    assert "GB free now" in message and "video output" in message and "Save Video" in message, message


def test_images_are_not_drawn_when_only_the_video_is_read(comfy_on_path, pack):
    """A graph that reads only the video output gets no IMAGE batch (a blocker saying why), so a clip far too
    long for one still renders, as a VIDEO; reading the images too refuses it."""
    import torch
    from comfy_api.latest import io
    from comfy_execution.graph_utils import ExecutionBlocker

    from thinkdraw_core.plan import ActionUnit, AUPlan

    draft = _draft_module(pack)
    plan = AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)])
    image = torch.from_numpy(skimage.data.astronaut()).float().div(255.0)[None]
    args = dict(image=image, plan=plan, seconds=600.0, fps=120.0, seed=0, neutralize=0.8, face_index=-1,
                crop_margin=0.6)
    video_only = draft.ThinkDrawExpressionDraftRenderer.PREPARE_CLASS_CLONE(
        {io.Hidden.prompt: _prompt_reading([3, 2]), io.Hidden.unique_id: "3"})
    images, fps, _, video = video_only.execute(**args).args
    assert isinstance(images, ExecutionBlocker) and "images output was not connected" in images.message
    assert fps == 120.0 and video.get_frame_count() == 72000 and video.get_duration() == 600.0
    both = draft.ThinkDrawExpressionDraftRenderer.PREPARE_CLASS_CLONE(
        {io.Hidden.prompt: _prompt_reading([3, 0]), io.Hidden.unique_id: "3"})
    with pytest.raises(ValueError, match="an IMAGE batch of this clip would need 226.5 GB"):
        both.execute(**args)


def test_audio_with_sample_rate_0_is_refused_by_every_node_that_takes_audio(comfy_on_path, pack):
    """One conversion of ComfyUI AUDIO for the draft renderer and Video Combine: a sample rate of 0 (which the
    draft divided by) is refused naming the input and the fix."""
    import torch

    from thinkdraw_core.plan import ActionUnit, AUPlan

    video = importlib.import_module(f"{pack.__name__}.nodes.video")
    draft = _draft_module(pack)
    assert draft.audio_tuple is video.audio_tuple
    audio = {"waveform": torch.zeros(1, 1, 16000), "sample_rate": 0}
    expected = r"audio sample_rate must be a whole number of samples per second > 0 \(e.g. 44100\), got 0"
    with pytest.raises(ValueError, match=expected):
        draft.ThinkDrawExpressionDraftRenderer.execute(
            image=torch.from_numpy(skimage.data.astronaut()).float().div(255.0)[None],
            plan=AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)]), seconds=0.0, fps=8.0,
            seed=0, neutralize=0.8, face_index=-1, crop_margin=0.6, audio=audio)
    with pytest.raises(ValueError, match=expected):
        video.audio_tuple(audio)
    for bad, match in [({"waveform": torch.zeros(1, 1, 0), "sample_rate": 16000}, "not empty"),
                       ({"sample_rate": 16000}, "must be a ComfyUI AUDIO"),
                       ({"waveform": torch.zeros(1, 1, 8), "sample_rate": float("nan")}, "got nan")]:
        with pytest.raises(ValueError, match=match):
            video.audio_tuple(bad)
