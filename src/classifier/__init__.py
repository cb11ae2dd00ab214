"""classify: tell an alliance from a strategic partnership, criterion by criterion, with rules kept as data.

The public API::

    from classifier import load_ruleset, read_arrangements, classify
    rules = load_ruleset()
    for arrangement in read_arrangements("examples/quad.yaml"):
        print(classify(arrangement, rules).label)
"""

from __future__ import annotations

from collections.abc import Iterator

from .arrangement import Arrangement, Fact, parse_arrangement
from .batch import Failure, classify_file, classify_inputs
from .engine import classify
from .errors import ClassifierError, InputError, Problem, RuleError
from .reading import read_path
from .rules import Rule, RuleSet, load_ruleset
from .verdict import Verdict


def read_arrangements(path: str) -> Iterator[Arrangement]:
    """Every arrangement in one file (several for a multi-document YAML file); raise InputError if invalid."""
    for document in read_path(path):
        yield parse_arrangement(document)


__all__ = [
    "Arrangement",
    "ClassifierError",
    "Fact",
    "Failure",
    "InputError",
    "Problem",
    "Rule",
    "RuleError",
    "RuleSet",
    "Verdict",
    "classify",
    "classify_file",
    "classify_inputs",
    "load_ruleset",
    "read_arrangements",
]
