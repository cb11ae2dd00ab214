"""The classify command end to end, through click's CliRunner and a real installed subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main

QUAD = "examples/quad.yaml"


def run(runner: CliRunner, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_quad_json_is_strategic_partnership(runner: CliRunner) -> None:
    """The Quad is a strategic partnership, with its borderline reason, as one JSON result."""
    code, out, err = run(runner, QUAD, "--format", "json")
    assert (code, err) == (0, "")
    (result,) = json.loads(out)
    assert result["label"] == "strategic_partnership"
    assert (result["scope"], result["posture"], result["formality"]) == (None, None, None)
    assert result["borderline"] is True
    assert result["source"] == QUAD
    assert result["schema_version"] == 1
    assert result["rules"]["name"] == "article"


def test_text_output_is_plain_when_piped(runner: CliRunner) -> None:
    """Without a terminal the human output carries no ANSI escapes, and has the label and each criterion."""
    code, out, _ = run(runner, QUAD)
    assert code == 0
    assert "\x1b[" not in out
    assert "strategic partnership  ⚠ borderline" in out
    assert " ✗  A pledge to defend one another, or to fight together, makes an alliance" in out
    assert " ✓  Security cooperation towards shared aims" in out


def test_no_color_is_honoured(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """--color forces ANSI; NO_COLOR (without --color) keeps the output plain."""
    assert "\x1b[" in run(runner, QUAD, "--color")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(runner, QUAD)[1]


def test_bad_file_exit_1_with_located_messages(runner: CliRunner, tmp_path: Path) -> None:
    """A bad file gets every problem on stderr as path:line:col: field: what (hint), exit 1, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Quad\nmembres: [Australia, India]\ninstrument: joint_statment\n")
    code, out, err = run(runner, str(bad))
    assert code == 1
    assert err.splitlines() == [
        f"{bad}:1:1: members: required field is missing (see examples/quad.yaml)",
        f"{bad}:2:1: membres: unknown field (did you mean 'members'?)",
        f"{bad}:3:1: instrument: unknown instrument 'joint_statment' (did you mean 'joint_statement'?)",
    ]
    assert "Traceback" not in out + err


def test_missing_file_exit_1(runner: CliRunner) -> None:
    """A path that does not exist is reported, and the exit code is 1."""
    code, _, err = run(runner, "no/such.yaml")
    assert (code, err) == (1, "no/such.yaml: no such file or folder\n")


def test_usage_error_exit_2(runner: CliRunner) -> None:
    """An unknown option is a usage error: exit 2."""
    assert run(runner, QUAD, "--formatt", "json")[0] == 2


def test_rules_that_do_not_load_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """A rule set with a misspelt fact stops before any input is read, with a located message: exit 2."""
    rules = tmp_path / "rules"
    shutil.copytree("rules/article", rules)
    path = rules / "two-members-is-bilateral.yaml"
    path.write_text(path.read_text().replace("member_count:", "member_cont:"))
    code, out, err = run(runner, QUAD, "--rules", str(rules))
    assert (code, out) == (2, "")
    assert err == (
        f"{path}:7:3: two-members-is-bilateral: unknown fact 'member_cont' (did you mean 'member_count'?)\n"
    )


def test_stdin_when_no_path(runner: CliRunner) -> None:
    """With no PATH and a non-terminal stdin, the arrangement is read from stdin."""
    text = Path(QUAD).read_text()
    code, out, _ = run(runner, "--format", "json", input=text)
    assert code == 0
    assert json.loads(out)[0]["source"] == "<stdin>"


def test_help_documents_exit_codes(runner: CliRunner) -> None:
    """--help lists every format and the exit codes."""
    code, out, _ = run(runner, "--help")
    assert code == 0
    for word in ("text", "json", "jsonl", "csv", "Exit codes", "usage error"):
        assert word in out


def _installed_classify() -> str | None:
    found = shutil.which("classify", path=os.path.dirname(sys.executable))
    return found


@pytest.mark.skipif(
    _installed_classify() is None, reason="the classify console script is not installed beside python"
)
def test_installed_command_from_another_folder(tmp_path: Path) -> None:
    """The installed console script works from any folder, with the rules it ships."""
    quad = str(Path(QUAD).resolve())
    done = subprocess.run(
        [str(_installed_classify()), quad, "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["label"] == "strategic_partnership"


def test_python_dash_m(tmp_path: Path) -> None:
    """python -m classifier is the same command."""
    done = subprocess.run(
        [sys.executable, "-m", "classifier", str(Path(QUAD).resolve()), "--format", "jsonl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["label"] == "strategic_partnership"


def test_json_array_has_a_record_per_line(runner: CliRunner) -> None:
    """--format json is an array with each record on a line of its own, so grep, head and tail work on it."""
    code, out, _ = run(runner, QUAD, "examples/nato.yaml", "--format", "json")
    lines = out.splitlines()
    assert (code, lines[0], lines[-1], len(lines)) == (0, "[", "]", 4)
    assert json.loads(lines[1].rstrip(","))["label"] == "strategic_partnership"
    assert json.loads(lines[2])["label"] == "alliance"
