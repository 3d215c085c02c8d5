"""Measure the AUs a video actually shows: blendshapes per frame, as change against the first frame.

The AU <-> blendshape table is facs.AU_CATALOG[au].blendshapes (../shared/reference/facs.md). The
face is located once on the first frame; every frame is measured on the same crop, upscaled, so
small faces in large frames are measured as reliably as close-ups.
"""
from __future__ import annotations

import copy
import io
import json
import queue
import threading
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import cv2
import numpy as np

from ..facs import AU_CATALOG
from ..plan import AUPlan
from .landmarks import Face, FaceLandmarker, NoFaceError, detect_face, face_crop_box, get_landmarker

MEASURABLE: dict[int, tuple[str, ...]] = {au: info.blendshapes for au, info in AU_CATALOG.items() if info.blendshapes}
MEASURE_SIZE = 384
# AUs whose blendshapes MediaPipe's model leaves at ~0 whatever the face does: cheekSquint stays 0 on
# real broad (Duchenne) smiles, eyeWide on a real surprise and noseSneer on real sneers
# (google-ai-edge/mediapipe#4450 names eyeWide and noseSneer). Their change is still reported, but a
# missing rise there says nothing about the drawing.
BLIND_AUS: dict[int, str] = {
    5: "eyeWideLeft/Right stay ~0 on a real surprise (tests/unit/test_blendshape_model.py; "
       "google-ai-edge/mediapipe#4450)",
    6: "cheekSquintLeft/Right stay ~0 on real smiles (tests/unit/test_blendshape_model.py)",
    9: "noseSneerLeft/Right stay ~0 on real sneers (google-ai-edge/mediapipe#4450)",
}
# AUs the model cannot read in the company of another requested AU (from MASKING_LEVEL on): the masked AU,
# the AUs that mask it, and why. The model reads brow height on one axis: browDown rises only once the
# brows net down, which takes browOuterUp down with it, so a lowered brow and a raised outer brow never
# read together, whatever the gains (tests/unit/test_blendshape_model.py; tools/blendshape_reach.py finds
# no mirrored brow shape near fear's that does).
MASKED_AUS: dict[int, tuple[frozenset[int], str]] = {
    4: (frozenset({2}), "browDown stays ~0 while browOuterUp reads: AU4 does not show beside AU2"),
    # jawOpen reads the jaw, and a smile parts the lips over a nearly closed one (real smiles with the lips
    # 0.15-0.22 inter-ocular distances apart read jawOpen <= 0.04, tests/unit/test_blendshape_model.py)
    25: (frozenset({12}), "jawOpen stays ~0 on real smiles with parted lips: AU25 does not show beside AU12"),
}
MASKING_LEVEL = 0.25


def unreadable_aus(requested: Mapping[int, float]) -> dict[int, str]:
    """The requested AUs (au -> intensity) the blendshape model cannot read in this company, with why."""
    out = {}
    for au, intensity in requested.items():
        if intensity <= 0:
            continue
        if au in BLIND_AUS:
            out[au] = BLIND_AUS[au]
        elif au in MASKED_AUS and any(requested.get(m, 0.0) >= MASKING_LEVEL for m in MASKED_AUS[au][0]):
            out[au] = MASKED_AUS[au][1]
    return out


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
    times: np.ndarray | None = None  # seconds of each measured row (rows may skip frames)

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
        unreadable = unreadable_aus(self.requested)
        rows = []
        for au in self.aus:
            req = self.requested.get(au, 0.0)
            shared = req == 0.0 and shares_blendshapes(au, [a for a, v in self.requested.items() if v > 0])
            rows.append({"au": au, "name": AU_CATALOG[au].name, "requested": round(req, 3),
                         "measured": round(apex[au], 3), "side": self.sides.get(au, "both"),
                         "shares_blendshapes_with_request": shared, "unreadable_by_model": unreadable.get(au)})
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
            note = "  (the model cannot read it here)" if r["unreadable_by_model"] else ""
            lines.append(f"AU{r['au']:<2}  {r['name']:<22} {r['requested']:>9.2f} {r['measured']:>+9.2f}{note}")
        lines.append(f"measured frames: {self.measured.shape[0]} at {self.fps:g} fps; face lost in {len(self.lost_frames)}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def plot(self, width: int = 800, height: int = 450) -> np.ndarray:
        """AU curves over time (measured solid, requested dashed) as an RGB uint8 image."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure

        t = self.times if self.times is not None else np.arange(self.measured.shape[0]) / self.fps
        fig = Figure(figsize=(width / 100, height / 100), dpi=100)
        ax = fig.add_subplot(111)
        shown = [au for au in self.aus if self.requested.get(au, 0) > 0 or np.nanmax(np.abs(np.nan_to_num(self.measured[:, self.aus.index(au)]))) >= 0.1]
        colours = matplotlib.colormaps["tab10"]
        unreadable = unreadable_aus(self.requested)
        for k, au in enumerate(shown):
            c = colours(k % 10)
            label = f"AU{au} {AU_CATALOG[au].name}" + (" (unreadable here)" if au in unreadable else "")
            ax.plot(t, self.measured[:, self.aus.index(au)], color=c, lw=1.8, label=label)
            req = self.requested.get(au, 0.0)
            if req > 0 and self.requested_curve is not None:
                ax.plot(t, req * self.requested_curve, color=c, lw=1.0, ls="--")
        for f in self.lost_frames:
            ax.axvline(f / self.fps, color="red", alpha=0.4)
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

    def with_landmarker(self, landmarker: FaceLandmarker) -> "FrameMeasurer":
        """The same crop measured by another landmarker (one per thread measures in parallel)."""
        twin = copy.copy(self)
        twin.landmarker = landmarker
        return twin

    def face(self, frame: np.ndarray) -> Face | None:
        """The face found on the measuring crop of `frame` (landmarks in the upscaled crop's pixels:
        divide by `scale` and add the box's corner for the frame's), or None."""
        b = self.box
        crop = frame[b.y0:b.y1, b.x0:b.x1]
        crop = cv2.resize(crop, None, fx=self.scale, fy=self.scale,
                          interpolation=cv2.INTER_CUBIC if self.scale > 1 else cv2.INTER_AREA)
        faces = self.landmarker.detect(crop)
        return faces[0] if faces else None

    def blendshapes(self, frame: np.ndarray) -> dict[str, float] | None:
        face = self.face(frame)
        return face.blendshapes if face else None


class StreamingAnalyzer:
    """Measure frames as they are produced (every `stride`-th), so a renderer need not keep them.

    background=True measures on a worker thread (the landmarker leaves the GIL while it runs), a few
    frames behind the producer, so rendering and encoding go on meanwhile; `report` waits for it."""

    QUEUE_DEPTH = 4  # frames waiting for the worker: bounds the memory and holds a fast producer back

    def __init__(self, plan: AUPlan | None = None, fps: float = 25.0, face_index: int | None = None,
                 landmarker: FaceLandmarker | None = None, stride: int = 1, background: bool = False):
        self.plan, self.fps, self.face_index, self.stride = plan, float(fps), face_index, max(1, int(stride))
        self.landmarker = landmarker
        self.aus = sorted(MEASURABLE)
        self.sides = {a.au: a.side for a in plan.action_units} if plan else {}
        self.rows: list[list[float]] = []
        self.times: list[float] = []
        self.lost: list[int] = []
        self._count = 0
        self._measurer: FrameMeasurer | None = None
        self._ref: dict[str, dict[int, float]] = {}
        self._queue: queue.Queue | None = None
        self._worker: threading.Thread | None = None
        self._failure: BaseException | None = None
        if background:
            self._queue = queue.Queue(self.QUEUE_DEPTH)
            self._worker = threading.Thread(target=self._work, name="ThinkDraw-analyzer", daemon=True)
            self._worker.start()

    def add(self, frame: np.ndarray) -> None:
        i = self._count
        self._count += 1
        if i % self.stride:
            return
        if self._queue is None:
            self._measure(i, np.asarray(frame))
            return
        self._raise_failure()
        self._queue.put((i, np.asarray(frame)))

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._failure is None:
                try:
                    self._measure(*item)
                except BaseException as exc:  # noqa: BLE001 - raised again in the producer's thread
                    self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        """Wait for the frames handed to the background worker (a no-op without one)."""
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join()
            self._worker = None
        self._raise_failure()

    def _measure(self, i: int, frame: np.ndarray) -> None:
        if self._measurer is None:
            self._measurer = FrameMeasurer(frame, self.landmarker, self.face_index)
            base = self._measurer.blendshapes(frame)
            if base is None:
                raise NoFaceError("the face found in the first frame is lost on its crop; give a larger, clearer face")
            self._ref = {s: au_levels(base, s) for s in ("both", "left", "right")}
            shapes = base
        else:
            shapes = self._measurer.blendshapes(frame)
        self.times.append(i / self.fps)
        if shapes is None:
            self.lost.append(i)
            self.rows.append([np.nan] * len(self.aus))
            return
        lv = {s: au_levels(shapes, s) for s in ("both", "left", "right")}
        self.rows.append([lv[self.sides.get(au, "both")][au] - self._ref[self.sides.get(au, "both")][au]
                          for au in self.aus])

    def report(self) -> AnalysisReport:
        self.close()
        if not self.rows:
            raise ValueError("no frames were analysed")
        measured = np.array(self.rows, dtype=np.float64)
        plan = self.plan
        requested = {a.au: a.intensity for a in plan.action_units} if plan else {}
        curve, apex = None, []
        times = np.array(self.times)
        if plan is not None:
            curve = np.asarray(plan.timeline.envelope(times), dtype=np.float64)
            if curve.max() > 0:
                apex = [int(i) for i in np.flatnonzero(curve >= 0.95 * curve.max())]
        return AnalysisReport(fps=self.fps, aus=self.aus, measured=measured, requested=requested,
                              requested_curve=curve, lost_frames=self.lost, apex_frames=apex, sides=self.sides,
                              times=times)


def analyze_frames(frames: Sequence[np.ndarray] | Iterable[np.ndarray], plan: AUPlan | None = None, fps: float = 25.0,
                   face_index: int | None = None, landmarker: FaceLandmarker | None = None,
                   progress=None, stride: int = 1) -> AnalysisReport:
    """Requested vs measured AUs over a clip; the first frame is the neutral reference."""
    analyzer = StreamingAnalyzer(plan, fps, face_index, landmarker, stride)
    for i, frame in enumerate(frames):
        analyzer.add(frame)
        if progress:
            progress(i + 1)
    if analyzer._count == 0:
        raise ValueError("analyze_frames needs at least one frame")
    return analyzer.report()
