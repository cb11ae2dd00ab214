"""Batches in the library: walking folders, reading streams, and results in one order for any number of jobs."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from classifier import RuleSet
from classifier.batch import Failure, Result, available_cores, classify_file, classify_walked, default_jobs
from classifier.errors import InputError
from classifier.reading import read_stream, walk

QUAD = Path("examples/quad.yaml").read_text(encoding="utf-8")
PAIR = "name: Pair\nmembers: [A, B]\nobligations: {mutual_defence: true}\n"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def walked(*paths: str, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> list[str]:
    """What walk yields, errors shown as their messages."""
    return [item if isinstance(item, str) else str(item) for item in walk(list(paths), include, exclude)]


def sources(results: Iterator[Result] | list[Result]) -> list[tuple[str, str]]:
    return [(r.source, "error" if isinstance(r, Failure) else r.label) for r in results]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder as researchers keep one: sub-folders, YAML, YML and JSON, a hidden draft, notes, a README."""
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.yaml").write_text(PAIR)
    (tmp_path / "b" / "c.json").write_text('{"name": "J", "members": ["A", "B"]}')
    (tmp_path / "a" / "y.yml").write_text(PAIR)
    (tmp_path / "a.yaml").write_text(PAIR)
    (tmp_path / ".draft.yaml").write_text(PAIR)
    (tmp_path / ".git" / "x.yaml").write_text(PAIR)
    (tmp_path / "README.md").write_text("notes\n")
    (tmp_path / "UPPER.YAML").write_text(PAIR)
    return tmp_path


def test_walk_sorts_by_name_folder_by_folder_and_skips_hidden(tree: Path) -> None:
    """Folders are walked recursively in name order; hidden names and other suffixes are skipped."""
    root = str(tree)
    assert walked(root) == [
        f"{root}/UPPER.YAML",
        f"{root}/a/y.yml",
        f"{root}/a.yaml",
        f"{root}/b/c.json",
        f"{root}/b/z.yaml",
    ]


def test_walk_keeps_the_command_line_order(tree: Path) -> None:
    """Files, folders and - come out in the order given; a named file is read whatever its name."""
    root = str(tree)
    assert walked(f"{root}/README.md", "-", f"{root}/b") == [
        f"{root}/README.md",
        "-",
        f"{root}/b/c.json",
        f"{root}/b/z.yaml",
    ]


def test_include_and_exclude_globs(tree: Path) -> None:
    """--include keeps matching files; --exclude drops files and does not enter matching folders."""
    root = str(tree)
    assert walked(root, include=("*.json",)) == [f"{root}/b/c.json"]
    assert walked(root, exclude=("a",)) == [
        f"{root}/UPPER.YAML",
        f"{root}/a.yaml",
        f"{root}/b/c.json",
        f"{root}/b/z.yaml",
    ]
    assert walked(root, include=("*/b/*",), exclude=("z.*",)) == [f"{root}/b/c.json"]


def test_links_loops_and_fifos_are_errors_in_place(tmp_path: Path) -> None:
    """A link back to an ancestor, a self-loop, a dangling link and a FIFO are each an error; the walk goes on."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.yaml").write_text(PAIR)
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "dangling.yaml").symlink_to("missing.yaml")
    (tmp_path / "dangling-notes.txt").symlink_to("missing.txt")
    (tmp_path / "self.yaml").symlink_to("self.yaml")
    (tmp_path / "alias.yaml").symlink_to("sub/ok.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    root = str(tmp_path)
    assert walked(root) == [
        f"{root}/alias.yaml",
        f"{root}/dangling.yaml: dangling symbolic link (it points to missing.yaml, which does not exist)",
        f"{root}/fifo.yaml: not a regular file (a FIFO, socket or device): not read",
        f"{root}/self.yaml: symbolic link loop",
        f"{root}/sub/ok.yaml",
        f"{root}/sub/up: symbolic link loop (it leads back to a folder that is being walked)",
    ]


def test_named_paths_that_cannot_be_walked(tmp_path: Path) -> None:
    """A missing path, a dangling link and a link loop named on the command line are errors in their place."""
    (tmp_path / "gone").symlink_to("nowhere")
    (tmp_path / "loop").symlink_to("loop")
    assert walked(str(tmp_path / "none"), str(tmp_path / "gone"), str(tmp_path / "loop")) == [
        f"{tmp_path}/none: no such file or folder",
        f"{tmp_path}/gone: dangling symbolic link (it points to nowhere, which does not exist)",
        f"{tmp_path}/loop: symbolic link loop",
    ]


@pytest.mark.skipif(AS_ROOT, reason="root reads every file and lists every folder, so nothing is unreadable")
def test_unreadable_file_and_folder(tmp_path: Path, ruleset: RuleSet) -> None:
    """A file that cannot be read and a folder that cannot be listed are errors; the other files are classified."""
    (tmp_path / "locked").mkdir()
    (tmp_path / "secret.yaml").write_text(PAIR)
    (tmp_path / "z.yaml").write_text(PAIR)
    (tmp_path / "secret.yaml").chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        results = list(classify_walked(walk([str(tmp_path)]), ruleset))
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert [str(p) for r in results if isinstance(r, Failure) for p in r.problems] == [
        f"{tmp_path}/locked: permission denied",
        f"{tmp_path}/secret.yaml: permission denied",
    ]
    assert sources(results)[-1] == (f"{tmp_path}/z.yaml", "alliance")


def test_a_file_that_vanishes_mid_run(tmp_path: Path, ruleset: RuleSet) -> None:
    """A file deleted between the walk and its reading is an error for that path alone."""
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text(PAIR)
    items = list(walk([str(tmp_path)]))
    (tmp_path / "b.yaml").unlink()
    results = list(classify_walked(items, ruleset))
    assert sources(results) == [
        (f"{tmp_path}/a.yaml", "alliance"),
        (f"{tmp_path}/b.yaml", "error"),
        (f"{tmp_path}/c.yaml", "alliance"),
    ]
    assert str(results[1].problems[0]) == f"{tmp_path}/b.yaml: no such file"  # type: ignore[union-attr]


def test_multi_document_file_is_addressed_path_hash_n(tmp_path: Path, ruleset: RuleSet) -> None:
    """Each document of a YAML stream is its own arrangement, path#N, and a bad one fails alone."""
    path = tmp_path / "many.yaml"
    before = PAIR + "---\n" + QUAD + "---\n"
    path.write_text(before + "name: Broken\nmembres: [A, B]\n")
    results = list(classify_walked([str(path)], ruleset))
    assert sources(results) == [
        (f"{path}#1", "alliance"),
        (f"{path}#2", "strategic_partnership"),
        (f"{path}#3", "error"),
    ]
    line = before.count("\n") + 1  # positions are lines of the file, so an editor can jump to them
    assert [str(p) for p in results[2].problems] == [  # type: ignore[union-attr]
        f"{path}#3:{line}:1: members: required field is missing (see examples/quad.yaml)",
        f"{path}#3:{line + 1}:1: membres: unknown field (did you mean 'members'?)",
    ]


def test_stdin_yaml_stream() -> None:
    """A YAML stream on stdin gives <stdin>#N per document; one document is just <stdin>."""
    stream = (PAIR + "---\n" + QUAD).encode()
    assert [d.source for d in read_stream(stream)] == ["<stdin>#1", "<stdin>#2"]
    assert [d.source for d in read_stream(PAIR.encode())] == ["<stdin>"]


def test_stdin_json_lines(ruleset: RuleSet) -> None:
    """JSON Lines: one arrangement per line, <stdin>#LINE; blank lines, CRLF and a BOM are fine; a bad line fails alone."""
    lines = (
        b'\xef\xbb\xbf{"name": "A", "members": ["X", "Y"]}\r\n\r\n'
        b'{"name": "B", "members": ["X"}\r\n'
        b'{"name": "C", "members": ["X", "Z"]}\n'
    )
    assert [d.source for d in read_stream(lines)] == ["<stdin>#1", "<stdin>#3", "<stdin>#4"]
    results = classify_file("-", ruleset, io.BytesIO(lines))
    assert sources(results) == [("<stdin>#1", "neither"), ("<stdin>#3", "error"), ("<stdin>#4", "neither")]
    assert str(results[1].problems[0]).startswith("<stdin>#3:1:30: expected ',' or ']'")  # type: ignore[union-attr]


def test_single_json_line_is_plain_stdin() -> None:
    """A single JSON object on stdin is one document, addressed <stdin>."""
    assert [d.source for d in read_stream(b'{"name": "A", "members": ["X", "Y"]}\n')] == ["<stdin>"]


def test_json_lines_are_streamed() -> None:
    """Each JSON line is yielded once read, with one line of look-ahead: a pipe can feed classify as it goes."""
    read: list[int] = []

    def lines() -> Iterator[bytes]:
        for number in range(1, 1001):
            read.append(number)
            yield b'{"name": "A%d", "members": ["X", "Y"]}\n' % number

    documents = read_stream(lines())  # type: ignore[arg-type]
    assert next(documents).source == "<stdin>#1"
    assert len(read) == 2
    assert next(documents).source == "<stdin>#2"
    assert len(read) == 2
    assert next(documents).source == "<stdin>#3"
    assert len(read) == 3


def test_empty_stdin_is_an_error(ruleset: RuleSet) -> None:
    """Nothing on stdin is an error record, not a crash."""
    (result,) = classify_file("-", ruleset, io.BytesIO(b""))
    assert isinstance(result, Failure)
    assert str(result.problems[0]) == "<stdin>: empty file: no arrangement in it (see examples/quad.yaml)"


def test_parallel_results_equal_serial(tmp_path: Path, ruleset: RuleSet) -> None:
    """Two workers give the same results, in the same order, as one: files, errors and multi-document files."""
    for number in range(40):
        text = QUAD if number % 3 else PAIR + "---\n" + PAIR
        if number % 7 == 0:
            text = "name: [broken\n"
        (tmp_path / f"f{number:02d}.yaml").write_text(text)
    items = list(walk([str(tmp_path), str(tmp_path / "missing.yaml")]))
    serial = [r.to_dict() for r in classify_walked(items, ruleset, jobs=1)]
    parallel = [r.to_dict() for r in classify_walked(items, ruleset, jobs=2)]
    assert parallel == serial
    two_documents = [n for n in range(40) if n % 3 == 0 and n % 7 != 0]
    assert len(serial) == 40 + len(two_documents) + 1
    assert serial[-1]["source"] == f"{tmp_path}/missing.yaml"


def test_parallel_work_in_flight_is_bounded(tmp_path: Path, ruleset: RuleSet) -> None:
    """Workers run at most a few chunks ahead of the reader, so memory stays flat however large the batch."""
    path = tmp_path / "pair.yaml"
    path.write_text(PAIR)
    pulled: list[int] = []

    def items() -> Iterator[str]:
        for number in range(5000):
            pulled.append(number)
            yield str(path)

    results = classify_walked(items(), ruleset, jobs=2)
    assert next(results).source == str(path)
    in_flight = len(pulled)
    results.close()
    assert in_flight <= (2 * 4 + 1) * 16 + 1


def test_serial_reads_one_input_at_a_time(tmp_path: Path, ruleset: RuleSet) -> None:
    """Serially, the first result comes before the second input is even walked."""
    path = tmp_path / "pair.yaml"
    path.write_text(PAIR)
    pulled: list[int] = []

    def items() -> Iterator[str]:
        for number in range(100):
            pulled.append(number)
            yield str(path)

    assert next(classify_walked(items(), ruleset)).source == str(path)
    assert pulled == [0]


def test_default_jobs_is_serial_for_small_batches() -> None:
    """Small batches run serially; large ones use every core this process may run on."""
    assert default_jobs(1) == default_jobs(99) == 1
    assert default_jobs(100_000) == available_cores() >= 1


def test_walk_error_is_an_input_error(tmp_path: Path) -> None:
    """walk yields an InputError carrying its problem in place of a path it cannot walk."""
    (item,) = walk([str(tmp_path / "nope")])
    assert isinstance(item, InputError)
    assert item.path == f"{tmp_path}/nope"


def test_without_worker_processes_the_batch_runs_serially(
    tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where worker processes cannot start (a sandbox without semaphores), --jobs 2 classifies serially."""
    import multiprocessing.context

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(multiprocessing.context.BaseContext, "Pool", refuse)
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(PAIR)
    items = list(walk([str(tmp_path)]))
    assert sources(classify_walked(items, ruleset, jobs=2)) == sources(
        classify_walked(items, ruleset, jobs=1)
    )


def test_one_line_objects_between_document_markers() -> None:
    """One-line objects separated by YAML's --- read as JSON Lines, each addressed by its line."""
    stream = b'{"name": "A", "members": ["X", "Y"]}\n---\n{"name": "B", "members": ["X", "Z"]}\n...\n'
    assert [(d.source, d.data["name"]) for d in read_stream(stream)] == [
        ("<stdin>#1", "A"),
        ("<stdin>#3", "B"),
    ]
