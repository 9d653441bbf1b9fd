"""Loader words in both languages (issue 10 item 5): reject reasons and errors of files that cannot be
loaded are codes with parameters, worded in Chinese or English by the report, the rejects file, the
command line (``--lang``, ``--json``) and the explorer's data page.
"""

from __future__ import annotations

import csv
import io
import json
import re
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore
from graph.errors import LoadError
from graph.messages import CATALOGUE, Message, fields, render
from graph.uscc import check_char
from guanxi.cli import main
from loaders.pipeline import load_files
from loaders.read import read_table
from loaders.values import BOOL_WORDS, DATE_FORMATS
from queries.messages import error_message
from ui.i18n import Lang, t

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
#: a run of Chinese characters and full-width punctuation
HAN = re.compile(r"[\u3400-\u9fff\u3001-\u303f\uff01-\uff5e]+")
#: the namespaces of the loaders' words
LOADER_CODES = ("reject.", "load.", "uscc.", "note.")
GOOD = "91310000MA1FL0XG1" + check_char("91310000MA1FL0XG1")
OTHER = "91310000MA1FL0XG2" + check_char("91310000MA1FL0XG2")


def sample(template: str) -> dict[str, str | int | float]:
    """A value for every field of ``template``: a number where the field is formatted as one."""
    out: dict[str, str | int | float] = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if name:
            out[name] = 2.5 if spec else 2
    return out


@pytest.mark.parametrize("code", sorted(c for c in CATALOGUE if c.startswith(LOADER_CODES)))
def test_every_loader_code_renders_in_both_languages(code: str) -> None:
    """Each reject reason and load error: both languages render with the same parameters, the
    Chinese one in Chinese, the English one without Chinese (but in its parameters)."""
    zh, en = CATALOGUE[code]
    assert fields(zh) == fields(en)
    message = Message(code, **sample(zh))
    chinese, english = render(message, "zh"), render(message, "en")
    bare = re.sub(r"\{[^}]*\}", "", zh)
    assert chinese and english and (chinese != english or not bare.strip())
    assert not bare.strip() or HAN.search(bare), f"{code}: no Chinese in the Chinese text"
    assert not HAN.search(re.sub(r"\{[^}]*\}", "", en)), f"{code}: Chinese in the English text"
    assert message.en == english and str(message) == (f"{chinese} / {english}" if chinese != english else english)


def test_every_loader_code_is_used() -> None:
    """No dead entries: every loader code appears in the sources."""
    sources = "\n".join(
        path.read_text(encoding="utf-8") for folder in ("graph", "loaders") for path in (ROOT / folder).rglob("*.py")
    )
    unused = [c for c in CATALOGUE if c.startswith(LOADER_CODES) and f'"{c}"' not in sources]
    assert not unused, unused


def test_every_loader_code_written_in_the_sources_is_in_the_catalogue() -> None:
    """A code is checked when its message is made, in the middle of a load: a misspelt one must fail
    here, not there. Every quoted ``reject.…``, ``load.…``, ``uscc.…`` and ``note.…`` is a code."""
    pattern = re.compile(r"""["']((?:reject|load|uscc|note)\.[a-z_]+)["']""")
    written = {
        code
        for folder in ("graph", "loaders", "queries", "guanxi", "ui")
        for path in (ROOT / folder).rglob("*.py")
        for code in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert len(written) > 100
    assert written <= set(CATALOGUE), sorted(written - set(CATALOGUE))


# -- a folder of bad files ------------------------------------------------------------------------------------
def bad_folder(folder: Path) -> Path:
    """Companies with one bad cell of each common kind, supply rows naming unknown companies, an
    undecodable line, a line with too many fields, and a file that is no table."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        ["统一社会信用代码", "企业名称", "登记状态", "成立日期", "注册资本", "是否上市"],
        [GOOD, "上海好公司", "存续", "2020-01-01", "100万", "是"],
        ["123", "坏代码公司", "存续", "", "", ""],
        [OTHER, "坏值公司", "休眠", "2021-02-30", "-5", "maybe"],
        [GOOD, "重复公司", "", "", "", ""],
        [OTHER[:-1] + ("0" if OTHER[-1] != "0" else "1"), "校验位错", "", "", "", ""],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    body = text.getvalue().encode("utf-8") + b"91310000MA1FL0XG3X,\xb5\xc4\xb9\xab\xcb\xbe,,,,\n"
    (folder / "companies.csv").write_bytes(body + b"a,b,c,d,e,f,g,h\n")
    supply = (
        "供应商统一社会信用代码,客户统一社会信用代码,年度,金额\n"
        + f"{GOOD},不存在的公司,2023,100\n{GOOD},{GOOD},2023,5\n"
    )
    (folder / "supply.csv").write_text(supply, encoding="utf-8")
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "data.json").write_text("{}", encoding="utf-8")
    return folder


def test_a_bad_folder_is_reported_in_the_chosen_language(tmp_path: Path) -> None:
    report = load_files(EmbeddedStore(), bad_folder(tmp_path / "in"))
    assert report.rejects and all(isinstance(r.reason, Message) for r in report.rejects), [
        r.reason for r in report.rejects if not isinstance(r.reason, Message)
    ]
    assert not [r.reason.code for r in report.rejects if isinstance(r.reason, Message) and r.reason.code == "text"]
    zh, en = report.summary("zh"), report.summary("en")
    assert "统一社会信用代码应为 18 位，实为 3 位" in zh and "USCC must have 18 characters, got 3" in en
    assert "USCC must have" not in zh and "应为 18 位" not in en
    for r in report.rejects:
        assert r.reason_text("zh") in zh or r not in report.rejects[:20]
        assert not HAN.search(_without_data(r.reason_text("en"), r)), r.reason_text("en")
    assert "notes.csv（无法判断文件内容" in zh and "notes.csv (cannot tell what this file holds" in en
    rejects = report.write_rejects(tmp_path / "rejects.csv", "zh")
    with rejects.open(encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert {row["原因"] for row in table} == {r.reason_text("zh") for r in report.rejects}
    data = report.to_dict("en")
    first = data["rejects"][0]
    assert first["reason"] == report.rejects[0].reason_text("en")
    assert first["reason_code"] == report.rejects[0].reason.code  # type: ignore[attr-defined]


def _without_data(text: str, reject: object) -> str:
    """A reason without what comes from the file itself: quoted values, file names, headers, names."""
    text = re.sub(r"'[^']*'", "", text)
    for part in (
        "companies.csv",
        "supply.csv",
        "企业名称",
        "统一社会信用代码",
        "上海好公司",
        *BOOL_WORDS,
        *DATE_FORMATS,
    ):
        text = text.replace(part, "")
    return re.sub(r"\(存续[^)]*\)|\([^)]*[\u4e00-\u9fff][^)]*\)", "", text)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "load.empty"),
        (b"%PDF-1.4 ...", "load.pdf"),
        (b"\xff\xfe\x00\xd8", "load.bad_bom"),
        ("\n企业名称\n".encode(), "load.blank_header"),
        ("企业名称,x\n甲,1\n".encode(), "load.missing_column"),
    ],
)
def test_a_file_that_cannot_be_loaded_names_itself_in_both_languages(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "公司.csv"
    path.write_bytes(content)
    with pytest.raises(LoadError) as info:
        read_table(path, "edges", "SUPPLIES") if code == "load.missing_column" else read_table(path, "nodes", "Company")
    said = info.value.message
    assert said is not None and said.code == code
    assert str(info.value) == said.en  # logs and old callers read English
    chinese = render(error_message(info.value), "zh")
    english = render(error_message(info.value), "en")
    assert chinese.startswith("公司.csv：") and english.startswith("公司.csv: "), (chinese, english)
    assert str(tmp_path) not in chinese + english  # the file's name, not where it was put
    assert not HAN.search(english.removeprefix("公司.csv").split("accepted headers")[0])


def test_the_command_line_reports_and_errs_in_its_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = bad_folder(tmp_path / "in")
    for lang in ("zh", "en"):
        store = tmp_path / f"graph-{lang}.gx"
        args = ["load", str(folder), "--store", str(store), "--backend", "embedded", "--lang", lang]
        assert main([*args, "--rejects", str(tmp_path / f"rejects-{lang}.csv")]) == 0
        out = capsys.readouterr().out
        if lang == "zh":
            assert "统一社会信用代码应为 18 位" in out and "must have 18 characters" not in out
        else:
            assert "USCC must have 18 characters, got 3" in out and "应为 18 位" not in out
        header = (tmp_path / f"rejects-{lang}.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert header == ("文件,行号,列,值,原因,处理" if lang == "zh" else "file,row,column,value,reason,outcome")
    args = ["load", str(tmp_path / "missing.csv"), "--store", str(tmp_path / "g.gx"), "--backend", "embedded"]
    assert main(args) == 2
    assert "missing.csv：没有这个文件或文件夹" in capsys.readouterr().err
    assert main([*args, "--lang", "en"]) == 2
    assert "missing.csv: no such file or directory" in capsys.readouterr().err
    assert main([*args, "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "load.no_path" and error["type"] == "LoadError" and "文件" in error["message"]


# -- the explorer -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_page_words_rejects_in_its_language_only(tmp_path: Path, lang: Lang) -> None:
    """A folder of bad files uploaded on the data page: every reason (and the left-out files) in the
    page's language; no English reason on the Chinese page, no Chinese one on the English page."""
    folder = bad_folder(tmp_path / "in")
    graph_file = EmbeddedStore().save(tmp_path / "graph.gx")
    report = load_files(EmbeddedStore(), folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_STORE", str(graph_file))
        for name in ("NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH", "GUANXI_READ_ONLY"):
            mp.delenv(name, raising=False)
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.radio(key="lang").set_value(lang).run()
        at.radio(key="page").set_value("data").run()
        uploads = [(p.name, p.read_bytes(), "text/csv") for p in sorted(folder.glob("*.csv"))]
        at.file_uploader(key="data_files").set_value(uploads).run()
        at.button(key="data_load").click().run()
        assert not at.exception, at.exception
        reasons = [str(x) for x in at.dataframe[-1].value[t("col.reason", lang)]]
    other: Lang = "en" if lang == "zh" else "zh"
    assert sorted(reasons) == sorted(r.reason_text(lang) for r in report.rejects)
    assert not set(reasons) & {r.reason_text(other) for r in report.rejects}
    captions = " ".join(str(c.value) for c in at.caption).replace("\\", "")  # markdown escapes
    assert (
        "notes.csv（无法判断文件内容" if lang == "zh" else "notes.csv (cannot tell what this file holds"
    ) in captions
    if lang == "zh":
        english = {en.split("{")[0].strip() for zh, en in CATALOGUE.values() if len(en.split("{")[0].split()) >= 3}
        assert not [e for e in english for r in reasons if e in r]
    else:
        assert not [r for r in reasons if HAN.search(_without_data(r, None))]
