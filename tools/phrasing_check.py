"""Dev tool: the issue's quality criterion on free-text plans, not only the six basic prototypes.

The criterion (tests/basic_emotions.py) is written for the basic emotions, but the product is judged on
phrasings nobody tuned for. This reasons each text with the embedded backend, draws it as the quality test
draws the basic emotions (a held apex, no blinks or sway) on each photo, and prints what fails: a requested
AU of intensity >= 0.4 that the model can read rising less than 0.08, or an unrequested AU moving more than
0.15. It also prints how many trial frames the calibration measured.

  .venv/bin/python tools/phrasing_check.py [--photo blonde] [--text "bitter contempt"]

About 1-4 s per text and photo on a 2-core machine.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from basic_emotions import plan_failures, render_held  # noqa: E402
from sample_photos import ALL_PHOTOS  # noqa: E402

from thinkdraw_core.reasoning import reason  # noqa: E402

# free phrasings across the basic emotions, blends and held-back feelings; none is a dev-set string
TEXTS = ("smug, one side of the mouth up", "quiet pride, fighting back tears", "terrified", "disgusted by the smell",
         "bitter contempt", "wistful nostalgia", "startled then amused", "exhausted and sad", "furious", "delighted")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", action="append", choices=sorted(ALL_PHOTOS), help="default: all")
    ap.add_argument("--text", action="append", help="default: the built-in phrasings")
    args = ap.parse_args()
    failed = total = 0
    for photo in args.photo or list(ALL_PHOTOS):
        img = ALL_PHOTOS[photo]()
        if img is None:
            print(f"{photo}: not installed, skipped")
            continue
        for text in args.text or TEXTS:
            action_units = reason(text).action_units
            t0 = time.perf_counter()
            result = render_held(img, text, action_units)
            failures = plan_failures(text, {a.au: a.intensity for a in action_units}, result.analyze().apex())
            failed, total = failed + bool(failures), total + 1
            print(f"{photo:9s} {text:34s} {time.perf_counter() - t0:4.1f} s, "
                  f"{result.calibration['trial_frames']:3d} trial frames: {'; '.join(failures) or 'ok'}", flush=True)
    print(f"{failed} of {total} texts x photos fail")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
