"""What would change the verdict: the smallest sets of fact changes that give another label or subtype.

The search is exhaustive over the changes the rules themselves can notice, never sampled:

* **Candidates** come from the conditions of the rules that decide the label and the subtypes (borderline
  flags do not count): each true/false fact they read is tried true and false, an enumerated fact each of
  its values, and a list or text (``domains``, ``shared_objectives``, ``threat``) the smallest edit that
  makes each condition on it hold, or fail. Facts that cannot change are never proposed: the members
  (``members``, ``member_count``, ``rivals_among_members``), the ``name`` and the dates.
* **Sets** of 1, then 2, then up to MAX_CHANGES candidates (one change per field) are tried; a set is kept
  when it gives another verdict (label, scope, posture or formality) and no smaller part of it gives that
  same verdict, so every set proposed is minimal.

A rule condition only ever sees the truth of its predicates ("atoms": ``obligations.mutual_defence is
present``, ``domain_count at least 2``, ...), so both the verdict for a vector of atoms and the whole search
for a pattern of candidate effects are memoised per rule set: a batch of similar files pays once.

``--set FIELD=VALUE`` applies the same changes to an arrangement file's data before validation
(``apply_changes``), which is how every proposed change set can be checked by hand.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .arrangement import (
    BINDING_INSTRUMENTS,
    DOMAIN_FAMILIES,
    DOMAINS,
    FACTS,
    FIXED_FACTS,
    INSTRUMENTS,
    OBLIGATIONS,
    Arrangement,
    Fact,
    parse_arrangement,
)
from .errors import InputError, Problem, did_you_mean
from .logic import All, Any_, Condition, Not, Predicate, Tri
from .reading import Document, parse_yaml
from .rules import Decision, RuleSet
from .verdict import Change, WhatIf

MAX_CHANGES = 3  # the largest change set searched: C(k, 3) sets of k candidates; few cases need more
MAX_ENUMERATED_UNKNOWNS = 10  # 2**10 completions at most; past that a verdict left open is reported open
OUTCOME_MEMO = 100_000  # verdicts kept by state before the memo is cleared: bounded memory in long batches
SEARCH_MEMO = 10_000  # searches kept by (state, effects) before that memo is cleared
PLACEHOLDER_OBJECTIVE = "a stated shared objective"
PLACEHOLDER_THREAT = "a named adversary"
QUALIFIERS = ("asymmetric", "conditional")
# Domains added only to change how many there are are taken from the families already present, then these.
FILL_FAMILIES = ("political", "societal", "technology", "economic", "security")

State = int  # the truth of every atom: bit i set when atom i is true, bit n+i when it is unknown
Compiled = Callable[[State], Tri]
Effect = tuple[str, int, int]  # (group, mask of bits kept, bits set): what one change does to a state
Found = tuple[tuple[tuple[int, ...], "Outcome"], ...]  # minimal sets of effects (by index) and their verdicts


@dataclass(frozen=True)
class Outcome:
    """A verdict in brief: the label, the labels still possible, and each subtype decision's value."""

    label: str
    possible: tuple[str, ...]
    subtypes: tuple[Any, ...]
    key: tuple[Any, ...] = field(init=False, repr=False, compare=False)  # (label, *subtypes)
    mark: int = field(default=0, repr=False, compare=False)  # one bit per distinct key, given by the plan

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.label, *self.subtypes))


@dataclass(frozen=True)
class _Candidate:
    change: Change
    effect: Effect


def _compile(condition: Condition, index: Mapping[Predicate, int], size: int) -> Compiled:
    """A condition as a function of the state (Kleene logic, as in classifier.logic).

    The atoms directly under an ``all`` or ``any`` are tested at once with bit masks; only nested
    conditions are called one by one.
    """
    if isinstance(condition, Predicate):
        true, unknown = 1 << index[condition], 1 << (size + index[condition])
        return lambda state: None if state & unknown else bool(state & true)
    if isinstance(condition, Not):
        inner = _compile(condition.item, index, size)

        def negate(state: State) -> Tri:
            value = inner(state)
            return None if value is None else not value

        return negate
    if not isinstance(condition, All | Any_):
        raise TypeError(f"cannot compile condition {type(condition).__name__}")
    leaves = 0
    for item in condition.items:
        if isinstance(item, Predicate):
            leaves |= 1 << index[item]
    nested = tuple(_compile(item, index, size) for item in condition.items if not isinstance(item, Predicate))
    low = (1 << size) - 1
    if isinstance(condition, All):

        def every(state: State) -> Tri:
            unknown = state >> size & leaves
            if leaves & ~(state & low) & ~unknown:
                return False
            result: Tri = None if unknown else True
            for item in nested:
                value = item(state)
                if value is False:
                    return False
                if value is None:
                    result = None
            return result

        return every

    def some(state: State) -> Tri:
        if state & leaves:
            return True
        result: Tri = None if state >> size & leaves else False
        for item in nested:
            value = item(state)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    return some


def _predicates(condition: Condition) -> Iterable[Predicate]:
    if isinstance(condition, Predicate):
        yield condition
    elif isinstance(condition, Not):
        yield from _predicates(condition.item)
    elif isinstance(condition, All | Any_):
        for item in condition.items:
            yield from _predicates(item)


@dataclass
class Plan:
    """A rule set compiled once for fast what-ifs: its atoms, its deciding rules over them, and memos."""

    ruleset: RuleSet
    decisions: tuple[Decision, ...]  # label first, then subtypes; collected flags are left out
    atoms: tuple[Predicate, ...]
    field_atoms: dict[str, tuple[int, ...]]
    rules: dict[str, tuple[tuple[Compiled, Any], ...]]
    unknowable: tuple[str, ...]  # true/false and enumerated facts the deciding rules read
    plain: tuple[str, ...] = ()  # true/false facts a change sets alone (see _plain_facts)
    masks: tuple[int, ...] = ()  # for each decision, the bits of the atoms its rules read
    _partial: tuple[dict[int, Any], ...] = ()  # for each decision, its value by those bits
    _interned: dict[tuple[Any, ...], Outcome] = field(default_factory=dict)  # (key, possible) -> Outcome
    _marks: dict[tuple[Any, ...], int] = field(default_factory=dict)  # Outcome.key -> its bit
    _outcomes: dict[State, Outcome] = field(default_factory=dict)
    _searches: dict[tuple[Any, ...], Found] = field(default_factory=dict)
    _filled: dict[tuple[str, Any], tuple[int, int]] = field(default_factory=dict)

    @property
    def subtype_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.decisions[1:])

    def _bits(self, i: int, truth: Tri) -> int:
        return 1 << i if truth is True else 1 << (len(self.atoms) + i) if truth is None else 0

    def state_of(self, facts: Mapping[str, Any]) -> State:
        """The state of these facts: the truth of each atom, as one integer."""
        state = 0
        for i, atom in enumerate(self.atoms):
            state |= self._bits(i, atom.evaluate(facts))
        return state

    def fill(self, name: str, value: Any) -> tuple[int, int]:
        """(bits to keep, bits to set) that give fact ``name`` the value ``value`` in a state."""
        small = value is None or isinstance(value, bool) or FACTS[name][0] == "enum"
        found = self._filled.get((name, value)) if small else None
        if found is None:
            size, clear, bits = len(self.atoms), 0, 0
            for i in self.field_atoms.get(name, ()):
                clear |= 1 << i | 1 << (size + i)
                bits |= self._bits(i, self.atoms[i].evaluate({name: value}))
            found = (~clear, bits)
            if small:
                self._filled[(name, value)] = found
        return found

    def with_fact(self, state: State, name: str, value: Any) -> State:
        keep, bits = self.fill(name, value)
        return (state & keep) | bits

    def unknown_fields(self, state: State) -> list[str]:
        size = len(self.atoms)
        return [n for n in self.unknowable if any(state >> (size + i) & 1 for i in self.field_atoms[n])]

    def _decide(self, state: State) -> tuple[Any, ...]:
        """Each decision's value, in Kleene logic: 'unknown' when an unknown atom could change it.

        A decision depends only on the atoms its rules read, so its value is memoised by those bits alone.
        """
        values: list[Any] = []
        label: Any = None
        for decision, mask, memo in zip(self.decisions, self.masks, self._partial, strict=True):
            if decision.when_label and label not in decision.when_label:
                values.append(None)
                continue
            key = state & mask
            if key in memo:
                chosen = memo[key]
            else:
                chosen = memo[key] = self._decide_one(decision, state)
            if decision.name == "label":
                label = chosen
            values.append(chosen)
        return tuple(values)

    def _decide_one(self, decision: Decision, state: State) -> Any:
        possible: list[Any] = []
        for test, value in self.rules[decision.name]:
            result = test(state)
            if result is None and value not in possible:
                possible.append(value)
            if result is True:
                if value not in possible:
                    possible.append(value)
                break
        else:
            if decision.otherwise not in possible:
                possible.append(decision.otherwise)
        return possible[0] if len(possible) == 1 else "unknown"

    def outcome(self, state: State) -> Outcome:
        """The verdict in this state: unknown facts are filled in every way; what they leave open is said."""
        found = self._outcomes.get(state)
        if found is None:
            found = self._outcome(state)
            same = self._interned.get((found.key, found.possible))
            if same is None:  # one object per distinct verdict, however many states give it
                mark = self._marks.setdefault(found.key, 1 << len(self._marks))
                object.__setattr__(found, "mark", mark)
                same = self._interned[(found.key, found.possible)] = found
            found = same
            if len(self._outcomes) >= OUTCOME_MEMO:
                self._outcomes.clear()
                for memo in self._partial:
                    memo.clear()
            self._outcomes[state] = found
        return found

    def _outcome(self, state: State) -> Outcome:
        values = self._decide(state)
        if "unknown" not in values:  # Kleene logic is sound: what it settles, every filling-in agrees on
            return Outcome(values[0], (values[0],), values[1:])
        unknown = self.unknown_fields(state)
        if len(unknown) > MAX_ENUMERATED_UNKNOWNS:
            if values[0] != "unknown":
                return Outcome(values[0], (values[0],), values[1:])
            every = sorted({*self.decisions[0].values, self.decisions[0].otherwise or "neither"})
            return Outcome("indeterminate", tuple(every), tuple(None for _ in values[1:]))
        fills = [[self.fill(name, value) for value in self._choices(name)] for name in unknown]
        results = []
        for combination in itertools.product(*fills):
            filled = state
            for keep, bits in combination:
                filled = (filled & keep) | bits
            results.append(self._decide(filled))
        possible = tuple(sorted({r[0] for r in results}))
        label = possible[0] if len(possible) == 1 else "indeterminate"
        subtypes: list[Any] = []
        for j, decision in enumerate(self.decisions[1:], start=1):
            if label == "indeterminate" or (decision.when_label and label not in decision.when_label):
                subtypes.append(None)
                continue
            options = {r[j] for r in results}
            subtypes.append(options.pop() if len(options) == 1 else "unknown")
        return Outcome(label, possible, tuple(subtypes))

    def _choices(self, name: str) -> list[Any]:
        kind, vocabulary = FACTS[name]
        return [True, False] if kind == "tri" else list(vocabulary)

    def search(self, state: State, effects: Sequence[Effect]) -> Found:
        """Every minimal set of effects (by index) that changes the verdict, with the verdict it gives."""
        key = (state, tuple(effects))
        found = self._searches.get(key)
        if found is None:
            found = self._search(state, effects)
            if len(self._searches) >= SEARCH_MEMO:
                self._searches.clear()
            self._searches[key] = found
        return found

    def _search(self, base: State, effects: Sequence[Effect]) -> Found:
        """Sets of 1, 2, ... MAX_CHANGES effects, smallest first: a set's state is its parent's plus one.

        Sets are bit masks of effect indices. Each set of the layers below the last also keeps, as bits, the
        verdicts that it and its parts give, so that minimality is one bit test.
        """
        outcomes, outcome = self._outcomes, self.outcome
        base_mark = outcome(base).mark
        names = {group: 1 << n for n, group in enumerate(dict.fromkeys(g for g, _, _ in effects))}
        steps = [(names[group], keep, bits) for group, keep, bits in effects]
        below: dict[int, int] = {0: 0}  # a set -> bits of the verdicts it and its parts give
        found: list[tuple[int, Outcome]] = []
        layer: list[tuple[int, int, int, State, tuple[int, ...]]] = [(0, -1, 0, base, ())]
        for depth in range(1, MAX_CHANGES + 1):
            last = depth == MAX_CHANGES
            grown: list[tuple[int, int, int, State, tuple[int, ...]]] = []
            for mask, top, groups, state, members in layer:
                inherited = below[mask]
                for i in range(top + 1, len(steps)):
                    group, keep, bits = steps[i]
                    if groups & group:
                        continue
                    changed = (state & keep) | bits  # a later effect overrides an earlier one
                    result = outcomes.get(changed) or outcome(changed)
                    mark = result.mark
                    if last and mark == base_mark:
                        continue
                    bit = 1 << i
                    parts = inherited
                    for member in members:
                        parts |= below[(mask ^ member) | bit]
                    if not last:
                        below[mask | bit] = parts | mark
                        grown.append((mask | bit, i, groups | group, changed, (*members, bit)))
                    if mark != base_mark and not parts & mark:
                        found.append((mask | bit, result))
            layer = grown
        indices = [tuple(i for i in range(len(steps)) if mask >> i & 1) for mask, _ in found]
        ordered = sorted(
            zip(indices, (result for _, result in found), strict=True), key=lambda f: (len(f[0]), f[0])
        )
        return tuple(ordered)


_PLANS: dict[int, Plan] = {}
PLANS_KEPT = 16  # rule sets whose plans are kept (a run uses one, or one per framework with --compare)


def plan_for(ruleset: RuleSet) -> Plan:
    """The compiled plan of ``ruleset``, built once per rule set object."""
    plan = _PLANS.get(id(ruleset))
    if plan is not None and plan.ruleset is ruleset:
        return plan
    while len(_PLANS) >= PLANS_KEPT:
        del _PLANS[next(iter(_PLANS))]
    decisions = tuple(d for d in ruleset.decisions if not d.collect)
    decisions = tuple(sorted(decisions, key=lambda d: d.name != "label"))
    index: dict[Predicate, int] = {}
    for decision in decisions:
        for rule in ruleset.rules_for(decision.name):
            for predicate in _predicates(rule.when):
                index.setdefault(predicate, len(index))
    atoms = tuple(index)
    field_atoms: dict[str, list[int]] = {}
    for i, atom in enumerate(atoms):
        field_atoms.setdefault(atom.field, []).append(i)
    rules = {
        d.name: tuple(
            (_compile(rule.when, index, len(atoms)), rule.value) for rule in ruleset.rules_for(d.name)
        )
        for d in decisions
    }
    unknowable = tuple(name for name in field_atoms if FACTS[name][0] in ("tri", "enum"))
    plan = Plan(ruleset, decisions, atoms, {k: tuple(v) for k, v in field_atoms.items()}, rules, unknowable)
    plan.plain = _plain_facts(plan)
    masks = []
    for decision in decisions:
        mask = 0
        for rule in ruleset.rules_for(decision.name):
            for predicate in _predicates(rule.when):
                mask |= 1 << index[predicate] | 1 << (len(atoms) + index[predicate])
        masks.append(mask)
    plan.masks, plan._partial = tuple(masks), tuple({} for _ in decisions)
    _PLANS[id(ruleset)] = plan
    return plan


# --- candidate changes --------------------------------------------------------------------------------------


def _facts_after(arrangement: Arrangement, facts: Mapping[str, Any], name: str, value: Any) -> dict[str, Any]:
    """The facts that change when the data field ``name`` is set to ``value`` (as ``--set`` would set it)."""
    if name.startswith("obligations."):
        parts = name.split(".")
        kind = parts[1]
        fact: Fact = getattr(arrangement.obligations, kind)
        present, flags = fact.present, {q: getattr(fact, q) for q in QUALIFIERS}
        if len(parts) == 2:
            present = value
        else:
            flags[parts[2]] = value
        changed = {f"obligations.{kind}": present}
        changed.update({f"obligations.{kind}.{q}": flags[q] and present is not False for q in QUALIFIERS})
        return changed
    if name == "instrument":
        stated = arrangement.legally_binding is not None
        return {
            "instrument": value,
            "legally_binding": facts["legally_binding"] if stated else value in BINDING_INSTRUMENTS,
        }
    if name == "domains":
        return {
            "domains": value,
            "domain_families": sorted({DOMAINS[d] for d in value}),
            "domain_count": len(value),
        }
    if name == "threat":
        return {"threat": value or None}
    return {name: value}


def _without(items: Sequence[str], drop: Iterable[str]) -> list[str]:
    dropped = set(drop)
    return [item for item in items if item not in dropped]


def _fill(items: Sequence[str], count: int, pool: Sequence[str]) -> list[str]:
    result = list(items)
    for item in pool:
        if len(result) >= count:
            break
        if item not in result:
            result.append(item)
    return result


FAMILY_DOMAINS = {family: [d for d in DOMAINS if DOMAINS[d] == family] for family in DOMAIN_FAMILIES}


def _domain_pool(domains: Sequence[str]) -> list[str]:
    """Domains to add when only their number matters: of the families already present first."""
    present = {DOMAINS[d] for d in domains}
    order = [f for f in DOMAIN_FAMILIES if f in present] + [f for f in FILL_FAMILIES if f not in present]
    return [d for family in order for d in FAMILY_DOMAINS[family]]


def _family_domain(family: str) -> str:
    """The domain that stands for a family: ``defence`` for security, ``trade`` for economic, ..."""
    return FAMILY_DOMAINS[family][0]


def _resize(items: list[str], count: int, pool: Sequence[str]) -> list[str]:
    """``items`` cut or filled (from ``pool``) to ``count`` entries."""
    return items[: max(count, 0)] if len(items) >= count else _fill(items, count, pool)


def _families_to(items: list[str], count: int) -> list[str]:
    """``items`` with domains of exactly ``count`` families: families dropped from the end, or added."""
    present = [f for f in DOMAIN_FAMILIES if any(DOMAINS[d] == f for d in items)]
    if len(present) >= count:
        return [d for d in items if DOMAINS[d] in present[: max(count, 0)]]
    missing = [f for f in FILL_FAMILIES if f not in present]
    return items + [_family_domain(f) for f in missing[: count - len(present)]]


def _list_edits(atom: Predicate, items: list[str], pool: Sequence[str], families: bool) -> list[list[str]]:
    """The smallest edits of a list that make ``atom`` hold, and that make it fail."""
    op, arg = atom.operator, atom.argument
    if op in ("at_least", "at_most", "is"):  # a count: one below, at and one above the bound
        counts = [n for n in (arg - 1, arg, arg + 1) if n >= 0]
        return [_families_to(items, n) if families else _resize(items, n, pool) for n in counts]
    if families:  # a condition on domain_families edits the domains, one family at a time
        wanted = [arg] if op == "has" else list(arg) if op == "has_any" else list(DOMAIN_FAMILIES)
        grown = items if any(DOMAINS[d] in wanted for d in items) else [*items, _family_domain(wanted[0])]
        return [grown, [d for d in items if DOMAINS[d] not in wanted]]
    if op in ("present", "absent"):
        return [items or [pool[0]], []]
    wanted = [arg] if op == "has" else list(arg)
    grown = items if any(w in items for w in wanted) else [*items, wanted[0]]
    return [grown, _without(items, wanted)]


def _text_edits(atom: Predicate) -> list[Any]:
    op, arg = atom.operator, atom.argument
    if op in ("present", "absent"):
        return [PLACEHOLDER_THREAT, None]
    if op == "is":
        return [arg, None]
    if op in ("in", "mentions"):
        return [arg[0], None]
    return []


TRI_FIELDS = ("legally_binding", "common_defence_strategy", "joint_exercises")


def _plain_facts(plan: Plan) -> tuple[str, ...]:
    """The true/false facts a change sets alone, tried first: obligations whose qualifiers no rule reads,
    ``legally_binding`` (after ``instrument``, which may set it too), and the other true/false facts."""
    read = plan.field_atoms
    names = [
        f"obligations.{kind}"
        for kind in OBLIGATIONS
        if f"obligations.{kind}" in read and not any(f"obligations.{kind}.{q}" in read for q in QUALIFIERS)
    ]
    names += [name for name in TRI_FIELDS if name in read and "instrument" not in read]
    return tuple(name for name in names if name not in FIXED_FACTS)


def _raw_candidates(
    plan: Plan, arrangement: Arrangement, facts: Mapping[str, Any]
) -> Iterable[tuple[str, str, Any, Any]]:
    """(group, field, from, to) for the other changes worth trying; a later one overrides an earlier one."""
    read, plain = plan.field_atoms, plan.plain
    for kind in OBLIGATIONS:
        name = f"obligations.{kind}"
        if name in FIXED_FACTS or name in plain:
            continue
        if any(f in read for f in (name, *(f"{name}.{q}" for q in QUALIFIERS))):
            for value in (True, False):
                if facts[name] is not value:
                    yield name, name, facts[name], value
        fact: Fact = getattr(arrangement.obligations, kind)
        for q in QUALIFIERS:
            if f"{name}.{q}" in read and fact.present is not False:
                yield name, f"{name}.{q}", getattr(fact, q), not getattr(fact, q)
    if "instrument" in read:
        for instrument in INSTRUMENTS:
            if instrument != facts["instrument"]:
                yield "instrument", "instrument", facts["instrument"], instrument
    for name in TRI_FIELDS:
        if name in read and name not in FIXED_FACTS and name not in plain:
            for value in (True, False):
                if facts[name] is not value:
                    yield name, name, facts[name], value
    domains = list(arrangement.domains)
    if (
        any(f in read for f in ("domains", "domain_families", "domain_count"))
        and "domains" not in FIXED_FACTS
    ):
        pool = _domain_pool(domains)
        for name in ("domain_families", "domains", "domain_count"):
            for i in read.get(name, ()):
                for edit in _list_edits(plan.atoms[i], domains, pool, families=name == "domain_families"):
                    yield "domains", "domains", domains, edit
    objectives = list(arrangement.shared_objectives)
    if "shared_objectives" in read and "shared_objectives" not in FIXED_FACTS:
        pool = [PLACEHOLDER_OBJECTIVE] + [f"{PLACEHOLDER_OBJECTIVE} ({n})" for n in range(2, 10)]
        for i in read["shared_objectives"]:
            for edit in _list_edits(plan.atoms[i], objectives, pool, families=False):
                yield "shared_objectives", "shared_objectives", objectives, edit
    if "threat" in read and "threat" not in FIXED_FACTS:
        for i in read["threat"]:
            for value in _text_edits(plan.atoms[i]):
                yield "threat", "threat", arrangement.threat, value


def candidates(
    plan: Plan, arrangement: Arrangement, facts: Mapping[str, Any], state: State
) -> list[_Candidate]:
    """The changes worth trying, each with its effect on the state; changes that alter no atom are dropped."""
    size, read = len(plan.atoms), plan.field_atoms
    found: list[_Candidate] = []
    seen: set[Effect] = set()
    for name in plan.plain:  # the common case, quickly: one fact, its atoms known from its value alone
        before = facts[name]
        for after in (True, False):
            if before is not after:
                keep, bits = plan.fill(name, after)
                changed = (state & keep) | bits
                diff = changed ^ state
                if diff:
                    touched = (diff | diff >> size) & ((1 << size) - 1)
                    touched |= touched << size
                    found.append(_Candidate(Change(name, before, after), (name, ~touched, changed & touched)))
    for group, name, before, after in _raw_candidates(plan, arrangement, facts):
        changed = state
        for fact, value in _facts_after(arrangement, facts, name, after).items():
            if fact in read:
                keep, bits = plan.fill(fact, value)
                changed = (changed & keep) | bits
        diff = changed ^ state
        if not diff:
            continue
        touched = (diff | diff >> size) & ((1 << size) - 1)
        touched |= touched << size
        effect = (group, ~touched, changed & touched)
        if effect not in seen:
            seen.add(effect)
            found.append(_Candidate(Change(name, before, after), effect))
    return found


def what_would_change(
    plan: Plan, arrangement: Arrangement, facts: Mapping[str, Any], state: State
) -> tuple[WhatIf, ...]:
    """Every minimal set of at most MAX_CHANGES fact changes that gives another label or subtype."""
    found = candidates(plan, arrangement, facts, state)
    return tuple(
        WhatIf(
            tuple(found[i].change for i in combo),
            result.label,
            dict(zip(plan.subtype_names, result.subtypes, strict=True)),
        )
        for combo, result in plan.search(state, [c.effect for c in found])
    )


# --- --set: changes applied to an arrangement file's data ---------------------------------------------------

FACT_FIELDS = ("legally_binding", "common_defence_strategy", "joint_exercises", "rivals_among_members")
FACT_ATTRIBUTES = tuple(Fact.model_fields)
FACT_DEFAULTS: dict[str, Any] = {
    "common_defence_strategy": False,
    "joint_exercises": False,
    "rivals_among_members": False,
}
SETTABLE: tuple[str, ...] = (
    *Arrangement.model_fields,
    *(f"obligations.{kind}" for kind in OBLIGATIONS),
    *(f"{name}.{attr}" for name in FACT_FIELDS for attr in FACT_ATTRIBUTES),
    *(f"obligations.{kind}.{attr}" for kind in OBLIGATIONS for attr in FACT_ATTRIBUTES),
)
SPELLINGS = {"mutual_defence": "mutual_defense", "common_defence_strategy": "common_defense_strategy"}


def canonical_field(name: str) -> str:
    """A --set field in the model's spelling ('defense' read as 'defence')."""
    return ".".join(part.strip().replace("defense", "defence") for part in name.split("."))


def _is_fact(path: Sequence[str]) -> bool:
    return (len(path) == 1 and path[0] in FACT_FIELDS) or (len(path) == 2 and path[0] == "obligations")


def _take(container: dict[str, Any], key: str) -> Any:
    """Remove ``key`` (in either spelling) from ``container`` and return its value, or None."""
    value = None
    for spelling in (SPELLINGS.get(key), key):
        if spelling is not None and spelling in container:
            value = container.pop(spelling)
    return value


def _has(container: dict[str, Any], key: str) -> bool:
    return key in container or SPELLINGS.get(key, "") in container


def apply_changes(data: Any, changes: Sequence[tuple[str, Any]]) -> Any:
    """An arrangement file's data with each ``(field, value)`` set, before validation (what ``--set`` does).

    A dotted field reaches into a mapping (``obligations.mutual_defence``). A true/false/unknown value given
    to a fact recorded with its evidence sets the fact's ``present`` and keeps its evidence and qualifiers;
    a qualifier (``obligations.mutual_defence.asymmetric``) given to a plain fact turns it into a mapping.
    The input data is never modified.
    """
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for name, value in changes:
        path = canonical_field(name).split(".")
        container = data
        for depth, key in enumerate(path[:-1]):
            had = _has(container, key)
            current = _take(container, key)
            if _is_fact(path[: depth + 1]) and not isinstance(current, dict):
                default = False if path[0] == "obligations" else FACT_DEFAULTS.get(key)
                current = {"present": current if had else default} if had or default is not None else {}
            elif not isinstance(current, dict):
                current = {}
            current = dict(current)
            container[key] = current
            container = current
        key = path[-1]
        current = _take(container, key)
        if _is_fact(path) and isinstance(current, dict) and not isinstance(value, dict):
            current = dict(current)
            current["present"] = value
            value = current
        container[key] = value
    return data


def parse_set(spec: str) -> tuple[str, Any]:
    """``FIELD=VALUE`` to ``(field, value)``; the value is YAML (``true``, ``unknown``, ``[a, b]``)."""
    name, equals, text = spec.partition("=")
    name = name.strip()
    if not equals or not name:
        raise InputError(
            [Problem("--set", f"expected FIELD=VALUE, got '{spec}'", hint="e.g. --set legally_binding=true")]
        )
    field_name = canonical_field(name)
    if field_name not in SETTABLE:
        raise InputError(
            [Problem("--set", "unknown field", field=name, hint=did_you_mean(field_name, SETTABLE))]
        )
    if not text.strip():
        return field_name, None
    try:
        (document,) = parse_yaml(text, "--set")
    except (InputError, ValueError) as exc:
        problem = exc.problems[0].message if isinstance(exc, InputError) else "expected one value"
        raise InputError([Problem("--set", f"'{text}' is not a value: {problem}", field=name)]) from None
    return field_name, document.data


def check_changes(changes: Sequence[tuple[str, Any]]) -> list[Problem]:
    """Problems with the values of ``changes`` that any arrangement would have (a bad instrument, ...)."""
    if not changes:  # nothing to check: spare the trial parse (and its member lookups) on every run
        return []
    trial = apply_changes({"name": "trial", "members": ["A", "B"]}, changes)
    try:
        parse_arrangement(Document("--set", trial, ""))
    except InputError as exc:
        names = [canonical_field(n) for n, _ in changes]
        return [
            Problem("--set", p.message, field=p.field, hint=p.hint)
            for p in exc.problems
            if p.field and any(p.field == n or p.field.startswith((n + ".", n + "[")) for n in names)
        ]
    return []


def set_argument(change: Change) -> str:
    """A change as the ``--set`` argument that makes it, e.g. ``obligations.mutual_defence=true``."""
    return f"{change.field}={flow(change.after)}"


def flow(value: Any) -> str:
    """A value in YAML flow style, as it would be typed after ``--set FIELD=``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    text = str(value)
    plain = bool(text) and all(c.isalnum() or c in " _-()" for c in text) and text.strip() == text
    special = text.lower() in ("true", "false", "null", "unknown", "yes", "no") or text[:1].isdigit()
    return text if plain and not special else json.dumps(text, ensure_ascii=False)


__all__ = [
    "MAX_CHANGES",
    "Outcome",
    "Plan",
    "apply_changes",
    "candidates",
    "check_changes",
    "parse_set",
    "plan_for",
    "set_argument",
    "what_would_change",
]
