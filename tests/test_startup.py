"""The explorer's launch: pip only when something changed, and nothing a bank user should not see or fetch.

``scripts/venv.sh`` is run by bash against a fake ``.venv/bin/python`` that
only records how it was called, so these tests install nothing. The launch
itself, timed in a real browser, is ``tests/test_bench.py``'s start-up test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent

#: a stand-in for the virtual environment's python: records its arguments, one call a line
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../../calls.log"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with the install inputs, the script and a fake, already created .venv."""
    if shutil.which("bash") is None or sys.platform == "win32":
        unavailable("the install script test needs bash")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "venv.sh", tmp_path / "scripts" / "venv.sh")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "constraints.txt").write_text("pandas==3.1.1\n", encoding="utf-8")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON, encoding="utf-8")
    python.chmod(0o755)
    return tmp_path


def ensure(project: Path, *args: str, **env: str) -> list[str]:
    """Run ``ensure_venv ARGS`` in ``project``; the pip calls it made."""
    log = project / "calls.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        ["bash", "-c", '. scripts/venv.sh && ensure_venv "$@"', "ensure", *args],
        cwd=project,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        timeout=60,
    )
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_pip_runs_only_when_the_install_inputs_change(project: Path) -> None:
    calls = ensure(project, "app,neo4j", "test")
    assert calls == [
        "-m pip install --quiet --upgrade pip",
        "-m pip install --quiet -c constraints.txt -e .[app,neo4j]",
    ]
    assert ensure(project, "app,neo4j", "test") == []  # the second launch: no pip at all
    (project / "constraints.txt").write_text("pandas==3.1.2\n", encoding="utf-8")
    assert ensure(project, "app,neo4j", "test")[-1].endswith(".[app,neo4j]")
    (project / "pyproject.toml").write_text('[project]\nname = "y"\n', encoding="utf-8")
    assert ensure(project, "app,neo4j", "test")[-1].endswith(".[app,neo4j]")
    assert ensure(project, "app,neo4j", "test") == []
    assert ensure(project, "app,neo4j", "test", GUANXI_REINSTALL="1") != []


def test_the_test_install_covers_the_explorer(project: Path) -> None:
    assert ensure(project, "test")[-1].endswith("-e .[test]")
    assert ensure(project, "test") == []
    assert ensure(project, "app,neo4j", "test") == []  # [test] includes [app] and [neo4j]
    assert ensure(project, "app,neo4j") != []  # without that allowance it would install


def test_a_missing_venv_is_made(project: Path) -> None:
    shutil.rmtree(project / ".venv")
    maker = project / "fake-python3"
    # `python3 -m venv .venv` stand-in: makes .venv/bin/python (the recorder)
    maker.write_text(
        f"#!/bin/sh\nmkdir -p .venv/bin\ncat > .venv/bin/python <<'EOF'\n{FAKE_PYTHON}EOF\nchmod +x .venv/bin/python\n",
        encoding="utf-8",
    )
    maker.chmod(0o755)
    assert ensure(project, "app", PYTHON=str(maker))[-1].endswith("-e .[app]")
    assert ensure(project, "app", PYTHON=str(maker)) == []


def test_the_scripts_use_the_stamp_and_the_constraints() -> None:
    explore = (ROOT / "scripts" / "explore.sh").read_text(encoding="utf-8")
    test = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert ". scripts/venv.sh" in explore and "ensure_venv app,neo4j test" in explore
    assert ". scripts/venv.sh" in test and "ensure_venv test" in test
    assert "pip install" not in explore and "pip install" not in test
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    names = {line.split("==")[0].lower() for line in pins if "==" in line}
    assert {"streamlit", "pandas", "networkx", "pyvis", "neo4j", "jinja2", "markupsafe", "pytest"} <= names
    assert not any(line.lower().startswith(("guanxi", "-e")) for line in pins)  # the project itself is not pinned


def test_streamlit_config_hides_the_chrome_and_sends_nothing() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] in ("viewer", "minimal")  # no Deploy button, no developer menu
    assert config["client"]["showErrorDetails"] == "none"  # no traceback in the browser
    assert config["server"]["showEmailPrompt"] is False


def test_favicon_is_a_local_file() -> None:
    """A Material icon or a URL as page icon makes the browser fetch it from the internet."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert 'FAVICON = Path(__file__).resolve().parent / "ui" / "favicon.png"' in source
    assert "page_icon=str(FAVICON)" in source
    assert (ROOT / "ui" / "favicon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "favicon.png" in pyproject["tool"]["setuptools"]["package-data"]["ui"]


# -- a command's imports (issue 13): a path query loads only what it uses ------------------------------
#: libraries a path query on the embedded store does not use: each costs a cold start tenths of a second
HEAVY = ("pandas", "scipy", "networkx", "streamlit", "sqlalchemy", "openpyxl", "pyvis")


def _loaded_after(code: str) -> list[str]:
    """Run ``code`` in a new interpreter; which of :data:`HEAVY` it left in ``sys.modules``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_command_line_imports_no_heavy_library() -> None:
    modules = "guanxi.cli, guanxi.cli_analysis, guanxi.cli_leads, graph.open_store, queries.introductions"
    assert _loaded_after(f"import {modules}\nfrom guanxi.cli import build_parser\nbuild_parser()") == []


def test_a_path_query_loads_no_heavy_library(tmp_path: Path) -> None:
    """``guanxi paths`` on a saved file: no NetworkX graph, no SciPy bounds, no SQL, no spreadsheet code."""
    from graph.embedded import EmbeddedStore
    from loaders.generate import generate
    from loaders.pipeline import load_files

    generate(tmp_path / "data", companies=100, seed=3)
    store = EmbeddedStore()
    load_files(store, tmp_path / "data")
    store.save(tmp_path / "graph.gx")
    prospect = next(n.id for n in store.iter_nodes("Company") if not n.is_client)
    argv = ["paths", prospect, "--store", str(tmp_path / "graph.gx")]
    # not even through pyarrow, which imports pandas when it converts Python or numpy values
    assert _loaded_after(f"from guanxi.cli import main\nassert main({argv!r}) == 0") == []
