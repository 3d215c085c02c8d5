"""write_video: what it writes is decoded back with PyAV (or read chunk by chunk) and checked."""
from __future__ import annotations

import json
import math

import av
import numpy as np
import pytest
import torch

from thinkdraw_core.plan import ActionUnit, AUPlan
from thinkdraw_core.video import (
    FORMATS, VideoError, available_formats, available_pix_fmts, read_plan, read_video_info, write_video,
)


def _batch(n: int, h: int = 48, w: int = 64) -> torch.Tensor:
    """Frames that differ from each other (a moving gradient plus a per-frame colour) in 0..1."""
    y = torch.linspace(0, 1, h)[:, None].expand(h, w)
    x = torch.linspace(0, 1, w)[None, :].expand(h, w)
    frames = []
    for i in range(n):
        k = i / max(n - 1, 1)
        frames.append(torch.stack([(x + k) % 1.0, y, torch.full_like(x, 0.2 + 0.6 * k)], -1))
    return torch.stack(frames)


def _tone(seconds: float, rate: int, channels: int) -> tuple[np.ndarray, int]:
    t = np.arange(int(round(seconds * rate))) / rate
    wave = 0.3 * np.sin(2 * np.pi * 440 * t)
    return np.repeat(wave[None, :], channels, axis=0).astype(np.float32), rate


def _decode_rgb(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def _plan() -> AUPlan:
    return AUPlan(text="quietly proud", action_units=[ActionUnit(12, 0.6), ActionUnit(6, 0.3, side="left")])


def test_h264_mp4_frames_audio_colours_and_metadata_round_trip(tmp_path):
    batch = _batch(20)
    plan = _plan()
    workflow = {"nodes": [{"id": 1}], "links": []}
    path = tmp_path / "clip.mp4"
    done = []
    result = write_video(batch, path, 24, audio=_tone(1.0, 44100, 2), format="h264-mp4", crf=12,
                         metadata={"workflow": workflow, "prompt": {"1": {"class_type": "X"}}, "thinkdraw_plan": plan},
                         progress=done.append)
    assert done == list(range(1, 21))
    assert (result.frames, result.width, result.height) == (20, 64, 48)
    assert result.duration == pytest.approx(20 / 24) and result.audio_duration == pytest.approx(1.0)

    info = read_video_info(path)
    assert info.container.startswith("mov,mp4")
    assert (info.frames, info.width, info.height, info.fps) == (20, 64, 48, 24.0)
    assert (info.codec, info.pix_fmt, info.audio_codec) == ("h264", "yuv420p", "aac")
    assert info.duration == pytest.approx(20 / 24, abs=1e-3)
    assert info.audio_duration == pytest.approx(1.0, abs=0.025) and info.audio_channels == 2
    assert info.audio_rate == 44100
    assert json.loads(info.metadata["workflow"]) == workflow
    assert json.loads(info.metadata["prompt"]) == {"1": {"class_type": "X"}}
    assert read_plan(path).to_dict() == plan.to_dict()

    # BT.709 matrix and tags agree, so decoded colours match the input (chroma is 4:2:0, crf 12).
    decoded = _decode_rgb(path)
    expected = (batch.numpy() * 255 + 0.5).astype(np.uint8)
    assert len(decoded) == 20
    err = np.abs(np.stack(decoded).astype(int) - expected.astype(int)).mean()
    assert err < 3.0, err


def test_fast_yuv420p_conversion_matches_swscale_bt709():
    import skimage.data

    from thinkdraw_core.video.writer import yuv420p_bt709

    rgb = skimage.data.astronaut()[:510, :380]  # even, not square, busy chroma edges
    ours = yuv420p_bt709(rgb).to_ndarray().astype(int)
    theirs = (av.VideoFrame.from_ndarray(rgb, format="rgb24")
              .reformat(format="yuv420p", dst_colorspace=1, dst_color_range=1).to_ndarray().astype(int))
    assert ours.shape == theirs.shape == (510 * 3 // 2, 380)
    luma, chroma = np.abs(ours[:510] - theirs[:510]), np.abs(ours[510:] - theirs[510:])
    assert luma.max() <= 1 and luma.mean() < 0.1
    assert chroma.mean() < 0.5, chroma.mean()  # the 2x2 average against swscale's filter, at colour edges
    # and back: decoding the frame as BT.709 gives the photo again
    back = yuv420p_bt709(rgb).reformat(format="rgb24", src_colorspace=1, src_color_range=1).to_ndarray()
    assert np.abs(back.astype(int) - rgb.astype(int)).mean() < 3.0


@pytest.mark.parametrize("fmt", [f for f in ("h265-mp4", "vp9-webm", "av1-webm", "av1-mkv") if f in available_formats()])
def test_other_codecs_with_mono_audio_at_odd_rate(tmp_path, fmt):
    spec = FORMATS[fmt]
    path = tmp_path / f"clip.{spec.extension}"
    result = write_video(_batch(12, 64, 80), path, 12, audio=_tone(0.75, 22000, 1), format=fmt,
                         metadata={"thinkdraw_plan": _plan()})
    info = read_video_info(path)
    assert (info.frames, info.width, info.height) == (12, 80, 64)
    assert info.fps == pytest.approx(12.0)
    assert info.duration == pytest.approx(1.0, abs=0.01)
    assert info.codec == {"h265-mp4": "hevc", "vp9-webm": "vp9"}.get(fmt, info.codec)
    if fmt.startswith("av1"):
        assert info.codec in ("libdav1d", "av1", "libaom-av1")
    wanted_audio = "aac" if spec.audio_codec == "aac" else "opus"
    assert info.audio_codec == wanted_audio and info.audio_channels == 1
    # 22 kHz is not an Opus rate (resampled to 48 kHz); AAC takes 22.05 kHz but not 22 kHz either
    assert info.audio_rate == 48000
    assert info.audio_duration == pytest.approx(0.75, abs=0.03)
    assert result.audio_duration == pytest.approx(0.75)
    assert read_plan(path).text == "quietly proud"


@pytest.mark.parametrize("fmt,pix", [("h264-mp4", "yuv444p"), ("h264-mp4", "yuv420p10le"), ("av1-mkv", "yuv420p10le")])
def test_pixel_formats_including_10_bit(tmp_path, fmt, pix):
    if pix not in available_pix_fmts(fmt):
        pytest.skip(f"{fmt} has no {pix} in this build")
    path = tmp_path / f"clip.{FORMATS[fmt].extension}"
    write_video(_batch(6, 32, 32), path, 10, format=fmt, pix_fmt=pix)
    info = read_video_info(path)
    assert info.pix_fmt == pix and info.frames == 6


def test_unavailable_pixel_format_is_refused_with_the_choices(tmp_path):
    with pytest.raises(VideoError, match=r"pix_fmt 'yuv444p' is not available for av1-webm; use one of"):
        write_video(_batch(2), tmp_path / "x.webm", 10, format="av1-webm", pix_fmt="yuv444p")


def test_gif_loops_and_pingpong(tmp_path):
    path = tmp_path / "a.gif"
    write_video(_batch(5, 24, 32), path, 10, format="gif", loop=0, pingpong=True)
    info = read_video_info(path)
    assert (info.frames, info.width, info.height, info.codec) == (8, 32, 24, "gif")  # 0 1 2 3 4 3 2 1
    assert info.loop == 0  # forever
    write_video(_batch(3, 24, 32), path, 10, format="gif", loop=2)
    assert read_video_info(path).loop == 2 and read_video_info(path).frames == 3
    # Per-frame palettes keep a smooth gradient close to the source despite 256 colours.
    first = _decode_rgb(path)[0].astype(int)
    assert np.abs(first - (_batch(3, 24, 32)[0].numpy() * 255 + 0.5).astype(int)).mean() < 6


def test_webp_lossless_with_exif_metadata_and_loop_count(tmp_path):
    from PIL import Image

    batch = _batch(4, 24, 40)
    path = tmp_path / "a.webp"
    write_video(batch, path, 8, format="webp", crf=0, loop=1, metadata={"thinkdraw_plan": _plan(), "prompt": {"a": 1}})
    info = read_video_info(path)
    assert (info.frames, info.width, info.height, info.loop) == (4, 40, 24, 2)  # 1 extra play = 2 plays
    assert info.duration == pytest.approx(0.5, abs=0.01)
    assert read_plan(path).to_dict() == _plan().to_dict() and json.loads(info.metadata["prompt"]) == {"a": 1}
    with Image.open(path) as im:
        im.seek(2)
        assert np.array_equal(np.asarray(im.convert("RGB")), (batch[2].numpy() * 255 + 0.5).astype(np.uint8))


def test_png_sequence_is_a_lossless_folder_with_metadata_on_the_first_frame(tmp_path):
    batch = _batch(3, 20, 30)
    path = tmp_path / "seq"
    result = write_video(batch, path, 6, format="png-sequence", metadata={"thinkdraw_plan": _plan()}, loop=1)
    files = sorted(path.iterdir())
    assert [f.name for f in files] == [f"seq_{i:05d}.png" for i in range(1, 7)]  # loop=1 plays twice
    info = read_video_info(path)
    assert (info.frames, info.width, info.height, info.fps) == (6, 30, 20, 6.0) and result.frames == 6
    assert read_plan(path).text == "quietly proud"
    from PIL import Image

    assert np.array_equal(np.asarray(Image.open(files[4])), (batch[1].numpy() * 255 + 0.5).astype(np.uint8))
    with pytest.raises(VideoError, match="already exists"):
        write_video(batch, path, 6, format="png-sequence")


def test_uint8_frame_stream_is_encoded_as_it_comes_with_pingpong(tmp_path):
    from thinkdraw_core.video.writer import _Prefetch

    rng = np.random.default_rng(0)
    pulled = []

    def frames():
        for i in range(30):
            pulled.append(i)
            yield np.full((16, 16, 3), 8 * i, np.uint8) + rng.integers(0, 3, (16, 16, 3), dtype=np.uint8)

    seen_when = []
    result = write_video(frames(), tmp_path / "s.mp4", 6, pingpong=True, progress=lambda d: seen_when.append(len(pulled)))
    assert result.frames == 58 and read_video_info(tmp_path / "s.mp4").frames == 58
    # Frame k is encoded while at most a few frames past it have been pulled: streaming, bounded look-ahead.
    lead = [seen - done for done, seen in enumerate(seen_when[:30], start=1)]
    assert max(lead) <= _Prefetch.DEPTH + 2, lead
    assert any("kept 30 uint8 frames" in n for n in result.notes)
    means = [f.mean() for f in _decode_rgb(tmp_path / "s.mp4")]
    assert np.all(np.diff(means[:30]) > 0) and np.all(np.diff(means[29:]) < 0)


def test_audio_modes_trim_video_and_pad_audio(tmp_path):
    batch = _batch(48, 16, 16)  # 2 s at 24 fps
    trimmed = write_video(batch, tmp_path / "t.mp4", 24, audio=_tone(1.0, 48000, 2), audio_mode="trim_video")
    assert trimmed.frames == 24 and read_video_info(tmp_path / "t.mp4").frames == 24
    padded = write_video(batch, tmp_path / "p.webm", 24, audio=_tone(0.5, 48000, 1), audio_mode="pad_audio",
                         format="vp9-webm")
    info = read_video_info(tmp_path / "p.webm")
    assert padded.audio_duration == pytest.approx(2.0) and info.audio_duration == pytest.approx(2.0, abs=0.03)
    cut = write_video(batch[:12], tmp_path / "c.mp4", 24, audio=_tone(3.0, 48000, 1), audio_mode="pad_audio")
    assert cut.audio_duration == pytest.approx(0.5)
    kept = write_video(batch[:12], tmp_path / "k.mp4", 24, audio=_tone(3.0, 48000, 1), audio_mode="keep")
    assert kept.audio_duration == pytest.approx(3.0)
    assert read_video_info(tmp_path / "k.mp4").audio_duration == pytest.approx(3.0, abs=0.03)


def test_odd_sizes_are_padded_or_cropped_and_said(tmp_path, caplog):
    batch = _batch(3, 33, 45)
    with caplog.at_level("WARNING", logger="ThinkDraw.video"):
        padded = write_video(batch, tmp_path / "p.mp4", 10)
    assert (padded.width, padded.height) == (46, 34) and "padded" in caplog.text and "45x33" in caplog.text
    cropped = write_video(batch, tmp_path / "c.mp4", 10, odd_size="crop")
    assert (read_video_info(tmp_path / "c.mp4").width, read_video_info(tmp_path / "c.mp4").height) == (44, 32)
    assert any("cropped" in n for n in cropped.notes)
    full = write_video(batch, tmp_path / "f.mp4", 10, pix_fmt="yuv444p")  # 4:4:4 has no chroma subsampling
    assert (full.width, full.height) == (45, 33) and not full.notes


@pytest.mark.parametrize("frames,match", [
    (torch.zeros(0, 8, 8, 3), "zero frames"),
    ([], "zero frames"),
    ((f for f in ()), "zero frames"),
    (torch.zeros(8, 8, 3), r"\[frames, height, width, 3 or 4\]"),
    ([np.zeros((8, 8, 3), np.uint8), np.zeros((8, 10, 3), np.uint8)], "frame 1 is 10x8 but the first frame was 8x8"),
])
def test_bad_frames_are_clear_errors(tmp_path, frames, match):
    with pytest.raises(VideoError, match=match):
        write_video(frames, tmp_path / "x.mp4", 10)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs,match", [
    ({"fps": 0}, "fps must be > 0"),
    ({"fps": -3}, "fps must be > 0"),
    ({"fps": math.nan}, "fps must be > 0"),
    ({"format": "mpeg1-avi"}, "format 'mpeg1-avi' is unknown; use one of"),
    ({"crf": 70}, r"crf for h264-mp4 must be in 0..51"),
    ({"audio_mode": "stretch"}, "audio_mode must be one of"),
    ({"loop": -1}, "loop must be >= 0"),
    ({"audio": (np.zeros((100, 2), np.float32), 8000)}, "transpose"),
    ({"audio": (np.zeros((2, 0), np.float32), 8000)}, "no samples"),
    ({"audio": (np.zeros((1, 10), np.float32), 0)}, "sample_rate must be > 0"),
    ({"preset": "turbo"}, r"preset must be one of \['ultrafast'"),
    ({"format": "gif", "preset": "veryfast"}, "preset is an x264/x265 setting; gif has none"),
])
def test_bad_arguments_are_clear_errors(tmp_path, kwargs, match):
    args = dict(fps=10)
    args.update(kwargs)
    with pytest.raises(VideoError, match=match):
        write_video(_batch(2, 8, 8), tmp_path / "x.mp4", **args)
    assert list(tmp_path.iterdir()) == []


def test_x264_preset_reaches_the_encoder(tmp_path):
    """x264 writes its settings into the stream: the veryfast preset searches far less (subme, lookahead)."""
    frames = _batch(12, 64, 64)
    settings = {}
    for preset in (None, "veryfast"):
        path = tmp_path / f"{preset}.mp4"
        write_video(frames, path, 10, preset=preset)
        text = path.read_bytes().decode("latin-1")
        settings[preset] = {k: v for k, v in (o.split("=", 1) for o in text[text.index("options: "):].split()[1:]
                                               if "=" in o) if k in ("subme", "rc_lookahead")}
    assert settings[None] == {"subme": "7", "rc_lookahead": "40"}  # medium, the encoder's default
    assert settings["veryfast"] == {"subme": "2", "rc_lookahead": "10"}


@pytest.mark.skipif("h265-mp4" not in available_formats(), reason="no libx265 in this build")
def test_h265_refuses_frames_too_small_for_its_encoder(tmp_path):
    with pytest.raises(VideoError, match="h265-mp4 needs frames at least 64x64, got 48x32"):
        write_video(_batch(2, 32, 48), tmp_path / "x.mp4", 10, format="h265-mp4")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    with pytest.raises(VideoError, match="cannot create output folder"):
        write_video(_batch(2, 8, 8), blocker / "sub" / "x.mp4", 10)


def test_a_failure_mid_stream_leaves_no_file_that_looks_complete(tmp_path):
    def frames():
        for i in range(5):
            yield np.zeros((16, 16, 3), np.uint8)
        raise RuntimeError("renderer crashed")

    (tmp_path / "keep.txt").write_text("other")
    for fmt, name in (("h264-mp4", "x.mp4"), ("png-sequence", "seq")):
        with pytest.raises(RuntimeError, match="renderer crashed"):
            write_video(frames(), tmp_path / name, 10, format=fmt)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


_MEMORY_PROBE = """
import sys, torch
from benchmarks.common import PeakRSS
from thinkdraw_core.video import write_video
n, side, out = int(sys.argv[1]), 128, sys.argv[2]
batch = torch.rand(1, side, side, 3).expand(n, side, side, 3).contiguous()
batch[:, :, :8] = torch.linspace(0, 1, n)[:, None, None, None]  # a moving band: cheap to encode, still changing
write_video(batch[:8], out, 24, crf=30)  # load the encoder libraries before measuring
with PeakRSS() as peak:
    write_video(batch, out, 24, crf=30)
print(peak.extra_mb)
"""


def test_peak_memory_stays_flat_as_the_frame_count_grows(tmp_path):
    """Extra memory while encoding a float batch: the same for 400 and 3200 frames (fresh processes, so
    one run's freed memory cannot hide the next one's). A run's resident memory sometimes steps up by
    about 30 MiB whatever its length (seen at 400, 1600 and 3200 frames alike), so the two lengths
    differ by far more frames than that step is worth."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]

    def extra_mb(n: int) -> float:
        out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(n), str(tmp_path / f"m{n}.mp4")],
                             capture_output=True, text=True, cwd=repo, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        return float(out.stdout.strip().splitlines()[-1])

    small, large = extra_mb(400), extra_mb(3200)
    frame_u8 = 128 * 128 * 3 / 2**20
    # A copy of the batch in uint8 would add 2800 frames' worth (131 MiB) between the two; a float copy 4x that.
    assert large - small < 0.6 * 2800 * frame_u8, (small, large)
    assert large < 0.6 * 3200 * frame_u8, (small, large)
