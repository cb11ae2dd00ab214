"""The verdict: the output contract. Plain values, turned into JSON-ready dicts by ``to_dict``.

Every key of ``to_dict`` is documented in the README; add keys, never rename them (or bump SCHEMA_VERSION).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Problem

SCHEMA_VERSION = 1
SUBTYPES = ("scope", "posture", "formality")


@dataclass(frozen=True)
class Criterion:
    """What one rule found: met, not met, unknown (a fact it reads is unknown) or not applicable."""

    rule: str
    title: str
    decision: str
    value: Any
    status: str  # "met" | "not_met" | "unknown" | "not_applicable"
    facts: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "decides": self.decision,
            "gives": self.value,
            "status": self.status,
            "facts": self.facts,
        }


@dataclass(frozen=True)
class Reason:
    """A borderline reason (or any collected flag): the rule that raised it and why."""

    rule: str
    title: str
    because: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "because": self.because}


@dataclass(frozen=True)
class Unknown:
    """What one unknown fact would decide: the label if it were present, and if it were absent."""

    field: str
    if_present: str
    if_absent: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "if_present": self.if_present, "if_absent": self.if_absent}


@dataclass(frozen=True)
class Change:
    """One fact changed in a what-if: the field as ``--set`` names it, its value now and the value tried."""

    field: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class WhatIf:
    """A smallest set of fact changes that gives another label or subtype, and the verdict it gives."""

    changes: tuple[Change, ...]
    label: str
    decisions: dict[str, Any]  # subtype decisions, as in Verdict.decisions

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"changes": [c.to_dict() for c in self.changes], "label": self.label}
        data.update({name: self.decisions.get(name) for name in SUBTYPES})
        data.update({k: v for k, v in self.decisions.items() if k not in SUBTYPES})
        return data


@dataclass(frozen=True)
class Alignment:
    """A verdict's place on the alignment scale: rank 1 is the most alliance-like (classifier.alignment)."""

    rank: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name}


@dataclass(frozen=True)
class Verdict:
    """What an arrangement is, by one rule set, and why."""

    source: str
    name: str
    short_name: str | None
    members: tuple[str, ...]
    label: str
    decisions: dict[
        str, Any
    ]  # subtype decisions (scope, posture, formality, ...) -> value, "unknown" or None
    borderline: tuple[Reason, ...]
    criteria: tuple[Criterion, ...]
    justification: tuple[str, ...]
    unknowns: tuple[Unknown, ...]
    possible_labels: tuple[str, ...]
    ruleset: str
    ruleset_hash: str
    citation: str
    alignment: Alignment | None = None
    what_would_change: tuple[WhatIf, ...] | None = None  # None: not searched (--brief, or nothing shows it)
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()  # said on stderr (unrecognised members, ...), not part of the record

    @property
    def scope(self) -> str | None:
        return self.decisions.get("scope")

    @property
    def posture(self) -> str | None:
        return self.decisions.get("posture")

    @property
    def formality(self) -> str | None:
        return self.decisions.get("formality")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "status": "ok",
            "source": self.source,
            "name": self.name,
            "short_name": self.short_name,
            "members": list(self.members),
            "label": self.label,
            "scope": self.scope,
            "posture": self.posture,
            "formality": self.formality,
        }
        data.update({k: v for k, v in self.decisions.items() if k not in SUBTYPES})
        data.update(
            {
                "borderline": bool(self.borderline),
                "borderline_reasons": [r.to_dict() for r in self.borderline],
                "alignment": self.alignment.to_dict() if self.alignment else None,
                "possible_labels": list(self.possible_labels),
                "unknowns": [u.to_dict() for u in self.unknowns],
                "what_would_change": (
                    None if self.what_would_change is None else [w.to_dict() for w in self.what_would_change]
                ),
                "justification": list(self.justification),
                "criteria": [c.to_dict() for c in self.criteria],
                "rules": {"name": self.ruleset, "hash": self.ruleset_hash},
                "citation": self.citation,
            }
        )
        data.update(self.extra)
        return data


def error_record(source: str, problems: list[Any]) -> dict[str, Any]:
    """An input that could not be classified, as a record beside the verdicts, so nothing is dropped."""
    return {
        "schema_version": SCHEMA_VERSION,
        "status": "error",
        "source": source,
        "errors": [
            {
                "line": p.line,
                "column": p.column,
                "field": p.field,
                "message": p.message,
                "hint": p.hint,
                "text": str(p),
            }
            for p in problems
        ],
    }
