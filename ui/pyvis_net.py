"""The one module that touches pyvis: vis-network's browser files and the page every drawing is.

pyvis (no release since 2023) ships vis-network 9.1.2; guanxi uses only those
files, inlined so a drawing works without the internet. The drawing itself
is a plain :class:`Network` of node and edge dictionaries in vis-network's
own format, laid out in Python (see :mod:`ui.layout`), so replacing pyvis
means changing :func:`vis_assets` only.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path as FilePath
from typing import Any

import pyvis
from jinja2 import DictLoader, Environment
from markupsafe import Markup

#: the vis-network release pyvis ships (its CSS and JavaScript are inlined)
VIS_VERSION = "vis-9.1.2"
FONT_FAMILY = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"


class Network:
    """Nodes and edges as vis-network reads them, the drawing's height and vis-network options."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.options: dict[str, Any] = {}

    def add_node(self, node_id: str, **options: Any) -> None:
        """A node ``node_id`` with vis-network ``options`` (label, shape, colour, x, y ...)."""
        self.nodes.append({"id": node_id, **options})

    def add_edge(self, source: str, target: str, **options: Any) -> None:
        """A directed edge (arrow at ``target``) with vis-network ``options``."""
        self.edges.append({"from": source, "to": target, "arrows": "to", **options})


_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<script>{{ vis_js }}</script>
<style>
  html, body { margin: 0; padding: 0; background: #ffffff; font-family: {{ font }}; }
  .gx-wrap { display: flex; gap: 10px; height: {{ height }}; }
  .gx-wrap.gx-below { flex-direction: column; gap: 4px; height: auto; }
  .gx-below .gx-legend { flex: none; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 14px;
                         overflow: visible; padding: 0 4px; }
  .gx-below .gx-legend-title { margin: 0; }
  .gx-below .gx-hint { margin: 0; }
  #mynetwork { flex: 1 1 auto; min-width: 0; height: {{ height }}; border: 1px solid #e0e0e0;
               border-radius: 8px; background: #fcfcfc; position: relative; }
  .vis-network { outline: none; }
  .gx-legend { flex: 0 0 200px; font-size: 12px; color: #37474f; overflow-y: auto; padding: 4px 2px; }
  .gx-legend-title { font-weight: 600; margin: 8px 0 4px; }
  .gx-row { display: flex; align-items: center; gap: 6px; margin: 3px 0; line-height: 1.3; }
  .gx-swatch { display: inline-block; width: 22px; height: 13px; box-sizing: border-box; flex: none; }
  .gx-box { border-radius: 3px; }
  .gx-ellipse { border-radius: 7px; }
  .gx-square { border-radius: 0; }
  .gx-line { display: inline-block; width: 16px; height: 0; flex: none; }
  .gx-arrow { font-size: 9px; margin-left: -7px; flex: none; }
  .gx-hint { color: #78909c; margin-top: 10px; }
  div.vis-tooltip { position: absolute; visibility: hidden; pointer-events: none; z-index: 5; padding: 5px;
                    background: #f5f4ed; border: 1px solid #808074; border-radius: 3px;
                    box-shadow: 3px 3px 10px rgba(0,0,0,.2); color: #000;
                    white-space: pre-line; font-family: {{ font }}; font-size: 12px; max-width: 360px; }
  @media (max-width: 560px) { .gx-legend { display: none; } }
</style>
</head>
<body data-nodes="{{ node_count }}" data-edges="{{ edge_count }}">
<div class="gx-wrap{% if legend_below %} gx-below{% endif %}">
  <div id="mynetwork" role="img" aria-label="{{ title }}"></div>
  <aside class="gx-legend">{{ legend }}</aside>
</div>
<script>
  var nodes = new vis.DataSet({{ nodes|tojson }});
  var edges = new vis.DataSet({{ edges|tojson }});
  var options = {{ options }};
  var network = new vis.Network(document.getElementById("mynetwork"), {nodes: nodes, edges: edges}, options);
  window.gxNetwork = network;
  network.once("afterDrawing", function () {
    network.fit({animation: false});
    document.body.setAttribute("data-drawn", String(nodes.length));
  });
</script>
</body>
</html>
"""


@cache
def _environment() -> Environment:
    env = Environment(loader=DictLoader({"page.html": _PAGE}), autoescape=True)
    # names stay readable in the HTML (and findable by tests); tojson still escapes < > & '
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    return env


@cache
def vis_assets() -> Markup:
    """vis-network's JavaScript as shipped inside pyvis, for inlining.

    Its 220 KB stylesheet is not inlined: it is almost all pictures of the
    navigation and editing buttons no drawing shows; the page styles the
    one part it uses (the tooltip) itself.
    """
    lib = FilePath(pyvis.__file__).parent / "templates" / "lib" / VIS_VERSION
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    return Markup(js.replace("</script", "<\\/script"))


def page(net: Network, legend: str, title: str, lang: str, *, legend_below: bool = False) -> str:
    """The self-contained HTML page of ``net`` with ``legend`` (HTML) beside it or below it."""
    return (
        _environment()
        .get_template("page.html")
        .render(
            lang=lang,
            title=title,
            height=f"{net.height}px",
            nodes=net.nodes,
            edges=net.edges,
            node_count=len(net.nodes),
            edge_count=len(net.edges),
            options=Markup(json.dumps(net.options, sort_keys=True)),
            legend=Markup(legend),
            vis_js=vis_assets(),
            font=Markup(FONT_FAMILY),
            legend_below=legend_below,
        )
    )


def graph_json(html_text: str) -> dict[str, Any]:
    """The node and edge lists embedded in a page made here (for tests and debugging)."""
    out: dict[str, Any] = {}
    for name in ("nodes", "edges"):
        marker = f"var {name} = new vis.DataSet("
        start = html_text.index(marker) + len(marker)
        end = html_text.index(");\n", start)
        out[name] = json.loads(html_text[start:end])
    return out
