"""Bytes to documents: YAML or JSON text, from files or stdin, with source positions on demand.

YAML is read with PyYAML's C parser (libyaml) and a strict resolver: only ``true``/``false`` are booleans
(``NO``, ``yes``, ``on`` stay strings), dates stay strings, duplicate keys are an error, and a tag that would
make anything but plain data (``!!python/object``, ``!!binary``, ``!custom``) is refused before a single value
is built. Positions are only worked out when a document turns out to be invalid.

Hostile input is cut short before it costs anything (see ``Limits``): a file over ``max_bytes`` is refused
from its size alone, and a pipe or a device is read no further than that; composing stops at a nesting deeper
than ``max_depth`` or a file of more values than its size allows (``max_values``); and aliases that would
repeat more than ``max_alias_values`` values (a "billion laughs") are refused from the node graph, where each
alias is one shared node, before anything is expanded.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import fnmatch
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from .errors import InputError, Problem, printable, shorten

try:  # libyaml is what makes large batches fast; fall back so the tool still works without it
    from yaml._yaml import CParser as _Parser
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
STR_TAG, SEQ_TAG, MAP_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
NO_TAGS = "only plain data is read: remove the tag"
MAX_INT_DIGITS = 40  # int("9" * 10**6) is quadratic work (an error since Python 3.11): no field needs more


# --- limits -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one input may cost. Every limit ends the work on that input early, with a located message.

    Reading costs about the number of values (scalars, lists, mappings) a file holds, so besides its bytes a
    file may hold at most one value per ``BYTES_PER_VALUE`` bytes of ``max_bytes``: 100,000 by default, some
    1,000 arrangements, and well under a second of work. The example arrangements run 20 to 35 bytes a
    value; only text made dense on purpose (``[1,1,1,...``) meets this limit before the byte limit.
    """

    max_bytes: int = 1_000_000  # a file (or standard input) larger than this is refused unread
    max_depth: int = 100  # nesting levels in one document (an arrangement needs 4)
    max_alias_values: int = 10_000  # values that aliases may repeat in one document (an alias bomb: 10**9)

    @property
    def max_values(self) -> int:
        """Values one file may hold, counted as they are composed (an alias counts once, as written)."""
        return max(1000, self.max_bytes // BYTES_PER_VALUE)


BYTES_PER_VALUE = 10


DEFAULT_LIMITS = Limits()
_limits = DEFAULT_LIMITS


def current_limits() -> Limits:
    """The limits in force (the defaults, unless a ``use_limits`` block is running)."""
    return _limits


@contextlib.contextmanager
def use_limits(**changes: int) -> Iterator[Limits]:
    """Read with other limits inside a ``with`` block (the CLI's ``--max-bytes``); forked workers inherit."""
    global _limits
    saved = _limits
    _limits = replace(saved, **changes)
    try:
        yield _limits
    finally:
        _limits = saved


def _size(count: int) -> str:
    """A byte count for people: ``812 bytes``, ``1 MB``, ``312.5 MB``."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _too_large(source: str, size: int | None, limit: int) -> InputError:
    what = f"too large: {_size(size)}" if size is not None else f"too large: more than {_size(limit)}"
    hint = f"the limit is {_size(limit)}; raise it with --max-bytes"
    return InputError([Problem(source, what, hint=hint)])


# --- the loader ---------------------------------------------------------------------------------------------


class StrictResolver(BaseResolver):
    """YAML 1.2 core schema scalars: no yes/no/on/off booleans, no sexagesimals, no timestamps.

    ``resolve`` runs once for every value read, so it is kept short: no path resolvers, and a value whose
    first character no implicit tag starts with (most text) is a string after one dictionary lookup.
    """

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool] | None) -> str:
        if kind is ScalarNode:
            if implicit and implicit[0] and value is not None:
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return str(tag)
            return STR_TAG
        return SEQ_TAG if kind is SequenceNode else MAP_TAG


StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
StrictResolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


class StrictConstructor(SafeConstructor):
    """SafeConstructor that refuses duplicate keys and reads integers in base 10 (``010`` is ten)."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        value = str(self.construct_scalar(node)).replace("_", "")
        if len(value) > MAX_INT_DIGITS:
            what = f"a number of {len(value)} digits is too long"
            raise ConstructorError("put it in quotes to keep it as text", None, what, node.start_mark)
        if value.startswith("0x"):
            return int(value[2:], 16)
        if value.startswith("0o"):
            return int(value[2:], 8)
        return int(value, 10)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping, found {node.id}", node.start_mark)
        own = [pair for pair in node.value if pair[0].tag != MERGE_TAG]
        self.flatten_mapping(node)
        merged = node.value[: len(node.value) - len(own)]
        mapping: dict[Any, Any] = {}
        for key_node, value_node in merged:
            mapping[self.construct_object(key_node, deep=deep)] = self.construct_object(value_node, deep=deep)
        seen: dict[Any, Node] = {}
        for key_node, value_node in own:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in seen:
                first = seen[key].start_mark
                raise ConstructorError(
                    f"first at line {first.line + 1}",
                    None,
                    f"duplicate key '{shorten(str(key))}'",
                    key_node.start_mark,
                )
            seen[key] = key_node
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


# The stubs want a Loader as the constructor's first argument; a constructor is all these functions use.
StrictConstructor.add_constructor("tag:yaml.org,2002:int", StrictConstructor.construct_yaml_int)  # type: ignore[type-var]
StrictConstructor.add_constructor("tag:yaml.org,2002:map", StrictConstructor.construct_yaml_map)  # type: ignore[type-var]


class _Cut(Exception):
    """Composing stopped at a limit: the message, and the node nearest to where it was hit."""

    def __init__(self, message: str, node: Node | None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.node, self.hint = message, node, hint


class StrictLoader(_Parser, StrictConstructor, StrictResolver):
    """libyaml's parser and composer, counting nesting and values as it goes, with the strict constructor.

    The composer calls ``descend_resolver`` before each node it builds (aliases excepted: an alias is the
    node it names, not a copy) and ``ascend_resolver`` after, so the limits are kept as the text is read.
    """

    def __init__(self, stream: str, limits: Limits | None = None) -> None:
        _Parser.__init__(self, stream)
        StrictConstructor.__init__(self)
        StrictResolver.__init__(self)
        self.limits = limits or _limits
        self.depth = 0
        self.values = 0
        self.max_values = self.limits.max_values

    def descend_resolver(self, current_node: Node | None, current_index: Any) -> None:
        self.depth += 1
        self.values += 1
        if self.depth > self.limits.max_depth:
            what = f"nested more than {self.limits.max_depth} levels deep"
            raise _Cut(what, current_node, "flatten the data")
        if self.values > self.max_values:
            what = f"more than {self.max_values:,} values in one file"
            hint = "an arrangement holds under a hundred; split the file, or raise --max-bytes"
            raise _Cut(what, current_node, hint)

    def ascend_resolver(self) -> None:
        self.depth -= 1


# --- what a document may hold: plain data, aliases within bounds -------------------------------------------

_RESOLVER = StrictResolver()


def _implicit_tag(value: str) -> str:
    """The tag a plain scalar gets without one: an explicit tag that differs from it is refused."""
    return _RESOLVER.resolve(ScalarNode, value, (True, False))


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _check_graph(root: Node, limits: Limits) -> None:
    """Refuse tags, recursive aliases, and aliases that repeat too much, from the node graph alone.

    Each distinct node is visited once (an alias is the very node it names), so an alias bomb costs only its
    own size here: the values it would expand to are counted, never made.
    """
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values when expanded, levels below and with it)
    open_nodes: set[int] = set()
    repeated = 0

    def measure(node: Node, depth: int) -> tuple[int, int]:
        nonlocal repeated
        key = id(node)
        found = measured.get(key)
        if found is not None:  # met before: an alias repeats it
            repeated += found[0]
            if repeated > limits.max_alias_values:
                what = f"aliases repeat more than {limits.max_alias_values:,} values"
                raise _Cut(what, node, "an alias bomb? anchors may repeat small parts only")
        elif key in open_nodes:
            raise _Cut(
                "an alias inside the value it names makes an endless structure", node, "remove the alias"
            )
        else:
            open_nodes.add(key)
            found = _measure_new(node, depth, measure)
            open_nodes.discard(key)
            measured[key] = found
        if depth + found[1] - 1 > limits.max_depth:
            raise _Cut(
                f"nested more than {limits.max_depth} levels deep (with aliases expanded)",
                node,
                "flatten the data",
            )
        return found

    measure(root, 1)


def _measure_new(node: Node, depth: int, measure: Any) -> tuple[int, int]:
    tag = node.tag
    if isinstance(node, ScalarNode):
        if tag not in (STR_TAG, MERGE_TAG) and (node.style or _implicit_tag(node.value) != tag):
            raise _Cut(
                f"tag '{shorten(_short_tag(tag))}' is not allowed",
                node,
                NO_TAGS,
            )
        return 1, 1
    if (isinstance(node, SequenceNode) and tag != SEQ_TAG) or (
        isinstance(node, MappingNode) and tag != MAP_TAG
    ):
        raise _Cut(
            f"tag '{shorten(_short_tag(tag))}' is not allowed",
            node,
            NO_TAGS,
        )
    children = (
        [child for pair in node.value for child in pair]
        if isinstance(node, MappingNode)
        else list(node.value)
    )
    size, height = 1, 1
    for child in children:
        child_size, child_height = measure(child, depth + 1)
        size += child_size
        height = max(height, child_height + 1)
    return size, height


# --- documents ----------------------------------------------------------------------------------------------


@dataclass
class Document:
    """One YAML/JSON document: its address (``path`` or ``path#N``), its data and the text it came from."""

    source: str
    data: Any
    text: str = field(repr=False)
    index: int = 0
    _positions: dict[Path, tuple[int, int]] | None = field(default=None, repr=False)
    node: Node | None = field(default=None, repr=False, compare=False)

    def locate(self, path: Path) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path`` in the text, or of its nearest ancestor that exists."""
        if self._positions is None:
            self._positions = (
                node_positions(self.node) if self.node is not None else positions(self.text, self.index)
            )
        for end in range(len(path), -1, -1):
            found = self._positions.get(path[:end])
            if found:
                return found
        return None, None


# --- bytes to text ------------------------------------------------------------------------------------------

# Files that are not text at all, by their first bytes: named, so the user knows what was given instead.
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx, .docx or .zip file?)", "export or save it as YAML or JSON"),
    (b"%PDF", "a PDF document", "give an arrangement file in YAML or JSON"),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first, with gunzip"),
    (b"\x89PNG", "a PNG image", "give an arrangement file in YAML or JSON"),
    (b"\xff\xd8\xff", "a JPEG image", "give an arrangement file in YAML or JSON"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.xls or .doc?)", "export or save it as YAML or JSON"),
    (b"\x7fELF", "a program (ELF executable)", "give an arrangement file in YAML or JSON"),
    (b"SQLite format 3\x00", "an SQLite database", "export it as YAML or JSON"),
)
UNICODE_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of a byte offset."""
    return raw.count(b"\n", 0, offset) + 1, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a BOM and CRLF line ends are fine); anything else is an error naming what it is and where.

    Input over the size limit is refused here too, for callers that did not bound their read.
    """
    limit = _limits.max_bytes
    if len(raw) > limit:
        raise _too_large(source, len(raw), limit)
    for magic, what, hint in MAGIC:
        if raw.startswith(magic):
            raise InputError([Problem(source, f"{what}, not YAML or JSON text", hint=hint)])
    for bom, encoding in UNICODE_BOMS:
        if raw.startswith(bom):
            raise InputError([Problem(source, f"{encoding} text, not UTF-8", hint="save the file as UTF-8")])
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _line_column(raw, nul)
        what = f"binary data, not YAML or JSON text: a NUL byte at offset {nul}"
        raise InputError([Problem(source, what, line=line, column=column, hint="give an arrangement file")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start)
        byte = raw[exc.start : exc.start + 1].hex().upper()
        what = f"not UTF-8 text: byte 0x{byte} at offset {exc.start}"
        hint = "save the file as UTF-8"
        with contextlib.suppress(UnicodeDecodeError):  # the usual culprit: a Windows or Latin-1 export
            hint += f"; in Windows-1252 or Latin-1 it is '{raw[exc.start : exc.start + 1].decode('cp1252')}'"
        raise InputError([Problem(source, what, line=line, column=column, hint=hint)]) from None


# --- text to documents --------------------------------------------------------------------------------------


def _at(text: str, mark: Any) -> str:
    """The character at a mark ('' at the end of the text)."""
    index = getattr(mark, "index", None)
    if index is None or not 0 <= index < len(text):
        return ""
    return text[index]


def _alias_at(text: str, mark: Any) -> str:
    """The alias (``*name``) that starts at a mark."""
    index = getattr(mark, "index", None)
    if index is None:
        return "*"
    return "*" + re.split(r"[\s,\]}]", text[index + 1 : index + 200], maxsplit=1)[0]


def _place(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "above"


# libyaml's wording (problem, context) -> plain words: (what, hint). ``{opened}`` is the context's place.
YAML_WORDS: tuple[tuple[str, str | None, str, str | None], ...] = (
    (
        "found a tab character that violates indentation",
        None,
        "a tab character cannot indent YAML",
        "indent with spaces",
    ),
    (
        "found unexpected end of stream",
        "while scanning a block scalar",
        "unexpected end of the file in a block of text",
        None,
    ),
    (
        "did not find expected ',' or ']'",
        None,
        "expected ',' or ']': the list opened at {opened} is not closed",
        "close it with ']', or separate its items with ','",
    ),
    (
        "did not find expected ',' or '}'",
        None,
        "expected ',' or '}}': the mapping opened at {opened} is not closed",
        "close it with '}}', or separate its entries with ','",
    ),
    (
        "did not find expected key",
        "while parsing a block mapping",
        "bad indentation: this line does not line up with the mapping at {opened}",
        "indent the keys of one mapping by the same number of spaces",
    ),
    (
        "did not find expected '-' indicator",
        None,
        "bad indentation: this line does not line up with the list at {opened}",
        "start every item of one list with '- ' at the same indentation",
    ),
    (
        "mapping values are not allowed in this context",
        None,
        "unexpected ':': bad indentation, or a value that holds ': '",
        "quote a value that holds ': '",
    ),
    (
        "could not find expected ':'",
        None,
        "expected ':' after a key (bad indentation?)",
        "write 'key: value', one per line",
    ),
    ("did not find expected node content", None, "expected a value here", None),
    (
        "did not find expected <document start>",
        None,
        "unexpected text after the end of the document",
        "separate documents with '---'",
    ),
    (
        "found undefined alias",
        None,
        "alias '{alias}' names no anchor",
        "define the anchor first, as '&name value'",
    ),
    ("second occurrence", None, "anchor defined twice (first at {opened})", "give each anchor its own name"),
    ("found unknown directive name", None, "unknown directive (only %YAML and %TAG exist)", None),
    ("exceeded maximum nesting depth", None, "nested more than {max_depth} levels deep", "flatten the data"),
)


MERGE_FOUND = {"scalar": "a single value", "sequence": "a list"}


def _yaml_problem(source: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    """A YAML error in plain words, at the line and column where the reader has to look."""
    mark = exc.problem_mark or exc.context_mark
    problem, context = exc.problem or "", exc.context or ""
    what, hint = "", None
    if "could not determine a constructor" in problem:
        tag = problem.split("tag", 1)[-1].strip().strip("'")
        what, hint = f"tag '{shorten(_short_tag(tag))}' is not allowed", NO_TAGS
    elif "for merging" in problem:
        found = MERGE_FOUND.get(problem.rsplit(" ", 1)[-1], "something else")
        what, hint = f"'<<' merges in a mapping, or a list of mappings; this is {found}", None
    elif isinstance(exc, ConstructorError):  # raised by StrictConstructor, in plain words already
        what, hint = problem, context or None
    elif problem == "found character that cannot start any token":
        char = _at(text, mark)
        if char == "\t":
            what, hint = "a tab character cannot indent YAML", "indent with spaces"
        else:
            what, hint = f"'{printable(char)}' cannot start a value", "put the value in quotes"
    elif problem == "found unexpected end of stream" and "quoted scalar" in context:
        mark = exc.context_mark or mark  # where the quote opens: that is where the reader has to look
        quote = _at(text, mark) or '"'
        what, hint = f"unclosed quote: this {quote} has no closing {quote}", f"end the text with {quote}"
    else:
        for words, within, plain, plain_hint in YAML_WORDS:
            if words in problem and (within is None or within in context):
                alias = shorten(_alias_at(text, mark))
                what = plain.format(opened=_place(exc.context_mark), alias=alias, max_depth=_limits.max_depth)
                hint = plain_hint.format() if plain_hint else None
                break
        else:
            what = f"invalid YAML: {problem or context}" + (f" ({context})" if problem and context else "")
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return Problem(source, what, line=line, column=column, hint=hint)


def _reader_problem(source: str, exc: yaml.reader.ReaderError, text: str) -> Problem:
    """A character YAML does not allow (a control character): libyaml gives its offset in UTF-8 bytes."""
    index = exc.position
    if isinstance(text, str) and _Parser.__module__ == "yaml._yaml":
        index = len(text.encode("utf-8")[: exc.position].decode("utf-8", "ignore"))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    char = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
    what = f"control character U+{char:04X} is not allowed in YAML text"
    return Problem(
        source,
        what,
        line=line,
        column=column,
        hint="remove it, or write it as an escape in a double-quoted text",
    )


def _cut_problem(source: str, cut: _Cut) -> Problem:
    mark = cut.node.start_mark if cut.node is not None else None
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return Problem(source, cut.message, line=line, column=column, hint=cut.hint)


def compose(text: str, source: str) -> tuple[list[Node], Problem | None]:
    """The node graph of each document, up to the first syntax error or limit (returned, not raised)."""
    try:
        loader = StrictLoader(text)
    except UnicodeEncodeError as exc:  # a lone surrogate: text that came from undecodable bytes
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        what = f"not valid text: an undecodable character (U+{ord(text[exc.start]):04X})"
        return [], Problem(source, what, line=line, column=column, hint="save the file as UTF-8")
    nodes: list[Node] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
    except _Cut as cut:
        return nodes, _cut_problem(source, cut)
    except yaml.MarkedYAMLError as exc:
        return nodes, _yaml_problem(source, exc, text)
    except yaml.reader.ReaderError as exc:
        return nodes, _reader_problem(source, exc, text)
    finally:
        loader.dispose()
    return nodes, None


def construct(node: Node, text: str, source: str) -> Any:
    """The plain value of one document's node graph, once its tags and aliases have been checked."""
    try:
        if "&" in text or "!" in text:  # without an anchor there is no alias; without '!', no tag
            _check_graph(node, _limits)
        return StrictConstructor().construct_document(node)
    except _Cut as cut:
        raise InputError([_cut_problem(source, cut)]) from None
    except yaml.MarkedYAMLError as exc:
        raise InputError([_yaml_problem(source, exc, text)]) from None


def parse_yaml(text: str, source: str) -> Iterator[Document]:
    """Every document in a YAML stream; a file of one document is addressed by its path alone.

    A file of one document that cannot be read raises InputError. In a file of several, each document is
    its own input: one that cannot be read (or the rest of the file after a syntax error) comes as a
    document whose data is a ``_Failed`` carrying the error, and the others are read as usual.
    """
    nodes, error = compose(text, source)
    if not nodes and error is None:
        if text.strip():
            raise InputError(
                [Problem(source, "only comments: no arrangement in it", hint="see examples/quad.yaml")]
            )
        raise InputError([Problem(source, "empty file: no arrangement in it", hint="see examples/quad.yaml")])
    many = len(nodes) + (error is not None) > 1
    for index, node in enumerate(nodes):
        address = f"{source}#{index + 1}" if many else source
        try:
            data = construct(node, text, address)
        except InputError as exc:
            if not many:
                raise
            yield Document(address, _Failed(exc), text, index, node=node)
            continue
        yield Document(address, data, text, index, node=node)
    if error is not None:
        if not many:
            raise InputError([error])
        address = f"{source}#{len(nodes) + 1}"
        failed = InputError([replace(error, path=address)])
        yield Document(address, _Failed(failed), text, len(nodes))


# --- files --------------------------------------------------------------------------------------------------

OS_WORDS = {
    errno.ENOENT: "no such file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a folder, not a file",
    errno.ELOOP: "symbolic link loop",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "file name too long",
    errno.ENXIO: "cannot be opened as a file (a socket?)",
}


def _os_problem(path: str, exc: OSError) -> Problem:
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return Problem(
            path, "dangling symbolic link", hint=f"it points to {os.readlink(path)}, which does not exist"
        )
    what = OS_WORDS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return Problem(path, what)


def read_bounded(stream: IO[bytes], source: str, limit: int | None = None) -> bytes:
    """All of a stream (stdin, a pipe), but never more than the byte limit: past it, an InputError."""
    limit = _limits.max_bytes if limit is None else limit
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(source, None, limit)
    return data


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """The bytes of one file, refused from its size alone when over the limit; a FIFO or device is read no
    further than the limit, and opening one never waits for a writer."""
    limit = _limits.max_bytes if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError([_os_problem(path, exc)]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Problem(path, "is a folder, not a file")])
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _too_large(path, info.st_size, limit)
        if not stat.S_ISREG(info.st_mode) and sys.platform != "win32":
            os.set_blocking(fd, True)  # opened without waiting; now read what a writer sends, to its end
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError([_os_problem(path, exc)]) from None
    finally:
        os.close(fd)
    if total > limit:
        raise _too_large(
            path, info.st_size if stat.S_ISREG(info.st_mode) and info.st_size > limit else None, limit
        )
    return b"".join(chunks)


def read_path(path: str) -> Iterator[Document]:
    """The documents of one file (YAML or JSON: JSON is read as YAML, of which it is a subset)."""
    yield from parse_yaml(decode(read_bytes(path), path), path)


def load_yaml_with_positions(text: str, source: str) -> tuple[Any, dict[Path, tuple[int, int]]]:
    """One document and the line/column of every key and value in it (for rule files and error reports).

    When a file does not read but names an ``id:`` at its top level (a rule), its problems carry that id.
    """
    if not text.strip() or all(line.lstrip().startswith("#") for line in text.splitlines() if line.strip()):
        raise InputError([Problem(source, "empty file: nothing to read")])
    try:
        docs = list(parse_yaml(text, source))
        if len(docs) > 1:
            raise InputError([Problem(source, "expected one YAML document, found several")])
        document = docs[0]
        if isinstance(document.data, _Failed):
            raise document.data.error
    except InputError as exc:
        named = TOP_LEVEL_ID.search(text)
        if named is None:
            raise
        raise InputError([replace(p, field=p.field or named[1]) for p in exc.problems]) from None
    return document.data, node_positions(document.node) if document.node is not None else {}


TOP_LEVEL_ID = re.compile(r"^id:[ \t]*['\"]?([a-z0-9]+(?:-[a-z0-9]+)*)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)


def positions(text: str, index: int) -> dict[Path, tuple[int, int]]:
    """The (line, column) of each path in document ``index`` of ``text``; a key's path ends in its name."""
    nodes, _ = compose(text, "")
    return node_positions(nodes[index]) if index < len(nodes) else {}


def node_positions(root: Node) -> dict[Path, tuple[int, int]]:
    """The (line, column) of each path in a composed document; a key's path ends in its name."""
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

    walk(root, ())
    return found


def read_text(path: str) -> str:
    """A whole text file (rule files and the like), decoded as UTF-8, with errors in the usual shape.

    Rule files are read under the default size limit at least: ``--max-bytes`` is about the inputs.
    """
    limit = max(_limits.max_bytes, DEFAULT_LIMITS.max_bytes)
    with use_limits(max_bytes=limit):
        return decode(read_bytes(path), path)


def list_yaml_files(folder: str) -> list[str]:
    """The ``*.yaml`` / ``*.yml`` files directly in ``folder``, sorted by name."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise InputError([_os_problem(folder, exc)]) from None
    return [os.path.join(folder, n) for n in names if n.endswith((".yaml", ".yml")) and not n.startswith(".")]


SUFFIXES = (".yaml", ".yml", ".json")


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether a glob matches the path or the bare name (``*`` in a pattern also crosses folders)."""
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(name, p) for p in patterns)


def _wanted(path: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Whether a walked file is an input: an arrangement suffix, and the --include / --exclude globs agree."""
    if not path.lower().endswith(SUFFIXES):
        return False
    if include and not _matches(path, include):
        return False
    return not (exclude and _matches(path, exclude))


def _unreadable(path: str, exc: OSError, link: bool) -> InputError:
    """An OS error met while walking, in the usual shape, for the path it belongs to."""
    hint = None
    if exc.errno == errno.ELOOP:
        what = "symbolic link loop"
    elif exc.errno == errno.ENOENT and link:
        what = "dangling symbolic link"
        with contextlib.suppress(OSError):
            hint = f"it points to {os.readlink(path)}, which does not exist"
    elif exc.errno == errno.ENOENT:
        what = "no such file or folder"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        what = "permission denied"
    else:
        what = (exc.strerror or str(exc)).lower()
    return InputError([Problem(path, what, hint=hint)])


def walk(
    paths: list[str], include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Iterator[str | InputError]:
    """Every input named by ``paths``, in order: files as given, folders walked recursively and sorted.

    Folders yield their ``*.yaml``, ``*.yml`` and ``*.json`` files, name by name, folder by folder, skipping
    hidden names; ``include`` and ``exclude`` glob patterns (matched against the path and the name) narrow
    what folders yield, and an excluded folder is not entered. A file named in ``paths`` is read whatever its
    name (a FIFO too, so ``<(...)`` works). Symbolic links are followed. A path that cannot be walked (a
    dangling link, a link loop, a folder that cannot be listed, a FIFO or device met in a folder) yields an
    InputError in its place, and the walk goes on.
    """
    for path in paths:
        if path == "-":
            yield path
            continue
        try:
            info = os.stat(path)
        except OSError as exc:
            yield _unreadable(path, exc, os.path.islink(path))
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk_folder(path, include, exclude, ((info.st_dev, info.st_ino),))
        else:
            yield path


def _walk_folder(
    folder: str, include: tuple[str, ...], exclude: tuple[str, ...], ancestors: tuple[tuple[int, int], ...]
) -> Iterator[str | InputError]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield _unreadable(folder, exc, False)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = entry.path
        link = False
        try:
            link = entry.is_symlink()
            if link:  # only links need a stat of their own: plain entries are typed by the folder listing
                info = os.stat(path)
                is_dir, is_file = stat.S_ISDIR(info.st_mode), stat.S_ISREG(info.st_mode)
            else:
                is_dir, is_file = entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
            if is_dir:
                if exclude and _matches(path, exclude):
                    continue
                if not link:
                    info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            if _wanted(path, include, exclude):  # a broken link is reported only where a file would be read
                yield _unreadable(path, exc, link)
            continue
        if is_dir:
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                hint = "it leads back to a folder that is being walked"
                yield InputError([Problem(path, "symbolic link loop", hint=hint)])
                continue
            yield from _walk_folder(path, include, exclude, (*ancestors, key))
        elif _wanted(path, include, exclude):
            if is_file:
                yield path
            else:
                yield InputError([Problem(path, "not a regular file (a FIFO, socket or device): not read")])


def read_stream(stream: IO[bytes] | bytes, source: str = "<stdin>") -> Iterator[Document]:
    """Documents from a stream, as they arrive: JSON Lines (one arrangement per line), or a YAML stream.

    The stream is JSON Lines when its first line holds a whole object, ``{...}``. Each line is then its own
    document, addressed ``source#N`` (N the line number), parsed and yielded as soon as it is read, and a
    line that does not parse is an error for that line alone. Anything else is read to the end and parsed as
    YAML (``---`` between documents). A stream of one document is addressed by ``source`` alone.
    """
    lines = iter(io.BytesIO(stream) if isinstance(stream, bytes) else stream)
    head: list[bytes] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    first = head[-1].strip().removeprefix(b"\xef\xbb\xbf") if head else b""
    if not (first.startswith(b"{") and first.endswith(b"}")):
        rest = stream[len(b"".join(head)) :] if isinstance(stream, bytes) else stream.read()
        yield from parse_yaml(decode(b"".join(head) + rest, source), source)
        return
    number = len(head)
    for line in lines:
        number += 1
        if line.strip() in _BETWEEN_LINES:
            continue
        yield _json_line(first, f"{source}#{len(head)}")
        yield _json_line(line, f"{source}#{number}")
        break
    else:
        yield _json_line(first, source)
        return
    for line in lines:
        number += 1
        if line.strip() not in _BETWEEN_LINES:
            yield _json_line(line, f"{source}#{number}")


_BETWEEN_LINES = (b"", b"---", b"...")  # blank lines, and YAML's document markers between one-line objects


def _json_line(line: bytes, source: str) -> Document:
    """One line of a JSON Lines stream as a document; one that does not parse carries its error instead."""
    try:
        return next(parse_yaml(decode(line.strip(), source), source))
    except InputError as exc:
        return Document(source, _Failed(exc), "", 0)


@dataclass
class _Failed:
    """A document of a stream that could not be parsed; the others still are."""

    error: InputError


# --- tables: CSV rows streamed (ATOP's layout), and data files that packages ship --------------------------


CSV_LINE_LIMIT = 1 << 20  # bytes in one line of a CSV file: ATOP's rows are a few hundred


def read_csv_rows(path: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV file (``-`` for standard input), one at a time, each with the line it starts on.

    Nothing is read ahead: a file of any length is streamed, line by line. A byte that is not UTF-8, a line
    longer than CSV_LINE_LIMIT, or a line the csv module cannot read ends the stream with an InputError
    naming the line.
    """
    import csv
    import sys

    name = "<stdin>" if path == "-" else path
    if path == "-":
        raw: Any = sys.stdin.buffer
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed in the finally below, after the last row
        except FileNotFoundError:
            raise InputError([Problem(path, "no such file")]) from None
        except IsADirectoryError:
            raise InputError([Problem(path, "is a directory, not a file")]) from None
        except OSError as exc:
            raise InputError([Problem(path, (exc.strerror or str(exc)).lower())]) from None

    def lines() -> Iterator[str]:
        number = 0
        while True:
            data = raw.readline(CSV_LINE_LIMIT + 1)
            if not data:
                return
            number += 1
            if len(data) > CSV_LINE_LIMIT:
                raise InputError([Problem(name, f"a line longer than {CSV_LINE_LIMIT} bytes", line=number)])
            if number == 1:
                data = data.removeprefix(b"\xef\xbb\xbf")
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError as exc:
                byte = data[exc.start : exc.start + 1].hex().upper()
                what = f"not UTF-8 text: byte 0x{byte}"
                raise InputError(
                    [Problem(name, what, line=number, column=exc.start + 1, hint="save the file as UTF-8")]
                ) from None

    reader = csv.reader(lines())
    line = 1
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError([Problem(name, f"not a CSV line: {exc}", line=reader.line_num)]) from None
            yield line, row
            line = reader.line_num + 1
    finally:
        if path != "-":
            raw.close()


def stdin_starts_with(prefix: bytes) -> bool:
    """Whether standard input begins with ``prefix`` (after a UTF-8 byte-order mark), without consuming it."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    want = len(prefix) + 3
    try:
        if stream is None:
            return False
        if hasattr(stream, "peek"):
            head = bytes(stream.peek(want))[:want]
        elif stream.seekable():
            start = stream.tell()
            head = stream.read(want)
            stream.seek(start)
        else:
            return False
    except (OSError, ValueError):
        return False
    return head.removeprefix(b"\xef\xbb\xbf").startswith(prefix)


def read_package_file(package: str, name: str) -> bytes | None:
    """The bytes of a data file an installed package ships (``name`` relative to it), without importing it.

    None when the package or the file is not there.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        try:
            with open(os.path.join(folder, name), "rb") as handle:
                return handle.read()
        except OSError:
            continue
    return None


# --- configuration: TOML -----------------------------------------------------------------------------------


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """A TOML document (a configuration file) as a dict; a syntax error is located in the usual shape."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with tomli, the library tomllib came from
        import tomli as tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc).splitlines()[0]) or "invalid TOML"
        line, column = (int(found.group(1)), int(found.group(2))) if found else (None, None)
        message = "invalid TOML: " + what[0].lower() + what[1:]
        raise InputError([Problem(source, message, line=line, column=column)]) from None


def same_yaml_files(first: str, second: str) -> bool:
    """Whether two folders hold the same ``*.yaml`` files, byte for byte (a rule set and an exact copy)."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        names = [os.path.basename(p) for p in list_yaml_files(first)]
        if names != [os.path.basename(p) for p in list_yaml_files(second)]:
            return False
        _, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    except (InputError, OSError):
        return False
    return not mismatch and not errors
