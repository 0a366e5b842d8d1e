"""The supervisor behind `make run`: children from argument lists (no shell), output prefixed
with the process name, one child's exit stops the others, SIGTERM/Ctrl-C stops all."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from huimin.settings import PROJECT_ROOT
from launcher.supervisor import Child, Supervisor

PY = sys.executable


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_arguments_reach_the_child_unexpanded_and_output_is_prefixed(tmp_path: Path) -> None:
    (tmp_path / "a-file-the-shell-would-expand").write_text("x")
    out = io.StringIO()
    supervisor = Supervisor(
        [
            Child("echo", [PY, "-c", "import sys; print(sys.argv[1:])", "*", "$HOME", "a b;c"]),
            Child("sleeper", [PY, "-c", "import time; time.sleep(60)"]),
        ],
        cwd=tmp_path,
        env=dict(os.environ),
        out=out,
        grace_seconds=5,
    )
    started = time.monotonic()
    status = supervisor.run()
    assert status == 0
    assert time.monotonic() - started < 30  # the sleeper was stopped, not waited for
    lines = out.getvalue().splitlines()
    assert any(line.endswith("echo    | ['*', '$HOME', 'a b;c']") for line in lines), lines
    assert any("echo    | exited with code 0" in line for line in lines)
    assert supervisor.processes["sleeper"].returncode == -signal.SIGTERM


def test_a_failing_child_stops_the_rest_with_its_status(tmp_path: Path) -> None:
    out = io.StringIO()
    supervisor = Supervisor(
        [
            Child("bad", [PY, "-c", "import time, sys; time.sleep(0.5); sys.exit(3)"]),
            Child("good", [PY, "-c", "import time; time.sleep(60)"]),
        ],
        cwd=tmp_path,
        env=dict(os.environ),
        out=out,
        grace_seconds=5,
    )
    assert supervisor.run() == 3
    assert supervisor.processes["good"].poll() is not None
    assert "bad  | exited with code 3" in out.getvalue()


def test_sigterm_stops_every_child(tmp_path: Path) -> None:
    """A real supervisor process, as `make run` runs it; SIGTERM to it (Ctrl-C alike)."""
    pids = tmp_path / "pids"
    script = textwrap.dedent(
        f"""
        import os, sys
        from launcher.supervisor import Child, Supervisor
        child = [sys.executable, "-c",
                 "import os, time; open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\\\n'); "
                 "time.sleep(120)"]
        sys.exit(Supervisor([Child("one", child), Child("two", child)], cwd={str(tmp_path)!r},
                            env=dict(os.environ), out=sys.stdout, grace_seconds=5).run())
        """
    )
    runner = subprocess.Popen(
        [PY, "-c", script],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if pids.exists() and len(pids.read_text().split()) == 2:
            break
        time.sleep(0.2)
    children = [int(pid) for pid in pids.read_text().split()]
    assert all(alive(pid) for pid in children)
    runner.send_signal(signal.SIGTERM)
    output, _ = runner.communicate(timeout=30)
    assert runner.returncode == 0, output
    assert "SIGTERM received, stopping all processes" in output
    time.sleep(0.5)
    assert not any(alive(pid) for pid in children)
