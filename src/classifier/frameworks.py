"""Frameworks: the shipped rule sets, each one scholarly view of what an alliance is, and comparing them.

``--framework NAME`` classifies with one of them; ``--compare`` classifies every arrangement with each and
sets the verdicts side by side, one row per framework.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .batch import Failure, Input, classify_document
from .errors import ClassifierError, InputError, Problem
from .members import member_records
from .reading import Document, read_path, read_stream, walk
from .rules import RuleSet, default_rules_dir, load_ruleset
from .verdict import SCHEMA_VERSION, Verdict

# name (a folder of rules/) -> what it decides; the first is the default
FRAMEWORKS: dict[str, str] = {
    "article": "alliance or strategic partnership, after Kumar (2022): a pledge to fight makes an alliance",
    "atop": "ATOP (Leeds et al. 2002): any written pledge of defence, offence, neutrality, non-aggression or "
    "consultation makes an alliance, described by the pledges it holds",
    "cow": "Correlates of War (Singer and Small; Gibler): Type I defence pact, Type II neutrality or "
    "non-aggression pact, Type III entente, by the strongest pledge",
}


def load_frameworks(names: list[str] | None = None) -> list[RuleSet]:
    """The shipped rule sets of ``names`` (every framework by default), in that order."""
    return [load_ruleset(default_rules_dir(name)) for name in (names or list(FRAMEWORKS))]


@dataclass(frozen=True)
class Comparison:
    """One arrangement seen through several frameworks: one verdict per rule set, in order."""

    source: str
    name: str
    short_name: str | None
    members: tuple[str, ...]
    verdicts: tuple[Verdict, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One row per framework: its label, its other decisions, and its borderline reasons."""
        return [_row(verdict) for verdict in self.verdicts]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "status": "ok",
            "source": self.source,
            "name": self.name,
            "short_name": self.short_name,
            "members": list(self.members),
            "normalised_members": member_records(self.members),
            "frameworks": self.rows(),
        }


def _row(verdict: Verdict) -> dict[str, Any]:
    return {
        "framework": verdict.ruleset,
        "label": verdict.label,
        "decisions": dict(verdict.decisions),
        "borderline": bool(verdict.borderline),
        "borderline_reasons": [reason.to_dict() for reason in verdict.borderline],
        "possible_labels": list(verdict.possible_labels),
        "justification": list(verdict.justification),
        "rules": {"name": verdict.ruleset, "hash": verdict.ruleset_hash},
        "citation": verdict.citation,
    }


CompareResult = Comparison | Failure


def compare_document(document: Document, rulesets: list[RuleSet]) -> CompareResult:
    """One document classified by every rule set, or the failure naming its problems.

    Each goes through batch.classify_document, so the options of the run (``--set``, ...) apply to every one.
    """
    verdicts = []
    for ruleset in rulesets:
        result = classify_document(document, ruleset)
        if isinstance(result, Failure):
            return result
        verdicts.append(result)
    first = verdicts[0]
    return Comparison(first.source, first.name, first.short_name, first.members, tuple(verdicts))


def _documents(path: str, input_format: str) -> Iterator[Document]:
    from .atop import atop_documents, is_atop

    if is_atop(path, input_format):
        yield from atop_documents(path)
    elif path == "-":
        yield from read_stream(sys.stdin.buffer)
    else:
        yield from list(read_path(path))


def compare_inputs(
    paths: list[str],
    rulesets: list[RuleSet],
    input_format: str = "auto",
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Iterator[CompareResult]:
    """Every document of every input (files, folders, ``-``, ATOP files) compared across ``rulesets``."""
    return compare_walked(walk(paths, include, exclude), rulesets, input_format)


def compare_walked(
    items: Iterable[Input], rulesets: list[RuleSet], input_format: str = "auto"
) -> Iterator[CompareResult]:
    """Like ``compare_inputs``, for inputs already walked (see ``reading.walk``)."""
    for item in items:
        if isinstance(item, ClassifierError):
            yield Failure(item.path, tuple(item.problems))
            continue
        try:
            for document in _documents(item, input_format):
                yield compare_document(document, rulesets)
        except InputError as exc:
            yield Failure(exc.path, tuple(exc.problems))
        except OSError as exc:  # standard input could not be read
            source = "<stdin>" if item == "-" else item
            yield Failure(source, (Problem(source, (exc.strerror or str(exc)).lower()),))
