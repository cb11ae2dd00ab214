"""Configuration: defaults for ``classify`` (and for the rule commands of ``classifier``) kept in a file.

The file is the nearest ``classify.toml``, or ``pyproject.toml`` with a ``[tool.classify]`` table, in the
current folder or above it; ``CLASSIFY_CONFIG`` or ``--config`` names one instead. A ``classify.toml``
holds the settings at its top level. Precedence: flags > environment (``CLASSIFY_*``) > file > built-in
defaults; click applies it, the file's values being the command's ``default_map``. Folders in a file are
relative to the file, so a project's settings hold from any folder inside it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ClassifierError, Problem, did_you_mean
from .reading import parse_toml, read_text
from .render import RENDERERS

CONFIG_FILE = "classify.toml"
PYPROJECT = "pyproject.toml"
CONFIG_ENV = "CLASSIFY_CONFIG"


@dataclass(frozen=True)
class Setting:
    """One setting: the ``classify`` option it gives a default to, its environment variable, what it is."""

    option: str
    env: str
    kind: str  # "folder", "folders", "format", "count"
    doc: str


SETTINGS: dict[str, Setting] = {
    "rules": Setting("rules_dir", "CLASSIFY_RULES", "folder", "the rule set folder to classify with"),
    "extra-rules": Setting(
        "extra_rules", "CLASSIFY_EXTRA_RULES", "folders", "folders of rules added to that rule set (a list)"
    ),
    "format": Setting("format_", "CLASSIFY_FORMAT", "format", "the output format: " + ", ".join(RENDERERS)),
    "jobs": Setting("jobs", "CLASSIFY_JOBS", "count", "worker processes (0: one per core for large batches)"),
}
ALIASES = {"extra_rules": "extra-rules"}


class ConfigError(ClassifierError):
    """A configuration file could not be read, or one of its settings is not valid."""


@dataclass(frozen=True)
class Config:
    """The settings of one configuration file (none: built-in defaults), checked, folders made usable."""

    path: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def default_map(self) -> dict[str, Any]:
        """The settings as click defaults for ``classify``'s options."""
        return {SETTINGS[name].option: value for name, value in self.values.items()}


def find_config(start: str | None = None) -> str | None:
    """The configuration file for ``start`` (the current folder): the nearest one, looking upward.

    In each folder ``classify.toml`` comes first; a ``pyproject.toml`` counts only with a ``[tool.classify]``
    table (one without is passed over, as ruff does), and one that is not valid TOML is passed over too.
    """
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, CONFIG_FILE)
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(folder, PYPROJECT)
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_table(path: str) -> bool:
    try:
        data = parse_toml(read_text(path), path)
    except ClassifierError:
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "classify" in tool


def _located(path: str, text: str, key: str, message: str, hint: str | None = None) -> Problem:
    """A problem at the line where ``key`` is set (after the ``[tool.classify]`` header in pyproject.toml)."""
    lines = text.splitlines()
    start = 0
    if os.path.basename(path) == PYPROJECT:
        start = next(
            (i for i, line in enumerate(lines) if re.match(r"^\s*\[\s*tool\.classify\s*\]", line)), 0
        )
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for number in range(start, len(lines)):
        if pattern.match(lines[number]):
            column = len(lines[number]) - len(lines[number].lstrip()) + 1
            return Problem(path, message, line=number + 1, column=column, field=key, hint=hint)
    return Problem(path, message, line=start + 1 if start else None, field=key, hint=hint)


def _folder(base: str, value: str) -> str:
    """A folder named in the file at ``base``: relative to the file, shown relative to here when inside it."""
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(base)), os.path.expanduser(value)))
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _check(path: str, text: str, settings: Mapping[str, Any]) -> Config:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in settings.items():
        name = ALIASES.get(key, key)
        setting = SETTINGS.get(name)
        if setting is None:
            hint = did_you_mean(str(key), [*SETTINGS, *ALIASES]) or "settings: " + ", ".join(SETTINGS)
            problems.append(_located(path, text, key, f"unknown setting '{key}'", hint))
            continue
        if setting.kind == "folder" and isinstance(value, str) and value:
            values[name] = _folder(path, value)
        elif (
            setting.kind == "folders"
            and isinstance(value, str | list)
            and all(isinstance(v, str) and v for v in ([value] if isinstance(value, str) else value))
        ):
            values[name] = tuple(_folder(path, v) for v in ([value] if isinstance(value, str) else value))
        elif (setting.kind == "format" and value in RENDERERS) or (
            setting.kind == "count" and isinstance(value, int) and not isinstance(value, bool) and value >= 0
        ):
            values[name] = value
        else:
            problems.append(_located(path, text, key, _wrong(setting, value), _fix(setting, value)))
    if problems:
        raise ConfigError(problems)
    return Config(path, values)


def _wrong(setting: Setting, value: Any) -> str:
    if setting.kind == "format" and isinstance(value, str):
        return f"unknown format '{value}'"
    expected = {
        "folder": "a folder, as text",
        "folders": "a folder or a list of folders",
        "format": "a format name, as text",
        "count": "a whole number, 0 or more",
    }[setting.kind]
    return f"expected {expected}, got {value!r}"


def _fix(setting: Setting, value: Any) -> str | None:
    if setting.kind == "format":
        return did_you_mean(str(value), RENDERERS) or "one of: " + ", ".join(RENDERERS)
    return None


def load_config(path: str) -> Config:
    """The checked settings of one configuration file; ConfigError lists every problem in it, located."""
    try:
        text = read_text(path)
        data = parse_toml(text, path)
    except ClassifierError as exc:
        raise ConfigError(exc.problems) from None
    if os.path.basename(path) == PYPROJECT:
        tool = data.get("tool")
        table = tool.get("classify") if isinstance(tool, dict) else None
        if table is None:
            return Config(path)
        if not isinstance(table, dict):
            raise ConfigError([_located(path, text, "classify", "[tool.classify] must be a table")])
        data = table
    return _check(path, text, data)


def discover(path: str | None = None, start: str | None = None) -> Config:
    """The configuration in force: the file named (by --config or CLASSIFY_CONFIG), else the nearest one."""
    if path:
        return load_config(path)
    found = find_config(start)
    return load_config(found) if found else Config()
