"""Speech Length: how many model frames a speech needs, so a talking-video model draws all of it."""
from __future__ import annotations

from comfy_api.latest import io

from thinkdraw_core.face.track import model_frames

from .types import CATEGORY
from .video import audio_tuple


class ThinkDrawSpeechLength(io.ComfyNode):
    """The speech's duration as a frame count 4k+1 (what Wan-family conditioning nodes take as length)."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawSpeechLength",
            display_name="Speech Length (ThinkDraw)",
            category=f"{CATEGORY}/video",
            description="Frames at the model's rate that cover the speech, rounded up to 4k+1 (the Wan VAE's "
                        "packing), with a cap: connect length to WanHuMoImageToVideo's length. Trim the video to "
                        "the speech in Video Combine (audio_mode trim_video).",
            inputs=[
                io.Audio.Input("audio", tooltip="The speech (Load Audio); its length sets the frame count."),
                io.Float.Input("fps", default=25.0, min=1.0, max=120.0, step=1.0,
                               tooltip="The model's frame rate (HuMo: 25; Wan 2.2 S2V and Animate: 16)."),
                io.Int.Input("max_length", default=97, min=1, max=100_000,
                             tooltip="The most frames one window may have (HuMo was trained on 97)."),
            ],
            outputs=[io.Int.Output("length", display_name="length"), io.Float.Output("seconds", display_name="seconds")],
        )

    @classmethod
    def execute(cls, audio, fps, max_length) -> io.NodeOutput:
        if audio is None:
            raise ValueError("audio is missing: connect the speech (LoadAudio)")
        samples, rate = audio_tuple(audio)  # the pack's one AUDIO check: a 0 Hz rate is refused by name
        seconds = samples.shape[-1] / rate
        cap = 1 + 4 * ((max_length - 1) // 4)
        return io.NodeOutput(min(model_frames(seconds, fps), cap), seconds)


NODES = [ThinkDrawSpeechLength]
