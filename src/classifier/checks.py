"""Checks on a rule set beyond its syntax: rules that can never decide, rules that contradict each other, and
every rule's examples run as tests. Loading a rule set runs the static checks; ``classifier rules check``
runs them all.

The static checks try rules on witness facts rather than reason over formulas. Facts that hang together
form a group (members and member_count; domains, domain_families and domain_count; an obligation and its
``asymmetric`` and ``conditional`` marks); every other fact is a group of its own. For each group there is
one set of values for every distinct way the rules' predicates on it can come out, each one values a real
arrangement file can have, and the groups vary independently, as the fields of a file do. So a conflict
comes with an arrangement that shows it, and a rule said never to decide was tried on every combination of
facts its conditions can tell apart.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .arrangement import DOMAIN_FAMILIES, DOMAINS, FACTS, facts_of, parse_arrangement
from .errors import ClassifierError, Problem
from .logic import All, Any_, Condition, Not, Predicate
from .reading import read_path

if TYPE_CHECKING:
    from .rules import Decision, Example, Rule, RuleSet

MAX_COMBINATIONS = 50_000  # past this many combinations of facts, a decision is not checked statically
MAX_MENTIONED = 10  # past this many values named for one group, not every subset of them is tried
FILLER = "..."  # no words: texts built around it mention only the phrases they are built from

Facts = dict[str, Any]


def predicates(condition: Condition) -> Iterator[Predicate]:
    """Every fact predicate in a condition tree."""
    if isinstance(condition, Predicate):
        yield condition
    elif isinstance(condition, All | Any_):
        for item in condition.items:
            yield from predicates(item)
    elif isinstance(condition, Not):
        yield from predicates(condition.item)


def group_of(fact: str) -> str:
    """The group of facts that ``fact`` varies with."""
    if fact in ("members", "member_count"):
        return "members"
    if fact in ("domains", "domain_families", "domain_count"):
        return "domains"
    if fact.startswith("obligations."):
        return ".".join(fact.split(".")[:2])
    return fact


def _named(atoms: Iterable[Predicate], operators: tuple[str, ...]) -> list[Any]:
    """The values the predicates name with ``operators``, in order, once each."""
    named: dict[Any, None] = {}
    for atom in atoms:
        if atom.operator in operators:
            for value in atom.argument if isinstance(atom.argument, tuple) else (atom.argument,):
                named.setdefault(value)
    return list(named)


def _top(atoms: Iterable[Predicate]) -> int:
    """One more than the largest number any predicate compares with: enough sizes to tell every case apart."""
    numbers = [
        a.argument
        for a in atoms
        if a.operator in ("at_least", "at_most", "is") and isinstance(a.argument, int)
    ]
    return max([0, *(n for n in numbers if not isinstance(n, bool))]) + 1


def _subsets(values: list[Any]) -> Iterator[tuple[Any, ...]]:
    limit = len(values) if len(values) <= MAX_MENTIONED else 1
    for size in range(limit + 1):
        yield from itertools.combinations(values, size)
    if len(values) > MAX_MENTIONED:
        yield tuple(values)


def _others(count: int, named: list[str]) -> list[str]:
    """``count`` list items that are none of the values the rules name."""
    taken = {n.casefold() for n in named}
    return [f"other {i}" for i in range(1, count + len(taken) + 1) if f"other {i}" not in taken][:count]


def _obligation(group: str) -> list[Facts]:
    base = [{group: False, f"{group}.asymmetric": False, f"{group}.conditional": False}]
    return base + [
        {group: True, f"{group}.asymmetric": a, f"{group}.conditional": c}
        for a in (True, False)
        for c in (True, False)
    ]


def _members(atoms: list[Predicate]) -> list[Facts]:
    named = [str(n) for n in _named(atoms, ("has", "has_any"))]
    witnesses = []
    for chosen in _subsets(named):
        for size in range(max(2, len(chosen)), max(2, len(chosen), _top(atoms)) + 1):
            fillers = _others(size - len(chosen), named)
            witnesses.append({"members": [*chosen, *fillers], "member_count": size})
    return witnesses


def _domains(atoms: list[Predicate]) -> list[Facts]:
    named = [
        d for d in _named([a for a in atoms if a.field == "domains"], ("has", "has_any")) if d in DOMAINS
    ]
    families = list(DOMAIN_FAMILIES)
    spare = {f: [d for d in DOMAINS if DOMAINS[d] == f and d not in named] for f in families}
    witnesses = []
    for chosen in _subsets(named):
        covered = {DOMAINS[d] for d in chosen}
        for size in range(len(families) + 1):
            for kinds in itertools.combinations(families, size):
                if not covered <= set(kinds) or any(not spare[f] for f in kinds if f not in covered):
                    continue
                base = [*chosen, *(spare[f][0] for f in kinds if f not in covered)]
                pad = [d for f in kinds for d in spare[f] if d not in base]
                for count in range(len(pad) + 1):
                    domains = base + pad[:count]
                    witnesses.append(
                        {"domains": domains, "domain_families": sorted(kinds), "domain_count": len(domains)}
                    )
    return witnesses


def _texts(fact: str, atoms: list[Predicate]) -> list[Facts]:
    exact = [str(v) for v in _named(atoms, ("is", "in"))]
    phrases = [str(v) for v in _named(atoms, ("mentions",))]
    texts: list[str | None] = [*exact]
    for chosen in _subsets(phrases):
        texts.append(f" {FILLER} ".join([FILLER, *chosen, FILLER]) if chosen else FILLER)
    if fact != "name":  # the name is required; every other text may be missing
        texts.append(None)
    return [{fact: text} for text in texts]


def _lists(fact: str, atoms: list[Predicate]) -> list[Facts]:
    named = [str(v) for v in _named(atoms, ("has", "has_any"))]
    witnesses = []
    for chosen in _subsets(named):
        for size in range(len(chosen), max(len(chosen), _top(atoms)) + 1):
            witnesses.append({fact: [*chosen, *_others(size - len(chosen), named)]})
    return witnesses


def witnesses(group: str, atoms: list[Predicate]) -> tuple[list[Facts], bool]:
    """Values for the facts of ``group``, one for each way ``atoms`` can come out; and whether that is all."""
    complete = len(_named(atoms, ("has", "has_any", "mentions"))) <= MAX_MENTIONED
    if group == "members":
        return _members(atoms), complete
    if group == "domains":
        return _domains(atoms), complete
    if group.startswith("obligations."):
        return _obligation(group), True
    kind, vocabulary = FACTS[group]
    if kind == "tri":
        return [{group: True}, {group: False}], True
    if kind == "enum":
        return [{group: value} for value in vocabulary], True
    if kind == "text":
        return _texts(group, atoms), complete
    if kind == "list":
        return _lists(group, atoms), complete
    return [{group: n} for n in range(_top(atoms) + 1)], True


def _regions(rules: Iterable[Rule]) -> tuple[dict[str, list[Facts]], bool]:
    """For each group of facts the rules read, one set of values per way their predicates can come out."""
    atoms: dict[str, dict[Predicate, None]] = {}
    for rule in rules:
        for atom in predicates(rule.when):
            atoms.setdefault(group_of(atom.field), {}).setdefault(atom)
    regions: dict[str, list[Facts]] = {}
    complete = True
    for group, found in atoms.items():
        regions[group], whole = _distinct(group, tuple(found))
        complete = complete and whole
    return regions, complete


@functools.lru_cache(maxsize=256)
def _distinct(group: str, atoms: tuple[Predicate, ...]) -> tuple[list[Facts], bool]:
    """The witnesses of a group that the predicates tell apart, one for each way they come out."""
    values, whole = witnesses(group, list(atoms))
    distinct: dict[tuple[Any, ...], Facts] = {}
    for value in values:
        distinct.setdefault(tuple(atom.evaluate(value) for atom in atoms), value)
    return list(distinct.values()), whole


def _combine(regions: Sequence[list[Facts]]) -> Iterator[Facts]:
    """Every combination of one value set from each group, as one dict of facts."""
    for combination in itertools.product(*regions):
        facts: Facts = {}
        for part in combination:
            facts.update(part)
        yield facts


def _size(regions: Iterable[list[Facts]]) -> int:
    return math.prod(len(r) for r in regions)


@dataclass
class _Gate:
    """Whether a decision applies to facts: whether some arrangement with them gets one of its labels.

    The groups only label rules read are filled in every way; what they give is kept per combination of
    the groups the decision's rules read too.
    """

    ruleset: RuleSet
    labels: tuple[str, ...]
    rest: list[list[Facts]]
    known: dict[tuple[int, ...], bool] = field(default_factory=dict)

    def __call__(self, facts: Facts, key: tuple[int, ...]) -> bool:
        """``key`` names the values of the groups shared with the label rules, which ``facts`` holds."""
        if key not in self.known:
            rules = self.ruleset.rules_for("label")
            label = self.ruleset.decision("label")
            self.known[key] = any(
                _label(rules, label, {**facts, **more}) in self.labels for more in _combine(self.rest)
            )
        return self.known[key]


def _label(rules: Sequence[Rule], decision: Decision, facts: Facts) -> Any:
    for rule in rules:
        if rule.when.evaluate(facts) is True:
            return rule.value
    return decision.otherwise


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def facts_text(facts: Facts, names: Iterable[str]) -> str:
    """``name = value, ...`` for the facts named, once each, in order."""
    return ", ".join(f"{name} = {_show(facts[name])}" for name in dict.fromkeys(names))


def _quote(ids: Iterable[str]) -> str:
    quoted = [f"'{i}'" for i in ids]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


@dataclass
class _Seen:
    met: set[str] = field(default_factory=set)
    applies: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)
    first: dict[str, dict[str, None]] = field(default_factory=dict)
    conflicts: dict[tuple[str, str], Facts] = field(default_factory=dict)


def _problem(rule: Rule, message: str, hint: str | None = None) -> Problem:
    return Problem(rule.file, message, line=rule.line, column=1, field=rule.id, hint=hint)


def _check_decision(
    ruleset: RuleSet, decision: Decision, ranked: Sequence[Rule] = ()
) -> tuple[list[Problem], list[str]]:
    """Check the rules of one decision together (for flags, which do not interact, one rule at a time)."""
    ranked = ranked or ruleset.rules_for(decision.name)
    if decision.collect and len(ranked) > 1:
        problems: list[Problem] = []
        notes: list[str] = []
        for rule in ranked:
            found, skipped = _check_decision(ruleset, decision, [rule])
            problems.extend(found)
            notes.extend(skipped)
        return problems, notes
    gated = bool(decision.when_label) and decision.name != "label"
    label_rules = ruleset.rules_for("label") if gated else ()
    regions, complete = _regions([*label_rules, *ranked])
    own = list(dict.fromkeys(group_of(a.field) for rule in ranked for a in predicates(rule.when)))
    read_by_label = {group_of(a.field) for rule in label_rules for a in predicates(rule.when)}
    shared = [g for g in own if g in read_by_label]
    gate = _Gate(ruleset, decision.when_label, [regions[g] for g in regions if g not in own])
    size = _size(regions[g] for g in own) + (_size(gate.rest) if gated else 0)
    if size > MAX_COMBINATIONS:
        note = f"{decision.name}: {size} combinations of facts are too many to check statically; skipped"
        return [], [note]
    seen = _Seen()
    for indices in itertools.product(*(range(len(regions[g])) for g in own)):
        facts: Facts = {}
        for group, index in zip(own, indices, strict=True):
            facts.update(regions[group][index])
        met = [rule for rule in ranked if rule.when.evaluate(facts) is True]
        if not met:
            continue
        seen.met.update(rule.id for rule in met)
        key = tuple(i for g, i in zip(own, indices, strict=True) if g in shared)
        if gated and not gate(facts, key):
            continue
        seen.applies.update(rule.id for rule in met)
        if decision.collect:
            continue
        first, *rest = met
        seen.decided.add(first.id)
        for rule in rest:
            seen.first.setdefault(rule.id, {}).setdefault(first.id)
            if rule.priority == first.priority and rule.value != first.value:
                seen.conflicts.setdefault((first.id, rule.id), facts)
    problems = []
    for rule in ranked:
        if complete and rule.id not in seen.met:
            problems.append(
                _problem(
                    rule,
                    "never met: no arrangement satisfies its condition",
                    "look for facts required both ways",
                )
            )
        elif complete and rule.id not in seen.applies:
            labels = " or ".join(decision.when_label)
            problems.append(
                _problem(
                    rule,
                    f"never met where {decision.name} is decided: only where the label is not {labels}",
                )
            )
        elif complete and not decision.collect and rule.id not in seen.decided:
            ahead = list(seen.first.get(rule.id, {}))
            top = max(ruleset.rule(i).priority for i in ahead)
            problems.append(
                _problem(
                    rule,
                    f"never decides {decision.name}: wherever it is met, {_quote(ahead)} decides first",
                    f"give it a priority above {top}, or narrow the condition of {_quote(ahead)}",
                )
            )
    for (winner_id, loser_id), facts in seen.conflicts.items():
        winner, loser = ruleset.rule(winner_id), ruleset.rule(loser_id)
        example = facts_text(facts, [*winner.when.fields(), *loser.when.fields()])
        problems.append(
            _problem(
                loser,
                f"contradicts '{winner.id}' at the same priority ({loser.priority}): where both are met, "
                f"{decision.name} is {winner.value} by '{winner.id}' and {loser.value} by this rule, "
                f"e.g. when {example}",
                "give one of them a higher priority",
            )
        )
    return problems, []


def analyse(ruleset: RuleSet) -> tuple[list[Problem], list[str]]:
    """Static problems (never met, never deciding, contradicting another rule); notes of what was skipped."""
    problems: list[Problem] = []
    notes: list[str] = []
    for decision in ruleset.decisions:
        found, skipped = _check_decision(ruleset, decision)
        problems.extend(found)
        notes.extend(skipped)
    return problems, notes


def static_problems(ruleset: RuleSet) -> list[Problem]:
    """The problems ``analyse`` finds: what stops a rule set from loading."""
    return analyse(ruleset)[0]


# --- examples as tests ------------------------------------------------------------------------------------


Loaded = list[tuple[str, Facts]] | list[Problem]


def load_example(path: str) -> Loaded:
    """The facts of every document in an arrangement file (source, facts), or the problems that stop it."""
    try:
        return [(document.source, facts_of(parse_arrangement(document))) for document in read_path(path)]
    except ClassifierError as exc:
        return list(exc.problems)


STATUS_WORDS = {True: "met", False: "not met", None: "unknown"}


def _example_problems(rule: Rule, example: Example, loaded: Loaded) -> list[Problem]:
    problems = []
    for item in loaded:
        if isinstance(item, Problem):
            message = f"{example.kind} '{example.written}' is not a usable arrangement: {item}"
            problems.append(Problem(rule.file, message, example.line, example.column, rule.id))
            continue
        source, facts = item
        result = rule.when.evaluate(facts)
        wanted = example.kind == "hit"
        if result is wanted:
            continue
        name = example.written + source[len(example.path) :]
        message = f"{example.kind} '{name}' is {STATUS_WORDS[result]}, expected {STATUS_WORDS[wanted]}"
        hint = "it reads " + facts_text(facts, rule.when.fields())
        problems.append(Problem(rule.file, message, example.line, example.column, rule.id, hint))
    return problems


def example_problems(ruleset: RuleSet) -> tuple[list[Problem], int]:
    """Every rule's examples run as tests (hits met, misses not met), rules without a hit; how many ran."""
    cache: dict[str, Loaded] = {}
    problems: list[Problem] = []
    count = 0
    for rule in ruleset.ranked:
        if not any(example.kind == "hit" for example in rule.examples):
            problems.append(
                _problem(
                    rule,
                    "has no hit example",
                    "add examples: {hit: [FILE]}, an arrangement the rule is met on",
                )
            )
        for example in rule.examples:
            if example.path not in cache:
                cache[example.path] = load_example(example.path)
            problems.extend(_example_problems(rule, example, cache[example.path]))
            count += 1
    return problems, count


def outcomes(rule: Rule, paths: Iterable[str]) -> dict[str, list[str]]:
    """Where a rule is met, unknown or not met among arrangement files (files that do not load left out)."""
    found: dict[str, list[str]] = {"met": [], "unknown": [], "not met": []}
    for path in paths:
        loaded = load_example(path)
        for item in loaded:
            if isinstance(item, Problem):
                break
            source, facts = item
            found[STATUS_WORDS[rule.when.evaluate(facts)]].append(source)
    return found
