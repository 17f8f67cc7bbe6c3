"""The pilots' share of an erasure: the person's pulse answers and their place among a
pilot's named participants.

Kept apart from bot.services.erasure because the pilot tables belong to pilots: when they
change, this hook changes with them. Owners, creators and loggers of KPI values stay: they
record what managers did, not what an employee said.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.db.pilot_models import Pilot, PilotPulseAnswer
from bot.services.erasure import ErasureTarget


def erase_pilot_participation(session: Session, target: ErasureTarget) -> dict[str, int]:
    """Delete the person's pulse answers and drop them from participant lists."""
    answers = session.execute(
        delete(PilotPulseAnswer).where(
            or_(
                PilotPulseAnswer.respondent.in_(target.pseudonyms),
                PilotPulseAnswer.delivery_id.in_(target.delivery_ids),
            )
        )
    )
    participations = 0
    for pilot in session.scalars(select(Pilot)):
        people = list(pilot.participants or [])
        if target.user_id in people:
            pilot.participants = [entry for entry in people if entry != target.user_id]
            participations += 1
    return {
        "pilot pulse answers": int(getattr(answers, "rowcount", 0) or 0),
        "pilot participations": participations,
    }
