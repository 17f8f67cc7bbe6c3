"""Recording manager and trainer reads in the read audit, where each read happens."""

from __future__ import annotations

from bot.deps import Deps


def record_read(deps: Deps, actor: str, surface: str, **detail: object) -> None:
    """Log the read before its data is shown: if the log cannot be written, the read fails
    (the guard answers), so nothing is seen that the audit does not show."""
    if deps.audit_log is not None:
        deps.audit_log.record(actor, surface, **detail)
