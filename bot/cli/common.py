"""What every command group shares: the command type, the one-line failure, output files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.settings import Settings

EXIT_USAGE = 2
EXIT_FAILURE = 1
Command = Callable[[argparse.Namespace, Settings], int]
if TYPE_CHECKING:
    from bot.db.session import SessionFactory

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


class CliError(Exception):
    """A failure the user can act on: one line saying what happened and what to do."""

    def __init__(self, message: str, *, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def fail(message: str) -> int:
    """Print one `painpoint: …` line on stderr and return the usage exit code."""
    print(f"painpoint: {message}", file=sys.stderr)  # noqa: T201
    return EXIT_USAGE


def out(text: str = "") -> None:
    """One line on standard output (the command's result, never a diagnostic)."""
    print(text)  # noqa: T201


def note(text: str) -> None:
    """One line on standard error: progress and remarks that must not mix with the output."""
    print(text, file=sys.stderr, flush=True)  # noqa: T201


def require_secret_key(settings: Settings, why: str = "it keys reporter pseudonyms") -> str:
    """The secret key, or a CliError naming the setting and how to make one."""
    if settings.secret_key is None:
        raise CliError(
            f"PAINPOINT_SECRET_KEY is not set; {why}. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return settings.secret_key


def open_out(path: str | None) -> TextIO | nullcontext[TextIO]:
    """The file named by `--out` (its folder created), or standard output for none or `-`."""
    if path is None or path == "-":
        return nullcontext(sys.stdout)
    target = Path(path)
    check_out_path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return open(target, "w", encoding="utf-8", newline="")


def check_out_path(target: Path) -> None:
    """Refuse an `--out` that cannot be a file before any work is done."""
    if target.is_dir():
        raise CliError(f"--out {target} is a directory; give a file name, e.g. {target / 'out'}")
    parent = next((p for p in target.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise CliError(f"--out {target}: {parent} is a file, not a folder")


def record_read(session_factory: SessionFactory, surface: str, **detail: object) -> None:
    """Log this read of employees' data in the read audit (`painpoint audit-log`), before it
    is shown."""
    from bot.services.audit_log import ReadAuditLog, cli_actor

    ReadAuditLog(session_factory).record(cli_actor(), surface, **detail)
