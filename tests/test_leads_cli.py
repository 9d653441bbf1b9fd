"""``guanxi ops/events/leads`` end to end on both lead databases: JSON answers, one-line errors, --leads-db."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from guanxi import cli_leads
from guanxi.cli import main
from leads.store import LeadStore
from loaders.ops_data import OpsData
from tests.leads_data import C1, C2, C4, candidate, sample_ops


class _Report:
    rejects: tuple[object, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"ok": True, "rejected": 0}

    def summary(self, lang: str) -> str:
        return "6 files read, 0 rows rejected"


def _fake_reader(paths: object, store: object, *, strict: bool = False) -> tuple[OpsData, _Report]:
    return sample_ops(), _Report()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    data = json.loads(out.out) if "--json" in argv and out.out.strip() else out.out
    return code, data, out.err


@pytest.fixture
def db(lead_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(cli_leads, "_ops_reader", lambda: _fake_reader)
    monkeypatch.setenv("GUANXI_STORE", str(tmp_path / "no-graph.gx"))
    return lead_location


def test_ops_events_distribute_move_history(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, loaded, _ = run(capsys, "ops", "load", str(tmp_path), "--no-graph", "--leads-db", db, "--json")
    assert code == 0 and loaded["written"]["events"] == {"added": 4, "changed": 0, "unchanged": 0}
    code, again, _ = run(capsys, "ops", "load", str(tmp_path), "--no-graph", "--leads-db", db, "--json")
    assert again["written"]["events"]["unchanged"] == 4

    code, events, _ = run(capsys, "events", "--since", "2026-10-01", "--region", "3205", "--leads-db", db, "--json")
    assert code == 0 and [e["event_id"] for e in events["events"]] == ["e1", "e2"]
    code, text, _ = run(capsys, "events", "--type", "担保到期", "--leads-db", db)
    assert "授信续作" in text and "担保到期" in text

    cands = [candidate(C1, 88, events=("e1",)), candidate(C2, 70, client_manager="王芳"), candidate(C4, 50)]
    file = tmp_path / "candidates.json"
    file.write_text(json.dumps([asdict(c) for c in cands], ensure_ascii=False), encoding="utf-8")
    code, result, _ = run(capsys, "leads", "distribute", "--candidates", str(file), "--leads-db", db, "--json")
    assert code == 0 and result["created"] == 3 and result["unassigned"] == 1

    code, listed, _ = run(capsys, "leads", "list", "--manager", "赵敏", "--leads-db", db, "--json")
    [lead] = listed["leads"]
    assert (lead["company"], lead["state"], lead["version"]) == (C1, "待认领", 1)
    code, text, _ = run(capsys, "leads", "list", "--unassigned", "--leads-db", db)
    assert "测试企业" in text and "待认领" in text

    lid = str(lead["id"])
    code, moved, _ = run(
        capsys, "leads", "move", lid, "跟进中", "--by", "赵敏", "--version", "1", "--leads-db", db, "--json"
    )
    assert code == 0 and moved["version"] == 2
    code, error, _ = run(
        capsys, "leads", "move", lid, "已结束", "--by", "钱进", "--version", "1", "--leads-db", db, "--json"
    )
    assert code == 2 and error["error"]["type"] == "StaleLead" and "changed by 赵敏" in error["error"]["message"]
    code, _, err = run(capsys, "leads", "move", lid, "已落地", "--by", "赵敏", "--leads-db", db)
    assert code == 2 and err.count("\n") == 1 and "allowed moves: 拟合作、已结束" in err
    code, error, _ = run(capsys, "leads", "move", lid, "won", "--by", "赵敏", "--leads-db", db, "--json")
    assert code == 2 and error["error"]["parameter"] == "state"
    code, _, _ = run(capsys, "leads", "move", lid, "note", "--by", "钱进", "--note", "客户下周回复", "--leads-db", db)
    assert code == 0

    code, history, _ = run(capsys, "leads", "history", lid, "--leads-db", db, "--json")
    assert [(h["to_state"], h["by"]) for h in history] == [("待认领", "system"), ("跟进中", "赵敏"), ("跟进中", "钱进")]
    code, text, _ = run(capsys, "leads", "show", lid, "--leads-db", db)
    assert "分配依据" in text and "工业园区支行" in text
    code, error, _ = run(capsys, "leads", "show", "999", "--leads-db", db, "--json")
    assert code == 2 and error["error"]["type"] == "LeadNotFound"


def test_watch_and_subscribe(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with LeadStore.open(db) as store:
        store.write_ops(sample_ops())
    code, subs, _ = run(
        capsys, "leads", "subscribe", "--manager", "王芳", "segment", "集成电路/设计", "--leads-db", db, "--json"
    )
    assert code == 0 and subs == [
        {"manager": "王芳", "kind": "segment", "value": "集成电路/设计", "created_at": subs[0]["created_at"]}
    ]
    code, watch, _ = run(
        capsys, "leads", "watch", "--manager", "王芳", "--since", "2026-01-01", "--leads-db", db, "--json"
    )
    assert code == 0 and [e["event_id"] for e in watch["events"]] == ["e1"]
    code, error, _ = run(capsys, "leads", "subscribe", "--manager", "王芳", "weather", "--leads-db", db, "--json")
    assert code == 2 and error["error"]["parameter"] == "kind"
    code, _, err = run(
        capsys, "leads", "watch", "--manager", "王芳", "--since", "2026-01-01", "--paths", "--leads-db", db
    )
    assert code == 2 and "no-graph.gx" in err  # --paths needs the graph: one clear line


def test_bad_candidates_file_and_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "l.db")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"company": C1, "name": "甲", "score": "high", "tier": "优质"}]), encoding="utf-8")
    code, error, _ = run(capsys, "leads", "distribute", "--candidates", str(bad), "--leads-db", db, "--json")
    assert code == 2 and "bad.json item 1" in error["error"]["message"] and "score" in error["error"]["message"]
    code, _, err = run(
        capsys, "leads", "list", "--leads-db", "postgresql+psycopg://x@127.0.0.1:1/none?connect_timeout=2"
    )
    assert (code == 2 and err.startswith("error: cannot open the lead database")) or "lead database" in err
    assert err.count("\n") == 1


def test_generated_data_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """generate → load → ops load → distribute (scored by part A) → list → move → watch --paths --record."""
    files, graph, db = tmp_path / "data", str(tmp_path / "graph.gx"), str(tmp_path / "leads.db")
    assert main(["generate", str(files), "--companies", "200", "--seed", "5"]) == 0
    assert main(["load", str(files), "--store", graph, "--json"]) == 0
    capsys.readouterr()
    code, loaded, _ = run(capsys, "ops", "load", str(files), "--store", graph, "--leads-db", db, "--json")
    assert code == 0 and loaded["written"]["events"]["added"] > 0 and loaded["written"]["branches"]["added"] > 0
    args = ("leads", "distribute", "--paths-for", "10", "--store", graph, "--leads-db", db, "--json")
    code, first, _ = run(capsys, *args)
    assert code == 0 and first["created"] > 0
    code, again, _ = run(capsys, *args)
    assert again["created"] == 0 and again["skipped_open"] == first["created"]
    with LeadStore.open(db) as store:
        leads = store.leads()
        assert len(leads) == first["created"]
        assert all(ld.manager is not None or ld.rule == "unassigned" for ld in leads)
        with_path = next(ld for ld in leads if ld.path_warmth is not None and ld.manager is not None)
    manager = str(with_path.manager)
    code, listed, _ = run(capsys, "leads", "list", "--manager", manager, "--leads-db", db, "--json")
    assert with_path.id in [ld["id"] for ld in listed["leads"]]
    code, watch, _ = run(
        capsys, "leads", "watch", "--manager", manager, "--since", "2000-01-01", "--paths", "--record",
        "--store", graph, "--leads-db", db, "--json",
    )  # fmt: skip
    assert code == 0 and watch["recorded"] is not None
    assert {c["status"] for c in watch["path_changes"]} <= {"new", "warmer", "colder", "broken", "gone"}
