"""Changing a theme's status or title: logged with who and when, and reporters kept posted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory
from bot.domain.themes import MAX_REASON_LENGTH, STATUSES, StatusError, StatusResult


class ThemeStatusService:
    """Sets theme statuses and titles; the listener sends the notifications it returns."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def set_status(
        self, *, theme_id: int, status: str, actor: str, reason: str | None = None
    ) -> StatusResult:
        """Move a theme to `status`; "won't fix" needs a reason. Logs who and when."""
        if status not in STATUSES:
            raise StatusError(f"unknown status {status!r}")
        reason = (reason or "").strip() or None
        if status == "wont_fix" and reason is None:
            raise StatusError("Say why it won't be fixed: reporters will read the reason.")
        if reason is not None and len(reason) > MAX_REASON_LENGTH:
            raise StatusError(f"Keep the reason under {MAX_REASON_LENGTH} characters.")
        with self._session_factory() as session, session.begin():
            theme = session.get(Theme, theme_id)
            if theme is None or not theme.active:
                raise StatusError("That theme no longer exists; it may have been merged.")
            changed = theme.status != status or theme.status_reason != reason
            if changed:
                theme.status = status
                theme.status_reason = reason if status == "wont_fix" else None
                theme.updated_at = self._clock()
                session.add(
                    ThemeEvent(
                        theme_id=theme.id,
                        kind="status",
                        detail={"status": status, "reason": reason},
                        actor=actor,
                        created_at=self._clock(),
                    )
                )
            notify: list[str] = []
            if changed:
                notify = sorted(
                    {
                        user
                        for user in session.scalars(
                            select(PainPoint.notify_user_id).where(
                                PainPoint.theme_id == theme.id,
                                PainPoint.keep_posted.is_(True),
                                PainPoint.notify_user_id.is_not(None),
                            )
                        )
                        if user
                    }
                )
            return StatusResult(theme.id, theme.title, status, theme.status_reason, changed, notify)

    def title_of(self, theme_id: int) -> str:
        """The theme's current title (or its number when it is gone)."""
        with self._session_factory() as session:
            theme = session.get(Theme, theme_id)
            return theme.title if theme is not None else f"theme #{theme_id}"

    def rename(self, *, theme_id: int, title: str, actor: str) -> None:
        """Give a theme a manager's title, kept across re-clusterings."""
        title = " ".join(title.split())[:200]
        if not title:
            raise StatusError("A title cannot be empty.")
        with self._session_factory() as session, session.begin():
            theme = session.get(Theme, theme_id)
            if theme is None:
                raise StatusError("That theme no longer exists.")
            session.add(
                ThemeEvent(
                    theme_id=theme.id,
                    kind="retitled",
                    detail={"from": theme.title, "to": title},
                    actor=actor,
                    created_at=self._clock(),
                )
            )
            theme.title = title
            theme.title_locked = True
