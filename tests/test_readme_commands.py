"""Every command of the README's command-line section runs, as written, on the data its first line makes.

The README is what a new user copies from; a name in it that the generated
data does not hold (or an option that no longer exists) is a broken promise.
The commands run in-process through :func:`guanxi.cli.main`, in order, in a
temporary folder, so ``data/`` and ``graph.gx`` are the ones the README's
own ``generate`` and ``load`` lines write.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from guanxi.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    """The ``guanxi`` lines of the README's command-line block, without their comments."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The command line") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "README's command-line section has no bash block"
    commands = []
    for line in block.group(1).splitlines():
        line = re.split(r"\s#\s", line, maxsplit=1)[0].strip()
        if line.startswith("guanxi "):
            commands.append(line)
    return commands


def test_readme_block_is_one_command_a_line() -> None:
    commands = readme_commands()
    assert commands[0].startswith("guanxi generate") and commands[1].startswith("guanxi load")
    assert all(" / guanxi" not in c for c in commands)
    assert len(commands) >= 15


@pytest.mark.slow
def test_every_readme_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("GUANXI_BACKEND", raising=False)
    monkeypatch.setenv("GUANXI_STORE", str(tmp_path / "graph.gx"))
    failures: list[str] = []
    for command in readme_commands():
        argv = shlex.split(command)[1:]
        capsys.readouterr()
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refused the command line
            code = int(exc.code or 0) or 2
        out, err = capsys.readouterr()
        problem = None
        if code != 0:
            problem = f"exit {code}: {err.strip()[-300:]}"
        elif "--json" in argv:
            try:
                json.loads(out)
            except ValueError as exc:
                problem = f"--json output is not JSON: {exc}"
        elif not out.strip():
            problem = "printed nothing"
        elif ("没有" in out and "note:" in out) or "(none)" in out:
            problem = f"found nothing: {out.strip()[:300]}"
        if problem:
            failures.append(f"{command}\n    {problem}")
    for written in ("result.xlsx", "matched.xlsx"):
        assert (tmp_path / written).stat().st_size > 0, f"{written} was not written"
    assert not failures, "README commands that fail on the README's own data:\n" + "\n".join(failures)


def test_json_errors_are_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``--json``, an error is a JSON object on standard output, exit code 2."""
    monkeypatch.setenv("GUANXI_STORE", str(tmp_path / "missing.gx"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("GUANXI_BACKEND", raising=False)
    code = main(["paths", "某公司", "-k", "0", "--json"])
    out, _ = capsys.readouterr()
    assert code == 2
    error = json.loads(out)["error"]
    assert error["type"] and error["message"]
