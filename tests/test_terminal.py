"""What the command line prints: names with terminal escape codes shown, not obeyed; exact JSON;
no password from ``NEO4J_URI`` in any message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.settings import Settings, redact_credentials
from graph.uscc import check_char
from guanxi.cli import json_text, main
from loaders.export import visible_controls
from tests.reference import RawGraph

#: names that would recolour, clear, retitle or reorder a terminal if printed raw
ESCAPES = {
    "client": "上海\x1b[2J\x1b[31m红色客户\x1b[0m有限公司",
    "prospect": "苏州\x9b31m潜客\x07有限公司",
    "person": "张\x1b]0;owned\x07三\r\n伪造行",
    "manager": "王\x7f经理\u202e",
}
RAW = ("\x1b", "\x9b", "\x07", "\x7f", "\u202e", "\r")


def uscc(i: int) -> str:
    body = f"91310115MA{i:07d}"
    return body + check_char(body)


@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    g = RawGraph()
    a = g.add_company(uscc(1), ESCAPES["client"], is_client=True, manager=ESCAPES["manager"])
    t = g.add_company(uscc(2), ESCAPES["prospect"])
    p = g.add_person("p1", ESCAPES["person"])
    g.add_edge("SERVES_AS", p, a, role="chairman")
    g.add_edge("SERVES_AS", p, t, role="director")
    g.add_edge("SUPPLIES", a, t, amount=1.2e8)
    store = EmbeddedStore()
    g.write_to(store)
    return store.save(tmp_path / "escapes.gx")


def test_visible_controls() -> None:
    assert visible_controls("a\x1b[31mb\x9bc\x7f\u202ed\te\nf") == "a\\x1b[31mb\\x9bc\\x7f\\u202ed\\x09e\\x0af"
    assert visible_controls("a\nb\tc", keep="\n") == "a\nb\\x09c"
    assert visible_controls("上海芯源 (A) 100%") == "上海芯源 (A) 100%"


@pytest.mark.parametrize(
    "command",
    [
        ["paths", uscc(2)],
        ["connect", uscc(1), uscc(2)],
        ["search", "有限公司"],
        ["supply", uscc(1)],
        ["related", uscc(1)],
    ],
)
def test_human_output_shows_escapes(graph_file: Path, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--store", str(graph_file)]) == 0
    out = capsys.readouterr().out
    assert out.strip(), "nothing printed"
    for raw in RAW:
        assert raw not in out, (raw, out)
    assert "\\x1b" in out or "\\x9b" in out


def test_json_output_is_exact_and_inert(graph_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paths", uscc(2), "--store", str(graph_file), "--json"]) == 0
    out = capsys.readouterr().out
    for raw in RAW:
        assert raw not in out
    answer = json.loads(out)
    assert answer["target"]["name"] == ESCAPES["prospect"]
    assert answer["paths"][0]["introducer"]["name"] == ESCAPES["client"]
    data = {"name": "".join(ESCAPES.values()), "n": 1}
    assert json.loads(json_text(data)) == data


def test_errors_show_escapes_and_no_password(graph_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paths", "不存在\x1b[2J", "--store", str(graph_file)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b" in err
    for uri in ("bolt://neo4j:s3cr%40t@127.0.0.1:1", "neo4j+s://neo4j:s3cr@t@127.0.0.1:1"):
        assert main(["stats", "--neo4j-uri", uri, "--neo4j-password", "other"]) == 2
        err = capsys.readouterr().err
        assert "s3cr" not in err and err.count("\n") == 1
        assert "***@127.0.0.1:1" in err and "NEO4J_PASSWORD" in err
        assert main(["stats", "--neo4j-uri", uri, "--json"]) == 2
        error = json.loads(capsys.readouterr().out)["error"]
        assert error["type"] == "StoreUnavailable" and "s3cr" not in error["message"]


def test_redact_credentials() -> None:
    assert (
        redact_credentials("at bolt://u:p@h:7687 and neo4j+s://x@y/z?q")
        == "at bolt://***@h:7687 and neo4j+s://***@y/z?q"
    )
    assert redact_credentials("bolt://host:7687, user 'neo4j'") == "bolt://host:7687, user 'neo4j'"
    assert "s3cret" not in repr(Settings(backend="neo4j", neo4j_uri="bolt://localhost", neo4j_password="s3cret"))
