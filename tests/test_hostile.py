"""Hostile and malformed input, end to end: an exact located message each, the batch untouched, no traceback.

Every file in tests/bad/ is paired with the exact lines ``classify`` must write to standard error for it
(``NAME.expected``). Files too big to keep in the repository (hundreds of megabytes, a 50 MB line, 10,000
levels of nesting) are made in a temporary folder by the tests that need them. After a deliberate change of
wording, rewrite the expected files with ``REGENERATE_BAD=1 python -m pytest tests/test_hostile.py`` and read
the diff before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from classifier.cli import main

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".yaml", ".json"))
REGENERATE = os.environ.get("REGENERATE_BAD") == "1"
QUAD = "examples/quad.yaml"
GOOD = [QUAD, "examples/nato.yaml", "examples/aukus.yaml", "examples/warsaw-pact.yaml"]


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_every_bad_file_has_its_expected_messages() -> None:
    """The folder of bad inputs is complete: each input has an .expected file and each .expected an input."""
    expected = {p.stem for p in BAD.glob("*.expected")}
    assert expected == {p.stem for p in CASES}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_bad_file_gets_its_exact_messages(runner: CliRunner, path: Path) -> None:
    """Each bad file: exit 1, exactly its expected lines on stderr, and the same lines as error records."""
    relative = str(path.relative_to(ROOT))
    code, out, err = run(runner, relative, "--format", "json")
    expected_file = path.with_suffix(".expected")
    if REGENERATE:  # pragma: no cover - only when asked to, to review the diff
        expected_file.write_text(err)
    expected = expected_file.read_text()
    assert (code, err) == (1, expected)
    assert expected and "Traceback" not in err
    records = json.loads(out)
    texts = [e["text"] for r in records if r["status"] == "error" for e in r["errors"]]
    assert texts == expected.splitlines()
    for line in expected.splitlines():  # every problem is located: a line, or the whole file by its name
        assert line.startswith(relative)


def test_a_bad_document_leaves_the_others_classified(runner: CliRunner) -> None:
    """In a multi-document file the documents around a broken one are still classified."""
    for name in ("multi-document.yaml", "multi-document-syntax.yaml"):
        code, out, _ = run(runner, f"tests/bad/{name}", "--format", "json")
        records = json.loads(out)
        assert code == 1
        assert [(r["source"].rsplit("#", 1)[1], r["status"]) for r in records][:2] == [
            ("1", "ok"),
            ("2", "error"),
        ]
    records = json.loads(run(runner, "tests/bad/multi-document.yaml", "--format", "json")[1])
    assert [r.get("name") for r in records] == ["Quad", None, "ANZUS"]


def test_bom_and_crlf_classify_like_plain_utf8(runner: CliRunner, tmp_path: Path) -> None:
    """A Windows export (UTF-8 with a byte-order mark, CRLF line ends) gets the verdict the plain file gets."""
    path = tmp_path / "quad.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + Path(QUAD).read_bytes().replace(b"\n", b"\r\n"))
    code, out, _ = run(runner, str(path), "--format", "json")
    windows = json.loads(out)[0]
    plain = json.loads(run(runner, QUAD, "--format", "json")[1])[0]
    assert code == 0
    assert {**windows, "source": QUAD} == plain


def test_tags_run_nothing(runner: CliRunner, tmp_path: Path) -> None:
    """Python tags that would run a command or code are refused, and nothing runs."""
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(
        f"name: !!python/object/apply:os.system ['touch {marker}']\n"
        f"members: !!python/object/apply:builtins.exec [\"open('{marker}', 'w')\"]\n"
        f"notes: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n"
    )
    code, _, err = run(runner, str(path))
    assert code == 1
    assert (
        err
        == f"{path}:1:7: tag '!!python/object/apply:os.system' is not allowed (only plain data is read: remove the tag)\n"
    )
    assert not marker.exists()


# --- resource exhaustion --------------------------------------------------------------------------------------


def huge_files(folder: Path) -> dict[str, str]:
    """Files too big for the repository, each with the message it must get (``{path}`` stands for its path)."""
    folder.mkdir(exist_ok=True)
    sparse = folder / "300-megabytes.yaml"
    with open(sparse, "wb") as handle:  # sparse: 300 MB to the file system, no disk written
        handle.truncate(300_000_000)
    (folder / "50-megabyte-line.yaml").write_bytes(
        b"name: " + b"x" * 50_000_000 + b"\nmembers: [India, Japan]\n"
    )
    (folder / "10000-deep.json").write_text('{"name": ' + "[" * 10_000 + "]" * 10_000 + "}")
    (folder / "10000-deep-block.yaml").write_text("name: Quad\nmembers:\n" + "  - " * 10_000 + "India\n")
    dense = "name: Quad\nmembers: [" + "India, " * 140_000 + "Japan]\n"  # just under 1 MB, 140,000 values
    (folder / "dense.yaml").write_text(dense)
    limit = "(the limit is 1 MB; raise it with --max-bytes)"
    return {
        "300-megabytes.yaml": f"{{path}}: too large: 300 MB {limit}",
        "50-megabyte-line.yaml": f"{{path}}: too large: 50 MB {limit}",
        "10000-deep.json": "{path}:1:1009: nested more than 100 levels deep (flatten the data)",
        "10000-deep-block.yaml": "{path}:3:395: nested more than 100 levels deep (flatten the data)",
        "dense.yaml": "{path}:2:10: more than 100,000 values in one file "
        "(an arrangement holds under a hundred; split the file, or raise --max-bytes)",
    }


def test_huge_and_deep_files_end_early(runner: CliRunner, tmp_path: Path) -> None:
    """Hundreds of megabytes, a 50 MB line, 10,000 levels, 140,000 values: each refused with its message."""
    for name, expected in huge_files(tmp_path).items():
        path = tmp_path / name
        code, out, err = run(runner, str(path), "--format", "jsonl")
        assert (code, err) == (1, expected.format(path=path) + "\n")
        assert json.loads(out)["status"] == "error"


def test_max_bytes_is_overridable(runner: CliRunner, tmp_path: Path) -> None:
    """--max-bytes lowers or raises the limit, with units; a size that is not one is a usage error."""
    path = tmp_path / "long-notes.yaml"
    path.write_text("name: Long notes\nmembers: [India, Japan]\nnotes: " + "n" * 1_500_000 + "\n")
    code, _, err = run(runner, str(path))
    assert (code, err) == (1, f"{path}: too large: 1.5 MB (the limit is 1 MB; raise it with --max-bytes)\n")
    for size in ("2MB", "2M", "2000000", "2MiB", "1.6M"):
        code, out, err = run(runner, str(path), "--max-bytes", size, "--format", "json")
        assert (code, err) == (0, "")
        assert json.loads(out)[0]["name"] == "Long notes"
    code, _, err = run(runner, QUAD, "--max-bytes", "100")
    assert (code, err) == (
        1,
        f"{QUAD}: too large: 1.6 kB (the limit is 100 bytes; raise it with --max-bytes)\n",
    )
    code, _, err = run(runner, QUAD, "--max-bytes", "lots")
    assert code == 2
    assert "Invalid value for '--max-bytes': 'lots' is not a size such as 1000000, 500k, 10MB or 64MiB" in err


# --- a batch of good and hostile files together -----------------------------------------------------------------


def hostile_folder(folder: Path) -> tuple[list[str], list[str]]:
    """A folder of good files among hostile ones; the paths of the good ones and of the bad ones."""
    folder.mkdir()
    good = []
    for index, example in enumerate(GOOD):
        name = ["a plain.yaml", "caf\u00e9 \u00e9t\u00e9.yaml", "with space.yml", "z.json"][index]
        target = folder / name
        if name.endswith(".json"):
            (document,) = __import__("classifier.reading", fromlist=["read_path"]).read_path(example)
            target.write_text(json.dumps(document.data))
        else:
            shutil.copy(example, target)
        good.append(str(target))
    bad = []
    for case in CASES:
        if not case.name.startswith("multi-document"):
            shutil.copy(case, folder / case.name)
            bad.append(str(folder / case.name))
    bad += [str(folder / "huge" / name) for name in huge_files(folder / "huge")]
    (folder / "new\nline.yaml").write_text("name: Quad\nmembers: [India]\n")
    bad.append(str(folder / "new\nline.yaml"))
    os.mkfifo(folder / "fifo.yaml")
    (folder / "dangling.yaml").symlink_to(folder / "nowhere.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to(folder)
    bad += [str(folder / n) for n in ("fifo.yaml", "dangling.yaml", "loop.yaml")] + [
        str(folder / "sub" / "back")
    ]
    return good, bad


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_hostile_files_in_a_batch_of_good_ones(runner: CliRunner, tmp_path: Path) -> None:
    """Every good file classified, every bad one reported exactly once and located, exit 1, no traceback."""
    good, bad = hostile_folder(tmp_path / "batch")
    code, out, err = run(runner, str(tmp_path / "batch"), "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    by_source: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_source.setdefault(str(record["source"]), []).append(record)
    assert code == 1
    assert "Traceback" not in err and "internal error" not in err
    assert sorted(by_source) == sorted(good + bad)
    assert all(len(found) == 1 for found in by_source.values())
    assert {s for s in good if by_source[s][0]["status"] == "ok"} == set(good)
    assert {s for s in bad if by_source[s][0]["status"] == "error"} == set(bad)
    assert len(err.splitlines()) == sum(len(r["errors"]) for r in records if r["status"] == "error")
    assert "new\\nline.yaml:2:1: members: an arrangement needs at least 2 members, got 1" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_installed_command_survives_a_hostile_batch(tmp_path: Path) -> None:
    """The real ``classify`` process, over the hostile batch with 1 and 2 workers: no traceback, no hang."""
    command = shutil.which("classify", path=os.path.dirname(sys.executable))
    if command is None:
        pytest.skip("the classify command is not installed beside this Python")
    good, bad = hostile_folder(tmp_path / "batch")
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [command, str(tmp_path / "batch"), "--format", "jsonl", "--jobs", jobs],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        outputs.append(done.stdout)
        sources = [json.loads(line)["source"] for line in done.stdout.splitlines()]
        assert sorted(sources) == sorted(good + bad)
    assert outputs[0] == outputs[1]


# --- rule files ----------------------------------------------------------------------------------------------

RULE = "two-members-is-bilateral.yaml"


def _edit(old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / RULE
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    return edit


def _duplicate(folder: Path) -> None:
    shutil.copy(folder / RULE, folder / "zz-copy.yaml")


def _latin1(folder: Path) -> None:
    path = folder / RULE
    path.write_bytes(path.read_bytes().replace(b"Alliances differ", b"Alli\xe9nces differ"))


RULE_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "broken YAML": (
        _edit("then: {scope: bilateral}", "then: {scope: bilateral"),
        "{rule}:9:8: two-members-is-bilateral: expected ',' or '}}': the mapping opened at line 8, column 7 is not closed "
        "(close it with '}}', or separate its entries with ',')",
    ),
    "tab": (
        _edit("  member_count:", "\tmember_count:"),
        "{rule}:7:1: two-members-is-bilateral: a tab character cannot indent YAML (indent with spaces)",
    ),
    "unknown fact": (
        _edit("member_count:", "member_cont:"),
        "{rule}:7:3: two-members-is-bilateral: unknown fact 'member_cont' (did you mean 'member_count'?)",
    ),
    "unknown value": (
        _edit("{scope: bilateral}", "{scope: bilaterial}"),
        "{rule}:8:8: two-members-is-bilateral: unknown scope 'bilaterial' (did you mean 'bilateral'?)",
    ),
    "duplicate id": (
        _duplicate,
        "{folder}/zz-copy.yaml:1:1: two-members-is-bilateral: duplicate rule id (also in {rule})",
    ),
    "condition of the wrong shape": (
        _edit("when:\n  member_count: {is: 2}", "when:\n  - member_count: {is: 2}"),
        "{rule}:6:1: two-members-is-bilateral: a condition is a mapping with one key: all, any, not, or a fact name",
    ),
    "'all' of the wrong shape": (
        _edit("when:\n  member_count: {is: 2}", "when:\n  all: {member_count: {is: 2}}"),
        "{rule}:7:3: two-members-is-bilateral: 'all' takes a non-empty list of conditions",
    ),
    "python tag": (
        _edit("then: {scope: bilateral}", "then: !!python/object/apply:os.system ['true']"),
        "{rule}:8:7: two-members-is-bilateral: tag '!!python/object/apply:os.system' is not allowed "
        "(only plain data is read: remove the tag)",
    ),
    "not UTF-8": (
        _latin1,
        "{rule}:4:7: not UTF-8 text: byte 0xE9 at offset 95 (save the file as UTF-8; in Windows-1252 or Latin-1 it is '\u00e9')",
    ),
    "empty": (_edit(Path("rules/article", RULE).read_text(), ""), "{rule}: empty file: nothing to read"),
}


@pytest.mark.parametrize("case", list(RULE_CASES))
def test_broken_rule_file_stops_before_any_input(runner: CliRunner, tmp_path: Path, case: str) -> None:
    """A broken rule file: its file, line and rule id, exit 2, and no input read (the missing one is not named)."""
    folder = tmp_path / "rules"
    shutil.copytree("rules/article", folder)
    edit, expected = RULE_CASES[case]
    edit(folder)
    code, out, err = run(runner, "--rules", str(folder), str(tmp_path / "not-there.yaml"))
    assert (code, out) == (2, "")
    assert err == expected.format(rule=folder / RULE, folder=folder) + "\n"


# --- internal errors -----------------------------------------------------------------------------------------


def test_internal_error_is_a_short_message_and_exit_3(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug gives one line and exit 3; --debug adds the traceback, and still exits 3."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the engine\nbroke")

    monkeypatch.setattr("classifier.batch.classify", broken)
    code, out, err = run(runner, QUAD)
    assert (code, out) == (3, "")
    assert err == (
        "classify: internal error: RuntimeError: the engine\\nbroke "
        "(this is a bug; please report it, and rerun with --debug for the traceback)\n"
    )
    code, _, err = run(runner, QUAD, "--debug")
    assert code == 3
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith(
        "classify: internal error: RuntimeError: the engine\\nbroke (this is a bug; please report it)\n"
    )
