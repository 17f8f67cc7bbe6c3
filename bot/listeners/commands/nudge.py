"""`/nudge` for trainers: the scheduling form, list, cancel, stats and concerns.

The trainer role is checked before anything is read; everybody else gets a refusal that
contains no data. Also `/painpoint settings` (anyone): nudge status with pause/resume.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import common
from bot.blocks import nudge_schedule as nudge_schedule_blocks
from bot.blocks import trainer as trainer_blocks
from bot.domain.roles import Role
from bot.listeners.context import deps_of, nudges_of

Reply = tuple[str, list[dict[str, Any]]]


def trainer_zone(client: WebClient, user_id: str, fallback: str) -> str:
    """The trainer's own IANA time zone from users.info, else the deployment's."""
    try:
        tz = (client.users_info(user=user_id).get("user") or {}).get("tz")
    except SlackApiError:
        return fallback
    return str(tz) if tz else fallback


def parse_nudge_text(text: str) -> tuple[str, int | None]:
    """`list`, `cancel 3`, `stats #3`, `concerns`, `help`, or "" for the form."""
    stripped = text.strip().casefold()
    if stripped in {"", "list", "concerns", "help"}:
        return stripped, None
    match = re.fullmatch(r"(cancel|stats)\s+#?(\d{1,9})", stripped)
    if match:
        return match.group(1), int(match.group(2))
    return "help", None


def handle_nudge(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Acknowledge, check the role, then run the sub-command."""
    ack()
    deps = deps_of(context)
    user_id = str(command["user_id"])
    # Before anything else: a role check may call Slack, so it comes after the ack.
    if not deps.roles.has_role(user_id, Role.TRAINER):
        text, reply = trainer_blocks.refusal()
        respond(text=text, blocks=reply, response_type="ephemeral")
        return
    service = nudges_of(deps)
    name, number = parse_nudge_text(str(command.get("text") or ""))
    if name == "":
        zone = trainer_zone(client, user_id, deps.settings.timezone)
        themes = service.theme_choices()
        opened = client.views_open(
            trigger_id=command["trigger_id"],
            view=nudge_schedule_blocks.schedule_modal(
                service.library, themes=themes, timezone=zone
            ),
        )
        # trigger_id lasts 3 s and matching lessons may need the model loaded, so the
        # suggestions are added to the open modal afterwards.
        if deps.suggester is not None and themes:
            suggested = deps.suggester.for_themes([theme.id for theme in themes[:20]])
            view = opened.get("view") or {}
            if any(suggested.values()) and view.get("id"):
                client.views_update(
                    view_id=view["id"],
                    hash=view.get("hash"),
                    view=nudge_schedule_blocks.schedule_modal(
                        service.library, themes=themes, timezone=zone, suggested=suggested
                    ),
                )
        return
    if name == "list":
        text, reply = trainer_blocks.campaign_list(service.list_campaigns())
    elif name == "cancel":
        assert number is not None
        cancelled = service.cancel(number)
        if cancelled is None:
            text, reply = common.notice(f"There is no campaign #{number}. See `/nudge list`.")
        else:
            logger.info("nudge campaign %s cancelled by a trainer", number)
            text, reply = common.notice(
                f"Campaign *#{number}* is cancelled: nothing more of it will be sent."
            )
    elif name == "stats":
        assert number is not None
        stats = service.stats(number)
        if stats is None:
            text, reply = common.notice(f"There is no campaign #{number}. See `/nudge list`.")
        else:
            text, reply = trainer_blocks.campaign_stats(stats)
    elif name == "concerns":
        text, reply = trainer_blocks.concern_report(service.concerns.report())
    else:
        text, reply = trainer_blocks.usage()
    respond(text=text, blocks=reply, response_type="ephemeral")
