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

from .errors import InputError, Problem, did_you_mean
from .reading import Document

# --- vocabularies -------------------------------------------------------------------------------------------

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


# --- three-valued facts -------------------------------------------------------------------------------------

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
            "fact_word", "expected true, false or unknown, got '{value}'", {"value": value}
        )
    if isinstance(value, dict):
        return value
    raise PydanticCustomError(
        "fact_type",
        "expected true, false, unknown or a mapping with 'present', got {kind}",
        {"kind": type(value).__name__},
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


# --- dates ----------------------------------------------------------------------------------------------------

DATE_FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial_date(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        raise PydanticCustomError("date_type", "expected a date as YYYY, YYYY-MM or YYYY-MM-DD", {})
    if isinstance(value, int):
        value = f"{value:04d}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "expected a date as YYYY, YYYY-MM or YYYY-MM-DD", {})
    match = DATE_FORM.match(value.strip())
    if not match:
        raise PydanticCustomError(
            "date_form", "'{value}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", {"value": value}
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        datetime.date(year or 1, month or 1, day or 1)
    except ValueError:
        raise PydanticCustomError("date_invalid", "'{value}' is not a date that exists", {"value": value}) from None
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
            {"value": value, "hint": hint or "see the domain list in the README"},
        )
    return word


Domain = Annotated[str, BeforeValidator(_domain)]
NonEmptyText = Annotated[str, Field(min_length=1)]


# --- the arrangement ------------------------------------------------------------------------------------------


class Arrangement(BaseModel):
    """An interstate arrangement as described in an arrangement file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True)

    name: NonEmptyText = Field(description="the arrangement's name")
    short_name: str | None = Field(default=None, description="a short name, e.g. 'Quad'")
    members: list[NonEmptyText] = Field(description="at least two distinct members: states, or bodies like the EU")
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
    shared_objectives: list[NonEmptyText] = Field(default_factory=list, description="objectives members share")
    threat: str | None = Field(default=None, description="a named adversary the arrangement answers to, if any")
    sources: list[NonEmptyText] = Field(default_factory=list, description="where the facts come from")
    notes: str | None = Field(default=None, description="free text")

    @field_validator("instrument", mode="before")
    @classmethod
    def _instrument(cls, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise PydanticCustomError("instrument_type", "expected one of: {choices}", {"choices": ", ".join(INSTRUMENTS)})
        word = _normal_word(value)
        if word == "unknown":
            return None
        word = INSTRUMENT_ALIASES.get(word, word)
        if word not in INSTRUMENTS:
            hint = did_you_mean(word, [*INSTRUMENTS, *INSTRUMENT_ALIASES])
            raise PydanticCustomError(
                "unknown_instrument",
                "unknown instrument '{value}'",
                {"value": value, "hint": hint or "one of: " + ", ".join(INSTRUMENTS)},
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
                    {"value": item, "hint": did_you_mean(word, OBLIGATIONS) or "one of: " + ", ".join(OBLIGATIONS)},
                )
            present[word] = True
        return present

    @field_validator("members", mode="after")
    @classmethod
    def _distinct_members(cls, members: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for member in members:
            key = member.casefold()
            if key in seen:
                raise PydanticCustomError("duplicate_member", "'{member}' is listed twice", {"member": member})
            seen[key] = member
        if len(members) < 2:
            raise PydanticCustomError(
                "too_few_members", "an arrangement needs at least 2 members, got {count}", {"count": len(members)}
            )
        return members

    @model_validator(mode="after")
    def _dates_in_order(self) -> Arrangement:
        if self.signed and self.ended and self.ended[: len(self.signed)] < self.signed[: len(self.ended)]:
            raise PydanticCustomError(
                "ended_before_signed", "ended ({ended}) is before signed ({signed})", {"ended": self.ended, "signed": self.signed}
            )
        return self

    @property
    def binding(self) -> Fact:
        """Whether the instrument binds in law: as stated, else as the instrument implies, else unknown."""
        if self.legally_binding is not None:
            return self.legally_binding
        if self.instrument is None:
            return UNKNOWN
        return Fact(present=self.instrument in BINDING_INSTRUMENTS)


# --- facts: what rules read -----------------------------------------------------------------------------------

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


# --- validation: data -> Arrangement, or every problem at once, located ----------------------------------------

FIELD_NAMES: dict[tuple[str, ...], list[str]] = {
    (): [*Arrangement.model_fields, "common_defense_strategy"],
    ("obligations",): [*Obligations.model_fields, "mutual_defense"],
}
FACT_FIELDS = [*Fact.model_fields]


def _problem(document: Document, error: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind = error["type"]
    message: str = error["msg"]
    hint = None
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or None
    if kind == "extra_forbidden":
        parent = tuple(str(p) for p in loc[:-1])
        choices = FIELD_NAMES.get(parent, FACT_FIELDS)
        message, hint = "unknown field", did_you_mean(str(loc[-1]), choices)
    elif kind == "missing":
        message = "required field is missing"
        hint = "see examples/quad.yaml"
    elif kind == "model_type" and not loc:
        got = type(error["input"]).__name__
        got = {"list": "a list", "str": "a text", "int": "a number", "NoneType": "nothing"}.get(got, got)
        message, hint = f"expected a mapping of fields, found {got}", "an arrangement file is a mapping: name, members, ..."
    elif kind in ("string_type", "list_type", "bool_type", "int_type"):
        got = error["input"]
        message = message[0].lower() + message[1:] + f", got {type(got).__name__ if got is not None else 'null'}"
    elif kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    hint = hint or (error.get("ctx") or {}).get("hint")
    line, column = document.locate(loc)
    if kind == "missing":
        line, column = document.locate(loc[:-1])
    return Problem(document.source, message, line=line, column=column, field=field, hint=hint)


def parse_arrangement(document: Document) -> Arrangement:
    """Validate one document; raise InputError listing every problem in it, each with its line and column."""
    if not isinstance(document.data, dict):
        got = {list: "a list", str: "a text", int: "a number", float: "a number", bool: "a boolean"}.get(
            type(document.data), "nothing"
        )
        line, column = document.locate(())
        raise InputError(
            [
                Problem(
                    document.source,
                    f"expected a mapping of fields, found {got}",
                    line=line,
                    column=column,
                    hint="an arrangement file is a mapping: name, members, ...",
                )
            ]
        )
    try:
        return Arrangement.model_validate(document.data)
    except ValidationError as exc:
        problems = [_problem(document, error) for error in exc.errors(include_url=False)]
        raise InputError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0))) from None


Label = Literal["alliance", "strategic_partnership", "neither", "indeterminate"]
