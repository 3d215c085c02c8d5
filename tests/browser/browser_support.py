"""Helpers for the browser tests: Debian's chromium, and one ComfyUI frontend tab.

Chromium comes from apt (Playwright's own browsers would need a download at test time). When it
is missing it is installed; only where apt cannot be used do the tests skip, loudly.
"""
from __future__ import annotations

from system_packages import apt_install

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
EXTENSION_NAME = "ThinkDraw.Plan"


def apt_install_chromium() -> str | None:
    """Install Debian's chromium with apt; the reason it could not, or None when it worked."""
    return apt_install("chromium")


def server_node_types(comfy) -> list[str]:
    """Every node type the server offers (cached on the session's server object)."""
    if not hasattr(comfy, "_thinkdraw_node_types"):
        comfy._thinkdraw_node_types = sorted(comfy.object_info())
    return comfy._thinkdraw_node_types


def wait_until_ready(page, node_types: list[str]) -> None:
    """The app is ready when its graph exists and every given node type is registered."""
    page.wait_for_function(
        """types => { const known = window.LiteGraph?.registered_node_types;
            return window.comfyAPI?.app?.app?.graph && known && types.every(t => t in known); }""",
        arg=node_types, timeout=90_000)


class FrontendPage:
    """One browser tab on the ComfyUI frontend, with its console errors collected."""

    def __init__(self, page, url: str, node_types: list[str]):
        self.page = page
        self.url = url
        self.node_types = node_types
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def open(self) -> "FrontendPage":
        self.page.goto(self.url, wait_until="domcontentloaded")
        wait_until_ready(self.page, self.node_types)
        self.page.wait_for_function(
            "name => window.comfyAPI.app.app.extensions?.some(e => e.name === name)", arg=EXTENSION_NAME, timeout=30_000)
        return self

    def evaluate(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def missing_dialog_text(self) -> str:
        """Text of a visible missing-node-types dialog, or '' when none is shown."""
        return self.page.evaluate("""() => {
            const dialogs = [...document.querySelectorAll('.p-dialog')].filter(d => d.offsetParent !== null);
            const hit = dialogs.find(d => /missing|not found/i.test(d.innerText));
            return hit ? hit.innerText : '';
        }""")


RENDERERS = ["classic", "nodes2"]  # the classic LiteGraph canvas and "Nodes 2.0" (Vue nodes)


def use_renderer(frontend: FrontendPage, renderer: str) -> None:
    """Switch the tab to one renderer, by the setting Nodes 2.0's own toggle writes."""
    assert renderer in RENDERERS, renderer
    frontend.evaluate("async (on) => { await window.comfyAPI.app.app.extensionManager.setting"
                      ".set('Comfy.VueNodes.Enabled', on); }", renderer == "nodes2")
    frontend.page.wait_for_timeout(300)


def focus_node(frontend: FrontendPage, node_id, scale: float = 1.0, margin=(80, 60)) -> None:
    """Pan the canvas so that node `node_id` is at the top left of the view, at `scale`."""
    frontend.evaluate("""([id, scale, mx, my]) => { const app = window.comfyAPI.app.app, c = app.canvas;
        const n = app.graph.getNodeById(Number(id));
        const title = window.LiteGraph.NODE_TITLE_HEIGHT;
        c.ds.scale = scale; c.ds.offset = [mx / scale - n.pos[0], my / scale - n.pos[1] + title];
        c.setDirty(true, true); }""", [node_id, scale, margin[0], margin[1]])
    frontend.page.wait_for_timeout(400)
