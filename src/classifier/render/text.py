"""Human output with rich: one verdict in full, or a batch as compact lines and a summary table."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..arrangement import FACTS
from ..batch import Failure, Result
from ..verdict import Verdict
from . import RenderOptions, Tally

MARKS = {"met": ("✓", "green"), "not_met": ("✗", "red"), "unknown": ("?", "yellow"), "not_applicable": ("–", "dim")}
LABEL_STYLE = {"alliance": "bold red", "strategic_partnership": "bold cyan", "neither": "bold", "indeterminate": "bold yellow"}


def _console(stream: TextIO, options: RenderOptions) -> Console:
    color = options.color
    if color is None:
        color = stream.isatty() and "NO_COLOR" not in os.environ
    return Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        width=None if color else 100,
        soft_wrap=False,
    )


def _para(console: Console, text: str, indent: int, style: str = "", first: Text | None = None) -> None:
    """Print ``text`` wrapped to the console with a hanging indent, and no trailing spaces."""
    width = max(40, console.width) - indent
    lines = textwrap.wrap(text, width=width, break_on_hyphens=False, break_long_words=False) or [""]
    for number, line in enumerate(lines):
        lead = first if (number == 0 and first is not None) else Text(" " * indent)
        console.print(Text.assemble(lead, Text(line, style=style)), no_wrap=True, overflow="ignore", crop=False)


def words(value: str) -> str:
    return value.replace("_", " ")


def headline(verdict: Verdict) -> Text:
    """``alliance: multilateral, defensive, formal`` and a borderline mark."""
    text = Text(words(verdict.label), style=LABEL_STYLE.get(verdict.label, "bold"))
    subtypes = [str(v) for v in verdict.decisions.values() if v]
    if subtypes:
        text.append(": " + ", ".join(words(s) for s in subtypes))
    if verdict.label == "indeterminate":
        text.append(" (" + " or ".join(words(p) for p in verdict.possible_labels) + ")")
    if verdict.borderline:
        text.append("  ⚠ borderline", style="yellow")
    return text


def _fact(name: str, value: object) -> str:
    if value is None:
        return "unknown" if FACTS[name][0] in ("tri", "enum") else "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def render_verdict(console: Console, verdict: Verdict, options: RenderOptions) -> None:
    title = Text(verdict.name, style="bold")
    if verdict.short_name:
        title.append(f" ({verdict.short_name})", style="bold")
    if verdict.source:
        title.append(f"  {verdict.source}", style="dim")
    console.print(title)
    console.print(headline(verdict))
    console.print(Text(", ".join(verdict.members), style="dim"))
    console.print()
    console.print(Text("Criteria", style="bold underline"))
    for criterion in verdict.criteria:
        if criterion.decision == "borderline" and criterion.status != "met" and not options.verbose:
            continue
        mark, style = MARKS[criterion.status]
        title = criterion.title
        if criterion.status == "not_applicable":
            title += f" (for {words(criterion.decision)}: applies to alliances only)"
        _para(console, title, 4, "dim" if criterion.status == "not_applicable" else "", Text(f" {mark}  ", style=style))
        if criterion.status != "not_applicable":
            facts = " · ".join(f"{k} = {_fact(k, v)}" for k, v in criterion.facts.items())
            _para(console, facts, 6, "dim")
    if verdict.borderline:
        console.print()
        console.print(Text("Borderline", style="bold underline"))
        for reason in verdict.borderline:
            _para(console, reason.title, 4, "bold", Text(" ⚠  ", style="yellow"))
            _para(console, reason.because, 4)
    if verdict.unknowns:
        console.print()
        console.print(Text("What the unknown facts would decide", style="bold underline"))
        for unknown in verdict.unknowns:
            console.print(
                f" ?  {escape(unknown.field)}: {words(unknown.if_present)} if present, "
                f"{words(unknown.if_absent)} if absent"
            )
    console.print()
    console.print(Text("Why", style="bold underline"))
    for sentence in verdict.justification:
        _para(console, sentence, 1)
    console.print()
    _para(console, f"Rules: {verdict.ruleset} ({verdict.ruleset_hash}), after {verdict.citation}", 0, "dim")


def render_line(console: Console, verdict: Verdict) -> None:
    line = Text(verdict.source or verdict.name, style="bold")
    line.append("  ")
    line.append_text(headline(verdict))
    console.print(line)


def render_summary(console: Console, tally: Tally) -> None:
    table = Table(title=None, show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("verdict")
    table.add_column("count", justify="right")
    for label, count in sorted(tally.labels.items()):
        table.add_row(words(label), str(count))
    for subtype, count in sorted(tally.subtypes.items()):
        table.add_row("  " + words(subtype), str(count))
    table.add_row("borderline", str(tally.borderline))
    table.add_row("errors", str(tally.failed), style="red" if tally.failed else None)
    table.add_row("total", str(tally.classified + tally.failed), style="bold")
    console.print()
    console.print(table)


def render(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    """One input in full; several as one line each (in full with --verbose) and a summary table."""
    console = _console(stream, options)
    tally = Tally()
    iterator = iter(results)
    first = next(iterator, None)
    if first is None:
        render_summary(console, tally)
        return tally
    second = next(iterator, None)
    if second is None:
        tally.add(first)
        if isinstance(first, Verdict):
            render_verdict(console, first, options)
        return tally
    for result in _chain(first, second, iterator):
        tally.add(result)
        if isinstance(result, Failure):
            continue
        if options.verbose:
            render_verdict(console, result, options)
            console.rule(style="dim")
        else:
            render_line(console, result)
        stream.flush()
    render_summary(console, tally)
    return tally


def _chain(first: Result, second: Result, rest: Iterable[Result]) -> Iterable[Result]:
    yield first
    yield second
    yield from rest
