"""What a pilot's changes write beside it: the outbox campaigns that carry its DMs, the
theme's status, and following its theme into a merge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Theme, ThemeEvent
from bot.db.nudge_models import NudgeCampaign
from bot.db.pilot_models import Pilot
from bot.domain.occurrences import next_expansion
from bot.domain.schedule import Schedule


def follow_merge(session: Session, old_theme_id: int, new_theme_id: int) -> None:
    """Pilots on a theme merged into another measure the theme its reports joined, and their
    pulses reach that theme's opted-in reporters."""
    pilots = list(session.scalars(select(Pilot).where(Pilot.theme_id == old_theme_id)))
    old_entry, new_entry = f"theme:{old_theme_id}", f"theme:{new_theme_id}"
    for pilot in pilots:
        pilot.theme_id = new_theme_id
        campaign = session.get(NudgeCampaign, pilot.pulse_campaign_id or 0)
        if campaign is not None and old_entry in (campaign.audience or []):
            audience = [new_entry if entry == old_entry else entry for entry in campaign.audience]
            campaign.audience = list(dict.fromkeys(audience))


def open_campaign(
    session: Session, lesson: str, audience: list[str], schedule: Schedule, now: datetime
) -> int:
    """An outbox campaign for one of the pilot's messages; returns its id."""
    row = NudgeCampaign(
        lesson_id=None,
        track_id=None,
        lessons=[lesson],
        audience=audience,
        schedule=schedule.to_dict(),
        status="active",
        created_by="pilot",
        next_run_at=next_expansion(schedule, None),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def set_theme_status(
    session: Session, theme: Theme, status: str, actor: str, now: datetime, pilot_id: int
) -> None:
    """Set the theme's status because of a pilot, logged with who and when."""
    if theme.status == status:
        return
    theme.status, theme.status_reason, theme.updated_at = status, None, now
    session.add(
        ThemeEvent(
            theme_id=theme.id,
            kind="status",
            detail={"status": status, "reason": None, "pilot": pilot_id},
            actor=actor[:32],
            created_at=now,
        )
    )
