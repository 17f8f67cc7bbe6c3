"""The button under `/painpoint forget`: erase everything tied to the person who clicks it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond

from bot.blocks.common import notice
from bot.blocks.privacy import forget_done
from bot.listeners.context import deps_of, team_of, user_of


def handle_forget(
    ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext, logger: logging.Logger
) -> None:
    """Erase, then replace the confirmation with what was erased. Whoever clicks is the one
    erased, so a forwarded button can never erase somebody else."""
    ack()
    erasure = deps_of(context).erasure
    if erasure is None:
        text, blocks = notice("Erasing is not set up here; ask the people who run painpoint.")
        respond(text=text, blocks=blocks, replace_original=False, response_type="ephemeral")
        return
    report = erasure.erase(user_of(body, context), team_keys=[team_of(body, context)])
    logger.info("a person erased their data (%d rows)", report.total)
    text, blocks = forget_done(report)
    respond(text=text, blocks=blocks, replace_original=True)
