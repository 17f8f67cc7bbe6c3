"""`/painpoint`: record a pain point, open the form, or run a sub-command."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks import capture as blocks
from bot.blocks import common
from bot.deps import Deps
from bot.domain.capture import PainPointInput
from bot.domain.roles import Role
from bot.listeners.commands.nudge import settings_reply
from bot.listeners.commands.parse import parse_command_text, parse_painpoint_number
from bot.listeners.context import deps_of
from bot.listeners.replies import capture_reply

Reply = tuple[str, list[dict[str, Any]]]
ManagerCommand = Callable[[Deps, str, str, str, WebClient, Respond], Reply | None]

# Later features register role-gated sub-commands here: name → (role, handler).
ROLE_COMMANDS: dict[str, tuple[Role, ManagerCommand]] = {}


def refusal(role: Role) -> Reply:
    """A polite refusal that reveals nothing but the rule."""
    return common.notice(
        f"Sorry, that sub-command is for {role.value}s. Ask your painpoint administrator if "
        "you need access. You can still report with `/painpoint <what slows you down>`."
    )


def handle_painpoint(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Dispatch `/painpoint` by its text."""
    deps = deps_of(context)
    team_id = str(command.get("team_id") or "T0")
    user_id = str(command["user_id"])
    raw_text = str(command.get("text") or "")
    parsed = parse_command_text(raw_text)

    if parsed.name == "" and not parsed.argument:
        ack()
        client.views_open(
            trigger_id=command["trigger_id"],
            view=blocks.report_modal(teams=deps.settings.teams, metadata={"source": "modal"}),
        )
        return
    if parsed.name == "":
        submission = PainPointInput(text=raw_text, source="slash")
        result = deps.capture.record(team_id=team_id, user_id=user_id, submission=submission)
        text, reply_blocks = capture_reply(result, deps.capture.limits.max_text_length)
        ack(text=text, blocks=reply_blocks)
        return
    if parsed.name == "help":
        is_manager = deps.roles.has_role(user_id, Role.MANAGER)
        text, reply_blocks = blocks.help_message(is_manager=is_manager)
        ack(text=text, blocks=reply_blocks)
        return
    if parsed.name == "settings":
        text, reply_blocks = settings_reply(deps, user_id)
        ack(text=text, blocks=reply_blocks)
        return
    if parsed.name == "mine":
        mine = deps.capture.list_mine(team_id=team_id, user_id=user_id, limit=20)
        text, reply_blocks = blocks.mine_message(mine)
        ack(text=text, blocks=reply_blocks)
        return
    if parsed.name == "delete":
        number = parse_painpoint_number(parsed.argument)
        if number is None:
            text, reply_blocks = common.notice(
                "Usage: `/painpoint delete <number>` — see your numbers with `/painpoint mine`."
            )
        elif deps.capture.delete(team_id=team_id, user_id=user_id, painpoint_id=number):
            logger.info("pain point %s erased by its reporter", number)
            text, reply_blocks = common.notice(f"Pain point *#{number}* is erased for good.")
        else:
            text, reply_blocks = common.notice(
                f"You have no pain point *#{number}*. You can only erase your own; "
                "see them with `/painpoint mine`."
            )
        ack(text=text, blocks=reply_blocks)
        return
    run_role_command(
        deps,
        parsed.name,
        parsed.argument,
        team_id,
        user_id,
        ack=ack,
        client=client,
        respond=respond,
    )


def run_role_command(
    deps: Deps,
    name: str,
    argument: str,
    team_id: str,
    user_id: str,
    *,
    ack: Ack,
    client: WebClient,
    respond: Respond,
) -> None:
    """Check the role before touching any data, then run the sub-command after the ack."""
    entry = ROLE_COMMANDS.get(name)
    if entry is None:
        text, reply_blocks = blocks.help_message()
        ack(text=text, blocks=reply_blocks)
        return
    role, handler = entry
    # Role checks may call Slack (user groups), so answer first and reply through respond().
    ack()
    if not deps.roles.has_role(user_id, role):
        text, reply_blocks = refusal(role)
        respond(text=text, blocks=reply_blocks, response_type="ephemeral")
        return
    reply = handler(deps, argument, team_id, user_id, client, respond)
    if reply is not None:
        respond(text=reply[0], blocks=reply[1], response_type="ephemeral")
