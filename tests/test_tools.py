"""The classifier command: rules list / explain / check / doc, schema, init and completion, end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from classifier import tools
from classifier.cli import main as classify
from classifier.rules import load_ruleset, shipped_rulesets
from classifier.schema import schema_text, shipped_schema_path
from classifier.tools import main

ARTICLE = load_ruleset("rules/article")
CONSULTATION_PACT = """\
name: A Consultation Pact
members: [Ruritania, Freedonia]
instrument: treaty
obligations: {consultation: true}
"""


def run(runner: CliRunner, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_classify(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(classify, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", commands(main), ids=lambda c: " ".join(c) or "classifier")
def test_every_command_has_help(runner: CliRunner, command: tuple[str, ...]) -> None:
    """Every command and group answers --help with a usage line and exit 0."""
    code, out, _ = run(runner, *command, "--help")
    assert code == 0
    assert out.startswith(f"Usage: main {' '.join(command)}".rstrip())


# --- rules list / explain ---------------------------------------------------------------------------------


def test_rules_list_shows_each_rule_in_the_order_tried(runner: CliRunner) -> None:
    """rules list prints the rule set's name and hash, then one line per rule, then the citation."""
    code, out, err = run(runner, "rules", "list")
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0] == f"article ({ARTICLE.hash}): {ARTICLE.title}"
    assert lines[2].split() == ["RULE", "EFFECT", "PRIORITY", "TITLE"]
    assert [line.split()[0] for line in lines[3 : 3 + len(ARTICLE.rules)]] == [r.id for r in ARTICLE.ranked]
    assert lines[3].split()[:4] == ["promise-to-fight-makes-alliance", "label:", "alliance", "100"]
    citation = out.split("Citation: ")[1]
    for rule in ARTICLE.ranked:  # a rule that cites more than the rule set says so on its own lines
        citation = citation.split(f"\n{rule.id} cites: ")[0]
    assert " ".join(citation.split()) == ARTICLE.source


def test_rules_list_json(runner: CliRunner) -> None:
    """rules list --format json gives the name, hash, citation and every rule with its effect and citation."""
    code, out, _ = run(runner, "rules", "list", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["name"], data["hash"], data["citation"]) == ("article", ARTICLE.hash, ARTICLE.source)
    first = data["rules"][0]
    assert {k: first[k] for k in ("id", "decides", "gives", "effect", "priority", "citation")} == {
        "id": "promise-to-fight-makes-alliance",
        "decides": "label",
        "gives": "alliance",
        "effect": "label: alliance",
        "priority": 100,
        "citation": ARTICLE.source,
    }
    assert first["when"] == {
        "any": [{"obligations.mutual_defence": "present"}, {"obligations.offensive": "present"}]
    }


def test_rules_explain_shows_the_criterion_condition_and_where_it_fires(runner: CliRunner) -> None:
    """rules explain prints the criterion, the condition as lines, the examples, and the shipped examples it fires on."""
    code, out, _ = run(runner, "rules", "explain", "alliance-in-the-making")
    assert code == 0
    assert out.splitlines()[:2] == ["alliance-in-the-making", "A partnership with alliance-like signals"]
    assert "When       all of:\n             obligations.mutual_defence is absent\n" in out
    assert "Met on     ../../examples/quad.yaml\n" in out
    fires = " ".join(out.split("Fires on")[1].split("Unknown on")[0].split())
    assert "quad" in fires.split(": ", 1)[1].split(", ")


def test_rules_explain_json_names_the_examples_it_fires_on(runner: CliRunner) -> None:
    """The JSON of one rule lists the shipped example files it is met on."""
    code, out, _ = run(runner, "rules", "explain", "one-sided-pledge", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["id"] == "one-sided-pledge"
    assert [Path(p).name for p in data["fires_on"]] == ["british-guarantee-to-poland-1939.yaml"]


def test_rules_explain_an_unknown_rule(runner: CliRunner) -> None:
    """A misspelt rule id is a usage error with the nearest id."""
    code, out, err = run(runner, "rules", "explain", "promise-to-fight")
    assert (code, out) == (2, "")
    assert (
        err
        == "classifier: no rule 'promise-to-fight' in article (did you mean 'promise-to-fight-makes-alliance'?)\n"
    )


# --- rules check ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(shipped_rulesets()))
def test_rules_check_passes_on_every_shipped_rule_set(runner: CliRunner, name: str) -> None:
    """`classifier rules check rules/NAME` is clean for every shipped rule set: this is CI's rules check."""
    ruleset = load_ruleset(f"rules/{name}")
    count = sum(len(rule.examples) for rule in ruleset.rules)
    code, out, _ = run(runner, "rules", "check", f"rules/{name}")
    assert (code, out) == (
        0,
        f"{name} ({ruleset.hash}): {len(ruleset.rules)} rules, {count} examples run: no problems\n",
    )


def copy_article(tmp_path: Path) -> Path:
    folder = tmp_path / "my-rules"
    shutil.copytree("rules/article", folder)
    return folder


def test_researcher_moves_a_criterion_checks_it_and_sees_changed_verdicts(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Edit a copy so binding consultation pacts are alliances (as ATOP counts them), check it, classify with it."""
    folder = copy_article(tmp_path)
    rule = folder / "pledge-short-of-defence.yaml"
    rule.write_text(
        rule.read_text().replace("then: {borderline: true}", "priority: 90\nthen: {label: alliance}")
    )
    code, out, _ = run(runner, "rules", "check", str(folder))
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == (
        f"{folder}/ruleset.yaml:3:1: note: 'article' is the name of a shipped rule set, so results name this one "
        f"by its folder, '{folder}' (give it a name of its own)"
    )
    assert lines[1].endswith(" examples run: no problems")
    pact = tmp_path / "pact.yaml"
    pact.write_text(CONSULTATION_PACT)
    before = json.loads(run_classify(runner, str(pact), "--format", "json")[1])[0]
    code, out, _ = run_classify(runner, str(pact), "--format", "json", "--rules", str(folder))
    after = json.loads(out)[0]
    assert code == 0
    assert (before["label"], before["rules"]) == ("neither", {"name": "article", "hash": ARTICLE.hash})
    assert (after["label"], after["scope"], after["formality"]) == ("alliance", "bilateral", "formal")
    assert after["rules"]["name"] == str(folder)
    assert after["rules"]["hash"] not in (ARTICLE.hash, "")


def test_a_typo_in_a_copied_rule_is_located_with_a_suggestion(runner: CliRunner, tmp_path: Path) -> None:
    """rules check exits 1 and classify --rules exits 2, both with the file, line, column and nearest name."""
    folder = copy_article(tmp_path)
    rule = folder / "two-members-is-bilateral.yaml"
    rule.write_text(rule.read_text().replace("member_count:", "member_cuont:"))
    message = (
        f"{rule}:7:3: two-members-is-bilateral: unknown fact 'member_cuont' (did you mean 'member_count'?)"
    )
    code, out, _ = run(runner, "rules", "check", str(folder))
    assert (code, out) == (1, f"{message}\n{folder}: 1 problem: the rule set does not load\n")
    code, out, err = run_classify(runner, "examples/quad.yaml", "--rules", str(folder))
    assert (code, out, err) == (2, "", message + "\n")


def test_rules_check_reports_examples_that_do_not_hold(runner: CliRunner, tmp_path: Path) -> None:
    """A miss the rule is met on fails the check, located at the example in the rule file."""
    folder = copy_article(tmp_path)
    rule = folder / "one-sided-pledge.yaml"
    rule.write_text(
        rule.read_text().replace("miss: [", "miss: [../../examples/british-guarantee-to-poland-1939.yaml, ")
    )
    code, out, _ = run(runner, "rules", "check", str(folder))
    lines = out.splitlines()
    assert code == 1
    assert lines[1] == (
        f"{rule}:14:10: one-sided-pledge: miss '../../examples/british-guarantee-to-poland-1939.yaml' is met, "
        "expected not met (it reads obligations.mutual_defence.asymmetric = true, "
        "obligations.offensive.asymmetric = false)"
    )
    assert lines[2].endswith(": 1 problem")


def test_extra_rules_are_named_in_the_result(runner: CliRunner, tmp_path: Path) -> None:
    """classify --extra-rules adds a rule; the JSON names the rule set as article+DIR with a new hash."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "consultation-flag.yaml").write_text(
        "id: consultation-flag\ntitle: A pledge to consult\ncriterion: C.\nwhen: {obligations.consultation: present}\n"
        "then: {borderline: true}\nbecause: Members are pledged to consult.\n"
    )
    pact = tmp_path / "pact.yaml"
    pact.write_text(CONSULTATION_PACT)
    code, out, _ = run_classify(runner, str(pact), "--format", "json", "--extra-rules", str(extra))
    result = json.loads(out)[0]
    assert code == 0
    assert result["rules"]["name"] == f"article+{extra}"
    assert result["rules"]["hash"] != ARTICLE.hash
    assert [r["rule"] for r in result["borderline_reasons"]] == [
        "consultation-flag",
        "pledge-short-of-defence",
    ]


def test_a_file_named_like_a_subcommand_is_classified(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`classify rules` classifies a file named rules: the tools live in a command of their own."""
    (tmp_path / "rules").write_text(CONSULTATION_PACT)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_classify(runner, "rules", "--format", "json")
    assert (code, json.loads(out)[0]["source"]) == (0, "rules")


# --- rules doc, schema ------------------------------------------------------------------------------------


def test_rules_doc_writes_the_page(runner: CliRunner, tmp_path: Path) -> None:
    """rules doc -o FILE writes the page for the rule set, naming the command that made it."""
    out_file = tmp_path / "rules.md"
    code, _, _ = run(runner, "rules", "doc", "rules/article", "-o", str(out_file))
    text = out_file.read_text()
    assert code == 0
    assert text.startswith("# The rules of `article`\n")
    assert f"`classifier rules doc rules/article -o {out_file}`" in text


def test_schema_prints_the_committed_schema(runner: CliRunner, tmp_path: Path) -> None:
    """classifier schema prints the schema; -o writes the same text."""
    code, out, _ = run(runner, "schema")
    assert (code, out) == (0, schema_text())
    run(runner, "schema", "-o", str(tmp_path / "s.json"))
    assert (tmp_path / "s.json").read_text() == out


# --- init -------------------------------------------------------------------------------------------------


def test_init_writes_a_template_that_classifies(runner: CliRunner, tmp_path: Path) -> None:
    """init FILE writes the template with a schema line relative to it; classify reads it (every fact unknown)."""
    target = tmp_path / "new.yaml"
    code, out, err = run(runner, "init", str(target))
    text = target.read_text()
    assert (code, out, err) == (0, "", f"wrote {target}: fill it in, then run: classify {target}\n")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=" + os.path.relpath(
        shipped_schema_path(), tmp_path
    )
    code, out, _ = run_classify(runner, str(target), "--format", "json")
    assert (code, json.loads(out)[0]["label"]) == (0, "indeterminate")


def test_init_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    """An existing file is kept unless --force is given."""
    target = tmp_path / "new.yaml"
    target.write_text("mine\n")
    assert run(runner, "init", str(target)) == (
        2,
        "",
        f"classifier: {target}: already exists (use --force to overwrite it)\n",
    )
    assert target.read_text() == "mine\n"
    assert run(runner, "init", str(target), "--force")[0] == 0
    assert target.read_text() != "mine\n"


def test_init_asks_only_on_a_terminal(runner: CliRunner) -> None:
    """--interactive without a terminal is a usage error rather than a prompt nobody sees."""
    assert run(runner, "init", "--interactive") == (
        2,
        "",
        "classifier: --interactive needs a terminal; without it, init writes the template as it is\n",
    )


def test_init_interactive_fills_in_the_answers(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, the answers go into the file, each checked as given (a misspelt domain is asked again)."""
    monkeypatch.setattr(tools, "_is_terminal", lambda: True)
    answers = [
        "Treaty of Friendship",  # name
        "",  # short name
        "Ruritania, Freedonia",  # members
        "1950-02",  # signed
        "treaty",  # instrument
        "true",  # mutual_defence
        "false",  # offensive
        "",  # neutrality: unknown
        "",  # non_aggression: unknown
        "",  # consultation: unknown
        "false",  # common defence strategy
        "",  # joint exercises: unknown
        "false",  # rivals
        "defense, trde",  # domains: one misspelt
        "defense, trade",
        "peace; prosperity",  # objectives
        "",  # threat
    ]
    target = tmp_path / "treaty.yaml"
    code, out, err = run(runner, "init", str(target), "--interactive", input="\n".join(answers) + "\n")
    text = target.read_text()
    assert code == 0, err
    assert "Error: unknown domain 'trde' (did you mean 'trade'?)\n" in out
    assert "members: [Ruritania, Freedonia]\n" in text
    assert "  mutual_defence: true" in text
    assert "domains: [defense, trade]\n" in text
    result = json.loads(run_classify(runner, str(target), "--format", "json")[1])[0]
    assert (result["label"], result["scope"], result["formality"]) == ("alliance", "bilateral", "formal")


# --- completion -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_scripts_for_both_commands(runner: CliRunner, shell: str) -> None:
    """completion SHELL prints click's script for classify and for classifier."""
    code, out, _ = run(runner, "completion", shell)
    assert code == 0
    assert "_CLASSIFY_COMPLETE" in out and "_CLASSIFIER_COMPLETE" in out


@pytest.mark.parametrize(
    ("command", "words", "expected"),
    [
        (classify, "classify --extra", "plain,--extra-rules"),
        (classify, "classify exa", "file,exa"),
        (main, "classifier ru", "plain,rules"),
        (main, "classifier rules ch", "plain,check"),
    ],
)
def test_completion_completes(runner: CliRunner, command: click.Command, words: str, expected: str) -> None:
    """The shells' completion requests get options, subcommands, and file completion for PATH."""
    name = words.split()[0]
    env = {
        f"_{name.upper()}_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = runner.invoke(command, [], env=env, prog_name=name, catch_exceptions=False)
    assert expected in result.stdout.splitlines()


def installed(name: str) -> str | None:
    return shutil.which(name, path=os.path.dirname(sys.executable))


@pytest.mark.skipif(
    installed("classifier") is None or shutil.which("bash") is None,
    reason="needs the installed scripts and bash",
)
def test_bash_completes_with_the_printed_script(tmp_path: Path) -> None:
    """The printed bash script, evaluated in a real bash, completes classify's options."""
    script = (
        f'eval "$({installed("classifier")} completion bash classify)"; '
        'COMP_WORDS=(classify --extra); COMP_CWORD=1; _classify_completion classify; echo "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=False, env=env, cwd=tmp_path
    )
    assert done.stdout.split() == ["--extra-rules"], done.stderr


@pytest.mark.skipif(installed("classifier") is None, reason="the classifier console script is not installed")
def test_installed_rules_check_from_another_folder(tmp_path: Path) -> None:
    """The installed classifier checks the shipped rules, examples included, from any folder."""
    done = subprocess.run(
        [str(installed("classifier")), "rules", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"article ({ARTICLE.hash}): {len(ARTICLE.rules)} rules, ")
