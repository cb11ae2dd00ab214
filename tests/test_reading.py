"""The reading layer: bytes to text to documents, every limit, and the messages it gives for what it refuses."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from classifier.errors import InputError, Problem
from classifier.reading import (
    DEFAULT_LIMITS,
    Document,
    _Failed,
    current_limits,
    decode,
    parse_yaml,
    read_bounded,
    read_bytes,
    read_path,
    use_limits,
)


def refused(action: Callable[[], object]) -> list[str]:
    """The messages of the InputError that ``action()`` raises (running it to its end if it is a generator)."""
    with pytest.raises(InputError) as caught:
        result = action()
        if isinstance(result, Iterator):
            list(result)
    return [str(p) for p in caught.value.problems]


def data(text: str) -> object:
    (document,) = parse_yaml(text, "t.yaml")
    return document.data


# --- bytes to text -----------------------------------------------------------------------------------------


def test_bom_and_crlf_are_read() -> None:
    """UTF-8 with a byte-order mark and Windows line ends reads like plain UTF-8, lines counted the same."""
    raw = b"\xef\xbb\xbfname: Quad\r\nmembers: [Australia, India]\r\nnotes: caf\xc3\xa9\r\n"
    text = decode(raw, "t.yaml")
    assert data(text) == {"name": "Quad", "members": ["Australia", "India"], "notes": "café"}
    (document,) = parse_yaml(text, "t.yaml")
    assert document.locate(("notes",)) == (3, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b"name: Trait\xe9\n",
            "t.yaml:1:12: not UTF-8 text: byte 0xE9 at offset 11 "
            "(save the file as UTF-8; in Windows-1252 or Latin-1 it is '\u00e9')",
        ),
        (
            b"name: Quad\nnotes: \x93quoted\x94\n",
            "t.yaml:2:8: not UTF-8 text: byte 0x93 at offset 18 "
            "(save the file as UTF-8; in Windows-1252 or Latin-1 it is '\u201c')",
        ),
        (b"name: \x81\n", "t.yaml:1:7: not UTF-8 text: byte 0x81 at offset 6 (save the file as UTF-8)"),
        ("name: Quad\n".encode("utf-16"), "t.yaml: UTF-16 text, not UTF-8 (save the file as UTF-8)"),
        ("name: Quad\n".encode("utf-32"), "t.yaml: UTF-32 text, not UTF-8 (save the file as UTF-8)"),
        (
            b"name: Quad\nmembers: [A,\x00 B]\n",
            "t.yaml:2:13: binary data, not YAML or JSON text: a NUL byte at offset 23 (give an arrangement file)",
        ),
        (
            b"\x1f\x8b\x08\x00",
            "t.yaml: a gzip-compressed file, not YAML or JSON text (decompress it first, with gunzip)",
        ),
        (
            b"%PDF-1.7\n",
            "t.yaml: a PDF document, not YAML or JSON text (give an arrangement file in YAML or JSON)",
        ),
    ],
)
def test_text_that_is_not_utf8_is_named(raw: bytes, expected: str) -> None:
    """Latin-1, Windows-1252, UTF-16/32, NUL bytes and known binary formats: what it is, and where."""
    assert refused(lambda: decode(raw, "t.yaml")) == [expected]


# --- files: size, kind, and the file system --------------------------------------------------------------------


def test_file_over_the_limit_is_refused_from_its_size(tmp_path: Path) -> None:
    """A sparse 300 MB file is refused from its size alone: nothing of it is read."""
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(300_000_000)
    assert refused(lambda: read_bytes(str(path))) == [
        f"{path}: too large: 300 MB (the limit is 1 MB; raise it with --max-bytes)"
    ]


def test_the_limit_can_be_raised_and_is_restored(tmp_path: Path) -> None:
    """use_limits changes the byte limit for a block, and the default comes back after it."""
    path = tmp_path / "a.yaml"
    path.write_bytes(b"name: Quad\nmembers: [Australia, India]\n")
    with use_limits(max_bytes=20):
        assert current_limits().max_bytes == 20
        assert refused(lambda: read_bytes(str(path))) == [
            f"{path}: too large: 39 bytes (the limit is 20 bytes; raise it with --max-bytes)"
        ]
    assert current_limits() == DEFAULT_LIMITS
    assert read_bytes(str(path)).startswith(b"name: Quad")


def test_device_is_read_no_further_than_the_limit() -> None:
    """An endless device is read up to the limit and refused: bounded time, bounded memory."""
    with use_limits(max_bytes=4096):
        assert refused(lambda: read_bytes("/dev/zero")) == [
            "/dev/zero: too large: more than 4.1 kB (the limit is 4.1 kB; raise it with --max-bytes)"
        ]


def test_stream_is_read_no_further_than_the_limit() -> None:
    """A pipe on standard input is bounded the same way."""
    import io

    assert read_bounded(io.BytesIO(b"x" * 10), "<stdin>", limit=10) == b"x" * 10
    assert refused(lambda: read_bounded(io.BytesIO(b"x" * 11), "<stdin>", limit=10)) == [
        "<stdin>: too large: more than 10 bytes (the limit is 10 bytes; raise it with --max-bytes)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_fifo_without_writer_does_not_block(tmp_path: Path) -> None:
    """Opening a FIFO that no one writes to returns at once (empty), instead of waiting for ever."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(read_bytes(str(fifo))), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert outcome == [b""]


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="needs /dev/fd")
def test_pipe_given_by_name_is_read_to_its_end() -> None:
    """A pipe given by name (``/dev/fd/N``, what ``<(...)`` gives) is read to its end."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"name: Quad\nmembers: [Australia, India]\n")
        os.close(write_end)
        (document,) = read_path(f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    assert document.data == {"name": "Quad", "members": ["Australia", "India"]}


def test_file_system_problems_are_named(tmp_path: Path) -> None:
    """A missing file, a folder, a dangling link and a link loop each get their own words."""
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    assert refused(lambda: read_bytes(str(tmp_path / "missing.yaml"))) == [
        f"{tmp_path}/missing.yaml: no such file"
    ]
    assert refused(lambda: read_bytes(str(tmp_path))) == [f"{tmp_path}: is a folder, not a file"]
    assert refused(lambda: read_bytes(str(tmp_path / "loop.yaml"))) == [
        f"{tmp_path}/loop.yaml: symbolic link loop"
    ]
    assert refused(lambda: read_bytes(str(tmp_path / "dangling.yaml"))) == [
        f"{tmp_path}/dangling.yaml: dangling symbolic link (it points to {tmp_path}/gone.yaml, which does not exist)"
    ]


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads every file")
def test_unreadable_file_is_named(tmp_path: Path) -> None:
    """A file the user may not read: permission denied."""
    path = tmp_path / "secret.yaml"
    path.write_text("name: Quad\n")
    path.chmod(0)
    assert refused(lambda: read_bytes(str(path))) == [f"{path}: permission denied"]


# --- YAML: plain data only ----------------------------------------------------------------------------------


def test_yaml_11_traps_do_not_bite() -> None:
    """NO, yes, on, off stay text; 010 and 0o7 stay text (never octal); dates stay as written; true and false are booleans."""
    assert data("members: [NO, yes, on, off, Y, n]\nn: 010\no: 0o7\nsigned: 2001-12-14\nok: true\n") == {
        "members": ["NO", "yes", "on", "off", "Y", "n"],
        "n": "010",
        "o": "0o7",
        "signed": "2001-12-14",
        "ok": True,
    }


def test_legitimate_anchors_aliases_and_merge_keys_work() -> None:
    """Anchors, aliases and merge keys that repeat a little read as plain data."""
    text = (
        "base: &base {instrument: treaty, members: &m [A, B]}\nthis:\n  <<: *base\n  name: X\n  again: *m\n"
    )
    assert data(text) == {
        "base": {"instrument": "treaty", "members": ["A", "B"]},
        "this": {"instrument": "treaty", "members": ["A", "B"], "name": "X", "again": ["A", "B"]},
    }


@pytest.mark.parametrize(
    ("text", "tag", "where"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system", "1:4"),
        ("a: !!python/name:os.system\n", "!!python/name:os.system", "1:4"),
        ("a: !!binary aGk=\n", "!!binary", "1:4"),
        ("a: !!set {x, y}\n", "!!set", "1:4"),
        ("a: !!timestamp 2001-12-14\n", "!!timestamp", "1:4"),
        ("a: !!float 1\n", "!!float", "1:4"),
        ("a: !!int '12'\n", "!!int", "1:4"),
        ("a: [x, !include other.yaml]\n", "!include", "1:8"),
        ("%TAG !e! tag:example.com,2000:\n---\na: !e!thing x\n", "tag:example.com,2000:thing", "3:4"),
    ],
)
def test_tags_are_refused_before_anything_is_built(text: str, tag: str, where: str) -> None:
    """Every tag that would build more than plain data is refused, located, and nothing is constructed."""
    assert refused(lambda: parse_yaml(text, "t.yaml")) == [
        f"t.yaml:{where}: tag '{tag}' is not allowed (only plain data is read: remove the tag)"
    ]


def test_harmless_explicit_tags_are_read() -> None:
    """A tag that says what the value already is (!!str, !!int on a number, !!map) is plain data."""
    assert data("a: !!str 2001\nb: !!int 12\nc: !!map {d: !!seq [e]}\n") == {
        "a": "2001",
        "b": 12,
        "c": {"d": ["e"]},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "t.yaml:4:4: aliases repeat more than 10,000 values (an alias bomb? anchors may repeat small parts only)",
        ),
        (
            "a: &a {k: 1}\n"
            + "".join(
                f"{n}: &{n}\n  <<: [{', '.join(['*' + p] * 9)}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "t.yaml:6:4: aliases repeat more than 10,000 values (an alias bomb? anchors may repeat small parts only)",
        ),
        (
            "a: &a [x, *a]\n",
            "t.yaml:1:4: an alias inside the value it names makes an endless structure (remove the alias)",
        ),
        (
            "a: *nowhere\n",
            "t.yaml:1:4: alias '*nowhere' names no anchor (define the anchor first, as '&name value')",
        ),
        (
            "a: &x 1\nb: &x 2\n",
            "t.yaml:2:4: anchor defined twice (first at line 1, column 4) (give each anchor its own name)",
        ),
    ],
)
def test_aliases_that_explode_or_loop_are_refused(text: str, expected: str) -> None:
    """Billion laughs (lists or merge keys), a recursive alias, an unknown alias: refused from the node graph."""
    assert refused(lambda: parse_yaml(text, "t.yaml")) == [expected]


def test_nesting_is_limited() -> None:
    """100 levels are read; 101 are refused at the level that crosses the limit."""
    deepest: list[object] = []
    for _ in range(98):
        deepest = [deepest]
    assert data("a: " + "[" * 99 + "]" * 99) == {"a": deepest}
    assert refused(lambda: parse_yaml("a: " + "[" * 100 + "]" * 100, "t.yaml")) == [
        "t.yaml:1:102: nested more than 100 levels deep (flatten the data)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: " + "[" * 10_000 + "]" * 10_000,
            "t.yaml:1:1003: nested more than 100 levels deep (flatten the data)",
        ),
        (
            "a: " + "{b: " * 10_000 + "}" * 10_000,
            "t.yaml:1:396: nested more than 100 levels deep (flatten the data)",
        ),
        ("- " * 10_000 + "x\n", "t.yaml:1:199: nested more than 100 levels deep (flatten the data)"),
        (
            "".join(" " * i + "a:\n" for i in range(1_000)),
            "t.yaml:100:100: nested more than 100 levels deep (flatten the data)",
        ),
    ],
)
def test_ten_thousand_levels_end_early(text: str, expected: str) -> None:
    """10,000 levels of flow or block nesting stop at the limit, long before Python's recursion would."""
    assert refused(lambda: parse_yaml(text, "t.yaml")) == [expected]


def test_aliases_cannot_nest_past_the_limit() -> None:
    """An alias that puts a deep value inside another deep value is measured as expanded."""
    text = "a: &a " + "[" * 90 + "]" * 90 + "\nb: " + "[" * 20 + "*a" + "]" * 20 + "\n"
    assert refused(lambda: parse_yaml(text, "t.yaml")) == [
        "t.yaml:1:4: nested more than 100 levels deep (with aliases expanded) (flatten the data)"
    ]


def test_values_are_limited_by_the_size_limit() -> None:
    """A file may hold one value per 10 bytes of the limit (100,000 by default): dense text stops early."""
    assert DEFAULT_LIMITS.max_values == 100_000
    text = "[" + "1," * 3_000 + "1]"
    with use_limits(max_bytes=20_000):
        assert refused(lambda: parse_yaml(text, "t.yaml")) == [
            "t.yaml:1:1: more than 2,000 values in one file "
            "(an arrangement holds under a hundred; split the file, or raise --max-bytes)"
        ]
    assert data(text) == [1] * 3_001


def test_long_numbers_are_refused() -> None:
    """A number of thousands of digits is refused (int() of it is slow, and an error from Python 3.11)."""
    assert refused(lambda: parse_yaml("a: " + "9" * 5000 + "\n", "t.yaml")) == [
        "t.yaml:1:4: a number of 5000 digits is too long (put it in quotes to keep it as text)"
    ]
    assert data("a: " + "9" * 40 + "\n") == {"a": int("9" * 40)}


def test_lone_surrogates_are_refused() -> None:
    """Text that cannot be UTF-8 (a lone surrogate, as from a bad file name) is refused, not a crash."""
    assert refused(lambda: parse_yaml("a: b\udce9\n", "t.yaml")) == [
        "t.yaml:1:5: not valid text: an undecodable character (U+DCE9) (save the file as UTF-8)"
    ]


# --- documents ---------------------------------------------------------------------------------------------


def test_empty_and_comment_only_files_are_named() -> None:
    """An empty file and one that holds only comments say so."""
    assert refused(lambda: parse_yaml("", "t.yaml")) == [
        "t.yaml: empty file: no arrangement in it (see examples/quad.yaml)"
    ]
    assert refused(lambda: parse_yaml("# nothing\n", "t.yaml")) == [
        "t.yaml: only comments: no arrangement in it (see examples/quad.yaml)"
    ]


def test_a_bad_document_does_not_take_the_others_with_it() -> None:
    """In a stream, a document that cannot be read is failed on its own; a syntax error fails the rest."""
    text = "a: 1\n---\na: 1\na: 2\n---\na: 3\n---\n[unclosed\n"
    documents = list(parse_yaml(text, "t.yaml"))
    assert [d.source for d in documents] == ["t.yaml#1", "t.yaml#2", "t.yaml#3", "t.yaml#4"]
    assert documents[0].data == {"a": 1} and documents[2].data == {"a": 3}
    failed = [d.data for d in documents if isinstance(d.data, _Failed)]
    assert [str(f.error) for f in failed] == [
        "t.yaml#2:4:1: duplicate key 'a' (first at line 3)",
        "t.yaml#4:9:1: expected ',' or ']': the list opened at line 8, column 1 is not closed "
        "(close it with ']', or separate its items with ',')",
    ]


def test_locate_maps_paths_to_lines() -> None:
    """Keys, list items and missing paths (their nearest ancestor) are located in the original text."""
    (document,) = parse_yaml("name: X\nmembers:\n  - A\n  - B\n", "t.yaml")
    assert document.locate(("members",)) == (2, 1)
    assert document.locate(("members", 1)) == (4, 5)
    assert document.locate(("members", 7)) == (2, 1)
    plain = Document("t.yaml", None, "name: X\nmembers: [A, B]\n")  # made without a node: the text is re-read
    assert plain.locate(("members", 1)) == (2, 14)


def test_messages_print_on_one_line() -> None:
    """Control characters and undecodable bytes in paths or values are escaped, so one problem is one line."""
    problem = Problem("a\nb\udce9.yaml", "unknown domain '\x1b[31mred'", line=1, column=2)
    assert str(problem) == "a\\nb\\xe9.yaml:1:2: unknown domain '\\x1b[31mred'"


def test_a_merge_key_takes_mappings_only() -> None:
    """'<<' with a value or a list of values is explained, not left to YAML's wording."""
    assert refused(lambda: parse_yaml("a:\n  <<: [5]\n", "t.yaml")) == [
        "t.yaml:2:8: '<<' merges in a mapping, or a list of mappings; this is a single value"
    ]
