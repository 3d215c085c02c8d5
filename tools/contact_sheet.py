"""Dev tool: look at what the draft drew.

The criterion (tests/basic_emotions.py) reads blendshapes, and a drawing can pass it while looking wrong
(a smile drawn as a stretched dark line) or fail it while looking right. This renders each basic emotion
on each photo as the quality test does and writes one PNG per photo: a column per emotion, the rest frame
above the apex frame, cropped around the eyes and mouth (--mouth: around the mouth alone, larger), with
the apex blendshape changes that fail the criterion written under each column.

  .venv/bin/python tools/contact_sheet.py [--photo blonde] [--emotion happy] [--mouth] [--out DIR]
  .venv/bin/python tools/contact_sheet.py --held-out [--docs]

About 1-2 s per emotion and photo on a 2-core machine. Default photos: all the tuning ones, neutral ones
included. --held-out draws the held-out faces instead (tests/sample_photos.HELD_OUT_PHOTOS, issue #34) on one
sheet, a row per face: the rest frame, then each emotion's apex, cropped around the face, with the inner lip
gap at apex under each tile (inter-ocular distances): as drawn (the mesh's landmarks) and as seen (landmarks
found on the frame, as on the real faces the envelope was measured on, and as benchmarks/bench_draft_faces.py
measures), red where the seen gap passes the real-face envelope (thinkdraw_core/data/motion_envelope.json) by
more than the benchmark's margin; --docs also writes a small copy to docs/ (about 3-4 min).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from basic_emotions import BASIC_EMOTIONS, criterion_failures, render_basic  # noqa: E402
from benchmarks.bench_draft_faces import MARGIN  # noqa: E402
from sample_photos import ALL_PHOTOS, HELD_OUT_PHOTOS  # noqa: E402

from thinkdraw_core.draft.envelope import envelope, lip_gap  # noqa: E402
from thinkdraw_core.face.landmarks import NoFaceError, get_landmarker  # noqa: E402

TILE = 320
MOUTH = (13, 14, 61, 291)  # inner lip middles and the corners
EYES_AND_MOUTH = (33, 263, 14)


def crop_around(image: np.ndarray, centre: np.ndarray, half: int) -> np.ndarray:
    """A TILE x TILE view of the square of half-size `half` around centre, padded where it leaves the image."""
    cx, cy = np.round(centre).astype(int)
    padded = cv2.copyMakeBorder(image, half, half, half, half, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    view = padded[cy:cy + 2 * half, cx:cx + 2 * half]
    return cv2.resize(view, (TILE, TILE), interpolation=cv2.INTER_AREA if 2 * half > TILE else cv2.INTER_CUBIC)


def column(photo: np.ndarray, emotion: str, mouth: bool) -> np.ndarray:
    result = render_basic(photo, emotion)
    rest = result.landmarks(0)
    iod = result.prepared.warper.geo.size
    centre = rest[list(MOUTH if mouth else EYES_AND_MOUTH)].mean(axis=0)
    half = int(round((0.55 if mouth else 1.3) * iod))
    frames = result.to_array()  # drawn once, for the crops and the measurement alike
    tiles = [crop_around(frames[i], centre, half) for i in (0, len(frames) - 1)]
    label = np.full((54, TILE, 3), 255, np.uint8)
    failures = [f.split(": ", 1)[1] for f in criterion_failures(emotion, result.analyze(frames))]
    for k, line in enumerate([emotion] + [", ".join(failures[i:i + 2]) for i in range(0, len(failures), 2)][:2]):
        cv2.putText(label, line, (4, 16 + 17 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0) if k == 0 else (200, 0, 0),
                    1, cv2.LINE_AA)
    return np.vstack(tiles + [label])


SMALL = 128
DOCS_COPY = ROOT / "docs" / "draft_held_out.jpg"


def held_out_row(name: str, photo: np.ndarray, emotions: list[str], gap_limit: float) -> np.ndarray:
    tiles = []
    for k, emotion in enumerate(emotions):
        try:
            result = render_basic(photo, emotion)
        except NoFaceError as exc:  # a frame without a face: shown, not skipped
            tile = cv2.resize(photo, (TILE, TILE), interpolation=cv2.INTER_AREA)
            if k == 0:
                tiles.append(_captioned(tile, f"{name} (source)", (0, 0, 0)))
            tiles.append(_captioned(np.full_like(tile, 128), f"{emotion}: no face", (200, 0, 0)))
            print(f"{name}/{emotion}: {exc}")
            continue
        rest, apex = result.landmarks(0), result.landmarks(result.n_frames - 1)
        iod = result.prepared.warper.geo.size
        centre = rest[list(EYES_AND_MOUTH)].mean(axis=0)
        half = int(round(1.3 * iod))
        first, last = result.frame(0), result.frame(result.n_frames - 1)
        if k == 0:
            tiles.append(_captioned(crop_around(first, centre, half), f"{name} rest", (0, 0, 0)))
        gap = lip_gap(apex)
        seen = _seen_gaps(result, first, last)
        if seen is None:
            caption, colour = f"{emotion} gap {gap:.2f}, not found", (200, 0, 0)
        else:
            caption = f"{emotion} gap {gap:.2f}, seen {seen[1]:.2f}"
            colour = (200, 0, 0) if seen[1] > max(gap_limit, seen[0]) + MARGIN else (0, 0, 0)
        tiles.append(_captioned(crop_around(last, centre, half), caption, colour))
    return np.hstack(tiles)


def _seen_gaps(result, *frames: np.ndarray) -> tuple[float, ...] | None:
    """The inner lip gap (iod) of each of `frames` as the detector finds it on the crop the draft's report
    measures on; None where it finds the face nowhere in one of them."""
    measurer = result.measurer(get_landmarker())
    faces = [measurer.face(frame) for frame in frames]
    if any(f is None for f in faces):
        return None
    return tuple(lip_gap(f.landmarks) for f in faces)


def _captioned(tile: np.ndarray, text: str, colour) -> np.ndarray:
    tile = cv2.resize(tile, (SMALL * 2, SMALL * 2), interpolation=cv2.INTER_AREA)
    label = np.full((20, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(label, text, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42, colour, 1, cv2.LINE_AA)
    return np.vstack([tile, label])


def held_out_sheet(args) -> int:
    emotions = args.emotion or list(BASIC_EMOTIONS)
    gap_limit = envelope()["lip_gap"]
    rows = []
    for name in tqdm(args.photo or list(HELD_OUT_PHOTOS), desc="held-out faces", unit="face"):
        photo = HELD_OUT_PHOTOS[name]()
        if photo is None:
            print(f"{name}: not installed, skipped")
            continue
        rows.append(held_out_row(name, photo, emotions, gap_limit))
    sheet = np.vstack(rows)
    path = args.out / "held_out.png"
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(path)
    if args.docs:
        small = cv2.resize(sheet, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(DOCS_COPY), cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 75])
        print(DOCS_COPY)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photo", choices=[*ALL_PHOTOS, *HELD_OUT_PHOTOS], action="append", help="default: all")
    ap.add_argument("--held-out", action="store_true", help="the held-out faces on one sheet (issue #34)")
    ap.add_argument("--docs", action="store_true", help="with --held-out: a small copy in docs/")
    ap.add_argument("--before", action="store_true",
                    help="draw as before issue #34 (no real-face envelope), for a before/after look; never --docs")
    ap.add_argument("--emotion", choices=list(BASIC_EMOTIONS), action="append", help="default: all six")
    ap.add_argument("--mouth", action="store_true", help="crop around the mouth alone")
    ap.add_argument("--out", type=Path, default=Path("contact_sheets"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.before:
        from thinkdraw_core.draft import deform, renderer

        renderer.NATURAL_FIRST = deform.BROWS_SPARE_LIDS = False
        args.docs = False
        args.out = args.out / "before"
        args.out.mkdir(parents=True, exist_ok=True)
    if args.held_out:
        return held_out_sheet(args)
    emotions = args.emotion or list(BASIC_EMOTIONS)
    for name in args.photo or list(ALL_PHOTOS):
        photo = ALL_PHOTOS[name]()
        if photo is None:
            print(f"{name}: not installed, skipped")
            continue
        columns = [column(photo, e, args.mouth) for e in tqdm(emotions, desc=name, unit="emotion")]
        sheet = np.hstack(columns)
        path = args.out / f"{name}{'_mouth' if args.mouth else ''}.png"
        cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
