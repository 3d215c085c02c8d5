"""UI-format workflows of core ComfyUI nodes, shared by the runner and frontend-conversion tests."""
from __future__ import annotations

COLOR = 0x336699


def core_workflow() -> dict:
    """EmptyImage (width from a PrimitiveNode, height from a PrimitiveInt) -> Reroute -> ImageInvert ->
    ImageAddNoise (seed with a control value) -> bypassed ImageScaleBy -> SaveImage; plus a muted
    SaveImage and a Note. Written as the editor saves it (litegraph 0.4)."""
    def out(name, typ, links, **kw):
        return dict(name=name, type=typ, links=links, **kw)

    def inp(name, typ, link, widget=False):
        d = dict(name=name, type=typ, link=link)
        if widget:
            d["widget"] = {"name": name}
        return d

    nodes = [
        dict(id=1, type="EmptyImage", mode=0, inputs=[inp("width", "INT", 1, True), inp("height", "INT", 2, True)],
             outputs=[out("IMAGE", "IMAGE", [3])], widgets_values=[512, 512, 1, COLOR]),
        dict(id=2, type="PrimitiveNode", title="Width", mode=0, inputs=[],
             outputs=[out("INT", "INT", [1], widget={"name": "width"})], widgets_values=[40, "fixed"]),
        dict(id=3, type="PrimitiveInt", title="Height", mode=0, inputs=[], outputs=[out("INT", "INT", [2])],
             widgets_values=[32, "fixed"]),
        dict(id=4, type="Reroute", mode=0, inputs=[inp("", "*", 3)], outputs=[out("", "IMAGE", [4])]),
        dict(id=5, type="ImageInvert", mode=0, inputs=[inp("image", "IMAGE", 4)], outputs=[out("IMAGE", "IMAGE", [5, 8])]),
        dict(id=6, type="ImageAddNoise", mode=0, inputs=[inp("image", "IMAGE", 5)], outputs=[out("IMAGE", "IMAGE", [6])],
             widgets_values=[7, "randomize", 0.25]),
        dict(id=7, type="ImageScaleBy", mode=4, inputs=[inp("image", "IMAGE", 6)], outputs=[out("IMAGE", "IMAGE", [7])],
             widgets_values=["nearest-exact", 2.0]),
        dict(id=8, type="SaveImage", title="Result", mode=0, inputs=[inp("images", "IMAGE", 7)], outputs=[],
             widgets_values=["runner_test"]),
        dict(id=9, type="SaveImage", mode=2, inputs=[inp("images", "IMAGE", 8)], outputs=[], widgets_values=["muted"]),
        dict(id=10, type="Note", mode=0, inputs=[], outputs=[], widgets_values=["the runner skips notes"]),
    ]
    links = [[1, 2, 0, 1, 0, "INT"], [2, 3, 0, 1, 1, "INT"], [3, 1, 0, 4, 0, "IMAGE"], [4, 4, 0, 5, 0, "IMAGE"],
             [5, 5, 0, 6, 0, "IMAGE"], [6, 6, 0, 7, 0, "IMAGE"], [7, 7, 0, 8, 0, "IMAGE"], [8, 5, 0, 9, 0, "IMAGE"]]
    return {"last_node_id": 10, "last_link_id": 8, "nodes": nodes, "links": links, "groups": [], "version": 0.4}
