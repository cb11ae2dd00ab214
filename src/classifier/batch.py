"""Inputs to results: every document of every input, classified or reported, in a deterministic order.

This is the library's batch entry point; the CLI only chooses inputs, renders results and sets the exit code.
Results come out in input order (files as walked, documents in file order) whatever the number of worker
processes, and as they are ready: nothing here holds more than a bounded window of results.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING

from .arrangement import parse_arrangement
from .counterfactual import apply_changes
from .engine import ClassifyOptions, classify, current_options, set_options
from .errors import ClassifierError, InputError, Problem
from .reading import Document, _Failed, read_path, read_stream, walk
from .rules import RuleSet
from .verdict import Verdict, error_record

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

STDIN = "-"
SMALL_BATCH = 100  # inputs below which the default is serial: starting workers costs more than it saves
CHUNK_MAX = 32  # files a worker takes at once: enough to amortise the hand-over, few enough to balance load
WINDOW_PER_JOB = 4  # chunks in flight per worker: keeps workers busy while bounding what waits in memory


@dataclass(frozen=True)
class Failure:
    """An input (or one document of it) that could not be classified, with every problem found in it."""

    source: str
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict[str, object]:
        return error_record(self.source, list(self.problems))


Result = Verdict | Failure
Input = str | ClassifierError  # what walk() yields: a path to read, or the error that stands in for one


def classify_document(document: Document, ruleset: RuleSet) -> Result:
    """One document to a verdict, or to a failure naming every problem in it (see engine.use_options)."""
    if isinstance(document.data, _Failed):
        return Failure(document.source, tuple(document.data.error.problems))
    options = current_options()
    if options.changes:  # --set: the file's data with the changes, validated as if the file said so
        document = replace(document, data=apply_changes(document.data, options.changes))
    try:
        arrangement = parse_arrangement(document)
    except ClassifierError as exc:
        return Failure(document.source, tuple(exc.problems))
    return classify(arrangement, ruleset, document.source)


def _classify_path(path: str, ruleset: RuleSet, stdin: IO[bytes] | bytes | None = None) -> Iterator[Result]:
    """Every document of one input in file order, as each is ready (JSON Lines on stdin: line by line)."""
    try:
        if path == STDIN:
            for document in read_stream(stdin if stdin is not None else sys.stdin.buffer):
                yield classify_document(document, ruleset)
        else:
            for document in list(read_path(path)):
                yield classify_document(document, ruleset)
    except InputError as exc:
        yield Failure(exc.path, tuple(exc.problems))
    except OSError as exc:  # standard input could not be read (files report their own OS errors)
        source = "<stdin>" if path == STDIN else path
        yield Failure(source, (Problem(source, (exc.strerror or str(exc)).lower()),))


def classify_file(path: str, ruleset: RuleSet, stdin: IO[bytes] | bytes | None = None) -> list[Result]:
    """Every document of one input (a file, or ``-`` for standard input), classified, in file order."""
    return list(_classify_path(path, ruleset, stdin))


def _classify_input(item: Input, ruleset: RuleSet) -> Iterator[Result]:
    if isinstance(item, ClassifierError):
        return iter((Failure(item.path, tuple(item.problems)),))
    return _classify_path(item, ruleset)


def classify_inputs(
    paths: list[str],
    ruleset: RuleSet,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    jobs: int = 1,
) -> Iterator[Result]:
    """Results for every input named by ``paths`` (files, folders, ``-``), in one order for any ``jobs``."""
    return classify_walked(walk(paths, include, exclude), ruleset, jobs)


def classify_walked(items: Iterable[Input], ruleset: RuleSet, jobs: int = 1) -> Generator[Result, None, None]:
    """Results for inputs already walked (see ``reading.walk``), in order, on ``jobs`` worker processes.

    With more than one job, files are handed to workers in chunks and their results put back in input
    order, so the output is the same as serial; standard input is read here, in its place in the order.
    """
    if jobs <= 1:
        for item in items:
            yield from _classify_input(item, ruleset)
        return
    yield from _parallel(items, ruleset, jobs)


# --- worker processes ---------------------------------------------------------------------------------------

_WORKER_RULES: RuleSet | None = None


def _init_worker(ruleset: RuleSet, options: ClassifyOptions | None = None) -> None:
    """In each worker: keep the rule set and the parent's options, and leave Ctrl-C to the parent."""
    import signal

    global _WORKER_RULES
    _WORKER_RULES = ruleset
    if options is not None:  # as the parent has them, also where workers are spawned rather than forked
        set_options(options)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(paths: list[str]) -> list[Result]:
    assert _WORKER_RULES is not None, "the pool initializer sets the rule set"
    return [result for path in paths for result in _classify_path(path, _WORKER_RULES)]


def _parallel(items: Iterable[Input], ruleset: RuleSet, jobs: int) -> Generator[Result, None, None]:
    import multiprocessing

    # fork shares the parent's loaded modules and rules at no cost; elsewhere use the platform's safe default
    method = "fork" if sys.platform == "linux" else None
    context = multiprocessing.get_context(method)
    total = len(items) if isinstance(items, list | tuple) else None
    size = max(1, min(CHUNK_MAX, total // (jobs * 8))) if total is not None else CHUNK_MAX // 2
    window = jobs * WINDOW_PER_JOB
    # each pending entry is a chunk being classified by a worker, results ready now, or stdin's place
    pending: deque[AsyncResult[list[Result]] | list[Result] | str] = deque()
    try:
        pool = context.Pool(jobs, initializer=_init_worker, initargs=(ruleset, current_options()))
    except OSError:  # no worker processes here (a sandbox without semaphores or fork): classify serially
        yield from classify_walked(items, ruleset, 1)
        return
    with pool:
        chunk: list[str] = []
        for item in items:
            if isinstance(item, str) and item != STDIN:
                chunk.append(item)
                if len(chunk) < size:
                    continue
            if chunk:
                pending.append(pool.apply_async(_work, (chunk,)))
                chunk = []
            if isinstance(item, ClassifierError):
                pending.append([Failure(item.path, tuple(item.problems))])
            elif item == STDIN:
                pending.append(STDIN)
            while len(pending) > window:
                yield from _settle(pending.popleft(), ruleset)
        if chunk:
            pending.append(pool.apply_async(_work, (chunk,)))
        while pending:
            yield from _settle(pending.popleft(), ruleset)


def _settle(entry: AsyncResult[list[Result]] | list[Result] | str, ruleset: RuleSet) -> Iterator[Result]:
    if isinstance(entry, list):
        return iter(entry)
    if isinstance(entry, str):
        return _classify_path(entry, ruleset)
    return iter(entry.get())


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_jobs(count: int | None = None) -> int:
    """Worker processes to use for ``count`` inputs: one per core, but serial for small batches."""
    if count is not None and count < SMALL_BATCH:
        return 1
    return available_cores()
