"""Comparisons (``--compare``): one row per framework for each arrangement, for people and for tools.

COMPARE_RENDERERS mirrors RENDERERS: text (rich, imported only when used), json, jsonl and csv.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..batch import Failure
from ..frameworks import CompareResult, Comparison
from . import RenderOptions, Tally
from .data import write_json_array, write_json_lines


def _tally(tally: Tally, result: CompareResult) -> None:
    if isinstance(result, Failure):
        tally.failed += 1
        return
    tally.classified += 1
    for verdict in result.verdicts:
        tally.labels[f"{verdict.ruleset}: {verdict.label}"] += 1
    if any(verdict.borderline for verdict in result.verdicts):
        tally.borderline += 1


def render_compare_json(results: Iterable[CompareResult], stream: TextIO, options: RenderOptions) -> Tally:
    tally = Tally()
    write_json_array(results, stream, lambda result: _tally(tally, result))
    return tally


def render_compare_jsonl(results: Iterable[CompareResult], stream: TextIO, options: RenderOptions) -> Tally:
    tally = Tally()
    write_json_lines(results, stream, lambda result: _tally(tally, result))
    return tally


CSV_COLUMNS = (
    "source",
    "status",
    "name",
    "framework",
    "label",
    "decisions",
    "borderline",
    "borderline_reasons",
    "possible_labels",
    "member_count",
    "members",
    "rules_hash",
    "error",
)


def csv_rows(result: CompareResult) -> list[dict[str, Any]]:
    """One flat row per framework (decisions as ``name=value; ...``), or one row for a failure."""
    if isinstance(result, Failure):
        return [
            {"source": result.source, "status": "error", "error": "; ".join(str(p) for p in result.problems)}
        ]
    rows = []
    for verdict in result.verdicts:
        decided = "; ".join(
            f"{name}={value}" for name, value in verdict.decisions.items() if value is not None
        )
        rows.append(
            {
                "source": result.source,
                "status": "ok",
                "name": result.name,
                "framework": verdict.ruleset,
                "label": verdict.label,
                "decisions": decided,
                "borderline": "true" if verdict.borderline else "false",
                "borderline_reasons": "; ".join(reason.rule for reason in verdict.borderline),
                "possible_labels": "; ".join(verdict.possible_labels),
                "member_count": len(result.members),
                "members": "; ".join(result.members),
                "rules_hash": verdict.ruleset_hash,
                "error": "",
            }
        )
    return rows


def render_compare_csv(results: Iterable[CompareResult], stream: TextIO, options: RenderOptions) -> Tally:
    tally = Tally()
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    for result in results:
        _tally(tally, result)
        writer.writerows(csv_rows(result))
    return tally


def render_compare_text(results: Iterable[CompareResult], stream: TextIO, options: RenderOptions) -> Tally:
    """A table per arrangement (framework, verdict); for one arrangement, or with --verbose, the why."""
    from rich.text import Text

    from .text import _console, _para, headline, words

    console = _console(stream, options)
    tally = Tally()
    items = iter(results)
    first = next(items, None)
    second = next(items, None) if first is not None else None
    many = second is not None
    for result in _chain(first, second, items):
        _tally(tally, result)
        if isinstance(result, Failure):
            continue
        title = Text(result.name, style="bold")
        if result.short_name:
            title.append(f" ({result.short_name})", style="bold")
        title.append(f"  {result.source}", style="dim")
        console.print(title, soft_wrap=True)
        _para(console, ", ".join(result.members), 0, "dim")
        width = max(len("framework"), *(len(verdict.ruleset) for verdict in result.verdicts))
        console.print(Text("framework".ljust(width) + "  verdict", style="bold"))
        for verdict in result.verdicts:
            console.print(Text(verdict.ruleset.ljust(width) + "  ").append_text(headline(verdict)))
        if not many or options.verbose:
            _why(console, result, _para, words)
        console.print()
        stream.flush()
    if many:
        _summary(console, tally)
    return tally


def _chain(
    first: CompareResult | None, second: CompareResult | None, rest: Iterable[CompareResult]
) -> Iterable[CompareResult]:
    for result in (first, second):
        if result is not None:
            yield result
    yield from rest


def _why(console: Any, result: Comparison, para: Callable[..., None], words: Callable[[str], str]) -> None:
    from rich.text import Text

    for verdict in result.verdicts:
        console.print()
        console.print(Text(f"Why, by {verdict.ruleset}", style="bold underline"))
        for sentence in verdict.justification:
            para(console, sentence, 1)
        for reason in verdict.borderline:
            para(console, reason.because, 4, "", Text(" ⚠  ", style="yellow"))


def _summary(console: Any, tally: Tally) -> None:
    from rich.table import Table

    from .text import words

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("framework: verdict")
    table.add_column("count", justify="right")
    for label, count in sorted(tally.labels.items()):
        table.add_row(words(label), str(count))
    table.add_row("borderline somewhere", str(tally.borderline))
    table.add_row("errors", str(tally.failed), style="red" if tally.failed else None)
    table.add_row("total", str(tally.classified + tally.failed), style="bold")
    console.print(table)


CompareRenderer = Callable[[Iterable[CompareResult], TextIO, RenderOptions], Tally]

COMPARE_RENDERERS: dict[str, CompareRenderer] = {
    "text": render_compare_text,
    "json": render_compare_json,
    "jsonl": render_compare_jsonl,
    "csv": render_compare_csv,
}
