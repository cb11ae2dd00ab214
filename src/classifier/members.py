"""Members that mean something: names, ISO codes and Correlates of War codes resolved to one state.

"USA", "United States", "US", "COW 2" and the number 2 are one member: the United States, COW code 2.
The table is the ``countrycode`` package's (Arel-Bundock et al.): English names and their variants,
ISO 3166 codes, and Correlates of War codes, historical states included (Bavaria, Austria-Hungary, the
Two Sicilies, the Yemen Arab Republic, ...). It is loaded on first use, once per process, and every
lookup is cached, so a batch pays for it once.

A member is one of:

- a **state**: found by its COW number (``2``, ``COW 2``), its ISO or COW letters (``USA``, ``UKG``; ISO is
  tried first, as three letters mean different states in the two: ``AUS`` is Australia in ISO, Austria in
  COW), its name or a common variant (``United States``, ``U.S.``, ``Soviet Union``);
- an **organisation** named in ORGANISATIONS (the EU, ASEAN, NATO, ...): not a state, allowed on purpose;
- **unrecognised**: kept as written, with a warning and the nearest known name when one is close.
"""

from __future__ import annotations

import difflib
import functools
import pickle
import re
from dataclasses import dataclass
from typing import Any

from .errors import Problem

# International bodies that conclude agreements with states; they are members, but not states.
ORGANISATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "EU": ("European Union", ("european union", "eu")),
    "ASEAN": ("Association of Southeast Asian Nations", ("association of southeast asian nations", "asean")),
    "AU": ("African Union", ("african union",)),
    "NATO": ("North Atlantic Treaty Organization", ("north atlantic treaty organization", "nato")),
    "UN": ("United Nations", ("united nations", "un")),
    "LAS": ("League of Arab States", ("league of arab states", "arab league")),
    "GCC": ("Gulf Cooperation Council", ("gulf cooperation council", "gcc")),
    "OAS": ("Organization of American States", ("organization of american states", "oas")),
}

# States of the Correlates of War system list that countrycode 0.6 lacks.
EXTRA_STATES: dict[int, tuple[str, str, tuple[str, ...]]] = {
    260: ("German Federal Republic", "GFR", ("west germany",)),
    730: ("Korea (1887-1905)", "KOR", ("korean empire",)),
}
# Historical names and the COW code of the state COW counts them as (predecessor or successor): countrycode
# lists most of these names with no COW code, or not at all.
HISTORICAL_NAMES: dict[str, int] = {
    "Prussia": 255,
    "German Empire": 255,
    "Piedmont-Sardinia": 325,
    "Sardinia": 325,
    "Serbia": 345,
    "Serbia and Montenegro": 345,
    "United Arab Republic": 651,
    "Ottoman Empire": 640,
    "Soviet Union": 365,
    "Hesse-Kassel": 273,
    "Hesse-Darmstadt": 275,
    "Würtemberg": 271,
}
# Short and long forms people type that countrycode's patterns miss or read as the successor state.
ALIASES: dict[str, str] = {
    "prc": "China",
    "rok": "South Korea",
    "roc": "Taiwan",
    "ussr": "Soviet Union",
    "u.s.s.r.": "Soviet Union",
    "union of soviet socialist republics": "Soviet Union",
}
NOT_MEMBERS = frozenset({"Unknown", "Stateless"})  # rows of countrycode's list that name no country

COW_FORM = re.compile(r"^(?:cow\s*[:#]?\s*)?(\d{1,4})$", re.IGNORECASE)
LETTERS = re.compile(r"^[A-Za-z]{2,3}$")
NAME_COLUMNS = (
    "country.name.en",
    "cow.name",
    "iso.name.en",
    "un.name.en",
    "p4.name",
    "vdem.name",
    "cldr.short.en",
)


@dataclass(frozen=True)
class Member:
    """One member as written, and what it resolves to."""

    given: str
    name: str
    kind: str  # "state" | "organisation" | "unrecognised"
    cow: int | None = None
    cow_letters: str | None = None
    iso3: str | None = None
    suggestion: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Two members with the same key are the same member."""
        if self.kind == "state" and self.cow is not None:
            return ("cow", str(self.cow))
        if self.kind == "state" and self.iso3:
            return ("iso3", self.iso3)
        if self.kind == "organisation":
            return ("organisation", self.name)
        return ("name", " ".join(self.given.casefold().split()))

    @property
    def label(self) -> str:
        """``United States, COW 2`` / ``European Union, an organisation``: for messages."""
        if self.kind == "organisation":
            return f"{self.name}, an organisation"
        if self.cow is not None:
            return f"{self.name}, COW {self.cow}"
        return self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "given": self.given,
            "name": self.name,
            "kind": self.kind,
            "cow": self.cow,
            "cow_letters": self.cow_letters,
            "iso3": self.iso3,
        }


@dataclass
class _Table:
    """Indexes over countrycode's code list, built once."""

    by_cow: dict[int, int]
    by_iso3: dict[str, int]
    by_iso2: dict[str, int]
    by_cow_letters: dict[str, int]
    by_name: dict[str, int]
    rows: list[tuple[str, int | None, str | None, str | None]]  # name, cow, cow letters, iso3
    patterns: list[tuple[str, int]]  # (regex, row) in countrycode's order
    _compiled: list[tuple[re.Pattern[str], int]] | None = None

    def compiled(self) -> list[tuple[re.Pattern[str], int]]:
        if self._compiled is None:
            self._compiled = [(re.compile(p, re.IGNORECASE), row) for p, row in self.patterns]
        return self._compiled


def _codelist() -> dict[str, list[Any]]:
    """countrycode's code list: read from its data file (so that importing it does not import pandas)."""
    from .reading import read_package_file

    raw = read_package_file("countrycode", "data/codelist.pickle")
    if raw is not None:
        # The pickle is the installed countrycode package's own data file, as trusted as its code.
        data = pickle.loads(raw)
        if isinstance(data, dict):
            return data
    from countrycode import codelist  # type: ignore[import-untyped]  # the package ships no type hints

    return dict(codelist)


@functools.lru_cache(maxsize=1)
def _table() -> _Table:
    data = _codelist()
    names, cows, letters, iso3s = data["country.name.en"], data["cown"], data["cowc"], data["iso3c"]
    codes: tuple[tuple[str, dict[str, int]], ...] = (("iso3c", {}), ("iso2c", {}), ("cowc", {}))
    rows: list[tuple[str, int | None, str | None, str | None]] = []
    table = _Table({}, codes[0][1], codes[1][1], codes[2][1], {}, rows, [])
    name_columns = [data[c] for c in NAME_COLUMNS if c in data]
    patterns = data["country.name.en.regex"]
    for i, name in enumerate(names):
        if not name or name in NOT_MEMBERS:
            continue
        cow = int(cows[i]) if cows[i] is not None else None
        if cow is None and name in HISTORICAL_NAMES:
            cow = HISTORICAL_NAMES[name]
            row_letters = letters[cows.index(cow)] if cow in cows else None
        else:
            row_letters = letters[i]
        row = len(rows)
        rows.append((name, cow, row_letters, iso3s[i]))
        if cow is not None and cows[i] is not None:
            table.by_cow.setdefault(cow, row)
        for column, index in codes:
            code = data[column][i]
            if code:
                index.setdefault(str(code).upper(), row)
        for values in name_columns:
            if values[i]:
                table.by_name.setdefault(_fold(values[i]), row)
        if patterns[i]:
            table.patterns.append((patterns[i], row))
    for cow, (name, code, aliases) in EXTRA_STATES.items():
        if cow not in table.by_cow:
            rows.append((name, cow, code, None))
            table.by_cow[cow] = len(rows) - 1
            table.by_cow_letters.setdefault(code, len(rows) - 1)
            for alias in (name, *aliases):
                table.by_name[_fold(alias)] = len(rows) - 1
    for name, cow in HISTORICAL_NAMES.items():
        if _fold(name) not in table.by_name and cow in table.by_cow:
            successor = rows[table.by_cow[cow]]
            rows.append((name, cow, successor[2], None))
            table.by_name[_fold(name)] = len(rows) - 1
    for alias, name in ALIASES.items():
        table.by_name.setdefault(alias, table.by_name[_fold(name)])
    return table


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("&", "and").split())


_ORGANISATION_NAMES = {alias: code for code, (_, aliases) in ORGANISATIONS.items() for alias in aliases}


def _state(given: str, table: _Table, row: int) -> Member:
    name, cow, letters, iso3 = table.rows[row]
    return Member(given, name, "state", cow, letters, iso3)


@functools.lru_cache(maxsize=8192)
def normalise(given: str | int) -> Member:
    """What one member, as written, resolves to (cached: each distinct spelling is looked up once)."""
    if isinstance(given, int) and not isinstance(given, bool):
        return _by_cow_code(str(given), given)
    text = " ".join(str(given).split())
    folded = _fold(text)
    code = _ORGANISATION_NAMES.get(folded)
    if code is not None:
        return Member(text, ORGANISATIONS[code][0], "organisation")
    number = COW_FORM.match(text)
    if number:
        return _by_cow_code(text, int(number.group(1)))
    table = _table()
    if LETTERS.match(text):
        upper = text.upper()
        for index in (table.by_iso3, table.by_cow_letters) if len(upper) == 3 else (table.by_iso2,):
            if upper in index:
                return _state(text, table, index[upper])
    if folded in table.by_name:
        return _state(text, table, table.by_name[folded])
    for pattern, row in table.compiled():
        if pattern.search(text):
            return _state(text, table, row)
    return Member(text, text, "unrecognised", suggestion=suggest(text))


def _by_cow_code(given: str, code: int) -> Member:
    table = _table()
    row = table.by_cow.get(code)
    if row is None:
        return Member(given, f"COW {code}", "unrecognised", cow=code)
    return _state(given, table, row)


def name_of_cow_code(code: int) -> str:
    """The member name for a Correlates of War state code (``2`` -> ``United States``), or ``COW 8152``."""
    return normalise(code).name


@functools.lru_cache(maxsize=1)
def _known_names() -> list[str]:
    table = _table()
    names = {row[0] for row in table.rows}
    names.update(name for name, _ in ORGANISATIONS.values())
    return sorted(names)


def suggest(text: str) -> str | None:
    """The known state or organisation name nearest to ``text``, when one is close enough to be a typo."""
    names = _known_names()
    by_fold = {_fold(n): n for n in names}
    match = difflib.get_close_matches(_fold(text), list(by_fold), n=1, cutoff=0.75)
    return by_fold[match[0]] if match else None


def same_member(members: list[str] | tuple[str, ...]) -> tuple[str, str, Member] | None:
    """The first pair of entries that name the same member once normalised (and what they resolve to)."""
    return _same_member(tuple(members))


@functools.lru_cache(maxsize=4096)
def _same_member(members: tuple[str, ...]) -> tuple[str, str, Member] | None:
    """same_member, cached: a batch names the same few member lists again and again."""
    seen: dict[tuple[str, str], str] = {}
    for given in members:
        member = normalise(given)
        if member.key in seen:
            return seen[member.key], given, member
        seen[member.key] = given
    return None


def member_records(members: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """The members as JSON-ready records: as written, the name they resolve to, their kind and codes."""
    return [normalise(given).to_dict() for given in members]


def warnings(members: list[str] | tuple[str, ...]) -> list[tuple[int, Member]]:
    """The members that resolve to no known state or organisation (index, member), kept as written."""
    return [(i, m) for i, m in enumerate(normalise(given) for given in members) if m.kind == "unrecognised"]


def member_problems(members: list[str] | tuple[str, ...], source: str) -> list[Problem]:
    """A warning for each member that resolves to no known state or organisation (it is kept as written)."""
    found = []
    for index, member in warnings(members):
        if member.cow is not None:
            what = f"warning: {member.name} is not in the Correlates of War state list; kept as written"
        else:
            what = (
                f"warning: '{member.given}' is not a state or organisation countrycode knows; kept as written"
            )
        hint = f"did you mean '{member.suggestion}'?" if member.suggestion else None
        found.append(Problem(source, what, field=f"members[{index}]", hint=hint))
    return found
