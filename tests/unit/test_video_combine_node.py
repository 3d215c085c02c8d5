"""Video Combine's VIDEO output, imported in-process as ComfyUI imports the pack."""
from __future__ import annotations

import importlib


def test_video_output_is_the_file_or_a_blocker_that_says_why(comfy_on_path, pack, tmp_path):
    from comfy_api.latest import InputImpl
    from comfy_execution.graph_utils import ExecutionBlocker

    video_output = importlib.import_module(f"{pack.__name__}.nodes.video").video_output
    path = str(tmp_path / "clip.mp4")
    assert isinstance(video_output(path, "h264-mp4"), InputImpl.VideoFromFile)
    assert isinstance(video_output(str(tmp_path / "clip.gif"), "gif"), InputImpl.VideoFromFile)
    for folder_format in ("png-sequence", "webp"):
        blocked = video_output(str(tmp_path / "frames"), folder_format)
        assert isinstance(blocked, ExecutionBlocker)
        assert f"needs a video format or gif, not {folder_format}" in blocked.message
