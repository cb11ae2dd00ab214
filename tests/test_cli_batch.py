"""Folders and streams through the command: every format, one and two jobs, exit codes and --fail-fast."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from classifier.cli import main

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "json", "jsonl", "csv")
PAIR = "name: Pair\nmembers: [France, Germany]\ninstrument: treaty\nobligations: {mutual_defence: true}\n"
PROBLEM = re.compile(r"^\S+?(:\d+(:\d+)?)?: .+$")  # where: what (hint), one per line


def benchmark() -> ModuleType:
    """The benchmark's generator of realistic arrangement files (benchmarks/run.py), loaded by path."""
    spec = importlib.util.spec_from_file_location("classify_benchmark", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[tuple[str, str]]]:
    """A generated folder (multi-document, JSON and broken files) with a link loop, a dangling link and a FIFO,
    and every record classify must report for it, in order, each with its status."""
    folder = tmp_path_factory.mktemp("corpus")
    generated = benchmark().generate(folder, 90, seed=3)
    (folder / "loop-back").symlink_to(".")
    (folder / "zz-dangling.yaml").symlink_to("gone.yaml")
    os.mkfifo(folder / "zz-fifo.yaml")
    extra = [
        (f"{folder}/loop-back", "error"),
        (f"{folder}/zz-dangling.yaml", "error"),
        (f"{folder}/zz-fifo.yaml", "error"),
    ]
    return str(folder), [*generated.records, *extra]


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def records(format_: str, out: str) -> list[tuple[str, str]]:
    """(source, status) of every record in machine output; for text, the compact lines' sources."""
    if format_ == "json":
        return [(r["source"], r["status"]) for r in json.loads(out)]
    if format_ == "jsonl":
        return [(r["source"], r["status"]) for r in map(json.loads, out.splitlines())]
    if format_ == "csv":
        return [(r["source"], r["status"]) for r in csv.DictReader(io.StringIO(out))]
    lines = out.split("\n\n")[0].splitlines()
    return [(line.split("  ")[0], "error" if "✗ not classified" in line else "ok") for line in lines]


@pytest.mark.parametrize("format_", FORMATS)
def test_every_input_once_in_order_and_the_same_for_two_jobs(
    format_: str, corpus: tuple[str, list[tuple[str, str]]]
) -> None:
    """Each format reports every record once, in walk order, and one job and two give the same bytes."""
    folder, expected = corpus
    serial = invoke(folder, "--format", format_, "--jobs", "1")
    parallel = invoke(folder, "--format", format_, "--jobs", "2")
    assert parallel == serial
    code, out, err = serial
    assert code == 1
    assert records(format_, out) == expected
    assert all(PROBLEM.match(line) for line in err.splitlines())
    failed = {source for source, status in expected if status == "error"}
    assert {line.split(":")[0] for line in err.splitlines()} == failed
    if format_ == "text":
        total = out.rstrip().splitlines()[-1]
        assert total.split() == ["total", str(len(expected))]


def test_error_records_carry_their_location(tmp_path: Path) -> None:
    """An input that fails is a status: error record with each problem's line, column, field and text."""
    (tmp_path / "bad.yaml").write_text("name: X\nmembres: [Chile, Peru]\n")
    code, out, _ = invoke(str(tmp_path), "--format", "jsonl")
    assert code == 1
    assert json.loads(out) == {
        "schema_version": 1,
        "status": "error",
        "source": f"{tmp_path}/bad.yaml",
        "errors": [
            {
                "line": 1,
                "column": 1,
                "field": "members",
                "message": "required field is missing",
                "hint": "see examples/quad.yaml",
                "text": f"{tmp_path}/bad.yaml:1:1: members: required field is missing (see examples/quad.yaml)",
            },
            {
                "line": 2,
                "column": 1,
                "field": "membres",
                "message": "unknown field",
                "hint": "did you mean 'members'?",
                "text": f"{tmp_path}/bad.yaml:2:1: membres: unknown field (did you mean 'members'?)",
            },
        ],
    }


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fail_fast_stops_at_the_first_bad_input(jobs: str, corpus: tuple[str, list[tuple[str, str]]]) -> None:
    """--fail-fast reports every record up to the first that fails, that one included, and exits 1."""
    folder, expected = corpus
    first_bad = next(n for n, (_, status) in enumerate(expected) if status == "error")
    code, out, err = invoke(folder, "--format", "jsonl", "--fail-fast", "--jobs", jobs)
    assert code == 1
    assert records("jsonl", out) == expected[: first_bad + 1]
    assert {line.split(":")[0] for line in err.splitlines()} == {expected[first_bad][0]}


def test_mixed_inputs_keep_their_order(tmp_path: Path) -> None:
    """Files, a folder and - (JSON Lines) on one command line come out in the order given, for any jobs."""
    (tmp_path / "b.yaml").write_text(PAIR)
    (tmp_path / "a.yaml").write_text(PAIR + "---\n" + PAIR)
    lines = '{"name": "L1", "members": ["Chile", "Peru"]}\n{"name": "L2", "members": ["Chile", "Bolivia"]}\n'
    args = ["examples/quad.yaml", "-", str(tmp_path), "--format", "jsonl"]
    expected = [
        "examples/quad.yaml",
        "<stdin>#1",
        "<stdin>#2",
        f"{tmp_path}/a.yaml#1",
        f"{tmp_path}/a.yaml#2",
        f"{tmp_path}/b.yaml",
    ]
    for jobs in ("1", "2"):
        code, out, err = invoke(*args, "--jobs", jobs, input=lines)
        assert (code, err) == (0, "")
        assert [json.loads(line)["source"] for line in out.splitlines()] == expected


def test_stdin_yaml_stream_in_csv(tmp_path: Path) -> None:
    """A YAML stream on stdin gives one CSV row per document, with flat columns."""
    code, out, _ = invoke(
        "-", "--format", "csv", input=PAIR + "---\n" + Path("examples/quad.yaml").read_text()
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["source"], r["label"], r["scope"], r["member_count"], r["borderline"]) for r in rows] == [
        ("<stdin>#1", "alliance", "bilateral", "2", "false"),
        ("<stdin>#2", "strategic_partnership", "", "4", "true"),
    ]


def test_exit_0_when_every_input_is_classified(tmp_path: Path) -> None:
    """A folder of good files exits 0 with nothing on stderr."""
    for name in ("a.yaml", "b.yml", "c.json"):
        (tmp_path / name).write_text(
            PAIR if name != "c.json" else '{"name": "J", "members": ["Chile", "Peru"]}'
        )
    assert invoke(str(tmp_path), "--format", "jsonl")[::2] == (0, "")


def test_exit_1_when_nothing_to_classify(tmp_path: Path) -> None:
    """A folder with no arrangement files is an input error, said on stderr."""
    (tmp_path / "notes.txt").write_text("nothing here\n")
    assert invoke(str(tmp_path)) == (
        1,
        "",
        "classify: no arrangement files found (looked for *.yaml, *.yml and *.json)\n",
    )


def test_exit_2_for_a_bad_option() -> None:
    """A malformed --jobs is a usage error, exit 2."""
    code, _, err = invoke("examples/quad.yaml", "--jobs", "-1")
    assert code == 2
    assert "Invalid value for '-j' / '--jobs'" in err


def test_text_batch_lines_summary_and_verbose(tmp_path: Path) -> None:
    """A batch in text is one line per input (errors too) and a summary; --verbose gives each verdict in full."""
    (tmp_path / "a.yaml").write_text(PAIR)
    (tmp_path / "b.yaml").write_text("name: X\nmembres: [Chile, Peru]\n")
    (tmp_path / "c.yaml").write_text(Path("examples/quad.yaml").read_text())
    code, out, err = invoke(str(tmp_path))
    assert code == 1
    assert out.splitlines()[:3] == [
        f"{tmp_path}/a.yaml  alliance: bilateral, defensive, formal",
        f"{tmp_path}/b.yaml  ✗ not classified: 2 problems",
        f"{tmp_path}/c.yaml  strategic partnership  ⚠ borderline",
    ]
    summary = [line.split() for line in out.split("\n\n", 1)[1].splitlines()]
    assert summary == [
        ["verdict", "count"],
        ["alliance", "1"],
        ["strategic", "partnership", "1"],
        ["scope:", "bilateral", "1"],
        ["posture:", "defensive", "1"],
        ["formality:", "formal", "1"],
        ["borderline", "1"],
        ["errors", "1"],
        ["total", "3"],
    ]
    assert err.splitlines() == [
        f"{tmp_path}/b.yaml:1:1: members: required field is missing (see examples/quad.yaml)",
        f"{tmp_path}/b.yaml:2:1: membres: unknown field (did you mean 'members'?)",
    ]
    verbose = invoke(str(tmp_path), "--verbose")[1]
    assert verbose.count("\nWhy\n") == 2
    assert f"{tmp_path}/b.yaml  ✗ not classified: 2 problems" in verbose


def test_json_array_streams_valid_json_for_any_count(tmp_path: Path) -> None:
    """--format json is one array whether it holds no, one or many records."""
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "a.yaml").write_text(PAIR)
    one = json.loads(invoke(str(tmp_path / "a.yaml"), "--format", "json")[1])
    assert [r["source"] for r in one] == [f"{tmp_path}/a.yaml"]
    (tmp_path / "b.yaml").write_text(PAIR)
    many: list[dict[str, Any]] = json.loads(invoke(str(tmp_path), "--format", "json")[1])
    assert [r["label"] for r in many] == ["alliance", "alliance"]
