"""The alignment scale: every verdict has a place, from integrated defence alliance (1) to no alignment (8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from classifier import RuleSet, classify
from classifier.alignment import SCALE
from classifier.arrangement import Arrangement
from classifier.cli import main

ROOT = Path(__file__).resolve().parent.parent
BASE: dict[str, Any] = {"name": "Test", "members": ["A", "B", "C"], "instrument": "treaty"}
PARTNERS: dict[str, Any] = {"domains": ["defence", "trade"], "shared_objectives": ["stability"]}

CASES: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "alliance that plans defence together",
        {"obligations": {"mutual_defence": True}, "common_defence_strategy": True},
        1,
        "integrated_defence_alliance",
    ),
    ("alliance by treaty", {"obligations": {"mutual_defence": True}}, 2, "formal_alliance"),
    (
        "alliance by declaration",
        {"obligations": {"mutual_defence": True}, "instrument": "joint_declaration"},
        3,
        "informal_alliance",
    ),
    (
        "alliance whose formality is not known",
        {"obligations": {"mutual_defence": True}, "instrument": None},
        3,
        "informal_alliance",
    ),
    (
        "partnership that exercises together",
        {**PARTNERS, "joint_exercises": True},
        4,
        "alliance_in_the_making",
    ),
    ("partnership that names a threat", {**PARTNERS, "threat": "a rival"}, 4, "alliance_in_the_making"),
    ("partnership", PARTNERS, 5, "strategic_partnership"),
    (
        "pact of neutrality",
        {"obligations": {"neutrality": True}, "domains": ["diplomacy"]},
        6,
        "pact_short_of_defence",
    ),
    ("trade pact", {"domains": ["trade", "investment"]}, 7, "single_issue_cooperation"),
    ("nothing at all", {}, 8, "no_alignment"),
]


@pytest.mark.parametrize(("case", "fields", "rank", "name"), CASES, ids=[c[0] for c in CASES])
def test_each_level_of_the_scale(
    case: str, fields: dict[str, Any], rank: int, name: str, ruleset: RuleSet
) -> None:
    """Each kind of arrangement lands on its level, by rank and name."""
    verdict = classify(Arrangement.model_validate({**BASE, **fields}), ruleset, what_if=False)
    assert verdict.alignment is not None
    assert verdict.alignment.to_dict() == {"rank": rank, "name": name}


def test_an_open_verdict_takes_the_least_alliance_like_place(ruleset: RuleSet) -> None:
    """Alliance or partnership (an unknown pledge) is placed as the partnership it is at least."""
    fields = {**PARTNERS, "obligations": {"mutual_defence": "unknown"}}
    verdict = classify(Arrangement.model_validate({**BASE, **fields}), ruleset, what_if=False)
    assert verdict.label == "indeterminate"
    assert verdict.alignment is not None
    assert (verdict.alignment.rank, verdict.alignment.name) == (5, "strategic_partnership")


def test_scale_is_ranked_one_to_n_with_unique_names() -> None:
    """Ranks run 1, 2, ... without gaps; every name is distinct and snake_case."""
    assert [level.rank for level in SCALE] == list(range(1, len(SCALE) + 1))
    assert len({level.name for level in SCALE}) == len(SCALE)
    assert all(level.name == level.name.lower().replace(" ", "_") for level in SCALE)


def test_readme_documents_every_level() -> None:
    """The README's scale table lists every level with its rank."""
    readme = (ROOT / "README.md").read_text("utf-8")
    for level in SCALE:
        assert f"| {level.rank} | `{level.name}` |" in readme


def test_corpus_sorts_alliances_before_partnerships_before_the_rest() -> None:
    """Sorted by rank, the examples put every alliance before every partnership, and those before the rest."""
    result = CliRunner().invoke(main, ["examples/", "--format", "jsonl", "--brief"], catch_exceptions=False)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    ranks = {
        label: [r["alignment"]["rank"] for r in records if r["label"] == label]
        for label in ("alliance", "strategic_partnership", "neither")
    }
    assert max(ranks["alliance"]) < min(ranks["strategic_partnership"])
    assert max(ranks["strategic_partnership"]) < min(ranks["neither"])


def test_text_output_shows_the_place() -> None:
    """The full text verdict names its place on the scale under the members."""
    out = CliRunner().invoke(main, ["examples/quad.yaml"], catch_exceptions=False).stdout
    assert out.splitlines()[3] == "alignment 4 of 8: alliance in the making"


def test_a_framework_without_formality_is_placed_by_its_instrument() -> None:
    """Under COW's rule set, which decides no formality, a treaty alliance is a formal alliance."""
    args = ["examples/molotov-ribbentrop-pact.yaml", "--framework", "cow", "--format", "json", "--brief"]
    (result,) = json.loads(CliRunner().invoke(main, args, catch_exceptions=False).stdout)
    assert (result["label"], result["alignment"]) == ("alliance", {"rank": 2, "name": "formal_alliance"})
