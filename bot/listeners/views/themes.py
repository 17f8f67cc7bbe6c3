"""The rename form's submission: the role is checked again, errors stay in the form."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.blocks import ids
from bot.blocks.common import confirmation_view
from bot.domain.roles import Role
from bot.listeners.context import deps_of, user_of
from bot.services.theme_corrections import CorrectionError


def handle_rename_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Give the theme the manager's title (kept across re-clusterings)."""
    deps = deps_of(context)
    user_id = user_of(body, context)
    if not deps.roles.has_role(user_id, Role.MANAGER):
        ack(
            response_action="errors",
            errors={ids.THEME_RENAME_TITLE: "Only managers can rename a theme."},
        )
        return
    values = (view.get("state") or {}).get("values") or {}
    title = str(
        ((values.get(ids.THEME_RENAME_TITLE) or {}).get(ids.VALUE) or {}).get("value") or ""
    )
    try:
        theme_id = int(json.loads(view.get("private_metadata") or "{}").get("theme_id"))
        done = deps.corrections.rename(theme_id=theme_id, title=title, actor=user_id)
    except (ValueError, TypeError) as exc:
        message = str(exc) if isinstance(exc, CorrectionError) else "This form is out of date."
        ack(response_action="errors", errors={ids.THEME_RENAME_TITLE: message[:150]})
        return
    ack(response_action="update", view=confirmation_view("Renamed", done.message))
