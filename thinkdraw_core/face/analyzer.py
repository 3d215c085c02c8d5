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

from ..beats import au_curves, beat_weights, beat_windows, fit_to_clip, pose
from ..facs import AU_CATALOG, au_label
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
# How the report words a reading (blendshape change against the first frame), the draft's quality criterion's
# numbers: a requested AU that rises less than SEEN_RISE was not seen; an AU nobody asked for that moves by
# SIDE_EFFECT or more is a side effect. Smaller movements of unrequested AUs are left out of the report.
SEEN_RISE = 0.08
SIDE_EFFECT = 0.15


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


def report_flag(row: dict) -> str:
    """How one report row reads: 'unreadable' (the model cannot see it here), 'missed' (asked, rose less than
    SEEN_RISE), 'seen', 'side effect' (not asked, moved SIDE_EFFECT or more) or '' (not asked, still)."""
    measured = row["measured"]
    if row["requested"] > 0:
        if row.get("unreadable_by_model"):
            return "unreadable"
        return "seen" if np.isfinite(measured) and measured >= SEEN_RISE else "missed"
    return "side effect" if np.isfinite(measured) and abs(measured) >= SIDE_EFFECT else ""


def report_line(row: dict) -> str:
    """'Smile (AU12): asked 0.80, seen +0.75', with what is wrong with it, if anything."""
    seen = f"{row['measured']:+.2f}" if np.isfinite(row["measured"]) else "nothing (face lost)"
    note = {"missed": " - MISSED", "unreadable": " - the model cannot read it here",
            "side effect": " - SIDE EFFECT"}.get(report_flag(row), "")
    asked = f"asked {row['requested']:.2f}" if row["requested"] > 0 else "not asked"
    return f"{au_label(row['au'])}: {asked}, seen {seen}{note}"


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
    plan: AUPlan | None = None  # the plan drawn, when known: an arc is reported per beat (report_beats)

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
            rows.append({"au": au, "name": AU_CATALOG[au].name, "label": au_label(au), "requested": round(req, 3),
                         "measured": round(apex[au], 3), "side": self.sides.get(au, "both"),
                         "shares_blendshapes_with_request": shared, "unreadable_by_model": unreadable.get(au)})
        return rows

    def to_dict(self) -> dict:
        return {"fps": self.fps, "frames": int(self.measured.shape[0]), "lost_frames": self.lost_frames,
                "apex_frames": [self.apex_frames[0], self.apex_frames[-1]] if self.apex_frames else [],
                "aus": self.rows(), **({"beats": report_beats(self)} if _is_arc(self.plan) else {})}

    def to_text(self) -> str:
        """The report as lines an artist reads ("Smile (AU12): asked 0.80, seen +0.75"), misses and side effects
        flagged. Written as a Markdown list, so it keeps its lines where it is shown as Markdown (Preview Any)
        and reads the same as plain text."""
        rows = self.rows()
        asked = [r for r in rows if r["requested"] > 0]
        side_effects = [r for r in rows if report_flag(r) == "side effect"]
        lines = ["Requested vs seen at the apex (change against the first frame):", ""]
        lines += [f"- {report_line(r)}" for r in asked] or ["- nothing was requested (no plan connected)"]
        if side_effects:
            lines += ["", f"Side effects (not asked for, moved {SIDE_EFFECT:.2f} or more):", ""]
            lines += [f"- {report_line(r)}" for r in side_effects]
        missed = sum(report_flag(r) == "missed" for r in asked)
        lines += ["", f"{len(asked) - missed} of {len(asked)} requested AUs seen or unreadable, "
                      f"{len(side_effects)} side effects; {self.measured.shape[0]} frames measured at {self.fps:g} "
                      f"fps, face lost in {len(self.lost_frames)}."]
        beats = beats_text(report_beats(self))
        if beats:  # a beat's lines are indented under it: a nested list
            lines += ["", "Beat by beat:", ""]
            lines += [f"  - {line.strip()}" if line.startswith(" ") else f"- {line}" for line in beats]
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
        arc = requested_curves(self) if _is_arc(self.plan) else None  # an arc: requested from beat to beat
        # only what was asked for and what leaked (the report's side effects: moved SIDE_EFFECT or more unasked at
        # the apex; a blink or a syllable peaks higher anywhere): 20 flat curves hide the story
        apex = self.apex()
        shown = [au for au in self.aus if self.requested.get(au, 0) > 0 or au in (arc or {})
                 or (np.isfinite(apex[au]) and abs(apex[au]) >= SIDE_EFFECT)]
        shown.sort(key=lambda au: not (self.requested.get(au, 0) > 0 or au in (arc or {})))  # the asked first
        colours = matplotlib.colormaps["tab10"]
        unreadable = unreadable_aus(self.requested)
        for k, au in enumerate(shown):
            c = colours(k % 10)
            asked = self.requested.get(au, 0) > 0 or au in (arc or {})
            label = au_label(au) + (" (unreadable here)" if au in unreadable else "") + ("" if asked else " - not asked")
            ax.plot(t, self.measured[:, self.aus.index(au)], color=c, lw=1.8, label=label)
            req = self.requested.get(au, 0.0)
            if arc is not None:
                if au in arc:
                    ax.plot(t, arc[au], color=c, lw=1.0, ls="--")
            elif req > 0 and self.requested_curve is not None:
                ax.plot(t, req * self.requested_curve, color=c, lw=1.0, ls="--")
        shade_beats(ax, self)
        for f in self.lost_frames:
            ax.axvline(f / self.fps, color="red", alpha=0.4)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("change vs first frame (blendshape units)")
        ax.set_title("Measured (solid) vs requested (dashed)", fontsize=10)
        ax.axhline(0, color="grey", lw=0.5)
        if shown:
            # beside the axes, never over the curves
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
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
        # an AU is measured on the side the plan draws it (the first beat that asks for it decides, in an arc)
        self.sides = {}
        for beat in (plan.beats if plan else []):
            for a in beat.action_units:
                self.sides.setdefault(a.au, a.side)
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
        if _is_arc(plan) and plan.beat_timing == "shared":
            # beats that share the clip are spread over it, as the renderers drew them (without the speech's
            # pauses, which a renderer given speech also snaps the borders to: give the plan it drew, fitted)
            plan = fit_to_clip(plan, self._count / self.fps)
        requested = {a.au: a.intensity for a in plan.action_units} if plan else {}
        curve, apex = None, []
        times = np.array(self.times)
        if plan is not None:
            curve = np.asarray(plan.timeline.envelope(times), dtype=np.float64)
            if _is_arc(plan):  # the report's own rows are the first beat's, read while it holds (the rest per beat)
                curve = beat_weights(plan, times)[0]
            if curve.max() > 0:
                apex = [int(i) for i in np.flatnonzero(curve >= 0.95 * curve.max())]
        return AnalysisReport(fps=self.fps, aus=self.aus, measured=measured, requested=requested,
                              requested_curve=curve, lost_frames=self.lost, apex_frames=apex, sides=self.sides,
                              times=times, plan=plan)


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


# -- arcs: requested vs measured per beat ----------------------------------------------------------------------
# A beat is read where the face holds its pose: inside its window (beats.beat_windows), at the rows where every
# AU of the plan is within SETTLED of that beat's pose on the requested curves (beats.au_curves), so the rise
# from the beat before and the handover to the next are left out. A beat too short to settle is read over the
# second half of its window, and says so.
SETTLED = 0.05
MOVED = 0.05  # an AU no beat asks for is listed in a beat where it moves this much (to_text's own floor)


def _is_arc(plan: AUPlan | None) -> bool:
    return plan is not None and len(plan.beats) > 1


def _report_times(report: AnalysisReport) -> np.ndarray:
    return report.times if report.times is not None else np.arange(report.measured.shape[0]) / report.fps


def report_beats(report: AnalysisReport) -> list[dict]:
    """An arc's beats, each with what it asked for and what the video shows while it holds, against the rest
    frame (the first): [{"beat", "text", "emotion", "window": [start, end] s, "held": [first, last] s of the rows
    read, "rows", "settled", "aus": [{"au", "name", "requested", "measured"}], "unreadable"}]. Every AU any beat
    asks for is listed in every beat (asked 0 where that beat does not), so a feeling that fades shows as its
    AUs falling in the next beat; so is any other AU that moves MOVED or more there. [] for a plan of one
    expression (its rows are the report's own)."""
    plan = report.plan
    if not _is_arc(plan):
        return []
    t = _report_times(report)
    step = float(np.median(np.diff(t))) if len(t) > 1 else 1.0 / report.fps
    windows = beat_windows(plan, float(t[-1]) + step if len(t) else 0.0)
    curves = au_curves(plan, t)
    beats = plan.beats
    arc_aus = sorted({a.au for b in beats for a in b.action_units if a.intensity > 0})
    out = []
    for i, (beat, (start, end)) in enumerate(zip(beats, windows)):
        inside = (t >= start) & ((t < end) if i + 1 < len(beats) else (t <= end))
        target = pose(beat)
        off = np.zeros(len(t))
        for au, curve in curves.items():
            off = np.maximum(off, np.abs(curve - np.array(target.get(au, (0.0, 0.0)))).max(axis=1))
        rows = inside & (off <= SETTLED)
        settled = bool(rows.any())
        if not settled:
            rows = inside & (t >= (start + end) / 2)
        aus = []
        for au in arc_aus:
            if au not in report.aus:
                continue
            sel = report.measured[rows, report.aus.index(au)]
            seen = float(np.nanmedian(sel)) if np.isfinite(sel).any() else float("nan")
            aus.append({"au": au, "name": AU_CATALOG[au].name, "requested": round(beat.au_intensity(au), 3),
                        "measured": round(seen, 3)})
        # and what moved that no beat asked for (as the report's own rows list it)
        for k, au in enumerate(report.aus):
            sel = report.measured[rows, k]
            if au not in arc_aus and np.isfinite(sel).any() and abs(float(np.nanmedian(sel))) >= MOVED:
                aus.append({"au": au, "name": AU_CATALOG[au].name, "requested": 0.0,
                            "measured": round(float(np.nanmedian(sel)), 3)})
        held = t[rows]
        out.append({"beat": i, "text": beat.text, "emotion": beat.emotion.label,
                    "window": [round(start, 3), round(end, 3)],
                    "held": [round(float(held[0]), 3), round(float(held[-1]), 3)] if held.size else [],
                    "rows": int(rows.sum()), "settled": settled, "aus": aus,
                    "unreadable": unreadable_aus({a.au: a.intensity for a in beat.action_units})})
    return out


def beats_text(beats: list[dict]) -> list[str]:
    """report_beats as lines of text (none for a plan of one expression)."""
    lines = []
    for b in beats:
        held = f"held {b['held'][0]:.1f}-{b['held'][1]:.1f} s" if b["held"] else "no rows measured there"
        settle = "" if b["settled"] else ", too short to settle: its second half"
        start, end = b["window"]
        lines.append(f"beat {b['beat'] + 1} \"{b['text']}\" ({b['emotion']}): {start:.1f}-{end:.1f} s, {held}{settle}")
        for r in b["aus"]:
            note = " - the model cannot read it here" if r["au"] in b["unreadable"] else ""
            asked = f"asked {r['requested']:.2f}" if r["requested"] > 0 else "not asked"
            seen = f"{r['measured']:+.2f}" if np.isfinite(r["measured"]) else "nothing (face lost)"
            lines.append(f"  {au_label(r['au'])}: {asked}, seen {seen}{note}")
    return lines


def requested_curves(report: AnalysisReport) -> dict[int, np.ndarray]:
    """Each AU's requested intensity at the report's rows (beats.au_curves, on the side it is measured): for an
    arc the curves that move from beat to beat; for one expression, intensity x its envelope."""
    if report.plan is None:
        return {}
    curves = au_curves(report.plan, _report_times(report))
    side = {"left": 0, "right": 1}
    return {au: (c[:, side[report.sides[au]]] if report.sides.get(au) in side else c.max(axis=1))
            for au, c in curves.items()}


def shade_beats(ax, report: AnalysisReport) -> None:
    """An arc's beats on a plot over time: each window shaded in turn, numbered, with its feeling."""
    for b in report_beats(report):
        start, end = b["window"]
        ax.axvspan(start, end, color="grey", alpha=0.08 if b["beat"] % 2 else 0.16, lw=0)
        label = f"{b['beat'] + 1}: {b['emotion'] if b['emotion'] != 'neutral' else b['text'] or 'neutral'}"
        # along the bottom: the legend sits in the upper left
        ax.text(start, 0.01, label[:28], transform=ax.get_xaxis_transform(), fontsize=7, va="bottom", ha="left",
                color="dimgrey")
