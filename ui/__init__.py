"""The Streamlit explorer: pages, the drawings and the zh/en string table.

``app.py`` at the repository root is thin: it picks the store and the language
and calls the page functions here. Every graph drawing is importable from
:mod:`ui.render` (one ``ui/draw_*.py`` module per picture, laid out by
:mod:`ui.layout`); :mod:`ui.pyvis_net` is the only module that touches pyvis,
so it can be replaced in one place.
"""
