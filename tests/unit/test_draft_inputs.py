"""Bad input to the draft (CLI and core) and clips too long to hold: a clear error naming the input and the fix,
found before anything is drawn, no traceback, and no file left half-written (issue #33, items 3 and 4)."""
from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
import wave
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data

from thinkdraw_core.__main__ import main
from thinkdraw_core.draft import renderer
from thinkdraw_core.draft.memory import check_image_batch, image_batch_bytes
from thinkdraw_core.draft.speech import load_audio
from thinkdraw_core.plan import ActionUnit, AUPlan

REPO = Path(__file__).resolve().parents[2]
GB = 10**9


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """A portrait, a plan and speech files: good, empty, truncated, garbage, silent (no samples), rate 0."""
    root = tmp_path_factory.mktemp("inputs")
    cv2.imwrite(str(root / "portrait.png"), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    (root / "plan.json").write_text(AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)]).to_json())
    rate = 16000
    tone = (0.3 * np.sin(2 * np.pi * 150 * np.arange(3 * rate) / rate) * 32767).astype("<i2")
    for name, samples in (("speech.wav", tone), ("silent.wav", tone[:0])):
        with wave.open(str(root / name), "wb") as wf:
            wf.setnchannels(1), wf.setsampwidth(2), wf.setframerate(rate)
            wf.writeframes(samples.tobytes())
    whole = (root / "speech.wav").read_bytes()
    (root / "truncated.wav").write_bytes(whole[:44 + 100])  # the header still promises 3 s
    (root / "empty.wav").write_bytes(b"")
    (root / "garbage.wav").write_bytes(b"this is not audio at all " * 40)
    # a PCM header that says 0 samples per second, then some samples
    fmt = struct.pack("<HHIIHH", 1, 1, 0, 0, 2, 16)
    data = tone[:1600].tobytes()
    (root / "rate0.wav").write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt "
                                     + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data)
    return {p.stem: p for p in root.iterdir()}


def _draft(inputs, tmp_path, *extra: str, out: str | Path | None = None) -> list[str]:
    out = tmp_path / "out" / "draft.mp4" if out is None else out
    return ["draft", "--image", str(inputs["portrait"]), "--plan", str(inputs["plan"]), "--out", str(out),
            "--no-measure", *extra]


@pytest.fixture
def no_drawing(monkeypatch):
    """Fails the test if the draft starts drawing (calibration included): every refusal must come first."""
    def refuse(*args, **kwargs):
        raise AssertionError("render_draft was called: the bad input was not caught before drawing")

    monkeypatch.setattr(renderer, "render_draft", refuse)


def _refused(capsys, argv: list[str]) -> str:
    """Runs the CLI in-process; it must exit 2 with one 'error: ...' line (or argparse's usage error)."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err, err
    return err


@pytest.mark.parametrize("name, message", [
    ("empty", "--audio {} is empty (0 bytes); export the speech again, or leave the audio out for a silent clip"),
    ("truncated", "--audio {} is truncated: its header promises 3.000 s of audio but the file holds 0.003 s; "
                  "export or copy it again"),
    ("garbage", "--audio {} is not audio FFmpeg can read (Invalid data found when processing input); use a WAV, "
                "FLAC, MP3, OGG or M4A file"),
    ("silent", "--audio {} holds no samples (0 s of sound); export the speech again, or leave the audio out for "
               "a silent clip"),
    ("rate0", "--audio {} says its sample rate is 0 Hz; the header is damaged, export the audio again"),
])
def test_bad_audio_files_are_refused_naming_the_file_and_the_fix(inputs, tmp_path, capsys, no_drawing, name, message):
    """Before: an empty file raised EOFError (a traceback), a truncated one made a 1-frame video (exit 0), a silent
    one blamed --seconds, which was not given, and garbage gave FFmpeg's bare errno."""
    err = _refused(capsys, _draft(inputs, tmp_path, "--audio", str(inputs[name])))
    assert f"error: {message.format(inputs[name])}" in err, err
    assert not (tmp_path / "out").exists()


def test_load_audio_reads_a_streamed_wav_whose_header_gives_no_length(inputs, tmp_path):
    """A WAV written to a pipe says 0xFFFFFFFF bytes of data: that is not truncation; the samples run to the end."""
    whole = bytearray(inputs["speech"].read_bytes())
    whole[40:44] = struct.pack("<I", 0xFFFFFFFF)
    streamed = tmp_path / "streamed.wav"
    streamed.write_bytes(bytes(whole))
    samples, rate = load_audio(streamed)
    assert rate == 16000 and samples.shape == (1, 3 * 16000)


@pytest.mark.parametrize("option, value", [("--seconds", "nan"), ("--seconds", "inf"), ("--fps", "nan"),
                                           ("--fps", "inf"), ("--seconds", "-2"), ("--max-seconds", "nan")])
def test_seconds_and_fps_must_be_finite_and_positive(inputs, tmp_path, capsys, no_drawing, option, value):
    err = _refused(capsys, _draft(inputs, tmp_path, option, value))
    what = "frames per second" if option == "--fps" else "seconds"
    assert f"argument {option}: must be a finite number of {what} > 0, got '{value}'" in err, err


def test_a_clip_longer_than_max_seconds_is_refused_before_drawing(inputs, tmp_path, capsys, no_drawing):
    err = _refused(capsys, _draft(inputs, tmp_path, "--audio", str(inputs["speech"]), "--max-seconds", "2"))
    assert ("error: the clip would be 3 s long (the length of --audio), over --max-seconds 2; pass --seconds to draw "
            "only the start, or raise --max-seconds to draw it all (the draft streams to the file") in err, err
    err = _refused(capsys, _draft(inputs, tmp_path, "--seconds", "4000"))
    assert "error: the clip would be 4000 s long (--seconds), over --max-seconds 1800; pass a shorter --seconds" in err


@pytest.mark.parametrize("out, extra, message", [
    ("draft.mp4", ("--format", "gif"), "--out {out} ends in '.mp4' but --format gif writes .gif files; name it "
                                       "{base}/draft.gif or pass --format h264-mp4 or h265-mp4"),
    ("draft.webm", (), "--out {out} ends in '.webm' but --format h264-mp4 writes .mp4 files; name it "
                       "{base}/draft.mp4 or pass --format vp9-webm"),
    ("folder", (), "--out {out} is an existing folder; name a file in it, e.g. {out}/draft.mp4"),
    ("a_file/draft.mp4", (), "cannot write --out {out}: {base}/a_file is a file, not a folder; choose another place"),
    ("folder", ("--format", "png-sequence"), "--out {out} already exists; png-sequence writes a new folder of PNGs"),
])
def test_out_that_cannot_take_the_video_is_refused_before_drawing(inputs, tmp_path, capsys, no_drawing, out, extra,
                                                                   message):
    """Before: a GIF was written under a .mp4 name, and a folder or a path under a file failed only after the
    whole clip was drawn."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "a_file").write_text("not a folder")
    target = tmp_path / out
    err = _refused(capsys, _draft(inputs, tmp_path, *extra, out=target))
    assert "error: " + message.format(out=target, base=tmp_path) in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "folder"]
    assert not any((tmp_path / "folder").iterdir())


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can be refused by /proc while os.access says yes")
def test_out_in_a_place_nobody_can_write_is_refused_before_drawing(inputs, tmp_path, capsys, no_drawing):
    err = _refused(capsys, _draft(inputs, tmp_path, out="/proc/thinkdraw/draft.mp4"))
    assert "error: cannot write --out /proc/thinkdraw/draft.mp4: the folder /proc is not writable" in err, err


def test_the_core_refuses_nan_seconds_fps_and_sample_rate_0_naming_them():
    """The nodes reach the core without argparse: ComfyUI's min/max checks let NaN through."""
    image, plan = skimage.data.astronaut(), AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)])
    speech = np.zeros((1, 16000), np.float32)
    for kwargs, match in [(dict(seconds=float("nan")), "seconds must be a finite number > 0, got nan"),
                          (dict(seconds=float("inf")), "seconds must be a finite number > 0, got inf"),
                          (dict(fps=float("nan")), r"fps must be a number in \(0, 120\], got nan"),
                          (dict(audio=(speech, 0), seconds=None), "audio sample_rate must be a whole number of "
                                                                  "samples per second > 0 \\(e.g. 16000\\), got 0"),
                          (dict(audio=(speech[:, :0], 16000), seconds=None), "audio has no samples")]:
        with pytest.raises(ValueError, match=match):
            renderer.render_draft(image, plan, **kwargs)


def test_image_batch_estimate_and_refusal():
    """The IMAGE batch is float32 [frames, H, W, 3]; refused past SAFE_SHARE of the memory free, with the size."""
    assert image_batch_bytes(90000, 512, 512) == 90000 * 512 * 512 * 3 * 4  # one hour at 25 fps: 283 GB
    assert check_image_batch(100, 512, 512, 25.0, available=8 * GB) == 100 * 512 * 512 * 12
    assert check_image_batch(100, 512, 512, 25.0, available=None) > 0  # nothing to compare with: not refused here
    with pytest.raises(ValueError) as err:
        check_image_batch(90000, 512, 512, 25.0, available=32 * GB, fix="use the video output")
    assert str(err.value) == ("an IMAGE batch of this clip would need 283.1 GB (90000 frames of 512x512, 3600 s at "
                              "25 fps, as float32), more than the 24.0 GB this machine can spare (75% of the 32.0 GB "
                              "free now); use the video output")
    # 75% of 10 GB holds 2384 frames of 512x512 and not 2385
    assert check_image_batch(2384, 512, 512, 25.0, available=10 * GB)
    with pytest.raises(ValueError):
        check_image_batch(2385, 512, 512, 25.0, available=10 * GB)


def test_sigterm_while_encoding_removes_the_partial_file(inputs, tmp_path):
    """Ctrl-C already unwound the writer, which removes its hidden partial file; SIGTERM killed the process and
    left it. Now SIGTERM unwinds the same way: exit 143, one error line, nothing left in the folder."""
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "thinkdraw_core",
                             *_draft(inputs, tmp_path, "--seconds", "120", out=out / "draft.mp4")],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not any(out.iterdir()):  # the partial file appears once the first frame is encoded
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1][-2000:]
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err[-2000:]
    assert "error: stopped by SIGTERM before the video was finished; nothing was written" in err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_a_hold_still_mask_that_is_missing_unreadable_or_another_size_is_refused(inputs, tmp_path, capsys,
                                                                                no_drawing):
    missing, garbage, small = tmp_path / "none.png", tmp_path / "garbage.png", tmp_path / "small.png"
    garbage.write_bytes(b"not a picture")
    cv2.imwrite(str(small), np.full((100, 200), 255, np.uint8))
    err = _refused(capsys, _draft(inputs, tmp_path, "--hold-still", str(missing)))
    assert f"error: --hold-still {missing} does not exist" in err, err
    err = _refused(capsys, _draft(inputs, tmp_path, "--hold-still", str(garbage)))
    assert f"error: --hold-still {garbage} is not an image OpenCV can read" in err, err
    err = _refused(capsys, _draft(inputs, tmp_path, "--hold-still", str(small)))
    assert (f"error: --hold-still {small} is 200x100 but the image is 512x512: paint the mask on this image (or "
            "resize it to the image's size)") in err, err
    assert not (tmp_path / "out").exists()
