"""Shared fixtures: paths into the repo, the shipped rule set, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier import RuleSet, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    """The shipped article rule set, loaded once."""
    return load_ruleset(str(RULES / "article"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests name files relative to the repo root, as the README does."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("NO_COLOR", raising=False)
    os.environ.setdefault("COLUMNS", "100")
    for name in [n for n in os.environ if n.startswith("CLASSIFY_")]:  # a user's settings stay out of tests
        monkeypatch.delenv(name)
