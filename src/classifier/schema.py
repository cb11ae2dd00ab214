"""The arrangement file as a product: its JSON Schema, for editors, and a commented template to start from.

Both are generated from the Pydantic model in ``arrangement.py``. Pydantic gives the fields, their types,
descriptions and which are required; this module adds what the model accepts beyond those types (a fact
written as true / false / unknown, the other spelling of "defence", the obligations as a list, dates as
YYYY[-MM[-DD]]) and the domain vocabulary, each value with its description, so that an editor with a YAML
language server completes every field and value and checks them as the user types.
"""

from __future__ import annotations

import copy
import json
import os
import re
from importlib import resources
from typing import Any

from pydantic import AliasChoices, BaseModel

from .arrangement import (
    DOMAIN_FAMILIES,
    DOMAINS,
    FALSE_WORDS,
    INSTRUMENT_ALIASES,
    INSTRUMENTS,
    OBLIGATIONS,
    TRUE_WORDS,
    UNKNOWN_WORDS,
    Arrangement,
    Obligations,
)

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = "arrangement.schema.json"
SCHEMA_LINE = "# yaml-language-server: $schema="
FACT_WORDS = [
    "unknown",
    *sorted(TRUE_WORDS - {"true"}),
    *sorted(FALSE_WORDS - {"false"}),
    *sorted(UNKNOWN_WORDS - {"unknown"}),
]
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


def _other_spelling(word: str) -> str:
    return word.replace("defence", "defense")


def _fact_definitions(evidence: dict[str, Any]) -> dict[str, Any]:
    """A fact as files write it: true, false, unknown (or null), or a mapping that records the evidence."""
    evidence = copy.deepcopy(evidence)
    evidence["properties"]["present"] = {
        "description": "true, false, or unknown (null)",
        "anyOf": [{"type": "boolean"}, {"type": "null"}, {"enum": FACT_WORDS}],
    }
    evidence["description"] = "a fact with its evidence: where the instrument says so, and in what words"
    fact = {
        "description": "a fact: true, false or unknown, or a mapping that records the evidence",
        "anyOf": [
            {"type": "boolean"},
            {"type": "null", "description": "unknown"},
            {"enum": FACT_WORDS, "description": "yes/present mean true, no/absent false, ? unknown"},
            {"$ref": "#/definitions/FactEvidence"},
        ],
    }
    return {"Fact": fact, "FactEvidence": evidence}


def _vocabulary(values: dict[str, str], description: str) -> dict[str, Any]:
    return {"description": description, "enum": list(values), "enumDescriptions": list(values.values())}


def _instrument(description: str) -> dict[str, Any]:
    values = {**INSTRUMENTS, "unknown": "not known: whether it binds is then unknown too"}
    values.update({alias: f"read as {target}" for alias, target in INSTRUMENT_ALIASES.items()})
    entry = _vocabulary(values, description)
    entry["enum"].append(None)
    entry["enumDescriptions"].append("not known (as unknown)")
    return entry


def _domains(description: str) -> dict[str, Any]:
    values = {d: f"{family}: {DOMAIN_FAMILIES[family]}" for d, family in DOMAINS.items()}
    values.update({_other_spelling(d): f"read as {d}" for d in DOMAINS if "defence" in d})
    return {
        "description": description,
        "type": "array",
        "items": _vocabulary(values, "a domain of cooperation"),
    }


def _date(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [
            {"type": "null"},
            {"type": "string", "pattern": DATE_PATTERN},
            {"type": "integer", "minimum": 1, "maximum": 9999, "description": "a year"},
        ],
    }


def _clean(node: Any) -> Any:
    """Drop what Pydantic adds for itself: titles that repeat the field name, defaults of whole models."""
    if isinstance(node, dict):
        node.pop("title", None)
        if isinstance(node.get("default"), dict):
            node.pop("default")
        for value in node.values():
            _clean(value)
    elif isinstance(node, list):
        for value in node:
            _clean(value)
    return node


def _facts(properties: dict[str, Any]) -> None:
    """Every property that holds a Fact (alone, or or null) takes the fact as files write it."""
    for name, spec in properties.items():
        refs = [spec, *spec.get("anyOf", [])]
        if any(r.get("$ref") == "#/definitions/Fact" for r in refs):
            properties[name] = {"description": spec.get("description", ""), "$ref": "#/definitions/Fact"}


def _aliases(model: type[BaseModel], properties: dict[str, Any]) -> None:
    """The other spellings the model accepts for a field (``mutual_defense``) are properties too."""
    for name, info in model.model_fields.items():
        if isinstance(info.validation_alias, AliasChoices):
            for choice in info.validation_alias.choices:
                if isinstance(choice, str) and choice not in properties:
                    properties[choice] = {**properties[name], "description": f"the same as {name}"}


def arrangement_schema() -> dict[str, Any]:
    """The JSON Schema (draft 7) of an arrangement file, with descriptions and the domain vocabulary."""
    generated = Arrangement.model_json_schema(ref_template="#/definitions/{model}")
    definitions = generated.pop("$defs")
    properties = generated["properties"]
    definitions.update(_fact_definitions(definitions["Fact"]))
    obligations = definitions["Obligations"]
    _facts(obligations["properties"])
    _aliases(Obligations, obligations["properties"])
    _facts(properties)
    _aliases(Arrangement, properties)
    properties["legally_binding"] = {
        "description": properties["legally_binding"]["description"],
        "anyOf": [
            {"type": "null", "description": "as the instrument implies"},
            {"$ref": "#/definitions/Fact"},
        ],
    }
    properties["members"].update(minItems=2, uniqueItems=True)
    properties["signed"] = _date(properties["signed"]["description"])
    properties["ended"] = _date(properties["ended"]["description"])
    properties["instrument"] = _instrument(
        "the kind of instrument; it decides whether the arrangement binds in law"
    )
    properties["domains"] = _domains(properties["domains"]["description"])
    properties["obligations"] = {
        "description": properties["obligations"]["description"] + "; a kind not listed is absent",
        "anyOf": [
            {"$ref": "#/definitions/Obligations"},
            {
                "type": "array",
                "description": "the obligations that are present",
                "items": _vocabulary(OBLIGATIONS, "an obligation members owe one another"),
            },
        ],
    }
    for name in ("short_name", "threat", "notes"):
        properties[name] = {"description": properties[name]["description"], "type": ["string", "null"]}
    _clean(generated)
    _clean(definitions)
    return {
        "$schema": DRAFT,
        **generated,
        "title": "Arrangement file for classify",
        "description": "An interstate arrangement: its members, its instrument, what the members owe one "
        "another and what they cooperate on. Only name and members are required.",
        "definitions": definitions,
    }


def schema_text() -> str:
    """The schema as the committed file holds it: indented JSON with a final newline."""
    return json.dumps(arrangement_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_path() -> str:
    """The schema file that ships: inside the installed package, or ``schema/`` of a source checkout."""
    packaged = resources.files("classifier") / "schema" / SCHEMA_FILE
    if packaged.is_file():
        return str(packaged)
    return os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "schema", SCHEMA_FILE))


# --- the template -------------------------------------------------------------------------------------------

PLAIN = re.compile(r"^[A-Za-z][\w .,'()/&-]*$")
YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def _scalar(value: Any) -> str:
    """A value as YAML: plain where that reads back the same, else double-quoted (JSON quoting is YAML's)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if PLAIN.match(text) and text.lower() not in YAML_WORDS and not text.endswith(":") and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _yaml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def _wrap(text: str, depth: int = 0, width: int = 100) -> list[str]:
    """``text`` as comment lines, ``depth`` spaces in after the ``#``, continued two further in."""
    import textwrap

    lead = "# " + " " * depth
    return textwrap.wrap(text, width=width, initial_indent=lead, subsequent_indent=lead + "  ")


def _choices(spec: dict[str, Any], indent: str) -> list[str]:
    """The allowed values of an enum, one a line with its description."""
    for part in [spec, *spec.get("anyOf", []), spec.get("items", {})]:
        if "enumDescriptions" in part:
            pairs = [
                (v, d)
                for v, d in zip(part["enum"], part["enumDescriptions"], strict=True)
                if v is not None and "read as" not in d
            ]
            width = max(len(v) for v, _ in pairs)
            return [f"{indent}#   {v.ljust(width)}  {d}" for v, d in pairs]
    return []


PLACEHOLDERS: dict[str, Any] = {
    "name": "Name of the arrangement",
    "members": ["State A", "State B"],
    "instrument": "unknown",
    "legally_binding": None,
}
DOMAIN_GROUPS = {
    family: ", ".join(d for d, f in DOMAINS.items() if f == family) for family in DOMAIN_FAMILIES
}


def _placeholder(name: str, spec: dict[str, Any]) -> Any:
    if name in PLACEHOLDERS:
        return PLACEHOLDERS[name]
    if spec.get("$ref") == "#/definitions/Fact":
        return "unknown"
    if spec.get("type") == "array":
        return []
    return None


def template(values: dict[str, Any] | None = None, schema_path: str | None = None) -> str:
    """A commented arrangement file with every field, its allowed values, and ``values`` (or placeholders).

    The result validates as it is: facts not given are ``unknown``, so a file left half done is classified as
    indeterminate, never as if its blanks were answers. ``schema_path`` goes in the first line, for editors.
    """
    values = values or {}
    schema = arrangement_schema()
    properties = schema["properties"]
    required = set(schema.get("required", []))
    lines = [f"{SCHEMA_LINE}{schema_path}"] if schema_path else []
    lines += [
        "# An interstate arrangement, for classify. Only name and members are required; replace every",
        "# placeholder, and leave unknown what the sources do not settle. A fact is true, false or unknown,",
        "# or a mapping with its evidence: {present: true, article: Art. 5, text: ..., conditional: false,",
        "# asymmetric: false} (asymmetric: only some members owe it).",
        "",
    ]
    for name in Arrangement.model_fields:
        spec = properties[name]
        note = spec["description"] + (" (required)" if name in required else "")
        lines += _wrap(note)
        if name == "obligations":
            lines.append("obligations:")
            given = values.get("obligations", {})
            for kind, kind_spec in schema["definitions"]["Obligations"]["properties"].items():
                if kind_spec["description"].startswith("the same as"):
                    continue
                value = given.get(kind, "unknown")
                lines.append(f"  {kind}: {_yaml(value)}".ljust(34) + f"# {kind_spec['description']}")
            continue
        if name == "domains":
            for family, names in DOMAIN_GROUPS.items():
                lines += _wrap(f"{family}: {names}", 2)
        else:
            lines += _choices(spec, "")
        if name == "instrument":
            aliases = ", ".join(f"{a} ({t})" for a, t in INSTRUMENT_ALIASES.items())
            lines += _wrap("also read: " + aliases, 2)
        lines.append(f"{name}: {_yaml(values.get(name, _placeholder(name, spec)))}")
    return "\n".join(lines) + "\n"
