"""Rule sets: every shipped rule's examples as tests, the checks made at load, extra rules, and naming."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.arrangement import DOMAINS, FACTS
from classifier.checks import _distinct, analyse, example_problems, group_of, load_example, predicates
from classifier.errors import RuleError
from classifier.logic import Predicate
from classifier.rules import (
    Example,
    Rule,
    RuleSet,
    load_ruleset,
    resolve_example,
    shipped_examples_dir,
    shipped_rulesets,
)

SHIPPED = {name: load_ruleset(folder) for name, folder in shipped_rulesets().items()}
EXAMPLE_CASES = [
    pytest.param(ruleset, rule, example, id=f"{name}/{rule.id}/{example.kind}/{Path(example.written).stem}")
    for name, ruleset in SHIPPED.items()
    for rule in ruleset.ranked
    for example in rule.examples
]
RULE_CASES = [
    pytest.param(rule, id=f"{name}/{rule.id}") for name, ruleset in SHIPPED.items() for rule in ruleset.ranked
]


def test_the_article_rule_set_ships() -> None:
    """The article's rule set is among the shipped ones, so the cases below are never empty."""
    assert "article" in SHIPPED
    assert len(EXAMPLE_CASES) >= 2 * len(SHIPPED["article"].rules)


@pytest.mark.parametrize(("ruleset", "rule", "example"), EXAMPLE_CASES)
def test_every_shipped_example_runs_as_a_test(ruleset: RuleSet, rule: Rule, example: Example) -> None:
    """Each example a shipped rule names is met if it is a hit, and not met if it is a miss."""
    loaded = load_example(example.path)
    assert loaded and all(isinstance(item, tuple) for item in loaded), loaded
    wanted = example.kind == "hit"
    for source, facts in loaded:
        assert rule.when.evaluate(facts) is wanted, f"{rule.id} on {source}"


@pytest.mark.parametrize("rule", RULE_CASES)
def test_every_shipped_rule_has_a_hit(rule: Rule) -> None:
    """A rule without an arrangement it is met on is a check failure; no shipped rule is one."""
    assert any(e.kind == "hit" for e in rule.examples)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_rule_sets_pass_every_check(name: str) -> None:
    """No shipped rule is unreachable or contradicts another, and every example holds."""
    ruleset = SHIPPED[name]
    assert analyse(ruleset) == ([], [])
    problems, count = example_problems(ruleset)
    assert problems == []
    assert count == sum(len(rule.examples) for rule in ruleset.rules)


# --- rule sets written for the test ---------------------------------------------------------------------


MANIFEST = """\
name: fixture
title: A small rule set for tests
source: The tests
decisions:
  label:
    values: [alliance, strategic_partnership, neither]
    otherwise: neither
  scope:
    values: [bilateral, multilateral]
    when_label: [alliance]
    otherwise: multilateral
  borderline:
    collect: true
"""
FIXTURE_RULES = {
    "pledge-makes-alliance": ("  obligations.mutual_defence: present", "{label: alliance}", 100),
    "exercises-make-partnership": ("  joint_exercises: present", "{label: strategic_partnership}", 50),
    "two-is-bilateral": ("  member_count: {is: 2}", "{scope: bilateral}", 0),
}


def copy_rules(tmp_path: Path, name: str = "mine") -> Path:
    """A copy of the article's rule set, as a researcher makes one."""
    folder = tmp_path / name
    shutil.copytree("rules/article", folder)
    return folder


def add_rule(folder: Path, rule_id: str, when: str, then: str, priority: int = 0, examples: str = "") -> Path:
    path = folder / f"{rule_id}.yaml"
    text = f"id: {rule_id}\ntitle: T\ncriterion: C.\npriority: {priority}\nwhen:\n{when}\nthen: {then}\nbecause: B.\n"
    path.write_text(text + examples)
    return path


def fixture_rules(tmp_path: Path) -> Path:
    """A rule set of three rules written here, so that lines and columns are known."""
    folder = tmp_path / "fixture"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(MANIFEST)
    for rule_id, (when, then, priority) in FIXTURE_RULES.items():
        add_rule(folder, rule_id, when, then, priority)
    return folder


def load_messages(folder: Path) -> list[str]:
    with pytest.raises(RuleError) as caught:
        load_ruleset(str(folder))
    return [str(p).replace(str(folder) + "/", "") for p in caught.value.problems]


def test_the_fixture_loads(tmp_path: Path) -> None:
    """The fixture rule set is sound, so every problem below comes from the one change each test makes."""
    assert [r.id for r in load_ruleset(str(fixture_rules(tmp_path))).ranked] == list(FIXTURE_RULES)


def test_a_shadowed_rule_stops_the_load(tmp_path: Path) -> None:
    """A rule met only where a rule tried before it decides is reported, with the rule that shadows it."""
    folder = fixture_rules(tmp_path)
    add_rule(folder, "defence-pact", "  obligations.mutual_defence: present", "{label: alliance}", 10)
    assert load_messages(folder) == [
        "defence-pact.yaml:1:1: defence-pact: never decides label: wherever it is met, 'pledge-makes-alliance' "
        "decides first (give it a priority above 100, or narrow the condition of 'pledge-makes-alliance')"
    ]


def test_contradicting_rules_stop_the_load(tmp_path: Path) -> None:
    """Two rules of one priority that can both be met and give different labels are reported, with a case."""
    folder = fixture_rules(tmp_path)
    add_rule(
        folder, "consultation-makes-alliance", "  obligations.consultation: present", "{label: alliance}", 50
    )
    assert load_messages(folder) == [
        "exercises-make-partnership.yaml:1:1: exercises-make-partnership: contradicts "
        "'consultation-makes-alliance' at the same priority (50): where both are met, label is alliance by "
        "'consultation-makes-alliance' and strategic_partnership by this rule, e.g. when "
        "obligations.consultation = true, joint_exercises = true (give one of them a higher priority)"
    ]


def test_a_rule_that_is_never_met_stops_the_load(tmp_path: Path) -> None:
    """A condition no arrangement satisfies is reported, and so is one met only where its decision is not made."""
    folder = fixture_rules(tmp_path)
    add_rule(
        folder,
        "never",
        "  all:\n    - joint_exercises: present\n    - joint_exercises: absent",
        "{borderline: true}",
    )
    add_rule(
        folder, "no-pledge-is-bilateral", "  obligations.mutual_defence: absent", "{scope: bilateral}", 5
    )
    assert load_messages(folder) == [
        "no-pledge-is-bilateral.yaml:1:1: no-pledge-is-bilateral: never met where scope is decided: "
        "only where the label is not alliance",
        "never.yaml:1:1: never: never met: no arrangement satisfies its condition (look for facts required both ways)",
    ]


def test_rules_that_overlap_with_the_same_answer_load(tmp_path: Path) -> None:
    """Two rules of one priority that overlap but give the same label load: only different answers contradict."""
    folder = fixture_rules(tmp_path)
    add_rule(
        folder,
        "planning-makes-partnership",
        "  common_defence_strategy: present",
        "{label: strategic_partnership}",
        50,
    )
    assert load_ruleset(str(folder)).rule("planning-makes-partnership").priority == 50


@pytest.mark.parametrize(
    ("when", "then", "expected"),
    [
        (
            "  obligations.consultaton: present",
            "{borderline: true}",
            "6:3: typo: unknown fact 'obligations.consultaton' (did you mean 'obligations.consultation'?)",
        ),
        (
            "  legally_binding: {is: yes}",
            "{borderline: true}",
            "6:3: typo: legally_binding: expected true or false, got 'yes'",
        ),
        (
            "  legally_binding: presnt",
            "{borderline: true}",
            "6:3: typo: unknown operator 'presnt' (did you mean 'present'?)",
        ),
        (
            "  instrument: {in: [treaty, tready]}",
            "{borderline: true}",
            "6:3: typo: instrument: unknown value 'tready' (did you mean 'treaty'?)",
        ),
        (
            "  any:\n    - joint_exercises: present\n    - domain_families: {has: securty}",
            "{borderline: true}",
            "8:7: typo: domain_families: unknown value 'securty' (did you mean 'security'?)",
        ),
        (
            "  member_count: {at_least: two}",
            "{borderline: true}",
            "6:3: typo: member_count: expected a whole number, got 'two'",
        ),
        (
            "  joint_exercises: present",
            "{label: aliance}",
            "7:8: typo: unknown label 'aliance' (did you mean 'alliance'?)",
        ),
        (
            "  joint_exercises: present",
            "{scoop: bilateral}",
            "7:8: typo: unknown decision 'scoop' (did you mean 'scope'?)",
        ),
    ],
    ids=[
        "fact",
        "value-type",
        "operator",
        "enum-value",
        "list-value",
        "number",
        "decision-value",
        "decision",
    ],
)
def test_a_typo_in_a_rule_gets_a_located_message(tmp_path: Path, when: str, then: str, expected: str) -> None:
    """A misspelt fact, operator or value is reported at its line and column, with the nearest valid name."""
    folder = fixture_rules(tmp_path)
    add_rule(folder, "typo", when, then)
    assert load_messages(folder) == [f"typo.yaml:{expected}"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("otherwise: neither", "otherwise: nether"),
            "ruleset.yaml:7:5: otherwise 'nether' is not one of the values of 'label' (did you mean 'neither'?)",
        ),
        (
            ("when_label: [alliance]", "when_label: [aliance]"),
            "ruleset.yaml:10:5: when_label: unknown label 'aliance' (did you mean 'alliance'?)",
        ),
        (("collect: true", "collect: yes"), "ruleset.yaml:13:5: 'collect' is true or false, got 'yes'"),
    ],
    ids=["otherwise", "when-label", "collect"],
)
def test_a_typo_in_the_manifest_gets_a_located_message(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    """The manifest's own values are checked too: otherwise must be a value, when_label a label."""
    folder = fixture_rules(tmp_path)
    path = folder / "ruleset.yaml"
    path.write_text(path.read_text().replace(*edit, 1))
    assert load_messages(folder) == [expected]


def test_every_problem_in_every_file_at_once(tmp_path: Path) -> None:
    """A file that is not YAML does not hide the problems of the others."""
    folder = fixture_rules(tmp_path)
    (folder / "broken.yaml").write_text("id: [unclosed\n")
    add_rule(folder, "typo", "  member_cont: {is: 2}", "{scope: bilateral}")
    (folder / "missing-keys.yaml").write_text("id: missing-keys\nwhen: {joint_exercises: present}\n")
    assert load_messages(folder) == [
        "broken.yaml:2:1: expected ',' or ']': the list opened at line 1, column 5 is not closed "
        "(close it with ']', or separate its items with ',')",
        "missing-keys.yaml:1:1: missing-keys: 'then' is missing",
        "missing-keys.yaml:1:1: missing-keys: 'title' is missing",
        "missing-keys.yaml:1:1: missing-keys: 'criterion' is missing",
        "missing-keys.yaml:1:1: missing-keys: 'because' is missing",
        "typo.yaml:6:3: typo: unknown fact 'member_cont' (did you mean 'member_count'?)",
    ]


# --- examples ---------------------------------------------------------------------------------------------


def test_a_wrong_example_is_reported_where_the_rule_names_it(tmp_path: Path) -> None:
    """A hit the rule is not met on is a check problem, located at the example, with the facts it read."""
    folder = copy_rules(tmp_path)
    path = folder / "one-sided-pledge.yaml"
    path.write_text(path.read_text().replace("hit: [", "hit: [../../examples/quad.yaml, "))
    problems, _ = example_problems(load_ruleset(str(folder)))
    assert [str(p).replace(str(folder) + "/", "") for p in problems] == [
        "one-sided-pledge.yaml:13:9: one-sided-pledge: hit '../../examples/quad.yaml' is not met, expected met "
        "(it reads obligations.mutual_defence.asymmetric = false, obligations.offensive.asymmetric = false)"
    ]


def test_a_rule_without_a_hit_and_a_missing_example_are_problems(tmp_path: Path) -> None:
    """No hit example is a problem; so is an example file that is not there."""
    folder = copy_rules(tmp_path)
    add_rule(
        folder,
        "exercises-flag",
        "  joint_exercises: present",
        "{borderline: true}",
        examples="examples:\n  miss: [nowhere.yaml]\n",
    )
    problems, _ = example_problems(load_ruleset(str(folder)))
    assert [str(p).replace(str(folder) + "/", "") for p in problems] == [
        "exercises-flag.yaml:1:1: exercises-flag: has no hit example "
        "(add examples: {hit: [FILE]}, an arrangement the rule is met on)",
        "exercises-flag.yaml:10:10: exercises-flag: miss 'nowhere.yaml' is not a usable arrangement: "
        "nowhere.yaml: no such file",
    ]


def test_a_copy_kept_anywhere_finds_the_shipped_examples(tmp_path: Path) -> None:
    """A copied rule set's ../../examples/x.yaml, missing beside the copy, is found among the shipped examples."""
    rule_file = str(copy_rules(tmp_path) / "one-sided-pledge.yaml")
    found = resolve_example(rule_file, "../../examples/nato.yaml")
    assert Path(found).resolve() == (Path(shipped_examples_dir()) / "nato.yaml").resolve()
    assert resolve_example(rule_file, "../../examples/none.yaml") == str(
        tmp_path.parent / "examples/none.yaml"
    )


# --- names, hashes, extra rules ---------------------------------------------------------------------------


def test_a_changed_copy_is_named_by_its_folder_until_it_has_a_name_of_its_own(tmp_path: Path) -> None:
    """An exact copy is the shipped set; a changed copy keeping the shipped name is named by its folder; a renamed one by its name."""
    folder = copy_rules(tmp_path)
    copied = load_ruleset(str(folder))
    assert (copied.name, copied.hash) == ("article", SHIPPED["article"].hash)
    rule = folder / "two-members-is-bilateral.yaml"
    rule.write_text(rule.read_text().replace("is bilateral", "is a bilateral one", 1))
    changed = load_ruleset(str(folder))
    assert changed.name == str(folder)
    assert changed.hash != SHIPPED["article"].hash
    manifest = folder / "ruleset.yaml"
    manifest.write_text(manifest.read_text().replace("name: article", "name: kumar-atop"))
    renamed = load_ruleset(str(folder))
    assert renamed.name == "kumar-atop"


def test_extra_rules_add_replace_and_are_named(tmp_path: Path) -> None:
    """Extra rules join the shipped set, one with a shipped id replaces it, and the name and hash say so."""
    extra = tmp_path / "extra"
    extra.mkdir()
    add_rule(extra, "exercises-flag", "  joint_exercises: present", "{borderline: true}")
    add_rule(extra, "rivals-among-members", "  rivals_among_members: present", "{borderline: true}")
    merged = load_ruleset(None, [str(extra)])
    shipped = SHIPPED["article"]
    assert merged.name == f"article+{extra}"
    assert merged.hash != shipped.hash
    assert len(merged.rules) == len(shipped.rules) + 1
    assert merged.rule("rivals-among-members").file == str(extra / "rivals-among-members.yaml")
    again = load_ruleset(merged.folder)
    assert (again.name, again.hash, again.rules) == (merged.name, merged.hash, merged.rules)


def test_an_extra_folder_holds_rules_only(tmp_path: Path) -> None:
    """A whole rule set given as extra rules is refused, with the option that takes it."""
    folder = copy_rules(tmp_path)
    with pytest.raises(RuleError) as caught:
        load_ruleset(None, [str(folder)])
    assert str(caught.value.problems[0]) == (
        f"{folder}/ruleset.yaml:1:1: an extra rules folder holds rule files only, and adds them to the rule set "
        "(to use a whole rule set instead of the shipped one, give its folder to --rules)"
    )


# --- the witnesses the static checks rest on --------------------------------------------------------------

DOMAIN_ATOMS = (
    Predicate("domain_families", "has", "security", "list"),
    Predicate("domain_families", "has_any", ("economic", "technology"), "list"),
    Predicate("domain_families", "at_least", 3, "list"),
    Predicate("domain_count", "at_least", 2, "count"),
    Predicate("domain_count", "is", 4, "count"),
    Predicate("domains", "has", "cyber", "list"),
    Predicate("domains", "has_any", ("trade", "nuclear"), "list"),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(DOMAINS)), unique=True, max_size=12))
def test_domain_witnesses_cover_every_real_list_of_domains(domains: list[str]) -> None:
    """Whatever domains a file lists, the witnesses include one the predicates cannot tell from it."""
    facts = {
        "domains": domains,
        "domain_families": sorted({DOMAINS[d] for d in domains}),
        "domain_count": len(domains),
    }
    regions, complete = _distinct("domains", DOMAIN_ATOMS)
    keys = {tuple(atom.evaluate(w) for atom in DOMAIN_ATOMS) for w in regions}
    assert complete
    assert tuple(atom.evaluate(facts) for atom in DOMAIN_ATOMS) in keys


def test_shipped_predicates_are_grouped_with_the_facts_they_vary_with() -> None:
    """Every fact a shipped rule reads belongs to a group the witnesses know how to fill."""
    for ruleset in SHIPPED.values():
        for rule in ruleset.rules:
            for atom in predicates(rule.when):
                group = group_of(atom.field)
                assert group in ("members", "domains") or group in FACTS, atom


def test_name_witnesses_mention_each_combination_of_phrases() -> None:
    """Texts are built so that each combination of the phrases rules look for is mentioned, and only it."""
    atoms = (
        Predicate("name", "mentions", ("alliance",), "text"),
        Predicate("name", "mentions", ("pact",), "text"),
    )
    regions, _ = _distinct("name", atoms)
    keys = {tuple(atom.evaluate(w) for atom in atoms) for w in regions}
    assert keys == set(itertools.product((True, False), repeat=2))
