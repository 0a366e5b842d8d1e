"""The supervisor behind `make run`: children from argument lists (no shell), output prefixed
with the process name, a crashed child restarted with back-off while the others keep serving,
a crash loop or a one-shot child's exit stops the others, SIGTERM/Ctrl-C stops all."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from huimin.settings import PROJECT_ROOT
from launcher.supervisor import Child, RestartPolicy, Supervisor

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
            Child(
                "echo",
                [PY, "-c", "import sys; print(sys.argv[1:])", "*", "$HOME", "a b;c"],
                restart=False,
            ),
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


def test_a_failing_one_shot_child_stops_the_rest_with_its_status(tmp_path: Path) -> None:
    out = io.StringIO()
    supervisor = Supervisor(
        [
            Child(
                "bad", [PY, "-c", "import time, sys; time.sleep(0.5); sys.exit(3)"], restart=False
            ),
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


FAST = RestartPolicy(
    initial_delay=0.2, max_delay=1.0, stable_after=30, fast_failure_within=0.3, max_fast_failures=3
)


def _wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_crashed_child_is_restarted_with_back_off_while_the_others_keep_serving(
    tmp_path: Path,
) -> None:
    """Measured before this change: killing Rasa stopped the API and the action server."""
    starts = tmp_path / "starts"
    flaky = (
        "import os, sys, time\n"
        f"path = {str(starts)!r}\n"
        "open(path, 'a').write(f'{os.getpid()}\\n')\n"
        "n = len(open(path).read().split())\n"
        "time.sleep(0.6)\n"
        "sys.exit(1 if n <= 2 else 0) if n <= 2 else time.sleep(60)\n"
    )
    out = io.StringIO()
    supervisor = Supervisor(
        [
            Child("flaky", [PY, "-c", flaky]),
            Child("steady", [PY, "-c", "import time; time.sleep(60)"]),
        ],
        cwd=tmp_path,
        env=dict(os.environ),
        out=out,
        grace_seconds=5,
        policy=FAST,
    )
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(supervisor.wait()), daemon=True)
    supervisor.start()
    steady_pid = supervisor.processes["steady"].pid
    runner.start()
    assert _wait_for(lambda: starts.exists() and len(starts.read_text().split()) == 3), (
        out.getvalue()
    )
    time.sleep(0.8)  # the third incarnation stays up
    assert supervisor.processes["steady"].pid == steady_pid
    assert alive(steady_pid)
    assert supervisor.processes["flaky"].poll() is None
    supervisor.request_stop(signal.SIGTERM)
    runner.join(timeout=30)
    assert result == [0]
    log = out.getvalue()
    assert "flaky  | restarting in 0.2s (restart 1 in a row)" in log
    assert "flaky  | restarting in 0.4s (restart 2 in a row)" in log  # doubled: back-off
    assert "steady | exited" not in log.split("SIGTERM received")[0]


def test_a_child_dying_right_after_start_again_and_again_stops_everything(tmp_path: Path) -> None:
    out = io.StringIO()
    supervisor = Supervisor(
        [
            Child("broken", [PY, "-c", "import sys; sys.exit(4)"]),
            Child("steady", [PY, "-c", "import time; time.sleep(60)"]),
        ],
        cwd=tmp_path,
        env=dict(os.environ),
        out=out,
        grace_seconds=5,
        policy=FAST,
    )
    assert supervisor.run() == 4
    assert supervisor.states["broken"].starts == 3
    assert supervisor.processes["steady"].poll() is not None
    assert "3 times in a row; stopping all processes" in out.getvalue()


def test_back_off_doubles_up_to_its_ceiling() -> None:
    policy = RestartPolicy(initial_delay=1.0, max_delay=30.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [1, 2, 4, 8, 16, 30, 30]
