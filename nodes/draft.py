"""Expression Draft Renderer: a real talking video from a portrait and an AU plan, on CPU."""
from __future__ import annotations

import json
import os
import threading
import uuid
from fractions import Fraction

import folder_paths
import torch
from comfy.utils import ProgressBar
from comfy_api.latest import InputImpl, Input, Types, io
from comfy_execution.graph_utils import ExecutionBlocker

from thinkdraw_core.draft import DraftResult, render_draft
from thinkdraw_core.draft.memory import check_image_batch
from thinkdraw_core.draft.preview import PREVIEW
from thinkdraw_core.draft.renderer import clip_frames
from thinkdraw_core.face import get_landmarker
from thinkdraw_core.video import PLAN_KEY, write_video

from .face_masks import image_to_uint8, mediapipe_dirs
from .types import CATEGORY, Plan
from .video import audio_tuple

IMAGES_OUTPUT = 0  # output slots: images, fps, calibration, video (added last, so saved workflows keep their links)
# the CLI's choice (thinkdraw_core.draft.cli.DRAFT_PRESET, not imported: that module brings the reasoner along)
DRAFT_PRESET = "veryfast"
# what a refused IMAGE batch tells the artist to do instead
VIDEO_FIX = ("shorten the clip (seconds), lower fps or the image size, or take the draft's video output instead "
             "(connect it to Save Video): it streams the frames to a file, so any length fits")
IMAGES_NOT_KEPT = ("the Expression Draft Renderer's images output was not connected when this draft ran, so no "
                   "frames were kept (the video output streams them); change any of the draft's inputs, or free the "
                   "node cache, and queue again to render the images")


def clip_inputs(image_tip: str, audio_tip: str) -> list:
    """The inputs every node that animates a portrait by a plan shares (draft renderer, mesh render)."""
    return [
        io.Image.Input("image", tooltip=image_tip),
        Plan.Input("plan", tooltip="The AU plan to draw: which muscles move, how strongly, on which side, and "
                                   "when (from the Emotion CoT Reasoner or AU Plan Edit)."),
        io.Audio.Input("audio", optional=True, tooltip=audio_tip),
        io.Float.Input("seconds", default=4.0, min=0.0, max=600.0, step=0.1,
                       tooltip="Clip length; 0 with audio = the audio's length."),
        io.Float.Input("fps", default=25.0, min=1.0, max=120.0, step=1.0,
                       tooltip="Frames per second of the clip (25 suits speech)."),
        io.Int.Input("seed", default=0, min=0, max=2**31 - 1, control_after_generate=False,
                     tooltip="Blinks and head sway (fixed, so an unchanged draft is cached)."),
        io.Float.Input("neutralize", default=0.8, min=0.0, max=1.0, step=0.05,
                       tooltip="How much of the photo's own expression to relax before the plan is drawn: 0 keeps "
                               "it (a smiling photo stays smiling under every emotion), 1 starts from a resting "
                               "face (so a smiling photo can look sad)."),
        io.Int.Input("face_index", default=-1, min=-1, max=31,
                     tooltip="Which face to animate when the photo shows several: -1 = the largest, 0 = the first "
                             "found, 1 = the second..."),
    ]


def free_memory() -> int:
    """Bytes of RAM free now, as ComfyUI itself reads it (psutil)."""
    import comfy.model_management

    return int(comfy.model_management.get_free_memory(torch.device("cpu")))


def run_draft(image, plan, seconds, fps, seed, neutralize, face_index, audio, *, image_batch: bool = True,
              batch_fix: str = "shorten the clip (seconds), lower fps, or use a smaller image",
              **options) -> DraftResult:
    """ComfyUI inputs -> the core renderer (first image of the batch, -1 = largest face, 0 s = audio length).

    image_batch: the caller will hold every frame as one IMAGE batch; a batch this machine cannot hold is
    refused (ValueError with the estimate and `batch_fix`) before anything is drawn."""
    core_audio = audio_tuple(audio)
    if seconds <= 0 and core_audio is None:
        raise ValueError("seconds must be > 0 when no audio is connected (0 means: as long as the audio)")
    seconds = None if seconds <= 0 else seconds
    if image_batch:
        frames = clip_frames(seconds, fps, core_audio)
        check_image_batch(frames, int(image.shape[1]), int(image.shape[2]), fps, available=free_memory(), fix=batch_fix)
    return render_draft(
        image_to_uint8(image, 0), plan, audio=core_audio, seconds=seconds, fps=fps,
        seed=seed, neutralize=neutralize, face_index=None if face_index < 0 else face_index,
        landmarker=get_landmarker(None, mediapipe_dirs()), **options,
    )


def frames_tensor(result: DraftResult, bar: ProgressBar | None = None) -> torch.Tensor:
    """Every frame as a ComfyUI IMAGE batch, drawn straight into the float32 batch (no uint8 copy of the clip)."""
    w, h = result.size
    out = torch.empty((result.n_frames, h, w, 3), dtype=torch.float32)
    for i, frame in enumerate(result):
        out[i].copy_(torch.from_numpy(frame)).div_(255.0)
        if bar is not None:
            bar.update_absolute(i + 1, result.n_frames)
    return out


def output_wanted(hidden, slot: int) -> bool:
    """Whether any node of the queued prompt reads this node's output `slot`; True when that cannot be told
    (run outside a server, or a node made by another node's expansion)."""
    prompt, me = getattr(hidden, "prompt", None), getattr(hidden, "unique_id", None)
    if not isinstance(prompt, dict) or me is None or str(me) not in prompt:
        return True
    for node in prompt.values():
        for value in (node.get("inputs") or {}).values() if isinstance(node, dict) else ():
            if isinstance(value, list) and len(value) == 2 and str(value[0]) == str(me) and value[1] == slot:
                return True
    return False


class DraftVideo(Input.Video):
    """The draft as ComfyUI's VIDEO (h264 mp4 + AAC speech, the plan in its metadata), drawn and encoded one frame
    at a time when a consumer asks for it: Save Video gets the frames encoded straight into its file, so an
    hour-long clip takes no more memory than a second. Anything that wants the file itself gets one written
    once into ComfyUI's temp folder. Unused, it costs nothing."""

    CONTAINER = "mov,mp4,m4a,3gp,3g2,mj2"  # what PyAV calls an mp4 it reads, as VideoFromFile reports it

    def __init__(self, result: DraftResult, temp_dir: str | None = None):
        self.result = result
        self._temp_dir = temp_dir
        self._file: str | None = None
        self._lock = threading.Lock()

    # -- what can be told without drawing ------------------------------------------------------
    def get_dimensions(self) -> tuple[int, int]:
        w, h = self.result.size
        return w + w % 2, h + h % 2  # 4:2:0 video is padded to even sizes (write_video's odd_size="pad")

    def get_frame_count(self) -> int:
        return self.result.n_frames

    def get_frame_rate(self) -> Fraction:
        return Fraction(round(self.result.fps * 1000), 1000)

    def get_duration(self) -> float:
        return self.result.n_frames / self.result.fps

    def get_container_format(self) -> str:
        return self.CONTAINER

    # -- drawing ---------------------------------------------------------------------------------
    def _encode(self, path: str, metadata: dict | None = None) -> str:
        result = self.result
        bar = ProgressBar(result.n_frames)  # in the consuming node; its updates also stop on Cancel
        tags = {PLAN_KEY: result.plan, **(metadata or {})}
        write_video(iter(result), path, result.fps, audio=result.audio, format="h264-mp4", preset=DRAFT_PRESET,
                    metadata=tags, progress=lambda done: bar.update_absolute(done, result.n_frames))
        return path

    def _rendered_file(self) -> str:
        with self._lock:
            if self._file is None or not os.path.isfile(self._file):
                folder = os.path.join(self._temp_dir or folder_paths.get_temp_directory(), "ThinkDraw")
                self._file = self._encode(os.path.join(folder, f"draft_{uuid.uuid4().hex[:12]}.mp4"))
            return self._file

    def get_stream_source(self) -> str:
        return self._rendered_file()

    def save_to(self, path, format=Types.VideoContainer.AUTO, codec=Types.VideoCodec.AUTO,
                metadata: dict | None = None):
        try:
            mp4_h264 = (Types.VideoContainer(format) in (Types.VideoContainer.AUTO, Types.VideoContainer.MP4)
                        and Types.VideoCodec(codec) in (Types.VideoCodec.AUTO, Types.VideoCodec.H264))
        except ValueError:  # a container or codec this ComfyUI does not know: VideoFromFile says so below
            mp4_h264 = False
        direct = mp4_h264 and isinstance(path, (str, os.PathLike))
        with self._lock:
            ready = self._file is not None and os.path.isfile(self._file)
        if direct and not ready:
            self._encode(os.fspath(path), metadata)
            with self._lock:
                self._file = os.fspath(path)
            return None
        # already drawn once (or a stream was asked for): copy its packets, as ComfyUI does for any file
        return InputImpl.VideoFromFile(self._rendered_file()).save_to(path, format=format, codec=codec,
                                                                      metadata=metadata)

    def get_components(self) -> Types.VideoComponents:
        """Every frame in memory (Get Video Components): refused, with the estimate, where it would not fit."""
        result = self.result
        w, h = result.size
        check_image_batch(result.n_frames, h, w, result.fps, available=free_memory(),
                          fix="shorten the clip, lower fps or the image size, or save the video with Save Video "
                              "instead of taking its components")
        audio = None
        if result.audio is not None:
            samples, rate = result.audio
            audio = {"waveform": torch.from_numpy(samples).unsqueeze(0), "sample_rate": int(rate)}
        return Types.VideoComponents(images=frames_tensor(result, ProgressBar(result.n_frames)), audio=audio,
                                     frame_rate=self.get_frame_rate())


class ThinkDrawExpressionDraftRenderer(io.ComfyNode):
    """Warps the portrait by the plan's Action Units over time (and speaks the audio); no GPU, no weights."""

    @classmethod
    def define_schema(cls) -> io.Schema:
        return io.Schema(
            node_id="ThinkDrawExpressionDraftRenderer",
            display_name="Expression Draft Renderer (ThinkDraw)",
            category=f"{CATEGORY}/draw",
            description="CPU draft: animates the face in the image by the AU plan (onset, apex, blinks, head sway) "
                        "and moves the jaw and lips with the audio. Calibrates itself against blendshape measurements. "
                        "For long clips use the video output (Save Video): it streams, the images output holds "
                        "every frame in memory.",
            inputs=[
                *clip_inputs("The portrait (the first image of a batch is used).",
                             "Speech to lip-sync; without it the face emotes silently."),
                io.Float.Input("crop_margin", default=0.6, min=0.1, max=3.0, step=0.05,
                               tooltip="How much of the picture around the face moves with it, as a fraction of "
                                       "the face's size: larger takes in hair and neck (slower), smaller keeps the "
                                       "warp to the face. Outside it the photo stays untouched."),
                io.Mask.Input("hold_still", optional=True,
                              tooltip="Optional: a mask over the image (the mask editor, or a segmentation node) of "
                                      "what moves only with the head, not with the muscles: glasses, a hand on the "
                                      "face, jewellery. The brows then rise behind a spectacle frame instead of "
                                      "bending it. Paint closely: skin painted along with it holds still too."),
            ],
            outputs=[io.Image.Output("frames", display_name="images",
                                     tooltip="Every frame in memory (an hour at 512x512 would need 283 GB: "
                                             "refused with the estimate when it does not fit)."),
                     io.Float.Output("frame_rate", display_name="fps"),
                     io.String.Output("calibration"),
                     io.Video.Output("video", display_name="video",
                                     tooltip="The clip with its speech as a VIDEO (h264 mp4), drawn frame by frame "
                                             "into the file when Save Video (or another node) takes it: flat "
                                             "memory at any length.")],
            hidden=[io.Hidden.prompt, io.Hidden.unique_id],
        )

    @classmethod
    def execute(cls, image, plan, seconds, fps, seed, neutralize, face_index, crop_margin, audio=None,
                hold_still=None) -> io.NodeOutput:
        # Only an images output something reads is drawn into memory: a graph that saves the video output alone
        # streams it, whatever its length.
        want_images = output_wanted(cls.hidden, IMAGES_OUTPUT)
        # a MASK batch: the first mask goes with the first image, the one drawn
        still = None if hold_still is None else hold_still.reshape(-1, *hold_still.shape[-2:])[0].cpu().numpy()
        result = run_draft(image, plan, seconds, fps, seed, neutralize, face_index, audio, crop_margin=crop_margin,
                           image_batch=want_images, batch_fix=VIDEO_FIX, hold_still=still)
        if want_images:
            images = frames_tensor(result, ProgressBar(result.n_frames))
        else:
            images = ExecutionBlocker(IMAGES_NOT_KEPT)
        # the panel's apex preview of this portrait reuses this calibration on every later edit
        PREVIEW.remember(image_to_uint8(image, 0), result, neutralize=neutralize,
                         face_index=None if face_index < 0 else face_index, crop_margin=crop_margin)
        calibration = json.dumps({k: v for k, v in result.calibration.items() if k != "iterations"})
        return io.NodeOutput(images, float(result.fps), calibration, DraftVideo(result))


NODES = [ThinkDrawExpressionDraftRenderer]
