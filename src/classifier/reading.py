"""Bytes to documents: YAML or JSON text, from files or stdin, with source positions on demand.

YAML is read with PyYAML's C parser and a strict resolver: only ``true``/``false`` are booleans (``NO``,
``yes``, ``on`` stay strings), dates stay strings, duplicate keys are an error and no tag can construct
anything but plain data. Positions are only worked out when a document turns out to be invalid.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from .errors import InputError, Problem

try:  # the C parser is what makes large batches fast; fall back so the tool still works without it
    from yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


Path = tuple[str | int, ...]
MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictResolver(BaseResolver):
    """YAML 1.2 core schema scalars: no yes/no/on/off booleans, no sexagesimals, no timestamps."""


StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)
StrictResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
StrictResolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


class StrictConstructor(SafeConstructor):
    """SafeConstructor that refuses duplicate keys and reads integers in base 10 (``010`` is ten)."""

    def construct_yaml_int(self, node: ScalarNode) -> int:  # type: ignore[override]
        value = str(self.construct_scalar(node)).replace("_", "")
        if value.startswith("0x"):
            return int(value[2:], 16)
        if value.startswith("0o"):
            return int(value[2:], 8)
        return int(value, 10)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping, found {node.id}", node.start_mark)
        own = [pair for pair in node.value if pair[0].tag != MERGE_TAG]
        self.flatten_mapping(node)
        merged = node.value[: len(node.value) - len(own)]
        mapping: dict[Any, Any] = {}
        for key_node, value_node in merged:
            mapping[self.construct_object(key_node, deep=deep)] = self.construct_object(value_node, deep=deep)
        seen: set[Any] = set()
        for key_node, value_node in own:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark) from None
            if key in seen:
                raise ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


StrictConstructor.add_constructor("tag:yaml.org,2002:int", StrictConstructor.construct_yaml_int)
StrictConstructor.add_constructor("tag:yaml.org,2002:map", StrictConstructor.construct_yaml_map)


class StrictLoader(_Parser, StrictConstructor, StrictResolver):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        StrictConstructor.__init__(self)
        StrictResolver.__init__(self)


@dataclass
class Document:
    """One YAML/JSON document: its address (``path`` or ``path#N``), its data and the text it came from."""

    source: str
    data: Any
    text: str = field(repr=False)
    index: int = 0
    _positions: dict[Path, tuple[int, int]] | None = field(default=None, repr=False)

    def locate(self, path: Path) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path`` in the text, or of its nearest ancestor that exists."""
        if self._positions is None:
            self._positions = positions(self.text, self.index)
        for end in range(len(path), -1, -1):
            found = self._positions.get(path[:end])
            if found:
                return found
        return None, None


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a BOM and CRLF line ends are fine); anything else is an error naming the offending byte."""
    if b"\x00" in raw[:8192]:
        raise InputError([Problem(source, "binary file, not YAML or JSON text", hint="give an arrangement file")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start : exc.start + 1].hex().upper()
        raise InputError(
            [
                Problem(
                    source,
                    f"not UTF-8 text: byte 0x{byte} at offset {exc.start}",
                    line=line,
                    column=column,
                    hint="save the file as UTF-8",
                )
            ]
        ) from None


def _mark_problem(source: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    hint = None
    if "could not determine a constructor" in what:
        tag = what.split("tag", 1)[-1].strip().strip("'")
        what, hint = f"tag '{tag}' is not allowed", "arrangement files hold plain data only"
    elif "found character '\\t'" in what:
        what, hint = "a tab character cannot indent YAML", "indent with spaces"
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return Problem(source, what, line=line, column=column, hint=hint)


def parse_yaml(text: str, source: str) -> Iterator[Document]:
    """Every document in a YAML stream; a file of one document is addressed by its path alone."""
    loader = StrictLoader(text)
    try:
        docs: list[Any] = []
        while loader.check_data():
            docs.append(loader.get_data())
    except yaml.MarkedYAMLError as exc:
        raise InputError([_mark_problem(source, exc)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(source, str(exc))]) from None
    finally:
        loader.dispose()
    if not docs:
        raise InputError([Problem(source, "empty file: no arrangement in it", hint="see examples/quad.yaml")])
    many = len(docs) > 1
    for index, data in enumerate(docs):
        yield Document(f"{source}#{index + 1}" if many else source, data, text, index)


def read_path(path: str) -> Iterator[Document]:
    """The documents of one file (YAML or JSON: JSON is read as YAML, of which it is a subset)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise InputError([Problem(path, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(path, "is a directory, not a file")]) from None
    except PermissionError:
        raise InputError([Problem(path, "permission denied")]) from None
    except OSError as exc:
        raise InputError([Problem(path, exc.strerror or str(exc))]) from None
    yield from parse_yaml(decode(raw, path), path)


def load_yaml_with_positions(text: str, source: str) -> tuple[Any, dict[Path, tuple[int, int]]]:
    """One document and the line/column of every key and value in it (for rule files and error reports)."""
    docs = list(parse_yaml(text, source))
    if len(docs) > 1:
        raise InputError([Problem(source, "expected one YAML document, found several")])
    return docs[0].data, positions(text, 0)


def positions(text: str, index: int) -> dict[Path, tuple[int, int]]:
    """Map each path in document ``index`` to the (line, column) of its value; a key's path ends in its name."""
    loader = StrictLoader(text)
    try:
        node: Node | None = None
        for _ in range(index + 1):
            node = loader.get_node() if loader.check_node() else None
    except yaml.YAMLError:
        return {}
    finally:
        loader.dispose()
    found: dict[Path, tuple[int, int]] = {}
    budget = [100_000]

    def walk(node: Node, path: Path) -> None:
        budget[0] -= 1
        if budget[0] < 0 or len(path) > 200:
            return
        found.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    key_path = (*path, key_node.value)
                    found[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                    walk(value_node, key_path)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if node is not None:
        walk(node, ())
    return found


def read_text(path: str) -> str:
    """A whole text file (rule files and the like), decoded as UTF-8, with errors in the usual shape."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise InputError([Problem(path, (exc.strerror or str(exc)).lower())]) from None
    return decode(raw, path)


def list_yaml_files(folder: str) -> list[str]:
    """The ``*.yaml`` / ``*.yml`` files directly in ``folder``, sorted by name."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise InputError([Problem(folder, (exc.strerror or str(exc)).lower())]) from None
    return [os.path.join(folder, n) for n in names if n.endswith((".yaml", ".yml")) and not n.startswith(".")]


SUFFIXES = (".yaml", ".yml", ".json")


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(name, p) for p in patterns)


def walk(
    paths: list[str], include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Iterator[str | InputError]:
    """Every input named by ``paths``, in order: files as given, folders walked recursively and sorted.

    Folders yield their ``*.yaml``, ``*.yml`` and ``*.json`` files, skipping hidden names; ``include`` and
    ``exclude`` glob patterns (matched against the path and the file name) narrow what folders yield.
    A path that cannot be walked yields an InputError in its place, and the walk goes on.
    """
    for path in paths:
        if path == "-":
            yield path
            continue
        try:
            info = os.stat(path)
        except FileNotFoundError:
            kind = "dangling symbolic link" if os.path.islink(path) else "no such file or folder"
            yield InputError([Problem(path, kind)])
            continue
        except OSError as exc:
            yield InputError([Problem(path, (exc.strerror or str(exc)).lower())])
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk_folder(path, include, exclude, {(info.st_dev, info.st_ino)})
        else:
            yield path


def _walk_folder(
    folder: str, include: tuple[str, ...], exclude: tuple[str, ...], seen: set[tuple[int, int]]
) -> Iterator[str | InputError]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield InputError([Problem(folder, (exc.strerror or str(exc)).lower())])
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = entry.path
        try:
            info = os.stat(path)
        except FileNotFoundError:
            if entry.is_symlink() and entry.name.endswith(SUFFIXES):
                yield InputError([Problem(path, "dangling symbolic link")])
            continue
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                yield InputError([Problem(path, "symbolic link loop")])
            else:
                yield InputError([Problem(path, (exc.strerror or str(exc)).lower())])
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen:
                yield InputError([Problem(path, "symbolic link loop: this folder is already being walked")])
                continue
            yield from _walk_folder(path, include, exclude, seen | {key})
            continue
        if not entry.name.endswith(SUFFIXES):
            continue
        if include and not _matches(path, include):
            continue
        if exclude and _matches(path, exclude):
            continue
        if not stat.S_ISREG(info.st_mode):
            yield InputError([Problem(path, "not a regular file (a FIFO, socket or device): not read")])
            continue
        yield path


JSON_LINE = re.compile(r"^\s*\{")


def read_stream(raw: bytes, source: str = "<stdin>") -> Iterator[Document]:
    """Documents from a stream: JSON Lines (one arrangement per line) or a YAML stream (``---`` between)."""
    text = decode(raw, source)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and all(JSON_LINE.match(line) and line.rstrip().endswith("}") for line in lines):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                (document,) = parse_yaml(line, f"{source}:{number}")
            except InputError as exc:
                yield Document(f"{source}#{number}", _Failed(exc), line, 0)
                continue
            yield Document(f"{source}#{number}", document.data, line, 0)
        return
    yield from parse_yaml(text, source)


@dataclass
class _Failed:
    """A document of a stream that could not be parsed; the others still are."""

    error: InputError
