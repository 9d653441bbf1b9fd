"""The Streamlit explorer: pages, the one rendering module and the zh/en string table.

``app.py`` at the repository root is thin: it picks the store and the language
and calls the page functions here. Every graph drawing goes through
:mod:`ui.render`, so pyvis can be replaced in one place.
"""
