"""The arrangement file, the input contract: a Pydantic model, and the facts that rules may read from it.

Field names here are a public contract: extend them, never rename them. Users type both "defence" and
"defense"; the model speaks "defence" and accepts either.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import InputError, Problem, did_you_mean, shorten
from .members import name_of_cow_code, same_member
from .reading import Document

# --- vocabularies ---

INSTRUMENTS: dict[str, str] = {
    "treaty": "a treaty or convention, binding in international law once in force",
    "executive_agreement": "an agreement between governments, binding without ratification",
    "joint_declaration": "a joint declaration or statement of leaders or ministers: a political commitment",
    "memorandum_of_understanding": "a memorandum of understanding: a political, not legal, commitment",
    "none": "no written instrument: cooperation in practice only",
}
INSTRUMENT_ALIASES: dict[str, str] = {
    "joint_statement": "joint_declaration",
    "declaration": "joint_declaration",
    "joint_communique": "joint_declaration",
    "communique": "joint_declaration",
    "statement": "joint_declaration",
    "mou": "memorandum_of_understanding",
    "memorandum": "memorandum_of_understanding",
    "convention": "treaty",
    "pact": "treaty",
    "agreement": "treaty",
    "protocol": "treaty",
    "charter": "treaty",
    "exchange_of_notes": "executive_agreement",
}
BINDING_INSTRUMENTS = frozenset({"treaty", "executive_agreement"})

DOMAIN_FAMILIES: dict[str, str] = {
    "security": "defence, military and other security cooperation",
    "economic": "trade, investment, finance and energy",
    "technology": "science, technology and industry",
    "societal": "health, climate, education, culture and people-to-people ties",
    "political": "diplomatic coordination and governance",
}
DOMAINS: dict[str, str] = {
    # security
    "defence": "security",
    "military": "security",
    "maritime_security": "security",
    "counter_terrorism": "security",
    "cyber": "security",
    "intelligence": "security",
    "nuclear": "security",
    "arms_control": "security",
    "border_security": "security",
    "missile_defence": "security",
    "defence_industry": "security",
    "peacekeeping": "security",
    "space": "security",
    "security": "security",
    # economic
    "trade": "economic",
    "investment": "economic",
    "economy": "economic",
    "finance": "economic",
    "energy": "economic",
    "infrastructure": "economic",
    "connectivity": "economic",
    "supply_chains": "economic",
    "agriculture": "economic",
    # technology
    "technology": "technology",
    "critical_technologies": "technology",
    "science": "technology",
    "industry": "technology",
    "digital": "technology",
    # societal
    "health": "societal",
    "climate": "societal",
    "environment": "societal",
    "education": "societal",
    "culture": "societal",
    "people_to_people": "societal",
    "migration": "societal",
    "humanitarian": "societal",
    "disaster_relief": "societal",
    "development": "societal",
    # political
    "diplomacy": "political",
    "governance": "political",
}
OBLIGATIONS: dict[str, str] = {
    "mutual_defence": "to assist a member that is attacked or threatened",
    "offensive": "to join in military action beyond defending a member",
    "neutrality": "to stay out of a war fought against a member",
    "non_aggression": "not to use force against one another",
    "consultation": "to consult when a crisis threatens a member",
}


def _normal_word(value: str) -> str:
    """Lower case, underscores for spaces and hyphens, and the model's spelling of 'defence'."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode() or value
    word = re.sub(r"[\s\-]+", "_", plain.strip().lower())
    return word.replace("defense", "defence")


# --- three-valued facts ---

TRUE_WORDS = {"true", "yes", "present"}
FALSE_WORDS = {"false", "no", "absent"}
UNKNOWN_WORDS = {"unknown", "?"}


def _tri(value: Any) -> Any:
    """``true`` / ``false`` / ``unknown`` (or the evidence mapping) as a mapping for the Fact model."""
    if isinstance(value, Fact):
        return value
    if value is None:
        return {"present": None}
    if isinstance(value, bool):
        return {"present": value}
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return {"present": True}
        if word in FALSE_WORDS:
            return {"present": False}
        if word in UNKNOWN_WORDS:
            return {"present": None}
        raise PydanticCustomError(
            "fact_word", "expected true, false or unknown, got '{value}'", {"value": shorten(value)}
        )
    if isinstance(value, dict):
        return value
    raise PydanticCustomError(
        "fact_type",
        "expected true, false, unknown or a mapping with 'present', got {kind}",
        {"kind": _describe(value)},
    )


class Fact(BaseModel):
    """A fact that may be known true, known false, or unknown (``present: null``), with its evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    present: bool | None = Field(description="true, false, or null when unknown")
    article: str | None = Field(default=None, description="where the instrument says so, e.g. 'Art. 5'")
    text: str | None = Field(default=None, description="the words of the instrument")
    conditional: bool = Field(default=False, description="the pledge holds only under stated conditions")
    asymmetric: bool = Field(default=False, description="a one-sided pledge: not every member owes it")

    @field_validator("present", mode="before")
    @classmethod
    def _present_words(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _tri(value)["present"]
        return value


TriFact = Annotated[Fact, BeforeValidator(_tri)]
ABSENT = Fact(present=False)
UNKNOWN = Fact(present=None)


class Obligations(BaseModel):
    """What members owe one another. A kind not listed is absent."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    mutual_defence: TriFact = Field(
        default=ABSENT,
        validation_alias=AliasChoices("mutual_defence", "mutual_defense"),
        description=OBLIGATIONS["mutual_defence"],
    )
    offensive: TriFact = Field(default=ABSENT, description=OBLIGATIONS["offensive"])
    neutrality: TriFact = Field(default=ABSENT, description=OBLIGATIONS["neutrality"])
    non_aggression: TriFact = Field(default=ABSENT, description=OBLIGATIONS["non_aggression"])
    consultation: TriFact = Field(default=ABSENT, description=OBLIGATIONS["consultation"])


# --- dates ---

DATE_TYPE = "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {got}"
DATE_FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial_date(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        raise PydanticCustomError("date_type", DATE_TYPE, {"got": _describe(value)})
    if isinstance(value, int):
        value = f"{value:04d}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", DATE_TYPE, {"got": _describe(value)})
    match = DATE_FORM.match(value.strip())
    if not match:
        what = "'{value}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
        raise PydanticCustomError("date_form", what, {"value": shorten(value)})
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        datetime.date(year or 1, month or 1, day or 1)
    except ValueError:
        what = "'{value}' is not a date that exists"
        raise PydanticCustomError("date_invalid", what, {"value": shorten(value)}) from None
    return value.strip()


PartialDate = Annotated[str | None, BeforeValidator(_partial_date)]


def _domain(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("domain_type", "expected a domain name", {})
    word = _normal_word(value)
    if word not in DOMAINS:
        hint = did_you_mean(word, DOMAINS)
        raise PydanticCustomError(
            "unknown_domain",
            "unknown domain '{value}'",
            {"value": shorten(value), "hint": hint or "see the domain list in the README"},
        )
    return word


Domain = Annotated[str, BeforeValidator(_domain)]
NonEmptyText = Annotated[str, Field(min_length=1)]


# --- the arrangement ---


class Arrangement(BaseModel):
    """An interstate arrangement as described in an arrangement file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True)

    name: NonEmptyText = Field(description="the arrangement's name")
    short_name: str | None = Field(default=None, description="a short name, e.g. 'Quad'")
    members: list[NonEmptyText] = Field(
        description="at least two distinct members: states, or bodies like the EU"
    )
    signed: PartialDate = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    ended: PartialDate = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    instrument: str | None = Field(default=None, description=" | ".join(INSTRUMENTS))
    legally_binding: TriFact | None = Field(
        default=None, description="binding in international law; when absent it follows from the instrument"
    )
    obligations: Obligations = Field(default_factory=Obligations, description="what members owe one another")
    common_defence_strategy: TriFact = Field(
        default=ABSENT,
        validation_alias=AliasChoices("common_defence_strategy", "common_defense_strategy"),
        description="joint defence planning, integrated command, basing",
    )
    joint_exercises: TriFact = Field(default=ABSENT, description="regular joint military exercises")
    rivals_among_members: TriFact = Field(
        default=ABSENT, description="the members include states that are rivals of one another"
    )
    domains: list[Domain] = Field(default_factory=list, description="domains of cooperation")
    shared_objectives: list[NonEmptyText] = Field(
        default_factory=list, description="objectives members share"
    )
    threat: str | None = Field(
        default=None, description="a named adversary the arrangement answers to, if any"
    )
    sources: list[NonEmptyText] = Field(default_factory=list, description="where the facts come from")
    notes: str | None = Field(default=None, description="free text")

    @field_validator("instrument", mode="before")
    @classmethod
    def _instrument(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            what = "expected one of: {choices}; got {got}"
            found = {"choices": ", ".join(INSTRUMENTS), "got": _describe(value)}
            raise PydanticCustomError("instrument_type", what, found)
        word = _normal_word(value)
        if word == "unknown":
            return None
        word = INSTRUMENT_ALIASES.get(word, word)
        if word not in INSTRUMENTS:
            hint = did_you_mean(word, [*INSTRUMENTS, *INSTRUMENT_ALIASES])
            raise PydanticCustomError(
                "unknown_instrument",
                "unknown instrument '{value}'",
                {"value": shorten(value), "hint": hint or "one of: " + ", ".join(INSTRUMENTS)},
            )
        return word

    @field_validator("obligations", mode="before")
    @classmethod
    def _obligation_list(cls, value: Any) -> Any:
        """A list of obligation names is read as: these are present, the others absent."""
        if not isinstance(value, list):
            return value
        present: dict[str, bool] = {}
        for item in value:
            word = _normal_word(item) if isinstance(item, str) else repr(item)
            if word not in OBLIGATIONS:
                raise PydanticCustomError(
                    "unknown_obligation",
                    "unknown obligation '{value}'",
                    {
                        "value": shorten(str(item)),
                        "hint": did_you_mean(word, OBLIGATIONS) or "one of: " + ", ".join(OBLIGATIONS),
                    },
                )
            present[word] = True
        return present

    @field_validator("members", mode="before")
    @classmethod
    def _cow_codes(cls, value: Any) -> Any:
        """A whole number in the list is a Correlates of War state code: ``2`` is the United States."""
        if not isinstance(value, list):
            return value
        return [name_of_cow_code(m) if isinstance(m, int) and not isinstance(m, bool) else m for m in value]

    @field_validator("members", mode="after")
    @classmethod
    def _distinct_members(cls, members: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for member in members:
            key = member.casefold()
            if key in seen:
                what = "'{member}' is listed twice"
                raise PydanticCustomError("duplicate_member", what, {"member": shorten(member)})
            seen[key] = member
        same = same_member(members)
        if same is not None:
            raise PydanticCustomError(
                "same_member",
                "'{first}' and '{second}' are the same member ({member})",
                {"first": same[0], "second": same[1], "member": same[2].label},
            )
        if len(members) < 2:
            what = "an arrangement needs at least 2 members, got {count}"
            raise PydanticCustomError("too_few_members", what, {"count": len(members)})
        return members

    @model_validator(mode="after")
    def _dates_in_order(self) -> Arrangement:
        if self.signed and self.ended and self.ended[: len(self.signed)] < self.signed[: len(self.ended)]:
            dates = {"ended": self.ended, "signed": self.signed}
            raise PydanticCustomError("ended_before_signed", "{ended} is before signed, {signed}", dates)
        return self

    @property
    def binding(self) -> Fact:
        """Whether the instrument binds in law: as stated, else as the instrument implies, else unknown."""
        if self.legally_binding is not None:
            return self.legally_binding
        if self.instrument is None:
            return UNKNOWN
        return Fact(present=self.instrument in BINDING_INSTRUMENTS)


# --- facts: what rules read ---

FactValue = bool | int | str | list[str] | None

# name -> (kind, allowed values for enums). kind: "tri" (true/false/unknown), "count", "enum", "text", "list"
FACTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("text", ()),
    "members": ("list", ()),
    "member_count": ("count", ()),
    "instrument": ("enum", (*INSTRUMENTS,)),
    "legally_binding": ("tri", ()),
    **{f"obligations.{kind}": ("tri", ()) for kind in OBLIGATIONS},
    **{f"obligations.{kind}.asymmetric": ("tri", ()) for kind in OBLIGATIONS},
    **{f"obligations.{kind}.conditional": ("tri", ()) for kind in OBLIGATIONS},
    "common_defence_strategy": ("tri", ()),
    "joint_exercises": ("tri", ()),
    "rivals_among_members": ("tri", ()),
    "domains": ("list", (*DOMAINS,)),
    "domain_families": ("list", (*DOMAIN_FAMILIES,)),
    "domain_count": ("count", ()),
    "shared_objectives": ("list", ()),
    "threat": ("text", ()),
}
# Facts no counterfactual may change: who the members are and when they signed are history, not choices.
FIXED_FACTS = frozenset({"name", "members", "member_count", "rivals_among_members"})


def facts_of(arrangement: Arrangement) -> dict[str, FactValue]:
    """The flat fact values rules read: tri facts are True, False or None (unknown)."""
    facts: dict[str, FactValue] = {
        "name": arrangement.name,
        "members": list(arrangement.members),
        "member_count": len(arrangement.members),
        "instrument": arrangement.instrument,
        "legally_binding": arrangement.binding.present,
        "common_defence_strategy": arrangement.common_defence_strategy.present,
        "joint_exercises": arrangement.joint_exercises.present,
        "rivals_among_members": arrangement.rivals_among_members.present,
        "domains": list(arrangement.domains),
        "domain_families": sorted({DOMAINS[d] for d in arrangement.domains}),
        "domain_count": len(arrangement.domains),
        "shared_objectives": list(arrangement.shared_objectives),
        "threat": arrangement.threat or None,
    }
    for kind in OBLIGATIONS:
        fact: Fact = getattr(arrangement.obligations, kind)
        facts[f"obligations.{kind}"] = fact.present
        facts[f"obligations.{kind}.asymmetric"] = fact.asymmetric and fact.present is not False
        facts[f"obligations.{kind}.conditional"] = fact.conditional and fact.present is not False
    return facts


# --- validation: data -> Arrangement, or every problem at once, located -------------------------------------

FIELD_NAMES: dict[tuple[str, ...], list[str]] = {
    (): [*Arrangement.model_fields, "common_defense_strategy"],
    ("obligations",): [*Obligations.model_fields, "mutual_defense"],
}
FACT_FIELDS = [*Fact.model_fields]


MAX_PROBLEMS = 100  # per document: past this, one line says how many more there are


def _describe(value: Any) -> str:
    """A value as a message shows it: its kind, and the value itself when it is short."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {shorten(str(value), 30)}"
    if isinstance(value, str):
        return f"the text '{shorten(value)}'"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


# Pydantic's error types -> what the field expects, in the words of the README.
EXPECTED = {
    "string_type": "a text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
}


def _problem(document: Document, error: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    message: str = error["msg"]
    value = error.get("input")
    hint: str | None = (error.get("ctx") or {}).get("hint")
    at = loc
    if kind == "extra_forbidden":
        parent = tuple(str(p) for p in loc[:-1])
        choices = FIELD_NAMES.get(parent, FACT_FIELDS)
        message, hint = "unknown field", did_you_mean(str(loc[-1]), choices)
    elif kind == "invalid_key":  # a key that YAML read as a number, a boolean or null
        loc = at = (*loc[:-1], str(loc[-1]))
        message, hint = f"a field name must be a text, got {_describe(value)}", None
    elif kind == "missing":
        message = "required field is missing"
        hint = "see examples/quad.yaml" if len(loc) == 1 else "write present: true, false or unknown"
        at = loc[:-1]
    elif kind in EXPECTED:
        message = f"expected {EXPECTED[kind]}, got {_describe(value)}"
        if EXPECTED[kind] == "a text" and isinstance(value, (bool, int, float)):
            hint = "put it in quotes to keep it as text"
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind == "ended_before_signed":  # a model check: it belongs to the later of the two dates
        loc = at = ("ended",)
    elif kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    elif message[:1].isupper():  # Pydantic's own wording: lower-cased to match ours
        message = message[0].lower() + message[1:]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or None
    line, column = document.locate(at)
    return Problem(document.source, shorten(message, 300), line=line, column=column, field=field, hint=hint)


def parse_arrangement(document: Document) -> Arrangement:
    """Validate one document; raise InputError listing every problem in it, each with its line and column."""
    if not isinstance(document.data, dict):
        line, column = document.locate(())
        what = f"expected a mapping of fields, found {_describe(document.data)}"
        hint = "an arrangement file is a mapping: name, members, ..."
        raise InputError([Problem(document.source, what, line=line, column=column, hint=hint)])
    try:
        return Arrangement.model_validate(document.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems = sorted((_problem(document, e) for e in errors[:MAX_PROBLEMS]), key=_position)
        if len(errors) > MAX_PROBLEMS:
            more = f"{len(errors) - MAX_PROBLEMS} more problems in this document are not shown"
            problems.append(Problem(document.source, more, hint="fix the ones above first"))
        raise InputError(problems) from None


def _position(problem: Problem) -> tuple[int, int]:
    return problem.line or 0, problem.column or 0


Label = Literal["alliance", "strategic_partnership", "neither", "indeterminate"]
