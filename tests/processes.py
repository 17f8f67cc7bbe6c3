"""Looking at real processes from tests (Linux /proc)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def niceness(pid: int) -> int:
    """A process's CPU priority (nice value)."""
    return os.getpriority(os.PRIO_PROCESS, pid)


def wait_gone(pids: list[int], *, seconds: float) -> list[int]:
    """The pids still running after waiting up to `seconds` for them to exit."""
    deadline = time.monotonic() + seconds
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
    return alive


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
