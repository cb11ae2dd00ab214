"""One root for every error the tool reports, and one message shape: ``where: what (hint)``.

Each error carries its evidence as attributes (path, line, column, field, suggestion), not only as text, so
renderers can place it and tests can assert on it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The nearest of ``choices`` to ``word``, if any is close enough to be a likely typo."""
    word = str(word)
    if len(word) > 100:  # no name is that long, and difflib's work grows with it
        return None
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint like ``did you mean 'members'?``, or None when nothing is close."""
    match = suggest(word, choices)
    return f"did you mean '{match}'?" if match else None


def shorten(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, so a hostile value cannot flood a message."""
    return text if len(text) <= width else text[: width - 1] + "\u2026"


# Control characters (and the lone surrogates that stand for undecodable bytes in file names) would break the
# one-problem-per-line output or drive the terminal: each is shown as an escape instead.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})
_ESCAPES.update({code: f"\\x{code - 0xDC00:02x}" for code in range(0xDC80, 0xDD00)})


def printable(text: str) -> str:
    """``text`` safe to print on one line: control characters and undecodable bytes as escapes."""
    return text.translate(_ESCAPES)


@dataclass(frozen=True)
class Problem:
    """One located problem in one input: ``path:line:col: field: what (hint)``."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None

    @property
    def where(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        text = f"{self.where}: "
        if self.field:
            text += f"{shorten(self.field, 100)}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


class ClassifierError(Exception):
    """The root of every error this tool raises on purpose; it holds one or more located problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def path(self) -> str:
        return self.problems[0].path


class InputError(ClassifierError):
    """An input (arrangement file, stdin) could not be read or is not a valid arrangement."""


class RuleError(ClassifierError):
    """A rule file could not be loaded or does not check against the arrangement model."""
