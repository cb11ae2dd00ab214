"""Renderers: each a function ``(results, stream, options) -> Tally`` that writes as results arrive.

RENDERERS is the registry the CLI reads its ``--format`` choices from: adding a format is one entry here.
Only the text renderer imports rich, and only when it is used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..batch import Failure, Result
from ..verdict import Verdict


@dataclass
class RenderOptions:
    verbose: bool = False
    brief: bool = False
    color: bool | None = None  # None: only on a terminal, and never with NO_COLOR


LABEL_ORDER = ("alliance", "strategic_partnership", "neither", "indeterminate")


@dataclass
class Tally:
    """What a renderer saw: counts for the summary and the exit code, never the results themselves."""

    classified: int = 0
    failed: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    subtypes: dict[str, Counter[str]] = field(default_factory=dict)  # decision -> value -> count
    borderline: int = 0

    def add(self, result: Result) -> None:
        if isinstance(result, Failure):
            self.failed += 1
            return
        self.classified += 1
        self.labels[result.label] += 1
        for name, value in result.decisions.items():
            if value is not None:
                self.subtypes.setdefault(name, Counter())[str(value)] += 1
        if result.borderline:
            self.borderline += 1

    def label_counts(self) -> list[tuple[str, int]]:
        """Counts by label: the article's labels in their usual order, then any others by name."""
        rank = {label: number for number, label in enumerate(LABEL_ORDER)}
        return sorted(self.labels.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))

    def subtype_counts(self) -> list[tuple[str, str, int]]:
        """Counts by subtype value, decision by decision in the rule set's order, values by name."""
        return [
            (name, value, count[value]) for name, count in self.subtypes.items() for value in sorted(count)
        ]


Renderer = Callable[[Iterable[Result], TextIO, RenderOptions], Tally]


def render_text(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    from .text import render

    return render(results, stream, options)


def render_json(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    from .data import render_json as render

    return render(results, stream, options)


def render_jsonl(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    from .data import render_jsonl as render

    return render(results, stream, options)


def render_csv(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    from .data import render_csv as render

    return render(results, stream, options)


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
}

__all__ = ["RENDERERS", "RenderOptions", "Renderer", "Tally", "Verdict"]


def as_dict(result: Result) -> dict[str, Any]:
    return result.to_dict()
