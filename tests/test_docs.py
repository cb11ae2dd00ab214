"""The rule pages in docs/ are generated from the rule files and kept in step with them; the README points at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.ruledoc import markdown, page_of
from classifier.rules import load_ruleset, shipped_rulesets

README = Path("README.md").read_text(encoding="utf-8")
NAMES = sorted(shipped_rulesets())


@pytest.mark.parametrize("name", NAMES)
def test_rule_page_is_up_to_date(name: str) -> None:
    """Each shipped rule set's page is what its rule files give now; the failure names the command to run."""
    page = page_of(name)
    expected = markdown(load_ruleset(f"rules/{name}"), page)
    command = f"classifier rules doc rules/{name} -o {page}"
    assert Path(page).exists(), f"{page} is missing: run `{command}`"
    assert Path(page).read_text(encoding="utf-8") == expected, f"{page} is stale: run `{command}`"


@pytest.mark.parametrize("name", NAMES)
def test_rule_page_has_every_rule_and_the_citation(name: str) -> None:
    """A page lists every rule by id with its own section, and cites the source the rules paraphrase."""
    ruleset = load_ruleset(f"rules/{name}")
    text = Path(page_of(name)).read_text(encoding="utf-8")
    assert ruleset.source in text
    for rule in ruleset.rules:
        assert f"\n### {rule.id}\n" in text
        assert f"[`{rule.id}`](#{rule.id})" in text


def test_readme_links_the_rule_pages_and_documents_the_tools() -> None:
    """The README links each rule page and has the sections on checking rules, editors, completion and configuration."""
    for name in NAMES:
        assert f"]({page_of(name)})" in README
    for heading in ("## How a rule reads", "## Editor support", "## Shell completion", "## Configuration"):
        assert f"\n{heading}\n" in README
    for command in (
        "classifier rules check",
        "classifier rules list",
        "classifier rules explain",
        "classifier schema",
        "classifier init",
    ):
        assert command in README
