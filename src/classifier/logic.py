"""Three-valued logic over facts: conditions are data (all / any / not over field predicates).

A value is True, False or None (unknown). Unknown flows through ``all``, ``any`` and ``not`` as in Kleene's
logic, so a verdict can say what it would be either way. Nothing here evaluates code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Tri = bool | None
Facts = Mapping[str, Any]


def _present(value: Any, _arg: Any) -> Tri:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value > 0
    return len(value) > 0


def _absent(value: Any, arg: Any) -> Tri:
    present = _present(value, arg)
    return None if present is None else not present


def _is(value: Any, arg: Any) -> Tri:
    return bool(value == arg)


def _in(value: Any, arg: Any) -> Tri:
    return value in arg


def _size(value: Any) -> int:
    return value if isinstance(value, int) else len(value)


def _at_least(value: Any, arg: Any) -> Tri:
    return bool(_size(value) >= arg)


def _at_most(value: Any, arg: Any) -> Tri:
    return bool(_size(value) <= arg)


def _has(value: Any, arg: Any) -> Tri:
    return arg in value


def _has_any(value: Any, arg: Any) -> Tri:
    return any(item in value for item in arg)


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.casefold())) + " "


def _mentions(value: Any, arg: Any) -> Tri:
    text = _words(value)
    return any(_words(phrase) in text for phrase in arg)


@dataclass(frozen=True)
class Operator:
    """A predicate on one fact: which fact kinds it applies to, and what argument it takes."""

    test: Callable[[Any, Any], Tri]
    kinds: frozenset[str]
    argument: str  # "none", "value", "values", "number"
    doc: str


OPERATORS: dict[str, Operator] = {
    "present": Operator(
        _present, frozenset({"tri", "text", "list", "count", "enum"}), "none", "the fact holds"
    ),
    "absent": Operator(
        _absent, frozenset({"tri", "text", "list", "count", "enum"}), "none", "the fact does not hold"
    ),
    "is": Operator(_is, frozenset({"tri", "enum", "text", "count"}), "value", "the fact equals the value"),
    "in": Operator(_in, frozenset({"enum", "text"}), "values", "the fact is one of the values"),
    "at_least": Operator(
        _at_least, frozenset({"count", "list"}), "number", "the number (or list length) is >= N"
    ),
    "at_most": Operator(
        _at_most, frozenset({"count", "list"}), "number", "the number (or list length) is <= N"
    ),
    "has": Operator(_has, frozenset({"list"}), "value", "the list contains the value"),
    "has_any": Operator(_has_any, frozenset({"list"}), "values", "the list contains any of the values"),
    "mentions": Operator(
        _mentions, frozenset({"text"}), "values", "the text names any of the words (any case)"
    ),
}


class Condition:
    """A node of a condition tree."""

    def evaluate(self, facts: Facts) -> Tri:
        raise NotImplementedError

    def fields(self) -> list[str]:
        raise NotImplementedError

    def to_data(self) -> Any:
        raise NotImplementedError


UNKNOWABLE = frozenset({"tri", "enum"})  # fact kinds whose None means "not known" (a missing text is absent)


@dataclass(frozen=True)
class Predicate(Condition):
    field: str
    operator: str
    argument: Any = None
    kind: str = "tri"

    def evaluate(self, facts: Facts) -> Tri:
        value = facts[self.field]
        if value is None:
            if self.kind in UNKNOWABLE:
                return None
            value = ""
        return OPERATORS[self.operator].test(value, self.argument)

    def fields(self) -> list[str]:
        return [self.field]

    def to_data(self) -> Any:
        if OPERATORS[self.operator].argument == "none":
            return {self.field: self.operator}
        return {self.field: {self.operator: self.argument}}


@dataclass(frozen=True)
class All(Condition):
    items: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Tri:
        result: Tri = True
        for item in self.items:
            value = item.evaluate(facts)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def fields(self) -> list[str]:
        return [f for item in self.items for f in item.fields()]

    def to_data(self) -> Any:
        return {"all": [item.to_data() for item in self.items]}


@dataclass(frozen=True)
class Any_(Condition):
    items: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Tri:
        result: Tri = False
        for item in self.items:
            value = item.evaluate(facts)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    def fields(self) -> list[str]:
        return [f for item in self.items for f in item.fields()]

    def to_data(self) -> Any:
        return {"any": [item.to_data() for item in self.items]}


@dataclass(frozen=True)
class Not(Condition):
    item: Condition

    def evaluate(self, facts: Facts) -> Tri:
        value = self.item.evaluate(facts)
        return None if value is None else not value

    def fields(self) -> list[str]:
        return self.item.fields()

    def to_data(self) -> Any:
        return {"not": self.item.to_data()}


def describe(condition: Condition, indent: int = 0) -> list[str]:
    """The condition as indented readable lines, e.g. ``any of:`` / ``obligations.offensive is present``."""
    pad = "  " * indent
    if isinstance(condition, All | Any_):
        head = "all of:" if isinstance(condition, All) else "any of:"
        return [pad + head] + [line for item in condition.items for line in describe(item, indent + 1)]
    if isinstance(condition, Not):
        return [pad + "not:", *describe(condition.item, indent + 1)]
    assert isinstance(condition, Predicate)
    op = condition.operator
    if OPERATORS[op].argument == "none":
        return [f"{pad}{condition.field} is {op}"]
    arg = condition.argument
    if isinstance(arg, list | tuple):
        arg = "[" + ", ".join(str(a) for a in arg) + "]"
    elif isinstance(arg, bool):
        arg = str(arg).lower()
    return [f"{pad}{condition.field} {op.replace('_', ' ')} {arg}"]
