"""The corpus in examples/: every file gets its expected verdict, the corpus covers every case, and its table is current."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from classifier import RuleSet, Verdict, read_arrangements
from classifier.batch import classify_file
from classifier.corpus import COMMAND, page
from classifier.engine import ClassifyOptions, use_options

ROOT = Path(__file__).resolve().parent.parent
EXPECTED: dict[str, dict[str, object]] = yaml.safe_load(
    (ROOT / "tests" / "expected_verdicts.yaml").read_text("utf-8")
)
FILES = sorted(p.name for p in (ROOT / "examples").glob("*.yaml"))
OBLIGATIONS = ("mutual_defence", "offensive", "neutrality", "non_aggression", "consultation")


def verdict_of(name: str, ruleset: RuleSet) -> Verdict:
    with use_options(ClassifyOptions(what_if=False)):
        (result,) = classify_file(f"examples/{name}", ruleset)
    assert isinstance(result, Verdict), result
    return result


def brief(verdict: Verdict) -> dict[str, object]:
    return {
        "label": verdict.label,
        "scope": verdict.scope,
        "posture": verdict.posture,
        "formality": verdict.formality,
        "borderline": sorted(r.rule for r in verdict.borderline),
    }


@pytest.mark.parametrize("name", FILES)
def test_example_gets_its_expected_verdict(name: str, ruleset: RuleSet) -> None:
    """Each example's label, subtypes and borderline signals are those tests/expected_verdicts.yaml gives."""
    assert brief(verdict_of(name, ruleset)) == EXPECTED[name]


def test_every_example_has_an_expected_verdict() -> None:
    """No example goes untested, and no expected verdict names a file that is not there."""
    assert sorted(EXPECTED) == FILES


def test_corpus_covers_every_label_subtype_and_signal(ruleset: RuleSet) -> None:
    """At least 25 arrangements over three centuries, with every label, subtype value and borderline rule."""
    verdicts = [verdict_of(name, ruleset) for name in FILES]
    years = {a.signed[:2] for name in FILES for a in read_arrangements(f"examples/{name}") if a.signed}
    assert len(FILES) >= 25
    assert years >= {"18", "19", "20"}
    assert {v.label for v in verdicts} == {"alliance", "strategic_partnership", "neither", "indeterminate"}
    for decision in ruleset.decisions:
        if decision.name != "label" and not decision.collect:
            assert {v.decisions[decision.name] for v in verdicts} >= set(decision.values), decision.name
    fired = {r.rule for v in verdicts for r in v.borderline}
    assert fired == {r.id for r in ruleset.rules if r.decision == "borderline"}


@pytest.mark.parametrize("name", FILES)
def test_example_cites_its_sources(name: str) -> None:
    """Every example lists its sources, and every obligation it records is located: an article, or the text."""
    for arrangement in read_arrangements(f"examples/{name}"):
        assert arrangement.sources
        for kind in OBLIGATIONS:
            fact = getattr(arrangement.obligations, kind)
            if fact.present:
                assert fact.article or fact.text, kind
                if arrangement.instrument == "treaty":
                    assert fact.article, f"{kind}: a treaty's obligation names its article"


def test_examples_readme_table_is_current(ruleset: RuleSet) -> None:
    """examples/README.md is exactly what the tool generates now; the failure names the command to run."""
    assert (ROOT / "examples" / "README.md").read_text("utf-8") == page("examples", ruleset), (
        f"stale: run `{COMMAND}`"
    )
