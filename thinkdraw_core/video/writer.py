"""write_video: frames (+ audio) into one file in a single streaming pass with PyAV."""
from __future__ import annotations

import dataclasses
import io
import json
import logging
import math
import os
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from .formats import (AUDIO_MODES, AUDIO_RATES, FormatSpec, VideoError, available_pix_fmts, check_preset,
                      get_format)
from .frames import FramePlan, SizeFixer, frame_source

log = logging.getLogger("ThinkDraw.video")

PLAN_KEY = "thinkdraw_plan"
# SVT-AV1 prints a banner to stderr on every encoder it opens; keep errors only unless the user says otherwise.
os.environ.setdefault("SVT_LOG", "1")
# BT.709 tags for the H.26x/VP9/AV1 streams, matching the matrix the RGB->YUV conversion uses, so
# players do not guess BT.601 for small frames and shift the colours.
_BT709 = 1
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB
# RGB -> limited-range BT.709 Y'CbCr, as one cv2.transform matrix (rows Y, Cb, Cr; last column the offset)
_RGB_TO_YCBCR_709 = np.array([
    [219 / 255 * _KR, 219 / 255 * _KG, 219 / 255 * _KB, 16.0],
    [-112 / 255 * _KR / (1 - _KB), -112 / 255 * _KG / (1 - _KB), 112 / 255, 128.0],
    [112 / 255, -112 / 255 * _KG / (1 - _KR), -112 / 255 * _KB / (1 - _KR), 128.0],
], np.float32)


@dataclass
class VideoResult:
    path: str
    format: str
    frames: int
    width: int
    height: int
    fps: float
    duration: float
    audio_duration: float | None = None
    codec: str | None = None
    audio_codec: str | None = None
    pix_fmt: str | None = None
    size_bytes: int = 0
    notes: list[str] = field(default_factory=list)


def _fps_fraction(fps) -> Fraction:
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise VideoError(f"fps must be a number > 0, got {fps!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise VideoError(f"fps must be > 0 (frames per second, e.g. 24), got {fps!r}")
    return Fraction(round(value * 1000), 1000) if value * 1000 >= 1 else Fraction(value).limit_denominator(10**6)


def _prepare_audio(audio) -> tuple[np.ndarray, int] | None:
    if audio is None:
        return None
    if not isinstance(audio, (tuple, list)) or len(audio) != 2:
        raise VideoError("audio must be (samples [channels, n] float32, sample_rate)")
    samples, rate = audio
    if hasattr(samples, "detach"):
        samples = samples.detach().cpu().numpy()
    samples = np.asarray(samples)
    if samples.ndim == 1:
        samples = samples[None, :]
    if samples.ndim != 2 or samples.shape[0] not in (1, 2):
        hint = " (it looks like [n, channels]: transpose it)" if samples.ndim == 2 and samples.shape[1] in (1, 2) else ""
        raise VideoError(f"audio samples must be [channels, n] with 1 (mono) or 2 (stereo) channels, got "
                         f"{list(samples.shape)}{hint}")
    if samples.shape[1] == 0:
        raise VideoError("audio has no samples; disconnect it or give it some sound")
    try:
        rate = int(rate)
    except (TypeError, ValueError):
        raise VideoError(f"audio sample_rate must be a positive integer, got {rate!r}") from None
    if rate <= 0:
        raise VideoError(f"audio sample_rate must be > 0, got {rate}")
    if not np.issubdtype(samples.dtype, np.floating):
        if np.issubdtype(samples.dtype, np.integer):  # PCM: scale to -1..1
            samples = samples.astype(np.float32) / float(np.iinfo(samples.dtype).max)
        else:
            raise VideoError(f"audio samples must be float (or integer PCM), got {samples.dtype}")
    return samples, rate


class _AudioFeed:
    """Feeds the audio encoder up to a time, so audio and video packets interleave as they are made."""

    def __init__(self, container, codec: str, samples: np.ndarray, rate: int):
        self.samples, self.rate = samples, rate
        self.layout = "mono" if samples.shape[0] == 1 else "stereo"
        out_rate = rate if rate in AUDIO_RATES[codec] else 48000
        self.stream = container.add_stream(codec, rate=out_rate, layout=self.layout)
        self.stream.bit_rate = (96_000 if codec == "libopus" else 128_000) * samples.shape[0]
        self.container = container
        self.sent = 0  # input-rate samples handed to the encoder, silence included
        self.n = samples.shape[1]

    def _send(self, block: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block, dtype=np.float32), format="fltp",
                                           layout=self.layout)
        frame.sample_rate = self.rate
        frame.time_base = Fraction(1, self.rate)
        frame.pts = self.sent
        self.sent += block.shape[1]
        self.container.mux(self.stream.encode(frame))

    def until(self, seconds: float, pad: bool = False) -> None:
        target = int(round(seconds * self.rate))
        step = max(1024, self.rate // 4)
        while self.sent < target:
            end = min(target, self.sent + step)
            if self.sent < self.n:
                end = min(end, self.n)
                self._send(np.clip(self.samples[:, self.sent:end], -1.0, 1.0))
            elif pad:
                self._send(np.zeros((self.samples.shape[0], end - self.sent), np.float32))
            else:
                break

    def finish(self) -> float:
        self.container.mux(self.stream.encode(None))
        return self.sent / self.rate


def _metadata_strings(metadata: dict | None) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise VideoError(f"metadata must be a dict of name -> text/JSON value, got {type(metadata).__name__}")
    out = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if hasattr(value, "to_json"):  # an AUPlan
            value = value.to_json(indent=None)
        out[str(key)] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return out


def _check_folder(path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VideoError(f"cannot create output folder {folder}: {exc.strerror}; choose a writable folder") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise VideoError(f"output folder {folder} is not writable; choose another folder or fix its permissions")


def write_video(
    frames,
    path,
    fps: float,
    *,
    audio: tuple[Any, int] | None = None,
    format: str = "h264-mp4",
    crf: int | float | None = None,
    pix_fmt: str = "yuv420p",
    loop: int = 0,
    pingpong: bool = False,
    audio_mode: str = "keep",
    metadata: dict | None = None,
    progress: Callable[[int], Any] | None = None,
    odd_size: str = "pad",
    preset: str | None = None,
) -> VideoResult:
    """Encode frames (+ audio) to `path` (a folder for png-sequence); see docs in thinkdraw_core.video.

    preset: the x264/x265 speed preset (formats.X264_PRESETS); None keeps the encoder's default, medium."""
    spec = get_format(format)
    check_preset(format, preset)
    if preset is not None:
        spec = dataclasses.replace(spec, options={**spec.options, "preset": preset})
    rate = _fps_fraction(fps)
    lo, hi = spec.crf_range
    if crf is None or (isinstance(crf, (int, float)) and crf < 0):
        crf = spec.default_crf
    if not isinstance(crf, (int, float)) or not lo <= crf <= hi:
        raise VideoError(f"crf for {format} must be in {lo}..{hi} ({spec.crf_help}), got {crf!r}")
    if spec.kind == "video":
        allowed = available_pix_fmts(format)
        if pix_fmt not in allowed:
            raise VideoError(f"pix_fmt {pix_fmt!r} is not available for {format}; use one of {list(allowed)}")
    try:
        loop = int(loop)
    except (TypeError, ValueError):
        raise VideoError(f"loop must be a whole number >= 0, got {loop!r}") from None
    if loop < 0:
        raise VideoError(f"loop must be >= 0 (extra repeats; 0 = play once, or loop forever for gif/webp), got {loop}")
    if audio_mode not in AUDIO_MODES:
        raise VideoError(f"audio_mode must be one of {list(AUDIO_MODES)}, got {audio_mode!r}")
    tags = _metadata_strings(metadata)
    sound = _prepare_audio(audio)
    path = Path(path)
    _check_folder(path)

    notes: list[str] = []
    # GIF and WebP loop natively (the loop count is written in the file); other formats repeat frames.
    plan = FramePlan(pingpong=bool(pingpong), repeats=1 if spec.kind in ("gif", "webp") else loop + 1)
    source, total = frame_source(frames, plan)
    if sound is not None and spec.audio_codec is None:
        notes.append(f"{format} cannot carry sound: the audio was not written (use h264-mp4 or a webm format)")
        sound = None
    if tags and not spec.carries_metadata:
        notes.append(f"{format} cannot carry metadata: workflow/prompt/plan were not embedded")

    writer = _PngSequence if spec.kind == "png" else _ContainerWriter
    result = writer(spec, path, rate, crf, pix_fmt, loop, odd_size, tags, notes).run(
        source, total, sound, audio_mode, progress)
    result.notes = notes + plan.notes
    for note in result.notes:
        log.warning("[ThinkDraw] video %s: %s", path.name, note)
    return result


class _ContainerWriter:
    def __init__(self, spec: FormatSpec, path: Path, rate: Fraction, crf, pix_fmt: str, loop: int, odd_size: str,
                 tags: dict[str, str], notes: list[str]):
        self.spec, self.path, self.rate, self.crf = spec, path, rate, crf
        self.pix_fmt, self.loop, self.odd_size, self.tags, self.notes = pix_fmt, loop, odd_size, tags, notes

    def _open(self, tmp: Path):
        spec = self.spec
        options = dict(spec.container_options)
        if spec.kind == "gif":
            options["loop"] = str(self.loop)  # GIF: 0 = forever, N = N extra plays
        elif spec.kind == "webp":
            options["loop"] = "0" if self.loop == 0 else str(self.loop + 1)  # WebP stores total plays
        container = av.open(str(tmp), "w", format=spec.container, options=options)
        if spec.carries_metadata and spec.kind == "video":
            for key, value in self.tags.items():
                container.metadata[key] = value
        return container

    def _video_stream(self, container, width: int, height: int):
        spec = self.spec
        stream = container.add_stream(spec.codec, rate=self.rate)
        stream.width, stream.height = width, height
        options = dict(spec.options)
        if spec.kind == "video":
            stream.pix_fmt = self.pix_fmt
            options["crf"] = str(int(self.crf))
            if spec.codec in ("libvpx-vp9",):
                stream.bit_rate = 0  # with crf, a zero target bitrate means constant quality
            cc = stream.codec_context
            cc.colorspace = cc.color_primaries = cc.color_trc = _BT709
            cc.color_range = 1  # limited (MPEG) range, what every player expects
            if spec.codec_tag:
                stream.codec_tag = spec.codec_tag
        elif spec.kind == "gif":
            stream.pix_fmt = "pal8"
        elif spec.kind == "webp":
            stream.pix_fmt = "bgra"
            options.update(lossless="1" if self.crf == 0 else "0", quality=str(100 - int(self.crf)))
        stream.codec_context.thread_count = 0  # let the encoder use every core
        stream.options = options
        return stream

    def _to_av(self, rgb: np.ndarray, index: int) -> av.VideoFrame:
        if self.spec.kind == "gif":
            frame = _gif_frame(rgb)
        elif self.spec.kind == "video" and self.pix_fmt == "yuv420p":
            frame = yuv420p_bt709(rgb)
        else:
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            if self.spec.kind == "video":
                frame = frame.reformat(format=self.pix_fmt, dst_colorspace=_BT709, dst_color_range=1,
                                       dst_color_trc=_BT709, dst_color_primaries=_BT709)
        frame.pts = index
        return frame

    def _encoder_frames(self, source):
        """(frame ready for the encoder, fixer) pairs: uint8 -> even size -> target pixel format."""
        fixer = None
        for index, rgb in enumerate(source):
            if fixer is None:
                h, w = rgb.shape[:2]
                even = self.spec.kind == "video" and "420" in self.pix_fmt
                fixer = SizeFixer(w, h, even, even, self.odd_size)
            yield self._to_av(fixer(rgb), index), fixer

    def run(self, source, total, sound, audio_mode, progress) -> VideoResult:
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.partial")
        container = None
        frames = _Prefetch(self._encoder_frames(source))
        try:
            container = self._open(tmp)
            feed = _AudioFeed(container, self.spec.audio_codec, *sound) if sound is not None else None
            max_frames = None
            if feed is not None and audio_mode == "trim_video":
                max_frames = max(1, math.ceil(feed.n / feed.rate * self.rate - 1e-9))
            stream = None
            count = 0
            for frame, fixer in frames:
                if stream is None:
                    if fixer.note:
                        self.notes.append(fixer.note)
                    if min(fixer.width, fixer.height) < self.spec.min_side:
                        raise VideoError(f"{self.spec.name} needs frames at least {self.spec.min_side}x"
                                         f"{self.spec.min_side}, got {fixer.width}x{fixer.height}; upscale the "
                                         "frames or use h264-mp4")
                    stream = self._video_stream(container, fixer.width, fixer.height)
                container.mux(stream.encode(frame))
                count += 1
                if feed is not None:
                    feed.until(count / self.rate, pad=audio_mode == "pad_audio")
                if progress is not None:
                    progress(count)
                if max_frames is not None and count >= max_frames:
                    break
            container.mux(stream.encode(None))
            audio_duration = None
            if feed is not None:
                if audio_mode == "pad_audio":
                    feed.until(count / self.rate, pad=True)  # exactly as long as the video
                else:
                    feed.until(feed.n / feed.rate)
                audio_duration = feed.finish()
            container.close()
            container = None
            if self.spec.kind == "webp" and self.tags:
                _webp_add_exif(tmp, self.tags)
            os.replace(tmp, self.path)
        except BaseException:
            if container is not None:
                try:
                    container.close()
                except Exception:  # noqa: BLE001 - the original error is the one to report
                    pass
            tmp.unlink(missing_ok=True)
            raise
        finally:
            frames.close()
        return VideoResult(
            path=str(self.path), format=self.spec.name, frames=count, width=stream.width, height=stream.height,
            fps=float(self.rate), duration=count / float(self.rate), audio_duration=audio_duration,
            codec=self.spec.codec, audio_codec=feed.stream.codec_context.name if feed else None,
            pix_fmt=stream.pix_fmt, size_bytes=self.path.stat().st_size,
        )


class _Prefetch:
    """Runs an iterator in a worker thread, DEPTH items ahead.

    Frame conversion (numpy, swscale) and x264 both release the GIL, so preparing frame i+1 while
    frame i is encoded overlaps the two, the way an ffmpeg subprocess pipe does, without the pipe.
    Errors in the worker are re-raised in the caller; close() stops the worker early.
    """

    DEPTH = 4
    _END = object()

    def __init__(self, iterable):
        self._queue: queue.Queue = queue.Queue(self.DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(iterable,), daemon=True,
                                        name="thinkdraw-video-frames")
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self, iterable) -> None:
        try:
            for item in iterable:
                if not self._put((item, None)):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self._put((self._END, exc))
            return
        self._put((self._END, None))

    def __iter__(self):
        while True:
            item, error = self._queue.get()
            if item is self._END:
                if error is not None:
                    raise error
                return
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def yuv420p_bt709(rgb: np.ndarray) -> av.VideoFrame:
    """Even-sized RGB uint8 -> a yuv420p frame in limited-range BT.709, chroma averaged over 2x2 pixels.

    The same numbers as swscale's conversion to within one code value (chroma edges aside), at a fifth of
    its time (0.4-0.6 ms against 2-3 ms a 512x512 frame): swscale takes its generic scaler path for
    RGB input, and the conversion runs on the thread that renders a draft's frames."""
    import cv2

    h, w = rgb.shape[:2]
    ycc = cv2.transform(rgb, _RGB_TO_YCBCR_709)  # uint8 in, uint8 out, rounded and saturated
    half = cv2.resize(ycc, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    planes = np.empty(h * w * 3 // 2, np.uint8)
    q = h * w // 4
    cv2.extractChannel(ycc, 0, planes[: h * w].reshape(h, w))
    cv2.extractChannel(half, 1, planes[h * w: h * w + q].reshape(h // 2, w // 2))
    cv2.extractChannel(half, 2, planes[h * w + q:].reshape(h // 2, w // 2))
    return av.VideoFrame.from_ndarray(planes.reshape(h * 3 // 2, w), format="yuv420p")


def _gif_frame(rgb: np.ndarray) -> av.VideoFrame:
    """RGB -> 256-colour frame with its own palette (octree + Floyd-Steinberg, ~1 ms at 512x512)."""
    from PIL import Image

    quant = Image.fromarray(rgb).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.FLOYDSTEINBERG)
    pal = np.zeros((256, 4), np.uint8)
    colours = np.frombuffer(bytes(quant.getpalette() or []), np.uint8).reshape(-1, 3)[:256]
    pal[: len(colours), 1:] = colours  # PyAV takes the palette as ARGB rows
    pal[:, 0] = 255
    return av.VideoFrame.from_ndarray((np.asarray(quant, dtype=np.uint8), pal), format="pal8")


def _webp_add_exif(path: Path, tags: dict[str, str]) -> None:
    """Append an EXIF chunk the way ComfyUI's SaveAnimatedWEBP writes it (so the workflow drags back in)."""
    from PIL import Image

    exif = Image.Exif()
    # ComfyUI reads "key:json" strings from Make (0x010F) downwards and the prompt from Model (0x0110).
    tag = 0x010F
    for key, value in tags.items():
        if key == "prompt":
            exif[0x0110] = f"prompt:{value}"
        else:
            exif[tag] = f"{key}:{value}"
            tag -= 1
    payload = exif.tobytes()
    if payload.startswith(b"Exif\x00\x00"):
        payload = payload[6:]
    with open(path, "r+b") as fh:
        head = fh.read(30)
        if head[:4] != b"RIFF" or head[8:12] != b"WEBP" or head[12:16] != b"VP8X":
            raise VideoError(f"{path.name}: the WebP muxer wrote no extended header, cannot embed metadata")
        fh.seek(20)
        flags = fh.read(1)[0]
        fh.seek(20)
        fh.write(bytes([flags | 0x08]))  # EXIF present
        fh.seek(0, io.SEEK_END)
        fh.write(b"EXIF" + len(payload).to_bytes(4, "little") + payload + (b"\x00" if len(payload) % 2 else b""))
        size = fh.tell() - 8
        fh.seek(4)
        fh.write(size.to_bytes(4, "little"))


class _PngSequence(_ContainerWriter):
    """A folder of numbered PNGs, written into a hidden folder that is renamed when complete."""

    def run(self, source, total, sound, audio_mode, progress) -> VideoResult:
        from PIL import Image, PngImagePlugin

        if self.path.exists():
            raise VideoError(f"{self.path} already exists; a png-sequence needs a new folder name")
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.partial")
        tmp.mkdir()
        count = width = height = 0
        try:
            for rgb in source:
                info = None
                if count == 0:
                    height, width = rgb.shape[:2]
                    # The first frame carries the metadata, like a ComfyUI SaveImage PNG, so it drags back in.
                    info = PngImagePlugin.PngInfo()
                    for key, value in {**self.tags, "thinkdraw_fps": str(float(self.rate))}.items():
                        info.add_text(key, value)
                Image.fromarray(rgb).save(tmp / f"{self.path.name}_{count + 1:05d}.png", pnginfo=info,
                                          compress_level=int(self.crf))
                count += 1
                if progress is not None:
                    progress(count)
            os.replace(tmp, self.path)
        except BaseException:
            for child in tmp.glob("*"):
                child.unlink(missing_ok=True)
            tmp.rmdir()
            raise
        size = sum(p.stat().st_size for p in self.path.iterdir())
        return VideoResult(path=str(self.path), format=self.spec.name, frames=count, width=width, height=height,
                           fps=float(self.rate), duration=count / float(self.rate), codec="png", pix_fmt="rgb24",
                           size_bytes=size)
