"""Rule files to a checked RuleSet.

A rule set is a folder: ``ruleset.yaml`` names the decisions (label, scope, ...) and their values, and every
other ``*.yaml`` file holds one rule. Every fact, operator and value a rule names is checked against the
arrangement model when it loads, and every problem in every file is reported at once, located. Extra rule
folders add rules to a rule set (a rule with the id of one it has replaces it), and the static checks of
``checks.py`` (rules that can never decide, rules that contradict each other) run on what results.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .arrangement import FACTS
from .checks import static_problems
from .errors import InputError, Problem, RuleError, did_you_mean
from .logic import OPERATORS, All, Any_, Condition, Not, Predicate
from .reading import list_yaml_files, load_yaml_with_positions, read_text, same_yaml_files

RULE_KEYS = (
    "id",
    "title",
    "criterion",
    "source",
    "priority",
    "when",
    "then",
    "because",
    "otherwise",
    "examples",
)
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
class Example:
    """An arrangement file a rule names as a test: the rule must be met on a hit, and not met on a miss."""

    kind: str  # "hit" | "miss"
    written: str  # as the rule file writes it, relative to the rule file
    path: str  # where it was found (or looked for)
    line: int
    column: int


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
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """A checked, ordered rule set; rules of a first-match decision are tried by priority, highest first.

    ``folder`` is the folder it was loaded from, followed by any extra rule folders, joined by os.pathsep:
    ``load_ruleset(ruleset.folder)`` loads the same rules again.
    """

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
            ranked = sorted(
                (r for r in self.rules if r.decision == decision.name), key=lambda r: (-r.priority, r.id)
            )
            self._by_decision[decision.name] = tuple(ranked)

    def rules_for(self, decision: str) -> tuple[Rule, ...]:
        return self._by_decision.get(decision, ())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def decision(self, name: str) -> Decision:
        for decision in self.decisions:
            if decision.name == name:
                return decision
        raise KeyError(name)

    @property
    def ranked(self) -> tuple[Rule, ...]:
        """Every rule in the order the engine tries them: decision by decision, then by priority."""
        return tuple(rule for decision in self.decisions for rule in self.rules_for(decision.name))

    @property
    def fields(self) -> list[str]:
        """Every fact that some rule reads, in first-use order."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            for name in rule.when.fields():
                seen.setdefault(name)
        return list(seen)


DEFAULT_FRAMEWORK = "article"


def _packaged_or_checkout(name: str) -> str:
    packaged = resources.files("classifier") / name
    if packaged.is_dir():
        return str(packaged)
    return os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", name))


def shipped_rules_dir() -> str:
    """The folder of shipped rule sets: inside the installed package, or ``rules/`` of a source checkout."""
    return _packaged_or_checkout("rules")


def shipped_examples_dir() -> str:
    """The shipped example arrangements: inside the installed package, or ``examples/`` of a checkout."""
    return _packaged_or_checkout("examples")


def default_rules_dir(framework: str = DEFAULT_FRAMEWORK) -> str:
    """The shipped rule set of one framework (the article's by default)."""
    return os.path.join(shipped_rules_dir(), framework)


def shipped_rulesets() -> dict[str, str]:
    """Every shipped rule set: its folder name (which is its name) -> its folder."""
    root = shipped_rules_dir()
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return {}
    return {n: os.path.join(root, n) for n in names if os.path.isfile(os.path.join(root, n, MANIFEST))}


def resolve_example(rule_file: str, written: str) -> str:
    """Where an example a rule names is: relative to the rule file, else among the shipped examples.

    The second place lets a copy of a shipped rule set, kept anywhere, still run its examples: a path such
    as ``../../examples/nato.yaml`` that does not exist beside the copy is looked up as ``nato.yaml`` in
    the shipped examples.
    """
    path = os.path.normpath(os.path.join(os.path.dirname(rule_file), written))
    if os.path.exists(path):
        return path
    parts = written.replace("\\", "/").split("/")
    if "examples" in parts:
        rest = parts[len(parts) - parts[::-1].index("examples") :]
        shipped = os.path.join(shipped_examples_dir(), *rest)
        if rest and os.path.exists(shipped):
            return shipped
    return path


class _Checker:
    """Collects located problems while one rule file is turned into values."""

    def __init__(self, path: str, positions: dict[tuple[Any, ...], tuple[int, int]]) -> None:
        self.path = path
        self.positions = positions
        self.problems: list[Problem] = []
        self.rule_id: str | None = None

    def where(self, at: tuple[Any, ...]) -> tuple[int, int]:
        for end in range(len(at), -1, -1):
            if at[:end] in self.positions:
                return self.positions[at[:end]]
        return 1, 1

    def problem(self, at: tuple[Any, ...], message: str, hint: str | None = None) -> None:
        line, column = self.where(at)
        self.problems.append(
            Problem(self.path, message, line=line, column=column, field=self.rule_id, hint=hint)
        )

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


def _texts(check: _Checker, spec: dict[str, Any], key: str, at: tuple[Any, ...]) -> tuple[str, ...]:
    """A decision's list of values (``values``, ``when_label``), each a text."""
    raw = spec.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        check.problem((*at, key), f"'{key}' is a list of names, e.g. [alliance, strategic_partnership]")
        return ()
    return tuple(raw)


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
    label_spec = raw["label"]
    labels = _texts(_Checker(path, {}), label_spec, "values", ()) if isinstance(label_spec, dict) else ()
    for name, spec in raw.items():
        at = ("decisions", name)
        if not isinstance(spec, dict):
            check.problem(at, f"decision '{name}' must be a mapping")
            continue
        check.keys(spec, at, DECISION_KEYS, "decision")
        collect = spec.get("collect", False)
        if not isinstance(collect, bool):
            check.problem((*at, "collect"), f"'collect' is true or false, got {collect!r}")
        collect = collect is True
        values = _texts(check, spec, "values", at)
        if "collect" not in spec and not values:
            check.problem(at, f"decision '{name}' needs 'values': the answers its rules can give")
        otherwise = spec.get("otherwise")
        if otherwise is not None and (collect or otherwise not in values):
            check.problem(
                (*at, "otherwise"),
                f"otherwise '{otherwise}' is not one of the values of '{name}'",
                did_you_mean(str(otherwise), values),
            )
        when_label = _texts(check, spec, "when_label", at)
        for label in when_label:
            if label not in labels:
                check.problem(
                    (*at, "when_label"), f"when_label: unknown label '{label}'", did_you_mean(label, labels)
                )
        because = spec.get("otherwise_because")
        decisions.append(
            Decision(
                name=str(name),
                values=values,
                otherwise=otherwise if isinstance(otherwise, str) else None,
                otherwise_because=" ".join(because.split()) if isinstance(because, str) else None,
                when_label=when_label,
                collect=collect,
                doc=" ".join(str(spec.get("doc", "")).split()),
            )
        )
    return data, decisions, check.problems


def _load_examples(check: _Checker, path: str, data: dict[str, Any]) -> list[Example]:
    examples = data.get("examples") or {}
    found: list[Example] = []
    if not isinstance(examples, dict):
        check.problem(
            ("examples",), "'examples' is a mapping with 'hit' and 'miss' lists of arrangement files"
        )
        return found
    check.keys(examples, ("examples",), ("hit", "miss"), "examples")
    for key in ("hit", "miss"):
        items = examples.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            check.problem(("examples", key), f"'{key}' is a list of arrangement file paths")
            continue
        for index, written in enumerate(items):
            line, column = check.where(("examples", key, index))
            found.append(Example(key, written, resolve_example(path, written), line, column))
    return found


def _load_rule(
    path: str, decisions: dict[str, Decision], default_source: str
) -> tuple[Rule | None, list[Problem]]:
    try:
        data, positions = load_yaml_with_positions(read_text(path), path)
    except InputError as exc:
        return None, exc.problems
    check = _Checker(path, positions)
    if not isinstance(data, dict):
        check.problem(
            (), "a rule file holds one rule: a mapping with id, title, criterion, when, then, because"
        )
        return None, check.problems
    rule_id = data.get("id")
    if isinstance(rule_id, str) and ID_FORM.match(rule_id):
        check.rule_id = rule_id
    else:
        check.problem(
            ("id",), f"rule id {rule_id!r} must be kebab-case, like 'mutual-defence-makes-alliance'"
        )
    check.keys(data, (), RULE_KEYS, "rule")
    for key in ("when", "then"):  # the id and the texts are reported missing where they are read
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
                check.problem(
                    ("then", decision),
                    f"unknown decision '{decision}'",
                    did_you_mean(str(decision), decisions),
                )
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
    examples = _load_examples(check, path, data)
    if check.problems:
        return None, check.problems
    line = positions.get(("id",), (1, 1))[0]
    rule = Rule(
        id=str(rule_id), title=title, criterion=criterion, source=source, decision=str(decision), value=value,
        when=when, because=because, otherwise=otherwise or None, priority=priority,
        hits=tuple(e.path for e in examples if e.kind == "hit"),
        misses=tuple(e.path for e in examples if e.kind == "miss"),
        file=path, line=line, examples=tuple(examples),
    )  # fmt: skip
    return rule, []


def _load_rules(
    folder: str, decisions: dict[str, Decision], source: str, digest: Any, problems: list[Problem]
) -> list[Rule]:
    """The rules of one folder (every ``*.yaml`` but the manifest), in file order; duplicate ids refused."""
    rules: list[Rule] = []
    first_file: dict[str, str] = {}
    for path in list_yaml_files(folder):
        if os.path.basename(path) == MANIFEST:
            continue
        try:
            text = read_text(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        digest.update(os.path.basename(path).encode() + b"\0" + text.encode())
        rule, found = _load_rule(path, decisions, source)
        problems.extend(found)
        if rule is None:
            continue
        if rule.id in first_file:
            problems.append(
                Problem(
                    path,
                    f"duplicate rule id (also in {first_file[rule.id]})",
                    line=rule.line,
                    column=1,
                    field=rule.id,
                )
            )
            continue
        first_file[rule.id] = path
        rules.append(rule)
    return rules


def ruleset_name(folder: str, declared: str | None, extras: Sequence[str] = ()) -> str:
    """The name results carry: the manifest's ``name``, unless that would pass a changed copy off as shipped.

    A shipped rule set is named by its manifest. Any other folder is too, unless its manifest has no name
    or takes the name of a shipped rule set (a copy not yet renamed): then the folder names it. Extra rule
    folders are added with ``+``, so ``article+my-rules`` is the article's rules with those of my-rules.
    """
    shipped = shipped_rulesets()
    is_shipped = bool(declared) and declared in shipped and same_yaml_files(folder, shipped[str(declared)])
    name = declared if declared and (is_shipped or declared not in shipped) else os.path.normpath(folder)
    return "+".join([name, *(os.path.normpath(e) for e in extras)])


def load_ruleset(folder: str | None = None, extra: Sequence[str] = (), *, check: bool = True) -> RuleSet:
    """Load and check a rule set folder (the shipped one by default); raise RuleError listing every problem.

    ``extra`` names folders of rule files added to it; a rule with the id of one already loaded replaces
    it. ``folder`` may also list several folders joined by os.pathsep, the first one the base and the
    others extras: that is how a RuleSet records where it came from. With ``check`` (the default) the
    static checks run too: a rule that can never decide, or two rules that contradict each other, stop
    the load as any other problem does. The shipped rule sets skip them: they cost more than the rest of
    loading, and the project's tests run them (``classifier rules check``) on every shipped set.
    """
    base, *more = (folder or default_rules_dir()).split(os.pathsep)
    extras = [*more, *extra]
    problems: list[Problem] = []
    try:
        manifest, decisions, found = _load_manifest(base)
        digest = hashlib.sha256(read_text(os.path.join(base, MANIFEST)).encode())
    except InputError as exc:
        raise RuleError(exc.problems) from None
    problems.extend(found)
    by_name = {d.name: d for d in decisions}
    source = " ".join(str(manifest.get("source", "")).split())
    try:
        rules = {r.id: r for r in _load_rules(base, by_name, source, digest, problems)}
        for folder_ in extras:
            manifest_path = os.path.join(folder_, MANIFEST)
            if os.path.exists(manifest_path):
                problems.append(
                    Problem(
                        manifest_path,
                        "an extra rules folder holds rule files only, and adds them to the rule set",
                        line=1,
                        column=1,
                        hint="to use a whole rule set instead of the shipped one, give its folder to --rules",
                    )
                )
            digest.update(b"\0extra\0")
            for rule in _load_rules(folder_, by_name, source, digest, problems):
                rules[rule.id] = rule
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise RuleError(problems)
    declared = manifest.get("name")
    ruleset = RuleSet(
        name=ruleset_name(base, declared if isinstance(declared, str) else None, extras),
        title=" ".join(str(manifest.get("title", "")).split()),
        source=source,
        decisions=tuple(decisions),
        rules=tuple(rules.values()),
        hash=digest.hexdigest()[:12],
        folder=os.pathsep.join([base, *extras]),
    )
    shipped = not extras and any(
        os.path.realpath(base) == os.path.realpath(f) for f in shipped_rulesets().values()
    )
    if check and not shipped:
        found = static_problems(ruleset)
        if found:
            raise RuleError(found)
    return ruleset
