"""Digest controls for managers: page on, change a theme's status, open its details."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks import common
from bot.blocks.capture import role_refusal, role_refusal_text
from bot.blocks.digest import status_change_line, theme_details_view, wont_fix_view
from bot.deps import Deps
from bot.domain.nudges import ScheduleInputError, ScheduleRequest
from bot.domain.roles import Role
from bot.domain.themes import STATUSES
from bot.listeners.commands.digest import Scope, digest_reply
from bot.listeners.context import deps_of, user_of
from bot.listeners.guard import tell
from bot.listeners.reads import record_read
from bot.slack.notifications import change_theme_status

logger = logging.getLogger(__name__)
NOT_AVAILABLE = (
    "That theme is no longer available (merged, or below the minimum number of reporters)."
)


def _is_manager(deps: Deps, user_id: str, respond: Respond) -> bool:
    if deps.roles.has_role(user_id, Role.MANAGER):
        return True
    text, blocks = role_refusal(Role.MANAGER)
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    return False


def _shown(deps: Deps, theme_id: int) -> bool:
    """Whether managers may see the theme now (it may have dropped below k since the digest)."""
    return deps.insights.report(period="all").shows(theme_id)


def _action(body: dict[str, Any]) -> dict[str, Any]:
    return dict((body.get("actions") or [{}])[0])


def handle_show_more(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Replace the digest message with its next page."""
    ack()
    deps = deps_of(context)
    if not _is_manager(deps, user_of(body, context), respond):
        return
    try:
        state = json.loads(_action(body).get("value") or "{}")
        scope = Scope(str(state.get("period", "30d")), state.get("team"))
        page = int(state.get("page", 0))
    except (ValueError, TypeError):
        respond(
            text="That button is out of date; run `/painpoint digest` again.",
            replace_original=False,
        )
        return
    record_read(
        deps, user_of(body, context), "digest", period=scope.period, team=scope.team, page=page
    )
    text, blocks = digest_reply(deps, scope, page)
    container = body.get("container") or {}
    if (
        container.get("channel_id")
        and container.get("message_ts")
        and not container.get("is_ephemeral")
    ):
        client.chat_update(
            channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks
        )
    else:
        respond(text=text, blocks=blocks, replace_original=True)


def handle_status(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """A status picked in the digest; "won't fix" first asks for the reason."""
    ack()
    deps = deps_of(context)
    user_id = user_of(body, context)
    if not _is_manager(deps, user_id, respond):
        return
    value = str((_action(body).get("selected_option") or {}).get("value") or "")
    theme_part, _, status = value.partition(":")
    if not theme_part.isdigit() or status not in STATUSES:
        respond(
            text="That status choice is not valid.",
            response_type="ephemeral",
            replace_original=False,
        )
        return
    if not _shown(deps, int(theme_part)):
        respond(text=NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    if status == "wont_fix":
        client.views_open(
            trigger_id=body["trigger_id"],
            view=wont_fix_view(int(theme_part), deps.theme_status.title_of(int(theme_part)), {}),
        )
        return
    outcome = change_theme_status(
        deps.theme_status, deps.notifier, theme_id=int(theme_part), status=status, actor=user_id
    )
    text, blocks = common.notice(status_change_line(outcome))
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def handle_details(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Open a modal with everything about one theme (only themes that pass the k rule)."""
    ack()
    deps = deps_of(context)
    if not _is_manager(deps, user_of(body, context), respond):
        return
    value = str(_action(body).get("value") or "")
    report = deps.insights.report(period="all", with_history=True)
    summary = next((t for t in report.themes if value.isdigit() and t.id == int(value)), None)
    if summary is None:
        respond(text=NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    record_read(deps, user_of(body, context), "theme_details", theme=summary.id)
    lessons = deps.suggester.for_themes([summary.id]).get(summary.id, []) if deps.suggester else []
    view = theme_details_view(summary, [lesson.title for lesson in lessons], report.themes)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_send_suggested_lesson(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """One click from the digest or the `/nudge` modal: send the suggested lesson to the
    theme's opted-in reporters."""
    ack()
    deps = deps_of(context)
    user_id = user_of(body, context)

    def say(text: str, title: str = "Sorry") -> None:
        tell(body, client, respond, text, title=title)

    if not (
        deps.roles.has_role(user_id, Role.MANAGER) or deps.roles.has_role(user_id, Role.TRAINER)
    ):
        say(role_refusal_text(Role.TRAINER))
        return
    theme_part, _, lesson_id = str(_action(body).get("value") or "").partition(":")
    if (
        deps.nudges is None
        or not theme_part.isdigit()
        or deps.nudges.library.lesson(lesson_id) is None
    ):
        say("That lesson is no longer in the library.")
        return
    try:
        campaign = deps.nudges.schedule(
            ScheduleRequest(
                content=f"lesson:{lesson_id}", audience=[f"theme:{theme_part}"], when="now"
            ),
            created_by=user_id,
        )
    except ScheduleInputError as exc:
        say(f"Could not schedule it: {exc}")
        return
    say(
        f"Scheduled nudge campaign *#{campaign.id}*: _{campaign.content}_ goes now to the "
        "people who reported this theme and asked to be kept posted. Follow it with "
        f"`/nudge stats {campaign.id}`.",
        title="Done",
    )
