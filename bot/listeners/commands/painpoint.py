"""`/painpoint`: record a pain point, open the form, or run a sub-command from the table."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks import capture as blocks
from bot.blocks.common import notice
from bot.deps import Deps
from bot.domain.capture import CaptureResult, PainPointInput
from bot.domain.roles import Role
from bot.listeners.commands import digest, pilots, subcommands
from bot.listeners.commands.parse import Parsed, parse_command_text
from bot.listeners.context import CommandRequest, Subcommand, deps_of, team_of
from bot.listeners.replies import capture_reply

# Every `/painpoint` sub-command, who may run it, and its handler.
SUBCOMMANDS: dict[str, Subcommand] = {
    "help": Subcommand(None, subcommands.help_reply),
    "mine": Subcommand(None, subcommands.mine_reply),
    "settings": Subcommand(None, subcommands.settings_reply),
    "delete": Subcommand(None, subcommands.delete_reply),
    "privacy": Subcommand(None, subcommands.privacy_reply),
    # Only offers the erasure: the button under it erases (bot.listeners.actions.privacy).
    "forget": Subcommand(None, subcommands.forget_reply),
    "digest": Subcommand(Role.MANAGER, digest.handle_digest, digest.names_a_slice),
    "report": Subcommand(Role.MANAGER, digest.handle_report, digest.names_a_slice),
    # Owners who are not managers may use these for their own pilot: checked inside.
    "pilots": Subcommand(None, pilots.handle_pilots, after_ack=True),
    "pilot": Subcommand(None, pilots.handle_pilot, after_ack=True),
}


def handle_painpoint(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Open the form, record a report, or run the sub-command the text names exactly."""
    deps = deps_of(context)
    raw_text = str(command.get("text") or "")
    if not raw_text.strip():
        ack()
        _open_form(client, command, deps)
        return
    request = CommandRequest(
        deps=deps,
        team_id=team_of(command, context),
        user_id=str(command["user_id"]),
        argument="",
        client=client,
        respond=respond,
    )
    parsed = parse_command_text(raw_text)
    entry = SUBCOMMANDS.get(parsed.name)
    if entry is None:
        record(ack, request, raw_text, parsed)
        return
    request = CommandRequest(**{**request.__dict__, "argument": parsed.argument})
    if entry.role is None and not entry.after_ack:
        text, reply_blocks = entry.run(request) or blocks.help_message(wording=deps.wording)
        ack(text=text, blocks=reply_blocks)
        logger.debug("sub-command %s answered", parsed.name)
        return
    # Role checks may call Slack (user groups), so answer first and reply through respond().
    ack()
    if entry.role is None:
        text, reply_blocks = entry.run(request) or blocks.help_message(wording=deps.wording)
        respond(text=text, blocks=reply_blocks, response_type="ephemeral")
        return
    allowed = deps.roles.has_role(request.user_id, entry.role)
    if parsed.loose and not (
        allowed and entry.accepts is not None and entry.accepts(deps, parsed.argument)
    ):
        # Not this sub-command after all: the text is a report and is kept.
        text, reply_blocks = capture_reply(
            _capture(request, raw_text), _limit(request), deps.wording
        )
        respond(text=text, blocks=reply_blocks, response_type="ephemeral")
        if allowed:
            hint, hint_blocks = notice(subcommands.did_you_mean(parsed.name))
            respond(text=hint, blocks=hint_blocks, response_type="ephemeral")
        return
    if not allowed:
        text, reply_blocks = blocks.role_refusal(entry.role)
        respond(text=text, blocks=reply_blocks, response_type="ephemeral")
        return
    reply = entry.run(request)
    if reply is not None:
        respond(text=reply[0], blocks=reply[1], response_type="ephemeral")


def _open_form(client: WebClient, command: dict[str, Any], deps: Deps) -> None:
    client.views_open(
        trigger_id=command["trigger_id"],
        view=blocks.report_modal(
            teams=deps.settings.teams, metadata={"source": "modal"}, wording=deps.wording
        ),
    )


def record(ack: Ack, request: CommandRequest, text: str, parsed: Parsed) -> None:
    """Store the text as a pain point; offer the sub-command it may have meant."""
    result = _capture(request, text)
    reply_text, reply_blocks = capture_reply(result, _limit(request), request.deps.wording)
    ack(text=reply_text, blocks=reply_blocks)
    if parsed.maybe is None:
        return
    entry = SUBCOMMANDS[parsed.maybe]
    if entry.role is not None and not request.deps.roles.has_role(request.user_id, entry.role):
        return
    hint, hint_blocks = notice(subcommands.did_you_mean(parsed.maybe))
    request.respond(text=hint, blocks=hint_blocks, response_type="ephemeral")


def _capture(request: CommandRequest, text: str) -> CaptureResult:
    return request.deps.capture.record(
        team_id=request.team_id,
        user_id=request.user_id,
        submission=PainPointInput(text=text, source="slash"),
    )


def _limit(request: CommandRequest) -> int:
    return request.deps.capture.limits.max_text_length
