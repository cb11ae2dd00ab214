"""What would change the verdict: every proposed change set flips the verdict through --set, and is minimal."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import RuleSet, Verdict
from classifier.arrangement import DOMAINS, FACTS, FIXED_FACTS, facts_of, parse_arrangement
from classifier.batch import classify_document
from classifier.cli import main
from classifier.counterfactual import (
    MAX_CHANGES,
    _facts_after,
    apply_changes,
    candidates,
    parse_set,
    plan_for,
)
from classifier.engine import ClassifyOptions, classify, use_options
from classifier.errors import InputError
from classifier.reading import Document, read_path

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p.name for p in (ROOT / "examples").glob("*.yaml"))
Outcome = tuple[Any, ...]


def document_of(name: str) -> Document:
    (document,) = read_path(f"examples/{name}")
    return document


def via_set(document: Document, changes: list[tuple[str, Any]], ruleset: RuleSet) -> Outcome:
    """The verdict with ``changes`` applied exactly as ``--set`` applies them (batch.classify_document)."""
    with use_options(ClassifyOptions(changes=tuple(changes), what_if=False)):
        result = classify_document(replace(document), ruleset)
    assert isinstance(result, Verdict), result
    return (result.label, result.scope, result.posture, result.formality)


def outcome(what_if: Any) -> Outcome:
    return (
        what_if.label,
        what_if.decisions["scope"],
        what_if.decisions["posture"],
        what_if.decisions["formality"],
    )


def frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def proposed(
    document: Document, ruleset: RuleSet
) -> tuple[Verdict, dict[frozenset[tuple[str, Any]], Outcome]]:
    verdict = classify(parse_arrangement(document), ruleset, document.source, what_if=True)
    assert verdict.what_would_change is not None
    sets = {
        frozenset((c.field, frozen(c.after)) for c in w.changes): outcome(w)
        for w in verdict.what_would_change
    }
    assert len(sets) == len(verdict.what_would_change), "no change set is proposed twice"
    return verdict, sets


@pytest.mark.parametrize("name", FILES)
def test_every_proposed_change_set_flips_the_verdict_through_set(name: str, ruleset: RuleSet) -> None:
    """Applied with --set's code path, each proposed change set gives exactly the verdict proposed, never the same."""
    document = document_of(name)
    verdict, sets = proposed(document, ruleset)
    base = via_set(document, [], ruleset)
    assert base == (verdict.label, verdict.scope, verdict.posture, verdict.formality)
    for changes, expected in sets.items():
        got = via_set(document, sorted(changes), ruleset)
        assert got == expected != base, sorted(changes)


@pytest.mark.parametrize("name", FILES)
def test_proposed_sets_are_exactly_the_minimal_ones(name: str, ruleset: RuleSet) -> None:
    """Trying every set of up to MAX_CHANGES candidate changes through --set finds exactly the sets proposed."""
    document = document_of(name)
    arrangement = parse_arrangement(document)
    plan = plan_for(ruleset)
    facts = facts_of(arrangement)
    found = candidates(plan, arrangement, facts, plan.state_of(facts))
    base = via_set(document, [], ruleset)
    results: dict[tuple[int, ...], Outcome] = {}
    minimal: dict[frozenset[tuple[str, Any]], Outcome] = {}
    for size in range(1, MAX_CHANGES + 1):
        for combo in itertools.combinations(range(len(found)), size):
            if len({found[i].effect[0] for i in combo}) < size:
                continue  # one change per field
            changes = [(found[i].change.field, found[i].change.after) for i in combo]
            results[combo] = got = via_set(document, changes, ruleset)
            parts = (sub for n in range(1, size) for sub in itertools.combinations(combo, n))
            if got != base and all(results[sub] != got for sub in parts):
                minimal[frozenset((f, frozen(v)) for f, v in changes)] = got
    assert proposed(document, ruleset)[1] == minimal


@pytest.mark.parametrize("name", FILES)
def test_each_candidate_changes_the_facts_as_set_would(name: str, ruleset: RuleSet) -> None:
    """The search's shortcut from a change to the facts it alters agrees with validating the changed file."""
    document = document_of(name)
    arrangement = parse_arrangement(document)
    facts = facts_of(arrangement)
    plan = plan_for(ruleset)
    for candidate in candidates(plan, arrangement, facts, plan.state_of(facts)):
        change = candidate.change
        expected = {**facts, **_facts_after(arrangement, facts, change.field, change.after)}
        changed = parse_arrangement(
            replace(document, data=apply_changes(document.data, [(change.field, change.after)]))
        )
        assert facts_of(changed) == expected, change


def test_members_names_and_dates_are_never_proposed(ruleset: RuleSet) -> None:
    """Facts that cannot change (members, their rivalries, the name, the dates) are in no proposed change."""
    fields = set()
    for name in FILES:
        verdict = proposed(document_of(name), ruleset)[0]
        fields |= {c.field for w in verdict.what_would_change or () for c in w.changes}
    assert fields.isdisjoint(FIXED_FACTS | {"signed", "ended", "short_name", "sources", "notes"})
    assert {"obligations.mutual_defence", "obligations.offensive", "legally_binding", "domains"} <= fields


def test_quad_would_be_a_defensive_alliance_with_a_pledge_and_formal_in_a_treaty(ruleset: RuleSet) -> None:
    """The Quad: a mutual-defence pledge makes a multilateral defensive alliance; binding it in law makes it formal."""
    verdict, _ = proposed(document_of("quad.yaml"), ruleset)
    first = [
        ([(c.field, c.before, c.after) for c in w.changes], outcome(w))
        for w in (verdict.what_would_change or ())[:4]
    ]
    assert first == [
        (
            [("obligations.mutual_defence", False, True)],
            ("alliance", "multilateral", "defensive", "informal"),
        ),
        ([("obligations.offensive", False, True)], ("alliance", "multilateral", "offensive", "informal")),
        (
            [("obligations.mutual_defence", False, True), ("legally_binding", False, True)],
            ("alliance", "multilateral", "defensive", "formal"),
        ),
        (
            [("obligations.offensive", False, True), ("legally_binding", False, True)],
            ("alliance", "multilateral", "offensive", "formal"),
        ),
    ]


def test_an_open_verdict_says_what_each_unknown_would_decide(ruleset: RuleSet) -> None:
    """Iran-Syria: alliance if the unknown defence pledge is there, strategic partnership if it is not."""
    verdict, sets = proposed(document_of("iran-syria-defence-agreement-2006.yaml"), ruleset)
    assert verdict.label == "indeterminate"
    assert [u.to_dict() for u in verdict.unknowns] == [
        {
            "field": "obligations.mutual_defence",
            "if_present": "alliance",
            "if_absent": "strategic_partnership",
        }
    ]
    assert sets[frozenset({("obligations.mutual_defence", True)})] == (
        "alliance",
        "bilateral",
        "defensive",
        "unknown",
    )
    assert sets[frozenset({("obligations.mutual_defence", False)})] == (
        "strategic_partnership",
        None,
        None,
        None,
    )


# --- arrangements that are not in the repo ---------------------------------------------------------------------

TRI = st.sampled_from([True, False, "unknown"])
ARRANGEMENTS = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Pact of Amity", "Strategic Partnership", "Defence Alliance", "Dialogue"]),
        "members": st.sampled_from([["A", "B"], ["A", "B", "C"], ["A", "B", "C", "D", "E"]]),
        "instrument": st.sampled_from(["treaty", "joint_declaration", "mou", "unknown"]),
        "obligations": st.fixed_dictionaries(
            {k: TRI for k in ("mutual_defence", "offensive", "neutrality", "non_aggression", "consultation")}
        ),
        "common_defence_strategy": TRI,
        "joint_exercises": TRI,
        "rivals_among_members": TRI,
        "domains": st.lists(st.sampled_from(sorted(DOMAINS)), max_size=5, unique=True),
        "shared_objectives": st.lists(
            st.sampled_from(["peace", "trade", "stability"]), max_size=2, unique=True
        ),
        "threat": st.sampled_from([None, "a rival"]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=ARRANGEMENTS)
def test_proposed_sets_flip_and_are_minimal_on_new_arrangements(
    data: dict[str, Any], ruleset: RuleSet
) -> None:
    """On generated arrangements, each proposed set gives its verdict through --set and no smaller part does."""
    document = Document("generated.yaml", data, "")
    _, sets = proposed(document, ruleset)
    base = via_set(document, [], ruleset)
    for changes, expected in sets.items():
        assert via_set(document, sorted(changes), ruleset) == expected != base
        for n in range(1, len(changes)):
            for part in itertools.combinations(sorted(changes), n):
                assert via_set(document, list(part), ruleset) != expected, part


# --- --set ------------------------------------------------------------------------------------------------------


def test_apply_changes_reaches_into_mappings_and_keeps_evidence() -> None:
    """A dotted field sets a nested value; a fact with evidence keeps it; the other spelling is replaced."""
    data = {
        "name": "X",
        "members": ["A", "B"],
        "obligations": {"mutual_defense": False, "consultation": {"present": False, "article": "Art. 4"}},
    }
    changed = apply_changes(
        data,
        [
            ("obligations.mutual_defence", True),
            ("obligations.consultation", True),
            ("obligations.offensive.asymmetric", True),
            ("joint_exercises.text", "annual drills"),
            ("domains", ["defence"]),
        ],
    )
    assert changed["obligations"] == {
        "mutual_defence": True,
        "consultation": {"present": True, "article": "Art. 4"},
        "offensive": {"present": False, "asymmetric": True},
    }
    assert changed["joint_exercises"] == {"present": False, "text": "annual drills"}
    assert changed["domains"] == ["defence"]
    assert data["obligations"] == {
        "mutual_defense": False,
        "consultation": {"present": False, "article": "Art. 4"},
    }


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("obligations.mutual_defence=true", ("obligations.mutual_defence", True)),
        ("obligations.mutual_defense=unknown", ("obligations.mutual_defence", "unknown")),
        ("instrument=treaty", ("instrument", "treaty")),
        ("domains=[defence, trade]", ("domains", ["defence", "trade"])),
        ("members=[NO, SE]", ("members", ["NO", "SE"])),
        ("threat=", ("threat", None)),
        ("name=Pact = of Steel", ("name", "Pact = of Steel")),
    ],
)
def test_set_values_are_read_as_strict_yaml(spec: str, expected: tuple[str, Any]) -> None:
    """--set values are YAML 1.2 scalars or flow lists (NO stays Norway); only the first '=' splits."""
    assert parse_set(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("membres=[A, B]", "--set: membres: unknown field (did you mean 'members'?)"),
        (
            "obligations.mutual_defnce=true",
            "--set: obligations.mutual_defnce: unknown field (did you mean 'obligations.mutual_defence'?)",
        ),
        (
            "legally_binding",
            "--set: expected FIELD=VALUE, got 'legally_binding' (e.g. --set legally_binding=true)",
        ),
        (
            "domains=[defence",
            "--set: domains: '[defence' is not a value: expected ',' or ']': the list opened at line 1, column 1 is not closed",
        ),
    ],
)
def test_set_errors_are_located_with_a_suggestion(spec: str, message: str) -> None:
    """A --set that names no field, or gives no readable value, is one problem in the usual shape."""
    with pytest.raises(InputError) as caught:
        parse_set(spec)
    assert [str(p) for p in caught.value.problems] == [message]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_set_classifies_the_what_if() -> None:
    """classify quad.yaml --set obligations.mutual_defence=true: a multilateral defensive informal alliance."""
    code, out, err = run("examples/quad.yaml", "--set", "obligations.mutual_defence=true", "--format", "json")
    (result,) = json.loads(out)
    assert (code, err) == (0, "")
    assert (result["label"], result["scope"], result["posture"], result["formality"]) == (
        "alliance",
        "multilateral",
        "defensive",
        "informal",
    )


def test_cli_set_errors_exit_2_before_reading_input() -> None:
    """Every bad --set is reported at once, in the usual shape, with exit 2 and nothing on stdout."""
    code, out, err = run("examples/quad.yaml", "--set", "membres=[A]", "--set", "instrument=treatie")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "--set: membres: unknown field (did you mean 'members'?)",
        "--set: instrument: unknown instrument 'treatie' (did you mean 'treaty'?)",
    ]


def test_cli_set_does_not_apply_with_compare() -> None:
    """--set with --compare is a usage error rather than a silent no-op."""
    code, _, err = run("examples/quad.yaml", "--compare", "--set", "legally_binding=true")
    assert (code, err) == (2, "classify: --set does not apply with --compare: give one of them\n")


def test_cli_set_reaches_worker_processes() -> None:
    """With two worker processes the --set changes still apply: the output equals the serial one."""
    args = ["examples/", "--set", "obligations.mutual_defence=true", "--format", "jsonl", "--brief"]
    serial, parallel = run(*args, "--jobs", "1"), run(*args, "--jobs", "2")
    assert serial == parallel
    assert {json.loads(line)["label"] for line in serial[1].splitlines()} == {"alliance"}


def test_cli_text_shows_what_would_change_and_brief_hides_it() -> None:
    """The text output has the section under the justification with a --set to try; --brief leaves it out."""
    out = run("examples/quad.yaml")[1]
    section = out[out.index("What would change the verdict") : out.index("\nRules:")]
    assert section.splitlines()[1:3] == [
        " →  alliance: multilateral, defensive, informal",
        "      if obligations.mutual_defence were true (now false)",
    ]
    assert " Try one: classify examples/quad.yaml --set obligations.mutual_defence=true" in section
    assert out.index("Why") < out.index("What would change the verdict")
    assert "What would change the verdict" not in run("examples/quad.yaml", "--brief")[1]


def test_cli_json_lists_what_would_change_unless_brief() -> None:
    """JSON carries what_would_change as [{changes: [{field, from, to}], label, scope, posture, formality}]."""
    (result,) = json.loads(run("examples/quad.yaml", "--format", "json")[1])
    assert result["what_would_change"][0] == {
        "changes": [{"field": "obligations.mutual_defence", "from": False, "to": True}],
        "label": "alliance",
        "scope": "multilateral",
        "posture": "defensive",
        "formality": "informal",
    }
    (brief,) = json.loads(run("examples/quad.yaml", "--format", "json", "--brief")[1])
    assert brief["what_would_change"] is None


def test_searched_facts_are_facts_rules_read(ruleset: RuleSet) -> None:
    """The plan's atoms are predicates of known facts, and every fact a deciding rule reads has atoms."""
    plan = plan_for(ruleset)
    assert {atom.field for atom in plan.atoms} <= set(FACTS)
    read = {f for d in plan.decisions for r in ruleset.rules_for(d.name) for f in r.when.fields()}
    assert read == set(plan.field_atoms)


def test_readme_shows_the_quads_what_ifs_as_the_tool_prints_them() -> None:
    """Every line of the README's example under 'What would change the verdict' is in the real output, in order."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## What would change the verdict\n", 1)[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "$ classify examples/quad.yaml"
    out = run("examples/quad.yaml")[1].splitlines()
    position = 0
    for line in block[1:]:
        if line.strip() == "...":
            continue
        position = out.index(line, position) + 1
