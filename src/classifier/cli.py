"""The command line: the only place that reads argv and the environment, prints diagnostics, or exits.

Exit codes: 0 every input classified; 1 some input could not be read or validated (the others are still
reported); 2 a usage error or a rule set that does not load; 3 an internal error (a bug); 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

import click

from .batch import Failure, Result, classify_inputs, default_jobs
from .errors import ClassifierError
from .reading import walk
from .render import RENDERERS, RenderOptions
from .rules import load_ruleset

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
PROGRESS_THRESHOLD = 200


class _StopAfterFailure(Exception):
    pass


def _report_failures(results: Iterable[Result], stdout: TextIO, fail_fast: bool) -> Iterator[Result]:
    """Pass results on, writing each failure's problems to stderr as it goes by (inline on a terminal)."""
    for result in results:
        yield result
        if isinstance(result, Failure):
            stdout.flush()
            for problem in result.problems:
                click.echo(str(problem), err=True)
            if fail_fast:
                return


def _progress(results: Iterable[Result], total: int) -> Iterator[Result]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("classifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("classify", total=total)
        last = None
        for result in results:
            source = result.source.split("#", 1)[0]
            if source != last:
                progress.advance(task)
                last = source
            yield result


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(list(RENDERERS)),
    default="text",
    show_default=True,
    help="Output format: text for people; json, jsonl (streamed) or csv for other tools.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the full justification for every arrangement in a batch.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes (default 0: one per core for large batches)."
)
@click.option("--include", multiple=True, metavar="GLOB", help="Only walk files matching GLOB (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB when walking (repeatable).")
@click.option("--fail-fast", is_flag=True, help="Stop at the first input that cannot be read or validated.")
@click.option(
    "--rules", "rules_dir", metavar="DIR", default=None, help="Classify with the rule set in DIR instead of the shipped one."
)
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal, unless NO_COLOR).")
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
@click.version_option(package_name="classify", message="classify %(version)s")
def main(
    paths: tuple[str, ...],
    format_: str,
    verbose: bool,
    jobs: int,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    fail_fast: bool,
    rules_dir: str | None,
    color: bool | None,
    debug: bool,
) -> None:
    """Classify interstate arrangements: alliance, strategic partnership, neither, or indeterminate.

    PATH is an arrangement file (YAML or JSON), a folder (walked for *.yaml, *.yml and *.json), or - for
    standard input (a YAML stream or JSON Lines). With no PATH, standard input is read when it is not a
    terminal.

    \b
    Exit codes:
      0  every input classified
      1  some input could not be read or validated (the rest are still reported)
      2  usage error, or a rule set that does not load
      3  internal error (a bug: please report it; --debug shows the traceback)
    """
    try:
        code = _run(paths, format_, verbose, jobs, include, exclude, fail_fast, rules_dir, color)
    except KeyboardInterrupt:
        click.echo("classify: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_OK
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"classify: internal error: {type(exc).__name__}: {exc} (this is a bug; rerun with --debug for the traceback)",
            err=True,
        )
        code = EXIT_BUG
    sys.exit(code)


def _silence_stdout() -> None:
    """After the reader of a pipe has gone, point stdout at /dev/null so the final flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _run(
    paths: tuple[str, ...],
    format_: str,
    verbose: bool,
    jobs: int,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    fail_fast: bool,
    rules_dir: str | None,
    color: bool | None,
) -> int:
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            click.echo("classify: no input: give a file, a folder, or - for standard input (see classify --help)", err=True)
            return EXIT_USAGE
        paths = ("-",)
    try:
        ruleset = load_ruleset(rules_dir)
    except ClassifierError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        return EXIT_USAGE

    inputs = list(walk(list(paths), include, exclude))
    if not inputs:
        click.echo("classify: no arrangement files found (looked for *.yaml, *.yml and *.json)", err=True)
        return EXIT_INPUT
    workers = jobs or default_jobs(len(inputs))
    results: Iterable[Result] = classify_inputs(list(paths), ruleset, include, exclude, jobs=workers)
    stdout = sys.stdout
    if len(inputs) >= PROGRESS_THRESHOLD and sys.stderr.isatty() and not stdout.isatty():
        results = _progress(results, len(inputs))
    results = _report_failures(results, stdout, fail_fast)
    options = RenderOptions(verbose=verbose, color=color)
    tally = RENDERERS[format_](results, stdout, options)
    stdout.flush()
    return EXIT_INPUT if tally.failed else EXIT_OK
