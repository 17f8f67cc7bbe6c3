"""Buttons for pilots (start, view, adjust, close), pulse answers, and receipts' follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks import capture as capture_blocks
from bot.blocks import ids
from bot.blocks.capture import role_refusal_text
from bot.blocks.followups import parse_followup
from bot.blocks.nudge import nudge_metadata
from bot.blocks.pilot_views import pilot_message, pilot_view_modal, pulse_message
from bot.blocks.pilots import close_modal, kpi_edit_modal, pilot_modal
from bot.domain.pilots import PilotError, PilotView, outbox_key
from bot.domain.roles import Role
from bot.listeners.commands.pilots import may_manage, pilots_of
from bot.listeners.context import deps_of, team_of, user_of
from bot.listeners.guard import tell
from bot.listeners.reads import record_read
from bot.services.pulses import PilotClosed


def _action(body: dict[str, Any]) -> dict[str, Any]:
    return dict((body.get("actions") or [{}])[0])


def _number(body: dict[str, Any]) -> int | None:
    head = str(_action(body).get("value") or "").partition(":")[0]
    return int(head) if head.isdigit() else None


def _show(body: dict[str, Any], client: WebClient, view: dict[str, Any]) -> None:
    """Open a modal, or push it on top when the button was inside one (theme details)."""
    if body.get("view"):
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_start(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the "Start a pilot" form for a theme (managers only)."""
    ack()
    deps = deps_of(context)
    user_id = user_of(body, context)
    if not deps.roles.has_role(user_id, Role.MANAGER):
        tell(body, client, respond, role_refusal_text(Role.MANAGER))
        return
    theme_id = _number(body)
    service = pilots_of(deps)
    try:
        defaults = service.defaults(theme_id if theme_id is not None else -1)
    except PilotError:
        tell(body, client, respond, "That theme is no longer available for a pilot.")
        return
    if defaults.running_pilot is not None:
        tell(
            body,
            client,
            respond,
            f"Pilot *#{defaults.running_pilot}* is already running on this theme; "
            f"see it with `/painpoint pilot {defaults.running_pilot}`.",
        )
        return
    view = pilot_modal(
        defaults, owner=user_id, today=service.today(), min_reporters=service.min_reporters
    )
    _show(body, client, view)


def handle_view(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Show a pilot: pushed over the theme details, or as a message."""
    ack()
    deps = deps_of(context)
    pilot_id = _number(body)
    if not may_manage(deps, user_of(body, context), pilot_id):
        tell(body, client, respond, role_refusal_text(Role.MANAGER))
        return
    pilot = pilots_of(deps).get(pilot_id) if pilot_id is not None else None
    if pilot is None:
        tell(body, client, respond, "That pilot no longer exists.")
        return
    record_read(deps, user_of(body, context), "pilot", pilot=pilot.id)
    if body.get("view"):
        client.views_push(trigger_id=body["trigger_id"], view=pilot_view_modal(pilot))
        return
    text, blocks = pilot_message(pilot)
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def _open_for_manager(
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    form: Callable[[PilotView], dict[str, Any]],
) -> None:
    """Open one of a running pilot's forms for its owner or a manager."""
    deps = deps_of(context)
    pilot_id = _number(body)
    if not may_manage(deps, user_of(body, context), pilot_id):
        tell(body, client, respond, role_refusal_text(Role.MANAGER))
        return
    pilot = pilots_of(deps).get(pilot_id) if pilot_id is not None else None
    if pilot is None or pilot.status == "closed":
        tell(body, client, respond, "That pilot is already closed.")
        return
    _show(body, client, form(pilot))


def handle_close(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the closing form (the owner or a manager)."""
    ack()
    _open_for_manager(
        body, client, respond, context, lambda pilot: close_modal(pilot.id, pilot.theme_title)
    )


def handle_edit(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open the baselines-and-targets form (the owner or a manager)."""
    ack()
    _open_for_manager(body, client, respond, context, kpi_edit_modal)


def handle_pulse_answer(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """A participant's one-tap answer; the pulse is redrawn with it marked."""
    ack()
    deps = deps_of(context)
    action = _action(body)
    bucket = str(action.get("action_id") or "").removeprefix(ids.PULSE_PREFIX)
    delivery_id = _number(body)
    found = None
    try:
        if deps.pulses is not None and delivery_id is not None:
            found = deps.pulses.answer(
                team_id=team_of(body, context),
                user_id=user_of(body, context),
                delivery_id=delivery_id,
                bucket=bucket,
            )
    except PilotClosed:
        tell(body, client, respond, "This pilot has ended, so answers no longer count. Thank you!")
        return
    if found is None:
        tell(body, client, respond, "That question is not one of yours, or it has been removed.")
        return
    container = body.get("container") or {}
    channel = found.channel or container.get("channel_id")
    ts = found.ts or container.get("message_ts")
    if not channel or not ts or not found.changed:
        return
    assert deps.pulses is not None
    text, blocks = pulse_message(
        found.pilot, delivery_id=found.delivery_id, answer=found.answer, k=deps.pulses.min_reporters
    )
    client.chat_update(
        channel=channel,
        ts=ts,
        text=text,
        blocks=blocks,
        metadata=nudge_metadata(
            found.delivery_id, outbox_key("pulse", found.pilot.id), found.campaign_id or 0
        ),
    )


def handle_followup(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """How often / hours a week, answered on a receipt: stored, and the receipt redrawn."""
    ack()
    deps = deps_of(context)
    action = _action(body)
    parsed = parse_followup(str(action.get("action_id") or ""), str(action.get("value") or ""))
    view = None
    if parsed is not None and deps.followups is not None:
        kind, choice, number = parsed
        view = deps.followups.answer(
            team_id=team_of(body, context),
            user_id=user_of(body, context),
            painpoint_id=number,
            kind=kind,
            choice=choice,
        )
    if view is None:
        tell(body, client, respond, "Only the person who reported it can answer for it.")
        return
    container = body.get("container") or {}
    if view.source == "dm" and container.get("channel_id") and container.get("message_ts"):
        text, blocks = capture_blocks.dm_receipt(view, wording=deps.wording)
        client.chat_update(
            channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks
        )
        return
    text, blocks = capture_blocks.receipt(view, wording=deps.wording)
    respond(text=text, blocks=blocks, replace_original=True)
