"""What holds for every arrangement: a verdict or a clean, located error; the same input, the same output;
JSON that parses and says what the text says. Arrangements are generated (hypothesis), valid or one field off.
"""

from __future__ import annotations

import io
import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import RuleSet, Verdict
from classifier.arrangement import DOMAINS, INSTRUMENT_ALIASES, INSTRUMENTS, OBLIGATIONS, parse_arrangement
from classifier.engine import classify
from classifier.errors import InputError
from classifier.reading import StrictResolver, parse_yaml
from classifier.render import RENDERERS, RenderOptions

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
STATES = [
    "Australia",
    "India",
    "Japan",
    "United States",
    "France",
    "Germany",
    "Brazil",
    "Kenya",
    "Poland",
    "Chile",
]
LABEL_WORDS = ("alliance", "strategic partnership", "neither", "indeterminate")

words = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")
facts = st.one_of(
    st.booleans(),
    st.sampled_from(["unknown", "yes", "no", "present", "absent", "?", "True"]),
    st.none(),
    st.fixed_dictionaries(
        {"present": st.one_of(st.booleans(), st.none())},
        optional={"article": words, "text": words, "conditional": st.booleans(), "asymmetric": st.booleans()},
    ),
)
spelled = st.sampled_from(list(DOMAINS)).flatmap(
    lambda d: st.sampled_from(
        [d, d.upper(), d.replace("_", " "), d.replace("_", "-"), d.replace("defence", "defense")]
    )
)


@st.composite
def dates(draw: st.DrawFn) -> tuple[str | None, str | None]:
    year = draw(st.integers(1800, 2030))
    signed = draw(st.sampled_from([f"{year}", f"{year}-03", f"{year}-03-25"]))
    ended = draw(st.one_of(st.none(), st.integers(year, 2040).map(str)))
    return draw(st.sampled_from([signed, None])), ended


@st.composite
def arrangements(draw: st.DrawFn) -> dict[str, Any]:
    """A valid arrangement, as the mapping a file would hold."""
    data: dict[str, Any] = {
        "name": draw(words),
        "members": draw(st.lists(st.sampled_from(STATES), min_size=2, max_size=6, unique=True)),
    }
    signed, ended = draw(dates())
    optional = {
        "short_name": words,
        "signed": st.just(signed),
        "ended": st.just(ended),
        "instrument": st.sampled_from([*INSTRUMENTS, *INSTRUMENT_ALIASES, "unknown"]),
        "legally_binding": facts,
        "obligations": st.dictionaries(st.sampled_from(list(OBLIGATIONS)), facts, max_size=5),
        "common_defence_strategy": facts,
        "joint_exercises": facts,
        "rivals_among_members": facts,
        "domains": st.lists(
            spelled, max_size=8, unique_by=lambda d: d.lower().replace("-", "_").replace(" ", "_")
        ),
        "shared_objectives": st.lists(words, max_size=3),
        "threat": st.one_of(st.none(), words),
        "notes": words,
    }
    for key in draw(st.lists(st.sampled_from(list(optional)), unique=True)):
        value = draw(optional[key])
        if value is not None or key in ("threat", "legally_binding"):
            data[key] = value
    return data


BREAKS = [
    ("name", lambda d: d.pop("name")),
    ("members", lambda d: d.pop("members")),
    ("membres", lambda d: d.update(membres=d["members"])),
    ("members", lambda d: d.update(members=d["members"][:1])),
    ("members", lambda d: d.update(members=[*d["members"], d["members"][0].upper()])),
    ("members", lambda d: d.update(members=", ".join(d["members"]))),
    ("name", lambda d: d.update(name="")),
    ("name", lambda d: d.update(name=["a", "list"])),
    ("signed", lambda d: d.update(signed="2021-02-30")),
    ("signed", lambda d: d.update(signed="30/01/2021")),
    ("ended", lambda d: d.update(signed="2000", ended="1999")),
    ("instrument", lambda d: d.update(instrument="treatty")),
    ("domains", lambda d: d.update(domains=["maritime_securty"])),
    ("obligations", lambda d: d.update(obligations={"mutual_defence": "maybe"})),
    ("obligations", lambda d: d.update(obligations={"mutual_defence": {"present": True, "artcle": "5"}})),
    ("joint_exercises", lambda d: d.update(joint_exercises=[True])),
    ("notes", lambda d: d.update(notes={"a": 1})),
]


class _Dumper(yaml.SafeDumper):
    """PyYAML writes YAML 1.1: quote the texts that the tool's YAML 1.2 reader would take for numbers."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    tag = StrictResolver().resolve(yaml.ScalarNode, value, (True, False))
    style = "'" if tag != "tag:yaml.org,2002:str" else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def as_text(data: dict[str, Any], form: str) -> str:
    if form == "json":
        return json.dumps(data, ensure_ascii=False)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True)


def verdict_of(text: str, ruleset: RuleSet) -> Verdict:
    (document,) = parse_yaml(text, "t.yaml")
    return classify(parse_arrangement(document), ruleset, "t.yaml")


def rendered(verdict: Verdict, form: str) -> str:
    stream = io.StringIO()
    RENDERERS[form](iter([verdict]), stream, RenderOptions(color=False))
    return stream.getvalue()


@SETTINGS
@given(data=arrangements(), form=st.sampled_from(["yaml", "json"]))
def test_valid_arrangements_always_get_a_verdict(ruleset: RuleSet, data: dict[str, Any], form: str) -> None:
    """Every valid arrangement gets a verdict, the same one twice, and the same from YAML and from JSON."""
    verdict = verdict_of(as_text(data, form), ruleset)
    assert verdict.label in ("alliance", "strategic_partnership", "neither", "indeterminate")
    assert verdict.to_dict() == verdict_of(as_text(data, form), ruleset).to_dict()
    other = "json" if form == "yaml" else "yaml"
    assert verdict.to_dict() == verdict_of(as_text(data, other), ruleset).to_dict()


@SETTINGS
@given(data=arrangements())
def test_json_output_parses_and_agrees_with_the_text(ruleset: RuleSet, data: dict[str, Any]) -> None:
    """The JSON output parses, round-trips, and carries the label the text output shows."""
    verdict = verdict_of(as_text(data, "yaml"), ruleset)
    records = json.loads(rendered(verdict, "json"))
    assert records == [json.loads(json.dumps(verdict.to_dict()))]
    text = rendered(verdict, "text")
    headline = next(line for line in text.splitlines() if line.startswith(LABEL_WORDS))
    assert headline.startswith(records[0]["label"].replace("_", " "))


@SETTINGS
@given(data=arrangements(), broken=st.sampled_from(BREAKS), form=st.sampled_from(["yaml", "json"]))
def test_one_field_off_gives_a_clean_located_error(
    ruleset: RuleSet, data: dict[str, Any], broken: tuple[str, Any], form: str
) -> None:
    """An arrangement with one field broken is an InputError naming that field, every problem located."""
    field, breaking = broken
    breaking(data)
    try:
        verdict_of(as_text(data, form), ruleset)
    except InputError as exc:
        problems = exc.problems
    else:
        raise AssertionError(f"no error for a broken {field}")
    assert problems
    for problem in problems:
        assert problem.line is not None and problem.column is not None
        assert str(problem).startswith("t.yaml:") and "\n" not in str(problem)
    assert any(field in f"{p.field} {p.message}" for p in problems)
