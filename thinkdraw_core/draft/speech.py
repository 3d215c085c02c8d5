"""Speech-driven mouth: the loudness envelope and a coarse viseme class per video frame.

Audio is the core format (samples float32 [channels, n], sample_rate). Jaw and lip AUs follow:
AU26 jaw drop and AU25 lips part with loudness (less on fricatives), AU22/AU18 on rounded vowels
(energy low in the spectrum), AU20 on spread vowels (strong second-formant band).
"""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

SPEECH_AUS = (18, 20, 22, 25, 26)
# How far the lips part (inner lip line, inter-ocular units) at the loudest vowel of each kind in
# conversational speech, and how wide the mouth is against its rest width: 'a' about 1.2-1.6 cm apart, 'i'
# about 0.6-1 cm and wider, 'u' 0.3-0.7 cm and narrowed to about 0.6 of the rest width (inter-ocular
# distance about 6.3 cm). tests/unit/test_draft.py holds viseme_drives to these on a real face.
SPEECH_APERTURE = {"a": ((0.15, 0.28), (0.8, 1.0)), "i": ((0.07, 0.2), (1.0, 1.25)),
                   "u": ((0.03, 0.13), (0.45, 0.75))}


def check_audio(audio) -> tuple[np.ndarray, int]:
    """The core's audio (samples [channels, n] or [n], sample_rate) checked: float32 [channels, n] with n > 0
    and a whole sample rate > 0; ValueError naming what is wrong otherwise."""
    try:
        samples, sr = audio
    except (TypeError, ValueError):
        raise ValueError("audio must be (samples float32 [channels, n], sample_rate)") from None
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[None]
    if samples.ndim != 2 or samples.shape[1] == 0:
        raise ValueError(f"audio has no samples (shape {list(samples.shape)}); it must be [channels, n] with n > 0: "
                         "give it some sound or leave it out")
    try:
        rate = float(sr)
    except (TypeError, ValueError):
        raise ValueError(f"audio sample_rate must be a whole number of samples per second > 0, got {sr!r}") from None
    if not np.isfinite(rate) or rate <= 0 or rate != int(rate):
        raise ValueError(f"audio sample_rate must be a whole number of samples per second > 0 (e.g. 16000), got {sr!r}")
    return samples, int(rate)


def _check_audio(audio) -> tuple[np.ndarray, int]:
    samples, sr = check_audio(audio)
    return (samples[0] if samples.shape[0] == 1 else samples.mean(axis=0)), sr


def speech_tracks(audio, n_frames: int, fps: float) -> dict:
    """{'envelope': (T,), 18: (T,), 20: ..., 22: ..., 25: ..., 26: ...} drive values 0..1 per frame."""
    mono, sr = _check_audio(audio)
    hop = sr / fps
    win = int(max(256, 2 * hop))
    nfft = 1 << int(np.ceil(np.log2(win)))
    freqs = np.fft.rfftfreq(nfft, 1.0 / sr)
    bands = {name: (freqs >= lo) & (freqs < hi) for name, (lo, hi) in
             {"low": (150, 900), "mid": (900, 2500), "high": (3500, 8000)}.items()}
    window = np.hanning(win).astype(np.float32)
    rms = np.zeros(n_frames)
    energy = {name: np.zeros(n_frames) for name in bands}
    # each window is centred on its frame, silence beyond either end of the sound; sliced, not padded as a
    # whole, so an hour of speech is not copied once more
    half, n = win // 2, len(mono)
    for i in range(n_frames):
        lo = int(round(i * hop)) - half
        if 0 <= lo and lo + win <= n:
            seg = mono[lo:lo + win]
        else:
            seg = np.zeros(win, np.float32)
            a, b = max(lo, 0), min(lo + win, n)
            if b > a:
                seg[a - lo:b - lo] = mono[a:b]
        rms[i] = float(np.sqrt(np.mean(seg * seg)))
        spec = np.abs(np.fft.rfft(seg * window, nfft)) ** 2
        for name, sel in bands.items():
            energy[name][i] = spec[sel].sum()

    # a lip cannot move faster than ~12 Hz: a short attack/release smoother keeps it from flickering
    env = _attack_release(_loudness(rms), fps, attack=0.03, release=0.08)
    total = energy["low"] + energy["mid"] + energy["high"] + 1e-12
    low, mid, high = energy["low"] / total, energy["mid"] / total, energy["high"] / total
    fricative = np.clip((high - 0.35) / 0.4, 0, 1)
    rounded = np.clip((low - 0.6) / 0.3, 0, 1) * (1 - fricative)
    spread = np.clip((mid - 0.3) / 0.35, 0, 1) * (1 - fricative)
    voiced = env * (1 - 0.6 * fricative)
    return {"envelope": env, **viseme_drives(env, voiced, rounded, spread)}


def _loudness(rms: np.ndarray) -> np.ndarray:
    """Loudness 0..1 from per-frame RMS: 1 at the clip's loud end (95th percentile), 0 under a noise floor of 8%
    of it."""
    loud = np.percentile(rms, 95) if np.any(rms > 0) else 0.0
    floor = max(loud * 0.08, 1e-4)
    return np.clip((rms - floor) / max(loud - floor, 1e-6), 0.0, 1.0)


# A pause between phrases: the loudness under PAUSE_LEVEL for at least PAUSE_SECONDS. The closures of stops and
# the breaks at commas in running speech are under about 0.25 s; the pauses between sentences are longer
# (0.38 and 0.46 s in espeak-ng's "I really did not expect that. Oh, what a day. Well, never mind.", where
# the commas' and the stop's were 0.18-0.22 s), and that is where a new feeling can start.
PAUSE_LEVEL, PAUSE_SECONDS, PAUSE_RATE = 0.05, 0.3, 50.0


def pauses(audio, min_seconds: float = PAUSE_SECONDS) -> list[tuple[float, float]]:
    """The silences between phrases, as (start, end) seconds: where the loudness that moves the draft's mouth
    (before the lip's smoothing, which would fill the pause's first 0.2 s) stays under PAUSE_LEVEL for at least
    `min_seconds`. Silence before the first sound and after
    the last is no pause between phrases and is left out. beats.fit_to_clip moves the borders between beats
    to them."""
    mono, sr = _check_audio(audio)
    n = len(mono)
    fps = PAUSE_RATE
    frames = max(1, int(np.ceil(n / sr * fps)))
    hop = sr / fps
    win = int(max(256, 2 * hop))
    # the RMS of the window centred on each frame, as speech_tracks takes it (silence beyond either end),
    # from a running sum of squares rather than a loop over windows: an hour of speech is 180 000 frames
    power = np.concatenate([[0.0], np.cumsum(mono.astype(np.float64) ** 2)])
    lo = np.round(np.arange(frames) * hop).astype(np.int64) - win // 2
    rms = np.sqrt((power[np.clip(lo + win, 0, n)] - power[np.clip(lo, 0, n)]) / win)
    quiet = _loudness(rms) < PAUSE_LEVEL
    sounding = np.flatnonzero(~quiet)
    if sounding.size == 0:
        return []
    first, last = int(sounding[0]), int(sounding[-1])
    edges = np.diff(np.concatenate([[0], quiet[first:last + 1].astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1) + first, np.flatnonzero(edges == -1) + first
    return [(round(float(a) / fps, 3), round(float(b) / fps, 3)) for a, b in zip(starts, ends)
            if (b - a) / fps >= min_seconds]


def viseme_drives(env, voiced, rounded, spread) -> dict[int, np.ndarray]:
    """The speech AUs' drive (0..1) from the loudness envelope, its voiced part (fricatives open the jaw
    less) and how rounded or spread the vowel is (arrays or scalars, 0..1).

    Sized by how far real lips open in conversational speech, drawn with the draft's muscle model
    (deform.AU_PULLS): the loudest open vowel ('a') parts the lips about 0.2-0.25 inter-ocular distances
    (1.2-1.6 cm), a spread one ('i') a little less and wider, a rounded one ('u') a small round opening
    (SPEECH_APERTURE). The jaw drop and lips part give way to the rounding muscles on a rounded vowel;
    drawn at full strength beside them they made a tall, narrow box."""
    env, voiced, rounded, spread = (np.asarray(x, np.float64) for x in (env, voiced, rounded, spread))
    return {
        26: np.clip(0.3 * voiced * (1 - 0.75 * rounded) * (1 - 0.6 * spread), 0, 1),
        25: np.clip(1.2 * env, 0, 1) * 0.3 * (1 - 0.75 * rounded),
        22: np.clip(0.3 * env * rounded, 0, 1),
        18: np.clip(0.4 * env * rounded, 0, 1),
        20: np.clip(0.3 * env * spread, 0, 1),
    }


def _attack_release(x: np.ndarray, fps: float, attack: float, release: float) -> np.ndarray:
    a_up = 1 - np.exp(-1.0 / max(attack * fps, 1e-6))
    a_dn = 1 - np.exp(-1.0 / max(release * fps, 1e-6))
    out = np.zeros_like(x)
    y = 0.0
    for i, v in enumerate(x):
        y += (v - y) * (a_up if v > y else a_dn)
        out[i] = y
    return out


# A WAV header's data size that streaming writers put when they cannot know the length (0, or the most a
# 32-bit size holds): the samples run to the end of the file.
_UNKNOWN_WAV_SIZES = (0, 0x7FFFFFFF, 0xFFFFFFFF)


def load_audio(path: str | Path, name: str = "audio file") -> tuple[np.ndarray, int]:
    """A WAV (PCM 8/16/24/32-bit) as (float32 [channels, n], sample_rate); other formats through PyAV.

    name: how error messages call the input (the CLI says "--audio"). Raises FileNotFoundError or
    ValueError naming the file and the fix for a missing, empty, truncated, unreadable or silent file
    (no samples at all)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{name} {path} does not exist" + (" (it is a folder)" if path.is_dir() else ""))
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"{name} {path} is empty (0 bytes); export the speech again, or leave the audio out "
                         "for a silent clip")
    try:
        samples, rate = _load_wav(path, name, size)
    except (wave.Error, EOFError):  # not a PCM WAV (or a header cut short): let FFmpeg try it
        samples, rate = _load_with_av(path, name)
    if rate <= 0:
        raise ValueError(f"{name} {path} says its sample rate is {rate} Hz; the header is damaged, export the "
                         "audio again")
    if samples.shape[1] == 0:
        raise ValueError(f"{name} {path} holds no samples (0 s of sound); export the speech again, or leave the "
                         "audio out for a silent clip")
    return samples, rate


def _load_wav(path: Path, name: str, size: int) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wf:
        ch, width, sr, n = wf.getnchannels(), wf.getsampwidth(), wf.getframerate(), wf.getnframes()
        frame_bytes = ch * width
        declared = n * frame_bytes
        unknown = declared in _UNKNOWN_WAV_SIZES or declared + frame_bytes > 0xFFFFFFFF
        # never ask for more than the file holds: a streamed header's size would be a 4 GB request
        most = size // frame_bytes + 1
        raw = wf.readframes(most if unknown else min(n, most))
    got = len(raw) // frame_bytes
    if not unknown and got < n:
        promised = f"{n / sr:.3f} s" if sr > 0 else f"{n} samples"
        held = f"{got / sr:.3f} s" if sr > 0 else f"{got} samples"
        raise ValueError(f"{name} {path} is truncated: its header promises {promised} of audio but the file holds "
                         f"{held}; export or copy it again")
    raw = memoryview(raw)[: got * frame_bytes]
    # scaled in place: an hour of 16 kHz speech is 230 MB as float32, and `x / k` would hold a second copy
    if width == 1:
        data = np.frombuffer(raw, np.uint8).astype(np.float32)
        data -= 128
        data /= 128
    elif width == 2:
        data = np.frombuffer(raw, "<i2").astype(np.float32)
        data /= 32768
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        data = ((b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16))
                << 8 >> 8).astype(np.float32)
        data /= 8388608
    else:
        data = np.frombuffer(raw, "<i4").astype(np.float32)
        data /= 2147483648
    del raw
    # a mono file is already [1, n] in memory order; only interleaved channels need the copy
    return (data.reshape(1, -1) if ch == 1 else np.ascontiguousarray(data.reshape(-1, ch).T)), sr


def _load_with_av(path: Path, name: str = "audio file") -> tuple[np.ndarray, int]:
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"{name} {path} is not audio FFmpeg can read ({getattr(exc, 'strerror', None) or exc}); "
                         "use a WAV, FLAC, MP3, OGG or M4A file") from None
    with container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise ValueError(f"{name} {path} has no audio stream; use a file with sound in it")
        chunks, sr = [], stream.rate or 0
        try:
            for frame in container.decode(stream):
                arr = frame.to_ndarray().astype(np.float32)
                if frame.format.is_planar:
                    chunks.append(arr)
                else:
                    chunks.append(arr.reshape(-1, frame.layout.nb_channels).T)
        except av.error.FFmpegError as exc:
            raise ValueError(f"{name} {path} is damaged: decoding stopped with '{exc.strerror or exc}'; export it "
                             "again") from None
        if not chunks:
            return np.zeros((max(1, stream.channels or 1), 0), np.float32), int(sr)
        data = np.concatenate(chunks, axis=1)
        if np.abs(data).max(initial=0) > 1.5:  # integer samples
            data = data / 32768.0
        return data.astype(np.float32), int(sr)
