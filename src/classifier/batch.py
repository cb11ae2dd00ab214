"""Inputs to results: every document of every input, classified or reported, in a deterministic order.

This is the library's batch entry point; the CLI only chooses inputs, renders results and sets the exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .arrangement import parse_arrangement
from .engine import classify
from .errors import ClassifierError, InputError, Problem
from .reading import Document, _Failed, read_path, read_stream, walk
from .rules import RuleSet, load_ruleset
from .verdict import Verdict, error_record


@dataclass(frozen=True)
class Failure:
    """An input (or one document of it) that could not be classified, with every problem found in it."""

    source: str
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict[str, object]:
        return error_record(self.source, list(self.problems))


Result = Verdict | Failure


def _documents(path: str, stdin: bytes | None = None) -> Iterator[Document | Failure]:
    try:
        if path == "-":
            documents: Iterable[Document] = list(read_stream(stdin if stdin is not None else sys.stdin.buffer.read()))
        else:
            documents = list(read_path(path))
    except InputError as exc:
        yield Failure(exc.path, tuple(exc.problems))
        return
    yield from documents


def classify_document(document: Document, ruleset: RuleSet) -> Result:
    """One document to a verdict, or to a failure naming every problem in it."""
    if isinstance(document.data, _Failed):
        return Failure(document.source, tuple(document.data.error.problems))
    try:
        arrangement = parse_arrangement(document)
    except ClassifierError as exc:
        return Failure(document.source, tuple(exc.problems))
    return classify(arrangement, ruleset, document.source)


def classify_file(path: str, ruleset: RuleSet, stdin: bytes | None = None) -> list[Result]:
    """Every document of one input, classified, in file order."""
    results: list[Result] = []
    for item in _documents(path, stdin):
        results.append(item if isinstance(item, Failure) else classify_document(item, ruleset))
    return results


_WORKER_RULES: RuleSet | None = None


def _init_worker(folder: str) -> None:
    global _WORKER_RULES
    _WORKER_RULES = load_ruleset(folder)


def _work(path: str) -> list[Result]:
    assert _WORKER_RULES is not None
    return classify_file(path, _WORKER_RULES)


def classify_inputs(
    paths: list[str],
    ruleset: RuleSet,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    jobs: int = 1,
) -> Iterator[Result]:
    """Results for every input named by ``paths`` (files, folders, ``-``), in the same order for any ``jobs``."""
    items = walk(paths, include, exclude)
    if jobs <= 1:
        for item in items:
            if isinstance(item, ClassifierError):
                yield Failure(item.path, tuple(item.problems))
            else:
                yield from classify_file(item, ruleset)
        return
    yield from _parallel(items, ruleset, jobs)


def _parallel(items: Iterable[str | ClassifierError], ruleset: RuleSet, jobs: int) -> Iterator[Result]:
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    stdin_results: dict[int, list[Result]] = {}
    ordered: list[str | ClassifierError] = list(items)
    work = []
    for index, item in enumerate(ordered):
        if isinstance(item, str) and item == "-":
            stdin_results[index] = classify_file("-", ruleset)
        elif isinstance(item, str):
            work.append(item)
    with context.Pool(jobs, initializer=_init_worker, initargs=(ruleset.folder,)) as pool:
        chunk = max(1, min(64, len(work) // (jobs * 8) or 1))
        results = pool.imap(_work, work, chunksize=chunk)
        for index, item in enumerate(ordered):
            if index in stdin_results:
                yield from stdin_results[index]
            elif isinstance(item, ClassifierError):
                yield Failure(item.path, tuple(item.problems))
            else:
                yield from next(results)


def default_jobs(count_hint: int | None = None) -> int:
    """Worker processes to use: one per core, but serial for small batches where workers cost more."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if count_hint is not None and count_hint < 200:
        return 1
    return max(1, cores)
