"""ATOP's alliance-level layout read as arrangements, one per row, on a fixture we coded by hand."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.atop import atop_documents, classify_atop
from classifier.batch import Failure
from classifier.cli import main
from classifier.frameworks import load_frameworks
from classifier.verdict import Verdict

FIXTURE = "tests/data/atop_fixture.csv"  # invented rows in ATOP's column layout, not ATOP's data
ERRORS = [
    "tests/data/atop_fixture.csv#9010:11:25: defense: expected 0 or 1, got '5' (an empty cell is read as unknown)",
    "tests/data/atop_fixture.csv#9012:13:72: members: 'China' is listed twice",
]
WARNINGS = [
    "tests/data/atop_fixture.csv#9008: members[1]: warning: COW 9999 is not in the Correlates of War state list; "
    "kept as written",
]


def fixture_rows() -> dict[str, dict[str, str]]:
    with open(FIXTURE, newline="") as handle:
        return {row["atopid"]: row for row in csv.DictReader(handle)}


def test_a_row_maps_to_the_arrangement_model() -> None:
    """Members by COW code, dates, the five pledges with their marks, the instrument and the notes."""
    documents = list(atop_documents(FIXTURE))
    assert len(documents) == 13
    first = documents[0]
    assert first.source == "tests/data/atop_fixture.csv#9001"
    off = {"present": False, "conditional": False, "asymmetric": False}
    assert first.data == {
        "name": "ATOP 9001",
        "members": ["United Kingdom", "France"],
        "signed": "1904-04-08",
        "ended": "1914-08-04",
        "instrument": "treaty",
        "obligations": {
            "mutual_defence": {"present": True, "conditional": False, "asymmetric": False},
            "offensive": off,
            "neutrality": off,
            "non_aggression": off,
            "consultation": off,
        },
        "sources": ["ATOP, atopid 9001"],
        "notes": "From ATOP, atopid 9001. ATOP bilat = 1.",
        "common_defence_strategy": False,
    }


@pytest.mark.parametrize(
    ("atopid", "field", "value"),
    [
        ("9002", ("obligations", "mutual_defence", "conditional"), True),  # defcon 1
        ("9002", ("obligations", "offensive", "conditional"), False),  # offcon 0, though conditio is 1
        ("9005", ("ended",), None),  # ineffect 1: still in force
        ("9006", ("obligations", "non_aggression", "asymmetric"), True),  # asymm 1
        ("9007", ("members",), ["United States", "United Kingdom", "France", "Australia", "New Zealand",
                                 "Pakistan", "Thailand", "Philippines"]),  # bilat 1, yet 8 members
        ("9009", ("obligations", "mutual_defence", "present"), None),  # an empty cell is unknown
        ("9011", ("signed",), "1833-07"),  # begday 0: the day is not coded
        ("9011", ("ended",), "1841-07"),
        ("9011", ("notes",), "From ATOP, atopid 9011. ATOP bilat = 1. ATOP pubsecr = 2: the agreement was wholly secret."),
        ("9013", ("common_defence_strategy",), True),  # intcom 1, base 3
    ],
)  # fmt: skip
def test_columns_map_as_documented(atopid: str, field: tuple[str, ...], value: object) -> None:
    """Each mapping the module documents holds on the row that exercises it."""
    (document,) = [d for d in atop_documents(FIXTURE) if d.source.endswith("#" + atopid)]
    found = document.data
    for key in field:
        found = found[key]
    assert found == value


# atopid -> (article label/posture, the ATOP obligations, COW type)
EXPECTED = {
    "9001": ("alliance", "defensive", {"defense"}, "defence_pact"),
    "9002": ("alliance", "offensive", {"defense", "offense", "consul"}, "defence_pact"),
    "9003": ("alliance", "offensive", {"offense"}, "defence_pact"),
    "9004": ("neither", None, {"neutral", "nonagg"}, "neutrality_or_non_aggression_pact"),
    "9005": ("neither", None, {"consul"}, "entente"),
    "9006": ("neither", None, {"nonagg"}, "neutrality_or_non_aggression_pact"),
    "9007": ("alliance", "defensive", {"defense", "consul"}, "defence_pact"),
    "9008": ("neither", None, {"consul"}, "entente"),
    "9009": ("indeterminate", None, {"consul"}, "unknown"),
    "9011": ("alliance", "defensive", {"defense"}, "defence_pact"),
    "9013": ("alliance", "defensive", {"defense", "consul"}, "defence_pact"),
}


def verdicts() -> dict[str, dict[str, Verdict]]:
    found: dict[str, dict[str, Verdict]] = {}
    for ruleset in load_frameworks():
        for result in classify_atop(FIXTURE, ruleset):
            if isinstance(result, Verdict):
                found.setdefault(result.source.rsplit("#", 1)[1], {})[ruleset.name] = result
    return found


@pytest.fixture(scope="module")
def by_row() -> dict[str, dict[str, Verdict]]:
    return verdicts()


@pytest.mark.parametrize("atopid", sorted(EXPECTED))
def test_each_row_under_each_framework(atopid: str, by_row: dict[str, dict[str, Verdict]]) -> None:
    """Article: alliance only with defence or offence; ATOP: its obligations; COW: the strongest pledge's type."""
    label, posture, obligations, cow_type = EXPECTED[atopid]
    article, atop, cow = by_row[atopid]["article"], by_row[atopid]["atop"], by_row[atopid]["cow"]
    assert (article.label, article.posture) == (label, posture)
    assert atop.label == "alliance"
    assert {name for name, value in atop.decisions.items() if value and value != "unknown"} == obligations
    assert (cow.label, cow.decisions["cow_type"]) == ("alliance", cow_type)


def test_atop_framework_reproduces_the_fixture_coding(by_row: dict[str, dict[str, Verdict]]) -> None:
    """Every valid row's ATOP-framework verdict holds exactly the obligations its columns code (empty: unknown)."""
    for atopid, row in fixture_rows().items():
        if atopid not in by_row:
            continue
        decisions = by_row[atopid]["atop"].decisions
        for column in ("defense", "offense", "neutral", "nonagg", "consul"):
            want = {"1": True, "0": False, "": "unknown"}[row[column]]
            got = decisions[column] if decisions[column] == "unknown" else decisions[column] is not None
            assert got == want, (atopid, column)


def test_bad_rows_are_reported_and_the_rest_classified(runner: CliRunner) -> None:
    """A bad cell and a repeated member fail their rows only, located at line and column; exit 1."""
    result = runner.invoke(main, [FIXTURE, "--format", "jsonl"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [WARNINGS[0], *ERRORS]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in records] == ["ok"] * 9 + ["error", "ok", "error", "ok"]
    assert sum(r.get("label") == "alliance" for r in records) == 6
    assert sum(r.get("posture") == "offensive" for r in records) == 2


def test_standard_input_is_detected_by_its_header(runner: CliRunner) -> None:
    """Piped in, the file is recognised by ATOP's header and read the same way, rows named <stdin>#atopid."""
    data = Path(FIXTURE).read_text()
    result = runner.invoke(
        main, ["--format", "csv", "--framework", "cow"], input=data, catch_exceptions=False
    )
    assert result.exit_code == 1
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [r["source"] for r in rows][:2] == ["<stdin>#9001", "<stdin>#9002"]
    assert len(rows) == 13
    assert {r["rules"] for r in rows if r["status"] == "ok"} == {"cow"}


def test_input_format_atop_reads_any_file_name(runner: CliRunner, tmp_path: Path) -> None:
    """--input-format atop reads every input in ATOP's layout, whatever the file is called."""
    copy = tmp_path / "alliances.txt"
    shutil.copy(FIXTURE, copy)
    result = runner.invoke(
        main, [str(copy), "--input-format", "atop", "--format", "jsonl"], catch_exceptions=False
    )
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources[:2] == [f"{copy}#9001", f"{copy}#9002"]
    assert len(sources) == 13


def test_mixed_inputs_keep_their_order(runner: CliRunner) -> None:
    """An arrangement file, the ATOP file, then another arrangement file: results come out in that order."""
    args = ["examples/nato.yaml", FIXTURE, "examples/quad.yaml", "--format", "jsonl"]
    result = runner.invoke(main, args, catch_exceptions=False)
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources[0] == "examples/nato.yaml"
    assert sources[1] == "tests/data/atop_fixture.csv#9001"
    assert sources[-1] == "examples/quad.yaml"
    assert len(sources) == 15


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "{path}: empty file: no header (ATOP's alliance-level file starts with atopid,...)"),
        (
            b"id,name\n1,x\n",
            "{path}:1: not ATOP's alliance-level layout: no column atopid, begyr, defense, offense, neutral, "
            "nonagg, consul, mem1 (its header names atopid, begyr, defense, offense, neutral, nonagg, consul, mem1...)",
        ),
        (
            b"atopid,begyr,defense,offense,neutral,nonagg,consul,mem1,mem2\n1,1900,1,0,0,0,0,2,200\n2,1901,\xff,0\n",
            "{path}:3:8: not UTF-8 text: byte 0xFF (save the file as UTF-8)",
        ),
        (
            b"atopid,begyr,defense,offense,neutral,nonagg,consul,mem1,mem2\n7,1900,1,0,0,0,0,2\n",
            "{path}#7:2: 8 cells, but the header names 9",
        ),
        (
            b"atopid,begyr,begmo,begday,defense,offense,neutral,nonagg,consul,mem1,mem2\n7,1900,2,30,1,0,0,0,0,2,200\n",
            "{path}#7:2:4: begday: 1900-02-30 is not a date that exists",
        ),
        (
            b"atopid,begyr,defense,offense,neutral,nonagg,consul,mem1,mem2\n7,1900,1,0,0,0,0,2,x\n",
            "{path}#7:2:9: mem2: expected a whole number, got 'x' (an empty cell is read as unknown)",
        ),
    ],
    ids=["empty", "other-layout", "not-utf8", "short-row", "no-such-date", "bad-code"],
)
def test_bad_files_get_located_messages(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    """A file that is not ATOP's layout, or a row that cannot be read, gets one located message; exit 1."""
    path = tmp_path / "atop.csv"
    path.write_bytes(content)
    result = runner.invoke(main, [str(path), "--format", "jsonl"], catch_exceptions=False)
    assert result.exit_code == 1
    assert message.format(path=path) in result.stderr.splitlines()


def test_rows_stream_through_a_pipe(tmp_path: Path) -> None:
    """A row piped into the installed command comes out as a JSON line before the rest of the file is written."""
    header, first, *_ = Path(FIXTURE).read_text().splitlines(keepends=True)
    command = [str(Path(sys.executable).with_name("classify")), "--format", "jsonl", "-"]
    if not os.path.exists(command[0]):
        command = [sys.executable, "-m", "classifier", "--format", "jsonl", "-"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(header + first)
        process.stdin.flush()
        line = process.stdout.readline()  # the row is classified while standard input is still open
        process.stdin.close()
        rest = process.stdout.read()
        assert process.wait(timeout=30) == 0
    assert json.loads(line)["source"] == "<stdin>#9001"
    assert rest == ""


def test_failure_carries_the_row_source() -> None:
    """A bad row is a Failure named path#atopid, so the rows after it are still read."""
    failures = [r for r in classify_atop(FIXTURE, load_frameworks(["article"])[0]) if isinstance(r, Failure)]
    assert [f.source for f in failures] == [
        "tests/data/atop_fixture.csv#9010",
        "tests/data/atop_fixture.csv#9012",
    ]


def readme_atop_commands() -> list[str]:
    readme = Path("README.md").read_text(encoding="utf-8")
    section = readme.split("## Reading the ATOP dataset", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    return block.splitlines()


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
@pytest.mark.parametrize("command", readme_atop_commands())
def test_readme_atop_commands_run(command: str, tmp_path: Path) -> None:
    """Each command of the README's ATOP section runs, on the fixture in place of ATOP's file, and prints."""
    fixture = Path(FIXTURE).resolve()
    good = tmp_path / "atop.csv"  # the fixture without its two bad rows, so every command exits 0
    lines = fixture.read_text().splitlines(keepends=True)
    good.write_text("".join(line for line in lines if not line.startswith(("9010,", "9012,"))))
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    script = "set -o pipefail; " + command.replace("atop4_01_alliance_level.csv", str(good))
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    written = done.stdout or "".join(p.read_text() for p in tmp_path.glob("atop-by-*.csv"))
    assert "9001" in written or "defence_pact" in written
