"""The real ComfyUI frontend, in Debian's chromium, with the pack: workflows load, the draft runs,
and the AU plan panel shows the reasoning and writes slider edits into the AUPlanEdit node."""
from __future__ import annotations

import json
import time
import warnings

import pytest

from browser_support import server_node_types, wait_until_ready
from thinkdraw.shipped import DRAFT_CPU, TEMPLATES
from thinkdraw_core.video import read_video_info


pytestmark = pytest.mark.browser

WORKFLOWS = sorted(TEMPLATES.glob("*.json"))
DRAFT_WORKFLOW = DRAFT_CPU
REASONER, PLAN_EDIT = "ThinkDrawEmotionCoTReasoner", "ThinkDrawAUPlanEdit"

LOAD_AND_CHECK = """async (graph) => {
    const app = window.comfyAPI.app.app;
    const known = window.LiteGraph.registered_node_types;
    const types = [...(graph.nodes || []), ...((graph.definitions?.subgraphs || []).flatMap(s => s.nodes || []))]
        .map(n => n.type);
    const subgraphIds = new Set((graph.definitions?.subgraphs || []).map(s => s.id));
    const unknown = types.filter(t => !(t in known) && !subgraphIds.has(t));
    await app.loadGraphData(graph);
    return {unknown, loaded: app.graph.nodes.length};
}"""


def _load(frontend, graph: dict) -> dict:
    result = frontend.evaluate(LOAD_AND_CHECK, graph)
    frontend.page.wait_for_timeout(300)  # the warning dialog mounts asynchronously
    result["dialog"] = frontend.missing_dialog_text()
    return result


def test_extension_loads_without_errors(frontend):
    served = frontend.evaluate("() => [...document.querySelectorAll('link')].map(l => l.href)")
    assert any(h.endswith("/thinkdraw.css") for h in served), served
    ours = [e for e in frontend.console_errors if "thinkdraw" in e.lower()]
    assert not ours, ours


def test_missing_node_detector_sees_an_unknown_node(frontend):
    """Negative control: the checks used on the shipped workflows do catch a missing node type."""
    graph = {"last_node_id": 1, "last_link_id": 0, "nodes": [
        {"id": 1, "type": "ThinkDrawNoSuchNode", "pos": [0, 0], "size": [200, 80], "flags": {}, "order": 0,
         "mode": 0, "inputs": [], "outputs": [], "properties": {}, "widgets_values": []}],
        "links": [], "groups": [], "config": {}, "extra": {}, "version": 0.4}
    result = _load(frontend, graph)
    assert result["unknown"] == ["ThinkDrawNoSuchNode"]
    assert "ThinkDrawNoSuchNode" in result["dialog"], result


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in WORKFLOWS] or [
    pytest.param(None, id="none", marks=pytest.mark.skip(reason="example_workflows/ has no *.json yet"))])
def test_shipped_workflow_loads_with_every_node_known(frontend, path):
    graph = json.loads(path.read_text())
    result = _load(frontend, graph)
    assert not result["unknown"], f"{path.name} uses node types the server does not know: {result['unknown']}"
    assert not result["dialog"], f"{path.name} raised the missing-node dialog:\n{result['dialog']}"
    assert result["loaded"] == len(graph["nodes"])


# -- queueing from the browser -----------------------------------------------------------------

def queue_from_browser(frontend, comfy, timeout: float = 150.0) -> dict:
    """Press the frontend's queue (app.queuePrompt) and return the finished /history entry."""
    before = set(comfy.get_json("/history"))
    frontend.evaluate("() => window.comfyAPI.app.app.queuePrompt(0, 1)")
    deadline = time.monotonic() + 20
    new: list[str] = []
    while time.monotonic() < deadline and not new:
        history = comfy.get_json("/history")
        queue = comfy.get_json("/queue")
        running = [item[1] for item in queue["queue_running"] + queue["queue_pending"]]
        new = [pid for pid in [*history, *running] if pid not in before]
        time.sleep(0.2)
    if not new:
        dialogs = frontend.evaluate("() => [...document.querySelectorAll('.p-dialog, .p-toast')].map(d => d.innerText)")
        pytest.fail(f"the frontend queued nothing; dialogs: {dialogs}; console errors: {frontend.console_errors}")
    return comfy.wait(new[0], timeout=timeout)


def test_draft_cpu_template_runs_as_shipped_on_a_fresh_input_folder(frontend, comfy, tmp_path):
    """Nothing is put in the server's input folder here: the pack placed the sample portrait and speech the
    template names when it loaded (nodes/sample_inputs.py), as it does in a fresh install."""
    graph = json.loads(DRAFT_WORKFLOW.read_text())
    assert not _load(frontend, graph)["dialog"]
    entry = queue_from_browser(frontend, comfy, timeout=150)
    assert entry["status"]["status_str"] == "success", entry["status"]
    videos = [f for out in entry["outputs"].values() for f in out.get("images", [])
              if isinstance(f, dict) and str(f.get("filename", "")).endswith(".mp4")]
    assert videos, f"the draft workflow finished without a video: {list(entry['outputs'])}"
    data = comfy.view(videos[0]["filename"], videos[0].get("subfolder", ""), videos[0].get("type", "output"))
    assert data[4:8] == b"ftyp" and len(data) > 10_000, "the draft video is not a real mp4"
    (tmp_path / "draft.mp4").write_bytes(data)
    info = read_video_info(tmp_path / "draft.mp4")
    assert info.audio_codec == "aac" and info.duration > 3.0  # it speaks the shipped line, as long as the line


def test_pack_keeps_working_when_the_extension_fails_to_load(browser, comfy, frontend_settings):
    """A broken web extension must not take the nodes or workflow loading down with it."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.route("**/extensions/ComfyUI-ThinkDraw/thinkdraw.js",
                   lambda route: route.fulfill(status=200, content_type="text/javascript",
                                               body="throw new Error('simulated ThinkDraw extension failure');"))
        page.goto(comfy.url, wait_until="domcontentloaded")
        ours = [t for t in server_node_types(comfy) if t.startswith("ThinkDraw")]
        assert ours
        wait_until_ready(page, ours)  # times out if the broken extension took the node definitions down
        # a ThinkDraw node can still be created and is only missing its panel
        made = page.evaluate("""(t) => { const n = window.LiteGraph.createNode(t);
            window.comfyAPI.app.app.graph.add(n); return {id: n.id, panel: !!n.thinkdrawPanel}; }""", ours[0])
        assert made["id"] is not None and made["panel"] is False
    finally:
        context.close()


# -- the AU panel ------------------------------------------------------------------------------

EMPTY_GRAPH = {"last_node_id": 0, "last_link_id": 0, "nodes": [], "links": [], "groups": [], "config": {},
               "extra": {}, "version": 0.4}

# Reasoner -> AUPlanEdit -> PreviewAny (an output node, so both plan nodes run and send their ui).
BUILD_GRAPH = """async ({empty, text}) => {
    const app = window.comfyAPI.app.app, LG = window.LiteGraph;
    await app.loadGraphData(empty);
    const add = (type, pos) => {
        const n = LG.createNode(type);
        if (!n) throw new Error(`unknown node type ${type}`);
        n.pos = pos; app.graph.add(n); return n;
    };
    const slot = (list, type) => list.findIndex(s => s.type === type);
    const r = add("ThinkDrawEmotionCoTReasoner", [30, 30]);
    const e = add("ThinkDrawAUPlanEdit", [500, 30]);
    const p = add("PreviewAny", [980, 30]);
    r.connect(slot(r.outputs, "THINKDRAW_PLAN"), e, slot(e.inputs, "THINKDRAW_PLAN"));
    e.connect(slot(e.outputs, "STRING"), p, 0);
    r.widgets.find(w => w.name === "text").value = text;
    // The frontend gives any INT widget named "seed" a randomize-after-queue control unless the node
    // opts out; an artist keeps the upstream cached by fixing it, as done here.
    const control = r.widgets.find(w => w.name === "control_after_generate");
    const randomized = control?.value === "randomize";
    if (control) control.value = "fixed";
    return {reasoner: String(r.id), edit: String(e.id), randomized};
}"""

PANEL_STATE = """(id) => {
    const node = window.comfyAPI.app.app.graph.getNodeById(Number(id));
    const root = node.thinkdrawPanel.root;
    return {
        steps: [...root.querySelectorAll('.thinkdraw-steps li')].map(li => li.textContent),
        rows: [...root.querySelectorAll('.thinkdraw-au')].map(r => ({
            au: Number(r.dataset.au),
            label: r.querySelector('.thinkdraw-au-label').textContent,
            title: r.querySelector('.thinkdraw-au-label').title,
            value: Number(r.querySelector('input[type=range]').value),
            disabled: r.querySelector('input[type=range]').disabled,
            side: r.querySelector('.thinkdraw-side button.on')?.dataset.side,
        })),
        face: Object.fromEntries([...root.querySelectorAll('.thinkdraw-region')].map(
            s => [`${s.dataset.region}/${s.dataset.side}`, Number(s.dataset.strength)])),
        error: root.querySelector('.thinkdraw-error')?.textContent || '',
        status: root.querySelector('.thinkdraw-status')?.textContent || '',
    };
}"""


def _expected_face(plan: dict) -> dict[str, float]:
    gains = {"both": (1.0, 1.0), "left": (1.0, 0.0), "right": (0.0, 1.0)}
    out = {f"{r}/{s}": 0.0 for r in ("brows", "eyes", "cheeks", "nose", "mouth", "jaw") for s in ("left", "right")}
    for u in plan["action_units"]:
        for side, gain in zip(("left", "right"), gains[u["side"]]):
            key = f"{u['region']}/{side}"
            out[key] = max(out[key], round(u["intensity"] * gain, 2))
    return out


def _check_panel(state: dict, plan: dict, editable: bool) -> None:
    assert state["steps"] == plan["reasoning"]
    assert [r["au"] for r in state["rows"]] == [u["au"] for u in plan["action_units"]]
    for row, unit in zip(state["rows"], plan["action_units"]):
        # the artist's name first, the code after it; the FACS name is the label's tooltip
        assert row["label"].startswith(f"{unit['label']} (AU{unit['au']})") and unit["region"] in row["label"]
        assert unit["name"] in row["title"]
        assert row["value"] == pytest.approx(unit["intensity"], abs=0.006)
        assert row["side"] == unit["side"]
        assert row["disabled"] is (not editable)
    assert state["face"] == pytest.approx(_expected_face(plan), abs=0.006)
    assert not state["error"]


def _require_plan_nodes(comfy) -> None:
    info = comfy.object_info()
    missing = [n for n in (REASONER, PLAN_EDIT, "PreviewAny") if n not in info]
    if missing:
        pytest.skip(f"node types not registered yet: {missing}")


def test_au_panel_shows_the_plan_and_a_slider_edit_reaches_widget_workflow_and_rerun(frontend, comfy, artifacts):
    _require_plan_nodes(comfy)
    page = frontend.page
    ids = frontend.evaluate(BUILD_GRAPH, {"empty": EMPTY_GRAPH, "text": "quiet pride, fighting back tears"})
    if ids["randomized"]:
        warnings.warn(f"{REASONER}'s seed widget randomizes after every queue in the UI, so the reasoner re-runs "
                      "on each slider edit unless the artist fixes it; declare it with control_after_generate=False")
    first = queue_from_browser(frontend, comfy)
    page.wait_for_selector(f".thinkdraw-panel[data-node-type={PLAN_EDIT}] .thinkdraw-au", timeout=15_000)

    # both panels draw exactly the plan the server sent
    for nid, editable in ((ids["reasoner"], False), (ids["edit"], True)):
        plan = first["outputs"][nid]["thinkdraw_plan"][0]
        assert plan["action_units"], f"the reasoner planned no AU for the test text: {plan}"
        _check_panel(frontend.evaluate(PANEL_STATE, nid), plan, editable)

    # move the first AU's slider and pin it to the subject's left side
    unit = first["outputs"][ids["edit"]]["thinkdraw_plan"][0]["action_units"][0]
    new = 0.25 if abs(unit["intensity"] - 0.25) > 0.05 else 0.45
    panel = page.locator(f".thinkdraw-panel[data-node-type={PLAN_EDIT}]")
    panel.locator(f"input[type=range][data-au='{unit['au']}']").fill(str(new))
    panel.locator(f".thinkdraw-au[data-au='{unit['au']}'] button[data-side=left]").click()
    want = {"aus": {str(unit["au"]): {"intensity": new, "side": "left"}}}

    widget_value = frontend.evaluate(
        "(id) => window.comfyAPI.app.app.graph.getNodeById(Number(id)).widgets.find(w => w.name === 'overrides').value",
        ids["edit"])
    assert json.loads(widget_value) == want
    saved = frontend.evaluate("() => window.comfyAPI.app.app.graph.serialize()")
    saved_node = next(n for n in saved["nodes"] if str(n["id"]) == ids["edit"])
    assert saved_node["widgets_values"] == [widget_value], "the panel must not add itself to widgets_values"
    prompt = frontend.evaluate("async () => (await window.comfyAPI.app.app.graphToPrompt()).output")
    assert json.loads(prompt[ids["edit"]]["inputs"]["overrides"]) == want
    assert set(prompt[ids["edit"]]["inputs"]) == {"plan", "overrides"}

    # the re-run applies the edit and takes the reasoner from ComfyUI's cache
    second = queue_from_browser(frontend, comfy)
    cached = [m[1]["nodes"] for m in second["status"]["messages"] if m[0] == "execution_cached"]
    assert cached and ids["reasoner"] in cached[0] and ids["edit"] not in cached[0], second["status"]["messages"]
    edited = second["outputs"][ids["edit"]]["thinkdraw_plan"][0]
    got = next(u for u in edited["action_units"] if u["au"] == unit["au"])
    assert (got["intensity"], got["side"]) == (pytest.approx(new), "left")
    page.wait_for_function(
        """([id, au, v]) => { const r = window.comfyAPI.app.app.graph.getNodeById(Number(id)).thinkdrawPanel.root
               .querySelector(`.thinkdraw-au[data-au='${au}']`);
           return r && Math.abs(Number(r.querySelector('input[type=range]').value) - v) < 0.006
               && r.querySelector('button.on')?.dataset.side === 'left'; }""",
        arg=[ids["edit"], unit["au"], new], timeout=10_000)
    _check_panel(frontend.evaluate(PANEL_STATE, ids["edit"]), edited, True)

    # the last plan travels with the workflow: reopened, both panels show it before any run
    saved = frontend.evaluate("() => window.comfyAPI.app.app.graph.serialize()")
    saved_edit = next(n for n in saved["nodes"] if str(n["id"]) == ids["edit"])
    assert saved_edit["properties"]["thinkdraw_plan"] == edited
    frontend.evaluate("async (g) => { await window.comfyAPI.app.app.loadGraphData(g); }", EMPTY_GRAPH)
    frontend.evaluate("async (g) => { await window.comfyAPI.app.app.loadGraphData(g); }", saved)
    _check_panel(frontend.evaluate(PANEL_STATE, ids["edit"]), edited, True)
    # the reasoner was cached on the re-run, so its plan is still the first run's
    _check_panel(frontend.evaluate(PANEL_STATE, ids["reasoner"]), first["outputs"][ids["reasoner"]]["thinkdraw_plan"][0],
                 False)
    panel = page.locator(f".thinkdraw-panel[data-node-type={PLAN_EDIT}]")
    page.wait_for_timeout(200)
    panel.screenshot(path=str(artifacts / "au_panel.png"))
    page.screenshot(path=str(artifacts / "au_panel_graph.png"))
    ours = [e for e in frontend.console_errors if "thinkdraw" in e.lower()]
    assert not ours, ours


def test_panel_reports_a_bad_plan_and_never_overwrites_hand_written_overrides(frontend, comfy):
    """No server run needed: the node's onExecuted gets a payload directly, as the frontend would."""
    _require_plan_nodes(comfy)
    from thinkdraw_core.facs import DISPLAY_NAMES
    from thinkdraw_core.plan import ActionUnit, AUPlan

    plan = AUPlan(text="a half smile", action_units=[ActionUnit(12, 0.5, "right"), ActionUnit(4, 0.3)],
                  reasoning=["the lip corner rises on one side"]).to_dict()
    for unit in plan["action_units"]:  # as nodes/types.py plan_ui sends it
        unit["label"] = DISPLAY_NAMES[unit["au"]]
    nid = frontend.evaluate("""(type) => { const n = window.LiteGraph.createNode(type); n.pos = [40, 40];
        window.comfyAPI.app.app.graph.add(n); return String(n.id); }""", PLAN_EDIT)
    call = "([id, msg]) => window.comfyAPI.app.app.graph.getNodeById(Number(id)).onExecuted(msg)"

    frontend.evaluate(call, [nid, {"thinkdraw_plan": [{"no": "action units"}]}])
    assert "action_units" in frontend.evaluate(PANEL_STATE, nid)["error"]

    frontend.evaluate(call, [nid, {"thinkdraw_plan": [plan]}])
    _check_panel(frontend.evaluate(PANEL_STATE, nid), plan, editable=True)

    broken = '{"aus": {"12": 0.5'
    set_widget = """([id, v]) => { window.comfyAPI.app.app.graph.getNodeById(Number(id)).widgets
        .find(w => w.name === 'overrides').value = v; }"""
    frontend.evaluate(set_widget, [nid, broken])
    frontend.page.locator(".thinkdraw-panel input[type=range][data-au='12']").fill("0.9")
    state = frontend.evaluate(PANEL_STATE, nid)
    assert "not valid JSON" in state["status"]
    value = frontend.evaluate("(id) => window.comfyAPI.app.app.graph.getNodeById(Number(id)).widgets"
                              ".find(w => w.name === 'overrides').value", nid)
    assert value == broken
    assert state["face"]["mouth/right"] == 0.5  # an edit that was not written is not drawn either

    # a written edit redraws the face at once, before any run
    frontend.evaluate(set_widget, [nid, "{}"])
    frontend.page.locator(".thinkdraw-panel input[type=range][data-au='12']").fill("0.8")
    face = frontend.evaluate(PANEL_STATE, nid)["face"]
    assert (face["mouth/right"], face["mouth/left"], face["brows/left"]) == (0.8, 0.0, 0.3)

    # the reset button drops an AU's override so the upstream value comes back
    frontend.evaluate(set_widget, [nid, '{"aus": {"12": {"intensity": 0.2, "side": "both"}, "4": 0.1}}'])
    frontend.page.locator(".thinkdraw-panel .thinkdraw-au[data-au='12'] .thinkdraw-reset").click()
    value = frontend.evaluate("(id) => window.comfyAPI.app.app.graph.getNodeById(Number(id)).widgets"
                              ".find(w => w.name === 'overrides').value", nid)
    assert json.loads(value) == {"aus": {"4": 0.1}}

    # timing edits land in overrides.timeline next to the AU edits
    onset = frontend.page.locator(".thinkdraw-panel input[data-timeline=onset]")
    onset.fill("0.3")
    onset.blur()
    value = frontend.evaluate("(id) => window.comfyAPI.app.app.graph.getNodeById(Number(id)).widgets"
                              ".find(w => w.name === 'overrides').value", nid)
    assert json.loads(value) == {"aus": {"4": 0.1}, "timeline": {"onset": 0.3}}
    AUPlan.from_dict(plan).with_overrides(json.loads(value))  # what the panel writes, the core accepts


def test_an_old_workflow_with_an_api_key_loads_without_it(frontend):
    """Saved while the reasoner had an api_key widget: the key is dropped before the graph is built (one
    warning), the widgets after it keep their values, and neither a save nor a queued prompt carries it."""
    key = "sk-old-browser-workflow-key-93b1"
    graph = json.loads(DRAFT_WORKFLOW.read_text())
    node = next(n for n in graph["nodes"] if n["type"] == REASONER)
    text, intensity, backend, llm_model, base_url, api_model, _seed, _context = node["widgets_values"]
    node["widgets_values"] = [text, intensity, "openai", llm_model, base_url, "llama3.2", key, 1234, "a toast"]
    warnings_seen: list[str] = []
    frontend.page.on("console", lambda m: m.type == "warning" and warnings_seen.append(m.text))
    frontend.evaluate("async (g) => { await window.comfyAPI.app.app.loadGraphData(g); }", graph)
    widgets = frontend.evaluate("""(id) => Object.fromEntries(window.comfyAPI.app.app.graph.getNodeById(id)
        .widgets.filter(w => w.name).map(w => [w.name, w.value]))""", node["id"])
    assert "api_key" not in widgets
    assert (widgets["backend"], widgets["api_model"], widgets["seed"], widgets["context"]) == \
        ("openai", "llama3.2", 1234, "a toast")
    saved = frontend.evaluate("() => window.comfyAPI.app.app.graph.serialize()")
    prompt = frontend.evaluate("async () => (await window.comfyAPI.app.app.graphToPrompt())")
    assert key not in json.dumps(saved) and key not in json.dumps(prompt)
    assert sum("api_key" in w and "THINKDRAW_OPENAI_API_KEY" in w for w in warnings_seen) == 1, warnings_seen
    assert not any(key in w for w in warnings_seen)
