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


def _check_audio(audio) -> tuple[np.ndarray, int]:
    try:
        samples, sr = audio
    except (TypeError, ValueError):
        raise ValueError("audio must be (samples float32 [channels, n], sample_rate)") from None
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[None]
    if samples.ndim != 2 or samples.shape[1] == 0:
        raise ValueError(f"audio samples must be [channels, n] with n > 0, got shape {samples.shape}")
    if int(sr) <= 0:
        raise ValueError(f"audio sample_rate must be > 0, got {sr}")
    return samples.mean(axis=0), int(sr)


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
    padded = np.concatenate([np.zeros(win // 2, np.float32), mono, np.zeros(win, np.float32)])
    for i in range(n_frames):
        start = int(round(i * hop))
        seg = padded[start:start + win]
        if len(seg) < win:
            seg = np.pad(seg, (0, win - len(seg)))
        rms[i] = float(np.sqrt(np.mean(seg * seg)))
        spec = np.abs(np.fft.rfft(seg * window, nfft)) ** 2
        for name, sel in bands.items():
            energy[name][i] = spec[sel].sum()

    loud = np.percentile(rms, 95) if np.any(rms > 0) else 0.0
    floor = max(loud * 0.08, 1e-4)
    env = np.clip((rms - floor) / max(loud - floor, 1e-6), 0.0, 1.0)
    # a lip cannot move faster than ~12 Hz: a short attack/release smoother keeps it from flickering
    env = _attack_release(env, fps, attack=0.03, release=0.08)
    total = energy["low"] + energy["mid"] + energy["high"] + 1e-12
    low, mid, high = energy["low"] / total, energy["mid"] / total, energy["high"] / total
    fricative = np.clip((high - 0.35) / 0.4, 0, 1)
    rounded = np.clip((low - 0.6) / 0.3, 0, 1) * (1 - fricative)
    spread = np.clip((mid - 0.3) / 0.35, 0, 1) * (1 - fricative)
    voiced = env * (1 - 0.6 * fricative)
    return {"envelope": env, **viseme_drives(env, voiced, rounded, spread)}


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


def load_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """A WAV (PCM 8/16/24/32-bit) as (float32 [channels, n], sample_rate); other formats through PyAV."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"audio file {path} does not exist")
    try:
        with wave.open(str(path), "rb") as wf:
            ch, width, sr, n = wf.getnchannels(), wf.getsampwidth(), wf.getframerate(), wf.getnframes()
            raw = wf.readframes(n)
        if width == 1:
            data = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
        elif width == 2:
            data = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
        elif width == 3:
            b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
            data = ((b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16))
                    << 8 >> 8).astype(np.float32) / 8388608
        else:
            data = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648
        return np.ascontiguousarray(data.reshape(-1, ch).T), sr
    except wave.Error:
        return _load_with_av(path)


def _load_with_av(path: Path) -> tuple[np.ndarray, int]:
    import av

    with av.open(str(path)) as container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise ValueError(f"audio file {path} has no audio stream")
        chunks, sr = [], stream.rate
        for frame in container.decode(stream):
            arr = frame.to_ndarray().astype(np.float32)
            if frame.format.is_planar:
                chunks.append(arr)
            else:
                chunks.append(arr.reshape(-1, frame.layout.nb_channels).T)
        data = np.concatenate(chunks, axis=1)
        if np.abs(data).max(initial=0) > 1.5:  # integer samples
            data = data / 32768.0
        return data.astype(np.float32), int(sr)
