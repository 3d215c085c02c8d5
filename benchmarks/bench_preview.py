"""The panel's apex preview against the full draft it stands in for (issue: edits answer in about a second).

Side by side in one process on a 512 px portrait: the full calibrated draft of a 5 s clip at 25 fps, every
frame drawn (what Run costs after an edit), against one apex frame from the preview cache, warm (the
portrait drafted once, as after the first Run) and cold (a portrait the cache has not seen: the face is
found first). The goal is the issue's: about a second per edit.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import skimage.data  # noqa: E402

from benchmarks.common import markdown_table, median_time, row  # noqa: E402
from thinkdraw_core.draft import render_draft  # noqa: E402
from thinkdraw_core.draft.preview import ApexPreview  # noqa: E402
from thinkdraw_core.face import get_landmarker  # noqa: E402
from thinkdraw_core.plan import ActionUnit, AUPlan  # noqa: E402


def _plan(smile: float) -> AUPlan:
    return AUPlan(text="happy", action_units=[ActionUnit(6, 0.6), ActionUnit(12, smile), ActionUnit(25, 0.3)])


def run(quick: bool = False) -> list[dict]:
    image = skimage.data.astronaut()
    landmarker = get_landmarker()
    seconds = 2.0 if quick else 5.0

    def full():
        return render_draft(image, _plan(0.8), seconds=seconds, fps=25.0, landmarker=landmarker).to_array()

    full_s = median_time(full, repeats=1 if quick else 3, warmup=0)
    cache = ApexPreview()
    cache.remember(image, render_draft(image, _plan(0.8), seconds=0.5, fps=4.0, landmarker=landmarker),
                   neutralize=0.8, face_index=None, crop_margin=0.6)
    edits = iter([0.2 + 0.01 * (i % 70) for i in range(10_000)])  # every call a new slider value
    warm_s = median_time(lambda: cache.frame(image, _plan(next(edits)), landmarker=landmarker), repeats=20)
    cold_s = median_time(lambda: ApexPreview().frame(image, _plan(0.8), landmarker=landmarker),
                         repeats=3 if quick else 5)
    case = f"{seconds:g} s clip, 25 fps, 512 px"
    return [
        row("preview", f"full draft after an edit ({case})", full_s, notes="calibration + every frame drawn"),
        row("preview", "apex preview, portrait drafted before", warm_s, baseline="full draft", ratio=full_s / warm_s,
            goal="<= 1 s", notes="ratio: how many times faster than the full draft"),
        row("preview", "apex preview, new portrait", cold_s, baseline="full draft", ratio=full_s / cold_s,
            goal="<= 1 s", notes="finds the face first; uncalibrated gains held in the envelope"),
    ]


if __name__ == "__main__":
    print(markdown_table(run(quick="--quick" in sys.argv)))
