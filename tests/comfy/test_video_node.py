"""ThinkDrawVideoCombine inside a real ComfyUI server: graphs through /prompt, files fetched through /view."""
from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from comfy_host import ComfyError
from thinkdraw_core.video import read_video_info

pytestmark = pytest.mark.comfy


def _write_wav(path, seconds: float, rate: int, channels: int = 1) -> None:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 330 * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(tone[:, None], channels, axis=1).tobytes())


def _graph(width, height, frames, fps, fmt, **extra):
    node = {
        "class_type": "ThinkDrawVideoCombine",
        "inputs": {"images": ["1", 0], "fps": fps, "format": fmt, "crf": -1, "pix_fmt": "yuv420p",
                   "loop_count": 0, "pingpong": False, "audio_mode": "keep",
                   "filename_prefix": "ThinkDraw/test", "save_output": True},
    }
    node["inputs"].update(extra)
    return {"1": {"class_type": "EmptyImage",
                  "inputs": {"width": width, "height": height, "batch_size": frames, "color": 0x3366CC}},
            "9": node}


def _fetch(comfy, entry, tmp_path, node="9"):
    ui = entry["outputs"][node]
    item = ui["images"][0]
    data = comfy.view(item["filename"], item["subfolder"], item["type"])
    local = tmp_path / item["filename"]
    local.write_bytes(data)
    return ui, item, local


def test_mp4_with_loaded_audio_odd_size_and_embedded_workflow(comfy, tmp_path):
    _write_wav(comfy.workdir / "input" / "thinkdraw_tone.wav", seconds=1.5, rate=22050)
    graph = _graph(65, 49, 24, 12.0, "h264-mp4", audio=["2", 0], audio_mode="pad_audio")
    graph["2"] = {"class_type": "LoadAudio", "inputs": {"audio": "thinkdraw_tone.wav"}}
    workflow = {"nodes": [{"id": 9, "type": "ThinkDrawVideoCombine"}], "links": [], "version": 0.4}
    entry = comfy.run(graph, extra_data={"extra_pnginfo": {"workflow": workflow}})

    ui, item, local = _fetch(comfy, entry, tmp_path)
    assert item["type"] == "output" and item["subfolder"] == "ThinkDraw" and item["filename"].endswith(".mp4")
    assert ui.get("animated") == [True], ui  # the frontend shows a video player for animated outputs
    info = read_video_info(local)
    assert (info.frames, info.width, info.height, info.fps) == (24, 66, 50, 12.0)  # 65x49 padded for 4:2:0
    assert info.codec == "h264" and info.pix_fmt == "yuv420p" and info.audio_codec == "aac"
    assert info.duration == pytest.approx(2.0, abs=0.01)
    assert info.audio_duration == pytest.approx(2.0, abs=0.03)  # 1.5 s of tone padded to the video
    assert info.audio_rate == 22050 and info.audio_channels == 1
    assert json.loads(info.metadata["workflow"]) == workflow
    assert json.loads(info.metadata["prompt"])["9"]["class_type"] == "ThinkDrawVideoCombine"
    assert "padded" in comfy.log_text() and "65x49" in comfy.log_text()


def test_gif_preview_in_temp_with_pingpong(comfy, tmp_path):
    entry = comfy.run(_graph(32, 24, 5, 10.0, "gif", pingpong=True, save_output=False, loop_count=2))
    ui, item, local = _fetch(comfy, entry, tmp_path)
    assert item["type"] == "temp" and item["filename"].endswith(".gif")
    info = read_video_info(local)
    assert (info.frames, info.width, info.height) == (8, 32, 24)  # 0 1 2 3 4 3 2 1
    assert info.codec == "gif"


def test_bad_format_and_fps_are_refused_before_running(comfy):
    with pytest.raises(ComfyError, match=r"format 'mpeg1-avi' is not one of \['h264-mp4'"):
        comfy.run(_graph(16, 16, 2, 12.0, "mpeg1-avi"))
    with pytest.raises(ComfyError, match="fps"):
        comfy.run(_graph(16, 16, 2, 0.0, "h264-mp4"))


def test_video_output_plays_back_as_comfyui_video(comfy):
    """The written file as ComfyUI's VIDEO: Get Video Components reads back every frame and the rate; a png
    folder has no video to give (what the artist reads then: tests/unit/test_video_combine_node.py)."""
    graph = _graph(32, 24, 6, 12.0, "h264-mp4")
    graph["5"] = {"class_type": "GetVideoComponents", "inputs": {"video": ["9", 1]}}
    graph["6"] = {"class_type": "PreviewAny", "inputs": {"source": ["5", 2]}}
    graph["7"] = {"class_type": "ImageBatch", "inputs": {"image1": ["5", 0], "image2": ["5", 0]}}
    graph["8"] = {"class_type": "SaveImage", "inputs": {"images": ["7", 0], "filename_prefix": "ThinkDraw/readback"}}
    entry = comfy.run(graph)
    assert entry["outputs"]["6"]["text"] == ["12.0"]
    assert len(entry["outputs"]["8"]["images"]) == 12  # 6 frames read back, batched twice
    png = _graph(16, 16, 2, 12.0, "png-sequence")
    png["5"] = {"class_type": "GetVideoComponents", "inputs": {"video": ["9", 1]}}
    png["6"] = {"class_type": "PreviewAny", "inputs": {"source": ["5", 2]}}
    entry = comfy.run(png)
    assert "9" in entry["outputs"] and "6" not in entry["outputs"]  # the frames were written, the video blocked
