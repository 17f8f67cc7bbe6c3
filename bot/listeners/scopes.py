"""Middleware noting the team keys reporters are pseudonymised under, so that an erasure can
find a person's rows under each of them (see bot.services.erasure)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.listeners.context import deps_of, team_of

logger = logging.getLogger(__name__)


def scope_keys(body: dict[str, object], context: BoltContext) -> set[str]:
    """The key `team_of` gives now, and the workspace id: rows written before reporters were
    keyed by Enterprise Grid org carry that one."""
    team = body.get("team")
    workspace = (
        context.team_id
        or body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else None)
    )
    return {team_of(body, context), *([str(workspace)] if workspace else [])}


def note_scopes(
    req: BoltRequest, context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse:
    """Bolt middleware: a set lookup per request, a database write once per process and key."""
    erasure = deps_of(context).erasure
    if erasure is not None:
        try:
            erasure.note_scopes(scope_keys(req.body, context))
        except SQLAlchemyError as exc:
            # Never at the cost of the request (a report must still be stored); the key is
            # noted by the next request that reaches a writable database.
            logger.warning("could not note a pseudonym scope: %s", type(exc).__name__)
    return next()
