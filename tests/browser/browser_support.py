"""Helpers for the browser tests: Debian's chromium, and one ComfyUI frontend tab.

Chromium comes from apt (Playwright's own browsers would need a download at test time). When it
is missing it is installed; only where apt cannot be used do the tests skip, loudly.
"""
from __future__ import annotations

import os
import shutil
import subprocess

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
EXTENSION_NAME = "ThinkDraw.Plan"


def apt_install_chromium() -> str | None:
    """Install Debian's chromium with apt; the reason it could not, or None when it worked."""
    apt = shutil.which("apt-get")
    if not apt:
        return "apt-get is not available on this machine"
    cmd = [apt, "install", "-y", "--no-install-recommends", "chromium"]
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if not sudo or subprocess.run([sudo, "-n", "true"], capture_output=True).returncode != 0:
            return "apt-get needs root and passwordless sudo is not available"
        cmd = [sudo, "-n", *cmd]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        # stale package lists are the usual cause; refresh once and retry
        subprocess.run([*cmd[:-4], "update"], capture_output=True, text=True, env=env, timeout=600)
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return None


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
