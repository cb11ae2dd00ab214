"""The arrangement file: YAML traps, vocabularies, and every problem reported at once, located."""

from __future__ import annotations

import pytest

from classifier.arrangement import Arrangement, facts_of, parse_arrangement
from classifier.errors import InputError
from classifier.reading import parse_yaml

BASE = "name: Test\nmembers: [A, B]\n"


def load(text: str) -> Arrangement:
    (document,) = parse_yaml(text, "t.yaml")
    return parse_arrangement(document)


def messages(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        for document in parse_yaml(text, "t.yaml"):
            parse_arrangement(document)
    return [str(p) for p in caught.value.problems]


def test_yaml_11_booleans_stay_strings() -> None:
    """NO (Norway), yes, on and off stay strings where a member name is expected."""
    arrangement = load("name: Nordic\nmembers: [NO, yes, on, off, SE]\n")
    assert arrangement.members == ["NO", "yes", "on", "off", "SE"]


def test_dates_stay_as_written() -> None:
    """A full date, a year-month and a bare year are kept as the partial dates they are."""
    assert load(BASE + "signed: 2007-05-25\nended: 2010\n").signed == "2007-05-25"
    assert load(BASE + "signed: 1949-04\n").signed == "1949-04"


def test_defense_spelling_is_accepted() -> None:
    """American spelling is accepted for fields and domains and normalised to 'defence'."""
    arrangement = load(
        BASE
        + "obligations: {mutual_defense: true}\ncommon_defense_strategy: true\ndomains: [Missile Defense]\n"
    )
    assert arrangement.obligations.mutual_defence.present is True
    assert arrangement.common_defence_strategy.present is True
    assert arrangement.domains == ["missile_defence"]


def test_unknown_flows_into_facts() -> None:
    """'unknown' and a mapping with present: null give an unknown fact; a missing instrument leaves binding unknown."""
    facts = facts_of(load(BASE + "obligations: {mutual_defence: unknown, offensive: {present: null}}\n"))
    assert facts["obligations.mutual_defence"] is None
    assert facts["obligations.offensive"] is None
    assert facts["legally_binding"] is None


def test_binding_follows_instrument() -> None:
    """A treaty binds unless the file says otherwise; a joint declaration does not."""
    assert facts_of(load(BASE + "instrument: treaty\n"))["legally_binding"] is True
    assert facts_of(load(BASE + "instrument: joint statement\n"))["legally_binding"] is False
    assert facts_of(load(BASE + "instrument: treaty\nlegally_binding: false\n"))["legally_binding"] is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: X\nmembres: [A, B]\n",
            [
                "t.yaml:1:1: members: required field is missing (see examples/quad.yaml)",
                "t.yaml:2:1: membres: unknown field (did you mean 'members'?)",
            ],
        ),
        (
            BASE + "domains: [maritime_securty]\n",
            [
                "t.yaml:3:11: domains[0]: unknown domain 'maritime_securty' (did you mean 'maritime_security'?)"
            ],
        ),
        (
            BASE + "instrument: treatty\n",
            ["t.yaml:3:1: instrument: unknown instrument 'treatty' (did you mean 'treaty'?)"],
        ),
        ("name: X\nmembers: [India, india]\n", ["t.yaml:2:1: members: 'india' is listed twice"]),
        (
            "name: X\nmembers: [India]\n",
            ["t.yaml:2:1: members: an arrangement needs at least 2 members, got 1"],
        ),
        (BASE + "signed: 2021-02-30\n", ["t.yaml:3:1: signed: '2021-02-30' is not a date that exists"]),
        (BASE + "signed: 2000\nended: 1999\n", ["t.yaml:4:1: ended: 1999 is before signed, 2000"]),
        (
            BASE + "obligations: {mutual_defence: maybe}\n",
            ["t.yaml:3:15: obligations.mutual_defence: expected true, false or unknown, got 'maybe'"],
        ),
        ("name: X\nmembers: [A, B]\nname: Y\n", ["t.yaml:3:1: duplicate key 'name' (first at line 1)"]),
        (
            "- a\n- b\n",
            [
                "t.yaml:1:1: expected a mapping of fields, found a list (an arrangement file is a mapping: name, members, ...)"
            ],
        ),
    ],
)
def test_bad_files_get_located_messages(text: str, expected: list[str]) -> None:
    """Each bad file gets exactly these messages, every problem at once, in file order."""
    assert messages(text) == expected


def test_tags_are_refused() -> None:
    """A python tag constructs nothing: it is refused with its location."""
    assert messages("!!python/object/apply:os.system ['true']\n") == [
        "t.yaml:1:1: tag '!!python/object/apply:os.system' is not allowed (only plain data is read: remove the tag)"
    ]


def test_anchors_and_aliases_work() -> None:
    """Legitimate anchors, aliases and merge keys read as plain data."""
    arrangement = load("name: X\nmembers: &m [A, B]\nshared_objectives: *m\n")
    assert arrangement.shared_objectives == ["A", "B"]


def test_obligations_as_a_list_of_names() -> None:
    """A list of obligation names marks those present and the rest absent; either spelling is accepted."""
    arrangement = load(BASE + "obligations: [mutual defense, consultation]\n")
    assert arrangement.obligations.mutual_defence.present is True
    assert arrangement.obligations.consultation.present is True
    assert arrangement.obligations.offensive.present is False


def test_unknown_obligation_in_a_list_is_named() -> None:
    """A misspelt obligation in a list is an error with a suggestion."""
    assert messages(BASE + "obligations: [consultaton]\n") == [
        "t.yaml:3:1: obligations: unknown obligation 'consultaton' (did you mean 'consultation'?)"
    ]


@pytest.mark.parametrize(
    ("written", "instrument"),
    [
        ("agreement", "treaty"),
        ("Joint Communiqué", "joint_declaration"),
        ("handshake", None),
        ("exchange of notes", "executive_agreement"),
        ("MoU", "memorandum_of_understanding"),
    ],
)
def test_instrument_aliases(written: str, instrument: str | None) -> None:
    """Common names of instruments map to the vocabulary (an unknown one is an error)."""
    if instrument is None:
        assert messages(BASE + f"instrument: {written}\n")[0].startswith(
            "t.yaml:3:1: instrument: unknown instrument"
        )
    else:
        assert load(BASE + f"instrument: {written}\n").instrument == instrument
