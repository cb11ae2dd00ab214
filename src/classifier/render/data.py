"""Machine formats: a JSON array, JSON Lines (streamed), and CSV with flat columns."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from ..batch import Failure, Result
from . import RenderOptions, Tally


def render_json(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    """One JSON array, a record per line, written as results arrive: nothing is held back to the end.

    A record per line keeps the array easy to grep, head and diff; ``| jq`` shows it indented.
    """
    tally = Tally()
    stream.write("[")
    for index, result in enumerate(results):
        tally.add(result)
        stream.write(("\n" if index == 0 else ",\n") + JSON_LINE.encode(result.to_dict()))
    stream.write("\n]\n" if tally.classified + tally.failed else "]\n")
    return tally


# one compact encoder for every line (a record holds no cycles, so the check for them is skipped)
JSON_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def render_jsonl(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    """One JSON object per line, each written and flushed as soon as it is ready: the streaming format."""
    tally = Tally()
    for result in results:
        tally.add(result)
        stream.write(JSON_LINE.encode(result.to_dict()) + "\n")
        stream.flush()
    return tally


CSV_COLUMNS = (
    "source",
    "status",
    "name",
    "short_name",
    "label",
    "scope",
    "posture",
    "formality",
    "borderline",
    "borderline_reasons",
    "possible_labels",
    "member_count",
    "members",
    "rules",
    "rules_hash",
    "error",
)


def csv_row(result: Result) -> dict[str, Any]:
    """One flat row: lists joined with '; ', booleans as true/false, absent values empty."""
    if isinstance(result, Failure):
        return {
            "source": result.source,
            "status": "error",
            "error": "; ".join(str(p) for p in result.problems),
        }
    return {
        "source": result.source,
        "status": "ok",
        "name": result.name,
        "short_name": result.short_name or "",
        "label": result.label,
        "scope": result.scope or "",
        "posture": result.posture or "",
        "formality": result.formality or "",
        "borderline": "true" if result.borderline else "false",
        "borderline_reasons": "; ".join(r.rule for r in result.borderline),
        "possible_labels": "; ".join(result.possible_labels),
        "member_count": len(result.members),
        "members": "; ".join(result.members),
        "rules": result.ruleset,
        "rules_hash": result.ruleset_hash,
        "error": "",
    }


def render_csv(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    tally = Tally()
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    for result in results:
        tally.add(result)
        writer.writerow(csv_row(result))
    return tally
