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
from bot.deps import Deps
from bot.domain.roles import Role
from bot.listeners.context import deps_of, nudges_of
from bot.listeners.reads import record_read

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
    name, number = parse_nudge_text(str(command.get("text") or ""))
    if name == "":
        _open_form(client, command, deps, user_id)
        return
    text, reply = _reply(deps, user_id, name, number, logger)
    respond(text=text, blocks=reply, response_type="ephemeral")


def _open_form(client: WebClient, command: dict[str, Any], deps: Deps, user_id: str) -> None:
    """The scheduling modal, in the trainer's own time zone."""
    service = nudges_of(deps)
    zone = trainer_zone(client, user_id, deps.settings.timezone)
    themes = service.theme_choices()
    opened = client.views_open(
        trigger_id=command["trigger_id"],
        view=nudge_schedule_blocks.schedule_modal(service.library, themes=themes, timezone=zone),
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


def _reply(
    deps: Deps, user_id: str, name: str, number: int | None, logger: logging.Logger
) -> Reply:
    """The answer to `list`, `cancel N`, `stats N`, `concerns` or anything else (usage)."""
    service = nudges_of(deps)
    if name == "list":
        return trainer_blocks.campaign_list(service.list_campaigns())
    if name == "cancel":
        assert number is not None
        if service.cancel(number) is None:
            return common.notice(f"There is no campaign #{number}. See `/nudge list`.")
        logger.info("nudge campaign %s cancelled by a trainer", number)
        return common.notice(f"Campaign *#{number}* is cancelled: nothing more of it will be sent.")
    if name == "stats":
        assert number is not None
        stats = service.stats(number)
        if stats is None:
            return common.notice(f"There is no campaign #{number}. See `/nudge list`.")
        record_read(deps, user_id, "nudge_stats", campaign=number)
        return trainer_blocks.campaign_stats(stats)
    if name == "concerns":
        report = service.concerns.report()
        record_read(deps, user_id, "concerns", groups=len(report.groups))
        return trainer_blocks.concern_report(report)
    return trainer_blocks.usage()
