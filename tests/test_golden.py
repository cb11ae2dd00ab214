"""The human output, compared exactly with golden files.

Regenerate them after an intended change of the text output with:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "quad.txt": ["examples/quad.yaml"],
    "quad-color.txt": ["examples/quad.yaml", "--color"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_output_matches_golden(name: str, runner: CliRunner) -> None:
    """The text rendering of the Quad is exactly the golden file (plain, and with colour forced)."""
    result = runner.invoke(main, CASES[name], catch_exceptions=False, env={"COLUMNS": "100"})
    assert result.exit_code == 0
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")
