"""Regenerate the docs' figures.

    .venv/bin/python tools/readme_figure.py ["emotion text"]   # docs/demo_strip.jpg: the sample portrait animated
                                                              # by a plan, neutral -> onset -> apex
    .venv/bin/python tools/readme_figure.py --hold-still      # docs/hold_still.jpg: a spectacle frame bent by the
                                                              # brows, and held still by its mask
"""
from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from thinkdraw_core.draft import render_draft
from thinkdraw_core.reasoning import reason

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "demo_strip.jpg"
HOLD_STILL_OUT = ROOT / "docs" / "hold_still.jpg"
HOLD_STILL_EMOTIONS = ("astonished", "terrified", "deeply sad")


def hold_still_figure() -> Path:
    """A tune photo in drawn spectacles at each emotion's apex, the frame unmarked and marked (hold_still)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from sample_photos import NEUTRAL_PHOTOS, with_drawn_spectacles

    photo = NEUTRAL_PHOTOS["blonde"]()
    worn, mask = with_drawn_spectacles(photo)
    rows = []
    for text in HOLD_STILL_EMOTIONS:
        tiles = []
        for label, marked in (("unmarked", None), ("hold_still", mask)):
            result = render_draft(worn, reason(text), seconds=2.4, fps=10, seed=0, blinks=False, hold_still=marked)
            x0, y0, x1, y1 = result.prepared.box
            # the upper face, where the frame and the brows are
            crop = result.frame(result.n_frames - 1)[y0:y1, x0:x1][: (y1 - y0) * 3 // 5]
            tile = cv2.resize(crop, (320, round(320 * crop.shape[0] / crop.shape[1])), interpolation=cv2.INTER_AREA)
            cv2.putText(tile, f"{text}: {label}", (8, tile.shape[0] - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                        (255, 255, 255), 2, cv2.LINE_AA)
            tiles.append(tile)
        rows.append(np.concatenate(tiles, axis=1))
    cv2.imwrite(str(HOLD_STILL_OUT), cv2.cvtColor(np.concatenate(rows), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return HOLD_STILL_OUT


def main() -> int:
    if sys.argv[1:] == ["--hold-still"]:
        print(hold_still_figure())
        return 0
    text = sys.argv[1] if len(sys.argv) > 1 else "quiet pride, fighting back tears"
    plan = reason(text)
    result = render_draft(data.astronaut(), plan, seconds=2.4, fps=10, seed=0, blinks=False)
    picks = [0, result.n_frames // 3, result.n_frames - 1]
    tiles = []
    x0, y0, x1, y1 = result.prepared.box
    for label, i in zip(("start", "onset", "apex"), picks):
        tile = cv2.resize(result.frame(i)[y0:y1, x0:x1], (256, 256), interpolation=cv2.INTER_AREA)
        cv2.putText(tile, label, (8, 248), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 2, cv2.LINE_AA)
        tiles.append(tile)
    strip = np.concatenate(tiles, axis=1)
    aus = ", ".join(f"AU{a.au} {a.intensity:.2f}" + ("" if a.side == "both" else f" {a.side[0].upper()}")
                    for a in plan.action_units)
    banner = np.full((40, strip.shape[1], 3), 24, np.uint8)
    cv2.putText(banner, f'"{text}"  ->  {aus}', (8, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (235, 235, 235), 1, cv2.LINE_AA)
    cv2.imwrite(str(OUT), cv2.cvtColor(np.concatenate([banner, strip]), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
