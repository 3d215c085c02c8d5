"""The basic emotions as AU plans (EMFACS prototypes, ../shared/reference/facs.md), and the draft the
quality test measures them on, shared with the dev tools that measure the same cases."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from thinkdraw_core.draft import render_draft
from thinkdraw_core.draft.renderer import DraftResult
from thinkdraw_core.face.analyzer import AnalysisReport, shares_blendshapes, unreadable_aus
from thinkdraw_core.plan import ActionUnit, AUPlan, Timeline

BASIC_EMOTIONS = {
    "happy": {6: 0.7, 12: 0.9, 25: 0.4},
    "sad": {1: 0.7, 4: 0.6, 15: 0.8, 17: 0.4},
    "surprise": {1: 0.8, 2: 0.8, 5: 0.5, 26: 0.7},
    "fear": {1: 0.7, 2: 0.6, 4: 0.5, 5: 0.7, 20: 0.6, 26: 0.5},
    "anger": {4: 0.9, 5: 0.5, 7: 0.7, 23: 0.6},
    "disgust": {9: 0.8, 10: 0.6, 15: 0.5, 17: 0.5},
}


def render_basic(photo: np.ndarray, name: str) -> DraftResult:
    """A short draft of one basic emotion that holds its apex from 0.5 s to the last frame, with no
    blinks or sway, so the last frame's change against the first is the emotion alone."""
    return render_held(photo, name, [ActionUnit(au=a, intensity=v) for a, v in BASIC_EMOTIONS[name].items()])


def render_held(photo: np.ndarray, text: str, action_units: list[ActionUnit]) -> DraftResult:
    """render_basic for any plan's action units (tools/phrasing_check.py draws the reasoner's this way)."""
    plan = AUPlan(text=text, action_units=action_units,
                  timeline=Timeline(start=0.1, onset=0.4, apex=5.0, blink_rate=0.0))
    return render_draft(photo, plan, seconds=1.2, fps=10, sway=False, blinks=False)


def criterion_failures(name: str, report: AnalysisReport) -> list[str]:
    """The issue's quality criterion on one basic emotion's draft: every requested AU of intensity >= 0.4
    that the model can read (analyzer.unreadable_aus) rises by >= 0.08 at apex, and no AU outside the
    plan (nor sharing its blendshapes) moves by > 0.15."""
    return apex_failures(name, report.apex())


def apex_failures(name: str, apex: Mapping[int, float]) -> list[str]:
    """criterion_failures on the apex readings themselves (AU -> change against the rest frame)."""
    return plan_failures(name, BASIC_EMOTIONS[name], apex)


def plan_failures(name: str, aus: Mapping[int, float], apex: Mapping[int, float]) -> list[str]:
    """The criterion for any plan's AUs (AU -> intensity), as for the basic emotions (tools/phrasing_check.py)."""
    unreadable = unreadable_aus(aus)
    failures = []
    for au, value in apex.items():
        if au in aus and aus[au] >= 0.4 and au not in unreadable and value < 0.08:
            failures.append(f"{name}: AU{au} {value:+.2f}")
        if au not in aus and value > 0.15 and not shares_blendshapes(au, aus):
            failures.append(f"{name}: unrequested AU{au} {value:+.2f}")
    return failures
