"""A missing optional dependency disables only the nodes that need it, with one clear warning."""
import logging

import pytest


def test_missing_dependency_disables_only_its_nodes(pack, monkeypatch, caplog):
    registry = pack.nodes
    if len(registry.NODE_MODULES) < 2:
        pytest.skip("needs at least two node modules to show the others survive")
    victim = next(iter(registry.NODE_MODULES))
    real_import = registry.importlib.import_module

    def fake_import(name, package=None):
        if name == f".{victim}":
            raise ModuleNotFoundError("No module named 'mediapipe'", name="mediapipe")
        return real_import(name, package)

    monkeypatch.setattr(registry.importlib, "import_module", fake_import)
    with caplog.at_level(logging.WARNING, logger="ThinkDraw"):
        classes = registry.load_node_classes()
    ids = {cls.GET_SCHEMA().node_id for cls in classes}
    expected = {nid for mod, nids in registry.NODE_MODULES.items() if mod != victim for nid in nids}
    assert ids == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "mediapipe" in warnings[0] and "pip install" in warnings[0]
    for nid in registry.NODE_MODULES[victim]:
        assert nid in warnings[0]


def test_a_bug_in_one_module_is_logged_not_fatal(pack, monkeypatch, caplog):
    registry = pack.nodes
    if not registry.NODE_MODULES:
        pytest.skip("no node modules yet")
    victim = next(iter(registry.NODE_MODULES))
    real_import = registry.importlib.import_module

    def broken(name, package=None):
        if name == f".{victim}":
            raise ZeroDivisionError("boom")
        return real_import(name, package)

    monkeypatch.setattr(registry.importlib, "import_module", broken)
    with caplog.at_level(logging.ERROR, logger="ThinkDraw"):
        registry.load_node_classes()
    assert any("ThinkDraw bug" in r.getMessage() for r in caplog.records)


def test_a_node_with_an_invalid_schema_is_skipped_alone(pack, monkeypatch, caplog):
    """ComfyUI rejects the whole pack when one schema fails validation, so the registry checks each node."""
    registry = pack.nodes
    classes = registry.load_node_classes()
    if len(classes) < 2:
        pytest.skip("needs at least two nodes")
    victim = classes[0]

    def bad_schema(cls):
        raise ValueError("Ids must be unique between inputs and outputs")

    monkeypatch.setattr(victim, "GET_SCHEMA", classmethod(bad_schema))
    with caplog.at_level(logging.ERROR, logger="ThinkDraw"):
        survivors = registry.load_node_classes()
    assert victim not in survivors and len(survivors) == len(classes) - 1
    assert any("invalid schema" in r.getMessage() for r in caplog.records)
