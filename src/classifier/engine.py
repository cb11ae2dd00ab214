"""classify(arrangement, ruleset) -> Verdict. Pure: it takes values, returns values, and never prints."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from .arrangement import FACTS, Arrangement, facts_of
from .logic import Tri
from .rules import Rule, RuleSet
from .verdict import Criterion, Reason, Unknown, Verdict

STATUS = {True: "met", False: "not_met", None: "unknown"}
MAX_ENUMERATED_UNKNOWNS = 10  # 2**10 completions at most; past that the engine reports the label as open


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


def _unknown_fields(ruleset: RuleSet, facts: Mapping[str, Any]) -> list[str]:
    return [name for name in ruleset.fields if FACTS[name][0] in ("tri", "enum") and facts[name] is None]


def _completions(ruleset: RuleSet, facts: Mapping[str, Any], unknown: list[str]) -> list[dict[str, Any]]:
    """Each decision set the arrangement could have, one per way of filling in the unknown facts."""
    choices: list[list[Any]] = []
    for name in unknown:
        kind, vocabulary = FACTS[name]
        choices.append([True, False] if kind == "tri" else list(vocabulary))
    results = []
    for combination in itertools.product(*choices):
        filled = dict(facts)
        filled.update(zip(unknown, combination))
        results.append(_decide(ruleset, filled)[0])
    return results


def _label_of(results: list[dict[str, Any]]) -> str:
    labels = {r["label"] for r in results}
    return labels.pop() if len(labels) == 1 else "indeterminate"


def classify(arrangement: Arrangement, ruleset: RuleSet, source: str = "") -> Verdict:
    """Decide what ``arrangement`` is under ``ruleset``, criterion by criterion, and say why."""
    facts = facts_of(arrangement)
    values, outcome = _decide(ruleset, facts)
    unknown = _unknown_fields(ruleset, facts)
    unknowns: list[Unknown] = []
    possible_labels = [values["label"]]
    if unknown and len(unknown) <= MAX_ENUMERATED_UNKNOWNS:
        results = _completions(ruleset, facts, unknown)
        possible_labels = sorted({r["label"] for r in results})
        label = _label_of(results)
        values = dict(values)
        values["label"] = label
        for decision in ruleset.decisions:
            if decision.name == "label" or decision.collect:
                continue
            if label == "indeterminate" or (decision.when_label and label not in decision.when_label):
                values[decision.name] = None
                continue
            options = {r[decision.name] for r in results}
            values[decision.name] = options.pop() if len(options) == 1 else "unknown"
        for name in unknown:
            kind = FACTS[name][0]
            if kind != "tri":
                continue
            rest = [u for u in unknown if u != name]
            branch = {}
            for value in (True, False):
                filled = dict(facts)
                filled[name] = value
                branch[value] = _label_of(_completions(ruleset, filled, rest))
            if branch[True] != branch[False]:
                unknowns.append(Unknown(name, branch[True], branch[False]))
    elif values["label"] == "unknown":
        values["label"] = "indeterminate"

    criteria: list[Criterion] = []
    justification: list[str] = []
    flags: list[Reason] = []
    for decision in ruleset.decisions:
        decided = False
        for rule in ruleset.rules_for(decision.name):
            result = outcome.get(rule.id, "n/a")
            status = "not_applicable" if result == "n/a" else STATUS[result]  # type: ignore[index]
            read = {name: facts[name] for name in dict.fromkeys(rule.when.fields())}
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
        decisions={d.name: values.get(d.name) for d in ruleset.decisions if d.name != "label" and not d.collect},
        borderline=tuple(flags),
        criteria=tuple(criteria),
        justification=tuple(justification),
        unknowns=tuple(unknowns),
        possible_labels=tuple(possible_labels),
        ruleset=ruleset.name,
        ruleset_hash=ruleset.hash,
        citation=ruleset.source,
    )


def _open_sentence(rule: Rule) -> str:
    return f"Open: {rule.title[0].lower()}{rule.title[1:]} — it cannot be settled while a fact it reads is unknown."
