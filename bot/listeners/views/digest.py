"""The "won't fix" reason modal."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.common import confirmation_view
from bot.blocks.ids import WONT_FIX_REASON
from bot.domain.roles import Role
from bot.listeners.actions.digest import NOT_AVAILABLE
from bot.listeners.context import deps_of, user_of
from bot.slack.notifications import change_theme_status


def handle_wont_fix(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Save "won't fix" with its reason; the role is checked again on submission."""
    deps = deps_of(context)
    user_id = user_of(body, context)
    if not deps.roles.has_role(user_id, Role.MANAGER):
        ack(
            response_action="errors",
            errors={WONT_FIX_REASON: "Only managers can change a theme's status."},
        )
        return
    values = (view.get("state") or {}).get("values") or {}
    reason = str(
        ((values.get(WONT_FIX_REASON) or {}).get("value") or {}).get("value") or ""
    ).strip()
    if not reason:
        ack(response_action="errors", errors={WONT_FIX_REASON: "Please give a reason."})
        return
    try:
        theme_id = int(json.loads(view.get("private_metadata") or "{}").get("theme_id"))
    except (ValueError, TypeError):
        ack(
            response_action="errors",
            errors={WONT_FIX_REASON: "This form is out of date; open it again."},
        )
        return
    ack(
        response_action="update",
        view=confirmation_view(
            "Won't fix", "Saving… reporters who asked to be kept posted will be told."
        ),
    )
    # Checked after the ack (it reads every report): the form may have been opened while the
    # theme passed the k rule, or be forged; its reporters would be told a hidden title.
    if not deps.insights.report(period="all").shows(theme_id):
        client.views_update(view_id=view["id"], view=confirmation_view("Won't fix", NOT_AVAILABLE))
        return
    change_theme_status(
        deps.theme_status,
        deps.notifier,
        theme_id=theme_id,
        status="wont_fix",
        actor=user_id,
        reason=reason,
    )
