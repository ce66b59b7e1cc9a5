"""Wall time and peak memory of a command and all the processes it starts (Linux /proc)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
SAMPLE_EVERY_S = 0.1


@dataclass(frozen=True)
class Measured:
    """One measured command."""

    wall_s: float
    peak_rss_mb: float  # largest sum of RSS over the whole process tree, sampled every 0.1 s


class CommandFailed(RuntimeError):
    """A benchmarked command exited non-zero; the message ends with its log's tail."""


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo += _children(pid)
    return total / 1024


def run_measured(
    command: Sequence[str], env: Mapping[str, str], log_path: Path, cwd: Path | None = None
) -> Measured:
    """Run `command` to the end, its output going to `log_path`; measure time and memory."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    peak = 0.0
    with log_path.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss_mb(process.pid))
                done.wait(SAMPLE_EVERY_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            code = process.wait()
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        finally:
            done.set()
            sampler.join()
        wall = time.perf_counter() - started
    if code != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        raise CommandFailed(f"{' '.join(command)} exited {code}; see {log_path}:\n{tail}")
    return Measured(round(wall, 2), round(peak, 1))
