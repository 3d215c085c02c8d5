"""Measure the AUs a video actually shows: blendshapes per frame, as change against the first frame.

The AU <-> blendshape table is facs.AU_CATALOG[au].blendshapes (../shared/reference/facs.md). The
face is located once on the first frame; every frame is measured on the same crop, upscaled, so
small faces in large frames are measured as reliably as close-ups.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import cv2
import numpy as np

from ..facs import AU_CATALOG
from ..plan import AUPlan
from .landmarks import FaceLandmarker, NoFaceError, detect_face, face_crop_box, get_landmarker

MEASURABLE: dict[int, tuple[str, ...]] = {au: info.blendshapes for au, info in AU_CATALOG.items() if info.blendshapes}
MEASURE_SIZE = 384


def au_levels(blendshapes: dict[str, float], side: str = "both") -> dict[int, float]:
    """Each measurable AU's level from one face's blendshapes (sided names are the subject's own side)."""
    out = {}
    for au, names in MEASURABLE.items():
        vals = []
        for n in names:
            if side == "left" and n.endswith("Right") or side == "right" and n.endswith("Left"):
                continue
            vals.append(blendshapes.get(n, 0.0))
        out[au] = float(np.mean(vals)) if vals else 0.0
    return out


def shares_blendshapes(au: int, others: Iterable[int]) -> bool:
    mine = set(MEASURABLE.get(au, ()))
    return any(mine & set(MEASURABLE.get(o, ())) for o in others if o != au)


@dataclass
class AnalysisReport:
    fps: float
    aus: list[int]
    measured: np.ndarray  # (T, A) change against frame 0, NaN where no face was found
    requested: dict[int, float]
    requested_curve: np.ndarray | None = None  # (T,) the plan's envelope when known
    lost_frames: list[int] = field(default_factory=list)
    apex_frames: list[int] = field(default_factory=list)
    sides: dict[int, str] = field(default_factory=dict)

    def apex(self) -> dict[int, float]:
        """Measured change per AU at the apex: the median over apex frames."""
        frames = self.apex_frames or list(range(len(self.measured)))
        sel = self.measured[frames]
        return {au: float(np.nanmedian(sel[:, i])) if np.isfinite(sel[:, i]).any() else float("nan")
                for i, au in enumerate(self.aus)}

    def peak(self) -> dict[int, float]:
        return {au: float(np.nanmax(np.abs(self.measured[:, i]))) if np.isfinite(self.measured[:, i]).any() else float("nan")
                for i, au in enumerate(self.aus)}

    def rows(self) -> list[dict]:
        apex = self.apex()
        rows = []
        for au in self.aus:
            req = self.requested.get(au, 0.0)
            shared = req == 0.0 and shares_blendshapes(au, [a for a, v in self.requested.items() if v > 0])
            rows.append({"au": au, "name": AU_CATALOG[au].name, "requested": round(req, 3),
                         "measured": round(apex[au], 3), "side": self.sides.get(au, "both"),
                         "shares_blendshapes_with_request": shared})
        return rows

    def to_dict(self) -> dict:
        return {"fps": self.fps, "frames": int(self.measured.shape[0]), "lost_frames": self.lost_frames,
                "apex_frames": [self.apex_frames[0], self.apex_frames[-1]] if self.apex_frames else [],
                "aus": self.rows()}

    def to_text(self) -> str:
        lines = [f"{'AU':>4}  {'name':<22} {'requested':>9} {'measured':>9}"]
        for r in self.rows():
            if r["requested"] == 0 and abs(r["measured"]) < 0.05:
                continue
            lines.append(f"AU{r['au']:<2}  {r['name']:<22} {r['requested']:>9.2f} {r['measured']:>+9.2f}")
        lines.append(f"frames: {self.measured.shape[0]} at {self.fps:g} fps; face lost in {len(self.lost_frames)}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def plot(self, width: int = 800, height: int = 450) -> np.ndarray:
        """AU curves over time (measured solid, requested dashed) as an RGB uint8 image."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure

        t = np.arange(self.measured.shape[0]) / self.fps
        fig = Figure(figsize=(width / 100, height / 100), dpi=100)
        ax = fig.add_subplot(111)
        shown = [au for au in self.aus if self.requested.get(au, 0) > 0 or np.nanmax(np.abs(np.nan_to_num(self.measured[:, self.aus.index(au)]))) >= 0.1]
        colours = matplotlib.colormaps["tab10"]
        for k, au in enumerate(shown):
            c = colours(k % 10)
            ax.plot(t, self.measured[:, self.aus.index(au)], color=c, lw=1.8, label=f"AU{au} {AU_CATALOG[au].name}")
            req = self.requested.get(au, 0.0)
            if req > 0 and self.requested_curve is not None:
                ax.plot(t, req * self.requested_curve, color=c, lw=1.0, ls="--")
        for f in self.lost_frames:
            ax.axvspan(f / self.fps, (f + 1) / self.fps, color="red", alpha=0.2)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("change vs first frame (blendshape units)")
        ax.set_title("ThinkDraw expression analysis: measured (solid) vs requested (dashed)")
        ax.axhline(0, color="grey", lw=0.5)
        if shown:
            ax.legend(loc="upper left", fontsize=7, ncol=2)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        img = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_COLOR)
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


class FrameMeasurer:
    """Blendshapes of one face across frames, measured on a fixed, upscaled crop."""

    def __init__(self, first_frame: np.ndarray, landmarker: FaceLandmarker | None = None,
                 face_index: int | None = None, margin: float = 0.45, name: str = "the first frame"):
        self.landmarker = landmarker or get_landmarker()
        face = detect_face(first_frame, face_index, name=name, landmarker=self.landmarker)
        self.box = face_crop_box(face, first_frame.shape[:2], margin)
        self.scale = MEASURE_SIZE / max(self.box.width, self.box.height)

    def blendshapes(self, frame: np.ndarray) -> dict[str, float] | None:
        b = self.box
        crop = frame[b.y0:b.y1, b.x0:b.x1]
        crop = cv2.resize(crop, None, fx=self.scale, fy=self.scale,
                          interpolation=cv2.INTER_CUBIC if self.scale > 1 else cv2.INTER_AREA)
        faces = self.landmarker.detect(crop)
        return faces[0].blendshapes if faces else None


def analyze_frames(frames: Sequence[np.ndarray] | Iterable[np.ndarray], plan: AUPlan | None = None, fps: float = 25.0,
                   face_index: int | None = None, landmarker: FaceLandmarker | None = None,
                   progress=None) -> AnalysisReport:
    """Requested vs measured AUs over a clip; the first frame is the neutral reference."""
    it = iter(frames)
    try:
        first = np.asarray(next(it))
    except StopIteration:
        raise ValueError("analyze_frames needs at least one frame") from None
    measurer = FrameMeasurer(first, landmarker, face_index)
    aus = sorted(MEASURABLE)
    sides = {a.au: a.side for a in plan.action_units} if plan else {}
    base = measurer.blendshapes(first)
    if base is None:
        raise NoFaceError("the face found in the first frame is lost on its crop; give a larger, clearer face")
    ref_both, ref_l, ref_r = au_levels(base), au_levels(base, "left"), au_levels(base, "right")
    rows, lost = [], []
    for i, frame in enumerate(_chain(first, it)):
        shapes = measurer.blendshapes(np.asarray(frame)) if i else base
        if shapes is None:
            lost.append(i)
            rows.append([np.nan] * len(aus))
        else:
            lv = {"both": au_levels(shapes), "left": au_levels(shapes, "left"), "right": au_levels(shapes, "right")}
            ref = {"both": ref_both, "left": ref_l, "right": ref_r}
            rows.append([lv[sides.get(au, "both")][au] - ref[sides.get(au, "both")][au] for au in aus])
        if progress:
            progress(i + 1)
    measured = np.array(rows, dtype=np.float64)
    requested = {a.au: a.intensity for a in plan.action_units} if plan else {}
    curve, apex = None, []
    if plan is not None:
        t = np.arange(len(rows)) / fps
        curve = np.asarray(plan.timeline.envelope(t))
        apex = [int(i) for i in np.flatnonzero(curve >= 0.95 * curve.max())] if curve.max() > 0 else []
    return AnalysisReport(fps=fps, aus=aus, measured=measured, requested=requested, requested_curve=curve,
                          lost_frames=lost, apex_frames=apex, sides=sides)


def _chain(first, rest):
    yield first
    yield from rest
