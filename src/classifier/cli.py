"""The command line: the only place that reads argv and the environment, prints diagnostics, or exits.

Exit codes: 0 every input classified; 1 some input could not be read or validated (the others are still
reported); 2 a usage error or a rule set that does not load; 3 an internal error (a bug); 130 interrupted.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TextIO

import click
from click.shell_completion import CompletionItem

from .atop import INPUT_FORMATS, classify_sources
from .batch import Failure, Result, default_jobs
from .config import CONFIG_ENV, SETTINGS, discover
from .counterfactual import check_changes, parse_set
from .engine import ClassifyOptions, current_options, set_options, use_options
from .errors import ClassifierError, printable, shorten
from .frameworks import FRAMEWORKS, CompareResult, compare_walked, load_frameworks
from .reading import DEFAULT_LIMITS, use_limits, walk
from .render import RENDERERS, RenderOptions
from .rules import default_rules_dir, load_ruleset
from .verdict import Verdict

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
PROGRESS_THRESHOLD = 200


class _StopAfterFailure(Exception):
    pass


SIZE_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9}
SIZE_UNITS.update({"kib": 2**10, "mib": 2**20, "gib": 2**30})


def byte_size(_ctx: click.Context, param: click.Parameter, value: str | int) -> int:
    """A byte count: 1000000, or with a unit: 500k, 10MB, 1G (powers of 1000), 64KiB, 10MiB (of 1024)."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value)
    if match and match[2].lower() in SIZE_UNITS:
        size = int(float(match[1]) * SIZE_UNITS[match[2].lower()])
        if size >= 1:
            return size
    raise click.BadParameter(f"{value!r} is not a size such as 1000000, 500k, 10MB or 64MiB", param=param)


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


def load_config(ctx: click.Context, _param: click.Parameter, path: str | None) -> str | None:
    """Before the other options: the configuration file's settings become defaults (flags > env > file)."""
    try:
        config = discover(path)
    except ClassifierError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        ctx.exit(EXIT_USAGE)
    ctx.default_map = {**config.default_map(), **(ctx.default_map or {})}
    ctx.meta["classify.config"] = config
    return path


def complete_paths(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion of PATH: files and folders, as the shell itself completes them."""
    return [CompletionItem(incomplete, type="file")]


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, metavar="[PATH]...", shell_complete=complete_paths)
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(list(RENDERERS)),
    default="text",
    show_default=True,
    envvar=SETTINGS["format"].env,
    show_envvar=True,
    help="Output format: text for people; json, jsonl (streamed) or csv for other tools.",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Show the full justification for every arrangement in a batch."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    envvar=SETTINGS["jobs"].env,
    show_envvar=True,
    help="Worker processes (default 0: one per core, serial under 100 inputs); output is the same for any N.",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="In folders, read only files whose name or path matches GLOB (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="In folders, skip files and folders whose name or path matches GLOB (repeatable).",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first input that cannot be read or validated.")
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, readable=False),
    metavar="DIR",
    default=None,
    envvar=SETTINGS["rules"].env,
    show_envvar=True,
    help="Classify with the rule set in DIR instead of the shipped one.",
)
@click.option(
    "--extra-rules",
    "extra_rules",
    type=click.Path(file_okay=False, readable=False),
    metavar="DIR",
    multiple=True,
    envvar=SETTINGS["extra-rules"].env,
    show_envvar=True,
    help="Add the rules in DIR to the rule set; one with the id of a rule it has replaces it (repeatable).",
)
@click.option(
    "--framework",
    type=click.Choice(list(FRAMEWORKS)),
    default=None,
    help="Classify by a shipped scholarly framework instead of the article's (see README, Frameworks).",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Classify by every framework (and by --rules DIR when given): one row per framework for each input.",
)
@click.option(
    "--input-format",
    type=click.Choice(list(INPUT_FORMATS)),
    default="auto",
    show_default=True,
    help="Read inputs as arrangement files, or as atop: ATOP's alliance-level CSV, one alliance per row "
    "(auto: a .csv file, or standard input that starts with ATOP's header).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, readable=False),
    metavar="FILE",
    envvar=CONFIG_ENV,
    show_envvar=True,
    is_eager=True,
    expose_value=False,
    callback=load_config,
    help="Read default options from FILE (default: the nearest classify.toml, or pyproject.toml with "
    "[tool.classify]).",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Force colour on or off (default: on a terminal, unless NO_COLOR).",
)
@click.option(
    "--max-bytes",
    callback=byte_size,
    default=f"{DEFAULT_LIMITS.max_bytes // 10**6}MB",
    show_default=True,
    metavar="SIZE",
    help="Refuse a file (or standard input) larger than SIZE, e.g. 500k, 10MB, 64MiB; a file may also hold "
    "at most one value per 10 bytes of it (see README, Bad input).",
)
@click.option(
    "--set",
    "set_",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Classify as if the file said FIELD: VALUE, e.g. --set obligations.mutual_defence=true (repeatable; "
    "VALUE is read as YAML: true, false, unknown, treaty, [defence, trade]).",
)
@click.option("--brief", is_flag=True, help="Leave out what would change the verdict (and skip its search).")
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
    extra_rules: tuple[str, ...],
    framework: str | None,
    compare: bool,
    input_format: str,
    color: bool | None,
    max_bytes: int,
    set_: tuple[str, ...],
    brief: bool,
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
    if framework and rules_dir:
        raise click.UsageError("--rules and --framework both choose the rule set: give one of them")
    changes = _changes(set_)
    if changes is None:
        sys.exit(EXIT_USAGE)
    try:
        rules = (rules_dir or (default_rules_dir(framework) if framework else None), extra_rules)
        view = View(compare, input_format, explicit=bool(rules_dir or extra_rules))
        what_ifs = use_options(ClassifyOptions(changes=changes, what_if=not brief))
        with use_limits(max_bytes=max_bytes), what_ifs:  # rule files and inputs alike; forked workers inherit
            code = _run(paths, format_, verbose, jobs, include, exclude, fail_fast, rules, color, view)
    except KeyboardInterrupt:
        click.echo("classify: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_OK
    except Exception as exc:
        _report_bug(exc, debug)
        code = EXIT_BUG
    sys.exit(code)


def _changes(specs: tuple[str, ...]) -> tuple[tuple[str, object], ...] | None:
    """The --set FIELD=VALUE changes, or None after reporting every problem with them (a usage error)."""
    changes, problems = [], []
    for spec in specs:
        try:
            changes.append(parse_set(spec))
        except ClassifierError as exc:
            problems.extend(exc.problems)
    problems.extend(check_changes(changes))
    for problem in problems:
        click.echo(str(problem), err=True)
    return None if problems else tuple(changes)


def _report_bug(exc: BaseException, debug: bool) -> None:
    """An internal error: one short line (the traceback too with --debug), never the input's content raw."""
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    what = printable(shorten(f"{type(exc).__name__}: {exc}", 200))
    hint = "this is a bug; please report it" + ("" if debug else ", and rerun with --debug for the traceback")
    click.echo(f"classify: internal error: {what} ({hint})", err=True)


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
    rules: tuple[str | None, tuple[str, ...]],
    color: bool | None,
    view: View | None = None,
) -> int:
    view = view or View()
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            click.echo(
                "classify: no input: give a file, a folder, or - for standard input (see classify --help)",
                err=True,
            )
            return EXIT_USAGE
        paths = ("-",)
    try:
        ruleset = load_ruleset(*rules)
    except ClassifierError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        return EXIT_USAGE

    inputs = list(walk(list(paths), include, exclude))
    if not inputs:
        click.echo("classify: no arrangement files found (looked for *.yaml, *.yml and *.json)", err=True)
        return EXIT_INPUT
    asked = current_options()
    if view.compare:
        if asked.changes:
            click.echo("classify: --set does not apply with --compare: give one of them", err=True)
            return EXIT_USAGE
        rulesets = [*load_frameworks(), *([ruleset] if view.explicit else [])]
        comparisons = compare_walked(inputs, rulesets, view.input_format)
        options = RenderOptions(verbose=verbose, color=color)
        with use_options(replace(asked, what_if=False)):  # a comparison shows no what-ifs: skip the search
            return _render_comparisons(comparisons, format_, options, fail_fast)
    # the search for what would change a verdict is only made when the output shows it
    shown = format_ in ("json", "jsonl") or (format_ == "text" and (verbose or len(inputs) == 1))
    set_options(replace(asked, what_if=asked.what_if and shown))
    workers = jobs or default_jobs(len(inputs))
    classified = classify_sources(inputs, ruleset, workers, view.input_format)
    results: Iterable[Result] = _with_warnings(classified)
    stdout = sys.stdout
    if len(inputs) >= PROGRESS_THRESHOLD and sys.stderr.isatty() and not stdout.isatty():
        from .render.progress import with_progress  # imports rich: only when a bar is shown

        results = with_progress(results, len(inputs))
    results = _report_failures(results, stdout, fail_fast)
    options = RenderOptions(verbose=verbose, brief=not asked.what_if, color=color)
    tally = None
    try:
        tally = RENDERERS[format_](results, stdout, options)
        stdout.flush()
    finally:
        # ends the workers now, also after --fail-fast, a closed pipe or Ctrl-C
        _close_within(classified, CLOSE_SECONDS, EXIT_INPUT if tally and tally.failed else EXIT_OK)
    return EXIT_INPUT if tally.failed else EXIT_OK


CLOSE_SECONDS = 10


def _close_within(results: Generator[Result, None, None], seconds: float, code: int) -> None:
    """Close the results (and so the worker pool), but never wait on it for ever.

    After the reader of a pipe leaves or Ctrl-C, tearing down a multiprocessing pool can on rare occasions
    block for good; past ``seconds`` the process ends with the code it would have had (``code``, or 130
    after Ctrl-C), and the workers, whose pipes to it close, end too.
    """
    import threading

    if isinstance(sys.exc_info()[1], KeyboardInterrupt):
        code = EXIT_INTERRUPTED
    timer = threading.Timer(seconds, os._exit, args=(code,))
    timer.daemon = True
    timer.start()
    try:
        results.close()
    finally:
        timer.cancel()


# --- frameworks, ATOP files and members (--compare, --input-format) ---------------------------------------


@dataclass(frozen=True)
class View:
    """How inputs are read and seen: side by side (--compare), and as arrangements or ATOP rows."""

    compare: bool = False
    input_format: str = "auto"
    explicit: bool = False  # --rules or --extra-rules given: compared beside the shipped frameworks


def _with_warnings(results: Generator[Result, None, None]) -> Generator[Result, None, None]:
    """Each result, after its warnings (members no table knows, kept as written) are said on stderr."""
    try:
        for result in results:
            if isinstance(result, Verdict):
                for problem in result.warnings:
                    click.echo(str(problem), err=True)
            yield result
    finally:
        results.close()


def _render_comparisons(
    results: Iterable[CompareResult], format_: str, options: RenderOptions, fail_fast: bool
) -> int:
    from .render.compare import COMPARE_RENDERERS

    def reported() -> Iterator[CompareResult]:
        for result in results:
            yield result
            if isinstance(result, Failure):
                sys.stdout.flush()
                for problem in result.problems:
                    click.echo(str(problem), err=True)
                if fail_fast:
                    return
            else:
                for problem in result.verdicts[0].warnings if result.verdicts else ():
                    click.echo(str(problem), err=True)

    tally = COMPARE_RENDERERS[format_](reported(), sys.stdout, options)
    sys.stdout.flush()
    return EXIT_INPUT if tally.failed else EXIT_OK
