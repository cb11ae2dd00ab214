"""Human output with rich: one verdict in full, or a batch as compact lines and a summary table."""

from __future__ import annotations

import os
import shlex
import textwrap
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..alignment import SCALE
from ..arrangement import FACTS
from ..batch import Failure, Result
from ..counterfactual import flow, set_argument
from ..verdict import Change, Verdict, WhatIf
from . import RenderOptions, Tally

MARKS = {
    "met": ("✓", "green"),
    "not_met": ("✗", "red"),
    "unknown": ("?", "yellow"),
    "not_applicable": ("\u2013", "dim"),
}
LABEL_STYLE = {
    "alliance": "bold red",
    "strategic_partnership": "bold cyan",
    "neither": "bold",
    "indeterminate": "bold yellow",
}


class _Console(Console):
    """Rich's console, except that a reader who has gone (``| head``) surfaces as BrokenPipeError, which the
    CLI ends quietly on as it does for every format, rather than as rich's own exit with status 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def _console(stream: TextIO, options: RenderOptions) -> Console:
    color = options.color
    if color is None:
        color = stream.isatty() and "NO_COLOR" not in os.environ
    return _Console(
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
        console.print(
            Text.assemble(lead, Text(line, style=style)), no_wrap=True, overflow="ignore", crop=False
        )


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
    if verdict.alignment:
        rank, name = verdict.alignment.rank, words(verdict.alignment.name)
        console.print(Text(f"alignment {rank} of {len(SCALE)}: {name}", style="dim"))
    console.print()
    console.print(Text("Criteria", style="bold underline"))
    for criterion in verdict.criteria:
        if criterion.decision == "borderline" and criterion.status != "met" and not options.verbose:
            continue
        mark, style = MARKS[criterion.status]
        line = criterion.title
        if criterion.status == "not_applicable":
            line += f" (for {words(criterion.decision)}: applies to alliances only)"
        _para(
            console,
            line,
            4,
            "dim" if criterion.status == "not_applicable" else "",
            Text(f" {mark}  ", style=style),
        )
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
    if verdict.what_would_change and not options.brief:
        console.print()
        console.print(Text("What would change the verdict", style="bold underline"))
        render_what_ifs(console, verdict)
    console.print()
    _para(console, f"Rules: {verdict.ruleset} ({verdict.ruleset_hash}), after {verdict.citation}", 0, "dim")


WHAT_IFS_SHOWN = 3  # change sets shown per verdict they lead to; JSON lists every one


def _change_text(change: Change) -> str:
    """``obligations.mutual_defence were true (now false)``; a list change says what it adds or drops."""
    before, after = change.before, change.after
    if isinstance(before, list) and isinstance(after, list):
        added = [item for item in after if item not in before]
        dropped = [item for item in before if item not in after]
        parts = [f"added {', '.join(added)}"] * bool(added) + [f"dropped {', '.join(dropped)}"] * bool(
            dropped
        )
        return f"{change.field} {' and '.join(parts)}"
    now = "unknown" if before is None else flow(before)
    return f"{change.field} were {flow(after)} (now {now})"


def render_what_ifs(console: Console, verdict: Verdict) -> None:
    """Each other verdict within reach, with the smallest sets of changes that lead to it (a few of each)."""
    grouped: dict[tuple[object, ...], list[WhatIf]] = {}
    for what_if in verdict.what_would_change or ():
        grouped.setdefault((what_if.label, *what_if.decisions.values()), []).append(what_if)
    for ways in grouped.values():
        label = Text(words(ways[0].label), style=LABEL_STYLE.get(ways[0].label, "bold"))
        subtypes = [words(str(v)) for v in ways[0].decisions.values() if v]
        label.append(": " + ", ".join(subtypes) if subtypes else "")
        console.print(Text.assemble(Text(" →  "), label))
        for number, way in enumerate(ways[:WHAT_IFS_SHOWN]):
            lead = "if " if number == 0 else "or if "
            _para(console, lead + " and ".join(_change_text(c) for c in way.changes), 6)
        if len(ways) > WHAT_IFS_SHOWN:
            more = len(ways) - WHAT_IFS_SHOWN
            _para(console, f"or {more} other way{'s' * (more > 1)} (--format json lists them all)", 6, "dim")
    first = verdict.what_would_change[0] if verdict.what_would_change else None
    if first and verdict.source and not verdict.source.startswith("<"):
        flags = " ".join(f"--set {shlex.quote(set_argument(c))}" for c in first.changes)
        _para(console, f"Try one: classify {verdict.source.split('#')[0]} {flags}", 1, "dim")


def render_line(console: Console, result: Result) -> None:
    """One compact line: the source and the verdict, or the count of problems (listed on stderr)."""
    line = Text(result.source or getattr(result, "name", ""), style="bold")
    line.append("  ")
    if isinstance(result, Failure):
        count = len(result.problems)
        line.append(f"✗ not classified: {count} problem{'s' if count != 1 else ''}", style="bold red")
    else:
        line.append_text(headline(result))
    console.print(line, no_wrap=True, overflow="ignore", crop=False)


def render_summary(console: Console, tally: Tally) -> None:
    table = Table(title=None, show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("verdict")
    table.add_column("count", justify="right")
    for label, count in tally.label_counts():
        table.add_row(words(label), str(count))
    for name, value, count in tally.subtype_counts():
        table.add_row(f"  {words(name)}: {words(value)}", str(count))
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
        if options.verbose and isinstance(result, Verdict):
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
