"""Browser fixtures: Debian's chromium driven by Playwright against the real ComfyUI server."""
from __future__ import annotations

import shutil

import pytest

from browser_support import CHROMIUM_ARGS, FrontendPage, apt_install_chromium, server_node_types


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    reason = apt_install_chromium()
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


@pytest.fixture(scope="session")
def frontend_settings(comfy) -> None:
    """Quiet first-run UI (templates browser, minimap) so any dialog in the tests is ours to judge."""
    for key, value in {"Comfy.TutorialCompleted": True, "Comfy.Workflow.ShowMissingNodesWarning": True,
                       "Comfy.Workflow.ShowMissingModelsWarning": False, "Comfy.Minimap.Visible": False}.items():
        comfy._request(f"/settings/{key}", value)


@pytest.fixture
def frontend(browser, comfy, frontend_settings):
    """A fresh tab on the real frontend, ready once every node type of the server is registered."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300})
    page = context.new_page()
    try:
        yield FrontendPage(page, comfy.url, server_node_types(comfy)).open()
    finally:
        context.close()
