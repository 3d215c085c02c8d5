"""Read back what write_video made: streams, counts, durations and the embedded metadata."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import av

from .formats import VideoError


@dataclass
class VideoInfo:
    path: str
    container: str
    frames: int
    width: int
    height: int
    fps: float | None
    duration: float
    codec: str | None
    pix_fmt: str | None = None
    audio_codec: str | None = None
    audio_rate: int | None = None
    audio_channels: int | None = None
    audio_duration: float | None = None
    loop: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def _stream_span(container, stream) -> tuple[int, float]:
    """(packets, end time in seconds) from demuxing only: exact for every container, no decoding."""
    count, end = 0, 0.0
    for packet in container.demux(stream):
        if packet.size == 0 or packet.pts is None:
            continue
        count += 1
        end = max(end, float((packet.pts + (packet.duration or 0)) * stream.time_base))
    return count, end


def _webp_info(path: Path) -> VideoInfo:
    """Animated WebP from its RIFF chunks (FFmpeg decodes only still WebP): frames, durations, loop, EXIF."""
    from PIL import Image

    data = path.read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise VideoError(f"{path} is not a WebP file")
    frames, total_ms, loop, width, height, meta = 0, 0, None, 0, 0, {}
    pos = 12
    while pos + 8 <= len(data):
        tag, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        body = data[pos + 8:pos + 8 + size]
        if tag == b"VP8X":
            width, height = 1 + int.from_bytes(body[4:7], "little"), 1 + int.from_bytes(body[7:10], "little")
        elif tag == b"ANIM":
            loop = int.from_bytes(body[4:6], "little")
        elif tag == b"ANMF":
            frames += 1
            total_ms += int.from_bytes(body[12:15], "little")
        elif tag == b"EXIF":
            exif = Image.Exif()
            exif.load(body)
            for value in exif.values():
                if isinstance(value, str) and ":" in value:
                    key, _, text = value.partition(":")
                    meta[key.lower()] = text
        pos += 8 + size + (size & 1)
    total = total_ms / 1000.0
    return VideoInfo(str(path), "webp", frames, width, height, frames / total if total else None, total, "webp",
                     loop=loop, metadata=meta)


def _png_folder_info(path: Path) -> VideoInfo:
    from PIL import Image

    files = sorted(path.glob("*.png"))
    if not files:
        raise VideoError(f"{path} holds no PNG files")
    with Image.open(files[0]) as im:
        meta = {k.lower(): v for k, v in im.text.items()}
        width, height = im.size
    fps = float(meta["thinkdraw_fps"]) if "thinkdraw_fps" in meta else None
    return VideoInfo(str(path), "png-sequence", len(files), width, height, fps,
                     len(files) / fps if fps else 0.0, "png", "rgb24", metadata=meta)


def read_video_info(path) -> VideoInfo:
    """Probe a file (or png-sequence folder): frame count by demuxing, sizes, durations, metadata."""
    path = Path(path)
    if not path.exists():
        raise VideoError(f"{path} does not exist")
    if path.is_dir():
        return _png_folder_info(path)
    if path.suffix.lower() == ".webp":
        return _webp_info(path)
    with av.open(str(path)) as container:
        meta = {k.lower(): v for k, v in container.metadata.items()}
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        info = VideoInfo(str(path), container.format.name, 0, 0, 0, None, 0.0, None, metadata=meta)
        if video is not None:
            cc = video.codec_context
            info.width, info.height, info.pix_fmt = cc.width, cc.height, cc.pix_fmt
            info.codec = video.codec_context.codec.name
            rate = video.average_rate or video.guessed_rate
            info.fps = float(rate) if rate else None
            info.frames, info.duration = _stream_span(container, video)
            container.seek(0)
        if audio is not None:
            info.audio_codec = audio.codec_context.codec.name
            info.audio_rate = audio.codec_context.sample_rate
            info.audio_channels = audio.codec_context.channels
            _, info.audio_duration = _stream_span(container, audio)
    if info.container == "gif":
        from PIL import Image

        with Image.open(path) as im:  # the NETSCAPE loop block; absent means play once
            info.loop = im.info.get("loop")
    return info


def read_plan(path):
    """The AU plan embedded by write_video (metadata key 'thinkdraw_plan'), or None."""
    from ..plan import AUPlan

    text = read_video_info(path).metadata.get("thinkdraw_plan")
    return AUPlan.from_json(text) if text else None


def read_metadata_json(path, key: str):
    """A JSON metadata value (e.g. 'prompt', 'workflow') decoded, or None."""
    text = read_video_info(path).metadata.get(key.lower())
    return json.loads(text) if text else None
