"""The message catalogue: every note a query returns is a code with parameters, worded in one language.

Also the errors shown to users (no temporary paths, pandas texts or internal
names) and the notes the command line prints and puts in ``--json``.
"""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.errors import AmbiguousNode, GuanxiError, InvalidParameter, LoadError, NodeNotFound
from graph.store import GraphStore
from guanxi.cli import main
from queries.connections import connections
from queries.introductions import introductions
from queries.messages import CATALOGUE, PARAMETER_CODES, Message, error_message, fields, note_dict, reason_text, render
from tests.scenarios import introductions_graph, uscc

ROOT = Path(__file__).resolve().parent.parent
#: a Chinese character
HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")
#: ``Message("code"`` and ``code = "supply.…"`` in the sources
USED = re.compile(r"""Message\(\s*"([a-z_.]+)"|code = "([a-z_.]+)"(?: if .+ else "([a-z_.]+)")?""")


def codes_in_sources() -> set[str]:
    found: set[str] = set()
    for folder in ("queries", "ui", "guanxi", "loaders", "graph", "leads"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in USED.finditer(path.read_text(encoding="utf-8")):
                found.update(code for code in match.groups() if code)
    return found


def test_every_code_has_both_languages_with_the_same_parameters() -> None:
    for code, (zh, en) in CATALOGUE.items():
        assert fields(zh) == fields(en), code
        assert code == "empty" or (zh and en), code
        assert " / " not in zh + en, f"{code}: old callers split a note's text on ' / '"
        assert not HAN.search(re.sub(r"\{[^}]*\}", "", en)), f"{code}: Chinese in the English text"


def test_every_code_used_is_in_the_catalogue() -> None:
    used = codes_in_sources() | set(PARAMETER_CODES.values())
    assert {"intro.no_path", "connect.no_path", "supply.customers_truncated", "ubo.nobody"} <= used
    assert used <= set(CATALOGUE), sorted(used - set(CATALOGUE))


def test_a_message_is_checked_kept_and_rendered_in_one_language() -> None:
    with pytest.raises(InvalidParameter, match="no message"):
        Message("no.such.code")
    with pytest.raises(InvalidParameter, match="takes"):
        Message("common.first_n", limit=3, extra=1)
    note = Message(
        "intro.no_path",
        hops=2,
        scope=Message("scope.manager", manager="王芳"),
        kinds=("HOLDS_SHARES",),
        warmth=Message("empty"),
    )
    assert render(note, "en").startswith("no client of manager 王芳 reaches this company within 2 hops")
    assert "(equity)" in render(note, "en") and "HOLDS_SHARES" not in note
    assert "股权" in render(note, "zh") and not HAN.search(render(note, "en").replace("王芳", ""))
    assert str(note) == f"{render(note, 'zh')} / {render(note, 'en')}"  # old callers read both
    again = pickle.loads(pickle.dumps(note))  # Streamlit's cache pickles answers
    assert again.code == note.code and again.params == note.params and again == note
    assert note_dict(note, "en")["code"] == "intro.no_path"
    assert note_dict(note, "en")["params"]["scope"] == {  # type: ignore[index]
        "code": "scope.manager",
        "params": {"manager": "王芳"},
        "text": " of manager 王芳",
    }
    assert render(Message("supply.core_purchases", amount=1.2e8, top="10%"), "en") == "purchases ¥120m, top 10%"
    assert render(Message("supply.core_purchases", amount=1.2e8, top="10%"), "zh") == "年采购额 ¥1.2亿，居前 10%"


def test_reject_reasons_are_worded_when_they_carry_a_code() -> None:
    assert reason_text(Message("match.not_found"), "en") == "not found"
    assert reason_text("a / b as written", "en") == "a / b as written"  # plain text is never split


@pytest.mark.parametrize(
    ("exc", "file", "zh", "en"),
    [
        (
            ValueError("Excel file format cannot be determined, you must specify an engine manually."),
            "名单.xlsx",
            "不是 Excel 文件：名单.xlsx",
            "not an Excel file: 名单.xlsx",
        ),
        (
            LoadError("/tmp/guanxi-list-abc123/list.xlsx: File is not a zip file"),
            "客户名单.xlsx",
            "不是 Excel 文件：客户名单.xlsx",
            "not an Excel file: 客户名单.xlsx",
        ),
        (
            LoadError("/tmp/guanxi-upload-x9/企业.csv: unknown columns 'foo'"),
            None,
            "企业.csv: unknown columns 'foo'",
            "企业.csv: unknown columns 'foo'",
        ),
        (
            InvalidParameter("frame", "no name or USCC column among 'a', 'b'"),
            "list.csv",
            "名单：no name or USCC column among 'a', 'b'",
            "the list: no name or USCC column among 'a', 'b'",
        ),
        (
            InvalidParameter("kinds", "unknown kind HOLDS_SHARES"),
            None,
            "关系类型：unknown kind 股权",
            "relationship kinds: unknown kind equity",
        ),
        (
            NodeNotFound("苏州恒芯"),
            None,
            "没有匹配“苏州恒芯”的企业、人员或园区",
            "no company, person or park matches “苏州恒芯”",
        ),
        (
            AmbiguousNode("张伟", ["张伟 (P1)", "张伟 (P2)"]),
            None,
            "“张伟”匹配到 2 个主体，请用统一社会信用代码或全称指定：张伟 (P1)、张伟 (P2)",
            "“张伟” matches 2 entities; name one by USCC or full name: 张伟 (P1), 张伟 (P2)",
        ),
    ],
)
def test_errors_are_shown_without_internals(exc: Exception, file: str | None, zh: str, en: str) -> None:
    message = error_message(exc, file)
    assert (render(message, "zh"), render(message, "en")) == (zh, en)
    for text in (render(message, "zh"), render(message, "en")):
        assert "/tmp" not in text and "parameter '" not in text and "engine" not in text


def test_a_missing_reader_is_not_called_a_bad_file() -> None:
    exc = LoadError("/tmp/guanxi-list-1/list.xls: reading .xls files needs xlrd; save it as .xlsx")
    assert render(error_message(exc, "名单.xls"), "en") == "名单.xls: reading .xls files needs xlrd; save it as .xlsx"


def test_an_error_caused_by_pandas_is_an_excel_error() -> None:
    try:
        try:
            raise ValueError("Excel file format cannot be determined")
        except ValueError as inner:
            raise LoadError("cannot read /tmp/guanxi-list-1/list.xls") from inner
    except GuanxiError as exc:
        assert render(error_message(exc, "a.xls"), "zh") == "不是 Excel 文件：a.xls"


# -- notes of the queries, on every store -------------------------------------------------------------
@pytest.fixture
def store(make_store: Callable[[], GraphStore]) -> GraphStore:
    s = make_store()
    introductions_graph().write_to(s)
    return s


def test_query_notes_are_messages(store: GraphStore) -> None:
    answer = introductions(store, uscc(1), kinds=["officer"], max_hops=1, manager="赵磊")
    assert not answer.paths and isinstance(answer.notes[0], Message)
    assert answer.notes[0].code == "intro.no_path"
    assert render(answer.notes[0], "en").startswith("no client of manager 赵磊 reaches this company within 1 hop with")
    assert "officer" in render(answer.notes[0], "en") and "SERVES_AS" not in render(answer.notes[0], "en")
    assert not HAN.search(render(answer.notes[0], "en").replace("赵磊", ""))
    data = answer.to_dict("en")
    assert data["notes"][0]["code"] == "intro.no_path"  # type: ignore[index]
    both = answer.to_dict()["notes"][0]  # type: ignore[index]
    assert set(both) == {"code", "params", "zh", "en"}
    far = connections(store, uscc(1), uscc(2), kinds=["park"], max_hops=1)
    if not far.paths:
        assert far.notes[0].code == "connect.no_path"  # type: ignore[attr-defined]


# -- the command line -----------------------------------------------------------------------------
def test_cli_prints_notes_in_one_language_and_json_carries_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files, graph = tmp_path / "data", tmp_path / "graph.gx"
    assert main(["generate", str(files), "--companies", "300", "--seed", "5", "--no-ops"]) == 0
    assert main(["load", str(files), "--store", str(graph), "--json"]) == 0
    prospect = (files / "companies.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    capsys.readouterr()
    args = ["paths", prospect, "--store", str(graph), "--kinds", "park", "--max-hops", "1"]
    assert main([*args, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if line.startswith("note: ")]
    assert notes, out
    assert all(not HAN.search(n) for n in notes if "reaches this company" in n)
    assert main([*args, "--lang", "zh"]) == 0
    zh = [line for line in capsys.readouterr().out.splitlines() if line.startswith("注：")]
    assert zh and all(" / " not in n and "reaches" not in n for n in zh)
    assert main([*args, "--lang", "en", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notes"] and all({"code", "params", "text"} <= set(n) for n in data["notes"])
    assert any(n["code"] == "intro.no_path" for n in data["notes"])


def test_english_counts_take_the_right_number() -> None:
    from ui.i18n import STRINGS, t

    assert t("parks.n_companies", "en", n=1) == "1 company"
    assert t("parks.n_companies", "en", n=2) == "2 companies"
    assert t("card.hops", "en", hops=1) == "1 hop" and t("batch.within", "en", hops=3) == "Within 3 hops"
    assert render(Message("connect.no_path", source="甲", target="乙", hops=1), "en").startswith(
        "no connection between 甲 and 乙 within 1 hop with"
    )
    assert not [k for k, (_, en) in STRINGS.items() if "(s)" in en], "a count takes [n|one|many], not (s)"


def test_english_tables_have_human_headers() -> None:
    import pandas as pd

    from ui.batch_sheets import human_headers

    frame = pd.DataFrame(columns=["introducer", "uscc", "as_best_path", "input_name"])
    assert list(human_headers(frame, "en").columns) == ["introducer", "USCC", "as warmest path", "input name"]
    assert list(human_headers(frame, "zh").columns) == list(frame.columns)
