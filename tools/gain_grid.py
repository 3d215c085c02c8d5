"""Dev tool: can any gains make a set of requested AUs read together on the drawn frame?

The calibration (renderer._calibrate) moves one gain at a time over GAIN_STEPS, plus one AU up with one
other down. When it leaves an AU unseen, this answers whether some combination would have shown it: it
draws one basic emotion's apex (tests/basic_emotions.py intensities, the photo relaxed as the calibration
relaxes it) for every combination of the listed gains, the plan's other AUs at gain 1, and prints what the
analyser reads against the rest frame, with the criterion's failures (basic_emotions.apex_failures); `all`
marks the rows that have none.

  .venv/bin/python tools/gain_grid.py --photo portrait --emotion anger --grid 4=0.5,0.75,1 \
      --grid 5=1.4,2,3 --grid 7=0,0.25,0.5
"""
from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from basic_emotions import BASIC_EMOTIONS, apex_failures  # noqa: E402
from sample_photos import PHOTOS  # noqa: E402

from thinkdraw_core.draft import renderer  # noqa: E402
from thinkdraw_core.face.analyzer import au_levels, unreadable_aus  # noqa: E402
from thinkdraw_core.face.landmarks import get_landmarker  # noqa: E402


def parse_grid(items: list[str]) -> dict[int, list[float]]:
    grid = {}
    for item in items:
        au, _, steps = item.partition("=")
        if not steps:
            raise SystemExit(f"--grid {item!r}: write AU=gain,gain,... e.g. 5=1,2,3")
        grid[int(au)] = [float(g) for g in steps.split(",")]
    return grid


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", choices=sorted(PHOTOS), default="astronaut")
    ap.add_argument("--emotion", choices=sorted(BASIC_EMOTIONS), required=True)
    ap.add_argument("--grid", action="append", required=True, metavar="AU=G,G,...",
                    help="gains to try for one AU of the plan (repeatable)")
    ap.add_argument("--neutralize", type=float, default=0.8)
    args = ap.parse_args(argv)
    aus = BASIC_EMOTIONS[args.emotion]
    grid = parse_grid(args.grid)
    if not set(grid) <= set(aus):
        raise SystemExit(f"--grid: AU{sorted(set(grid) - set(aus))} is not in {args.emotion}'s plan {sorted(aus)}")

    landmarker = get_landmarker()
    image = PHOTOS[args.photo]()
    if image is None:
        raise SystemExit(f"the photo {args.photo!r} is not installed")
    prepared = renderer.prepare_face(image, landmarker=landmarker)
    # the rest pose as the calibration settles it
    measurer, rest, _, _ = renderer.relaxed_rest(prepared, args.neutralize, landmarker,
                                                 renderer.CALIBRATION_ITERATIONS)
    base = au_levels(measurer.blendshapes(renderer._render_frame(prepared, rest, {})))
    apex = dict(rest)
    for au, v in aus.items():
        left, right = apex.get(au, (0.0, 0.0))
        apex[au] = (left + v, right + v)
    unreadable = unreadable_aus(aus)
    asked = [au for au, v in aus.items() if v >= 0.4 and au not in unreadable and au in base]

    print(f"{args.photo} {args.emotion}: change at apex against the relaxed rest frame; other AUs at gain 1")
    print(" ".join(f"g{au:<5}" for au in grid) + " | " + " ".join(f"AU{au:<5}" for au in asked)
          + " | criterion failures")
    hits = rows = 0
    for combo in itertools.product(*grid.values()):
        gains = dict(zip(grid, combo))
        rows += 1
        shapes = measurer.blendshapes(renderer._render_frame(prepared, apex, gains, rest=rest))
        if shapes is None:
            print(" ".join(f"{g:<6}" for g in combo) + " | the face was lost")
            continue
        got = {au: level - base[au] for au, level in au_levels(shapes).items()}
        failures = apex_failures(args.emotion, got)
        hits += not failures
        print(" ".join(f"{g:<6}" for g in combo) + " | " + " ".join(f"{got[au]:+.2f}  " for au in asked) + " | "
              + ("; ".join(failures) or "all"), flush=True)
    print(f"{hits} of {rows} combinations pass the criterion")


if __name__ == "__main__":
    main()
