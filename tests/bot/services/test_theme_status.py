"""ThemeStatusService: status changes logged with who and when, and whom to keep posted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Theme, ThemeEvent
from bot.db.session import SessionFactory
from bot.domain.themes import StatusError
from bot.services.theme_status import ThemeStatusService
from tests.bot.reporting.factories import add_painpoint, seed_theme

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def service(session_factory: SessionFactory) -> ThemeStatusService:
    return ThemeStatusService(session_factory, clock=lambda: NOW)


def events(session_factory: SessionFactory, theme_id: int) -> list[ThemeEvent]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(ThemeEvent).where(ThemeEvent.theme_id == theme_id).order_by(ThemeEvent.id)
            )
        )


def theme_row(session_factory: SessionFactory, theme_id: int) -> Theme:
    with session_factory() as session:
        theme = session.get(Theme, theme_id)
        assert theme is not None
        return theme


def test_a_status_change_is_logged_with_who_and_when(session_factory: SessionFactory) -> None:
    seeded = seed_theme(session_factory, "VPN drops", reporters=3)

    result = service(session_factory).set_status(
        theme_id=seeded.theme_id, status="piloting", actor="UMANAGER"
    )

    assert result.changed and result.status == "piloting" and result.title == "VPN drops"
    assert theme_row(session_factory, seeded.theme_id).status == "piloting"
    [event] = events(session_factory, seeded.theme_id)
    assert event.kind == "status"
    assert event.actor == "UMANAGER"
    assert event.detail == {"status": "piloting", "reason": None}
    created = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=UTC)
    assert created == NOW


def test_only_opted_in_reporters_of_that_theme_are_returned_once_each(
    session_factory: SessionFactory,
) -> None:
    seeded = seed_theme(
        session_factory,
        "VPN drops",
        reporters=["p1", "p2", "p3", "p1"],
        keep_posted={"p1": "U001", "p3": "U003"},
    )
    other = seed_theme(session_factory, "Printing", reporters=3, keep_posted={})
    # An opted-in reporter of another theme is not told about this one.
    add_painpoint(
        session_factory,
        text="printer jams",
        reporter="p9",
        theme_id=other.theme_id,
        notify_user_id="U009",
    )

    result = service(session_factory).set_status(
        theme_id=seeded.theme_id, status="under_review", actor="UMANAGER"
    )

    assert result.notify_user_ids == ["U001", "U003"]


def test_setting_the_same_status_again_changes_nothing_and_tells_nobody(
    session_factory: SessionFactory,
) -> None:
    seeded = seed_theme(session_factory, "VPN drops", reporters=3, keep_posted={})
    add_painpoint(
        session_factory,
        text="VPN again",
        reporter="p1",
        theme_id=seeded.theme_id,
        notify_user_id="U001",
    )
    first = service(session_factory).set_status(
        theme_id=seeded.theme_id, status="addressed", actor="UMANAGER"
    )
    second = service(session_factory).set_status(
        theme_id=seeded.theme_id, status="addressed", actor="UOTHER"
    )

    assert first.changed and first.notify_user_ids == ["U001"]
    assert not second.changed and second.notify_user_ids == []
    assert [e.actor for e in events(session_factory, seeded.theme_id)] == ["UMANAGER"]


def test_wont_fix_needs_a_reason_and_stores_it(session_factory: SessionFactory) -> None:
    seeded = seed_theme(session_factory, "Old CRM", reporters=3)

    with pytest.raises(StatusError, match="Say why"):
        service(session_factory).set_status(
            theme_id=seeded.theme_id, status="wont_fix", actor="UMANAGER", reason="   "
        )
    assert events(session_factory, seeded.theme_id) == []

    result = service(session_factory).set_status(
        theme_id=seeded.theme_id,
        status="wont_fix",
        actor="UMANAGER",
        reason="  The CRM is replaced in March  ",
    )

    assert result.reason == "The CRM is replaced in March"
    theme = theme_row(session_factory, seeded.theme_id)
    assert (theme.status, theme.status_reason) == ("wont_fix", "The CRM is replaced in March")
    [event] = events(session_factory, seeded.theme_id)
    assert event.detail == {"status": "wont_fix", "reason": "The CRM is replaced in March"}


def test_leaving_wont_fix_clears_the_reason(session_factory: SessionFactory) -> None:
    seeded = seed_theme(session_factory, "Old CRM", reporters=3)
    service(session_factory).set_status(
        theme_id=seeded.theme_id, status="wont_fix", actor="UMANAGER", reason="No budget"
    )

    result = service(session_factory).set_status(
        theme_id=seeded.theme_id, status="piloting", actor="UMANAGER"
    )

    assert result.reason is None
    assert theme_row(session_factory, seeded.theme_id).status_reason is None


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        ("done", None, "unknown status"),
        ("wont_fix", None, "Say why"),
        ("wont_fix", "x" * 501, "under 500 characters"),
    ],
)
def test_invalid_changes_are_refused_and_not_logged(
    session_factory: SessionFactory, status: str, reason: str | None, message: str
) -> None:
    seeded = seed_theme(session_factory, "Old CRM", reporters=3)

    with pytest.raises(StatusError, match=message):
        service(session_factory).set_status(
            theme_id=seeded.theme_id, status=status, actor="UMANAGER", reason=reason
        )

    assert theme_row(session_factory, seeded.theme_id).status == "new"
    assert events(session_factory, seeded.theme_id) == []


def test_a_missing_or_merged_theme_is_refused(session_factory: SessionFactory) -> None:
    seeded = seed_theme(session_factory, "Merged", reporters=3)
    with session_factory() as session, session.begin():
        theme = session.get(Theme, seeded.theme_id)
        assert theme is not None
        theme.active = False

    for theme_id in (seeded.theme_id, 987654):
        with pytest.raises(StatusError, match="no longer exists"):
            service(session_factory).set_status(
                theme_id=theme_id, status="piloting", actor="UMANAGER"
            )


def test_rename_locks_the_title_and_logs_it(session_factory: SessionFactory) -> None:
    seeded = seed_theme(session_factory, "cluster 7", reporters=3)

    service(session_factory).rename(
        theme_id=seeded.theme_id, title="  Expense   approvals ", actor="UMANAGER"
    )

    theme = theme_row(session_factory, seeded.theme_id)
    assert (theme.title, theme.title_locked) == ("Expense approvals", True)
    [event] = events(session_factory, seeded.theme_id)
    assert event.kind == "retitled" and event.actor == "UMANAGER"
    assert event.detail == {"from": "cluster 7", "to": "Expense approvals"}
    assert service(session_factory).title_of(seeded.theme_id) == "Expense approvals"
    with pytest.raises(StatusError):
        service(session_factory).rename(theme_id=seeded.theme_id, title="  ", actor="UMANAGER")


def test_the_default_clock_is_now(session_factory: SessionFactory) -> None:
    seeded = seed_theme(session_factory, "VPN drops", reporters=3)
    before = datetime.now(UTC)

    ThemeStatusService(session_factory).set_status(
        theme_id=seeded.theme_id, status="piloting", actor="UMANAGER"
    )

    [event] = events(session_factory, seeded.theme_id)
    created = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= created <= datetime.now(UTC) + timedelta(seconds=1)
