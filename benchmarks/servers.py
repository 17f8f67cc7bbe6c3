"""Starting and stopping real `painpoint` processes for benchmarks, with their logs kept."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.ack_latency import wait_ready

PAINPOINT = str(Path(sys.executable).parent / "painpoint")


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any Slack or painpoint setting, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PAINPOINT_"))}
    env.pop("DATABASE_URL", None)
    return {**env, **settings}


def start_http(
    env: dict[str, str], port: int, log: Path, timeout: float = 180
) -> subprocess.Popen[bytes]:
    """`painpoint run --http` on 127.0.0.1:`port`, once /healthz answers; output to `log`."""
    handle = log.open("ab")  # the child keeps writing to it after this handle is closed
    try:
        process = subprocess.Popen(
            [PAINPOINT, "run", "--http", "--port", str(port), "--host", "127.0.0.1"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=tempfile.gettempdir(),  # no stray .env
        )
    finally:
        handle.close()
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", timeout=timeout)
    except RuntimeError:
        process.kill()
        process.wait()
        raise RuntimeError(log.read_text(errors="replace")[-3000:]) from None
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL if it has not exited after 30 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
