"""Machine formats: a JSON array, JSON Lines (streamed), and CSV with flat columns."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TextIO, TypeVar

from ..batch import Failure, Result
from . import RenderOptions, Tally

R = TypeVar("R", bound="Record")


# one compact encoder for every line (a record holds no cycles, so the check for them is skipped)
JSON_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


class Record(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def write_json_array(records: Iterable[R], stream: TextIO, count: Callable[[R], None]) -> None:
    """One JSON array, a record per line, written as records arrive; ``count`` sees each one first.

    A record per line keeps the array easy to grep, head and diff; ``| jq`` shows it indented.
    """
    stream.write("[")
    written = False
    for record in records:
        count(record)
        stream.write(("," if written else "") + "\n" + JSON_LINE.encode(record.to_dict()))
        written = True
    stream.write("\n]\n" if written else "]\n")


def write_json_lines(records: Iterable[R], stream: TextIO, count: Callable[[R], None]) -> None:
    """One JSON object per line, each written and flushed as soon as it is ready: the streaming format."""
    for record in records:
        count(record)
        stream.write(JSON_LINE.encode(record.to_dict()) + "\n")
        stream.flush()


def render_json(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    """The verdicts as one JSON array (see write_json_array)."""
    tally = Tally()
    write_json_array(results, stream, tally.add)
    return tally


def render_jsonl(results: Iterable[Result], stream: TextIO, options: RenderOptions) -> Tally:
    """The verdicts as JSON Lines (see write_json_lines)."""
    tally = Tally()
    write_json_lines(results, stream, tally.add)
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
