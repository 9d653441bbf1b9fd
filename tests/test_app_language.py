"""The language switch on every page: zh → en → zh, each time every word in the new language at once.

English pages show no Chinese but the data's own names (companies, people,
parks, managers, branches, tags ...) and the few examples that are meant to
be Chinese (the headers a file may have); Chinese pages show none of the
English sentences of :mod:`ui.i18n` and :mod:`queries.messages`. Dropdowns
whose options are worded in the page's language are sent again with the new
label, so the browser does not keep the old one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore
from loaders.demo import demo_store
from queries.messages import CATALOGUE
from tests.conftest import DEMO_COMPANIES
from ui.i18n import LANG_NAMES, STRINGS, t
from ui.pages import PAGES
from ui.widgets import TRANSLATED

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
COMPANIES = DEMO_COMPANIES
#: a run of Chinese characters and full-width punctuation (the ideographic space is only a space)
HAN_RUN = re.compile(r"[\u3400-\u9fff\u3001-\u303f\uff01-\uff5e]+")
#: English strings that name Chinese examples on purpose: the switch's own label, file headers, search hints
MEANT_CHINESE = ("app.language", "batch.upload_help", "parks.keyword_hint", "parks.region_hint")


@pytest.fixture(scope="module")
def data_words(demo_env: Path) -> str:
    """Every text the demo graph holds (names, keys, managers, tags, regions ...), one per line."""
    store: EmbeddedStore = demo_store(companies=COMPANIES)
    words: set[str] = set()

    def add(value: object) -> None:
        if isinstance(value, str):
            words.add(value)
        elif isinstance(value, list | tuple | set):
            for v in value:
                add(v)

    for label in ("Company", "Person", "Park"):
        for node in store.iter_nodes(label):
            words.update((node.name, node.key))
            for value in node.props.values():
                add(value)
    for edge in store.iter_edges():
        for value in edge.props.values():
            add(value)
    return "\n".join(sorted(words))


def shown(at: AppTest) -> list[str]:
    """Every text a user reads: text elements, widget labels, options, placeholders, table headers."""
    out: list[str] = []
    for kind in ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success"):
        out += [str(getattr(e, "value", "")) for e in at.get(kind)]
    for kind in ("selectbox", "multiselect", "radio", "slider", "checkbox", "text_input", "button", "toggle"):
        for e in at.get(kind):
            out.append(str(e.proto.label))
            out += [str(o) for o in getattr(e.proto, "options", [])]
            out.append(str(getattr(e.proto, "placeholder", "")))
    out += [str(m.proto.label) for m in at.get("metric")]
    for frame in at.dataframe:
        out += [str(c) for c in frame.value.columns]
    meant = {t(key, "en") for key in MEANT_CHINESE} | set(LANG_NAMES.values())
    return [text for text in out if text and text not in meant and "also accepted as header" not in text]


def chinese_left(texts: list[str], data: str) -> list[str]:
    """The runs of Chinese that are not part of the data's own text."""
    return [run for text in texts for run in HAN_RUN.findall(text.replace("\\", "")) if run not in data]


def english_sentences() -> list[str]:
    """The fixed parts (three words or more) of every English string and message."""
    parts: set[str] = set()
    for zh, en in [*STRINGS.values(), *CATALOGUE.values()]:
        for part in re.split(r"\{[^}]*\}|\[[^\]]*\]|\*\*|[.:;()]", en):
            part = part.strip(" ,")
            if len(part.split()) >= 3 and part not in zh:
                parts.add(part)
    return sorted(parts)


def test_every_page_switches_language_at_once(demo_env: Path, data_words: str) -> None:
    english = english_sentences()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run(timeout=240)
    assert not at.exception, at.exception
    for page in PAGES:
        at.radio(key="page").set_value(page.key).run()
        at.radio(key="lang").set_value("en").run()
        assert not at.exception, (page.key, at.exception)
        assert not chinese_left(shown(at), data_words), page.key
        for kind in ("selectbox", "multiselect"):
            for e in at.get(kind):
                key = e.key
                if key in TRANSLATED and at.session_state[key] is not None:
                    assert e.proto.set_value, (page.key, key)  # the browser gets the label in English
                    sent = list(e.proto.raw_values) if kind == "multiselect" else [e.proto.raw_value]
                    assert not chinese_left([str(v) for v in sent], data_words), (page.key, key, sent)
        at.radio(key="lang").set_value("zh").run()
        assert not at.exception, (page.key, at.exception)
        texts = shown(at)
        assert not [s for s in english if any(s in text for text in texts)], page.key


def test_an_empty_answer_explains_itself_in_the_page_language_only(demo_env: Path, data_words: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run(timeout=240)
    at.multiselect(key="intro_kinds").set_value(["LOCATED_IN"]).run()
    at.slider(key="intro_hops").set_value(1).run()
    at.radio(key="lang").set_value("en").run()
    notes = [str(i.value) for i in at.info]
    assert any("reaches this company within 1 hop with" in n for n in notes), notes
    assert not chinese_left(shown(at), data_words)
    assert at.multiselect(key="intro_kinds").proto.raw_values == ["park"]  # relabelled, still the user's choice
    at.radio(key="lang").set_value("zh").run()
    assert any("跳内找到客户" in str(i.value) for i in at.info)
    texts = shown(at)
    assert not [s for s in english_sentences() if any(s in text for text in texts)]
    assert at.multiselect(key="intro_kinds").value == ["LOCATED_IN"]
