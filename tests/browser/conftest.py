"""Browser fixtures: Debian's chromium driven by Playwright against the real ComfyUI server.

Chromium comes from apt (the Playwright-bundled browsers would need a download at test time).
When it is missing the fixture installs it; only where apt cannot be used does it skip, loudly.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
HERE = Path(__file__).resolve().parent
EXTENSION_NAME = "ThinkDraw.Plan"


def _apt_install_chromium() -> str | None:
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
        subprocess.run([*cmd[:-3], "update"], capture_output=True, text=True, env=env, timeout=600)
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    reason = _apt_install_chromium()
    if reason:
        pytest.skip(f"!!! BROWSER TESTS SKIPPED: chromium is missing and cannot be installed ({reason}). "
                    f"Install Debian's `chromium` package to run them. !!!")
    path = shutil.which("chromium")
    assert path, "apt-get installed chromium but no `chromium` executable is on PATH"
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class FrontendPage:
    """One browser tab on the ComfyUI frontend, with its console errors collected."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def open(self) -> "FrontendPage":
        self.page.goto(self.url, wait_until="domcontentloaded")
        # the app is ready when its graph exists and our extension has registered
        self.page.wait_for_function(
            "name => window.comfyAPI?.app?.app?.graph && window.comfyAPI.app.app.extensions?.some(e => e.name === name)",
            arg=EXTENSION_NAME, timeout=90_000)
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

    def close_dialogs(self) -> None:
        self.page.evaluate("() => document.querySelectorAll('.p-dialog-close-button').forEach(b => b.click())")


@pytest.fixture(scope="session")
def frontend_settings(comfy) -> None:
    """Quiet first-run UI (templates browser, tours) so dialogs in the tests are ours to judge."""
    for key, value in {"Comfy.TutorialCompleted": True, "Comfy.Workflow.ShowMissingNodesWarning": True,
                       "Comfy.Workflow.ShowMissingModelsWarning": False, "Comfy.Minimap.Visible": False}.items():
        comfy._request(f"/settings/{key}", value)


@pytest.fixture
def frontend(browser, comfy, frontend_settings):
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    page = context.new_page()
    try:
        yield FrontendPage(page, comfy.url).open()
    finally:
        context.close()


def load_json(path: Path) -> dict:
    return json.loads(path.read_text())
