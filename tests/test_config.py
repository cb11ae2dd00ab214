"""Configuration: where the file is found, what it may hold, and precedence flags > environment > file > defaults."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main as classify
from classifier.config import Config, ConfigError, find_config, load_config
from classifier.tools import main as classifier

QUAD = str(Path("examples/quad.yaml").resolve())
ARTICLE = str(Path("rules/article").resolve())


def messages(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    return [str(p) for p in caught.value.problems]


def test_the_nearest_file_upward_is_found(tmp_path: Path) -> None:
    """classify.toml comes first in a folder; a pyproject.toml counts only with [tool.classify]; the search goes up."""
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(str(inner)) is None
    (tmp_path / "pyproject.toml").write_text("[tool.classify]\nformat = 'json'\n")
    assert find_config(str(inner)) == str(tmp_path / "pyproject.toml")
    (tmp_path / "a" / "classify.toml").write_text("jobs = 2\n")
    assert find_config(str(inner)) == str(tmp_path / "a" / "classify.toml")


def test_settings_are_checked_and_folders_are_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's folders are read relative to the file, so they hold from any folder below it (absolute when outside)."""
    (tmp_path / "classify.toml").write_text(
        'rules = "my-rules"\nextra-rules = ["more"]\nformat = "csv"\njobs = 2\n'
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    config = load_config(str(tmp_path / "classify.toml"))
    rules, more = str(tmp_path / "my-rules"), str(tmp_path / "more")
    assert config == Config(
        str(tmp_path / "classify.toml"), {"rules": rules, "extra-rules": (more,), "format": "csv", "jobs": 2}
    )
    assert config.default_map() == {"rules_dir": rules, "extra_rules": (more,), "format_": "csv", "jobs": 2}
    monkeypatch.chdir(tmp_path)
    assert load_config("classify.toml").values["rules"] == "my-rules"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('formt = "json"\n', "classify.toml:1:1: formt: unknown setting 'formt' (did you mean 'format'?)"),
        ('format = "jsn"\n', "classify.toml:1:1: format: unknown format 'jsn' (did you mean 'json'?)"),
        ("jobs = -1\n", "classify.toml:1:1: jobs: expected a whole number, 0 or more, got -1"),
        ("\n  rules = 3\n", "classify.toml:2:3: rules: expected a folder, as text, got 3"),
        ("jobs = = 2\n", "classify.toml:1:8: invalid TOML: invalid value"),
    ],
    ids=["unknown-key", "format", "jobs", "rules", "toml"],
)
def test_a_bad_setting_gets_a_located_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    """Each bad setting is reported with its line and the nearest valid name or value."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "classify.toml").write_text(text)
    assert messages(Path("classify.toml")) == [expected]


def test_pyproject_settings_are_located_under_their_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In pyproject.toml the line of a setting is found under [tool.classify], not in another table."""
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text('[tool.other]\nformt = 1\n\n[tool.classify]\nformt = "json"\n')
    assert messages(Path("pyproject.toml")) == [
        "pyproject.toml:5:1: formt: unknown setting 'formt' (did you mean 'format'?)"
    ]


# --- precedence, through classify -------------------------------------------------------------------------


def first_char(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(classify, [QUAD, *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout[:1]


def test_flags_beat_environment_beat_file_beat_defaults(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """format from the file (json: '['), from CLASSIFY_FORMAT (csv: 's'), from the flag (jsonl: '{'); text by default."""
    monkeypatch.chdir(tmp_path)
    assert first_char(runner) == "Q"  # text: the arrangement's name first
    Path("classify.toml").write_text('format = "json"\n')
    assert first_char(runner) == "["
    assert first_char(runner, env={"CLASSIFY_FORMAT": "csv"}) == "s"
    assert first_char(runner, "--format", "jsonl", env={"CLASSIFY_FORMAT": "csv"}) == "{"


def test_the_file_names_the_rules(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rules in the file choose the rule set for classify and for classifier rules, from a folder below it."""
    shutil.copytree("rules/article", tmp_path / "my-rules")
    manifest = tmp_path / "my-rules" / "ruleset.yaml"
    manifest.write_text(manifest.read_text().replace("name: article", "name: my-article"))
    (tmp_path / "pyproject.toml").write_text('[tool.classify]\nrules = "my-rules"\nformat = "json"\n')
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    result = runner.invoke(classify, [QUAD], catch_exceptions=False)
    assert json.loads(result.stdout)[0]["rules"]["name"] == "my-article"
    listed = runner.invoke(classifier, ["rules", "list"], catch_exceptions=False)
    assert listed.stdout.startswith("my-article (")
    shipped = {"CLASSIFY_RULES": ARTICLE}
    assert runner.invoke(classifier, ["rules", "list"], env=shipped).stdout.startswith("article (")


def test_a_named_config_file_and_a_bad_one(runner: CliRunner, tmp_path: Path) -> None:
    """--config FILE (or CLASSIFY_CONFIG) names the file; a bad one stops classify with exit 2, but not --help."""
    good = tmp_path / "good.toml"
    good.write_text('format = "jsonl"\n')
    assert first_char(runner, "--config", str(good)) == "{"
    assert first_char(runner, env={"CLASSIFY_CONFIG": str(good)}) == "{"
    bad = tmp_path / "bad.toml"
    bad.write_text("jobs = 'many'\n")
    result = runner.invoke(classify, ["--config", str(bad), QUAD], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"{bad}:1:1: jobs: expected a whole number, 0 or more, got 'many'\n"
    assert runner.invoke(classify, ["--help", "--config", str(bad)]).exit_code == 0
