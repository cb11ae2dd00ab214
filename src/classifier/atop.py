"""ATOP's alliance-level file as arrangements: one arrangement per row, streamed, classified like any other.

The Alliance Treaty Obligations and Provisions project (Leeds et al. 2002) codes every written alliance
from 1815 on, one row per alliance, in a CSV file whose columns are named in its codebook. This module
reads that layout (``atop4_01_alliance_level.csv`` and later versions with the same column names) into
the arrangement model. What maps, and what cannot:

==================================  ===================================================================
ATOP column                         arrangement field
==================================  ===================================================================
atopid                              ``name: ATOP <atopid>``; the source is ``path#<atopid>``
mem1 ... mem59 (COW state codes)    ``members``: each code named by members.py (2 -> United States); a
                                    code outside the Correlates of War list is kept as ``COW <code>``
                                    and warned about
begyr, begmo, begday                ``signed`` (YYYY, YYYY-MM or YYYY-MM-DD as far as coded)
endyr, endmo, endday, ineffect      ``ended``; none while ``ineffect`` is 1 or ``endyr`` is 0
defense, offense, neutral,          ``obligations.mutual_defence``, ``.offensive``, ``.neutrality``,
nonagg, consul (0/1)                ``.non_aggression``, ``.consultation``; an empty cell is unknown
defcon, offcon, neucon, concon      ``conditional`` on that pledge
conditio                            ``conditional`` on the non-aggression pledge when no per-pledge
                                    column names the condition (ATOP has no nonagg condition column);
                                    else, when none does, a note
asymm                               ``asymmetric`` on every pledge present (ATOP says only that the
                                    members' obligations differ, not which pledge)
intcom, base                        ``common_defence_strategy``: true when the agreement sets up an
                                    integrated command (intcom 1) or bases or troop placements
                                    (base 1-3), false when both are 0
(every row)                         ``instrument: treaty``: ATOP admits only written agreements signed
                                    by official representatives of states, which is what a treaty is
                                    in international law (Vienna Convention, art. 2)
bilat, pubsecr, version             not facts of the model: ``bilat`` is not a member count (SEATO has
                                    bilat 1 and 8 members), so member_count comes from the mem columns;
                                    they are kept in ``notes`` and ``sources``
all other columns                   not read (milaid, organ1, ecaid, ...): the model has no field for them
==================================  ===================================================================
"""

from __future__ import annotations

import datetime
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .batch import Failure, Input, Result, classify_document, classify_walked
from .errors import InputError, Problem
from .members import name_of_cow_code
from .reading import Document, Path, _Failed, read_csv_rows, stdin_starts_with
from .rules import RuleSet

INPUT_FORMATS: dict[str, str] = {
    "auto": "ATOP's layout for a .csv file or standard input that starts with its header, else arrangements",
    "arrangement": "arrangement files: YAML or JSON (standard input: a YAML stream or JSON Lines)",
    "atop": "ATOP's alliance-level CSV layout, one alliance per row",
}
HEADER_START = b"atopid"
REQUIRED = ("atopid", "begyr", "defense", "offense", "neutral", "nonagg", "consul", "mem1")
# ATOP column -> (obligation in the model, ATOP's column for a condition on that pledge)
OBLIGATIONS: dict[str, tuple[str, str | None]] = {
    "defense": ("mutual_defence", "defcon"),
    "offense": ("offensive", "offcon"),
    "neutral": ("neutrality", "neucon"),
    "nonagg": ("non_aggression", None),
    "consul": ("consultation", "concon"),
}
SECRECY = {1: "the agreement had secret articles", 2: "the agreement was wholly secret"}


@dataclass
class RowDocument(Document):
    """A row of the file as a document: a field of the model is located at the CSV column it came from."""

    line: int = 0
    columns: dict[Path, int] = field(default_factory=dict, repr=False)

    def locate(self, path: Path) -> tuple[int | None, int | None]:
        for end in range(len(path), 0, -1):
            if path[:end] in self.columns:
                return self.line, self.columns[path[:end]]
        return self.line, None


class _Row:
    """One row's cells by column name, collecting every problem in it."""

    def __init__(self, source: str, line: int, header: dict[str, int], cells: list[str]) -> None:
        self.source = source
        self.line = line
        self.header = header
        self.cells = cells
        self.problems: list[Problem] = []

    def text(self, column: str) -> str:
        index = self.header.get(column)
        return self.cells[index].strip() if index is not None and index < len(self.cells) else ""

    def number(self, column: str, allowed: Iterable[int] | None = None) -> int | None:
        """A whole number (``1`` or ``1.0``); None when the cell is empty or the column absent."""
        text = self.text(column)
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        choices = tuple(allowed) if allowed is not None else None
        if value != value or value != int(value) or (choices is not None and int(value) not in choices):
            what = (
                " or ".join([", ".join(str(c) for c in choices[:-1]), str(choices[-1])])
                if choices
                else "a whole number"
            )
            self.problem(column, f"expected {what}, got '{text}'", "an empty cell is read as unknown")
            return None
        return int(value)

    def flag(self, column: str) -> bool | None:
        value = self.number(column, (0, 1))
        return None if value is None else value == 1

    def problem(self, column: str, message: str, hint: str | None = None) -> None:
        index = self.header.get(column)
        self.problems.append(
            Problem(
                self.source,
                message,
                line=self.line,
                column=None if index is None else index + 1,
                field=column,
                hint=hint,
            )
        )


def _date(row: _Row, year: str, month: str, day: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as far as the row codes it (0 or empty: not coded)."""
    y, m, d = row.number(year), row.number(month, range(13)), row.number(day, range(32))
    if not y:
        return None
    if not m:
        return f"{y:04d}"
    if not d:
        return f"{y:04d}-{m:02d}"
    try:
        return datetime.date(y, m, d).isoformat()
    except ValueError:
        row.problem(day, f"{y:04d}-{m:02d}-{d:02d} is not a date that exists")
        return None


def row_data(row: _Row) -> dict[str, Any]:
    """The arrangement data of one row (pure: the row's problems are collected on ``row``)."""
    atopid = row.text("atopid")
    members: list[str | int] = []
    for column in row.header:
        if column.startswith("mem") and column[3:].isdigit():
            code = row.number(column)
            if code is not None:
                members.append(name_of_cow_code(code))
    flags = {column: row.flag(column) for column in OBLIGATIONS}
    conditions = {c: row.flag(c) for _, c in OBLIGATIONS.values() if c is not None and c in row.header}
    conditio = row.flag("conditio")
    explained = any(conditions.values())
    asymmetric = row.flag("asymm") is True
    obligations: dict[str, Any] = {}
    for column, (kind, condition) in OBLIGATIONS.items():
        present = flags[column]
        if condition is not None and condition in conditions:
            conditional = conditions[condition]
        else:
            conditional = conditio and not explained
        obligations[kind] = {
            "present": present,
            "conditional": bool(conditional) and present is not False,
            "asymmetric": asymmetric and present is not False,
        }
    notes = [f"From ATOP, atopid {atopid}."]
    if conditio and not explained and not flags["nonagg"]:
        notes.append("ATOP codes a condition (conditio 1) on an obligation it does not name.")
    bilat = row.number("bilat", (0, 1))
    if bilat is not None:
        notes.append(f"ATOP bilat = {bilat}.")
    secrecy = row.number("pubsecr", (0, 1, 2))
    if secrecy in SECRECY:
        notes.append(f"ATOP pubsecr = {secrecy}: {SECRECY[secrecy]}.")
    ended = None
    if row.number("ineffect", (0, 1)) != 1:
        ended = _date(row, "endyr", "endmo", "endday")
    version = row.text("version")
    try:
        version = f"{float(version):.2f}" if version else ""
    except ValueError:
        version = ""
    data: dict[str, Any] = {
        "name": f"ATOP {atopid}",
        "members": members,
        "signed": _date(row, "begyr", "begmo", "begday"),
        "ended": ended,
        "instrument": "treaty",
        "obligations": obligations,
        "sources": [f"ATOP {version}, atopid {atopid}".replace("ATOP , ", "ATOP, ")],
        "notes": " ".join(notes),
    }
    command = [row.number("intcom", (0, 1)), row.number("base", (0, 1, 2, 3))]
    if any(value for value in command):
        data["common_defence_strategy"] = True
    elif all(value == 0 for value in command):
        data["common_defence_strategy"] = False
    else:
        data["common_defence_strategy"] = "unknown"
    return data


def _locations(header: dict[str, int]) -> dict[Path, int]:
    """Where each field of the model comes from, as a 1-based CSV column, for error messages."""
    found: dict[Path, int] = {}
    for column, (kind, _) in OBLIGATIONS.items():
        if column in header:
            found[("obligations", kind)] = header[column] + 1
    for path, column in (
        (("signed",), "begyr"),
        (("ended",), "endyr"),
        (("name",), "atopid"),
        (("members",), "mem1"),
    ):
        if column in header:
            found[path] = header[column] + 1
    members = [c for c in header if c.startswith("mem") and c[3:].isdigit()]
    for index, column in enumerate(members):
        found[("members", index)] = header[column] + 1
    return found


def atop_documents(path: str) -> Iterator[Document]:
    """Every row of an ATOP alliance-level file as a document, read one at a time.

    A row with a bad cell is a document whose data is the error, so the rows after it are still read; a
    file that cannot be read, or whose header is not ATOP's, raises InputError.
    """
    name = "<stdin>" if path == "-" else path
    rows = read_csv_rows(path)
    first = next(rows, None)
    if first is None:
        raise InputError(
            [Problem(name, "empty file: no header", hint="ATOP's alliance-level file starts with atopid,...")]
        )
    header = {column.strip().lower(): index for index, column in enumerate(first[1])}
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            [
                Problem(
                    name,
                    "not ATOP's alliance-level layout: no column " + ", ".join(missing),
                    line=1,
                    hint="its header names atopid, begyr, defense, offense, neutral, nonagg, consul, mem1...",
                )
            ]
        )
    locations = _locations(header)
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        atopid = cells[header["atopid"]].strip() if header["atopid"] < len(cells) else ""
        source = f"{name}#{atopid or f'line{line}'}"
        row = _Row(source, line, header, cells)
        if len(cells) != len(header):
            row.problems.append(
                Problem(source, f"{len(cells)} cells, but the header names {len(header)}", line=line)
            )
        elif not atopid:
            row.problem("atopid", "empty atopid", "every row of ATOP's file has one")
        data = row_data(row) if not row.problems else None
        if row.problems or data is None:
            yield RowDocument(source, _Failed(InputError(row.problems)), "", line=line, columns=locations)
            continue
        yield RowDocument(source, data, "", line=line, columns=locations)


def classify_atop(path: str, ruleset: RuleSet) -> Iterator[Result]:
    """Every row of an ATOP file classified, or reported, as it is read."""
    try:
        for document in atop_documents(path):
            yield classify_document(document, ruleset)
    except InputError as exc:
        yield Failure(exc.path, tuple(exc.problems))


def is_atop(path: str, input_format: str = "auto") -> bool:
    """Whether ``path`` is read in ATOP's layout: chosen, or (auto) a .csv file or stdin with its header."""
    if input_format != "auto":
        return input_format == "atop"
    if path == "-":
        return stdin_starts_with(HEADER_START)
    return path.lower().endswith(".csv")


def classify_sources(
    inputs: Iterable[Input], ruleset: RuleSet, jobs: int = 1, input_format: str = "auto"
) -> Generator[Result, None, None]:
    """Like batch.classify_walked, with ATOP files among the walked inputs read row by row, in input order."""
    pending: list[Input] = []
    for item in inputs:
        if isinstance(item, str) and is_atop(item, input_format):
            if pending:
                yield from classify_walked(pending, ruleset, jobs)
                pending = []
            yield from classify_atop(item, ruleset)
        else:
            pending.append(item)
    if pending:
        yield from classify_walked(pending, ruleset, jobs)
