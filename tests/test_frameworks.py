"""Frameworks: the article's, ATOP's and the Correlates of War's rule sets, one at a time or side by side."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier import read_arrangements
from classifier.cli import main
from classifier.engine import classify
from classifier.frameworks import FRAMEWORKS, load_frameworks
from classifier.rules import RuleSet, shipped_rules_dir

CONSULTATION_TREATY = """\
name: Treaty of Consultation
members: [France, Poland]
instrument: treaty
obligations: [consultation]
"""


@pytest.fixture(scope="module")
def rulesets() -> dict[str, RuleSet]:
    return {ruleset.name: ruleset for ruleset in load_frameworks()}


def test_every_shipped_rule_set_is_a_framework() -> None:
    """The registry --framework reads is exactly the rule sets shipped in rules/, the article's first."""
    shipped = sorted(p.parent.name for p in Path(shipped_rules_dir()).glob("*/ruleset.yaml"))
    assert sorted(FRAMEWORKS) == shipped
    assert next(iter(FRAMEWORKS)) == "article"


# example -> {framework: (label, the decisions that are set)}
EXPECTED = {
    "nato": {
        "article": ("alliance", {"scope": "multilateral", "posture": "defensive", "formality": "formal"}),
        "atop": ("alliance", {"defense": "mutual_defence", "consul": "consultation"}),
        "cow": ("alliance", {"cow_type": "defence_pact"}),
    },
    "pact-of-steel": {
        "article": ("alliance", {"scope": "bilateral", "posture": "offensive", "formality": "formal"}),
        "atop": ("alliance", {"defense": "mutual_defence", "offense": "offensive", "consul": "consultation"}),
        "cow": ("alliance", {"cow_type": "defence_pact"}),
    },
    "molotov-ribbentrop-pact": {
        "article": ("neither", {}),
        "atop": ("alliance", {"neutral": "neutrality", "nonagg": "non_aggression", "consul": "consultation"}),
        "cow": ("alliance", {"cow_type": "neutrality_or_non_aggression_pact"}),
    },
    "reinsurance-treaty-1887": {
        "article": ("neither", {}),
        "atop": ("alliance", {"neutral": "neutrality"}),
        "cow": ("alliance", {"cow_type": "neutrality_or_non_aggression_pact"}),
    },
    "quad": {
        "article": ("strategic_partnership", {}),
        "atop": ("neither", {}),
        "cow": ("neither", {}),
    },
    "british-guarantee-to-poland-1939": {
        "atop": ("neither", {}),
        "cow": ("neither", {}),
    },
    "usmca": {
        "article": ("neither", {}),
        "atop": ("neither", {}),
        "cow": ("neither", {}),
    },
}


@pytest.mark.parametrize(("example", "framework"), [(e, f) for e, by in EXPECTED.items() for f in by])
def test_examples_through_each_lens(example: str, framework: str, rulesets: dict[str, RuleSet]) -> None:
    """Each framework labels the example as its scholars would, with its own subtypes."""
    (arrangement,) = read_arrangements(f"examples/{example}.yaml")
    verdict = classify(arrangement, rulesets[framework])
    label, decisions = EXPECTED[example][framework]
    assert verdict.label == label
    assert {k: v for k, v in verdict.decisions.items() if v is not None} == decisions


def test_a_consultation_only_treaty_divides_the_frameworks(
    rulesets: dict[str, RuleSet], tmp_path: Path
) -> None:
    """A treaty that only pledges consultation: an alliance for ATOP, an entente for COW, no alliance for the article."""
    path = tmp_path / "consult.yaml"
    path.write_text(CONSULTATION_TREATY)
    (arrangement,) = read_arrangements(str(path))
    article, atop, cow = (classify(arrangement, rulesets[name]) for name in ("article", "atop", "cow"))
    assert article.label != "alliance"
    assert "pledge-short-of-defence" in [reason.rule for reason in article.borderline]
    assert (atop.label, atop.decisions["consul"]) == ("alliance", "consultation")
    assert (cow.label, cow.decisions["cow_type"]) == ("alliance", "entente")


def test_an_unknown_instrument_leaves_atop_open(rulesets: dict[str, RuleSet], tmp_path: Path) -> None:
    """A pledge whose instrument is unknown may or may not be ATOP's: the verdict says both."""
    path = tmp_path / "open.yaml"
    path.write_text("name: Pact\nmembers: [Iran, Syria]\nobligations: [mutual_defence]\n")
    (arrangement,) = read_arrangements(str(path))
    verdict = classify(arrangement, rulesets["atop"])
    assert (verdict.label, verdict.possible_labels) == ("indeterminate", ("alliance", "neither"))


def test_framework_option_picks_the_rule_set(runner: CliRunner) -> None:
    """--framework cow classifies by the COW typology; the JSON names the rule set and carries cow_type."""
    result = runner.invoke(
        main, ["examples/nato.yaml", "--framework", "cow", "--format", "json"], catch_exceptions=False
    )
    assert (result.exit_code, result.stderr) == (0, "")
    (verdict,) = json.loads(result.stdout)
    assert (verdict["rules"]["name"], verdict["label"], verdict["cow_type"]) == (
        "cow",
        "alliance",
        "defence_pact",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--framework", "atop", "--rules", "rules/article"],
            "Error: --rules and --framework both choose the rule set: give one of them",
        ),
        (
            ["--framework", "atpo"],
            "Error: Invalid value for '--framework': 'atpo' is not one of 'article', 'atop', 'cow'.",
        ),
    ],
)
def test_framework_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    """A framework that does not exist, or one given with --rules, is a usage error: exit 2."""
    result = runner.invoke(main, ["examples/nato.yaml", *args], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == message


def test_compare_text_has_one_row_per_framework(runner: CliRunner) -> None:
    """--compare prints the arrangement, then one row per framework with its verdict."""
    result = runner.invoke(main, ["examples/nato.yaml", "--compare"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:7] == [
        "North Atlantic Treaty Organization (NATO)  examples/nato.yaml",
        "Belgium, Canada, Denmark, France, Iceland, Italy, Luxembourg, Netherlands, Norway, Portugal, United",
        "Kingdom, United States",
        "framework  verdict",
        "article    alliance: multilateral, defensive, formal",
        "atop       alliance: mutual defence, consultation",
        "cow        alliance: defence pact",
    ]
    assert "Why, by cow" in result.stdout


def test_compare_json_has_one_row_per_framework(runner: CliRunner) -> None:
    """--compare --format json: one object per arrangement, its normalised members, and a row per framework."""
    args = ["examples/quad.yaml", "examples/molotov-ribbentrop-pact.yaml", "--compare", "--format", "json"]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    quad, pact = json.loads(result.stdout)
    assert list(quad) == [
        "schema_version",
        "status",
        "source",
        "name",
        "short_name",
        "members",
        "normalised_members",
        "frameworks",
    ]
    assert [(row["framework"], row["label"]) for row in quad["frameworks"]] == [
        ("article", "strategic_partnership"),
        ("atop", "neither"),
        ("cow", "neither"),
    ]
    assert [row["borderline_reasons"][0]["rule"] for row in quad["frameworks"][1:]] == [
        "pledge-outside-signed-agreement"
    ] * 2
    assert [(row["framework"], row["label"]) for row in pact["frameworks"]] == [
        ("article", "neither"),
        ("atop", "alliance"),
        ("cow", "alliance"),
    ]
    assert pact["frameworks"][2]["decisions"] == {"cow_type": "neutrality_or_non_aggression_pact"}
    assert [m["cow"] for m in pact["normalised_members"]] == [255, 365]


def test_compare_csv_and_a_custom_rule_set(runner: CliRunner, tmp_path: Path) -> None:
    """--compare --format csv writes a row per framework; --rules DIR adds that rule set as one more row."""
    custom = tmp_path / "mine"
    shutil.copytree("rules/article", custom)
    manifest = custom / "ruleset.yaml"
    manifest.write_text(manifest.read_text().replace("name: article", "name: my-article"))
    args = ["examples/nato.yaml", "--compare", "--format", "csv", "--rules", str(custom)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [(r["framework"], r["label"]) for r in rows] == [
        ("article", "alliance"),
        ("atop", "alliance"),
        ("cow", "alliance"),
        ("my-article", "alliance"),
    ]
    assert rows[0]["decisions"] == "scope=multilateral; posture=defensive; formality=formal"


def test_compare_reports_a_bad_input_and_goes_on(runner: CliRunner, tmp_path: Path) -> None:
    """A bad file among the inputs is reported on stderr, the others compared, exit 1."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nmembers: [France]\n")
    result = runner.invoke(
        main, [str(bad), "examples/nato.yaml", "--compare", "--format", "jsonl"], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stderr == f"{bad}:2:1: members: an arrangement needs at least 2 members, got 1\n"
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["error", "ok"]
