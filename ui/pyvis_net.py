"""The one module that touches pyvis: vis-network's browser files and the page every drawing is.

pyvis (no release since 2023) ships vis-network 9.1.2; guanxi uses only its
JavaScript, never anything from the internet. A page either *inlines* it
(469 KB: a standalone file that works anywhere, the default) or, in the
explorer, *links* it from the app's own static file server
(``static/vis-network-9.1.2.min.js`` next to app.py, served at
``app/static/...`` when Streamlit's ``server.enableStaticServing`` is on;
see :func:`link_vis`), so each drawing's frame holds only its data (tens of
KB) and the browser loads, caches and compiles the library once.

The drawing itself is a plain :class:`Network` of node and edge dictionaries
in vis-network's own format, laid out in Python (see :mod:`ui.layout`), so
replacing pyvis means changing :func:`vis_source` only. A page opens showing
everything when it is legible at that zoom, else its focus (e.g. the entity
asked about and its direct neighbours) at a legible zoom, the rest a pan away
(see :func:`opening_view`). In a frame narrower than 1100 px (the explorer on a
laptop) the legend goes below the drawing, so the drawing has the whole width.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from functools import cache
from pathlib import Path as FilePath
from typing import Any

import pyvis
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from graph.errors import InvalidParameter
from ui.i18n import Lang, t

#: the vis-network release pyvis ships (its JavaScript is inlined or served, never fetched from elsewhere)
VIS_VERSION = "vis-9.1.2"
#: the file the explorer serves it as: the version in the name, so a browser's cached copy is never stale
STATIC_NAME = "vis-network-9.1.2.min.js"
#: Streamlit serves ``static/`` next to the app's main script (app.py) when ``server.enableStaticServing`` is on
STATIC_DIR = FilePath(__file__).resolve().parent.parent / "static"
#: the served file's address relative to the explorer's page (a drawing's frame resolves it against the page,
#: so it also works under ``server.baseUrlPath`` or a proxy's prefix)
STATIC_URL = f"app/static/{STATIC_NAME}"
#: the smallest text (px on screen) a drawing opens with, when it has to choose what to show
LEGIBLE_PX = 10.0
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
{% if vis_url %}<script src="{{ vis_url }}"></script>{% else %}<script>{{ vis_js }}</script>{% endif %}
<style>
  html, body { margin: 0; padding: 0; background: #ffffff; font-family: {{ font }}; }
  .gx-wrap { display: flex; gap: 10px; height: {{ height }}; }
  .gx-wrap.gx-below { flex-direction: column; gap: 4px; height: auto; }
  .gx-below .gx-legend { flex: none; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 14px;
                         overflow: visible; padding: 0 4px; }
  .gx-below .gx-legend-title { margin: 0; }
  .gx-below .gx-hint { margin: 0; }
  .gx-stage { flex: 1 1 auto; min-width: 0; position: relative; }
  #mynetwork { height: {{ height }}; border: 1px solid #e0e0e0;
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
  .gx-note { position: absolute; left: 8px; bottom: 6px; z-index: 4; font-size: 12px; color: #546e7a;
             background: rgba(255,255,255,.85); padding: 1px 6px; border-radius: 4px; pointer-events: none; }
  .gx-note[hidden] { display: none; }
  .gx-failed { padding: 24px; color: #b71c1c; font-size: 14px; }
  /* a narrow frame (a laptop's explorer) gives the drawing its whole width: the legend goes below it */
  @media (max-width: 1100px) {
    .gx-wrap:not(.gx-below) { flex-direction: column; gap: 4px; }
    .gx-wrap:not(.gx-below) .gx-stage { flex: 1 1 auto; min-height: 0; }
    .gx-wrap:not(.gx-below) #mynetwork { height: 100%; box-sizing: border-box; }
    .gx-wrap:not(.gx-below) .gx-legend { flex: none; display: flex; flex-wrap: wrap; align-items: center;
                                         gap: 2px 14px; overflow: visible; padding: 0 4px; }
    .gx-wrap:not(.gx-below) .gx-legend-title, .gx-wrap:not(.gx-below) .gx-hint { margin: 0; }
  }
  @media (max-width: 560px) { .gx-legend { display: none; } }
</style>
</head>
<body data-nodes="{{ node_count }}" data-edges="{{ edge_count }}">
<div class="gx-wrap{% if legend_below %} gx-below{% endif %}">
  <div class="gx-stage">
    <div id="mynetwork" role="img" aria-label="{{ title }}"></div>
    <div class="gx-note" id="gx-note" hidden>{{ pan_note }}</div>
  </div>
  <aside class="gx-legend">{{ legend }}</aside>
</div>
<script>
(function () {
  var box = document.getElementById("mynetwork");
  if (typeof vis === "undefined") {  /* the library did not load: say so rather than show an empty frame */
    box.className = "gx-failed";
    box.textContent = {{ failed|tojson }};
    document.body.setAttribute("data-failed", "vis");
    return;
  }
  var nodes = new vis.DataSet({{ nodes|tojson }});
  var edges = new vis.DataSet({{ edges|tojson }});
  var options = {{ options }};
  var view = {{ view|tojson }};
  var note = document.getElementById("gx-note");
  var network = new vis.Network(box, {nodes: nodes, edges: edges}, options);
  window.gxNetwork = network;
  var cropped = false;
  /* everything when legible at that zoom, else the focus at a legible zoom (the rest a pan away) */
  function opening() {
    network.fit({animation: false, maxZoomLevel: 1});
    cropped = view.focus.length > 0 && network.getScale() < view.legible;
    if (cropped) {
      network.fit({nodes: view.focus, animation: false, minZoomLevel: view.legible, maxZoomLevel: 1});
      if (view.centre !== null && network.getScale() <= view.legible * 1.001) {
        /* the focus does not fit either: its centre in the middle, its ends a pan away */
        network.moveTo({position: network.getPosition(view.centre), scale: network.getScale(), animation: false});
      }
    }
    note.hidden = !cropped;
  }
  /* a double click on the background shows everything, another one the opening view again */
  network.on("doubleClick", function (event) {
    if (event.nodes.length || event.edges.length || !view.focus.length) return;
    if (cropped) {
      network.fit({animation: false, maxZoomLevel: 1});
      cropped = false;
      note.hidden = true;
    } else {
      opening();
    }
  });
  network.once("afterDrawing", function () {
    opening();
    document.body.setAttribute("data-drawn", String(nodes.length));
    document.body.setAttribute("data-cropped", String(cropped));
  });
})();
</script>
</body>
</html>
"""


@cache
def _environment() -> Environment:
    env = Environment(loader=DictLoader({"page.html": _PAGE}), autoescape=True)
    # names stay readable in the HTML (and findable by tests); tojson still escapes < > & '
    # and without spaces: the data is most of a page that links vis-network
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}
    return env


def vis_source() -> FilePath:
    """vis-network's JavaScript file as shipped inside pyvis.

    Its 220 KB stylesheet is never used: it is almost all pictures of the
    navigation and editing buttons no drawing shows; the page styles the
    one part it uses (the tooltip) itself.
    """
    return FilePath(pyvis.__file__).parent / "templates" / "lib" / VIS_VERSION / "vis-network.min.js"


@cache
def vis_assets() -> Markup:
    """vis-network's JavaScript, for inlining in a standalone page."""
    js = vis_source().read_text(encoding="utf-8")
    return Markup(js.replace("</script", "<\\/script"))


def static_copy_ok(folder: FilePath = STATIC_DIR) -> bool:
    """Whether ``folder`` holds :data:`STATIC_NAME` byte for byte as pyvis ships it (a missing or
    stale copy would draw nothing, or draw with another version than the one tested)."""
    try:
        return (folder / STATIC_NAME).read_bytes() == vis_source().read_bytes()
    except OSError:
        return False


@cache
def provide_static_copy(folder: FilePath = STATIC_DIR) -> bool:
    """Put pyvis's own vis-network file in ``folder`` for Streamlit to serve; whether it is there now.

    The library is not part of guanxi's sources: it is copied from the
    installed pyvis when missing or different (written to a temporary name
    and renamed, so a second explorer starting at the same time never serves
    half a file). A folder that cannot be written (a read-only install)
    gives False, and drawings inline the library instead. Checked once per
    folder and process (each script run asks).
    """
    if static_copy_ok(folder):
        return True
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{STATIC_NAME}.{os.getpid()}.tmp"
        tmp.write_bytes(vis_source().read_bytes())
        os.replace(tmp, folder / STATIC_NAME)
    except OSError:
        return False
    return static_copy_ok(folder)


#: where the pages made in this context (a Streamlit script run is one) load vis-network from: None inlines it
_VIS_URL: ContextVar[str | None] = ContextVar("guanxi_vis_url", default=None)


def link_vis(url: str | None) -> None:
    """Pages made from now on, in this context, load vis-network from ``url`` (relative to the page
    holding the drawing's frame) instead of inlining it; ``None`` inlines it again.

    The explorer calls this at the start of each script run (its own
    thread, so nothing leaks into other runs or into tests) with
    :data:`STATIC_URL` when Streamlit serves ``static/`` and the copy there
    is right, else with ``None``; everything else (tests, benchmarks,
    scripts) gets standalone pages.
    """
    if url is not None and (not url.strip() or any(c in url for c in "\"'<> \\")):
        raise InvalidParameter("url", f"not a plain relative address: {url!r}")
    _VIS_URL.set(url)


def linked_url() -> str | None:
    """The address pages load vis-network from now, ``None`` when they inline it."""
    return _VIS_URL.get()


def legible_scale(net: Network, ids: Iterable[str]) -> float:
    """The least zoom at which the node names of ``ids`` and the edge labels among them are
    :data:`LEGIBLE_PX` or larger on screen (at most 1: full size)."""
    wanted = set(ids)
    sizes = [float(n["font"]["size"]) for n in net.nodes if n["id"] in wanted and "font" in n]
    sizes += [
        float(e["font"]["size"])
        for e in net.edges
        if e.get("label") and e["from"] in wanted and e["to"] in wanted and "font" in e
    ]
    return min(1.0, LEGIBLE_PX / min(sizes)) if sizes else 1.0


def opening_view(net: Network, focus: Sequence[str], centre: str | None = None) -> dict[str, Any]:
    """What a page opens on: ``focus`` (ids of drawn nodes), the least legible zoom for it, and the
    node to centre on when even the focus does not fit.

    The page fits the whole drawing; if that zoom is below ``legible`` it
    shows ``focus`` instead, at no less than ``legible``, centred on
    ``centre`` if the focus does not fit either (on the focus otherwise), and
    says that the rest is a pan (or a double click) away. No focus: the whole
    drawing, whatever the zoom.
    """
    drawn = {str(n["id"]) for n in net.nodes}
    ids = [f for f in dict.fromkeys(focus) if f in drawn]
    middle = centre if centre in drawn and ids else None
    return {"focus": ids, "legible": round(legible_scale(net, ids), 3), "centre": middle}


#: vis-network node / edge options a page says once, in its options, when every node / edge has the same
#: value (they are most of a page's weight otherwise, repeated on each); :func:`graph_json` puts them back
SHARED_KEYS: dict[str, tuple[str, ...]] = {"nodes": ("borderWidth", "margin", "physics", "shape"), "edges": ("dashes",)}
SHARED_FONT_KEYS = ("align", "color", "face", "size", "strokeColor", "strokeWidth")


def _common(values: Sequence[object]) -> bool:
    return bool(values) and all(v == values[0] for v in values)


def said_once(items: Sequence[dict[str, Any]], keys: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``items`` without the values of ``keys`` and of their fonts' :data:`SHARED_FONT_KEYS` that all
    of them share (all that have a font, for the font's), and those values (vis-network's defaults
    for every item).

    >>> said_once([{"id": 1, "shape": "box", "font": {"size": 12}}, {"id": 2, "shape": "box", "font": {"size": 13}}],
    ...           ["shape"])
    ([{'id': 1, 'font': {'size': 12}}, {'id': 2, 'font': {'size': 13}}], {'shape': 'box'})
    """
    shared: dict[str, Any] = {}
    for key in keys:
        if all(key in item for item in items) and _common([item[key] for item in items]):
            shared[key] = items[0][key]
    # fonts matter only where there is a label: items without one (a line to a "+M more" box) do not count
    fonts: list[dict[str, Any]] = [item["font"] for item in items if isinstance(item.get("font"), dict)]
    font_shared = {
        k: fonts[0][k] for k in SHARED_FONT_KEYS if all(k in font for font in fonts) and _common([f[k] for f in fonts])
    }
    if font_shared:
        shared["font"] = font_shared
    out = []
    for item in items:
        rest = {k: v for k, v in item.items() if k not in shared or k == "font"}
        if "font" in shared and isinstance(item.get("font"), dict):
            rest["font"] = {k: v for k, v in item["font"].items() if k not in shared["font"]}
        out.append(rest)
    return out, shared


def _with_defaults(options: dict[str, Any], defaults: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """vis-network ``options`` with ``defaults`` (by ``nodes`` / ``edges``) added to its sections."""
    out = dict(options)
    for part, values in defaults.items():
        section = dict(out.get(part, {}))
        for key, value in values.items():
            section[key] = {**section.get(key, {}), **value} if key == "font" else value
        out[part] = section
    return out


def page(
    net: Network,
    legend: str,
    title: str,
    lang: Lang,
    *,
    legend_below: bool = False,
    focus: Sequence[str] = (),
    centre: str | None = None,
) -> str:
    """The HTML page of ``net`` with ``legend`` (HTML) beside it or below it, opening on ``focus``
    around ``centre`` when the whole is too small to read (see :func:`opening_view`); vis-network
    inlined or linked (see :func:`link_vis`)."""
    url = _VIS_URL.get()
    nodes, node_defaults = said_once(net.nodes, SHARED_KEYS["nodes"])
    edges, edge_defaults = said_once(net.edges, SHARED_KEYS["edges"])
    options = _with_defaults(net.options, {"nodes": node_defaults, "edges": edge_defaults})
    return (
        _environment()
        .get_template("page.html")
        .render(
            lang=lang,
            title=title,
            height=f"{net.height}px",
            nodes=nodes,
            edges=edges,
            node_count=len(net.nodes),
            edge_count=len(net.edges),
            options=Markup(json.dumps(options, sort_keys=True)),
            view=opening_view(net, focus, centre),
            legend=Markup(legend),
            vis_url=url,
            vis_js=None if url else vis_assets(),
            font=Markup(FONT_FAMILY),
            legend_below=legend_below,
            pan_note=t("graph.pan_note", lang),
            failed=t("graph.no_library", lang),
        )
    )


def graph_json(html_text: str) -> dict[str, Any]:
    """The node and edge lists embedded in a page made here, each with the values the page says
    once for all (see :func:`said_once`) put back: what vis-network draws (for tests and debugging)."""
    out: dict[str, Any] = {}
    marker = "var options = "
    start = html_text.index(marker) + len(marker)
    options = json.loads(html_text[start : html_text.index(";\n", start)])
    for name in ("nodes", "edges"):
        marker = f"var {name} = new vis.DataSet("
        start = html_text.index(marker) + len(marker)
        end = html_text.index(");\n", start)
        section = options.get(name, {})
        keys = [k for k in SHARED_KEYS[name] if k in section]
        font = {k: v for k, v in section.get("font", {}).items() if k in SHARED_FONT_KEYS}
        items = []
        for item in json.loads(html_text[start:end]):
            full = {**{k: section[k] for k in keys}, **item}
            if font and isinstance(item.get("font"), dict):
                full["font"] = {**font, **item["font"]}
            items.append(full)
        out[name] = items
    return out
