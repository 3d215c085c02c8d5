"""The plan panel's live apex preview and its beats timeline, in both renderers (classic LiteGraph and "Nodes 2.0").

The preview: after the plan has run once, a slider edit shows the face at the apex within about two seconds, drawn
by POST /thinkdraw/preview for the plan and overrides as they are now on the portrait of the downstream Draft
Renderer's Load Image, and nothing is queued. The timeline: an arc plan shows a bar per beat, a click selects the
beat the sliders edit and the preview shows, and dragging a border writes the beat's start into the overrides.
"""
from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request

import pytest

from browser_support import RENDERERS, focus_node, use_renderer
from test_frontend import DRAFT_WORKFLOW, PLAN_EDIT, REASONER, queue_from_browser
from thinkdraw_core.facs import DISPLAY_NAMES
from thinkdraw_core.plan import ActionUnit, AUPlan, Beat, EmotionComponent, EmotionSummary, Timeline

pytestmark = [pytest.mark.comfy, pytest.mark.browser]

PANEL = f".thinkdraw-panel[data-node-type={PLAN_EDIT}]"
PREVIEW_WITHIN = 2.0  # seconds from a slider edit to the new picture in the panel


@pytest.fixture(params=RENDERERS)
def renderer(request, frontend):
    use_renderer(frontend, request.param)
    return request.param


def template() -> dict:
    return json.loads(DRAFT_WORKFLOW.read_text())


def node_id(graph: dict, type_: str) -> int:
    return next(n["id"] for n in graph["nodes"] if n["type"] == type_)


def load(frontend, graph: dict) -> None:
    frontend.evaluate("async (g) => { await window.comfyAPI.app.app.loadGraphData(g); }", graph)
    frontend.page.wait_for_timeout(1000)  # Nodes 2.0 mounts and measures its DOM nodes


PREVIEW_STATE = """(id) => {
    const root = window.comfyAPI.app.app.graph.getNodeById(Number(id)).thinkdrawPanel.root;
    const p = root.querySelector('.thinkdraw-preview');
    if (!p) return null;
    const img = p.querySelector('img');
    return {state: p.dataset.state, beat: p.dataset.beat, shownBeat: p.dataset.shownBeat,
            calibrated: p.dataset.calibrated, note: p.querySelector('.thinkdraw-preview-note').textContent,
            src: img.getAttribute('src') || '', width: img.naturalWidth, shown: img.offsetWidth > 0};
}"""


def preview(frontend, nid) -> dict:
    return frontend.evaluate(PREVIEW_STATE, nid)


def wait_preview(frontend, nid, *, other_than: str = "", state: str = "ready", calibrated: str = "",
                 timeout: float = 20_000) -> dict:
    frontend.page.wait_for_function(
        """([id, old, state, calibrated]) => { const p = window.comfyAPI.app.app.graph.getNodeById(Number(id))
               .thinkdrawPanel.root.querySelector('.thinkdraw-preview');
           return p && p.dataset.state === state && (!calibrated || p.dataset.calibrated === calibrated)
               && (state !== 'ready' || (p.querySelector('img').getAttribute('src') || '') !== old); }""",
        arg=[nid, other_than, state, calibrated], timeout=timeout)
    return preview(frontend, nid)


def jpeg(data_url: str) -> bytes:
    head, _, data = data_url.partition(",")
    assert head == "data:image/jpeg;base64", head[:60]
    return base64.b64decode(data)


def overrides_of(frontend, nid) -> str:
    return frontend.evaluate("(id) => window.comfyAPI.app.app.graph.getNodeById(Number(id)).widgets"
                             ".find(w => w.name === 'overrides').value", nid)


def set_widget(frontend, nid, name: str, value) -> None:
    frontend.evaluate("""([id, name, v]) => { const n = window.comfyAPI.app.app.graph.getNodeById(Number(id));
        n.widgets.find(w => w.name === name).value = v; }""", [nid, name, value])


def post_preview(comfy, body: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(comfy.url + "/thinkdraw/preview", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def prompts_seen(comfy) -> tuple[int, int]:
    queue = comfy.get_json("/queue")
    return len(comfy.get_json("/history")), len(queue["queue_running"]) + len(queue["queue_pending"])


def test_a_slider_edit_redraws_the_apex_preview_at_once_without_queueing(frontend, comfy, renderer, artifacts):
    graph = template()
    edit, reasoner = node_id(graph, PLAN_EDIT), node_id(graph, REASONER)
    draft = node_id(graph, "ThinkDrawExpressionDraftRenderer")
    portrait = next(n for n in graph["nodes"] if n["type"] == "LoadImage")
    load(frontend, graph)
    assert preview(frontend, edit) is None  # no plan yet: no preview
    entry = queue_from_browser(frontend, comfy, timeout=300)
    assert entry["status"]["status_str"] == "success", entry["status"]
    plan = entry["outputs"][str(reasoner)]["thinkdraw_plan"][0]
    assert len(plan["beats"]) == 1
    focus_node(frontend, edit)

    # after the run: the face at the apex, calibrated by the full draft that just ran (the plan reached the panel
    # before the renderer drafted; the panel asks again once the run is done)
    first = wait_preview(frontend, edit, calibrated="1", timeout=30_000)
    assert first["shown"] and first["width"] > 32 and first["beat"] == "0", first
    assert first["calibrated"] == "1" and first["note"] == "calibrated by the last full draft", first
    assert not frontend.page.locator(f"{PANEL} .thinkdraw-beats").count()  # one beat: no timeline, as before

    # move the strongest AU's slider a long way: a new picture within PREVIEW_WITHIN, and no prompt queued
    before = prompts_seen(comfy)
    unit = max(plan["action_units"], key=lambda u: u["intensity"])
    new = 0.0 if unit["intensity"] > 0.3 else 1.0
    started = time.monotonic()
    frontend.page.locator(f"{PANEL} input[type=range][data-au='{unit['au']}']").fill(str(new))
    second = wait_preview(frontend, edit, other_than=first["src"], timeout=10_000)
    took = time.monotonic() - started
    assert took < PREVIEW_WITHIN, f"the preview took {took:.2f} s after the edit"
    print(f"preview after a slider edit ({renderer}): {took:.2f} s")
    assert jpeg(second["src"]) != jpeg(first["src"])
    frontend.page.wait_for_timeout(300)
    assert prompts_seen(comfy) == before, "a preview queued a prompt"

    # the picture is the route's answer for the upstream plan, the overrides as they are now and the renderer's
    # settings (so the panel sent exactly those), and the newest edit's, not an earlier one's
    overrides = overrides_of(frontend, edit)
    assert json.loads(overrides) == {"aus": {str(unit["au"]): {"intensity": new, "side": unit["side"]}}}
    spec = next(n for n in graph["nodes"] if n["id"] == draft)["widgets_values"]  # seconds fps seed neutralize ...
    status, want = post_preview(comfy, {"image": portrait["widgets_values"][0], "plan": plan, "overrides": overrides,
                                        "beat": 0, "neutralize": spec[3], "face_index": spec[4],
                                        "crop_margin": spec[5]})
    assert status == 200 and jpeg(second["src"]) == want
    frontend.page.locator(f"{PANEL} .thinkdraw-preview").screenshot(path=str(artifacts / f"preview_{renderer}.png"))
    frontend.page.screenshot(path=str(artifacts / f"preview_graph_{renderer}.png"))

    # quick edits in a row: only the last one's picture stays
    slider = frontend.page.locator(f"{PANEL} input[type=range][data-au='{unit['au']}']")
    for value in (0.2, 0.9, 0.5):
        slider.fill(str(value))
        frontend.page.wait_for_timeout(60)
    frontend.page.wait_for_function(
        """(id) => { const p = window.comfyAPI.app.app.graph.getNodeById(Number(id)).thinkdrawPanel.root
               .querySelector('.thinkdraw-preview'); return p.dataset.state === 'ready'; }""", arg=edit)
    frontend.page.wait_for_timeout(700)  # a stale answer would land after the newest one
    status, want = post_preview(comfy, {"image": portrait["widgets_values"][0], "plan": plan,
                                        "overrides": overrides_of(frontend, edit), "beat": 0, "neutralize": spec[3],
                                        "face_index": spec[4], "crop_margin": spec[5]})
    assert status == 200 and jpeg(preview(frontend, edit)["src"]) == want

    # a portrait the server does not have: its message in the panel instead of the picture
    set_widget(frontend, portrait["id"], "image", "no_such_portrait.png")
    slider.fill("0.3")
    bad = wait_preview(frontend, edit, state="error")
    assert "'no_such_portrait.png' is not in ComfyUI's input folder" in bad["note"] and not bad["shown"], bad
    # no renderer downstream: one line saying why, and nothing asked of the server
    frontend.evaluate("(id) => window.comfyAPI.app.app.graph.remove(window.comfyAPI.app.app.graph.getNodeById(id))",
                      draft)
    slider.fill("0.4")
    none = wait_preview(frontend, edit, state="none")
    assert none["note"] == "No live preview: this plan reaches no Expression Draft Renderer." and not none["shown"]
    assert prompts_seen(comfy) == before
    ours = [e for e in frontend.console_errors if "thinkdraw" in e.lower()]
    assert not ours, ours


def arc_plan() -> dict:
    calm = Beat(text="calm at first", action_units=[ActionUnit(12, 0.25)],
                emotion=EmotionSummary([EmotionComponent("contentment", 1.0)], valence=0.3, arousal=0.2),
                timeline=Timeline(start=0.2, onset=0.6), handover="cut")
    anger = Beat(text="then suddenly furious",
                 action_units=[ActionUnit(4, 1.0), ActionUnit(7, 0.8), ActionUnit(24, 0.7)],
                 emotion=EmotionSummary([EmotionComponent("anger", 1.0)], valence=-0.7, arousal=0.9),
                 timeline=Timeline(start=2.7, onset=0.15))
    tears = Beat(text="and finally in tears",
                 action_units=[ActionUnit(1, 0.8), ActionUnit(15, 0.7), ActionUnit(17, 0.4)],
                 emotion=EmotionSummary([EmotionComponent("sadness", 1.0)], valence=-0.8, arousal=0.3),
                 timeline=Timeline(start=5.2, onset=1.0))
    plan = AUPlan.from_beats("calm at first, then suddenly furious, and finally in tears", [calm, anger, tears],
                             reasoning=["three beats: calm, anger, tears"]).to_dict()
    for unit in [*plan["action_units"], *(u for b in plan["beats"] for u in b["action_units"])]:
        unit["label"] = DISPLAY_NAMES[unit["au"]]  # as nodes/types.py plan_ui sends it: every beat labelled
    return plan


BEATS_STATE = """(id) => {
    const root = window.comfyAPI.app.app.graph.getNodeById(Number(id)).thinkdrawPanel.root;
    const track = root.querySelector('.thinkdraw-beats-track');
    const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
    return {
        span: track ? Number(track.dataset.span) : null, track: track ? box(track) : null,
        bars: [...root.querySelectorAll('.thinkdraw-beat')].map(b => ({beat: Number(b.dataset.beat),
            on: b.classList.contains('on'), label: b.querySelector('.thinkdraw-beat-label').textContent,
            aus: b.querySelector('.thinkdraw-beat-aus').textContent, box: box(b)})),
        borders: [...root.querySelectorAll('.thinkdraw-beat-border')].map(b => ({beat: Number(b.dataset.beat),
            box: box(b)})),
        rows: [...root.querySelectorAll('.thinkdraw-au')].map(r => ({au: Number(r.dataset.au),
            label: r.querySelector('.thinkdraw-au-label b').textContent,
            value: Number(r.querySelector('input[type=range]').value)})),
        head: root.querySelector('.thinkdraw-label')?.textContent,
        start: root.querySelector('input[data-timeline=start]')?.value,
    };
}"""


def drag_border(frontend, nid, beat: int, to_seconds: float) -> float:
    """Drag the border before `beat` to where `to_seconds` is on the axis; the seconds the panel should write."""
    state = frontend.evaluate(BEATS_STATE, nid)
    border = next(b for b in state["borders"] if b["beat"] == beat)
    x, y, w, h = border["box"]
    left, _, width, _ = state["track"]
    target = left + width * to_seconds / state["span"]
    mouse = frontend.page.mouse
    mouse.move(x + w / 2, y + h / 2)
    mouse.down()
    mouse.move((x + w / 2 + target) / 2, y + h / 2, steps=4)
    mouse.move(target, y + h / 2, steps=4)
    mouse.up()
    frontend.page.wait_for_timeout(200)
    return round((target - left) / width * state["span"] / 0.05) * 0.05


def test_an_arc_plan_shows_its_beats_and_edits_the_one_selected(frontend, comfy, renderer, artifacts):
    graph = template()
    edit, reasoner = node_id(graph, PLAN_EDIT), node_id(graph, REASONER)
    load(frontend, graph)
    plan = arc_plan()
    before = prompts_seen(comfy)
    # the plan reaches the panels as the server's ui message would bring it
    for nid in (reasoner, edit):
        frontend.evaluate("([id, plan]) => window.comfyAPI.app.app.graph.getNodeById(Number(id))"
                          ".onExecuted({thinkdraw_plan: [plan]})", [nid, plan])
    focus_node(frontend, edit)
    state = frontend.evaluate(BEATS_STATE, edit)

    # one bar per beat, in time order, each with its emotion and its main AUs by the artist's names
    assert [b["beat"] for b in state["bars"]] == [0, 1, 2] and [b["on"] for b in state["bars"]] == [True, False, False]
    assert [b["label"] for b in state["bars"]] == ["contentment 1.00", "anger 1.00", "sadness 1.00"]
    assert state["bars"][1]["aus"] == ", ".join(DISPLAY_NAMES[a] for a in (4, 7, 24))
    assert state["bars"][2]["aus"] == ", ".join(DISPLAY_NAMES[a] for a in (1, 15, 17))
    lefts = [b["box"][0] for b in state["bars"]]
    assert lefts == sorted(lefts) and [b["beat"] for b in state["borders"]] == [1, 2]
    assert [r["au"] for r in state["rows"]] == [12] and state["head"] == "beat 1/3: contentment 1.00"
    # the reasoner's panel shows the same bars, read-only: no borders to drag
    read_only = frontend.evaluate(BEATS_STATE, reasoner)
    assert len(read_only["bars"]) == 3 and not read_only["borders"]
    beat0 = wait_preview(frontend, edit)
    assert beat0["beat"] == "0"

    # a click selects a beat: its AUs on the sliders (by the artist's names), its face in the preview
    frontend.page.locator(f"{PANEL} .thinkdraw-beat[data-beat='2']").click()
    state = frontend.evaluate(BEATS_STATE, edit)
    assert [b["on"] for b in state["bars"]] == [False, False, True] and state["head"] == "beat 3/3: sadness 1.00"
    assert [(r["au"], r["label"], r["value"]) for r in state["rows"]] == [
        (1, DISPLAY_NAMES[1], 0.8), (15, DISPLAY_NAMES[15], 0.7), (17, DISPLAY_NAMES[17], 0.4)]
    assert float(state["start"]) == pytest.approx(5.2)
    beat2 = wait_preview(frontend, edit, other_than=beat0["src"])
    assert beat2["shownBeat"] == "2" and jpeg(beat2["src"]) != jpeg(beat0["src"])

    # the sliders of beat 2 write beats["2"].aus; the first beat's stay at the top level
    frontend.page.locator(f"{PANEL} input[type=range][data-au='15']").fill("0.3")
    assert json.loads(overrides_of(frontend, edit)) == {"beats": {"2": {"aus": {"15": {"intensity": 0.3,
                                                                                       "side": "both"}}}}}
    wait_preview(frontend, edit, other_than=beat2["src"])
    frontend.page.locator(f"{PANEL} .thinkdraw-beat[data-beat='0']").click()
    frontend.page.locator(f"{PANEL} input[type=range][data-au='12']").fill("0.6")
    frontend.page.locator(f"{PANEL} .thinkdraw-beat[data-beat='2']").click()
    assert [r["value"] for r in frontend.evaluate(BEATS_STATE, edit)["rows"]] == [0.8, 0.3, 0.4]  # kept unrun edits

    # dragging the border between beats 1 and 2 writes beats["2"].timeline.start; the bars follow
    want = drag_border(frontend, edit, 2, 4.0)
    written = json.loads(overrides_of(frontend, edit))
    assert written["beats"]["2"]["timeline"]["start"] == pytest.approx(want, abs=0.051)
    assert 3.5 < written["beats"]["2"]["timeline"]["start"] < 4.5
    state = frontend.evaluate(BEATS_STATE, edit)
    assert state["bars"][2]["box"][0] < lefts[2] - 5  # moved left
    assert float(state["start"]) == pytest.approx(written["beats"]["2"]["timeline"]["start"])  # the selected beat's
    wait_preview(frontend, edit, other_than="")
    frontend.page.wait_for_timeout(300)
    frontend.page.locator(PANEL).screenshot(path=str(artifacts / f"panel_beats_{renderer}.png"))
    # ... and the border before beat 1 writes beats["1"]; a border cannot pass its neighbour
    drag_border(frontend, edit, 1, 9.0)
    written = json.loads(overrides_of(frontend, edit))
    assert written["beats"]["1"]["timeline"]["start"] == pytest.approx(written["beats"]["2"]["timeline"]["start"] - 0.1)
    assert written["aus"] == {"12": {"intensity": 0.6, "side": "both"}}
    assert written["beats"]["2"]["aus"] == {"15": {"intensity": 0.3, "side": "both"}}
    edited = AUPlan.from_dict(plan).with_overrides(written)  # what the panel writes, the core accepts
    assert [b.timeline.start for b in edited.beats][1:] == pytest.approx(
        [written["beats"]["1"]["timeline"]["start"], written["beats"]["2"]["timeline"]["start"]])
    assert edited.beats[2].au_intensity(15) == 0.3 and edited.beats[0].au_intensity(12) == 0.6

    wait_preview(frontend, edit, other_than="")
    frontend.page.wait_for_timeout(400)
    assert prompts_seen(comfy) == before, "the panel queued a prompt"
    frontend.page.screenshot(path=str(artifacts / f"panel_beats_graph_{renderer}.png"))
    ours = [e for e in frontend.console_errors if "thinkdraw" in e.lower()]
    assert not ours, ours
