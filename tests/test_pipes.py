"""The installed command in real pipes: a reader that stops early, Ctrl-C, the progress bar, the README's pipes."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLASSIFY = shutil.which("classify", path=str(BIN))
README = (ROOT / "README.md").read_text(encoding="utf-8")
TREATY = """name: Treaty {number}
members: [France, Germany, Italy]
instrument: treaty
obligations:
  mutual_defence: {{present: true, article: "Art. 1", text: "Each party shall assist the party attacked."}}
  consultation: true
joint_exercises: {exercises}
domains: [defence, trade]
"""

pytestmark = pytest.mark.skipif(
    CLASSIFY is None, reason="the classify console script is not installed beside python"
)


def folder_of(path: Path, count: int) -> Path:
    """``count`` valid arrangement files in sub-folders: enough output to fill a pipe's buffer many times."""
    for number in range(count):
        sub = path / f"part-{number % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"treaty-{number:04d}.yaml").write_text(
            TREATY.format(number=number, exercises=number % 2 == 0)
        )
    return path


def wait_for_line(stream: object, seconds: float = 60) -> bytes:
    """The next line of a child's output, failing the test rather than hanging if none comes."""
    fd = stream.fileno()  # type: ignore[attr-defined]
    ready, _, _ = select.select([fd], [], [], seconds)
    assert ready, "no output from classify in time"
    return stream.readline()  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(
    ("format_", "jobs"), [("jsonl", "1"), ("jsonl", "2"), ("text", "1"), ("csv", "2"), ("json", "1")]
)
def test_head_ends_quietly(format_: str, jobs: str, tmp_path: Path) -> None:
    """classify folder | head -3 prints three lines and exits 0, with no BrokenPipeError, in any format."""
    folder = folder_of(tmp_path / "treaties", 150)
    done = subprocess.run(
        [
            "bash",
            "-c",
            'set -o pipefail; "$0" "$1" --format "$2" --jobs "$3" | head -3',
            CLASSIFY,
            folder,
            format_,
            jobs,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert len(done.stdout.splitlines()) == 3


def test_ctrl_c_on_a_slow_stdin_exits_130(tmp_path: Path) -> None:
    """JSON Lines are classified as they arrive; Ctrl-C while waiting for more ends with 130 and one line."""
    process = subprocess.Popen(
        [str(CLASSIFY), "-", "--format", "jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    line = b'{"name": "Pact", "members": ["France", "Poland"], "obligations": {"mutual_defence": true}}\n'
    process.stdin.write(line * 2)
    process.stdin.flush()
    assert b'"source":"<stdin>#1"' in wait_for_line(process.stdout)
    assert b'"source":"<stdin>#2"' in wait_for_line(process.stdout)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 130
    assert process.stderr.read() == b"classify: interrupted\n"
    process.stdin.close()
    process.stdout.close()
    process.stderr.close()


def test_ctrl_c_ends_the_workers_too(tmp_path: Path) -> None:
    """Ctrl-C at a terminal signals the whole process group: 130, no traceback, and no worker left behind."""
    folder = folder_of(tmp_path / "treaties", 600)
    process = subprocess.Popen(
        [str(CLASSIFY), str(folder), "--format", "jsonl", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    assert b'"status":"ok"' in wait_for_line(process.stdout)
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 130
    assert process.stderr.read() == b"classify: interrupted\n"
    process.stdout.close()
    process.stderr.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("worker processes outlived classify")


def run_with_terminal_stderr(args: list[str], out: Path) -> tuple[int, bytes, bytes]:
    """Run classify with stderr on a pseudo-terminal and stdout to a file, as in ``classify ... > file``."""
    leader, follower = pty.openpty()
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [str(CLASSIFY), *args], stdout=stdout, stderr=follower, stdin=subprocess.DEVNULL
        )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end closed when classify exited
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.wait(timeout=60), out.read_bytes(), seen


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    """A large batch shows a progress bar when stderr is a terminal, and none when stderr is piped."""
    folder = folder_of(tmp_path / "treaties", 210)
    code, out, terminal = run_with_terminal_stderr([str(folder), "--format", "jsonl"], tmp_path / "out.jsonl")
    assert code == 0
    assert len(out.splitlines()) == 210
    assert b"classifying" in terminal
    assert b"210/210" in terminal
    piped = subprocess.run(
        [str(CLASSIFY), str(folder), "--format", "jsonl"], capture_output=True, timeout=120, check=False
    )
    assert (piped.returncode, piped.stderr, piped.stdout) == (0, b"", out)


def test_small_batch_has_no_progress_bar(tmp_path: Path) -> None:
    """A small batch on a terminal shows no progress bar: stderr stays silent."""
    folder = folder_of(tmp_path / "treaties", 5)
    code, out, terminal = run_with_terminal_stderr([str(folder), "--format", "jsonl"], tmp_path / "out.jsonl")
    assert (code, terminal) == (0, b"")
    assert len(out.splitlines()) == 5


def readme_examples() -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ `` command in the README's console blocks under Usage."""
    usage = README.split("\n## Usage\n", 1)[1].split("\n## ", 1)[0]
    examples = []
    for block in re.findall(r"```console\n(.*?)```", usage, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            lines = chunk.splitlines()
            command = [lines.pop(0)]
            while command[-1].endswith("\\"):
                command.append(lines.pop(0))
            examples.append(("\n".join(command), "".join(line + "\n" for line in lines)))
    return examples


def test_readme_has_pipe_examples() -> None:
    """The README shows a folder in text, and pipes into jq and into Python's csv reader, with their output."""
    commands = [command for command, _ in readme_examples()]
    assert any("| jq" in c and "--format jsonl" in c for c in commands)
    assert any("csv.DictReader" in c and "--format csv" in c for c in commands)
    assert any(c.startswith("printf") and "| classify" in c for c in commands)
    assert all(output for _, output in readme_examples())


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed (.ci/run installs it)")
@pytest.mark.parametrize(("command", "expected"), readme_examples(), ids=lambda value: value.split()[0][:12])
def test_readme_pipe_example(command: str, expected: str) -> None:
    """Each command in the README's usage runs as shown and prints exactly the output shown, nothing on stderr."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected
