"""The read audit service: reads are recorded with who, what and when, listed oldest first,
filtered by time; an unknown surface is a programming error, not a silent entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.session import SessionFactory
from bot.services.audit_log import ReadAuditLog, cli_actor

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_reads_are_listed_oldest_first_and_filtered_by_time(
    session_factory: SessionFactory,
) -> None:
    moments = iter([T0, T0 + timedelta(days=2), T0 + timedelta(days=1)])
    log = ReadAuditLog(session_factory, clock=lambda: next(moments))
    log.record("UMANAGER", "digest", period="30d", team=None)
    log.record("UTRAINER", "concerns", groups=2)
    log.record("UMANAGER", "theme_details", theme=7)

    entries = log.entries()
    assert [(e.actor, e.surface, e.detail) for e in entries] == [
        ("UMANAGER", "digest", {"period": "30d"}),
        ("UMANAGER", "theme_details", {"theme": 7}),
        ("UTRAINER", "concerns", {"groups": 2}),
    ]
    assert [e.at for e in entries] == [T0, T0 + timedelta(days=1), T0 + timedelta(days=2)]
    assert [e.surface for e in log.entries(since=T0 + timedelta(hours=1))] == [
        "theme_details",
        "concerns",
    ]
    assert [e.surface for e in log.entries(limit=1)] == ["concerns"]


def test_an_unknown_surface_is_refused(session_factory: SessionFactory) -> None:
    with pytest.raises(ValueError, match="unknown read surface"):
        ReadAuditLog(session_factory).record("UMANAGER", "gossip")
    assert ReadAuditLog(session_factory).entries() == []


def test_the_command_line_actor_names_the_login() -> None:
    assert cli_actor().startswith("cli:") and len(cli_actor()) > 4
