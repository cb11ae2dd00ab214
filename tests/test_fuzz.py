"""Fuzzing the reading layer: any bytes at all become documents or a clean InputError, never a crash.

Hypothesis drives three kinds of input through decode, parse_yaml, read_stream and parse_arrangement: raw
bytes, text made of YAML's punctuation, and real arrangement files with bytes flipped, cut or inserted. The
run is bounded by example counts, not by time, so it is the same on a slow machine; raise FUZZ_EXAMPLES for
a longer hunt (e.g. ``FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.arrangement import parse_arrangement
from classifier.errors import InputError, Problem
from classifier.reading import Document, _Failed, decode, parse_yaml, read_stream

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
SEEDS = [p.read_bytes() for p in sorted(Path(__file__).resolve().parent.parent.glob("examples/*.yaml"))[:8]]
YAML_PUNCTUATION = (
    "-?:,[]{}#&*!|>'\"%@` \t\n\r\\<=~.0123456789abcdefnotruyNOYTF\u00e9\u2028\ufeff\x00\x07\x85"
)


def well_formed(problems: list[Problem], source: str) -> None:
    """Every problem names its source and is one printable line."""
    assert problems
    for problem in problems:
        text = str(problem)
        assert text.startswith(source) and "\n" not in text and "\r" not in text


def read_all(raw: bytes) -> None:
    """The whole reading path for one input: a clean error, or documents that validate or fail cleanly."""
    try:
        documents: list[Document] = list(parse_yaml(decode(raw, "f.yaml"), "f.yaml"))
    except InputError as exc:
        well_formed(exc.problems, "f.yaml")
        return
    validate(documents, "f.yaml")


def validate(documents: list[Document], source: str) -> None:
    for document in documents:
        if isinstance(document.data, _Failed):
            well_formed(document.data.error.problems, source)
            continue
        try:
            parse_arrangement(document)
        except InputError as exc:
            well_formed(exc.problems, source)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes(raw: bytes) -> None:
    """Arbitrary bytes: decoded or refused, parsed or refused, never an exception of another kind."""
    read_all(raw)


@FUZZ
@given(st.text(alphabet=YAML_PUNCTUATION, max_size=300))
def test_yaml_punctuation(text: str) -> None:
    """Text built from YAML's indicators, where the parser's corners are."""
    read_all(text.encode("utf-8", "surrogatepass"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real arrangement file with a few bytes flipped, deleted, or inserted."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "insert" or at == len(data):
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        else:
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_arrangements(raw: bytes) -> None:
    """Real files, slightly damaged: each damage is reported cleanly (or is harmless)."""
    read_all(raw)


@FUZZ
@given(st.lists(st.one_of(mutated(), st.binary(max_size=80)), max_size=4))
def test_streams_on_standard_input(parts: list[bytes]) -> None:
    """A stream on stdin (JSON Lines or YAML documents) of damaged parts: every part cleanly accounted for."""
    raw = b"\n".join(parts)
    try:
        documents = list(read_stream(raw))
    except InputError as exc:
        well_formed(exc.problems, "<stdin>")
        return
    validate(documents, "<stdin>")
