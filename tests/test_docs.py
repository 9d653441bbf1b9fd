"""The README's column reference is the schema's, and its two commands exist."""

from __future__ import annotations

from pathlib import Path

from loaders.columns_doc import columns_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_readme_columns_match_schema() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("<!-- columns:start -->\n", 1)[1].split("<!-- columns:end -->", 1)[0]
    assert section == columns_markdown(), "README columns are stale: run python -m loaders.columns_doc"


def test_readme_commands_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for script in ("scripts/explore.sh", "scripts/test.sh"):
        assert f"bash {script}" in text
        assert (ROOT / script).exists()
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
