"""AU Plan Edit, imported in-process as ComfyUI imports the pack: overrides of the wrong JSON shape are a PlanError
naming the field and showing the right shape (they were AttributeError/TypeError tracebacks)."""
from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("overrides, message", [
    ('{"aus": [12, 6]}', 'overrides.aus must be an object of AU number -> intensity or '
                         "{'intensity': x, 'side': s}, got [12, 6]; write e.g. "
                         '{"aus": {"12": 0.5, "6": {"intensity": 0.3, "side": "left"}}}'),
    ('{"timeline": "fast"}', 'overrides.timeline must be an object of seconds by name, got "fast"; write e.g. '
                             '{"timeline": {"onset": 0.3, "apex": 2.0}}'),
    ('[12, 6]', 'overrides must be a JSON object like {"aus": {"12": 0.5}}'),
])
def test_plan_edit_refuses_overrides_of_the_wrong_shape(comfy_on_path, pack, overrides, message):
    from thinkdraw_core.plan import ActionUnit, AUPlan, PlanError

    node = importlib.import_module(f"{pack.__name__}.nodes.plan_edit").ThinkDrawAUPlanEdit
    plan = AUPlan(text="smile", action_units=[ActionUnit(au=12, intensity=0.6)])
    with pytest.raises(PlanError) as err:
        node.execute(plan=plan, overrides=overrides)
    assert message in str(err.value)
    edited = node.execute(plan=plan, overrides='{"aus": {"12": 0.3}, "timeline": {"onset": 0.2}}').args[0]
    assert edited.au_intensity(12) == 0.3 and edited.timeline.onset == 0.2
