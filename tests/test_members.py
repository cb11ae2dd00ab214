"""Members: spellings, ISO and Correlates of War codes resolved to one member; warnings; duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main
from classifier.members import member_problems, member_records, normalise, same_member


@pytest.mark.parametrize(
    ("given", "name", "cow"),
    [
        ("USA", "United States", 2),
        ("United States", "United States", 2),
        ("US", "United States", 2),
        ("U.S.", "United States", 2),
        ("United States of America", "United States", 2),
        (2, "United States", 2),
        ("COW 2", "United States", 2),
        ("UK", "United Kingdom", 200),
        ("UKG", "United Kingdom", 200),
        ("Great Britain", "United Kingdom", 200),
        ("AUS", "Australia", 900),
        ("AUL", "Australia", 900),
        ("Austria", "Austria", 305),
        ("Bavaria", "Bavaria", 245),
        ("Austria-Hungary", "Austria-Hungary", 300),
        ("Two Sicilies", "Two Sicilies", 329),
        ("Prussia", "Prussia", 255),
        ("Ottoman Empire", "Ottoman Empire", 640),
        ("West Germany", "German Federal Republic", 260),
        ("East Germany", "German Democratic Republic", 265),
        ("Soviet Union", "Soviet Union", 365),
        ("USSR", "Soviet Union", 365),
        ("Yemen Arab Republic", "Yemen Arab Republic", 678),
        (730, "Korea (1887-1905)", 730),
        ("PRC", "China", 710),
        ("  india ", "India", 750),
    ],
)
def test_spellings_and_codes_resolve_to_one_state(given: str | int, name: str, cow: int) -> None:
    """Names, variants, ISO and COW letters, and COW numbers (historical states too) give the state and its code."""
    member = normalise(given)
    assert (member.kind, member.name, member.cow) == ("state", name, cow)


@pytest.mark.parametrize("given", ["EU", "European Union", "european union"])
def test_the_eu_is_an_organisation(given: str) -> None:
    """The EU is allowed as a member, explicitly not a state, with no state codes."""
    member = normalise(given)
    assert (member.kind, member.name, member.cow, member.iso3) == (
        "organisation",
        "European Union",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "Untied States",
            "x.yaml: members[1]: warning: 'Untied States' is not a state or organisation countrycode knows; "
            "kept as written (did you mean 'United States'?)",
        ),
        (
            "Atlantis",
            "x.yaml: members[1]: warning: 'Atlantis' is not a state or organisation countrycode knows; kept as written",
        ),
        (
            "COW 8152",
            "x.yaml: members[1]: warning: COW 8152 is not in the Correlates of War state list; kept as written",
        ),
    ],
)
def test_unrecognised_members_are_warned_about(given: str, message: str) -> None:
    """An unrecognised member is kept as written, with a warning (and the nearest name when one is close)."""
    assert [str(p) for p in member_problems(["France", given], "x.yaml")] == [message]
    assert normalise(given).kind == "unrecognised"


def test_duplicates_are_found_after_normalisation() -> None:
    """'USA' and 'United States' are the same member; Austria and Australia are not."""
    first, second, member = same_member(["USA", "Japan", "United States"]) or ("", "", None)
    assert (first, second, member and member.label) == ("USA", "United States", "United States, COW 2")
    assert same_member(["Austria", "Australia", "AUS", "AUT"]) == ("Australia", "AUS", normalise("AUS"))
    assert same_member(["Austria", "Australia", "EU"]) is None


def test_records_carry_codes() -> None:
    """Each record has the member as written, the name it resolves to, its kind and its codes."""
    assert member_records(["US", "EU"]) == [
        {
            "given": "US",
            "name": "United States",
            "kind": "state",
            "cow": 2,
            "cow_letters": "USA",
            "iso3": "USA",
        },
        {
            "given": "EU",
            "name": "European Union",
            "kind": "organisation",
            "cow": None,
            "cow_letters": None,
            "iso3": None,
        },
    ]


def test_lookups_are_cached() -> None:
    """A spelling is looked up once: the second lookup is a cache hit returning the same member."""
    before = normalise.cache_info().hits
    assert normalise("Kingdom of Italy") is normalise("Kingdom of Italy")
    assert normalise.cache_info().hits == before + 1


def test_cli_refuses_the_same_member_twice(runner: CliRunner, tmp_path: Path) -> None:
    """Two spellings of one member are an error, located at the members list, exit 1."""
    path = tmp_path / "t.yaml"
    path.write_text("name: Pact\nmembers: [USA, Japan, United States]\n")
    result = runner.invoke(main, [str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"{path}:2:1: members: 'USA' and 'United States' are the same member (United States, COW 2)\n"
    )


def test_cli_json_carries_normalised_members(runner: CliRunner, tmp_path: Path) -> None:
    """COW numbers in a file name their states; the JSON carries every member's codes; unknown ones warn."""
    path = tmp_path / "t.yaml"
    path.write_text("name: Pact\nmembers: [2, 740, EU, Untied Kingdom]\n")
    result = runner.invoke(main, [str(path), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr == (
        f"{path}: members[3]: warning: 'Untied Kingdom' is not a state or organisation countrycode knows; "
        "kept as written (did you mean 'United Kingdom'?)\n"
    )
    (verdict,) = json.loads(result.stdout)
    assert verdict["members"] == ["United States", "Japan", "EU", "Untied Kingdom"]
    assert [(m["name"], m["kind"], m["cow"]) for m in verdict["normalised_members"]] == [
        ("United States", "state", 2),
        ("Japan", "state", 740),
        ("European Union", "organisation", None),
        ("Untied Kingdom", "unrecognised", None),
    ]
