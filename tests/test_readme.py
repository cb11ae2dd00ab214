"""The README's quick start is what CI runs, and its claims about the tool hold."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)


def test_quick_start_is_two_commands() -> None:
    """The quick start is exactly two one-line commands: install and classify the Quad, install and test."""
    commands = quick_start()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "classify examples/quad.yaml" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run runs the README's test command verbatim."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start()[1] in ci.splitlines()


def test_readme_picture_is_the_golden_output() -> None:
    """The output pictured at the top of the README is exactly what classify prints for the Quad."""
    golden = (ROOT / "tests" / "golden" / "quad.txt").read_text(encoding="utf-8")
    assert f"```console\n$ classify examples/quad.yaml\n{golden}```\n" in README
