"""A new artist's first run, in both of the frontend's renderers (the classic LiteGraph canvas and "Nodes 2.0"):
a run that cannot make its video says why, Video Combine previews its video, nothing overlaps after load (in every
shipped workflow) or after a run, the panel reads like a report and can be collapsed, the reasoner shows only its
backend's fields, an error dialog is titled with the node's name, and the template browser shows the pack's
templates with their thumbnails, the CPU draft first."""
from __future__ import annotations

import json
import urllib.parse

import pytest

from test_frontend import DRAFT_WORKFLOW, EMPTY_GRAPH, REASONER, queue_from_browser
from thinkdraw.host import PACK_LINK_NAME
from thinkdraw.shipped import ALL, THUMB_MAX_BYTES

pytestmark = [pytest.mark.comfy, pytest.mark.browser]

RENDERERS = ["classic", "nodes2"]


@pytest.fixture(params=RENDERERS)
def renderer(request, frontend):
    """The frontend tab switched to one renderer (the setting Nodes 2.0's own toggle writes)."""
    on = request.param == "nodes2"
    frontend.evaluate("async (on) => { await window.comfyAPI.app.app.extensionManager.setting"
                      ".set('Comfy.VueNodes.Enabled', on); }", on)
    frontend.page.wait_for_timeout(300)
    return request.param


def load(frontend, graph: dict) -> None:
    frontend.evaluate("async (g) => { await window.comfyAPI.app.app.loadGraphData(g); }", graph)
    frontend.page.wait_for_timeout(1200)  # Nodes 2.0 measures its DOM nodes after mounting them


# Each node's rectangle in one coordinate system per renderer: the canvas's graph units (title bar included) in
# the classic one, from pos and size (a node's cached bounding box is refreshed only when it is drawn, so it is stale
# off screen), the page's pixels of the node elements in Nodes 2.0 (the node sizes there come from the DOM).
NODE_RECTS = """(vue) => {
    const app = window.comfyAPI.app.app, title = window.LiteGraph.NODE_TITLE_HEIGHT;
    if (!vue) return app.graph._nodes.map(n => ({id: String(n.id), title: n.title,
        rect: [n.pos[0], n.pos[1] - title, n.size[0], n.size[1] + title]}));
    return [...document.querySelectorAll('[data-node-id]')].map(e => {
        const r = e.getBoundingClientRect();
        const n = app.graph.getNodeById(Number(e.dataset.nodeId));
        return {id: e.dataset.nodeId, title: n?.title, rect: [r.x, r.y, r.width, r.height]};
    });
}"""


def overlaps(frontend, renderer: str) -> list[tuple[str, str]]:
    nodes = frontend.evaluate(NODE_RECTS, renderer == "nodes2")
    assert nodes, "no node rectangles found"
    hits = []
    for i, a in enumerate(nodes):
        ax, ay, aw, ah = a["rect"]
        for b in nodes[i + 1:]:
            bx, by, bw, bh = b["rect"]
            if ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah:
                hits.append((a["title"], b["title"]))
    return hits


# Points along each node's title bar that the page shows something other than the graph at (the tab bar, the
# side bar, the floating workflow name, the Run bar...).
COVERED_TITLES = """(vue) => {
    const app = window.comfyAPI.app.app, canvas = app.canvas, box = canvas.canvas.getBoundingClientRect();
    const title = window.LiteGraph.NODE_TITLE_HEIGHT;
    const covered = [];
    for (const n of app.graph._nodes) {
        const [x, y] = canvas.ds.convertOffsetToCanvas([n.pos[0], n.pos[1] - title / 2]);
        const w = n.size[0] * canvas.ds.scale;
        for (const f of [0.05, 0.5, 0.95]) {
            const px = box.left + x + f * w, py = box.top + y;
            if (px < 0 || py < 0 || px > innerWidth || py > innerHeight) continue;  // off screen: scroll to it
            const hit = document.elementFromPoint(px, py);
            const ours = vue ? hit?.closest?.(`[data-node-id="${n.id}"]`) : hit === canvas.canvas;
            if (!ours) covered.push(`${n.title} under ${hit?.tagName}.${String(hit?.className).slice(0, 60)}`);
        }
    }
    return covered;
}"""


def bad_speech_template() -> dict:
    graph = json.loads(DRAFT_WORKFLOW.read_text())
    speech = next(n for n in graph["nodes"] if n["type"] == "LoadAudio")
    speech["widgets_values"][0] = "no_such_speech_file.wav"
    return graph


def visible_dialogs(frontend) -> list[str]:
    return frontend.evaluate("() => [...document.querySelectorAll('.p-dialog')].filter(d => d.offsetParent !== null)"
                             ".map(d => d.innerText)")


def test_a_run_that_cannot_make_its_video_says_which_node_and_input_and_the_fix(frontend, comfy, renderer):
    """ComfyUI accepts the prompt (the plan nodes are valid outputs) and leaves out every output behind the broken
    Speech: without the extension's dialog the UI said '1 job completed' and nothing else."""
    load(frontend, bad_speech_template())
    frontend.evaluate("() => window.comfyAPI.app.app.queuePrompt(0, 1)")
    frontend.page.wait_for_function(
        "() => [...document.querySelectorAll('.p-dialog')].some(d => /will not run/.test(d.innerText))",
        timeout=30_000)
    text = next(t for t in visible_dialogs(frontend) if "will not run" in t)
    assert "Speech - Load Audio" in text and 'input "audio"' in text and "no_such_speech_file.wav" in text, text
    assert "Fix: pick a file that is in ComfyUI's input folder" in text, text
    for output in ("Video Combine", "AU plot", "Requested vs measured AUs"):
        assert output in text, f"the dialog does not name the output {output!r} that will not run:\n{text}"


def test_an_error_dialog_is_titled_with_the_nodes_name(frontend, comfy, renderer):
    graph = json.loads(DRAFT_WORKFLOW.read_text())
    next(n for n in graph["nodes"] if n["type"] == "LoadAudio")["mode"] = 4  # bypassed: no speech, seconds 0
    load(frontend, graph)
    frontend.evaluate("() => window.comfyAPI.app.app.queuePrompt(0, 1)")
    frontend.page.wait_for_function(
        "() => [...document.querySelectorAll('.p-dialog')].some(d => /seconds must be > 0/.test(d.innerText))",
        timeout=60_000)
    text = next(t for t in visible_dialogs(frontend) if "seconds must be > 0" in t)
    assert text.startswith("Draft Renderer - Expression Draft Renderer (ThinkDraw)"), text
    assert "ThinkDrawExpressionDraftRenderer" not in text


def test_cpu_template_opens_clear_runs_and_reads_like_a_report(frontend, comfy, renderer, artifacts):
    graph = json.loads(DRAFT_WORKFLOW.read_text())
    # a seed of its own per renderer, so the draft, the video and the analyzer run here and are not served from
    # the other renderer's run in ComfyUI's cache
    renderer_node = next(n for n in graph["nodes"] if n["type"] == "ThinkDrawExpressionDraftRenderer")
    renderer_node["widgets_values"][2] = 1 + RENDERERS.index(renderer)
    load(frontend, graph)
    vue = renderer == "nodes2"
    assert not overlaps(frontend, renderer), "nodes overlap after load"
    assert not frontend.evaluate(COVERED_TITLES, vue), "node titles are under the frontend's bars"
    # the whole graph in view: the classic canvas makes a node's preview only once it draws the node
    frontend.evaluate("() => { const c = window.comfyAPI.app.app.canvas; c.ds.scale = 0.45; c.ds.offset = [110, 150];"
                      " c.setDirty(true, true); }")
    frontend.page.wait_for_timeout(500)
    frontend.page.screenshot(path=str(artifacts / f"cpu_template_before_run_{renderer}.png"))

    entry = queue_from_browser(frontend, comfy, timeout=240)
    assert entry["status"]["status_str"] == "success", entry["status"]
    # Video Combine's preview is a playing <video> of its mp4 in both renderers (Nodes 2.0 gave it an <img>)
    # (whether this chromium decodes h264 is its own business: the element and its source are what is checked)
    frontend.page.wait_for_function(
        """() => [...document.querySelectorAll('video')].some(v => /draft_\\d+_\\.mp4/.test(
                v.currentSrc || v.src || v.querySelector('source')?.src || ''))""", timeout=30_000)
    broken = frontend.evaluate("""() => [...document.querySelectorAll('img')]
        .filter(i => /\\.mp4/.test(i.src)).map(i => i.src)""")
    assert not broken, f"the mp4 went into an <img>: {broken}"

    # the plan panel shows what the analyzer saw, in words, flags and all
    frontend.page.wait_for_selector(".thinkdraw-panel[data-node-type=ThinkDrawAUPlanEdit] .thinkdraw-report-row",
                                    timeout=20_000)
    report = entry["outputs"]["7"]["thinkdraw_report"][0]
    rows = frontend.evaluate("""() => [...document.querySelectorAll(
        '.thinkdraw-panel[data-node-type=ThinkDrawAUPlanEdit] .thinkdraw-report-row')]
        .map(r => ({au: Number(r.dataset.au), flag: r.dataset.flag, text: r.innerText}))""")
    asked = [r for r in report["aus"] if r["requested"] > 0]
    assert [r["au"] for r in rows][:len(asked)] == [r["au"] for r in asked]
    for row, want in zip(rows, asked):
        assert row["text"].startswith(f"{want['label']}: asked {want['requested']:.2f}, seen "), row
        assert row["flag"] in ("seen", "missed", "unreadable")
        assert (row["flag"] == "missed") == (want["measured"] < 0.08 and not want["unreadable_by_model"])
    # the report text keeps its lines in Preview Any (a Markdown box): one list item per requested AU
    items = frontend.evaluate("""() => { const n = window.comfyAPI.app.app.graph.getNodeById(9);
        const w = n.widgets.find(w => w.name === 'preview');
        return String(w.value).split('\\n').filter(l => l.startsWith('- ')).length; }""")
    assert items >= len(asked)

    frontend.page.wait_for_timeout(1500)  # the preview grows the node once the video's size is known
    assert not overlaps(frontend, renderer), "nodes overlap after the run (the preview or the panels grew)"
    frontend.page.screenshot(path=str(artifacts / f"cpu_template_after_run_{renderer}.png"))


def test_panel_collapses_reasoner_is_read_only_and_shows_only_its_backends_fields(frontend, comfy, renderer):
    vue = renderer == "nodes2"
    load(frontend, EMPTY_GRAPH)  # nothing else on the canvas to catch the clicks
    nid = frontend.evaluate("""(type) => { const n = window.LiteGraph.createNode(type); n.pos = [200, 200];
        window.comfyAPI.app.app.graph.add(n); return n.id; }""", REASONER)
    frontend.page.wait_for_timeout(600)
    panel = frontend.page.locator(f".thinkdraw-panel[data-node-type={REASONER}]").first
    assert "read-only: edit in AU Plan Edit" in panel.inner_text()

    visible = """([id, vue]) => { const n = window.comfyAPI.app.app.graph.getNodeById(id);
        if (!vue) return n.widgets.filter(w => w.name && n.isWidgetVisible(w)).map(w => w.name);
        const el = document.querySelector(`[data-node-id="${id}"]`);
        return n.widgets.filter(w => w.name && [...el.querySelectorAll('*')].some(e => e.childElementCount === 0
            && e.textContent.trim() === w.name && e.getClientRects().length > 0)).map(w => w.name); }"""
    set_backend = """([id, value]) => { const n = window.comfyAPI.app.app.graph.getNodeById(id);
        const w = n.widgets.find(w => w.name === 'backend'); w.value = value; w.callback?.(value); }"""
    want = {"embedded": set(), "transformers": {"llm_model"}, "openai": {"base_url", "api_model"},
            "embedded ": set()}  # and back: a field hidden once comes back, and goes again
    for backend, fields in want.items():
        backend = backend.strip()
        frontend.evaluate(set_backend, [nid, backend])
        frontend.page.wait_for_timeout(400)
        shown = set(frontend.evaluate(visible, [nid, vue]))
        assert shown & {"llm_model", "base_url", "api_model"} == fields, (backend, shown)
        assert {"backend", "seed"} <= shown  # the fields every backend reads stay

    height = "(id) => document.querySelector(`.thinkdraw-panel[data-node-type=ThinkDrawEmotionCoTReasoner]`).offsetHeight"
    open_height = frontend.evaluate(height, nid)
    panel.locator(".thinkdraw-collapse").click()
    frontend.page.wait_for_timeout(300)
    assert frontend.evaluate(height, nid) < open_height
    assert not panel.locator(".thinkdraw-content").is_visible()
    assert frontend.evaluate("(id) => window.comfyAPI.app.app.graph.getNodeById(id).properties"
                             ".thinkdraw_panel_collapsed", nid) is True
    panel.locator(".thinkdraw-collapse").click()
    assert panel.locator(".thinkdraw-content").is_visible()


def test_every_input_of_the_packs_nodes_has_a_tooltip_and_the_texts_are_ascii(comfy):
    """Tooltips an artist reads on hover; ASCII examples, which render in any font (a CJK example drew boxes)."""
    info = comfy.object_info()
    missing, non_ascii = [], []
    for node_id, spec in info.items():
        if not node_id.startswith("ThinkDraw") or not spec["python_module"].startswith("custom_nodes"):
            continue
        source = spec.get("description", "")
        for section in ("required", "optional"):
            for name, entry in (spec["input"].get(section) or {}).items():
                options = entry[1] if len(entry) > 1 else {}
                tip = options.get("tooltip", "")
                source += tip
                if not tip:
                    missing.append(f"{node_id}.{name}")
        if not source.isascii():
            non_ascii.append(node_id)
    assert not missing, f"inputs of the pack's nodes with no tooltip: {missing}"
    assert not non_ascii, non_ascii



@pytest.mark.parametrize("path", ALL, ids=[p.stem.split()[0] for p in ALL])
def test_every_shipped_workflow_opens_with_nothing_overlapping_and_titles_in_view(frontend, comfy, renderer, path,
                                                                                   artifacts):
    """The GPU workflows' saved sizes were below the nodes' real ones (the reasoner covered the loaders): each node
    is now saved at least as large as either renderer draws it, in columns in the order the data flows."""
    load(frontend, json.loads(path.read_text()))
    vue = renderer == "nodes2"
    frontend.page.wait_for_timeout(800)  # the portrait's image loads and sizes its node
    hits = overlaps(frontend, renderer)
    assert not hits, f"{path.name}: nodes overlap after load in {renderer}: {hits}"
    assert not frontend.evaluate(COVERED_TITLES, vue), f"{path.name}: node titles are under the frontend's bars"
    # what the saved view shows is readable: the first column's nodes are in view at the default zoom or closer
    scale = frontend.evaluate("() => window.comfyAPI.app.app.canvas.ds.scale")
    assert scale >= 0.7, f"{path.name} opens at {scale:.2f}x zoom"
    frontend.page.screenshot(path=str(artifacts / f"opened_{path.stem.split()[0]}_{renderer}.png"))


def test_templates_are_listed_with_thumbnails_cpu_draft_first(frontend, comfy, artifacts):
    """ComfyUI serves example_workflows/ as the pack's templates; the template browser titles each by its file name
    and shows <name>.jpg as its thumbnail (the same dialog in both renderers)."""
    names = comfy.get_json("/workflow_templates")[PACK_LINK_NAME]
    assert sorted(names) == sorted(p.stem for p in ALL)
    for path in ALL:
        base = f"/api/workflow_templates/{PACK_LINK_NAME}/{urllib.parse.quote(path.stem)}"
        assert json.loads(comfy._request(base + ".json")) == json.loads(path.read_text())
        thumb = comfy._request(base + ".jpg")
        assert thumb[:3] == b"\xff\xd8\xff" and len(thumb) < THUMB_MAX_BYTES, (path.stem, len(thumb))

    frontend.evaluate("() => window.comfyAPI.app.app.extensionManager.command.execute('Comfy.BrowseTemplates')")
    dialog = frontend.page.locator(".p-dialog").filter(has_text="Templates").first
    dialog.get_by_text(PACK_LINK_NAME, exact=True).first.click()
    frontend.page.wait_for_function(
        """(n) => { const imgs = [...document.querySelectorAll('.p-dialog img')];
            return imgs.length >= n && imgs.every(i => i.complete && i.naturalWidth > 0); }""",
        arg=len(ALL), timeout=30_000)
    cards = frontend.evaluate("""(names) => [...document.querySelectorAll('.p-dialog *')]
        .filter(e => e.childElementCount === 0 && names.includes(e.textContent.trim()))
        .map(e => e.textContent.trim())""", [p.stem for p in ALL])
    order = list(dict.fromkeys(cards))  # the title and the description of a card both read its name
    assert order == [p.stem for p in ALL], order
    assert order[0].startswith("1 CPU draft")
    # the server lists them in its folder scan's order; the extension puts ours in the order of their numbers
    assert frontend.evaluate("() => window.comfyAPI.api.api.getWorkflowTemplates.thinkdraw === true")
    thumbs = frontend.evaluate("() => [...document.querySelectorAll('.p-dialog img')].map(i => i.naturalWidth)")
    assert len(thumbs) == len(ALL) and min(thumbs) >= 300, thumbs
    frontend.page.wait_for_timeout(300)
    frontend.page.screenshot(path=str(artifacts / "templates.png"))
