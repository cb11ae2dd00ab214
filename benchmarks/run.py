"""Benchmark: classify a generated folder of arrangement files, against merely parsing the same files.

Run it from the repository root with the environment ``classify`` is installed in::

    python benchmarks/run.py                      # N = 1,000 and 20,000, as in the README
    python benchmarks/run.py --sizes 500 --runs 5 # a quicker look

Every figure comes from one run on the same files, so ratios hold on a busy machine (absolute rates do not):

- files per second for ``classify DIR --format jsonl`` at 1 and 2 jobs, and whether the outputs are identical
  (and at 1 job with ``--brief``, which skips the search for what would change each verdict);
- the parse floor: the same files walked and loaded with PyYAML's C loader in a plain Python process, and
  the ratio of classify's serial throughput to it (target: at least 0.7);
- start-up: ``classify examples/quad.yaml --format json`` against ``python -c "import click, pydantic, yaml"``
  (target: at most 1.3x);
- peak memory (RSS) of ``classify --format jsonl`` at each N, and its growth (target: under 20%).

Uses the standard library and the installed ``classify`` command only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- a generator of realistic arrangement files -----------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


STATES = _names(
    "Afghanistan, Argentina, Australia, Austria, Bangladesh, Belgium, Brazil, Bulgaria, Canada, Chile, "
    "China, Colombia, Czechia, Denmark, Egypt, Estonia, Ethiopia, Finland, France, Germany, Ghana, "
    "Greece, Hungary, India, Indonesia, Iran, Iraq, Ireland, Israel, Italy, Japan, Jordan, Kazakhstan, "
    "Kenya, Latvia, Lithuania, Luxembourg, Malaysia, Mexico, Mongolia, Morocco, Netherlands, New Zealand, "
    "Nigeria, Norway, Oman, Pakistan, Peru, Philippines, Poland, Portugal, Qatar, Romania, Russia, Saudi "
    "Arabia, Senegal, Singapore, South Africa, South Korea, Spain, Sri Lanka, Sweden, Switzerland, "
    "Thailand, Türkiye, Ukraine, United Arab Emirates, United Kingdom, United States, Uruguay, "
    "Uzbekistan, Vietnam, European Union"
)
SECURITY = _names(
    "defence, military, maritime_security, counter_terrorism, cyber, intelligence, nuclear, arms_control, "
    "border_security, Missile Defense, defence_industry, peacekeeping, space"
)
OTHER = _names(
    "trade, investment, economy, finance, energy, infrastructure, connectivity, supply_chains, "
    "agriculture, technology, critical technologies, science, digital, health, climate, education, "
    "culture, people-to-people, migration, disaster_relief, development, diplomacy"
)
OBJECTIVES = _names(
    "regional stability, freedom of navigation, a rules-based order, energy security, economic growth, "
    "counter-terrorism, non-proliferation, open sea lanes, food security"
)
THREATS = (None, None, None, "a named neighbour", "piracy", "terrorist groups", "a rival bloc")
KINDS = _names(
    "Treaty of Friendship, Defence Pact, Strategic Partnership, Comprehensive Partnership, Security "
    "Compact, Joint Declaration, Free Trade Agreement, Mutual Assistance Treaty, Entente"
)
ARTICLE_TEXT = (
    "An armed attack against one shall be considered an attack against all, and each will assist the Party "
    "attacked by such action as it deems necessary, including the use of armed force."
)


def _fact(rng: random.Random, p_true: float, p_unknown: float = 0.03, article: int | None = None) -> object:
    roll = rng.random()
    if roll < p_unknown:
        return "unknown"
    present = roll < p_unknown + p_true
    if present and article is not None and rng.random() < 0.5:
        evidence: dict[str, object] = {"present": True, "article": f"Art. {article}", "text": ARTICLE_TEXT}
        if rng.random() < 0.1:
            evidence["conditional"] = True
        if rng.random() < 0.05:
            evidence["asymmetric"] = True
        return evidence
    return present


def arrangement(rng: random.Random, number: int) -> dict[str, object]:
    """One plausible arrangement: an alliance, a partnership, a trade pact, or one with unknown facts."""
    kind = rng.choices(("alliance", "partnership", "trade"), weights=(3, 5, 2))[0]
    size = 2 if rng.random() < 0.55 else rng.randint(3, 30)
    members = rng.sample(STATES, size)
    title = rng.choice(KINDS)
    data: dict[str, object] = {
        "name": f"{title} of {members[0]} and {members[1]}"
        + (" and others" if size > 2 else "")
        + f" ({number})",
    }
    if rng.random() < 0.2:
        data["short_name"] = "".join(word[0] for word in title.split()) + str(number % 100)
    data["members"] = members
    year = rng.randint(1946, 2024)
    data["signed"] = rng.choice(
        (
            str(year),
            f"{year}-{rng.randint(1, 12):02d}",
            f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        )
    )
    if rng.random() < 0.1:
        data["ended"] = str(min(2024, year + rng.randint(1, 40)))
    data["instrument"] = rng.choice(
        {"alliance": ("treaty", "treaty", "executive_agreement", "joint_declaration"),
         "partnership": ("joint_declaration", "memorandum_of_understanding", "joint statement", "treaty"),
         "trade": ("treaty", "executive_agreement")}[kind]
    )  # fmt: skip
    if rng.random() < 0.3:
        data["legally_binding"] = _fact(rng, 0.6)
    spelling = "mutual_defense" if rng.random() < 0.1 else "mutual_defence"
    data["obligations"] = {
        spelling: _fact(rng, 0.9 if kind == "alliance" else 0.02, article=5),
        "offensive": _fact(rng, 0.1 if kind == "alliance" else 0.0),
        "neutrality": _fact(rng, 0.1),
        "non_aggression": _fact(rng, 0.3, article=1),
        "consultation": _fact(rng, 0.7 if kind != "trade" else 0.1, article=4),
    }
    data["common_defence_strategy"] = _fact(rng, 0.5 if kind == "alliance" else 0.05)
    data["joint_exercises"] = _fact(rng, 0.6 if kind != "trade" else 0.0)
    if rng.random() < 0.2:
        data["rivals_among_members"] = _fact(rng, 0.3)
    security = rng.sample(SECURITY, rng.randint(1, 5)) if kind != "trade" else []
    data["domains"] = security + rng.sample(OTHER, rng.randint(0 if kind != "trade" else 1, 6))
    data["shared_objectives"] = rng.sample(OBJECTIVES, rng.randint(0, 3))
    data["threat"] = rng.choice(THREATS)
    data["sources"] = [f"{title}, signed {data['signed']}, Arts. 1-{rng.randint(5, 20)}"]
    if rng.random() < 0.4:
        data["notes"] = "Coded from the instrument's text and the parties' joint statements. " * rng.randint(
            1, 4
        )
    return data


def _yaml_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return (
        json.dumps(value, ensure_ascii=False)
        if isinstance(value, str) and (":" in value or "'" in value)
        else str(value)
    )


def to_yaml(data: dict[str, object]) -> str:
    """Block-style YAML as people write it: comments, flow lists for short ones, nested mappings for facts."""
    lines = [f"# {data['name']}", "# Coded for the benchmark: generated, not real."]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            for inner, fact in value.items():
                if isinstance(fact, dict):
                    lines.append(f"  {inner}:")
                    lines.extend(
                        f"    {k}: {json.dumps(v) if isinstance(v, str) else _yaml_scalar(v)}"
                        for k, v in fact.items()
                    )
                else:
                    lines.append(f"  {inner}: {_yaml_scalar(fact)}")
        elif isinstance(value, list) and key == "sources":
            lines.append(f"{key}:")
            lines.extend(f"  - {json.dumps(item, ensure_ascii=False)}" for item in value)
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_yaml_scalar(item) for item in value)}]")
        elif key == "notes":
            lines.append(f"{key}: >-\n  {value}")
        else:
            lines.append(f"{key}: {_yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


BROKEN = (
    ("membres", lambda text: text.replace("members:", "membres:", 1)),
    ("bad date", lambda text: text.replace("signed:", "signed: 1999-13-40\nsigned_was:", 1)),
    ("syntax", lambda text: text.replace("members: [", "members: [[", 1)),
    ("unknown domain", lambda text: text.replace("domains: [", "domains: [defence policy, ", 1)),
    ("one member", lambda text: text.replace("members: [", "members: [Solo]\nmembers_were: [", 1)),
    ("duplicate key", lambda text: text + "name: Again\n"),
)


@dataclass
class Corpus:
    """What was generated: the folder, its input files, and every record classify must report, in order."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    records: list[tuple[str, str]] = field(default_factory=list)  # (source, "ok" | "error"), in output order
    documents: int = 0


def generate(folder: Path, count: int, seed: int = 1) -> Corpus:
    """``count`` arrangement files under ``folder``, in sub-folders by decade: about 5% multi-document, 5%
    JSON, 4% broken, plus a hidden file and a README that classify must skip."""
    rng = random.Random(seed)
    corpus = Corpus(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text("Generated arrangement files for the classify benchmark.\n")
    (folder / ".draft.yaml").write_text("name: [a hidden draft, skipped]\n")
    entries: list[tuple[Path, str, list[str]]] = []
    for number in range(count):
        decade = folder / f"{1940 + (number * 7919) % 9 * 10}s"
        roll = rng.random()
        if roll < 0.05:
            path, docs = decade / f"arrangement-{number:06d}.json", [arrangement(rng, number)]
            text = json.dumps(docs[0], ensure_ascii=False, indent=2) + "\n"
            statuses = ["ok"]
        elif roll < 0.10:
            path = decade / f"arrangement-{number:06d}.yaml"
            texts = [to_yaml(arrangement(rng, number * 10 + k)) for k in range(rng.randint(2, 3))]
            statuses = ["ok"] * len(texts)
            if rng.random() < 0.2:
                texts[-1] = texts[-1].replace("members:", "membres:", 1)
                statuses[-1] = "error"
            text = "---\n".join(texts)
        else:
            path = decade / f"arrangement-{number:06d}.{'yml' if roll > 0.97 else 'yaml'}"
            text = to_yaml(arrangement(rng, number))
            statuses = ["ok"]
            if roll < 0.14:
                _, breaking = rng.choice(BROKEN)
                text, statuses = breaking(text), ["error"]
        entries.append((path, text, statuses))
    for path, text, _ in entries:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        corpus.files.append(path)
    for path, _, statuses in sorted(entries, key=lambda entry: _walk_key(folder, entry[0])):
        if len(statuses) == 1:
            corpus.records.append((str(path), statuses[0]))
        else:
            corpus.records.extend((f"{path}#{k}", status) for k, status in enumerate(statuses, start=1))
        corpus.documents += len(statuses)
    return corpus


def _walk_key(folder: Path, path: Path) -> tuple[str, ...]:
    return path.relative_to(folder).parts


# --- measuring ----------------------------------------------------------------------------------------------

FLOOR = r"""
import os, sys, yaml
count = 0
for top, dirs, names in os.walk(sys.argv[1]):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for name in sorted(names):
        if name.startswith(".") or not name.endswith((".yaml", ".yml", ".json")):
            continue
        with open(os.path.join(top, name), "rb") as handle:
            text = handle.read()
        try:
            count += sum(1 for _ in yaml.load_all(text, Loader=yaml.CSafeLoader))
        except Exception:  # a broken file costs what parsing it up to the error cost
            count += 1
print(count)
"""


@dataclass
class Run:
    seconds: float
    max_rss_kb: int
    stdout: bytes
    code: int


def measure(command: list[str], cwd: Path = ROOT) -> Run:
    """Wall time, the peak RSS of the largest process (parent or a worker) and the output of one command."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return Run(seconds, usage.ru_maxrss, out.read(), process.returncode)


def best(command: list[str], runs: int) -> Run:
    """The fastest of ``runs`` runs: the least disturbed by other work on the machine."""
    return min((measure(command) for _ in range(runs)), key=lambda run: run.seconds)


def classify_command() -> list[str]:
    script = Path(sys.executable).parent / "classify"
    return [str(script)] if script.exists() else [sys.executable, "-m", "classifier"]


def compile_package() -> None:
    """Byte-compile the installed package, as pip does on install, so that start-up is not spent compiling
    (an editable install under PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run)."""
    script = (
        "import compileall, os, classifier as c; compileall.compile_dir(os.path.dirname(c.__file__), quiet=1)"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), model
            )
    except OSError:
        model = platform.processor() or model
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    python = platform.python_version()
    return f"{cores} cores (nproc), {model}, Python {python}, {platform.system()}; load average {load}"


def throughput(classify: list[str], size: int, base: Path, runs: int) -> tuple[str, int]:
    """One row of the table for ``size`` generated files, and classify's peak RSS (KB) at one job."""
    corpus = generate(base / f"n{size}", size)
    folder = str(corpus.folder)
    floor = best([sys.executable, "-c", FLOOR, folder], runs)
    serial = best([*classify, folder, "--format", "jsonl", "--jobs", "1"], runs)
    parallel = best([*classify, folder, "--format", "jsonl", "--jobs", "2"], runs)
    brief = best([*classify, folder, "--format", "jsonl", "--jobs", "1", "--brief"], runs)
    sources = [json.loads(line)["source"] for line in serial.stdout.splitlines()]
    if sources != [source for source, _ in corpus.records] or serial.code != 1:
        print(f"  ! classify did not report every input exactly once (exit {serial.code})")
    same = "yes" if serial.stdout == parallel.stdout else "NO"
    row = (
        f"{size:>7} {corpus.documents:>7} {size / floor.seconds:>10.0f} {size / serial.seconds:>11.0f} "
        f"{floor.seconds / serial.seconds:>6.2f} {size / parallel.seconds:>11.0f} "
        f"{serial.seconds / parallel.seconds:>7.2f}x {same:>5} {serial.max_rss_kb / 1024:>7.1f} "
        f"{size / brief.seconds:>11.0f} {floor.seconds / brief.seconds:>6.2f}"
    )
    return row, serial.max_rss_kb


def startup(classify: list[str], runs: int) -> str:
    """Median wall times of classifying the Quad as JSON and of importing click, pydantic and yaml."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):  # interleaved, so that both see the same load
        ours.append(measure([*classify, "examples/quad.yaml", "--format", "json"]).seconds)
        theirs.append(measure([sys.executable, "-c", "import click, pydantic, yaml"]).seconds)
    mine, floor = statistics.median(ours), statistics.median(theirs)
    return (
        f"start-up: classify examples/quad.yaml --format json {1000 * mine:.0f} ms; "
        f"python -c 'import click, pydantic, yaml' {1000 * floor:.0f} ms; ratio {mine / floor:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,20000", help="numbers of files, comma-separated (1000,20000)"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each throughput measurement; the fastest counts"
    )
    parser.add_argument(
        "--startup-runs", type=int, default=21, help="runs of each start-up command; medians count"
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="generate into DIR and keep it (default: a temporary folder)"
    )
    args = parser.parse_args()
    classify = classify_command()
    compile_package()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="classify-bench-"))
    print(f"machine: {machine()}")
    print(f"command: {' '.join(classify)}\n")
    print(
        "  files    docs  floor f/s  jobs 1 f/s  ratio  jobs 2 f/s  speedup  same  RSS MB  --brief f/s  ratio"
    )
    rss: dict[int, int] = {}
    try:
        for size in (int(size) for size in args.sizes.split(",")):
            row, rss[size] = throughput(classify, size, base, args.runs)
            print(row, flush=True)
        if len(rss) > 1:
            low, high = rss[min(rss)], rss[max(rss)]
            growth = 100 * (high - low) / low
            sizes = f"{min(rss)} files {low / 1024:.1f} MB, {max(rss)} files {high / 1024:.1f} MB"
            print(f"\npeak RSS of classify --format jsonl --jobs 1: {sizes}: {growth:+.1f}%")
        print(startup(classify, args.startup_runs))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
