"""The JSON Schema of an arrangement file and the template: generated from the model, committed, and in step with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from classifier.arrangement import DOMAINS, INSTRUMENT_ALIASES, INSTRUMENTS, OBLIGATIONS, Arrangement
from classifier.errors import InputError
from classifier.reading import parse_yaml, read_path
from classifier.schema import SCHEMA_LINE, arrangement_schema, schema_text, template

SCHEMA = Path("schema/arrangement.schema.json")
VALIDATOR = Draft7Validator(arrangement_schema())
EXAMPLES = sorted(Path("examples").glob("*.yaml"))


def test_committed_schema_is_up_to_date() -> None:
    """schema/arrangement.schema.json is what the model gives now (regenerate: classifier schema -o schema/arrangement.schema.json)."""
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "schema/arrangement.schema.json is stale: run `classifier schema -o schema/arrangement.schema.json`"
    )


def test_the_schema_is_valid_draft_7() -> None:
    """Editors' YAML language servers read draft 7: the schema is a valid one."""
    Draft7Validator.check_schema(arrangement_schema())


def test_every_field_has_a_description_for_completion() -> None:
    """Every field of the model and every obligation is a property with a description, so editors complete them all."""
    schema = arrangement_schema()
    properties = schema["properties"]
    obligations = schema["definitions"]["Obligations"]["properties"]
    assert set(Arrangement.model_fields) <= set(properties)
    assert set(OBLIGATIONS) <= set(obligations)
    assert all(spec.get("description") for spec in [*properties.values(), *obligations.values()])
    assert properties["domains"]["items"]["enum"][: len(DOMAINS)] == list(DOMAINS)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_points_at_the_schema_and_passes_it(path: Path) -> None:
    """Each example opens with the yaml-language-server line for the schema, and the schema accepts it."""
    assert (
        path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE + "../schema/arrangement.schema.json"
    )
    for document in read_path(str(path)):
        assert [e.message for e in VALIDATOR.iter_errors(document.data)] == []


@pytest.mark.parametrize(
    ("text", "model", "schema"),
    [
        ("instrument: treatty\n", False, False),
        ("domains: [cyber, missile_defense]\n", True, True),
        ("obligations: [mutual_defence, consultation]\n", True, True),
        ("obligations: {mutual_defense: yes}\n", True, True),
        ("membres: [A, B]\n", False, False),
        ("legally_binding: {present: unknown, article: Art. 2}\n", True, True),
        ("signed: 1949\n", True, True),
        ("signed: 04/1949\n", False, False),
        ("joint_exercises: maybe\n", False, False),
    ],
)
def test_schema_and_model_agree(text: str, model: bool, schema: bool) -> None:
    """The editor flags what classify refuses, and accepts what it reads."""
    (document,) = parse_yaml("name: X\nmembers: [A, B]\n" + text, "t.yaml")
    try:
        Arrangement.model_validate(document.data)
        accepted = True
    except ValueError:
        accepted = False
    assert (accepted, VALIDATOR.is_valid(document.data)) == (model, schema)


FACT = st.one_of(
    st.booleans(),
    st.none(),
    st.sampled_from(["unknown", "yes", "no", "present", "absent"]),
    st.fixed_dictionaries(
        {"present": st.one_of(st.booleans(), st.none())}, optional={"article": st.text(min_size=1)}
    ),
)
FIELDS: dict[str, Any] = {
    "short_name": st.text(min_size=1),
    "signed": st.sampled_from(["1949", "1949-04", "1949-04-04", None]),
    "instrument": st.sampled_from([*INSTRUMENTS, *INSTRUMENT_ALIASES, "unknown", None]),
    "legally_binding": FACT,
    "obligations": st.one_of(
        st.dictionaries(st.sampled_from(list(OBLIGATIONS)), FACT),
        st.lists(st.sampled_from(list(OBLIGATIONS)), unique=True),
    ),
    "common_defence_strategy": FACT,
    "joint_exercises": FACT,
    "domains": st.lists(st.sampled_from(list(DOMAINS)), unique=True),
    "shared_objectives": st.lists(st.text(min_size=1).filter(str.strip)),
    "threat": st.one_of(st.none(), st.text(min_size=1)),
}


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({}, optional=FIELDS))
def test_the_schema_accepts_whatever_classify_reads(fields: dict[str, Any]) -> None:
    """An arrangement classify accepts is never flagged by an editor that uses the schema."""
    data = {"name": "X", "members": ["A", "B"], **fields}
    try:
        Arrangement.model_validate(data)
    except ValueError:
        return
    assert [e.message for e in VALIDATOR.iter_errors(data)] == []


def test_the_template_lists_every_field_and_validates() -> None:
    """The template has every field of the model, passes the model and the schema, and leaves facts unknown."""
    text = template(schema_path="../schema/arrangement.schema.json")
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(("#", " "))]
    assert keys == list(Arrangement.model_fields)
    try:
        (document,) = parse_yaml(text, "template.yaml")
    except InputError as exc:  # pragma: no cover - shows the problem if the template ever breaks
        raise AssertionError(str(exc)) from None
    arrangement = Arrangement.model_validate(document.data)
    assert arrangement.obligations.mutual_defence.present is None
    assert VALIDATOR.is_valid(document.data)
