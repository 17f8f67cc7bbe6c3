"""Whether a pain-point theme may be shown now: active and backed by at least k distinct
people whose reports may be seen. Counted from the reports, not from the count the last
re-clustering stored, so a report deleted or erased since counts at once."""

from __future__ import annotations

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from bot.db.models import PainPoint, Theme


def shown_themes(min_reporters: int) -> Select[int, str, int]:
    """Rows (id, title, reporters) of every pain-point theme that may be shown now."""
    people = func.count(distinct(PainPoint.reporter))
    return (
        select(Theme.id, Theme.title, people.label("reporters"))
        .join(PainPoint, PainPoint.theme_id == Theme.id)
        .where(
            Theme.kind == "painpoint",
            Theme.active.is_(True),
            # Rows sealed for their full scrub are nobody's to see yet.
            PainPoint.pending_scrub.is_(False),
        )
        .group_by(Theme.id, Theme.title)
        .having(people >= min_reporters)
    )


def is_shown(session: Session, theme_id: int, min_reporters: int) -> bool:
    """Whether the theme may be shown now."""
    query = shown_themes(min_reporters).where(Theme.id == theme_id)
    return session.execute(query).first() is not None
