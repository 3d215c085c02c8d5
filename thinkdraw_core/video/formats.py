"""The output formats: container, codecs, quality scale and pixel formats, checked against this PyAV build."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import av


class VideoError(ValueError):
    """Input that cannot be encoded; the message names the input and the fix."""


@dataclass(frozen=True)
class FormatSpec:
    name: str
    kind: str  # "video" (container + codec), "gif", "webp" or "png" (a folder of numbered PNGs)
    extension: str
    container: str | None  # the libavformat muxer
    codec: str | None
    audio_codec: str | None
    pix_fmts: tuple[str, ...]  # what the user may pick; filtered by what the encoder accepts
    crf_range: tuple[int, int]
    default_crf: int
    crf_help: str
    options: dict[str, str] = field(default_factory=dict)
    container_options: dict[str, str] = field(default_factory=dict)
    codec_tag: str | None = None
    carries_metadata: bool = True
    min_side: int = 1


# x264/x265 speed presets, fastest first: a faster one keeps the CRF quality target and spends more bits
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
# x264/x265 accept 4:4:4 and 10-bit; this libvpx build is 8-bit only and SVT-AV1 is 4:2:0 only,
# which available_pix_fmts() finds out from the encoder itself rather than trusting this table.
_YUV = ("yuv420p", "yuv444p", "yuv420p10le", "yuv444p10le")
# faststart moves the index to the front so browsers start playing before the download ends;
# use_metadata_tags lets mp4 carry arbitrary keys (workflow, prompt, plan) instead of a fixed set.
_MP4 = {"movflags": "use_metadata_tags+faststart"}

FORMATS: dict[str, FormatSpec] = {spec.name: spec for spec in (
    FormatSpec("h264-mp4", "video", "mp4", "mp4", "libx264", "aac", _YUV, (0, 51), 19,
               "x264 CRF 0..51 (0 lossless, 17-23 visually good, +6 halves the size)",
               container_options=_MP4),
    FormatSpec("h265-mp4", "video", "mp4", "mp4", "libx265", "aac", _YUV, (0, 51), 22,
               "x265 CRF 0..51 (lower is better quality)",
               options={"x265-params": "log-level=error"}, container_options=_MP4,
               # Apple players only open HEVC in mp4 when the sample entry is tagged hvc1.
               # The libx265 in PyAV's wheels corrupts its heap on some frames under 64 px (48x32 always
               # aborts the process), so small frames are refused with an error instead of a crash.
               codec_tag="hvc1", min_side=64),
    FormatSpec("vp9-webm", "video", "webm", "webm", "libvpx-vp9", "libopus", _YUV, (0, 63), 31,
               "VP9 CRF 0..63 (lower is better quality)",
               options={"row-mt": "1", "deadline": "good", "cpu-used": "4"}),
    FormatSpec("av1-webm", "video", "webm", "webm", "libsvtav1", "libopus", _YUV, (0, 63), 30,
               "SVT-AV1 CRF 0..63 (lower is better quality)", options={"preset": "8"}),
    FormatSpec("av1-mkv", "video", "mkv", "matroska", "libsvtav1", "libopus", _YUV, (0, 63), 30,
               "SVT-AV1 CRF 0..63 (lower is better quality)", options={"preset": "8"}),
    FormatSpec("gif", "gif", "gif", "gif", "gif", None, (), (0, 0), 0,
               "ignored (GIF is always 256 colours per frame, dithered)", carries_metadata=False),
    FormatSpec("webp", "webp", "webp", "webp", "libwebp_anim", None, (), (0, 100), 20,
               "WebP: quality = 100 - crf, crf 0 = lossless"),
    FormatSpec("png-sequence", "png", "", None, None, None, (), (0, 9), 4,
               "PNG zlib compression level 0..9 (lossless at any level; higher is smaller and slower)"),
)}

AUDIO_MODES = ("keep", "trim_video", "pad_audio")
# Sample rates each audio encoder takes as is; anything else is resampled to 48 kHz.
AUDIO_RATES = {
    "aac": (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000),
    "libopus": (48000, 24000, 16000, 12000, 8000),
}


@lru_cache(maxsize=None)
def _encoder(name: str) -> av.codec.Codec | None:
    try:
        return av.codec.Codec(name, "w")
    except Exception:  # noqa: BLE001 - PyAV raises different types for an encoder missing from the build
        return None


def format_available(name: str) -> bool:
    spec = FORMATS.get(name)
    if spec is None:
        return False
    return all(_encoder(c) is not None for c in (spec.codec, spec.audio_codec) if c)


def available_formats() -> list[str]:
    """Format names this PyAV build can write (h265 and AV1 depend on how FFmpeg was built)."""
    return [name for name in FORMATS if format_available(name)]


def available_pix_fmts(name: str) -> tuple[str, ...]:
    spec = get_format(name)
    if spec.kind != "video":
        return ()
    accepted = {f.name for f in (_encoder(spec.codec).video_formats or ())}
    return tuple(p for p in spec.pix_fmts if p in accepted)


def get_format(name: str) -> FormatSpec:
    spec = FORMATS.get(name)
    if spec is None:
        raise VideoError(f"format {name!r} is unknown; use one of {available_formats()}")
    if not format_available(name):
        raise VideoError(f"format {name!r} needs the {spec.codec} encoder, which this PyAV/FFmpeg build lacks; "
                         f"use one of {available_formats()}")
    return spec


def takes_preset(format: str) -> bool:
    """Whether the format's encoder is x264 or x265, the ones with speed presets (X264_PRESETS)."""
    return get_format(format).codec in ("libx264", "libx265")


def check_preset(format: str, preset: str | None) -> None:
    """Raise VideoError unless `preset` is None or an x264/x265 preset for an x264/x265 format."""
    if preset is None:
        return
    if not takes_preset(format):
        raise VideoError(f"preset is an x264/x265 setting; {format} has none (leave preset empty)")
    if preset not in X264_PRESETS:
        raise VideoError(f"preset must be one of {list(X264_PRESETS)}, got {preset!r}")


def check_output_path(path, format: str, name: str = "--out", format_name: str = "--format") -> Path:
    """Before anything is drawn: `path` can take `format` (the extension says the same format, it is not a
    folder, or for png-sequence a new folder) and its folder can be written. VideoError names `name` (the
    output option) and the fix; `format_name` is how the format option is called."""
    spec = get_format(format)
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    known = {s.extension for s in FORMATS.values() if s.extension}
    if spec.kind == "png":
        if path.exists():
            raise VideoError(f"{name} {path} already exists; png-sequence writes a new folder of PNGs, so name one "
                             "that does not exist yet")
        if ext in known:
            raise VideoError(f"{name} {path} ends in '.{ext}' but {format_name} png-sequence writes a folder of PNGs; "
                             f"name the folder without an extension (e.g. {path.with_suffix('')})")
    else:
        if path.is_dir():
            raise VideoError(f"{name} {path} is an existing folder; name a file in it, e.g. "
                             f"{path / ('draft.' + spec.extension)}")
        if ext != spec.extension:
            fits = [n for n, s in FORMATS.items() if s.extension == ext and format_available(n)]
            said = f"ends in '.{ext}'" if ext else "has no extension"
            other = f" or pass {format_name} {' or '.join(fits)}" if fits else ""
            raise VideoError(f"{name} {path} {said} but {format_name} {format} writes .{spec.extension} files; name it "
                             f"{path.with_suffix('.' + spec.extension)}{other}")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the folders that are missing are made when the file is written
    if not folder.is_dir():
        raise VideoError(f"cannot write {name} {path}: {folder} is a file, not a folder; choose another place")
    try:
        # os.access says yes to root on read-only mounts and in /proc: only creating a file tells
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".thinkdraw-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise VideoError(f"cannot write {name} {path}: the folder {folder} is not writable ({exc.strerror}); "
                         "choose a writable place") from None
    return path
