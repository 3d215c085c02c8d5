"""Video Combine: an IMAGE batch (+ AUDIO, + the AU plan) into a real video file, with a playable preview."""
from __future__ import annotations

import logging
import math
import os

import folder_paths
import numpy as np
from comfy.cli_args import args
from comfy.utils import ProgressBar
from comfy_api.latest import InputImpl, io, ui
from comfy_execution.graph_utils import ExecutionBlocker

from thinkdraw_core.secrets import scrub_prompt, scrub_workflow
from thinkdraw_core.video import AUDIO_MODES, FORMATS, PLAN_KEY, VideoError, available_formats, write_video

from .types import CATEGORY, Plan

log = logging.getLogger("ThinkDraw")

PIX_FMTS = ["yuv420p", "yuv444p", "yuv420p10le", "yuv444p10le"]
_CRF_HELP = "; ".join(f"{name}: {FORMATS[name].crf_help}" for name in available_formats())


def audio_tuple(audio: dict | None, name: str = "audio") -> tuple[np.ndarray, int] | None:
    """ComfyUI AUDIO {"waveform": [B, C, N], "sample_rate"} -> the core's (samples float32 [C, N], rate), the
    first clip of a batch; None stays None. The one place the pack converts AUDIO (the draft renderer, mesh
    render and Video Combine all take it through here); VideoError (a ValueError) names `name` and the fix."""
    if audio is None:
        return None
    try:
        waveform, rate = audio["waveform"], audio["sample_rate"]
    except (TypeError, KeyError, IndexError):
        raise VideoError(f"{name} must be a ComfyUI AUDIO ({{'waveform': [batch, channels, samples], 'sample_rate'}}); "
                         "connect a Load Audio node or another AUDIO output") from None
    if not hasattr(waveform, "ndim") or waveform.ndim != 3 or waveform.shape[0] == 0 or waveform.shape[-1] == 0:
        shape = list(waveform.shape) if hasattr(waveform, "shape") else type(waveform).__name__
        raise VideoError(f"{name} waveform must be [batch, channels, samples] and not empty, got {shape}; connect "
                         "audio that has some sound")
    try:
        hz = float(rate)
    except (TypeError, ValueError):
        hz = float("nan")
    if not math.isfinite(hz) or hz <= 0 or hz != int(hz):
        raise VideoError(f"{name} sample_rate must be a whole number of samples per second > 0 (e.g. 44100), got "
                         f"{rate!r}; the node that made this AUDIO set it wrong: load the sound with Load Audio")
    if waveform.shape[0] > 1:
        log.warning("[ThinkDraw] %s has a batch of %d clips; using the first", name, waveform.shape[0])
    first = waveform[0]
    if hasattr(first, "detach"):
        first = first.detach().float().cpu().numpy()
    return np.asarray(first, dtype=np.float32), int(hz)


def video_output(path: str, format: str):
    """The written file as ComfyUI's VIDEO; for a format PyAV does not play back (a webp animation, a folder of
    pngs) a blocker whose message the artist sees on the node that wanted the video."""
    if FORMATS[format].kind in ("video", "gif"):
        return InputImpl.VideoFromFile(path)
    return ExecutionBlocker(f"Video Combine's video output needs a video format or gif, not {format}; pick "
                            "h264-mp4 (or another video format) to use it")


class ThinkDrawVideoCombine(io.ComfyNode):
    """Encodes frames and speech into one file in a single streaming pass (PyAV, no ffmpeg binary)."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawVideoCombine",
            display_name="Video Combine (ThinkDraw)",
            category=f"{CATEGORY}/video",
            description="Frames (+ audio) to mp4/webm/mkv/gif/webp/png frames, with the workflow, prompt and AU "
                        "plan embedded, and a preview.",
            inputs=[
                io.Image.Input("images", tooltip="The frames to write, in order."),
                io.Float.Input("fps", default=24.0, min=0.01, max=1000.0, step=0.01,
                               tooltip="Frames per second (connect the renderer's fps so speech stays in sync)."),
                io.Combo.Input("format", options=available_formats(), default="h264-mp4",
                               tooltip="h264-mp4 plays everywhere; webm carries Opus audio; gif/webp/png have no sound."),
                io.Int.Input("crf", default=-1, min=-1, max=100,
                             tooltip="-1 = the format's default. " + _CRF_HELP),
                io.Combo.Input("pix_fmt", options=PIX_FMTS, default="yuv420p",
                               tooltip="yuv420p plays everywhere; yuv444p keeps full colour detail and 10le is "
                                       "10-bit (most browsers cannot preview those). Ignored for gif/webp/png."),
                io.Int.Input("loop_count", default=0, min=0, max=1000,
                             tooltip="Extra plays. Videos repeat the frames; gif/webp loop forever at 0."),
                io.Boolean.Input("pingpong", default=False, tooltip="Play forward then backward."),
                io.Combo.Input("audio_mode", options=list(AUDIO_MODES), default="keep",
                               tooltip="keep: both lengths; trim_video: drop frames after the audio ends; "
                                       "pad_audio: audio made exactly as long as the video."),
                io.String.Input("filename_prefix", default="ThinkDraw/ThinkDraw",
                                tooltip="Where the file goes inside the output folder; a counter is added "
                                        "(ThinkDraw/draft -> output/ThinkDraw/draft_00001_.mp4)."),
                io.Boolean.Input("save_output", default=True, tooltip="Off: write to the temp folder (preview only)."),
                io.Audio.Input("audio", optional=True, tooltip="Speech or music muxed into the file (not "
                                                                "in gif/webp/png)."),
                Plan.Input("plan", optional=True, tooltip="Embedded in the file's metadata as 'thinkdraw_plan'."),
            ],
            outputs=[io.String.Output(display_name="path"),
                     io.Video.Output("video", tooltip="The written file as ComfyUI's VIDEO, for Save Video or any "
                                                      "node that takes one (video formats and gif only).")],
            hidden=[io.Hidden.prompt, io.Hidden.extra_pnginfo, io.Hidden.unique_id],
            is_output_node=True,
        )

    @classmethod
    def execute(cls, images, fps, format, crf, pix_fmt, loop_count, pingpong, audio_mode, filename_prefix,
                save_output, audio=None, plan=None) -> io.NodeOutput:
        folder_type = io.FolderType.output if save_output else io.FolderType.temp
        root = folder_paths.get_output_directory() if save_output else folder_paths.get_temp_directory()
        height, width = (int(images.shape[1]), int(images.shape[2])) if images.ndim == 4 else (0, 0)
        folder, name, counter, subfolder, _ = folder_paths.get_save_image_path(filename_prefix, root, width, height)
        if format not in FORMATS:  # an API prompt can send any text; ComfyUI does not check V3 combos here
            raise VideoError(f"format {format!r} is not one of {available_formats()}; pick one of those")
        spec = FORMATS[format]
        file = f"{name}_{counter:05}_" + (f".{spec.extension}" if spec.extension else "")

        metadata: dict = {}
        # The plan is content the user wired in on purpose, so it is kept even with --disable-metadata.
        if plan is not None:
            metadata[PLAN_KEY] = plan
        if not args.disable_metadata:
            # a key an older workflow or an API client put in the prompt never reaches the file
            if cls.hidden.prompt is not None:
                metadata["prompt"] = scrub_prompt(cls.hidden.prompt, "the prompt")
            for key, value in (cls.hidden.extra_pnginfo or {}).items():
                metadata[key] = scrub_workflow(value, "the workflow") if key == "workflow" else value

        n = int(images.shape[0]) if images.ndim == 4 else 0
        total = n + (max(n - 2, 0) if pingpong else 0)
        if spec.kind not in ("gif", "webp"):
            total *= loop_count + 1
        bar = ProgressBar(max(total, 1), node_id=cls.hidden.unique_id)
        result = write_video(
            images, os.path.join(folder, file), fps, audio=audio_tuple(audio), format=format, crf=crf,
            pix_fmt=pix_fmt, loop=loop_count, pingpong=pingpong, audio_mode=audio_mode, metadata=metadata,
            progress=lambda done: bar.update_absolute(done),
        )
        if spec.kind == "video":
            preview = ui.PreviewVideo([ui.SavedResult(file, subfolder, folder_type)])
        elif spec.kind == "png":
            first = sorted(os.listdir(result.path))[0]
            preview = ui.SavedImages([ui.SavedResult(first, os.path.join(subfolder, file), folder_type)])
        else:
            preview = ui.SavedImages([ui.SavedResult(file, subfolder, folder_type)], is_animated=True)
        return io.NodeOutput(result.path, video_output(result.path, format), ui=preview)


NODES = [ThinkDrawVideoCombine]
