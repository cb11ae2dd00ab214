"""Rule files to a checked RuleSet.

A rule set is a folder: ``ruleset.yaml`` names the decisions (label, scope, ...) and their values, and every
other ``*.yaml`` file holds one rule. Every fact, operator and value a rule names is checked against the
arrangement model when it loads, and every problem in every file is reported at once, located.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .arrangement import FACTS
from .errors import InputError, Problem, RuleError, did_you_mean
from .logic import OPERATORS, All, Any_, Condition, Not, Predicate
from .reading import list_yaml_files, load_yaml_with_positions, read_text

RULE_KEYS = ("id", "title", "criterion", "source", "priority", "when", "then", "because", "otherwise", "examples")
REQUIRED_RULE_KEYS = ("id", "title", "criterion", "when", "then", "because")
MANIFEST = "ruleset.yaml"
MANIFEST_KEYS = ("name", "title", "source", "decisions")
DECISION_KEYS = ("values", "otherwise", "otherwise_because", "when_label", "collect", "doc")
ID_FORM = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Decision:
    """One thing a rule set decides: the label, or a subtype (scope, posture, ...), or a set of flags."""

    name: str
    values: tuple[str, ...]
    otherwise: str | None = None
    otherwise_because: str | None = None
    when_label: tuple[str, ...] = ()
    collect: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Rule:
    """One criterion: when its condition holds, it gives ``decision`` the value ``value``."""

    id: str
    title: str
    criterion: str
    source: str
    decision: str
    value: Any
    when: Condition
    because: str
    otherwise: str | None = None
    priority: int = 0
    hits: tuple[str, ...] = ()
    misses: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class RuleSet:
    """A checked, ordered rule set; rules of a first-match decision are tried by priority, highest first."""

    name: str
    title: str
    source: str
    decisions: tuple[Decision, ...]
    rules: tuple[Rule, ...]
    hash: str
    folder: str = ""
    _by_decision: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for decision in self.decisions:
            ranked = sorted((r for r in self.rules if r.decision == decision.name), key=lambda r: (-r.priority, r.id))
            self._by_decision[decision.name] = tuple(ranked)

    def rules_for(self, decision: str) -> tuple[Rule, ...]:
        return self._by_decision.get(decision, ())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def fields(self) -> list[str]:
        """Every fact that some rule reads, in first-use order."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            for name in rule.when.fields():
                seen.setdefault(name)
        return list(seen)


DEFAULT_FRAMEWORK = "article"


def shipped_rules_dir() -> str:
    """The folder of shipped rule sets: inside the installed package, or ``rules/`` of a source checkout."""
    packaged = resources.files("classifier") / "rules"
    if packaged.is_dir():
        return str(packaged)
    return os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "rules"))


def default_rules_dir(framework: str = DEFAULT_FRAMEWORK) -> str:
    """The shipped rule set of one framework (the article's by default)."""
    return os.path.join(shipped_rules_dir(), framework)


class _Checker:
    """Collects located problems while one rule file is turned into values."""

    def __init__(self, path: str, positions: dict[tuple[Any, ...], tuple[int, int]]) -> None:
        self.path = path
        self.positions = positions
        self.problems: list[Problem] = []
        self.rule_id: str | None = None

    def problem(self, at: tuple[Any, ...], message: str, hint: str | None = None) -> None:
        for end in range(len(at), -1, -1):
            if at[:end] in self.positions:
                line, column = self.positions[at[:end]]
                break
        else:
            line, column = 1, 1
        self.problems.append(Problem(self.path, message, line=line, column=column, field=self.rule_id, hint=hint))

    def keys(self, data: dict[str, Any], at: tuple[Any, ...], allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem((*at, key), f"unknown {what} key '{key}'", did_you_mean(str(key), allowed))

    def text(self, data: dict[str, Any], key: str, at: tuple[Any, ...], required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(at, f"'{key}' is missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem((*at, key), f"'{key}' must be a non-empty text")
            return ""
        return " ".join(value.split())

    def condition(self, data: Any, at: tuple[Any, ...]) -> Condition:
        if not isinstance(data, dict) or len(data) != 1:
            self.problem(at, "a condition is a mapping with one key: all, any, not, or a fact name")
            return All(())
        ((key, value),) = data.items()
        where = (*at, key)
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                self.problem(where, f"'{key}' takes a non-empty list of conditions")
                return All(())
            items = tuple(self.condition(item, (*where, i)) for i, item in enumerate(value))
            return All(items) if key == "all" else Any_(items)
        if key == "not":
            return Not(self.condition(value, where))
        return self.predicate(str(key), value, where)

    def predicate(self, name: str, value: Any, at: tuple[Any, ...]) -> Condition:
        if name not in FACTS:
            self.problem(at, f"unknown fact '{name}'", did_you_mean(name, [*FACTS, "all", "any", "not"]))
            return All(())
        kind, vocabulary = FACTS[name]
        if isinstance(value, str):
            operator, argument = value, None
        elif isinstance(value, dict) and len(value) == 1:
            ((operator, argument),) = value.items()
        else:
            self.problem(at, f"'{name}' takes present, absent, or one operator mapping such as {{is: ...}}")
            return All(())
        op = OPERATORS.get(operator)
        if op is None:
            self.problem(at, f"unknown operator '{operator}'", did_you_mean(str(operator), OPERATORS))
            return All(())
        if kind not in op.kinds:
            self.problem(at, f"'{operator}' does not apply to {name} (a {kind} fact)")
            return All(())
        argument = self.argument(name, kind, vocabulary, op.argument, argument, at)
        return Predicate(name, operator, argument, kind)

    def argument(
        self, name: str, kind: str, vocabulary: tuple[str, ...], shape: str, value: Any, at: tuple[Any, ...]
    ) -> Any:
        if shape == "none":
            return None
        if shape == "number":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.problem(at, f"{name}: expected a whole number, got {value!r}")
            return value
        values = value if shape == "values" else [value]
        if shape == "values" and (not isinstance(value, list) or not value):
            self.problem(at, f"{name}: expected a list of values")
            return ()
        for item in values:
            if kind == "tri" and not isinstance(item, bool):
                self.problem(at, f"{name}: expected true or false, got {item!r}")
            elif kind == "count" and (not isinstance(item, int) or isinstance(item, bool)):
                self.problem(at, f"{name}: expected a whole number, got {item!r}")
            elif kind in ("enum", "list", "text") and not isinstance(item, str):
                self.problem(at, f"{name}: expected a text value, got {item!r}")
            elif vocabulary and item not in vocabulary:
                self.problem(at, f"{name}: unknown value '{item}'", did_you_mean(str(item), vocabulary))
        return tuple(values) if shape == "values" else value


def _load_manifest(folder: str) -> tuple[dict[str, Any], list[Decision], list[Problem]]:
    path = os.path.join(folder, MANIFEST)
    data, positions = load_yaml_with_positions(read_text(path), path)
    check = _Checker(path, positions)
    if not isinstance(data, dict):
        check.problem((), "a rule set manifest is a mapping: name, title, source, decisions")
        return {}, [], check.problems
    check.keys(data, (), MANIFEST_KEYS, "manifest")
    decisions: list[Decision] = []
    raw = data.get("decisions")
    if not isinstance(raw, dict) or "label" not in raw:
        check.problem(("decisions",), "'decisions' must be a mapping that includes 'label'")
        return data, [], check.problems
    for name, spec in raw.items():
        at = ("decisions", name)
        if not isinstance(spec, dict):
            check.problem(at, f"decision '{name}' must be a mapping")
            continue
        check.keys(spec, at, DECISION_KEYS, "decision")
        collect = bool(spec.get("collect", False))
        values = tuple(spec.get("values") or (() if not collect else ()))
        decisions.append(
            Decision(
                name=str(name),
                values=values,
                otherwise=spec.get("otherwise"),
                otherwise_because=spec.get("otherwise_because"),
                when_label=tuple(spec.get("when_label") or ()),
                collect=collect,
                doc=" ".join(str(spec.get("doc", "")).split()),
            )
        )
    return data, decisions, check.problems


def _load_rule(path: str, decisions: dict[str, Decision], default_source: str) -> tuple[Rule | None, list[Problem]]:
    data, positions = load_yaml_with_positions(read_text(path), path)
    check = _Checker(path, positions)
    if not isinstance(data, dict):
        check.problem((), "a rule file holds one rule: a mapping with id, title, criterion, when, then, because")
        return None, check.problems
    rule_id = data.get("id")
    if isinstance(rule_id, str) and ID_FORM.match(rule_id):
        check.rule_id = rule_id
    else:
        check.problem(("id",), f"rule id {rule_id!r} must be kebab-case, like 'mutual-defence-makes-alliance'")
    check.keys(data, (), RULE_KEYS, "rule")
    for key in REQUIRED_RULE_KEYS:
        if key not in data:
            check.problem((), f"'{key}' is missing")
    title, criterion = check.text(data, "title", ()), check.text(data, "criterion", ())
    because, otherwise = check.text(data, "because", ()), check.text(data, "otherwise", (), required=False)
    source = check.text(data, "source", (), required=False) or default_source
    when = check.condition(data.get("when"), ("when",)) if "when" in data else All(())
    decision, value = "label", None
    then = data.get("then")
    if "then" in data:
        if not isinstance(then, dict) or len(then) != 1:
            check.problem(("then",), "'then' gives one decision its value, e.g. {label: alliance}")
        else:
            ((decision, value),) = then.items()
            spec = decisions.get(decision)
            if spec is None:
                check.problem(("then", decision), f"unknown decision '{decision}'", did_you_mean(str(decision), decisions))
            elif spec.collect and value is not True:
                check.problem(("then", decision), f"'{decision}' collects flags: its value is true")
            elif not spec.collect and value not in spec.values:
                check.problem(
                    ("then", decision), f"unknown {decision} '{value}'", did_you_mean(str(value), spec.values)
                )
    priority = data.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        check.problem(("priority",), f"priority must be a whole number, got {priority!r}")
        priority = 0
    examples = data.get("examples") or {}
    hits: list[str] = []
    misses: list[str] = []
    if not isinstance(examples, dict):
        check.problem(("examples",), "'examples' is a mapping with 'hit' and 'miss' lists of arrangement files")
    else:
        check.keys(examples, ("examples",), ("hit", "miss"), "examples")
        for key, bucket in (("hit", hits), ("miss", misses)):
            items = examples.get(key) or []
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                check.problem(("examples", key), f"'{key}' is a list of arrangement file paths")
                continue
            bucket.extend(os.path.normpath(os.path.join(os.path.dirname(path), i)) for i in items)
    if check.problems:
        return None, check.problems
    line = positions.get(("id",), (1, 1))[0]
    rule = Rule(
        id=str(rule_id), title=title, criterion=criterion, source=source, decision=str(decision), value=value,
        when=when, because=because, otherwise=otherwise or None, priority=priority, hits=tuple(hits),
        misses=tuple(misses), file=path, line=line,
    )  # fmt: skip
    return rule, []


def load_ruleset(folder: str | None = None) -> RuleSet:
    """Load and check a rule set folder (the shipped one by default); raise RuleError listing every problem."""
    folder = folder or default_rules_dir()
    try:
        manifest, decisions, problems = _load_manifest(folder)
        by_name = {d.name: d for d in decisions}
        rules: list[Rule] = []
        files = [p for p in list_yaml_files(folder) if os.path.basename(p) != MANIFEST]
        digest = hashlib.sha256(read_text(os.path.join(folder, MANIFEST)).encode())
        first_file: dict[str, str] = {}
        for path in files:
            digest.update(os.path.basename(path).encode() + b"\0" + read_text(path).encode())
            rule, found = _load_rule(path, by_name, str(manifest.get("source", "")))
            problems.extend(found)
            if rule is None:
                continue
            if rule.id in first_file:
                problems.append(
                    Problem(path, f"duplicate rule id (also in {first_file[rule.id]})", line=rule.line, column=1, field=rule.id)
                )
                continue
            first_file[rule.id] = path
            rules.append(rule)
    except InputError as exc:
        raise RuleError(exc.problems) from None
    if problems:
        raise RuleError(problems)
    return RuleSet(
        name=str(manifest.get("name", os.path.basename(os.path.abspath(folder)))),
        title=str(manifest.get("title", "")),
        source=" ".join(str(manifest.get("source", "")).split()),
        decisions=tuple(decisions),
        rules=tuple(rules),
        hash=digest.hexdigest()[:12],
        folder=folder,
    )
