"""The lead-store benchmark stages run (tiny sizes; the figures themselves are in docs/leads.md)."""

from __future__ import annotations

from pathlib import Path

from bench.leads_stage import main, stage_board, stage_distribute


def test_distribute_stage(lead_location: str) -> None:
    result = stage_distribute(300, lead_location, "capacity", seed=2)
    assert result["created"] == 300 and result["unassigned"] == 0 and result["rerun_created"] == 0


def test_board_stage(tmp_path: Path) -> None:
    result = stage_board(40, str(tmp_path / "board.db"), seed=2)
    assert result["leads"] == result["rows_shown"] == 40
    assert main(["board", "--leads", "5", "--db", str(tmp_path / "b2.db")]) == 0
