"""``classifier``: the tools around ``classify``, for its rules and its file format.

A command of its own, beside ``classify``, so that no file name can be mistaken for a subcommand:
``classify rules`` classifies a file or folder named ``rules``, ``classifier rules list`` lists rules.

    classifier rules list [DIR]          the rules: id, effect, priority, title; and the citation
    classifier rules explain ID [DIR]    one rule in full, and which shipped examples it fires on
    classifier rules check [DIR]         load, check statically, run every rule's examples: exit 0 or 1
    classifier rules doc [DIR]           the Markdown page of every rule (docs/rules.md)
    classifier schema                    the JSON Schema of an arrangement file, for editors
    classifier init [FILE]               a commented template of an arrangement file
    classifier completion SHELL          shell completion for classify and classifier

Exit codes: 0 done; 1 a check found problems; 2 a usage error, or a rule set that does not load; 3 an
internal error (a bug); 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
from click.shell_completion import get_completion_class

from .arrangement import DOMAINS, INSTRUMENTS, OBLIGATIONS, parse_arrangement
from .checks import analyse, example_problems, outcomes
from .cli import EXIT_BUG, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_USAGE
from .cli import main as classify_command
from .config import CONFIG_ENV, SETTINGS, discover
from .errors import ClassifierError, Problem, did_you_mean
from .reading import list_yaml_files, load_yaml_with_positions, parse_yaml, read_text, same_yaml_files
from .ruledoc import explain_text, list_text, markdown, rule_record, ruleset_record
from .rules import MANIFEST, RuleSet, load_ruleset, shipped_examples_dir, shipped_rulesets
from .schema import schema_text, shipped_schema_path, template

SHELLS = ("bash", "zsh", "fish")
COMMANDS: dict[str, click.Command] = {"classify": classify_command}
RULE_COMMANDS = ("list", "explain", "check", "doc")
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"classifier: {message}", err=True)
    sys.exit(code)


def _problems(problems: list[Problem], err: bool = True) -> None:
    for problem in problems:
        click.echo(str(problem), err=err)


class _Group(click.Group):
    """A group whose commands end as ``classify`` does: 130 on Ctrl-C, 3 and one line on a bug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", EXIT_INTERRUPTED)
        except BrokenPipeError:  # the reader of a pipe has gone (| head): stop quietly, as classify does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(this is a bug; rerun with --debug for the traceback)",
                EXIT_BUG,
            )


def _load_config(ctx: click.Context, _param: click.Parameter, path: str | None) -> str | None:
    """The configuration file's rule folders become defaults of every rule command (flags > env > file)."""
    try:
        config = discover(path)
    except ClassifierError as exc:
        _problems(exc.problems)
        ctx.exit(EXIT_USAGE)
    defaults = {
        "folder": config.values.get("rules"),
        "extra_rules": config.values.get("extra-rules"),
    }
    defaults = {k: v for k, v in defaults.items() if v is not None}
    ctx.default_map = {"rules": {name: dict(defaults) for name in RULE_COMMANDS}, **(ctx.default_map or {})}
    ctx.meta["classify.config"] = config
    return path


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    type=click.Path(dir_okay=False, readable=False),
    metavar="FILE",
    envvar=CONFIG_ENV,
    show_envvar=True,
    is_eager=True,
    expose_value=False,
    callback=_load_config,
    help="Read settings from FILE (default: the nearest classify.toml, or pyproject.toml with "
    "[tool.classify]).",
)
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
@click.version_option(package_name="classify", message="classifier %(version)s")
def main(debug: bool) -> None:
    """Tools for classify's rules and file format: list, explain, check and document rules; print the
    schema of an arrangement file; start a new one; set up shell completion.

    To classify files, use classify (a separate command, so that a file named like one of these
    commands is still classified).

    \b
    Exit codes:
      0  done
      1  a check found problems
      2  usage error, or a rule set that does not load
      3  internal error (a bug: please report it; --debug shows the traceback)
    """


# --- rules ------------------------------------------------------------------------------------------------


def _rules_options(command: F) -> F:
    """The rule set a rule command works on: DIR (the shipped one by default) and extra rule folders."""
    command = click.option(
        "--extra-rules",
        "extra_rules",
        type=click.Path(file_okay=False, readable=False),
        metavar="DIR",
        multiple=True,
        envvar=SETTINGS["extra-rules"].env,
        show_envvar=True,
        help="Add the rules in DIR; one with the id of a rule the set has replaces it (repeatable).",
    )(command)
    return click.argument(
        "folder",
        metavar="[DIR]",
        required=False,
        type=click.Path(file_okay=False, readable=False),
        envvar=SETTINGS["rules"].env,
    )(command)


def _format_option(command: F) -> F:
    return click.option(
        "-f",
        "--format",
        "format_",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="text for people, json for other tools.",
    )(command)


def _load(folder: str | None, extra_rules: tuple[str, ...]) -> RuleSet:
    try:
        return load_ruleset(folder, extra_rules)
    except ClassifierError as exc:
        _problems(exc.problems)
        sys.exit(EXIT_USAGE)


@main.group()
def rules() -> None:
    """List, explain, check and document a rule set (DIR; the shipped one by default).

    DIR defaults to CLASSIFY_RULES, then the configuration file's rules, then the shipped rule set.
    """


@rules.command("list")
@_rules_options
@_format_option
def list_rules(folder: str | None, extra_rules: tuple[str, ...], format_: str) -> None:
    """List the rules, in the order they are tried: id, effect, priority and title, then the citation."""
    ruleset = _load(folder, extra_rules)
    if format_ == "json":
        import json

        click.echo(json.dumps(ruleset_record(ruleset), indent=2, ensure_ascii=False))
    else:
        click.echo(list_text(ruleset), nl=False)


def _example_files() -> list[str]:
    folder = shipped_examples_dir()
    try:
        return list_yaml_files(folder)
    except ClassifierError:
        return []


@rules.command("explain")
@click.argument("rule_id", metavar="ID")
@_rules_options
@_format_option
def explain_rule(rule_id: str, folder: str | None, extra_rules: tuple[str, ...], format_: str) -> None:
    """Explain one rule: its criterion, condition, effect, citation, examples, and the shipped examples it
    fires on."""
    ruleset = _load(folder, extra_rules)
    ids = [rule.id for rule in ruleset.ranked]
    if rule_id not in ids:
        hint = did_you_mean(rule_id, ids) or "classifier rules list shows them"
        _fail(f"no rule '{rule_id}' in {ruleset.name} ({hint})")
    rule = ruleset.rule(rule_id)
    fired = outcomes(rule, _example_files())
    if format_ == "json":
        import json

        record = {**rule_record(ruleset, rule), "fires_on": fired["met"], "unknown_on": fired["unknown"]}
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        click.echo(explain_text(ruleset, rule, fired), nl=False)


def _name_note(folder: str) -> str | None:
    """A copy of a shipped rule set that keeps its name is named by its folder in results: say so."""
    path = os.path.join(folder, MANIFEST)
    try:
        data, positions = load_yaml_with_positions(read_text(path), path)
    except ClassifierError:
        return None
    name = data.get("name") if isinstance(data, dict) else None
    shipped = shipped_rulesets()
    if name not in shipped or same_yaml_files(folder, shipped[name]):
        return None
    line, column = positions.get(("name",), (1, 1))
    return str(
        Problem(
            path,
            f"note: '{name}' is the name of a shipped rule set, so results name this one by its folder, "
            f"'{os.path.normpath(folder)}'",
            line=line,
            column=column,
            hint="give it a name of its own",
        )
    )


@rules.command("check")
@_rules_options
def check_rules(folder: str | None, extra_rules: tuple[str, ...]) -> None:
    """Check a rule set: load it (every fact, operator and value checked against the arrangement model),
    look for rules that can never decide or that contradict one another, and run every rule's examples
    (met on each hit, not met on each miss; a rule without a hit fails). Run it after editing a rule.

    Prints one line per problem, located, and exits 1 if there is any.
    """
    shown = os.path.normpath(folder) if folder else "the shipped rules"
    try:
        ruleset = load_ruleset(folder, extra_rules, check=False)
    except ClassifierError as exc:
        _problems(exc.problems, err=False)
        click.echo(f"{shown}: {_count(len(exc.problems))}: the rule set does not load")
        sys.exit(EXIT_INPUT)
    problems, notes = analyse(ruleset)
    found, examples = example_problems(ruleset)
    problems += found
    note = _name_note(folder) if folder else None
    for line in [*notes, *([note] if note else [])]:
        click.echo(line)
    _problems(problems, err=False)
    summary = f"{ruleset.name} ({ruleset.hash}): {len(ruleset.rules)} rules, {examples} examples run"
    if problems:
        click.echo(f"{summary}: {_count(len(problems))}")
        sys.exit(EXIT_INPUT)
    click.echo(f"{summary}: no problems")


def _count(n: int) -> str:
    return f"{n} problem" + ("" if n == 1 else "s")


def _write(path: str, text: str) -> None:
    try:
        with click.open_file(path, "w", encoding="utf-8", atomic=path != "-") as handle:
            handle.write(text)
    except OSError as exc:
        _fail(str(Problem(path, (exc.strerror or str(exc)).lower())))


@rules.command("doc")
@_rules_options
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), default="-", help="Write to FILE (default: stdout)."
)
def doc_rules(folder: str | None, extra_rules: tuple[str, ...], output: str) -> None:
    """Write the Markdown page of every rule: what the rule set decides, and each rule with its criterion,
    condition, effect and examples. docs/rules.md is this page for the shipped rules; regenerate it with
    `classifier rules doc rules/article -o docs/rules.md` after editing a rule (the page names it)."""
    ruleset = _load(folder, extra_rules)
    _write(output, markdown(ruleset, output))


# --- the file format --------------------------------------------------------------------------------------


@main.command("schema")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), default="-", help="Write to FILE (default: stdout)."
)
def print_schema(output: str) -> None:
    """Print the JSON Schema of an arrangement file (generated from the model, with every field's
    description and the vocabularies), for editors with a YAML language server. Point a file at it
    with a first line `# yaml-language-server: $schema=PATH`."""
    _write(output, schema_text())


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask() -> dict[str, Any]:
    """Prompt for the main fields; every answer checked as it is given."""

    def listed(separator: str, minimum: int) -> Callable[[str], list[str]]:
        def parse(text: str) -> list[str]:
            items = [item.strip() for item in text.split(separator) if item.strip()]
            if len(items) < minimum:
                raise click.BadParameter(f"give at least {minimum}, separated by '{separator}'")
            return items

        return parse

    def domains(text: str) -> list[str]:
        found = listed(",", 0)(text)
        for item in found:
            word = item.lower().replace(" ", "_").replace("-", "_").replace("defense", "defence")
            if word not in DOMAINS:
                raise click.BadParameter(
                    f"unknown domain '{item}' ({did_you_mean(word, DOMAINS) or 'see the list'})"
                )
        return found

    fact = click.Choice(["true", "false", "unknown"])
    values: dict[str, Any] = {"name": click.prompt("Name of the arrangement")}
    short = click.prompt("Short name (Enter for none)", default="", show_default=False)
    values["short_name"] = short or None
    values["members"] = click.prompt("Members, separated by commas", value_proc=listed(",", 2))
    signed = click.prompt(
        "Signed (YYYY, YYYY-MM or YYYY-MM-DD; Enter if not known)", default="", show_default=False
    )
    values["signed"] = signed or None
    values["instrument"] = click.prompt(
        "Instrument", type=click.Choice([*INSTRUMENTS, "unknown"]), default="unknown"
    )
    obligations = {}
    for kind, meaning in OBLIGATIONS.items():
        answer = click.prompt(f"Pledge {meaning}? ({kind})", type=fact, default="unknown")
        obligations[kind] = {"true": True, "false": False}.get(answer, "unknown")
    values["obligations"] = obligations
    for name, question in (
        ("common_defence_strategy", "Joint defence planning, integrated command or basing?"),
        ("joint_exercises", "Regular joint military exercises?"),
        ("rivals_among_members", "Are some members rivals of one another?"),
    ):
        answer = click.prompt(question, type=fact, default="unknown")
        values[name] = {"true": True, "false": False}.get(answer, "unknown")
    values["domains"] = click.prompt(
        "Domains of cooperation, separated by commas (Enter for none)",
        default="",
        show_default=False,
        value_proc=domains,
    )
    objectives = click.prompt(
        "Shared objectives, separated by ';' (Enter for none)", default="", show_default=False
    )
    values["shared_objectives"] = listed(";", 0)(objectives)
    threat = click.prompt("A named adversary it answers to (Enter for none)", default="", show_default=False)
    values["threat"] = threat or None
    return values


@main.command("init")
@click.argument("file", required=False, type=click.Path(dir_okay=False), metavar="[FILE]")
@click.option("--interactive", is_flag=True, help="Ask for the main fields first (on a terminal only).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option(
    "--schema",
    "schema_path",
    metavar="PATH",
    default=None,
    help="The schema the first line points editors at (default: the installed one, relative to FILE).",
)
def init(file: str | None, interactive: bool, force: bool, schema_path: str | None) -> None:
    """Write a new arrangement file (or print it): every field, commented with what it means and the
    values it takes, ready to fill in. It validates as it is, with every fact unknown.

    Without --interactive nothing is asked, so it works in scripts; with it, the main fields are asked
    for first (on a terminal only)."""
    target = None if file in (None, "-") else file
    if target and os.path.exists(target) and not force:
        _fail(f"{target}: already exists (use --force to overwrite it)")
    if interactive and not _is_terminal():
        _fail("--interactive needs a terminal; without it, init writes the template as it is")
    if schema_path is None:
        shipped = shipped_schema_path()
        if os.path.isfile(shipped):
            schema_path = (
                os.path.relpath(shipped, os.path.dirname(os.path.abspath(target))) if target else shipped
            )
    text = template(_ask() if interactive else None, schema_path)
    try:
        for document in parse_yaml(text, target or "<template>"):
            parse_arrangement(document)
    except ClassifierError as exc:
        _problems(exc.problems)
        sys.exit(EXIT_INPUT)
    _write(target or "-", text)
    if target:
        click.echo(f"wrote {target}: fill it in, then run: classify {target}", err=True)


# --- shell completion -------------------------------------------------------------------------------------


@main.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.argument("commands", nargs=-1, type=click.Choice(["classify", "classifier"]))
def completion(shell: str, commands: tuple[str, ...]) -> None:
    """Print the shell completion script for classify and classifier (or only the COMMANDS named).

    \b
    bash:  eval "$(classifier completion bash)"                 in ~/.bashrc
    zsh:   eval "$(classifier completion zsh)"                  in ~/.zshrc
    fish:  classifier completion fish classify > ~/.config/fish/completions/classify.fish
           classifier completion fish classifier > ~/.config/fish/completions/classifier.fish
    """
    shell_class = get_completion_class(shell)
    assert shell_class is not None, "every shell in SHELLS has a completion class"
    for name in commands or ("classify", "classifier"):
        command = COMMANDS.get(name, main)
        script = shell_class(command, {}, name, f"_{name.upper()}_COMPLETE").source()
        click.echo(script.rstrip("\n"))


if __name__ == "__main__":
    main(prog_name="classifier")
