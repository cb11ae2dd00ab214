"""The engine: decisions by priority, Kleene unknowns, and what each unknown fact would decide."""

from __future__ import annotations

from classifier import RuleSet, classify
from classifier.arrangement import Arrangement

BASE = {"name": "Test pact", "members": ["A", "B", "C"], "instrument": "treaty"}


def verdict_of(ruleset: RuleSet, **fields: object) -> dict[str, object]:
    return classify(Arrangement.model_validate({**BASE, **fields}), ruleset, "t.yaml").to_dict()


def test_defence_pledge_makes_multilateral_defensive_formal_alliance(ruleset: RuleSet) -> None:
    """A treaty of three with a mutual-defence pledge is a multilateral defensive formal alliance."""
    v = verdict_of(ruleset, obligations={"mutual_defence": True})
    assert (v["label"], v["scope"], v["posture"], v["formality"]) == (
        "alliance",
        "multilateral",
        "defensive",
        "formal",
    )


def test_offensive_bilateral_informal(ruleset: RuleSet) -> None:
    """Two members, an offensive pledge, a joint declaration: a bilateral offensive informal alliance."""
    v = verdict_of(
        ruleset, members=["A", "B"], instrument="joint_declaration", obligations={"offensive": True}
    )
    assert (v["label"], v["scope"], v["posture"], v["formality"]) == (
        "alliance",
        "bilateral",
        "offensive",
        "informal",
    )


def test_name_does_not_decide(ruleset: RuleSet) -> None:
    """A 'strategic partnership' with a mutual-assistance clause is an alliance, flagged as borderline."""
    v = verdict_of(ruleset, name="Comprehensive Strategic Partnership", obligations={"mutual_defence": True})
    assert v["label"] == "alliance"
    assert [r["rule"] for r in v["borderline_reasons"]] == ["name-contradicts-content"]


def test_trade_pact_is_neither(ruleset: RuleSet) -> None:
    """No pledge and no security domain: neither."""
    v = verdict_of(ruleset, domains=["trade", "investment"], shared_objectives=["free trade"])
    assert v["label"] == "neither"
    assert v["scope"] is None


def test_security_cooperation_is_partnership(ruleset: RuleSet) -> None:
    """Security cooperation towards shared aims, with no pledge to fight, is a strategic partnership."""
    v = verdict_of(ruleset, domains=["defence", "trade"], shared_objectives=["stability"])
    assert v["label"] == "strategic_partnership"


def test_unknown_pledge_is_indeterminate_and_says_both_ways(ruleset: RuleSet) -> None:
    """An unknown defence pledge leaves the label open and says what each answer would make it."""
    v = verdict_of(
        ruleset, obligations={"mutual_defence": "unknown"}, domains=["defence"], shared_objectives=["x"]
    )
    assert v["label"] == "indeterminate"
    assert v["possible_labels"] == ["alliance", "strategic_partnership"]
    assert v["unknowns"] == [
        {
            "field": "obligations.mutual_defence",
            "if_present": "alliance",
            "if_absent": "strategic_partnership",
        }
    ]
    assert v["scope"] is None


def test_unknown_that_does_not_matter_leaves_label_decided(ruleset: RuleSet) -> None:
    """An unknown offensive pledge beside a known defence pledge: an alliance whose posture is unknown."""
    v = verdict_of(ruleset, obligations={"mutual_defence": True, "offensive": "unknown"})
    assert v["label"] == "alliance"
    assert v["posture"] == "unknown"
    assert v["unknowns"] == []


def test_unknown_binding_leaves_formality_unknown(ruleset: RuleSet) -> None:
    """No instrument and no legally_binding: the alliance's formality is unknown, its label is not."""
    v = verdict_of(ruleset, instrument=None, obligations={"mutual_defence": True})
    assert (v["label"], v["formality"]) == ("alliance", "unknown")


def test_same_input_same_output(ruleset: RuleSet) -> None:
    """Classifying twice gives the same verdict."""
    assert verdict_of(ruleset, obligations={"mutual_defence": True}) == verdict_of(
        ruleset, obligations={"mutual_defence": True}
    )
