"""The alignment scale: an ordinal place for every verdict, from integrated defence alliance to no alignment.

The label says what an arrangement is; the scale says how alliance-like it is, so a batch can be sorted from
most to least alliance-like (rank 1 first). Each level is tried in rank order and the first that fits is the
verdict's place. The levels follow the article's distinctions: a pledge to fight (alliance), bound in law or
not (formal, informal), with shared defence strategies on top; below it, partnerships with and without the
signals that make some call one an "alliance in the making"; below those, pledges short of defence,
cooperation on a single front, and nothing at all.

Only what is known counts: an unknown fact counts as absent, an unknown formality as informal, and an
indeterminate verdict is placed by the least alliance-like label it could have. Under a rule set that does
not decide formality (ATOP's, COW's), an alliance is formal when its instrument binds in law.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .verdict import Alignment

LABEL_ORDER = ("alliance", "strategic_partnership")  # most alliance-like first; any other label ranks below


def _holds(facts: Mapping[str, Any], name: str) -> bool:
    return facts.get(name) is True


def _integrated(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    return label == "alliance" and _holds(facts, "common_defence_strategy")


def _formal(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    if "formality" not in decisions:  # a rule set that does not decide formality: the instrument does
        return label == "alliance" and _holds(facts, "legally_binding")
    return label == "alliance" and decisions["formality"] == "formal"


def _informal(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    return label == "alliance"


def _in_the_making(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    signals = (
        bool(facts.get("threat"))
        or _holds(facts, "common_defence_strategy")
        or _holds(facts, "joint_exercises")
    )
    return label == "strategic_partnership" and signals


def _partnership(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    return label == "strategic_partnership"


def _short_of_defence(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    return any(
        _holds(facts, f"obligations.{kind}") for kind in ("consultation", "neutrality", "non_aggression")
    )


def _single_issue(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    return bool(facts.get("domains") or facts.get("shared_objectives"))


def _nothing(label: str, decisions: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Level:
    """One place on the scale: its rank (1 is the most alliance-like), name, meaning, and its test."""

    rank: int
    name: str
    doc: str
    fits: Callable[[str, Mapping[str, Any], Mapping[str, Any]], bool]


SCALE: tuple[Level, ...] = (
    Level(
        1,
        "integrated_defence_alliance",
        "an alliance whose members also plan defence together (joint planning, integrated command, basing)",
        _integrated,
    ),
    Level(
        2, "formal_alliance", "an alliance whose pledge stands in an instrument that binds in law", _formal
    ),
    Level(
        3,
        "informal_alliance",
        "an alliance on a political pledge, or whose formality is not known",
        _informal,
    ),
    Level(
        4,
        "alliance_in_the_making",
        "a strategic partnership with alliance-like signals: a named threat, defence planning, exercises",
        _in_the_making,
    ),
    Level(
        5,
        "strategic_partnership",
        "security cooperation towards shared aims, with no pledge to fight",
        _partnership,
    ),
    Level(
        6,
        "pact_short_of_defence",
        "no alliance or partnership, but a pledge to consult, to stay neutral or not to attack one another",
        _short_of_defence,
    ),
    Level(
        7,
        "single_issue_cooperation",
        "no alliance or partnership: cooperation in some domains or towards some aims, security aside",
        _single_issue,
    ),
    Level(8, "no_alignment", "no pledge and no cooperation recorded", _nothing),
)


def _least_aligned(possible_labels: Sequence[str]) -> str:
    for label in ("neither", *reversed(LABEL_ORDER)):
        if label in possible_labels:
            return label
    return possible_labels[-1] if possible_labels else "neither"


def align(
    label: str, decisions: Mapping[str, Any], possible_labels: Sequence[str], facts: Mapping[str, Any]
) -> Alignment:
    """The verdict's place on SCALE; an open verdict takes the least alliance-like label it could have."""
    if label not in LABEL_ORDER and possible_labels and label not in possible_labels:
        label = _least_aligned(possible_labels)
    for level in SCALE:
        if level.fits(label, decisions, facts):
            return Alignment(level.rank, level.name)
    raise AssertionError("the last level fits every verdict")  # pragma: no cover
