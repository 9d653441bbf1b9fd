"""Relationship kinds are data: a kind added to copies of schema.yaml and warmth.yaml, with no Python,
is generated around (with a one-line warning), loaded, walked, told in sentences and shown by the
explorer, on both stores; a schema or warmth file that leaves something out is refused naming it."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore
from graph.errors import SchemaError
from graph.model import Edge
from graph.schema import SCHEMA_FILE, load_schema, parse_schema
from graph.warmth import WARMTH_FILE, load_weights, parse_weights
from loaders.generate import generate
from loaders.pipeline import load_files
from queries.explain import clause, edge_label, hop_reason
from queries.format import kind
from queries.introductions import introductions
from tests.conftest import Neo4jTarget, StoreFactory

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

#: a kind of the bank's reach work, declared in YAML alone: two companies co-own patents or copyrights
CO_IP = {
    "kind": "co_ip",
    "zh": "共有知识产权",
    "en": "co-owned IP",
    "file": "co_ip",
    "colour": "#6d4c41",
    "flags": {"exposure": False, "in_paths": True},
    "from": {"column": "company", "labels": ["Company"]},
    "to": {"column": "partner", "labels": ["Company"]},
    "identity": ["right"],
    "headers": {
        "company": ["company", "权利人统一社会信用代码"],
        "partner": ["partner", "共有权人统一社会信用代码"],
    },
    "properties": {
        "right": {
            "type": "enum",
            "required": True,
            "headers": ["right", "权利类型"],
            "values": {"patent": ["专利", "发明专利"], "copyright": ["软件著作权", "著作权"]},
            "labels": {"patent": ["专利", "patents"], "copyright": ["软件著作权", "software copyrights"]},
        },
        "count": {"type": "int", "min": 1, "headers": ["count", "数量"]},
    },
    "text": {
        "sentence": {
            "zh": ["与{target}共有{count}项{right}", "与{target}共有{right}"],
            "en": ["co-owns {count} {right} with {target}", "co-owns {right} with {target}"],
        },
        "reverse": {"zh": "{target}与{source}共有{right}", "en": "{target} shares {right} with {source}"},
        "label": {"zh": ["共有{right} {count}项", "共有{right}"], "en": ["co-owns {count} {right}", "co-owns {right}"]},
        "reason": {"zh": "共有{right}（{band}）", "en": "co-owned {right} ({band})"},
    },
}
CO_IP_RULE = {"by_right": {"patent": 0.95, "copyright": 0.6}, "unknown": 0.5}


def _yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _schema_data() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def _warmth_data() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(WARMTH_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def own_kind(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """GUANXI_SCHEMA and GUANXI_WARMTH name copies of the packaged files with the co-owned-IP kind added."""
    schema = _schema_data()
    schema["kinds"] = {**schema["kinds"], "CO_OWNS_IP": CO_IP}  # type: ignore[dict-item]
    warmth = _warmth_data()
    warmth["relationships"] = {**warmth["relationships"], "CO_OWNS_IP": CO_IP_RULE}  # type: ignore[dict-item]
    (tmp_path / "conf").mkdir()
    schema_file = _yaml(tmp_path / "conf" / "schema.yaml", schema)
    for vocabulary in ("roles.yaml", "association_roles.yaml"):  # the title vocabularies the schema names
        (tmp_path / "conf" / vocabulary).write_text(
            (SCHEMA_FILE.parent / vocabulary).read_text(encoding="utf-8"), encoding="utf-8"
        )
    warmth_file = _yaml(tmp_path / "conf" / "warmth.yaml", warmth)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_SCHEMA", str(schema_file))
        mp.setenv("GUANXI_WARMTH", str(warmth_file))
        yield schema_file, warmth_file


def _first_row(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.DictReader(fh))


def test_a_kind_added_in_yaml_alone_is_generated_around_loaded_walked_told_and_shown(
    own_kind: tuple[Path, Path], make_store: StoreFactory, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    files = tmp_path / "files"
    summary = generate(files, companies=100, seed=5)
    assert summary.skipped == ("CO_OWNS_IP",)
    assert summary.warnings == (
        "warning: the generator makes no data for relationship kind CO_OWNS_IP (共有知识产权); its file is not written",
    )
    assert summary.warnings[0] in summary.describe()
    assert not (files / "co_ip.csv").exists()
    prospect = summary.demo_prospects[-1]
    client = _first_row(files / "clients.csv")["uscc"]
    # the bank's own file of the new kind, with the Chinese headers its export prints
    (files / "co_ip.csv").write_text(
        f"权利人统一社会信用代码,共有权人统一社会信用代码,权利类型,数量\n{client},{prospect},发明专利,3\n",
        encoding="utf-8",
    )
    store = make_store()
    load_files(store, files)
    assert store.stats().relationships["CO_OWNS_IP"] == 1
    answer = introductions(store, prospect, k=10)
    ours = [p for p in answer.paths if any(e.type == "CO_OWNS_IP" for e in p.path.edges)]
    assert ours, [p.sentence_en for p in answer.paths]
    best = ours[0]
    assert best.rank == 1 and best.warmth == pytest.approx(0.95)
    assert "共有3项专利" in best.sentence_zh
    assert "co-owns 3 patents with the prospect" in best.sentence_en
    edge = best.path.edges[0]
    assert edge_label(edge, "zh") == "共有专利 3项" and edge_label(edge, "en") == "co-owns 3 patents"
    assert hop_reason(edge, store.weights, "en") == "co-owned patents (patent)"
    assert kind("CO_OWNS_IP", "en") == "co-owned IP"

    # the explorer, on the same store
    with pytest.MonkeyPatch.context() as mp:
        for name in ("GUANXI_STORE", "NEO4J_URI", "GUANXI_BACKEND", "GUANXI_READ_ONLY"):
            mp.delenv(name, raising=False)
        if make_store.backend == "neo4j":
            target: Neo4jTarget = request.getfixturevalue("neo4j_target")
            mp.setenv("GUANXI_BACKEND", "neo4j")
            for var, value in zip(
                ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"),
                (target.uri, target.user, target.password, target.database),
                strict=True,
            ):
                mp.setenv(var, value)
        else:
            assert isinstance(store, EmbeddedStore)
            mp.setenv("GUANXI_STORE", str(store.save(tmp_path / "graph.gx")))
        at = AppTest.from_file(APP, default_timeout=60).run(timeout=180)
        assert not at.exception, at.exception
        at.text_input(key="intro_q").set_value(prospect).run()
        assert not at.exception, at.exception
        shown = [m.value.replace("\\", "") for m in at.markdown] + [c.value for c in at.caption]
        assert any("共有3项专利" in x for x in shown), shown


def test_reverse_and_former_sentences_come_from_the_templates() -> None:
    held = Edge("HOLDS_SHARES", "Person:p", "Company:b", {"ratio": 0.3}, 0.75)
    assert clause(held, "张三", "乙公司", "zh", reverse=True) == "乙公司由张三持股30%"
    left = Edge("SERVES_AS", "Person:p", "Company:b", {"role": "director", "until": "2020-01-01"}, 0.35)
    assert clause(left, "张三", "乙公司", "zh") == "张三曾任乙公司董事"
    assert clause(left, "Zhang", "B", "en", reverse=True) == "B had Zhang as a director"
    assert edge_label(left, "en") == "former director"


def test_every_kind_of_the_packaged_schema_is_complete() -> None:
    schema = load_schema()
    weights = load_weights()
    for type_, spec in schema.kinds.items():
        assert spec.en and spec.colour.startswith("#") and "sentence" in spec.texts
        assert weights.rule(type_).strength({}) > 0
    # the original four first, in schema order; the kinds added after them (fund investment, family ...) follow
    assert schema.flagged("exposure")[:4] == ("HOLDS_SHARES", "SERVES_AS", "SUPPLIES", "GUARANTEES")
    assert "INVESTS_IN" in schema.flagged("exposure") and "INVESTS_IN" in schema.flagged("in_paths")
    assert {"FAMILY", "ACTS_IN_CONCERT"} <= set(schema.flagged("exposure")) & set(schema.flagged("in_paths"))
    assert schema.flagged("referral_only") == ("LOCATED_IN", "MEMBER_OF")
    assert len({spec.colour for spec in schema.kinds.values()}) == len(schema.kinds)  # each kind drawn apart


def _kind_error(change: dict[str, object], drop: str | None = None) -> str:
    data = _schema_data()
    entry = {**CO_IP, **change}
    if drop:
        del entry[drop]
    data["kinds"] = {**data["kinds"], "CO_OWNS_IP": entry}  # type: ignore[dict-item]
    with pytest.raises(SchemaError) as raised:
        parse_schema(data, "s.yaml")
    return str(raised.value)


def test_a_bad_kind_entry_is_refused_naming_the_kind_and_key() -> None:
    assert "kinds.CO_OWNS_IP: missing 'en'" in _kind_error({}, drop="en")
    assert "kinds.CO_OWNS_IP.colour" in _kind_error({"colour": "brown"})
    assert "kinds.CO_OWNS_IP.flags: unknown hub" in _kind_error({"flags": {"hub": True}})
    missing = _kind_error({"text": {"sentence": {"zh": "与{target}共有{patents}", "en": "x"}}})
    assert "kinds.CO_OWNS_IP.text.sentence.zh" in missing and "{patents}" in missing
    assert "text.label: expected zh and en" in _kind_error(
        {"text": {"sentence": {"zh": "a", "en": "b"}, "label": {"zh": "a"}}}
    )
    assert "kinds.CO_OWNS_IP.former" in _kind_error({"former": "count"})


def test_a_kind_without_a_strength_rule_is_an_error_naming_it_not_a_silent_default() -> None:
    schema = _schema_data()
    schema["kinds"] = {**schema["kinds"], "CO_OWNS_IP": CO_IP}  # type: ignore[dict-item]
    parsed = parse_schema(schema, "s.yaml", SCHEMA_FILE.parent)
    with pytest.raises(SchemaError, match="relationship kind CO_OWNS_IP has no strength rule"):
        parse_weights(_warmth_data(), "w.yaml", parsed)
    warmth = _warmth_data()
    warmth["relationships"] = {**warmth["relationships"], "CO_OWNS_IP": {"by_count": {"a": 0.5}}}  # type: ignore[dict-item]
    with pytest.raises(SchemaError, match=re.escape("w.yaml: CO_OWNS_IP.by_count: a map needs an enum property")):
        parse_weights(warmth, "w.yaml", parsed)
    warmth["relationships"] = {**warmth["relationships"], "CO_OWNS_IP": {"by_colour": [[1, 0.5]]}}  # type: ignore[dict-item]
    with pytest.raises(SchemaError, match="'colour' is not a property of kind CO_OWNS_IP"):
        parse_weights(warmth, "w.yaml", parsed)
    steps = {"by_count": [[5, 0.8], [1, 0.5]], "unknown": 0.4}
    warmth["relationships"] = {**warmth["relationships"], "CO_OWNS_IP": steps}  # type: ignore[dict-item]
    rule = parse_weights(warmth, "w.yaml", parsed).rule("CO_OWNS_IP")
    assert (rule.strength({"count": 7}), rule.strength({"count": 2}), rule.strength({})) == (0.8, 0.5, 0.4)
    assert rule.why({"count": 7}) == ("count ≥ 5", "count ≥ 5")
    warmth["relationships"] = {**warmth["relationships"], "NOT_A_KIND": {"default": 0.5}}  # type: ignore[dict-item]
    with pytest.raises(SchemaError, match=re.escape("relationships.NOT_A_KIND: no such relationship kind")):
        parse_weights(warmth, "w.yaml", parsed)


def test_a_broken_schema_or_warmth_file_is_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kinds: [\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_SCHEMA", str(bad))
        with pytest.raises(SchemaError) as raised:
            load_schema()
        assert str(bad) in str(raised.value) and "\n" not in str(raised.value)
    with pytest.raises(SchemaError) as raised:
        load_weights(bad)
    assert "line 2, column 1" in str(raised.value) and "\n" not in str(raised.value)
