"""Three-valued logic: unknown flows through all / any / not as in Kleene's logic."""

from __future__ import annotations

import itertools

import pytest

from classifier.logic import All, Any_, Not, Predicate

VALUES = (True, False, None)


def fact(value: bool | None) -> Predicate:
    return Predicate(f"f{value}", "present", None, "tri")


FACTS = {"fTrue": True, "fFalse": False, "fNone": None}


def kleene_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def kleene_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


@pytest.mark.parametrize(("a", "b"), list(itertools.product(VALUES, VALUES)))
def test_all_and_any_follow_kleene(a: bool | None, b: bool | None) -> None:
    """all/any give Kleene's strong conjunction and disjunction for every pair of values."""
    assert All((fact(a), fact(b))).evaluate(FACTS) is kleene_and(a, b)
    assert Any_((fact(a), fact(b))).evaluate(FACTS) is kleene_or(a, b)


@pytest.mark.parametrize("a", VALUES)
def test_not_keeps_unknown(a: bool | None) -> None:
    """not flips true and false and leaves unknown unknown."""
    assert Not(fact(a)).evaluate(FACTS) is (None if a is None else not a)


@pytest.mark.parametrize(
    ("predicate", "facts", "expected"),
    [
        (Predicate("n", "at_least", 3, "count"), {"n": 4}, True),
        (Predicate("n", "at_least", 3, "count"), {"n": 2}, False),
        (Predicate("l", "at_least", 1, "list"), {"l": []}, False),
        (Predicate("l", "has", "trade", "list"), {"l": ["trade"]}, True),
        (Predicate("l", "has_any", ("a", "b"), "list"), {"l": ["c"]}, False),
        (Predicate("e", "is", "treaty", "enum"), {"e": None}, None),
        (Predicate("e", "in", ("treaty",), "enum"), {"e": "treaty"}, True),
        (Predicate("t", "present", None, "text"), {"t": None}, False),
        (Predicate("t", "mentions", ("defence pact",), "text"), {"t": "A Defence  Pact of 1950"}, True),
        (Predicate("t", "mentions", ("pact",), "text"), {"t": "Impact"}, False),
        (Predicate("b", "is", False, "tri"), {"b": None}, None),
        (Predicate("b", "absent", None, "tri"), {"b": False}, True),
    ],
)
def test_predicates(predicate: Predicate, facts: dict[str, object], expected: bool | None) -> None:
    """Each operator gives true, false, or unknown only where the fact it reads is unknown."""
    assert predicate.evaluate(facts) is expected
