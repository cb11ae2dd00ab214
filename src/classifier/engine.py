"""classify(arrangement, ruleset) -> Verdict. Pure: it takes values, returns values, and never prints.

Each rule is evaluated on the facts in Kleene logic for the criteria; the label and subtypes come from the
rule set's compiled plan (classifier.counterfactual), which fills in unknown facts every way and memoises
verdicts by the truth of the rules' predicates, so the verdict and its what-ifs are decided the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .alignment import align
from .arrangement import FACTS, Arrangement, facts_of
from .counterfactual import MAX_ENUMERATED_UNKNOWNS, plan_for, what_would_change
from .logic import Condition, Tri
from .members import member_problems, member_records
from .rules import Rule, RuleSet
from .verdict import Criterion, Reason, Unknown, Verdict

STATUS = {True: "met", False: "not_met", None: "unknown"}


@dataclass(frozen=True)
class ClassifyOptions:
    """How documents are classified in a run: ``--set`` changes to each document's data before validation,
    and whether to search what would change each verdict (a search costs about as much again as the rest
    of classifying a file, so the CLI skips it when nothing shows it: ``--brief``, CSV, batch lines)."""

    changes: tuple[tuple[str, Any], ...] = ()
    what_if: bool = True


DEFAULT_OPTIONS = ClassifyOptions()
_options = DEFAULT_OPTIONS


def current_options() -> ClassifyOptions:
    """The options in force (the defaults, unless a ``use_options`` block is running)."""
    return _options


def set_options(options: ClassifyOptions) -> ClassifyOptions:
    """Put ``options`` in force for this process (and workers it forks); return the ones they replace."""
    global _options
    saved, _options = _options, options
    return saved


@contextlib.contextmanager
def use_options(options: ClassifyOptions) -> Iterator[ClassifyOptions]:
    """Classify with ``options`` inside a ``with`` block (the CLI's ``--set`` and ``--brief``)."""
    saved = set_options(options)
    try:
        yield options
    finally:
        set_options(saved)


def _decide(ruleset: RuleSet, facts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Tri]]:
    """Every decision's value for facts that are all known (or Kleene-evaluated), and each rule's outcome."""
    outcome: dict[str, Tri] = {}
    values: dict[str, Any] = {}
    for decision in ruleset.decisions:
        rules = ruleset.rules_for(decision.name)
        if decision.when_label and values.get("label") not in decision.when_label:
            values[decision.name] = [] if decision.collect else None
            continue
        if decision.collect:
            flags = []
            for rule in rules:
                outcome[rule.id] = result = rule.when.evaluate(facts)
                if result is True:
                    flags.append(rule.id)
            values[decision.name] = flags
            continue
        possible: list[Any] = []
        for rule in rules:
            outcome[rule.id] = result = rule.when.evaluate(facts)
            if result is None and rule.value not in possible:
                possible.append(rule.value)
            if result is True:
                if rule.value not in possible:
                    possible.append(rule.value)
                break
        else:
            if decision.otherwise not in possible:
                possible.append(decision.otherwise)
        values[decision.name] = possible[0] if len(possible) == 1 else "unknown"
    return values, outcome


def classify(
    arrangement: Arrangement, ruleset: RuleSet, source: str = "", what_if: bool | None = None
) -> Verdict:
    """Decide what ``arrangement`` is under ``ruleset``, criterion by criterion, and say why.

    With ``what_if`` the verdict also lists the smallest sets of fact changes that would give another label
    or subtype (see classifier.counterfactual); by default it does unless ``use_options`` says otherwise.
    """
    if what_if is None:
        what_if = _options.what_if
    facts = facts_of(arrangement)
    _, outcome = _decide(ruleset, facts)
    plan = plan_for(ruleset)
    state = plan.state_of(facts)
    verdict = plan.outcome(state)
    values: dict[str, Any] = {
        "label": verdict.label,
        **dict(zip(plan.subtype_names, verdict.subtypes, strict=True)),
    }
    unknowns: list[Unknown] = []
    unknown = plan.unknown_fields(state)
    if len(unknown) <= MAX_ENUMERATED_UNKNOWNS:
        for name in unknown:
            if FACTS[name][0] != "tri":
                continue
            present = plan.outcome(plan.with_fact(state, name, True)).label
            absent = plan.outcome(plan.with_fact(state, name, False)).label
            if present != absent:
                unknowns.append(Unknown(name, present, absent))

    criteria: list[Criterion] = []
    justification: list[str] = []
    flags: list[Reason] = []
    for decision in ruleset.decisions:
        decided = False
        for rule in ruleset.rules_for(decision.name):
            result = outcome.get(rule.id, "n/a")
            status = "not_applicable" if result == "n/a" else STATUS[result]  # type: ignore[index]
            read = {name: facts[name] for name in _fields_read(rule.when)}
            criteria.append(Criterion(rule.id, rule.title, decision.name, rule.value, status, read))
            if decision.collect:
                if result is True:
                    flags.append(Reason(rule.id, rule.title, rule.because))
                continue
            if decided or status == "not_applicable":
                continue
            if result is True:
                justification.append(rule.because)
                decided = True
            elif result is False and decision.name == "label" and rule.otherwise:
                justification.append(rule.otherwise)
            elif result is None:
                justification.append(_open_sentence(rule))
        if (
            not decided
            and not decision.collect
            and decision.otherwise_because
            and values.get(decision.name) == decision.otherwise
        ):
            justification.append(decision.otherwise_because)

    return Verdict(
        source=source,
        name=arrangement.name,
        short_name=arrangement.short_name,
        members=tuple(arrangement.members),
        label=values["label"],
        decisions={
            d.name: values.get(d.name) for d in ruleset.decisions if d.name != "label" and not d.collect
        },
        borderline=tuple(flags),
        criteria=tuple(criteria),
        justification=tuple(justification),
        unknowns=tuple(unknowns),
        possible_labels=verdict.possible,
        ruleset=ruleset.name,
        ruleset_hash=ruleset.hash,
        citation=ruleset.source,
        alignment=align(verdict.label, values, verdict.possible, facts),
        what_would_change=what_would_change(plan, arrangement, facts, state) if what_if else None,
        extra={"normalised_members": member_records(arrangement.members)},
        warnings=tuple(member_problems(arrangement.members, source)),
    )


_FIELDS_READ: dict[int, tuple[Condition, tuple[str, ...]]] = {}
FIELDS_READ_KEPT = 4096  # conditions whose fields are kept (a rule set has a few dozen)


def _fields_read(condition: Condition) -> tuple[str, ...]:
    """The facts a condition reads, once each, in order: worked out once per condition, not once per file."""
    known = _FIELDS_READ.get(id(condition))
    if known is not None and known[0] is condition:
        return known[1]
    if len(_FIELDS_READ) >= FIELDS_READ_KEPT:
        _FIELDS_READ.clear()
    fields = tuple(dict.fromkeys(condition.fields()))
    _FIELDS_READ[id(condition)] = (condition, fields)
    return fields


def _open_sentence(rule: Rule) -> str:
    title = rule.title[0].lower() + rule.title[1:]
    return f"Open: {title} — it cannot be settled while a fact it reads is unknown."
