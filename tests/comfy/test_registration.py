"""The pack loads in a real ComfyUI server the way users load it, and every node registers."""
import pytest

from pack_manifest import declared_node_ids

pytestmark = pytest.mark.comfy


def test_every_declared_node_registers_with_thinkdraw_names(comfy):
    info = comfy.object_info()
    ours = {nid: spec for nid, spec in info.items() if nid.startswith("ThinkDraw")}
    assert sorted(ours) == sorted(declared_node_ids())
    for nid, spec in ours.items():
        assert spec["category"].startswith("ThinkDraw/") or spec["category"] == "ThinkDraw", (nid, spec["category"])
        assert spec["python_module"].startswith("custom_nodes."), spec["python_module"]


def test_no_import_failure_and_web_extension_served(comfy):
    assert not comfy.import_failures(), comfy.import_failures()
    extensions = comfy.get_json("/extensions")
    assert any("ThinkDraw" in path or "thinkdraw" in path for path in extensions), extensions
