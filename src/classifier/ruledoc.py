"""Rules in words: the list of a rule set, one rule explained, and the Markdown page of every rule.

Plain text and Markdown, built from the RuleSet alone (the examples a rule fires on are given to
``explain``), so what the page says is what the engine runs.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from typing import Any

from .logic import describe
from .rules import DEFAULT_FRAMEWORK, Decision, Rule, RuleSet

WIDTH = 100


def effect(rule: Rule, decision: Decision | None = None) -> str:
    """What a rule gives when it is met: ``label: alliance``, or ``borderline`` for a flag."""
    if decision is not None and decision.collect:
        return rule.decision
    return f"{rule.decision}: {rule.value}"


def _decision(ruleset: RuleSet, rule: Rule) -> Decision:
    return ruleset.decision(rule.decision)


def rule_record(ruleset: RuleSet, rule: Rule) -> dict[str, Any]:
    """One rule as JSON: what ``classifier rules list --format json`` gives for it."""
    return {
        "id": rule.id,
        "title": rule.title,
        "decides": rule.decision,
        "gives": rule.value,
        "effect": effect(rule, _decision(ruleset, rule)),
        "priority": rule.priority,
        "criterion": rule.criterion,
        "when": rule.when.to_data(),
        "citation": rule.source,
        "file": rule.file,
        "examples": {kind: [e.written for e in rule.examples if e.kind == kind] for kind in ("hit", "miss")},
    }


def ruleset_record(ruleset: RuleSet) -> dict[str, Any]:
    """The rule set as JSON: its name, hash, title, citation, and every rule in the order they are tried."""
    return {
        "name": ruleset.name,
        "hash": ruleset.hash,
        "title": ruleset.title,
        "citation": ruleset.source,
        "rules": [rule_record(ruleset, rule) for rule in ruleset.ranked],
    }


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    ]


def list_text(ruleset: RuleSet) -> str:
    """Every rule, one a line, in the order tried: id, effect, priority and title; then the citation."""
    rows: list[list[str]] = [["RULE", "EFFECT", "PRIORITY", "TITLE"]]
    for rule in ruleset.ranked:
        decision = _decision(ruleset, rule)
        priority = "" if decision.collect else str(rule.priority)
        rows.append([rule.id, effect(rule, decision), priority, rule.title])
    lines = [f"{ruleset.name} ({ruleset.hash}): {ruleset.title}", "", *_table(rows), ""]
    others = [r for r in ruleset.ranked if r.source != ruleset.source]
    lines += textwrap.wrap("Citation: " + ruleset.source, WIDTH, subsequent_indent="  ")
    for rule in others:
        lines += textwrap.wrap(f"{rule.id} cites: {rule.source}", WIDTH, subsequent_indent="  ")
    return "\n".join(lines) + "\n"


def _field(label: str, text: str) -> list[str]:
    pad = " " * 11
    lines = textwrap.wrap(
        text, WIDTH, initial_indent=f"{label:<11}", subsequent_indent=pad, break_on_hyphens=False
    )
    return lines or [label]


def _applies(decision: Decision) -> str:
    if decision.collect:
        return "Every rule met raises its flag"
    where = f", only when the label is {' or '.join(decision.when_label)}" if decision.when_label else ""
    otherwise = (
        f"; if none is: {decision.otherwise}" if decision.otherwise else "; if none is, it stays empty"
    )
    return f"The first rule met decides it{where}{otherwise}"


def explain_text(ruleset: RuleSet, rule: Rule, fired: dict[str, list[str]] | None = None) -> str:
    """One rule in full: criterion, condition, effect, citation, examples, and where it fires (``fired``)."""
    decision = _decision(ruleset, rule)
    ranked = ruleset.rules_for(rule.decision)
    place = "" if decision.collect else f", tried {ranked.index(rule) + 1} of {len(ranked)}"
    lines = [rule.id, *textwrap.wrap(rule.title, WIDTH), ""]
    lines += _field("Criterion", rule.criterion)
    lines += [
        "When       " + line if i == 0 else " " * 11 + line for i, line in enumerate(describe(rule.when))
    ]
    priority = "" if decision.collect else f" (priority {rule.priority}{place})"
    lines += _field("Gives", effect(rule, decision) + priority + ". " + _applies(decision) + ".")
    lines += _field("Because", rule.because)
    if rule.otherwise:
        lines += _field("Otherwise", rule.otherwise)
    lines += _field("Source", rule.source)
    lines += _field("File", f"{rule.file}:{rule.line}")
    for kind, label in (("hit", "Met on"), ("miss", "Not met on")):
        written = [e.written for e in rule.examples if e.kind == kind]
        lines += _field(label, ", ".join(written) if written else "(no example)")
    if fired is not None:
        total = sum(len(v) for v in fired.values())
        lines += [""]
        lines += _field("Fires on", _names(fired["met"], total))
        if fired["unknown"]:
            lines += _field("Unknown on", _names(fired["unknown"], total))
    return "\n".join(lines) + "\n"


def _names(sources: list[str], total: int) -> str:
    names = [
        os.path.splitext(os.path.basename(s.split("#")[0]))[0] + ("#" + s.split("#")[1] if "#" in s else "")
        for s in sources
    ]
    return f"{len(names)} of {total} shipped examples" + (": " + ", ".join(names) if names else "")


# --- the Markdown page -------------------------------------------------------------------------------

GENERATED = "<!-- Generated from {folder} by `{command}`: edit the rule files, then run that command. -->"


def _link(path: str, base: str) -> str:
    return os.path.relpath(path, base).replace(os.sep, "/")


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(ruleset: RuleSet, output: str = "-") -> str:
    """The page of every rule, to be written to ``output`` (``-``: standard output); links are relative to it.

    The page names the command that makes it again, so the test that keeps it in sync can say what to run.
    """
    base = (os.path.dirname(output) or ".") if output != "-" else "."
    source = _link(ruleset.folder.split(os.pathsep)[0], ".")
    folder = _link(source, base)
    command = f"classifier rules doc {source}" + (f" -o {output}" if output != "-" else "")
    out = [
        f"# The rules of `{ruleset.name}`",
        "",
        GENERATED.format(folder=source, command=command),
        "",
        f"**{ruleset.title}.** Every rule paraphrases a criterion of {ruleset.source}.",
        "",
        f'The rules are the files in [`{folder}`]({folder}); the README\'s "How a rule reads" says how',
        "they are read and how to change them. `classifier rules explain ID` shows one rule and the examples",
        "it fires on.",
        "",
        "## What the rule set decides",
        "",
        "| decision | values | how |",
        "|---|---|---|",
    ]
    for decision in ruleset.decisions:
        values = ", ".join(decision.values) if decision.values else "flags"
        out.append(f"| `{decision.name}` | {values} | {_md(decision.doc)} {_md(_applies(decision))}. |")
    out += [
        "",
        "## Rules, in the order they are tried",
        "",
        "| rule | gives | priority | title |",
        "|---|---|---|---|",
    ]
    for rule in ruleset.ranked:
        decision = _decision(ruleset, rule)
        priority = "" if decision.collect else str(rule.priority)
        out.append(
            f"| [`{rule.id}`](#{rule.id}) | {effect(rule, decision)} | {priority} | {_md(rule.title)} |"
        )
    for rule in ruleset.ranked:
        decision = _decision(ruleset, rule)
        out += ["", f"### {rule.id}", "", f"**{rule.title}**", "", *textwrap.wrap(rule.criterion, WIDTH), ""]
        out += ["```text", *describe(rule.when), "```", ""]
        priority = "" if decision.collect else f" (priority {rule.priority})"
        out.append(f"- **Gives:** {effect(rule, decision)}{priority}")
        out.append(f"- **Because:** {rule.because}")
        if rule.otherwise:
            out.append(f"- **Otherwise:** {rule.otherwise}")
        if rule.source != ruleset.source:
            out.append(f"- **Source:** {rule.source}")
        for kind, label in (("hit", "Met on"), ("miss", "Not met on")):
            examples = [e for e in rule.examples if e.kind == kind]
            if examples:
                links = ", ".join(f"[{_stem(e.path)}]({_link(e.path, base)})" for e in examples)
                out.append(f"- **{label}:** {links}")
        out.append(f"- **File:** [{_link(rule.file, '.')}]({_link(rule.file, base)})")
    return "\n".join(out) + "\n"


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def page_of(name: str) -> str:
    """Where the page of a shipped rule set is kept: docs/rules.md for the default one, else rules-NAME.md."""
    return "docs/rules.md" if name == DEFAULT_FRAMEWORK else f"docs/rules-{name}.md"
